/* What every surface shares: picking the implementation for the GDK
 * backend in use, and the widget's life around the backend's GL. */
#include <gdk/gdkx.h>
#include <gdk/gdkwayland.h>

#include "surface.h"
#include "common/gvt-error.h"

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

static void
tear_down (GvtSurface *self)
{
  if (self->egl != NULL)
    {
      self->ops->make_context_current (self);
      if (self->ready)
        self->callbacks->unrealize (self->user_data);
      g_clear_pointer (&self->egl, gvt_egl_free);
    }
  self->ready = FALSE;
  if (self->ops->release_gl != NULL)
    self->ops->release_gl (self);
}

static void
on_realize (GtkWidget *widget, GvtSurface *self)
{
  g_autoptr (GError) error = NULL;

  self->ready = self->ops->set_up_gl (self, &error)
                && self->callbacks->realize (self->egl, self->user_data, &error);
  if (!self->ready)
    {
      g_warning ("no picture: %s", error->message);
      tear_down (self);
      self->callbacks->failed (error, self->user_data);
    }
}

static void
on_unrealize (GtkWidget *widget, GvtSurface *self)
{
  tear_down (self);
}

void
gvt_surface_init (GvtSurface *self, const GvtSurfaceOps *ops, GtkWidget *area,
                  const GvtSurfaceCallbacks *callbacks, gpointer user_data)
{
  self->ops = ops;
  self->callbacks = callbacks;
  self->user_data = user_data;
  self->area = g_object_ref_sink (area);
  gtk_widget_set_hexpand (area, TRUE);
  gtk_widget_set_vexpand (area, TRUE);
  /* After the widget's own realize, so that its window (X11) or context
   * (GtkGLArea) exists. */
  g_signal_connect_after (area, "realize", G_CALLBACK (on_realize), self);
  /* Before the widget drops its window or context. */
  g_signal_connect (area, "unrealize", G_CALLBACK (on_unrealize), self);
}

void
gvt_surface_draw (GvtSurface *self)
{
  int scale = gtk_widget_get_scale_factor (self->area);
  guint width = (guint) (gtk_widget_get_allocated_width (self->area) * scale);
  guint height = (guint) (gtk_widget_get_allocated_height (self->area) * scale);
  self->callbacks->draw (width, height, self->user_data);
}

void
gvt_surface_gdk_screen_origin (GdkWindow *window, int *x, int *y)
{
  int scale = gdk_window_get_scale_factor (window);

  gdk_window_get_origin (window, x, y);
  *x *= scale;
  *y *= scale;
}

GtkWidget *
gvt_surface_get_widget (GvtSurface *self)
{
  return self->area;
}

gboolean
gvt_surface_is_ready (GvtSurface *self)
{
  return self->ready;
}

gboolean
gvt_surface_make_current (GvtSurface *self)
{
  return self->ready && self->ops->make_context_current (self);
}

void
gvt_surface_free (GvtSurface *self)
{
  if (self == NULL)
    return;
  /* The backend's own handlers are connected with @self as data too. */
  g_signal_handlers_disconnect_by_data (self->area, self);
  if (gtk_widget_get_realized (self->area))
    tear_down (self);
  g_object_unref (self->area);
  g_free (self);
}
