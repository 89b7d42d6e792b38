/* The oracle for plane validation, from plane.h's comment:
 *   "a known fourcc, 0 < width/height <= 16384 (cursor: <= 256), stride >=
 *    width * cpp, size >= stride * height (a cursor's hotspot is never a
 *    reason to refuse it).
 *    Region planes are checked against the region too: pass its size and
 *    whether it can be mmapped (ignored for dma-bufs)."
 * The hotspot kept: "unknown" in both coordinates when either is
 * 0xFFFFFFFF, else each coordinate moved onto the image. A region must exist (size > 0), be mappable and hold
 * stride * height bytes. Products are exact (64-bit): the guest picks every
 * factor. */
#include <drm_fourcc.h>

#include "fuzz-plane-ref.h"

/* The formats VFIO-NOTES.md lists for GVT-g, with their pixel sizes, and
 * the 24-bit R, G, B of QEMU's screendump (ramfb). */
static const struct { guint32 fourcc; guint cpp; } known[] = {
  { DRM_FORMAT_XRGB8888, 4 },    { DRM_FORMAT_ARGB8888, 4 },
  { DRM_FORMAT_XBGR8888, 4 },    { DRM_FORMAT_ABGR8888, 4 },
  { DRM_FORMAT_RGB565, 2 },      { DRM_FORMAT_XRGB2101010, 4 },
  { DRM_FORMAT_XBGR2101010, 4 }, { DRM_FORMAT_BGR888, 3 },
};

guint
fuzz_ref_cpp (guint32 fourcc)
{
  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    if (known[i].fourcc == fourcc)
      return known[i].cpp;
  return 0;
}

gboolean
fuzz_ref_plane_valid (const struct vfio_device_gfx_plane_info *info, GvtPlaneKind kind,
                      GvtPlaneSource source, guint64 region_size, gboolean region_mmap,
                      const char **why)
{
  guint64 max = kind == GVT_PLANE_CURSOR ? 256 : 16384;
  guint cpp = fuzz_ref_cpp (info->drm_format);

  *why = NULL;
  if (cpp == 0)
    *why = "unknown format";
  else if (info->width < 1 || info->width > max || info->height < 1 || info->height > max)
    *why = "size out of range";
  else if ((guint64) info->stride < (guint64) info->width * cpp)
    *why = "stride below width * cpp";
  else if ((guint64) info->size < (guint64) info->stride * info->height)
    *why = "size below stride * height";
  else if (source == GVT_PLANE_SOURCE_REGION && region_size == 0)
    *why = "no such region";
  else if (source == GVT_PLANE_SOURCE_REGION && !region_mmap)
    *why = "region not mappable";
  else if (source == GVT_PLANE_SOURCE_REGION
           && (guint64) info->stride * info->height > region_size)
    *why = "region smaller than stride * height";
  return *why == NULL;
}

void
fuzz_ref_hotspot (const struct vfio_device_gfx_plane_info *info, guint32 *x, guint32 *y)
{
  if (info->x_hot == 0xFFFFFFFFu || info->y_hot == 0xFFFFFFFFu)
    *x = *y = 0xFFFFFFFFu;
  else
    {
      *x = info->x_hot < info->width ? info->x_hot : info->width - 1;
      *y = info->y_hot < info->height ? info->y_hot : info->height - 1;
    }
}

gint32
fuzz_ref_position (guint32 wire)
{
  gint64 v = wire < 0x80000000u ? (gint64) wire : (gint64) wire - 0x100000000;
  return (gint32) CLAMP (v, -GVT_PLANE_POS_LIMIT, GVT_PLANE_POS_LIMIT);
}

static const guint32 other_formats[] = {
  0, DRM_FORMAT_NV12, DRM_FORMAT_C8, DRM_FORMAT_RGB888, DRM_FORMAT_BGR888,
  DRM_FORMAT_ARGB2101010, DRM_FORMAT_XRGB16161616F, DRM_FORMAT_YUYV,
  DRM_FORMAT_XRGB8888 | DRM_FORMAT_BIG_ENDIAN, DRM_FORMAT_RGBX8888,
};
static const guint32 primary_dims[] = {
  1, 2, 63, 64, 128, 256, 480, 640, 768, 800, 1024, 1080, 1200, 1920, 3840, 4096, 16384,
};
static const guint32 cursor_dims[] = { 1, 32, 64, 128, 255, 256 };
static const guint32 positions[] = { 0, 1, 100, 1919, 1920, 0x7fffffff, 0x80000000,
                                     0xfffffff6 /* -10 */, 0xffffffff };

void
fuzz_decode_plane (FuzzIn *in, GvtPlaneKind kind, struct vfio_device_gfx_plane_info *info)
{
  guint8 sel = fuzz_u8 (in);
  if (sel < 200)
    info->drm_format = known[sel % G_N_ELEMENTS (known)].fourcc;
  else if (sel < 240)
    info->drm_format = other_formats[sel % G_N_ELEMENTS (other_formats)];
  else
    info->drm_format = fuzz_u32 (in);

  static const guint64 mods[] = {
    DRM_FORMAT_MOD_LINEAR, DRM_FORMAT_MOD_LINEAR, I915_FORMAT_MOD_X_TILED,
    I915_FORMAT_MOD_Y_TILED, I915_FORMAT_MOD_Yf_TILED, DRM_FORMAT_MOD_INVALID,
  };
  sel = fuzz_u8 (in);
  info->drm_format_mod = sel < 240 ? mods[sel % G_N_ELEMENTS (mods)] : fuzz_u64 (in);

  const guint32 *dims = kind == GVT_PLANE_CURSOR ? cursor_dims : primary_dims;
  gsize n_dims = kind == GVT_PLANE_CURSOR ? G_N_ELEMENTS (cursor_dims)
                                          : G_N_ELEMENTS (primary_dims);
  info->width = fuzz_near (in, fuzz_pick (in, dims, n_dims));
  info->height = fuzz_near (in, fuzz_pick (in, dims, n_dims));

  guint cpp = fuzz_ref_cpp (info->drm_format);
  info->stride = fuzz_near (in, (guint64) info->width * (cpp ? cpp : 4));
  info->size = fuzz_near (in, (guint64) info->stride * info->height);

  info->x_pos = fuzz_near (in, fuzz_pick (in, positions, G_N_ELEMENTS (positions)));
  info->y_pos = fuzz_near (in, fuzz_pick (in, positions, G_N_ELEMENTS (positions)));
  sel = fuzz_u8 (in);
  if (sel % 3 == 0)
    info->x_hot = info->y_hot = 0xFFFFFFFFu;
  else
    {
      info->x_hot = sel % 3 == 1 ? fuzz_near (in, info->width ? info->width - 1 : 0)
                                 : fuzz_near (in, 0xFFFFFFFFu);
      info->y_hot = fuzz_near (in, info->height ? info->height - 1 : 0);
    }

  /* Small ids collide: that is how reused ids and same-id-other-geometry
   * answers happen. */
  sel = fuzz_u8 (in);
  info->dmabuf_id = sel < 224 ? sel % 8 : fuzz_u32 (in);
}
