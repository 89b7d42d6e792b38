/* Tests of the simulated vGPU at the raw gvt_vgpu_* op level: it must answer
 * like the kernel ABI (and its drivers' habits) for the poller to be tested
 * on it. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/format.h"
#include "sim/vgpu-sim.h"
#include "display/device.h"
#include "testutil.h"

typedef struct {
  GvtSimMode mode;
  GvtSimQuirks quirks;
  guint32 max_xres, max_yres;
} Config;

static const Config cfg_plain = { GVT_SIM_DMABUF, GVT_SIM_QUIRK_NONE, 0, 0 };
static const Config cfg_echo = { GVT_SIM_DMABUF, GVT_SIM_QUIRK_ECHO_WHEN_OFF, 0, 0 };
static const Config cfg_enomem = { GVT_SIM_DMABUF, GVT_SIM_QUIRK_ENOMEM_AFTER_MODESET, 0, 0 };
static const Config cfg_edid = { GVT_SIM_DMABUF, GVT_SIM_QUIRK_NONE, 2560, 1600 };
static const Config cfg_region = { GVT_SIM_REGION, GVT_SIM_QUIRK_NONE, 0, 0 };

typedef struct {
  int fds_before;
  GvtVgpu *vgpu;
  GvtSim *sim;
} Fixture;

typedef struct vfio_device_gfx_plane_info PlaneInfo;

#define PRIMARY 1
#define CURSOR  2
#define EDID_INDEX VFIO_PCI_NUM_REGIONS
#define REG(field) offsetof (struct vfio_region_gfx_edid, field)

static void
setup (Fixture *f, gconstpointer data)
{
  const Config *cfg = data;
  f->fds_before = gvt_test_count_fds ();
  f->vgpu = gvt_sim_new (cfg->mode, cfg->quirks, cfg->max_xres, cfg->max_yres);
  g_assert_nonnull (f->vgpu);
  f->sim = gvt_vgpu_get_sim (f->vgpu);
  g_assert_nonnull (f->sim);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  gvt_vgpu_free (f->vgpu);
  g_assert_cmpint (gvt_test_count_fds (), ==, f->fds_before);
}

/* A query as the poller makes it: zeroed, with the flags of @f's mode. */
static int
query_raw (Fixture *f, guint32 flags, guint32 plane_type, PlaneInfo *info)
{
  memset (info, 0, sizeof *info);
  info->argsz = sizeof *info;
  info->flags = flags;
  info->drm_plane_type = plane_type;
  return gvt_vgpu_query_plane (f->vgpu, info);
}

static PlaneInfo
query_ok (Fixture *f, guint32 plane_type)
{
  PlaneInfo info;
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, plane_type, &info), ==, 0);
  return info;
}

static void
assert_no_plane (const PlaneInfo *info)
{
  g_assert_cmpuint (info->drm_format, ==, 0);
  g_assert_cmpuint (info->size, ==, 0);
  g_assert_cmpuint (info->width, ==, 0);
  g_assert_cmpuint (info->dmabuf_id, ==, 0);
}

static gsize
fd_size (int fd)
{
  struct stat st;
  g_assert_cmpint (fstat (fd, &st), ==, 0);
  return (gsize) st.st_size;
}

static int
count_sim_mappings (void)
{
  g_autofree char *maps = NULL;
  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  int n = 0;
  for (const char *p = maps; (p = strstr (p, "memfd:gvt-sim-framebuffer")) != NULL; p++)
    n++;
  return n;
}

/* --- probing and argument checks --- */

static void
test_probe_dmabuf (Fixture *f, gconstpointer data)
{
  PlaneInfo info;
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info),
                   ==, 0);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_REGION, 0, &info),
                   ==, -EINVAL);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_PROBE, 0, &info), ==, -EINVAL);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF
                                   | VFIO_GFX_PLANE_TYPE_REGION, 0, &info), ==, -EINVAL);
}

static void
test_probe_region (Fixture *f, gconstpointer data)
{
  PlaneInfo info;
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_REGION, 0, &info),
                   ==, 0);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info),
                   ==, -EINVAL);
  /* A real query must use the region type here. */
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, PRIMARY, &info), ==, -EINVAL);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_REGION, PRIMARY, &info), ==, 0);
}

static void
test_query_argsz (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);

  PlaneInfo info = { .argsz = sizeof info - 1, .flags = VFIO_GFX_PLANE_TYPE_DMABUF,
                     .drm_plane_type = PRIMARY };
  g_assert_cmpint (gvt_vgpu_query_plane (f->vgpu, &info), ==, -EINVAL);
  g_assert_cmpuint (info.drm_format, ==, 0);
  info.argsz = 0;
  g_assert_cmpint (gvt_vgpu_query_plane (f->vgpu, &info), ==, -EINVAL);
  /* Probes need argsz too. */
  info.flags = VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF;
  g_assert_cmpint (gvt_vgpu_query_plane (f->vgpu, &info), ==, -EINVAL);

  /* A larger struct from a newer caller is fine. */
  struct {
    PlaneInfo info;
    guint8 extra[16];
  } big = { .info = { .argsz = sizeof big, .flags = VFIO_GFX_PLANE_TYPE_DMABUF,
                      .drm_plane_type = PRIMARY } };
  g_assert_cmpint (gvt_vgpu_query_plane (f->vgpu, &big.info), ==, 0);
  g_assert_cmpuint (big.info.width, ==, 640);
}

static void
test_query_bad_flags (Fixture *f, gconstpointer data)
{
  PlaneInfo info;
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  g_assert_cmpint (query_raw (f, 0, PRIMARY, &info), ==, -EINVAL);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_REGION, PRIMARY, &info), ==, -EINVAL);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF | VFIO_GFX_PLANE_TYPE_REGION, PRIMARY,
                              &info), ==, -EINVAL);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF | 0x100, PRIMARY, &info), ==, -EINVAL);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, PRIMARY, &info), ==, 0);
}

static void
test_query_bad_plane_type (Fixture *f, gconstpointer data)
{
  PlaneInfo info;
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info), ==, -EINVAL);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, 3, &info), ==, -EINVAL);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, 0xffffffff, &info), ==, -EINVAL);
  g_assert_cmpuint (info.drm_format, ==, 0);
}

static void
test_query_count (Fixture *f, gconstpointer data)
{
  PlaneInfo info;
  g_assert_cmpuint (gvt_sim_get_query_count (f->sim), ==, 0);
  query_raw (f, VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info);
  query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, PRIMARY, &info);
  query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, 7, &info); /* failed ones count too */
  g_assert_cmpuint (gvt_sim_get_query_count (f->sim), ==, 3);
}

/* --- planes off --- */

static void
fill_garbage (PlaneInfo *info, guint32 plane_type)
{
  memset (info, 0xab, sizeof *info);
  info->argsz = sizeof *info;
  info->flags = VFIO_GFX_PLANE_TYPE_DMABUF;
  info->drm_plane_type = plane_type;
}

static void
test_query_zero_when_off (Fixture *f, gconstpointer data)
{
  PlaneInfo info;

  /* The firmware phase, then a mode switched off again. */
  for (int round = 0; round < 2; round++)
    {
      for (guint32 type = PRIMARY; type <= CURSOR; type++)
        {
          fill_garbage (&info, type);
          g_assert_cmpint (gvt_vgpu_query_plane (f->vgpu, &info), ==, 0);
          g_assert_cmpuint (info.argsz, ==, sizeof info);
          g_assert_cmpuint (info.flags, ==, VFIO_GFX_PLANE_TYPE_DMABUF);
          g_assert_cmpuint (info.drm_plane_type, ==, type);
          assert_no_plane (&info);
          g_assert_cmpuint (info.drm_format_mod, ==, 0);
          g_assert_cmpuint (info.stride, ==, 0);
          g_assert_cmpuint (info.x_hot, ==, 0);
        }
      gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
      gvt_sim_set_cursor (f->sim, 64, 0, 0);
      gvt_sim_disable (f->sim);
    }
}

static void
test_query_echo_when_off (Fixture *f, gconstpointer data)
{
  PlaneInfo info, before;

  for (int round = 0; round < 2; round++)
    {
      for (guint32 type = PRIMARY; type <= CURSOR; type++)
        {
          fill_garbage (&info, type);
          before = info;
          g_assert_cmpint (gvt_vgpu_query_plane (f->vgpu, &info), ==, 0);
          g_assert_cmpmem (&info, sizeof info, &before, sizeof before);
        }
      gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
      gvt_sim_disable (f->sim);
    }

  /* With a plane on, the answer is real again. */
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  fill_garbage (&info, PRIMARY);
  g_assert_cmpint (gvt_vgpu_query_plane (f->vgpu, &info), ==, 0);
  g_assert_cmpuint (info.width, ==, 640);
  /* But a cursor that isn't there echoes as well. */
  fill_garbage (&info, CURSOR);
  before = info;
  g_assert_cmpint (gvt_vgpu_query_plane (f->vgpu, &info), ==, 0);
  g_assert_cmpmem (&info, sizeof info, &before, sizeof before);
}

