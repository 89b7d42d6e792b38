/* Tests for the vGPU of a running process (vgpu-process.c): listing VFIO
 * device fds on a fake /proc and sysfs and on a real child, taking a real
 * child's fds, the kernel's refusal for another user (as uid 65534 when
 * run as root), exited processes and bad numbers, and the selection of
 * gvt_vgpu_open_from_process up to the display probe. The probe itself
 * needs a real VFIO device in another process (umockdev's emulation is
 * per process): the in-VM suite (tests/kernel) runs it on mbochs. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "common/gvt-error.h"
#include "vgpu/vgpu.h"
#include "vgpu/vgpu-process.h"

#define NOBODY 65534
#define UUID_A "4b1d9d2e-5c1a-4f4e-8e2b-6a7c0d3e9f10"
#define UUID_B "0d6e2c1b-9a3f-4e5d-8c7b-1a2b3c4d5e6f"

/* Where the holder child keeps its files: numbers no test process has
 * open by chance. */
#define HOLD_MEMFD 100
#define HOLD_EVENTFD 101
#define HOLD_NULL 102
#define HOLD_SOCKET 103
#define MEMFD_TEXT "the pixels of a guest"
#define EVENTFD_VALUE 7

static void
assert_message_has (const GError *error, const char *needle)
{
  if (strstr (error->message, needle) == NULL)
    g_error ("message '%s' lacks '%s'", error->message, needle);
}

/* ---- a fake /proc and /sys in a temporary directory ---- */

typedef struct {
  char *dir;
  char *proc;
  char *sys;
} Fake;

static void
fake_set_up (Fake *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("gvt-process-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->proc = g_build_filename (f->dir, "proc", NULL);
  f->sys = g_build_filename (f->dir, "sys", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->proc, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (f->sys, 0755), ==, 0);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      const char *name;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR)
              && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            unlink (child);
        }
      g_dir_close (dir);
    }
  rmdir (path);
}

static void
fake_tear_down (Fake *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->proc);
  g_free (f->sys);
}

static void
write_file (const char *path, const char *text)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
make_link (const char *path, const char *target)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_cmpint (symlink (target, path), ==, 0);
}

/* /proc/PID/fd/FD -> TARGET, with an fdinfo that has @syspath's line when
 * it is not NULL, as 6.18 writes it. */
static void
fake_fd (Fake *f, int pid, int fd, const char *target, const char *syspath)
{
  g_autofree char *link = g_strdup_printf ("%s/%d/fd/%d", f->proc, pid, fd);
  make_link (link, target);
  g_autofree char *info_path = g_strdup_printf ("%s/%d/fdinfo/%d", f->proc, pid, fd);
  g_autofree char *info = g_strdup_printf ("pos:\t0\nflags:\t02000002\nmnt_id:\t15\n"
                                           "ino:\t1057\n%s%s%s", syspath ? "vfio-device-syspath: " : "",
                                           syspath ? syspath : "", syspath ? "\n" : "");
  write_file (info_path, info);
}

static void
fake_process (Fake *f, int pid, const char *comm, int uid)
{
  g_autofree char *comm_path = g_strdup_printf ("%s/%d/comm", f->proc, pid);
  g_autofree char *comm_text = g_strdup_printf ("%s\n", comm);
  write_file (comm_path, comm_text);
  g_autofree char *status_path = g_strdup_printf ("%s/%d/status", f->proc, pid);
  g_autofree char *status = g_strdup_printf ("Name:\t%s\nState:\tS (sleeping)\nUid:\t%d\t%d\t%d\t%d\n",
                                             comm, uid, uid, uid, uid);
  write_file (status_path, status);
  g_autofree char *fd_dir = g_strdup_printf ("%s/%d/fd", f->proc, pid);
  g_assert_cmpint (g_mkdir_with_parents (fd_dir, 0755), ==, 0);
}

/* A device directory under the fake sysfs, and its path. */
static char *
fake_device (Fake *f, const char *rel)
{
  char *path = g_build_filename (f->sys, "devices", rel, NULL);
  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
  return path;
}

/* /sys/kernel/iommu_groups/GROUP/devices/NAME -> the device at @device. */
static void
fake_group_member (Fake *f, int group, const char *device)
{
  g_autofree char *name = g_path_get_basename (device);
  g_autofree char *link = g_strdup_printf ("%s/kernel/iommu_groups/%d/devices/%s", f->sys,
                                           group, name);
  make_link (link, device);
}

