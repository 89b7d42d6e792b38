/* `snapshot` of a device opened through the kernel backend — the fake VFIO
 * kernel's group path and its memfd dma-bufs — compared pixel for pixel
 * with what the "guest" wrote. The sim's twin is test-snapshot.c. */
#include <string.h>

#include "../fake-kernel.h"
#include "../testutil.h"
#include "gl-testutil.h"
#include "common/gvt-error.h"
#include "common/format.h"
#include "render/snapshot.h"
#include "vgpu/vgpu.h"

typedef struct {
  GvtFakeKernel *fake;
  int fds;
} Fixture;

static void
set_up (Fixture *f, gconstpointer data)
{
  f->fake = gvt_fake_kernel_new (NULL);
  f->fds = gvt_test_count_device_fds ();
}

static void
tear_down (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->fake, gvt_fake_kernel_free);
}

/* The fake's pattern word for pixel (x, y) of a plane with @stride. */
static guint32
guest_word (guint32 seed, guint32 stride, guint x, guint y)
{
  return gvt_fake_pattern_word (seed, ((gsize) y * stride) / 4 + x);
}

static void
test_dmabuf_pixels (Fixture *f, gconstpointer data)
{
  /* 200x64 with a padded stride (1024 > 800): every row starts where the
   * stride says, not where the width would put it. */
  struct vfio_device_gfx_plane_info p = gvt_fake_plane (GVT_FORMAT_XRGB8888, 200, 64, 3);
  p.stride = 1024;
  p.size = 1024 * 64;
  gvt_fake_kernel_set_primary (f->fake, &p);
  gvt_fake_kernel_set_fill_pattern (f->fake, 0x5a17c3e1u);

  g_autoptr (GError) error = NULL;
  g_autoptr (GvtVgpu) vgpu = gvt_vgpu_open ("/dev/vfio/7", &error);
  g_assert_no_error (error);

  GvtSnapshotOptions opts = { .mode = GVT_SCALE_FIT, .filter = GVT_FILTER_AUTO,
                              .wait_seconds = 1 };
  g_autoptr (GvtSnapshot) shot = gvt_snapshot_take (vgpu, &opts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shot->width, ==, 200);
  g_assert_cmpuint (shot->height, ==, 64);
  g_assert_cmpint (shot->imported, ==, gvt_gl_test_expect_import ());

  for (guint y = 0; y < 64; y++)
    for (guint x = 0; x < 200; x++)
      {
        guint32 xrgb = guest_word (0x5a17c3e1u, 1024, x, y);
        gvt_gl_assert_pixel (gvt_gl_test_pixel (shot->rgba, 200, x, y),
                             (xrgb << 8) | 0xff, 0, x, y);
      }

  /* One GET for the one plane; all released with the snapshot and device. */
  g_assert_cmpuint (gvt_fake_kernel_get_dmabuf_gets (f->fake, GVT_FAKE_ANY_ID), ==, 1);
  g_clear_pointer (&shot, gvt_snapshot_free);
  g_clear_pointer (&vgpu, gvt_vgpu_free);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 0);
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
}

static void
test_abgr_scaled (Fixture *f, gconstpointer data)
{
  /* XBGR with integer scaling 2x into a larger target: channel order and
   * nearest sampling through the whole path. */
  struct vfio_device_gfx_plane_info p = gvt_fake_plane (GVT_FORMAT_XBGR8888, 64, 32, 9);
  gvt_fake_kernel_set_primary (f->fake, &p);
  gvt_fake_kernel_set_fill_pattern (f->fake, 0x00c0ffeeu);

  g_autoptr (GError) error = NULL;
  g_autoptr (GvtVgpu) vgpu = gvt_vgpu_open (GVT_FAKE_UUID, &error);
  g_assert_no_error (error);
  GvtSnapshotOptions opts = { .width = 130, .height = 66, .mode = GVT_SCALE_INTEGER,
                              .filter = GVT_FILTER_AUTO, .wait_seconds = 1 };
  g_autoptr (GvtSnapshot) shot = gvt_snapshot_take (vgpu, &opts, &error);
  g_assert_no_error (error);

  /* Factor 2, centred: the guest covers (1, 1) .. (128, 64). */
  for (guint y = 0; y < 66; y++)
    for (guint x = 0; x < 130; x++)
      {
        guint32 want = 0x000000ff;
        if (x >= 1 && x < 129 && y >= 1 && y < 65)
          {
            guint32 xbgr = guest_word (0x00c0ffeeu, 256, (x - 1) / 2, (y - 1) / 2);
            guint32 r = xbgr & 0xff, g = (xbgr >> 8) & 0xff, b = (xbgr >> 16) & 0xff;
            want = r << 24 | g << 16 | b << 8 | 0xff;
          }
        gvt_gl_assert_pixel (gvt_gl_test_pixel (shot->rgba, 130, x, y), want, 0, x, y);
      }
}

static void
test_no_plane_error (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtVgpu) vgpu = gvt_vgpu_open ("/dev/vfio/7", &error);
  g_assert_no_error (error);
  GvtSnapshotOptions opts = { .mode = GVT_SCALE_FIT, .wait_seconds = 0.1 };
  g_autoptr (GvtSnapshot) shot = gvt_snapshot_take (vgpu, &opts, &error);
  g_assert_null (shot);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DISPLAY);
  g_assert_cmpuint (gvt_fake_kernel_get_dmabuf_gets (f->fake, GVT_FAKE_ANY_ID), ==, 0);
}

int
main (int argc, char **argv)
{
  gvt_test_ensure_umockdev (argc, argv);
  g_test_init (&argc, &argv, NULL);
  int status = gvt_gl_test_check_environment ();
  if (status >= 0)
    return status;

  g_test_add ("/snapshot-kernel/dmabuf-pixels", Fixture, NULL, set_up, test_dmabuf_pixels,
              tear_down);
  g_test_add ("/snapshot-kernel/xbgr-integer-scaled", Fixture, NULL, set_up, test_abgr_scaled,
              tear_down);
  g_test_add ("/snapshot-kernel/no-plane", Fixture, NULL, set_up, test_no_plane_error,
              tear_down);
  return g_test_run ();
}
