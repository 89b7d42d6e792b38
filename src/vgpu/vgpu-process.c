/* A running process's VFIO device fds: found in /proc, copied with
 * pidfd_getfd, and the display vGPU among them opened on its copy with the
 * kernel backend. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "vgpu-process.h"
#include "vgpu-kernel.h"
#include "common/gvt-error.h"
#include "common/proc.h"

/* What readlink of /proc/PID/fd/N says of a VFIO device fd from
 * VFIO_GROUP_GET_DEVICE_FD (an anonymous inode file), and where device
 * cdevs and groups live. */
#define DEVICE_LINK "anon_inode:[vfio-device]"
#define CDEV_PREFIX "/dev/vfio/devices/"
#define GROUP_PREFIX "/dev/vfio/"
/* The line drivers/vfio/vfio_main.c adds to a device fd's fdinfo since
 * Linux 6.18: "vfio-device-syspath: /sys/devices/...". */
#define FDINFO_SYSPATH "vfio-device-syspath:"

/* kernel.yama.ptrace_scope when it has no number to say. */
#define SCOPE_NO_YAMA -1
#define SCOPE_UNREADABLE -2

/* ---- what /proc says of a process ---- */

/* "process 1234 (qemu-system-x86)", or "process 1234" when its name is
 * gone. */
static char *
describe_process (const char *proc_root, int pid)
{
  g_autofree char *comm = gvt_proc_comm (proc_root, pid);

  if (comm == NULL)
    return g_strdup_printf ("process %d", pid);
  /* A process names itself: show it, don't let it speak. */
  g_autofree char *shown = g_strescape (comm, NULL);
  return g_strdup_printf ("process %d (%s)", pid, shown);
}

/* The value of the "KEY:" line of /proc/PID/status (tabs stripped), or
 * NULL. */
static char *
read_status_field (const char *proc_root, int pid, const char *key)
{
  g_autofree char *prefix = g_strconcat (key, ":", NULL);
  char *value = gvt_proc_line (proc_root, pid, "status", prefix, NULL);
  return value != NULL ? g_strstrip (value) : NULL;
}

/* The process's real uid: the first of the four on its Uid line. */
static gboolean
read_uid (const char *proc_root, int pid, uid_t *uid)
{
  g_autofree char *field = read_status_field (proc_root, pid, "Uid");
  if (field == NULL)
    return FALSE;

  char *end;
  guint64 value = g_ascii_strtoull (field, &end, 10);
  if (end == field || (*end != '\t' && *end != ' ' && *end != '\0') || value > G_MAXUINT32)
    return FALSE;
  *uid = (uid_t) value;
  return TRUE;
}

/* TRUE once PID has exited but is not reaped yet: it holds no files. */
static gboolean
is_zombie (const char *proc_root, int pid)
{
  g_autofree char *state = read_status_field (proc_root, pid, "State");
  return state != NULL && (state[0] == 'Z' || state[0] == 'X');
}

static gboolean
process_exists (const char *proc_root, int pid)
{
  g_autofree char *path = g_strdup_printf ("%s/%d", proc_root, pid);
  return g_file_test (path, G_FILE_TEST_IS_DIR);
}

/* "libvirt-qemu, uid 64055", or "uid 64055" without a passwd entry. */
static char *
describe_user (uid_t uid)
{
  struct passwd entry, *found = NULL;
  char buf[4096];

  if (getpwuid_r (uid, &entry, buf, sizeof buf, &found) == 0 && found != NULL)
    return g_strdup_printf ("%s, uid %u", entry.pw_name, (unsigned) uid);
  return g_strdup_printf ("uid %u", (unsigned) uid);
}

