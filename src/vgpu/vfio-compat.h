/* VFIO ABI that newer kernels define and older <linux/vfio.h> copies (Debian
 * 12 ships 6.1) lack: the device cdev's iommufd binding (kernel >= 6.6). */
#pragma once

#include <linux/types.h>
#include <linux/vfio.h>

#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
  __u32 argsz;
  __u32 flags;
  __s32 iommufd;
  __u32 out_devid;
};

#define VFIO_DEVICE_BIND_IOMMUFD _IO (VFIO_TYPE, VFIO_BASE + 18)
#endif
