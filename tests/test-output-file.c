/* Tests of output files: what is written where, what is never replaced,
 * and what is left (nothing) when a write fails or a signal comes; then
 * `gvt-view snapshot` failing on a bad -o before its wait, and signalled
 * while it waits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "common/gvt-error.h"
#include "common/output-file.h"
#include "testutil.h"

/* Far beyond what any step here takes: only a hung child comes near it. */
#define CHILD_DEADLINE_S 30

/* The two ways a file is written: O_TMPFILE, and the named fallback. */
static const GvtOutputFileFlags both_ways[] = {
  GVT_OUTPUT_FILE_DEFAULT,
  GVT_OUTPUT_FILE_NO_TMPFILE,
};

typedef struct {
  char *dir;
  GBytes *payload;   /* 100 KiB that no two offsets of share a byte pattern */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("gvt-output-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  gsize len = 100 * 1024;
  guint8 *bytes = g_malloc (len);
  for (gsize i = 0; i < len; i++)
    bytes[i] = (guint8) (i * 7 + (i >> 8));
  f->payload = g_bytes_new_take (bytes, len);
}

static void
remove_tree (const char *path)
{
  struct stat st;
  if (lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_chmod (path, 0700);
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      for (const char *name; dir != NULL && (name = g_dir_read_name (dir)) != NULL;)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_bytes_unref (f->payload);
}

static char *
in_dir (Fixture *f, const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The directory's entries, sorted, joined by spaces: what a test expects
 * to be there and nothing else (no temporary, whatever its name). */
static char *
list_dir (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  g_assert_nonnull (dir);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (const char *name; (name = g_dir_read_name (dir)) != NULL;)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
write_text (const char *path, const char *text, mode_t mode)
{
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static void
assert_contents (const char *path, const void *want, gsize want_len)
{
  g_autofree char *got = NULL;
  gsize got_len = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_get_contents (path, &got, &got_len, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (got, got_len, want, want_len);
}

static void
assert_text (const char *path, const char *text)
{
  assert_contents (path, text, strlen (text));
}

static void
assert_payload (Fixture *f, const char *path)
{
  gsize len;
  const void *data = g_bytes_get_data (f->payload, &len);
  assert_contents (path, data, len);
}

static gboolean
commit (GvtOutputFile *file, Fixture *f, GError **error)
{
  gsize len;
  const void *data = g_bytes_get_data (f->payload, &len);
  return gvt_output_file_commit (file, data, len, error);
}

/* new() and commit() of the payload to @path, both succeeding. */
static void
write_ok (Fixture *f, const char *path, GvtOutputFileFlags flags)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtOutputFile) file = gvt_output_file_new (path, flags, &error);
  g_assert_no_error (error);
  g_assert_true (commit (file, f, &error));
  g_assert_no_error (error);
}

static void
assert_symlink (const char *path, const char *target)
{
  struct stat st;
  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  g_autofree char *got = g_file_read_link (path, NULL);
  g_assert_cmpstr (got, ==, target);
}

/* --- regular files --- */

static void
test_new_file (Fixture *f, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (both_ways); i++)
    {
      g_autofree char *path = in_dir (f, "new.png");
      /* 0666 & ~umask, as any program's new file. */
      mode_t old_umask = umask (027);
      write_ok (f, path, both_ways[i]);
      umask (old_umask);

      struct stat st;
      g_assert_cmpint (stat (path, &st), ==, 0);
      g_assert_true (S_ISREG (st.st_mode));
      g_assert_cmpint (st.st_mode & 07777, ==, 0640);
      assert_payload (f, path);
      g_autofree char *names = list_dir (f->dir);
      g_assert_cmpstr (names, ==, "new.png");
      g_unlink (path);
    }
}

static void
test_replace_keeps_mode (Fixture *f, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (both_ways); i++)
    {
      g_autofree char *path = in_dir (f, "shot.png");
      write_text (path, "old", 0604);
      struct stat before, after;
      g_assert_cmpint (stat (path, &before), ==, 0);

      mode_t old_umask = umask (077);
      write_ok (f, path, both_ways[i]);
      umask (old_umask);

      g_assert_cmpint (stat (path, &after), ==, 0);
      g_assert_cmpint (after.st_mode & 07777, ==, 0604);
      g_assert_cmpint (after.st_uid, ==, before.st_uid);
      g_assert_cmpint (after.st_gid, ==, before.st_gid);
      /* Replaced whole (a new inode), not rewritten in place. */
      g_assert_cmpuint (after.st_ino, !=, before.st_ino);
      assert_payload (f, path);
      g_autofree char *names = list_dir (f->dir);
      g_assert_cmpstr (names, ==, "shot.png");
      g_unlink (path);
    }
}

/* A symlink given as the output stays a symlink; its target gets the
 * bytes: absolute, relative to the link's own directory, a chain, and a
 * dangling one (its target is created). */
static void
test_symlink_followed (Fixture *f, gconstpointer data)
{
  g_autofree char *sub = in_dir (f, "sub");
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  g_autofree char *real = g_build_filename (sub, "real.png", NULL);
  g_autofree char *abs_link = in_dir (f, "abs.png");
  g_autofree char *rel_link = in_dir (f, "rel.png");
  g_autofree char *chain = in_dir (f, "chain.png");
  g_autofree char *dangling = in_dir (f, "dangling.png");
  g_autofree char *born = g_build_filename (sub, "born.png", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (both_ways); i++)
    {
      write_text (real, "old", 0644);
      g_assert_cmpint (symlink (real, abs_link), ==, 0);
      g_assert_cmpint (symlink ("sub/real.png", rel_link), ==, 0);
      g_assert_cmpint (symlink ("rel.png", chain), ==, 0);
      g_assert_cmpint (symlink ("sub/born.png", dangling), ==, 0);

      const char *links[] = { abs_link, rel_link, chain };
      for (gsize j = 0; j < G_N_ELEMENTS (links); j++)
        {
          write_text (real, "old", 0644);
          write_ok (f, links[j], both_ways[i]);
          assert_payload (f, real);
        }
      assert_symlink (abs_link, real);
      assert_symlink (rel_link, "sub/real.png");
      assert_symlink (chain, "rel.png");

      write_ok (f, dangling, both_ways[i]);
      assert_symlink (dangling, "sub/born.png");
      assert_payload (f, born);

      g_autofree char *top = list_dir (f->dir);
      g_assert_cmpstr (top, ==, "abs.png chain.png dangling.png rel.png sub");
      g_autofree char *inside = list_dir (sub);
      g_assert_cmpstr (inside, ==, "born.png real.png");
      for (const char *const *p = (const char *const[]) { abs_link, rel_link, chain, dangling,
                                                          born, NULL }; *p; p++)
        g_unlink (*p);
    }
}

/* Names an attacker could guess and plant, the old FILE.tmp-PID first:
 * none is opened, followed or removed. */
static void
test_planted_names (Fixture *f, gconstpointer data)
{
  g_autofree char *victim = in_dir (f, "victim");
  g_autofree char *path = in_dir (f, "out.png");
  g_autofree char *pid_name = g_strdup_printf ("out.png.tmp-%d", (int) getpid ());
  const char *planted[] = { pid_name, "out.png.tmp", ".out.png.tmp", "out.png~", ".out.png" };

  write_text (victim, "precious", 0644);
  for (gsize j = 0; j < G_N_ELEMENTS (planted); j++)
    {
      g_autofree char *p = in_dir (f, planted[j]);
      g_assert_cmpint (symlink (victim, p), ==, 0);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (both_ways); i++)
    {
      write_ok (f, path, both_ways[i]);
      write_ok (f, path, both_ways[i]);
      assert_payload (f, path);
      assert_text (victim, "precious");
      for (gsize j = 0; j < G_N_ELEMENTS (planted); j++)
        {
          g_autofree char *p = in_dir (f, planted[j]);
          assert_symlink (p, victim);
        }
    }
  g_autofree char *names = list_dir (f->dir);
  g_autofree char *want = g_strdup_printf (".out.png .out.png.tmp out.png out.png.tmp "
                                           "%s out.png~ victim", pid_name);
  g_assert_cmpstr (names, ==, want);
}

/* new() and free(), no commit: as if nothing had happened. */
static void
test_discarded (Fixture *f, gconstpointer data)
{
  g_autofree char *fresh = in_dir (f, "fresh.png");
  g_autofree char *old = in_dir (f, "old.png");
  write_text (old, "old", 0644);

  for (gsize i = 0; i < G_N_ELEMENTS (both_ways); i++)
    {
      g_autoptr (GError) error = NULL;
      GvtOutputFile *a = gvt_output_file_new (fresh, both_ways[i], &error);
      g_assert_no_error (error);
      GvtOutputFile *b = gvt_output_file_new (old, both_ways[i], &error);
      g_assert_no_error (error);
      g_assert_false (gvt_output_file_is_stdout (a));
      g_assert_false (gvt_output_file_may_block (a));
      gvt_output_file_free (a);
      gvt_output_file_free (b);
    }
  gvt_output_file_free (NULL);
  assert_text (old, "old");
  g_autofree char *names = list_dir (f->dir);
  g_assert_cmpstr (names, ==, "old.png");
}

/* A write that really fails half-way (RLIMIT_FSIZE: EFBIG at 4 KiB of
 * 100): the old file whole, no temporary. */
static void
test_failed_write (Fixture *f, gconstpointer data)
{
  g_autofree char *fresh = in_dir (f, "fresh.png");
  g_autofree char *old = in_dir (f, "old.png");
  write_text (old, "old", 0644);

  for (gsize i = 0; i < G_N_ELEMENTS (both_ways); i++)
    for (const char *const *p = (const char *const[]) { fresh, old, NULL }; *p; p++)
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (GvtOutputFile) file = gvt_output_file_new (*p, both_ways[i], &error);
        g_assert_no_error (error);

        struct rlimit saved, small = { .rlim_cur = 4096 };
        g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
        small.rlim_max = saved.rlim_max;
        void (*saved_xfsz) (int) = signal (SIGXFSZ, SIG_IGN);
        g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
        gboolean ok = commit (file, f, &error);
        g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
        signal (SIGXFSZ, saved_xfsz);

        g_assert_false (ok);
        g_assert_error (error, GVT_ERROR, GVT_ERROR_FAILED);
        g_autofree char *want = g_strdup_printf ("cannot write %s: %s", *p, g_strerror (EFBIG));
        g_assert_cmpstr (error->message, ==, want);
        g_assert_cmpint (gvt_output_file_get_interrupt (file), ==, 0);
        assert_text (old, "old");
        g_autofree char *names = list_dir (f->dir);
        g_assert_cmpstr (names, ==, "old.png");
      }
}

/* SIGTERM during the write (here: pending before it, which the commit
 * can't tell apart from one that came mid-way, as it holds both back):
 * the temporary goes, the target stays as it was, the signal waits. */
static void
test_interrupted (Fixture *f, gconstpointer data)
{
  g_autofree char *fresh = in_dir (f, "fresh.png");
  g_autofree char *old = in_dir (f, "old.png");
  write_text (old, "old", 0644);

  for (gsize i = 0; i < G_N_ELEMENTS (both_ways); i++)
    for (const char *const *p = (const char *const[]) { fresh, old, NULL }; *p; p++)
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (GvtOutputFile) file = gvt_output_file_new (*p, both_ways[i], &error);
        g_assert_no_error (error);

        sigset_t term, saved;
        sigemptyset (&term);
        sigaddset (&term, SIGTERM);
        g_assert_cmpint (pthread_sigmask (SIG_BLOCK, &term, &saved), ==, 0);
        g_assert_cmpint (raise (SIGTERM), ==, 0);
        gboolean ok = commit (file, f, &error);
        /* Still pending: the commit left the caller's mask as it was. */
        struct timespec now = { 0 };
        g_assert_cmpint (sigtimedwait (&term, NULL, &now), ==, SIGTERM);
        g_assert_cmpint (pthread_sigmask (SIG_SETMASK, &saved, NULL), ==, 0);

        g_assert_false (ok);
        g_autofree char *want = g_strdup_printf ("cannot write %s: interrupted", *p);
        g_assert_cmpstr (error->message, ==, want);
        g_assert_cmpint (gvt_output_file_get_interrupt (file), ==, SIGTERM);
        assert_text (old, "old");
        g_autofree char *names = list_dir (f->dir);
        g_assert_cmpstr (names, ==, "old.png");
      }
}