/* kernel.yama.ptrace_scope (0-3), SCOPE_NO_YAMA or SCOPE_UNREADABLE. */
static int
read_ptrace_scope (const char *proc_root)
{
  g_autofree char *path = g_build_filename (proc_root, "sys/kernel/yama/ptrace_scope", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local = NULL;
  guint64 scope;

  if (!g_file_get_contents (path, &contents, NULL, &local))
    return g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? SCOPE_NO_YAMA
                                                                     : SCOPE_UNREADABLE;
  g_strchomp (contents);
  if (!g_ascii_string_to_unsigned (contents, 10, 0, 3, &scope, NULL))
    return SCOPE_UNREADABLE;
  return (int) scope;
}

#define HOW_RUN \
  "start the VM from gvt-view instead (`gvt-view run -- qemu-system-x86_64 ...` makes " \
  "gvt-view QEMU's parent)"
#define HOW_ROOT "run gvt-view as root (sudo)"

/* What grants the right to take PID's files — the ptrace attach check
 * (PTRACE_MODE_ATTACH_REALCREDS) —, fitted to what this host says: Yama's
 * scope, QEMU's user and ours. */
static char *
describe_ptrace_fix (const char *proc_root, int pid)
{
  uid_t qemu_uid = 0;
  gboolean known = read_uid (proc_root, pid, &qemu_uid);
  uid_t my_uid = getuid ();
  g_autofree char *qemu_user = known ? describe_user (qemu_uid) : NULL;
  g_autofree char *me = describe_user (my_uid);
  g_autofree char *qemu_is = known ? g_strdup_printf ("QEMU's user (%s; you are %s)",
                                                      qemu_user, me)
                                   : g_strdup_printf ("QEMU's user (not known: /proc/%d/"
                                                      "status is unreadable; you are %s)",
                                                      pid, me);
  gboolean same_user = known && qemu_uid == my_uid;
  int scope = read_ptrace_scope (proc_root);

  if (scope == 3)
    return g_strdup ("kernel.yama.ptrace_scope is 3: no process may take another's files, not "
                     "even root's, and the setting stays until the next boot — boot with a "
                     "lower kernel.yama.ptrace_scope, or have the program that starts QEMU "
                     "hand gvt-view the device fd with --fd N");
  if (my_uid == 0)
    return g_strdup_printf ("gvt-view runs as root and was refused all the same (%s): a "
                            "security module (AppArmor, SELinux) or a user namespace forbids "
                            "it — `dmesg` may say which",
                            scope == 2 ? "kernel.yama.ptrace_scope is 2, which still lets root"
                                       : "root may take any process's files");
  if (scope == 2)
    return g_strdup_printf ("kernel.yama.ptrace_scope is 2: only root (CAP_SYS_PTRACE) may "
                            "take another process's files — " HOW_ROOT ", or lower the "
                            "setting (`sudo sysctl kernel.yama.ptrace_scope=1`) and " HOW_RUN);
  if (scope == 1 && same_user)
    return g_strdup_printf ("you are QEMU's user (%s), but kernel.yama.ptrace_scope is 1: only "
                            "a process's parent or root may take its files — " HOW_RUN ", "
                            "allow it for QEMU's user with `sudo sysctl "
                            "kernel.yama.ptrace_scope=0`, or " HOW_ROOT, me);
  if (scope == 1)
    return g_strdup_printf ("kernel.yama.ptrace_scope is 1: only a process's parent or root "
                            "may take its files — " HOW_RUN ", run gvt-view as %s after "
                            "`sudo sysctl kernel.yama.ptrace_scope=0`, or " HOW_ROOT, qemu_is);

  g_autofree char *rule = scope == 0
    ? g_strdup ("kernel.yama.ptrace_scope is 0, so a process's own user may take its files")
    : scope == SCOPE_NO_YAMA
    ? g_strdup ("this kernel has no Yama (no kernel.yama.ptrace_scope), so a process's own "
                "user may take its files")
    : g_strdup ("kernel.yama.ptrace_scope can't be read; a process's own user may take its "
                "files when it is 0");
  if (same_user)
    return g_strdup_printf ("%s, and you are QEMU's user (%s): QEMU must have made itself "
                            "undumpable (it changed its user, e.g. with -run-with user= or "
                            "-runas, or is set-uid) — " HOW_RUN " or " HOW_ROOT, rule, me);
  return g_strdup_printf ("%s — run gvt-view as %s, " HOW_RUN ", or " HOW_ROOT, rule, qemu_is);
}

/* ---- listing ---- */

typedef enum {
  LINK_OTHER,
  LINK_DEVICE, /* anon_inode:[vfio-device] */
  LINK_CDEV,   /* /dev/vfio/devices/vfioX */
  LINK_GROUP,  /* /dev/vfio/N */
} LinkKind;

static LinkKind
classify_link (const char *target, int *group)
{
  if (strcmp (target, DEVICE_LINK) == 0)
    return LINK_DEVICE;
  if (g_str_has_prefix (target, CDEV_PREFIX))
    {
      const char *name = target + strlen (CDEV_PREFIX);
      return *name != '\0' && strchr (name, '/') == NULL ? LINK_CDEV : LINK_OTHER;
    }
  if (g_str_has_prefix (target, GROUP_PREFIX))
    {
      guint64 n;
      /* Not the container /dev/vfio/vfio, nor a noiommu-N group. */
      if (g_ascii_string_to_unsigned (target + strlen (GROUP_PREFIX), 10, 0, G_MAXINT, &n, NULL))
        {
          *group = (int) n;
          return LINK_GROUP;
        }
    }
  return LINK_OTHER;
}

static gboolean
int_array_has (GArray *array, int value)
{
  for (guint i = 0; i < array->len; i++)
    if (g_array_index (array, int, i) == value)
      return TRUE;
  return FALSE;
}

static void
vfio_fd_clear (gpointer data)
{
  GvtProcessVfioFd *entry = data;
  g_clear_pointer (&entry->syspath, g_free);
}

static int
compare_fds (gconstpointer a, gconstpointer b)
{
  const GvtProcessVfioFd *x = a, *y = b;
  return (x->fd > y->fd) - (x->fd < y->fd);
}

/* @path with every link resolved, or NULL when it does not exist. Free
 * with g_free (realpath's malloc memory is g_free's since GLib 2.46). */
static char *
resolve (const char *path)
{
  return realpath (path, NULL);
}

/* What the kernel writes in PID's fdinfo for FD, or NULL. */
static char *
fdinfo_syspath (const char *proc_root, int pid, int fd)
{
  g_autofree char *path = g_strdup_printf ("%s/%d/fdinfo/%d", proc_root, pid, fd);
  g_autofree char *contents = NULL;
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  for (char **line = lines; *line; line++)
    if (g_str_has_prefix (*line, FDINFO_SYSPATH))
      {
        char *value = g_strstrip (g_strdup (*line + strlen (FDINFO_SYSPATH)));
        if (value[0] == '/')
          return value;
        g_free (value);
      }
  return NULL;
}

/* The sysfs directory of the one device IOMMU group @group has, or NULL. */
static char *
group_only_device (const char *sys_root, int group)
{
  g_autofree char *dir_path = g_strdup_printf ("%s/kernel/iommu_groups/%d/devices", sys_root,
                                               group);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  if (dir == NULL)
    return NULL;

  const char *name = g_dir_read_name (dir);
  if (name == NULL || g_dir_read_name (dir) != NULL)
    return NULL;
  g_autofree char *link = g_build_filename (dir_path, name, NULL);
  return resolve (link);
}

static void
set_list_error (GError **error, const char *proc_root, int pid, const GError *local)
{
  g_autofree char *who = describe_process (proc_root, pid);

  /* An exited process that is not reaped yet has no files, and its /proc
   * entries belong to root: to anyone else that reads as a refusal. */
  if (is_zombie (proc_root, pid))
    g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE, "%s has exited", who);
  else if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_ACCES)
           || g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_PERM))
    {
      g_autofree char *fix = describe_ptrace_fix (proc_root, pid);
      g_set_error (error, GVT_ERROR, GVT_ERROR_PERMISSION,
                   "%s does not let gvt-view see its open files (permission denied on "
                   "%s/%d/fd): seeing and taking another process's files needs the right to "
                   "ptrace it; %s", who, proc_root, pid, fix);
    }
  else if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      if (process_exists (proc_root, pid))
        g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE, "%s has exited", who);
      else
        g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
                     "there is no process %d (it has exited, or %s hides other users' "
                     "processes: hidepid)", pid, proc_root);
    }
  else
    g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED, "cannot list the open files of %s: %s",
                 who, local->message);
}

