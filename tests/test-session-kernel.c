/* Tests for the session (display/session.c) on the kernel backend and the
 * fake VFIO kernel, for what the simulator can't show: a device opened by
 * its group that is removed and comes back, an inherited fd that can't be
 * reopened, a reopen lost again at its first poll — and at every step, no
 * fd left behind and each thing said once. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "session-fixture.h"
#include "testutil.h"
#include "common/format.h"
#include "display/session.h"

/* Lines of the fake's log starting with @prefix. */
static guint
count_calls (Fixture *f, const char *prefix)
{
  g_autofree char *log = gvt_fake_kernel_get_log (f->fake, prefix);
  guint n = 0;

  for (const char *p = log; (p = strchr (p, '\n')) != NULL; p++)
    n++;
  return n;
}

/* What a launcher does: the group dance by hand, the device fd handed on. */
static int
open_device_by_hand (int *container, int *group)
{
  *container = open (GVT_FAKE_CONTAINER, O_RDWR | O_CLOEXEC);
  *group = open ("/dev/vfio/7", O_RDWR | O_CLOEXEC);
  g_assert_cmpint (*container, >=, 0);
  g_assert_cmpint (*group, >=, 0);
  g_assert_cmpint (ioctl (*group, VFIO_GROUP_SET_CONTAINER, container), ==, 0);
  g_assert_cmpint (ioctl (*container, VFIO_SET_IOMMU, (unsigned long) VFIO_TYPE1v2_IOMMU), ==, 0);
  int fd = ioctl (*group, VFIO_GROUP_GET_DEVICE_FD, GVT_FAKE_UUID);
  g_assert_cmpint (fd, >=, 0);
  return fd;
}

/* The session on /dev/vfio/7 showing the 640x480 plane at T0. */
static void
open_group_session (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  set_primary (f, 640, 480, 1);
  f->session = gvt_session_new (gvt_fake_kernel_get_group_path (f->fake), -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gvt_session_get_name (f->session), ==, "vfio 7");
  g_assert_cmpstr (gvt_session_get_device (f->session), ==, "/dev/vfio/7");
  g_assert_true (gvt_session_can_reopen (f->session));

  g_assert_true (poll_at (f, T0) & GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_session_get_state (f->session), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_cmpuint (gvt_plane_get_width (gvt_session_get_primary (f->session)), ==, 640);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 1);
}

/* The state of a session whose device is closed. */
static void
assert_lost (Fixture *f)
{
  g_assert_cmpint (gvt_session_get_state (f->session), ==, GVT_SOURCE_STATE_LOST);
  g_assert_nonnull (gvt_session_get_reason (f->session));
  g_assert_null (gvt_session_get_primary (f->session));
  g_assert_null (gvt_session_get_cursor (f->session));
  g_assert_null (gvt_session_get_shown (f->session));
  GvtScanoutStats stats;
  gvt_session_get_scanout_stats (f->session, &stats);
  g_assert_cmpuint (stats.polls, ==, 0);
}

/* The mdev is removed (group and all) and the session's next tick notices.
 * Returns when: the reopen clock starts then. */
static gint64
remove_device (Fixture *f)
{
  gvt_fake_kernel_set_removed (f->fake, TRUE);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                         "vfio 7: device lost during the primary plane query: No such device");
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                         "vfio 7: device lost: *reopening it until it is back");
  GvtSourceChange change = poll_at (f, f->now + TICK_US);
  g_test_assert_expected_messages ();
  g_assert_true (change & GVT_SOURCE_LOST);
  assert_lost (f);
  /* Closed at once: pinned guest memory and the device itself let go,
   * so that the removal can finish. */
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 0);
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
  return f->now;
}

/* ---- by group path: lost, not back for a while, then back ---- */

