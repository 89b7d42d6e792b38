/* The VFIO scanout poller: asks the vGPU for its primary and cursor planes each
 * tick, validates them, keeps one dma-buf fd per cached id, and reports what
 * changed. */
#pragma once

#include <glib.h>
#include "plane.h"
#include "plane-source.h"
#include "vgpu/vgpu.h"

G_BEGIN_DECLS

typedef struct _GvtScanout GvtScanout;

typedef struct {
  guint64 polls;
  guint64 queries;        /* QUERY_GFX_PLANE calls */
  guint64 dmabuf_gets;    /* GET_GFX_DMABUF calls */
  guint64 retries;        /* ticks that ended on EINVAL/EFAULT/ENOMEM */
  guint64 rejected;       /* planes refused by validation */
  guint cached;           /* dma-buf fds held right now */
} GvtScanoutStats;

/* How many dma-bufs the cache keeps besides the current primary and cursor. */
#define GVT_SCANOUT_CACHE_RECENT 4
/* Ticks in a row a cursor query may fail (a retryable errno) with the last
 * cursor still shown: half a second at 60 Hz, longer than a transient
 * failure; a cursor the device keeps refusing goes then. */
#define GVT_SCANOUT_CURSOR_RETRY_TICKS 30

/* Probes the device (dma-buf, then region) and returns a poller in state
 * NO_SIGNAL; nothing is queried until the first poll. GVT_ERROR_NO_DISPLAY
 * when the device offers neither. @vgpu is borrowed and must outlive the
 * poller. */
GvtScanout *gvt_scanout_new (GvtVgpu *vgpu, GError **error);

/* Releases every cached fd and mapping (planes handed out keep their own
 * buffer references). Accepts NULL. */
void gvt_scanout_free (GvtScanout *self);

gboolean gvt_scanout_has_dmabuf (GvtScanout *self);
gboolean gvt_scanout_has_region (GvtScanout *self);

/* One tick: a zeroed query of the primary plane, then of the cursor only
 * when a primary exists. EINVAL/EFAULT/ENOMEM end the tick with no change
 * (rate-limited log); ENODEV/EIO move to LOST. Never blocks, never spins.
 * A plane is rejected (never handed out; counted in stats.rejected, each
 * distinct reason logged once) when its fields fail validation, or when
 * the dma-buf fetched for it is smaller than gvt_plane_info_needed_bytes
 * or can't tell its size: a rejected primary makes the state INVALID with
 * the reason, a rejected cursor only hides the cursor. A dma-buf found
 * wanting stays cached as such: its id is not fetched again while the
 * guest keeps showing it. */
GvtSourceChange gvt_scanout_poll (GvtScanout *self);

GvtSourceState gvt_scanout_get_state (GvtScanout *self);
/* Why the state is not LIVE, in words for a user; NULL when LIVE. */
const char *gvt_scanout_get_reason (GvtScanout *self);

/* The current planes (borrowed; take a ref to keep one), or NULL. */
GvtPlane *gvt_scanout_get_primary (GvtScanout *self);
GvtPlane *gvt_scanout_get_cursor (GvtScanout *self);

/* TRUE when the last tick's primary query ended on a retryable error: the
 * device has no settled answer yet (mbochs' ENOMEM after a mode change).
 * The cursor's failures don't count. */
gboolean gvt_scanout_is_retrying (GvtScanout *self);

void gvt_scanout_get_stats (GvtScanout *self, GvtScanoutStats *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtScanout, gvt_scanout_free)

G_END_DECLS
