/* Tests of the texture cache's lifetimes and failures: buffers' release
 * notification, imports that go with their buffers, and a failed import
 * that costs one buffer, not the session. Run on the import path (Mesa 25)
 * and the upload path (Mesa 22); the import-failure tests exist only on
 * the former. */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gl-testutil.h"
#include "testutil.h"
#include "common/format.h"
#include "common/gvt-error.h"
#include "display/scanout.h"
#include "sim/vgpu-sim.h"

/* ---- helpers ---- */

/* A buffer's other watcher: appends 'b' when the buffer dies. (The
 * notification itself is tested in tests/test-buffer.c.) */
static void
note_death (GvtBuffer *buffer, gpointer data)
{
  g_string_append_c (data, 'b');
}

#define W 8
#define H 4

/* A W x H XR24 dma-buf (memfd) of one colour. */
static GvtBuffer *
uniform_buffer (guint32 xrgb)
{
  guint32 pixels[W * H];
  for (guint i = 0; i < W * H; i++)
    pixels[i] = xrgb;
  return gvt_gl_test_memfd (pixels, sizeof pixels, sizeof pixels);
}

/* A "dma-buf" the CPU can't map, like GVT-g's: a pipe can't be mmapped,
 * so the upload fallback fails (and a real import of it would too). */
static GvtBuffer *
unmappable_buffer (void)
{
  int fds[2];
  g_assert_cmpint (pipe2 (fds, O_CLOEXEC), ==, 0);
  close (fds[1]);
  return gvt_buffer_new_dmabuf (fds[0], W * 4 * H);
}

static const GvtImageDesc desc_xr24 = {
  .fourcc = GVT_FORMAT_XRGB8888, .modifier = GVT_MOD_LINEAR,
  .width = W, .height = H, .stride = W * 4,
};

/* Draws @buffer 1:1 into a fresh target and returns the texture used
 * (NULL with @error when the cache refused the buffer). Checks every pixel
 * against @xrgb when drawn. */
static GvtTexture *
draw_buffer (GvtGlTest *t, GvtBuffer *buffer, const GvtImageDesc *desc, guint32 xrgb,
             GError **error)
{
  g_autoptr (GvtOffscreen) target = gvt_offscreen_new (desc->width, desc->height, NULL);
  gvt_offscreen_bind (target);
  gvt_texture_cache_begin_frame (t->cache);
  GvtTexture *tex = gvt_texture_cache_get_image (t->cache, buffer, desc, error);
  if (tex == NULL)
    return NULL;
  gvt_compositor_draw_bare (t->compositor, tex, desc->width, desc->height);
  g_assert_cmpint (glGetError (), ==, GL_NO_ERROR);
  g_autofree guint8 *rgba = gvt_offscreen_read_rgba (target);
  for (guint y = 0; y < desc->height; y++)
    for (guint x = 0; x < desc->width; x++)
      gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, desc->width, x, y), (xrgb << 8) | 0xff, 0,
                           x, y);
  return tex;
}

/* A frame of a CPU image (no fd of its own). Mesa keeps the textures of
 * the last draw bound, and so their dma-bufs open, until a draw binds
 * others: what the window's next frame does. */
static void
draw_next_frame (GvtGlTest *t)
{
  guint32 pixels[W * H] = { 0 };
  g_autoptr (GvtPlane) plane = gvt_gl_test_memory_plane (GVT_FORMAT_XRGB8888, W, H, W * 4, pixels);
  g_free (gvt_gl_test_render (t, plane, NULL, W, H, TRUE, NULL));
}

/* Counts this domain's g_message()s, the give-up notice apart. */
typedef struct {
  guint messages;
  guint give_ups;
} MessageCount;

static void
count_messages (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  MessageCount *count = data;
  count->messages++;
  if (strstr (message, "dma-buf import failed for") != NULL
      && strstr (message, "uploaded from now on") != NULL)
    count->give_ups++;
  g_log_default_handler (domain, level, message, NULL);
}

/* ---- (A) a failed import costs one buffer ---- */

