/* The grab of keyboard and pointer (see grab.h). */
#include <gdk/gdkwayland.h>

#include "grab.h"
#include "wayland-globals.h"
#include "common/gvt-error.h"
#include "keyboard-shortcuts-inhibit-unstable-v1-client-protocol.h"

struct _GvtGrab {
  GtkWidget *window;
  gboolean active;
  struct zwp_keyboard_shortcuts_inhibit_manager_v1 *manager;
  struct zwp_keyboard_shortcuts_inhibitor_v1 *inhibitor;
  gboolean inhibited;
};

static void
on_inhibitor_active (void *data, struct zwp_keyboard_shortcuts_inhibitor_v1 *inhibitor)
{
  GvtGrab *self = data;

  self->inhibited = TRUE;
  g_debug ("the compositor's shortcuts go to the guest");
}

static void
on_inhibitor_inactive (void *data, struct zwp_keyboard_shortcuts_inhibitor_v1 *inhibitor)
{
  GvtGrab *self = data;

  /* The compositor took its shortcuts back (the user's own choice, in
   * most compositors); it may give them again while the object lives. */
  self->inhibited = FALSE;
  g_debug ("the compositor keeps its shortcuts");
}

static const struct zwp_keyboard_shortcuts_inhibitor_v1_listener inhibitor_listener = {
  .active = on_inhibitor_active,
  .inactive = on_inhibitor_inactive,
};

GvtGrab *
gvt_grab_new (GtkWidget *window)
{
  GvtGrab *self = g_new0 (GvtGrab, 1);
  const GvtWaylandGlobal globals[] = {
    { &zwp_keyboard_shortcuts_inhibit_manager_v1_interface, 1, (void **) &self->manager },
  };

  self->window = g_object_ref (window);
  if (gvt_wayland_bind_globals (gtk_widget_get_display (window), globals, G_N_ELEMENTS (globals))
      && self->manager == NULL)
    g_debug ("this Wayland compositor can't pass its shortcuts to a window");
  return self;
}

void
gvt_grab_free (GvtGrab *self)
{
  if (self == NULL)
    return;
  gvt_grab_stop (self);
  g_clear_pointer (&self->manager, zwp_keyboard_shortcuts_inhibit_manager_v1_destroy);
  g_object_unref (self->window);
  g_free (self);
}

static void
inhibit_shortcuts (GvtGrab *self, GdkSeat *seat)
{
  GdkWindow *window = gtk_widget_get_window (self->window);

  if (self->manager == NULL || window == NULL || !GDK_IS_WAYLAND_WINDOW (window))
    return;
  self->inhibitor = zwp_keyboard_shortcuts_inhibit_manager_v1_inhibit_shortcuts (
    self->manager, gdk_wayland_window_get_wl_surface (window), gdk_wayland_seat_get_wl_seat (seat));
  zwp_keyboard_shortcuts_inhibitor_v1_add_listener (self->inhibitor, &inhibitor_listener, self);
}

static void
forget (GvtGrab *self)
{
  g_clear_pointer (&self->inhibitor, zwp_keyboard_shortcuts_inhibitor_v1_destroy);
  self->inhibited = FALSE;
  self->active = FALSE;
}

gboolean
gvt_grab_start (GvtGrab *self, GdkCursor *cursor, GError **error)
{
  GdkWindow *window = gtk_widget_get_window (self->window);
  GdkSeat *seat = gdk_display_get_default_seat (gtk_widget_get_display (self->window));

  if (self->active)
    return TRUE;
  if (window == NULL || seat == NULL)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED, "no window or seat to grab");
      return FALSE;
    }
  GdkGrabStatus status = gdk_seat_grab (seat, window, GDK_SEAT_CAPABILITY_ALL, TRUE, cursor, NULL,
                                        NULL, NULL);
  if (status != GDK_GRAB_SUCCESS)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_BUSY,
                   "the grab of keyboard and pointer failed (status %d): another program holds it",
                   status);
      return FALSE;
    }
  self->active = TRUE;
  inhibit_shortcuts (self, seat);
  return TRUE;
}

void
gvt_grab_stop (GvtGrab *self)
{
  if (!self->active)
    return;
  gdk_seat_ungrab (gdk_display_get_default_seat (gtk_widget_get_display (self->window)));
  forget (self);
}

void
gvt_grab_broken (GvtGrab *self)
{
  forget (self);
}

gboolean
gvt_grab_is_active (GvtGrab *self)
{
  return self->active;
}

gboolean
gvt_grab_shortcuts_inhibited (GvtGrab *self)
{
  return self->inhibited;
}
