/* The snapshot engine and command on the simulated vGPU: what the guest
 * wrote is what the PNG shows, pixel for pixel. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
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

/* --- where -o writes (issue 9): never over what it should write to --- */

/* @path holds `sim:64x32`'s test pattern as a 64x32 PNG, pixel for pixel. */
static void
assert_sim_png (const char *path)
{
  g_autoptr (GError) error = NULL;
  guint w = 0, h = 0;
  g_autofree guint8 *rgba = gvt_png_read_rgba (path, &w, &h, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (w, ==, 64);
  g_assert_cmpuint (h, ==, 32);
  guint32 pattern[64 * 32];
  gvt_demo_paint_test_pattern ((guint8 *) pattern, 64, 32, 64 * 4);
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, w, x, y), (pattern[y * 64 + x] << 8) | 0xff,
                           0, x, y);
}

/* `snapshot sim:64x32 -o @path`: status 0, nothing on stderr. */
static void
snapshot_ok (const char *path)
{
  g_autofree char *err = NULL;
  int status;
  g_autofree char *out = run_cmd (&status, &err, "snapshot", "sim:64x32", "-o", path, NULL);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
  g_autofree char *tail = g_strdup_printf ("-> %s, 64x32\n", path);
  g_assert_true (g_str_has_suffix (out, tail));
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* @dir's entries, sorted, space-separated: no temporary of any name. */
static char *
list_dir (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  g_assert_nonnull (dir);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (const char *name; (name = g_dir_read_name (dir)) != NULL;)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
remove_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  for (const char *name; d != NULL && (name = g_dir_read_name (d)) != NULL;)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

static void
assert_char_device (const char *path, const struct stat *before)
{
  struct stat st;
  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode));
  g_assert_cmpuint (st.st_rdev, ==, before->st_rdev);
  g_assert_cmpuint (st.st_ino, ==, before->st_ino);
}

/* /dev/null gets the bytes and stays the device. The old code renamed a
 * PNG over it as root, and failed as anyone else (no /dev/null.tmp-PID). */
static void
test_cmd_dev_null (void)
{
  struct stat before;
  g_assert_cmpint (stat ("/dev/null", &before), ==, 0);
  if (geteuid () != 0)
    g_test_message ("not root: /dev/null is written to, not replaceable either way");
  snapshot_ok ("/dev/null");
  assert_char_device ("/dev/null", &before);
}

/* A device whose writes fail: the reason, and the device left alone (the
 * old code replaced /dev/full as root). */
static void
test_cmd_dev_full (void)
{
  struct stat before;
  /* Every Linux system has it (a device that is always full): the real
   * failing write this test is about. */
  g_assert_cmpint (stat ("/dev/full", &before), ==, 0);
  g_autofree char *err = NULL;
  int status;
  g_free (run_cmd (&status, &err, "snapshot", "sim:64x32", "-o", "/dev/full", NULL));
  g_assert_cmpint (status, ==, 1);
  g_autofree char *want = g_strdup_printf ("gvt-view: cannot write /dev/full: %s\n",
                                           g_strerror (ENOSPC));
  g_assert_cmpstr (err, ==, want);
  assert_char_device ("/dev/full", &before);
}

/* -o - writes the PNG to fd 1 (here a file in its place) and the words to
 * stderr; what else writes on stdout meanwhile (the test harness prints
 * the debug log there) does not get into it. The old code made a file
 * called "-". */
static void
test_cmd_stdout (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gvt-snapshot-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "stdout.png", NULL);
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  fflush (stdout);
  int saved = dup (STDOUT_FILENO);
  g_assert_cmpint (dup2 (fd, STDOUT_FILENO), ==, STDOUT_FILENO);
  g_autofree char *err = NULL;
  int status;
  g_autofree char *out = run_cmd (&status, &err, "snapshot", "sim:64x32", "-o", "-", NULL);
  g_assert_cmpint (dup2 (saved, STDOUT_FILENO), ==, STDOUT_FILENO);

  close (saved);
  close (fd);

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_str_has_suffix (err, "-> stdout, 64x32\n"));
  g_assert_false (g_file_test ("-", G_FILE_TEST_EXISTS));
  g_autofree char *png = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &png, &len, NULL));
  /* A whole PNG stream: the signature, ..., IEND and its CRC. */
  g_assert_cmpuint (len, >, 8 + 12);
  g_assert_cmpmem (png, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_cmpmem (png + len - 12, 12, "\0\0\0\0IEND\xae\x42\x60\x82", 12);
  assert_sim_png (path);
  remove_dir (dir);
}

