/* EDID for the vGPU: a generated base block and the VFIO EDID region
 * protocol that hands it to the guest. */
#pragma once

#include "vgpu.h"

G_BEGIN_DECLS

#define GVT_EDID_BLOCK_SIZE 128
/* gvt_edid_region_set_mode raises smaller sizes to these. */
#define GVT_EDID_MIN_WIDTH 640
#define GVT_EDID_MIN_HEIGHT 480

/* Fills @out with a valid EDID 1.4 base block whose preferred (first
 * detailed) timing is @width x @height at 60 Hz (CVT reduced blanking),
 * with range limits, established and standard timings covering modes up to
 * @max_width x @max_height (0 = same as preferred; never below the
 * preferred mode), the monitor name "gvt-view" and no extension blocks.
 * Returns FALSE, leaving @out untouched, if the mode can't be expressed in
 * a detailed timing: a size of 0 or above 4095, or a 60 Hz pixel clock
 * above 655.35 MHz (e.g. 4000x3000) or below 10 MHz (e.g. 320x240, which
 * parsers take for garbage). Pure function, any thread. */
gboolean gvt_edid_generate (guint32 width, guint32 height,
                            guint32 max_width, guint32 max_height,
                            guint8 out[GVT_EDID_BLOCK_SIZE]);

/* Whether @width x @height at 60 Hz is beyond what a detailed timing
 * holds: a side above 4095 or a pixel clock above 655.35 MHz. The largest
 * sizes gvt_edid_generate takes are those just short of it. Pure. */
gboolean gvt_edid_mode_too_large (guint32 width, guint32 height);

typedef struct _GvtEdidRegion GvtEdidRegion;

/* Finds the region with type GFX / subtype EDID (among the regions
 * GET_DEVICE_INFO lists and indices 9..17, which some devices don't list)
 * and reads its registers. GVT_ERROR_UNSUPPORTED when the device has none
 * (the message says what that means for the user); GVT_ERROR_PROTOCOL
 * when the region is unusable (not read-write, the blob overlapping the
 * registers, room for less than one block); GVT_ERROR_LOST when the
 * device is gone. @vgpu must outlive
 * the result; use both from the thread that owns @vgpu. */
GvtEdidRegion *gvt_edid_region_find (GvtVgpu *vgpu, GError **error);
/* Accepts NULL. Leaves the guest's EDID as it is. */
void gvt_edid_region_free (GvtEdidRegion *self);

/* The largest mode the device takes; 0 = no limit. */
guint32 gvt_edid_region_get_max_xres (GvtEdidRegion *self);
guint32 gvt_edid_region_get_max_yres (GvtEdidRegion *self);

/* The mode the last successful set_mode gave the guest, after clamping;
 * FALSE (and 0 x 0) before any. @width / @height may be NULL. */
gboolean gvt_edid_region_get_mode (GvtEdidRegion *self, guint32 *width,
                                   guint32 *height);

/* Link down, write a generated blob and its size, link up; every register
 * access is 4 bytes, the blob is one 128-byte write at edid_offset. Raises
 * the size to at least GVT_EDID_MIN_WIDTH x _HEIGHT, then clamps it to the
 * region's limits (and to 4095). Does not wait between link down
 * and up: callers debounce window resizes themselves. If writing the blob
 * or size fails, tries to bring the link back up before returning the
 * error (GVT_ERROR_LOST when the device is gone, INVALID_ARGS for a 0 size
 * or a mode no EDID can describe, FAILED otherwise). */
gboolean gvt_edid_region_set_mode (GvtEdidRegion *self, guint32 width,
                                   guint32 height, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtEdidRegion, gvt_edid_region_free)

G_END_DECLS
