/* The X11 surface: a GtkDrawingArea with a native X window of its own, our
 * own EGL display on GDK's Xlib connection (EGL_PLATFORM_X11_KHR) and an EGL
 * window surface on that window. GtkGLArea can't be used on X11: GTK 3
 * makes its contexts with GLX there, and GLX can't sample an EGLImage. */
#include <string.h>
#include <gdk/gdkx.h>

#include "surface.h"
#include "common/gvt-error.h"

typedef struct {
  GvtSurface base;
  EGLDisplay display;
  EGLSurface surface;
} X11Surface;

/* The config whose native visual is the window's, or failing that one of
 * the window's depth (all EGL needs to draw on it; GTK picks visuals for
 * GLX, which EGL may list under other ids). */
static EGLConfig
choose_config (EGLDisplay display, VisualID visual, int depth, GError **error)
{
  const EGLint attribs[] = {
    EGL_SURFACE_TYPE, EGL_WINDOW_BIT,
    EGL_RENDERABLE_TYPE, EGL_OPENGL_ES2_BIT,
    EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8,
    EGL_NONE
  };
  EGLint n = 0;

  if (!eglChooseConfig (display, attribs, NULL, 0, &n) || n <= 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "the X11 EGL display offers no OpenGL ES 2 window config");
      return NULL;
    }
  g_autofree EGLConfig *configs = g_new0 (EGLConfig, n);
  eglChooseConfig (display, attribs, configs, n, &n);
  EGLConfig same_depth = NULL;
  for (EGLint i = 0; i < n; i++)
    {
      EGLint id = 0, size = 0, alpha = 0;
      eglGetConfigAttrib (display, configs[i], EGL_NATIVE_VISUAL_ID, &id);
      eglGetConfigAttrib (display, configs[i], EGL_BUFFER_SIZE, &size);
      eglGetConfigAttrib (display, configs[i], EGL_ALPHA_SIZE, &alpha);
      if ((VisualID) id == visual)
        return configs[i];
      if (same_depth == NULL && size - alpha == 24 && size == depth)
        same_depth = configs[i];
    }
  if (same_depth != NULL)
    return same_depth;
  g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
               "no EGL config fits the window's X visual 0x%lx (depth %d)",
               (unsigned long) visual, depth);
  return NULL;
}

/* What the X server shows in a window's new area between a resize and our
 * next frame is the window's background: GDK leaves the toplevel's white,
 * so a window growing to a new guest mode flashed white. Black, like the
 * letterbox, for the picture's window and the toplevel. */
static void
paint_resizes_black (Display *xdisplay, Window xid, GtkWidget *toplevel)
{
  unsigned long black = BlackPixel (xdisplay, DefaultScreen (xdisplay));
  GdkWindow *top = toplevel ? gtk_widget_get_window (toplevel) : NULL;

  XSetWindowBackground (xdisplay, xid, black);
  if (top != NULL && GDK_IS_X11_WINDOW (top))
    {
      const GdkRGBA rgba = { 0, 0, 0, 1 };
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      gdk_window_set_background_rgba (top, &rgba);
      G_GNUC_END_IGNORE_DEPRECATIONS
      g_debug ("toplevel 0x%lx background black", gdk_x11_window_get_xid (top));
    }
}

static gboolean
x11_set_up_gl (GvtSurface *base, GError **error)
{
  X11Surface *self = (X11Surface *) base;
  GdkWindow *window = gtk_widget_get_window (base->area);

  /* Our own X window, so EGL has a drawable that GTK never paints. */
  if (!gdk_window_ensure_native (window))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED, "GDK gave no native X window");
      return FALSE;
    }
  Display *xdisplay = GDK_DISPLAY_XDISPLAY (gdk_window_get_display (window));
  Window xid = gdk_x11_window_get_xid (window);
  paint_resizes_black (xdisplay, xid, gtk_widget_get_toplevel (base->area));
  GdkVisual *gdk_visual = gdk_window_get_visual (window);
  VisualID visual = XVisualIDFromVisual (gdk_x11_visual_get_xvisual (gdk_visual));

  /* Through eglGetProcAddress: libepoxy can't tell EGL 1.5 entry points
   * apart before a display exists, and aborts. */
  PFNEGLGETPLATFORMDISPLAYEXTPROC get_display =
    (PFNEGLGETPLATFORMDISPLAYEXTPROC) eglGetProcAddress ("eglGetPlatformDisplayEXT");
  PFNEGLCREATEPLATFORMWINDOWSURFACEEXTPROC create_surface =
    (PFNEGLCREATEPLATFORMWINDOWSURFACEEXTPROC) eglGetProcAddress ("eglCreatePlatformWindowSurfaceEXT");
  const char *client = eglQueryString (EGL_NO_DISPLAY, EGL_EXTENSIONS);
  if (get_display == NULL || create_surface == NULL || client == NULL
      || (strstr (client, "EGL_KHR_platform_x11") == NULL
          && strstr (client, "EGL_EXT_platform_x11") == NULL))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "EGL can't draw on X11 windows here (EGL_EXT_platform_base and "
                   "EGL_KHR_platform_x11 are needed)");
      return FALSE;
    }
  self->display = get_display (EGL_PLATFORM_X11_KHR, xdisplay, NULL);
  if (self->display == EGL_NO_DISPLAY || !eglInitialize (self->display, NULL, NULL))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "no EGL display for the X server (EGL_PLATFORM_X11_KHR): 0x%04x",
                   eglGetError ());
      self->display = EGL_NO_DISPLAY;
      return FALSE;
    }
  EGLConfig config = choose_config (self->display, visual, gdk_visual_get_depth (gdk_visual), error);
  if (config == NULL)
    return FALSE;
  self->surface = create_surface (self->display, config, &xid, NULL);
  if (self->surface == EGL_NO_SURFACE)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "cannot make an EGL surface on X window 0x%lx: 0x%04x",
                   (unsigned long) xid, eglGetError ());
      return FALSE;
    }
  base->egl = gvt_egl_new_for_display (self->display, config, self->surface, error);
  if (base->egl == NULL)
    return FALSE;
  /* The frame clock paces us; a blocking swap would pace us twice. */
  eglSwapInterval (self->display, 0);
  g_debug ("x11 surface on window 0x%lx: %s", (unsigned long) xid, gvt_egl_describe (base->egl));
  return TRUE;
}

