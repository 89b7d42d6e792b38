/* Tests of the scanout poller's logic, on the simulated vGPU. */
#include <errno.h>

#include "common/gvt-error.h"
#include "common/format.h"
#include "display/scanout.h"
#include "sim/vgpu-sim.h"
#include "testutil.h"

typedef struct {
  int fds_before;
  GvtVgpu *vgpu;
  GvtSim *sim;
  GvtScanout *scanout;
} Fixture;

static void
setup_with (Fixture *f, GvtSimMode mode, GvtSimQuirks quirks)
{
  g_autoptr (GError) error = NULL;
  f->fds_before = gvt_test_count_fds ();
  f->vgpu = gvt_sim_new (mode, quirks, 1920, 1200);
  f->sim = gvt_vgpu_get_sim (f->vgpu);
  f->scanout = gvt_scanout_new (f->vgpu, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->scanout);
}

static void
setup (Fixture *f, gconstpointer data)
{
  setup_with (f, GVT_SIM_DMABUF, GPOINTER_TO_UINT (data));
}

static void
setup_plain (Fixture *f, gconstpointer data)
{
  setup_with (f, GVT_SIM_DMABUF, GVT_SIM_QUIRK_NONE);
}

static void
setup_region (Fixture *f, gconstpointer data)
{
  setup_with (f, GVT_SIM_REGION, GVT_SIM_QUIRK_NONE);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  gvt_scanout_free (f->scanout);
  gvt_vgpu_free (f->vgpu);
  /* Closing the device releases every fd and mapping. */
  g_assert_cmpint (gvt_test_count_fds (), ==, f->fds_before);
}

static void
test_probe (Fixture *f, gconstpointer data)
{
  g_assert_true (gvt_scanout_has_dmabuf (f->scanout));
  g_assert_false (gvt_scanout_has_region (f->scanout));
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_NO_SIGNAL);
  g_assert_null (gvt_scanout_get_primary (f->scanout));
}

static void
test_no_signal_then_mode (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_NO_SIGNAL);
  g_assert_nonnull (strstr (gvt_scanout_get_reason (f->scanout), "No signal"));

  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 800, 600, 0);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_null (gvt_scanout_get_reason (f->scanout));

  GvtPlane *p = gvt_scanout_get_primary (f->scanout);
  g_assert_nonnull (p);
  g_assert_cmpuint (gvt_plane_get_width (p), ==, 800);
  g_assert_cmpuint (gvt_plane_get_height (p), ==, 600);
  g_assert_cmpuint (gvt_plane_get_stride (p), ==, 3200);
  g_assert_cmpuint (gvt_plane_get_fourcc (p), ==, GVT_FORMAT_XRGB8888);
  g_assert_cmpuint (gvt_plane_get_source (p), ==, GVT_PLANE_SOURCE_DMABUF);
  g_assert_cmpint (gvt_buffer_get_fd (gvt_plane_get_buffer (p)), >=, 0);
  g_assert_null (gvt_scanout_get_cursor (f->scanout));

  /* The pixels the guest writes are what the buffer shows. */
  guint8 *pixels = gvt_sim_get_pixels (f->sim, FALSE);
  pixels[0] = 0x11;
  pixels[3200 * 599 + 4 * 799] = 0x22;
  const guint8 *seen = gvt_buffer_map (gvt_plane_get_buffer (p), NULL);
  g_assert_nonnull (seen);
  g_assert_cmpuint (seen[0], ==, 0x11);
  g_assert_cmpuint (seen[3200 * 599 + 4 * 799], ==, 0x22);
}

static void
test_steady_state (Fixture *f, gconstpointer data)
{
  GvtScanoutStats stats;

  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_sim_set_cursor (f->sim, 64, 1, 2);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==,
                   GVT_SOURCE_PRIMARY_CHANGED | GVT_SOURCE_CURSOR_IMAGE_CHANGED);
  GvtPlane *primary = gvt_scanout_get_primary (f->scanout);
  GvtPlane *cursor = gvt_scanout_get_cursor (f->scanout);

  for (int i = 0; i < 50; i++)
    g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);

  /* Same values, no new GET: exactly one per id. */
  g_assert_true (gvt_scanout_get_primary (f->scanout) == primary);
  g_assert_true (gvt_scanout_get_cursor (f->scanout) == cursor);
  gvt_scanout_get_stats (f->scanout, &stats);
  g_assert_cmpuint (stats.dmabuf_gets, ==, 2);
  g_assert_cmpuint (gvt_sim_get_total_dmabuf_gets (f->sim), ==, 2);
  g_assert_cmpuint (stats.polls, ==, 51);
  g_assert_cmpuint (stats.queries, ==, 102);
  g_assert_cmpuint (stats.cached, ==, 2);
}