/* --- plane fields --- */

static void
test_query_primary (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  PlaneInfo p = query_ok (f, PRIMARY);
  g_assert_cmpuint (p.argsz, ==, sizeof p);
  g_assert_cmpuint (p.flags, ==, VFIO_GFX_PLANE_TYPE_DMABUF);
  g_assert_cmpuint (p.drm_plane_type, ==, PRIMARY);
  g_assert_cmpuint (p.drm_format, ==, GVT_FORMAT_XRGB8888);
  g_assert_cmpuint (p.drm_format_mod, ==, GVT_MOD_LINEAR);
  g_assert_cmpuint (p.width, ==, 640);
  g_assert_cmpuint (p.height, ==, 480);
  g_assert_cmpuint (p.stride, ==, 2560);
  g_assert_cmpuint (p.size, ==, 2560 * 480);
  g_assert_cmpuint (p.x_pos, ==, 0);
  g_assert_cmpuint (p.y_pos, ==, 0);
  g_assert_cmpuint (p.dmabuf_id, !=, 0);
  g_assert_cmpuint (gvt_sim_get_stride (f->sim), ==, 2560);

  /* An explicit stride is kept and sizes the buffer. */
  gvt_sim_set_mode (f->sim, GVT_FORMAT_ABGR8888, GVT_MOD_LINEAR, 1000, 700, 4096);
  p = query_ok (f, PRIMARY);
  g_assert_cmpuint (p.drm_format, ==, GVT_FORMAT_ABGR8888);
  g_assert_cmpuint (p.stride, ==, 4096);
  g_assert_cmpuint (p.size, ==, 4096 * 700);

  gvt_sim_set_mode (f->sim, GVT_FORMAT_RGB565, GVT_MOD_LINEAR, 333, 10, 0);
  p = query_ok (f, PRIMARY);
  g_assert_cmpuint (p.stride, ==, 666);
  g_assert_cmpuint (p.size, ==, 6660);

  /* A format gvt-view doesn't know is the guest's right (YUYV on gen9). */
  guint32 yuyv = GVT_FOURCC ('Y', 'U', 'Y', 'V');
  gvt_sim_set_mode (f->sim, yuyv, GVT_MOD_LINEAR, 640, 480, 1280);
  p = query_ok (f, PRIMARY);
  g_assert_cmpuint (p.drm_format, ==, yuyv);
  g_assert_cmpuint (p.size, ==, 1280 * 480);
}

static void
test_query_primary_tiled (Fixture *f, gconstpointer data)
{
  /* X tiles are 512 bytes x 8 rows: 4000 -> 4096 bytes, 100 -> 104 rows. */
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_I915_X_TILED, 1000, 100, 0);
  PlaneInfo p = query_ok (f, PRIMARY);
  g_assert_cmpuint (p.drm_format_mod, ==, GVT_MOD_I915_X_TILED);
  g_assert_cmpuint (p.height, ==, 100);
  g_assert_cmpuint (p.stride, ==, 4096);
  g_assert_cmpuint (p.size, ==, 4096 * 104);

  /* Y tiles are 128 bytes x 32 rows: 400 -> 512 bytes, 50 -> 64 rows. */
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_I915_Y_TILED, 100, 50, 0);
  p = query_ok (f, PRIMARY);
  g_assert_cmpuint (p.stride, ==, 512);
  g_assert_cmpuint (p.size, ==, 512 * 64);

  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_I915_YF_TILED, 1920, 1080, 8192);
  p = query_ok (f, PRIMARY);
  g_assert_cmpuint (p.drm_format_mod, ==, GVT_MOD_I915_YF_TILED);
  g_assert_cmpuint (p.size, ==, 8192 * 1088);

  /* The dma-buf really has those bytes. */
  int fd = gvt_vgpu_get_dmabuf (f->vgpu, p.dmabuf_id);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpuint (fd_size (fd), >=, 8192 * 1088);
  close (fd);
}

static void
test_query_cursor (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  assert_no_plane ((PlaneInfo[]) { query_ok (f, CURSOR) });

  gvt_sim_set_cursor (f->sim, 128, 5, 6);
  gvt_sim_move_cursor (f->sim, 10, 20);
  PlaneInfo c = query_ok (f, CURSOR);
  g_assert_cmpuint (c.drm_plane_type, ==, CURSOR);
  g_assert_cmpuint (c.drm_format, ==, GVT_FORMAT_ARGB8888);
  g_assert_cmpuint (c.drm_format_mod, ==, 0);
  g_assert_cmpuint (c.width, ==, 128);
  g_assert_cmpuint (c.height, ==, 128);
  g_assert_cmpuint (c.stride, ==, 512);
  g_assert_cmpuint (c.size, ==, 512 * 128);
  g_assert_cmpuint (c.x_pos, ==, 10);
  g_assert_cmpuint (c.y_pos, ==, 20);
  g_assert_cmpuint (c.x_hot, ==, 5);
  g_assert_cmpuint (c.y_hot, ==, 6);
  g_assert_cmpuint (c.dmabuf_id, !=, 0);

  /* Unknown hotspot and a position with the sign bits dropped pass as is. */
  gvt_sim_set_cursor (f->sim, 64, 0xffffffff, 0xffffffff);
  gvt_sim_move_cursor (f->sim, 0x7ffffff0, 3);
  c = query_ok (f, CURSOR);
  g_assert_cmpuint (c.width, ==, 64);
  g_assert_cmpuint (c.x_hot, ==, 0xffffffff);
  g_assert_cmpuint (c.y_hot, ==, 0xffffffff);
  g_assert_cmpuint (c.x_pos, ==, 0x7ffffff0);

  /* The primary is unaffected by the cursor. */
  PlaneInfo p = query_ok (f, PRIMARY);
  g_assert_cmpuint (p.width, ==, 640);
  g_assert_cmpuint (p.x_pos, ==, 0);
}

static void
test_query_cursor_needs_primary (Fixture *f, gconstpointer data)
{
  /* A cursor defined before any mode is not shown. */
  gvt_sim_set_cursor (f->sim, 64, 1, 1);
  assert_no_plane ((PlaneInfo[]) { query_ok (f, CURSOR) });

  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  guint32 id = query_ok (f, CURSOR).dmabuf_id;
  g_assert_cmpuint (id, !=, 0);

  gvt_sim_disable (f->sim);
  assert_no_plane ((PlaneInfo[]) { query_ok (f, PRIMARY) });
  assert_no_plane ((PlaneInfo[]) { query_ok (f, CURSOR) });

  /* Back on: the same image with the same id. */
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  g_assert_cmpuint (query_ok (f, CURSOR).dmabuf_id, ==, id);
}

/* --- dmabuf ids --- */

static void
test_ids_distinct_and_stable (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_sim_set_cursor (f->sim, 64, 0, 0);
  guint32 front = query_ok (f, PRIMARY).dmabuf_id;
  guint32 cursor = query_ok (f, CURSOR).dmabuf_id;
  for (int i = 0; i < 10; i++)
    {
      g_assert_cmpuint (query_ok (f, PRIMARY).dmabuf_id, ==, front);
      g_assert_cmpuint (query_ok (f, CURSOR).dmabuf_id, ==, cursor);
    }
  gvt_sim_page_flip (f->sim);
  guint32 back = query_ok (f, PRIMARY).dmabuf_id;

  g_assert_cmpuint (front, !=, 0);
  g_assert_cmpuint (back, !=, 0);
  g_assert_cmpuint (cursor, !=, 0);
  g_assert_cmpuint (front, !=, back);
  g_assert_cmpuint (front, !=, cursor);
  g_assert_cmpuint (back, !=, cursor);
  /* Small integers, lowest first: the documented allocator. */
  g_assert_cmpuint (front, ==, 1);
  g_assert_cmpuint (back, ==, 2);
  g_assert_cmpuint (cursor, ==, 3);
}

