/* Tests for the scanout poller (scanout.c) on the kernel backend and the
 * fake VFIO kernel: what real devices do to a poller (GVT-g's echo, mbochs'
 * ENOMEM, id reuse, cursor moves, hot-unplug, hostile plane fields) and
 * what the poller must never do (a GET per poll, a GET for a rejected plane,
 * an fd left behind). */
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fake-kernel.h"
#include "testutil.h"
#include "cmd/cmd.h"
#include "common/gvt-error.h"
#include "common/format.h"
#include "display/scanout.h"
#include "vgpu/vgpu.h"

typedef struct _Case Case;

typedef struct {
  GvtFakeKernel *fake;
  int fds;          /* open fds before the device was opened */
  GvtVgpu *vgpu;
  GvtScanout *scanout;
  const Case *tcase;
} Fixture;

/* A plane rejection case: a valid plane, then one field spoiled. */
struct _Case {
  const GvtFakeConfig *config;
  gboolean cursor;  /* spoil the cursor (the primary stays valid) */
  void (*spoil) (struct vfio_device_gfx_plane_info *plane);
};

static const GvtFakeConfig gvt_config = { .quirks = GVT_FAKE_QUIRK_ECHO_WHEN_OFF };
static const GvtFakeConfig zeroing_config = { 0 };
static const GvtFakeConfig mbochs_config = { .quirks = GVT_FAKE_QUIRK_ENOMEM_AFTER_MODESET };
static const GvtFakeConfig region_config = { .display = GVT_FAKE_DISPLAY_REGION };
static const GvtFakeConfig no_display_config = { .display = GVT_FAKE_DISPLAY_NONE };

static const Case gvt_case = { .config = &gvt_config };
static const Case zeroing_case = { .config = &zeroing_config };
static const Case mbochs_case = { .config = &mbochs_config };
static const Case region_case = { .config = &region_config };
static const Case no_display_case = { .config = &no_display_config };

static void
open_device (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  f->vgpu = gvt_vgpu_open (gvt_fake_kernel_get_group_path (f->fake), &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->tcase = data;
  f->fake = gvt_fake_kernel_new (f->tcase->config);
  f->fds = gvt_test_count_device_fds ();
  open_device (f);
  if (f->tcase->config->display == GVT_FAKE_DISPLAY_NONE)
    return;

  g_autoptr(GError) error = NULL;
  f->scanout = gvt_scanout_new (f->vgpu, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->scanout);
  gvt_fake_kernel_clear_log (f->fake);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->scanout, gvt_scanout_free);
  g_clear_pointer (&f->vgpu, gvt_vgpu_free);
  g_clear_pointer (&f->fake, gvt_fake_kernel_free);
}

/* Closes everything and checks that nothing is left open. */
static void
assert_all_released (Fixture *f)
{
  g_clear_pointer (&f->scanout, gvt_scanout_free);
  g_clear_pointer (&f->vgpu, gvt_vgpu_free);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 0);
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
}

static GvtScanoutStats
stats (Fixture *f)
{
  GvtScanoutStats s;
  gvt_scanout_get_stats (f->scanout, &s);
  return s;
}

static guint
gets (Fixture *f, guint32 id)
{
  return gvt_fake_kernel_get_dmabuf_gets (f->fake, id);
}

static void
set_primary (Fixture *f, guint32 width, guint32 height, guint32 id)
{
  struct vfio_device_gfx_plane_info plane = gvt_fake_plane (GVT_FORMAT_XRGB8888, width, height, id);
  gvt_fake_kernel_set_primary (f->fake, &plane);
}

static void
set_cursor (Fixture *f, guint32 x, guint32 y, guint32 id)
{
  struct vfio_device_gfx_plane_info plane = gvt_fake_cursor (64, x, y, 0, 0, id);
  gvt_fake_kernel_set_cursor (f->fake, &plane);
}

/* ---- probing ---- */

