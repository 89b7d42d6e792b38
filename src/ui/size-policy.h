/* The window's size policy: the one owner of sizing between the guest and
 * the window. Guest -> window: a new guest mode resizes the window to show
 * it 1:1 in device pixels (within the work area) unless the user chose a
 * size, maximised, tiled or went fullscreen. Window -> guest (a guest
 * resolution that follows the window, through EDID) joins it here, so the
 * two directions can't chase each other. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct _GvtSizePolicy GvtSizePolicy;

/* Before the guest says its size. */
#define GVT_SIZE_POLICY_DEFAULT_WIDTH 1024
#define GVT_SIZE_POLICY_DEFAULT_HEIGHT 768

/* For @window (borrowed). @follow_guest: FALSE when the user gave --size. */
GvtSizePolicy *gvt_size_policy_new (GtkWindow *window, gboolean follow_guest);
void gvt_size_policy_free (GvtSizePolicy *self);

/* The monitor's work area in logical pixels. */
GdkRectangle gvt_size_policy_work_area (GvtSizePolicy *self);

/* The guest shows @width x @height now. TRUE when that is a new mode. */
gboolean gvt_size_policy_guest_mode (GvtSizePolicy *self, guint width, guint height);

/* The user asked for native size (Ctrl+Alt+1): leave fullscreen and
 * maximised, follow the guest again, and size to it now. */
void gvt_size_policy_native (GvtSizePolicy *self);

/* Whether the window is fullscreen (from its window-state events). */
void gvt_size_policy_set_fullscreen (GvtSizePolicy *self, gboolean fullscreen);

G_END_DECLS