static void
test_ids_page_flip (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  guint32 a = query_ok (f, PRIMARY).dmabuf_id;

  /* The guest draws into the back buffer, then flips it to the front. */
  guint8 *back = gvt_sim_get_pixels (f->sim, TRUE);
  guint8 *front = gvt_sim_get_pixels (f->sim, FALSE);
  g_assert_true (back != front);
  back[0] = 0x5a;

  gvt_sim_page_flip (f->sim);
  PlaneInfo p = query_ok (f, PRIMARY);
  g_assert_cmpuint (p.dmabuf_id, !=, a);
  g_assert_cmpuint (p.width, ==, 640);
  g_assert_true (gvt_sim_get_pixels (f->sim, FALSE) == back);
  g_assert_true (gvt_sim_get_pixels (f->sim, TRUE) == front);

  int fd = gvt_vgpu_get_dmabuf (f->vgpu, p.dmabuf_id);
  g_assert_cmpint (fd, >=, 0);
  guint8 *map = mmap (NULL, p.size, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);
  g_assert_cmpuint (map[0], ==, 0x5a);
  munmap (map, p.size);
  close (fd);

  gvt_sim_page_flip (f->sim);
  g_assert_cmpuint (query_ok (f, PRIMARY).dmabuf_id, ==, a);
}

static void
test_ids_mode_change (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  guint32 a_front = query_ok (f, PRIMARY).dmabuf_id;
  gvt_sim_page_flip (f->sim);
  guint32 a_back = query_ok (f, PRIMARY).dmabuf_id;

  /* Each geometry field makes another mode. */
  const guint32 modes[][5] = {
    { GVT_FORMAT_XRGB8888, 800, 600, 0 },
    { GVT_FORMAT_XBGR8888, 640, 480, 0 },
    { GVT_FORMAT_XRGB8888, 640, 480, 4096 },
    { GVT_FORMAT_XRGB8888, 640, 481, 0 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      gvt_sim_set_mode (f->sim, modes[i][0], GVT_MOD_LINEAR, modes[i][1], modes[i][2],
                        modes[i][3]);
      PlaneInfo p = query_ok (f, PRIMARY);
      g_assert_cmpuint (p.width, ==, modes[i][1]);
      g_assert_cmpuint (p.dmabuf_id, !=, a_front);
      g_assert_cmpuint (p.dmabuf_id, !=, a_back);
      /* Go back, so that A stays one of the remembered modes. */
      gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
      g_assert_cmpuint (query_ok (f, PRIMARY).dmabuf_id, ==, a_front);
    }

  /* The modifier too. */
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_I915_X_TILED, 640, 480, 0);
  g_assert_cmpuint (query_ok (f, PRIMARY).dmabuf_id, !=, a_front);
}

static void
test_ids_mode_returns (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  guint32 a_front = query_ok (f, PRIMARY).dmabuf_id;
  gvt_sim_page_flip (f->sim);
  guint32 a_back = query_ok (f, PRIMARY).dmabuf_id;
  gvt_sim_get_pixels (f->sim, FALSE)[100] = 0x77;
  gvt_sim_get_pixels (f->sim, TRUE)[100] = 0x78;

  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 1024, 768, 0);
  guint32 b_front = query_ok (f, PRIMARY).dmabuf_id;
  g_assert_cmpuint (b_front, ==, 3);

  /* A again: its ids, showing its first buffer (even though A was left
   * flipped), zero-filled like any new mode. */
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  PlaneInfo p = query_ok (f, PRIMARY);
  g_assert_cmpuint (p.dmabuf_id, ==, a_front);
  g_assert_cmpuint (p.width, ==, 640);
  g_assert_cmpuint (gvt_sim_get_pixels (f->sim, FALSE)[100], ==, 0);
  g_assert_cmpuint (gvt_sim_get_pixels (f->sim, TRUE)[100], ==, 0);
  gvt_sim_page_flip (f->sim);
  g_assert_cmpuint (query_ok (f, PRIMARY).dmabuf_id, ==, a_back);

  /* And B is still remembered. */
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 1024, 768, 0);
  g_assert_cmpuint (query_ok (f, PRIMARY).dmabuf_id, ==, b_front);
}

static void
test_ids_reuse_other_geometry (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (GVT_SIM_KEPT_MODES, ==, 2);

  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);   /* A: 1, 2 */
  PlaneInfo a = query_ok (f, PRIMARY);
  int fd_a = gvt_vgpu_get_dmabuf (f->vgpu, a.dmabuf_id);
  g_assert_cmpint (fd_a, >=, 0);
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 1024, 768, 0);  /* B: 3, 4 */
  PlaneInfo b = query_ok (f, PRIMARY);
  g_assert_cmpuint (b.dmabuf_id, ==, 3);

  /* C evicts A, the least recently set, and takes its ids. */
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 320, 200, 0);
  PlaneInfo c = query_ok (f, PRIMARY);
  g_assert_cmpuint (c.dmabuf_id, ==, a.dmabuf_id);
  g_assert_cmpuint (c.width, ==, 320);
  g_assert_cmpuint (c.size, !=, a.size);
  gvt_sim_page_flip (f->sim);
  g_assert_cmpuint (query_ok (f, PRIMARY).dmabuf_id, ==, 2);

  /* The id now names C's buffer; the fd taken for A still holds A's. */
  int fd_c = gvt_vgpu_get_dmabuf (f->vgpu, c.dmabuf_id);
  g_assert_cmpint (fd_c, >=, 0);
  g_assert_cmpuint (c.size, ==, 256000);
  g_assert_cmpuint (fd_size (fd_c), ==, 63 * 4096); /* whole pages */
  g_assert_cmpuint (fd_size (fd_a), ==, 2560 * 480);
  g_assert_cmpuint (gvt_sim_get_dmabuf_gets (f->sim, a.dmabuf_id), ==, 2);
  gvt_sim_get_pixels (f->sim, TRUE)[0] = 0x33; /* C's first buffer is the back one now */
  guint8 *map = mmap (NULL, c.size, PROT_READ, MAP_SHARED, fd_c, 0);
  g_assert_true (map != MAP_FAILED);
  g_assert_cmpuint (map[0], ==, 0x33);
  munmap (map, c.size);
  close (fd_c);
  close (fd_a);

  /* A is forgotten: back again, it evicts B (C is current) and gets B's ids. */
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  g_assert_cmpuint (query_ok (f, PRIMARY).dmabuf_id, ==, b.dmabuf_id);
}

static void
test_ids_never_same_key (Fixture *f, gconstpointer data)
{
  /* A(1, 2), B(3, 4), C evicts A (1, 2), D evicts B (3, 4). */
  const guint32 widths[] = { 640, 800, 1024, 1280 };
  for (gsize i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, widths[i], 480, 0);
      g_assert_cmpuint (query_ok (f, PRIMARY).dmabuf_id, ==, 1 + 2 * (i % 2));
    }
  /* A again evicts C: ids 1 and 2 are free but named A's buffers before,
   * and a consumer may still hold those under (1, A): A gets fresh ids. */
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  g_assert_cmpuint (query_ok (f, PRIMARY).dmabuf_id, ==, 5);
  gvt_sim_page_flip (f->sim);
  g_assert_cmpuint (query_ok (f, PRIMARY).dmabuf_id, ==, 6);

  /* New cursor images of one size never share an id... */
  guint32 seen[8];
  for (gsize i = 0; i < G_N_ELEMENTS (seen); i++)
    {
      gvt_sim_set_cursor (f->sim, 64, 0, 0);
      seen[i] = query_ok (f, CURSOR).dmabuf_id;
      for (gsize j = 0; j < i; j++)
        g_assert_cmpuint (seen[i], !=, seen[j]);
    }
  /* ...but another size takes the lowest free id: 1 (C was evicted). */
  gvt_sim_set_cursor (f->sim, 128, 0, 0);
  g_assert_cmpuint (query_ok (f, CURSOR).dmabuf_id, ==, 1);
}

static void
test_ids_cursor (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_sim_set_cursor (f->sim, 64, 0, 0);
  guint32 id = query_ok (f, CURSOR).dmabuf_id;
  g_assert_cmpuint (id, ==, 3);

  /* A move keeps the id. */
  gvt_sim_move_cursor (f->sim, 300, 400);
  PlaneInfo c = query_ok (f, CURSOR);
  g_assert_cmpuint (c.dmabuf_id, ==, id);
  g_assert_cmpuint (c.x_pos, ==, 300);
  g_assert_cmpuint (c.y_pos, ==, 400);

  /* A new image of the same size is a new id, and the position stays. */
  gvt_sim_set_cursor (f->sim, 64, 0, 0);
  c = query_ok (f, CURSOR);
  g_assert_cmpuint (c.dmabuf_id, !=, id);
  g_assert_cmpuint (c.dmabuf_id, ==, 4);
  g_assert_cmpuint (c.x_pos, ==, 300);
  /* The old image is gone. */
  g_assert_cmpint (gvt_vgpu_get_dmabuf (f->vgpu, id), ==, -EINVAL);

  /* Hidden: no cursor plane, and the id is free for the next buffer. */
  gvt_sim_hide_cursor (f->sim);
  assert_no_plane ((PlaneInfo[]) { query_ok (f, CURSOR) });
  g_assert_null (gvt_sim_get_cursor_pixels (f->sim));
  g_assert_cmpint (gvt_vgpu_get_dmabuf (f->vgpu, 4), ==, -EINVAL);
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 800, 600, 0);
  g_assert_cmpuint (query_ok (f, PRIMARY).dmabuf_id, ==, 3);
  gvt_sim_page_flip (f->sim);
  g_assert_cmpuint (query_ok (f, PRIMARY).dmabuf_id, ==, 4);

  /* A new image of another size doesn't take the old image's id either. */
  gvt_sim_set_cursor (f->sim, 64, 0, 0);
  id = query_ok (f, CURSOR).dmabuf_id;
  g_assert_cmpuint (id, ==, 5);
  gvt_sim_set_cursor (f->sim, 128, 0, 0);
  c = query_ok (f, CURSOR);
  g_assert_cmpuint (c.width, ==, 128);
  g_assert_cmpuint (c.dmabuf_id, !=, id);
}

