/* Fuzz target: the GVT-g type description parser,
 * gvt_mdev_type_parse_description (vgpu/mdev.h), and gvt_mdev_is_uuid.
 *
 * Input: the description text (up to its first NUL, as the sysfs reader
 * hands it over). Contract checked against a parser written again from
 * mdev.h's comments:
 * - fields are "key: value", separated by newlines or commas; spaces (' '
 *   only) around keys and values are layout, any other byte is not; the
 *   last occurrence of a key wins;
 * - low_gm_size / high_gm_size are "NMB" or "N MB" (MB in any case),
 *   fence and weight are N, resolution is "WxH" with W, H > 0, where every
 *   N is a number in the kernel's spelling: ASCII digits, no sign, no
 *   leading zero but "0" itself, at most G_MAXINT;
 * - all six fields are -1 unless set by a valid field, and nothing else in
 *   the struct changes; NULL is "no description";
 * - gvt_mdev_is_uuid is TRUE exactly for 8-4-4-4-12 hex digits. */
#include <string.h>

#include "vgpu/mdev.h"
#include "fuzz-common.h"

void
fuzz_target_init (void)
{
}

/* The kernel's spelling of a number in @s[0..len): -1 if it isn't one. */
static int
ref_number (const char *s, gsize len)
{
  if (len == 0 || (s[0] == '0' && len > 1))
    return -1;
  guint64 v = 0;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return -1;
      v = v * 10 + (guint64) (s[i] - '0');
      if (v > G_MAXINT)
        return -1;
    }
  return (int) v;
}

static int
ref_megabytes (const char *s, gsize len)
{
  if (len < 3 || g_ascii_tolower (s[len - 1]) != 'b' || g_ascii_tolower (s[len - 2]) != 'm')
    return -1;
  len -= 2;
  while (len > 0 && s[len - 1] == ' ')
    len--;
  return ref_number (s, len);
}

typedef struct {
  int low, high, fence, weight, xres, yres;
} Fields;

/* One "key: value" field of @s[0..len). */
static void
ref_field (const char *s, gsize len, Fields *f)
{
  const char *colon = memchr (s, ':', len);
  if (colon == NULL)
    return;
  const char *k = s, *k_end = colon;
  const char *v = colon + 1, *v_end = s + len;
  while (k < k_end && *k == ' ')
    k++;
  while (k_end > k && k_end[-1] == ' ')
    k_end--;
  while (v < v_end && *v == ' ')
    v++;
  while (v_end > v && v_end[-1] == ' ')
    v_end--;
  gsize klen = (gsize) (k_end - k), vlen = (gsize) (v_end - v);

#define KEY_IS(name) (klen == strlen (name) && memcmp (k, name, klen) == 0)
  if (KEY_IS ("low_gm_size"))
    f->low = ref_megabytes (v, vlen);
  else if (KEY_IS ("high_gm_size"))
    f->high = ref_megabytes (v, vlen);
  else if (KEY_IS ("fence"))
    f->fence = ref_number (v, vlen);
  else if (KEY_IS ("weight"))
    f->weight = ref_number (v, vlen);
  else if (KEY_IS ("resolution"))
    {
      const char *x = memchr (v, 'x', vlen);
      int w = x ? ref_number (v, (gsize) (x - v)) : -1;
      int h = x ? ref_number (x + 1, (gsize) (v_end - x - 1)) : -1;
      if (w > 0 && h > 0)
        f->xres = w, f->yres = h;
      else
        f->xres = f->yres = -1;
    }
#undef KEY_IS
}

static void
ref_parse (const char *text, Fields *f)
{
  *f = (Fields) { -1, -1, -1, -1, -1, -1 };
  const char *start = text;
  for (const char *c = text;; c++)
    if (*c == '\n' || *c == ',' || *c == '\0')
      {
        ref_field (start, (gsize) (c - start), f);
        if (*c == '\0')
          break;
        start = c + 1;
      }
}

static gboolean
ref_is_uuid (const char *s)
{
  if (strlen (s) != 36)
    return FALSE;
  for (int i = 0; i < 36; i++)
    {
      gboolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? s[i] != '-' : !g_ascii_isxdigit (s[i]))
        return FALSE;
    }
  return TRUE;
}

void
fuzz_target_run (const guint8 *data, gsize size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);

  /* Sentinels in every field the parser must leave alone. */
  char *id = "id", *name = "name", *description = text, *api = "api";
  GvtMdevType type = {
    .id = id, .name = name, .description = description, .device_api = api,
    .available = 77, .low_gm_mb = 1, .high_gm_mb = 2, .fence = 3, .weight = 4,
    .max_xres = 5, .max_yres = 6,
  };
  gvt_mdev_type_parse_description (&type, text);

  Fields want;
  ref_parse (text, &want);
  FUZZ_CHECK (type.low_gm_mb == want.low && type.high_gm_mb == want.high
              && type.fence == want.fence && type.weight == want.weight
              && type.max_xres == want.xres && type.max_yres == want.yres,
              "parsed low %d high %d fence %d weight %d resolution %dx%d; the rules say "
              "low %d high %d fence %d weight %d resolution %dx%d for \"%s\"",
              type.low_gm_mb, type.high_gm_mb, type.fence, type.weight, type.max_xres,
              type.max_yres, want.low, want.high, want.fence, want.weight, want.xres,
              want.yres, g_strescape (text, NULL));
  FUZZ_CHECK (type.id == id && type.name == name && type.description == description
              && type.device_api == api && type.available == 77,
              "the parser touched other fields");
  fuzz_count (want.fence >= 0 || want.low >= 0 || want.xres >= 0 ? "some field" : "no field");
  if (want.low >= 0 && want.high >= 0 && want.fence >= 0 && want.weight >= 0
      && want.xres >= 0)
    fuzz_count ("all fields");

  gvt_mdev_type_parse_description (&type, NULL);
  FUZZ_CHECK (type.low_gm_mb == -1 && type.high_gm_mb == -1 && type.fence == -1
              && type.weight == -1 && type.max_xres == -1 && type.max_yres == -1,
              "NULL leaves fields set");

  FUZZ_CHECK (gvt_mdev_is_uuid (text) == ref_is_uuid (text), "is_uuid (\"%s\") says %d",
              g_strescape (text, NULL), gvt_mdev_is_uuid (text));
  /* Strings that nearly are UUIDs: the input's first bytes over a real one. */
  char uuid[37] = "5c4a9e0d-2f51-4d3b-9a6e-0b7c1d2e3f40";
  memcpy (uuid, text, MIN (strlen (text), 8));
  FUZZ_CHECK (gvt_mdev_is_uuid (uuid) == ref_is_uuid (uuid), "is_uuid (\"%s\") says %d",
              g_strescape (uuid, NULL), gvt_mdev_is_uuid (uuid));
}
