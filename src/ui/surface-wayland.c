/* The Wayland surface: GtkGLArea, which is EGL on Wayland, drawn with the
 * renderer in GTK's own (OpenGL ES) context so that GTK composites the
 * frame. The renderer's GvtEgl is made on GTK's EGL display: dma-buf
 * imports are display-wide, so EGLImages made through it sample in GTK's
 * context. */
#include <gdk/gdkwayland.h>

#include "surface.h"
#include "common/gvt-error.h"

static gboolean
wayland_set_up_gl (GvtSurface *self, GError **error)
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
  return TRUE;
}

/* GTK has made its context current and bound the area's framebuffer. */
static gboolean
on_render (GtkGLArea *area, GdkGLContext *context, GvtSurface *self)
{
  if (!self->ready)
    return FALSE;
  gvt_surface_draw (self);
  return TRUE;
}

static GvtSurface *
wayland_create (const GvtSurfaceCallbacks *callbacks, gpointer user_data)
{
  GvtSurface *self = g_new0 (GvtSurface, 1);
  GtkGLArea *area = GTK_GL_AREA (gtk_gl_area_new ());

  gvt_surface_init (self, &gvt_surface_wayland_ops, GTK_WIDGET (area), callbacks, user_data);
  gtk_gl_area_set_use_es (area, TRUE);
  /* A texture, not a renderbuffer: GTK 3 composites an OpenGL ES area
   * from a texture only (it has no blit path for ES renderbuffers and
   * shows black). The frame is opaque anyway (alpha 1 everywhere). */
  gtk_gl_area_set_has_alpha (area, TRUE);
  /* Frames are drawn when the window says so (a plane changed). */
  gtk_gl_area_set_auto_render (area, FALSE);
  g_signal_connect (area, "render", G_CALLBACK (on_render), self);
  return self;
}

static void
wayland_present (GvtSurface *self)
{
  if (self->ready)
    gtk_gl_area_queue_render (GTK_GL_AREA (self->area));
}

static gboolean
wayland_make_context_current (GvtSurface *self)
{
  gtk_gl_area_make_current (GTK_GL_AREA (self->area));
  return gtk_gl_area_get_error (GTK_GL_AREA (self->area)) == NULL;
}

const GvtSurfaceOps gvt_surface_wayland_ops = {
  .name = "wayland-glarea",
  .create = wayland_create,
  .present = wayland_present,
  /* Wayland has no global positions: GDK's (0, 0 when fullscreen). */
  .get_screen_origin = gvt_surface_gdk_screen_origin,
  .set_up_gl = wayland_set_up_gl,
  .make_context_current = wayland_make_context_current,
};
