/* Tests of SIGINT and SIGTERM: the commands' interrupt watcher in-process,
 * then the real binary (`probe --watch`, `bench`) signalled mid-run. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "cmd/cmd.h"
#include "testutil.h"

/* Far beyond what ending takes (a tick, a frame): only a hung child gets
 * near it, and then it is killed and the test fails rather than hangs. */
#define CHILD_DEADLINE_S 30

/* --- the watcher in-process --- */

static gboolean
handler_is_default (int signum)
{
  struct sigaction action;
  g_assert_cmpint (sigaction (signum, NULL, &action), ==, 0);
  return action.sa_handler == SIG_DFL;
}

static void
test_interrupt_first_signal (void)
{
  g_autoptr (GvtCmdInterrupt) interrupt = gvt_cmd_interrupt_new ();
  g_assert_cmpint (gvt_cmd_interrupt_check (interrupt), ==, 0);
  g_assert_false (handler_is_default (SIGINT));
  g_assert_false (handler_is_default (SIGTERM));

  /* Caught, not fatal; it arrives through GLib's worker thread, so wait
   * for it rather than expect it at once. */
  g_assert_cmpint (raise (SIGINT), ==, 0);
  gint64 deadline = g_get_monotonic_time () + CHILD_DEADLINE_S * G_USEC_PER_SEC;
  g_assert_cmpint (gvt_cmd_interrupt_sleep_until (interrupt, deadline), ==, SIGINT);
  g_assert_cmpint (g_get_monotonic_time (), <, deadline);

  /* The first one counts. */
  g_assert_cmpint (raise (SIGTERM), ==, 0);
  g_assert_cmpint (gvt_cmd_interrupt_sleep_until (interrupt, g_get_monotonic_time () + 50000),
                   ==, SIGINT);
  g_assert_cmpint (gvt_cmd_interrupt_check (interrupt), ==, SIGINT);
  g_assert_cmpstr (gvt_cmd_interrupt_name (SIGINT), ==, "SIGINT");
  g_assert_cmpstr (gvt_cmd_interrupt_name (SIGTERM), ==, "SIGTERM");
  g_assert_cmpint (GVT_CMD_SIGNAL_STATUS (SIGINT), ==, 130);
  g_assert_cmpint (GVT_CMD_SIGNAL_STATUS (SIGTERM), ==, 143);

  /* Gone, the signals kill again. */
  g_clear_pointer (&interrupt, gvt_cmd_interrupt_free);
  g_assert_true (handler_is_default (SIGINT));
  g_assert_true (handler_is_default (SIGTERM));
  gvt_cmd_interrupt_free (NULL);
}

static void
test_interrupt_sleep (void)
{
  g_autoptr (GvtCmdInterrupt) interrupt = gvt_cmd_interrupt_new ();

  /* No earlier than asked. */
  gint64 deadline = g_get_monotonic_time () + 30000;
  g_assert_cmpint (gvt_cmd_interrupt_sleep_until (interrupt, deadline), ==, 0);
  g_assert_cmpint (g_get_monotonic_time (), >=, deadline);

  /* A deadline gone by returns at once, again and again. */
  for (int i = 0; i < 3; i++)
    g_assert_cmpint (gvt_cmd_interrupt_sleep_until (interrupt, 0), ==, 0);

  /* SIGTERM too, and two watchers at once both see it. */
  g_autoptr (GvtCmdInterrupt) other = gvt_cmd_interrupt_new ();
  g_assert_cmpint (raise (SIGTERM), ==, 0);
  deadline = g_get_monotonic_time () + CHILD_DEADLINE_S * G_USEC_PER_SEC;
  g_assert_cmpint (gvt_cmd_interrupt_sleep_until (interrupt, deadline), ==, SIGTERM);
  g_assert_cmpint (gvt_cmd_interrupt_sleep_until (other, deadline), ==, SIGTERM);
}

/* --- the binary, signalled --- */

typedef struct {
  GPid pid;
  int fds[2];      /* stdout, stderr; -1 once closed */
  GString *text[2];
  int status;      /* exit status, -1 if it did not exit */
} Child;

static void
child_clear (Child *c)
{
  for (int i = 0; i < 2; i++)
    {
      if (c->fds[i] >= 0)
        close (c->fds[i]);
      if (c->text[i] != NULL)
        g_string_free (c->text[i], TRUE);
    }
  if (c->pid > 0)
    {
      kill (c->pid, SIGKILL);
      waitpid (c->pid, NULL, 0);
      g_spawn_close_pid (c->pid);
    }
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Child, child_clear)

