/* An in-process fake of the kernel's VFIO for the tests: a umockdev testbed
 * with the device nodes and sysfs of one mediated vGPU, and an ioctl handler
 * that plays the kernel (container, group, device cdev, planes, dma-bufs,
 * regions, EDID) with the faults and quirks real devices show.
 *
 * How it is wired, and what a test must know:
 * - Run under umockdev's preload (gvt_test_ensure_umockdev() first in
 *   main()). umockdev redirects /dev and /sys into the testbed and hands
 *   every ioctl on a node to the handler, which runs on umockdev's worker
 *   thread of this same process: the fds it creates (the device fd of
 *   GROUP_GET_DEVICE_FD, memfd "dma-bufs") are valid here.
 * - umockdev intercepts neither pread/pwrite nor mmap, nor can it make
 *   open() fail. So the device is a regular file (/dev/.gvt-fake/device,
 *   hard-linked as the cdev) that mmap sees directly, and this file defines
 *   open(), open64(), pread(), pwrite() and their 64-bit/fortify variants:
 *   the executable's definitions come before the preload library, and they
 *   pass everything on (dlsym RTLD_NEXT) except the injected open faults
 *   and the EDID registers, which must react to each 4-byte access.
 * - While a fake exists, /dev/vfio/... and /dev/iommu paths it does not
 *   emulate fail with ENOENT: a test never reaches the host's real VFIO.
 * - Only one fake at a time per process (the interposers find it through
 *   a global). Make one per test, in the fixture.
 * - Region offsets are index << 28, not the kernel's index << 40: code
 *   under test must use the offset GET_REGION_INFO reports.
 * Every function is for the test's thread; the handler's state is locked. */
#pragma once

#include <glib.h>
#include <linux/vfio.h>

G_BEGIN_DECLS

typedef struct _GvtFakeKernel GvtFakeKernel;

typedef enum {
  GVT_FAKE_DISPLAY_DMABUF = 0, /* GVT-g, mbochs: planes are dma-bufs */
  GVT_FAKE_DISPLAY_REGION = 1, /* mdpy: the primary plane is region 16 */
  GVT_FAKE_DISPLAY_NONE = 2,   /* vfio-pci, mtty: ENOTTY on every plane query */
} GvtFakeDisplay;

typedef enum {
  GVT_FAKE_QUIRK_NONE = 0,
  /* GVT-g: with no plane, the query returns 0 and leaves the caller's
   * struct as it was (without it the plane fields come back zeroed). */
  GVT_FAKE_QUIRK_ECHO_WHEN_OFF = 1 << 0,
  /* mbochs: the first primary query after a mode change (a new format,
   * modifier, size or stride via set_primary) fails with ENOMEM. */
  GVT_FAKE_QUIRK_ENOMEM_AFTER_MODESET = 1 << 1,
} GvtFakeQuirks;

/* All zero (or NULL to gvt_fake_kernel_new) is a GVT-g vGPU in group 7 with
 * a cdev, /dev/iommu and an EDID region. */
typedef struct {
  int group;            /* IOMMU group number; 0 = 7 */
  const char *uuid;     /* NULL = GVT_FAKE_UUID */
  const char *type;     /* mdev type id; NULL = "i915-GVTg_V5_4" */
  const char *parent;   /* parent device; NULL = "0000:00:02.0" */
  GvtFakeDisplay display;
  GvtFakeQuirks quirks;
  gboolean no_cdev;     /* no /dev/vfio/devices/vfio0 nor /dev/iommu (kernel < 6.6) */
  gboolean no_edid;     /* no EDID region (Broadwell) */
  guint32 max_xres;     /* EDID limits; 0 = 1920 */
  guint32 max_yres;     /* 0 = 1200 */
} GvtFakeConfig;

#define GVT_FAKE_UUID "4b1d9d2e-5c1a-4f4e-8e2b-6a7c0d3e9f10"
#define GVT_FAKE_CONTAINER "/dev/vfio/vfio"
#define GVT_FAKE_CDEV "/dev/vfio/devices/vfio0"
#define GVT_FAKE_IOMMU "/dev/iommu"

