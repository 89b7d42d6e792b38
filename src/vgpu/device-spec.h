/* The DEVICE argument, parsed once for every command: what the user named,
 * before anything is opened. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  GVT_DEVICE_GROUP, /* /dev/vfio/N: an IOMMU group */
  GVT_DEVICE_CDEV,  /* /dev/vfio/devices/vfioX: a VFIO device cdev */
  GVT_DEVICE_MDEV,  /* an mdev UUID or /sys/... path, resolved to its group */
  GVT_DEVICE_FD,    /* --fd N: an inherited VFIO device fd */
  GVT_DEVICE_SIM,   /* sim[:WxH[:FOURCC]]: the simulated vGPU */
  GVT_DEVICE_QEMU,  /* qemu:PID or qemu:NAME: the display vGPU a running QEMU holds */
} GvtDeviceKind;

typedef struct {
  GvtDeviceKind kind;
  char *text;             /* what the user wrote ("--fd 3" for an fd) */
  int fd;                 /* GVT_DEVICE_FD, else -1 */
  /* GVT_DEVICE_QEMU: what follows "qemu:" (a PID or a VM's name), else
   * NULL; pid is that number for qemu:PID, 0 for qemu:NAME (which the qemu
   * layer resolves to a process) and for every other kind. */
  char *qemu;
  int pid;
  /* GVT_DEVICE_SIM: the mode it shows from the start. */
  guint width, height;
  guint32 fourcc;
} GvtDeviceSpec;

#define GVT_SIM_DEFAULT_WIDTH 1024
#define GVT_SIM_DEFAULT_HEIGHT 768

/* Parses @device, or takes the inherited @fd when @device is NULL: exactly
 * one of them (GVT_ERROR_INVALID_ARGS otherwise, with the forms DEVICE
 * takes, and for an unknown name the vGPUs this host has). @fd is -1 for
 * "not given"; anything below is refused with the range (commands tell a
 * typed "--fd -1" from "not given" themselves: gvt_cmd_parse_fd). Nothing is
 * opened or checked on the system besides listing vGPUs for that message.
 * Clear @spec with gvt_device_spec_clear. */
gboolean gvt_device_spec_parse (const char *device, int fd, GvtDeviceSpec *spec,
                                GError **error);

void gvt_device_spec_clear (GvtDeviceSpec *spec);

G_END_DECLS
