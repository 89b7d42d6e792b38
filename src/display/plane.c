/* GvtPlane: the checked, immutable description of one scanout plane. */
#include "plane.h"
#include "common/format.h"
#include "common/gvt-error.h"

struct _GvtPlane {
  gatomicrefcount ref;
  GvtPlaneKind kind;
  GvtPlaneSource source;
  guint32 fourcc;
  guint64 modifier;
  guint32 width, height, stride, size;
  gint32 x, y;
  guint32 hot_x, hot_y;
  guint32 id; /* dmabuf id or region index */
  GvtBuffer *buffer;
};

gboolean
gvt_plane_info_is_empty (const struct vfio_device_gfx_plane_info *info)
{
  return info->drm_format == 0 || info->size == 0;
}

static gboolean
reject (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
reject (GError **error, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error_literal (error, GVT_ERROR, GVT_ERROR_INVALID_PLANE, msg);
  return FALSE;
}

gboolean
gvt_plane_info_validate (const struct vfio_device_gfx_plane_info *info,
                         GvtPlaneKind kind, GvtPlaneSource source,
                         guint64 region_size, gboolean region_mmap,
                         GError **error)
{
  const char *what = kind == GVT_PLANE_CURSOR ? "cursor" : "primary";
  guint32 max_dim = kind == GVT_PLANE_CURSOR ? GVT_CURSOR_MAX_DIM : GVT_PLANE_MAX_DIM;
  char name[GVT_FORMAT_NAME_MAX];

  const GvtFormat *format = gvt_format_lookup (info->drm_format);
  if (format == NULL)
    return reject (error, "%s plane has unsupported format %s (0x%08x)", what,
                   gvt_format_to_string (info->drm_format, name), info->drm_format);

  if (info->width == 0 || info->height == 0 || info->width > max_dim || info->height > max_dim)
    return reject (error, "%s plane size %ux%u is outside 1..%u", what,
                   info->width, info->height, max_dim);

  /* 64-bit products: the guest picks all three factors. */
  guint64 min_stride = (guint64) info->width * format->cpp;
  if (info->stride < min_stride)
    return reject (error, "%s plane stride %u is less than width %u x %u bytes", what,
                   info->stride, info->width, format->cpp);

  guint64 min_size = (guint64) info->stride * info->height;
  if (info->size < min_size)
    return reject (error, "%s plane size %u bytes is less than stride %u x height %u",
                   what, info->size, info->stride, info->height);

  if (source == GVT_PLANE_SOURCE_REGION)
    {
      if (region_size == 0)
        return reject (error, "%s plane names region %u, which the device doesn't have",
                       what, info->region_index);
      if (!region_mmap)
        return reject (error, "%s plane's region %u can't be mapped", what,
                       info->region_index);
      if (min_size > region_size)
        return reject (error, "%s plane needs %" G_GUINT64_FORMAT " bytes but region %u "
                       "has %" G_GUINT64_FORMAT, what, min_size, info->region_index,
                       region_size);
    }

  return TRUE;
}

guint64
gvt_plane_info_needed_bytes (const struct vfio_device_gfx_plane_info *info)
{
  guint64 tile = gvt_modifier_tile_height (info->drm_format_mod);
  guint64 rows = ((guint64) info->height + tile - 1) / tile * tile;
  return (guint64) info->stride * rows;
}

/* The one place a wire position becomes a position: see gvt_plane_get_x. */
static gint32
position_from_wire (guint32 raw)
{
  gint64 value = raw > G_MAXINT32 ? (gint64) raw - G_GINT64_CONSTANT (0x100000000) : raw;
  return (gint32) CLAMP (value, -GVT_PLANE_POS_LIMIT, GVT_PLANE_POS_LIMIT);
}

static GvtPlane *
plane_alloc (GvtPlaneKind kind, GvtPlaneSource source, GvtBuffer *buffer)
{
  GvtPlane *self = g_new0 (GvtPlane, 1);
  g_atomic_ref_count_init (&self->ref);
  self->kind = kind;
  self->source = source;
  self->buffer = gvt_buffer_ref (buffer);
  return self;
}

GvtPlane *
gvt_plane_new (const struct vfio_device_gfx_plane_info *info, GvtPlaneKind kind,
               GvtPlaneSource source, GvtBuffer *buffer)
{
  g_return_val_if_fail (buffer != NULL, NULL);
  g_return_val_if_fail (gvt_plane_info_validate (info, kind, source, G_MAXUINT64, TRUE, NULL),
                        NULL);

  GvtPlane *self = plane_alloc (kind, source, buffer);
  self->fourcc = info->drm_format;
  self->modifier = info->drm_format_mod;
  self->width = info->width;
  self->height = info->height;
  self->stride = info->stride;
  self->size = info->size;
  if (kind == GVT_PLANE_CURSOR)
    {
      self->x = position_from_wire (info->x_pos);
      self->y = position_from_wire (info->y_pos);
      /* A cursor without its hotspot still points: at its top left. */
      if (info->x_hot == GVT_HOTSPOT_UNKNOWN || info->y_hot == GVT_HOTSPOT_UNKNOWN)
        self->hot_x = self->hot_y = GVT_HOTSPOT_UNKNOWN;
      else
        {
          self->hot_x = MIN (info->x_hot, info->width - 1);
          self->hot_y = MIN (info->y_hot, info->height - 1);
        }
    }
  else
    self->hot_x = self->hot_y = GVT_HOTSPOT_UNKNOWN;
  self->id = source == GVT_PLANE_SOURCE_REGION ? info->region_index : info->dmabuf_id;
  return self;
}

GvtPlane *
gvt_plane_new_memory (guint32 fourcc, guint32 width, guint32 height, guint32 stride,
                      GvtBuffer *buffer)
{
  struct vfio_device_gfx_plane_info info = {
    .drm_format = fourcc,
    .width = width,
    .height = height,
    .stride = stride,
    .size = (guint32) MIN ((guint64) stride * height, G_MAXUINT32),
  };
  g_return_val_if_fail (gvt_buffer_get_size (buffer) >= (guint64) stride * height, NULL);
  return gvt_plane_new (&info, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_MEMORY, buffer);
}

GvtPlane *
gvt_plane_ref (GvtPlane *self)
{
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
gvt_plane_unref (GvtPlane *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  gvt_buffer_unref (self->buffer);
  g_free (self);
}

GvtPlaneKind   gvt_plane_get_kind (const GvtPlane *self)     { return self->kind; }
GvtPlaneSource gvt_plane_get_source (const GvtPlane *self)   { return self->source; }
guint32 gvt_plane_get_fourcc (const GvtPlane *self)          { return self->fourcc; }
guint64 gvt_plane_get_modifier (const GvtPlane *self)        { return self->modifier; }
guint32 gvt_plane_get_width (const GvtPlane *self)           { return self->width; }
guint32 gvt_plane_get_height (const GvtPlane *self)          { return self->height; }
guint32 gvt_plane_get_stride (const GvtPlane *self)          { return self->stride; }
guint32 gvt_plane_get_size (const GvtPlane *self)            { return self->size; }
gint32  gvt_plane_get_x (const GvtPlane *self)               { return self->x; }
gint32  gvt_plane_get_y (const GvtPlane *self)               { return self->y; }
guint32 gvt_plane_get_hot_x (const GvtPlane *self)           { return self->hot_x; }
guint32 gvt_plane_get_hot_y (const GvtPlane *self)           { return self->hot_y; }
guint32 gvt_plane_get_dmabuf_id (const GvtPlane *self)       { return self->id; }
guint32 gvt_plane_get_region_index (const GvtPlane *self)    { return self->id; }
GvtBuffer *gvt_plane_get_buffer (const GvtPlane *self)       { return self->buffer; }

gboolean
gvt_plane_same_image (const GvtPlane *a, const GvtPlane *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return a->kind == b->kind && a->source == b->source && a->id == b->id
         && a->fourcc == b->fourcc && a->modifier == b->modifier
         && a->width == b->width && a->height == b->height
         && a->stride == b->stride && a->size == b->size
         && a->buffer == b->buffer;
}
