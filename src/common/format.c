/* The pixel format table shared by plane validation and the renderer. */
#include "format.h"

static const GvtFormat formats[] = {
  { GVT_FORMAT_XRGB8888,    4, FALSE },
  { GVT_FORMAT_ARGB8888,    4, TRUE  },
  { GVT_FORMAT_XBGR8888,    4, FALSE },
  { GVT_FORMAT_ABGR8888,    4, TRUE  },
  { GVT_FORMAT_RGB565,      2, FALSE },
  { GVT_FORMAT_XRGB2101010, 4, FALSE },
  { GVT_FORMAT_XBGR2101010, 4, FALSE },
};

const GvtFormat *
gvt_format_lookup (guint32 fourcc)
{
  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i].fourcc == fourcc)
      return &formats[i];
  return NULL;
}

const char *
gvt_fourcc_to_string (guint32 fourcc, char buf[5])
{
  for (int i = 0; i < 4; i++)
    {
      char c = (char) ((fourcc >> (8 * i)) & 0xff);
      buf[i] = g_ascii_isprint (c) ? c : '?';
    }
  buf[4] = '\0';
  return buf;
}

const char *
gvt_modifier_to_string (guint64 modifier, char buf[GVT_MODIFIER_NAME_MAX])
{
  switch (modifier)
    {
    case GVT_MOD_LINEAR:        return "linear";
    case GVT_MOD_INVALID:       return "implicit";
    case GVT_MOD_I915_X_TILED:  return "X-tiled";
    case GVT_MOD_I915_Y_TILED:  return "Y-tiled";
    case GVT_MOD_I915_YF_TILED: return "Yf-tiled";
    default:
      g_snprintf (buf, 24, "0x%016" G_GINT64_MODIFIER "x", modifier);
      return buf;
    }
}

guint
gvt_modifier_tile_height (guint64 modifier)
{
  switch (modifier)
    {
    case GVT_MOD_I915_X_TILED:  return 8;
    case GVT_MOD_I915_Y_TILED:
    case GVT_MOD_I915_YF_TILED: return 32;
    default:                    return 1;
    }
}
