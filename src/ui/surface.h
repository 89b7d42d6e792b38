/* Where the window's frames go: a GL surface inside a GTK widget, behind a
 * small ops table with one implementation per GDK backend (X11: our own EGL
 * window surface on a GtkDrawingArea, since GtkGLArea is GLX there;
 * Wayland: GtkGLArea, which is EGL, with GTK's EGL display). */
#pragma once

#include <gtk/gtk.h>

#include "render/egl.h"

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
  /* Draws a frame now (X11: draw and swap) or on GTK's next paint
   * (Wayland). Does nothing while the surface is not ready. */
  void (*present) (GvtSurface *self);
  /* The top-left of the realized toplevel @window on the screen in device
   * pixels (--stats-file: where a screenshot finds the picture). */
  void (*get_screen_origin) (GdkWindow *window, int *x, int *y);

  /* The backend's side of the widget's life, called by surface.c. */
  /* On realize: set up GL on the widget and set self->egl. A partial
   * set-up is undone by @release_gl. */
  gboolean (*set_up_gl) (GvtSurface *self, GError **error);
  /* Makes the surface's context current; called only while self->egl is
   * set. FALSE if it can't. */
  gboolean (*make_context_current) (GvtSurface *self);
  /* On unrealize, after the callbacks' GL objects and self->egl went:
   * release what else @set_up_gl made. May be NULL. */
  void (*release_gl) (GvtSurface *self);
};

/* Every implementation's struct starts with this; surface.c runs the
 * widget's life (realize, unrealize, free) for all of them. */
struct _GvtSurface {
  const GvtSurfaceOps *ops;
  const GvtSurfaceCallbacks *callbacks;
  gpointer user_data;
  GtkWidget *area;   /* a reference of ours */
  GvtEgl *egl;       /* while realized */
  gboolean ready;    /* GL set up and the callbacks' realize succeeded */
};

/* For implementations' create: fills @self, takes a reference on @area and
 * connects its realize and unrealize. */
void gvt_surface_init (GvtSurface *self, const GvtSurfaceOps *ops, GtkWidget *area,
                       const GvtSurfaceCallbacks *callbacks, gpointer user_data);
/* For implementations: the callbacks' draw at the widget's size in device
 * pixels, so that HiDPI frames are drawn at the buffer scale. */
void gvt_surface_draw (GvtSurface *self);
/* GDK's idea of @window's origin, scaled to device pixels. */
void gvt_surface_gdk_screen_origin (GdkWindow *window, int *x, int *y);

/* The widget to pack (the surface holds a reference). */
GtkWidget *gvt_surface_get_widget (GvtSurface *self);
/* TRUE once GL is set up and frames can be drawn. */
gboolean gvt_surface_is_ready (GvtSurface *self);
/* Makes the surface's GL context current (to release GL objects between
 * frames). FALSE when it has none. */
gboolean gvt_surface_make_current (GvtSurface *self);
/* Releases GL (if still realized) and the widget reference. Accepts NULL. */
void gvt_surface_free (GvtSurface *self);

extern const GvtSurfaceOps gvt_surface_x11_ops;
extern const GvtSurfaceOps gvt_surface_wayland_ops;

/* The implementation for @display's backend (GDK_BACKEND decides it), or
 * NULL with GVT_ERROR_UNSUPPORTED for a backend without one (Broadway). */
const GvtSurfaceOps *gvt_surface_ops_for_display (GdkDisplay *display, GError **error);

G_END_DECLS