static void
test_probe_dmabuf (Fixture *f, gconstpointer data)
{
  g_assert_true (gvt_scanout_has_dmabuf (f->scanout));
  g_assert_false (gvt_scanout_has_region (f->scanout));
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_NO_SIGNAL);
  /* Nothing is asked before the first poll. */
  g_assert_cmpuint (gvt_fake_kernel_get_queries (f->fake), ==, 0);
}

static void
test_probe_region (Fixture *f, gconstpointer data)
{
  g_assert_false (gvt_scanout_has_dmabuf (f->scanout));
  g_assert_true (gvt_scanout_has_region (f->scanout));
}

static void
test_probe_no_display (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GvtScanout) scanout = gvt_scanout_new (f->vgpu, &error);
  g_assert_null (scanout);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DISPLAY);
  g_assert_nonnull (strstr (error->message, "no display"));

  g_autofree char *log = gvt_fake_kernel_get_log (f->fake, "device QUERY_GFX_PLANE");
  g_assert_cmpstr (log, ==,
                   "device QUERY_GFX_PLANE probe-dmabuf -> ENOTTY\n"
                   "device QUERY_GFX_PLANE probe-region -> ENOTTY\n");
  assert_all_released (f);
}

/* ---- no signal ---- */

/* GVT-g answers "no plane" with the caller's own struct: the poller must
 * see no plane, never a phantom of what it sent. */
static void
test_no_signal (Fixture *f, gconstpointer data)
{
  for (int i = 0; i < 3; i++)
    {
      g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
      g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_NO_SIGNAL);
      g_assert_nonnull (gvt_scanout_get_reason (f->scanout));
      g_assert_null (gvt_scanout_get_primary (f->scanout));
    }
  /* No primary, so no cursor query either; nothing fetched. */
  g_autofree char *log = gvt_fake_kernel_get_log (f->fake, NULL);
  g_assert_cmpstr (log, ==,
                   "device QUERY_GFX_PLANE primary\n"
                   "device QUERY_GFX_PLANE primary\n"
                   "device QUERY_GFX_PLANE primary\n");

  set_primary (f, 1024, 768, 1);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_null (gvt_scanout_get_reason (f->scanout));

  /* The guest turns its plane off. */
  gvt_fake_kernel_set_primary (f->fake, NULL);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_NO_SIGNAL);
  g_assert_null (gvt_scanout_get_primary (f->scanout));
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);

  assert_all_released (f);
}

/* ---- retries ---- */

static void
test_enomem_after_modeset (Fixture *f, gconstpointer data)
{
  set_primary (f, 1024, 768, 1);

  /* mbochs: the first query after a mode change fails. */
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
  g_assert_true (gvt_scanout_is_retrying (f->scanout));
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_NO_SIGNAL);
  g_assert_cmpuint (stats (f).retries, ==, 1);
  g_assert_cmpuint (gets (f, GVT_FAKE_ANY_ID), ==, 0);

  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_false (gvt_scanout_is_retrying (f->scanout));
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_cmpuint (gvt_plane_get_width (gvt_scanout_get_primary (f->scanout)), ==, 1024);
  g_assert_cmpuint (gets (f, 1), ==, 1);

  /* Another mode: the old picture stays up through the failed tick. */
  set_primary (f, 800, 600, 2);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
  g_assert_true (gvt_scanout_is_retrying (f->scanout));
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_cmpuint (gvt_plane_get_width (gvt_scanout_get_primary (f->scanout)), ==, 1024);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpuint (gvt_plane_get_width (gvt_scanout_get_primary (f->scanout)), ==, 800);
  g_assert_cmpuint (gets (f, 2), ==, 1);
  g_assert_cmpuint (stats (f).retries, ==, 2);

  assert_all_released (f);
}

