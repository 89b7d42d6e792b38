/* Pixel tests of the renderer: planes built from known bytes, drawn
 * offscreen, read back and compared value by value. Run twice: on the
 * import path (Mesa 25) and the upload path (Mesa 22). */
#include <math.h>
#include <string.h>

#include "gl-testutil.h"
#include "common/gvt-error.h"
#include "common/format.h"
#include "render/geometry.h"
#include "render/gl-format.h"

#define BG_R 51
#define BG_G 102
#define BG_B 153
#define BG_PIXEL 0x336699ffu

/* ---- format encoding (independent of the renderer's tables) ---- */

typedef struct { guint8 r, g, b; } Rgb;

/* 4x3: row 0 primaries and white, row 1 black and secondaries, row 2 mid
 * values. Distinct rows catch a vertical flip. */
static const Rgb reference[12] = {
  { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 }, { 255, 255, 255 },
  { 0, 0, 0 }, { 255, 255, 0 }, { 0, 255, 255 }, { 255, 0, 255 },
  { 128, 128, 128 }, { 255, 128, 0 }, { 0, 128, 255 }, { 64, 192, 32 },
};

static guint
to_bits (guint8 v, guint bits)
{
  guint max = (1u << bits) - 1;
  return (v * max + 127) / 255;
}

static guint8
from_bits (guint v, guint bits)
{
  guint max = (1u << bits) - 1;
  return (guint8) ((v * 255 + max / 2) / max);
}

/* Writes @c in @fourcc at @p with @x in the X/alpha bits; returns what
 * should be read back (alpha 255: the primary is drawn opaque). */
static guint32
encode (guint32 fourcc, Rgb c, guint8 x, guint8 *p)
{
  guint32 w;
  switch (fourcc)
    {
    case GVT_FORMAT_XRGB8888:
    case GVT_FORMAT_ARGB8888:
      w = ((guint32) x << 24) | ((guint32) c.r << 16) | ((guint32) c.g << 8) | c.b;
      memcpy (p, &w, 4);
      return ((guint32) c.r << 24) | ((guint32) c.g << 16) | ((guint32) c.b << 8) | 0xff;
    case GVT_FORMAT_XBGR8888:
    case GVT_FORMAT_ABGR8888:
      w = ((guint32) x << 24) | ((guint32) c.b << 16) | ((guint32) c.g << 8) | c.r;
      memcpy (p, &w, 4);
      return ((guint32) c.r << 24) | ((guint32) c.g << 16) | ((guint32) c.b << 8) | 0xff;
    case GVT_FORMAT_RGB565:
      {
        guint r = to_bits (c.r, 5), g = to_bits (c.g, 6), b = to_bits (c.b, 5);
        guint16 h = (guint16) ((r << 11) | (g << 5) | b);
        memcpy (p, &h, 2);
        return ((guint32) from_bits (r, 5) << 24) | ((guint32) from_bits (g, 6) << 16)
               | ((guint32) from_bits (b, 5) << 8) | 0xff;
      }
    case GVT_FORMAT_XRGB2101010:
    case GVT_FORMAT_XBGR2101010:
      {
        guint r = to_bits (c.r, 10), g = to_bits (c.g, 10), b = to_bits (c.b, 10);
        guint hi = fourcc == GVT_FORMAT_XRGB2101010 ? r : b;
        guint lo = fourcc == GVT_FORMAT_XRGB2101010 ? b : r;
        w = ((guint32) (x & 3) << 30) | (hi << 20) | (g << 10) | lo;
        memcpy (p, &w, 4);
        return ((guint32) from_bits (r, 10) << 24) | ((guint32) from_bits (g, 10) << 16)
               | ((guint32) from_bits (b, 10) << 8) | 0xff;
      }
    case GVT_FORMAT_BGR888:
      /* R, G, B bytes in memory (a screendump's PPM pixels). */
      p[0] = c.r, p[1] = c.g, p[2] = c.b;
      return ((guint32) c.r << 24) | ((guint32) c.g << 16) | ((guint32) c.b << 8) | 0xff;
    default:
      g_assert_not_reached ();
    }
}

static guint
cpp_of (guint32 fourcc)
{
  return gvt_format_lookup (fourcc)->cpp;
}

/* A 4x3 image of the reference colours in @fourcc, @pad bytes after each
 * row (filled with 0xA5 garbage). */
static guint8 *
make_reference (guint32 fourcc, guint pad, guint8 x, guint *stride, guint32 expected[12])
{
  guint cpp = cpp_of (fourcc);
  *stride = 4 * cpp + pad;
  guint8 *pixels = g_malloc (*stride * 3);
  memset (pixels, 0xA5, *stride * 3);
  for (guint i = 0; i < 12; i++)
    expected[i] = encode (fourcc, reference[i], x, pixels + (i / 4) * *stride + (i % 4) * cpp);
  return pixels;
}

static void
assert_reference (const guint8 *rgba, guint32 fourcc, const guint32 expected[12])
{
  /* 8-bit formats are exact; 565 and 10-bit values go through the
   * driver's own conversion to 8 bits: one step of rounding allowed. */
  guint tol = (cpp_of (fourcc) == 4 || fourcc == GVT_FORMAT_BGR888) && fourcc != GVT_FORMAT_XRGB2101010
              && fourcc != GVT_FORMAT_XBGR2101010 ? 0 : 1;
  for (guint i = 0; i < 12; i++)
    gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 4, i % 4, i / 4), expected[i], tol, i % 4, i / 4);
}

static void
assert_path (GvtGlTest *t, gboolean dmabuf)
{
  GvtTextureStats stats;
  gvt_texture_cache_get_stats (t->cache, &stats);
  if (dmabuf && gvt_gl_test_expect_import ())
    {
      g_assert_cmpuint (stats.total_imports, >, 0);
      g_assert_cmpuint (stats.total_uploads, ==, 0);
    }
  else
    {
      g_assert_cmpuint (stats.total_imports, ==, 0);
      g_assert_cmpuint (stats.total_uploads, >, 0);
    }
}