/* --- quirks and injections --- */

static void
test_quirk_enomem (Fixture *f, gconstpointer data)
{
  PlaneInfo info;

  /* Nothing pending before the first mode. */
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, PRIMARY, &info), ==, 0);

  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  /* Probes and cursor queries don't consume it. */
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info),
                   ==, 0);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, CURSOR, &info), ==, 0);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, PRIMARY, &info), ==, -ENOMEM);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, PRIMARY, &info), ==, 0);
  g_assert_cmpuint (info.width, ==, 640);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, PRIMARY, &info), ==, 0);

  /* Flips are no mode change; every set_mode is, even the same mode. */
  gvt_sim_page_flip (f->sim);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, PRIMARY, &info), ==, 0);
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, PRIMARY, &info), ==, -ENOMEM);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, PRIMARY, &info), ==, 0);
}

static void
test_quirk_none_no_enomem (Fixture *f, gconstpointer data)
{
  PlaneInfo info;
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, PRIMARY, &info), ==, 0);
  g_assert_cmpuint (info.width, ==, 640);
}

static void
test_inject_plane (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  guint32 id = query_ok (f, PRIMARY).dmabuf_id;

  PlaneInfo evil;
  memset (&evil, 0xee, sizeof evil);
  evil.drm_format = GVT_FOURCC ('N', 'V', '1', '2');
  evil.width = 100000;
  evil.dmabuf_id = 4242;
  gvt_sim_inject_plane (f->sim, PRIMARY, &evil);

  /* The cursor query is not the one overridden. */
  assert_no_plane ((PlaneInfo[]) { query_ok (f, CURSOR) });

  PlaneInfo p = query_ok (f, PRIMARY);
  /* What the device writes comes from the injection, verbatim... */
  g_assert_cmpmem ((guint8 *) &p + offsetof (PlaneInfo, drm_format),
                   sizeof p - offsetof (PlaneInfo, drm_format),
                   (guint8 *) &evil + offsetof (PlaneInfo, drm_format),
                   sizeof evil - offsetof (PlaneInfo, drm_format));
  /* ...what the caller passed in stays. */
  g_assert_cmpuint (p.argsz, ==, sizeof p);
  g_assert_cmpuint (p.flags, ==, VFIO_GFX_PLANE_TYPE_DMABUF);
  g_assert_cmpuint (p.drm_plane_type, ==, PRIMARY);

  /* Once. */
  p = query_ok (f, PRIMARY);
  g_assert_cmpuint (p.dmabuf_id, ==, id);
  g_assert_cmpuint (p.width, ==, 640);
  /* An injected id is no buffer. */
  g_assert_cmpint (gvt_vgpu_get_dmabuf (f->vgpu, 4242), ==, -EINVAL);
}

static void
test_inject_plane_when_off (Fixture *f, gconstpointer data)
{
  /* Injection works in the firmware phase too, and for the cursor. */
  PlaneInfo cursor = { .drm_format = GVT_FORMAT_ARGB8888, .width = 64, .height = 64,
                       .stride = 256, .size = 16384, .x_hot = 99, .dmabuf_id = 7 };
  gvt_sim_inject_plane (f->sim, CURSOR, &cursor);
  assert_no_plane ((PlaneInfo[]) { query_ok (f, PRIMARY) });
  PlaneInfo c = query_ok (f, CURSOR);
  g_assert_cmpuint (c.x_hot, ==, 99);
  g_assert_cmpuint (c.dmabuf_id, ==, 7);
  assert_no_plane ((PlaneInfo[]) { query_ok (f, CURSOR) });

  /* An invalid query doesn't consume it. */
  PlaneInfo p, info;
  gvt_sim_inject_plane (f->sim, PRIMARY, &cursor);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_REGION, PRIMARY, &info), ==, -EINVAL);
  p = query_ok (f, PRIMARY);
  g_assert_cmpuint (p.dmabuf_id, ==, 7);
}

static void
test_inject_error (Fixture *f, gconstpointer data)
{
  PlaneInfo info;
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);

  const int errors[] = { EFAULT, EINVAL, ENOMEM, EIO, EAGAIN };
  for (gsize i = 0; i < G_N_ELEMENTS (errors); i++)
    {
      gvt_sim_inject_error (f->sim, errors[i]);
      g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, PRIMARY, &info), ==, -errors[i]);
      g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, PRIMARY, &info), ==, 0);
      g_assert_cmpuint (info.width, ==, 640);
    }

  /* Any kind of query takes it, a probe included. */
  gvt_sim_inject_error (f->sim, EFAULT);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info),
                   ==, -EFAULT);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info),
                   ==, 0);
  /* GET is not a query. */
  gvt_sim_inject_error (f->sim, EFAULT);
  int fd = gvt_vgpu_get_dmabuf (f->vgpu, 1);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, CURSOR, &info), ==, -EFAULT);
}

static void
test_lost (Fixture *f, gconstpointer data)
{
  PlaneInfo info;
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_sim_set_cursor (f->sim, 64, 0, 0);
  PlaneInfo p = query_ok (f, PRIMARY);
  int fd = gvt_vgpu_get_dmabuf (f->vgpu, p.dmabuf_id);
  g_assert_cmpint (fd, >=, 0);
  gvt_sim_get_pixels (f->sim, FALSE)[8] = 0x99;

  gvt_sim_inject_error (f->sim, EFAULT);
  gvt_sim_lose_device (f->sim);

  struct vfio_device_info dev;
  GvtRegionInfo region;
  guint32 value = 0;
  void *map = NULL;
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, PRIMARY, &info), ==, -ENODEV);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_DMABUF, CURSOR, &info), ==, -ENODEV);
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info),
                   ==, -ENODEV);
  g_assert_cmpint (gvt_vgpu_get_dmabuf (f->vgpu, p.dmabuf_id), ==, -ENODEV);
  g_assert_cmpint (gvt_vgpu_get_device_info (f->vgpu, &dev), ==, -ENODEV);
  g_assert_cmpint (gvt_vgpu_get_region_info (f->vgpu, 0, &region), ==, -ENODEV);
  g_assert_cmpint (gvt_vgpu_get_region_info (f->vgpu, EDID_INDEX, &region), ==, -ENODEV);
  g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, EDID_INDEX, 0, &value, 4), ==, -ENODEV);
  g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, EDID_INDEX, 0, &value, 4), ==, -ENODEV);
  g_assert_cmpint (gvt_vgpu_region_mmap (f->vgpu, 16, 0, 4096, PROT_READ, &map), ==, -ENODEV);
  g_assert_null (map);

  /* What was handed out stays the holder's and keeps working. */
  guint8 *pixels = mmap (NULL, p.size, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (pixels != MAP_FAILED);
  g_assert_cmpuint (pixels[8], ==, 0x99);
  munmap (pixels, p.size);
  close (fd);
}

static void
test_lost_edid (Fixture *f, gconstpointer data)
{
  guint32 value = 0;
  gvt_sim_lose_device (f->sim);
  g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, EDID_INDEX, REG (link_state), &value, 4), ==,
                   -ENODEV);
  value = VFIO_DEVICE_GFX_LINK_STATE_DOWN;
  g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, EDID_INDEX, REG (link_state), &value, 4), ==,
                   -ENODEV);
  g_assert_cmpstr (gvt_sim_get_link_log (f->sim), ==, "");
}

/* --- GET_GFX_DMABUF --- */

