/* The pixel formats a vGPU can scan out, as the kernel names them (DRM
 * fourcc and modifier, libdrm's <drm_fourcc.h>), with what validation and
 * rendering need to know of each. */
#pragma once

#include <glib.h>
#include <drm_fourcc.h>

G_BEGIN_DECLS

/* Short names for the DRM constants the viewer uses, so that callers read
 * as before; they are the DRM values, never spelled out here. */
#define GVT_FOURCC(a, b, c, d) fourcc_code (a, b, c, d)

#define GVT_FORMAT_XRGB8888    DRM_FORMAT_XRGB8888
#define GVT_FORMAT_ARGB8888    DRM_FORMAT_ARGB8888
#define GVT_FORMAT_XBGR8888    DRM_FORMAT_XBGR8888
#define GVT_FORMAT_ABGR8888    DRM_FORMAT_ABGR8888
#define GVT_FORMAT_RGB565      DRM_FORMAT_RGB565
#define GVT_FORMAT_XRGB2101010 DRM_FORMAT_XRGB2101010
#define GVT_FORMAT_XBGR2101010 DRM_FORMAT_XBGR2101010
#define GVT_FORMAT_BGR888      DRM_FORMAT_BGR888

#define GVT_MOD_LINEAR         DRM_FORMAT_MOD_LINEAR
#define GVT_MOD_INVALID        DRM_FORMAT_MOD_INVALID
#define GVT_MOD_I915_X_TILED   I915_FORMAT_MOD_X_TILED
#define GVT_MOD_I915_Y_TILED   I915_FORMAT_MOD_Y_TILED
#define GVT_MOD_I915_YF_TILED  I915_FORMAT_MOD_Yf_TILED

typedef struct {
  guint32 fourcc;
  guint8 cpp;          /* bytes per pixel */
  gboolean has_alpha;  /* FALSE: draw opaque whatever the X bits hold */
} GvtFormat;

/* The table entry for @fourcc, or NULL if gvt-view can't show it. */
const GvtFormat *gvt_format_lookup (guint32 fourcc);

/* Every format gvt-view can show (the one table: the renderer's is checked
 * against it); sets @n_formats. Static. */
const GvtFormat *gvt_format_get_all (gsize *n_formats);

/* The fourcc as exactly four characters ("XR24"): the key probe's JSON
 * "fourcc" holds. Unprintable bytes become '?'. @buf needs 5 bytes;
 * returns @buf. */
const char *gvt_fourcc_to_string (guint32 fourcc, char buf[5]);

/* libdrm's name for the format (drmGetFormatName): the fourcc code
 * ("XR24", "R8" without padding, "XR24_BE" for big-endian ones, "INVALID"
 * for 0), or "0x34325258" when libdrm has no printable name for it. @buf
 * needs GVT_FORMAT_NAME_MAX bytes; returns @buf. */
#define GVT_FORMAT_NAME_MAX 16
const char *gvt_format_to_string (guint32 fourcc, char buf[GVT_FORMAT_NAME_MAX]);

/* libdrm's name for the modifier (drmGetFormatModifierName), qualified by
 * its vendor (drmGetFormatModifierVendor) unless it has none:
 * "LINEAR", "INVALID", "INTEL_X_TILED", "INTEL_Y_TILED", "INTEL_Yf_TILED".
 * A modifier libdrm can't name, or whose name is too long, is the hex
 * "0x0100000000000009". @buf needs GVT_MODIFIER_NAME_MAX bytes; returns
 * @buf. */
#define GVT_MODIFIER_NAME_MAX 64
const char *gvt_modifier_to_string (guint64 modifier, char buf[GVT_MODIFIER_NAME_MAX]);

/* Bytes per row above which a tiled buffer's size follows the tile height:
 * rows per tile for @modifier (1 for linear, 8 for X, 32 for Y/Yf). */
guint gvt_modifier_tile_height (guint64 modifier);

G_END_DECLS
