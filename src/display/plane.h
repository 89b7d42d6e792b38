/* A display plane as an immutable value: what the guest described, checked,
 * plus the buffer that holds its pixels. */
#pragma once

#include <glib.h>
#include <linux/vfio.h>
#include "buffer.h"

G_BEGIN_DECLS

typedef enum {
  GVT_PLANE_PRIMARY = 1, /* DRM_PLANE_TYPE_PRIMARY */
  GVT_PLANE_CURSOR = 2,  /* DRM_PLANE_TYPE_CURSOR */
} GvtPlaneKind;

typedef enum {
  GVT_PLANE_SOURCE_DMABUF,
  GVT_PLANE_SOURCE_REGION,
  GVT_PLANE_SOURCE_MEMORY, /* CPU images: ramfb, snapshots */
} GvtPlaneSource;

#define GVT_PLANE_MAX_DIM 16384
#define GVT_CURSOR_MAX_DIM 256
#define GVT_HOTSPOT_UNKNOWN 0xFFFFFFFFu
/* Cursor positions are clamped to -GVT_PLANE_POS_LIMIT..GVT_PLANE_POS_LIMIT
 * (see gvt_plane_get_x). */
#define GVT_PLANE_POS_LIMIT GVT_PLANE_MAX_DIM

typedef struct _GvtPlane GvtPlane;

/* Checks every guest-controlled field of a query answer for @kind: a known
 * fourcc, 0 < width/height <= 16384 (cursor: <= 256), stride >= width * cpp,
 * size >= stride * height (a cursor's hotspot is never a reason to refuse
 * it: gvt_plane_get_hot_x says what is kept of it). Region planes
 * are checked against the region too: pass its size and whether it can be
 * mmapped (ignored for dma-bufs). GVT_ERROR_INVALID_PLANE with the reason
 * on failure. "No plane" (format 0 or size 0) is for the caller to detect
 * before. */
gboolean gvt_plane_info_validate (const struct vfio_device_gfx_plane_info *info,
                                  GvtPlaneKind kind, GvtPlaneSource source,
                                  guint64 region_size, gboolean region_mmap,
                                  GError **error);

/* TRUE when @info reports no plane (drm_format 0 or size 0). */
gboolean gvt_plane_info_is_empty (const struct vfio_device_gfx_plane_info *info);

/* The one constructor: a plane for an already validated @info, holding a
 * reference to @buffer. It alone decides what the position fields mean
 * (gvt_plane_get_x). */
GvtPlane *gvt_plane_new (const struct vfio_device_gfx_plane_info *info,
                         GvtPlaneKind kind, GvtPlaneSource source,
                         GvtBuffer *buffer);

/* A plane for a CPU image (ramfb, tests): no id, position 0,0. */
GvtPlane *gvt_plane_new_memory (guint32 fourcc, guint32 width, guint32 height,
                                guint32 stride, GvtBuffer *buffer);

GvtPlane *gvt_plane_ref (GvtPlane *self);
void gvt_plane_unref (GvtPlane *self);

GvtPlaneKind   gvt_plane_get_kind (const GvtPlane *self);
GvtPlaneSource gvt_plane_get_source (const GvtPlane *self);
guint32 gvt_plane_get_fourcc (const GvtPlane *self);
guint64 gvt_plane_get_modifier (const GvtPlane *self);
guint32 gvt_plane_get_width (const GvtPlane *self);
guint32 gvt_plane_get_height (const GvtPlane *self);
guint32 gvt_plane_get_stride (const GvtPlane *self);
/* Bytes the guest said the buffer has (>= stride * height). */
guint32 gvt_plane_get_size (const GvtPlane *self);
/* Cursor: top-left of the image on the guest screen, in guest pixels,
 * negative when the image hangs off the left/top edge. Primary: 0, 0.
 *
 * The ABI's x_pos/y_pos are __u32; the constructor reads them as two's
 * complement 32-bit values, as QEMU does (it hands them to an int): a
 * device that keeps the sign reports -10 as 0xFFFFFFF6, and that is -10
 * here. Intel GVT-g can't be helped: the cursor register it decodes is
 * sign-magnitude (CURPOS: 13-bit x and 12-bit y magnitudes, sign bits 15
 * and 31) and its QUERY_GFX_PLANE copies the magnitudes without the signs,
 * so a cursor 10 pixels off the left edge arrives as x = 10, exactly like
 * one 10 pixels in. Nothing in the answer tells them apart, so it is shown
 * (and printed) at +10: the documented behaviour, not a guess. Values are
 * then clamped to +-GVT_PLANE_POS_LIMIT: a cursor (at most 256 wide) beyond
 * that is wholly off every primary (at most 16384 wide) either way, so no
 * pixel changes, and the renderer never sees absurd numbers. */
gint32 gvt_plane_get_x (const GvtPlane *self);
gint32 gvt_plane_get_y (const GvtPlane *self);
/* Hotspot inside the cursor image, or GVT_HOTSPOT_UNKNOWN: both when
 * the device says so in either coordinate (0xFFFFFFFF), and a coordinate
 * past the image is moved onto its last pixel (GVT-g gives width and
 * height themselves as hotspots). */
guint32 gvt_plane_get_hot_x (const GvtPlane *self);
guint32 gvt_plane_get_hot_y (const GvtPlane *self);
/* The bytes a buffer needs to hold @info's image: stride x height, the
 * height rounded up to whole tiles for tiled modifiers (GVT-g's own rule
 * for its size field), in 64 bits (no guest value can wrap it). What the
 * poller demands of a fetched dma-buf's real size. */
guint64 gvt_plane_info_needed_bytes (const struct vfio_device_gfx_plane_info *info);

/* dmabuf id (dma-buf planes) or region index (region planes). */
guint32 gvt_plane_get_dmabuf_id (const GvtPlane *self);
guint32 gvt_plane_get_region_index (const GvtPlane *self);
GvtBuffer *gvt_plane_get_buffer (const GvtPlane *self);

/* TRUE when @a and @b show the same buffer with the same geometry (id,
 * format, modifier, width, height, stride, size): position may differ. */
gboolean gvt_plane_same_image (const GvtPlane *a, const GvtPlane *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtPlane, gvt_plane_unref)

G_END_DECLS
