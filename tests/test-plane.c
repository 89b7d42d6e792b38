/* Tests of the plane value type, its validation and GvtBuffer. */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/gvt-error.h"
#include "common/format.h"
#include "display/plane.h"
#include "testutil.h"

static struct vfio_device_gfx_plane_info
good_primary (void)
{
  return (struct vfio_device_gfx_plane_info) {
    .argsz = sizeof (struct vfio_device_gfx_plane_info),
    .flags = VFIO_GFX_PLANE_TYPE_DMABUF,
    .drm_plane_type = GVT_PLANE_PRIMARY,
    .drm_format = DRM_FORMAT_XRGB8888,
    .width = 1024, .height = 768, .stride = 4096, .size = 4096 * 768,
    .dmabuf_id = 3,
  };
}

static struct vfio_device_gfx_plane_info
good_cursor (void)
{
  return (struct vfio_device_gfx_plane_info) {
    .argsz = sizeof (struct vfio_device_gfx_plane_info),
    .flags = VFIO_GFX_PLANE_TYPE_DMABUF,
    .drm_plane_type = GVT_PLANE_CURSOR,
    .drm_format = DRM_FORMAT_ARGB8888,
    .width = 64, .height = 64, .stride = 256, .size = 256 * 64,
    .x_pos = 100, .y_pos = 200, .x_hot = 3, .y_hot = 5,
    .dmabuf_id = 9,
  };
}