static void
test_retry_errors (Fixture *f, gconstpointer data)
{
  const int errs[] = { EINVAL, EFAULT, ENOMEM };

  set_primary (f, 640, 480, 1);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  GvtPlane *shown = gvt_scanout_get_primary (f->scanout);

  for (guint i = 0; i < G_N_ELEMENTS (errs); i++)
    {
      gvt_fake_kernel_fail_next_query (f->fake, errs[i]);
      g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
      g_assert_true (gvt_scanout_is_retrying (f->scanout));
      g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
      g_assert_true (gvt_scanout_get_primary (f->scanout) == shown);

      g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
      g_assert_false (gvt_scanout_is_retrying (f->scanout));
    }
  g_assert_cmpuint (stats (f).retries, ==, G_N_ELEMENTS (errs));
  g_assert_cmpuint (gets (f, 1), ==, 1);
  assert_all_released (f);
}

/* ---- the dma-buf cache ---- */

static void
test_one_get_per_id (Fixture *f, gconstpointer data)
{
  set_primary (f, 1280, 720, 1);
  set_cursor (f, 0, 0, 2);

  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==,
                   GVT_SOURCE_PRIMARY_CHANGED | GVT_SOURCE_CURSOR_IMAGE_CHANGED);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
  g_assert_cmpuint (gets (f, 1), ==, 1);
  g_assert_cmpuint (gets (f, 2), ==, 1);

  /* Page flips between two buffers: each fetched once. */
  for (guint i = 0; i < 20; i++)
    {
      set_primary (f, 1280, 720, i % 2 ? 1 : 3);
      g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
      g_assert_cmpuint (gvt_plane_get_dmabuf_id (gvt_scanout_get_primary (f->scanout)), ==,
                        i % 2 ? 1 : 3);
    }
  g_assert_cmpuint (gets (f, 1), ==, 1);
  g_assert_cmpuint (gets (f, 3), ==, 1);
  g_assert_cmpuint (stats (f).dmabuf_gets, ==, gets (f, GVT_FAKE_ANY_ID));
  g_assert_cmpuint (stats (f).cached, ==, 3);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 3);

  /* The fds the poller keeps are its own: not inherited by children. */
  int fd = gvt_buffer_get_fd (gvt_plane_get_buffer (gvt_scanout_get_primary (f->scanout)));
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (fcntl (fd, F_GETFD) & FD_CLOEXEC);

  assert_all_released (f);
}

static void
test_id_reuse (Fixture *f, gconstpointer data)
{
  set_primary (f, 640, 480, 1);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  guint64 first = gvt_buffer_get_serial (gvt_plane_get_buffer (gvt_scanout_get_primary (f->scanout)));

  /* The device freed id 1 and gave it to a buffer of another mode. */
  set_primary (f, 800, 600, 1);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  GvtPlane *plane = gvt_scanout_get_primary (f->scanout);
  g_assert_cmpuint (gvt_plane_get_width (plane), ==, 800);
  g_assert_cmpuint (gvt_plane_get_dmabuf_id (plane), ==, 1);
  g_assert_cmpuint (gvt_buffer_get_serial (gvt_plane_get_buffer (plane)), !=, first);
  g_assert_cmpuint (gets (f, 1), ==, 2);

  /* And back: id 1 is the 800x600 buffer's now, the 640x480 fd is stale. */
  set_primary (f, 640, 480, 1);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpuint (gets (f, 1), ==, 3);
  g_assert_cmpuint (gvt_buffer_get_serial (gvt_plane_get_buffer (gvt_scanout_get_primary (f->scanout))),
                    !=, first);

  assert_all_released (f);
}

