/* DEVICE -> an open vGPU: the kernel backend for VFIO devices, the
 * simulator for sim[:WxH[:FOURCC]]. The one opener every command and the
 * session use. */
#pragma once

#include <glib.h>

#include "vgpu/device-spec.h"
#include "vgpu/vgpu.h"

G_BEGIN_DECLS

/* Opens @spec and checks that it has a display (dma-buf or region
 * planes). A simulated device already shows its mode with the test
 * pattern painted (so that `probe sim` and `snapshot sim` have a picture).
 * NULL with a GVT_ERROR that starts with the device the user named
 * ("cannot open /dev/vfio/7: ...", "cannot use --fd 5: ..."). */
GvtVgpu *gvt_device_open_spec (const GvtDeviceSpec *spec, GError **error);

/* Parses and opens @device, or the inherited @fd when @device is NULL
 * (exactly one of them). */
GvtVgpu *gvt_device_open (const char *device, int fd, GError **error);

G_END_DECLS
