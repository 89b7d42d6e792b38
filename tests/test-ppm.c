/* Tests for the screendump PPM reader (qemu/ppm.h): a table of headers
 * that must be taken or refused, each run on a copy that ends at a
 * guard page (a read past @len faults, with or without valgrind), and a
 * file written by a real QEMU's `screendump` over QMP. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <json-glib/json-glib.h>

#include "common/gvt-error.h"
#include "display/plane.h"
#include "qemu/ppm.h"
#include "testutil.h"

/* The reader's side limit is the planes' (it can't include display/): the
 * table's 16384 and 16385 cases check it. */
G_STATIC_ASSERT (GVT_PLANE_MAX_DIM == 16384);
G_STATIC_ASSERT (GVT_PPM_MAX_PIXELS <= (guint64) GVT_PLANE_MAX_DIM * GVT_PLANE_MAX_DIM);

/* ------------------------------------------------------------------ */
/* A copy whose last byte is followed by an unreadable page. */

typedef struct {
  guint8 *map;
  gsize map_len;
  guint8 *data;
} Guarded;

static void
guarded_init (Guarded *g, const guint8 *src, gsize len)
{
  gsize page = (gsize) sysconf (_SC_PAGESIZE);
  gsize body = (len + page - 1) / page * page;
  g->map_len = body + page;
  g->map = mmap (NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  g_assert_true (g->map != MAP_FAILED);
  g_assert_no_errno (mprotect (g->map + body, page, PROT_NONE));
  g->data = g->map + body - len;
  if (len)
    memcpy (g->data, src, len);
}

static void
guarded_clear (Guarded *g)
{
  munmap (g->map, g->map_len);
}

/* ------------------------------------------------------------------ */
/* The table */

typedef struct {
  const char *path;
  /* The file's first bytes; @header_len 0: strlen (@header). */
  const char *header;
  gsize header_len;
  /* Pixel bytes after the header: @w * @h * 3 + @pixels_delta. */
  guint32 w, h;
  gssize pixels_delta;
  /* @file_size = the bytes given + @more (the rest of a bigger file). */
  guint64 more;
  /* NULL: taken as @w x @h at @offset; else refused, with each of these
   * '|'-separated words in the message. */
  const char *refusal;
  gsize offset;
} Case;

#define QEMU_1024 "P6\n1024 768\n255\n"
/* Comment lines padding a header to a length. */
#define PAD48 "# 456789012345678901234567890123456789012345678\n"
#define PAD240 PAD48 PAD48 PAD48 PAD48 PAD48
/* A header of exactly GVT_PPM_MAX_HEADER bytes, and one byte more. */
#define HEADER_256 "P6\n" PAD240 "#abc\n1 1\n255\n"
#define HEADER_257 "P6\n" PAD240 "#abcd\n1 1\n255\n"

static const Case cases[] = {
  /* What QEMU writes (ui/console.c ppm_save). */
  { "/ppm/ok/qemu-1024x768", QEMU_1024, 0, 1024, 768, 0, 0, NULL, 16 },
  { "/ppm/ok/qemu-placeholder-640x480", "P6\n640 480\n255\n", 0, 640, 480, 0, 0, NULL, 15 },
  { "/ppm/ok/qemu-1920x1080", "P6\n1920 1080\n255\n", 0, 1920, 1080, 0, 0, NULL, 17 },
  { "/ppm/ok/1x1-spaces", "P6 1 1 255 ", 0, 1, 1, 0, 0, NULL, 11 },
  { "/ppm/ok/16384-wide-at-the-pixel-limit", "P6\n16384 4096\n255\n", 0, 16384, 4096,
    -(gssize) 16384 * 4096 * 3, (guint64) 16384 * 4096 * 3, NULL, 18 },
  { "/ppm/ok/16384-high-at-the-pixel-limit", "P6\n4096 16384\n255\n", 0, 4096, 16384,
    -(gssize) 16384 * 4096 * 3, (guint64) 16384 * 4096 * 3, NULL, 18 },
  { "/ppm/ok/leading-zeros", "P6\n01024 00768\n00255\n", 0, 1024, 768, 0, 0, NULL, 21 },
  /* Comments where whitespace may be. */
  { "/ppm/ok/comments", "P6\n# CREATOR: GIMP PNM Filter\n2 2\n# the maxval\n255\n", 0, 2, 2,
    0, 0, NULL, 51 },
  { "/ppm/ok/comment-right-after-magic", "P6#x\n2 2\n255\n", 0, 2, 2, 0, 0, NULL, 13 },
  { "/ppm/ok/comment-right-after-number", "P6\n2#w\n2#h\n255\n", 0, 2, 2, 0, 0, NULL, 15 },
  { "/ppm/ok/comment-ended-by-cr", "P6 #c\r2 2 255\n", 0, 2, 2, 0, 0, NULL, 14 },
  { "/ppm/ok/empty-comment", "P6\n#\n2 2\n255\n", 0, 2, 2, 0, 0, NULL, 13 },
  /* Other whitespace: \t \v \f \r, several in a row. */
  { "/ppm/ok/other-whitespace", "P6\t2\v\f2\r255\t", 0, 2, 2, 0, 0, NULL, 12 },
  { "/ppm/ok/runs-of-whitespace", "P6  \n\n 2   2 \t 255\n", 0, 2, 2, 0, 0, NULL, 19 },
  /* CRLF: between tokens whitespace; after maxval the \r is the one byte
   * and the \n the first pixel byte. */
  { "/ppm/ok/crlf", "P6\r\n2 2\r\n255\r\n", 0, 2, 2, -1, 0, NULL, 13 },
  { "/ppm/refused/crlf-one-byte-short", "P6\r\n2 2\r\n255\r\n", 0, 2, 2, -2, 0,
    "truncated|12 pixel bytes expected, 11 there", 0 },
  /* After the single whitespace, '#' is pixel data. */
  { "/ppm/ok/hash-as-first-pixel", "P6 1 1 255\n#", 0, 1, 1, -1, 0, NULL, 11 },
  /* Bigger than needed: trailing bytes, or more in the file than given. */
  { "/ppm/ok/trailing-bytes", QEMU_1024, 0, 1024, 768, 1000, 0, NULL, 16 },
  { "/ppm/ok/bigger-file-than-given", "P6\n2 2\n255\n", 0, 2, 2, 5, 5000, NULL, 11 },
  { "/ppm/ok/header-only-given", QEMU_1024, 0, 1024, 768, -(gssize) 1024 * 768 * 3,
    1024 * 768 * 3, NULL, 16 },
  /* The header's length: 256 taken, 257 refused. */
  { "/ppm/ok/header-of-256-bytes", HEADER_256, 0, 1, 1, 0, 0, NULL, 256 },
  { "/ppm/refused/header-of-257-bytes", HEADER_257, 0, 1, 1, 0, 0,
    "longer than 256 bytes|maxval", 0 },
  { "/ppm/refused/comment-beyond-256-bytes", "P6\n" PAD240 PAD48 "1 1\n255\n", 0, 1, 1, 0, 0,
    "longer than 256 bytes|width", 0 },

  /* Not P6. */
  { "/ppm/refused/empty", "", 0, 0, 0, 0, 0, "not a PPM file|empty", 0 },
  { "/ppm/refused/gif", "GIF89a\x01\x00", 8, 0, 0, 0, 0, "not a PPM file|'GIF8'", 0 },
  { "/ppm/refused/nul-bytes", "\0\0\0\0\0", 5, 0, 0, 0, 0,
    "not a PPM file|'\\x00\\x00\\x00\\x00'", 0 },
  { "/ppm/refused/one-byte", "P", 0, 0, 0, 0, 0, "not a PPM file|'P'", 0 },
  { "/ppm/refused/lowercase", "p6\n1 1\n255\n", 0, 0, 0, 0, 0, "not a PPM file|'p6", 0 },
  { "/ppm/refused/p3", "P3\n1 1\n255\n0 0 0\n", 0, 0, 0, 0, 0, "netpbm P3|only P6", 0 },
  { "/ppm/refused/p5", "P5\n1 1\n255\n", 0, 0, 0, 0, 0, "netpbm P5|only P6", 0 },
  { "/ppm/refused/p7", "P7\nWIDTH 1\n", 0, 0, 0, 0, 0, "netpbm P7|only P6", 0 },
  { "/ppm/refused/magic-only", "P6", 0, 0, 0, 0, 0, "cut short after 2 bytes|width", 0 },
  { "/ppm/refused/magic-without-space", "P61024 768\n255\n", 0, 0, 0, 0, 0,
    "magic P6|'1'|not whitespace", 0 },
  /* Numbers. */
  { "/ppm/refused/width-not-a-number", "P6\nabc 768\n255\n", 0, 0, 0, 0, 0,
    "width|not a number|'a'", 0 },
  { "/ppm/refused/height-missing", "P6\n1024 \n", 0, 0, 0, 0, 0, "cut short|height", 0 },
  { "/ppm/refused/height-not-a-number", "P6\n1024 x\n255\n", 0, 0, 0, 0, 0,
    "height|not a number|'x'", 0 },
  { "/ppm/refused/maxval-not-a-number", "P6\n2 2\n\xff", 0, 0, 0, 0, 0,
    "maxval|not a number|0xff", 0 },
  { "/ppm/refused/no-space-between-sizes", "P6\n1024x768\n255\n", 0, 0, 0, 0, 0,
    "width|'x'|not whitespace", 0 },
  { "/ppm/refused/width-plus", "P6\n+1024 768\n255\n", 0, 0, 0, 0, 0, "width|sign|'+'", 0 },
  { "/ppm/refused/height-minus", "P6\n1024 -768\n255\n", 0, 0, 0, 0, 0, "height|sign|'-'", 0 },
  { "/ppm/refused/maxval-plus", "P6\n1024 768\n+255\n", 0, 0, 0, 0, 0, "maxval|sign|'+'", 0 },
  { "/ppm/refused/width-6-digits", "P6\n001024 768\n255\n", 0, 0, 0, 0, 0,
    "width|more than 5 digits", 0 },
  { "/ppm/refused/height-6-digits", "P6\n1024 100000\n255\n", 0, 0, 0, 0, 0,
    "height|more than 5 digits", 0 },
  { "/ppm/refused/maxval-6-digits", "P6\n1024 768\n000255\n", 0, 0, 0, 0, 0,
    "maxval|more than 5 digits", 0 },
  { "/ppm/refused/huge-number", "P6\n99999999999999999999999 1\n255\n", 0, 0, 0, 0, 0,
    "width|more than 5 digits", 0 },
  /* Sizes. */
  { "/ppm/refused/width-0", "P6\n0 768\n255\n", 0, 0, 0, 0, 0, "0x768|side of 0", 0 },
  { "/ppm/refused/height-0", "P6\n1024 00000\n255\n", 0, 0, 0, 0, 0, "1024x0|side of 0", 0 },
  { "/ppm/refused/width-16385", "P6\n16385 1\n255\n", 0, 0, 0, 0, 0,
    "16385x1|over the 16384 limit", 0 },
  { "/ppm/refused/height-16385", "P6\n1 16385\n255\n", 0, 0, 0, 0, 0,
    "1x16385|over the 16384 limit", 0 },
  { "/ppm/refused/20000x10", "P6\n20000 10\n255\n", 0, 0, 0, 0, 0,
    "20000x10|over the 16384 limit", 0 },
  { "/ppm/refused/over-the-pixel-limit", "P6\n16384 4097\n255\n", 0, 0, 0, 0,
    (guint64) 16384 * 4097 * 3, "16384x4097|67125248 pixels|over the 67108864 limit", 0 },
  { "/ppm/refused/16384x16384", "P6\n16384 16384\n255\n", 0, 0, 0, 0, 0,
    "16384x16384|268435456 pixels|over the 67108864 limit", 0 },
  /* maxval. */
  { "/ppm/refused/maxval-65535", "P6\n2 2\n65535\n", 0, 0, 0, 0, 0,
    "maxval 65535|only 255", 0 },
  { "/ppm/refused/maxval-0", "P6\n2 2\n0\n", 0, 0, 0, 0, 0, "maxval 0|only 255", 0 },
  { "/ppm/refused/maxval-254", "P6\n2 2\n254\n", 0, 0, 0, 0, 0, "maxval 254|only 255", 0 },
  { "/ppm/refused/maxval-256", "P6\n2 2\n256\n", 0, 0, 0, 0, 0, "maxval 256|only 255", 0 },
  /* The single whitespace after maxval. */
  { "/ppm/refused/maxval-then-pixels", "P6\n1 1\n255\x01\x02\x03", 0, 0, 0, 0, 0,
    "maxval|followed by 0x01|single whitespace", 0 },
  { "/ppm/refused/maxval-then-comment", "P6\n1 1\n255#c\n\x01\x02\x03", 0, 0, 0, 0, 0,
    "maxval|followed by '#'|single whitespace", 0 },
  { "/ppm/refused/maxval-at-the-end", "P6\n1 1\n255", 0, 0, 0, 0, 0,
    "cut short after 10 bytes|maxval", 0 },
  { "/ppm/refused/no-pixels-at-all", "P6\n2 2\n255\n", 0, 0, 0, 0, 0,
    "truncated|12 pixel bytes expected, 0 there", 0 },
  /* Pixels: one byte short, given or claimed. */
  { "/ppm/refused/truncated-by-one-byte", QEMU_1024, 0, 1024, 768, -1, 0,
    "truncated|2359296 pixel bytes expected, 2359295 there", 0 },
  { "/ppm/refused/file-size-one-byte-short", QEMU_1024, 0, 1024, 768, -(gssize) 1024 * 768 * 3,
    1024 * 768 * 3 - 1, "truncated|2359296 pixel bytes expected, 2359295 there", 0 },
  { "/ppm/refused/given-bytes-end-in-header", "P6\n1024 7", 0, 0, 0, 0, 1 << 22,
    "cut short after 9 bytes|height", 0 },
};

static void
assert_refused (const GError *error, const char *words)
{
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL);
  g_auto (GStrv) each = g_strsplit (words, "|", -1);
  for (char **w = each; *w; w++)
    if (strstr (error->message, *w) == NULL)
      g_error ("\"%s\" is not in \"%s\"", *w, error->message);
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  gsize header_len = c->header_len ? c->header_len : strlen (c->header);
  gssize pixels = (gssize) c->w * c->h * 3 + c->pixels_delta;
  g_assert_cmpint (pixels, >=, 0);
  gsize len = header_len + (gsize) pixels;

  g_autofree guint8 *bytes = g_malloc (len ? len : 1);
  memcpy (bytes, c->header, header_len);
  /* Something recognisable, never whitespace-only. */
  for (gsize i = header_len; i < len; i++)
    bytes[i] = (guint8) (i * 7 + 1);

  Guarded g;
  guarded_init (&g, bytes, len);
  GvtPpmInfo info;
  memset (&info, 0xa5, sizeof info);
  g_autoptr (GError) error = NULL;
  gboolean ok = gvt_ppm_parse_header (g.data, len, len + c->more, &info, &error);
  guarded_clear (&g);

  if (c->refusal)
    {
      g_assert_false (ok);
      assert_refused (error, c->refusal);
      GvtPpmInfo untouched;
      memset (&untouched, 0xa5, sizeof untouched);
      g_assert_cmpmem (&info, sizeof info, &untouched, sizeof untouched);
      return;
    }
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (info.width, ==, c->w);
  g_assert_cmpuint (info.height, ==, c->h);
  g_assert_cmpuint (info.stride, ==, c->w * 3);
  g_assert_cmpuint (info.offset, ==, c->offset);
  g_assert_cmpuint (info.offset + (guint64) info.stride * info.height, <=, len + c->more);
}