static void
test_page_flip (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_scanout_poll (f->scanout);
  guint32 front = gvt_plane_get_dmabuf_id (gvt_scanout_get_primary (f->scanout));

  gvt_sim_page_flip (f->sim);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  guint32 back = gvt_plane_get_dmabuf_id (gvt_scanout_get_primary (f->scanout));
  g_assert_cmpuint (front, !=, back);

  /* Flipping back returns to the cached buffer: no third GET. */
  gvt_sim_page_flip (f->sim);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpuint (gvt_plane_get_dmabuf_id (gvt_scanout_get_primary (f->scanout)), ==, front);
  for (int i = 0; i < 10; i++)
    {
      gvt_sim_page_flip (f->sim);
      gvt_scanout_poll (f->scanout);
    }
  g_assert_cmpuint (gvt_sim_get_dmabuf_gets (f->sim, front), ==, 1);
  g_assert_cmpuint (gvt_sim_get_dmabuf_gets (f->sim, back), ==, 1);
}

static void
test_cursor (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_scanout_poll (f->scanout);

  gvt_sim_set_cursor (f->sim, 64, 5, 6);
  gvt_sim_move_cursor (f->sim, 10, 20);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_CURSOR_IMAGE_CHANGED);
  GvtPlane *c = gvt_scanout_get_cursor (f->scanout);
  g_assert_cmpint (gvt_plane_get_x (c), ==, 10);
  g_assert_cmpint (gvt_plane_get_y (c), ==, 20);
  g_assert_cmpuint (gvt_plane_get_hot_x (c), ==, 5);
  g_assert_cmpuint (gvt_plane_get_hot_y (c), ==, 6);
  g_assert_cmpuint (gvt_plane_get_width (c), ==, 64);
  guint32 id = gvt_plane_get_dmabuf_id (c);
  guint gets = gvt_sim_get_total_dmabuf_gets (f->sim);

  /* A move keeps the id: reported as a move, no GET. */
  gvt_sim_move_cursor (f->sim, 300, 400);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_CURSOR_MOVED);
  c = gvt_scanout_get_cursor (f->scanout);
  g_assert_cmpint (gvt_plane_get_x (c), ==, 300);
  g_assert_cmpint (gvt_plane_get_y (c), ==, 400);
  g_assert_cmpuint (gvt_plane_get_dmabuf_id (c), ==, id);
  g_assert_cmpuint (gvt_sim_get_total_dmabuf_gets (f->sim), ==, gets);

  gvt_sim_hide_cursor (f->sim);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_CURSOR_IMAGE_CHANGED);
  g_assert_null (gvt_scanout_get_cursor (f->scanout));
}

/* A cursor query that keeps failing (GVT-g refusing a cursor it can't
 * decode: EINVAL every tick): the last cursor stays a moment, then goes;
 * the device is settled all along (the primary is), and the cursor comes
 * back once the device answers again. */
static void
test_cursor_keeps_failing (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_sim_set_cursor (f->sim, 64, 5, 6);
  gvt_scanout_poll (f->scanout);
  g_assert_nonnull (gvt_scanout_get_cursor (f->scanout));

  gvt_sim_fail_cursor (f->sim, EINVAL);
  for (guint i = 1; i < GVT_SCANOUT_CURSOR_RETRY_TICKS; i++)
    {
      g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
      g_assert_nonnull (gvt_scanout_get_cursor (f->scanout));
      g_assert_false (gvt_scanout_is_retrying (f->scanout));
    }
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_CURSOR_IMAGE_CHANGED);
  g_assert_null (gvt_scanout_get_cursor (f->scanout));
  g_assert_false (gvt_scanout_is_retrying (f->scanout));
  g_assert_nonnull (gvt_scanout_get_primary (f->scanout));
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
  /* Nothing more to drop. */
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);

  gvt_sim_fail_cursor (f->sim, 0);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_CURSOR_IMAGE_CHANGED);
  g_assert_nonnull (gvt_scanout_get_cursor (f->scanout));
}

/* A cursor hanging off the top-left: negative, and a move across the edge
 * is a move. */