static void
test_dmabuf_gets_counted (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_sim_set_cursor (f->sim, 64, 0, 0);
  guint32 front = query_ok (f, PRIMARY).dmabuf_id;
  guint32 cursor = query_ok (f, CURSOR).dmabuf_id;

  g_assert_cmpuint (gvt_sim_get_dmabuf_gets (f->sim, front), ==, 0);
  g_assert_cmpuint (gvt_sim_get_total_dmabuf_gets (f->sim), ==, 0);
  int fds[3];
  fds[0] = gvt_vgpu_get_dmabuf (f->vgpu, front);
  fds[1] = gvt_vgpu_get_dmabuf (f->vgpu, front);
  fds[2] = gvt_vgpu_get_dmabuf (f->vgpu, cursor);
  for (int i = 0; i < 3; i++)
    g_assert_cmpint (fds[i], >=, 0);
  /* Each GET is a new fd. */
  g_assert_cmpint (fds[0], !=, fds[1]);
  g_assert_cmpuint (gvt_sim_get_dmabuf_gets (f->sim, front), ==, 2);
  g_assert_cmpuint (gvt_sim_get_dmabuf_gets (f->sim, cursor), ==, 1);
  g_assert_cmpuint (gvt_sim_get_total_dmabuf_gets (f->sim), ==, 3);

  /* Unknown ids fail, and the device saw them all the same. */
  g_assert_cmpint (gvt_vgpu_get_dmabuf (f->vgpu, 0), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_get_dmabuf (f->vgpu, 999), ==, -EINVAL);
  g_assert_cmpuint (gvt_sim_get_dmabuf_gets (f->sim, 999), ==, 1);
  g_assert_cmpuint (gvt_sim_get_dmabuf_gets (f->sim, 0), ==, 1);
  g_assert_cmpuint (gvt_sim_get_total_dmabuf_gets (f->sim), ==, 5);

  /* The back buffer is a buffer too, before it is ever shown. */
  int back = gvt_vgpu_get_dmabuf (f->vgpu, 2);
  g_assert_cmpint (back, >=, 0);
  close (back);

  for (int i = 0; i < 3; i++)
    close (fds[i]);
}

static void
test_dmabuf_cloexec (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_sim_set_cursor (f->sim, 64, 0, 0);
  guint32 ids[] = { query_ok (f, PRIMARY).dmabuf_id, query_ok (f, CURSOR).dmabuf_id };
  for (gsize i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      int fd = gvt_vgpu_get_dmabuf (f->vgpu, ids[i]);
      g_assert_cmpint (fd, >=, 0);
      int flags = fcntl (fd, F_GETFD);
      g_assert_cmpint (flags, >=, 0);
      g_assert_true (flags & FD_CLOEXEC);
      close (fd);
    }
}

static void
test_dmabuf_new_file_per_get (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  guint32 id = query_ok (f, PRIMARY).dmabuf_id;
  int a = gvt_vgpu_get_dmabuf (f->vgpu, id);
  int b = gvt_vgpu_get_dmabuf (f->vgpu, id);
  g_assert_cmpint (a, >=, 0);
  g_assert_cmpint (b, >=, 0);
  /* One holder's seek must not move another's. */
  g_assert_cmpint (lseek (a, 4096, SEEK_SET), ==, 4096);
  g_assert_cmpint (lseek (b, 0, SEEK_CUR), ==, 0);
  /* The dma-buf size is the buffer's, in whole pages. */
  g_assert_cmpuint (fd_size (a), ==, 2560 * 480);
  close (a);
  close (b);
}

static void
test_dmabuf_pixels_visible (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_sim_set_cursor (f->sim, 64, 0, 0);
  PlaneInfo p = query_ok (f, PRIMARY);
  PlaneInfo c = query_ok (f, CURSOR);
  guint8 *pixels = gvt_sim_get_pixels (f->sim, FALSE);
  guint8 *cursor_pixels = gvt_sim_get_cursor_pixels (f->sim);
  g_assert_nonnull (pixels);
  g_assert_nonnull (cursor_pixels);

  /* Zero-filled to begin with. */
  for (gsize i = 0; i < p.size; i += 997)
    g_assert_cmpuint (pixels[i], ==, 0);

  int fd = gvt_vgpu_get_dmabuf (f->vgpu, p.dmabuf_id);
  int cfd = gvt_vgpu_get_dmabuf (f->vgpu, c.dmabuf_id);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (cfd, >=, 0);
  guint8 *map = mmap (NULL, p.size, PROT_READ, MAP_SHARED, fd, 0);
  guint8 *cmap = mmap (NULL, c.size, PROT_READ, MAP_SHARED, cfd, 0);
  g_assert_true (map != MAP_FAILED);
  g_assert_true (cmap != MAP_FAILED);

  /* Writes after the mapping was made show through it: it is the memory,
   * not a copy. */
  pixels[0] = 0x11;
  pixels[2560 * 479 + 4 * 639 + 3] = 0x22;
  cursor_pixels[64 * 4 * 63] = 0x44;
  g_assert_cmpuint (map[0], ==, 0x11);
  g_assert_cmpuint (map[2560 * 479 + 4 * 639 + 3], ==, 0x22);
  g_assert_cmpuint (cmap[64 * 4 * 63], ==, 0x44);

  munmap (map, p.size);
  munmap (cmap, c.size);
  close (fd);
  close (cfd);
}

static void
test_dmabuf_fd_outlives_device (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  PlaneInfo p = query_ok (f, PRIMARY);
  int fd = gvt_vgpu_get_dmabuf (f->vgpu, p.dmabuf_id);
  g_assert_cmpint (fd, >=, 0);
  memset (gvt_sim_get_pixels (f->sim, FALSE), 0xc3, p.size);

  g_clear_pointer (&f->vgpu, gvt_vgpu_free);
  g_assert_cmpint (gvt_test_count_fds (), ==, f->fds_before + 1);
  g_assert_cmpint (count_sim_mappings (), ==, 0);

  guint8 *map = mmap (NULL, p.size, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);
  g_assert_cmpuint (map[0], ==, 0xc3);
  g_assert_cmpuint (map[p.size - 1], ==, 0xc3);
  munmap (map, p.size);
  close (fd);
}

/* --- the device, its regions --- */

static void
test_device_info (Fixture *f, gconstpointer data)
{
  const Config *cfg = data;
  struct vfio_device_info info;
  memset (&info, 0xff, sizeof info);
  g_assert_cmpint (gvt_vgpu_get_device_info (f->vgpu, &info), ==, 0);
  g_assert_true (info.flags & VFIO_DEVICE_FLAGS_PCI);
  g_assert_cmpuint (info.num_regions, ==, VFIO_PCI_NUM_REGIONS + (cfg->max_xres ? 1 : 0));
  g_assert_cmpuint (info.num_irqs, ==, VFIO_PCI_NUM_IRQS);
  g_assert_cmpuint (info.argsz, ==, sizeof info);
  g_assert_cmpstr (gvt_vgpu_get_name (f->vgpu), ==, "sim");
}

static void
test_region_indices (Fixture *f, gconstpointer data)
{
  const Config *cfg = data;
  GvtRegionInfo info;

  /* The standard PCI regions exist and are empty: the sim has no BARs. */
  for (guint32 i = 0; i < VFIO_PCI_NUM_REGIONS; i++)
    {
      memset (&info, 0xff, sizeof info);
      g_assert_cmpint (gvt_vgpu_get_region_info (f->vgpu, i, &info), ==, 0);
      g_assert_cmpuint (info.index, ==, i);
      g_assert_cmpuint (info.size, ==, 0);
      g_assert_cmpuint (info.flags, ==, 0);
      g_assert_cmpuint (info.type, ==, 0);
      g_assert_cmpuint (info.offset, ==, (guint64) i << 40);
    }

  guint32 value;
  void *map = NULL;
  const guint32 bad[] = { EDID_INDEX + 1, 15, 16, 17, 1000, G_MAXUINT32 };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_cmpint (gvt_vgpu_get_region_info (f->vgpu, bad[i], &info), ==, -EINVAL);
      g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, bad[i], 0, &value, 4), ==, -EINVAL);
      g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, bad[i], 0, &value, 4), ==, -EINVAL);
      g_assert_cmpint (gvt_vgpu_region_mmap (f->vgpu, bad[i], 0, 4096, PROT_READ, &map), ==,
                       -EINVAL);
    }
  if (cfg->max_xres == 0)
    {
      g_assert_cmpint (gvt_vgpu_get_region_info (f->vgpu, EDID_INDEX, &info), ==, -EINVAL);
      g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, EDID_INDEX, 0, &value, 4), ==, -EINVAL);
    }
  /* BARs can't be read, written or mapped either. */
  g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, 0, 0, &value, 4), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, 7, 0, &value, 4), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_region_mmap (f->vgpu, 0, 0, 4096, PROT_READ, &map), ==, -EINVAL);
  g_assert_null (map);

  /* A mode changes nothing about region 16 for a dma-buf device. */
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  g_assert_cmpint (gvt_vgpu_get_region_info (f->vgpu, 16, &info), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_region_mmap (f->vgpu, 16, 0, 4096, PROT_READ, &map), ==, -EINVAL);
}

