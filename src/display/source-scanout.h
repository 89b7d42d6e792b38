/* The VFIO scanout poller as a plane source. */
#pragma once

#include "plane-source.h"
#include "scanout.h"

G_BEGIN_DECLS

/* A source polling @vgpu's planes. Takes ownership of @vgpu (closed with
 * the source: the device and every dma-buf go together). NULL with
 * GVT_ERROR_NO_DISPLAY when the device has no display; @vgpu is freed
 * then too. */
GvtSource *gvt_source_scanout_new (GvtVgpu *vgpu, GError **error);

/* The poller and device behind a scanout source, or NULL for other
 * kinds: counters for the statistics, the simulator for tests. */
GvtScanout *gvt_source_scanout_get_scanout (GvtSource *source);
GvtVgpu *gvt_source_scanout_get_vgpu (GvtSource *source);

G_END_DECLS