/* --- what is not a regular file --- */

static void
assert_char_device (const char *path, const struct stat *before)
{
  struct stat st;
  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode));
  g_assert_cmpuint (st.st_rdev, ==, before->st_rdev);
  g_assert_cmpuint (st.st_ino, ==, before->st_ino);
}

/* /dev/null is written to, not replaced (as root the old code turned it
 * into a PNG file; as anyone else it failed to create /dev/null.tmp-PID),
 * also through a symlink. */
static void
test_dev_null (Fixture *f, gconstpointer data)
{
  struct stat before;
  g_assert_cmpint (stat ("/dev/null", &before), ==, 0);
  g_autofree char *link = in_dir (f, "null.png");
  g_assert_cmpint (symlink ("/dev/null", link), ==, 0);

  for (const char *const *p = (const char *const[]) { "/dev/null", link, NULL }; *p; p++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GvtOutputFile) file = gvt_output_file_new (*p, GVT_OUTPUT_FILE_DEFAULT, &error);
      g_assert_no_error (error);
      g_assert_true (gvt_output_file_may_block (file));
      g_assert_true (commit (file, f, &error));
      g_assert_no_error (error);
      assert_char_device ("/dev/null", &before);
    }
  assert_symlink (link, "/dev/null");
  g_autofree char *names = list_dir (f->dir);
  g_assert_cmpstr (names, ==, "null.png");
}