typedef struct {
  guint32 fourcc;
  gboolean dmabuf;
  guint pad;
} FormatCase;

static void
test_format (GvtGlTest *t, gconstpointer data)
{
  const FormatCase *fc = data;
  guint stride;
  guint32 expected[12];
  /* X bits set to junk: alpha must still come out 1. */
  g_autofree guint8 *pixels = make_reference (fc->fourcc, fc->pad, 0x5A, &stride, expected);
  g_autoptr (GvtPlane) plane = fc->dmabuf
    ? gvt_gl_test_dmabuf_plane (GVT_PLANE_PRIMARY, fc->fourcc, GVT_MOD_LINEAR, 4, 3, stride, pixels, 1)
    : gvt_gl_test_memory_plane (fc->fourcc, 4, 3, stride, pixels);

  gvt_compositor_set_scale_mode (t->compositor, GVT_SCALE_NATIVE);
  g_autofree guint8 *rgba = gvt_gl_test_render (t, plane, NULL, 4, 3, TRUE, NULL);
  assert_reference (rgba, fc->fourcc, expected);
  assert_path (t, fc->dmabuf);
}

/* ---- plane offset (dma-bufs only: EGL's PLANE0_OFFSET / the upload start) ---- */

static void
test_offset (GvtGlTest *t, gconstpointer data)
{
  guint64 offset = GPOINTER_TO_UINT (data);
  guint stride;
  guint32 expected[12];
  g_autofree guint8 *pixels = make_reference (GVT_FORMAT_XRGB8888, 0, 0, &stride, expected);
  gsize alloc = offset + stride * 3 + 4096;
  g_autofree guint8 *bytes = g_malloc0 (alloc);
  memset (bytes, 0x77, offset);
  memcpy (bytes + offset, pixels, stride * 3);
  g_autoptr (GvtBuffer) buffer = gvt_gl_test_memfd (bytes, alloc, alloc);
  GvtImageDesc desc = {
    .fourcc = GVT_FORMAT_XRGB8888, .modifier = GVT_MOD_LINEAR,
    .width = 4, .height = 3, .stride = stride, .offset = offset,
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtOffscreen) target = gvt_offscreen_new (4, 3, &error);
  g_assert_no_error (error);
  gvt_offscreen_bind (target);
  gvt_texture_cache_begin_frame (t->cache);
  GvtTexture *tex = gvt_texture_cache_get_image (t->cache, buffer, &desc, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tex->imported, ==, gvt_gl_test_expect_import ());
  gvt_compositor_draw_bare (t->compositor, tex, 4, 3);
  g_autofree guint8 *rgba = gvt_offscreen_read_rgba (target);
  assert_reference (rgba, GVT_FORMAT_XRGB8888, expected);
}

/* ---- scaling ---- */

#define SRC_W 8
#define SRC_H 6

static guint32
texel_colour (guint x, guint y)
{
  return ((16 * x + 8) << 24) | ((16 * y + 8) << 16) | (0x55 << 8) | 0xff;
}

static GvtPlane *
make_texel_plane (guint32 id)
{
  guint32 pixels[SRC_W * SRC_H];
  for (guint y = 0; y < SRC_H; y++)
    for (guint x = 0; x < SRC_W; x++)
      pixels[y * SRC_W + x] = ((16 * x + 8) << 16) | ((16 * y + 8) << 8) | 0x55;
  return gvt_gl_test_dmabuf_plane (GVT_PLANE_PRIMARY, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR,
                                   SRC_W, SRC_H, SRC_W * 4, pixels, id);
}

/* The texel(s) a nearest sample at output coordinate @o may hit: two when
 * the sample point sits on a texel boundary (rounding may go either way). */
static void
nearest_candidates (double o, int image_x, int image_w, guint src, guint *a, guint *b)
{
  double g = (o + 0.5 - image_x) * src / image_w;
  double lo = floor (g - 1e-3), hi = floor (g + 1e-3);
  *a = (guint) CLAMP (lo, 0, src - 1);
  *b = (guint) CLAMP (hi, 0, src - 1);
}

static void
check_scaled (const guint8 *rgba, const GvtView *view, guint out_w, guint out_h)
{
  for (guint y = 0; y < out_h; y++)
    for (guint x = 0; x < out_w; x++)
      {
        guint32 got = gvt_gl_test_pixel (rgba, out_w, x, y);
        gboolean inside = (int) x >= view->visible.x && (int) x < view->visible.x + view->visible.width
                          && (int) y >= view->visible.y && (int) y < view->visible.y + view->visible.height;
        if (!inside)
          {
            gvt_gl_assert_pixel (got, BG_PIXEL, 0, x, y);
            continue;
          }
        guint x0, x1, y0, y1;
        nearest_candidates (x, view->image.x, view->image.width, SRC_W, &x0, &x1);
        nearest_candidates (y, view->image.y, view->image.height, SRC_H, &y0, &y1);
        if (got == texel_colour (x0, y0) || got == texel_colour (x1, y0)
            || got == texel_colour (x0, y1) || got == texel_colour (x1, y1))
          continue;
        gvt_gl_assert_pixel (got, texel_colour (x0, y0), 0, x, y);
      }
}

typedef struct {
  GvtScaleMode mode;
  guint out_w, out_h;
  GvtRect image;   /* expected, stated by hand */
} ScaleCase;

