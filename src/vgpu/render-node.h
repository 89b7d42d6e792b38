/* Which DRM render node to render a vGPU's planes on: GVT-g dma-bufs
 * import only on the GPU that exported them, the PCI device the mdev sits
 * under. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The render node ("/dev/dri/renderD128") of the parent GPU of @device as
 * the user named it: a group path "/dev/vfio/N", a cdev path
 * "/dev/vfio/devices/vfioX", an mdev UUID or its sysfs path. NULL when
 * there is none to find (the simulator, an inherited fd, a parent without
 * DRM such as the mbochs/mdpy samples): then any device renders.
 * @sysfs_root is "/" normally, a fake tree in tests. Caller frees. */
char *gvt_render_node_for_device (const char *sysfs_root, const char *device);

G_END_DECLS
