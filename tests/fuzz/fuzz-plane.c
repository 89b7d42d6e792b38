/* Fuzz target: the plane constructor.
 *
 * Input: one byte of kind (bit 0: cursor), source (bits 1-2, mod 3) and
 * region mappability (bit 3), a plane description (fuzz_decode_plane), then
 * the region's size. Contract checked:
 * - gvt_plane_info_validate accepts exactly what plane.h's rules accept
 *   (fuzz-plane-ref.c), with or without a GError, and refuses with
 *   GVT_ERROR_INVALID_PLANE and a message; it never touches @info;
 * - gvt_plane_info_is_empty is "format 0 or size 0";
 * - for an accepted description gvt_plane_new's getters give back the
 *   validated values (cursor position and hotspot for cursors; 0,0 and an
 *   unknown hotspot for primaries), and gvt_plane_same_image ignores the
 *   position but nothing else;
 * - gvt_plane_new_memory makes the same plane for a CPU image. */
#include <string.h>
#include <drm_fourcc.h>

#include "common/gvt-error.h"
#include "display/plane.h"
#include "fuzz-common.h"
#include "fuzz-plane-ref.h"

static guint8 pixel;

void
fuzz_target_init (void)
{
}

/* The getters against what was validated. */
static void
check_getters (const GvtPlane *p, const struct vfio_device_gfx_plane_info *info,
               GvtPlaneKind kind, GvtPlaneSource source, GvtBuffer *buffer)
{
  FUZZ_CHECK (gvt_plane_get_kind (p) == kind, "kind");
  FUZZ_CHECK (gvt_plane_get_source (p) == source, "source");
  FUZZ_CHECK (gvt_plane_get_fourcc (p) == info->drm_format, "fourcc");
  FUZZ_CHECK (gvt_plane_get_modifier (p) == info->drm_format_mod, "modifier");
  FUZZ_CHECK (gvt_plane_get_width (p) == info->width, "width");
  FUZZ_CHECK (gvt_plane_get_height (p) == info->height, "height");
  FUZZ_CHECK (gvt_plane_get_stride (p) == info->stride, "stride");
  FUZZ_CHECK (gvt_plane_get_size (p) == info->size, "size %u, not %u",
              gvt_plane_get_size (p), info->size);
  if (kind == GVT_PLANE_CURSOR)
    {
      FUZZ_CHECK (gvt_plane_get_x (p) == fuzz_ref_position (info->x_pos),
                  "x %d for wire value %u, not %d", gvt_plane_get_x (p), info->x_pos,
                  fuzz_ref_position (info->x_pos));
      FUZZ_CHECK (gvt_plane_get_y (p) == fuzz_ref_position (info->y_pos),
                  "y %d for wire value %u, not %d", gvt_plane_get_y (p), info->y_pos,
                  fuzz_ref_position (info->y_pos));
      guint32 hx, hy;
      fuzz_ref_hotspot (info, &hx, &hy);
      FUZZ_CHECK (gvt_plane_get_hot_x (p) == hx && gvt_plane_get_hot_y (p) == hy,
                  "hotspot %u,%u for %u,%u on %ux%u, not %u,%u", gvt_plane_get_hot_x (p),
                  gvt_plane_get_hot_y (p), info->x_hot, info->y_hot, info->width,
                  info->height, hx, hy);
    }
  else
    {
      FUZZ_CHECK (gvt_plane_get_x (p) == 0 && gvt_plane_get_y (p) == 0,
                  "a primary plane sits at 0,0");
      FUZZ_CHECK (gvt_plane_get_hot_x (p) == GVT_HOTSPOT_UNKNOWN
                  && gvt_plane_get_hot_y (p) == GVT_HOTSPOT_UNKNOWN,
                  "a primary plane has no hotspot");
    }
  if (source == GVT_PLANE_SOURCE_REGION)
    FUZZ_CHECK (gvt_plane_get_region_index (p) == info->region_index, "region index");
  else
    FUZZ_CHECK (gvt_plane_get_dmabuf_id (p) == info->dmabuf_id, "dmabuf id");
  FUZZ_CHECK (gvt_plane_get_buffer (p) == buffer, "buffer");
}

/* A plane from @info changed in one field; NULL when the change makes it
 * invalid (then there is nothing to compare). */
