/* What both poller targets check the same way: plane values kept across a
 * poll (without keeping the plane, and so its fd, alive), the change flags
 * and the state's own consistency. */
#pragma once

#include "display/scanout.h"
#include "fuzz-common.h"

G_BEGIN_DECLS

typedef struct {
  gboolean present;
  GvtPlaneKind kind;
  GvtPlaneSource source;
  guint32 fourcc, width, height, stride, size, id, hot_x, hot_y;
  guint64 modifier, buffer_serial;
  gint32 x, y;
} Snap;

Snap snap (GvtPlane *p);
/* gvt_plane_same_image on values: everything but the position. */
gboolean snap_same_image (const Snap *a, const Snap *b);
gboolean snap_equal (const Snap *a, const Snap *b);

typedef struct {
  GvtSourceState state;
  Snap primary, cursor;
  gboolean retrying;
  GvtScanoutStats stats;
} State;

State state_of (GvtScanout *s);

/* The flags say exactly what changed between @before and @after. */
void fuzz_poll_check_changes (const State *before, const State *after,
                              GvtSourceChange changes);
/* A reason exactly when not LIVE (valid UTF-8); LIVE exactly with a
 * primary; no cursor without a primary. */
void fuzz_poll_check_state (GvtScanout *s);

G_END_DECLS