static const GvtProcessVfioFd *
entry_at (GArray *fds, guint i)
{
  return &g_array_index (fds, GvtProcessVfioFd, i);
}

static char *
real_path (const char *path)
{
  char *real = realpath (path, NULL);
  g_assert_nonnull (real);
  return real;
}

/* Every kind of link a QEMU has, and where each device fd's syspath comes
 * from: the fdinfo line, the cdev's sysfs, nothing. */
static void
test_list_fake (Fake *f, gconstpointer data)
{
  const int pid = 4242;
  g_autofree char *gvt = fake_device (f, "pci0000:00/0000:00:02.0/" UUID_A);
  g_autofree char *nic = fake_device (f, "pci0000:00/0000:00:1c.0/0000:01:00.0");
  g_autofree char *cdev_link = g_build_filename (f->sys, "class/vfio-dev/vfio0/device", NULL);

  fake_process (f, pid, "qemu-system-x86", 0);
  fake_fd (f, pid, 0, "/dev/null", NULL);
  fake_fd (f, pid, 3, "socket:[31337]", NULL);
  fake_fd (f, pid, 4, "anon_inode:[eventfd]", NULL);
  fake_fd (f, pid, 5, "/dev/vfio/vfio", NULL);
  fake_fd (f, pid, 6, "/dev/vfio/7", NULL);
  fake_fd (f, pid, 12, "/dev/vfio/12", NULL);
  fake_fd (f, pid, 13, "/dev/vfio/noiommu-0", NULL);
  fake_fd (f, pid, 17, "anon_inode:[vfio-device]", "/sys/devices/pci0000:00/0000:00:02.0/" UUID_A);
  fake_fd (f, pid, 9, "anon_inode:[vfio-device]", NULL);
  fake_fd (f, pid, 14, "anon_inode:[vfio-devices]", NULL);
  make_link (cdev_link, nic);
  fake_fd (f, pid, 25, "/dev/vfio/devices/vfio0", NULL);
  /* fdinfo before the cdev's sysfs. */
  fake_fd (f, pid, 30, "/dev/vfio/devices/vfio1", "/sys/devices/platform/x");
  fake_fd (f, pid, 31, "/dev/vfio/devices/", NULL);
  /* Not an fd: ignored. */
  g_autofree char *junk = g_strdup_printf ("%s/%d/fd/notes", f->proc, pid);
  write_file (junk, "x");

  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) fds = gvt_vgpu_process_list_fds_at (pid, f->proc, f->sys, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fds->len, ==, 4);

  /* Two groups: fd 9's device can't be told. */
  g_assert_cmpint (entry_at (fds, 0)->fd, ==, 9);
  g_assert_null (entry_at (fds, 0)->syspath);
  g_assert_cmpint (entry_at (fds, 1)->fd, ==, 17);
  g_assert_cmpstr (entry_at (fds, 1)->syspath, ==,
                   "/sys/devices/pci0000:00/0000:00:02.0/" UUID_A);
  g_assert_cmpint (entry_at (fds, 2)->fd, ==, 25);
  g_autofree char *nic_real = real_path (nic);
  g_assert_cmpstr (entry_at (fds, 2)->syspath, ==, nic_real);
  g_assert_cmpint (entry_at (fds, 3)->fd, ==, 30);
  g_assert_cmpstr (entry_at (fds, 3)->syspath, ==, "/sys/devices/platform/x");
  (void) gvt;
}

