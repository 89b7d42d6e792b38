/* EDID for the vGPU: a generated base block and the VFIO EDID region
 * protocol that hands it to the guest. */
#pragma once

#include "vgpu.h"

G_BEGIN_DECLS

#define GVT_EDID_BLOCK_SIZE 128

/* Fills @out with a valid EDID 1.4 base block whose preferred (first
 * detailed) timing is @width x @height at 60 Hz, with a monitor name and
 * range limits up to @max_width x @max_height (0 = same as preferred).
 * Returns FALSE if the mode can't be expressed in a detailed timing
 * (width or height above 4095). */
gboolean gvt_edid_generate (guint32 width, guint32 height,
                            guint32 max_width, guint32 max_height,
                            guint8 out[GVT_EDID_BLOCK_SIZE]);

typedef struct _GvtEdidRegion GvtEdidRegion;

/* Finds the region with type GFX / subtype EDID and reads its limits.
 * GVT_ERROR_UNSUPPORTED when the device has none. @vgpu must outlive it. */
GvtEdidRegion *gvt_edid_region_find (GvtVgpu *vgpu, GError **error);
void gvt_edid_region_free (GvtEdidRegion *self);

guint32 gvt_edid_region_get_max_xres (GvtEdidRegion *self);
guint32 gvt_edid_region_get_max_yres (GvtEdidRegion *self);

/* Link down, write a generated blob and its size, link up; every register
 * access is 4 bytes. Clamps to the region's limits. */
gboolean gvt_edid_region_set_mode (GvtEdidRegion *self, guint32 width,
                                   guint32 height, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtEdidRegion, gvt_edid_region_free)

G_END_DECLS
