/* GvtVgpu: a parsed kernel DEVICE's dispatch to the kernel backend, and the
 * thin wrappers through which every device operation goes. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vgpu-private.h"
#include "vgpu-kernel.h"
#include "vgpu-process.h"
#include "common/gvt-error.h"

gpointer
gvt_vgpu_alloc (gsize size, const GvtVgpuOps *ops, const char *name)
{
  g_assert (size >= sizeof (GvtVgpu));
  GvtVgpu *self = g_malloc0 (size);
  self->ops = ops;
  self->name = g_strdup (name);
  return self;
}

void
gvt_vgpu_free (GvtVgpu *self)
{
  if (self == NULL)
    return;
  if (self->ops->finalize)
    self->ops->finalize (self);
  g_free (self->name);
  g_free (self);
}

const char *
gvt_vgpu_get_name (GvtVgpu *self)
{
  return self->name;
}

/* qemu:PID. A name needs the qemu layer to become a process, so
 * gvt_device_open_spec() resolves it and calls gvt_vgpu_open_from_process()
 * itself. */
static GvtVgpu *
open_qemu (const GvtDeviceSpec *spec, GError **error)
{
  if (spec->pid < 1)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "cannot open %s: a VM named by its name is found by gvt_device_open_spec(), "
                   "not by the device layer", spec->text);
      return NULL;
    }

  g_autoptr(GError) local = NULL;
  GvtVgpu *vgpu = gvt_vgpu_open_from_process (spec->pid, NULL, NULL, &local);
  if (vgpu == NULL)
    g_propagate_prefixed_error (error, g_steal_pointer (&local), "cannot open %s: ", spec->text);
  return vgpu;
}

GvtVgpu *
gvt_vgpu_open_spec (const GvtDeviceSpec *spec, GError **error)
{
  switch (spec->kind)
    {
    case GVT_DEVICE_GROUP: return gvt_vgpu_kernel_open_group (spec->text, NULL, error);
    case GVT_DEVICE_CDEV:  return gvt_vgpu_kernel_open_cdev (spec->text, error);
    case GVT_DEVICE_MDEV:  return gvt_vgpu_kernel_open_mdev (spec->text, error);
    case GVT_DEVICE_FD:    return gvt_vgpu_kernel_open_fd (spec->fd, error);
    case GVT_DEVICE_QEMU:  return open_qemu (spec, error);
    case GVT_DEVICE_SIM:
    default:
      /* The simulator sits above this layer: gvt_device_open() opens it. */
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "cannot open %s: not a kernel device", spec->text);
      return NULL;
    }
}

GvtVgpu *
gvt_vgpu_open (const char *device, GError **error)
{
  GvtDeviceSpec spec;

  g_return_val_if_fail (device != NULL, NULL);
  if (!gvt_device_spec_parse (device, -1, &spec, error))
    return NULL;
  GvtVgpu *vgpu = gvt_vgpu_open_spec (&spec, error);
  gvt_device_spec_clear (&spec);
  return vgpu;
}

GvtVgpu *
gvt_vgpu_open_fd (int fd, GError **error)
{
  return gvt_vgpu_kernel_open_fd (fd, error);
}

int
gvt_vgpu_get_device_info (GvtVgpu *self, struct vfio_device_info *info)
{
  return self->ops->get_device_info ? self->ops->get_device_info (self, info) : -ENOTTY;
}

int
gvt_vgpu_get_region_info (GvtVgpu *self, guint32 index, GvtRegionInfo *info)
{
  return self->ops->get_region_info ? self->ops->get_region_info (self, index, info) : -ENOTTY;
}

gssize
gvt_vgpu_region_read (GvtVgpu *self, guint32 index, guint64 offset, void *buf, gsize len)
{
  return self->ops->region_read ? self->ops->region_read (self, index, offset, buf, len) : -ENOTTY;
}

gssize
gvt_vgpu_region_write (GvtVgpu *self, guint32 index, guint64 offset,
                       const void *buf, gsize len)
{
  return self->ops->region_write ? self->ops->region_write (self, index, offset, buf, len)
                                 : -ENOTTY;
}

int
gvt_vgpu_region_mmap (GvtVgpu *self, guint32 index, guint64 offset, gsize len,
                      int prot, void **out)
{
  return self->ops->region_mmap ? self->ops->region_mmap (self, index, offset, len, prot, out)
                                : -ENOTTY;
}

int
gvt_vgpu_query_plane (GvtVgpu *self, struct vfio_device_gfx_plane_info *info)
{
  return self->ops->query_plane ? self->ops->query_plane (self, info) : -ENOTTY;
}

int
gvt_vgpu_get_dmabuf (GvtVgpu *self, guint32 dmabuf_id)
{
  return self->ops->get_dmabuf ? self->ops->get_dmabuf (self, dmabuf_id) : -ENOTTY;
}