GArray *
gvt_vgpu_process_list_fds_at (int pid, const char *proc_root, const char *sys_root,
                              GError **error)
{
  if (pid < 1)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "%d is not a process id (they start at 1)", pid);
      return NULL;
    }
  if (proc_root == NULL)
    proc_root = "/proc";
  if (sys_root == NULL)
    sys_root = "/sys";

  g_autofree char *dir_path = gvt_proc_path (proc_root, pid, "fd");
  g_autoptr(GError) local = NULL;
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &local);
  if (dir == NULL)
    {
      set_list_error (error, proc_root, pid, local);
      return NULL;
    }

  GArray *fds = g_array_new (FALSE, TRUE, sizeof (GvtProcessVfioFd));
  g_array_set_clear_func (fds, vfio_fd_clear);
  /* Per entry of fds: the cdev's name (vfioX), or NULL. */
  g_autoptr(GPtrArray) cdevs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) groups = g_array_new (FALSE, FALSE, sizeof (int));

  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      gint64 fd;
      if (!g_ascii_string_to_signed (name, 10, 0, G_MAXINT, &fd, NULL))
        continue;
      g_autofree char *link = g_build_filename (dir_path, name, NULL);
      /* Gone since the listing: the process closed it. */
      g_autofree char *target = g_file_read_link (link, NULL);
      if (target == NULL)
        continue;

      int group = -1;
      switch (classify_link (target, &group))
        {
        case LINK_DEVICE:
        case LINK_CDEV:
          {
            GvtProcessVfioFd entry = { .fd = (int) fd };
            g_array_append_val (fds, entry);
            g_ptr_array_add (cdevs, g_str_has_prefix (target, CDEV_PREFIX)
                                      ? g_strdup (target + strlen (CDEV_PREFIX)) : NULL);
          }
          break;
        case LINK_GROUP:
          /* Groups, not fds: a second fd of one group is the same group. */
          if (!int_array_has (groups, group))
            g_array_append_val (groups, group);
          break;
        case LINK_OTHER:
        default:
          break;
        }
    }

  guint unnamed = 0;
  for (guint i = 0; i < fds->len; i++)
    {
      GvtProcessVfioFd *entry = &g_array_index (fds, GvtProcessVfioFd, i);
      const char *cdev = g_ptr_array_index (cdevs, i);

      entry->syspath = fdinfo_syspath (proc_root, pid, entry->fd);
      if (entry->syspath == NULL && cdev != NULL)
        {
          g_autofree char *link = g_strdup_printf ("%s/class/vfio-dev/%s/device", sys_root, cdev);
          entry->syspath = resolve (link);
        }
      if (entry->syspath == NULL && cdev == NULL)
        unnamed++;
    }

  /* Before 6.18 nothing names the device behind a group's device fd. One
   * case is sure: QEMU holds a group for each device it opened through
   * one, so a single device fd and a single one-device group go
   * together — the common case of one vGPU in a VM. */
  if (unnamed == 1 && groups->len == 1)
    for (guint i = 0; i < fds->len; i++)
      {
        GvtProcessVfioFd *entry = &g_array_index (fds, GvtProcessVfioFd, i);
        if (entry->syspath == NULL && g_ptr_array_index (cdevs, i) == NULL)
          entry->syspath = group_only_device (sys_root, g_array_index (groups, int, 0));
      }

  /* An exited process not yet reaped still has its /proc entry, with no
   * files in it. */
  if (fds->len == 0 && is_zombie (proc_root, pid))
    {
      g_autofree char *who = describe_process (proc_root, pid);
      g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE, "%s has exited", who);
      g_array_unref (fds);
      return NULL;
    }

  g_array_sort (fds, compare_fds);
  return fds;
}

