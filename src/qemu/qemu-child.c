/* QEMU as a child process (see qemu-child.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>

#include "qemu-child.h"
#include "qemu-cmdline.h"
#include "common/gvt-error.h"

#define LAST_WORDS 20
/* Of a line, the last words keep this much (a line may never end). */
#define LAST_WORDS_LINE_MAX 1024
#define STDERR_CHUNK 4096

struct _GvtQemuChild {
  GSubprocess *process;
  int pid;
  gboolean shares_terminal;
  GCancellable *cancel;
  GInputStream *stderr_pipe;
  guint8 chunk[STDERR_CHUNK];
  GString *line;             /* the line being read, up to LAST_WORDS_LINE_MAX */
  gboolean line_cut;         /* it was longer */
  gboolean stderr_done;
  gboolean exited;           /* wait finished */
  gboolean exit_told;
  int status, signum;
  GQueue last;               /* char*, the newest at the tail */
  GvtQemuChildExitFunc exit_func;
  gpointer exit_data;
};

/* The terminal is QEMU's too when its command line uses it: in a
 * background process group QEMU would be stopped reading it (SIGTTIN) or
 * setting it up for curses (SIGTTOU). The command line parser knows which
 * options and values those are; a line it refuses, QEMU refuses too, and
 * is started apart from the terminal. */
static gboolean
uses_terminal (const char *const *argv)
{
  g_auto (GvtQemuCmdline) cmdline = { 0 };
  g_autoptr (GError) error = NULL;

  if (!gvt_qemu_cmdline_parse (argv, &cmdline, &error))
    {
      g_debug ("QEMU started apart from the terminal: %s", error->message);
      return FALSE;
    }
  return cmdline.uses_terminal;
}

static void
child_setup (gpointer data)
{
  /* After fork, before exec: async-signal-safe calls only. */
  setpgid (0, 0);
}

static void
maybe_tell_exit (GvtQemuChild *self)
{
  /* Both ends seen: the last words are all in. */
  if (!self->exited || !self->stderr_done || self->exit_told)
    return;
  self->exit_told = TRUE;
  if (self->exit_func != NULL)
    self->exit_func (self, self->exit_data);
}

static void read_next_chunk (GvtQemuChild *self);

/* The line read so far joins the last words (valid UTF-8, for messages). */
static void
keep_line (GvtQemuChild *self)
{
  g_autofree char *valid = g_utf8_make_valid (self->line->str, self->line->len);
  g_queue_push_tail (&self->last, self->line_cut ? g_strconcat (valid, "…", NULL)
                                                 : g_steal_pointer (&valid));
  while (self->last.length > LAST_WORDS)
    g_free (g_queue_pop_head (&self->last));
  g_string_truncate (self->line, 0);
  self->line_cut = FALSE;
}

/* QEMU's stderr goes through as it comes, byte for byte (a line that isn't
 * UTF-8, or never ends, too); only the last lines are kept, each cut at
 * LAST_WORDS_LINE_MAX: whatever QEMU (or a guest behind -debugcon) writes
 * costs no memory. */
static void
on_chunk (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  GvtQemuChild *self = data;
  if (n <= 0)
    {
      if (self->line->len > 0)
        keep_line (self);
      self->stderr_done = TRUE;
      maybe_tell_exit (self);
      return;
    }
  fwrite (self->chunk, 1, (gsize) n, stderr);
  fflush (stderr);
  for (gssize i = 0; i < n; i++)
    {
      guint8 c = self->chunk[i];
      if (c == '\n')
        keep_line (self);
      else if (self->line->len < LAST_WORDS_LINE_MAX)
        g_string_append_c (self->line, (char) c);
      else
        self->line_cut = TRUE;
    }
  read_next_chunk (self);
}

static void
read_next_chunk (GvtQemuChild *self)
{
  g_input_stream_read_async (self->stderr_pipe, self->chunk, sizeof self->chunk,
                             G_PRIORITY_DEFAULT, self->cancel, on_chunk, self);
}