static void
test_failure_one_buffer (GvtGlTest *t, gconstpointer data)
{
  g_autoptr (GvtBuffer) first = uniform_buffer (0x00c01020);
  g_autoptr (GvtBuffer) second = uniform_buffer (0x003060a0);
  GvtTextureStats stats;

  g_assert_cmpuint (gvt_egl_inject_import_failures (t->egl, 1), ==, 1);
  GvtTexture *tex = draw_buffer (t, first, &desc_xr24, 0x00c01020, NULL);
  g_assert_nonnull (tex);
  g_assert_false (tex->imported);
  gvt_texture_cache_get_stats (t->cache, &stats);
  g_assert_cmpuint (stats.import_failures, ==, 1);
  g_assert_cmpuint (stats.imports, ==, 0);
  g_assert_cmpuint (stats.uploads, ==, 1);
  g_assert_cmpuint (gvt_egl_inject_import_failures (t->egl, 0), ==, 0);

  /* The same buffer again: uploaded again (a dma-buf may change in
   * place), never re-imported, though import would work now. */
  tex = draw_buffer (t, first, &desc_xr24, 0x00c01020, NULL);
  g_assert_false (tex->imported);
  gvt_texture_cache_get_stats (t->cache, &stats);
  g_assert_cmpuint (stats.imports, ==, 0);
  g_assert_cmpuint (stats.uploads, ==, 1);
  g_assert_cmpuint (stats.import_failures, ==, 1);

  /* The next buffer of the same format is imported: zero copy is back. */
  tex = draw_buffer (t, second, &desc_xr24, 0x003060a0, NULL);
  g_assert_true (tex->imported);
  gvt_texture_cache_get_stats (t->cache, &stats);
  g_assert_cmpuint (stats.imports, ==, 1);
  g_assert_cmpuint (stats.total_imports, ==, 1);
  g_assert_cmpuint (stats.import_failures, ==, 1);
  g_assert_cmpuint (stats.images, ==, 1);
  g_assert_true (gvt_egl_check_importable (t->egl, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, NULL));
}

/* GVT-g: its dma-bufs can't be mapped, so a buffer that won't import has
 * no fallback. That plane gets the error; the next buffer imports. */
static void
test_failure_unmappable (GvtGlTest *t, gconstpointer data)
{
  g_autoptr (GvtBuffer) unmappable = unmappable_buffer ();
  g_autoptr (GvtBuffer) next = uniform_buffer (0x00405060);
  g_autoptr (GError) error = NULL;
  GvtTextureStats stats;

  gvt_egl_inject_import_failures (t->egl, 1);
  g_assert_null (draw_buffer (t, unmappable, &desc_xr24, 0, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "EGL_BAD_ALLOC"));
  g_assert_nonnull (strstr (error->message, "can't be mapped"));
  g_clear_error (&error);

  /* Asked again (the next frame): the same answer, no second attempt (a
   * real eglCreateImage on a pipe would count another failure). */
  g_assert_null (draw_buffer (t, unmappable, &desc_xr24, 0, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "EGL_BAD_ALLOC"));
  gvt_texture_cache_get_stats (t->cache, &stats);
  g_assert_cmpuint (stats.import_failures, ==, 1);
  g_assert_cmpuint (stats.cached, ==, 0);

  GvtTexture *tex = draw_buffer (t, next, &desc_xr24, 0x00405060, NULL);
  g_assert_true (tex->imported);
  gvt_texture_cache_get_stats (t->cache, &stats);
  g_assert_cmpuint (stats.imports, ==, 1);
}

/* A buffer nothing can show because its import failed is tried again
 * after a while, waiting longer each time: a guest that never flips (a
 * text console on GVT-g) must not stay blank over one odd failure. */