static void
test_group_removed_and_back (Fixture *f, gconstpointer data)
{
  open_group_session (f);
  gint64 lost_at = remove_device (f);
  g_assert_cmpuint (f->losses, ==, 1);

  /* Not due yet: nothing tried, nothing said, the loss not said again. */
  gvt_fake_kernel_clear_log (f->fake);
  g_ptr_array_set_size (f->messages, 0);
  for (gint64 t = lost_at + TICK_US; t < lost_at + GVT_SESSION_REOPEN_INTERVAL_US; t += 100000)
    g_assert_cmpint (poll_at (f, t), ==, GVT_SOURCE_NOTHING);
  g_autofree char *log = gvt_fake_kernel_get_log (f->fake, NULL);
  g_assert_cmpstr (log, ==, "");
  g_assert_cmpuint (count_said (f, 'M', ""), ==, 0);
  assert_lost (f);

  /* Due every interval while the group is gone: the first failure is said,
   * the later ones only at debug level, and no attempt keeps an fd. */
  const guint attempts = 5;
  for (guint i = 1; i <= attempts; i++)
    {
      gint64 due = lost_at + i * GVT_SESSION_REOPEN_INTERVAL_US;
      g_assert_cmpint (poll_at (f, due), ==, GVT_SOURCE_NOTHING);
      g_assert_cmpuint (count_calls (f, "container GET_API_VERSION"), ==, i);
      assert_lost (f);
      g_assert_cmpuint (gvt_session_get_reopens (f->session), ==, 0);
      g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
      g_assert_cmpuint (count_said (f, 'M', ""), ==, 1);
      g_assert_cmpuint (count_said (f, 'M', "/dev/vfio/7 is not back yet: "
                                            "cannot open /dev/vfio/7: no such VFIO group"), ==, 1);
      g_assert_cmpuint (count_said (f, 'D', "cannot open /dev/vfio/7: no such VFIO group"),
                        ==, i - 1);

      /* Between attempts: no attempt. */
      g_assert_cmpint (poll_at (f, due + TICK_US), ==, GVT_SOURCE_NOTHING);
      g_assert_cmpint (poll_at (f, due + GVT_SESSION_REOPEN_INTERVAL_US - 1), ==,
                       GVT_SOURCE_NOTHING);
      g_assert_cmpuint (count_calls (f, "container GET_API_VERSION"), ==, i);
    }

  /* The mdev is created again, showing another mode. The next due
   * attempt, not an earlier tick, opens it. */
  gvt_fake_kernel_set_removed (f->fake, FALSE);
  set_primary (f, 800, 600, 1);
  gint64 due = lost_at + (attempts + 1) * GVT_SESSION_REOPEN_INTERVAL_US;
  g_assert_cmpint (poll_at (f, due - TICK_US), ==, GVT_SOURCE_NOTHING);
  g_assert_cmpuint (count_calls (f, "container GET_API_VERSION"), ==, attempts);
  g_assert_cmpuint (gvt_session_get_reopens (f->session), ==, 0);

  GvtSourceChange change = poll_at (f, due);
  g_assert_true (change & GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_false (change & GVT_SOURCE_LOST);
  g_assert_cmpuint (count_said (f, 'M', "/dev/vfio/7 is back"), ==, 1);
  g_assert_cmpuint (gvt_session_get_reopens (f->session), ==, 1);
  g_assert_cmpint (gvt_session_get_state (f->session), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_null (gvt_session_get_reason (f->session));
  GvtPlane *primary = gvt_session_get_primary (f->session);
  g_assert_nonnull (primary);
  g_assert_cmpuint (gvt_plane_get_width (primary), ==, 800);
  g_assert_cmpuint (gvt_plane_get_height (primary), ==, 600);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 1);

  /* And it stays: a steady picture, nothing more said. */
  for (int i = 1; i <= 3; i++)
    g_assert_cmpint (poll_at (f, due + i * TICK_US), ==, GVT_SOURCE_NOTHING);
  g_assert_cmpuint (count_said (f, 'M', ""), ==, 2);
  g_assert_cmpuint (f->losses, ==, 1);
  g_assert_cmpuint (gvt_session_get_reopens (f->session), ==, 1);

  g_clear_pointer (&f->session, gvt_session_free);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 0);
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
}

/* ---- an inherited fd is never reopened ---- */

