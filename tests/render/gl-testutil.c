/* Shared helpers of the render tests. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gl-testutil.h"
#include "common/format.h"

gboolean
gvt_gl_test_expect_import (void)
{
  return g_strcmp0 (g_getenv ("GVT_TEST_EXPECT_IMPORT"), "1") == 0;
}

static gboolean
in_ci (void)
{
  return g_strcmp0 (g_getenv ("CI"), "true") == 0;
}

int
gvt_gl_test_check_environment (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *problem = NULL;
  g_autoptr (GvtEgl) egl = gvt_egl_new_headless (NULL, &error);

  if (egl == NULL)
    problem = g_strdup_printf ("no headless EGL: %s", error->message);
  else if (gvt_gl_test_expect_import () && !gvt_egl_get_caps (egl)->dmabuf_import)
    problem = g_strdup_printf ("this suite tests the dma-buf import path, but %s has no "
                               "dma-buf import (is Mesa 25 on LD_LIBRARY_PATH?)",
                               gvt_egl_describe (egl));
  if (problem == NULL)
    {
      g_test_message ("EGL: %s", gvt_egl_describe (egl));
      return -1;
    }
  if (in_ci ())
    {
      printf ("Bail out! %s\n", problem);
      return 1;
    }
  printf ("1..0 # SKIP %s\n", problem);
  return 0;
}

GvtBuffer *
gvt_gl_test_memfd (const void *data, gsize size, gsize alloc)
{
  int fd = memfd_create ("gvt-test-dmabuf", MFD_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) alloc), ==, 0);
  guint8 *map = mmap (NULL, alloc, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);
  memset (map, 0xEE, alloc);
  memcpy (map, data, size);
  munmap (map, alloc);
  return gvt_buffer_new_dmabuf (fd, alloc);
}

GvtPlane *
gvt_gl_test_dmabuf_plane (GvtPlaneKind kind, guint32 fourcc, guint64 modifier, guint width,
                          guint height, guint stride, const void *pixels, guint32 dmabuf_id)
{
  gsize size = (gsize) stride * height;
  g_autoptr (GvtBuffer) buffer = gvt_gl_test_memfd (pixels, size, size);
  struct vfio_device_gfx_plane_info info = {
    .drm_plane_type = kind,
    .drm_format = fourcc,
    .drm_format_mod = modifier,
    .width = width,
    .height = height,
    .stride = stride,
    .size = (guint32) size,
    .x_hot = GVT_HOTSPOT_UNKNOWN,
    .y_hot = GVT_HOTSPOT_UNKNOWN,
    .dmabuf_id = dmabuf_id,
  };
  return gvt_plane_new (&info, kind, GVT_PLANE_SOURCE_DMABUF, buffer);
}

GvtPlane *
gvt_gl_test_cursor_plane (guint width, guint height, const guint32 *argb, guint32 dmabuf_id,
                          gint32 x, gint32 y)
{
  gsize size = (gsize) width * 4 * height;
  g_autoptr (GvtBuffer) buffer = gvt_gl_test_memfd (argb, size, size);
  struct vfio_device_gfx_plane_info info = {
    .drm_plane_type = GVT_PLANE_CURSOR,
    .drm_format = GVT_FORMAT_ARGB8888,
    .drm_format_mod = GVT_MOD_LINEAR,
    .width = width,
    .height = height,
    .stride = width * 4,
    .size = (guint32) size,
    .x_pos = (guint32) x,
    .y_pos = (guint32) y,
    .x_hot = GVT_HOTSPOT_UNKNOWN,
    .y_hot = GVT_HOTSPOT_UNKNOWN,
    .dmabuf_id = dmabuf_id,
  };
  return gvt_plane_new (&info, GVT_PLANE_CURSOR, GVT_PLANE_SOURCE_DMABUF, buffer);
}

static void
free_pixels (void *data, gsize size)
{
  g_free (data);
}

GvtPlane *
gvt_gl_test_memory_plane (guint32 fourcc, guint width, guint height, guint stride,
                          const void *pixels)
{
  gsize size = (gsize) stride * height;
  g_autoptr (GvtBuffer) buffer = gvt_buffer_new_memory (g_memdup2 (pixels, size), size,
                                                        free_pixels);
  return gvt_plane_new_memory (fourcc, width, height, stride, buffer);
}

GvtPlane *
gvt_gl_test_region_plane (guint width, guint height, guint stride, guint8 *shared_pixels)
{
  gsize size = (gsize) stride * height;
  /* The region's memory stays the caller's: the guest writes into it. */
  g_autoptr (GvtBuffer) buffer = gvt_buffer_new_memory (shared_pixels, size, NULL);
  struct vfio_device_gfx_plane_info info = {
    .drm_plane_type = GVT_PLANE_PRIMARY,
    .drm_format = GVT_FORMAT_XRGB8888,
    .width = width,
    .height = height,
    .stride = stride,
    .size = (guint32) size,
    .region_index = 16,
  };
  return gvt_plane_new (&info, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_REGION, buffer);
}

void
gvt_gl_test_setup (GvtGlTest *t, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  t->egl = gvt_egl_new_headless (NULL, &error);
  g_assert_no_error (error);
  t->cache = gvt_texture_cache_new (t->egl, GVT_TEXTURE_CACHE_DEFAULT_CAPACITY);
  gvt_texture_cache_set_import (t->cache, gvt_gl_test_expect_import ());
  t->compositor = gvt_compositor_new (t->egl, &error);
  g_assert_no_error (error);
  gvt_compositor_set_filter (t->compositor, GVT_FILTER_NEAREST);
}

void
gvt_gl_test_teardown (GvtGlTest *t, gconstpointer data)
{
  g_clear_pointer (&t->compositor, gvt_compositor_free);
  g_clear_pointer (&t->cache, gvt_texture_cache_free);
  g_clear_pointer (&t->egl, gvt_egl_free);
}

guint8 *
gvt_gl_test_render (GvtGlTest *t, GvtPlane *primary, GvtPlane *cursor, guint out_w,
                    guint out_h, gboolean expect_ok, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GvtOffscreen) target = gvt_offscreen_new (out_w, out_h, &local);
  g_assert_no_error (local);
  gvt_offscreen_bind (target);
  gvt_texture_cache_begin_frame (t->cache);
  gboolean ok = gvt_compositor_draw (t->compositor, t->cache, primary, cursor, out_w, out_h,
                                     NULL, &local);
  if (expect_ok)
    g_assert_no_error (local);
  g_assert_cmpint (ok, ==, expect_ok);
  g_assert_cmpint (glGetError (), ==, GL_NO_ERROR);
  if (error != NULL)
    *error = g_steal_pointer (&local);
  return gvt_offscreen_read_rgba (target);
}

guint32
gvt_gl_test_pixel (const guint8 *rgba, guint width, guint x, guint y)
{
  const guint8 *p = rgba + ((gsize) y * width + x) * 4;
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

void
gvt_gl_test_assert_pixel_impl (guint32 got, guint32 want, guint tolerance, guint x, guint y,
                               const char *file, int line)
{
  for (int shift = 0; shift < 32; shift += 8)
    {
      int a = (got >> shift) & 0xff, b = (want >> shift) & 0xff;
      if ((guint) ABS (a - b) > tolerance)
        {
          g_autofree char *msg = g_strdup_printf ("%s:%d: pixel (%u,%u) is %08x, expected %08x "
                                                  "(tolerance %u)", file, line, x, y, got,
                                                  want, tolerance);
          g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, msg);
        }
    }
}
