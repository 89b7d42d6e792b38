/* The simulated vGPU: an in-process device with the kernel ABI's semantics
 * (memfd "dma-bufs", dmabuf ids, a cursor plane, region planes, an EDID
 * region) and a small scripted "guest" that drives it. Used by the demo,
 * the benchmarks and the tests. */
#pragma once

#include "vgpu/vgpu.h"

G_BEGIN_DECLS

typedef struct _GvtSim GvtSim;

typedef enum {
  GVT_SIM_DMABUF = 0,  /* planes are dma-bufs (GVT-g, mbochs) */
  GVT_SIM_REGION = 1,  /* the primary plane is region 16 (mdpy) */
} GvtSimMode;

typedef enum {
  GVT_SIM_QUIRK_NONE = 0,
  /* GVT-g: with no plane enabled, the query returns 0 and leaves the
   * caller's struct unchanged instead of zeroing it. */
  GVT_SIM_QUIRK_ECHO_WHEN_OFF = 1 << 0,
  /* mbochs: the first query after a mode change fails with ENOMEM. */
  GVT_SIM_QUIRK_ENOMEM_AFTER_MODESET = 1 << 1,
} GvtSimQuirks;

/* A new simulated device, no plane enabled (the firmware phase). The guest
 * side is reached with gvt_vgpu_get_sim(). EDID limits are @max_xres x
 * @max_yres (0 = no EDID region). */
GvtVgpu *gvt_sim_new (GvtSimMode mode, GvtSimQuirks quirks,
                      guint32 max_xres, guint32 max_yres);

/* The device side answers through the gvt_vgpu_* ops as the kernel would
 * (VFIO-NOTES.md), drivers' habits included:
 * - GET_DEVICE_INFO: a PCI device with VFIO_PCI_NUM_REGIONS regions, one
 *   more with EDID. The standard PCI regions exist and are empty (size 0,
 *   no flags); any other index is EINVAL, except the two below.
 * - QUERY_GFX_PLANE: argsz < sizeof: EINVAL. A probe (PROBE | type) is 0
 *   for the device's type (DMABUF or REGION) and EINVAL otherwise; a real
 *   query needs flags exactly that type and drm_plane_type 1 or 2 (else
 *   EINVAL). No plane: the out fields (drm_format onwards) are zeroed, or
 *   left alone with GVT_SIM_QUIRK_ECHO_WHEN_OFF. Dma-buf size is stride *
 *   height rounded up to whole tiles.
 * - GET_GFX_DMABUF: a new fd with its own file description and FD_CLOEXEC
 *   on the buffer's memfd (whole pages, CPU-mappable, the guest's pixels);
 *   EINVAL for an id no live buffer holds; ENOTTY in REGION mode (mdpy has
 *   no such ioctl). gvt_sim_set_dmabuf_size() makes it hand out something
 *   else.
 * - Region 16 (REGION mode, once a mode is set): flags READ | WRITE | MMAP,
 *   size the power of two above stride * height, also the plane's size;
 *   only mmap works (read/write EINVAL), like mdpy.
 * - EDID region (index VFIO_PCI_NUM_REGIONS, GVT-g's layout): type GFX,
 *   subtype EDID, size 128, blob at 2048, edid_max_size 512. Registers take
 *   only 4-byte accesses at their offsets (EINVAL otherwise); writes to the
 *   read-only ones are EPERM; edid_size > edid_max_size and link states
 *   other than 1/2 are EINVAL; the blob is writable only while the link is
 *   down (EBUSY). The link starts up with no EDID.
 * - After gvt_sim_lose_device(): ENODEV from every op.
 * gvt_vgpu_free() releases every memfd and mapping the sim holds; fds
 * handed out stay valid and are their holders' to close. */

/* The guest side of a simulated handle, or NULL for other backends. */
GvtSim *gvt_vgpu_get_sim (GvtVgpu *vgpu);

/* --- the scripted guest --- */

/* How many modes the device remembers, the current one included. Their
 * framebuffers (and dmabuf ids) stay allocated; setting a further mode first
 * frees the least recently set one's buffers. */
#define GVT_SIM_KEPT_MODES 2

/* Sets a primary mode and enables the plane, showing the mode's first
 * buffer. @stride 0 = tight (rounded up to the tile width for tiled
 * modifiers); a fourcc gvt-view doesn't know needs an explicit stride.
 * DMABUF mode: two framebuffers (front and back), zero-filled. A mode still
 * remembered (see GVT_SIM_KEPT_MODES; same fourcc, modifier, width, height,
 * stride) gets its buffers and ids back, cleared, like GVT-g.
 * dmabuf ids: a new buffer gets the smallest positive number that no live
 * buffer (remembered modes, the cursor) holds and that never named a buffer
 * of the same geometry (fourcc, modifier, width, height, stride) before.
 * So a freed id comes back lowest-first, but only with other geometry:
 * after modes A (ids 1, 2) and B (3, 4), a new mode C evicts A and gets 1
 * and 2 with C's geometry; A set again later gets fresh ids. An (id,
 * geometry) pair thus never names two buffers, as on the kernel (GVT-g
 * frees an id only when every fd on it is closed): a cache must key on id
 * *and* geometry, and that is enough. Deterministic on purpose, for tests.
 * (The allocator remembers the last 256 pairs.)
 * REGION mode (mdpy): XRGB8888 linear only, one framebuffer (no flips), no
 * ids; region 16 shows it. Its memory is the device's and stays put across
 * modes — a mapping of it stays good — growing when a mode needs more; its
 * region info gives the size the current mode uses (a power of two, as
 * mdpy reports), so a mapping made for a smaller mode covers less. */
