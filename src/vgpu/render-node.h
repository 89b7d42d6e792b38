/* Which DRM render node to render a vGPU's planes on: GVT-g dma-bufs
 * import only on the GPU that exported them, the PCI device the mdev sits
 * under. */
#pragma once

#include <glib.h>
#include <xf86drm.h>

G_BEGIN_DECLS

/* A PCI device's address, domain:bus:device.function ("0000:00:02.0"). */
typedef struct {
  guint16 domain;
  guint8 bus;
  guint8 dev;
  guint8 func;
} GvtPciAddress;

/* The render node ("/dev/dri/renderD128") of the parent GPU of @device as
 * the user named it: a group path "/dev/vfio/N", a cdev path
 * "/dev/vfio/devices/vfioX", an mdev UUID or its sysfs path. NULL when
 * there is none to find (the simulator, an inherited fd, a parent without
 * DRM such as the mbochs/mdpy samples): then any device renders.
 * The mdev is looked up under @sysfs_root ("/" normally); the GPUs are
 * libdrm's view of this process' /dev/dri and /sys (drmGetDevices2),
 * which tests fake with umockdev. Caller frees. Any thread. */
char *gvt_render_node_for_device (const char *sysfs_root, const char *device);

/* The PCI address of the device the mdev @device (named as above) sits
 * under, read from the name of the mdev directory's parent under
 * @sysfs_root. FALSE when there is no such mdev or its parent is not a
 * PCI device (mbochs, mdpy). */
gboolean gvt_render_node_parent_address (const char *sysfs_root, const char *device,
                                         GvtPciAddress *address);

/* Parses a sysfs PCI device name, "0000:00:02.0" exactly (the kernel's
 * %04x:%02x:%02x.%d). FALSE for anything else. */
gboolean gvt_pci_address_parse (const char *name, GvtPciAddress *address);

/* The render node of the PCI device at @address among @devices (as
 * drmGetDevices2 returns them), or NULL when none is there or it has no
 * render node. Caller frees. */
char *gvt_render_node_match (drmDevicePtr *devices, int n_devices,
                             const GvtPciAddress *address);

G_END_DECLS
