/* DRM fourcc -> GLES upload table. DRM formats name the bits of a
 * little-endian word, so XRGB8888 is B, G, R, X in memory: uploaded as
 * GL_RGBA bytes (universal on GLES 2, unlike GL_BGRA_EXT) its red and blue
 * land swapped, which the shader undoes. */
#include "gl-format.h"
#include "common/format.h"

static const GvtGlFormat gl_formats[] = {
  { GVT_FORMAT_XRGB8888,    4, GL_RGBA8,   GL_RGBA, GL_UNSIGNED_BYTE,               TRUE,  TRUE,  FALSE },
  { GVT_FORMAT_ARGB8888,    4, GL_RGBA8,   GL_RGBA, GL_UNSIGNED_BYTE,               TRUE,  FALSE, FALSE },
  { GVT_FORMAT_XBGR8888,    4, GL_RGBA8,   GL_RGBA, GL_UNSIGNED_BYTE,               FALSE, TRUE,  FALSE },
  { GVT_FORMAT_ABGR8888,    4, GL_RGBA8,   GL_RGBA, GL_UNSIGNED_BYTE,               FALSE, FALSE, FALSE },
  /* GL's 5_6_5 packs red in the high bits, like DRM's RGB565. */
  { GVT_FORMAT_RGB565,      2, GL_RGB565,  GL_RGB,  GL_UNSIGNED_SHORT_5_6_5,        FALSE, TRUE,  FALSE },
  /* GL's 2_10_10_10_REV puts red in the low bits: XBGR as is, XRGB swapped. */
  { GVT_FORMAT_XRGB2101010, 4, GL_RGB10_A2, GL_RGBA, GL_UNSIGNED_INT_2_10_10_10_REV, TRUE,  TRUE,  TRUE  },
  { GVT_FORMAT_XBGR2101010, 4, GL_RGB10_A2, GL_RGBA, GL_UNSIGNED_INT_2_10_10_10_REV, FALSE, TRUE,  TRUE  },
};

const GvtGlFormat *
gvt_gl_format_lookup (guint32 fourcc)
{
  for (gsize i = 0; i < G_N_ELEMENTS (gl_formats); i++)
    if (gl_formats[i].fourcc == fourcc)
      return &gl_formats[i];
  return NULL;
}