static void
child_spawn (Child *c, const char *const *args)
{
  g_autoptr (GPtrArray) argv = gvt_test_view_argv (args);

  g_autoptr (GError) error = NULL;
  *c = (Child) { .fds = { -1, -1 }, .status = -1 };
  c->text[0] = g_string_new (NULL);
  c->text[1] = g_string_new (NULL);
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv->pdata, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &c->pid,
                                           NULL, &c->fds[0], &c->fds[1], &error));
  g_assert_no_error (error);
}

/* Reads what the child writes until @until_line is TRUE and stdout holds
 * a whole line, or both pipes close; FALSE at the deadline. */
static gboolean
child_read (Child *c, gboolean until_line)
{
  gint64 deadline = g_get_monotonic_time () + CHILD_DEADLINE_S * G_USEC_PER_SEC;

  while (c->fds[0] >= 0 || c->fds[1] >= 0)
    {
      if (until_line && strchr (c->text[0]->str, '\n') != NULL)
        return TRUE;
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      if (left_ms <= 0)
        return FALSE;

      struct pollfd p[2] = { { .fd = c->fds[0], .events = POLLIN },
                             { .fd = c->fds[1], .events = POLLIN } };
      int n = poll (p, 2, (int) MIN (left_ms, 1000));
      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >=, 0);
      for (int i = 0; i < 2; i++)
        {
          if (c->fds[i] < 0 || p[i].revents == 0)
            continue;
          char buf[4096];
          ssize_t len = read (c->fds[i], buf, sizeof buf);
          if (len < 0 && errno == EINTR)
            continue;
          if (len <= 0)
            {
              close (c->fds[i]);
              c->fds[i] = -1;
            }
          else
            g_string_append_len (c->text[i], buf, len);
        }
    }
  return !until_line;
}

/* All the rest of the output and the exit: FALSE (the child killed) if it
 * does not end by the deadline. */
static gboolean
child_finish (Child *c)
{
  gboolean ended = child_read (c, FALSE);
  if (!ended)
    kill (c->pid, SIGKILL);
  int wait_status = 0;
  g_assert_cmpint (waitpid (c->pid, &wait_status, 0), ==, c->pid);
  g_spawn_close_pid (c->pid);
  c->pid = 0;
  /* A crash or a death by the signal is a failure, whatever else. */
  if (WIFSIGNALED (wait_status) && ended)
    g_error ("the child died of signal %d; stdout:\n%s\nstderr:\n%s", WTERMSIG (wait_status),
             c->text[0]->str, c->text[1]->str);
  c->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  return ended;
}

/* Starts @args, waits for its first line of output, sends @signum, and
 * collects the rest. */
static void
run_signalled (Child *c, const char *const *args, int signum)
{
  child_spawn (c, args);
  if (!child_read (c, TRUE))
    {
      child_finish (c);
      g_error ("no line of output within %d s; stderr:\n%s", CHILD_DEADLINE_S,
               c->text[1]->str);
    }
  g_assert_cmpint (kill (c->pid, signum), ==, 0);
  if (!child_finish (c))
    g_error ("still running %d s after %s; stdout:\n%s", CHILD_DEADLINE_S,
             gvt_cmd_interrupt_name (signum), c->text[0]->str);
}

static void
assert_contains (const char *haystack, const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("'%s' lacks '%s'", haystack, needle);
}

static const char *const probe_watch_args[] = { "probe", "sim", "--watch", "30", NULL };

/* Ctrl+C is how a person ends a watch: the summary, status 0. */
static void
test_probe_watch_sigint (void)
{
  g_auto (Child) c = { 0 };
  run_signalled (&c, probe_watch_args, SIGINT);
  g_assert_cmpint (c.status, ==, 0);
  g_assert_cmpstr (c.text[1]->str, ==, "");
  g_assert_true (g_str_has_prefix (c.text[0]->str, "device:   sim"));
  assert_contains (c.text[0]->str, "\nstate:    live\n");
  assert_contains (c.text[0]->str, "\nwatched ");
  assert_contains (c.text[0]->str, " polls, ");
  g_assert_true (g_str_has_suffix (c.text[0]->str, " cached; stopped by SIGINT\n"));
}