static void
test_failure_retried_later (GvtGlTest *t, gconstpointer data)
{
  g_autoptr (GvtBuffer) unmappable = unmappable_buffer ();
  g_autoptr (GError) error = NULL;

  /* Two injected failures: each import attempt takes one. */
  gvt_egl_inject_import_failures (t->egl, 2);
  g_assert_null (draw_buffer (t, unmappable, &desc_xr24, 0, &error));
  g_clear_error (&error);
  g_assert_cmpuint (gvt_egl_inject_import_failures (t->egl, 0), ==, 1);
  /* Asked again at once: the cached answer, no attempt. */
  g_assert_null (draw_buffer (t, unmappable, &desc_xr24, 0, &error));
  g_clear_error (&error);
  g_assert_cmpuint (gvt_egl_inject_import_failures (t->egl, 0), ==, 1);

  /* After the first wait: tried again. */
  g_usleep (GVT_TEXTURE_CACHE_RETRY_US + G_USEC_PER_SEC / 10);
  g_assert_null (draw_buffer (t, unmappable, &desc_xr24, 0, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_cmpuint (gvt_egl_inject_import_failures (t->egl, 0), ==, 0);
  /* The next wait is longer: not yet after the first one's length. */
  g_usleep (GVT_TEXTURE_CACHE_RETRY_US + G_USEC_PER_SEC / 10);
  gvt_egl_inject_import_failures (t->egl, 1);
  g_assert_null (draw_buffer (t, unmappable, &desc_xr24, 0, &error));
  g_clear_error (&error);
  g_assert_cmpuint (gvt_egl_inject_import_failures (t->egl, 0), ==, 1);
}

/* Once the pair is given up, a buffer that can be uploaded is (no import
 * tried), but one that can't (GVT-g's) is still tried on its own, and at
 * its back-off: a burst of failures must not blank such a guest for good. */
static void
test_given_up_unmappable_tried (GvtGlTest *t, gconstpointer data)
{
  GvtBuffer *buffers[GVT_EGL_IMPORT_GIVE_UP];
  g_autoptr (GvtBuffer) mappable = uniform_buffer (0x00203040);
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtBuffer) unmappable = unmappable_buffer ();

  /* Given up: three buffers in a row, and two failures left over. */
  gvt_egl_inject_import_failures (t->egl, GVT_EGL_IMPORT_GIVE_UP + 2);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "*import failed for 3 different*");
  for (guint i = 0; i < G_N_ELEMENTS (buffers); i++)
    {
      buffers[i] = uniform_buffer (0x00101010 * (i + 1));
      draw_buffer (t, buffers[i], &desc_xr24, 0x00101010 * (i + 1), NULL);
    }
  g_test_assert_expected_messages ();
  g_assert_true (gvt_egl_is_given_up (t->egl, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR));

  /* A mappable buffer: uploaded, no import tried. */
  g_assert_false (draw_buffer (t, mappable, &desc_xr24, 0x00203040, NULL)->imported);
  g_assert_cmpuint (gvt_egl_inject_import_failures (t->egl, 0), ==, 2);

  /* An unmappable one: its import is tried (and fails: one taken). */
  g_assert_null (draw_buffer (t, unmappable, &desc_xr24, 0, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_cmpuint (gvt_egl_inject_import_failures (t->egl, 0), ==, 1);
  /* Not again at once; again after its back-off. */
  g_assert_null (draw_buffer (t, unmappable, &desc_xr24, 0, &error));
  g_clear_error (&error);
  g_assert_cmpuint (gvt_egl_inject_import_failures (t->egl, 0), ==, 1);
  g_usleep (GVT_TEXTURE_CACHE_RETRY_US + G_USEC_PER_SEC / 10);
  g_assert_null (draw_buffer (t, unmappable, &desc_xr24, 0, &error));
  g_clear_error (&error);
  g_assert_cmpuint (gvt_egl_inject_import_failures (t->egl, 0), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (buffers); i++)
    gvt_buffer_unref (buffers[i]);
}

/* A given-up pair gets a fresh chance when the device is new (the window
 * forgets the failures on a loss). */
static void
test_failure_reset (GvtGlTest *t, gconstpointer data)
{
  GvtBuffer *buffers[GVT_EGL_IMPORT_GIVE_UP];
  g_autoptr (GvtBuffer) after = uniform_buffer (0x00607080);

  gvt_egl_inject_import_failures (t->egl, GVT_EGL_IMPORT_GIVE_UP);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "*import failed for 3 different*");
  for (guint i = 0; i < G_N_ELEMENTS (buffers); i++)
    {
      buffers[i] = uniform_buffer (0x00101010 * (i + 1));
      g_assert_false (draw_buffer (t, buffers[i], &desc_xr24, 0x00101010 * (i + 1), NULL)->imported);
    }
  g_test_assert_expected_messages ();
  g_assert_false (gvt_egl_check_importable (t->egl, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, NULL));
  gvt_egl_reset_import_failures (t->egl);
  g_assert_true (gvt_egl_check_importable (t->egl, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, NULL));
  g_assert_true (draw_buffer (t, after, &desc_xr24, 0x00607080, NULL)->imported);
  for (guint i = 0; i < G_N_ELEMENTS (buffers); i++)
    gvt_buffer_unref (buffers[i]);
}

/* A pitch EGL can't take (it is a signed 32-bit value there) is the
 * guest's fault, refused before any import: it can't push a good pair
 * towards being given up. */
static void
test_failure_huge_stride_not_counted (GvtGlTest *t, gconstpointer data)
{
  g_autoptr (GvtBuffer) buffer = uniform_buffer (0x00112233);
  const GvtImageDesc huge = {
    .fourcc = GVT_FORMAT_XRGB8888, .modifier = GVT_MOD_LINEAR,
    .width = W, .height = 1, .stride = (guint) G_MAXINT32 + 1,
  };
  g_autoptr (GError) error = NULL;
  GvtTextureStats stats;

  gvt_egl_inject_import_failures (t->egl, 1);
  g_assert_null (gvt_texture_cache_get_image (t->cache, buffer, &huge, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_PLANE);
  g_assert_nonnull (strstr (error->message, "beyond what EGL and GL can address"));
  gvt_texture_cache_get_stats (t->cache, &stats);
  g_assert_cmpuint (stats.import_failures, ==, 0);
  /* No import was attempted: the injected failure is still pending. */
  g_assert_cmpuint (gvt_egl_inject_import_failures (t->egl, 0), ==, 1);
  gvt_egl_inject_import_failures (t->egl, 0);
}

static void
test_failure_same_buffer_once (GvtGlTest *t, gconstpointer data)
{
  g_autoptr (GvtBuffer) buffer = uniform_buffer (0x00102030);
  GvtImageDesc smaller = desc_xr24;
  smaller.width = W / 2;
  smaller.height = H / 2;

  gvt_egl_inject_import_failures (t->egl, 2);
  g_assert_false (draw_buffer (t, buffer, &desc_xr24, 0x00102030, NULL)->imported);
  /* Another geometry of the buffer that failed: not tried again either. */
  g_assert_false (draw_buffer (t, buffer, &smaller, 0x00102030, NULL)->imported);
  g_assert_cmpuint (gvt_egl_inject_import_failures (t->egl, 0), ==, 1);
}

static void
test_failure_gives_up (GvtGlTest *t, gconstpointer data)
{
  MessageCount count = { 0 };
  guint handler = g_log_set_handler (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, count_messages, &count);
  GvtBuffer *buffers[5];
  g_autoptr (GError) error = NULL;
  GvtTextureStats stats;

  /* One more than it takes: the one left over must stay unused. */
  gvt_egl_inject_import_failures (t->egl, GVT_EGL_IMPORT_GIVE_UP + 1);
  for (guint i = 0; i < G_N_ELEMENTS (buffers); i++)
    {
      guint32 colour = 0x00100000 * (i + 1) + 0x3050;
      buffers[i] = uniform_buffer (colour);
      /* Every one of them is shown, by upload. */
      GvtTexture *tex = draw_buffer (t, buffers[i], &desc_xr24, colour, NULL);
      g_assert_false (tex->imported);

      gboolean given_up = i + 1 >= GVT_EGL_IMPORT_GIVE_UP;
      g_assert_cmpuint (gvt_egl_inject_import_failures (t->egl, 0), ==,
                        given_up ? 1 : GVT_EGL_IMPORT_GIVE_UP - i);
      g_assert_cmpint (gvt_egl_check_importable (t->egl, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR,
                                                 &error), ==, !given_up);
      if (given_up)
        {
          g_assert_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED);
          g_assert_nonnull (strstr (error->message, "import failed on 3 buffers in a row"));
          g_assert_nonnull (strstr (error->message, "EGL_BAD_ALLOC"));
          g_clear_error (&error);
        }
      /* Said once, when it gave up, and nothing else said. */
      g_assert_cmpuint (count.give_ups, ==, given_up ? 1 : 0);
      g_assert_cmpuint (count.messages, ==, count.give_ups);
    }
  gvt_texture_cache_get_stats (t->cache, &stats);
  g_assert_cmpuint (stats.total_imports, ==, 0);
  g_assert_cmpuint (stats.total_uploads, ==, G_N_ELEMENTS (buffers));

  g_log_remove_handler (G_LOG_DOMAIN, handler);
  for (guint i = 0; i < G_N_ELEMENTS (buffers); i++)
    gvt_buffer_unref (buffers[i]);
}

static void
test_failure_success_resets (GvtGlTest *t, gconstpointer data)
{
  GvtBuffer *buffers[5];
  /* Fail, fail, import, fail, fail: never three in a row. */
  static const gboolean fails[5] = { TRUE, TRUE, FALSE, TRUE, TRUE };

  for (guint i = 0; i < G_N_ELEMENTS (buffers); i++)
    {
      buffers[i] = uniform_buffer (0x00203040 + i);
      if (fails[i])
        gvt_egl_inject_import_failures (t->egl, 1);
      GvtTexture *tex = draw_buffer (t, buffers[i], &desc_xr24, 0x00203040 + i, NULL);
      g_assert_cmpint (tex->imported, ==, !fails[i]);
    }
  g_assert_true (gvt_egl_check_importable (t->egl, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (buffers); i++)
    gvt_buffer_unref (buffers[i]);
}

/* A guest that draws into the buffer on screen, without a page flip (a
 * text console, a desktop without page flips): the import samples the
 * guest's memory itself, so the next frame shows the new pixels with
 * nothing imported or uploaded. */
static void
test_import_in_place (GvtGlTest *t, gconstpointer data)
{
  guint32 pixels[W * H];
  for (guint i = 0; i < W * H; i++)
    pixels[i] = 0x00c08040;
  g_autoptr (GvtPlane) plane = gvt_gl_test_dmabuf_plane (GVT_PLANE_PRIMARY, GVT_FORMAT_XRGB8888,
                                                         GVT_MOD_LINEAR, W, H, W * 4, pixels, 1);
  GvtBuffer *buffer = gvt_plane_get_buffer (plane);
  GvtTextureStats stats;

  g_autofree guint8 *before = gvt_gl_test_render (t, plane, NULL, W, H, TRUE, NULL);
  for (guint y = 0; y < H; y++)
    for (guint x = 0; x < W; x++)
      gvt_gl_assert_pixel (gvt_gl_test_pixel (before, W, x, y), 0xc08040ff, 0, x, y);
  gvt_texture_cache_get_stats (t->cache, &stats);
  g_assert_cmpuint (stats.imports, ==, 1);
  g_assert_cmpuint (stats.uploads, ==, 0);
  g_assert_cmpuint (stats.images, ==, 1);

  /* The guest writes through its own mapping of the same memory: no new
   * buffer, no new id, no signal. */
  gsize size = gvt_buffer_get_size (buffer);
  guint32 *map = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
                       gvt_buffer_get_fd (buffer), 0);
  g_assert_true (map != MAP_FAILED);
  for (guint i = 0; i < W * H; i++)
    map[i] = 0x00204060;
  /* One pixel apart, so that a stale or shifted picture shows. */
  map[2 * W + 5] = 0x00ff0000;
  g_assert_cmpint (munmap (map, size), ==, 0);

  g_autofree guint8 *after = gvt_gl_test_render (t, plane, NULL, W, H, TRUE, NULL);
  for (guint y = 0; y < H; y++)
    for (guint x = 0; x < W; x++)
      gvt_gl_assert_pixel (gvt_gl_test_pixel (after, W, x, y),
                           x == 5 && y == 2 ? 0xff0000ff : 0x204060ff, 0, x, y);
  gvt_texture_cache_get_stats (t->cache, &stats);
  g_assert_cmpuint (stats.imports, ==, 0);
  g_assert_cmpuint (stats.uploads, ==, 0);
  g_assert_cmpuint (stats.bytes_uploaded, ==, 0);
  g_assert_cmpuint (stats.total_imports, ==, 1);
  g_assert_cmpuint (stats.total_uploads, ==, 0);
  g_assert_cmpuint (stats.cached, ==, 1);
  g_assert_cmpuint (stats.images, ==, 1);
  g_assert_cmpuint (gvt_texture_cache_count_buffer (t->cache, gvt_buffer_get_serial (buffer)),
                    ==, 1);
}

/* ---- (B) an import lives and dies with its buffer ---- */

static void
test_dead_buffer_collected (GvtGlTest *t, gconstpointer data)
{
  int fds_before = gvt_test_count_fds ();
  GvtBuffer *buffer = uniform_buffer (0x00506070);
  GvtTextureStats stats;

  GLuint id = draw_buffer (t, buffer, &desc_xr24, 0x00506070, NULL)->id;
  g_assert_false (gvt_texture_cache_has_stale (t->cache));
  g_assert_cmpuint (gvt_texture_cache_count_buffer (t->cache, gvt_buffer_get_serial (buffer)),
                    ==, 1);

  gvt_buffer_unref (buffer);
  /* Known at once, deleted by collect (the context may not be current
   * where the buffer dies). */
  g_assert_true (gvt_texture_cache_has_stale (t->cache));
  gvt_texture_cache_collect (t->cache);
  g_assert_false (gvt_texture_cache_has_stale (t->cache));
  gvt_texture_cache_get_stats (t->cache, &stats);
  g_assert_cmpuint (stats.cached, ==, 0);
  g_assert_cmpuint (stats.images, ==, 0);
  g_assert_false (glIsTexture (id));
  /* The fd, and the one the EGLImage kept, are gone with it by the next
   * frame (the driver lets go of the last draw's textures when the next
   * draw binds others). */
  draw_next_frame (t);
  if (gvt_test_count_fds () != fds_before)
    gvt_test_dump_fds ();
  g_assert_cmpint (gvt_test_count_fds (), ==, fds_before);
}

/* The window after a loss: no frame follows (a state screen shows), so the
 * compositor makes the driver let go of the last draw's textures itself;
 * the buffer's fd and the EGLImage's are gone without another frame. */
static void
test_released_without_a_frame (GvtGlTest *t, gconstpointer data)
{
  /* Its blank texture, made once, may hold an fd of the driver's own. */
  gvt_compositor_release_textures (t->compositor);
  int fds_before = gvt_test_count_fds ();
  GvtBuffer *buffer = uniform_buffer (0x00405060);

  draw_buffer (t, buffer, &desc_xr24, 0x00405060, NULL);
  gvt_buffer_unref (buffer);
  gvt_texture_cache_collect (t->cache);
  /* The driver still has it: what release_textures is for. */
  int held = gvt_test_count_fds ();
  gvt_compositor_release_textures (t->compositor);
  if (gvt_test_count_fds () != fds_before)
    gvt_test_dump_fds ();
  g_test_message ("fds held by the driver after collect: %d", held - fds_before);
  g_assert_cmpint (gvt_test_count_fds (), ==, fds_before);
  /* And it drew nothing: the next frame is the usual one. */
  guint32 pixel = 0x00aabbcc;
  g_autoptr (GvtPlane) plane = gvt_gl_test_memory_plane (GVT_FORMAT_XRGB8888, 1, 1, 4, &pixel);
  g_autofree guint8 *rgba = gvt_gl_test_render (t, plane, NULL, 1, 1, TRUE, NULL);
  g_assert_cmpuint (rgba[0], ==, 0xaa);
  g_assert_cmpuint (rgba[1], ==, 0xbb);
  g_assert_cmpuint (rgba[2], ==, 0xcc);
}

/* An uploaded texture the guest no longer shows (a mode it left, a buffer
 * it stopped flipping to) is let go after a while even though its buffer
 * lives on: the copy would be made again at the next use anyway. */
static void
test_idle_upload_dropped (GvtGlTest *t, gconstpointer data)
{
  g_autoptr (GvtBuffer) old = uniform_buffer (0x00102030);
  g_autoptr (GvtBuffer) shown = uniform_buffer (0x00405060);
  GvtTextureStats stats;

  gvt_texture_cache_set_import (t->cache, FALSE);
  draw_buffer (t, old, &desc_xr24, 0x00102030, NULL);
  for (guint i = 0; i < GVT_TEXTURE_CACHE_IDLE_FRAMES; i++)
    {
      gvt_texture_cache_begin_frame (t->cache);
      g_assert_nonnull (gvt_texture_cache_get_image (t->cache, shown, &desc_xr24, NULL));
    }
  /* Not yet: exactly the idle time has passed. */
  g_assert_cmpuint (gvt_texture_cache_count_buffer (t->cache, gvt_buffer_get_serial (old)), ==, 1);
  draw_buffer (t, shown, &desc_xr24, 0x00405060, NULL);
  g_assert_cmpuint (gvt_texture_cache_count_buffer (t->cache, gvt_buffer_get_serial (old)), ==, 0);
  gvt_texture_cache_get_stats (t->cache, &stats);
  g_assert_cmpuint (stats.cached, ==, 1);
  /* Shown again: uploaded again, the same pixels. */
  g_assert_false (draw_buffer (t, old, &desc_xr24, 0x00102030, NULL)->imported);
}

static void
test_begin_frame_collects (GvtGlTest *t, gconstpointer data)
{
  GvtBuffer *dead = uniform_buffer (0x00010203);
  g_autoptr (GvtBuffer) live = uniform_buffer (0x00040506);
  GvtTextureStats stats;

  draw_buffer (t, dead, &desc_xr24, 0x00010203, NULL);
  draw_buffer (t, live, &desc_xr24, 0x00040506, NULL);
  gvt_buffer_unref (dead);
  gvt_texture_cache_begin_frame (t->cache);
  g_assert_false (gvt_texture_cache_has_stale (t->cache));
  gvt_texture_cache_get_stats (t->cache, &stats);
  g_assert_cmpuint (stats.cached, ==, 1);
  g_assert_cmpuint (gvt_texture_cache_count_buffer (t->cache, gvt_buffer_get_serial (live)), ==, 1);
}

/* Entries freed before their buffers (evicted, cleared, the cache freed)
 * stop watching them: the buffers' deaths call into nothing. */
static void
test_freed_first_unregisters (GvtGlTest *t, gconstpointer data)
{
  gvt_texture_cache_free (t->cache);
  t->cache = gvt_texture_cache_new (t->egl, 2);
  gvt_texture_cache_set_import (t->cache, gvt_gl_test_expect_import ());
  GvtBuffer *b[4];
  GString *log = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (b); i++)
    {
      b[i] = uniform_buffer (0x00111111 * (i + 1));
      draw_buffer (t, b[i], &desc_xr24, 0x00111111 * (i + 1), NULL);
    }
  /* Capacity 2: b[0] and b[1] were evicted. */
  g_assert_cmpuint (gvt_texture_cache_count_buffer (t->cache, gvt_buffer_get_serial (b[0])), ==, 0);
  gvt_buffer_unref (b[0]);
  g_assert_false (gvt_texture_cache_has_stale (t->cache));

  gvt_texture_cache_clear (t->cache);
  gvt_buffer_unref (b[1]);
  g_assert_false (gvt_texture_cache_has_stale (t->cache));

  /* Outliving the cache: only the buffer's other watchers hear of it. */
  draw_buffer (t, b[2], &desc_xr24, 0x00333333, NULL);
  gvt_buffer_add_release_notify (b[3], note_death, log);
  draw_buffer (t, b[3], &desc_xr24, 0x00444444, NULL);
  g_clear_pointer (&t->cache, gvt_texture_cache_free);
  gvt_buffer_unref (b[2]);
  gvt_buffer_unref (b[3]);
  g_assert_cmpstr (log->str, ==, "b");
  g_string_free (log, TRUE);
}