GArray *
gvt_vgpu_process_list_fds (int pid, const char *proc_root, GError **error)
{
  return gvt_vgpu_process_list_fds_at (pid, proc_root, NULL, error);
}

/* ---- taking ---- */

/* A pidfd of PID (which must be > 0), or -1 with the error. */
static int
open_pidfd (int pid, GError **error)
{
  int pidfd = pidfd_open (pid, 0);
  if (pidfd >= 0)
    return pidfd;

  int err = errno;
  g_autofree char *who = describe_process ("/proc", pid);
  if (err == ESRCH)
    g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
                 "there is no process %d (it has exited)", pid);
  else if (err == ENOSYS)
    g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                 "this kernel lacks pidfd_open and pidfd_getfd (Linux 5.6 has both), which "
                 "take a device fd from a running QEMU — start the VM from gvt-view "
                 "(`gvt-view run`) or hand gvt-view the device fd with --fd N");
  else if (err == EINVAL)
    g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                 "%s is a thread, not a process: give QEMU's process id", who);
  else
    g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED, "pidfd_open of %s failed: %s", who,
                 g_strerror (err));
  return -1;
}

/* gvt_vgpu_process_take_fd through @pidfd, a pidfd of PID. */
static int
take_through (int pidfd, int pid, int fd, GError **error)
{
  int copy = pidfd_getfd (pidfd, fd, 0);
  if (copy >= 0)
    {
      g_debug ("took fd %d of process %d as fd %d", fd, pid, copy);
      return copy;
    }

  int err = errno;
  g_autofree char *who = describe_process ("/proc", pid);
  switch (err)
    {
    case EPERM:
    case EACCES:
      {
        g_autofree char *fix = describe_ptrace_fix ("/proc", pid);
        g_set_error (error, GVT_ERROR, GVT_ERROR_PERMISSION,
                     "%s does not let gvt-view take its fd %d (%s): taking another "
                     "process's files needs the right to ptrace it; %s",
                     who, fd, g_strerror (err), fix);
      }
      break;
    case ESRCH:
      g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE, "%s has exited", who);
      break;
    case EBADF:
      /* A zombie has no files table left: every fd reads as closed. */
      if (is_zombie ("/proc", pid))
        g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE, "%s has exited", who);
      else
        g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
                     "%s has no fd %d open (it closed the device, or never had it)", who, fd);
      break;
    case ENOSYS:
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "this kernel lacks pidfd_getfd (Linux 5.6 has it), which takes a device "
                   "fd from a running QEMU — start the VM from gvt-view (`gvt-view run`) or "
                   "hand gvt-view the device fd with --fd N");
      break;
    default:
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED, "pidfd_getfd of fd %d of %s failed: %s",
                   fd, who, g_strerror (err));
      break;
    }
  return -1;
}