static void
on_process_exit (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  GvtQemuChild *self = data;
  GSubprocess *p = self->process;
  self->exited = TRUE;
  if (g_subprocess_get_if_signaled (p))
    {
      self->signum = g_subprocess_get_term_sig (p);
      self->status = 128 + self->signum;
    }
  else
    self->status = g_subprocess_get_exit_status (p);
  g_debug ("QEMU (pid %d) exited with status %d", self->pid, self->status);
  maybe_tell_exit (self);
}

GvtQemuChild *
gvt_qemu_child_spawn (const char *const *argv, GError **error)
{
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);
  g_autoptr (GvtQemuChild) self = g_new0 (GvtQemuChild, 1);
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDERR_PIPE;

  g_queue_init (&self->last);
  self->line = g_string_new (NULL);
  self->cancel = g_cancellable_new ();
  self->shares_terminal = uses_terminal (argv);
  /* Not a terminal (a pipe, a file): QEMU may have it as it is. */
  if (self->shares_terminal || !isatty (STDIN_FILENO))
    flags |= G_SUBPROCESS_FLAGS_STDIN_INHERIT;
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  if (!self->shares_terminal)
    g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_autoptr (GError) local = NULL;
  self->process = g_subprocess_launcher_spawnv (launcher, argv, &local);
  if (self->process == NULL)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS, "cannot start %s: %s", argv[0],
                   local->message);
      return NULL;
    }
  /* NULL once the process has exited and been reaped: so quick a child
   * has no pid to tell (its exit is reported all the same). */
  const char *identifier = g_subprocess_get_identifier (self->process);
  self->pid = identifier ? (int) g_ascii_strtoll (identifier, NULL, 10) : 0;
  self->stderr_pipe = g_object_ref (g_subprocess_get_stderr_pipe (self->process));
  read_next_chunk (self);
  g_subprocess_wait_async (self->process, self->cancel, on_process_exit, self);
  g_debug ("QEMU started: pid %d%s", self->pid,
           self->shares_terminal ? ", on the terminal" : ", in its own process group");
  return g_steal_pointer (&self);
}

void
gvt_qemu_child_free (GvtQemuChild *self)
{
  if (self == NULL)
    return;
  if (self->cancel != NULL)
    g_cancellable_cancel (self->cancel);
  g_clear_object (&self->stderr_pipe);
  g_clear_object (&self->process);
  g_clear_object (&self->cancel);
  g_queue_clear_full (&self->last, g_free);
  if (self->line != NULL)
    g_string_free (self->line, TRUE);
  g_free (self);
}

void
gvt_qemu_child_set_exit_func (GvtQemuChild *self, GvtQemuChildExitFunc func, gpointer user_data)
{
  self->exit_func = func;
  self->exit_data = user_data;
}

int
gvt_qemu_child_get_pid (GvtQemuChild *self)
{
  return self->pid;
}

gboolean
gvt_qemu_child_has_exited (GvtQemuChild *self)
{
  return self->exited;
}

int
gvt_qemu_child_get_status (GvtQemuChild *self)
{
  return self->status;
}

int
gvt_qemu_child_get_signal (GvtQemuChild *self)
{
  return self->signum;
}

char *
gvt_qemu_child_get_last_words (GvtQemuChild *self)
{
  GString *s = g_string_new (NULL);

  for (GList *l = self->last.head; l != NULL; l = l->next)
    g_string_append_printf (s, "%s%s", s->len ? "\n" : "", (const char *) l->data);
  return g_string_free (s, FALSE);
}

gboolean
gvt_qemu_child_shares_terminal (GvtQemuChild *self)
{
  return self->shares_terminal;
}

void
gvt_qemu_child_signal (GvtQemuChild *self, int signum)
{
  if (!self->exited)
    g_subprocess_send_signal (self->process, signum);
}

static gboolean
on_wait_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
gvt_qemu_child_wait (GvtQemuChild *self, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  GSource *timer = g_timeout_source_new (timeout_ms);

  g_source_set_callback (timer, on_wait_timeout, &timed_out, NULL);
  g_source_attach (timer, g_main_context_get_thread_default ());
  while (!(self->exited && self->stderr_done) && !timed_out)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  g_source_destroy (timer);
  g_source_unref (timer);
  return self->exited;
}
