/* The kernel backend of GvtVgpu: real VFIO ioctls on a device fd obtained
 * through a group, a cdev (iommufd) or an inherited fd. */
#pragma once

#include "vgpu.h"

G_BEGIN_DECLS

/* "/dev/vfio/N": container, viability, VFIO_TYPE1v2_IOMMU, then the device
 * named in /sys/kernel/iommu_groups/N/devices/ (or @device_name if set). */
GvtVgpu *gvt_vgpu_kernel_open_group (const char *group_path,
                                     const char *device_name,
                                     GError **error);

/* "/dev/vfio/devices/vfioX": open, then VFIO_DEVICE_BIND_IOMMUFD to a fresh
 * /dev/iommu. */
GvtVgpu *gvt_vgpu_kernel_open_cdev (const char *cdev_path, GError **error);

/* An inherited device fd, checked with VFIO_DEVICE_GET_INFO. Takes
 * ownership of @fd on success only. */
GvtVgpu *gvt_vgpu_kernel_open_fd (int fd, GError **error);

G_END_DECLS
