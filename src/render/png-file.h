/* PNG files of RGBA pixels (libpng's simplified API). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes @width x @height RGBA pixels, row 0 at the top, @stride bytes per
 * row, to @path (replaced atomically: a temporary file renamed into
 * place). GVT_ERROR_FAILED with the reason on failure. */
gboolean gvt_png_write_rgba (const char *path, const guint8 *rgba, guint width,
                             guint height, gsize stride, GError **error);

/* Reads @path as RGBA (any PNG is converted): a new buffer of
 * width * height * 4 bytes, caller g_free()s. For tests and tools. */
guint8 *gvt_png_read_rgba (const char *path, guint *width, guint *height, GError **error);

G_END_DECLS