static void
assert_rejected (const struct vfio_device_gfx_plane_info *info, GvtPlaneKind kind,
                 GvtPlaneSource source, guint64 region_size, gboolean region_mmap,
                 const char *needle)
{
  g_autoptr (GError) error = NULL;
  g_assert_false (gvt_plane_info_validate (info, kind, source, region_size, region_mmap,
                                           &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_PLANE);
  if (strstr (error->message, needle) == NULL)
    g_error ("'%s' does not mention '%s'", error->message, needle);
}

static void
test_validate_good (void)
{
  g_autoptr (GError) error = NULL;
  struct vfio_device_gfx_plane_info p = good_primary ();
  struct vfio_device_gfx_plane_info c = good_cursor ();

  g_assert_true (gvt_plane_info_validate (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_DMABUF,
                                          0, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (gvt_plane_info_validate (&c, GVT_PLANE_CURSOR, GVT_PLANE_SOURCE_DMABUF,
                                          0, FALSE, &error));
  /* Largest legal sizes, exact minimum stride and size. */
  p.width = p.height = GVT_PLANE_MAX_DIM;
  p.stride = GVT_PLANE_MAX_DIM * 4;
  p.size = p.stride * p.height;
  g_assert_true (gvt_plane_info_validate (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_DMABUF,
                                          0, FALSE, &error));
  /* RGB565 needs only 2 bytes per pixel. */
  p = good_primary ();
  p.drm_format = DRM_FORMAT_RGB565;
  p.stride = 2048;
  p.size = 2048 * 768;
  g_assert_true (gvt_plane_info_validate (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_DMABUF,
                                          0, FALSE, &error));
  /* Unknown hotspot. */
  c.x_hot = c.y_hot = GVT_HOTSPOT_UNKNOWN;
  g_assert_true (gvt_plane_info_validate (&c, GVT_PLANE_CURSOR, GVT_PLANE_SOURCE_DMABUF,
                                          0, FALSE, &error));
}

static void
test_validate_bad_fields (void)
{
  struct vfio_device_gfx_plane_info p;

  p = good_primary ();
  p.drm_format = DRM_FORMAT_NV12;
  assert_rejected (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_DMABUF, 0, FALSE,
                   "unsupported format NV12");
  p = good_primary ();
  p.drm_format = 0x01020304;
  assert_rejected (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_DMABUF, 0, FALSE, "0x01020304");
  p = good_primary ();
  p.width = 0;
  assert_rejected (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_DMABUF, 0, FALSE, "0x768");
  p = good_primary ();
  p.height = 0;
  assert_rejected (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_DMABUF, 0, FALSE, "1024x0");
  p = good_primary ();
  p.width = GVT_PLANE_MAX_DIM + 1;
  p.stride = p.width * 4;
  p.size = 0xffffffff;
  assert_rejected (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_DMABUF, 0, FALSE, "outside");
  p = good_primary ();
  p.stride = 4095;
  assert_rejected (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_DMABUF, 0, FALSE, "stride 4095");
  p = good_primary ();
  p.size = 4096 * 768 - 1;
  assert_rejected (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_DMABUF, 0, FALSE, "less than stride");
  /* stride * height overflows 32 bits: must not wrap into "fits". */
  p = good_primary ();
  p.width = 16384;
  p.height = 16384;
  p.stride = 0x40000;
  p.size = 0x1000;
  assert_rejected (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_DMABUF, 0, FALSE, "less than stride");
}

static void
test_validate_cursor (void)
{
  struct vfio_device_gfx_plane_info c;

  c = good_cursor ();
  c.width = c.height = 257;
  c.stride = 257 * 4;
  c.size = c.stride * 257;
  assert_rejected (&c, GVT_PLANE_CURSOR, GVT_PLANE_SOURCE_DMABUF, 0, FALSE, "1..256");
}

static void
free_data (void *data, gsize size)
{
  g_free (data);
}

/* A hotspot is never a reason to lose the cursor. GVT-g passes x_hot up to
 * the width itself (validate_hotspot: x_hot <= width), and an unknown
 * coordinate as 0xFFFFFFFF. */
static void
test_cursor_hotspot_kept (void)
{
  static const struct {
    guint32 x_hot, y_hot, want_x, want_y;
  } cases[] = {
    { 3, 5, 3, 5 },
    { 64, 5, 63, 5 },      /* the width itself: the last column */
    { 3, 1000, 3, 63 },
    { 63, 63, 63, 63 },
    { GVT_HOTSPOT_UNKNOWN, 5, GVT_HOTSPOT_UNKNOWN, GVT_HOTSPOT_UNKNOWN }, /* half-unknown */
    { 7, GVT_HOTSPOT_UNKNOWN, GVT_HOTSPOT_UNKNOWN, GVT_HOTSPOT_UNKNOWN },
  };
  g_autoptr (GvtBuffer) buffer = gvt_buffer_new_memory (g_malloc0 (1), 1, free_data);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      struct vfio_device_gfx_plane_info c = good_cursor ();
      c.x_hot = cases[i].x_hot;
      c.y_hot = cases[i].y_hot;
      g_assert_true (gvt_plane_info_validate (&c, GVT_PLANE_CURSOR, GVT_PLANE_SOURCE_DMABUF, 0,
                                              FALSE, &error));
      g_assert_no_error (error);
      g_autoptr (GvtPlane) plane = gvt_plane_new (&c, GVT_PLANE_CURSOR, GVT_PLANE_SOURCE_DMABUF,
                                                  buffer);
      g_assert_cmpuint (gvt_plane_get_hot_x (plane), ==, cases[i].want_x);
      g_assert_cmpuint (gvt_plane_get_hot_y (plane), ==, cases[i].want_y);
    }
}

static void
test_validate_region (void)
{
  g_autoptr (GError) error = NULL;
  struct vfio_device_gfx_plane_info p = good_primary ();
  p.flags = VFIO_GFX_PLANE_TYPE_REGION;
  p.region_index = 16;

  g_assert_true (gvt_plane_info_validate (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_REGION,
                                          4u << 20, TRUE, &error));
  g_assert_no_error (error);
  assert_rejected (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_REGION, 0, TRUE,
                   "region 16, which the device doesn't have");
  assert_rejected (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_REGION, 4u << 20, FALSE,
                   "can't be mapped");
  assert_rejected (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_REGION, 4096 * 767, TRUE,
                   "needs 3145728 bytes");
}

static void
test_empty (void)
{
  struct vfio_device_gfx_plane_info p = good_primary ();
  g_assert_false (gvt_plane_info_is_empty (&p));
  p.drm_format = 0;
  g_assert_true (gvt_plane_info_is_empty (&p));
  p = good_primary ();
  p.size = 0;
  g_assert_true (gvt_plane_info_is_empty (&p));
}

static int destroyed;

static void
count_destroy (void *data, gsize size)
{
  g_assert_cmpuint (size, ==, 64);
  destroyed++;
  g_free (data);
}

static void
test_plane_values (void)
{
  struct vfio_device_gfx_plane_info c = good_cursor ();
  GvtBuffer *buffer = gvt_buffer_new_memory (g_malloc0 (64), 64, count_destroy);
  destroyed = 0;

  GvtPlane *a = gvt_plane_new (&c, GVT_PLANE_CURSOR, GVT_PLANE_SOURCE_DMABUF, buffer);
  c.x_pos = 5;
  GvtPlane *b = gvt_plane_new (&c, GVT_PLANE_CURSOR, GVT_PLANE_SOURCE_DMABUF, buffer);
  gvt_buffer_unref (buffer);

  g_assert_cmpuint (gvt_plane_get_kind (a), ==, GVT_PLANE_CURSOR);
  g_assert_cmpuint (gvt_plane_get_fourcc (a), ==, DRM_FORMAT_ARGB8888);
  g_assert_cmpuint (gvt_plane_get_width (a), ==, 64);
  g_assert_cmpuint (gvt_plane_get_stride (a), ==, 256);
  g_assert_cmpint (gvt_plane_get_x (a), ==, 100);
  g_assert_cmpint (gvt_plane_get_y (a), ==, 200);
  g_assert_cmpuint (gvt_plane_get_hot_x (a), ==, 3);
  g_assert_cmpuint (gvt_plane_get_hot_y (a), ==, 5);
  g_assert_cmpuint (gvt_plane_get_dmabuf_id (a), ==, 9);
  g_assert_cmpint (gvt_plane_get_x (b), ==, 5);
  /* Position is not part of the image. */
  g_assert_true (gvt_plane_same_image (a, b));

  c.width = 32;
  c.height = 32;
  c.x_hot = c.y_hot = 0;
  GvtBuffer *other = gvt_buffer_new_memory (g_malloc0 (64), 64, count_destroy);
  GvtPlane *d = gvt_plane_new (&c, GVT_PLANE_CURSOR, GVT_PLANE_SOURCE_DMABUF, other);
  gvt_buffer_unref (other);
  g_assert_false (gvt_plane_same_image (a, d));
  g_assert_false (gvt_plane_same_image (a, NULL));
  g_assert_true (gvt_plane_same_image (NULL, NULL));

  gvt_plane_unref (a);
  gvt_plane_unref (d);
  g_assert_cmpint (destroyed, ==, 1);
  gvt_plane_unref (b);
  g_assert_cmpint (destroyed, ==, 2);
}

static void
test_primary_has_no_position (void)
{
  struct vfio_device_gfx_plane_info p = good_primary ();
  p.x_pos = 7;
  p.y_pos = 8;
  p.x_hot = 1;
  g_autoptr (GvtBuffer) buffer = gvt_buffer_new_memory (g_malloc0 (1), 1,
                                                        free_data);
  g_autoptr (GvtPlane) plane = gvt_plane_new (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_DMABUF,
                                              buffer);
  g_assert_cmpint (gvt_plane_get_x (plane), ==, 0);
  g_assert_cmpint (gvt_plane_get_y (plane), ==, 0);
  g_assert_cmpuint (gvt_plane_get_hot_x (plane), ==, GVT_HOTSPOT_UNKNOWN);

  /* Not even a negative one: a primary has no position. */
  p.x_pos = 0xFFFFFFF6u;
  p.y_pos = 0x80000000u;
  g_autoptr (GvtPlane) again = gvt_plane_new (&p, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_DMABUF,
                                              buffer);
  g_assert_cmpint (gvt_plane_get_x (again), ==, 0);
  g_assert_cmpint (gvt_plane_get_y (again), ==, 0);
}

typedef struct {
  guint32 wire;  /* x_pos or y_pos as the device put it */
  gint32 value;  /* what every consumer reads */
} PositionCase;

static const PositionCase position_cases[] = {
  { 0, 0 },
  { 1, 1 },
  { 100, 100 },
  /* The largest magnitudes GVT-g can report (13-bit x, 12-bit y): as is. */
  { 8191, 8191 },
  { 4095, 4095 },
  /* Two's complement, as a device that keeps the sign says it. */
  { 0xFFFFFFF6u, -10 },
  { 0xFFFFFFFBu, -5 },
  { 0xFFFFFFFFu, -1 },
  { (guint32) -255, -255 },
  /* The bound: +-GVT_PLANE_POS_LIMIT and beyond. */
  { GVT_PLANE_POS_LIMIT, GVT_PLANE_POS_LIMIT },
  { GVT_PLANE_POS_LIMIT + 1, GVT_PLANE_POS_LIMIT },
  { (guint32) -GVT_PLANE_POS_LIMIT, -GVT_PLANE_POS_LIMIT },
  { (guint32) -GVT_PLANE_POS_LIMIT - 1, -GVT_PLANE_POS_LIMIT },
  { 0x7FFFFFF0u, GVT_PLANE_POS_LIMIT },
  { 0x7FFFFFFFu, GVT_PLANE_POS_LIMIT },
  { 0x80000000u, -GVT_PLANE_POS_LIMIT },
  { 0x80000001u, -GVT_PLANE_POS_LIMIT },
};

static void
test_cursor_position (void)
{
  g_autoptr (GvtBuffer) buffer = gvt_buffer_new_memory (g_malloc0 (1), 1, free_data);

  for (gsize i = 0; i < G_N_ELEMENTS (position_cases); i++)
    for (gsize j = 0; j < G_N_ELEMENTS (position_cases); j += 5)
      {
        struct vfio_device_gfx_plane_info c = good_cursor ();
        c.x_pos = position_cases[i].wire;
        c.y_pos = position_cases[j].wire;
        g_autoptr (GvtPlane) plane = gvt_plane_new (&c, GVT_PLANE_CURSOR,
                                                    GVT_PLANE_SOURCE_DMABUF, buffer);
        if (gvt_plane_get_x (plane) != position_cases[i].value
            || gvt_plane_get_y (plane) != position_cases[j].value)
          g_error ("wire %u,%u (0x%08x,0x%08x) read as %d,%d, not %d,%d",
                   c.x_pos, c.y_pos, c.x_pos, c.y_pos, gvt_plane_get_x (plane),
                   gvt_plane_get_y (plane), position_cases[i].value, position_cases[j].value);
        /* The hotspot is no position: neither signed nor bounded. */
        g_assert_cmpuint (gvt_plane_get_hot_x (plane), ==, 3);
        g_assert_cmpuint (gvt_plane_get_hot_y (plane), ==, 5);
      }
}

static void
test_cursor_hotspot_unknown (void)
{
  g_autoptr (GvtBuffer) buffer = gvt_buffer_new_memory (g_malloc0 (1), 1, free_data);
  struct vfio_device_gfx_plane_info c = good_cursor ();

  /* 0xFFFFFFFF is "unknown" in the hotspot and -1 in the position. */
  c.x_pos = c.y_pos = 0xFFFFFFFFu;
  c.x_hot = c.y_hot = GVT_HOTSPOT_UNKNOWN;
  g_autoptr (GvtPlane) plane = gvt_plane_new (&c, GVT_PLANE_CURSOR, GVT_PLANE_SOURCE_DMABUF,
                                              buffer);
  g_assert_cmpint (gvt_plane_get_x (plane), ==, -1);
  g_assert_cmpint (gvt_plane_get_y (plane), ==, -1);
  g_assert_cmpuint (gvt_plane_get_hot_x (plane), ==, GVT_HOTSPOT_UNKNOWN);
  g_assert_cmpuint (gvt_plane_get_hot_y (plane), ==, GVT_HOTSPOT_UNKNOWN);

  /* A hotspot at the image's last pixel, the cursor half off the top. */
  c.x_pos = 7;
  c.y_pos = (guint32) -32;
  c.x_hot = 63;
  c.y_hot = 63;
  g_autoptr (GvtPlane) edge = gvt_plane_new (&c, GVT_PLANE_CURSOR, GVT_PLANE_SOURCE_DMABUF,
                                             buffer);
  g_assert_cmpint (gvt_plane_get_x (edge), ==, 7);
  g_assert_cmpint (gvt_plane_get_y (edge), ==, -32);
  g_assert_cmpuint (gvt_plane_get_hot_x (edge), ==, 63);
  g_assert_cmpuint (gvt_plane_get_hot_y (edge), ==, 63);
}

static void
test_needed_bytes (void)
{
  struct vfio_device_gfx_plane_info p = good_primary ();
  g_assert_cmpuint (gvt_plane_info_needed_bytes (&p), ==, 4096 * 768);

  /* Tiled: whole tile rows, as GVT-g sizes its buffers. */
  p.width = 1920;
  p.height = 1080;
  p.stride = 7680;
  p.drm_format_mod = I915_FORMAT_MOD_X_TILED; /* 8 rows: 1080 is whole */
  g_assert_cmpuint (gvt_plane_info_needed_bytes (&p), ==, 7680 * 1080);
  p.drm_format_mod = I915_FORMAT_MOD_Y_TILED; /* 32 rows: 1088 */
  g_assert_cmpuint (gvt_plane_info_needed_bytes (&p), ==, 7680 * 1088);

  /* 64-bit: the guest picks both factors. */
  p.drm_format_mod = DRM_FORMAT_MOD_LINEAR;
  p.stride = 0xFFFFFFFFu;
  p.height = GVT_PLANE_MAX_DIM;
  g_assert_cmpuint (gvt_plane_info_needed_bytes (&p), ==,
                    (guint64) 0xFFFFFFFFu * GVT_PLANE_MAX_DIM);
}

static void
test_buffer_dmabuf_map (void)
{
  int before = gvt_test_count_fds ();
  int fd = memfd_create ("test", MFD_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 8192), ==, 0);
  guint8 *w = mmap (NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  g_assert_true (w != MAP_FAILED);
  w[0] = 0x5a;
  w[8191] = 0xa5;

  GvtBuffer *a = gvt_buffer_new_dmabuf (fd, 8192);
  g_autoptr (GError) error = NULL;
  const guint8 *r = gvt_buffer_map (a, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r[0], ==, 0x5a);
  g_assert_cmpuint (r[8191], ==, 0xa5);
  g_assert_true (gvt_buffer_map (a, NULL) == r);
  g_assert_cmpint (gvt_buffer_get_fd (a), ==, fd);

  GvtBuffer *b = gvt_buffer_new_memory (g_malloc0 (4), 4,
                                        free_data);
  g_assert_cmpuint (gvt_buffer_get_serial (a), !=, gvt_buffer_get_serial (b));
  g_assert_cmpint (gvt_buffer_get_fd (b), ==, -1);
  gvt_buffer_unref (b);

  munmap (w, 8192);
  gvt_buffer_unref (a);
  /* The buffer owned the fd: it is closed now. */
  g_assert_cmpint (gvt_test_count_fds (), ==, before);
}

static void
test_buffer_unmappable (void)
{
  /* A pipe stands in for a dma-buf that refuses CPU access (GVT-g). */
  int fds[2];
  g_assert_cmpint (pipe (fds), ==, 0);
  close (fds[1]);
  g_autoptr (GvtBuffer) buffer = gvt_buffer_new_dmabuf (fds[0], 4096);
  g_autoptr (GError) error = NULL;
  g_assert_null (gvt_buffer_map (buffer, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "can't be mapped"));
}

static void
test_dmabuf_size (void)
{
  int fd = memfd_create ("test", MFD_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 40000), ==, 0);
  g_assert_cmpint (lseek (fd, 123, SEEK_SET), ==, 123);

  guint64 size = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (gvt_dmabuf_get_size (fd, &size, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (size, ==, 40000);
  /* Put back where a dma-buf can be: at the start. */
  g_assert_cmpint (lseek (fd, 0, SEEK_CUR), ==, 0);
  close (fd);

  /* Something that can't seek is not a dma-buf: no size to trust. */
  int fds[2];
  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_false (gvt_dmabuf_get_size (fds[0], &size, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_PLANE);
  g_assert_nonnull (strstr (error->message, "lseek"));
  close (fds[0]);
  close (fds[1]);
}

/* A buffer recorded as bigger than its file is not mapped: reading the
 * mapping past the file's end would be SIGBUS, not an error. */
static void
test_buffer_map_short (void)
{
  int fd = memfd_create ("test", MFD_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 4096), ==, 0);
  g_autoptr (GvtBuffer) buffer = gvt_buffer_new_dmabuf (fd, 8192);
  g_autoptr (GError) error = NULL;
  g_assert_null (gvt_buffer_map (buffer, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_PLANE);
  g_assert_nonnull (strstr (error->message, "has 4096 bytes, not the 8192"));
  /* Not tried again. */
  g_clear_error (&error);
  g_assert_null (gvt_buffer_map (buffer, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED);
}

static void
test_format_table (void)
{
  char buf[5];
  gsize n;
  const GvtFormat *all = gvt_format_get_all (&n);

  g_assert_cmpuint (gvt_format_lookup (DRM_FORMAT_RGB565)->cpp, ==, 2);
  g_assert_false (gvt_format_lookup (DRM_FORMAT_XRGB8888)->has_alpha);
  g_assert_true (gvt_format_lookup (DRM_FORMAT_ABGR8888)->has_alpha);
  g_assert_null (gvt_format_lookup (0));
  g_assert_null (gvt_format_lookup (DRM_FORMAT_NV12));
  g_assert_cmpuint (n, ==, 8);
  g_assert_cmpuint (gvt_format_lookup (DRM_FORMAT_BGR888)->cpp, ==, 3);
  for (gsize i = 0; i < n; i++)
    g_assert_true (gvt_format_lookup (all[i].fourcc) == &all[i]);
  g_assert_cmpstr (gvt_fourcc_to_string (DRM_FORMAT_XBGR2101010, buf), ==, "XB30");
  g_assert_cmpstr (gvt_fourcc_to_string (0x01020304, buf), ==, "????");
  g_assert_cmpstr (gvt_fourcc_to_string (DRM_FORMAT_R8, buf), ==, "R8  ");
  g_assert_cmpuint (gvt_modifier_tile_height (I915_FORMAT_MOD_X_TILED), ==, 8);
  g_assert_cmpuint (gvt_modifier_tile_height (I915_FORMAT_MOD_Y_TILED), ==, 32);
  g_assert_cmpuint (gvt_modifier_tile_height (I915_FORMAT_MOD_Yf_TILED), ==, 32);
  g_assert_cmpuint (gvt_modifier_tile_height (DRM_FORMAT_MOD_LINEAR), ==, 1);
}

static void
test_format_names (void)
{
  char buf[GVT_FORMAT_NAME_MAX], fcc[5];
  gsize n;
  const GvtFormat *all = gvt_format_get_all (&n);

  /* libdrm names every format of the table by its fourcc code. */
  for (gsize i = 0; i < n; i++)
    g_assert_cmpstr (gvt_format_to_string (all[i].fourcc, buf), ==,
                     gvt_fourcc_to_string (all[i].fourcc, fcc));
  g_assert_cmpstr (gvt_format_to_string (DRM_FORMAT_XRGB8888, buf), ==, "XR24");
  g_assert_cmpstr (gvt_format_to_string (DRM_FORMAT_NV12, buf), ==, "NV12");
  g_assert_cmpstr (gvt_format_to_string (DRM_FORMAT_R8, buf), ==, "R8");
  g_assert_cmpstr (gvt_format_to_string (DRM_FORMAT_XRGB8888 | DRM_FORMAT_BIG_ENDIAN, buf),
                   ==, "XR24_BE");
  g_assert_cmpstr (gvt_format_to_string (DRM_FORMAT_INVALID, buf), ==, "INVALID");
  /* libdrm passes unprintable bytes through: hex instead. */
  g_assert_cmpstr (gvt_format_to_string (0x01020304, buf), ==, "0x01020304");
  g_assert_cmpstr (gvt_format_to_string (fourcc_code ('X', 'R', '2', 0x7f), buf), ==,
                   "0x7f325258");
}

static void
test_modifier_names (void)
{
  char mod[GVT_MODIFIER_NAME_MAX];

  g_assert_cmpstr (gvt_modifier_to_string (DRM_FORMAT_MOD_LINEAR, mod), ==, "LINEAR");
  g_assert_cmpstr (gvt_modifier_to_string (DRM_FORMAT_MOD_INVALID, mod), ==, "INVALID");
  g_assert_cmpstr (gvt_modifier_to_string (I915_FORMAT_MOD_X_TILED, mod), ==, "INTEL_X_TILED");
  g_assert_cmpstr (gvt_modifier_to_string (I915_FORMAT_MOD_Y_TILED, mod), ==, "INTEL_Y_TILED");
  g_assert_cmpstr (gvt_modifier_to_string (I915_FORMAT_MOD_Yf_TILED, mod), ==, "INTEL_Yf_TILED");
  g_assert_cmpstr (gvt_modifier_to_string (I915_FORMAT_MOD_Y_TILED_GEN12_RC_CCS, mod), ==,
                   "INTEL_Y_TILED_GEN12_RC_CCS");
  g_assert_cmpstr (gvt_modifier_to_string (DRM_FORMAT_MOD_BROADCOM_VC4_T_TILED, mod), ==,
                   "BROADCOM_VC4_T_TILED");
  /* Nothing libdrm can name: no vendor's, an Intel code unknown to it, an
   * unknown vendor. */
  g_assert_cmpstr (gvt_modifier_to_string (0x123, mod), ==, "0x0000000000000123");
  g_assert_cmpstr (gvt_modifier_to_string (fourcc_mod_code (INTEL, 0x99), mod), ==,
                   "0x0100000000000099");
  g_assert_cmpstr (gvt_modifier_to_string (G_GUINT64_CONSTANT (0x4200000000000001), mod), ==,
                   "0x4200000000000001");
  /* NVIDIA's names spell out every field: too long for the buffer, hex
   * rather than a cut name. */
  guint64 nv = DRM_FORMAT_MOD_NVIDIA_BLOCK_LINEAR_2D (0, 1, 0, 0, 0);
  g_autofree char *want = g_strdup_printf ("0x%016" G_GINT64_MODIFIER "x", nv);
  g_assert_cmpstr (gvt_modifier_to_string (nv, mod), ==, want);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plane/validate/good", test_validate_good);
  g_test_add_func ("/plane/validate/bad-fields", test_validate_bad_fields);
  g_test_add_func ("/plane/validate/cursor", test_validate_cursor);
  g_test_add_func ("/plane/validate/region", test_validate_region);
  g_test_add_func ("/plane/empty", test_empty);
  g_test_add_func ("/plane/values", test_plane_values);
  g_test_add_func ("/plane/primary-has-no-position", test_primary_has_no_position);
  g_test_add_func ("/plane/cursor/position", test_cursor_position);
  g_test_add_func ("/plane/cursor/hotspot-unknown", test_cursor_hotspot_unknown);
  g_test_add_func ("/plane/cursor/hotspot-kept", test_cursor_hotspot_kept);
  g_test_add_func ("/plane/needed-bytes", test_needed_bytes);
  g_test_add_func ("/plane/buffer/dmabuf-size", test_dmabuf_size);
  g_test_add_func ("/plane/buffer/map-short", test_buffer_map_short);
  g_test_add_func ("/plane/buffer/dmabuf-map", test_buffer_dmabuf_map);
  g_test_add_func ("/plane/buffer/unmappable", test_buffer_unmappable);
  g_test_add_func ("/plane/format-table", test_format_table);
  g_test_add_func ("/plane/format-names", test_format_names);
  g_test_add_func ("/plane/modifier-names", test_modifier_names);
  return g_test_run ();
}
