/* The snapshot engine and command on the simulated vGPU: what the guest
 * wrote is what the PNG shows, pixel for pixel. */
#include <string.h>
#include <glib/gstdio.h>

#include "gl-testutil.h"
#include "common/gvt-error.h"
#include "cmd/cmd-render.h"
#include "common/format.h"
#include "render/png-file.h"
#include "render/snapshot.h"
#include "sim/vgpu-sim.h"
#include "sim/demo-guest.h"

/* A pattern with distinct rows and columns, X byte junk. */
static void
paint (guint8 *pixels, guint32 stride, guint w, guint h, guint seed)
{
  for (guint y = 0; y < h; y++)
    {
      guint32 *row = (guint32 *) (pixels + (gsize) y * stride);
      for (guint x = 0; x < w; x++)
        row[x] = 0x5a000000u | ((x * 7 + seed) & 0xff) << 16 | ((y * 5 + seed) & 0xff) << 8
                 | ((x ^ y) & 0xff);
    }
}

static void
assert_matches (const GvtSnapshot *shot, const guint8 *pixels, guint32 stride)
{
  for (guint y = 0; y < shot->height; y++)
    for (guint x = 0; x < shot->width; x++)
      {
        guint32 xrgb = ((const guint32 *) (pixels + (gsize) y * stride))[x];
        guint32 want = (xrgb << 8) | 0xff;
        gvt_gl_assert_pixel (gvt_gl_test_pixel (shot->rgba, shot->width, x, y), want, 0, x, y);
      }
}

static void
test_sim_dmabuf (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtVgpu) vgpu = gvt_sim_new (GVT_SIM_DMABUF, GVT_SIM_QUIRK_NONE, 0, 0);
  GvtSim *sim = gvt_vgpu_get_sim (vgpu);
  /* 96x64 XRGB: 24 KiB, whole pages (dma-buf maps and imports need them). */
  gvt_sim_set_mode (sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 96, 64, 0);
  paint (gvt_sim_get_pixels (sim, FALSE), gvt_sim_get_stride (sim), 96, 64, 3);

  GvtSnapshotOptions opts = { .mode = GVT_SCALE_FIT, .filter = GVT_FILTER_AUTO, .wait_seconds = 1 };
  g_autoptr (GvtSnapshot) shot = gvt_snapshot_take (vgpu, &opts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shot->width, ==, 96);
  g_assert_cmpuint (shot->height, ==, 64);
  g_assert_cmpint (shot->imported, ==, gvt_gl_test_expect_import ());
  assert_matches (shot, gvt_sim_get_pixels (sim, FALSE), gvt_sim_get_stride (sim));

  /* After a flip the other buffer shows. */
  paint (gvt_sim_get_pixels (sim, TRUE), gvt_sim_get_stride (sim), 96, 64, 99);
  gvt_sim_page_flip (sim);
  g_autoptr (GvtSnapshot) flipped = gvt_snapshot_take (vgpu, &opts, &error);
  g_assert_no_error (error);
  assert_matches (flipped, gvt_sim_get_pixels (sim, FALSE), gvt_sim_get_stride (sim));
}

static void
test_sim_region (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtVgpu) vgpu = gvt_sim_new (GVT_SIM_REGION, GVT_SIM_QUIRK_NONE, 0, 0);
  GvtSim *sim = gvt_vgpu_get_sim (vgpu);
  gvt_sim_set_mode (sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 64, 48, 0);
  paint (gvt_sim_get_pixels (sim, FALSE), gvt_sim_get_stride (sim), 64, 48, 11);

  GvtSnapshotOptions opts = { .wait_seconds = 1 };
  g_autoptr (GvtSnapshot) shot = gvt_snapshot_take (vgpu, &opts, &error);
  g_assert_no_error (error);
  g_assert_false (shot->imported);
  assert_matches (shot, gvt_sim_get_pixels (sim, FALSE), gvt_sim_get_stride (sim));
}