static void
test_fd_never_reopened (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  int container, group;

  set_primary (f, 640, 480, 1);
  int fd = open_device_by_hand (&container, &group);
  f->session = gvt_session_new (NULL, fd, &error);
  g_assert_no_error (error);
  g_autofree char *name = g_strdup_printf ("fd %d", fd);
  g_assert_cmpstr (gvt_session_get_name (f->session), ==, name);
  g_assert_false (gvt_session_can_reopen (f->session));
  g_assert_null (gvt_session_get_device (f->session));
  g_assert_true (poll_at (f, T0) & GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_session_get_state (f->session), ==, GVT_SOURCE_STATE_LIVE);

  /* A device fd has no sysfs entry to watch: the kernel's ENODEV it is. */
  gvt_fake_kernel_unplug (f->fake);
  g_autofree char *warning = g_strdup_printf ("%s: device lost during the primary plane query: "
                                              "No such device", name);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, warning);
  g_assert_true (poll_at (f, T0 + TICK_US) & GVT_SOURCE_LOST);
  g_test_assert_expected_messages ();
  gint64 lost_at = f->now;
  assert_lost (f);
  /* Said without a promise to reopen. */
  g_autofree char *lost = g_strdup_printf ("%s: device lost: ", name);
  g_assert_cmpuint (count_said (f, 'M', lost), ==, 1);
  g_assert_cmpuint (count_said (f, 'M', "reopening"), ==, 0);
  /* The session owned the fd: closed with the device. The launcher's
   * container and group are its own (each counts twice: as an open file
   * and as a connection to the fake). */
  const int launcher_fds = f->fds + 2 * 2;
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 0);
  g_assert_cmpint (gvt_fake_settle_fds (launcher_fds), ==, launcher_fds);

  /* Several reopen intervals: no attempt, nothing said, still lost. */
  gvt_fake_kernel_clear_log (f->fake);
  g_ptr_array_set_size (f->messages, 0);
  for (gint64 t = lost_at + TICK_US; t <= lost_at + 5 * GVT_SESSION_REOPEN_INTERVAL_US;
       t += 100000)
    g_assert_cmpint (poll_at (f, t), ==, GVT_SOURCE_NOTHING);
  assert_lost (f);
  g_assert_cmpuint (gvt_session_get_reopens (f->session), ==, 0);
  g_assert_cmpuint (f->losses, ==, 1);
  g_autofree char *log = gvt_fake_kernel_get_log (f->fake, NULL);
  g_assert_cmpstr (log, ==, "");
  g_assert_cmpuint (count_said (f, 'M', ""), ==, 0);
  g_assert_cmpuint (count_said (f, 'D', "reopen"), ==, 0);
  g_assert_cmpint (gvt_fake_settle_fds (launcher_fds), ==, launcher_fds);

  close (group);
  close (container);
  g_clear_pointer (&f->session, gvt_session_free);
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
}

/* ---- a reopen lost again at its first poll is no reopen ---- */

static void
test_reopen_lost_at_first_poll (Fixture *f, gconstpointer data)
{
  open_group_session (f);
  gint64 lost_at = remove_device (f);

  /* The device opens again, but is gone by its first plane query. */
  gvt_fake_kernel_set_removed (f->fake, FALSE);
  set_primary (f, 640, 480, 1);
  gvt_fake_kernel_fail_next_query (f->fake, ENODEV);
  g_ptr_array_set_size (f->messages, 0);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                         "vfio 7: device lost during the primary plane query: No such device");
  gint64 due = lost_at + GVT_SESSION_REOPEN_INTERVAL_US;
  GvtSourceChange change = poll_at (f, due);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (count_calls (f, "group GET_DEVICE_FD"), >=, 1);

  /* Not back, and not lost a second time: the loss was reported already. */
  g_assert_false (change & GVT_SOURCE_LOST);
  g_assert_cmpuint (count_said (f, 'M', "is back"), ==, 0);
  g_assert_cmpuint (gvt_session_get_reopens (f->session), ==, 0);
  assert_lost (f);
  /* The device it opened is closed at once, like any failed reopen. */
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 0);
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
  for (gint64 t = due + TICK_US; t < due + GVT_SESSION_REOPEN_INTERVAL_US; t += 100000)
    g_assert_false (poll_at (f, t) & GVT_SOURCE_LOST);
  g_assert_cmpuint (count_said (f, 'M', "device lost"), ==, 0);
  g_assert_cmpuint (count_said (f, 'M', "is back"), ==, 0);
  g_assert_cmpuint (f->losses, ==, 1);
  assert_lost (f);

  /* The device stays this time: the next due attempt has it back. */
  change = poll_at (f, due + GVT_SESSION_REOPEN_INTERVAL_US);
  g_assert_true (change & GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_false (change & GVT_SOURCE_LOST);
  g_assert_cmpuint (count_said (f, 'M', "/dev/vfio/7 is back"), ==, 1);
  g_assert_cmpuint (gvt_session_get_reopens (f->session), ==, 1);
  g_assert_cmpint (gvt_session_get_state (f->session), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_cmpuint (f->losses, ==, 1);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 1);

  g_clear_pointer (&f->session, gvt_session_free);
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
}

int
main (int argc, char **argv)
{
  gvt_test_ensure_umockdev (argc, argv);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/session-kernel/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("group/removed-and-back", test_group_removed_and_back);
  ADD ("fd/never-reopened", test_fd_never_reopened);
  ADD ("reopen/lost-at-first-poll", test_reopen_lost_at_first_poll);

  return g_test_run ();
}