/* A device whose writes fail: the reason, the device untouched. */
static void
test_dev_full (Fixture *f, gconstpointer data)
{
  struct stat before;
  /* Every Linux system has it (a device that is always full): the real
   * failing write this test is about. */
  g_assert_cmpint (stat ("/dev/full", &before), ==, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtOutputFile) file = gvt_output_file_new ("/dev/full", GVT_OUTPUT_FILE_DEFAULT,
                                                        &error);
  g_assert_no_error (error);
  g_assert_false (commit (file, f, &error));
  g_autofree char *want = g_strdup_printf ("cannot write /dev/full: %s", g_strerror (ENOSPC));
  g_assert_cmpstr (error->message, ==, want);
  assert_char_device ("/dev/full", &before);
}

typedef struct {
  int fd;
  GByteArray *got;
} FifoReader;

/* Everything until the writer closes, or until nothing comes for
 * CHILD_DEADLINE_S (a writer that never shows up). */
static gpointer
read_fifo (gpointer data)
{
  FifoReader *r = data;
  for (;;)
    {
      struct pollfd p = { .fd = r->fd, .events = POLLIN };
      int n = poll (&p, 1, CHILD_DEADLINE_S * 1000);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      guint8 buf[8192];
      ssize_t len = read (r->fd, buf, sizeof buf);
      if (len < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (len <= 0)
        break;
      g_byte_array_append (r->got, buf, (guint) len);
    }
  return NULL;
}

/* A FIFO gets the bytes and stays a FIFO; new() does not open it (that
 * would wait for a reader: here there is none yet). */
static void
test_fifo (Fixture *f, gconstpointer data)
{
  g_autofree char *path = in_dir (f, "pipe.png");
  g_assert_cmpint (mkfifo (path, 0644), ==, 0);

  g_autoptr (GError) error = NULL;
  g_autoptr (GvtOutputFile) file = gvt_output_file_new (path, GVT_OUTPUT_FILE_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (gvt_output_file_may_block (file));

  /* Open for reading first (without blocking), so that a writer that
   * never comes makes the reader give up rather than hang. */
  FifoReader r = { .fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC),
                   .got = g_byte_array_new () };
  g_assert_cmpint (r.fd, >=, 0);
  GThread *reader = g_thread_new ("fifo-reader", read_fifo, &r);
  gboolean ok = commit (file, f, &error);
  g_thread_join (reader);
  close (r.fd);
  g_assert_no_error (error);
  g_assert_true (ok);

  gsize len;
  const void *want = g_bytes_get_data (f->payload, &len);
  g_assert_cmpmem (r.got->data, r.got->len, want, len);
  g_byte_array_unref (r.got);
  struct stat st;
  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));
  g_autofree char *names = list_dir (f->dir);
  g_assert_cmpstr (names, ==, "pipe.png");
}

