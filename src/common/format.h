/* The pixel formats a vGPU can scan out, as the kernel names them (DRM
 * fourcc), with what validation and rendering need to know of each. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GVT_FOURCC(a, b, c, d) \
  ((guint32) (a) | ((guint32) (b) << 8) | ((guint32) (c) << 16) | ((guint32) (d) << 24))

#define GVT_FORMAT_XRGB8888    GVT_FOURCC ('X', 'R', '2', '4')
#define GVT_FORMAT_ARGB8888    GVT_FOURCC ('A', 'R', '2', '4')
#define GVT_FORMAT_XBGR8888    GVT_FOURCC ('X', 'B', '2', '4')
#define GVT_FORMAT_ABGR8888    GVT_FOURCC ('A', 'B', '2', '4')
#define GVT_FORMAT_RGB565      GVT_FOURCC ('R', 'G', '1', '6')
#define GVT_FORMAT_XRGB2101010 GVT_FOURCC ('X', 'R', '3', '0')
#define GVT_FORMAT_XBGR2101010 GVT_FOURCC ('X', 'B', '3', '0')

/* DRM format modifiers (drm_fourcc.h), spelled here so that the core does
 * not need libdrm. */
#define GVT_MOD_LINEAR          G_GUINT64_CONSTANT (0)
#define GVT_MOD_INVALID         G_GUINT64_CONSTANT (0x00ffffffffffffff)
#define GVT_MOD_I915_X_TILED    G_GUINT64_CONSTANT (0x0100000000000001)
#define GVT_MOD_I915_Y_TILED    G_GUINT64_CONSTANT (0x0100000000000002)
#define GVT_MOD_I915_YF_TILED   G_GUINT64_CONSTANT (0x0100000000000003)

typedef struct {
  guint32 fourcc;
  guint8 cpp;          /* bytes per pixel */
  gboolean has_alpha;  /* FALSE: draw opaque whatever the X bits hold */
} GvtFormat;

/* The table entry for @fourcc, or NULL if gvt-view can't show it. */
const GvtFormat *gvt_format_lookup (guint32 fourcc);

/* The fourcc as four printable characters ("XR24"); unprintable bytes
 * become '?'. @buf needs 5 bytes; returns @buf. */
const char *gvt_fourcc_to_string (guint32 fourcc, char buf[5]);

/* A short human name for a modifier: "linear", "X-tiled", "0x...". @buf
 * needs GVT_MODIFIER_NAME_MAX bytes; returns @buf or a static string. */
#define GVT_MODIFIER_NAME_MAX 64
const char *gvt_modifier_to_string (guint64 modifier, char buf[GVT_MODIFIER_NAME_MAX]);

/* Bytes per row above which a tiled buffer's size follows the tile height:
 * rows per tile for @modifier (1 for linear, 8 for X, 32 for Y/Yf). */
guint gvt_modifier_tile_height (guint64 modifier);

G_END_DECLS
