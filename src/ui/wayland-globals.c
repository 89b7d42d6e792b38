/* Globals on GDK's Wayland connection, through a registry of our own on a
 * queue of our own, so the round trip dispatches nothing of GDK's; the
 * objects then move to the default queue, which GDK dispatches. */
#include <gdk/gdkwayland.h>

#include "wayland-globals.h"

typedef struct {
  const GvtWaylandGlobal *wanted;
  guint n_wanted;
} Binding;

static void
on_global (void *data, struct wl_registry *registry, uint32_t name, const char *interface,
           uint32_t version)
{
  Binding *b = data;

  for (guint i = 0; i < b->n_wanted; i++)
    {
      const GvtWaylandGlobal *g = &b->wanted[i];
      if (*g->proxy == NULL && g_str_equal (interface, g->interface->name))
        *g->proxy = wl_registry_bind (registry, name, g->interface, MIN (version, g->version));
    }
}

static void
on_global_remove (void *data, struct wl_registry *registry, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
  .global = on_global,
  .global_remove = on_global_remove,
};

gboolean
gvt_wayland_bind_globals (GdkDisplay *display, const GvtWaylandGlobal *wanted, guint n_wanted)
{
  if (!GDK_IS_WAYLAND_DISPLAY (display))
    return FALSE;
  struct wl_display *wl = gdk_wayland_display_get_wl_display (display);
  struct wl_event_queue *queue = wl_display_create_queue (wl);
  struct wl_display *wrapped = wl_proxy_create_wrapper (wl);
  wl_proxy_set_queue ((struct wl_proxy *) wrapped, queue);
  struct wl_registry *registry = wl_display_get_registry (wrapped);
  wl_proxy_wrapper_destroy (wrapped);

  Binding b = { wanted, n_wanted };
  wl_registry_add_listener (registry, &registry_listener, &b);
  if (wl_display_roundtrip_queue (wl, queue) < 0)
    g_message ("the Wayland round trip for the compositor's globals failed");
  for (guint i = 0; i < n_wanted; i++)
    if (*wanted[i].proxy != NULL)
      wl_proxy_set_queue (*wanted[i].proxy, NULL);
  wl_registry_destroy (registry);
  wl_event_queue_destroy (queue);
  return TRUE;
}