/* --- REGION mode (mdpy) --- */

static PlaneInfo
query_region_ok (Fixture *f, guint32 plane_type)
{
  PlaneInfo info;
  g_assert_cmpint (query_raw (f, VFIO_GFX_PLANE_TYPE_REGION, plane_type, &info), ==, 0);
  return info;
}

static void
test_region_query (Fixture *f, gconstpointer data)
{
  assert_no_plane ((PlaneInfo[]) { query_region_ok (f, PRIMARY) });

  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 1024, 768, 0);
  PlaneInfo p = query_region_ok (f, PRIMARY);
  g_assert_cmpuint (p.flags, ==, VFIO_GFX_PLANE_TYPE_REGION);
  g_assert_cmpuint (p.drm_format, ==, GVT_FORMAT_XRGB8888);
  g_assert_cmpuint (p.drm_format_mod, ==, 0);
  g_assert_cmpuint (p.width, ==, 1024);
  g_assert_cmpuint (p.height, ==, 768);
  g_assert_cmpuint (p.stride, ==, 4096);
  g_assert_cmpuint (p.region_index, ==, 16);
  /* mdpy's size: the power of two above stride * height (3 MiB). */
  g_assert_cmpuint (p.size, ==, 4 << 20);

  /* No cursor plane, no flips, no dma-bufs. */
  gvt_sim_page_flip (f->sim);
  g_assert_cmpuint (query_region_ok (f, PRIMARY).region_index, ==, 16);
  assert_no_plane ((PlaneInfo[]) { query_region_ok (f, CURSOR) });
  g_assert_true (gvt_sim_get_pixels (f->sim, TRUE) == gvt_sim_get_pixels (f->sim, FALSE));
  g_assert_cmpint (gvt_vgpu_get_dmabuf (f->vgpu, 0), ==, -ENOTTY);
  g_assert_cmpint (gvt_vgpu_get_dmabuf (f->vgpu, 1), ==, -ENOTTY);

  gvt_sim_disable (f->sim);
  assert_no_plane ((PlaneInfo[]) { query_region_ok (f, PRIMARY) });
}

static void
test_region_info (Fixture *f, gconstpointer data)
{
  GvtRegionInfo info;

  /* No framebuffer before the first mode. */
  g_assert_cmpint (gvt_vgpu_get_region_info (f->vgpu, 16, &info), ==, -EINVAL);

  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  g_assert_cmpint (gvt_vgpu_get_region_info (f->vgpu, 16, &info), ==, 0);
  g_assert_cmpuint (info.index, ==, 16);
  g_assert_cmpuint (info.flags, ==, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE
                                      | VFIO_REGION_INFO_FLAG_MMAP);
  g_assert_cmpuint (info.size, ==, 2 << 20);
  g_assert_cmpuint (info.size, >=, 2560 * 480);
  g_assert_cmpuint (info.offset, ==, G_GUINT64_CONSTANT (16) << 40);
  g_assert_cmpuint (info.type, ==, 0);

  /* Not listed: the caller has to know to ask for 16. */
  struct vfio_device_info dev;
  g_assert_cmpint (gvt_vgpu_get_device_info (f->vgpu, &dev), ==, 0);
  g_assert_cmpuint (dev.num_regions, ==, VFIO_PCI_NUM_REGIONS);
  g_assert_cmpuint (dev.num_regions, <=, 16);

  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 1920, 1080, 0);
  g_assert_cmpint (gvt_vgpu_get_region_info (f->vgpu, 16, &info), ==, 0);
  g_assert_cmpuint (info.size, ==, 8 << 20);
}

static void
test_region_mmap (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  PlaneInfo p = query_region_ok (f, PRIMARY);
  guint8 *pixels = gvt_sim_get_pixels (f->sim, FALSE);

  void *out = NULL;
  g_assert_cmpint (gvt_vgpu_region_mmap (f->vgpu, 16, 0, p.size, PROT_READ, &out), ==, 0);
  guint8 *map = out;
  pixels[4 * 639] = 0x42;
  pixels[2560 * 479] = 0x43;
  g_assert_cmpuint (map[4 * 639], ==, 0x42);
  g_assert_cmpuint (map[2560 * 479], ==, 0x43);
  munmap (map, p.size);

  /* A page further in, and a writable mapping. */
  g_assert_cmpint (gvt_vgpu_region_mmap (f->vgpu, 16, 4096, 4096, PROT_READ | PROT_WRITE, &out),
                   ==, 0);
  ((guint8 *) out)[1] = 0x55;
  g_assert_cmpuint (pixels[4097], ==, 0x55);
  munmap (out, 4096);

  /* Inside the region only; mdpy serves no read or write. */
  out = NULL;
  g_assert_cmpint (gvt_vgpu_region_mmap (f->vgpu, 16, 0, p.size + 4096, PROT_READ, &out), ==,
                   -EINVAL);
  g_assert_cmpint (gvt_vgpu_region_mmap (f->vgpu, 16, p.size, 4096, PROT_READ, &out), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_region_mmap (f->vgpu, 16, 0, 0, PROT_READ, &out), ==, -EINVAL);
  g_assert_null (out);
  guint32 value;
  g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, 16, 0, &value, 4), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, 16, 0, &value, 4), ==, -EINVAL);
}

static void
test_region_new_mode (Fixture *f, gconstpointer data)
{
  void *out = NULL;
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_sim_get_pixels (f->sim, FALSE)[0] = 0x61;
  g_assert_cmpint (gvt_vgpu_region_mmap (f->vgpu, 16, 0, 4096, PROT_READ, &out), ==, 0);
  guint8 *old = out;

  /* The region is the device's memory: a new mode, larger or smaller,
   * keeps it, cleared, and a mapping made before sees the new pixels. */
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 1024, 768, 0);
  g_assert_cmpuint (query_region_ok (f, PRIMARY).width, ==, 1024);
  GvtRegionInfo info;
  g_assert_cmpint (gvt_vgpu_get_region_info (f->vgpu, 16, &info), ==, 0);
  g_assert_cmpuint (info.size, ==, 4 << 20);
  guint8 *pixels = gvt_sim_get_pixels (f->sim, FALSE);
  g_assert_cmpuint (pixels[0], ==, 0);
  pixels[0] = 0x62;
  g_assert_cmpuint (old[0], ==, 0x62);
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 320, 200, 0);
  g_assert_cmpint (gvt_vgpu_get_region_info (f->vgpu, 16, &info), ==, 0);
  g_assert_cmpuint (info.size, ==, 256 << 10);
  pixels = gvt_sim_get_pixels (f->sim, FALSE);
  pixels[0] = 0x63;
  g_assert_cmpuint (old[0], ==, 0x63);
  munmap (old, 4096);

  g_assert_cmpint (gvt_vgpu_region_mmap (f->vgpu, 16, 0, 4096, PROT_READ, &out), ==, 0);
  g_assert_cmpuint (((guint8 *) out)[0], ==, 0x63);
  munmap (out, 4096);
  /* One region's memory, whatever the modes. */
  g_assert_cmpint (count_sim_mappings (), ==, 1);
}

/* --- the EDID region --- */

static guint32
edid_read (Fixture *f, guint64 offset)
{
  guint32 value = 0xdeadbeef;
  g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, EDID_INDEX, offset, &value, 4), ==, 4);
  return value;
}

static gssize
edid_write (Fixture *f, guint64 offset, guint32 value)
{
  return gvt_vgpu_region_write (f->vgpu, EDID_INDEX, offset, &value, 4);
}

/* A minimal EDID the sim accepts: header, filler, checksum; then an
 * extension block of filler. */
static void
make_edid (guint8 *blob, gsize size, guint8 fill)
{
  static const guint8 header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };
  memset (blob, fill, size);
  memcpy (blob, header, sizeof header);
  guint8 sum = 0;
  for (int i = 0; i < 127; i++)
    sum += blob[i];
  blob[127] = (guint8) (0x100 - sum);
}

static void
test_edid_region_info (Fixture *f, gconstpointer data)
{
  GvtRegionInfo info;
  g_assert_cmpint (gvt_vgpu_get_region_info (f->vgpu, EDID_INDEX, &info), ==, 0);
  g_assert_cmpuint (info.index, ==, EDID_INDEX);
  g_assert_cmpuint (info.type, ==, VFIO_REGION_TYPE_GFX);
  g_assert_cmpuint (info.subtype, ==, VFIO_REGION_SUBTYPE_GFX_EDID);
  g_assert_cmpuint (info.size, ==, 128);
  g_assert_cmpuint (info.flags, ==, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE);

  void *map = NULL;
  g_assert_cmpint (gvt_vgpu_region_mmap (f->vgpu, EDID_INDEX, 0, 4096, PROT_READ, &map), ==,
                   -EINVAL);
}

