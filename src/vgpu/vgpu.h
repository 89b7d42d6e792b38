/* A vGPU handle: the device operations the viewer needs, behind a small ops
 * table with a kernel (VFIO ioctl) and a simulated implementation. */
#pragma once

#include <glib.h>
#include <linux/vfio.h>

#include "device-spec.h"

G_BEGIN_DECLS

typedef struct _GvtVgpu GvtVgpu;

/* What VFIO_DEVICE_GET_REGION_INFO says of one region, with its type
 * capability (VFIO_REGION_INFO_CAP_TYPE) resolved; type and subtype are 0
 * when the region has none. */
typedef struct {
  guint32 index;
  guint32 flags;   /* VFIO_REGION_INFO_FLAG_READ / _WRITE / _MMAP */
  guint64 size;
  guint64 offset;  /* offset of the region on the device fd */
  guint32 type;    /* e.g. VFIO_REGION_TYPE_GFX */
  guint32 subtype; /* e.g. VFIO_REGION_SUBTYPE_GFX_EDID */
} GvtRegionInfo;

/* Opens a kernel DEVICE as the user wrote it: a group path "/dev/vfio/N",
 * a cdev path "/dev/vfio/devices/vfioX", an mdev UUID, its sysfs path
 * "/sys/bus/mdev/devices/UUID", or "qemu:PID" (a copy of the display
 * vGPU's fd that QEMU process holds: vgpu-process.h). The simulator and
 * "qemu:NAME" are display/device.h's.
 * Returns a new handle (free with gvt_vgpu_free) or NULL with a GVT_ERROR
 * whose message says what happened and what to do. */
GvtVgpu *gvt_vgpu_open (const char *device, GError **error);

/* The same for a parsed spec of any kernel kind (group, cdev, mdev, fd,
 * qemu:PID). */
GvtVgpu *gvt_vgpu_open_spec (const GvtDeviceSpec *spec, GError **error);

/* Wraps an inherited VFIO device fd (checked with VFIO_DEVICE_GET_INFO).
 * Takes ownership of @fd on success only, and then sets FD_CLOEXEC on it:
 * the device must not leak into programs gvt-view starts. */
GvtVgpu *gvt_vgpu_open_fd (int fd, GError **error);

/* Releases the device. Every dma-buf fd already handed out stays valid and
 * remains its holder's to close. Accepts NULL. */
void gvt_vgpu_free (GvtVgpu *self);

/* A short name for titles and logs: "vfio 7", "vfio0", "fd 3", "sim",
 * "qemu:1234 (UUID)". */
const char *gvt_vgpu_get_name (GvtVgpu *self);

/* The device operations. Each returns >= 0 on success or a negative errno:
 * the display code decides what an errno means (retry, lost, unsupported),
 * so these never log and never build GErrors. */
int gvt_vgpu_get_device_info (GvtVgpu *self, struct vfio_device_info *info);
int gvt_vgpu_get_region_info (GvtVgpu *self, guint32 index, GvtRegionInfo *info);
/* Reads/writes @len bytes at @offset inside region @index in one access, so
 * a 4-byte call is a 4-byte register access. Returns bytes done or -errno. */
gssize gvt_vgpu_region_read (GvtVgpu *self, guint32 index, guint64 offset,
                             void *buf, gsize len);
gssize gvt_vgpu_region_write (GvtVgpu *self, guint32 index, guint64 offset,
                              const void *buf, gsize len);
/* Maps @len bytes at @offset of region @index; the caller munmap()s it.
 * The region's own offset plus @offset must be page-aligned. */
int gvt_vgpu_region_mmap (GvtVgpu *self, guint32 index, guint64 offset,
                          gsize len, int prot, void **out);
/* VFIO_DEVICE_QUERY_GFX_PLANE, verbatim: @info is in/out and the caller
 * owns the zeroing and the flags. */
int gvt_vgpu_query_plane (GvtVgpu *self, struct vfio_device_gfx_plane_info *info);
/* VFIO_DEVICE_GET_GFX_DMABUF: returns a new fd, owned by the caller, with
 * FD_CLOEXEC set, or -errno. */
int gvt_vgpu_get_dmabuf (GvtVgpu *self, guint32 dmabuf_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtVgpu, gvt_vgpu_free)

G_END_DECLS
