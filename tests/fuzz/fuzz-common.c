/* The fuzz targets' shared plumbing: the libFuzzer entry points, the input
 * reader, contract failures and fd counting. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuzz-common.h"

/* --- logging --- */

/* The code under test logs every rejected plane and lost device: at tens of
 * thousands of inputs a second that is all the fuzzer would do. Criticals
 * (a g_return_if_fail, i.e. a caller broke a precondition) and errors
 * still print, and abort: for a fuzzer they are findings. */
static GLogWriterOutput
quiet_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return g_log_writer_standard_streams (level, fields, n_fields, data);
  return G_LOG_WRITER_HANDLED;
}

gboolean fuzz_tracing;

void
fuzz_trace_line (const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  vfprintf (stderr, fmt, args);
  va_end (args);
  fputc ('\n', stderr);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_tracing = g_getenv ("FUZZ_TRACE") != NULL;
  g_log_set_writer_func (quiet_writer, NULL, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  fuzz_target_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  fuzz_target_run (data, size);
  return 0;
}

gboolean
fuzz_ignored (const char *tag)
{
  static char **ignored;
  if (ignored == NULL)
    ignored = g_strsplit (g_getenv ("FUZZ_IGNORE") ? g_getenv ("FUZZ_IGNORE") : "", ",", -1);
  return g_strv_contains ((const char * const *) ignored, tag);
}

G_NORETURN void
fuzz_fail (const char *file, int line, const char *cond, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  fprintf (stderr, "fuzz contract violated at %s:%d: %s\n  (%s)\n", file, line, msg, cond);
  fflush (stderr);
  abort ();
}

/* --- outcome counts --- */

static GHashTable *counts;

void
fuzz_count (const char *what)
{
  if (counts == NULL)
    counts = g_hash_table_new (g_str_hash, g_str_equal);
  gpointer n = g_hash_table_lookup (counts, what);
  g_hash_table_insert (counts, (gpointer) what, GSIZE_TO_POINTER (GPOINTER_TO_SIZE (n) + 1));
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

char *
fuzz_counts_to_string (void)
{
  GString *s = g_string_new (NULL);
  if (counts == NULL)
    return g_string_free (s, FALSE);
  guint n;
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (counts, &n);
  qsort (keys, n, sizeof *keys, compare_strings);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "#   %s: %" G_GSIZE_FORMAT "\n", (const char *) keys[i],
                            GPOINTER_TO_SIZE (g_hash_table_lookup (counts, keys[i])));
  return g_string_free (s, FALSE);
}

/* --- the input --- */

void
fuzz_in_init (FuzzIn *in, const guint8 *data, gsize size)
{
  in->data = data;
  in->size = size;
  in->pos = 0;
}

gboolean
fuzz_in_done (const FuzzIn *in)
{
  return in->pos >= in->size;
}

guint8
fuzz_u8 (FuzzIn *in)
{
  return in->pos < in->size ? in->data[in->pos++] : 0;
}

guint16
fuzz_u16 (FuzzIn *in)
{
  guint16 lo = fuzz_u8 (in);
  return (guint16) (lo | fuzz_u8 (in) << 8);
}

guint32
fuzz_u32 (FuzzIn *in)
{
  guint32 lo = fuzz_u16 (in);
  return lo | (guint32) fuzz_u16 (in) << 16;
}

guint64
fuzz_u64 (FuzzIn *in)
{
  guint64 lo = fuzz_u32 (in);
  return lo | (guint64) fuzz_u32 (in) << 32;
}

guint32
fuzz_pick (FuzzIn *in, const guint32 *values, gsize n)
{
  return values[fuzz_u8 (in) % n];
}

guint64
fuzz_near64 (FuzzIn *in, guint64 base)
{
  guint8 sel = fuzz_u8 (in);
  guint64 delta;
  switch (sel % 8)
    {
    case 0: return base;
    case 1: return base == G_MAXUINT64 ? base : base + 1;
    case 2: return base == 0 ? 0 : base - 1;
    case 3:
      delta = 1 + (guint64) fuzz_u8 (in);
      return base > G_MAXUINT64 - delta ? G_MAXUINT64 : base + delta;
    case 4:
      delta = 1 + (guint64) fuzz_u8 (in);
      return base < delta ? 0 : base - delta;
    case 5: return fuzz_u8 (in);
    case 6: return fuzz_u32 (in);
    default: return fuzz_u64 (in);
    }
}

guint32
fuzz_near (FuzzIn *in, guint64 base)
{
  guint64 v = fuzz_near64 (in, base);
  return v > G_MAXUINT32 ? (guint32) (v & 1 ? G_MAXUINT32 : v) : (guint32) v;
}

/* --- fds --- */

struct linux_dirent64 {
  guint64 d_ino;
  gint64 d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

/* Opened once and rewound: cheap enough to count after every poll. */
static int
proc_fd_dir (void)
{
  static int dir = -1;
  if (dir < 0)
    {
      dir = open ("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir < 0)
        g_error ("cannot open /proc/self/fd: %s", g_strerror (errno));
    }
  return dir;
}

int
fuzz_for_each_fd (FuzzFdFunc func, gpointer data)
{
  int dir = proc_fd_dir ();
  int n = 0;
  char buf[4096];

  if (lseek (dir, 0, SEEK_SET) != 0)
    g_error ("cannot rewind /proc/self/fd: %s", g_strerror (errno));
  for (;;)
    {
      long got = syscall (SYS_getdents64, dir, buf, sizeof buf);
      if (got < 0)
        g_error ("cannot read /proc/self/fd: %s", g_strerror (errno));
      if (got == 0)
        break;
      for (long off = 0; off < got;)
        {
          struct linux_dirent64 *d = (struct linux_dirent64 *) (buf + off);
          off += d->d_reclen;
          if (d->d_name[0] == '.')
            continue;
          int fd = atoi (d->d_name);
          if (fd == dir)
            continue;
          n++;
          if (func != NULL)
            {
              char target[256];
              ssize_t len = readlinkat (dir, d->d_name, target, sizeof target - 1);
              target[len < 0 ? 0 : len] = '\0';
              func (fd, target, data);
            }
        }
    }
  return n;
}

int
fuzz_count_fds (void)
{
  return fuzz_for_each_fd (NULL, NULL);
}