static void
test_cursor_negative (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_sim_set_cursor (f->sim, 64, 0, 0);
  gvt_sim_move_cursor (f->sim, (guint32) -10, (guint32) -5);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==,
                   GVT_SOURCE_PRIMARY_CHANGED | GVT_SOURCE_CURSOR_IMAGE_CHANGED);
  GvtPlane *c = gvt_scanout_get_cursor (f->scanout);
  g_assert_cmpint (gvt_plane_get_x (c), ==, -10);
  g_assert_cmpint (gvt_plane_get_y (c), ==, -5);

  gvt_sim_move_cursor (f->sim, 10, 5);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_CURSOR_MOVED);
  c = gvt_scanout_get_cursor (f->scanout);
  g_assert_cmpint (gvt_plane_get_x (c), ==, 10);
  g_assert_cmpint (gvt_plane_get_y (c), ==, 5);

  /* Absurd values are bounded, and stay off-screen. */
  gvt_sim_move_cursor (f->sim, 0x80000000u, 0x7fffffffu);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_CURSOR_MOVED);
  c = gvt_scanout_get_cursor (f->scanout);
  g_assert_cmpint (gvt_plane_get_x (c), ==, -GVT_PLANE_POS_LIMIT);
  g_assert_cmpint (gvt_plane_get_y (c), ==, GVT_PLANE_POS_LIMIT);
}

static void
test_disable (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_sim_set_cursor (f->sim, 64, 0, 0);
  gvt_scanout_poll (f->scanout);

  gvt_sim_disable (f->sim);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==,
                   GVT_SOURCE_PRIMARY_CHANGED | GVT_SOURCE_CURSOR_IMAGE_CHANGED);
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_NO_SIGNAL);
  g_assert_null (gvt_scanout_get_primary (f->scanout));
  g_assert_null (gvt_scanout_get_cursor (f->scanout));
  /* With no primary the cursor isn't even asked for. */
  guint queries = gvt_sim_get_query_count (f->sim);
  gvt_scanout_poll (f->scanout);
  g_assert_cmpuint (gvt_sim_get_query_count (f->sim), ==, queries + 1);
}

static void
test_echo_when_off (Fixture *f, gconstpointer data)
{
  /* GVT-g leaves our struct as it was: the poller's zeroing makes that
   * "no plane" rather than a plane of the previous query's values. */
  for (int i = 0; i < 3; i++)
    {
      g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
      g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_NO_SIGNAL);
    }
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  gvt_sim_disable (f->sim);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_NO_SIGNAL);
}

static void
test_enomem_after_modeset (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
  g_assert_true (gvt_scanout_is_retrying (f->scanout));
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_NO_SIGNAL);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_false (gvt_scanout_is_retrying (f->scanout));
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);

  GvtScanoutStats stats;
  gvt_scanout_get_stats (f->scanout, &stats);
  g_assert_cmpuint (stats.retries, ==, 1);
}

static void
test_transient_errors (Fixture *f, gconstpointer data)
{
  static const int errors[] = { EINVAL, EFAULT, ENOMEM, EAGAIN };

  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_scanout_poll (f->scanout);
  GvtPlane *primary = gvt_scanout_get_primary (f->scanout);

  for (gsize i = 0; i < G_N_ELEMENTS (errors); i++)
    {
      gvt_sim_inject_error (f->sim, errors[i]);
      g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
      /* No frame this tick: the last picture stays. */
      g_assert_true (gvt_scanout_get_primary (f->scanout) == primary);
      g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
      g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
      g_assert_false (gvt_scanout_is_retrying (f->scanout));
    }
}

static void
test_lost (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_sim_set_cursor (f->sim, 64, 0, 0);
  gvt_scanout_poll (f->scanout);
  g_autoptr (GvtPlane) held = gvt_plane_ref (gvt_scanout_get_primary (f->scanout));

  gvt_sim_lose_device (f->sim);
  g_test_expect_message ("gvt-view", G_LOG_LEVEL_WARNING, "*device lost*");
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_LOST);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LOST);
  g_assert_nonnull (strstr (gvt_scanout_get_reason (f->scanout), "Device lost"));
  g_assert_null (gvt_scanout_get_primary (f->scanout));
  g_assert_null (gvt_scanout_get_cursor (f->scanout));

  GvtScanoutStats stats;
  gvt_scanout_get_stats (f->scanout, &stats);
  g_assert_cmpuint (stats.cached, ==, 0);

  /* Reported once; later polls don't touch the device. */
  guint queries = gvt_sim_get_query_count (f->sim);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
  g_assert_cmpuint (gvt_sim_get_query_count (f->sim), ==, queries);

  /* A plane someone still holds keeps its buffer alive and readable. */
  g_assert_nonnull (gvt_buffer_map (gvt_plane_get_buffer (held), NULL));
}

