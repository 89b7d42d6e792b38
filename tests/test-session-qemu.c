/* The session with a QEMU link, against a real QEMU (Debian's, TCG, no
 * guest OS: SeaBIOS on a standalone ramfb, or nothing at all with -S):
 * the ramfb source as the fallback and as the only source, no dumps while
 * paused, a reset dropping the vGPU's buffers, QEMU's exit releasing
 * every buffer after the last look, a new QEMU at the same path picked
 * up, and the errors for sockets that aren't QEMU's. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "common/gvt-error.h"
#include "display/session.h"
#include "display/source-ramfb.h"
#include "qemu/qmp.h"
#include "testutil.h"

typedef struct {
  char *dir;
  char *qmp;      /* the session's socket */
  char *ctl;      /* the test's own (a QMP socket takes one client) */
  GPid pid;
} Qemu;

static void
qemu_start_at (Qemu *q, gboolean paused)
{
  g_autofree char *qmp_arg = g_strdup_printf ("unix:%s,server=on,wait=off", q->qmp);
  g_autofree char *ctl_arg = g_strdup_printf ("unix:%s,server=on,wait=off", q->ctl);
  const char *argv[] = {
    "qemu-system-x86_64", "-accel", "tcg", "-m", "64", "-nic", "none", "-display", "none",
    "-vga", "none", "-device", "ramfb,id=fb0", "-qmp", qmp_arg, "-qmp", ctl_arg,
    paused ? "-S" : NULL, NULL
  };

  g_unlink (q->qmp);
  g_unlink (q->ctl);
  q->pid = gvt_test_spawn_qemu (argv, NULL);
  g_assert_true (gvt_test_wait_listening (q->qmp, q->pid));
  g_assert_true (gvt_test_wait_listening (q->ctl, q->pid));
}

static Qemu *
qemu_start (gboolean paused)
{
  Qemu *q = g_new0 (Qemu, 1);

  q->dir = g_dir_make_tmp ("gvt-qemu-XXXXXX", NULL);
  q->qmp = g_build_filename (q->dir, "qmp.sock", NULL);
  q->ctl = g_build_filename (q->dir, "ctl.sock", NULL);
  qemu_start_at (q, paused);
  return q;
}

/* Waits for QEMU to exit (it was told to, or is killed after 10 s). */
static void
qemu_reap (Qemu *q)
{
  int status;

  if (q->pid == 0)
    return;
  for (int i = 0; i < 1000; i++)
    {
      if (waitpid (q->pid, &status, WNOHANG) == q->pid)
        {
          g_spawn_close_pid (q->pid);
          q->pid = 0;
          return;
        }
      g_usleep (10 * 1000);
    }
  kill (q->pid, SIGKILL);
  waitpid (q->pid, &status, 0);
  q->pid = 0;
  g_assert_not_reached ();
}

static void
qemu_free (Qemu *q)
{
  gvt_test_kill (q->pid);
  g_unlink (q->qmp);
  g_unlink (q->ctl);
  g_rmdir (q->dir);
  g_free (q->qmp);
  g_free (q->ctl);
  g_free (q->dir);
  g_free (q);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Qemu, qemu_free)

/* --- the test's own QMP commands, through the client under test elsewhere --- */

typedef struct {
  gboolean done;
  GError *error;
} Wait;

static void
on_ctl_ready (GvtQmp *qmp, const GError *error, gpointer user_data)
{
  Wait *w = user_data;
  w->done = TRUE;
  if (error)
    w->error = g_error_copy (error);
}

static void
on_ctl_reply (GvtQmp *qmp, JsonNode *result, const GError *error, gpointer user_data)
{
  Wait *w = user_data;
  w->done = TRUE;
  if (error)
    w->error = g_error_copy (error);
}

static void
run_until (gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!*flag && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_true (*flag);
}

/* Runs @command on QEMU's control socket (a connection per command:
 * `quit` ends it anyway). */
