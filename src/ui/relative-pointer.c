/* Relative pointer motion: the warp on X11, the pointer lock and relative
 * pointer protocols on Wayland (see relative-pointer.h). */
#include <gdk/gdkwayland.h>

#include "relative-pointer.h"
#include "wayland-globals.h"
#include "pointer-constraints-unstable-v1-client-protocol.h"
#include "relative-pointer-unstable-v1-client-protocol.h"

struct _GvtRelativePointer {
  GtkWidget *widget;
  GvtRelativePointerFuncs funcs;
  gpointer user_data;
  GvtRelativeMethod method;
  gboolean started;

  /* X11 and "edges": the last position seen. */
  gboolean have_position;
  double x, y;

  /* Wayland: the globals, and while started the lock and the deltas. */
  struct zwp_relative_pointer_manager_v1 *relative_manager;
  struct zwp_pointer_constraints_v1 *constraints;
  struct zwp_relative_pointer_v1 *relative;
  struct zwp_locked_pointer_v1 *lock;
  gboolean locked;
};

const char *
gvt_relative_method_to_string (GvtRelativeMethod method)
{
  switch (method)
    {
    case GVT_RELATIVE_WARP:
      return "warp";
    case GVT_RELATIVE_LOCKED:
      return "locked";
    case GVT_RELATIVE_EDGES:
    default:
      return "edges";
    }
}

/* --- Wayland --- */

static void
on_relative_motion (void *data, struct zwp_relative_pointer_v1 *relative, uint32_t utime_hi,
                    uint32_t utime_lo, wl_fixed_t dx, wl_fixed_t dy, wl_fixed_t dx_unaccel,
                    wl_fixed_t dy_unaccel)
{
  GvtRelativePointer *self = data;
  int scale = gtk_widget_get_scale_factor (self->widget);

  /* The accelerated deltas, in surface coordinates: the speed the host
   * pointer has, as with the warp on X11. */
  self->funcs.motion (wl_fixed_to_double (dx) * scale, wl_fixed_to_double (dy) * scale,
                      self->user_data);
}

static const struct zwp_relative_pointer_v1_listener relative_listener = {
  .relative_motion = on_relative_motion,
};

static void
on_locked (void *data, struct zwp_locked_pointer_v1 *lock)
{
  GvtRelativePointer *self = data;

  self->locked = TRUE;
  g_debug ("pointer locked");
}

static void
on_unlocked (void *data, struct zwp_locked_pointer_v1 *lock)
{
  GvtRelativePointer *self = data;
  gboolean was_locked = self->locked;

  /* A oneshot lock is over for good once it was active. */
  self->locked = FALSE;
  g_debug ("pointer unlocked");
  if (was_locked)
    self->funcs.lost (self->user_data);
}

static const struct zwp_locked_pointer_v1_listener lock_listener = {
  .locked = on_locked,
  .unlocked = on_unlocked,
};

static void
wayland_start (GvtRelativePointer *self)
{
  GdkSeat *seat = gdk_display_get_default_seat (gtk_widget_get_display (self->widget));
  GdkWindow *toplevel = gtk_widget_get_window (gtk_widget_get_toplevel (self->widget));
  GdkDevice *device = seat != NULL ? gdk_seat_get_pointer (seat) : NULL;
  struct wl_pointer *pointer = device != NULL && GDK_IS_WAYLAND_DEVICE (device)
    ? gdk_wayland_device_get_wl_pointer (device) : NULL;
  struct wl_surface *surface = toplevel != NULL && GDK_IS_WAYLAND_WINDOW (toplevel)
    ? gdk_wayland_window_get_wl_surface (toplevel) : NULL;

  if (pointer == NULL || surface == NULL)
    {
      g_message ("--relative-mouse: no Wayland pointer or surface to lock");
      return;
    }
  self->relative = zwp_relative_pointer_manager_v1_get_relative_pointer (self->relative_manager,
                                                                         pointer);
  zwp_relative_pointer_v1_add_listener (self->relative, &relative_listener, self);
  /* The whole surface; oneshot: when the compositor takes the pointer
   * back, the grab ends rather than coming back behind the user. */
  self->lock = zwp_pointer_constraints_v1_lock_pointer (self->constraints, surface, pointer, NULL,
                                                        ZWP_POINTER_CONSTRAINTS_V1_LIFETIME_ONESHOT);
  zwp_locked_pointer_v1_add_listener (self->lock, &lock_listener, self);
}

static void
wayland_stop (GvtRelativePointer *self)
{
  g_clear_pointer (&self->lock, zwp_locked_pointer_v1_destroy);
  g_clear_pointer (&self->relative, zwp_relative_pointer_v1_destroy);
  self->locked = FALSE;
}