int
gvt_vgpu_process_take_fd (int pid, int fd, GError **error)
{
  if (pid < 1)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "%d is not a process id (they start at 1)", pid);
      return -1;
    }
  if (fd < 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "%d is not a file descriptor number (they start at 0)", fd);
      return -1;
    }

  int pidfd = open_pidfd (pid, error);
  if (pidfd < 0)
    return -1;
  int copy = take_through (pidfd, pid, fd, error);
  close (pidfd);
  return copy;
}

/* ---- the display device among them ---- */

/* 0 when @vgpu has a display (dma-buf or region planes), else the last
 * probe's -errno: ENOTTY or EINVAL for none, ENODEV or EIO when the device
 * is gone. */
static int
probe_display (GvtVgpu *vgpu)
{
  static const guint32 types[] = { VFIO_GFX_PLANE_TYPE_DMABUF, VFIO_GFX_PLANE_TYPE_REGION };
  int ret = -ENOTTY;

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      struct vfio_device_gfx_plane_info info = {
        .argsz = sizeof info,
        .flags = VFIO_GFX_PLANE_TYPE_PROBE | types[i],
      };
      ret = gvt_vgpu_query_plane (vgpu, &info);
      if (ret == 0 || ret == -ENODEV || ret == -EIO)
        return ret;
    }
  return ret;
}

/* "fd 17 (/sys/devices/.../UUID)", or "fd 17" when the kernel does not
 * say which device it is. */
