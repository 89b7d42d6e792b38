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

typedef struct _GvtPlane GvtPlane;

/* Checks every guest-controlled field of a query answer for @kind: a known
 * fourcc, 0 < width/height <= 16384 (cursor: <= 256), stride >= width * cpp,
 * size >= stride * height, and a consistent cursor hotspot. Region planes
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
 * reference to @buffer. */
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
/* Cursor: top-left of the image on the guest screen, as the device reports
 * it (GVT-g drops sign bits). Primary: 0, 0. */
guint32 gvt_plane_get_x (const GvtPlane *self);
guint32 gvt_plane_get_y (const GvtPlane *self);
/* Hotspot inside the cursor image, or GVT_HOTSPOT_UNKNOWN. */
guint32 gvt_plane_get_hot_x (const GvtPlane *self);
guint32 gvt_plane_get_hot_y (const GvtPlane *self);
/* dmabuf id (dma-buf planes) or region index (region planes). */
guint32 gvt_plane_get_dmabuf_id (const GvtPlane *self);
guint32 gvt_plane_get_region_index (const GvtPlane *self);
GvtBuffer *gvt_plane_get_buffer (const GvtPlane *self);

/* TRUE when @a and @b show the same buffer with the same geometry (id,
 * format, modifier, width, height, stride, size): position may differ. */
gboolean gvt_plane_same_image (const GvtPlane *a, const GvtPlane *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtPlane, gvt_plane_unref)

G_END_DECLS