/* --- the object --- */

GvtRelativePointer *
gvt_relative_pointer_new (GtkWidget *widget, const GvtRelativePointerFuncs *funcs,
                          gpointer user_data)
{
  GvtRelativePointer *self = g_new0 (GvtRelativePointer, 1);
  GdkDisplay *display = gtk_widget_get_display (widget);

  self->widget = g_object_ref (widget);
  self->funcs = *funcs;
  self->user_data = user_data;
  self->method = GVT_RELATIVE_WARP;
  const GvtWaylandGlobal globals[] = {
    { &zwp_relative_pointer_manager_v1_interface, 1, (void **) &self->relative_manager },
    { &zwp_pointer_constraints_v1_interface, 1, (void **) &self->constraints },
  };
  if (gvt_wayland_bind_globals (display, globals, G_N_ELEMENTS (globals)))
    {
      if (self->relative_manager != NULL && self->constraints != NULL)
        self->method = GVT_RELATIVE_LOCKED;
      else
        {
          self->method = GVT_RELATIVE_EDGES;
          g_message ("--relative-mouse: this Wayland compositor can't lock the pointer (it has "
                     "no %s): the guest's pointer stops where the host's leaves the window",
                     self->constraints == NULL ? "pointer-constraints-unstable-v1"
                                               : "relative-pointer-unstable-v1");
        }
    }
  g_debug ("relative pointer: %s", gvt_relative_method_to_string (self->method));
  return self;
}

void
gvt_relative_pointer_free (GvtRelativePointer *self)
{
  if (self == NULL)
    return;
  gvt_relative_pointer_stop (self);
  g_clear_pointer (&self->relative_manager, zwp_relative_pointer_manager_v1_destroy);
  g_clear_pointer (&self->constraints, zwp_pointer_constraints_v1_destroy);
  g_object_unref (self->widget);
  g_free (self);
}

void
gvt_relative_pointer_start (GvtRelativePointer *self)
{
  if (self->started)
    return;
  self->started = TRUE;
  self->have_position = FALSE;
  if (self->method == GVT_RELATIVE_LOCKED)
    {
      wayland_start (self);
      return;
    }
  /* "edges" (Wayland): the picture is a GtkGLArea with no GdkWindow of
   * its own, so a position asked of gtk_widget_get_window() is the
   * toplevel's while motion events are the widget's; the first motion
   * event sets the start instead (its own move is not sent). The warp
   * (X11) asks: the move of the click's first motion counts there. */
  if (self->method != GVT_RELATIVE_WARP)
    return;
  GdkWindow *window = gtk_widget_get_window (self->widget);
  GdkSeat *seat = gdk_display_get_default_seat (gtk_widget_get_display (self->widget));
  GdkDevice *pointer = seat != NULL ? gdk_seat_get_pointer (seat) : NULL;
  if (window != NULL && pointer != NULL)
    {
      gdk_window_get_device_position_double (window, pointer, &self->x, &self->y, NULL);
      self->have_position = TRUE;
    }
}

void
gvt_relative_pointer_stop (GvtRelativePointer *self)
{
  if (!self->started)
    return;
  self->started = FALSE;
  if (self->method == GVT_RELATIVE_LOCKED)
    wayland_stop (self);
}

void
gvt_relative_pointer_motion_event (GvtRelativePointer *self, const GdkEventMotion *event)
{
  /* Locked, the deltas come from the relative pointer alone. */
  if (!self->started || self->method == GVT_RELATIVE_LOCKED)
    return;
  int scale = gtk_widget_get_scale_factor (self->widget);
  if (self->have_position)
    self->funcs.motion ((event->x - self->x) * scale, (event->y - self->y) * scale,
                        self->user_data);
  self->x = event->x;
  self->y = event->y;
  self->have_position = TRUE;
  if (self->method != GVT_RELATIVE_WARP)
    return;
  /* Back to the middle before the pointer meets an edge. */
  int w = gtk_widget_get_allocated_width (self->widget);
  int h = gtk_widget_get_allocated_height (self->widget);
  if (event->x < w / 4 || event->x > w * 3 / 4 || event->y < h / 4 || event->y > h * 3 / 4)
    {
      int ox, oy;
      gdk_window_get_origin (gtk_widget_get_window (self->widget), &ox, &oy);
      gdk_device_warp (gdk_event_get_device ((const GdkEvent *) event),
                       gtk_widget_get_screen (self->widget), ox + w / 2, oy + h / 2);
      self->have_position = FALSE;
    }
}

GvtRelativeMethod
gvt_relative_pointer_get_method (GvtRelativePointer *self)
{
  return self->method;
}

gboolean
gvt_relative_pointer_is_locked (GvtRelativePointer *self)
{
  return self->locked;
}
