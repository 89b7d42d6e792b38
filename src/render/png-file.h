/* PNG files of RGBA pixels (libpng's simplified API). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @width x @height RGBA pixels, row 0 at the top, @stride bytes per row,
 * encoded as a PNG stream in memory (caller unrefs). GVT_ERROR_FAILED with
 * libpng's reason on failure. */
GBytes *gvt_png_encode_rgba (const guint8 *rgba, guint width, guint height, gsize stride,
                             GError **error);

/* Encodes as gvt_png_encode_rgba() and writes the result to @path through
 * gvt_output_file_new() and _commit() (common/output-file.h): "-" is
 * stdout, a device or FIFO is written to, a file is replaced atomically.
 * For tests and tools that have nothing to wait for: a command checks its
 * output file before it waits for a frame, and commits the encoded bytes
 * itself. GVT_ERROR_FAILED with the reason on failure. */
gboolean gvt_png_write_rgba (const char *path, const guint8 *rgba, guint width,
                             guint height, gsize stride, GError **error);

/* Reads @path as RGBA (any PNG is converted): a new buffer of
 * width * height * 4 bytes, caller g_free()s. For tests and tools. */
guint8 *gvt_png_read_rgba (const char *path, guint *width, guint *height, GError **error);

G_END_DECLS