/* Someone else stopping it: the summary too, and the status of a
 * process SIGTERM ended. */
static void
test_probe_watch_sigterm (void)
{
  g_auto (Child) c = { 0 };
  run_signalled (&c, probe_watch_args, SIGTERM);
  g_assert_cmpint (c.status, ==, 143);
  g_assert_cmpstr (c.text[1]->str, ==, "");
  assert_contains (c.text[0]->str, "\nwatched ");
  g_assert_true (g_str_has_suffix (c.text[0]->str, " cached; stopped by SIGTERM\n"));
}

/* With --json, stdout stays JSON lines: the document, no summary. */
static void
test_probe_watch_json_sigint (void)
{
  static const char *const args[] = { "probe", "--json", "sim", "--watch", "30", NULL };
  g_auto (Child) c = { 0 };
  run_signalled (&c, args, SIGINT);
  g_assert_cmpint (c.status, ==, 0);
  g_assert_cmpstr (c.text[1]->str, ==, "");
  g_assert_true (g_str_has_prefix (c.text[0]->str, "{\"device\":"));
  g_assert_true (g_str_has_suffix (c.text[0]->str, "}\n"));
  g_assert_null (strstr (c.text[0]->str, "watched"));
}

/* A bench far longer than the test, stopped during its first
 * measurement: what it measured, the rest not measured, the status. */
static void
check_bench (int signum, int want_status)
{
  static const char *const args[] = { "bench", "sim", "--frames", "100000", NULL };
  g_auto (Child) c = { 0 };
  child_spawn (&c, args);
  if (!child_read (&c, TRUE))
    {
      g_assert_true (child_finish (&c));
      /* No first line: it failed before measuring (headless EGL is on
       * every machine the suite runs on: llvmpipe). */
      g_error ("bench printed nothing (status %d): %s", c.status, c.text[1]->str);
    }
  g_assert_cmpint (kill (c.pid, signum), ==, 0);
  if (!child_finish (&c))
    g_error ("bench still running %d s after %s; stdout:\n%s", CHILD_DEADLINE_S,
             gvt_cmd_interrupt_name (signum), c.text[0]->str);

  const char *out = c.text[0]->str;
  const char *name = gvt_cmd_interrupt_name (signum);
  g_assert_cmpint (c.status, ==, want_status);
  g_assert_true (g_str_has_prefix (out, "gvt-view bench: sim, 1920x1080 XR24 -> 1920x1080 "
                                        "offscreen, 100000 pairs per measurement\n"));
  g_autofree char *upload = g_strdup_printf ("\nupload path:  not measured: interrupted by %s\n",
                                             name);
  g_autofree char *poll = g_strdup_printf ("\npoll:         not measured: interrupted by %s\n",
                                           name);
  g_autofree char *last = g_strdup_printf ("\ninterrupted:  by %s; the figures above are over "
                                           "the pairs done before it\n", name);
  assert_contains (out, upload);
  assert_contains (out, poll);
  g_assert_true (g_str_has_suffix (out, last));
  /* The frame time is either measured over the pairs done or, stopped in
   * its warm-up, said not to be. */
  g_autofree char *frames_not = g_strdup_printf ("\nframe time:   not measured: interrupted by %s\n",
                                                 name);
  if (strstr (out, frames_not) == NULL)
    {
      assert_contains (out, "\nframe time:   viewer ");
      g_assert_null (strstr (out, " over 100000 pairs"));
    }
  g_assert_null (strstr (c.text[1]->str, "CRITICAL"));
}

static void
test_bench_sigint (void)
{
  check_bench (SIGINT, 130);
}

static void
test_bench_sigterm (void)
{
  check_bench (SIGTERM, 143);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli-signals/interrupt/first-signal", test_interrupt_first_signal);
  g_test_add_func ("/cli-signals/interrupt/sleep", test_interrupt_sleep);
  g_test_add_func ("/cli-signals/probe-watch/sigint", test_probe_watch_sigint);
  g_test_add_func ("/cli-signals/probe-watch/sigterm", test_probe_watch_sigterm);
  g_test_add_func ("/cli-signals/probe-watch/json-sigint", test_probe_watch_json_sigint);
  g_test_add_func ("/cli-signals/bench/sigint", test_bench_sigint);
  g_test_add_func ("/cli-signals/bench/sigterm", test_bench_sigterm);
  return g_test_run ();
}
