/* GvtVgpu: the DEVICE argument's dispatch to a backend, and the thin
 * wrappers through which every device operation goes. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vgpu-private.h"
#include "vgpu-kernel.h"
#include "vgpu-sim.h"
#include "demo-guest.h"
#include "mdev.h"
#include "../gvt-error.h"
#include "../display/format.h"

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

#define SIM_SPEC_HELP \
  "use sim, sim:WIDTHxHEIGHT or sim:WIDTHxHEIGHT:FOURCC with sizes from 1 to 4096 and a " \
  "DRM fourcc of 4 printable characters (e.g. sim:1920x1080, sim:640x480:YUYV)"

/* "sim", "sim:WxH" or "sim:WxH:FOURCC": a simulated GVT-g-like device
 * already showing a mode, so that `probe sim` has something to report.
 * FOURCC is any DRM fourcc, known to gvt-view or not: how the tests get a
 * guest plane the viewer must refuse ("unsupported format"). */
static GvtVgpu *
open_sim (const char *device, GError **error)
{
  guint32 width = 1024, height = 768;
  guint32 fourcc = GVT_FORMAT_XRGB8888;

  if (device[3] == ':')
    {
      const char *spec = device + 4;
      char *end = NULL;
      guint64 w = 0, h = 0;
      /* strtoull takes signs and spaces: only digits are sizes here. */
      if (g_ascii_isdigit (*spec))
        w = g_ascii_strtoull (spec, &end, 10);
      if (w > 0 && (*end == 'x' || *end == 'X') && g_ascii_isdigit (end[1]))
        h = g_ascii_strtoull (end + 1, &end, 10);
      if (h > 0 && *end == ':')
        {
          const char *fcc = end + 1;
          gsize n = 0;
          while (n < 4 && g_ascii_isprint (fcc[n]))
            n++;
          if (n != 4 || fcc[4] != '\0')
            {
              g_autofree char *shown = g_strescape (fcc, NULL);
              g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                           "'%s' is not a simulated device: FOURCC '%s' must be exactly 4 "
                           "printable characters, a DRM fourcc such as XR24, AR24 or YUYV",
                           device, shown);
              return NULL;
            }
          fourcc = GVT_FOURCC (fcc[0], fcc[1], fcc[2], fcc[3]);
          end = (char *) fcc + 4;
        }
      if (w == 0 || h == 0 || *end != '\0' || w > 4096 || h > 4096)
        {
          g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                       "'%s' is not a simulated device: " SIM_SPEC_HELP, device);
          return NULL;
        }
      width = (guint32) w;
      height = (guint32) h;
    }
  else if (device[3] != '\0')
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "'%s' is not a device: did you mean sim, sim:WIDTHxHEIGHT or "
                   "sim:WIDTHxHEIGHT:FOURCC?", device);
      return NULL;
    }

  GvtVgpu *vgpu = gvt_sim_new (GVT_SIM_DMABUF, GVT_SIM_QUIRK_NONE, 3840, 2160);
  GvtSim *sim = gvt_vgpu_get_sim (vgpu);
  const GvtFormat *format = gvt_format_lookup (fourcc);
  /* A format gvt-view doesn't know has no tight stride: say 4 bytes a
   * pixel, enough for any packed format a guest would scan out. */
  gvt_sim_set_mode (sim, fourcc, GVT_MOD_LINEAR, width, height, format ? 0 : width * 4);
  /* The pattern is 32-bit pixels; other formats show zeros. */
  if (format != NULL && format->cpp == 4)
    gvt_demo_paint_test_pattern (gvt_sim_get_pixels (sim, FALSE), width, height,
                                 gvt_sim_get_stride (sim));
  return vgpu;
}

static GvtVgpu *
open_mdev (const char *device, GError **error)
{
  g_autofree char *group = NULL;
  g_autofree char *name = NULL;

  if (!gvt_mdev_resolve (device, &group, &name, error))
    return NULL;
  return gvt_vgpu_kernel_open_group (group, name, error);
}

GvtVgpu *
gvt_vgpu_open (const char *device, GError **error)
{
  g_return_val_if_fail (device != NULL, NULL);

  if (g_str_has_prefix (device, "sim"))
    return open_sim (device, error);
  if (g_str_has_prefix (device, "/dev/vfio/devices/"))
    return gvt_vgpu_kernel_open_cdev (device, error);
  if (g_str_has_prefix (device, "/dev/vfio/"))
    return gvt_vgpu_kernel_open_group (device, NULL, error);
  if (gvt_mdev_is_uuid (device) || g_str_has_prefix (device, "/sys/"))
    return open_mdev (device, error);

  g_autofree char *existing = gvt_mdev_describe_instances ();
  g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
               "'%s' is not a device gvt-view knows: give /dev/vfio/N, "
               "/dev/vfio/devices/vfioX, an mdev UUID, /sys/bus/mdev/devices/UUID, "
               "--fd N or sim%s%s", device,
               *existing ? "\nvGPUs on this host:\n" : " (`gvt-view list` shows the vGPUs)",
               existing);
  return NULL;
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
