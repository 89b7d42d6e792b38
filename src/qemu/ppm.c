/* The reader of QEMU's screendump PPM files: a strict P6 header parser
 * that checks the sizes against the limits and the file, so the caller can
 * then take the pixels at offset + row * stride without further checks. */
#include <string.h>

#include "ppm.h"
#include "common/gvt-error.h"

/* GVT_PLANE_MAX_DIM (display/ is above qemu/; the tests check they agree). */
#define PPM_MAX_DIM 16384
/* 99999: every legal size and maxval fits, and no sum or product can
 * overflow. */
#define PPM_MAX_DIGITS 5

typedef struct {
  const guint8 *data;
  gsize len;   /* bytes of @data that may be read */
  gsize limit; /* where the header must have ended: MIN (len, GVT_PPM_MAX_HEADER) */
  gsize pos;
} Reader;

static gboolean
fail (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError **error, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error_literal (error, GVT_ERROR, GVT_ERROR_PROTOCOL, msg);
  return FALSE;
}

/* The header ran into @limit while @what was still to come: either the
 * header is too long or the bytes we were given end (the file is cut, or
 * the caller passed fewer than GVT_PPM_MAX_HEADER bytes of a longer file). */
static gboolean
fail_header_end (const Reader *r, const char *what, GError **error)
{
  if (r->limit == GVT_PPM_MAX_HEADER)
    return fail (error, "PPM header longer than %d bytes (%s expected)", GVT_PPM_MAX_HEADER,
                 what);
  return fail (error, "PPM header cut short after %" G_GSIZE_FORMAT " bytes (%s expected)",
               r->len, what);
}

/* isspace() in the C locale, as netpbm's reader has it (g_ascii_isspace
 * leaves out \v). */
static gboolean
is_space (guint8 c)
{
  return c == ' ' || (c >= '\t' && c <= '\r');
}

/* "'x'" for a printable byte, "0xNN" otherwise: for messages. */
static char *
describe_byte (guint8 b)
{
  return g_ascii_isprint (b) ? g_strdup_printf ("'%c'", b) : g_strdup_printf ("0x%02x", b);
}

/* Whitespace and comments between two tokens, at least one of them: the
 * whitespace netpbm means (space, \t, \n, \v, \f, \r) and '#' up to the end
 * of its line. @after names the token before, @next the one after, for the
 * messages. */
static gboolean
skip_separator (Reader *r, const char *after, const char *next, GError **error)
{
  gsize start = r->pos;
  while (r->pos < r->limit)
    {
      guint8 c = r->data[r->pos];
      if (is_space (c))
        r->pos++;
      else if (c == '#')
        {
          /* The line end is whitespace: the loop takes it next round. */
          while (r->pos < r->limit && r->data[r->pos] != '\n' && r->data[r->pos] != '\r')
            r->pos++;
        }
      else
        break;
    }
  if (r->pos == r->limit)
    return fail_header_end (r, next, error);
  if (r->pos == start)
    {
      g_autofree char *found = describe_byte (r->data[r->pos]);
      return fail (error, "PPM %s is followed by %s, not whitespace", after, found);
    }
  return TRUE;
}

/* An unsigned decimal number of 1 to PPM_MAX_DIGITS digits. */
static gboolean
read_number (Reader *r, const char *what, guint32 *value, GError **error)
{
  if (r->pos == r->limit)
    return fail_header_end (r, what, error);
  guint8 c = r->data[r->pos];
  if (c == '+' || c == '-')
    return fail (error, "PPM %s has a sign ('%c'): only digits are read", what, c);
  if (!g_ascii_isdigit (c))
    {
      g_autofree char *found = describe_byte (c);
      return fail (error, "PPM %s is not a number (found %s)", what, found);
    }
  guint32 v = 0;
  int digits = 0;
  while (r->pos < r->limit && g_ascii_isdigit (r->data[r->pos]))
    {
      if (++digits > PPM_MAX_DIGITS)
        return fail (error, "PPM %s has more than %d digits", what, PPM_MAX_DIGITS);
      v = v * 10 + (guint32) (r->data[r->pos] - '0');
      r->pos++;
    }
  /* Digits up to the limit: the number may go on past it. */
  if (r->pos == r->limit)
    return fail_header_end (r, what, error);
  *value = v;
  return TRUE;
}

static gboolean
check_magic (const guint8 *data, gsize len, GError **error)
{
  if (len >= 2 && data[0] == 'P' && data[1] == '6')
    return TRUE;
  if (len == 0)
    return fail (error, "not a PPM file (it is empty)");
  if (len >= 2 && data[0] == 'P' && data[1] >= '1' && data[1] <= '7')
    return fail (error, "a netpbm P%c file: only P6 (binary PPM) is read", data[1]);
  GString *shown = g_string_new (NULL);
  for (gsize i = 0; i < MIN (len, 4); i++)
    {
      if (g_ascii_isprint (data[i]) && data[i] != '\\' && data[i] != '\'')
        g_string_append_c (shown, (char) data[i]);
      else
        g_string_append_printf (shown, "\\x%02x", data[i]);
    }
  g_autofree char *s = g_string_free (shown, FALSE);
  return fail (error, "not a PPM file (starts with '%s')", s);
}

gboolean
gvt_ppm_parse_header (const guint8 *data, gsize len, guint64 file_size, GvtPpmInfo *info,
                      GError **error)
{
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_magic (data, len, error))
    return FALSE;

  Reader r = { data, len, MIN (len, GVT_PPM_MAX_HEADER), 2 };
  guint32 width, height, maxval;
  if (!skip_separator (&r, "magic P6", "width", error)
      || !read_number (&r, "width", &width, error)
      || !skip_separator (&r, "width", "height", error)
      || !read_number (&r, "height", &height, error))
    return FALSE;

  if (width == 0 || height == 0)
    return fail (error, "PPM %ux%u has a side of 0", width, height);
  if (width > PPM_MAX_DIM || height > PPM_MAX_DIM)
    return fail (error, "PPM %ux%u is over the %u limit", width, height, PPM_MAX_DIM);
  guint64 pixels = (guint64) width * height;
  if (pixels > GVT_PPM_MAX_PIXELS)
    return fail (error, "PPM %ux%u is %" G_GUINT64_FORMAT " pixels, over the %u limit", width,
                 height, pixels, GVT_PPM_MAX_PIXELS);

  if (!skip_separator (&r, "height", "maxval", error)
      || !read_number (&r, "maxval", &maxval, error))
    return FALSE;
  if (maxval != 255)
    return fail (error, "PPM maxval %u: only 255 is read", maxval);

  /* Exactly one whitespace byte, then the raster: a second one, or a '#',
   * is already pixel data (netpbm's rule; QEMU writes a single \n). */
  if (r.pos == r.limit)
    return fail_header_end (&r, "whitespace after maxval", error);
  if (!is_space (r.data[r.pos]))
    {
      g_autofree char *found = describe_byte (r.data[r.pos]);
      return fail (error, "PPM maxval is followed by %s, not the single whitespace byte "
                   "before the pixels", found);
    }
  gsize offset = r.pos + 1;

  guint64 need = pixels * 3;
  guint64 have = file_size > offset ? file_size - offset : 0;
  if (have < need)
    return fail (error, "PPM truncated: %" G_GUINT64_FORMAT " pixel bytes expected, %"
                 G_GUINT64_FORMAT " there", need, have);

  info->width = width;
  info->height = height;
  info->offset = offset;
  info->stride = width * 3;
  return TRUE;
}