static void
test_edid_registers (Fixture *f, gconstpointer data)
{
  g_assert_cmpuint (edid_read (f, REG (edid_offset)), ==, 2048);
  g_assert_cmpuint (edid_read (f, REG (edid_max_size)), ==, 512);
  g_assert_cmpuint (edid_read (f, REG (edid_size)), ==, 0);
  g_assert_cmpuint (edid_read (f, REG (max_xres)), ==, 2560);
  g_assert_cmpuint (edid_read (f, REG (max_yres)), ==, 1600);
  g_assert_cmpuint (edid_read (f, REG (link_state)), ==, VFIO_DEVICE_GFX_LINK_STATE_UP);
  g_assert_null (gvt_sim_get_edid (f->sim, NULL));
  g_assert_cmpstr (gvt_sim_get_link_log (f->sim), ==, "");

  /* The read-only ones refuse writes and keep their value. */
  const guint64 ro[] = { REG (edid_offset), REG (edid_max_size), REG (max_xres), REG (max_yres) };
  for (gsize i = 0; i < G_N_ELEMENTS (ro); i++)
    {
      guint32 before = edid_read (f, ro[i]);
      g_assert_cmpint (edid_write (f, ro[i], 4096), ==, -EPERM);
      g_assert_cmpuint (edid_read (f, ro[i]), ==, before);
    }
}

static void
test_edid_access_size (Fixture *f, gconstpointer data)
{
  guint8 buf[8] = { 2, 0, 0, 0, 0, 0, 0, 0 };

  for (guint64 reg = 0; reg < sizeof (struct vfio_region_gfx_edid); reg += 4)
    {
      const gsize bad_lens[] = { 0, 1, 2, 3, 8 };
      for (gsize i = 0; i < G_N_ELEMENTS (bad_lens); i++)
        {
          g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, EDID_INDEX, reg, buf, bad_lens[i]), ==,
                           -EINVAL);
          g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, EDID_INDEX, reg, buf, bad_lens[i]), ==,
                           -EINVAL);
        }
      /* Misaligned 4-byte accesses straddle two registers. */
      for (guint64 skew = 1; skew < 4; skew++)
        {
          g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, EDID_INDEX, reg + skew, buf, 4), ==,
                           -EINVAL);
          g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, EDID_INDEX, reg + skew, buf, 4), ==,
                           -EINVAL);
        }
    }
  /* Nothing changed: a 2-byte "link down" was not taken. */
  g_assert_cmpuint (edid_read (f, REG (link_state)), ==, VFIO_DEVICE_GFX_LINK_STATE_UP);
  g_assert_cmpstr (gvt_sim_get_link_log (f->sim), ==, "");

  /* Between the registers and the blob, and past the blob, is nothing. */
  g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, EDID_INDEX, 24, buf, 4), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, EDID_INDEX, 128, buf, 4), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, EDID_INDEX, 2047, buf, 1), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, EDID_INDEX, 2048 + 512, buf, 1), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, EDID_INDEX, 2048 + 508, buf, 8), ==, -EINVAL);
  /* The blob takes any size, anywhere inside edid_max_size. */
  g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, EDID_INDEX, 2048 + 511, buf, 1), ==, 1);
  g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, EDID_INDEX, 2048 + 3, buf, 7), ==, 7);
}

static void
test_edid_protocol (Fixture *f, gconstpointer data)
{
  guint8 blob[256], back[256];
  make_edid (blob, sizeof blob, 0x21);

  g_assert_cmpint (edid_write (f, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_DOWN), ==, 4);
  g_assert_cmpuint (edid_read (f, REG (link_state)), ==, VFIO_DEVICE_GFX_LINK_STATE_DOWN);
  /* Blob in pieces of odd sizes, at offset 2048 although the region says
   * it is 128 bytes long. */
  g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, EDID_INDEX, 2048, blob, 100), ==, 100);
  g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, EDID_INDEX, 2148, blob + 100, 156), ==, 156);
  g_assert_cmpint (edid_write (f, REG (edid_size), 256), ==, 4);
  g_assert_null (gvt_sim_get_edid (f->sim, NULL));
  g_assert_cmpint (edid_write (f, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_UP), ==, 4);

  g_assert_cmpstr (gvt_sim_get_link_log (f->sim), ==, "21");
  gsize size = 0;
  const guint8 *given = gvt_sim_get_edid (f->sim, &size);
  g_assert_cmpmem (given, size, blob, sizeof blob);
  g_assert_cmpuint (edid_read (f, REG (edid_size)), ==, 256);
  g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, EDID_INDEX, 2048, back, sizeof back), ==, 256);
  g_assert_cmpmem (back, sizeof back, blob, sizeof blob);

  /* A second round with one block. */
  make_edid (blob, 128, 0x00);
  g_assert_cmpint (edid_write (f, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_DOWN), ==, 4);
  g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, EDID_INDEX, 2048, blob, 128), ==, 128);
  g_assert_cmpint (edid_write (f, REG (edid_size), 128), ==, 4);
  g_assert_cmpint (edid_write (f, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_UP), ==, 4);
  g_assert_cmpstr (gvt_sim_get_link_log (f->sim), ==, "2121");
  given = gvt_sim_get_edid (f->sim, &size);
  g_assert_cmpmem (given, size, blob, 128);
}

static void
test_edid_blob_needs_link_down (Fixture *f, gconstpointer data)
{
  guint8 blob[128], back[128];
  make_edid (blob, sizeof blob, 0x10);

  /* The link starts up. */
  g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, EDID_INDEX, 2048, blob, sizeof blob), ==,
                   -EBUSY);
  g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, EDID_INDEX, 2048, back, sizeof back), ==, 128);
  for (gsize i = 0; i < sizeof back; i++)
    g_assert_cmpuint (back[i], ==, 0);

  g_assert_cmpint (edid_write (f, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_DOWN), ==, 4);
  g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, EDID_INDEX, 2048, blob, sizeof blob), ==, 128);
  g_assert_cmpint (edid_write (f, REG (edid_size), 128), ==, 4);
  g_assert_cmpint (edid_write (f, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_UP), ==, 4);
  /* Up again: no more writes. */
  g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, EDID_INDEX, 2048 + 10, blob, 1), ==, -EBUSY);
  g_assert_cmpint (gvt_vgpu_region_read (f->vgpu, EDID_INDEX, 2048, back, sizeof back), ==, 128);
  g_assert_cmpmem (back, sizeof back, blob, sizeof blob);
}

static void
test_edid_size_limit (Fixture *f, gconstpointer data)
{
  guint8 blob[16] = { 0 };
  g_assert_cmpint (edid_write (f, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_DOWN), ==, 4);
  g_assert_cmpint (edid_write (f, REG (edid_size), 513), ==, -EINVAL);
  g_assert_cmpuint (edid_read (f, REG (edid_size)), ==, 0);
  g_assert_cmpint (edid_write (f, REG (edid_size), 0xffffffff), ==, -EINVAL);
  g_assert_cmpint (edid_write (f, REG (edid_size), 512), ==, 4);
  g_assert_cmpuint (edid_read (f, REG (edid_size)), ==, 512);

  /* The blob ends at edid_max_size, not at the region's 128 bytes. */
  g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, EDID_INDEX, 2048 + 496, blob, 16), ==, 16);
  g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, EDID_INDEX, 2048 + 500, blob, 16), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, EDID_INDEX, 2048 + 512, blob, 1), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, EDID_INDEX, 2040, blob, 16), ==, -EINVAL);
}