/* A simulated guest flipping pages and changing modes through a real
 * poller: after each poll and collect, the cache holds textures (and
 * EGLImages) of live buffers only, never more than the poller holds. */

typedef struct {
  GHashTable *alive;   /* serial -> GUINT_TO_POINTER (TRUE while alive) */
} Tracker;

static void
tracked_released (GvtBuffer *buffer, gpointer data)
{
  Tracker *tracker = data;
  guint64 serial = gvt_buffer_get_serial (buffer);
  g_hash_table_insert (tracker->alive, g_memdup2 (&serial, sizeof serial), GUINT_TO_POINTER (FALSE));
}

static void
track (Tracker *tracker, GvtPlane *plane)
{
  if (plane == NULL)
    return;
  GvtBuffer *buffer = gvt_plane_get_buffer (plane);
  guint64 serial = gvt_buffer_get_serial (buffer);
  if (g_hash_table_contains (tracker->alive, &serial))
    return;
  g_hash_table_insert (tracker->alive, g_memdup2 (&serial, sizeof serial), GUINT_TO_POINTER (TRUE));
  gvt_buffer_add_release_notify (buffer, tracked_released, tracker);
}

static void
check_cache_against (GvtGlTest *t, Tracker *tracker, GvtScanout *scanout, guint step)
{
  GvtTextureStats stats;
  GvtScanoutStats sstats;
  GHashTableIter iter;
  gpointer key, value;
  guint on_live = 0;

  gvt_texture_cache_get_stats (t->cache, &stats);
  gvt_scanout_get_stats (scanout, &sstats);
  g_hash_table_iter_init (&iter, tracker->alive);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint n = gvt_texture_cache_count_buffer (t->cache, *(guint64 *) key);
      if (GPOINTER_TO_UINT (value))
        on_live += n;
      else if (n != 0)
        g_error ("step %u: %u texture(s) of dead buffer %" G_GUINT64_FORMAT " still held",
                 step, n, *(guint64 *) key);
    }
  /* Every texture held belongs to a live buffer... */
  g_assert_cmpuint (on_live, ==, stats.cached);
  /* ...of those the poller still holds. */
  g_assert_cmpuint (stats.cached, <=, sstats.cached);
  g_assert_cmpuint (stats.images, <=, sstats.cached);
  g_assert_cmpuint (stats.images, ==, gvt_gl_test_expect_import () ? stats.cached : 0);
}

