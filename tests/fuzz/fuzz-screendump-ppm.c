/* Fuzz target: the screendump PPM reader (qemu/ppm.h), on headers QEMU
 * could have written and on anything else.
 *
 * Input: the file's bytes, all of them passed as @data. @file_size is
 * @len, or more: when the last 4 bytes read as a little-endian u32 with
 * the top bit clear, @len + that value (the caller read the first part of
 * a bigger file, as the API allows); with the top bit set (and for inputs
 * under 4 bytes) the input is the whole file. Contract checked:
 * - taken: 1 <= width, height <= 16384, width * height <=
 *   GVT_PPM_MAX_PIXELS, stride == width * 3, offset <= GVT_PPM_MAX_HEADER
 *   and <= @len, offset + stride * height <= @file_size; the file starts
 *   with "P6" and the byte before offset is whitespace;
 * - refused: GVT_ERROR_PROTOCOL with a non-empty message, @info untouched;
 * - the same answer (and message) from the first GVT_PPM_MAX_HEADER bytes
 *   alone with the same @file_size: the API's header-only form;
 * - never a read past @len: the input is copied to end at an unreadable
 *   page (libFuzzer's ASan sees it too). */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/gvt-error.h"
#include "qemu/ppm.h"
#include "fuzz-common.h"

#define PPM_MAX_DIM 16384

/* Inputs up to this size are copied to end at the guard page. */
#define GUARDED_MAX (64 * 1024)

static guint8 *guarded_end; /* the first unreadable byte */

void
fuzz_target_init (void)
{
  gsize page = (gsize) sysconf (_SC_PAGESIZE);
  guint8 *map = mmap (NULL, GUARDED_MAX + page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED || mprotect (map + GUARDED_MAX, page, PROT_NONE) != 0)
    g_error ("cannot set up the guard page");
  guarded_end = map + GUARDED_MAX;
}

/* Refusals by what the message names, to see the replay reach them all. */
static const struct { const char *word, *label; } refusals[] = {
  { "truncated", "refused: truncated" },
  { "longer than", "refused: header too long" },
  { "cut short", "refused: header cut short" },
  { "not a PPM", "refused: not a PPM" },
  { "netpbm", "refused: other netpbm" },
  { "limit", "refused: too large" },
  { "side of 0", "refused: side of 0" },
  { "maxval", "refused: maxval" },
  { "more than 5 digits", "refused: too many digits" },
  { "sign", "refused: sign" },
  { "not a number", "refused: not a number" },
  { "not whitespace", "refused: no separator" },
};

static void
count_refusal (const char *message)
{
  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    if (strstr (message, refusals[i].word))
      {
        fuzz_count (refusals[i].label);
        return;
      }
  fuzz_count ("refused: other");
}

static gboolean
is_space (guint8 c)
{
  return c == ' ' || (c >= '\t' && c <= '\r');
}

static void
check (const guint8 *data, gsize len, guint64 file_size)
{
  GvtPpmInfo info, untouched;
  memset (&info, 0x5a, sizeof info);
  memcpy (&untouched, &info, sizeof info);
  g_autoptr (GError) error = NULL;
  gboolean ok = gvt_ppm_parse_header (data, len, file_size, &info, &error);
  fuzz_trace ("len %" G_GSIZE_FORMAT ", file_size %" G_GUINT64_FORMAT ": %s", len, file_size,
              ok ? "taken" : error->message);

  /* The header-only form: the first GVT_PPM_MAX_HEADER bytes. */
  gsize head_len = MIN (len, GVT_PPM_MAX_HEADER);
  GvtPpmInfo head_info;
  memset (&head_info, 0x5a, sizeof head_info);
  g_autoptr (GError) head_error = NULL;
  gboolean head_ok = gvt_ppm_parse_header (data, head_len, file_size, &head_info, &head_error);

  if (!ok)
    {
      FUZZ_CHECK (error != NULL, "refused without an error");
      FUZZ_CHECK (g_error_matches (error, GVT_ERROR, GVT_ERROR_PROTOCOL),
                  "refused with %s code %d: %s", g_quark_to_string (error->domain),
                  error->code, error->message);
      FUZZ_CHECK (error->message && error->message[0], "an empty message");
      FUZZ_CHECK (memcmp (&info, &untouched, sizeof info) == 0, "a refusal wrote @info");
      /* The header-only form may only lack bytes past the header's limit,
       * which a refusal never needed. */
      FUZZ_CHECK (!head_ok && strcmp (head_error->message, error->message) == 0,
                  "the first %" G_GSIZE_FORMAT " bytes give \"%s\", all %" G_GSIZE_FORMAT
                  " \"%s\"", head_len, head_ok ? "taken" : head_error->message, len,
                  error->message);
      count_refusal (error->message);
      return;
    }

  FUZZ_CHECK (error == NULL, "taken with an error set");
  FUZZ_CHECK (info.width >= 1 && info.width <= PPM_MAX_DIM && info.height >= 1
              && info.height <= PPM_MAX_DIM, "size %ux%u", info.width, info.height);
  FUZZ_CHECK ((guint64) info.width * info.height <= GVT_PPM_MAX_PIXELS,
              "%ux%u is over GVT_PPM_MAX_PIXELS", info.width, info.height);
  FUZZ_CHECK (info.stride == info.width * 3, "stride %u for width %u", info.stride,
              info.width);
  FUZZ_CHECK (info.offset <= GVT_PPM_MAX_HEADER && info.offset <= len,
              "offset %" G_GSIZE_FORMAT " (len %" G_GSIZE_FORMAT ")", info.offset, len);
  FUZZ_CHECK (info.offset + (guint64) info.stride * info.height <= file_size,
              "%ux%u at %" G_GSIZE_FORMAT " is beyond the file's %" G_GUINT64_FORMAT " bytes",
              info.width, info.height, info.offset, file_size);
  FUZZ_CHECK (len >= 2 && data[0] == 'P' && data[1] == '6', "taken without the P6 magic");
  /* "P6 1 1 255 " is the shortest header. */
  FUZZ_CHECK (info.offset >= 11 && is_space (data[info.offset - 1]),
              "the byte before the pixels (at %" G_GSIZE_FORMAT ") is not whitespace",
              info.offset);
  FUZZ_CHECK (head_ok && memcmp (&head_info, &info, sizeof info) == 0,
              "the first %" G_GSIZE_FORMAT " bytes give %s", head_len,
              head_ok ? "another header" : head_error->message);
  fuzz_count (info.offset + (guint64) info.stride * info.height < file_size
              ? "taken (bigger file)" : "taken (exact size)");
}

void
fuzz_target_run (const guint8 *data, gsize size)
{
  guint64 file_size = size;
  if (size >= 4)
    {
      guint32 extra = data[size - 4] | (guint32) data[size - 3] << 8
                      | (guint32) data[size - 2] << 16 | (guint32) data[size - 1] << 24;
      if (!(extra & 0x80000000u))
        file_size += extra;
    }

  if (size <= GUARDED_MAX)
    {
      guint8 *copy = guarded_end - size;
      if (size)
        memcpy (copy, data, size);
      check (copy, size, file_size);
    }
  else
    check (data, size, file_size);
}