static void
test_cursor_move (Fixture *f, gconstpointer data)
{
  set_primary (f, 1024, 768, 1);
  set_cursor (f, 10, 10, 2);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==,
                   GVT_SOURCE_PRIMARY_CHANGED | GVT_SOURCE_CURSOR_IMAGE_CHANGED);

  for (guint32 x = 11; x < 30; x++)
    {
      set_cursor (f, x, 2 * x, 2);
      g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_CURSOR_MOVED);
      GvtPlane *cursor = gvt_scanout_get_cursor (f->scanout);
      g_assert_cmpint (gvt_plane_get_x (cursor), ==, (gint32) x);
      g_assert_cmpint (gvt_plane_get_y (cursor), ==, (gint32) (2 * x));
    }
  g_assert_cmpuint (gets (f, 2), ==, 1);

  /* A new cursor image is a new id. */
  set_cursor (f, 29, 58, 5);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_CURSOR_IMAGE_CHANGED);
  g_assert_cmpuint (gets (f, 5), ==, 1);

  /* The cursor goes away. */
  gvt_fake_kernel_set_cursor (f->fake, NULL);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_CURSOR_IMAGE_CHANGED);
  g_assert_null (gvt_scanout_get_cursor (f->scanout));

  assert_all_released (f);
}

/* `gvt-view probe --json GROUP` in this process, on the fake: its parsed
 * output (free with g_object_unref). */
static JsonParser *
probe_json (Fixture *f)
{
  char *argv[] = { (char *) "probe", (char *) "--json",
                   (char *) gvt_fake_kernel_get_group_path (f->fake), NULL };
  g_autofree char *out = NULL, *err = NULL;
  size_t out_len = 0, err_len = 0;
  FILE *out_file = open_memstream (&out, &out_len);
  FILE *err_file = open_memstream (&err, &err_len);
  int status = gvt_cmd_probe (3, argv, out_file, err_file);
  fclose (out_file);
  fclose (err_file);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (err, ==, "");

  JsonParser *parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  return parser;
}

static JsonObject *
root_object (JsonParser *parser)
{
  return json_node_get_object (json_parser_get_root (parser));
}

/* A device that keeps the sign says -10 as 0xFFFFFFF6: the poller, and
 * probe's JSON, say -10. */
static void
test_cursor_negative (Fixture *f, gconstpointer data)
{
  set_primary (f, 1024, 768, 1);
  set_cursor (f, (guint32) -10, (guint32) -5, 2);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==,
                   GVT_SOURCE_PRIMARY_CHANGED | GVT_SOURCE_CURSOR_IMAGE_CHANGED);
  GvtPlane *cursor = gvt_scanout_get_cursor (f->scanout);
  g_assert_cmpint (gvt_plane_get_x (cursor), ==, -10);
  g_assert_cmpint (gvt_plane_get_y (cursor), ==, -5);

  /* Across the edge is a move like any other: same id, no GET. */
  set_cursor (f, 3, (guint32) -1, 2);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_CURSOR_MOVED);
  g_assert_cmpint (gvt_plane_get_x (gvt_scanout_get_cursor (f->scanout)), ==, 3);
  g_assert_cmpint (gvt_plane_get_y (gvt_scanout_get_cursor (f->scanout)), ==, -1);
  g_assert_cmpuint (gets (f, 2), ==, 1);

  set_cursor (f, (guint32) -10, (guint32) -5, 2);
  g_autoptr(JsonParser) parser = probe_json (f);
  JsonObject *c = json_object_get_object_member (root_object (parser), "cursor");
  g_assert_nonnull (c);
  g_assert_cmpint (json_object_get_int_member (c, "x"), ==, -10);
  g_assert_cmpint (json_object_get_int_member (c, "y"), ==, -5);

  assert_all_released (f);
}

/* ---- the dma-buf's real size ---- */

/* The plane's fields pass, the dma-buf the kernel hands out for it is too
 * small: invalid with the reason, logged once, fetched once, never handed
 * to a display; probe says so too. */