typedef struct {
  guint32 fourcc;
  guint32 width, height;
} SimMode;

static void
test_scanout_run (GvtGlTest *t, gconstpointer data)
{
  static const SimMode modes[] = {
    { GVT_FORMAT_XRGB8888, 64, 48 },
    { GVT_FORMAT_XBGR8888, 40, 24 },
    { GVT_FORMAT_XRGB8888, 32, 32 },
    { GVT_FORMAT_XBGR8888, 64, 48 },
  };
  int fds_before = gvt_test_count_fds ();
  g_autoptr (GError) error = NULL;
  GvtVgpu *vgpu = gvt_sim_new (GVT_SIM_DMABUF, GVT_SIM_QUIRK_NONE, 1920, 1200);
  GvtSim *sim = gvt_vgpu_get_sim (vgpu);
  GvtScanout *scanout = gvt_scanout_new (vgpu, &error);
  g_assert_no_error (error);
  Tracker tracker = { g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL) };
  guint max_held = 0;

  gvt_compositor_set_scale_mode (t->compositor, GVT_SCALE_NATIVE);
  for (guint step = 0; step < 60; step++)
    {
      const SimMode *mode = &modes[(step / 5) % G_N_ELEMENTS (modes)];
      if (step % 5 == 0)
        gvt_sim_set_mode (sim, mode->fourcc, GVT_MOD_LINEAR, mode->width, mode->height, 0);
      else
        gvt_sim_page_flip (sim);
      if (step % 7 == 3)
        gvt_sim_set_cursor (sim, 64, 0, 0);  /* a new cursor buffer, transparent */
      /* Grey, so that XR24 and XB24 read the same; a new shade per step
       * catches a texture of a buffer that died being shown. */
      guint8 v = (guint8) (40 + 3 * step);
      memset (gvt_sim_get_pixels (sim, FALSE), v, (gsize) gvt_sim_get_stride (sim) * mode->height);

      gvt_scanout_poll (scanout);
      g_assert_cmpint (gvt_scanout_get_state (scanout), ==, GVT_SOURCE_STATE_LIVE);
      /* What the window does after each poll. */
      if (gvt_texture_cache_has_stale (t->cache))
        gvt_texture_cache_collect (t->cache);
      check_cache_against (t, &tracker, scanout, step);

      GvtPlane *primary = gvt_scanout_get_primary (scanout);
      GvtPlane *cursor = gvt_scanout_get_cursor (scanout);
      track (&tracker, primary);
      track (&tracker, cursor);
      g_autofree guint8 *rgba = gvt_gl_test_render (t, primary, cursor, mode->width,
                                                    mode->height, TRUE, NULL);
      guint32 want = ((guint32) v << 24) | ((guint32) v << 16) | ((guint32) v << 8) | 0xff;
      gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, mode->width, 0, 0), want, 0, 0, 0);
      gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, mode->width, mode->width - 1, mode->height - 1),
                           want, 0, mode->width - 1, mode->height - 1);
      check_cache_against (t, &tracker, scanout, step);

      GvtTextureStats stats;
      gvt_texture_cache_get_stats (t->cache, &stats);
      max_held = MAX (max_held, stats.cached);
    }
  /* The run saw more buffers than the cache has room for, and the cache
   * was full enough for a stale entry to have been noticed. */
  g_assert_cmpuint (g_hash_table_size (tracker.alive), >, GVT_TEXTURE_CACHE_DEFAULT_CAPACITY);
  g_assert_cmpuint (max_held, >=, 3);

  /* The poller goes: every import goes with its buffers. */
  gvt_scanout_free (scanout);
  g_assert_true (gvt_texture_cache_has_stale (t->cache));
  gvt_texture_cache_collect (t->cache);
  GvtTextureStats stats;
  gvt_texture_cache_get_stats (t->cache, &stats);
  g_assert_cmpuint (stats.cached, ==, 0);
  g_assert_cmpuint (stats.images, ==, 0);
  draw_next_frame (t);
  gvt_vgpu_free (vgpu);
  g_hash_table_unref (tracker.alive);
  if (gvt_test_count_fds () != fds_before)
    gvt_test_dump_fds ();
  g_assert_cmpint (gvt_test_count_fds (), ==, fds_before);
}