static void
test_scale (GvtGlTest *t, gconstpointer data)
{
  const ScaleCase *sc = data;
  g_autoptr (GvtPlane) plane = make_texel_plane (1);
  GvtView view;

  gvt_compositor_set_scale_mode (t->compositor, sc->mode);
  gvt_compositor_set_background (t->compositor, BG_R / 255.0f, BG_G / 255.0f, BG_B / 255.0f);
  g_autoptr (GvtOffscreen) target = gvt_offscreen_new (sc->out_w, sc->out_h, NULL);
  gvt_offscreen_bind (target);
  gvt_texture_cache_begin_frame (t->cache);
  g_assert_true (gvt_compositor_draw (t->compositor, t->cache, plane, NULL, sc->out_w,
                                      sc->out_h, &view, NULL));
  g_assert_cmpint (view.image.x, ==, sc->image.x);
  g_assert_cmpint (view.image.y, ==, sc->image.y);
  g_assert_cmpint (view.image.width, ==, sc->image.width);
  g_assert_cmpint (view.image.height, ==, sc->image.height);
  g_autofree guint8 *rgba = gvt_offscreen_read_rgba (target);
  check_scaled (rgba, &view, sc->out_w, sc->out_h);
}

static void
test_letterbox_default_black (GvtGlTest *t, gconstpointer data)
{
  g_autoptr (GvtPlane) plane = make_texel_plane (1);
  g_autofree guint8 *rgba = gvt_gl_test_render (t, plane, NULL, 16, 7, TRUE, NULL);
  /* 8x6 fit into 16x7: 9x7 (rounded) centred at x = 3. */
  for (guint y = 0; y < 7; y++)
    {
      gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 16, 0, y), 0x000000ff, 0, 0, y);
      gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 16, 2, y), 0x000000ff, 0, 2, y);
      g_assert_cmphex (gvt_gl_test_pixel (rgba, 16, 3, y), !=, 0x000000ff);
      g_assert_cmphex (gvt_gl_test_pixel (rgba, 16, 11, y), !=, 0x000000ff);
      gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 16, 12, y), 0x000000ff, 0, 12, y);
      gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 16, 15, y), 0x000000ff, 0, 15, y);
    }
}

static void
test_auto_filter_integer (GvtGlTest *t, gconstpointer data)
{
  g_autoptr (GvtPlane) plane = make_texel_plane (1);
  gvt_compositor_set_filter (t->compositor, GVT_FILTER_AUTO);
  gvt_compositor_set_scale_mode (t->compositor, GVT_SCALE_INTEGER);
  g_autofree guint8 *rgba = gvt_gl_test_render (t, plane, NULL, 24, 18, TRUE, NULL);
  /* 3x blocks, each exactly its texel: auto picked nearest. */
  for (guint y = 0; y < 18; y++)
    for (guint x = 0; x < 24; x++)
      gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 24, x, y), texel_colour (x / 3, y / 3), 0, x, y);
}

/* ---- filtering ---- */

static void
test_nearest_vs_linear (GvtGlTest *t, gconstpointer data)
{
  guint32 pixels[2] = { 0x00000000, 0x00ffffff };
  g_autoptr (GvtPlane) plane = gvt_gl_test_dmabuf_plane (GVT_PLANE_PRIMARY, GVT_FORMAT_XRGB8888,
                                                         GVT_MOD_LINEAR, 2, 1, 8, pixels, 1);
  gvt_compositor_set_scale_mode (t->compositor, GVT_SCALE_FILL);

  gvt_compositor_set_filter (t->compositor, GVT_FILTER_NEAREST);
  g_autofree guint8 *nearest = gvt_gl_test_render (t, plane, NULL, 8, 1, TRUE, NULL);
  for (guint x = 0; x < 8; x++)
    gvt_gl_assert_pixel (gvt_gl_test_pixel (nearest, 8, x, 0), x < 4 ? 0x000000ff : 0xffffffff, 0, x, 0);

  gvt_compositor_set_filter (t->compositor, GVT_FILTER_LINEAR);
  g_autofree guint8 *linear = gvt_gl_test_render (t, plane, NULL, 8, 1, TRUE, NULL);
  /* Bilinear with clamp-to-edge, computed here; tolerance 2 for the
   * rasteriser's fixed-point weights. */
  for (guint x = 0; x < 8; x++)
    {
      double s = (x + 0.5) / 8.0 * 2.0 - 0.5;
      guint v = (guint) lround (255.0 * CLAMP (s, 0.0, 1.0));
      guint32 want = (v << 24) | (v << 16) | (v << 8) | 0xff;
      gvt_gl_assert_pixel (gvt_gl_test_pixel (linear, 8, x, 0), want, 2, x, 0);
    }
  g_assert_cmphex (gvt_gl_test_pixel (linear, 8, 3, 0), !=, gvt_gl_test_pixel (nearest, 8, 3, 0));
}

/* ---- cursor ---- */

#define PRIMARY_COLOUR 0x000ac81eu  /* (10, 200, 30) */

static GvtPlane *
make_uniform_plane (guint w, guint h, guint32 xrgb, guint32 id)
{
  g_autofree guint32 *pixels = g_new (guint32, w * h);
  for (guint i = 0; i < w * h; i++)
    pixels[i] = xrgb;
  return gvt_gl_test_dmabuf_plane (GVT_PLANE_PRIMARY, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR, w, h,
                                   w * 4, pixels, id);
}

static guint32
rgba_of_xrgb (guint32 xrgb)
{
  return (xrgb << 8) | 0xff;
}

