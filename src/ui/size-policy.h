/* The window's size policy: the one owner of sizing between the guest and
 * the window, both ways, so that they can't chase each other.
 * Guest -> window: a new guest mode resizes the window to show it 1:1 in
 * device pixels (within the work area) unless the user chose a size,
 * maximised, tiled or went fullscreen.
 * Window -> guest: a size the user gave the window (dragged, maximised,
 * tiled, fullscreen: the monitor) is a size for the guest (the session
 * debounces it into an EDID). A resize the policy made itself for a guest
 * mode is not: a guest mode the window can't show 1:1 (clamped to the work
 * area, to the device's limits, rounded to even, a titlebar) would
 * otherwise become a new guest mode, and so on. */
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

/* The picture area was given @width x @height logical pixels at @scale.
 * TRUE when that was the user's doing, with the size to ask of the guest
 * in @guest_width x @guest_height device pixels (the monitor's when
 * fullscreen); FALSE for the policy's own resizes and the default size. */
gboolean gvt_size_policy_allocated (GvtSizePolicy *self, int width, int height, int scale,
                                    guint *guest_width, guint *guest_height);

/* --- the decisions, as pure functions (tested without a display) --- */

/* How long a resize of the policy's waits for the window to reach its
 * size: the sizes the window passes through until then are the policy's
 * too (a window manager may configure twice, or constrain it). */
#define GVT_SIZE_POLICY_OWN_RESIZE_US (1 * G_USEC_PER_SEC)

typedef struct {
  gboolean follow_guest;     /* no --size */
  gboolean allocated;        /* the first allocation was seen */
  gboolean own_pending;      /* a resize of ours is on its way */
  int own_width, own_height; /* its size, as gtk_window_resize took it */
  gint64 own_deadline_us;
  /* What the window adds around the picture area (a client-side
   * titlebar), from the last allocation that wasn't fullscreen. */
  int chrome_width, chrome_height;
} GvtSizeState;

/* One allocation of the picture area, and what GTK says around it. */
typedef struct {
  gint64 now_us;
  int width, height;                 /* the picture area, logical pixels */
  int scale;                         /* device pixels per logical pixel */
  int window_width, window_height;   /* gtk_window_get_size: gtk_window_resize's units */
  gboolean at_default_size;          /* the window is at the size gvt-view chose before
                                      * knowing the guest's */
  gboolean fullscreen;
  int monitor_width, monitor_height; /* the window's monitor, device pixels; 0: unknown */
} GvtSizeAllocation;

/* Whether @alloc is the user's doing: TRUE with the size to ask of the
 * guest, in device pixels; FALSE while a resize of ours is on its way (it
 * ends when the window has its size or at its deadline), for the first
 * allocation when the window is at its default size and follows the guest,
 * and for an area too small to mean anything. Updates @state. */
gboolean gvt_size_state_allocated (GvtSizeState *state, const GvtSizeAllocation *alloc,
                                   guint *guest_width, guint *guest_height);

/* The window size (gtk_window_resize's units) that shows a @guest_width x
 * @guest_height guest 1:1 at @scale, with @state's chrome around it,
 * within @max_width x @max_height (the work area less the frame). */
void gvt_size_state_window_for_guest (const GvtSizeState *state, guint guest_width,
                                      guint guest_height, int scale, int max_width,
                                      int max_height, int *width, int *height);

/* The policy resizes the window, now @from_width x @from_height, to
 * @width x @height at @now_us: the allocations on the way are its own.
 * FALSE (nothing on its way) when the window has that size already. */
gboolean gvt_size_state_resizing (GvtSizeState *state, int from_width, int from_height,
                                  int width, int height, gint64 now_us);

G_END_DECLS
