/* Where the window's frames go: a GL surface inside a GTK widget, behind a
 * small ops table with one implementation per GDK backend (X11: our own EGL
 * window surface on a GtkDrawingArea, since GtkGLArea is GLX there;
 * Wayland: GtkGLArea, which is EGL, with GTK's EGL display). */
#pragma once

#include <gtk/gtk.h>

#include "../render/egl.h"

G_BEGIN_DECLS

typedef struct _GvtSurface GvtSurface;
typedef struct _GvtSurfaceOps GvtSurfaceOps;

/* What the surface calls back into; all run on the GTK thread with the
 * surface's GL context current. */
typedef struct {
  /* The widget was realized and GL is ready: create the GL objects (texture
   * cache, compositor) on @egl, borrowed until @unrealize. FALSE with the
   * error: the surface shows nothing and reports the error once. */
  gboolean (*realize) (GvtEgl *egl, gpointer user_data, GError **error);
  /* Release every GL object made in @realize (the context is still
   * current). Called before the context and surface go. */
  void (*unrealize) (gpointer user_data);
  /* Draw one frame of @width x @height device pixels into the bound
   * framebuffer (origin bottom-left, as GL has it). */
  void (*draw) (guint width, guint height, gpointer user_data);
  /* GL could not be set up (after a failed @realize too): nothing will be
   * drawn; @error says why, for the screen. */
  void (*failed) (const GError *error, gpointer user_data);
} GvtSurfaceCallbacks;

struct _GvtSurfaceOps {
  const char *name;  /* "x11-egl", "wayland-glarea": logs and --stats */
  /* A new surface whose widget is not yet realized. @callbacks and
   * @user_data are borrowed and must outlive the surface. */
  GvtSurface *(*create) (const GvtSurfaceCallbacks *callbacks, gpointer user_data);
  /* The widget to pack (owned by the surface, which holds a reference). */
  GtkWidget *(*get_widget) (GvtSurface *self);
  /* Draws a frame now (X11: draw and swap) or on GTK's next paint
   * (Wayland). Does nothing while the widget is not realized. */
  void (*present) (GvtSurface *self);
  /* Makes the surface's GL context current (to release GL objects between
   * frames). FALSE when it has none. */
  gboolean (*make_current) (GvtSurface *self);
  /* TRUE once GL is set up and frames can be drawn. */
  gboolean (*is_ready) (GvtSurface *self);
  /* Drops the widget reference; the GL objects went with unrealize.
   * Accepts NULL. */
  void (*free) (GvtSurface *self);
  /* The top-left of the realized toplevel @window on the screen in device
   * pixels (--stats-file: where a screenshot finds the picture). X11 asks
   * the server: GDK keeps positions in logical pixels, one off at scale 2
   * when the window manager puts the window at an odd device position.
   * Wayland has no global positions: GDK's, scaled (0, 0 fullscreen). */
  void (*get_screen_origin) (GdkWindow *window, int *x, int *y);
};

/* Every implementation's struct starts with this. */
struct _GvtSurface {
  const GvtSurfaceOps *ops;
};

extern const GvtSurfaceOps gvt_surface_x11_ops;
extern const GvtSurfaceOps gvt_surface_wayland_ops;

/* The implementation for @display's backend (GDK_BACKEND decides it), or
 * NULL with GVT_ERROR_UNSUPPORTED for a backend without one (Broadway). */
const GvtSurfaceOps *gvt_surface_ops_for_display (GdkDisplay *display, GError **error);

G_END_DECLS