typedef struct {
  int fd;
  GByteArray *got;
} FifoReader;

/* Until the writer closes, or nothing comes for 30 s (a writer that never
 * opens the FIFO, as the old code never did: a failure, not a hang). */
static gpointer
read_fifo (gpointer data)
{
  FifoReader *r = data;
  for (;;)
    {
      struct pollfd p = { .fd = r->fd, .events = POLLIN };
      int n = poll (&p, 1, 30 * 1000);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      guint8 buf[8192];
      ssize_t len = read (r->fd, buf, sizeof buf);
      if (len < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (len <= 0)
        break;
      g_byte_array_append (r->got, buf, (guint) len);
    }
  return NULL;
}

/* A FIFO gets the PNG and stays a FIFO (the old code renamed a file over
 * it). */
static void
test_cmd_fifo (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gvt-snapshot-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "pipe.png", NULL);
  g_autofree char *copy = g_build_filename (dir, "copy.png", NULL);
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);

  FifoReader r = { .fd = open (fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC),
                   .got = g_byte_array_new () };
  g_assert_cmpint (r.fd, >=, 0);
  GThread *reader = g_thread_new ("fifo-reader", read_fifo, &r);
  snapshot_ok (fifo);
  g_thread_join (reader);
  close (r.fd);

  struct stat st;
  g_assert_cmpint (lstat (fifo, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));
  g_assert_true (g_file_set_contents (copy, (const char *) r.got->data, r.got->len, NULL));
  g_byte_array_unref (r.got);
  assert_sim_png (copy);
  g_autofree char *names = list_dir (dir);
  g_assert_cmpstr (names, ==, "copy.png pipe.png");
  remove_dir (dir);
}

/* -o through a symlink: the link stays, its target gets the PNG (the old
 * code replaced the link with a file). */