static void
test_cursor_blend (GvtGlTest *t, gconstpointer data)
{
  static const guint8 alphas[4] = { 0, 64, 128, 255 };
  guint32 argb[16];
  for (guint i = 0; i < 16; i++)
    argb[i] = ((guint32) alphas[i % 4] << 24) | 0x00fa1464u; /* (250, 20, 100) */
  g_autoptr (GvtPlane) primary = make_uniform_plane (8, 6, PRIMARY_COLOUR, 1);
  g_autoptr (GvtPlane) cursor = gvt_gl_test_cursor_plane (4, 4, argb, 2, 3, 2);

  gvt_compositor_set_scale_mode (t->compositor, GVT_SCALE_NATIVE);
  g_autofree guint8 *rgba = gvt_gl_test_render (t, primary, cursor, 8, 6, TRUE, NULL);
  for (guint y = 0; y < 6; y++)
    for (guint x = 0; x < 8; x++)
      {
        guint32 want = rgba_of_xrgb (PRIMARY_COLOUR);
        if (x >= 3 && x < 7 && y >= 2 && y < 6)
          {
            /* Straight alpha: out = src * a + dst * (1 - a); tolerance 1
             * for the blender's rounding. */
            double a = alphas[(x - 3) % 4] / 255.0;
            guint r = (guint) lround (250 * a + 10 * (1 - a));
            guint g = (guint) lround (20 * a + 200 * (1 - a));
            guint b = (guint) lround (100 * a + 30 * (1 - a));
            want = (r << 24) | (g << 16) | (b << 8) | 0xff;
          }
        gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 8, x, y), want, 1, x, y);
      }
  assert_path (t, TRUE);
}

#define CURSOR_OPAQUE 0xfff01020u

static GvtPlane *
make_opaque_cursor (guint size, gint32 x, gint32 y, guint32 id)
{
  g_autofree guint32 *argb = g_new (guint32, size * size);
  for (guint i = 0; i < size * size; i++)
    argb[i] = CURSOR_OPAQUE;
  return gvt_gl_test_cursor_plane (size, size, argb, id, x, y);
}

static void
test_cursor_scaled (GvtGlTest *t, gconstpointer data)
{
  g_autoptr (GvtPlane) primary = make_uniform_plane (8, 6, PRIMARY_COLOUR, 1);
  g_autoptr (GvtPlane) cursor = make_opaque_cursor (4, 3, 2, 2);
  GvtView view;

  gvt_compositor_set_scale_mode (t->compositor, GVT_SCALE_INTEGER);
  /* 8x6 in 17x13: factor 2, image at (0, 0) 16x12. */
  g_autoptr (GvtOffscreen) target = gvt_offscreen_new (17, 13, NULL);
  gvt_offscreen_bind (target);
  gvt_texture_cache_begin_frame (t->cache);
  g_assert_true (gvt_compositor_draw (t->compositor, t->cache, primary, cursor, 17, 13, &view, NULL));
  g_autofree guint8 *rgba = gvt_offscreen_read_rgba (target);
  for (guint y = 0; y < 13; y++)
    for (guint x = 0; x < 17; x++)
      {
        guint32 want = x >= 16 || y >= 12 ? 0x000000ff
                       : (x >= 6 && x < 14 && y >= 4 && y < 12) ? (CURSOR_OPAQUE << 8) | 0xff
                       : rgba_of_xrgb (PRIMARY_COLOUR);
        gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 17, x, y), want, 0, x, y);
      }

  /* The inverse transform finds the guest pixel under the cursor's corner. */
  double gx, gy;
  g_assert_true (gvt_view_output_to_guest (&view, 6.5, 4.5, &gx, &gy));
  g_assert_cmpfloat_with_epsilon (gx, 3.25, 1e-9);
  g_assert_cmpfloat_with_epsilon (gy, 2.25, 1e-9);
}

static void
test_cursor_edges (GvtGlTest *t, gconstpointer data)
{
  g_autoptr (GvtPlane) primary = make_uniform_plane (8, 6, PRIMARY_COLOUR, 1);
  /* 8x6 fit into 12x6: 1:1 at x = 2..9, letterbox 0..1 and 10..11. */
  struct { gint32 cx, cy; } cases[] = { { 6, 4 }, { -2, -2 }, { 8, 0 }, { 1000, 1000 } };

  gvt_compositor_set_background (t->compositor, BG_R / 255.0f, BG_G / 255.0f, BG_B / 255.0f);
  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr (GvtPlane) cursor = make_opaque_cursor (4, cases[c].cx, cases[c].cy, 2);
      g_autofree guint8 *rgba = gvt_gl_test_render (t, primary, cursor, 12, 6, TRUE, NULL);
      for (guint y = 0; y < 6; y++)
        for (guint x = 0; x < 12; x++)
          {
            int gx = (int) x - 2, gy = (int) y;
            guint32 want;
            if (x < 2 || x >= 10)
              want = BG_PIXEL;
            else if (gx >= cases[c].cx && gx < cases[c].cx + 4 && gy >= cases[c].cy
                     && gy < cases[c].cy + 4)
              want = (CURSOR_OPAQUE << 8) | 0xff;
            else
              want = rgba_of_xrgb (PRIMARY_COLOUR);
            gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 12, x, y), want, 0, x, y);
          }
    }
}

/* ---- changes over time ---- */

static void
test_mode_change (GvtGlTest *t, gconstpointer data)
{
  guint stride;
  guint32 expected[12];
  g_autofree guint8 *pixels = make_reference (GVT_FORMAT_XBGR8888, 0, 0, &stride, expected);
  g_autoptr (GvtPlane) a = make_texel_plane (1);
  g_autoptr (GvtPlane) b = gvt_gl_test_dmabuf_plane (GVT_PLANE_PRIMARY, GVT_FORMAT_XBGR8888,
                                                     GVT_MOD_LINEAR, 4, 3, stride, pixels, 3);
  gvt_compositor_set_scale_mode (t->compositor, GVT_SCALE_NATIVE);
  for (int round = 0; round < 2; round++)
    {
      g_autofree guint8 *ra = gvt_gl_test_render (t, a, NULL, SRC_W, SRC_H, TRUE, NULL);
      for (guint y = 0; y < SRC_H; y++)
        for (guint x = 0; x < SRC_W; x++)
          gvt_gl_assert_pixel (gvt_gl_test_pixel (ra, SRC_W, x, y), texel_colour (x, y), 0, x, y);
      g_autofree guint8 *rb = gvt_gl_test_render (t, b, NULL, 4, 3, TRUE, NULL);
      assert_reference (rb, GVT_FORMAT_XBGR8888, expected);
    }
}