typedef struct {
  const char *name;
  guint32 plane_type;
  struct vfio_device_gfx_plane_info info;
  const char *reason;
} BadPlane;

#define PRIMARY_OK(...) { .argsz = sizeof (struct vfio_device_gfx_plane_info), \
  .flags = VFIO_GFX_PLANE_TYPE_DMABUF, .drm_plane_type = 1, \
  .drm_format = GVT_FORMAT_XRGB8888, .width = 640, .height = 480, .stride = 2560, \
  .size = 2560 * 480, .dmabuf_id = 77, __VA_ARGS__ }
#define CURSOR_OK(...) { .argsz = sizeof (struct vfio_device_gfx_plane_info), \
  .flags = VFIO_GFX_PLANE_TYPE_DMABUF, .drm_plane_type = 2, \
  .drm_format = GVT_FORMAT_ARGB8888, .width = 64, .height = 64, .stride = 256, \
  .size = 256 * 64, .dmabuf_id = 78, __VA_ARGS__ }

static const BadPlane bad_planes[] = {
  { "fourcc", 1, PRIMARY_OK (.drm_format = GVT_FOURCC ('Y', 'U', 'Y', 'V')), "unsupported format YUYV" },
  { "width-0", 1, PRIMARY_OK (.width = 0), "outside" },
  { "height-0", 1, PRIMARY_OK (.height = 0), "outside" },
  { "huge", 1, PRIMARY_OK (.width = 16385, .stride = 16385 * 4, .size = 0xffffffff), "outside" },
  { "stride", 1, PRIMARY_OK (.stride = 2559), "stride" },
  { "size", 1, PRIMARY_OK (.size = 2560 * 480 - 1), "less than stride" },
  { "cursor-big", 2, CURSOR_OK (.width = 512, .height = 512, .stride = 2048, .size = 2048 * 512), "1..256" },
};

static void
test_rejects (Fixture *f, gconstpointer data)
{
  const BadPlane *bad = data;

  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_scanout_poll (f->scanout);
  guint gets = gvt_sim_get_total_dmabuf_gets (f->sim);

  gvt_sim_inject_plane (f->sim, bad->plane_type, &bad->info);
  g_test_expect_message ("gvt-view", G_LOG_LEVEL_WARNING, "*ignoring the guest's plane*");
  GvtSourceChange change = gvt_scanout_poll (f->scanout);
  g_test_assert_expected_messages ();

  /* Never fetched, never shown. */
  g_assert_cmpuint (gvt_sim_get_total_dmabuf_gets (f->sim), ==, gets);
  GvtScanoutStats stats;
  gvt_scanout_get_stats (f->scanout, &stats);
  g_assert_cmpuint (stats.rejected, ==, 1);

  if (bad->plane_type == 1)
    {
      g_assert_cmpint (change, ==, GVT_SOURCE_PRIMARY_CHANGED);
      g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_INVALID);
      g_assert_null (gvt_scanout_get_primary (f->scanout));
      const char *reason = gvt_scanout_get_reason (f->scanout);
      if (strstr (reason, bad->reason) == NULL)
        g_error ("reason '%s' lacks '%s'", reason, bad->reason);
    }
  else
    {
      /* A bad cursor hides the cursor; the picture stays live. */
      g_assert_cmpint (change, ==, GVT_SOURCE_NOTHING);
      g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
      g_assert_null (gvt_scanout_get_cursor (f->scanout));
    }

  /* The next honest answer is shown again. */
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==,
                   bad->plane_type == 1 ? GVT_SOURCE_PRIMARY_CHANGED : GVT_SOURCE_NOTHING);
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
}

static void
test_rejects_logged_once (Fixture *f, gconstpointer data)
{
  struct vfio_device_gfx_plane_info bad = PRIMARY_OK (.stride = 1);

  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  g_test_expect_message ("gvt-view", G_LOG_LEVEL_WARNING, "*stride 1*");
  for (int i = 0; i < 5; i++)
    {
      gvt_sim_inject_plane (f->sim, 1, &bad);
      gvt_scanout_poll (f->scanout);
    }
  /* Only one warning was logged, or the fatal-warnings default aborts. */
  g_test_assert_expected_messages ();
  GvtScanoutStats stats;
  gvt_scanout_get_stats (f->scanout, &stats);
  g_assert_cmpuint (stats.rejected, ==, 5);
}