static void
ctl (Qemu *q, const char *command)
{
  Wait ready = { 0 }, reply = { 0 };
  GvtQmpCallbacks cb = { .ready = on_ctl_ready };
  GvtQmp *qmp = gvt_qmp_connect (q->ctl, 0, &cb, &ready);

  run_until (&ready.done);
  g_assert_no_error (ready.error);
  gvt_qmp_execute (qmp, command, NULL, 0, on_ctl_reply, &reply);
  run_until (&reply.done);
  /* `quit` may close before it answers. */
  if (reply.error && !g_error_matches (reply.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
    g_assert_no_error (reply.error);
  g_clear_error (&reply.error);
  gvt_qmp_close (qmp);
}

/* Polls @session every 20 ms, the main context running in between, until
 * @done (@session) or 10 s. */
typedef gboolean (*Until) (GvtSession *session, gpointer data);

static GvtSourceChange
poll_until (GvtSession *session, Until done, gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  GvtSourceChange changes = 0;

  while (g_get_monotonic_time () < deadline)
    {
      changes |= gvt_session_poll (session, g_get_monotonic_time ());
      if (done (session, data))
        return changes;
      gint64 until = g_get_monotonic_time () + 20 * 1000;
      while (g_get_monotonic_time () < until)
        if (!g_main_context_iteration (NULL, FALSE))
          g_usleep (1000);
    }
  g_assert_not_reached ();
}

static gboolean
is_live (GvtSession *session, gpointer data)
{
  return gvt_session_get_state (session) == GVT_SOURCE_STATE_LIVE;
}

static gboolean
vm_is (GvtSession *session, gpointer data)
{
  return (int) gvt_session_get_vm_state (session) == GPOINTER_TO_INT (data);
}

static void
poll_for (GvtSession *session, gint64 us)
{
  gint64 deadline = g_get_monotonic_time () + us;
  while (g_get_monotonic_time () < deadline)
    {
      gvt_session_poll (session, g_get_monotonic_time ());
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (5000);
    }
}

/* --- the tests --- */

static void
test_ramfb_only (void)
{
  g_autoptr (Qemu) q = qemu_start (TRUE);
  g_autoptr (GError) error = NULL;
  GvtSessionConfig config = { .fd = -1, .qmp = q->qmp };
  g_autoptr (GvtSession) session = gvt_session_new_full (&config, &error);

  g_assert_no_error (error);
  /* -S: paused from the start, and said so. */
  g_assert_cmpint (gvt_session_get_vm_state (session), ==, GVT_VM_PAUSED);
  g_assert_cmpstr (gvt_vm_get_detail (gvt_session_get_vm (session)), ==, "prelaunch");
  g_assert_cmpuint (gvt_vm_get_connects (gvt_session_get_vm (session)), ==, 1);

  /* One dump while paused, for a picture beneath the screen: QEMU's
   * 640x480 placeholder until the firmware sets ramfb up. */
  poll_until (session, is_live, NULL);
  GvtSource *shown = gvt_session_get_shown (session);
  g_assert_cmpstr (gvt_source_get_kind (shown), ==, "ramfb");
  g_assert_cmpstr (gvt_source_get_name (shown), ==, "ramfb fb0");
  g_assert_cmpstr (gvt_session_get_name (session), ==, "ramfb fb0");
  GvtPlane *primary = gvt_session_get_primary (session);
  g_assert_cmpuint (gvt_plane_get_width (primary), ==, 640);
  g_assert_cmpuint (gvt_plane_get_height (primary), ==, 480);
  g_assert_null (gvt_session_get_cursor (session));

  /* Paused: no more dumps. */
  GvtSource *ramfb = gvt_session_get_fallback (session);
  guint dumps = gvt_source_ramfb_get_dumps (ramfb);
  g_assert_cmpuint (dumps, ==, 1);
  poll_for (session, 1200 * 1000);
  g_assert_cmpuint (gvt_source_ramfb_get_dumps (ramfb), ==, dumps);

  /* The private directory: ours alone while the session lives. */
  const char *dir = gvt_source_ramfb_get_dir (ramfb);
  g_autofree char *dir_copy = g_strdup (dir);
  struct stat st;
  g_assert_cmpint (stat (dir, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpuint (st.st_uid, ==, getuid ());

  /* Running: dumps a few times a second, and SeaBIOS's screen appears. */
  ctl (q, "cont");
  poll_until (session, vm_is, GINT_TO_POINTER (GVT_VM_RUNNING));
  poll_for (session, 1500 * 1000);
  guint running_dumps = gvt_source_ramfb_get_dumps (ramfb) - dumps;
  g_test_message ("dumps in 1.5 s of a running VM: %u", running_dumps);
  g_assert_cmpuint (running_dumps, >=, 2);
  g_assert_cmpuint (running_dumps, <=, 1500 / (GVT_SOURCE_RAMFB_MIN_INTERVAL_US / 1000) + 1);

  g_clear_pointer (&session, gvt_session_free);
  g_assert_false (g_file_test (dir_copy, G_FILE_TEST_EXISTS));
}

typedef struct {
  guint calls;
  gboolean had_primary;
  guint32 width;
} Release;

static void
on_release (GvtPlane *primary, GvtPlane *cursor, gpointer user_data)
{
  Release *r = user_data;
  r->calls++;
  r->had_primary = primary != NULL;
  r->width = primary ? gvt_plane_get_width (primary) : 0;
}

static void
test_vgpu_reset_and_exit (void)
{
  g_autoptr (Qemu) q = qemu_start (FALSE);
  g_autoptr (GError) error = NULL;
  GvtSessionConfig config = { .device = "sim:64x32", .fd = -1, .qmp = q->qmp };
  g_autoptr (GvtSession) session = gvt_session_new_full (&config, &error);
  Release release = { 0 };
  GvtScanoutStats stats;

  g_assert_no_error (error);
  gvt_session_set_release_hook (session, on_release, &release);
  poll_until (session, is_live, NULL);
  /* The vGPU's plane wins over the ramfb. */
  g_assert_cmpstr (gvt_source_get_kind (gvt_session_get_shown (session)), ==, "vfio");
  gvt_session_get_scanout_stats (session, &stats);
  g_assert_cmpuint (stats.dmabuf_gets, ==, 1);
  /* Meanwhile no screendumps: at most the one sent before the plane came. */
  GvtSource *ramfb = gvt_session_get_fallback (session);
  poll_for (session, 200 * 1000);
  guint dumps = gvt_source_ramfb_get_dumps (ramfb);
  g_assert_cmpuint (dumps, <=, 1);
  poll_for (session, 1000 * 1000);
  g_assert_cmpuint (gvt_source_ramfb_get_dumps (ramfb), ==, dumps);
  g_assert_null (gvt_source_get_primary (ramfb));

  /* A reset: the vGPU's ids may name other buffers now, so its dma-bufs
   * are fetched again (a new buffer for the same id). */
  guint64 serial = gvt_buffer_get_serial (gvt_plane_get_buffer (gvt_session_get_primary (session)));
  guint32 id = gvt_plane_get_dmabuf_id (gvt_session_get_primary (session));
  ctl (q, "system_reset");
  GvtSourceChange changes = 0;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  GvtPlane *after = NULL;
  while (g_get_monotonic_time () < deadline)
    {
      changes |= gvt_session_poll (session, g_get_monotonic_time ());
      after = gvt_session_get_primary (session);
      if (after != NULL && gvt_buffer_get_serial (gvt_plane_get_buffer (after)) != serial)
        break;
      g_main_context_iteration (NULL, FALSE) || (g_usleep (2000), TRUE);
    }
  g_assert_nonnull (after);
  g_assert_cmpuint (gvt_buffer_get_serial (gvt_plane_get_buffer (after)), !=, serial);
  g_assert_cmpuint (gvt_plane_get_dmabuf_id (after), ==, id);
  g_assert_true (changes & GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpuint (release.calls, ==, 0);
  g_assert_cmpint (gvt_session_get_state (session), ==, GVT_SOURCE_STATE_LIVE);
  /* Without a reset the same id keeps its buffer (QEMU sends its RESET
   * events in a burst: let it pass first). */
  poll_for (session, 1000 * 1000);
  serial = gvt_buffer_get_serial (gvt_plane_get_buffer (gvt_session_get_primary (session)));
  poll_for (session, 300 * 1000);
  g_assert_cmpuint (gvt_buffer_get_serial (gvt_plane_get_buffer (gvt_session_get_primary (session))),
                    ==, serial);

  /* QEMU quits: the window's last look, then every buffer goes. */
  ctl (q, "quit");
  qemu_reap (q);
  poll_until (session, vm_is, GINT_TO_POINTER (GVT_VM_GONE));
  poll_for (session, 100 * 1000);
  g_assert_cmpuint (release.calls, ==, 1);
  g_assert_true (release.had_primary);
  g_assert_cmpuint (release.width, ==, 64);
  gvt_session_get_scanout_stats (session, &stats);
  g_assert_cmpuint (stats.cached, ==, 0);
  g_assert_null (gvt_session_get_primary (session));
  /* Not polled while QEMU is gone: nothing is taken again. */
  guint64 polls = stats.polls;
  poll_for (session, 300 * 1000);
  gvt_session_get_scanout_stats (session, &stats);
  g_assert_cmpuint (stats.polls, ==, polls);

  /* A new QEMU at the same path: picked up within the retry interval. */
  qemu_start_at (q, TRUE);
  poll_until (session, vm_is, GINT_TO_POINTER (GVT_VM_PAUSED));
  g_assert_cmpuint (gvt_vm_get_connects (gvt_session_get_vm (session)), ==, 2);
  poll_until (session, is_live, NULL);
  g_assert_cmpstr (gvt_source_get_kind (gvt_session_get_shown (session)), ==, "vfio");
  g_assert_cmpuint (release.calls, ==, 1);
}

static void
test_quit_releases (void)
{
  g_autoptr (Qemu) q = qemu_start (FALSE);
  g_autoptr (GError) error = NULL;
  GvtSessionConfig config = { .fd = -1, .qmp = q->qmp, .ramfb = "fb0" };
  g_autoptr (GvtSession) session = gvt_session_new_full (&config, &error);
  Release release = { 0 };

  g_assert_no_error (error);
  gvt_session_set_release_hook (session, on_release, &release);
  poll_until (session, is_live, NULL);
  /* SHUTDOWN ("host-qmp-quit"), then the socket closes. */
  ctl (q, "quit");
  qemu_reap (q);
  GvtSourceChange changes = poll_until (session, vm_is, GINT_TO_POINTER (GVT_VM_GONE));
  g_assert_true (changes & GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpuint (release.calls, ==, 1);
  g_assert_true (release.had_primary);
  g_assert_null (gvt_session_get_primary (session));
  g_assert_cmpint (gvt_session_get_state (session), ==, GVT_SOURCE_STATE_NO_SIGNAL);
}

static void
on_wake (gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* Iterates the main context, without polling the session, until @wakes
 * or 10 s. */
static void
wait_wake (const guint *wakes)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (*wakes == 0 && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
  g_assert_cmpuint (*wakes, >, 0);
}

/* A session nobody polls (a minimised window) is woken when the VM ends,
 * and not otherwise: one poll then lets go of everything. */
static void
test_wakes_unpolled (void)
{
  g_autoptr (Qemu) q = qemu_start (FALSE);
  g_autoptr (GError) error = NULL;
  GvtSessionConfig config = { .device = "sim:64x32", .fd = -1, .qmp = q->qmp };
  g_autoptr (GvtSession) session = gvt_session_new_full (&config, &error);
  Release release = { 0 };
  guint wakes = 0;

  g_assert_no_error (error);
  gvt_session_set_release_hook (session, on_release, &release);
  gvt_session_set_wake_hook (session, on_wake, &wakes);
  poll_until (session, is_live, NULL);
  /* Nothing happens to the VM: no wake (a hidden window stays asleep). */
  poll_for (session, 500 * 1000);
  g_assert_cmpuint (wakes, ==, 0);

  ctl (q, "quit");
  qemu_reap (q);
  wait_wake (&wakes);
  g_assert_cmpuint (release.calls, ==, 0);
  g_assert_nonnull (gvt_session_get_primary (session));
  /* The socket's end is seen too (QEMU's SHUTDOWN event came first). */
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (gvt_session_get_vm_state (session) != GVT_VM_GONE && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
  g_assert_cmpint (gvt_session_get_vm_state (session), ==, GVT_VM_GONE);
  g_assert_cmpuint (wakes, >=, 2);
  gvt_session_poll (session, g_get_monotonic_time ());
  g_assert_cmpuint (release.calls, ==, 1);
  g_assert_true (release.had_primary);
  g_assert_null (gvt_session_get_primary (session));
}

/* The QEMU process alone (no QMP link): its exit wakes the session, and
 * the poll that follows closes the device taken from it. */
static void
test_wakes_on_exit (void)
{
  const char *argv[] = { "sleep", "60", NULL };
  GPid pid;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                                &error));
  GvtSessionConfig config = { .device = "sim:64x32", .fd = -1, .qemu_pid = pid };
  g_autoptr (GvtSession) session = gvt_session_new_full (&config, &error);
  g_assert_no_error (error);
  guint wakes = 0;
  gvt_session_set_wake_hook (session, on_wake, &wakes);
  poll_until (session, is_live, NULL);
  poll_for (session, 200 * 1000);
  g_assert_cmpuint (wakes, ==, 0);

  kill (pid, SIGKILL);
  wait_wake (&wakes);
  g_assert_cmpuint (wakes, ==, 1);
  g_assert_nonnull (gvt_session_get_primary (session));
  gvt_session_poll (session, g_get_monotonic_time ());
  g_assert_null (gvt_session_get_primary (session));
  g_assert_cmpint (gvt_session_get_vm_state (session), ==, GVT_VM_GONE);
  /* The device is closed: no source, no scanout. */
  g_assert_null (gvt_session_get_shown (session));
  GvtScanoutStats stats;
  gvt_session_get_scanout_stats (session, &stats);
  g_assert_cmpuint (stats.polls, ==, 0);
  int status;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
}

static void
test_bad_sockets (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gvt-qmp-bad-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (dir, "nosuch.sock", NULL);
  g_autofree char *plain = g_build_filename (dir, "plain-file", NULL);
  int fds = gvt_test_count_fds ();

  g_assert_true (g_file_set_contents (plain, "not a socket", -1, NULL));
  const char *paths[] = { missing, plain };
  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr (GError) error = NULL;
      GvtSessionConfig config = { .fd = -1, .qmp = paths[i] };
      g_assert_null (gvt_session_new_full (&config, &error));
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_true (g_str_has_prefix (error->message, "cannot connect to QMP socket "));
      g_assert_nonnull (strstr (error->message, paths[i]));
    }
  /* The vGPU and the link: a bad link fails the whole, and closes the device. */
  g_autoptr (GError) error = NULL;
  GvtSessionConfig both = { .device = "sim", .fd = -1, .qmp = missing };
  g_assert_null (gvt_session_new_full (&both, &error));
  g_assert_nonnull (strstr (error->message, "-qmp unix:"));
  /* Nothing left behind: no fd, no screendump directory. */
  g_assert_cmpint (gvt_test_count_fds (), ==, fds);
  g_unlink (plain);
  g_rmdir (dir);
}

/* qemu:X's session: QEMU's only QMP socket held by another client (QEMU
 * serves one at a time: ours gets no greeting), and the vGPU is shown
 * without the link; the same with the link required fails, and without a
 * vGPU an optional link is still the whole session. Each attempt's
 * connection stays in QEMU's listen queue (QEMU accepts none while it
 * serves the holder; it listens with a backlog of one): the third finds
 * the queue full and is refused at once, saying why. */
static void
test_optional_link (void)
{
  g_autoptr (Qemu) q = qemu_start (TRUE);
  g_autoptr (GvtTestQmp) holder = gvt_test_qmp_connect (q->qmp);
  g_autoptr (GError) error = NULL;
  int fds = gvt_test_count_fds ();

  GvtSessionConfig required = { .device = "sim:64x32", .fd = -1, .qmp = q->qmp };
  g_assert_null (gvt_session_new_full (&required, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "serves one client at a time"));
  g_clear_error (&error);
  /* Nothing left of the attempt: not the device, not the connection. */
  if (gvt_test_settled_fds (fds, 2000) != fds)
    {
      gvt_test_dump_fds ();
      g_error ("%d fds open, %d before", gvt_test_count_fds (), fds);
    }

  GvtSessionConfig alone = { .fd = -1, .qmp = q->qmp, .qmp_optional = TRUE };
  g_assert_null (gvt_session_new_full (&alone, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_TIMED_OUT);
  g_clear_error (&error);

  GvtSessionConfig optional = { .device = "sim:64x32", .fd = -1, .qmp = q->qmp,
                                .qmp_optional = TRUE };
  g_autoptr (GvtSession) session = gvt_session_new_full (&optional, &error);
  g_assert_no_error (error);
  g_assert_null (gvt_session_get_vm (session));
  g_assert_null (gvt_session_get_fallback (session));
  g_assert_cmpint (gvt_session_get_vm_state (session), ==, GVT_VM_NONE);
  poll_until (session, is_live, NULL);
  g_assert_cmpstr (gvt_source_get_kind (gvt_session_get_shown (session)), ==, "vfio");

  g_assert_null (gvt_session_new_full (&required, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "takes no more connections: QEMU serves one QMP "
                                            "client at a time"));
  /* The holder's link is untouched. */
  g_autoptr (JsonNode) status = gvt_test_qmp_run (holder, "{\"execute\": \"query-status\"}");
  g_assert_nonnull (status);
}

/* Screendumps from a hostile peer (tests/qemu/hostile-dumps.py): 64 MiB
 * of trailing bytes after the pixels cost nothing and are never kept; a
 * file cut to nothing after the answer (it would SIGBUS a mapping) leaves
 * a picture that is whole or none. */
static void
check_pattern (GvtPlane *plane)
{
  g_assert_cmpuint (gvt_plane_get_width (plane), ==, 64);
  g_assert_cmpuint (gvt_plane_get_height (plane), ==, 32);
  const guint8 *p = gvt_buffer_map (gvt_plane_get_buffer (plane), NULL);
  guint stride = gvt_plane_get_stride (plane);
  for (guint y = 0; y < 32; y++)
    for (guint x = 0; x < 64; x++)
      {
        const guint8 *px = p + y * stride + x * 3;
        if (px[0] != 4 * x || px[1] != 8 * y || px[2] != 0x5a)
          g_error ("pixel %u,%u is %u,%u,%u", x, y, px[0], px[1], px[2]);
      }
}

static guint
mapped_dumps (void)
{
  g_autofree char *maps = NULL;
  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  guint n = 0;
  for (const char *at = maps; (at = strstr (at, "screen.ppm")) != NULL; at++)
    n++;
  return n;
}

static void
test_hostile_dumps (gconstpointer data)
{
  const char *mode = data;
  g_autofree char *dir = g_dir_make_tmp ("gvt-hostile-XXXXXX", NULL);
  g_autofree char *sock = g_build_filename (dir, "qmp.sock", NULL);
  g_autofree char *script = g_build_filename (GVT_TEST_SRCDIR, "qemu", "hostile-dumps.py", NULL);
  const char *argv[] = { "python3", script, mode, sock, NULL };
  GPid pid = gvt_test_spawn_qemu (argv, NULL);
  g_assert_true (gvt_test_wait_listening (sock, pid));
  g_autoptr (GError) error = NULL;
  GvtSessionConfig config = { .fd = -1, .qmp = sock, .ramfb = "fb0" };
  g_autoptr (GvtSession) session = gvt_session_new_full (&config, &error);
  g_assert_no_error (error);

  poll_until (session, is_live, NULL);
  check_pattern (gvt_session_get_primary (session));
  /* Dump after dump, each one past the cut of the one before. */
  GvtSource *ramfb = gvt_session_get_fallback (session);
  guint dumps = gvt_source_ramfb_get_dumps (ramfb);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (gvt_source_ramfb_get_dumps (ramfb) < dumps + 3 && g_get_monotonic_time () < deadline)
    poll_for (session, 300 * 1000);
  g_assert_cmpuint (gvt_source_ramfb_get_dumps (ramfb), >=, dumps + 3);
  GvtPlane *primary = gvt_session_get_primary (session);
  if (primary != NULL)
    check_pattern (primary);
  else
    g_assert_cmpstr (mode, ==, "cut");
  g_assert_cmpuint (mapped_dumps (), ==, 0);
  g_test_message ("%s: %u dumps read", mode, gvt_source_ramfb_get_dumps (ramfb));
  g_clear_pointer (&session, gvt_session_free);
  gvt_test_kill (pid);
  g_unlink (sock);
  g_rmdir (dir);
}

/* gvt-view as root, the QMP peer as nobody: the screendump directory is
 * handed to the peer's user, who may rename it and put a symlink to a
 * directory of root's in its place (swap), or make the dump a hard link
 * (hardlink). Neither makes gvt-view read, show or delete anything but
 * the peer's own dump in the directory it made. */
static void
test_hostile_dir (gconstpointer data)
{
  const char *mode = data;
  /* The qemu suite runs as root (CI does; test-attach.sh needs it too). */
  if (geteuid () != 0)
    g_error ("gvt-view as root and a QMP peer as nobody: run the qemu suite as root");
  g_autofree char *dir = g_dir_make_tmp ("gvt-hostile-XXXXXX", NULL);
  g_assert_cmpint (chown (dir, 65534, 65534), ==, 0);
  g_autofree char *sock = g_build_filename (dir, "qmp.sock", NULL);
  /* Root's: a picture nobody else may see, in a directory nobody else may enter. */
  g_autofree char *secret = g_dir_make_tmp ("gvt-secret-XXXXXX", NULL);
  g_autofree char *secret_file = g_build_filename (secret, "screen.ppm", NULL);
  GString *ppm = g_string_new ("P6\n64 32\n255\n");
  for (int i = 0; i < 64 * 32 * 3; i++)
    g_string_append_c (ppm, (char) 0xee);
  g_assert_true (g_file_set_contents (secret_file, ppm->str, (gssize) ppm->len, NULL));
  g_string_free (ppm, TRUE);

  g_autofree char *script = g_build_filename (GVT_TEST_SRCDIR, "qemu", "hostile-dumps.py", NULL);
  const char *argv[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                         /* Debian's own (a user's python3 on PATH may be theirs alone). */
                         "/usr/bin/python3", script, mode, sock, secret, NULL };
  GPid pid = gvt_test_spawn_qemu (argv, NULL);
  g_assert_true (gvt_test_wait_listening (sock, pid));
  g_autoptr (GError) error = NULL;
  GvtSessionConfig config = { .fd = -1, .qmp = sock, .ramfb = "fb0" };
  GvtSession *session = gvt_session_new_full (&config, &error);
  g_assert_no_error (error);
  GvtSource *ramfb = gvt_session_get_fallback (session);

  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (gvt_source_ramfb_get_dumps (ramfb) < 3 && g_get_monotonic_time () < deadline)
    poll_for (session, 300 * 1000);
  g_assert_cmpuint (gvt_source_ramfb_get_dumps (ramfb), >=, 3);
  /* The directory made for the peer's user (in /tmp), once connected. */
  g_autofree char *shared = g_strdup (gvt_source_ramfb_get_dir (ramfb));
  g_assert_true (g_str_has_prefix (shared, g_get_tmp_dir ()));
  g_test_message ("%s: %s", mode, gvt_session_get_reason (session));
  g_assert_null (gvt_session_get_primary (session));
  g_assert_true (g_file_test (secret_file, G_FILE_TEST_IS_REGULAR));
  g_clear_pointer (&session, gvt_session_free);
  /* Root's picture is where it was, whole. */
  g_autofree char *after = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (secret_file, &after, &len, NULL));
  g_assert_cmpuint (len, ==, strlen ("P6\n64 32\n255\n") + 64 * 32 * 3);

  gvt_test_kill (pid);
  g_autofree char *moved = g_strconcat (shared, ".moved", NULL);
  g_unlink (shared);   /* the peer's symlink (swap) */
  g_rmdir (moved);
  g_rmdir (shared);
  g_autofree char *own = g_build_filename (dir, "own.ppm", NULL);
  g_unlink (own);
  g_unlink (sock);
  g_rmdir (dir);
  g_unlink (secret_file);
  g_rmdir (secret);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gvt_test_warm_up_glib ();
  /* Our own runtime directory: the screendump directories are checked. */
  g_autofree char *runtime = g_dir_make_tmp ("gvt-runtime-XXXXXX", NULL);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_test_add_func ("/session-qemu/ramfb-only", test_ramfb_only);
  g_test_add_func ("/session-qemu/vgpu-reset-and-exit", test_vgpu_reset_and_exit);
  g_test_add_func ("/session-qemu/quit-releases", test_quit_releases);
  g_test_add_func ("/session-qemu/wakes-unpolled", test_wakes_unpolled);
  g_test_add_func ("/session-qemu/wakes-on-exit", test_wakes_on_exit);
  g_test_add_func ("/session-qemu/bad-sockets", test_bad_sockets);
  g_test_add_func ("/session-qemu/optional-link", test_optional_link);
  g_test_add_data_func ("/session-qemu/hostile-dumps/trailing", "trailing", test_hostile_dumps);
  g_test_add_data_func ("/session-qemu/hostile-dumps/cut", "cut", test_hostile_dumps);
  g_test_add_data_func ("/session-qemu/hostile-dir/swap", "swap", test_hostile_dir);
  g_test_add_data_func ("/session-qemu/hostile-dir/hardlink", "hardlink", test_hostile_dir);
  int status = g_test_run ();
  /* Every session removed its directory. */
  g_autoptr (GDir) left = g_dir_open (runtime, 0, NULL);
  const char *name = left ? g_dir_read_name (left) : NULL;
  if (name != NULL)
    {
      g_printerr ("left in the runtime directory: %s\n", name);
      status = 1;
    }
  g_rmdir (runtime);
  return status;
}
