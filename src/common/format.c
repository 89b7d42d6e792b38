/* The pixel format table shared by plane validation and the renderer, and
 * the names of formats and modifiers as libdrm spells them. */
#include <stdlib.h>
#include <string.h>
#include <xf86drm.h>

#include "format.h"

static const GvtFormat formats[] = {
  { DRM_FORMAT_XRGB8888,    4, FALSE },
  { DRM_FORMAT_ARGB8888,    4, TRUE  },
  { DRM_FORMAT_XBGR8888,    4, FALSE },
  { DRM_FORMAT_ABGR8888,    4, TRUE  },
  { DRM_FORMAT_RGB565,      2, FALSE },
  { DRM_FORMAT_XRGB2101010, 4, FALSE },
  { DRM_FORMAT_XBGR2101010, 4, FALSE },
  /* R, G, B bytes in memory: QEMU's screendump PPM pixels (ramfb). */
  { DRM_FORMAT_BGR888,      3, FALSE },
};

const GvtFormat *
gvt_format_lookup (guint32 fourcc)
{
  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i].fourcc == fourcc)
      return &formats[i];
  return NULL;
}

const GvtFormat *
gvt_format_get_all (gsize *n_formats)
{
  *n_formats = G_N_ELEMENTS (formats);
  return formats;
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

/* Copies @name into @buf if it is a non-empty printable string that fits.
 * libdrm hands out a fourcc's bytes as they are, control characters
 * included. */
static gboolean
copy_printable (const char *name, char *buf, gsize size)
{
  if (name == NULL || *name == '\0' || strlen (name) >= size)
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_isprint (*c))
      return FALSE;
  memcpy (buf, name, strlen (name) + 1);
  return TRUE;
}

const char *
gvt_format_to_string (guint32 fourcc, char buf[GVT_FORMAT_NAME_MAX])
{
  char *name = drmGetFormatName (fourcc);
  gboolean named = copy_printable (name, buf, GVT_FORMAT_NAME_MAX);

  free (name);
  if (!named)
    g_snprintf (buf, GVT_FORMAT_NAME_MAX, "0x%08x", fourcc);
  return buf;
}

const char *
gvt_modifier_to_string (guint64 modifier, char buf[GVT_MODIFIER_NAME_MAX])
{
  char *name = drmGetFormatModifierName (modifier);
  /* libdrm's name is the macro's tail after the vendor's prefix
   * ("X_TILED"): say whose it is, as weston does, except for the
   * vendor-less LINEAR and INVALID. */
  char *vendor = name != NULL && fourcc_mod_get_vendor (modifier) != DRM_FORMAT_MOD_VENDOR_NONE
                 ? drmGetFormatModifierVendor (modifier) : NULL;
  g_autofree char *qualified = vendor != NULL ? g_strdup_printf ("%s_%s", vendor, name) : NULL;
  gboolean named = copy_printable (qualified != NULL ? qualified : name, buf,
                                   GVT_MODIFIER_NAME_MAX);

  free (vendor);
  free (name);
  if (!named)
    g_snprintf (buf, GVT_MODIFIER_NAME_MAX, "0x%016" G_GINT64_MODIFIER "x", modifier);
  return buf;
}

guint
gvt_modifier_tile_height (guint64 modifier)
{
  switch (modifier)
    {
    case I915_FORMAT_MOD_X_TILED:  return 8;
    case I915_FORMAT_MOD_Y_TILED:
    case I915_FORMAT_MOD_Yf_TILED: return 32;
    default:                       return 1;
    }
}