/* The guest's plane is fine, its dma-buf is not: invalid, with the
 * reason, said once, fetched once, never handed out. */
static void
test_dmabuf_short_primary (Fixture *f, gconstpointer data)
{
  gvt_sim_set_dmabuf_size (f->sim, 1, 4096);
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 1920, 1080, 0);

  g_test_expect_message ("gvt-view", G_LOG_LEVEL_WARNING,
                         "*the guest's 1920x1080 primary plane needs 8294400 bytes but its "
                         "dma-buf has 4096*");
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
  for (int i = 0; i < 5; i++)
    {
      g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_INVALID);
      g_assert_null (gvt_scanout_get_primary (f->scanout));
      g_assert_null (gvt_scanout_get_cursor (f->scanout));
      const char *reason = gvt_scanout_get_reason (f->scanout);
      if (strstr (reason, "needs 8294400 bytes but its dma-buf has 4096") == NULL)
        g_error ("reason '%s' lacks the sizes", reason);
      g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
    }
  g_test_assert_expected_messages ();

  /* Not fetched again for the same id, however often it is shown. */
  GvtScanoutStats stats;
  gvt_scanout_get_stats (f->scanout, &stats);
  g_assert_cmpuint (stats.rejected, ==, 6);
  g_assert_cmpuint (stats.dmabuf_gets, ==, 1);
  g_assert_cmpuint (gvt_sim_get_total_dmabuf_gets (f->sim), ==, 1);

  /* The next buffer is whole: live. */
  gvt_sim_set_dmabuf_size (f->sim, 1, GVT_SIM_DMABUF_REAL);
  gvt_sim_page_flip (f->sim);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_nonnull (gvt_scanout_get_primary (f->scanout));
}

/* A short cursor buffer hides the cursor; the picture stays live. */
static void
test_dmabuf_short_cursor (Fixture *f, gconstpointer data)
{
  gvt_sim_set_dmabuf_size (f->sim, 2, 64 * 64 * 4 - 1);
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_sim_set_cursor (f->sim, 64, 0, 0);

  g_test_expect_message ("gvt-view", G_LOG_LEVEL_WARNING,
                         "*64x64 cursor plane needs 16384 bytes but its dma-buf has 16383*");
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  for (int i = 0; i < 3; i++)
    g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_nonnull (gvt_scanout_get_primary (f->scanout));
  g_assert_null (gvt_scanout_get_cursor (f->scanout));
  g_assert_cmpuint (gvt_sim_get_total_dmabuf_gets (f->sim), ==, 2);
}

/* A "dma-buf" that can't tell its size is not one: invalid, not trusted. */
static void
test_dmabuf_unseekable (Fixture *f, gconstpointer data)
{
  gvt_sim_set_dmabuf_size (f->sim, 1, GVT_SIM_DMABUF_UNSEEKABLE);
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);

  g_test_expect_message ("gvt-view", G_LOG_LEVEL_WARNING,
                         "*640x480 primary plane can't be checked*lseek: Illegal seek*");
  for (int i = 0; i < 3; i++)
    {
      g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
      g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_INVALID);
      g_assert_null (gvt_scanout_get_primary (f->scanout));
    }
  g_test_assert_expected_messages ();
  g_assert_nonnull (strstr (gvt_scanout_get_reason (f->scanout), "can't tell its size"));
  g_assert_cmpuint (gvt_sim_get_total_dmabuf_gets (f->sim), ==, 1);
}

/* Exactly stride x height, not whole pages: enough. And the buffer is as
 * big as the dma-buf really is, whatever the guest's size field says. */
