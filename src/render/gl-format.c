/* DRM fourcc -> GLES upload table. DRM formats name the bits of a
 * little-endian word, so XRGB8888 is B, G, R, X in memory: uploaded as
 * GL_RGBA bytes (universal on GLES 2, unlike GL_BGRA_EXT) its red and blue
 * land swapped, which the shader undoes. Only what GL needs is written
 * here; bytes per pixel and alpha come from the common format table. */
#include "gl-format.h"
#include "common/format.h"

typedef struct {
  guint32 fourcc;
  GLenum sized_internal;
  GLenum format;
  GLenum type;
  gboolean upload_swap_rb;
  gboolean needs_gles3;
} GlUpload;

static const GlUpload uploads[] = {
  { DRM_FORMAT_XRGB8888,    GL_RGBA8,    GL_RGBA, GL_UNSIGNED_BYTE,               TRUE,  FALSE },
  { DRM_FORMAT_ARGB8888,    GL_RGBA8,    GL_RGBA, GL_UNSIGNED_BYTE,               TRUE,  FALSE },
  { DRM_FORMAT_XBGR8888,    GL_RGBA8,    GL_RGBA, GL_UNSIGNED_BYTE,               FALSE, FALSE },
  { DRM_FORMAT_ABGR8888,    GL_RGBA8,    GL_RGBA, GL_UNSIGNED_BYTE,               FALSE, FALSE },
  /* GL's 5_6_5 packs red in the high bits, like DRM's RGB565. */
  { DRM_FORMAT_RGB565,      GL_RGB565,   GL_RGB,  GL_UNSIGNED_SHORT_5_6_5,        FALSE, FALSE },
  /* GL's 2_10_10_10_REV puts red in the low bits: XBGR as is, XRGB swapped. */
  { DRM_FORMAT_XRGB2101010, GL_RGB10_A2, GL_RGBA, GL_UNSIGNED_INT_2_10_10_10_REV, TRUE,  TRUE  },
  { DRM_FORMAT_XBGR2101010, GL_RGB10_A2, GL_RGBA, GL_UNSIGNED_INT_2_10_10_10_REV, FALSE, TRUE  },
  /* BGR888 is R, G, B bytes in memory: GL_RGB as is (rows need not be
   * 4-byte aligned: the upload sets the alignment from the stride). */
  { DRM_FORMAT_BGR888,      GL_RGB8,     GL_RGB,  GL_UNSIGNED_BYTE,               FALSE, FALSE },
};

/* The entries, completed from the common table on first use. */
static const GvtGlFormat *
table (void)
{
  static GvtGlFormat built[G_N_ELEMENTS (uploads)];
  static gsize done;

  if (g_once_init_enter (&done))
    {
      for (gsize i = 0; i < G_N_ELEMENTS (uploads); i++)
        {
          const GlUpload *u = &uploads[i];
          const GvtFormat *common = gvt_format_lookup (u->fourcc);
          char fcc[5];

          /* A programming error, which test-gl-format catches first. */
          if (common == NULL)
            g_error ("GL format %s is missing from the common format table",
                     gvt_fourcc_to_string (u->fourcc, fcc));
          built[i] = (GvtGlFormat) {
            .fourcc = u->fourcc,
            .cpp = common->cpp,
            .sized_internal = u->sized_internal,
            .format = u->format,
            .type = u->type,
            .upload_swap_rb = u->upload_swap_rb,
            .opaque = !common->has_alpha,
            .needs_gles3 = u->needs_gles3,
          };
        }
      g_once_init_leave (&done, 1);
    }
  return built;
}

const GvtGlFormat *
gvt_gl_format_lookup (guint32 fourcc)
{
  const GvtGlFormat *formats = table ();

  for (gsize i = 0; i < G_N_ELEMENTS (uploads); i++)
    if (formats[i].fourcc == fourcc)
      return &formats[i];
  return NULL;
}

const GvtGlFormat *
gvt_gl_format_get_all (gsize *n_formats)
{
  *n_formats = G_N_ELEMENTS (uploads);
  return table ();
}