static void
test_page_flip (GvtGlTest *t, gconstpointer data)
{
  g_autoptr (GvtPlane) front = make_uniform_plane (64, 16, 0x00102030, 1);
  g_autoptr (GvtPlane) back = make_uniform_plane (64, 16, 0x00a0b0c0, 2);
  GvtTextureStats stats;

  for (int frame = 0; frame < 6; frame++)
    {
      GvtPlane *shown = frame % 2 ? back : front;
      g_autofree guint8 *rgba = gvt_gl_test_render (t, shown, NULL, 64, 16, TRUE, NULL);
      guint32 want = frame % 2 ? 0xa0b0c0ff : 0x102030ff;
      gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 64, 0, 0), want, 0, 0, 0);
      gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 64, 63, 15), want, 0, 63, 15);
      gvt_texture_cache_get_stats (t->cache, &stats);
      if (gvt_gl_test_expect_import ())
        {
          /* Both buffers imported once, then flips cost nothing. */
          g_assert_cmpuint (stats.imports, ==, frame < 2 ? 1 : 0);
          g_assert_cmpuint (stats.bytes_uploaded, ==, 0);
        }
      else
        {
          /* Uploaded dma-bufs are read again each frame (in-place writes). */
          g_assert_cmpuint (stats.uploads, ==, 1);
          g_assert_cmpuint (stats.bytes_uploaded, ==, 64 * 16 * 4);
        }
    }
}

static void
test_evicted_returns (GvtGlTest *t, gconstpointer data)
{
  gvt_texture_cache_free (t->cache);
  t->cache = gvt_texture_cache_new (t->egl, 2);
  gvt_texture_cache_set_import (t->cache, gvt_gl_test_expect_import ());

  g_autoptr (GvtPlane) p1 = make_uniform_plane (8, 8, 0x00ff0000, 1);
  g_autoptr (GvtPlane) p2 = make_uniform_plane (8, 8, 0x0000ff00, 2);
  g_autoptr (GvtPlane) p3 = make_uniform_plane (8, 8, 0x000000ff, 3);
  GvtPlane *order[] = { p1, p2, p3, p1 };
  guint32 colours[] = { 0xff0000ff, 0x00ff00ff, 0x0000ffff, 0xff0000ff };
  GvtTextureStats stats;

  for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_autofree guint8 *rgba = gvt_gl_test_render (t, order[i], NULL, 8, 8, TRUE, NULL);
      gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 8, 4, 4), colours[i], 0, 4, 4);
      gvt_texture_cache_get_stats (t->cache, &stats);
      g_assert_cmpuint (stats.cached, <=, 2);
      /* p1 was evicted by p3: it comes back with a fresh texture. */
      g_assert_cmpuint (stats.imports + stats.uploads, ==, 1);
    }

  /* The id comes back with another geometry and other pixels (the
   * simulator and GVT-g reuse freed ids): a new buffer, a new texture. */
  g_autoptr (GvtPlane) reused = make_uniform_plane (4, 4, 0x00ffff00, 1);
  g_autofree guint8 *rgba = gvt_gl_test_render (t, reused, NULL, 4, 4, TRUE, NULL);
  gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 4, 3, 3), 0xffff00ff, 0, 3, 3);
}

static void
test_steady_state (GvtGlTest *t, gconstpointer data)
{
  g_autoptr (GvtPlane) dmabuf = make_uniform_plane (32, 32, 0x00404040, 1);
  guint32 cpu_pixels[16 * 16];
  memset (cpu_pixels, 0x80, sizeof cpu_pixels);
  g_autoptr (GvtPlane) memory = gvt_gl_test_memory_plane (GVT_FORMAT_XRGB8888, 16, 16, 64, cpu_pixels);
  GvtTextureStats stats;

  for (int frame = 0; frame < 4; frame++)
    {
      g_free (gvt_gl_test_render (t, dmabuf, NULL, 32, 32, TRUE, NULL));
      gvt_texture_cache_get_stats (t->cache, &stats);
      if (gvt_gl_test_expect_import ())
        {
          g_assert_cmpuint (stats.imports, ==, frame == 0 ? 1 : 0);
          g_assert_cmpuint (stats.uploads, ==, 0);
          g_assert_cmpuint (stats.bytes_uploaded, ==, 0);
        }
      else
        g_assert_cmpuint (stats.uploads, ==, 1);
    }
  for (int frame = 0; frame < 4; frame++)
    {
      g_free (gvt_gl_test_render (t, memory, NULL, 16, 16, TRUE, NULL));
      gvt_texture_cache_get_stats (t->cache, &stats);
      /* A CPU image never changes in place: one upload, then nothing. */
      g_assert_cmpuint (stats.uploads, ==, frame == 0 ? 1 : 0);
      g_assert_cmpuint (stats.imports, ==, 0);
    }
}

