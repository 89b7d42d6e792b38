/* The PPM (P6) files QEMU's `screendump` writes, read as untrusted input:
 * QEMU writes "P6\n" W " " H "\n255\n" then W*H RGB triplets, but the file
 * is another process's output and is checked as such. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The largest image taken: each side 1..16384 (GVT_PLANE_MAX_DIM), and at
 * most this many pixels (a 16384x16384 RGB image would be 768 MiB). */
#define GVT_PPM_MAX_PIXELS (8192u * 8192u)
/* The header's longest form: anything longer is refused. */
#define GVT_PPM_MAX_HEADER 256

typedef struct {
  guint32 width, height;
  gsize offset;  /* of the first pixel byte in the file */
  guint32 stride; /* bytes per row: width * 3 */
} GvtPpmInfo;

/* Parses the header at the start of @data (@len bytes: the whole file, or
 * at least its first GVT_PPM_MAX_HEADER bytes with @file_size the whole
 * size) per netpbm's P6 grammar: "P6", whitespace, width, whitespace,
 * height, whitespace, maxval, exactly one whitespace byte, pixels.
 * Whitespace is space, \t, \n, \v, \f, \r; comments ('#' to the end of
 * the line) are allowed where whitespace is between two tokens, not in
 * place of the single whitespace byte after maxval; the byte after that
 * is the first pixel byte, even '#' or whitespace ("255\r\n" leaves the
 * \n as pixel data). Numbers are decimal, without sign, of at most 5 digits;
 * maxval must be 255 (QEMU's; 2-byte samples are refused). The header ends
 * within GVT_PPM_MAX_HEADER bytes (so offset <= GVT_PPM_MAX_HEADER and
 * offset <= @len). Then demands @file_size >= offset + width * height * 3
 * (more is allowed: trailing bytes are ignored). On success fills @info;
 * on failure leaves it untouched and sets GVT_ERROR_PROTOCOL with what is
 * wrong ("not a PPM file (starts with 'GIF8')", "PPM truncated: 2359296
 * pixel bytes expected, 1000 there", "PPM 20000x10 is over the 16384
 * limit", "PPM maxval 65535: only 255 is read"). Never reads past @len
 * (nor past GVT_PPM_MAX_HEADER). No state: callable from any thread. */
gboolean gvt_ppm_parse_header (const guint8 *data, gsize len, guint64 file_size,
                               GvtPpmInfo *info, GError **error);

G_END_DECLS
