/* Picks the surface implementation for the GDK backend in use. */
#include <gdk/gdkx.h>
#include <gdk/gdkwayland.h>

#include "surface.h"
#include "../gvt-error.h"

const GvtSurfaceOps *
gvt_surface_ops_for_display (GdkDisplay *display, GError **error)
{
  if (GDK_IS_X11_DISPLAY (display))
    return &gvt_surface_x11_ops;
  if (GDK_IS_WAYLAND_DISPLAY (display))
    return &gvt_surface_wayland_ops;
  g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
               "the GDK backend %s has no GL surface for gvt-view: use X11 or Wayland "
               "(GDK_BACKEND=x11 or wayland)", G_OBJECT_TYPE_NAME (display));
  return NULL;
}