static void
test_dmabuf_short (Fixture *f, gconstpointer data)
{
  const char *want = "the guest's 1920x1080 primary plane needs 8294400 bytes but its "
                     "dma-buf has 4096";
  gvt_fake_kernel_set_dmabuf_size (f->fake, 1, 4096);
  set_primary (f, 1920, 1080, 1);

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*needs 8294400 bytes but*4096*");
  for (int i = 0; i < 4; i++)
    {
      gvt_scanout_poll (f->scanout);
      g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_INVALID);
      g_assert_null (gvt_scanout_get_primary (f->scanout));
      const char *reason = gvt_scanout_get_reason (f->scanout);
      if (strstr (reason, want) == NULL)
        g_error ("reason '%s' lacks '%s'", reason, want);
    }
  g_test_assert_expected_messages ();
  g_assert_cmpuint (gets (f, 1), ==, 1);
  g_assert_cmpuint (stats (f).rejected, ==, 4);
  /* The queried primary only: no cursor query without a primary. */
  g_autofree char *log = gvt_fake_kernel_get_log (f->fake, "device GET_GFX_DMABUF");
  g_assert_cmpstr (log, ==, "device GET_GFX_DMABUF 1\n");

  /* probe, with a poller of its own: the same verdict. */
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*needs 8294400 bytes but*4096*");
  g_autoptr(JsonParser) parser = probe_json (f);
  g_test_assert_expected_messages ();
  JsonObject *o = root_object (parser);
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "invalid");
  g_assert_nonnull (strstr (json_object_get_string_member (o, "reason"), want));
  g_assert_true (json_object_get_null_member (o, "primary"));

  /* The guest moves on to a whole buffer: live. */
  set_primary (f, 1920, 1080, 2);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_nonnull (gvt_scanout_get_primary (f->scanout));

  assert_all_released (f);
}

/* Exactly the bytes the plane needs (not whole pages) is enough, and the
 * buffer is as big as the dma-buf, not as the guest's size field. */
static void
test_dmabuf_exact (Fixture *f, gconstpointer data)
{
  struct vfio_device_gfx_plane_info plane = gvt_fake_plane (GVT_FORMAT_XRGB8888, 100, 100, 1);
  plane.size = 1u << 20;
  gvt_fake_kernel_set_primary (f->fake, &plane);
  gvt_fake_kernel_set_dmabuf_size (f->fake, 1, 40000);

  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
  GvtPlane *primary = gvt_scanout_get_primary (f->scanout);
  g_assert_cmpuint (gvt_plane_get_size (primary), ==, 1u << 20);
  GvtBuffer *buffer = gvt_plane_get_buffer (primary);
  g_assert_cmpuint (gvt_buffer_get_size (buffer), ==, 40000);
  g_autoptr(GError) error = NULL;
  const guint8 *pixels = gvt_buffer_map (buffer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pixels[39999], ==, 0);

  g_autoptr(JsonParser) parser = probe_json (f);
  g_assert_cmpstr (json_object_get_string_member (root_object (parser), "state"), ==, "live");

  assert_all_released (f);
}

/* An fd that can't seek is no dma-buf: its size can't be trusted, so the
 * plane is invalid rather than shown on faith. */
static void
test_dmabuf_unseekable (Fixture *f, gconstpointer data)
{
  gvt_fake_kernel_set_dmabuf_size (f->fake, 1, GVT_FAKE_DMABUF_UNSEEKABLE);
  set_primary (f, 640, 480, 1);

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*can't tell its size*");
  for (int i = 0; i < 3; i++)
    {
      gvt_scanout_poll (f->scanout);
      g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_INVALID);
      g_assert_null (gvt_scanout_get_primary (f->scanout));
    }
  g_test_assert_expected_messages ();
  g_assert_nonnull (strstr (gvt_scanout_get_reason (f->scanout), "lseek: Illegal seek"));
  g_assert_cmpuint (gets (f, 1), ==, 1);
  /* Kept while the guest shows it, like any fetched buffer... */
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 1);

  /* ...and let go with everything else. */
  assert_all_released (f);
}

/* A short cursor buffer costs the cursor only. */
static void
test_dmabuf_short_cursor (Fixture *f, gconstpointer data)
{
  set_primary (f, 1024, 768, 1);
  set_cursor (f, 5, 5, 2);
  gvt_fake_kernel_set_dmabuf_size (f->fake, 2, 100);

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                         "*64x64 cursor plane needs 16384 bytes but its dma-buf has 100*");
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_null (gvt_scanout_get_cursor (f->scanout));
  g_assert_cmpuint (gets (f, 2), ==, 1);
  assert_all_released (f);
}

