/* The UI tests' instrument: compares a display server's screenshot with a
 * headless snapshot pixel by pixel, checks regions for black, and reads or
 * waits for the viewer's --stats-file. One tool so that the shell tests
 * stay readable.
 *
 *   ui-check compare SHOT.png X Y W H REF.png [TOLERANCE]
 *       SHOT's W x H region at (X, Y) against REF (W x H): every channel
 *       within TOLERANCE (default 0, exact).
 *   ui-check zoomed SHOT.png X Y K REF.png
 *       REF scaled up K times by nearest neighbour against SHOT at (X, Y):
 *       every pixel of REF is exactly the K x K block of SHOT it covers
 *       (HiDPI: integer scaling at the buffer scale is crisp, not blurred).
 *   ui-check region SHOT.png X Y W H black|nonblack
 *       black: every pixel is 0,0,0; nonblack: at least 1% of pixels are not.
 *   ui-check get STATS.json KEY
 *       prints the value.
 *   ui-check wait STATS.json TIMEOUT_S KEY=VALUE...
 *       waits until the file exists and every KEY has VALUE (integers,
 *       strings, booleans compare as printed; KEY>=N compares numbers).
 *       A timeout is a failure to get there, not a timing measurement.
 *   ui-check ppm2png IN.ppm OUT.png
 *       a binary PPM (P6, maxval 255: QEMU's screendump) as an RGBA PNG,
 *       alpha 255.
 *   ui-check dimmed SHOT.png X Y W H REF.png FACTOR [TOLERANCE]
 *       SHOT's W x H region at (X, Y) against REF (W x H) with every channel
 *       multiplied by FACTOR and rounded, within TOLERANCE (default 1),
 *       except inside the box centred in the region that is 60% of its
 *       width and 30% of its height (where a message is drawn).
 *   ui-check cursor-over SHOT.png PX PY OUT.png
 *       the X server's current cursor image (XFixes: what the pointer looks
 *       like now, on $DISPLAY) composited over SHOT with its hotspot at
 *       (PX, PY), written to OUT; prints "cursor W H hot XH YH".
 *   ui-check opaque IMAGE.png
 *       every pixel's alpha is 255 (a PNG without alpha is opaque).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include <X11/Xlib.h>
#include <X11/extensions/Xfixes.h>

#include "render/png-file.h"

static int
usage (void)
{
  fprintf (stderr, "usage: ui-check compare|zoomed|region|get|wait|ppm2png|dimmed|opaque|cursor-over ... (see the source)\n");
  return 2;
}

static guint8 *
load (const char *path, guint *w, guint *h)
{
  g_autoptr (GError) error = NULL;
  guint8 *rgba = gvt_png_read_rgba (path, w, h, &error);
  if (rgba == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      exit (2);
    }
  return rgba;
}

static gboolean
parse_rect (char **argv, guint sw, guint sh, guint r[4])
{
  for (int i = 0; i < 4; i++)
    r[i] = (guint) g_ascii_strtoull (argv[i], NULL, 10);
  if (r[2] == 0 || r[3] == 0 || r[0] + r[2] > sw || r[1] + r[3] > sh)
    {
      fprintf (stderr, "region %ux%u+%u+%u is not inside the %ux%u screenshot\n", r[2], r[3],
               r[0], r[1], sw, sh);
      return FALSE;
    }
  return TRUE;
}

static int
cmd_compare (int argc, char **argv)
{
  if (argc < 7)
    return usage ();
  guint sw, sh, rw, rh, r[4];
  g_autofree guint8 *shot = load (argv[1], &sw, &sh);
  g_autofree guint8 *ref = load (argv[6], &rw, &rh);
  guint tolerance = argc > 7 ? (guint) atoi (argv[7]) : 0;

  if (!parse_rect (argv + 2, sw, sh, r))
    return 1;
  if (rw != r[2] || rh != r[3])
    {
      fprintf (stderr, "the reference is %ux%u, the region %ux%u\n", rw, rh, r[2], r[3]);
      return 1;
    }
  guint64 differ = 0;
  guint max_diff = 0, fx = 0, fy = 0;
  guint32 fgot = 0, fwant = 0;
  for (guint y = 0; y < rh; y++)
    for (guint x = 0; x < rw; x++)
      {
        const guint8 *a = shot + ((gsize) (r[1] + y) * sw + r[0] + x) * 4;
        const guint8 *b = ref + ((gsize) y * rw + x) * 4;
        guint d = 0;
        for (int c = 0; c < 3; c++)
          d = MAX (d, (guint) ABS ((int) a[c] - (int) b[c]));
        if (d > tolerance)
          {
            if (differ++ == 0)
              {
                fx = x, fy = y;
                fgot = (guint32) a[0] << 16 | (guint32) a[1] << 8 | a[2];
                fwant = (guint32) b[0] << 16 | (guint32) b[1] << 8 | b[2];
              }
          }
        max_diff = MAX (max_diff, d);
      }
  if (differ > 0)
    {
      fprintf (stderr, "%" G_GUINT64_FORMAT " of %u pixels differ by more than %u (max %u); "
               "first at (%u, %u): screen #%06x, snapshot #%06x\n", differ, rw * rh, tolerance,
               max_diff, fx, fy, fgot, fwant);
      return 1;
    }
  printf ("%ux%u pixels match (max difference %u, tolerance %u)\n", rw, rh, max_diff, tolerance);
  return 0;
}

static int
cmd_zoomed (int argc, char **argv)
{
  if (argc < 6)
    return usage ();
  guint sw, sh, rw, rh;
  g_autofree guint8 *shot = load (argv[1], &sw, &sh);
  g_autofree guint8 *ref = load (argv[5], &rw, &rh);
  guint x0 = (guint) g_ascii_strtoull (argv[2], NULL, 10);
  guint y0 = (guint) g_ascii_strtoull (argv[3], NULL, 10);
  guint k = (guint) g_ascii_strtoull (argv[4], NULL, 10);

  if (k == 0 || k > 64 || (guint64) x0 + (guint64) rw * k > sw || (guint64) y0 + (guint64) rh * k > sh)
    {
      fprintf (stderr, "%ux%u zoomed %u times at (%u, %u) is not inside the %ux%u screenshot\n",
               rw, rh, k, x0, y0, sw, sh);
      return 1;
    }
  guint64 differ = 0;
  guint fx = 0, fy = 0;
  guint32 fgot = 0, fwant = 0;
  for (guint y = 0; y < rh * k; y++)
    for (guint x = 0; x < rw * k; x++)
      {
        const guint8 *a = shot + ((gsize) (y0 + y) * sw + x0 + x) * 4;
        const guint8 *b = ref + ((gsize) (y / k) * rw + x / k) * 4;
        if (a[0] != b[0] || a[1] != b[1] || a[2] != b[2])
          {
            if (differ++ == 0)
              {
                fx = x, fy = y;
                fgot = (guint32) a[0] << 16 | (guint32) a[1] << 8 | a[2];
                fwant = (guint32) b[0] << 16 | (guint32) b[1] << 8 | b[2];
              }
          }
      }
  if (differ > 0)
    {
      fprintf (stderr, "%" G_GUINT64_FORMAT " of %u screen pixels differ from the %ux%u reference "
               "zoomed %u times; first at (%u, %u) (reference pixel (%u, %u)): screen #%06x, "
               "reference #%06x\n", differ, rw * rh * k * k, rw, rh, k, fx, fy, fx / k, fy / k,
               fgot, fwant);
      return 1;
    }
  printf ("%ux%u reference pixels are exact %ux%u blocks on screen\n", rw, rh, k, k);
  return 0;
}

static int
cmd_region (int argc, char **argv)
{
  if (argc < 7)
    return usage ();
  guint sw, sh, r[4];
  g_autofree guint8 *shot = load (argv[1], &sw, &sh);
  if (!parse_rect (argv + 2, sw, sh, r))
    return 1;
  guint64 lit = 0, total = (guint64) r[2] * r[3];
  for (guint y = 0; y < r[3]; y++)
    for (guint x = 0; x < r[2]; x++)
      {
        const guint8 *p = shot + ((gsize) (r[1] + y) * sw + r[0] + x) * 4;
        lit += (p[0] | p[1] | p[2]) != 0;
      }
  gboolean want_black = strcmp (argv[6], "black") == 0;
  gboolean ok = want_black ? lit == 0 : lit * 100 >= total;
  printf ("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " pixels are not black (want %s)\n",
          lit, total, argv[6]);
  return ok ? 0 : 1;
}

static JsonObject *
read_stats (const char *path, JsonParser *parser)
{
  if (!json_parser_load_from_file (parser, path, NULL))
    return NULL;
  JsonNode *root = json_parser_get_root (parser);
  return root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
}

static char *
value_text (JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member (o, key);
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return NULL;
  switch (json_node_get_value_type (n))
    {
    case G_TYPE_INT64:   return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (n));
    case G_TYPE_BOOLEAN: return g_strdup (json_node_get_boolean (n) ? "true" : "false");
    case G_TYPE_DOUBLE:  return g_strdup_printf ("%g", json_node_get_double (n));
    case G_TYPE_STRING:  return g_strdup (json_node_get_string (n));
    default:             return NULL;
    }
}

static int
cmd_get (int argc, char **argv)
{
  if (argc < 3)
    return usage ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = read_stats (argv[1], parser);
  g_autofree char *v = o ? value_text (o, argv[2]) : NULL;
  if (v == NULL)
    {
      fprintf (stderr, "%s has no %s\n", argv[1], argv[2]);
      return 1;
    }
  printf ("%s\n", v);
  return 0;
}

static gboolean
matches (JsonObject *o, const char *cond)
{
  const char *ge = strstr (cond, ">=");
  const char *eq = strchr (cond, '=');
  g_autofree char *key = g_strndup (cond, (gsize) ((ge ? ge : eq) - cond));
  g_autofree char *v = value_text (o, key);
  if (v == NULL)
    return FALSE;
  if (ge != NULL)
    return g_ascii_strtod (v, NULL) >= g_ascii_strtod (ge + 2, NULL);
  return strcmp (v, eq + 1) == 0;
}

static int
cmd_wait (int argc, char **argv)
{
  if (argc < 4)
    return usage ();
  gint64 deadline = g_get_monotonic_time () + (gint64) (atof (argv[2]) * G_USEC_PER_SEC);

  for (;;)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *o = read_stats (argv[1], parser);
      gboolean all = o != NULL;
      for (int i = 3; all && i < argc; i++)
        all = matches (o, argv[i]);
      if (all)
        return 0;
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *text = NULL;
          g_file_get_contents (argv[1], &text, NULL, NULL);
          fprintf (stderr, "the viewer never got to");
          for (int i = 3; i < argc; i++)
            fprintf (stderr, " %s", argv[i]);
          fprintf (stderr, "; last %s:\n%s\n", argv[1], text ? text : "(none)");
          return 1;
        }
      g_usleep (50 * 1000);
    }
}

/* One token of a PPM header (whitespace and # comments between tokens). */
static gboolean
ppm_number (const guint8 *data, gsize size, gsize *pos, guint *value)
{
  while (*pos < size && (g_ascii_isspace (data[*pos]) || data[*pos] == '#'))
    {
      if (data[*pos] == '#')
        while (*pos < size && data[*pos] != '\n')
          (*pos)++;
      else
        (*pos)++;
    }
  guint64 v = 0;
  gsize start = *pos;
  while (*pos < size && g_ascii_isdigit (data[*pos]) && v < 1000000)
    v = v * 10 + (guint) (data[(*pos)++] - '0');
  *value = (guint) v;
  return *pos > start && v < 1000000;
}

