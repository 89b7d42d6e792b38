/* The one WIDTHxHEIGHT parser. */
#include "size.h"
#include "gvt-error.h"

/* Digits only: strtoull would take a sign, spaces and "0x". Stops at the
 * first non-digit, saturating far above GVT_SIZE_MAX. */
static const char *
parse_side (const char *p, guint64 *value)
{
  guint64 v = 0;

  if (!g_ascii_isdigit (*p))
    return NULL;
  for (; g_ascii_isdigit (*p); p++)
    v = MIN (v * 10 + (guint64) (*p - '0'), G_GUINT64_CONSTANT (1) << 40);
  *value = v;
  return p;
}

gboolean
gvt_size_parse (const char *text, guint *width, guint *height)
{
  guint64 w = 0, h = 0;
  const char *p;

  if (text == NULL || (p = parse_side (text, &w)) == NULL || (*p != 'x' && *p != 'X'))
    return FALSE;
  if ((p = parse_side (p + 1, &h)) == NULL || *p != '\0')
    return FALSE;
  if (w == 0 || h == 0 || w > GVT_SIZE_MAX || h > GVT_SIZE_MAX)
    return FALSE;
  *width = (guint) w;
  *height = (guint) h;
  return TRUE;
}

gboolean
gvt_size_parse_arg (const char *what, const char *text, guint *width, guint *height,
                    GError **error)
{
  if (gvt_size_parse (text, width, height))
    return TRUE;
  g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS, "%s %s: use " GVT_SIZE_HELP,
               what, text ? text : "(nothing)");
  return FALSE;
}

char *
gvt_size_format_bytes (guint64 n)
{
  static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
  int u = -1;
  double v = (double) n;
  while (u < (int) G_N_ELEMENTS (units) - 1 && v >= 1024)
    {
      v /= 1024;
      u++;
    }
  if (u < 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " bytes", n);
  if (n % (G_GUINT64_CONSTANT (1) << (10 * (u + 1))) == 0)
    return g_strdup_printf ("%.0f %s", v, units[u]);
  return g_strdup_printf ("%.1f %s", v, units[u]);
}