/* "-" is stdout: fd 1, pointed at a file for the test. */
static void
test_stdout (Fixture *f, gconstpointer data)
{
  g_autofree char *path = in_dir (f, "stdout");
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  fflush (stdout);
  int saved = dup (STDOUT_FILENO);
  g_assert_cmpint (dup2 (fd, STDOUT_FILENO), ==, STDOUT_FILENO);

  g_autoptr (GError) error = NULL;
  g_autoptr (GvtOutputFile) file = gvt_output_file_new ("-", GVT_OUTPUT_FILE_DEFAULT, &error);
  gboolean ok = file != NULL && commit (file, f, &error);

  g_assert_cmpint (dup2 (saved, STDOUT_FILENO), ==, STDOUT_FILENO);
  close (saved);
  close (fd);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (gvt_output_file_is_stdout (file));
  g_assert_true (gvt_output_file_may_block (file));
  assert_payload (f, path);
  g_autofree char *names = list_dir (f->dir);
  g_assert_cmpstr (names, ==, "stdout");
}

/* --- refused at once, with the reason --- */

typedef struct {
  const char *name;
  const char *path;      /* DIR: the fixture's directory */
  const char *message;   /* PATH: the path as given */
} Refusal;

static const Refusal refusals[] = {
  { "dot", ".", "cannot write .: is a directory (name a file in it, e.g. ./snapshot.png)" },
  { "dir", "DIR", "cannot write PATH: is a directory (name a file in it, e.g. PATH/snapshot.png)" },
  { "dir-slash", "DIR/", "cannot write PATH: is a directory (name a file in it, e.g. PATHsnapshot.png)" },
  { "no-dir", "/nonexistent/dir/x.png",
    "cannot write /nonexistent/dir/x.png: the directory /nonexistent/dir does not exist" },
  { "new-with-slash", "DIR/new/", "cannot write PATH: names a directory (it ends in /), not a file" },
  { "under-a-file", "DIR/file/x.png", "cannot write PATH: Not a directory" },
  { "empty", "", "cannot write '': an empty file name" },
  { "loop", "DIR/loop", "cannot write PATH: Too many levels of symbolic links" },
};

