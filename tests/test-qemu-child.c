/* QEMU as a child (src/qemu/qemu-child.c), with /bin/sh standing in for
 * QEMU: the exit status as a shell reports it, stderr passed through and
 * its last lines kept, the process group (and which command lines keep the
 * terminal), the exit callback after the last line, bytes that aren't
 * UTF-8, and a command that can't start. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "qemu/qemu-child.h"
#include "common/gvt-error.h"

static void
on_exit_count (GvtQemuChild *child, gpointer data)
{
  /* The last words are complete when this runs. */
  g_autofree char *words = gvt_qemu_child_get_last_words (child);
  g_assert_true (g_str_has_suffix (words, "last line"));
  (*(int *) data)++;
}

static void
test_status_and_words (void)
{
  /* The sleep: a pid to see before it exits (under valgrind too). */
  const char *argv[] = { "sh", "-c",
                         "sleep 1; for i in $(seq 30); do echo line $i >&2; done; "
                         "echo last line >&2; exit 3", NULL };
  g_autoptr (GError) error = NULL;
  int exits = 0;
  g_autoptr (GvtQemuChild) child = gvt_qemu_child_spawn (argv, &error);

  g_assert_no_error (error);
  gvt_qemu_child_set_exit_func (child, on_exit_count, &exits);
  g_assert_cmpint (gvt_qemu_child_get_pid (child), >, 1);
  g_assert_true (gvt_qemu_child_wait (child, 10000));
  g_assert_cmpint (gvt_qemu_child_get_status (child), ==, 3);
  g_assert_cmpint (gvt_qemu_child_get_signal (child), ==, 0);
  g_assert_cmpint (exits, ==, 1);
  g_autofree char *words = gvt_qemu_child_get_last_words (child);
  g_auto (GStrv) lines = g_strsplit (words, "\n", -1);
  /* The newest 20 of 31. */
  g_assert_cmpuint (g_strv_length (lines), ==, 20);
  g_assert_cmpstr (lines[0], ==, "line 12");
  g_assert_cmpstr (lines[19], ==, "last line");
}