static void
test_sim_cursor (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtVgpu) vgpu = gvt_sim_new (GVT_SIM_DMABUF, GVT_SIM_QUIRK_NONE, 0, 0);
  GvtSim *sim = gvt_vgpu_get_sim (vgpu);
  gvt_sim_set_mode (sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, 128, 64, 0);
  paint (gvt_sim_get_pixels (sim, FALSE), gvt_sim_get_stride (sim), 128, 64, 1);
  gvt_sim_set_cursor (sim, 64, 0, 0);
  guint32 *cursor = (guint32 *) gvt_sim_get_cursor_pixels (sim);
  /* An opaque 2x2 block at the image's top-left, transparent elsewhere. */
  cursor[0] = cursor[1] = cursor[64] = cursor[65] = 0xff10e020;
  gvt_sim_move_cursor (sim, 20, 10);

  GvtSnapshotOptions opts = { .wait_seconds = 1 };
  g_autoptr (GvtSnapshot) shot = gvt_snapshot_take (vgpu, &opts, &error);
  g_assert_no_error (error);
  g_assert_true (shot->has_cursor);
  /* GVT_TEST_PNG_DIR=DIR keeps the picture for a person to look at. */
  if (g_getenv ("GVT_TEST_PNG_DIR") != NULL)
    {
      g_autofree char *path = g_build_filename (g_getenv ("GVT_TEST_PNG_DIR"), "sim-cursor.png", NULL);
      g_assert_true (gvt_png_write_rgba (path, shot->rgba, shot->width, shot->height,
                                         shot->width * 4, NULL));
    }
  const guint8 *pixels = gvt_sim_get_pixels (sim, FALSE);
  guint32 stride = gvt_sim_get_stride (sim);
  for (guint y = 0; y < 64; y++)
    for (guint x = 0; x < 128; x++)
      {
        guint32 want = (((const guint32 *) (pixels + y * stride))[x] << 8) | 0xff;
        if (x >= 20 && x < 22 && y >= 10 && y < 12)
          want = 0x10e020ff;
        gvt_gl_assert_pixel (gvt_gl_test_pixel (shot->rgba, 128, x, y), want, 0, x, y);
      }
}

static void
test_no_plane (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtVgpu) vgpu = gvt_sim_new (GVT_SIM_DMABUF, GVT_SIM_QUIRK_NONE, 0, 0);
  GvtSnapshotOptions opts = { .wait_seconds = 0.1 };
  g_autoptr (GvtSnapshot) shot = gvt_snapshot_take (vgpu, &opts, &error);
  g_assert_null (shot);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DISPLAY);
  g_assert_nonnull (strstr (error->message, "no picture after 0.1 s"));
}

static char *
run_cmd (int *status, char **err_text, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  va_list ap;
  va_start (ap, err_text);
  for (const char *a; (a = va_arg (ap, const char *)) != NULL;)
    g_ptr_array_add (args, (char *) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  char *out_buf = NULL, *err_buf = NULL;
  gsize out_len = 0, err_len = 0;
  FILE *out = open_memstream (&out_buf, &out_len);
  FILE *err = open_memstream (&err_buf, &err_len);
  int (*cmd) (int, char **, FILE *, FILE *) =
    strcmp (args->pdata[0], "demo") == 0 ? gvt_cmd_demo : gvt_cmd_snapshot;
  *status = cmd ((int) args->len - 1, (char **) args->pdata, out, err);
  fclose (out);
  fclose (err);
  *err_text = err_buf;
  return out_buf;
}

static void
test_cmd_png (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gvt-snapshot-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "shot.png", NULL);
  g_autofree char *err = NULL;
  int status;

  g_autofree char *out = run_cmd (&status, &err, "snapshot", "sim:64x32", "-o", path,
                                  "--size", "99x41", "--scale", "integer", NULL);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "-> "));

  g_autoptr (GError) error = NULL;
  guint w = 0, h = 0;
  g_autofree guint8 *rgba = gvt_png_read_rgba (path, &w, &h, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (w, ==, 99);
  g_assert_cmpuint (h, ==, 41);
  /* Integer mode, factor 1: `sim`'s test pattern at (17, 4), 1:1, black
   * letterbox around. Every pixel is opaque. */
  guint32 pattern[64 * 32];
  gvt_demo_paint_test_pattern ((guint8 *) pattern, 64, 32, 64 * 4);
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        gboolean inside = x >= 17 && x < 17 + 64 && y >= 4 && y < 4 + 32;
        guint32 want = inside ? (pattern[(y - 4) * 64 + (x - 17)] << 8) | 0xff : 0x000000ff;
        gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, w, x, y), want, 0, x, y);
      }
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_demo_cmd (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gvt-demo-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "demo.png", NULL);
  g_autofree char *err = NULL;
  int status;

  g_autofree char *out = run_cmd (&status, &err, "demo", "--snapshot", path, "--at", "5", NULL);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "1280x720 desktop"));
  g_assert_nonnull (strstr (out, "with cursor"));

  /* The same guest stepped to the same time, painted by hand, is what the
   * PNG shows (the cursor's square aside). */
  g_autoptr (GvtVgpu) vgpu = gvt_sim_new (GVT_SIM_DMABUF, GVT_SIM_QUIRK_NONE, 0, 0);
  GvtSim *sim = gvt_vgpu_get_sim (vgpu);
  g_autoptr (GvtDemoGuest) guest = gvt_demo_guest_new (sim, NULL);
  gvt_demo_guest_step (guest, 5 * G_USEC_PER_SEC);
  const guint8 *pixels = gvt_sim_get_pixels (sim, FALSE);
  guint32 stride = gvt_sim_get_stride (sim);
  struct vfio_device_gfx_plane_info cursor = { .argsz = sizeof cursor,
                                                .flags = VFIO_GFX_PLANE_TYPE_DMABUF,
                                                .drm_plane_type = 2 };
  g_assert_cmpint (gvt_vgpu_query_plane (vgpu, &cursor), ==, 0);

  g_autoptr (GError) error = NULL;
  guint w = 0, h = 0;
  g_autofree guint8 *rgba = gvt_png_read_rgba (path, &w, &h, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (w, ==, 1280);
  g_assert_cmpuint (h, ==, 720);
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        if (x >= cursor.x_pos && x < cursor.x_pos + cursor.width
            && y >= cursor.y_pos && y < cursor.y_pos + cursor.height)
          continue;
        guint32 xrgb = ((const guint32 *) (pixels + (gsize) y * stride))[x];
        gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, w, x, y), (xrgb << 8) | 0xff, 0, x, y);
      }

  /* In the firmware phase there is nothing to show: a clear error. */
  g_autofree char *err2 = NULL;
  g_free (run_cmd (&status, &err2, "demo", "--snapshot", path, "--at", "1", NULL));
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err2, "firmware phase"));
  g_autofree char *err3 = NULL;
  g_free (run_cmd (&status, &err3, "demo", "--snapshot", path, "--at", "-4", NULL));
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err3, "--at -4"));
  g_unlink (path);
  g_rmdir (dir);
}