/* ---- device lost ---- */

static void
test_lost (Fixture *f, gconstpointer data)
{
  set_primary (f, 1024, 768, 1);
  set_cursor (f, 0, 0, 2);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), !=, GVT_SOURCE_NOTHING);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 2);

  gvt_fake_kernel_unplug (f->fake);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*device lost*No such device*");
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_LOST);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LOST);
  g_assert_nonnull (strstr (gvt_scanout_get_reason (f->scanout), "lost"));
  /* Pinned guest memory is let go at once, not when the poller dies. */
  g_assert_null (gvt_scanout_get_primary (f->scanout));
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 0);

  /* Once: then silence, and no more asking. */
  guint queries = gvt_fake_kernel_get_queries (f->fake);
  g_autofree char *log = gvt_fake_kernel_get_log (f->fake, NULL);
  for (int i = 0; i < 3; i++)
    g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
  g_autofree char *log_after = gvt_fake_kernel_get_log (f->fake, NULL);
  g_assert_cmpstr (log_after, ==, log);
  g_assert_cmpuint (gvt_fake_kernel_get_queries (f->fake), ==, queries);

  assert_all_released (f);
}

/* ---- region planes ---- */

static void
test_region_live (Fixture *f, gconstpointer data)
{
  struct vfio_device_gfx_plane_info plane = gvt_fake_plane (GVT_FORMAT_XRGB8888, 1024, 768, 0);
  plane.region_index = GVT_FAKE_FB_REGION;
  gvt_fake_kernel_set_primary (f->fake, &plane);

  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
  GvtPlane *primary = gvt_scanout_get_primary (f->scanout);
  g_assert_cmpint (gvt_plane_get_source (primary), ==, GVT_PLANE_SOURCE_REGION);
  g_assert_cmpuint (gvt_plane_get_region_index (primary), ==, GVT_FAKE_FB_REGION);
  g_autoptr(GError) error = NULL;
  const guint8 *pixels = gvt_buffer_map (gvt_plane_get_buffer (primary), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pixels[1024 * 768 * 4 - 1], ==, 0);

  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_NOTHING);
  g_assert_cmpuint (gets (f, GVT_FAKE_ANY_ID), ==, 0);
  assert_all_released (f);
}

/* ---- hostile planes ---- */

static void spoil_fourcc (struct vfio_device_gfx_plane_info *p) { p->drm_format = GVT_FOURCC ('A', 'B', 'C', 'D'); }
static void spoil_width_0 (struct vfio_device_gfx_plane_info *p) { p->width = 0; }
static void spoil_height_0 (struct vfio_device_gfx_plane_info *p) { p->height = 0; }
static void spoil_width_big (struct vfio_device_gfx_plane_info *p) { p->width = 16385; p->stride = 16385 * 4; p->size = p->stride * p->height; }
static void spoil_height_big (struct vfio_device_gfx_plane_info *p) { p->height = 16385; p->size = p->stride * 16385; }
static void spoil_stride (struct vfio_device_gfx_plane_info *p) { p->stride = p->width * 4 - 4; }
static void spoil_size (struct vfio_device_gfx_plane_info *p) { p->size = p->stride * p->height - 1; }
static void spoil_huge_product (struct vfio_device_gfx_plane_info *p) { p->width = 16384; p->height = 16384; p->stride = 0x40000000; p->size = 0x10000; }
static void spoil_region (struct vfio_device_gfx_plane_info *p) { p->region_index = 12; }
static void spoil_cursor_big (struct vfio_device_gfx_plane_info *p) { p->width = p->height = 257; p->stride = 257 * 4; p->size = 257 * 257 * 4; }