static void
test_region_live (GvtGlTest *t, gconstpointer data)
{
  guint32 *shared = g_new (guint32, 8 * 4);
  for (guint i = 0; i < 32; i++)
    shared[i] = 0x00112233;
  g_autoptr (GvtPlane) region = gvt_gl_test_region_plane (8, 4, 32, (guint8 *) shared);
  GvtTextureStats stats;

  g_autofree guint8 *first = gvt_gl_test_render (t, region, NULL, 8, 4, TRUE, NULL);
  gvt_gl_assert_pixel (gvt_gl_test_pixel (first, 8, 5, 2), 0x112233ff, 0, 5, 2);
  /* The guest writes in place; no change signal exists for regions. */
  shared[2 * 8 + 5] = 0x00ddeeff;
  g_autofree guint8 *second = gvt_gl_test_render (t, region, NULL, 8, 4, TRUE, NULL);
  gvt_gl_assert_pixel (gvt_gl_test_pixel (second, 8, 5, 2), 0xddeeffff, 0, 5, 2);
  gvt_texture_cache_get_stats (t->cache, &stats);
  g_assert_cmpuint (stats.uploads, ==, 1);
  g_assert_cmpuint (stats.bytes_uploaded, ==, 8 * 4 * 4);
  g_clear_pointer (&region, gvt_plane_unref);
  g_free (shared);
}

/* ---- negative ---- */

static void
assert_background_only (const guint8 *rgba, guint w, guint h)
{
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, w, x, y), BG_PIXEL, 0, x, y);
}

static void
test_x_tiled_not_importable (GvtGlTest *t, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (gvt_egl_check_importable (t->egl, GVT_FORMAT_XRGB8888, GVT_MOD_I915_X_TILED,
                                            &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message,
                            "INTEL_X_TILED XR24 dma-bufs are not importable on this EGL device"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* 128x8 XR24 X-tiled: one row of 512-byte-wide tiles. */
  g_autofree guint8 *pixels = g_malloc0 (512 * 8);
  g_autoptr (GvtPlane) plane = gvt_gl_test_dmabuf_plane (GVT_PLANE_PRIMARY, GVT_FORMAT_XRGB8888,
                                                         GVT_MOD_I915_X_TILED, 128, 8, 512,
                                                         pixels, 1);
  gvt_compositor_set_background (t->compositor, BG_R / 255.0f, BG_G / 255.0f, BG_B / 255.0f);
  g_autofree guint8 *rgba = gvt_gl_test_render (t, plane, NULL, 16, 8, FALSE, &error);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "not importable"));
  g_assert_nonnull (strstr (error->message, "can't be uploaded"));
  assert_background_only (rgba, 16, 8);
}

static void
test_undersized_rejected (GvtGlTest *t, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *pixels = g_malloc0 (64 * 16);
  /* The plane claims 16 rows of 64 bytes; the buffer has 1000 bytes. */
  g_autoptr (GvtBuffer) buffer = gvt_gl_test_memfd (pixels, 1000, 1000);
  struct vfio_device_gfx_plane_info info = {
    .drm_plane_type = GVT_PLANE_PRIMARY, .drm_format = GVT_FORMAT_XRGB8888,
    .width = 16, .height = 16, .stride = 64, .size = 1024, .dmabuf_id = 1,
  };
  g_autoptr (GvtPlane) plane = gvt_plane_new (&info, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_DMABUF, buffer);
  GvtTextureStats stats;

  gvt_compositor_set_background (t->compositor, BG_R / 255.0f, BG_G / 255.0f, BG_B / 255.0f);
  g_autofree guint8 *rgba = gvt_gl_test_render (t, plane, NULL, 16, 16, FALSE, &error);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_PLANE);
  g_assert_nonnull (strstr (error->message, "needs 1024 bytes but its buffer has 1000"));
  gvt_texture_cache_get_stats (t->cache, &stats);
  g_assert_cmpuint (stats.total_imports, ==, 0);
  g_assert_cmpuint (stats.total_uploads, ==, 0);
  assert_background_only (rgba, 16, 16);
}

static void
test_shrink_under_cache (GvtGlTest *t, gconstpointer data)
{
  /* 16x16 of unique texels in one buffer. */
  guint32 pixels[16 * 16];
  for (guint y = 0; y < 16; y++)
    for (guint x = 0; x < 16; x++)
      pixels[y * 16 + x] = (x * 16) << 16 | (y * 16) << 8 | 0x33;
  g_autoptr (GvtBuffer) buffer = gvt_gl_test_memfd (pixels, sizeof pixels, sizeof pixels);
  struct vfio_device_gfx_plane_info info = {
    .drm_plane_type = GVT_PLANE_PRIMARY, .drm_format = GVT_FORMAT_XRGB8888,
    .width = 16, .height = 16, .stride = 64, .size = sizeof pixels, .dmabuf_id = 1,
  };
  g_autoptr (GvtPlane) big = gvt_plane_new (&info, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_DMABUF, buffer);
  info.width = 5;
  info.height = 3;
  g_autoptr (GvtPlane) small = gvt_plane_new (&info, GVT_PLANE_PRIMARY, GVT_PLANE_SOURCE_DMABUF, buffer);

  gvt_compositor_set_scale_mode (t->compositor, GVT_SCALE_FILL);
  g_free (gvt_gl_test_render (t, big, NULL, 16, 16, TRUE, NULL));
  /* Same buffer, smaller plane: drawn over the whole output, it must show
   * exactly the 5x3 top-left texels, nothing from beyond them. */
  g_autofree guint8 *rgba = gvt_gl_test_render (t, small, NULL, 20, 12, TRUE, NULL);
  for (guint y = 0; y < 12; y++)
    for (guint x = 0; x < 20; x++)
      {
        guint tx = x / 4, ty = y / 4;
        guint32 want = (tx * 16) << 24 | (ty * 16) << 16 | 0x33 << 8 | 0xff;
        gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 20, x, y), want, 0, x, y);
      }
}

static void
test_unsupported_format (GvtGlTest *t, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint8 pixels[64] = { 0 };
  g_autoptr (GvtBuffer) buffer = gvt_gl_test_memfd (pixels, sizeof pixels, sizeof pixels);
  GvtImageDesc desc = {
    .fourcc = GVT_FOURCC ('Y', 'U', 'Y', 'V'), .width = 4, .height = 4, .stride = 16,
  };
  gvt_texture_cache_begin_frame (t->cache);
  g_assert_null (gvt_texture_cache_get_image (t->cache, buffer, &desc, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "unsupported format YUYV"));
}