#define ADD(path, func) \
  g_test_add (path, GvtGlTest, NULL, gvt_gl_test_setup, func, gvt_gl_test_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  int status = gvt_gl_test_check_environment ();
  if (status >= 0)
    return status;

  /* Import failures exist only where import does: the render-mesa25
   * suite runs them; Mesa 22 has no dma-buf import to fail. */
  if (gvt_gl_test_expect_import ())
    {
      ADD ("/texture-cache/import-failure/one-buffer", test_failure_one_buffer);
      ADD ("/texture-cache/import-failure/unmappable-buffer", test_failure_unmappable);
      ADD ("/texture-cache/import-failure/same-buffer-once", test_failure_same_buffer_once);
      ADD ("/texture-cache/import-failure/gives-up-after-3", test_failure_gives_up);
      ADD ("/texture-cache/import-failure/success-resets", test_failure_success_resets);
      ADD ("/texture-cache/import-failure/retried-later", test_failure_retried_later);
      ADD ("/texture-cache/import-failure/reset-for-a-new-device", test_failure_reset);
      ADD ("/texture-cache/import-failure/given-up-unmappable-tried",
           test_given_up_unmappable_tried);
      ADD ("/texture-cache/import-failure/huge-stride-not-counted",
           test_failure_huge_stride_not_counted);
      ADD ("/texture-cache/import/in-place-update", test_import_in_place);
    }
  ADD ("/texture-cache/lifetime/dead-buffer-collected", test_dead_buffer_collected);
  ADD ("/texture-cache/lifetime/released-without-a-frame", test_released_without_a_frame);
  ADD ("/texture-cache/lifetime/idle-upload-dropped", test_idle_upload_dropped);
  ADD ("/texture-cache/lifetime/begin-frame-collects", test_begin_frame_collects);
  ADD ("/texture-cache/lifetime/freed-first-unregisters", test_freed_first_unregisters);
  ADD ("/texture-cache/lifetime/scanout-run", test_scanout_run);
  return g_test_run ();
}
