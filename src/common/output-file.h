/* Where a command's output file goes, written without replacing what it
 * should write to and without leaving a half-written or temporary file. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GvtOutputFile GvtOutputFile;

typedef enum {
  GVT_OUTPUT_FILE_DEFAULT = 0,
  /* A named temporary even where O_TMPFILE works: the fallback path, for
   * tests (filesystems without O_TMPFILE take it anyway). */
  GVT_OUTPUT_FILE_NO_TMPFILE = 1 << 0,
} GvtOutputFileFlags;

/* Checks that @path can be written, so that a command can fail before it
 * waits for anything, and prepares it:
 * - "-": standard output (fd 1), written directly. Until the commit, fd 1
 *   points at stderr (restored by _commit or _free), so that nothing else
 *   (GLib's debug log, a driver) writes into the stream before the bytes.
 * - a device node (/dev/null) or FIFO, reached through symlinks or not:
 *   written directly, never replaced. A device is opened here; a FIFO only
 *   by gvt_output_file_commit(), since opening it waits for a reader.
 * - a regular file or a new name: a temporary in the same directory,
 *   renamed over the file by gvt_output_file_commit(). A symlink is
 *   followed to its file (a dangling one to the file it names): the
 *   symlink stays, its target gets the bytes. The temporary is O_TMPFILE
 *   (nameless, created here; nothing to clean up even after SIGKILL) or,
 *   where the filesystem lacks it, a name with 72 random bits created with
 *   O_EXCL by gvt_output_file_commit(). A new file gets mode
 *   0666 & ~umask (and the directory's default ACL); a replaced one keeps
 *   its permission bits, and its owner and group where the kernel lets us
 *   (it is a new inode: other hard links keep the old contents). A file
 *   we may not write (access(2)) is refused, as a shell's > would.
 * GVT_ERROR_FAILED "cannot write PATH: REASON" ("is a directory (name a
 * file in it, ...)", "the directory /x does not exist", "cannot create a
 * file in DIR: Permission denied") otherwise. Main thread only: the
 * commit blocks signals on the calling thread. */
GvtOutputFile *gvt_output_file_new (const char *path, GvtOutputFileFlags flags,
                                    GError **error);

/* Discards what was not committed: the temporary goes, the target is left
 * as it was. Accepts NULL. */
void gvt_output_file_free (GvtOutputFile *self);

/* TRUE when the bytes go where standard output goes ("-", /dev/stdout, a
 * name for the file stdout is redirected to): the command must print its
 * words elsewhere. */
gboolean gvt_output_file_is_stdout (GvtOutputFile *self);

/* TRUE for stdout, a FIFO or a device: the commit may wait for a reader
 * for as long as the reader likes, and leaves nothing to clean up if a
 * signal kills the process meanwhile. FALSE for a file: the commit is
 * short and a signal cannot make it leave anything behind. */
gboolean gvt_output_file_may_block (GvtOutputFile *self);

/* Writes @data (@len bytes, borrowed) to the target; once per file. A
 * regular file is written, fsync()ed and renamed into place with SIGINT and
 * SIGTERM blocked on the calling thread; one that arrives meanwhile
 * discards the temporary before it can take the target's name ("cannot
 * write PATH: interrupted"; gvt_output_file_get_interrupt() says which),
 * and is delivered (to the caller's handler, or the default action) when
 * the commit returns. A write to a FIFO, a device or stdout fails on EINTR
 * (a handler installed without SA_RESTART interrupts it); bytes already
 * written there stay written. GVT_ERROR_FAILED "cannot write PATH:
 * REASON" on failure, the temporary gone, the target untouched. */
gboolean gvt_output_file_commit (GvtOutputFile *self, const void *data, gsize len,
                                 GError **error);

/* SIGINT or SIGTERM when that is what made the commit discard the file,
 * else 0. */
int gvt_output_file_get_interrupt (GvtOutputFile *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtOutputFile, gvt_output_file_free)

G_END_DECLS