/* ---- registration ---- */

static const FormatCase format_cases[] = {
#define FORMAT_CASES(fcc)                     \
  { fcc, FALSE, 0 }, { fcc, TRUE, 0 },        \
  { fcc, FALSE, 12 }, { fcc, TRUE, 12 }, { fcc, FALSE, 3 }
  FORMAT_CASES (GVT_FORMAT_XRGB8888),
  FORMAT_CASES (GVT_FORMAT_ARGB8888),
  FORMAT_CASES (GVT_FORMAT_XBGR8888),
  FORMAT_CASES (GVT_FORMAT_ABGR8888),
  FORMAT_CASES (GVT_FORMAT_RGB565),
  FORMAT_CASES (GVT_FORMAT_XRGB2101010),
  FORMAT_CASES (GVT_FORMAT_XBGR2101010),
#undef FORMAT_CASES
  /* Only ever a CPU image (screendumps): no dma-buf cases, and a row of
   * 4 * 3 bytes + 1 is aligned to nothing. */
  { GVT_FORMAT_BGR888, FALSE, 0 }, { GVT_FORMAT_BGR888, FALSE, 1 },
  { GVT_FORMAT_BGR888, FALSE, 12 },
};

static const ScaleCase scale_cases[] = {
  /* 8x6 source; image rects worked out by hand. */
  { GVT_SCALE_FIT, 8, 6, { 0, 0, 8, 6 } },
  { GVT_SCALE_FIT, 17, 13, { 0, 0, 17, 13 } },   /* 6 * 17 / 8 = 12.75 -> 13 */
  { GVT_SCALE_FIT, 31, 9, { 9, 0, 12, 9 } },
  { GVT_SCALE_FIT, 9, 31, { 0, 12, 9, 7 } },     /* 6.75 -> 7, (31 - 7) / 2 */
  { GVT_SCALE_FIT, 5, 3, { 0, 0, 4, 3 } },
  { GVT_SCALE_FILL, 17, 13, { 0, 0, 17, 13 } },
  { GVT_SCALE_FILL, 5, 3, { 0, 0, 5, 3 } },
  { GVT_SCALE_FILL, 31, 9, { 0, 0, 31, 9 } },
  { GVT_SCALE_INTEGER, 17, 13, { 0, 0, 16, 12 } },
  { GVT_SCALE_INTEGER, 31, 9, { 11, 1, 8, 6 } },
  { GVT_SCALE_INTEGER, 25, 19, { 0, 0, 24, 18 } },
  { GVT_SCALE_INTEGER, 5, 3, { 0, 0, 4, 3 } },   /* smaller than the guest: fit */
  { GVT_SCALE_NATIVE, 17, 13, { 4, 3, 8, 6 } },
  { GVT_SCALE_NATIVE, 5, 3, { -2, -2, 8, 6 } },  /* cropped, centred */
  { GVT_SCALE_NATIVE, 8, 7, { 0, 0, 8, 6 } },
};

/* The held frame: an exact copy of primary + cursor that outlives every
 * buffer it came from, drawn scaled like a primary and dimmed. */
static void
test_held_frame (GvtGlTest *t, gconstpointer data)
{
  guint stride;
  guint32 expected[12];
  g_autofree guint8 *pixels = make_reference (GVT_FORMAT_XRGB8888, 0, 0, &stride, expected);
  GvtPlane *primary = gvt_gl_test_dmabuf_plane (GVT_PLANE_PRIMARY, GVT_FORMAT_XRGB8888,
                                                GVT_MOD_LINEAR, 4, 3, stride, pixels, 1);
  GvtPlane *cursor = make_opaque_cursor (1, 3, 2, 2);
  g_autoptr (GError) error = NULL;

  expected[2 * 4 + 3] = rgba_of_xrgb (CURSOR_OPAQUE);
  g_assert_false (gvt_compositor_has_held (t->compositor));
  g_assert_true (gvt_compositor_hold (t->compositor, t->cache, primary, cursor, &error));
  g_assert_no_error (error);
  g_assert_true (gvt_compositor_has_held (t->compositor));

  /* The buffers go, and their textures with them. */
  gvt_plane_unref (primary);
  gvt_plane_unref (cursor);
  gvt_texture_cache_collect (t->cache);
  GvtTextureStats stats;
  gvt_texture_cache_get_stats (t->cache, &stats);
  g_assert_cmpuint (stats.cached, ==, 0);

  /* Undimmed, at native size: the same pixels, the right way up. */
  gvt_compositor_set_scale_mode (t->compositor, GVT_SCALE_NATIVE);
  const float dims[] = { 1.0f, 0.4f };
  for (gsize d = 0; d < G_N_ELEMENTS (dims); d++)
    {
      g_autoptr (GvtOffscreen) target = gvt_offscreen_new (4, 3, &error);
      g_assert_no_error (error);
      gvt_offscreen_bind (target);
      GvtView view;
      gvt_compositor_draw_held (t->compositor, 4, 3, dims[d], &view);
      g_assert_cmpint (view.image.width, ==, 4);
      g_autofree guint8 *rgba = gvt_offscreen_read_rgba (target);
      for (guint i = 0; i < 12; i++)
        {
          guint32 e = expected[i];
          guint32 want = 0xff;
          for (int shift = 8; shift < 32; shift += 8)
            want |= (guint32) lround (((e >> shift) & 0xff) * dims[d]) << shift;
          gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 4, i % 4, i / 4), want, 1, i % 4, i / 4);
        }
    }

  /* Scaled 2x with letterbox: each pixel a 2x2 block, centred. */
  gvt_compositor_set_scale_mode (t->compositor, GVT_SCALE_INTEGER);
  {
    g_autoptr (GvtOffscreen) target = gvt_offscreen_new (10, 6, &error);
    gvt_offscreen_bind (target);
    gvt_compositor_draw_held (t->compositor, 10, 6, 1.0f, NULL);
    g_autofree guint8 *rgba = gvt_offscreen_read_rgba (target);
    for (guint y = 0; y < 6; y++)
      for (guint x = 0; x < 10; x++)
        gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 10, x, y),
                             x == 0 || x == 9 ? 0x000000ffu : expected[(y / 2) * 4 + (x - 1) / 2],
                             0, x, y);
  }

  /* Dropped: the background only. */
  gvt_compositor_drop_held (t->compositor);
  g_assert_false (gvt_compositor_has_held (t->compositor));
  {
    g_autoptr (GvtOffscreen) target = gvt_offscreen_new (4, 3, &error);
    gvt_offscreen_bind (target);
    gvt_compositor_draw_held (t->compositor, 4, 3, 1.0f, NULL);
    g_autofree guint8 *rgba = gvt_offscreen_read_rgba (target);
    for (guint i = 0; i < 12; i++)
      gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 4, i % 4, i / 4), 0x000000ffu, 0, i % 4, i / 4);
  }
  g_assert_cmpint (glGetError (), ==, GL_NO_ERROR);
}

