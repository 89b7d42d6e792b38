/* The VFIO devices a running process (a VM's QEMU) holds, and a vGPU opened
 * on a copy of its device fd: how a viewer sits next to a QEMU it did not
 * start, since a GVT-g vGPU opens only inside its VM's process and a VFIO
 * group has one opener. */
#pragma once

#include <glib.h>

#include "vgpu.h"

G_BEGIN_DECLS

/* Every error below is a GVT_ERROR whose message names the process
 * ("process 1234 (qemu-system-x86)") and says why and what to do; none
 * starts with the DEVICE the user wrote, which the caller puts in front
 * ("cannot open qemu:vm1: "). Any thread; nothing is kept between calls. */

/* One VFIO device fd of a process. */
typedef struct {
  int fd;        /* the fd number in that process */
  char *syspath; /* the device's sysfs directory ("/sys/devices/.../UUID"), or NULL */
} GvtProcessVfioFd;

/* The VFIO device fds PID holds, in fd order: those whose /proc link reads
 * anon_inode:[vfio-device] (a device from VFIO_GROUP_GET_DEVICE_FD) or
 * /dev/vfio/devices/vfioX (a device cdev). Each entry's syspath comes from
 * the "vfio-device-syspath:" line of /proc/PID/fdinfo/N (Linux >= 6.18),
 * else for a cdev from /sys/class/vfio-dev/vfioX/device, else — when PID
 * holds exactly one such device fd and one VFIO group /dev/vfio/N whose
 * sysfs lists one device — that device; else it is NULL.
 * PROC_ROOT NULL = /proc (a directory laid out like it, for tests).
 * Returns a GArray of GvtProcessVfioFd (g_array_unref frees the entries
 * too), empty when PID holds none, or NULL with GVT_ERROR_NO_DEVICE (no
 * such process), GVT_ERROR_PERMISSION (its fds can't be listed: the
 * message says what grants it, as for gvt_vgpu_process_take_fd) or
 * GVT_ERROR_INVALID_ARGS (PID < 1). */
GArray *gvt_vgpu_process_list_fds (int pid, const char *proc_root, GError **error);

/* The same with the sysfs root for the cdev and group lookups too
 * (SYS_ROOT NULL = /sys): for tests. */
GArray *gvt_vgpu_process_list_fds_at (int pid, const char *proc_root, const char *sys_root,
                                      GError **error);

/* A copy of PID's fd FD (pidfd_open + pidfd_getfd): a new fd of this
 * process, FD_CLOEXEC set, owned by the caller; the same open file as
 * PID's, so it keeps the device open even after PID exits. Returns -1 on
 * error: GVT_ERROR_PERMISSION (taking needs the right to ptrace PID; the
 * message gives the ways: run as QEMU's user — named from
 * /proc/PID/status — with kernel.yama.ptrace_scope 0, its current value
 * said; be QEMU's parent with `gvt-view run`; or be root), GVT_ERROR_NO_DEVICE
 * (PID is gone or a zombie, or has no fd FD), GVT_ERROR_UNSUPPORTED (the
 * kernel lacks pidfd_getfd: Linux < 5.6), GVT_ERROR_INVALID_ARGS (PID < 1,
 * FD < 0, or PID a thread, not a process). Reads the real /proc. */
int gvt_vgpu_process_take_fd (int pid, int fd, GError **error);

/* The display vGPU PID holds, opened on a copy of its device fd with the
 * kernel backend as for --fd: every VFIO device fd of PID
 * (gvt_vgpu_process_list_fds) is taken and probed for a display
 * (VFIO_DEVICE_QUERY_GFX_PLANE with PROBE | DMABUF, then PROBE | REGION);
 * devices without one (a passed-through NIC) are let go. WANT_SYSPATH
 * (any path of the device's sysfs directory, e.g. /sys/bus/mdev/devices/
 * UUID; compared by realpath) picks one; NULL takes the only display
 * device there is. Every copy not returned is closed.
 * The handle's name is "qemu:PID (UUID)" — the sysfs directory's last
 * component — or "qemu:PID fd N" when the kernel does not say. Returns
 * NULL with the errors of list and take, or GVT_ERROR_NO_DEVICE (PID holds
 * no VFIO device, none that answers, or none at WANT_SYSPATH),
 * GVT_ERROR_NO_DISPLAY (none has a display), GVT_ERROR_INVALID_ARGS
 * (several display devices and no WANT_SYSPATH: the message lists them),
 * GVT_ERROR_UNSUPPORTED (WANT_SYSPATH given and the kernel does not tell
 * which fd is which device). PROC_ROOT as above (the fds are taken from
 * the real process PID all the same). */
GvtVgpu *gvt_vgpu_open_from_process (int pid, const char *want_syspath, const char *proc_root,
                                     GError **error);

G_END_DECLS