static const Case invalid_fourcc = { &gvt_config, FALSE, spoil_fourcc };
static const Case invalid_width_0 = { &gvt_config, FALSE, spoil_width_0 };
static const Case invalid_height_0 = { &gvt_config, FALSE, spoil_height_0 };
static const Case invalid_width_big = { &gvt_config, FALSE, spoil_width_big };
static const Case invalid_height_big = { &gvt_config, FALSE, spoil_height_big };
static const Case invalid_stride = { &gvt_config, FALSE, spoil_stride };
static const Case invalid_size = { &gvt_config, FALSE, spoil_size };
static const Case invalid_overflow = { &gvt_config, FALSE, spoil_huge_product };
static const Case invalid_region = { &region_config, FALSE, spoil_region };
static const Case invalid_cursor_big = { &gvt_config, TRUE, spoil_cursor_big };

static void
test_invalid_primary (Fixture *f, gconstpointer data)
{
  const Case *tcase = data;
  struct vfio_device_gfx_plane_info plane = gvt_fake_plane (GVT_FORMAT_XRGB8888, 640, 480, 7);
  if (tcase->config->display == GVT_FAKE_DISPLAY_REGION)
    plane.region_index = GVT_FAKE_FB_REGION;
  tcase->spoil (&plane);
  gvt_fake_kernel_set_primary (f->fake, &plane);

  /* Said once, however often the guest repeats it. */
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*ignoring the guest's plane*");
  for (int i = 0; i < 3; i++)
    {
      gvt_scanout_poll (f->scanout);
      g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_INVALID);
      g_assert_nonnull (gvt_scanout_get_reason (f->scanout));
      g_assert_null (gvt_scanout_get_primary (f->scanout));
    }
  g_test_assert_expected_messages ();
  g_assert_cmpuint (stats (f).rejected, ==, 3);
  g_assert_cmpuint (gets (f, GVT_FAKE_ANY_ID), ==, 0);
  g_autofree char *log = gvt_fake_kernel_get_log (f->fake, "device GET_GFX_DMABUF");
  g_assert_cmpstr (log, ==, "");

  /* A sane plane afterwards is shown. */
  plane = gvt_fake_plane (GVT_FORMAT_XRGB8888, 640, 480, 8);
  if (tcase->config->display == GVT_FAKE_DISPLAY_REGION)
    plane.region_index = GVT_FAKE_FB_REGION;
  gvt_fake_kernel_set_primary (f->fake, &plane);
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);

  assert_all_released (f);
}

/* A bad cursor costs the cursor only: the primary stays live. */
static void
test_invalid_cursor (Fixture *f, gconstpointer data)
{
  const Case *tcase = data;
  set_primary (f, 1024, 768, 1);
  struct vfio_device_gfx_plane_info cursor = gvt_fake_cursor (64, 5, 5, 1, 1, 9);
  tcase->spoil (&cursor);
  gvt_fake_kernel_set_cursor (f->fake, &cursor);

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*ignoring the guest's plane*cursor*");
  g_assert_cmpint (gvt_scanout_poll (f->scanout), ==, GVT_SOURCE_PRIMARY_CHANGED);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gvt_scanout_get_state (f->scanout), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_nonnull (gvt_scanout_get_primary (f->scanout));
  g_assert_null (gvt_scanout_get_cursor (f->scanout));
  g_assert_cmpuint (stats (f).rejected, ==, 1);
  g_assert_cmpuint (gets (f, 9), ==, 0);
  g_assert_cmpuint (gets (f, 1), ==, 1);
  assert_all_released (f);
}

/* GVT-g passes a hotspot up to the cursor's width itself (its
 * validate_hotspot: x_hot <= width): the cursor is shown, the hotspot on
 * its last column, and nothing is said. */