static gboolean
x11_make_context_current (GvtSurface *base)
{
  return gvt_egl_make_current (base->egl, ((X11Surface *) base)->surface, NULL);
}

static void
x11_release_gl (GvtSurface *base)
{
  X11Surface *self = (X11Surface *) base;

  if (self->display != EGL_NO_DISPLAY)
    {
      eglMakeCurrent (self->display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
      if (self->surface != EGL_NO_SURFACE)
        eglDestroySurface (self->display, self->surface);
      /* Nothing else in the process uses EGL on X11 (GTK uses GLX). */
      eglTerminate (self->display);
    }
  self->surface = EGL_NO_SURFACE;
  self->display = EGL_NO_DISPLAY;
}

static void
x11_present (GvtSurface *base)
{
  X11Surface *self = (X11Surface *) base;

  if (!base->ready || !gtk_widget_get_mapped (base->area)
      || !gvt_egl_make_current (base->egl, self->surface, NULL))
    return;
  gvt_surface_draw (base);
  eglSwapBuffers (self->display, self->surface);
}

/* Exposes (a window uncovered, a resize) redraw at once: GTK paints nothing
 * on this window (double buffering off, app-paintable). */
static gboolean
on_draw (GtkWidget *widget, cairo_t *cr, X11Surface *self)
{
  x11_present (&self->base);
  return TRUE;
}

static GvtSurface *
x11_create (const GvtSurfaceCallbacks *callbacks, gpointer user_data)
{
  X11Surface *self = g_new0 (X11Surface, 1);
  GtkWidget *area = gtk_drawing_area_new ();

  self->display = EGL_NO_DISPLAY;
  self->surface = EGL_NO_SURFACE;
  gvt_surface_init (&self->base, &gvt_surface_x11_ops, area, callbacks, user_data);
  gtk_widget_set_app_paintable (area, TRUE);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  /* EGL swaps straight to the X window: GTK's offscreen buffer would be
   * painted over it. Deprecated, and still the only switch for this. */
  gtk_widget_set_double_buffered (area, FALSE);
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_signal_connect (area, "draw", G_CALLBACK (on_draw), self);
  return &self->base;
}

static void
x11_get_screen_origin (GdkWindow *window, int *x, int *y)
{
  GdkDisplay *display = gdk_window_get_display (window);
  Display *xdisplay = gdk_x11_display_get_xdisplay (display);
  Window root = gdk_x11_window_get_xid (gdk_screen_get_root_window (gdk_window_get_screen (window)));
  Window child;

  /* A round trip, on a window the server may already have destroyed:
   * trap the error and fall back to GDK's idea. */
  gdk_x11_display_error_trap_push (display);
  Bool same_screen = XTranslateCoordinates (xdisplay, gdk_x11_window_get_xid (window), root,
                                            0, 0, x, y, &child);
  if (gdk_x11_display_error_trap_pop (display) != 0 || !same_screen)
    gvt_surface_gdk_screen_origin (window, x, y);
}

const GvtSurfaceOps gvt_surface_x11_ops = {
  .name = "x11-egl",
  .create = x11_create,
  .present = x11_present,
  .get_screen_origin = x11_get_screen_origin,
  .set_up_gl = x11_set_up_gl,
  .make_context_current = x11_make_context_current,
  .release_gl = x11_release_gl,
};
