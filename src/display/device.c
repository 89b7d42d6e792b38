/* The DEVICE opener: dispatches a parsed spec to the kernel backend or to
 * the simulated vGPU (which lives above the device layer). */
#include "device.h"
#include "scanout.h"
#include "qemu/qemu-process.h"
#include "vgpu/vgpu-process.h"
#include "common/format.h"
#include "sim/demo-guest.h"
#include "sim/vgpu-sim.h"

/* The simulator's EDID limits: a 4K monitor. */
#define SIM_MAX_XRES 3840
#define SIM_MAX_YRES 2160

static GvtVgpu *
open_sim (const GvtDeviceSpec *spec)
{
  GvtVgpu *vgpu = gvt_sim_new (GVT_SIM_DMABUF, GVT_SIM_QUIRK_NONE, SIM_MAX_XRES, SIM_MAX_YRES);
  GvtSim *sim = gvt_vgpu_get_sim (vgpu);
  const GvtFormat *format = gvt_format_lookup (spec->fourcc);

  /* A format gvt-view doesn't know has no tight stride: say 4 bytes a
   * pixel, enough for any packed format a guest would scan out. */
  gvt_sim_set_mode (sim, spec->fourcc, GVT_MOD_LINEAR, spec->width, spec->height,
                    format ? 0 : spec->width * 4);
  /* The pattern is 32-bit pixels; other formats show zeros. */
  if (format != NULL && format->cpp == 4)
    gvt_demo_paint_test_pattern (gvt_sim_get_pixels (sim, FALSE), spec->width, spec->height,
                                 gvt_sim_get_stride (sim));
  return vgpu;
}

/* qemu:NAME: the QEMU with that -name or libvirt domain, then its device
 * fd (qemu:PID needs no lookup: the vgpu layer takes it directly). */
static GvtVgpu *
open_qemu_name (const GvtDeviceSpec *spec, GError **error)
{
  g_auto (GvtQemuProcess) process = { 0 };
  g_autoptr (GError) local = NULL;
  GvtVgpu *vgpu = NULL;

  if (gvt_qemu_process_find (spec->qemu, NULL, NULL, &process, &local))
    vgpu = gvt_vgpu_open_from_process (process.pid, NULL, NULL, &local);
  if (vgpu == NULL)
    g_propagate_prefixed_error (error, g_steal_pointer (&local), "cannot open %s: ", spec->text);
  return vgpu;
}

GvtVgpu *
gvt_device_open_spec (const GvtDeviceSpec *spec, GError **error)
{
  if (spec->kind == GVT_DEVICE_SIM)
    return open_sim (spec);

  g_autoptr (GvtVgpu) vgpu = spec->kind == GVT_DEVICE_QEMU && spec->pid == 0
    ? open_qemu_name (spec, error) : gvt_vgpu_open_spec (spec, error);
  if (vgpu == NULL)
    return NULL;
  /* A device without a display (plain vfio-pci, mtty) is an open error
   * like any other, and says so with the device the user named. The
   * poller's probe is two ioctls. */
  g_autoptr (GError) local = NULL;
  g_autoptr (GvtScanout) probe = gvt_scanout_new (vgpu, &local);
  if (probe == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local),
                                  spec->kind == GVT_DEVICE_FD ? "cannot use %s: " : "cannot open %s: ",
                                  spec->text);
      return NULL;
    }
  return g_steal_pointer (&vgpu);
}

GvtVgpu *
gvt_device_open (const char *device, int fd, GError **error)
{
  GvtDeviceSpec spec;

  if (!gvt_device_spec_parse (device, fd, &spec, error))
    return NULL;
  GvtVgpu *vgpu = gvt_device_open_spec (&spec, error);
  gvt_device_spec_clear (&spec);
  return vgpu;
}
