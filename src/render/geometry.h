/* GL-free view math: where the guest image lands in an output of a given
 * size for each scaling mode, where the cursor goes, and the inverse that
 * maps an output point back to guest pixels (for pointer input).
 * Coordinates are pixels with the origin at the top-left, y down, in both
 * the guest and the output. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  GVT_SCALE_FIT,      /* keep aspect, letterbox (default) */
  GVT_SCALE_FILL,     /* stretch to the whole output */
  GVT_SCALE_INTEGER,  /* largest integer factor that fits, centred */
  GVT_SCALE_NATIVE,   /* 1:1, centred, cropped when larger than the output */
} GvtScaleMode;

typedef enum {
  GVT_FILTER_AUTO,    /* nearest when every guest pixel covers a whole number of output pixels */
  GVT_FILTER_LINEAR,
  GVT_FILTER_NEAREST,
} GvtFilter;

typedef struct {
  int x, y, width, height;
} GvtRect;

typedef struct {
  guint src_width, src_height;  /* guest image */
  guint out_width, out_height;  /* output */
  /* Guest (gx, gy) lands at (offset_x + gx * scale_x, offset_y + gy * scale_y). */
  double scale_x, scale_y;
  int offset_x, offset_y;
  /* The guest image's rectangle in the output, unclipped (native mode may
   * exceed the output), and the part of it that is visible. Outside
   * @visible is letterbox. */
  GvtRect image;
  GvtRect visible;
  gboolean nearest;             /* the filter to sample with, resolved */
} GvtView;

/* Parses "fit", "fill", "integer", "native" / "auto", "linear", "nearest".
 * FALSE for anything else. */
gboolean gvt_scale_mode_parse (const char *text, GvtScaleMode *mode);
gboolean gvt_filter_parse (const char *text, GvtFilter *filter);
const char *gvt_scale_mode_to_string (GvtScaleMode mode);

/* Computes @view for a @src_width x @src_height guest image in an
 * @out_width x @out_height output. Sizes of 0 give an empty view (nothing
 * visible). Image rectangles are whole pixels, centred with the odd pixel
 * on the right/bottom:
 *  fit:     the largest aspect-preserving size (rounded) that fits;
 *  fill:    the whole output;
 *  integer: factor k = min(out_w / src_w, out_h / src_h) if >= 1, else the
 *           guest is larger than the output and the view falls back to fit
 *           (shrinking by an integer factor would drop most pixels);
 *  native:  1:1, cropped symmetrically when larger.
 * AUTO filtering is nearest when scale_x and scale_y are integers (1:1
 * and integer modes), linear otherwise. */
void gvt_view_compute (GvtView *view, GvtScaleMode mode, GvtFilter filter,
                       guint src_width, guint src_height,
                       guint out_width, guint out_height);

/* Output rectangle of a cursor image @width x @height whose top-left is at
 * guest (@x, @y) (signed, as gvt_plane_get_x/y give them). Unclipped: clip
 * with view->visible. */
GvtRect gvt_view_cursor_rect (const GvtView *view, int x, int y, guint width, guint height);

/* Output point -> guest pixel coordinates (fractional). Returns TRUE when
 * the point is on the visible image; the coordinates are then within
 * [0, src_width) x [0, src_height). Outside, they are clamped to the
 * nearest edge pixel and FALSE is returned. */
gboolean gvt_view_output_to_guest (const GvtView *view, double out_x, double out_y,
                                   double *guest_x, double *guest_y);

/* Guest point -> output point (the forward transform). */
void gvt_view_guest_to_output (const GvtView *view, double guest_x, double guest_y,
                               double *out_x, double *out_y);

/* The intersection of @a and @b (width/height 0 when they don't meet). */
GvtRect gvt_rect_intersect (GvtRect a, GvtRect b);

G_END_DECLS

G_BEGIN_DECLS
G_END_DECLS
