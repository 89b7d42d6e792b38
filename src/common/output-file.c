/* Output files written in place when they are streams or devices, and
 * through an exclusive temporary in the target's directory when they are
 * files: a reader never sees half a file, and nothing is replaced that
 * should have been written to. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output-file.h"
#include "gvt-error.h"

/* ELOOP's limit in the kernel. */
#define MAX_SYMLINKS 40
/* Room for ".", the random part and the kernel's NAME_MAX of 255. */
#define MAX_BASE_BYTES 200
#define TEMP_TRIES 100

typedef enum {
  KIND_STDOUT,   /* fd: the real stdout, fd 1 pointed at stderr meanwhile */
  KIND_DEVICE,   /* character or block device: fd opened by _new */
  KIND_FIFO,     /* opened by _commit: opening waits for a reader */
  KIND_REGULAR,  /* a temporary renamed over target */
} Kind;

struct _GvtOutputFile {
  char *path;           /* as given: for messages */
  Kind kind;
  char *target;         /* REGULAR: the file to create or replace, symlinks resolved */
  char *dir;            /* REGULAR: target's directory */
  char *base;           /* REGULAR: target's name in it */
  int fd;               /* STDOUT: fd 1's copy; DEVICE: the device;
                         * REGULAR: the O_TMPFILE, or -1 */
  gboolean stdout_moved; /* STDOUT: fd 1 is stderr until restore_stdout() */
  gboolean replace;     /* REGULAR: target exists; old is its stat */
  struct stat old;
  gboolean committed;
  gboolean is_stdout;   /* "-", or the same file as fd 1 (/dev/stdout) */
  int interrupt;        /* the signal that stopped the commit, or 0 */
};

/* fd 1 back where it was; what was printed meanwhile goes out first, to
 * stderr. */
static void
restore_stdout (GvtOutputFile *self)
{
  if (!self->stdout_moved)
    return;
  fflush (stdout);
  dup2 (self->fd, STDOUT_FILENO);
  self->stdout_moved = FALSE;
}

void
gvt_output_file_free (GvtOutputFile *self)
{
  if (self == NULL)
    return;
  restore_stdout (self);
  /* An O_TMPFILE that was never linked vanishes with its fd. */
  if (self->fd >= 0)
    close (self->fd);
  g_free (self->path);
  g_free (self->target);
  g_free (self->dir);
  g_free (self->base);
  g_free (self);
}

gboolean
gvt_output_file_is_stdout (GvtOutputFile *self)
{
  return self->is_stdout;
}

static gboolean
same_as_stdout (const struct stat *st)
{
  struct stat out;
  return fstat (STDOUT_FILENO, &out) == 0 && out.st_dev == st->st_dev
         && out.st_ino == st->st_ino;
}

gboolean
gvt_output_file_may_block (GvtOutputFile *self)
{
  return self->kind != KIND_REGULAR;
}

int
gvt_output_file_get_interrupt (GvtOutputFile *self)
{
  return self->interrupt;
}

static gboolean
fail (GError **error, const char *path, const char *reason)
{
  g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED, "cannot write %s: %s", path, reason);
  return FALSE;
}

static gboolean
fail_errno (GError **error, const char *path, int err)
{
  return fail (error, path, err == EINTR ? "interrupted" : g_strerror (err));
}

/* @path with its last component's symlinks followed (a dangling link to
 * the name it points at): the name to create or replace. Directories on
 * the way are left to the kernel. */
static char *
resolve_symlinks (const char *path, GError **error)
{
  g_autofree char *cur = g_strdup (path);

  for (int i = 0; i < MAX_SYMLINKS; i++)
    {
      struct stat st;
      if (lstat (cur, &st) != 0 || !S_ISLNK (st.st_mode))
        return g_steal_pointer (&cur);
      g_autoptr (GError) link_error = NULL;
      g_autofree char *link = g_file_read_link (cur, &link_error);
      if (link == NULL)
        {
          fail (error, path, link_error->message);
          return NULL;
        }
      if (g_path_is_absolute (link))
        {
          g_free (cur);
          cur = g_steal_pointer (&link);
        }
      else
        {
          g_autofree char *dir = g_path_get_dirname (cur);
          g_free (cur);
          cur = g_build_filename (dir, link, NULL);
        }
    }
  fail_errno (error, path, ELOOP);
  return NULL;
}

