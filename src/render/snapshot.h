/* One frame of a vGPU, rendered offscreen: the engine of `gvt-view
 * snapshot`, also used by tests on an in-process simulated vGPU. */
#pragma once

#include <glib.h>

#include "geometry.h"
#include "display/scanout.h"
#include "vgpu/vgpu.h"

G_BEGIN_DECLS

typedef struct {
  guint width, height;      /* output size; 0 = the guest's */
  GvtScaleMode mode;
  GvtFilter filter;
  double wait_seconds;      /* how long to wait for a primary plane */
  const char *render_node;  /* NULL: any device */
} GvtSnapshotOptions;

#define GVT_SNAPSHOT_DEFAULT_WAIT 2.0

typedef struct {
  guint8 *rgba;             /* width * height * 4, row 0 at the top */
  guint width, height;
  guint src_width, src_height;
  guint32 fourcc;
  gboolean imported;        /* zero-copy import (else one upload) */
  gboolean has_cursor;
} GvtSnapshot;

/* Polls @vgpu (borrowed) until it shows a primary plane or
 * @opts->wait_seconds pass, then draws primary and cursor into an
 * offscreen target on a headless EGL display of its own. Errors:
 * GVT_ERROR_NO_DISPLAY when no plane came ("no picture after 2 s: the
 * guest has not enabled a display plane ..."), GVT_ERROR_LOST, and
 * whatever EGL set-up or the texture cache report (UNSUPPORTED,
 * INVALID_PLANE). Runs on the calling thread, leaves no context current. */
GvtSnapshot *gvt_snapshot_take (GvtVgpu *vgpu, const GvtSnapshotOptions *opts, GError **error);
/* Draws @primary and @cursor (may be NULL) as gvt_snapshot_take does, for
 * planes from any source (the QEMU link's ramfb). */
GvtSnapshot *gvt_snapshot_render (GvtPlane *primary, GvtPlane *cursor,
                                  const GvtSnapshotOptions *opts, GError **error);

/* Accepts NULL. */
void gvt_snapshot_free (GvtSnapshot *self);

/* Polls @scanout (of @vgpu, for messages) every 20 ms until it has a
 * settled primary plane (TRUE), the device is lost (GVT_ERROR_LOST) or
 * @wait_seconds pass (GVT_ERROR_NO_DISPLAY with the poller's reason). */
gboolean gvt_snapshot_wait_for_plane (GvtScanout *scanout, GvtVgpu *vgpu,
                                      double wait_seconds, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtSnapshot, gvt_snapshot_free)

G_END_DECLS