/* Region indexes, as on GVT-g and mdpy. */
#define GVT_FAKE_EDID_REGION 9   /* VFIO_PCI_NUM_REGIONS: the first device-specific one */
#define GVT_FAKE_FB_REGION 16    /* mdpy's framebuffer: not counted in num_regions */
#define GVT_FAKE_REGION_SHIFT 28 /* region N starts at N << 28 on the device fd */
/* BAR2 carries a sparse-mmap capability longer than 512 bytes, so that a
 * reader has to ask twice to see its chain. */
#define GVT_FAKE_BAR2_SIZE (64u << 20)
#define GVT_FAKE_FB_SIZE (8u << 20) /* region 16 (REGION display only) */

/* EDID registers as GVT-g has them: 128-byte blob at offset 2048. */
#define GVT_FAKE_EDID_OFFSET 2048
#define GVT_FAKE_EDID_MAX_SIZE 128

typedef enum {
  GVT_FAKE_NODE_CONTAINER, /* /dev/vfio/vfio */
  GVT_FAKE_NODE_GROUP,     /* /dev/vfio/N */
  GVT_FAKE_NODE_CDEV,      /* /dev/vfio/devices/vfio0 */
  GVT_FAKE_NODE_IOMMU,     /* /dev/iommu */
  GVT_FAKE_N_NODES
} GvtFakeNode;

/* Builds the testbed (sets $UMOCKDEV_DIR). @config may be NULL. Aborts the
 * test on failure. */
GvtFakeKernel *gvt_fake_kernel_new (const GvtFakeConfig *config);
/* Tears the testbed down. Fds handed out stay the holder's. Accepts NULL. */
void gvt_fake_kernel_free (GvtFakeKernel *self);

/* "/dev/vfio/7" */
const char *gvt_fake_kernel_get_group_path (GvtFakeKernel *self);

/* --- more sysfs, for listings and error messages --- */

/* Another mdev of the same parent and type in group @group: sysfs only
 * (its /dev/vfio/@group does not exist, and the group's node, if it is the
 * vGPU's, does not know it). @group < 0: bound to no driver, so it has no
 * iommu_group at all. */
void gvt_fake_kernel_add_mdev (GvtFakeKernel *self, const char *uuid, int group);
/* A PCI device @name bound to @driver (NULL: none) in the vGPU's IOMMU
 * group: what makes a real group not viable (see set_viable). */
void gvt_fake_kernel_add_group_member (GvtFakeKernel *self, const char *name,
                                       const char *driver);

/* --- faults --- */

/* open() of @node fails with @err (EACCES, EBUSY, ENOENT...) until called
 * again with 0. */
void gvt_fake_kernel_fail_open (GvtFakeKernel *self, GvtFakeNode node, int err);
/* The kernel's open of the device fails with @err: GROUP_GET_DEVICE_FD and
 * BIND_IOMMUFD return it (GVT-g: ESRCH without a VM, EEXIST for a second
 * vGPU in one VM). 0 clears. */
void gvt_fake_kernel_fail_device_open (GvtFakeKernel *self, int err);
/* A VM holds the vGPU: open() of the group fails with EBUSY, and
 * BIND_IOMMUFD on the cdev with EINVAL (the cdev itself still opens). */
void gvt_fake_kernel_set_held_elsewhere (GvtFakeKernel *self, gboolean held);
/* GROUP_GET_STATUS without VFIO_GROUP_FLAGS_VIABLE; SET_CONTAINER then
 * fails with EPERM. */
void gvt_fake_kernel_set_viable (GvtFakeKernel *self, gboolean viable);
/* Every call the log names @call (without its arguments: "container
 * GET_API_VERSION", "container CHECK_EXTENSION", "container SET_IOMMU",
 * "group GET_STATUS", "group SET_CONTAINER", "group GET_DEVICE_FD",
 * "device BIND_IOMMUFD", "device GET_INFO", "device GET_REGION_INFO",
 * "device QUERY_GFX_PLANE", "device GET_GFX_DMABUF") fails with @err from
 * now on, before doing anything, and is logged as "<call> -> <ERRNO>".
 * 0 clears. */