static void
test_cursor_hotspot_edge (Fixture *f, gconstpointer data)
{
  set_primary (f, 1024, 768, 1);
  struct vfio_device_gfx_plane_info cursor = gvt_fake_cursor (64, 5, 5, 1, 1, 9);
  cursor.x_hot = 64;
  cursor.y_hot = 3;
  gvt_fake_kernel_set_cursor (f->fake, &cursor);

  gvt_scanout_poll (f->scanout);
  GvtPlane *c = gvt_scanout_get_cursor (f->scanout);
  g_assert_nonnull (c);
  g_assert_cmpuint (gvt_plane_get_hot_x (c), ==, 63);
  g_assert_cmpuint (gvt_plane_get_hot_y (c), ==, 3);
  g_assert_cmpuint (stats (f).rejected, ==, 0);
  g_assert_cmpuint (gets (f, 9), ==, 1);
}

static void
test_free_releases_everything (Fixture *f, gconstpointer data)
{
  for (guint32 id = 1; id <= 12; id++)
    {
      set_primary (f, 320 + id, 200, id);
      set_cursor (f, id, id, 100 + id % 3);
      gvt_scanout_poll (f->scanout);
    }
  /* The cache is bounded: current planes plus the recent ones. */
  g_assert_cmpuint (stats (f).cached, <=, GVT_SCANOUT_CACHE_RECENT + 2);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, (int) stats (f).cached);

  /* Planes handed out keep their buffers past the poller. */
  g_autoptr(GvtPlane) kept = gvt_plane_ref (gvt_scanout_get_primary (f->scanout));
  g_clear_pointer (&f->scanout, gvt_scanout_free);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 1);
  g_clear_pointer (&kept, gvt_plane_unref);

  assert_all_released (f);
}

int
main (int argc, char **argv)
{
  gvt_test_ensure_umockdev (argc, argv);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, tcase, func) \
  g_test_add ("/scanout-kernel/" path, Fixture, tcase, fixture_set_up, func, fixture_tear_down)

  ADD ("probe/dmabuf", &gvt_case, test_probe_dmabuf);
  ADD ("probe/region", &region_case, test_probe_region);
  ADD ("probe/no-display", &no_display_case, test_probe_no_display);
  ADD ("no-signal/gvt-echo", &gvt_case, test_no_signal);
  ADD ("no-signal/zeroed", &zeroing_case, test_no_signal);
  ADD ("retry/enomem-after-modeset", &mbochs_case, test_enomem_after_modeset);
  ADD ("retry/errors", &gvt_case, test_retry_errors);
  ADD ("cache/one-get-per-id", &gvt_case, test_one_get_per_id);
  ADD ("cache/id-reuse", &gvt_case, test_id_reuse);
  ADD ("cursor/move", &gvt_case, test_cursor_move);
  ADD ("cursor/negative", &gvt_case, test_cursor_negative);
  ADD ("dmabuf/short", &gvt_case, test_dmabuf_short);
  ADD ("dmabuf/short-cursor", &gvt_case, test_dmabuf_short_cursor);
  ADD ("dmabuf/exact", &gvt_case, test_dmabuf_exact);
  ADD ("dmabuf/unseekable", &gvt_case, test_dmabuf_unseekable);
  ADD ("lost/mid-stream", &gvt_case, test_lost);
  ADD ("region/live", &region_case, test_region_live);
  ADD ("invalid/fourcc", &invalid_fourcc, test_invalid_primary);
  ADD ("invalid/width-0", &invalid_width_0, test_invalid_primary);
  ADD ("invalid/height-0", &invalid_height_0, test_invalid_primary);
  ADD ("invalid/width-16385", &invalid_width_big, test_invalid_primary);
  ADD ("invalid/height-16385", &invalid_height_big, test_invalid_primary);
  ADD ("invalid/stride", &invalid_stride, test_invalid_primary);
  ADD ("invalid/size", &invalid_size, test_invalid_primary);
  ADD ("invalid/overflow", &invalid_overflow, test_invalid_primary);
  ADD ("invalid/region-index", &invalid_region, test_invalid_primary);
  ADD ("invalid/cursor-257", &invalid_cursor_big, test_invalid_cursor);
  ADD ("cursor/hotspot-edge", &gvt_case, test_cursor_hotspot_edge);
  ADD ("free/releases-everything", &gvt_case, test_free_releases_everything);

  return g_test_run ();
}