static char *
substitute (const char *text, const char *token, const char *value)
{
  GString *s = g_string_new (text);
  g_string_replace (s, token, value, 0);
  return g_string_free (s, FALSE);
}

static void
test_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *file_path = in_dir (f, "file");
  g_autofree char *loop = in_dir (f, "loop");
  write_text (file_path, "a file", 0644);
  g_assert_cmpint (symlink ("loop", loop), ==, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      const Refusal *r = &refusals[i];
      g_autofree char *path = substitute (r->path, "DIR", f->dir);
      g_autofree char *want = substitute (r->message, "PATH", path);
      g_autoptr (GError) error = NULL;
      g_test_message ("%s: %s", r->name, path);
      g_autoptr (GvtOutputFile) file = gvt_output_file_new (path, GVT_OUTPUT_FILE_DEFAULT,
                                                            &error);
      g_assert_null (file);
      g_assert_error (error, GVT_ERROR, GVT_ERROR_FAILED);
      g_assert_cmpstr (error->message, ==, want);
    }
  assert_text (file_path, "a file");
  g_autofree char *names = list_dir (f->dir);
  g_assert_cmpstr (names, ==, "file loop");
}

/* --- the command: a bad -o before the wait, a signal during it --- */

typedef struct {
  GPid pid;
  int err_fd;
  GString *err;
  int wait_status;
} Child;

static void
child_spawn (Child *c, const char *const *args)
{
  g_autoptr (GPtrArray) argv = gvt_test_view_argv (args);
  g_autoptr (GError) error = NULL;
  *c = (Child) { .err_fd = -1, .err = g_string_new (NULL) };
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv->pdata, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                           NULL, NULL, &c->pid, NULL, NULL, &c->err_fd, &error));
  g_assert_no_error (error);
}

/* stderr to its end and the exit; the child killed if it takes longer
 * than CHILD_DEADLINE_S (then the test fails on its status). */
static void
child_finish (Child *c)
{
  gint64 deadline = g_get_monotonic_time () + CHILD_DEADLINE_S * G_USEC_PER_SEC;
  for (;;)
    {
      struct pollfd p = { .fd = c->err_fd, .events = POLLIN };
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      if (left_ms <= 0)
        {
          g_test_message ("child still running after %d s: killed", CHILD_DEADLINE_S);
          kill (c->pid, SIGKILL);
          break;
        }
      int n = poll (&p, 1, (int) left_ms);
      if (n < 0 && errno == EINTR)
        continue;
      char buf[4096];
      ssize_t len = n > 0 ? read (c->err_fd, buf, sizeof buf) : 0;
      if (len < 0 && errno == EINTR)
        continue;
      if (len <= 0 && n > 0)
        break;
      if (len > 0)
        g_string_append_len (c->err, buf, len);
    }
  close (c->err_fd);
  g_assert_cmpint (waitpid (c->pid, &c->wait_status, 0), ==, c->pid);
  g_spawn_close_pid (c->pid);
  g_test_message ("stderr: %s", c->err->str);
}