static void
test_dmabuf_real_size (Fixture *f, gconstpointer data)
{
  gvt_sim_set_dmabuf_size (f->sim, 1, 100 * 4 * 100);
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 100, 100, 0);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
  GvtBuffer *buffer = gvt_plane_get_buffer (gvt_scanout_get_primary (f->scanout));
  g_assert_cmpuint (gvt_buffer_get_size (buffer), ==, 40000);
  g_autoptr (GError) error = NULL;
  const guint8 *pixels = gvt_buffer_map (buffer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pixels[39999], ==, 0);

  /* The guest claims a megabyte for its whole-page buffer (40960 bytes):
   * the mapping is the 40960 there are, so reading all of it is safe. */
  gvt_sim_set_dmabuf_size (f->sim, 1, GVT_SIM_DMABUF_REAL);
  gvt_sim_page_flip (f->sim);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  guint32 id = gvt_plane_get_dmabuf_id (gvt_scanout_get_primary (f->scanout));
  struct vfio_device_gfx_plane_info big = PRIMARY_OK (.width = 100, .height = 100,
                                                      .stride = 400, .size = 1u << 20,
                                                      .dmabuf_id = id);
  gvt_sim_inject_plane (f->sim, 1, &big);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  GvtPlane *p = gvt_scanout_get_primary (f->scanout);
  g_assert_nonnull (p);
  g_assert_cmpuint (gvt_plane_get_size (p), ==, 1u << 20);
  buffer = gvt_plane_get_buffer (p);
  g_assert_cmpuint (gvt_buffer_get_size (buffer), ==, 40960);
  pixels = gvt_buffer_map (buffer, &error);
  g_assert_no_error (error);
  guint sum = 0;
  for (gsize i = 0; i < gvt_buffer_get_size (buffer); i++)
    sum += pixels[i];
  g_assert_cmpuint (sum, ==, 0);
}

static void
test_cache_bounded (Fixture *f, gconstpointer data)
{
  GvtScanoutStats stats;

  /* Page flips and ever new cursor images: many distinct buffers, yet the
   * cache never holds more than the current two plus the recent ones. */
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 320, 240, 0);
  for (guint i = 0; i < 20; i++)
    {
      gvt_sim_set_cursor (f->sim, i % 2 ? 64 : 128, 0, 0);
      gvt_sim_page_flip (f->sim);
      gvt_scanout_poll (f->scanout);
      gvt_scanout_get_stats (f->scanout, &stats);
      g_assert_cmpuint (stats.cached, <=, GVT_SCANOUT_CACHE_RECENT + 2);
    }
  g_assert_cmpuint (stats.cached, ==, GVT_SCANOUT_CACHE_RECENT + 2);
  g_assert_cmpuint (stats.dmabuf_gets, ==, 22);
  /* The current planes were never evicted from under the display. */
  g_assert_nonnull (gvt_scanout_get_primary (f->scanout));
  g_assert_nonnull (gvt_scanout_get_cursor (f->scanout));
}

static void
test_id_reuse_other_geometry (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_scanout_poll (f->scanout);
  GvtPlane *first = gvt_scanout_get_primary (f->scanout);
  guint32 id = gvt_plane_get_dmabuf_id (first);
  guint64 serial = gvt_buffer_get_serial (gvt_plane_get_buffer (first));

  /* The device hands the same id out for a buffer of other geometry. */
  struct vfio_device_gfx_plane_info reused = PRIMARY_OK (.dmabuf_id = id, .width = 320,
                                                         .height = 200, .stride = 1280,
                                                         .size = 1280 * 200);
  gvt_sim_inject_plane (f->sim, 1, &reused);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  GvtPlane *second = gvt_scanout_get_primary (f->scanout);
  g_assert_cmpuint (gvt_plane_get_dmabuf_id (second), ==, id);
  g_assert_cmpuint (gvt_plane_get_width (second), ==, 320);
  g_assert_cmpuint (gvt_buffer_get_serial (gvt_plane_get_buffer (second)), !=, serial);
  g_assert_cmpuint (gvt_sim_get_dmabuf_gets (f->sim, id), ==, 2);
}

static void
test_region_planes (Fixture *f, gconstpointer data)
{
  g_assert_false (gvt_scanout_has_dmabuf (f->scanout));
  g_assert_true (gvt_scanout_has_region (f->scanout));

  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 1024, 768, 0);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  GvtPlane *p = gvt_scanout_get_primary (f->scanout);
  g_assert_cmpuint (gvt_plane_get_source (p), ==, GVT_PLANE_SOURCE_REGION);
  g_assert_cmpuint (gvt_plane_get_region_index (p), ==, 16);
  g_assert_cmpint (gvt_buffer_get_fd (gvt_plane_get_buffer (p)), ==, -1);

  /* Region planes change without a signal: the mapping shows it live. */
  guint8 *pixels = gvt_sim_get_pixels (f->sim, FALSE);
  const guint8 *seen = gvt_buffer_map (gvt_plane_get_buffer (p), NULL);
  pixels[4 * 1023] = 0x42;
  g_assert_cmpuint (seen[4 * 1023], ==, 0x42);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
  g_assert_cmpuint (gvt_sim_get_total_dmabuf_gets (f->sim), ==, 0);
}