/* Before 6.18: one device fd and one group of one device go together. */
static void
test_list_group_inferred (Fake *f, gconstpointer data)
{
  const int pid = 777;
  g_autofree char *vgpu = fake_device (f, "pci0000:00/0000:00:02.0/" UUID_A);
  g_autofree char *vgpu_real = real_path (vgpu);

  fake_process (f, pid, "qemu-system-x86", 1000);
  fake_fd (f, pid, 5, "/dev/vfio/vfio", NULL);
  fake_fd (f, pid, 6, "/dev/vfio/7", NULL);
  fake_fd (f, pid, 7, "/dev/vfio/7", NULL); /* one group, twice */
  fake_fd (f, pid, 8, "anon_inode:[vfio-device]", NULL);
  fake_group_member (f, 7, vgpu);

  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) fds = gvt_vgpu_process_list_fds_at (pid, f->proc, f->sys, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fds->len, ==, 1);
  g_assert_cmpint (entry_at (fds, 0)->fd, ==, 8);
  g_assert_cmpstr (entry_at (fds, 0)->syspath, ==, vgpu_real);
  g_clear_pointer (&fds, g_array_unref);

  /* A group of two: which one QEMU opened is not known. */
  g_autofree char *other = fake_device (f, "pci0000:00/0000:00:02.0/" UUID_B);
  fake_group_member (f, 7, other);
  fds = gvt_vgpu_process_list_fds_at (pid, f->proc, f->sys, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fds->len, ==, 1);
  g_assert_null (entry_at (fds, 0)->syspath);
  g_clear_pointer (&fds, g_array_unref);

  /* Two device fds in two one-device groups: no guessing by fd order. */
  const int pid2 = 778;
  g_autofree char *nic = fake_device (f, "pci0000:00/0000:00:1c.0/0000:01:00.0");
  fake_process (f, pid2, "qemu-system-x86", 1000);
  fake_fd (f, pid2, 6, "/dev/vfio/8", NULL);
  fake_fd (f, pid2, 7, "anon_inode:[vfio-device]", NULL);
  fake_fd (f, pid2, 8, "/dev/vfio/9", NULL);
  fake_fd (f, pid2, 9, "anon_inode:[vfio-device]", NULL);
  fake_group_member (f, 8, vgpu);
  fake_group_member (f, 9, nic);
  fds = gvt_vgpu_process_list_fds_at (pid2, f->proc, f->sys, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fds->len, ==, 2);
  g_assert_null (entry_at (fds, 0)->syspath);
  g_assert_null (entry_at (fds, 1)->syspath);
}