void gvt_fake_kernel_fail_ioctl (GvtFakeKernel *self, const char *call, int err);
/* What VFIO_GET_API_VERSION answers (VFIO_API_VERSION at first). */
void gvt_fake_kernel_set_api_version (GvtFakeKernel *self, int version);
/* Whether the container offers VFIO_TYPE1v2_IOMMU (TRUE at first): without
 * it CHECK_EXTENSION says 0 for it and SET_IOMMU refuses it (ENODEV). */
void gvt_fake_kernel_set_type1v2 (GvtFakeKernel *self, gboolean available);
/* The vGPU's group lists no devices in sysfs (its devices directory moves
 * away) until called again with FALSE. */
void gvt_fake_kernel_hide_group_members (GvtFakeKernel *self, gboolean hidden);
/* The device goes away for good: every device ioctl and region access
 * fails with ENODEV from now on. */
void gvt_fake_kernel_unplug (GvtFakeKernel *self);
/* Every write to the EDID blob fails with @err (logged as "edid
 * blob+0:128 -> <ERRNO>") until called again with 0: a device refusing
 * the EDID it is given. */
void gvt_fake_kernel_fail_edid_blob (GvtFakeKernel *self, int err);
/* The EDID registers' edid_size as an earlier writer left it (128 at
 * first). A blob write must end within it (GVT-g's rule): EFAULT. */
void gvt_fake_kernel_set_edid_size (GvtFakeKernel *self, guint32 size);
/* The next non-probe QUERY_GFX_PLANE fails with @err, once. */
void gvt_fake_kernel_fail_next_query (GvtFakeKernel *self, int err);
/* What `echo 1 > .../remove` does first: the mdev's entry in
 * /sys/bus/mdev/devices goes, while the device keeps answering ioctls
 * (the kernel waits for every fd to close before it lets go). */
void gvt_fake_kernel_start_remove (GvtFakeKernel *self);
/* The mdev is removed and its group goes with it, as after `echo 1 >
 * .../remove` once every fd is closed: its /sys/bus/mdev/devices entry
 * goes (as with start_remove), every device ioctl and region access fails
 * with ENODEV (as with unplug), and the group node and the cdev no longer
 * open (ENOENT). FALSE brings it back as a new mdev of the same UUID in the
 * same group: the device answers again (after an unplug too) and knows no
 * dma-buf id until its planes are queried again. The fake has one device
 * file: fds of the old device that are still open would answer again too,
 * so a test closes them first (the kernel's remove waits for that). */
void gvt_fake_kernel_set_removed (GvtFakeKernel *self, gboolean removed);
/* Sets the `next` field of the EDID region's type capability to @next
 * (e.g. its own offset: a loop; 0xFFFFFFF0: out of the buffer). */
void gvt_fake_kernel_corrupt_caps (GvtFakeKernel *self, guint32 next);

/* --- the guest's planes --- */

/* What QUERY_GFX_PLANE answers for the primary plane from now on, copied
 * verbatim (drm_format onwards; hostile values welcome); NULL: no plane.
 * DMABUF display: the answered dmabuf_id becomes known to GET_GFX_DMABUF
 * with that geometry. REGION display: set region_index yourself. */
void gvt_fake_kernel_set_primary (GvtFakeKernel *self,
                                  const struct vfio_device_gfx_plane_info *plane);
/* Same for the cursor plane. */
void gvt_fake_kernel_set_cursor (GvtFakeKernel *self,
                                 const struct vfio_device_gfx_plane_info *plane);
/* What GET_GFX_DMABUF of @dmabuf_id hands out from now on, instead of a
 * memfd as big as the plane says: @size bytes (an exporter whose dma-buf
 * can't back its plane), or GVT_FAKE_DMABUF_UNSEEKABLE, a FIFO, whose lseek
 * fails with ESPIPE (no dma-buf does that since Linux 3.12).
 * GVT_FAKE_DMABUF_PLANE_SIZE goes back to the plane's size. Either kind is
 * counted by gvt_fake_count_dmabuf_fds. */
