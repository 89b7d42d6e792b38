/* The deterministic stand-in for libFuzzer, for compilers without it (CI's
 * gcc): runs a target on every file of its checked-in corpus, then on a
 * fixed-seed batch of pseudo-random inputs (fresh bytes, and corpus files
 * mutated the way a fuzzer would), as a TAP test. The same inputs every
 * run, so a failure is a regression to fix, not bad luck; when one fails
 * the input is written out and the way to replay it is printed.
 *
 *   fuzz-TARGET-replay [--corpus DIR] [--random N] [--seed S] [--max-len L] [FILE...]
 *
 * With FILEs it runs exactly those (a reproducer, or libFuzzer's crash-*
 * artifacts) and nothing else. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_HAVE_ASAN 1
#endif
#endif
#ifdef FUZZ_HAVE_ASAN
#include <sanitizer/asan_interface.h>
#endif

#include "fuzz-common.h"

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET must name the target"
#endif

/* What is running now, for the crash report. Set before every input. */
static const guint8 *current_data;
static gsize current_size;
static char current_what[512];
static char failed_path[4096];
static const char *self_path;

static void
write_str (const char *s)
{
  gsize len = strlen (s);
  while (len > 0)
    {
      ssize_t n = write (STDOUT_FILENO, s, len);
      if (n <= 0)
        return;
      s += n;
      len -= (gsize) n;
    }
}

/* Async-signal-safe: saves the input and says how to run it again. */
static void
report_failure (void)
{
  static volatile sig_atomic_t reported;
  if (reported)
    return;
  reported = 1;

  int fd = open (failed_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0)
    {
      gsize done = 0;
      while (done < current_size)
        {
          ssize_t n = write (fd, current_data + done, current_size - done);
          if (n <= 0)
            break;
          done += (gsize) n;
        }
      close (fd);
    }
  write_str ("\nBail out! " FUZZ_TARGET " failed on ");
  write_str (current_what);
  write_str ("; the input is saved as ");
  write_str (failed_path);
  write_str (" — run it again with: ");
  write_str (self_path);
  write_str (" ");
  write_str (failed_path);
  write_str ("\n");
}

static void
on_fatal_signal (int sig)
{
  report_failure ();
  signal (sig, SIG_DFL);
  raise (sig);
}

/* Like libFuzzer, hands the target a copy of exactly @size bytes, so that
 * a sanitizer sees a read past the end. */
static void
run_one (const guint8 *data, gsize size, const char *what)
{
  guint8 *copy = malloc (size ? size : 1);
  if (size)
    memcpy (copy, data, size);
  current_data = copy;
  current_size = size;
  g_strlcpy (current_what, what, sizeof current_what);
  LLVMFuzzerTestOneInput (copy, size);
  current_data = NULL;
  current_size = 0;
  free (copy);
}

