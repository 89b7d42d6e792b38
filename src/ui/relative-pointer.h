/* Relative pointer motion for guests without a tablet (--relative-mouse):
 * the guest moves its own pointer by the host's deltas, so the host pointer
 * must never stop at an edge of the window while the input is grabbed.
 *
 * - X11: deltas between motion events, and the pointer warped back to the
 *   middle of the picture before it nears an edge ("warp").
 * - Wayland: a client can't warp. The compositor locks the pointer in place
 *   (pointer-constraints-unstable-v1) and hands the motion on as deltas
 *   (relative-pointer-unstable-v1) ("locked").
 * - A Wayland compositor without those protocols: deltas between motion
 *   events, which end at the window's edge ("edges"; said once). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
  GVT_RELATIVE_WARP,
  GVT_RELATIVE_LOCKED,
  GVT_RELATIVE_EDGES,
} GvtRelativeMethod;

typedef struct {
  /* Motion in device pixels of the window. */
  void (*motion) (double dx, double dy, gpointer user_data);
  /* The compositor ended the lock (another window took the pointer): the
   * grab is over. */
  void (*lost) (gpointer user_data);
} GvtRelativePointerFuncs;

typedef struct _GvtRelativePointer GvtRelativePointer;

/* For the drawing area WIDGET (realized or not yet). */
GvtRelativePointer *gvt_relative_pointer_new (GtkWidget *widget,
                                              const GvtRelativePointerFuncs *funcs,
                                              gpointer user_data);
void gvt_relative_pointer_free (GvtRelativePointer *self);

/* The pointer is grabbed: motion counts from where it is now. */
void gvt_relative_pointer_start (GvtRelativePointer *self);
void gvt_relative_pointer_stop (GvtRelativePointer *self);

/* A motion event of the widget, while started. */
void gvt_relative_pointer_motion_event (GvtRelativePointer *self, const GdkEventMotion *event);

GvtRelativeMethod gvt_relative_pointer_get_method (GvtRelativePointer *self);
/* The compositor has confirmed the lock ("locked" only). */
gboolean gvt_relative_pointer_is_locked (GvtRelativePointer *self);
const char *gvt_relative_method_to_string (GvtRelativeMethod method);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtRelativePointer, gvt_relative_pointer_free)

G_END_DECLS
