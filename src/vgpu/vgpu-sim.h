/* The simulated vGPU: an in-process device with the kernel ABI's semantics
 * (memfd "dma-bufs", dmabuf ids, a cursor plane, region planes, an EDID
 * region) and a small scripted "guest" that drives it. Used by the demo,
 * the benchmarks and the tests. */
#pragma once

#include "vgpu.h"

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

/* The guest side of a simulated handle, or NULL for other backends. */
GvtSim *gvt_vgpu_get_sim (GvtVgpu *vgpu);

/* --- the scripted guest --- */

/* Sets a primary mode and enables the plane. @stride 0 = tight. Allocates
 * two framebuffers (front and back), zero-filled; new dmabuf ids unless this
 * exact mode was seen before on this device (ids come back, like GVT-g). */
void gvt_sim_set_mode (GvtSim *self, guint32 fourcc, guint64 modifier,
                       guint32 width, guint32 height, guint32 stride);
/* Disables the primary plane (and so the cursor). */
void gvt_sim_disable (GvtSim *self);
/* Swaps front and back buffers: the primary dmabuf id changes. */
void gvt_sim_page_flip (GvtSim *self);
/* The pixels of the front (@back FALSE) or back buffer, stride bytes per
 * row; valid until the next set_mode. NULL when no mode is set. */
guint8 *gvt_sim_get_pixels (GvtSim *self, gboolean back);
guint32 gvt_sim_get_stride (GvtSim *self);

/* Defines a square ARGB8888 cursor image @size x @size (64/128/256) with
 * hotspot (hot_x, hot_y) (0xFFFFFFFF = unknown); a new cursor dmabuf id. */
void gvt_sim_set_cursor (GvtSim *self, guint32 size, guint32 hot_x, guint32 hot_y);
/* The cursor image's pixels (size*4 bytes per row), or NULL. */
guint8 *gvt_sim_get_cursor_pixels (GvtSim *self);
/* Moves the cursor's top-left; the cursor id is kept. */
void gvt_sim_move_cursor (GvtSim *self, guint32 x, guint32 y);
void gvt_sim_hide_cursor (GvtSim *self);

/* From now on every op fails with ENODEV (hot-unplug). */
void gvt_sim_lose_device (GvtSim *self);

/* Overrides the next plane report of @plane_type (1 primary, 2 cursor) with
 * @info verbatim, once: how tests feed the poller hostile values. */
void gvt_sim_inject_plane (GvtSim *self, guint32 plane_type,
                           const struct vfio_device_gfx_plane_info *info);
/* Makes the next query fail with @err (a positive errno), once. */
void gvt_sim_inject_error (GvtSim *self, int err);

/* --- what the device saw, for tests --- */
guint gvt_sim_get_query_count (GvtSim *self);
/* GET_GFX_DMABUF calls for @dmabuf_id so far. */
guint gvt_sim_get_dmabuf_gets (GvtSim *self, guint32 dmabuf_id);
guint gvt_sim_get_total_dmabuf_gets (GvtSim *self);
/* The EDID the guest was last given (NULL if none) and its size, and the
 * sequence of link-state writes seen (1 up, 2 down) as a string "21...". */
const guint8 *gvt_sim_get_edid (GvtSim *self, gsize *size);
const char *gvt_sim_get_link_log (GvtSim *self);

G_END_DECLS