static void
test_cmd_symlink (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gvt-snapshot-XXXXXX", NULL);
  g_autofree char *target = g_build_filename (dir, "target.png", NULL);
  g_autofree char *link = g_build_filename (dir, "link.png", NULL);
  g_assert_true (g_file_set_contents (target, "old", -1, NULL));
  g_assert_cmpint (symlink ("target.png", link), ==, 0);

  snapshot_ok (link);
  struct stat st;
  g_assert_cmpint (lstat (link, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  g_autofree char *points_at = g_file_read_link (link, NULL);
  g_assert_cmpstr (points_at, ==, "target.png");
  assert_sim_png (target);
  g_autofree char *names = list_dir (dir);
  g_assert_cmpstr (names, ==, "link.png target.png");
  remove_dir (dir);
}

/* The old temporary name, FILE.tmp-PID (this process is the command),
 * planted as a symlink to a victim: untouched, as are other guessable
 * names. The old code wrote the PNG through it into the victim. */
static void
test_cmd_planted_temp (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gvt-snapshot-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "out.png", NULL);
  g_autofree char *victim = g_build_filename (dir, "victim", NULL);
  g_autofree char *pid_name = g_strdup_printf ("out.png.tmp-%d", (int) getpid ());
  const char *planted[] = { pid_name, "out.png.tmp", ".out.png.tmp", "out.png~" };
  g_assert_true (g_file_set_contents (victim, "precious", -1, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (planted); i++)
    {
      g_autofree char *p = g_build_filename (dir, planted[i], NULL);
      g_assert_cmpint (symlink (victim, p), ==, 0);
    }

  snapshot_ok (out);
  assert_sim_png (out);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (victim, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "precious");
  for (gsize i = 0; i < G_N_ELEMENTS (planted); i++)
    {
      g_autofree char *p = g_build_filename (dir, planted[i], NULL);
      g_autofree char *points_at = g_file_read_link (p, NULL);
      g_assert_cmpstr (points_at, ==, victim);
    }
  g_autofree char *names = list_dir (dir);
  g_autofree char *want = g_strdup_printf (".out.png.tmp out.png out.png.tmp %s out.png~ victim",
                                           pid_name);
  g_assert_cmpstr (names, ==, want);
  remove_dir (dir);
}

/* A write that really fails half-way (RLIMIT_FSIZE: EFBIG after 64 KiB of
 * a ~110 KiB PNG; the sim's 8 KiB memfd fits under it): the reason, the
 * old file whole, no temporary. */
static void
test_cmd_failed_write (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gvt-snapshot-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "out.png", NULL);
  g_assert_true (g_file_set_contents (out, "old", -1, NULL));

  struct rlimit saved, small = { .rlim_cur = 64 * 1024 };
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  small.rlim_max = saved.rlim_max;
  void (*saved_xfsz) (int) = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
  g_autofree char *err = NULL;
  int status;
  g_free (run_cmd (&status, &err, "snapshot", "sim:64x32", "--size", "2048x1024", "--filter",
                   "linear", "-o", out, NULL));
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, saved_xfsz);

  g_assert_cmpint (status, ==, 1);
  g_autofree char *want = g_strdup_printf ("gvt-view: cannot write %s: %s\n", out,
                                           g_strerror (EFBIG));
  g_assert_cmpstr (err, ==, want);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (out, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "old");
  g_autofree char *names = list_dir (dir);
  g_assert_cmpstr (names, ==, "out.png");
  remove_dir (dir);
}

/* demo --snapshot goes the same way: through a symlink to its target, and
 * `.` refused before anything is rendered. */
static void
test_demo_cmd_output (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gvt-demo-XXXXXX", NULL);
  g_autofree char *target = g_build_filename (dir, "target.png", NULL);
  g_autofree char *link = g_build_filename (dir, "link.png", NULL);
  g_assert_cmpint (symlink ("target.png", link), ==, 0);

  g_autofree char *err = NULL;
  int status;
  g_autofree char *out = run_cmd (&status, &err, "demo", "--snapshot", link, "--at", "5", NULL);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
  g_autofree char *points_at = g_file_read_link (link, NULL);
  g_assert_cmpstr (points_at, ==, "target.png");
  g_autoptr (GError) error = NULL;
  guint w = 0, h = 0;
  g_autofree guint8 *rgba = gvt_png_read_rgba (target, &w, &h, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (w, ==, 1280);

  g_autofree char *err2 = NULL;
  g_autofree char *out2 = run_cmd (&status, &err2, "demo", "--snapshot", ".", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpstr (out2, ==, "");
  g_assert_cmpstr (err2, ==, "gvt-view: cannot write .: is a directory (name a file in it, "
                             "e.g. ./snapshot.png)\n");
  g_autofree char *names = list_dir (dir);
  g_assert_cmpstr (names, ==, "link.png target.png");
  remove_dir (dir);
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
  g_test_add_func ("/snapshot/cmd/output/dev-null", test_cmd_dev_null);
  g_test_add_func ("/snapshot/cmd/output/dev-full", test_cmd_dev_full);
  g_test_add_func ("/snapshot/cmd/output/stdout", test_cmd_stdout);
  g_test_add_func ("/snapshot/cmd/output/fifo", test_cmd_fifo);
  g_test_add_func ("/snapshot/cmd/output/symlink", test_cmd_symlink);
  g_test_add_func ("/snapshot/cmd/output/planted-temp", test_cmd_planted_temp);
  g_test_add_func ("/snapshot/cmd/output/failed-write", test_cmd_failed_write);
  g_test_add_func ("/snapshot/cmd/output/demo", test_demo_cmd_output);
  return g_test_run ();
}