static void
test_list_fake_missing (Fake *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (gvt_vgpu_process_list_fds (4242, f->proc, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  assert_message_has (error, "there is no process 4242");
  g_clear_error (&error);

  /* /proc/PID without fd/: a process on its way out. */
  g_autofree char *status = g_strdup_printf ("%s/4243/status", f->proc);
  write_file (status, "Name:\tqemu\nState:\tZ (zombie)\n");
  g_assert_null (gvt_vgpu_process_list_fds (4243, f->proc, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  assert_message_has (error, "process 4243 has exited");
  g_clear_error (&error);

  g_assert_null (gvt_vgpu_process_list_fds (0, f->proc, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  g_assert_null (gvt_vgpu_process_list_fds (-3, NULL, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
}

/* ---- real child processes ---- */

typedef struct {
  pid_t pid;
  int control; /* closing it makes the child exit */
} Holder;

static void
write_all (int fd, const void *buf, gsize len)
{
  const char *p = buf;
  while (len > 0)
    {
      gssize done = write (fd, p, len);
      if (done < 0 && errno == EINTR)
        continue;
      if (done <= 0)
        _exit (120);
      p += done;
      len -= done;
    }
}

static void
place_fd (int fd, int where)
{
  if (fd < 0 || dup2 (fd, where) < 0)
    _exit (121);
  close (fd);
}

/* A child that holds a memfd with MEMFD_TEXT, an eventfd at EVENTFD_VALUE,
 * /dev/null and a socket at the HOLD_ numbers until the test lets it go.
 * @uid >= 0: it runs as that user; @dumpable FALSE: it makes itself
 * undumpable, as a QEMU that changed its user is. */
static Holder
holder_start (int uid, gboolean dumpable)
{
  int ready[2], control[2];
  g_assert_cmpint (pipe2 (ready, O_CLOEXEC), ==, 0);
  g_assert_cmpint (pipe2 (control, O_CLOEXEC), ==, 0);

  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      close (ready[0]);
      close (control[1]);
      if (uid >= 0 && (setgroups (0, NULL) < 0 || setresgid (uid, uid, uid) < 0
                       || setresuid (uid, uid, uid) < 0))
        _exit (122);
      if (!dumpable && prctl (PR_SET_DUMPABLE, 0) < 0)
        _exit (123);

      int memfd = memfd_create ("gvt-test-hold", 0);
      write_all (memfd, MEMFD_TEXT, strlen (MEMFD_TEXT));
      place_fd (memfd, HOLD_MEMFD);
      int efd = eventfd (EVENTFD_VALUE, 0);
      place_fd (efd, HOLD_EVENTFD);
      place_fd (open ("/dev/null", O_RDONLY), HOLD_NULL);
      int pair[2];
      if (socketpair (AF_UNIX, SOCK_STREAM, 0, pair) < 0)
        _exit (124);
      place_fd (pair[0], HOLD_SOCKET);

      write_all (ready[1], "r", 1);
      char c;
      while (read (control[0], &c, 1) < 0 && errno == EINTR)
        ;
      _exit (0);
    }

  close (ready[1]);
  close (control[0]);
  char c;
  gssize got;
  do
    got = read (ready[0], &c, 1);
  while (got < 0 && errno == EINTR);
  close (ready[0]);
  g_assert_cmpint (got, ==, 1);
  return (Holder) { .pid = pid, .control = control[1] };
}

static void
holder_stop (Holder *holder)
{
  close (holder->control);
  int status;
  g_assert_cmpint (waitpid (holder->pid, &status, 0), ==, holder->pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* A process that is gone and reaped: its pid names nothing now. */
static pid_t
dead_pid (void)
{
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (0);
  int status;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return pid;
}

/* Runs @func as uid/gid @uid in a child and hands back its error (NULL:
 * none): what the kernel says to another user. */
typedef GError *(*AsUserFunc) (gpointer data);

static GError *
run_as_user (int uid, AsUserFunc func, gpointer data)
{
  int out[2];
  g_assert_cmpint (pipe2 (out, O_CLOEXEC), ==, 0);

  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      close (out[0]);
      if (setgroups (0, NULL) < 0 || setresgid (uid, uid, uid) < 0
          || setresuid (uid, uid, uid) < 0)
        _exit (122);
      GError *error = func (data);
      char *report = error ? g_strdup_printf ("%d\n%s", error->code, error->message)
                           : g_strdup ("none");
      write_all (out[1], report, strlen (report));
      /* Freed before _exit: valgrind follows the child and counts leaks. */
      g_free (report);
      g_clear_error (&error);
      _exit (0);
    }

  close (out[1]);
  g_autoptr (GString) report = g_string_new (NULL);
  char buf[1024];
  gssize got;
  while ((got = read (out[0], buf, sizeof buf)) != 0)
    {
      if (got < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (got, >, 0);
      g_string_append_len (report, buf, got);
    }
  close (out[0]);
  int status;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  if (strcmp (report->str, "none") == 0)
    return NULL;
  char *newline = strchr (report->str, '\n');
  g_assert_nonnull (newline);
  *newline = '\0';
  return g_error_new_literal (GVT_ERROR, atoi (report->str), newline + 1);
}

typedef struct {
  int pid;
  int fd;
} Target;

static GError *
take_as_user (gpointer data)
{
  const Target *target = data;
  GError *error = NULL;
  int fd = gvt_vgpu_process_take_fd (target->pid, target->fd, &error);
  if (fd >= 0)
    close (fd);
  return error;
}

static GError *
list_as_user (gpointer data)
{
  const Target *target = data;
  GError *error = NULL;
  GArray *fds = gvt_vgpu_process_list_fds (target->pid, NULL, &error);
  if (fds != NULL)
    g_array_unref (fds);
  return error;
}

static GError *
open_as_user (gpointer data)
{
  const Target *target = data;
  GError *error = NULL;
  GvtVgpu *vgpu = gvt_vgpu_open_from_process (target->pid, NULL, NULL, &error);
  gvt_vgpu_free (vgpu);
  return error;
}

/* The denial names the rule in force and every way out; QEMU's user
 * (@qemu_uid) unless the refused one is QEMU's user already. */
static void
assert_names_fix (const GError *error, int qemu_uid, gboolean same_user)
{
  g_autofree char *scope = NULL;

  g_assert_error (error, GVT_ERROR, GVT_ERROR_PERMISSION);
  if (g_file_get_contents ("/proc/sys/kernel/yama/ptrace_scope", &scope, NULL, NULL))
    {
      g_autofree char *said = g_strdup_printf ("kernel.yama.ptrace_scope is %d", atoi (scope));
      assert_message_has (error, said);
    }
  else
    assert_message_has (error, "no Yama");
  if (scope == NULL || atoi (scope) < 3)
    {
      assert_message_has (error, "run gvt-view as root (sudo)");
      if (scope == NULL || atoi (scope) < 2)
        assert_message_has (error, "`gvt-view run -- qemu-system-x86_64 ...`");
      if (!same_user)
        {
          g_autofree char *user = g_strdup_printf ("uid %d; you are ", qemu_uid);
          assert_message_has (error, user);
        }
      else
        assert_message_has (error, "you are QEMU's user");
    }
}

static void
test_list_real_child (void)
{
  Holder holder = holder_start (-1, TRUE);
  g_autoptr (GError) error = NULL;

  /* A memfd, an eventfd, /dev/null and a socket: none is a VFIO device. */
  g_autoptr (GArray) fds = gvt_vgpu_process_list_fds (holder.pid, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fds->len, ==, 0);
  g_clear_pointer (&fds, g_array_unref);

  fds = gvt_vgpu_process_list_fds (getpid (), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fds->len, ==, 0);
  holder_stop (&holder);
}

/* The refusal tests drop to uid NOBODY: only root can. Fails the test
 * (never skips) otherwise. */
static gboolean
running_as_root (void)
{
  if (getuid () == 0)
    return TRUE;
  g_test_fail_printf ("this test drops to uid %d to be refused: run it as root (CI does)", NOBODY);
  return FALSE;
}

/* Root can list anyone; nobody can't list root's process. */
static void
test_list_denied (void)
{
  if (!running_as_root ())
    return;

  Holder holder = holder_start (-1, TRUE);
  Target target = { .pid = holder.pid };
  g_autoptr (GError) error = run_as_user (NOBODY, list_as_user, &target);
  g_assert_nonnull (error);
  assert_names_fix (error, 0, FALSE);
  assert_message_has (error, "does not let gvt-view see its open files");
  holder_stop (&holder);
}

typedef struct {
  const char *proc;
  int pid;
} FakeTarget;

static GError *
list_fake_as_user (gpointer data)
{
  const FakeTarget *target = data;
  GError *error = NULL;
  GArray *fds = gvt_vgpu_process_list_fds (target->pid, target->proc, &error);
  if (fds != NULL)
    g_array_unref (fds);
  return error;
}

/* The advice follows the host: each Yama scope, none, QEMU's user known
 * or not, the same user. A fake /proc whose fd directory only root may
 * read, listed as nobody, reads them from the fake. */
static void
test_list_denied_advice (Fake *f, gconstpointer data)
{
  static const struct {
    const char *scope; /* NULL: no Yama */
    int qemu_uid;      /* -1: no status file */
    const char *needles[4];
  } cases[] = {
    { "0\n", 0, { "kernel.yama.ptrace_scope is 0, so a process's own user may",
                  "run gvt-view as QEMU's user (root, uid 0; you are nobody, uid 65534)",
                  "`gvt-view run -- qemu-system-x86_64 ...`", "or run gvt-view as root (sudo)" } },
    { "1\n", 0, { "kernel.yama.ptrace_scope is 1: only a process's parent or root",
                  "`gvt-view run -- qemu-system-x86_64 ...`",
                  "run gvt-view as QEMU's user (root, uid 0; you are nobody, uid 65534) after "
                  "`sudo sysctl kernel.yama.ptrace_scope=0`", "or run gvt-view as root (sudo)" } },
    { "1\n", NOBODY, { "you are QEMU's user (nobody, uid 65534), but kernel.yama.ptrace_scope "
                       "is 1", "`gvt-view run -- qemu-system-x86_64 ...`",
                       "`sudo sysctl kernel.yama.ptrace_scope=0`", "run gvt-view as root" } },
    { "0\n", NOBODY, { "you are QEMU's user (nobody, uid 65534): QEMU must have made itself "
                       "undumpable", "`gvt-view run", "run gvt-view as root (sudo)" } },
    { "2\n", 0, { "kernel.yama.ptrace_scope is 2: only root (CAP_SYS_PTRACE)",
                  "run gvt-view as root (sudo)", "`sudo sysctl kernel.yama.ptrace_scope=1`" } },
    { "3\n", 0, { "kernel.yama.ptrace_scope is 3", "until the next boot", "--fd N" } },
    { NULL, 0, { "this kernel has no Yama", "run gvt-view as QEMU's user (root, uid 0;",
                 "`gvt-view run", "run gvt-view as root (sudo)" } },
    { "banana", 0, { "kernel.yama.ptrace_scope can't be read", "`gvt-view run",
                     "run gvt-view as root (sudo)" } },
    { "1\n", -1, { "QEMU's user (not known: /proc/4242/status is unreadable; you are nobody",
                   "`gvt-view run" } },
  };
  const int pid = 4242;

  if (!running_as_root ())
    return;
  /* Nobody walks the tree; only the fd directory is root's alone. */
  g_assert_cmpint (chmod (f->dir, 0755), ==, 0);
  g_autofree char *pid_dir = g_strdup_printf ("%s/%d", f->proc, pid);
  g_autofree char *fd_dir = g_strdup_printf ("%s/fd", pid_dir);
  g_autofree char *status = g_strdup_printf ("%s/status", pid_dir);
  g_autofree char *scope = g_build_filename (f->proc, "sys/kernel/yama/ptrace_scope", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      fake_process (f, pid, "qemu-system-x86", MAX (cases[i].qemu_uid, 0));
      g_assert_cmpint (chmod (fd_dir, 0700), ==, 0);
      if (cases[i].qemu_uid < 0)
        unlink (status);
      unlink (scope);
      if (cases[i].scope != NULL)
        write_file (scope, cases[i].scope);

      FakeTarget target = { .proc = f->proc, .pid = pid };
      g_autoptr (GError) error = run_as_user (NOBODY, list_fake_as_user, &target);
      g_assert_nonnull (error);
      g_assert_error (error, GVT_ERROR, GVT_ERROR_PERMISSION);
      assert_message_has (error, "process 4242 (qemu-system-x86) does not let gvt-view see its "
                                 "open files");
      for (guint n = 0; n < G_N_ELEMENTS (cases[i].needles) && cases[i].needles[n]; n++)
        assert_message_has (error, cases[i].needles[n]);
    }
}

static void
assert_same_file (int pid, int fd, int copy)
{
  g_autofree char *theirs = g_strdup_printf ("/proc/%d/fd/%d", pid, fd);
  struct stat a, b;
  g_assert_cmpint (stat (theirs, &a), ==, 0);
  g_assert_cmpint (fstat (copy, &b), ==, 0);
  g_assert_cmpuint (a.st_dev, ==, b.st_dev);
  g_assert_cmpuint (a.st_ino, ==, b.st_ino);
  g_assert_cmpint (fcntl (copy, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);
}

static void
test_take (void)
{
  Holder holder = holder_start (-1, TRUE);
  g_autoptr (GError) error = NULL;
  int before = gvt_test_count_fds ();

  int memfd = gvt_vgpu_process_take_fd (holder.pid, HOLD_MEMFD, &error);
  g_assert_no_error (error);
  g_assert_cmpint (memfd, >=, 0);
  assert_same_file (holder.pid, HOLD_MEMFD, memfd);
  char text[64] = { 0 };
  g_assert_cmpint (pread (memfd, text, sizeof text - 1, 0), ==, strlen (MEMFD_TEXT));
  g_assert_cmpstr (text, ==, MEMFD_TEXT);

  int efd = gvt_vgpu_process_take_fd (holder.pid, HOLD_EVENTFD, &error);
  g_assert_no_error (error);
  assert_same_file (holder.pid, HOLD_EVENTFD, efd);
  guint64 value = 0;
  g_assert_cmpint (read (efd, &value, sizeof value), ==, sizeof value);
  g_assert_cmpuint (value, ==, EVENTFD_VALUE);

  close (memfd);
  close (efd);
  g_assert_cmpint (gvt_test_count_fds (), ==, before);

  /* The copy is the same open file: it outlives its holder. */
  memfd = gvt_vgpu_process_take_fd (holder.pid, HOLD_MEMFD, &error);
  g_assert_no_error (error);
  holder_stop (&holder);
  memset (text, 0, sizeof text);
  g_assert_cmpint (pread (memfd, text, sizeof text - 1, 0), ==, strlen (MEMFD_TEXT));
  g_assert_cmpstr (text, ==, MEMFD_TEXT);
  close (memfd);
}

/* Another user's QEMU: refused by the kernel (as nobody, against root). */
static void
test_take_denied_other_user (void)
{
  if (!running_as_root ())
    return;

  Holder holder = holder_start (-1, TRUE);
  Target target = { .pid = holder.pid, .fd = HOLD_MEMFD };
  g_autoptr (GError) error = run_as_user (NOBODY, take_as_user, &target);
  g_assert_nonnull (error);
  assert_names_fix (error, 0, FALSE);
  g_autofree char *what = g_strdup_printf ("does not let gvt-view take its fd %d", HOLD_MEMFD);
  assert_message_has (error, what);
  holder_stop (&holder);
}

/* The same user, but QEMU made itself undumpable: refused all the same,
 * and the message says why the usual fix can't be it. As root both sides
 * run as nobody; otherwise as the test's own user. */
static void
test_take_denied_undumpable (void)
{
  gboolean root = getuid () == 0;
  Holder holder = holder_start (root ? NOBODY : -1, FALSE);
  Target target = { .pid = holder.pid, .fd = HOLD_MEMFD };
  g_autoptr (GError) error = NULL;

  if (root)
    error = run_as_user (NOBODY, take_as_user, &target);
  else
    error = take_as_user (&target);
  g_assert_nonnull (error);
  assert_names_fix (error, root ? NOBODY : (int) getuid (), TRUE);
  holder_stop (&holder);
}

static void
test_take_gone (void)
{
  g_autoptr (GError) error = NULL;
  pid_t pid = dead_pid ();

  g_assert_cmpint (gvt_vgpu_process_take_fd (pid, 0, &error), ==, -1);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  assert_message_has (error, "there is no process");
  g_clear_error (&error);

  g_assert_null (gvt_vgpu_process_list_fds (pid, NULL, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_clear_error (&error);

  /* Exited, not reaped: the pid is there, its files are not. */
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (0);
  siginfo_t info;
  g_assert_cmpint (waitid (P_PID, pid, &info, WEXITED | WNOWAIT), ==, 0);
  g_assert_cmpint (gvt_vgpu_process_take_fd (pid, 0, &error), ==, -1);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  assert_message_has (error, "has exited");
  g_clear_error (&error);
  g_assert_null (gvt_vgpu_process_list_fds (pid, NULL, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  assert_message_has (error, "has exited");
  g_clear_error (&error);
  g_assert_cmpint (waitpid (pid, NULL, 0), ==, pid);
}

static void
test_take_bad_numbers (void)
{
  Holder holder = holder_start (-1, TRUE);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (gvt_vgpu_process_take_fd (holder.pid, -1, &error), ==, -1);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  g_assert_cmpint (gvt_vgpu_process_take_fd (holder.pid, 9999, &error), ==, -1);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  assert_message_has (error, "has no fd 9999 open");
  g_clear_error (&error);

  g_assert_cmpint (gvt_vgpu_process_take_fd (0, 0, &error), ==, -1);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  g_assert_cmpint (gvt_vgpu_process_take_fd (-1, 0, &error), ==, -1);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  holder_stop (&holder);
}

/* ---- open_from_process up to the probe ---- */

static void
test_open_no_vfio (void)
{
  Holder holder = holder_start (-1, TRUE);
  g_autoptr (GError) error = NULL;

  g_assert_null (gvt_vgpu_open_from_process (holder.pid, NULL, NULL, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  assert_message_has (error, "holds no VFIO device");
  g_clear_error (&error);

  /* The same through DEVICE: the user's word first. */
  g_autofree char *device = g_strdup_printf ("qemu:%d", holder.pid);
  g_assert_null (gvt_vgpu_open (device, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_autofree char *start = g_strdup_printf ("cannot open qemu:%d: process %d (", holder.pid,
                                            holder.pid);
  g_assert_true (g_str_has_prefix (error->message, start));
  g_clear_error (&error);

  /* qemu:NAME is the qemu layer's to resolve. */
  g_assert_null (gvt_vgpu_open ("qemu:vm1", &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  holder_stop (&holder);

  g_assert_null (gvt_vgpu_open_from_process (dead_pid (), NULL, NULL, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
}

static void
test_open_denied (void)
{
  if (!running_as_root ())
    return;

  Holder holder = holder_start (-1, TRUE);
  Target target = { .pid = holder.pid };
  g_autoptr (GError) error = run_as_user (NOBODY, open_as_user, &target);
  g_assert_nonnull (error);
  assert_names_fix (error, 0, FALSE);
  holder_stop (&holder);
}

/* A fake /proc that calls the child's memfd and eventfd VFIO devices: both
 * are taken, fail VFIO_DEVICE_GET_INFO, and are closed again. */
static void
test_open_takes_and_closes (Fake *f, gconstpointer data)
{
  Holder holder = holder_start (-1, TRUE);
  g_autoptr (GError) error = NULL;

  fake_process (f, holder.pid, "qemu-system-x86", 0);
  fake_fd (f, holder.pid, HOLD_MEMFD, "anon_inode:[vfio-device]", "/sys/devices/x/" UUID_A);
  fake_fd (f, holder.pid, HOLD_EVENTFD, "anon_inode:[vfio-device]", NULL);
  int before = gvt_test_count_fds ();

  g_assert_null (gvt_vgpu_open_from_process (holder.pid, NULL, f->proc, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_autofree char *both = g_strdup_printf ("holds no VFIO device that answers: fd %d "
                                           "(/sys/devices/x/" UUID_A "): not a VFIO device "
                                           "any more, fd %d: not a VFIO device any more",
                                           HOLD_MEMFD, HOLD_EVENTFD);
  assert_message_has (error, both);
  g_assert_cmpint (gvt_test_count_fds (), ==, before);
  holder_stop (&holder);
}

/* WANT_SYSPATH: compared by realpath; only the match is taken; without
 * syspaths, it can't be found. */
static void
test_open_want (Fake *f, gconstpointer data)
{
  Holder holder = holder_start (-1, TRUE);
  g_autoptr (GError) error = NULL;
  g_autofree char *vgpu = fake_device (f, "pci0000:00/0000:00:02.0/" UUID_A);
  g_autofree char *other = fake_device (f, "pci0000:00/0000:00:02.0/" UUID_B);
  g_autofree char *bus_link = g_build_filename (f->sys, "bus/mdev/devices", UUID_A, NULL);
  make_link (bus_link, vgpu);

  fake_process (f, holder.pid, "qemu-system-x86", 0);
  /* 555: an fd the child doesn't have. Taking it would fail loudly. */
  fake_fd (f, holder.pid, 555, "anon_inode:[vfio-device]", other);
  fake_fd (f, holder.pid, HOLD_MEMFD, "anon_inode:[vfio-device]", vgpu);
  int before = gvt_test_count_fds ();

  /* Matched through the bus link: taken, and found to be no VFIO device. */
  g_assert_null (gvt_vgpu_open_from_process (holder.pid, bus_link, f->proc, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_autofree char *taken = g_strdup_printf ("fd %d (%s): not a VFIO device any more",
                                            HOLD_MEMFD, vgpu);
  assert_message_has (error, taken);
  g_assert_cmpint (gvt_test_count_fds (), ==, before);
  g_clear_error (&error);

  /* Nothing there: nothing taken, and the message lists what there is. */
  g_autofree char *absent = g_build_filename (f->sys, "devices/nothing", NULL);
  g_assert_null (gvt_vgpu_open_from_process (holder.pid, absent, f->proc, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_autofree char *listed = g_strdup_printf ("holds no VFIO device %s; it holds fd %d (%s), "
                                             "fd %d (%s)", absent, HOLD_MEMFD, vgpu, 555, other);
  assert_message_has (error, listed);
  g_clear_error (&error);

  /* A kernel that does not say (fd 556): the device can't be found. */
  fake_fd (f, holder.pid, 556, "anon_inode:[vfio-device]", NULL);
  g_assert_null (gvt_vgpu_open_from_process (holder.pid, absent, f->proc, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED);
  assert_message_has (error, "Linux 6.18");
  assert_message_has (error, "which device its fd 556 is");
  g_assert_cmpint (gvt_test_count_fds (), ==, before);
  holder_stop (&holder);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/vgpu/process/list/fake", Fake, NULL, fake_set_up, test_list_fake,
              fake_tear_down);
  g_test_add ("/vgpu/process/list/group-inferred", Fake, NULL, fake_set_up,
              test_list_group_inferred, fake_tear_down);
  g_test_add ("/vgpu/process/list/no-process", Fake, NULL, fake_set_up, test_list_fake_missing,
              fake_tear_down);
  g_test_add_func ("/vgpu/process/list/real-child", test_list_real_child);
  g_test_add_func ("/vgpu/process/list/denied", test_list_denied);
  g_test_add ("/vgpu/process/list/denied-advice", Fake, NULL, fake_set_up,
              test_list_denied_advice, fake_tear_down);
  g_test_add_func ("/vgpu/process/take/same-file", test_take);
  g_test_add_func ("/vgpu/process/take/denied-other-user", test_take_denied_other_user);
  g_test_add_func ("/vgpu/process/take/denied-undumpable", test_take_denied_undumpable);
  g_test_add_func ("/vgpu/process/take/gone", test_take_gone);
  g_test_add_func ("/vgpu/process/take/bad-numbers", test_take_bad_numbers);
  g_test_add_func ("/vgpu/process/open/no-vfio", test_open_no_vfio);
  g_test_add_func ("/vgpu/process/open/denied", test_open_denied);
  g_test_add ("/vgpu/process/open/takes-and-closes", Fake, NULL, fake_set_up,
              test_open_takes_and_closes, fake_tear_down);
  g_test_add ("/vgpu/process/open/want", Fake, NULL, fake_set_up, test_open_want,
              fake_tear_down);
  return g_test_run ();
}