void gvt_sim_set_mode (GvtSim *self, guint32 fourcc, guint64 modifier,
                       guint32 width, guint32 height, guint32 stride);
/* Disables the primary plane (and so the cursor). Buffers, ids and the
 * cursor image are kept: the next set_mode of the same mode shows them. */
void gvt_sim_disable (GvtSim *self);
/* Swaps front and back buffers: the primary dmabuf id changes. Does
 * nothing in REGION mode. */
void gvt_sim_page_flip (GvtSim *self);
/* The pixels of the front (@back FALSE) or back buffer, stride bytes per
 * row; valid until the next set_mode. NULL when no mode is set. In REGION
 * mode both are the one framebuffer. */
guint8 *gvt_sim_get_pixels (GvtSim *self, gboolean back);
guint32 gvt_sim_get_stride (GvtSim *self);

/* Defines a square ARGB8888 cursor image @size x @size (64/128/256) with
 * hotspot (hot_x, hot_y) (0xFFFFFFFF = unknown), zero-filled; a new cursor
 * dmabuf id, different from the previous image's. DMABUF mode only (mdpy
 * has no cursor plane). The cursor is reported only while the primary
 * plane is enabled. */
void gvt_sim_set_cursor (GvtSim *self, guint32 size, guint32 hot_x, guint32 hot_y);
/* The cursor image's pixels (size*4 bytes per row), or NULL. */
guint8 *gvt_sim_get_cursor_pixels (GvtSim *self);
/* Moves the cursor's top-left; the cursor id is kept. The position stays
 * for later images. Reported verbatim in x_pos/y_pos: a device that keeps
 * the sign says (guint32) -10 for a cursor 10 pixels off the left edge,
 * GVT-g says 10 (it drops the sign). */
void gvt_sim_move_cursor (GvtSim *self, guint32 x, guint32 y);
/* Removes the cursor image: its buffer is freed and its id can be reused. */
void gvt_sim_hide_cursor (GvtSim *self);

/* What GET_GFX_DMABUF hands out for a buffer of @plane_type (1 primary, 2
 * cursor) from now on: GVT_SIM_DMABUF_REAL, the buffer itself (as at
 * first); a size in bytes, a fresh zero-filled memfd that small instead of
 * the buffer (an exporter whose dma-buf can't back its plane); or
 * GVT_SIM_DMABUF_UNSEEKABLE, a pipe, whose lseek fails with ESPIPE (no
 * dma-buf does that since Linux 3.12). Each GET makes a new one; the ids
 * and the counts stay the buffer's. */
#define GVT_SIM_DMABUF_REAL ((gint64) -1)
#define GVT_SIM_DMABUF_UNSEEKABLE ((gint64) -2)
void gvt_sim_set_dmabuf_size (GvtSim *self, guint32 plane_type, gint64 size);

/* From now on every op fails with ENODEV (hot-unplug). */
void gvt_sim_lose_device (GvtSim *self);

/* Overrides the next plane report of @plane_type (1 primary, 2 cursor) with
 * @info verbatim, once: how tests feed the poller hostile values. Every
 * field the device writes (drm_format onwards) comes from @info; argsz,
 * flags and drm_plane_type stay the caller's. It is used by the next valid
 * query of that plane, even when no plane is enabled. */
void gvt_sim_inject_plane (GvtSim *self, guint32 plane_type,
                           const struct vfio_device_gfx_plane_info *info);
/* Makes the next query (any kind, probes included) fail with @err (a
 * positive errno), once. A lost device's ENODEV wins. */
void gvt_sim_inject_error (GvtSim *self, int err);
/* Every cursor query fails with @err from now on (0: no more), the way
 * GVT-g refuses a cursor it can't decode (EINVAL, EFAULT) every tick. */
void gvt_sim_fail_cursor (GvtSim *self, int err);

/* Tests only: @func (@sim, @data) runs at the end of every gvt_sim_new()
 * from now on (NULL: none), before the caller sees the device. It is how a
 * test reaches the simulated device behind a command it runs in-process
 * (`probe sim`), to script it like any other: a cursor, a short dma-buf.
 * One hook per process; set it and clear it on the test's thread, around
 * the command. */
typedef void (*GvtSimNewHook) (GvtSim *sim, gpointer data);
void gvt_sim_set_new_hook (GvtSimNewHook func, gpointer data);

/* --- what the device saw, for tests --- */
/* QUERY_GFX_PLANE calls so far, failed ones and probes included. */
guint gvt_sim_get_query_count (GvtSim *self);
/* GET_GFX_DMABUF calls for @dmabuf_id so far, failed ones included; counted
 * per id number, so a reused id adds to its earlier count. */
guint gvt_sim_get_dmabuf_gets (GvtSim *self, guint32 dmabuf_id);
guint gvt_sim_get_total_dmabuf_gets (GvtSim *self);
/* The EDID the guest was last given (NULL if none) and its size, and the
 * sequence of link-state writes seen (1 up, 2 down) as a string "21...".
 * The guest is given the blob when the link goes up (the hotplug); a link-up
 * without a valid EDID base block is refused (EINVAL) and not logged. */
const guint8 *gvt_sim_get_edid (GvtSim *self, gsize *size);
const char *gvt_sim_get_link_log (GvtSim *self);

G_END_DECLS