static void
test_cursor_echoes_primary (Fixture *f, gconstpointer data)
{
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 1024, 768, 0);
  gvt_scanout_poll (f->scanout);
  GvtPlane *primary = gvt_scanout_get_primary (f->scanout);

  /* mdpy's answer to the cursor query: its primary plane. No cursor, and
   * no warning (which the test's fatal warnings would turn into a crash). */
  struct vfio_device_gfx_plane_info echo = PRIMARY_OK (.flags = VFIO_GFX_PLANE_TYPE_REGION,
                                                       .drm_plane_type = 2,
                                                       .width = 1024, .height = 768,
                                                       .stride = 4096, .size = 4u << 20,
                                                       .region_index =
                                                         gvt_plane_get_region_index (primary));
  for (int i = 0; i < 3; i++)
    {
      gvt_sim_inject_plane (f->sim, 2, &echo);
      g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
      g_assert_null (gvt_scanout_get_cursor (f->scanout));
    }
  GvtScanoutStats stats;
  gvt_scanout_get_stats (f->scanout, &stats);
  g_assert_cmpuint (stats.rejected, ==, 0);
}

static void
test_region_bad_index (Fixture *f, gconstpointer data)
{
  struct vfio_device_gfx_plane_info bad = PRIMARY_OK (.flags = VFIO_GFX_PLANE_TYPE_REGION,
                                                      .region_index = 12345);
  gvt_sim_set_mode (f->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 640, 480, 0);
  gvt_sim_inject_plane (f->sim, 1, &bad);
  g_test_expect_message ("gvt-view", G_LOG_LEVEL_WARNING, "*region 12345*");
  gvt_scanout_poll (f->scanout);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_INVALID);
  g_assert_null (gvt_scanout_get_primary (f->scanout));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn, quirks) \
  g_test_add ("/scanout/" path, Fixture, GUINT_TO_POINTER (quirks), setup, fn, teardown)
  ADD ("probe", test_probe, 0);
  ADD ("no-signal-then-mode", test_no_signal_then_mode, 0);
  ADD ("steady-state", test_steady_state, 0);
  ADD ("page-flip", test_page_flip, 0);
  ADD ("cursor", test_cursor, 0);
  ADD ("cursor/negative", test_cursor_negative, 0);
  ADD ("cursor/keeps-failing", test_cursor_keeps_failing, 0);
  ADD ("dmabuf/short-primary", test_dmabuf_short_primary, 0);
  ADD ("dmabuf/short-cursor", test_dmabuf_short_cursor, 0);
  ADD ("dmabuf/unseekable", test_dmabuf_unseekable, 0);
  ADD ("dmabuf/real-size", test_dmabuf_real_size, 0);
  ADD ("disable", test_disable, 0);
  ADD ("echo-when-off", test_echo_when_off, GVT_SIM_QUIRK_ECHO_WHEN_OFF);
  ADD ("enomem-after-modeset", test_enomem_after_modeset, GVT_SIM_QUIRK_ENOMEM_AFTER_MODESET);
  ADD ("transient-errors", test_transient_errors, 0);
  ADD ("lost", test_lost, 0);
  ADD ("rejects-logged-once", test_rejects_logged_once, 0);
  ADD ("cache-bounded", test_cache_bounded, 0);
  ADD ("id-reuse-other-geometry", test_id_reuse_other_geometry, 0);
#undef ADD
  for (gsize i = 0; i < G_N_ELEMENTS (bad_planes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/scanout/reject/%s", bad_planes[i].name);
      g_test_add (path, Fixture, &bad_planes[i], setup_plain, test_rejects, teardown);
    }
  g_test_add ("/scanout/region/planes", Fixture, NULL, setup_region, test_region_planes, teardown);
  g_test_add ("/scanout/region/cursor-echoes-primary", Fixture, NULL, setup_region,
              test_cursor_echoes_primary, teardown);
  g_test_add ("/scanout/region/bad-index", Fixture, NULL, setup_region, test_region_bad_index,
              teardown);
  return g_test_run ();
}
