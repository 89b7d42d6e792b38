/* The GL upload table held against the common format table (the one list
 * of formats, sizes and alpha) and against what its GL enums mean. No GL
 * context: the table is data. */
#include "common/format.h"
#include "render/gl-format.h"

static void
test_matches_common (void)
{
  gsize n_gl, n_common;
  const GvtGlFormat *gl = gvt_gl_format_get_all (&n_gl);
  const GvtFormat *common = gvt_format_get_all (&n_common);
  char fcc[5];

  for (gsize i = 0; i < n_gl; i++)
    {
      const GvtFormat *c = gvt_format_lookup (gl[i].fourcc);
      if (c == NULL)
        g_error ("GL format %s is not in the common table",
                 gvt_fourcc_to_string (gl[i].fourcc, fcc));
      g_assert_cmpuint (gl[i].cpp, ==, c->cpp);
      g_assert_cmpint (gl[i].opaque, ==, !c->has_alpha);
      /* One entry per fourcc. */
      g_assert_true (gvt_gl_format_lookup (gl[i].fourcc) == &gl[i]);
    }
  for (gsize i = 0; i < n_common; i++)
    if (gvt_gl_format_lookup (common[i].fourcc) == NULL)
      g_error ("%s is in the common table but has no GL upload",
               gvt_fourcc_to_string (common[i].fourcc, fcc));
  g_assert_cmpuint (n_gl, ==, n_common);
  g_assert_null (gvt_gl_format_lookup (DRM_FORMAT_NV12));
  g_assert_null (gvt_gl_format_lookup (0));
}

/* Bytes one texel of @format/@type takes in client memory. */
static guint
texel_bytes (GLenum format, GLenum type)
{
  guint components = format == GL_RGBA ? 4 : format == GL_RGB ? 3 : 0;

  switch (type)
    {
    case GL_UNSIGNED_BYTE:                return components;
    case GL_UNSIGNED_SHORT_5_6_5:         return format == GL_RGB ? 2 : 0;
    case GL_UNSIGNED_INT_2_10_10_10_REV:  return format == GL_RGBA ? 4 : 0;
    default:                              return 0;
    }
}

static void
test_texel_size (void)
{
  gsize n;
  const GvtGlFormat *gl = gvt_gl_format_get_all (&n);
  char fcc[5];

  for (gsize i = 0; i < n; i++)
    {
      const GvtGlFormat *f = &gl[i];
      g_test_message ("%s", gvt_fourcc_to_string (f->fourcc, fcc));
      g_assert_cmpuint (texel_bytes (f->format, f->type), ==, f->cpp);
      /* The sized format GLES 3 pairs with this format/type. */
      switch (f->type)
        {
        case GL_UNSIGNED_BYTE:
          g_assert_cmphex (f->sized_internal, ==, f->format == GL_RGB ? GL_RGB8 : GL_RGBA8);
          break;
        case GL_UNSIGNED_SHORT_5_6_5:
          g_assert_cmphex (f->sized_internal, ==, GL_RGB565);
          break;
        case GL_UNSIGNED_INT_2_10_10_10_REV:
          g_assert_cmphex (f->sized_internal, ==, GL_RGB10_A2);
          break;
        default:
          g_assert_not_reached ();
        }
      /* GLES 2 has no 2_10_10_10_REV uploads, and only those need 3. */
      g_assert_cmpint (f->needs_gles3, ==, f->type == GL_UNSIGNED_INT_2_10_10_10_REV);
    }
}

/* Where red sits in the little-endian pixel word: DRM names list the
 * channels from the most significant bits down. */
static guint
drm_red_shift (guint32 fourcc)
{
  switch (fourcc)
    {
    case DRM_FORMAT_XRGB8888:
    case DRM_FORMAT_ARGB8888:    return 16;
    case DRM_FORMAT_XBGR8888:
    case DRM_FORMAT_ABGR8888:    return 0;
    case DRM_FORMAT_RGB565:      return 11;
    case DRM_FORMAT_XRGB2101010: return 20;
    case DRM_FORMAT_XBGR2101010: return 0;
    case DRM_FORMAT_BGR888:      return 0;  /* [23:0] B:G:R: red in byte 0 */
    default:                     g_assert_not_reached ();
    }
}

/* Where GL reads red from: byte 0 for byte uploads, the high bits of
 * 5_6_5, the low bits of 2_10_10_10_REV. */
static guint
gl_red_shift (GLenum type)
{
  return type == GL_UNSIGNED_SHORT_5_6_5 ? 11 : 0;
}

static void
test_channel_order (void)
{
  gsize n;
  const GvtGlFormat *gl = gvt_gl_format_get_all (&n);
  char fcc[5];

  for (gsize i = 0; i < n; i++)
    {
      g_test_message ("%s", gvt_fourcc_to_string (gl[i].fourcc, fcc));
      g_assert_cmpint (gl[i].upload_swap_rb, ==,
                       drm_red_shift (gl[i].fourcc) != gl_red_shift (gl[i].type));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/render/gl-format/matches-common", test_matches_common);
  g_test_add_func ("/render/gl-format/texel-size", test_texel_size);
  g_test_add_func ("/render/gl-format/channel-order", test_channel_order);
  return g_test_run ();
}