static GvtPlane *
variant (const struct vfio_device_gfx_plane_info *info, GvtPlaneKind kind,
         GvtPlaneSource source, GvtBuffer *buffer, int field)
{
  struct vfio_device_gfx_plane_info v = *info;
  const char *why;
  switch (field)
    {
    case 0: v.dmabuf_id ^= 1; break;
    case 1: v.drm_format_mod ^= 1; break;
    case 2:
      v.stride += 1;
      if ((guint64) v.stride * v.height > G_MAXUINT32)
        return NULL;
      v.size = MAX (v.size, v.stride * v.height);
      break;
    case 3: v.size += 1; break;
    default: g_assert_not_reached ();
    }
  if (!fuzz_ref_plane_valid (&v, kind, source, G_MAXUINT64, TRUE, &why))
    return NULL;
  return gvt_plane_new (&v, kind, source, buffer);
}

static void
check_plane (const struct vfio_device_gfx_plane_info *info, GvtPlaneKind kind,
             GvtPlaneSource source)
{
  g_autoptr (GvtBuffer) buffer = gvt_buffer_new_memory (&pixel, 1, NULL);
  g_autoptr (GvtBuffer) other = gvt_buffer_new_memory (&pixel, 1, NULL);
  g_autoptr (GvtPlane) p = gvt_plane_new (info, kind, source, buffer);
  FUZZ_CHECK (p != NULL, "gvt_plane_new refused a validated plane");
  check_getters (p, info, kind, source, buffer);

  /* A reference is the same value. */
  GvtPlane *r = gvt_plane_ref (p);
  FUZZ_CHECK (r == p, "ref");
  gvt_plane_unref (r);

  FUZZ_CHECK (gvt_plane_same_image (p, p), "same_image is reflexive");
  FUZZ_CHECK (gvt_plane_same_image (NULL, NULL), "same_image (NULL, NULL)");
  FUZZ_CHECK (!gvt_plane_same_image (p, NULL) && !gvt_plane_same_image (NULL, p),
              "a plane is not the same image as none");

  g_autoptr (GvtPlane) twin = gvt_plane_new (info, kind, source, buffer);
  FUZZ_CHECK (gvt_plane_same_image (p, twin), "the same description and buffer");
  g_autoptr (GvtPlane) elsewhere = gvt_plane_new (info, kind, source, other);
  FUZZ_CHECK (!gvt_plane_same_image (p, elsewhere), "another buffer is another image");

  if (kind == GVT_PLANE_CURSOR)
    {
      struct vfio_device_gfx_plane_info moved = *info;
      moved.x_pos += 7;
      moved.y_pos -= 3;
      g_autoptr (GvtPlane) m = gvt_plane_new (&moved, kind, source, buffer);
      FUZZ_CHECK (m != NULL, "moving a cursor keeps it valid");
      FUZZ_CHECK (gvt_plane_same_image (p, m), "a cursor move is the same image");
    }
  for (int field = 0; field < 4; field++)
    {
      g_autoptr (GvtPlane) v = variant (info, kind, source, buffer, field);
      FUZZ_CHECK (v == NULL || !gvt_plane_same_image (p, v),
                  "field %d changed but same_image says TRUE", field);
    }
}

static void
check_memory_plane (const struct vfio_device_gfx_plane_info *info)
{
  guint64 bytes = (guint64) info->stride * info->height;
  /* plane.h: a CPU image of stride * height bytes; its size is 32 bits. */
  if (bytes > G_MAXUINT32)
    return;
  g_autoptr (GvtBuffer) buffer = gvt_buffer_new_memory (&pixel, bytes, NULL);
  g_autoptr (GvtPlane) p = gvt_plane_new_memory (info->drm_format, info->width,
                                                 info->height, info->stride, buffer);
  FUZZ_CHECK (p != NULL, "gvt_plane_new_memory refused a valid image");
  FUZZ_CHECK (gvt_plane_get_kind (p) == GVT_PLANE_PRIMARY, "memory planes are primary");
  FUZZ_CHECK (gvt_plane_get_source (p) == GVT_PLANE_SOURCE_MEMORY, "memory source");
  FUZZ_CHECK (gvt_plane_get_fourcc (p) == info->drm_format
              && gvt_plane_get_width (p) == info->width
              && gvt_plane_get_height (p) == info->height
              && gvt_plane_get_stride (p) == info->stride, "memory plane geometry");
  FUZZ_CHECK (gvt_plane_get_size (p) == bytes, "memory plane size");
  FUZZ_CHECK (gvt_plane_get_x (p) == 0 && gvt_plane_get_y (p) == 0, "position 0,0");
  FUZZ_CHECK (gvt_plane_get_dmabuf_id (p) == 0, "no id");
  FUZZ_CHECK (gvt_plane_get_buffer (p) == buffer, "buffer");
}