/* A plane read back as RGBA (the host cursor's image): its pixels, and
 * the caller's framebuffer and viewport as they were. */
static void
test_read_image (GvtGlTest *t, gconstpointer data)
{
  guint stride;
  guint32 expected[12];
  g_autofree guint8 *pixels = make_reference (GVT_FORMAT_XRGB8888, 0, 0, &stride, expected);
  g_autoptr (GvtPlane) plane = gvt_gl_test_dmabuf_plane (GVT_PLANE_PRIMARY, GVT_FORMAT_XRGB8888,
                                                         GVT_MOD_LINEAR, 4, 3, stride, pixels,
                                                         1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtOffscreen) mine = gvt_offscreen_new (9, 7, &error);
  g_assert_no_error (error);
  gvt_offscreen_bind (mine);
  glViewport (1, 2, 5, 4);
  GLint before = 0;
  glGetIntegerv (GL_FRAMEBUFFER_BINDING, &before);
  g_assert_cmpint (before, !=, 0);

  g_autofree guint8 *rgba = gvt_compositor_read_image (t->compositor, t->cache, plane, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 12; i++)
    gvt_gl_assert_pixel (gvt_gl_test_pixel (rgba, 4, i % 4, i / 4), expected[i], 0, i % 4, i / 4);
  GLint after = 0, viewport[4];
  glGetIntegerv (GL_FRAMEBUFFER_BINDING, &after);
  glGetIntegerv (GL_VIEWPORT, viewport);
  g_assert_cmpint (after, ==, before);
  g_assert_cmpint (viewport[0], ==, 1);
  g_assert_cmpint (viewport[1], ==, 2);
  g_assert_cmpint (viewport[2], ==, 5);
  g_assert_cmpint (viewport[3], ==, 4);
  g_assert_cmpint (glGetError (), ==, GL_NO_ERROR);
}

#define ADD(path, data, func) \
  g_test_add (path, GvtGlTest, data, gvt_gl_test_setup, func, gvt_gl_test_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  int status = gvt_gl_test_check_environment ();
  if (status >= 0)
    return status;

  for (gsize i = 0; i < G_N_ELEMENTS (format_cases); i++)
    {
      const FormatCase *fc = &format_cases[i];
      char fcc[5];
      g_autofree char *path = g_strdup_printf ("/render/format/%s/%s/pad-%u",
                                               gvt_fourcc_to_string (fc->fourcc, fcc),
                                               fc->dmabuf ? "dmabuf" : "memory", fc->pad);
      ADD (path, fc, test_format);
    }
  ADD ("/render/offset/256", GUINT_TO_POINTER (256), test_offset);
  ADD ("/render/offset/4096", GUINT_TO_POINTER (4096), test_offset);
  for (gsize i = 0; i < G_N_ELEMENTS (scale_cases); i++)
    {
      const ScaleCase *sc = &scale_cases[i];
      g_autofree char *path = g_strdup_printf ("/render/scale/%s/%ux%u",
                                               gvt_scale_mode_to_string (sc->mode),
                                               sc->out_w, sc->out_h);
      ADD (path, sc, test_scale);
    }
  ADD ("/render/scale/letterbox-default-black", NULL, test_letterbox_default_black);
  ADD ("/render/filter/auto-integer-is-nearest", NULL, test_auto_filter_integer);
  ADD ("/render/filter/nearest-vs-linear", NULL, test_nearest_vs_linear);
  ADD ("/render/cursor/blend", NULL, test_cursor_blend);
  ADD ("/render/cursor/scaled", NULL, test_cursor_scaled);
  ADD ("/render/cursor/edges", NULL, test_cursor_edges);
  ADD ("/render/change/mode", NULL, test_mode_change);
  ADD ("/render/change/page-flip", NULL, test_page_flip);
  ADD ("/render/change/evicted-id-returns", NULL, test_evicted_returns);
  ADD ("/render/cache/steady-state", NULL, test_steady_state);
  ADD ("/render/cache/region-live", NULL, test_region_live);
  ADD ("/render/negative/x-tiled-not-importable", NULL, test_x_tiled_not_importable);
  ADD ("/render/negative/undersized-buffer", NULL, test_undersized_rejected);
  ADD ("/render/negative/shrink-under-cache", NULL, test_shrink_under_cache);
  ADD ("/render/negative/unsupported-format", NULL, test_unsupported_format);
  ADD ("/render/held-frame", NULL, test_held_frame);
  ADD ("/render/read-image", NULL, test_read_image);
  return g_test_run ();
}
