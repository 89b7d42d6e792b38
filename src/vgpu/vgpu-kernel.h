/* The kernel backend of GvtVgpu: real VFIO ioctls on a device fd obtained
 * through a group, a cdev (iommufd) or an inherited fd. */
#pragma once

#include "vgpu.h"

G_BEGIN_DECLS

/* Every error of these openers is a GVT_ERROR whose message starts with
 * what the user named, exactly as given — "cannot open /dev/vfio/7: ",
 * "cannot open UUID: ", "cannot open /dev/vfio/devices/vfio0: " or, for an
 * fd, "cannot use --fd 5: " — also when the step that failed was on
 * another node (/dev/vfio/vfio, the group an mdev resolved to,
 * /dev/iommu), which the rest of the message then names along with why
 * and what to do. Nothing stays open after a failure. */

/* "/dev/vfio/N": container, viability, VFIO_TYPE1v2_IOMMU, then the device
 * named in /sys/kernel/iommu_groups/N/devices/ (or @device_name if set). */
GvtVgpu *gvt_vgpu_kernel_open_group (const char *group_path,
                                     const char *device_name,
                                     GError **error);

/* An mdev UUID (any case) or sysfs path, resolved with gvt_mdev_resolve()
 * to its group, then opened as gvt_vgpu_kernel_open_group() does. */
GvtVgpu *gvt_vgpu_kernel_open_mdev (const char *mdev, GError **error);

/* "/dev/vfio/devices/vfioX": open, then VFIO_DEVICE_BIND_IOMMUFD to a fresh
 * /dev/iommu. */
GvtVgpu *gvt_vgpu_kernel_open_cdev (const char *cdev_path, GError **error);

/* An inherited device fd, checked with VFIO_DEVICE_GET_INFO. Takes
 * ownership of @fd on success only. */
GvtVgpu *gvt_vgpu_kernel_open_fd (int fd, GError **error);

/* A device fd gvt-view took from another process (vgpu-process.c), checked
 * and wrapped as an inherited fd is, so that every later operation is the
 * same. @name becomes the handle's name and starts every error ("cannot
 * use @name: ..."). @syspath, the device's sysfs directory or NULL, tells
 * where to watch for its removal (its bus entry, as for a group). Takes
 * ownership of @fd on success only. */
GvtVgpu *gvt_vgpu_kernel_open_taken_fd (int fd, const char *name, const char *syspath,
                                        GError **error);

/* Takes @pidfd (pidfd_open of the process @vgpu's fd was taken from): once
 * that process has exited, the plane query fails with -ENODEV as for a
 * removed device, so that the display code lets go of the device — our
 * copy would keep it open, its group busy and its memory pinned. */
void gvt_vgpu_kernel_watch_process (GvtVgpu *vgpu, int pidfd);

G_END_DECLS