/* 72 unpredictable bits as 12 filename characters. */
static void
random_name (char out[13])
{
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  guint8 raw[12];

  if (getrandom (raw, sizeof raw, 0) != (ssize_t) sizeof raw)
    for (gsize i = 0; i < sizeof raw; i++)
      raw[i] = (guint8) g_random_int ();
  for (gsize i = 0; i < sizeof raw; i++)
    out[i] = alphabet[raw[i] & 63];
  out[12] = '\0';
}

/* DIR/.BASE.RANDOM: hidden, says whose it is, never guessable. */
static char *
temp_name (GvtOutputFile *self)
{
  char suffix[13];
  random_name (suffix);
  return g_strdup_printf ("%s/.%.*s.%s", self->dir, MAX_BASE_BYTES, self->base, suffix);
}

/* O_TMPFILE in @self->dir, or -1 (with errno) when there is none. */
static int
open_tmpfile (GvtOutputFile *self)
{
  /* Linking it in later goes through /proc/self/fd. */
  if (access ("/proc/self/fd", X_OK) != 0)
    {
      errno = EOPNOTSUPP;
      return -1;
    }
  return open (self->dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
}

static gboolean
prepare_regular (GvtOutputFile *self, GvtOutputFileFlags flags, GError **error)
{
  struct stat st;

  self->kind = KIND_REGULAR;
  self->fd = -1;
  self->target = resolve_symlinks (self->path, error);
  if (self->target == NULL)
    return FALSE;
  self->dir = g_path_get_dirname (self->target);
  self->base = g_path_get_basename (self->target);

  if (lstat (self->target, &st) == 0)
    {
      if (!S_ISREG (st.st_mode))
        return fail (error, self->path, "changed while gvt-view looked at it");
      /* A file we may not write is not ours to replace either. */
      if (access (self->target, W_OK) != 0)
        return fail_errno (error, self->path, errno);
      self->replace = TRUE;
      self->old = st;
    }
  else if (errno != ENOENT)
    return fail_errno (error, self->path, errno);

  if (stat (self->dir, &st) != 0)
    {
      g_autofree char *reason = errno == ENOENT
        ? g_strdup_printf ("the directory %s does not exist", self->dir)
        : g_strdup_printf ("%s: %s", self->dir, g_strerror (errno));
      return fail (error, self->path, reason);
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_autofree char *reason = g_strdup_printf ("%s is not a directory", self->dir);
      return fail (error, self->path, reason);
    }

  /* The real test of "can be written": the file that will become the
   * target, created now (nameless) so that no wait comes first. */
  if (!(flags & GVT_OUTPUT_FILE_NO_TMPFILE))
    {
      self->fd = open_tmpfile (self);
      if (self->fd >= 0)
        return TRUE;
      if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        {
          g_autofree char *reason = g_strdup_printf ("cannot create a file in %s: %s",
                                                     self->dir, g_strerror (errno));
          return fail (error, self->path, reason);
        }
      g_debug ("%s: no O_TMPFILE here, a named temporary instead", self->dir);
    }
  if (access (self->dir, W_OK | X_OK) != 0)
    {
      g_autofree char *reason = g_strdup_printf ("cannot create a file in %s: %s",
                                                 self->dir, g_strerror (errno));
      return fail (error, self->path, reason);
    }
  return TRUE;
}

GvtOutputFile *
gvt_output_file_new (const char *path, GvtOutputFileFlags flags, GError **error)
{
  g_autoptr (GvtOutputFile) self = g_new0 (GvtOutputFile, 1);
  struct stat st;

  self->path = g_strdup (path);
  self->fd = -1;
  if (strcmp (path, "-") == 0)
    {
      int fl = fcntl (STDOUT_FILENO, F_GETFL);
      if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
        {
          fail (error, "standard output", fl < 0 ? g_strerror (errno) : "open read-only");
          return NULL;
        }
      /* The stream is the PNG's alone: GLib's default log writer prints
       * debug messages on stdout, a driver might print anything. */
      fflush (stdout);
      self->kind = KIND_STDOUT;
      self->is_stdout = TRUE;
      self->fd = fcntl (STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
      if (self->fd < 0)
        {
          fail (error, "standard output", g_strerror (errno));
          return NULL;
        }
      self->stdout_moved = dup2 (STDERR_FILENO, STDOUT_FILENO) == STDOUT_FILENO;
      return g_steal_pointer (&self);
    }
  if (*path == '\0')
    {
      fail (error, "''", "an empty file name");
      return NULL;
    }

  if (stat (path, &st) != 0)
    {
      if (errno != ENOENT)
        {
          fail_errno (error, path, errno);
          return NULL;
        }
      if (g_str_has_suffix (path, "/"))
        {
          fail (error, path, "names a directory (it ends in /), not a file");
          return NULL;
        }
      /* A new name, or a dangling symlink to one. */
      return prepare_regular (self, flags, error) ? g_steal_pointer (&self) : NULL;
    }

  self->is_stdout = same_as_stdout (&st);
  if (S_ISDIR (st.st_mode))
    {
      g_autofree char *reason = g_strdup_printf ("is a directory (name a file in it, e.g. "
                                                 "%s%ssnapshot.png)", path,
                                                 g_str_has_suffix (path, "/") ? "" : "/");
      fail (error, path, reason);
      return NULL;
    }
  if (S_ISREG (st.st_mode))
    return prepare_regular (self, flags, error) ? g_steal_pointer (&self) : NULL;
  if (S_ISFIFO (st.st_mode))
    {
      if (access (path, W_OK) != 0)
        {
          fail_errno (error, path, errno);
          return NULL;
        }
      self->kind = KIND_FIFO;
      return g_steal_pointer (&self);
    }
  if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
    {
      self->fd = open (path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
      if (self->fd < 0)
        {
          fail_errno (error, path, errno);
          return NULL;
        }
      self->kind = KIND_DEVICE;
      return g_steal_pointer (&self);
    }
  fail (error, path, S_ISSOCK (st.st_mode) ? "is a socket" : "is not a file gvt-view can write");
  return NULL;
}

/* 0, or the errno of the write that failed (EINTR included). */
static int
write_all (int fd, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, MIN (len, (gsize) G_MAXSSIZE));
      if (n < 0)
        return errno;
      data += n;
      len -= (gsize) n;
    }
  return 0;
}

/* The target's permission bits, owner and group where we may set them:
 * replacing a file should not change who can read it. */
static void
keep_mode (int fd, const struct stat *old)
{
  if ((old->st_uid != geteuid () || old->st_gid != getegid ())
      && fchown (fd, old->st_uid, old->st_gid) != 0
      && fchown (fd, (uid_t) -1, old->st_gid) != 0)
    g_debug ("cannot keep the owner of the replaced file: %s", g_strerror (errno));
  if (fchmod (fd, old->st_mode & 0777) != 0)
    g_debug ("cannot keep the mode of the replaced file: %s", g_strerror (errno));
}

/* SIGINT or SIGTERM, held back by the commit's mask, or 0. */
static int
interrupt_pending (void)
{
  sigset_t pending;
  sigemptyset (&pending);
  if (sigpending (&pending) != 0)
    return 0;
  return sigismember (&pending, SIGINT) == 1 ? SIGINT
         : sigismember (&pending, SIGTERM) == 1 ? SIGTERM : 0;
}

/* A named temporary (the fallback), or the O_TMPFILE given a random name:
 * rename(2) then puts it over the target in one step. */
static int
create_named_temp (GvtOutputFile *self, char **name)
{
  for (int i = 0; i < TEMP_TRIES; i++)
    {
      g_autofree char *cand = temp_name (self);
      int fd = open (cand, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
      if (fd >= 0)
        {
          *name = g_steal_pointer (&cand);
          return fd;
        }
      if (errno != EEXIST)
        return -1;
    }
  errno = EEXIST;
  return -1;
}

static gboolean
link_tmpfile (GvtOutputFile *self, int fd, char **name)
{
  char proc[64];
  g_snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  for (int i = 0; i < TEMP_TRIES; i++)
    {
      g_autofree char *cand = temp_name (self);
      if (linkat (AT_FDCWD, proc, AT_FDCWD, cand, AT_SYMLINK_FOLLOW) == 0)
        {
          *name = g_steal_pointer (&cand);
          return TRUE;
        }
      if (errno != EEXIST)
        return FALSE;
    }
  errno = EEXIST;
  return FALSE;
}

static gboolean
commit_regular (GvtOutputFile *self, const guint8 *data, gsize len, GError **error)
{
  g_autofree char *name = NULL;
  int fd = self->fd;
  int err = 0;

  self->fd = -1;
  if (fd < 0 && (fd = create_named_temp (self, &name)) < 0)
    {
      g_autofree char *reason = g_strdup_printf ("cannot create a file in %s: %s", self->dir,
                                                 g_strerror (errno));
      return fail (error, self->path, reason);
    }
  if (self->replace)
    keep_mode (fd, &self->old);
  if ((err = write_all (fd, data, len)) != 0)
    ;
  else if (fsync (fd) != 0 && errno != EINVAL && errno != ENOSYS)
    err = errno;
  else if ((self->interrupt = interrupt_pending ()) != 0)
    err = EINTR;
  else if (name == NULL && !link_tmpfile (self, fd, &name))
    err = errno;
  if (close (fd) != 0 && err == 0)
    err = errno;
  if (err == 0 && rename (name, self->target) != 0)
    err = errno;
  if (err != 0)
    {
      if (name != NULL)
        unlink (name);
      return fail_errno (error, self->path, err);
    }
  return TRUE;
}

gboolean
gvt_output_file_commit (GvtOutputFile *self, const void *data, gsize len, GError **error)
{
  int err = 0;

  g_return_val_if_fail (!self->committed, FALSE);
  self->committed = TRUE;
  switch (self->kind)
    {
    case KIND_STDOUT:
      restore_stdout (self);
      err = write_all (self->fd, data, len);
      break;
    case KIND_DEVICE:
      err = write_all (self->fd, data, len);
      if (close (self->fd) != 0 && err == 0)
        err = errno;
      self->fd = -1;
      break;
    case KIND_FIFO:
      {
        int fd = open (self->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
          return fail_errno (error, self->path, errno);
        err = write_all (fd, data, len);
        if (close (fd) != 0 && err == 0)
          err = errno;
        break;
      }
    case KIND_REGULAR:
      {
        /* Between the temporary's creation and the rename a signal would
         * leave it behind (a named one) or a half-done job: hold SIGINT and
         * SIGTERM back until the target is complete or untouched. */
        sigset_t block, old;
        sigemptyset (&block);
        sigaddset (&block, SIGINT);
        sigaddset (&block, SIGTERM);
        pthread_sigmask (SIG_BLOCK, &block, &old);
        gboolean ok = commit_regular (self, data, len, error);
        pthread_sigmask (SIG_SETMASK, &old, NULL);
        return ok;
      }
    }
  if (err != 0)
    return fail_errno (error, self->kind == KIND_STDOUT ? "standard output" : self->path, err);
  return TRUE;
}
