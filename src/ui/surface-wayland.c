/* The Wayland surface: GtkGLArea, which is EGL on Wayland, drawn with the
 * renderer in GTK's own (OpenGL ES) context so that GTK composites the
 * frame. The renderer's GvtEgl is made on GTK's EGL display: dma-buf
 * imports are display-wide, so EGLImages made through it sample in GTK's
 * context. */
#include <gdk/gdkwayland.h>

#include "surface.h"
#include "../gvt-error.h"

typedef struct {
  GvtSurface base;
  const GvtSurfaceCallbacks *callbacks;
  gpointer user_data;
  GtkWidget *area;
  GvtEgl *egl;
  gboolean ready;
} WaylandSurface;

static gboolean
set_up_gl (WaylandSurface *self, GError **error)
{
  GtkGLArea *area = GTK_GL_AREA (self->area);

  gtk_gl_area_make_current (area);
  if (gtk_gl_area_get_error (area) != NULL)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED, "GTK has no GL here: %s",
                   gtk_gl_area_get_error (area)->message);
      return FALSE;
    }
  GdkGLContext *context = gtk_gl_area_get_context (area);
  /* The shaders are GLSL ES: a desktop-GL context can't run them. */
  if (!gdk_gl_context_get_use_es (context))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "GTK made a desktop OpenGL context; gvt-view draws with OpenGL ES");
      return FALSE;
    }
  EGLDisplay display = eglGetCurrentDisplay ();
  if (display == EGL_NO_DISPLAY)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED, "GTK's GL context is not EGL");
      return FALSE;
    }
  /* A context of our own on GTK's display, only to resolve what the
   * display and the driver can do; drawing happens in GTK's context. */
  self->egl = gvt_egl_new_for_display (display, EGL_NO_CONFIG_KHR, EGL_NO_SURFACE, error);
  /* That made our context current behind GDK's back: GDK still believes
   * its own is, and would skip making it current again. */
  gdk_gl_context_clear_current ();
  gtk_gl_area_make_current (area);
  if (self->egl == NULL)
    return FALSE;
  /* Both contexts come from one driver, but the caps describe ours:
   * make sure GTK's offers as much. */
  if (gvt_egl_get_caps (self->egl)->gles3 && epoxy_gl_version () < 30)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "GTK's context is OpenGL ES %d.%d, older than the driver's 3.0",
                   epoxy_gl_version () / 10, epoxy_gl_version () % 10);
      return FALSE;
    }
  g_debug ("wayland surface: %s", gvt_egl_describe (self->egl));
  return self->callbacks->realize (self->egl, self->user_data, error);
}

static void
tear_down_gl (WaylandSurface *self)
{
  if (self->egl != NULL)
    {
      gtk_gl_area_make_current (GTK_GL_AREA (self->area));
      if (self->ready)
        self->callbacks->unrealize (self->user_data);
      g_clear_pointer (&self->egl, gvt_egl_free);
    }
  self->ready = FALSE;
}

static void
on_realize (GtkWidget *widget, WaylandSurface *self)
{
  g_autoptr (GError) error = NULL;

  self->ready = set_up_gl (self, &error);
  if (!self->ready)
    {
      g_warning ("no picture: %s", error->message);
      tear_down_gl (self);
      self->callbacks->failed (error, self->user_data);
    }
}

static void
on_unrealize (GtkWidget *widget, WaylandSurface *self)
{
  tear_down_gl (self);
}

/* GTK has made its context current and bound the area's framebuffer. */
static gboolean
on_render (GtkGLArea *area, GdkGLContext *context, WaylandSurface *self)
{
  if (!self->ready)
    return FALSE;
  int scale = gtk_widget_get_scale_factor (self->area);
  guint width = (guint) (gtk_widget_get_allocated_width (self->area) * scale);
  guint height = (guint) (gtk_widget_get_allocated_height (self->area) * scale);
  self->callbacks->draw (width, height, self->user_data);
  return TRUE;
}

static GvtSurface *
wayland_create (const GvtSurfaceCallbacks *callbacks, gpointer user_data)
{
  WaylandSurface *self = g_new0 (WaylandSurface, 1);

  self->base.ops = &gvt_surface_wayland_ops;
  self->callbacks = callbacks;
  self->user_data = user_data;
  self->area = g_object_ref_sink (gtk_gl_area_new ());
  GtkGLArea *area = GTK_GL_AREA (self->area);
  gtk_gl_area_set_use_es (area, TRUE);
  /* A texture, not a renderbuffer: GTK 3 composites an OpenGL ES area
   * from a texture only (it has no blit path for ES renderbuffers and
   * shows black). The frame is opaque anyway (alpha 1 everywhere). */
  gtk_gl_area_set_has_alpha (area, TRUE);
  /* Frames are drawn when the window says so (a plane changed). */
  gtk_gl_area_set_auto_render (area, FALSE);
  gtk_widget_set_hexpand (self->area, TRUE);
  gtk_widget_set_vexpand (self->area, TRUE);
  g_signal_connect_after (self->area, "realize", G_CALLBACK (on_realize), self);
  /* Before GtkGLArea drops its context. */
  g_signal_connect (self->area, "unrealize", G_CALLBACK (on_unrealize), self);
  g_signal_connect (self->area, "render", G_CALLBACK (on_render), self);
  return &self->base;
}

static GtkWidget *
wayland_get_widget (GvtSurface *base)
{
  return ((WaylandSurface *) base)->area;
}

static void
wayland_present (GvtSurface *base)
{
  WaylandSurface *self = (WaylandSurface *) base;

  if (self->ready)
    gtk_gl_area_queue_render (GTK_GL_AREA (self->area));
}

static gboolean
wayland_make_current (GvtSurface *base)
{
  WaylandSurface *self = (WaylandSurface *) base;
  if (!self->ready)
    return FALSE;
  gtk_gl_area_make_current (GTK_GL_AREA (self->area));
  return gtk_gl_area_get_error (GTK_GL_AREA (self->area)) == NULL;
}

static gboolean
wayland_is_ready (GvtSurface *base)
{
  return ((WaylandSurface *) base)->ready;
}

static void
wayland_free (GvtSurface *base)
{
  WaylandSurface *self = (WaylandSurface *) base;

  if (self == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->area, self);
  if (gtk_widget_get_realized (self->area))
    tear_down_gl (self);
  g_object_unref (self->area);
  g_free (self);
}

static void
wayland_get_screen_origin (GdkWindow *window, int *x, int *y)
{
  int scale = gdk_window_get_scale_factor (window);

  gdk_window_get_origin (window, x, y);
  *x *= scale;
  *y *= scale;
}

const GvtSurfaceOps gvt_surface_wayland_ops = {
  .name = "wayland-glarea",
  .create = wayland_create,
  .get_widget = wayland_get_widget,
  .present = wayland_present,
  .make_current = wayland_make_current,
  .is_ready = wayland_is_ready,
  .free = wayland_free,
  .get_screen_origin = wayland_get_screen_origin,
};