static void
test_edid_bad_link_up (Fixture *f, gconstpointer data)
{
  guint8 blob[128];

  /* Unknown link states. */
  g_assert_cmpint (edid_write (f, REG (link_state), 0), ==, -EINVAL);
  g_assert_cmpint (edid_write (f, REG (link_state), 3), ==, -EINVAL);
  g_assert_cmpstr (gvt_sim_get_link_log (f->sim), ==, "");

  g_assert_cmpint (edid_write (f, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_DOWN), ==, 4);
  /* No blob at all. */
  g_assert_cmpint (edid_write (f, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_UP), ==, -EINVAL);

  /* A bad checksum. */
  make_edid (blob, sizeof blob, 0x01);
  blob[127] ^= 1;
  g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, EDID_INDEX, 2048, blob, 128), ==, 128);
  g_assert_cmpint (edid_write (f, REG (edid_size), 128), ==, 4);
  g_assert_cmpint (edid_write (f, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_UP), ==, -EINVAL);

  /* A good block but a size shorter than one block. */
  blob[127] ^= 1;
  g_assert_cmpint (gvt_vgpu_region_write (f->vgpu, EDID_INDEX, 2048, blob, 128), ==, 128);
  g_assert_cmpint (edid_write (f, REG (edid_size), 64), ==, 4);
  g_assert_cmpint (edid_write (f, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_UP), ==, -EINVAL);

  /* Refusals are not in the log and leave the link down. */
  g_assert_cmpstr (gvt_sim_get_link_log (f->sim), ==, "2");
  g_assert_cmpuint (edid_read (f, REG (link_state)), ==, VFIO_DEVICE_GFX_LINK_STATE_DOWN);
  g_assert_null (gvt_sim_get_edid (f->sim, NULL));

  g_assert_cmpint (edid_write (f, REG (edid_size), 128), ==, 4);
  g_assert_cmpint (edid_write (f, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_UP), ==, 4);
  g_assert_cmpstr (gvt_sim_get_link_log (f->sim), ==, "21");
}

static void
test_open_sim_spec (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtVgpu) vgpu = gvt_device_open ("sim:320x200", -1, &error);
  g_assert_no_error (error);
  GvtSim *sim = gvt_vgpu_get_sim (vgpu);
  g_assert_nonnull (sim);
  PlaneInfo info = { .argsz = sizeof info, .flags = VFIO_GFX_PLANE_TYPE_DMABUF,
                     .drm_plane_type = PRIMARY };
  g_assert_cmpint (gvt_vgpu_query_plane (vgpu, &info), ==, 0);
  g_assert_cmpuint (info.width, ==, 320);
  g_assert_cmpuint (info.height, ==, 200);
  g_assert_cmpuint (info.drm_format, ==, GVT_FORMAT_XRGB8888);
  GvtRegionInfo region;
  g_assert_cmpint (gvt_vgpu_get_region_info (vgpu, EDID_INDEX, &region), ==, 0);
  g_assert_cmpuint (region.subtype, ==, VFIO_REGION_SUBTYPE_GFX_EDID);
}

/* --- releasing everything --- */

static void
test_free_releases_all (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (gvt_test_count_fds (), ==, f->fds_before);

  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  /* Two framebuffers: two memfds, two mappings. */
  g_assert_cmpint (gvt_test_count_fds (), ==, f->fds_before + 2);
  g_assert_cmpint (count_sim_mappings (), ==, 2);
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 800, 600, 0);
  gvt_sim_set_cursor (f->sim, 256, 0, 0);
  g_assert_cmpint (gvt_test_count_fds (), ==, f->fds_before + 5);
  /* Eviction and replacement give theirs back. */
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 1024, 768, 0);
  gvt_sim_set_cursor (f->sim, 64, 0, 0);
  g_assert_cmpint (gvt_test_count_fds (), ==, f->fds_before + 5);
  g_assert_cmpint (count_sim_mappings (), ==, 5);

  /* Use everything once: GETs, EDID, queries. */
  guint8 blob[128];
  make_edid (blob, sizeof blob, 0);
  edid_write (f, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_DOWN);
  gvt_vgpu_region_write (f->vgpu, EDID_INDEX, 2048, blob, sizeof blob);
  edid_write (f, REG (edid_size), 128);
  g_assert_cmpint (edid_write (f, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_UP), ==, 4);
  int held = gvt_vgpu_get_dmabuf (f->vgpu, query_ok (f, PRIMARY).dmabuf_id);
  g_assert_cmpint (held, >=, 0);
  int closed = gvt_vgpu_get_dmabuf (f->vgpu, query_ok (f, CURSOR).dmabuf_id);
  g_assert_cmpint (closed, >=, 0);
  close (closed);

  g_clear_pointer (&f->vgpu, gvt_vgpu_free);
  /* Only the fd the caller still holds is left, and its mapping none. */
  g_assert_cmpint (gvt_test_count_fds (), ==, f->fds_before + 1);
  g_assert_cmpint (count_sim_mappings (), ==, 0);
  close (held);
}

static void
test_free_region (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  g_assert_cmpint (gvt_test_count_fds (), ==, f->fds_before + 1);
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 800, 600, 0);
  g_assert_cmpint (gvt_test_count_fds (), ==, f->fds_before + 1);
  g_clear_pointer (&f->vgpu, gvt_vgpu_free);
  g_assert_cmpint (gvt_test_count_fds (), ==, f->fds_before);
  g_assert_cmpint (count_sim_mappings (), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, cfg, fn) g_test_add ("/sim/" path, Fixture, &cfg, setup, fn, teardown)
  ADD ("probe/dmabuf", cfg_plain, test_probe_dmabuf);
  ADD ("probe/region", cfg_region, test_probe_region);
  ADD ("query/argsz", cfg_plain, test_query_argsz);
  ADD ("query/bad-flags", cfg_plain, test_query_bad_flags);
  ADD ("query/bad-plane-type", cfg_plain, test_query_bad_plane_type);
  ADD ("query/count", cfg_plain, test_query_count);
  ADD ("query/zero-when-off", cfg_plain, test_query_zero_when_off);
  ADD ("query/echo-when-off", cfg_echo, test_query_echo_when_off);
  ADD ("query/primary", cfg_plain, test_query_primary);
  ADD ("query/primary-tiled", cfg_plain, test_query_primary_tiled);
  ADD ("query/cursor", cfg_plain, test_query_cursor);
  ADD ("query/cursor-needs-primary", cfg_plain, test_query_cursor_needs_primary);
  ADD ("ids/distinct-and-stable", cfg_plain, test_ids_distinct_and_stable);
  ADD ("ids/page-flip", cfg_plain, test_ids_page_flip);
  ADD ("ids/mode-change", cfg_plain, test_ids_mode_change);
  ADD ("ids/mode-returns", cfg_plain, test_ids_mode_returns);
  ADD ("ids/reuse-other-geometry", cfg_plain, test_ids_reuse_other_geometry);
  ADD ("ids/cursor", cfg_plain, test_ids_cursor);
  ADD ("ids/never-same-key", cfg_plain, test_ids_never_same_key);
  ADD ("quirk/enomem-after-modeset", cfg_enomem, test_quirk_enomem);
  ADD ("quirk/none-no-enomem", cfg_plain, test_quirk_none_no_enomem);
  ADD ("inject/plane", cfg_plain, test_inject_plane);
  ADD ("inject/plane-when-off", cfg_plain, test_inject_plane_when_off);
  ADD ("inject/error", cfg_plain, test_inject_error);
  ADD ("lost/every-op", cfg_edid, test_lost);
  ADD ("lost/edid", cfg_edid, test_lost_edid);
  ADD ("dmabuf/gets-counted", cfg_plain, test_dmabuf_gets_counted);
  ADD ("dmabuf/cloexec", cfg_plain, test_dmabuf_cloexec);
  ADD ("dmabuf/new-file-per-get", cfg_plain, test_dmabuf_new_file_per_get);
  ADD ("dmabuf/pixels-visible", cfg_plain, test_dmabuf_pixels_visible);
  ADD ("dmabuf/fd-outlives-device", cfg_plain, test_dmabuf_fd_outlives_device);
  ADD ("device/info", cfg_plain, test_device_info);
  ADD ("device/info-edid", cfg_edid, test_device_info);
  ADD ("device/region-indices", cfg_plain, test_region_indices);
  ADD ("device/region-indices-edid", cfg_edid, test_region_indices);
  ADD ("region/query", cfg_region, test_region_query);
  ADD ("region/info", cfg_region, test_region_info);
  ADD ("region/mmap", cfg_region, test_region_mmap);
  ADD ("region/new-mode", cfg_region, test_region_new_mode);
  ADD ("edid/region-info", cfg_edid, test_edid_region_info);
  ADD ("edid/registers", cfg_edid, test_edid_registers);
  ADD ("edid/access-size", cfg_edid, test_edid_access_size);
  ADD ("edid/protocol", cfg_edid, test_edid_protocol);
  ADD ("edid/blob-needs-link-down", cfg_edid, test_edid_blob_needs_link_down);
  ADD ("edid/size-limit", cfg_edid, test_edid_size_limit);
  ADD ("edid/bad-link-up", cfg_edid, test_edid_bad_link_up);
  ADD ("open/sim-spec", cfg_plain, test_open_sim_spec);
  ADD ("free/releases-all", cfg_edid, test_free_releases_all);
  ADD ("free/region", cfg_region, test_free_region);
#undef ADD
  return g_test_run ();
}