static char *
describe_fd (const GvtProcessVfioFd *entry)
{
  if (entry->syspath == NULL)
    return g_strdup_printf ("fd %d", entry->fd);
  return g_strdup_printf ("fd %d (%s)", entry->fd, entry->syspath);
}

static char *
handle_name (int pid, const GvtProcessVfioFd *entry)
{
  if (entry->syspath == NULL)
    return g_strdup_printf ("qemu:%d fd %d", pid, entry->fd);
  g_autofree char *device = g_path_get_basename (entry->syspath);
  return g_strdup_printf ("qemu:%d (%s)", pid, device);
}

/* @path with every link resolved, or only tidied when it does not exist. */
static char *
canonical (const char *path)
{
  char *real = resolve (path);
  return real != NULL ? real : g_canonicalize_filename (path, "/");
}

static void
append_note (GString *notes, const GvtProcessVfioFd *entry, const char *what)
{
  g_autofree char *fd = describe_fd (entry);
  g_string_append_printf (notes, "%s%s: %s", notes->len ? ", " : "", fd, what);
}

/* What was looked at, for the messages that find nothing. */
typedef struct {
  GString *notes;    /* "fd 17 (...): no display, fd 19: ..." */
  guint answered;    /* fds that are VFIO devices still */
} Survey;

/* Takes @entry's fd and keeps it as a handle when it has a display.
 * NULL with no error set: not one to show (noted in @survey); NULL with
 * @error set: taking failed, which stops the search. */
static GvtVgpu *
take_display (int pidfd, int pid, const GvtProcessVfioFd *entry, Survey *survey,
              GError **error)
{
  int fd = take_through (pidfd, pid, entry->fd, error);
  if (fd < 0)
    return NULL;

  g_autofree char *name = handle_name (pid, entry);
  g_autoptr(GError) local = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_kernel_open_taken_fd (fd, name, entry->syspath, &local);
  if (vgpu == NULL)
    {
      /* Gone, or the fd was reused for something else since the listing. */
      close (fd);
      g_debug ("%s", local->message);
      append_note (survey->notes, entry,
                   g_error_matches (local, GVT_ERROR, GVT_ERROR_LOST)
                     ? "gone" : "not a VFIO device any more");
      return NULL;
    }
  survey->answered++;

  int ret = probe_display (vgpu);
  if (ret < 0)
    {
      g_debug ("%s: no display (%s)", name, g_strerror (-ret));
      append_note (survey->notes, entry,
                   ret == -ENODEV || ret == -EIO ? "gone" : "no display");
      return NULL;
    }
  return g_steal_pointer (&vgpu);
}

/* WANT_SYSPATH is none of @fds' devices. */
static void
set_not_found_error (GError **error, const char *who, int pid, GArray *fds,
                     const char *want_syspath)
{
  g_autoptr(GString) named = g_string_new (NULL);
  g_autoptr(GString) unnamed = g_string_new (NULL);
  guint n_unnamed = 0;

  for (guint i = 0; i < fds->len; i++)
    {
      const GvtProcessVfioFd *entry = &g_array_index (fds, GvtProcessVfioFd, i);
      g_autofree char *fd = describe_fd (entry);
      GString *list = entry->syspath ? named : unnamed;
      g_string_append_printf (list, "%s%s", list->len ? ", " : "", fd);
      n_unnamed += entry->syspath == NULL;
    }

  if (n_unnamed == 0)
    g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
                 "%s holds no VFIO device %s; it holds %s", who, want_syspath, named->str);
  else
    g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                 "%s holds no VFIO device %s that the kernel names%s%s%s, and the kernel "
                 "does not say which device its %s %s (Linux 6.18 names each in "
                 "/proc/%d/fdinfo; before, only a single device in a single group can be "
                 "told) — leave the device out to take the only display device",
                 who, want_syspath, named->len ? " (it names " : "", named->str,
                 named->len ? ")" : "", unnamed->str, n_unnamed == 1 ? "is" : "are", pid);
}

/* The one display device among @fds (those at WANT_SYSPATH only, if set),
 * taken through @pidfd. */