static void
test_signal (void)
{
  /* A shell that waits for a signal, in its own process group (it doesn't
   * read the terminal). */
  const char *argv[] = { "sh", "-c", "echo ready >&2; exec sleep 60", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtQemuChild) child = gvt_qemu_child_spawn (argv, &error);

  g_assert_no_error (error);
  g_assert_false (gvt_qemu_child_shares_terminal (child));
  int pid = gvt_qemu_child_get_pid (child);
  /* setpgid ran before exec: wait for the exec (the line) to look. */
  for (int i = 0; i < 100; i++)
    {
      g_autofree char *w = gvt_qemu_child_get_last_words (child);
      if (g_str_equal (w, "ready"))
        break;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
  g_assert_cmpint (getpgid (pid), ==, pid);
  g_assert_false (gvt_qemu_child_wait (child, 100));
  g_assert_false (gvt_qemu_child_has_exited (child));
  gvt_qemu_child_signal (child, SIGTERM);
  g_assert_true (gvt_qemu_child_wait (child, 10000));
  g_assert_cmpint (gvt_qemu_child_get_signal (child), ==, SIGTERM);
  g_assert_cmpint (gvt_qemu_child_get_status (child), ==, 128 + SIGTERM);
  /* Once gone, signals go nowhere (the pid may be someone else's). */
  gvt_qemu_child_signal (child, SIGKILL);
}

static void
test_shares_terminal (void)
{
  /* -serial stdio reads the terminal: QEMU stays in our process group. */
  const char *argv[] = { "sh", "-c", "exit 0", "-serial", "stdio", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtQemuChild) child = gvt_qemu_child_spawn (argv, &error);

  g_assert_no_error (error);
  g_assert_true (gvt_qemu_child_shares_terminal (child));
  g_assert_true (gvt_qemu_child_wait (child, 10000));
  g_assert_cmpint (gvt_qemu_child_get_status (child), ==, 0);
}

static void
test_terminal_options (void)
{
  /* What the parser reads as QEMU's options (sh takes them as its $0...):
   * curses and stdio chardevs keep QEMU on the terminal; "stdio" in a
   * name or a path does not. */
  static const struct {
    const char *args[3];
    gboolean shares;
  } cases[] = {
    { { "-display", "curses" }, TRUE },
    { { "-display", "curses,charset=CP850" }, TRUE },
    { { "-curses" }, TRUE },
    { { "-nographic" }, TRUE },
    { { "--nographic" }, TRUE },
    { { "-serial", "stdio" }, TRUE },
    { { "-serial", "mon:stdio" }, TRUE },
    { { "-chardev", "stdio,id=x" }, TRUE },
    { { "/srv/images/stdio.qcow2" }, FALSE },
    { { "-drive", "file=/srv/stdio.img" }, FALSE },
    { { "-name", "stdio-test" }, FALSE },
    { { "-serial", "file:/tmp/stdio.log" }, FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *argv[6] = { "sh", "-c", "exit 0", NULL };
      for (int k = 0; k < 3 && cases[i].args[k] != NULL; k++)
        argv[3 + k] = cases[i].args[k];
      g_autofree char *shown = g_strjoinv (" ", (char **) argv + 3);
      g_test_message ("%s", shown);
      g_autoptr (GError) error = NULL;
      g_autoptr (GvtQemuChild) child = gvt_qemu_child_spawn (argv, &error);

      g_assert_no_error (error);
      g_assert_cmpint (gvt_qemu_child_shares_terminal (child), ==, cases[i].shares);
      g_assert_true (gvt_qemu_child_wait (child, 10000));
      g_assert_cmpint (gvt_qemu_child_get_status (child), ==, 0);
    }
}

static void
test_cannot_start (void)
{
  const char *argv[] = { "qemu-system-nosuch-arch", "-S", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtQemuChild) child = gvt_qemu_child_spawn (argv, &error);

  g_assert_null (child);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_assert_true (g_str_has_prefix (error->message, "cannot start qemu-system-nosuch-arch: "));
}

/* Runs @argv as QEMU with this process's stderr going to a file, until
 * it exits (and its last words are in: the exit is told after them); the
 * child, and in *@out and *@len what reached stderr. */
static GvtQemuChild *
run_capturing_stderr (const char *const *argv, char **out, gsize *len)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  int file = g_file_open_tmp ("gvt-child-stderr-XXXXXX", &path, &error);
  g_assert_no_error (error);
  int saved = dup (STDERR_FILENO);
  g_assert_cmpint (dup2 (file, STDERR_FILENO), ==, STDERR_FILENO);

  GvtQemuChild *child = gvt_qemu_child_spawn (argv, &error);
  gboolean exited = child != NULL && gvt_qemu_child_wait (child, 20000);
  fflush (stderr);
  dup2 (saved, STDERR_FILENO);
  close (saved);
  close (file);
  g_assert_no_error (error);
  g_assert_true (exited);
  g_assert_true (g_file_get_contents (path, out, len, NULL));
  g_unlink (path);
  return child;
}

/* A line that isn't UTF-8 (QEMU prints file names and guest strings as
 * they are) reaches the terminal byte for byte, and the last words as
 * valid UTF-8; nothing after it is lost. */
static void
test_not_utf8 (void)
{
  const char *argv[] = { "sh", "-c", "printf 'caf\\351 \\377\\n' >&2; echo after >&2", NULL };
  g_autofree char *out = NULL;
  gsize length;
  g_autoptr (GvtQemuChild) child = run_capturing_stderr (argv, &out, &length);

  const char want[] = "caf\351 \377\nafter\n";
  g_assert_cmpmem (out, length, want, sizeof want - 1);
  g_autofree char *words = gvt_qemu_child_get_last_words (child);
  g_assert_true (g_utf8_validate (words, -1, NULL));
  g_assert_cmpstr (words, ==, "caf\357\277\275 \357\277\275\nafter");
}

/* A line that never ends (a guest writing to -debugcon stdio, say) goes
 * through as it comes, and the last words keep only its start. */
static void
test_endless_line (void)
{
  const char *argv[] = { "sh", "-c", "head -c 8000000 /dev/zero | tr '\\0' x >&2; "
                                     "echo >&2; echo last >&2", NULL };
  g_autofree char *out = NULL;
  gsize length;
  g_autoptr (GvtQemuChild) child = run_capturing_stderr (argv, &out, &length);

  g_assert_cmpuint (length, ==, 8000000 + 1 + 5);
  g_autofree char *words = gvt_qemu_child_get_last_words (child);
  g_auto (GStrv) lines = g_strsplit (words, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_true (g_str_has_suffix (lines[0], "x…"));
  g_assert_cmpuint (strlen (lines[0]), ==, 1024 + strlen ("…"));
  g_assert_cmpstr (lines[1], ==, "last");
}

static void
test_free_while_running (void)
{
  /* Freeing the handle doesn't stop the VM (run leaves it to the user). */
  const char *argv[] = { "sleep", "60", NULL };
  g_autoptr (GError) error = NULL;
  GvtQemuChild *child = gvt_qemu_child_spawn (argv, &error);

  g_assert_no_error (error);
  int pid = gvt_qemu_child_get_pid (child);
  gvt_qemu_child_free (child);
  g_assert_cmpint (kill (pid, 0), ==, 0);
  kill (pid, SIGKILL);
  /* GLib's child watch reaps it; nothing of ours waits any more. */
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/qemu/child/status-and-last-words", test_status_and_words);
  g_test_add_func ("/qemu/child/signal", test_signal);
  g_test_add_func ("/qemu/child/shares-terminal", test_shares_terminal);
  g_test_add_func ("/qemu/child/terminal-options", test_terminal_options);
  g_test_add_func ("/qemu/child/cannot-start", test_cannot_start);
  g_test_add_func ("/qemu/child/not-utf8", test_not_utf8);
  g_test_add_func ("/qemu/child/endless-line", test_endless_line);
  g_test_add_func ("/qemu/child/free-while-running", test_free_while_running);
  return g_test_run ();
}