static void
child_clear (Child *c)
{
  g_string_free (c->err, TRUE);
}

/* TRUE once @pid catches @signum (its handler is in place). */
static gboolean
catches (GPid pid, int signum)
{
  g_autofree char *status_path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  if (!g_file_get_contents (status_path, &text, NULL, NULL))
    return FALSE;
  const char *line = strstr (text, "\nSigCgt:");
  if (line == NULL)
    return FALSE;
  guint64 mask = g_ascii_strtoull (line + strlen ("\nSigCgt:"), NULL, 16);
  return (mask >> (signum - 1)) & 1;
}

/* With --wait 30 on a device that never shows a drawable plane, a bad -o
 * fails with its own reason, not after the wait with "no picture". */
static void
test_cmd_fails_before_wait (Fixture *f, gconstpointer data)
{
  const struct { const char *path, *needle; } cases[] = {
    { ".", "cannot write .: is a directory" },
    { f->dir, "is a directory" },
    { "/nonexistent/dir/x.png", "cannot write /nonexistent/dir/x.png: the directory /nonexistent/dir does not exist" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Child c;
      child_spawn (&c, (const char *const[]) { "snapshot", "sim:64x32:YUYV", "--wait", "30",
                                               "-o", cases[i].path, NULL });
      child_finish (&c);
      g_assert_true (WIFEXITED (c.wait_status));
      g_assert_cmpint (WEXITSTATUS (c.wait_status), ==, 1);
      g_assert_nonnull (strstr (c.err->str, cases[i].needle));
      g_assert_null (strstr (c.err->str, "no picture"));
      child_clear (&c);
    }
  g_autofree char *names = list_dir (f->dir);
  g_assert_cmpstr (names, ==, "");
}

/* SIGINT or SIGTERM while `snapshot --wait 30` waits for a frame that
 * never comes: a message, status 130 or 143, no file of any name. */
static void
test_cmd_signal_while_waiting (Fixture *f, gconstpointer data)
{
  const int signals[] = { SIGINT, SIGTERM };
  g_autofree char *path = in_dir (f, "never.png");

  for (gsize i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      Child c;
      child_spawn (&c, (const char *const[]) { "snapshot", "sim:64x32:YUYV", "--wait", "30",
                                               "-o", path, NULL });
      /* The handler is installed before the device is opened; a signal
       * from then on stops the wait. Wait no longer than the deadline
       * for it (an old binary never installs one: it dies of the signal,
       * and the test fails below rather than hangs). */
      gint64 deadline = g_get_monotonic_time () + CHILD_DEADLINE_S * G_USEC_PER_SEC;
      while (!catches (c.pid, signals[i]) && g_get_monotonic_time () < deadline)
        g_usleep (10 * 1000);
      g_assert_cmpint (kill (c.pid, signals[i]), ==, 0);
      child_finish (&c);
      if (!WIFEXITED (c.wait_status))
        g_error ("snapshot died of signal %d instead of ending", WTERMSIG (c.wait_status));
      g_assert_cmpint (WEXITSTATUS (c.wait_status), ==, 128 + signals[i]);
      g_assert_nonnull (strstr (c.err->str, "interrupted while waiting for a frame"));
      g_autofree char *names = list_dir (f->dir);
      g_assert_cmpstr (names, ==, "");
      child_clear (&c);
    }
}

static void
add (const char *path, void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  add ("/output-file/file/new", test_new_file);
  add ("/output-file/file/replace-keeps-mode", test_replace_keeps_mode);
  add ("/output-file/file/symlink-followed", test_symlink_followed);
  add ("/output-file/file/planted-names-untouched", test_planted_names);
  add ("/output-file/file/discarded-without-commit", test_discarded);
  add ("/output-file/file/failed-write-leaves-nothing", test_failed_write);
  add ("/output-file/file/interrupted-leaves-nothing", test_interrupted);
  add ("/output-file/device/dev-null", test_dev_null);
  add ("/output-file/device/dev-full", test_dev_full);
  add ("/output-file/stream/fifo", test_fifo);
  add ("/output-file/stream/stdout", test_stdout);
  add ("/output-file/refused", test_refused);
  add ("/output-file/cmd/fails-before-wait", test_cmd_fails_before_wait);
  add ("/output-file/cmd/signal-while-waiting", test_cmd_signal_while_waiting);
  return g_test_run ();
}