/* splitmix64: tiny, and the same sequence on every platform and libc. */
static guint64
next_random (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static const guint32 interesting[] = {
  0, 1, 2, 3, 4, 7, 8, 16, 32, 63, 64, 65, 127, 128, 255, 256, 257, 480, 640,
  1023, 1024, 4095, 4096, 16383, 16384, 16385, 65535, 65536,
  0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
};

/* One of libFuzzer's simpler mutations of @buf, in place. */
static void
mutate (GByteArray *buf, GPtrArray *corpus, guint64 *rng, gsize max_len)
{
  guint64 r = next_random (rng);
  gsize len = buf->len;
  gsize at = len ? (gsize) (next_random (rng) % len) : 0;

  switch (r % 9)
    {
    case 0: /* flip a bit */
      if (len)
        buf->data[at] ^= (guint8) (1u << (next_random (rng) % 8));
      break;
    case 1: /* a random byte */
      if (len)
        buf->data[at] = (guint8) next_random (rng);
      break;
    case 2: /* an interesting byte */
      if (len)
        buf->data[at] = (guint8) interesting[next_random (rng) % G_N_ELEMENTS (interesting)];
      break;
    case 3: /* an interesting 32-bit value, little-endian */
      if (len >= 4)
        {
          guint32 v = interesting[next_random (rng) % G_N_ELEMENTS (interesting)];
          at = (gsize) (next_random (rng) % (len - 3));
          for (int i = 0; i < 4; i++)
            buf->data[at + i] = (guint8) (v >> (8 * i));
        }
      break;
    case 4: /* insert a byte */
      if (len < max_len)
        {
          guint8 b = (guint8) next_random (rng);
          g_array_insert_val ((GArray *) buf, (guint) at, b);
        }
      break;
    case 5: /* delete a byte */
      if (len)
        g_byte_array_remove_index (buf, (guint) at);
      break;
    case 6: /* truncate */
      g_byte_array_set_size (buf, (guint) at);
      break;
    case 7: /* repeat a slice at the end: more ticks, more events */
      if (len)
        {
          gsize n = 1 + (gsize) (next_random (rng) % (len - at));
          n = MIN (n, max_len > len ? max_len - len : 0);
          g_autofree guint8 *slice = g_memdup2 (buf->data + at, n);
          g_byte_array_append (buf, slice, (guint) n);
        }
      break;
    default: /* splice: the tail of another corpus file */
      if (corpus->len)
        {
          GBytes *other = corpus->pdata[next_random (rng) % corpus->len];
          gsize olen;
          const guint8 *odata = g_bytes_get_data (other, &olen);
          gsize from = olen ? (gsize) (next_random (rng) % olen) : 0;
          g_byte_array_set_size (buf, (guint) at);
          gsize n = MIN (olen - from, max_len > at ? max_len - at : 0);
          g_byte_array_append (buf, odata + from, (guint) n);
        }
      break;
    }
}

static GBytes *
load (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *contents;
  gsize len;
  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      printf ("Bail out! cannot read %s: %s\n", path, error->message);
      exit (1);
    }
  return g_bytes_new_take (contents, len);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

int
main (int argc, char **argv)
{
  const char *corpus_dir = NULL;
  guint64 n_random = 20000;
  guint64 seed = 20250609;
  guint64 max_len = 1024;
  GPtrArray *files = g_ptr_array_new ();

  self_path = argv[0];
  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *val = i + 1 < argc ? argv[i + 1] : NULL;
      gboolean takes_value = TRUE;
      if (strcmp (arg, "--corpus") == 0 && val)
        corpus_dir = val;
      else if (strcmp (arg, "--random") == 0 && val)
        n_random = g_ascii_strtoull (val, NULL, 10);
      else if (strcmp (arg, "--seed") == 0 && val)
        seed = g_ascii_strtoull (val, NULL, 0);
      else if (strcmp (arg, "--max-len") == 0 && val)
        max_len = MAX (g_ascii_strtoull (val, NULL, 10), 1);
      else
        takes_value = FALSE;
      if (takes_value)
        i++;
      else if (arg[0] == '-')
        {
          fprintf (stderr, "usage: %s [--corpus DIR] [--random N] [--seed S] "
                   "[--max-len L] [FILE...]\n", argv[0]);
          return 2;
        }
      else
        g_ptr_array_add (files, (gpointer) arg);
    }

  /* Next to the executable: in the build tree, never in the sources. */
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *exe_dir = exe ? g_path_get_dirname (exe) : g_get_current_dir ();
  g_snprintf (failed_path, sizeof failed_path, "%s/fuzz-%s-failed-input", exe_dir,
              FUZZ_TARGET);
#ifdef FUZZ_HAVE_ASAN
  /* ASan reports faults itself (with a stack), then calls this; only an
   * abort (a broken contract, a GLib critical) is left to us. */
  __asan_set_death_callback (report_failure);
  int fatal[] = { SIGABRT };
#else
  int fatal[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
#endif
  for (gsize i = 0; i < G_N_ELEMENTS (fatal); i++)
    signal (fatal[i], on_fatal_signal);
  setvbuf (stdout, NULL, _IOLBF, 0);

  LLVMFuzzerInitialize (&argc, &argv);

  if (files->len > 0)
    {
      printf ("1..%u\n", files->len);
      for (guint i = 0; i < files->len; i++)
        {
          g_autoptr (GBytes) bytes = load (files->pdata[i]);
          gsize len;
          const guint8 *data = g_bytes_get_data (bytes, &len);
          run_one (data, len, files->pdata[i]);
          printf ("ok %u - %s\n", i + 1, (const char *) files->pdata[i]);
        }
      g_ptr_array_unref (files);
      return 0;
    }
  g_ptr_array_unref (files);

  printf ("1..2\n");

  /* Sorted, so that the mutation batch starts from the same files in the
   * same order on every file system. */
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) corpus = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  if (corpus_dir != NULL)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GDir) dir = g_dir_open (corpus_dir, 0, &error);
      if (dir == NULL)
        {
          printf ("Bail out! cannot list the corpus: %s\n", error->message);
          return 1;
        }
      const char *name;
      while ((name = g_dir_read_name (dir)) != NULL)
        if (name[0] != '.')
          g_ptr_array_add (names, g_build_filename (corpus_dir, name, NULL));
      g_ptr_array_sort (names, compare_names);
    }
  for (guint i = 0; i < names->len; i++)
    {
      GBytes *bytes = load (names->pdata[i]);
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);
      run_one (data, len, names->pdata[i]);
      g_ptr_array_add (corpus, bytes);
    }
  printf ("ok 1 - corpus: %u files%s%s\n", names->len, corpus_dir ? " in " : "",
          corpus_dir ? corpus_dir : "");

  guint64 rng = seed;
  gint64 start = g_get_monotonic_time ();
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  for (guint64 i = 0; i < n_random; i++)
    {
      g_byte_array_set_size (buf, 0);
      if (corpus->len == 0 || next_random (&rng) % 4 == 0)
        {
          gsize len = (gsize) (next_random (&rng) % (max_len + 1));
          g_byte_array_set_size (buf, (guint) len);
          for (gsize j = 0; j < len; j++)
            buf->data[j] = (guint8) next_random (&rng);
        }
      else
        {
          GBytes *base = corpus->pdata[next_random (&rng) % corpus->len];
          gsize len;
          const guint8 *data = g_bytes_get_data (base, &len);
          g_byte_array_append (buf, data, (guint) MIN (len, max_len));
          guint n = 1 + (guint) (next_random (&rng) % 8);
          for (guint m = 0; m < n; m++)
            mutate (buf, corpus, &rng, (gsize) max_len);
        }
      char what[128];
      g_snprintf (what, sizeof what, "pseudo-random input %" G_GUINT64_FORMAT
                  " (--seed %" G_GUINT64_FORMAT ")", i, seed);
      run_one (buf->data, buf->len, what);
    }
  printf ("ok 2 - %" G_GUINT64_FORMAT " pseudo-random inputs, seed %" G_GUINT64_FORMAT
          ", %.2f s\n", n_random, seed, (g_get_monotonic_time () - start) / 1e6);
  g_autofree char *outcomes = fuzz_counts_to_string ();
  printf ("# outcomes over both:\n%s", outcomes);
  return 0;
}