/* With @len claiming a 1 MiB file but only GVT_PPM_MAX_HEADER bytes
 * readable: the header is found, or refused, within them. */
static void
test_reads_at_most_max_header (void)
{
  g_assert_cmpuint (strlen (HEADER_256), ==, GVT_PPM_MAX_HEADER);
  g_assert_cmpuint (strlen (HEADER_257), ==, GVT_PPM_MAX_HEADER + 1);

  Guarded g;
  guarded_init (&g, (const guint8 *) HEADER_256, GVT_PPM_MAX_HEADER);
  g_autoptr (GError) error = NULL;
  GvtPpmInfo info;
  g_assert_true (gvt_ppm_parse_header (g.data, 1 << 20, 1 << 20, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.offset, ==, GVT_PPM_MAX_HEADER);
  guarded_clear (&g);

  guarded_init (&g, (const guint8 *) HEADER_257, GVT_PPM_MAX_HEADER);
  g_assert_false (gvt_ppm_parse_header (g.data, 1 << 20, 1 << 20, &info, &error));
  assert_refused (error, "longer than 256 bytes|maxval");
  guarded_clear (&g);
}

/* ------------------------------------------------------------------ */
/* A real QEMU's screendump */

typedef struct {
  GPid pid;
  char *dir;
} Qemu;

static void
qemu_stop (Qemu *q)
{
  gvt_test_kill (q->pid);
  if (q->dir)
    {
      g_autoptr (GDir) d = g_dir_open (q->dir, 0, NULL);
      const char *name;
      while (d && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *p = g_build_filename (q->dir, name, NULL);
          unlink (p);
        }
      rmdir (q->dir);
      g_free (q->dir);
    }
}

static void
test_qemu_screendump (void)
{
  g_autofree char *qemu = gvt_test_require_program ("qemu-system-x86_64", "qemu-system-x86");
  Qemu q = { 0 };
  g_autoptr (GError) error = NULL;
  q.dir = g_dir_make_tmp ("gvt-test-ppm-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *sock_path = g_build_filename (q.dir, "qmp.sock", NULL);
  g_autofree char *ppm_path = g_build_filename (q.dir, "screen.ppm", NULL);
  g_autofree char *qmp_arg = g_strdup_printf ("unix:%s,server=on,wait=off", sock_path);
  const char *argv[] = {
    qemu, "-accel", "tcg", "-m", "64", "-nic", "none", "-display", "none", "-vga", "none",
    "-device", "ramfb,id=fb0", "-S", "-qmp", qmp_arg, NULL,
  };
  q.pid = gvt_test_spawn_qemu (argv, NULL);
  if (!gvt_test_wait_listening (sock_path, q.pid))
    g_error ("QEMU's QMP socket never answered");
  GvtTestQmp *qmp = gvt_test_qmp_connect (sock_path);
  gvt_test_qmp_screendump (qmp, ppm_path, "fb0");
  gvt_test_qmp_free (qmp);

  g_autofree char *contents = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (ppm_path, &contents, &len, &error));
  g_assert_no_error (error);
  qemu_stop (&q);

  /* Paused before the firmware ran (-S): the placeholder QEMU draws for an
   * inactive console, 640x480 black with grey text. */
  GvtPpmInfo info;
  g_assert_true (gvt_ppm_parse_header ((const guint8 *) contents, len, len, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.width, ==, 640);
  g_assert_cmpuint (info.height, ==, 480);
  g_assert_cmpuint (info.offset, ==, strlen ("P6\n640 480\n255\n"));
  g_assert_cmpuint (info.stride, ==, 640 * 3);
  g_assert_cmpuint (len, ==, info.offset + (gsize) info.stride * info.height);
  g_assert_cmpmem (contents, info.offset, "P6\n640 480\n255\n", info.offset);
  const guint8 *px = (const guint8 *) contents + info.offset;
  static const guint8 black[3];
  g_assert_cmpmem (px, 3, black, 3);
  gsize lit = 0;
  for (gsize i = 0; i < (gsize) info.stride * info.height; i += 3)
    if (px[i] || px[i + 1] || px[i + 2])
      lit++;
  g_test_message ("%" G_GSIZE_FORMAT " non-black pixels (the text)", lit);
  g_assert_cmpuint (lit, >, 100);
  g_assert_cmpuint (lit, <, 640 * 480 / 4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], test_case);
  g_test_add_func ("/ppm/header/reads-at-most-256-bytes", test_reads_at_most_max_header);
  g_test_add_func ("/ppm/qemu/screendump-placeholder", test_qemu_screendump);
  return g_test_run ();
}