/* `demo --snapshot --in-place` shows the same picture as the flipping
 * demo, pixel for pixel: only the buffer discipline differs. One time in
 * each of the first two modes (1280x720, 1920x1080). */
static void
test_demo_in_place (void)
{
  static const struct { const char *at; guint w, h; } times[] = {
    { "5", 1280, 720 }, { "31.25", 1920, 1080 },
  };
  g_autofree char *dir = g_dir_make_tmp ("gvt-demo-XXXXXX", NULL);
  g_autofree char *flip_path = g_build_filename (dir, "flip.png", NULL);
  g_autofree char *in_place_path = g_build_filename (dir, "in-place.png", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autofree char *err1 = NULL, *err2 = NULL;
      int status;
      g_free (run_cmd (&status, &err1, "demo", "--snapshot", flip_path, "--at", times[i].at,
                       NULL));
      g_assert_cmpstr (err1, ==, "");
      g_assert_cmpint (status, ==, 0);
      g_autofree char *out = run_cmd (&status, &err2, "demo", "--snapshot", in_place_path,
                                      "--in-place", "--at", times[i].at, NULL);
      g_assert_cmpstr (err2, ==, "");
      g_assert_cmpint (status, ==, 0);
      g_assert_nonnull (strstr (out, "painted in place"));

      g_autoptr (GError) error = NULL;
      guint fw = 0, fh = 0, iw = 0, ih = 0;
      g_autofree guint8 *flip = gvt_png_read_rgba (flip_path, &fw, &fh, &error);
      g_assert_no_error (error);
      g_autofree guint8 *in_place = gvt_png_read_rgba (in_place_path, &iw, &ih, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (fw, ==, times[i].w);
      g_assert_cmpuint (fh, ==, times[i].h);
      g_assert_cmpuint (iw, ==, fw);
      g_assert_cmpuint (ih, ==, fh);
      /* A desktop, not an empty buffer on both sides. */
      gvt_gl_assert_pixel (gvt_gl_test_pixel (flip, fw, 0, 0), (GVT_DEMO_TOP_BAR << 8) | 0xff,
                           0, 0, 0);
      for (guint y = 0; y < fh; y++)
        for (guint x = 0; x < fw; x++)
          gvt_gl_assert_pixel (gvt_gl_test_pixel (in_place, fw, x, y),
                               gvt_gl_test_pixel (flip, fw, x, y), 0, x, y);
      g_unlink (flip_path);
      g_unlink (in_place_path);
    }
  g_rmdir (dir);
}

static void
test_cmd_errors (void)
{
  g_autofree char *err1 = NULL, *err2 = NULL, *err3 = NULL;
  int status;

  g_free (run_cmd (&status, &err1, "snapshot", "sim", NULL));
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err1, "-o FILE.png"));
  g_free (run_cmd (&status, &err2, "snapshot", "sim", "-o", "/tmp/x.png", "--scale", "zoom", NULL));
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err2, "use fit, fill, integer or native"));
  g_free (run_cmd (&status, &err3, "snapshot", "sim", "-o", "/nonexistent-dir/x.png", NULL));
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err3, "cannot write /nonexistent-dir/x.png"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  int status = gvt_gl_test_check_environment ();
  if (status >= 0)
    return status;

  g_test_add_func ("/snapshot/sim/dmabuf", test_sim_dmabuf);
  g_test_add_func ("/snapshot/sim/region", test_sim_region);
  g_test_add_func ("/snapshot/sim/cursor", test_sim_cursor);
  g_test_add_func ("/snapshot/no-plane", test_no_plane);
  g_test_add_func ("/snapshot/cmd/png", test_cmd_png);
  g_test_add_func ("/snapshot/cmd/errors", test_cmd_errors);
  g_test_add_func ("/snapshot/cmd/demo", test_demo_cmd);
  g_test_add_func ("/snapshot/cmd/demo-in-place", test_demo_in_place);
  return g_test_run ();
}