static GvtVgpu *
pick_display (int pidfd, int pid, GArray *fds, const char *want_syspath, const char *who,
              GError **error)
{
  g_autofree char *want = want_syspath ? canonical (want_syspath) : NULL;
  g_autoptr(GString) notes = g_string_new (NULL);
  g_autoptr(GString) displays = g_string_new (NULL);
  Survey survey = { .notes = notes };
  g_autoptr(GvtVgpu) found = NULL;
  guint n_displays = 0, n_matched = 0;
  gboolean some_unnamed = FALSE;

  for (guint i = 0; i < fds->len; i++)
    {
      const GvtProcessVfioFd *entry = &g_array_index (fds, GvtProcessVfioFd, i);
      some_unnamed = some_unnamed || entry->syspath == NULL;
      if (want != NULL)
        {
          g_autofree char *have = entry->syspath ? canonical (entry->syspath) : NULL;
          if (have == NULL || strcmp (have, want) != 0)
            continue;
        }
      n_matched++;

      g_autoptr(GError) local = NULL;
      g_autoptr(GvtVgpu) vgpu = take_display (pidfd, pid, entry, &survey, &local);
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      if (vgpu == NULL)
        continue;
      g_autofree char *fd = describe_fd (entry);
      g_string_append_printf (displays, "%s%s", n_displays ? ", " : "", fd);
      n_displays++;
      /* Only the first stays open: the others are named in the message. */
      if (found == NULL)
        found = g_steal_pointer (&vgpu);
    }

  if (want != NULL && n_matched == 0)
    set_not_found_error (error, who, pid, fds, want_syspath);
  else if (n_displays > 1)
    g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                 "%s holds %u devices with a display: %s — say which one to show%s", who,
                 n_displays, displays->str,
                 some_unnamed ? " (this kernel does not say which device each fd is: Linux "
                                "6.18 does)" : "");
  else if (found == NULL && survey.answered == 0)
    g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
                 "%s holds no VFIO device that answers: %s", who, notes->str);
  else if (found == NULL)
    g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DISPLAY,
                 "%s holds no VFIO device with a display (%s): a passed-through device "
                 "(vfio-pci) or an mdev such as mtty has none — gvt-view shows GVT-g, "
                 "mbochs and mdpy vGPUs", who, notes->str);
  else
    return g_steal_pointer (&found);
  return NULL;
}

/* TRUE while the process behind @pidfd runs (its pidfd turns readable
 * when it exits). */
static gboolean
pidfd_alive (int pidfd)
{
  struct pollfd p = { .fd = pidfd, .events = POLLIN };
  return poll (&p, 1, 0) == 0;
}

GvtVgpu *
gvt_vgpu_open_from_process (int pid, const char *want_syspath, const char *proc_root,
                            GError **error)
{
  /* The pidfd first, one for every take and then kept to notice QEMU's
   * exit: while it says the process runs, its pid is not another's, so
   * the list read after it is this process's. */
  int pidfd = open_pidfd (pid, error);
  if (pidfd < 0)
    return NULL;
  g_autoptr(GArray) fds = gvt_vgpu_process_list_fds (pid, proc_root, error);
  g_autofree char *who = describe_process (proc_root ? proc_root : "/proc", pid);
  if (fds != NULL && !pidfd_alive (pidfd))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE, "%s has exited", who);
      g_clear_pointer (&fds, g_array_unref);
    }
  if (fds != NULL && fds->len == 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
                   "%s holds no VFIO device: it is no QEMU with a vfio-pci device, or QEMU "
                   "has not opened it yet (it does a few seconds after it starts)", who);
      g_clear_pointer (&fds, g_array_unref);
    }
  if (fds == NULL)
    {
      close (pidfd);
      return NULL;
    }
  GvtVgpu *vgpu = pick_display (pidfd, pid, fds, want_syspath, who, error);
  if (vgpu == NULL)
    {
      close (pidfd);
      return NULL;
    }
  g_debug ("%s: showing %s", who, gvt_vgpu_get_name (vgpu));
  gvt_vgpu_kernel_watch_process (vgpu, pidfd);
  return vgpu;
}
