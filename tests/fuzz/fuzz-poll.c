/* Checks shared by the poller targets (fuzz-poll.h). */
#include "fuzz-poll.h"

Snap
snap (GvtPlane *p)
{
  Snap s = { 0 };
  if (p == NULL)
    return s;
  s.present = TRUE;
  s.kind = gvt_plane_get_kind (p);
  s.source = gvt_plane_get_source (p);
  s.fourcc = gvt_plane_get_fourcc (p);
  s.modifier = gvt_plane_get_modifier (p);
  s.width = gvt_plane_get_width (p);
  s.height = gvt_plane_get_height (p);
  s.stride = gvt_plane_get_stride (p);
  s.size = gvt_plane_get_size (p);
  s.id = gvt_plane_get_dmabuf_id (p);
  s.x = gvt_plane_get_x (p);
  s.y = gvt_plane_get_y (p);
  s.hot_x = gvt_plane_get_hot_x (p);
  s.hot_y = gvt_plane_get_hot_y (p);
  s.buffer_serial = gvt_buffer_get_serial (gvt_plane_get_buffer (p));
  return s;
}

gboolean
snap_same_image (const Snap *a, const Snap *b)
{
  if (!a->present || !b->present)
    return a->present == b->present;
  return a->kind == b->kind && a->source == b->source && a->fourcc == b->fourcc
         && a->modifier == b->modifier && a->width == b->width && a->height == b->height
         && a->stride == b->stride && a->size == b->size && a->id == b->id
         && a->buffer_serial == b->buffer_serial;
}

gboolean
snap_equal (const Snap *a, const Snap *b)
{
  return snap_same_image (a, b)
         && (!a->present
             || (a->x == b->x && a->y == b->y && a->hot_x == b->hot_x && a->hot_y == b->hot_y));
}


State
state_of (GvtScanout *s)
{
  State st = {
    .state = gvt_scanout_get_state (s),
    .primary = snap (gvt_scanout_get_primary (s)),
    .cursor = snap (gvt_scanout_get_cursor (s)),
    .retrying = gvt_scanout_is_retrying (s),
  };
  gvt_scanout_get_stats (s, &st.stats);
  return st;
}

void
fuzz_poll_check_changes (const State *before, const State *after, GvtSourceChange changes)
{
  gboolean primary_changed = !snap_same_image (&before->primary, &after->primary);
  gboolean cursor_changed = !snap_same_image (&before->cursor, &after->cursor);
  gboolean cursor_moved = !cursor_changed && !snap_equal (&before->cursor, &after->cursor);
  FUZZ_CHECK (!!(changes & GVT_SOURCE_PRIMARY_CHANGED) == primary_changed
              && !!(changes & GVT_SOURCE_CURSOR_IMAGE_CHANGED) == cursor_changed
              && !!(changes & GVT_SOURCE_CURSOR_MOVED) == cursor_moved,
              "changes 0x%x, but primary changed %d, cursor image %d, cursor moved %d",
              changes, primary_changed, cursor_changed, cursor_moved);
}

void
fuzz_poll_check_state (GvtScanout *s)
{
  GvtSourceState state = gvt_scanout_get_state (s);
  const char *reason = gvt_scanout_get_reason (s);
  FUZZ_CHECK ((reason == NULL) == (state == GVT_SOURCE_STATE_LIVE)
              && (reason == NULL || (reason[0] && g_utf8_validate (reason, -1, NULL))),
              "reason '%s' in state %s", reason ? reason : "(null)",
              gvt_source_state_to_string (state));
  FUZZ_CHECK ((gvt_scanout_get_primary (s) != NULL) == (state == GVT_SOURCE_STATE_LIVE),
              "state %s with%s a primary plane", gvt_source_state_to_string (state),
              gvt_scanout_get_primary (s) ? "" : "out");
  FUZZ_CHECK (gvt_scanout_get_cursor (s) == NULL || gvt_scanout_get_primary (s) != NULL,
              "a cursor without a primary");
}