static int
cmd_ppm2png (int argc, char **argv)
{
  if (argc < 3)
    return usage ();
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *data = NULL;
  gsize size = 0, pos = 2;
  guint w, h, maxval;
  if (!g_file_get_contents (argv[1], (char **) &data, &size, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (size < 2 || data[0] != 'P' || data[1] != '6' || !ppm_number (data, size, &pos, &w)
      || !ppm_number (data, size, &pos, &h) || !ppm_number (data, size, &pos, &maxval)
      || pos >= size || !g_ascii_isspace (data[pos]))
    {
      fprintf (stderr, "%s: not a binary PPM (P6)\n", argv[1]);
      return 2;
    }
  pos++;
  if (maxval != 255 || w == 0 || h == 0 || size - pos < (gsize) w * h * 3)
    {
      fprintf (stderr, "%s: %ux%u maxval %u with %" G_GSIZE_FORMAT " bytes of pixels: want "
               "maxval 255 and %" G_GSIZE_FORMAT "\n", argv[1], w, h, maxval, size - pos,
               (gsize) w * h * 3);
      return 2;
    }
  g_autofree guint8 *rgba = g_malloc ((gsize) w * h * 4);
  for (gsize i = 0; i < (gsize) w * h; i++)
    {
      memcpy (rgba + i * 4, data + pos + i * 3, 3);
      rgba[i * 4 + 3] = 255;
    }
  if (!gvt_png_write_rgba (argv[2], rgba, w, h, (gsize) w * 4, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  printf ("%ux%u\n", w, h);
  return 0;
}

static int
cmd_dimmed (int argc, char **argv)
{
  if (argc < 8)
    return usage ();
  guint sw, sh, rw, rh, r[4];
  g_autofree guint8 *shot = load (argv[1], &sw, &sh);
  g_autofree guint8 *ref = load (argv[6], &rw, &rh);
  double factor = g_ascii_strtod (argv[7], NULL);
  guint tolerance = argc > 8 ? (guint) atoi (argv[8]) : 1;

  if (!parse_rect (argv + 2, sw, sh, r))
    return 1;
  if (rw != r[2] || rh != r[3])
    {
      fprintf (stderr, "the reference is %ux%u, the region %ux%u\n", rw, rh, r[2], r[3]);
      return 1;
    }
  /* The message box's room: the middle 60% x 30%. */
  guint bw = rw * 3 / 5, bh = rh * 3 / 10;
  guint bx = (rw - bw) / 2, by = (rh - bh) / 2;
  guint64 differ = 0, compared = 0, lit = 0;
  guint max_diff = 0, fx = 0, fy = 0;
  guint32 fgot = 0, fwant = 0;
  for (guint y = 0; y < rh; y++)
    for (guint x = 0; x < rw; x++)
      {
        if (x >= bx && x < bx + bw && y >= by && y < by + bh)
          continue;
        const guint8 *a = shot + ((gsize) (r[1] + y) * sw + r[0] + x) * 4;
        const guint8 *b = ref + ((gsize) y * rw + x) * 4;
        guint8 want[3];
        guint d = 0;
        for (int c = 0; c < 3; c++)
          {
            want[c] = (guint8) CLAMP ((int) (b[c] * factor + 0.5), 0, 255);
            d = MAX (d, (guint) ABS ((int) a[c] - (int) want[c]));
          }
        compared++;
        lit += (b[0] | b[1] | b[2]) != 0;
        if (d > tolerance && differ++ == 0)
          {
            fx = x, fy = y;
            fgot = (guint32) a[0] << 16 | (guint32) a[1] << 8 | a[2];
            fwant = (guint32) want[0] << 16 | (guint32) want[1] << 8 | want[2];
          }
        max_diff = MAX (max_diff, d);
      }
  if (differ > 0)
    {
      fprintf (stderr, "%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " pixels outside the "
               "centre box differ from the reference x %g by more than %u (max %u); first at "
               "(%u, %u): screen #%06x, want #%06x\n", differ, compared, factor, tolerance,
               max_diff, fx, fy, fgot, fwant);
      return 1;
    }
  printf ("%" G_GUINT64_FORMAT " pixels outside the centre box %ux%u+%u+%u (%" G_GUINT64_FORMAT
          " of them lit in the reference) are the reference x %g (max difference %u, tolerance "
          "%u)\n", compared, bw, bh, bx, by, lit, factor, max_diff, tolerance);
  return 0;
}

static int
cmd_opaque (int argc, char **argv)
{
  if (argc < 2)
    return usage ();
  guint w, h;
  g_autofree guint8 *rgba = load (argv[1], &w, &h);
  guint64 clear = 0;
  for (gsize i = 0; i < (gsize) w * h; i++)
    clear += rgba[i * 4 + 3] != 255;
  printf ("%" G_GUINT64_FORMAT " of %u pixels are not opaque\n", clear, w * h);
  return clear == 0 ? 0 : 1;
}

static int
cmd_cursor_over (int argc, char **argv)
{
  if (argc < 5)
    return usage ();
  guint w, h;
  g_autofree guint8 *rgba = load (argv[1], &w, &h);
  int px = atoi (argv[2]), py = atoi (argv[3]);
  Display *dpy = XOpenDisplay (NULL);
  int event_base, error_base;
  if (dpy == NULL || !XFixesQueryExtension (dpy, &event_base, &error_base))
    {
      fprintf (stderr, "no X display with XFixes\n");
      return 2;
    }
  XFixesCursorImage *cursor = XFixesGetCursorImage (dpy);
  if (cursor == NULL)
    {
      fprintf (stderr, "no cursor image\n");
      return 2;
    }
  printf ("cursor %u %u hot %u %u\n", cursor->width, cursor->height, cursor->xhot, cursor->yhot);
  /* Premultiplied ARGB in longs: src + dst * (1 - a). */
  for (int y = 0; y < cursor->height; y++)
    for (int x = 0; x < cursor->width; x++)
      {
        int sx = px - cursor->xhot + x, sy = py - cursor->yhot + y;
        if (sx < 0 || sy < 0 || sx >= (int) w || sy >= (int) h)
          continue;
        unsigned long c = cursor->pixels[y * cursor->width + x];
        guint a = (c >> 24) & 0xff;
        guint8 *d = rgba + ((gsize) sy * w + sx) * 4;
        const guint src[3] = { (c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff };
        for (int k = 0; k < 3; k++)
          d[k] = (guint8) MIN (255u, src[k] + (d[k] * (255 - a) + 127) / 255);
      }
  XFree (cursor);
  XCloseDisplay (dpy);
  g_autoptr (GError) error = NULL;
  if (!gvt_png_write_rgba (argv[4], rgba, w, h, (gsize) w * 4, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    return usage ();
  if (strcmp (argv[1], "compare") == 0)
    return cmd_compare (argc - 1, argv + 1);
  if (strcmp (argv[1], "zoomed") == 0)
    return cmd_zoomed (argc - 1, argv + 1);
  if (strcmp (argv[1], "region") == 0)
    return cmd_region (argc - 1, argv + 1);
  if (strcmp (argv[1], "get") == 0)
    return cmd_get (argc - 1, argv + 1);
  if (strcmp (argv[1], "wait") == 0)
    return cmd_wait (argc - 1, argv + 1);
  if (strcmp (argv[1], "ppm2png") == 0)
    return cmd_ppm2png (argc - 1, argv + 1);
  if (strcmp (argv[1], "dimmed") == 0)
    return cmd_dimmed (argc - 1, argv + 1);
  if (strcmp (argv[1], "opaque") == 0)
    return cmd_opaque (argc - 1, argv + 1);
  if (strcmp (argv[1], "cursor-over") == 0)
    return cmd_cursor_over (argc - 1, argv + 1);
  return usage ();
}