#define GVT_FAKE_DMABUF_PLANE_SIZE ((gint64) -1)
#define GVT_FAKE_DMABUF_UNSEEKABLE ((gint64) -2)
void gvt_fake_kernel_set_dmabuf_size (GvtFakeKernel *self, guint32 dmabuf_id, gint64 size);
/* Every 32-bit word of the dma-bufs handed out from now on (default 0). */
void gvt_fake_kernel_set_fill (GvtFakeKernel *self, guint32 pixel);
/* Instead of one colour, word i of each dma-buf handed out from now on is
 * gvt_fake_pattern_word (@seed, i): every pixel differs from its
 * neighbours, so a wrong stride, offset or channel order shows. */
#define GVT_FAKE_PATTERN_STEP 0x9E3779B1u
void gvt_fake_kernel_set_fill_pattern (GvtFakeKernel *self, guint32 seed);
guint32 gvt_fake_pattern_word (guint32 seed, gsize index);

/* A plausible primary plane: linear, tight stride (2 bytes per pixel for
 * RGB565, else 4), size = stride * height. */
struct vfio_device_gfx_plane_info gvt_fake_plane (guint32 fourcc, guint32 width,
                                                  guint32 height, guint32 dmabuf_id);
/* A plausible cursor: ARGB8888, @dim x @dim, top-left at @x,@y. */
struct vfio_device_gfx_plane_info gvt_fake_cursor (guint32 dim, guint32 x, guint32 y,
                                                   guint32 hot_x, guint32 hot_y,
                                                   guint32 dmabuf_id);

/* --- what happened --- */

#define GVT_FAKE_ANY_ID G_MAXUINT32

/* GET_GFX_DMABUF calls that returned an fd for @id (GVT_FAKE_ANY_ID: all). */
guint gvt_fake_kernel_get_dmabuf_gets (GvtFakeKernel *self, guint32 dmabuf_id);
/* Non-probe QUERY_GFX_PLANE calls that reached the device. */
guint gvt_fake_kernel_get_queries (GvtFakeKernel *self);
/* Fake dma-bufs (memfds named "gvt-fake-dmabuf") open in this process. The
 * fake hands them out without FD_CLOEXEC, like mbochs. */
int gvt_fake_count_dmabuf_fds (void);

/* The calls that reached the fake, oldest first, one per line ("\n"
 * after each), only those beginning with @prefix (NULL: all). Entries:
 *   "container GET_API_VERSION", "container CHECK_EXTENSION 3",
 *   "container SET_IOMMU 3", "group GET_STATUS", "group SET_CONTAINER",
 *   "group GET_DEVICE_FD <name>", "device BIND_IOMMUFD", "device GET_INFO",
 *   "device GET_REGION_INFO <index>", "device QUERY_GFX_PLANE <what>" with
 *   what = probe-dmabuf, probe-region, primary, cursor (else the raw
 *   flags), "device GET_GFX_DMABUF <id>", "<node> 0x<request>" for others;
 *   and each write to the EDID region (reads are not logged):
 *   "edid link_state=2", "edid edid_size=128", "edid blob+0:128" (blob
 *   offset:length). A refused call ends in " -> EINVAL" (the errno's
 *   name). */
char *gvt_fake_kernel_get_log (GvtFakeKernel *self, const char *prefix);
void gvt_fake_kernel_clear_log (GvtFakeKernel *self);

/* The EDID registers' link_state, and the blob's first edid_size bytes. */
guint32 gvt_fake_kernel_get_edid_link_state (GvtFakeKernel *self);
GBytes *gvt_fake_kernel_get_edid (GvtFakeKernel *self);

/* What the code under test holds open on the fake: its device fds in
 * /proc/self/fd (gvt_test_count_device_fds: files, memfds) plus the
 * emulated nodes (container, group, cdev, /dev/iommu) the fake sees
 * connected. umockdev closes its end of a connection asynchronously, on its
 * worker thread: this waits up to 2 s for the sum to come down to
 * @expected, and returns the last sum (listing the fds when it is off). */
int gvt_fake_settle_fds (int expected);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtFakeKernel, gvt_fake_kernel_free)

G_END_DECLS
