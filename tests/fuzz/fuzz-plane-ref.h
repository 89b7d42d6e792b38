/* The plane validator's documented rules (display/plane.h), written again
 * from the header comment alone, as the fuzz targets' oracle; and a decoder
 * that turns fuzzer bytes into plane descriptions near those rules'
 * boundaries. */
#pragma once

#include <glib.h>
#include <linux/vfio.h>

#include "display/plane.h"
#include "fuzz-common.h"

G_BEGIN_DECLS

/* Bytes per pixel of a format gvt-view documents it shows, 0 otherwise. */
guint fuzz_ref_cpp (guint32 fourcc);

/* TRUE when plane.h says gvt_plane_info_validate accepts @info; else FALSE
 * and *@why names the rule (static string). */
gboolean fuzz_ref_plane_valid (const struct vfio_device_gfx_plane_info *info,
                               GvtPlaneKind kind, GvtPlaneSource source,
                               guint64 region_size, gboolean region_mmap,
                               const char **why);

/* A cursor position as plane.h's gvt_plane_get_x documents it: the wire's
 * __u32 read as two's complement, clamped to +-GVT_PLANE_POS_LIMIT. */
gint32 fuzz_ref_position (guint32 wire);
/* The hotspot a valid cursor plane keeps of @info's. */
void fuzz_ref_hotspot (const struct vfio_device_gfx_plane_info *info, guint32 *x, guint32 *y);

/* Fills the device-written fields of @info (drm_format onwards) for a
 * plane of @kind, each value either arbitrary or near a rule's boundary. */
void fuzz_decode_plane (FuzzIn *in, GvtPlaneKind kind,
                        struct vfio_device_gfx_plane_info *info);

G_END_DECLS