void
fuzz_target_run (const guint8 *data, gsize size)
{
  FuzzIn in;
  fuzz_in_init (&in, data, size);

  guint8 k = fuzz_u8 (&in);
  GvtPlaneKind kind = k & 1 ? GVT_PLANE_CURSOR : GVT_PLANE_PRIMARY;
  GvtPlaneSource source = (GvtPlaneSource) ((k >> 1) % 3);
  gboolean region_mmap = (k >> 3) & 1;

  struct vfio_device_gfx_plane_info info = {
    .argsz = sizeof info,
    .flags = source == GVT_PLANE_SOURCE_REGION ? VFIO_GFX_PLANE_TYPE_REGION
                                               : VFIO_GFX_PLANE_TYPE_DMABUF,
    .drm_plane_type = kind,
  };
  fuzz_decode_plane (&in, kind, &info);
  guint64 region_size = fuzz_u8 (&in) < 16 ? 0
    : fuzz_near64 (&in, (guint64) info.stride * info.height);

  struct vfio_device_gfx_plane_info before = info;
  const char *why;
  gboolean expected = fuzz_ref_plane_valid (&info, kind, source, region_size,
                                            region_mmap, &why);

  g_autoptr (GError) error = NULL;
  gboolean ok = gvt_plane_info_validate (&info, kind, source, region_size, region_mmap,
                                         &error);
  FUZZ_CHECK (memcmp (&before, &info, sizeof info) == 0, "validation changed its input");
  FUZZ_CHECK (ok == expected,
              "%s %s plane %ux%u fourcc 0x%08x stride %u size %u hot %u,%u "
              "(region %" G_GUINT64_FORMAT ", mmap %d): validator %s, rules say %s%s%s",
              kind == GVT_PLANE_CURSOR ? "cursor" : "primary",
              source == GVT_PLANE_SOURCE_REGION ? "region"
                : source == GVT_PLANE_SOURCE_DMABUF ? "dma-buf" : "memory",
              info.width, info.height, info.drm_format, info.stride, info.size,
              info.x_hot, info.y_hot, region_size, region_mmap,
              ok ? "accepts" : error->message, expected ? "valid" : "invalid: ",
              expected ? "" : why, "");
  FUZZ_CHECK (gvt_plane_info_validate (&info, kind, source, region_size, region_mmap,
                                       NULL) == ok, "the result depends on the GError");
  if (ok)
    FUZZ_CHECK (error == NULL, "accepted with an error set");
  else
    FUZZ_CHECK (g_error_matches (error, GVT_ERROR, GVT_ERROR_INVALID_PLANE)
                && error->message[0] != '\0'
                && g_utf8_validate (error->message, -1, NULL),
                "a refusal is GVT_ERROR_INVALID_PLANE with a message");

  /* plane.h: stride x height, the height rounded up to whole tiles. */
  guint64 tile = info.drm_format_mod == I915_FORMAT_MOD_X_TILED ? 8
               : info.drm_format_mod == I915_FORMAT_MOD_Y_TILED
                 || info.drm_format_mod == I915_FORMAT_MOD_Yf_TILED ? 32 : 1;
  guint64 needed = (guint64) info.stride * ((info.height + tile - 1) / tile * tile);
  FUZZ_CHECK (gvt_plane_info_needed_bytes (&info) == needed,
              "needed bytes %" G_GUINT64_FORMAT " for stride %u, height %u, modifier 0x%"
              G_GINT64_MODIFIER "x, not %" G_GUINT64_FORMAT,
              gvt_plane_info_needed_bytes (&info), info.stride, info.height,
              (guint64) info.drm_format_mod, needed);

  FUZZ_CHECK (gvt_plane_info_is_empty (&info)
              == (info.drm_format == 0 || info.size == 0), "is_empty");

  fuzz_count (ok ? "accepted" : "refused");
  if (ok)
    check_plane (&info, kind, source);

  /* The same geometry as a CPU image (a primary plane, no region). */
  if (fuzz_ref_plane_valid (&(struct vfio_device_gfx_plane_info) {
                              .drm_format = info.drm_format, .width = info.width,
                              .height = info.height, .stride = info.stride,
                              .size = (guint32) MIN ((guint64) info.stride * info.height,
                                                     G_MAXUINT32) },
                            GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_MEMORY, 0, FALSE, &why))
    {
      fuzz_count ("memory plane");
      check_memory_plane (&info);
    }
}
