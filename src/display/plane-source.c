/* The plane-source wrappers. */
#include "plane-source.h"

const char *
gvt_source_state_to_string (GvtSourceState state)
{
  switch (state)
    {
    case GVT_SOURCE_STATE_NO_SIGNAL: return "no-signal";
    case GVT_SOURCE_STATE_LIVE:      return "live";
    case GVT_SOURCE_STATE_INVALID:   return "invalid";
    case GVT_SOURCE_STATE_LOST:      return "lost";
    default:                         return "?";
    }
}

gpointer
gvt_source_alloc (gsize size, const GvtSourceOps *ops, const char *name)
{
  g_assert (size >= sizeof (GvtSource));
  GvtSource *self = g_malloc0 (size);
  self->ops = ops;
  self->name = g_strdup (name);
  return self;
}

void
gvt_source_free (GvtSource *self)
{
  if (self == NULL)
    return;
  if (self->ops->finalize != NULL)
    self->ops->finalize (self);
  g_free (self->name);
  g_free (self);
}

GvtSourceChange gvt_source_poll (GvtSource *self, gint64 now_us) { return self->ops->poll (self, now_us); }
GvtSourceState gvt_source_get_state (GvtSource *self) { return self->ops->get_state (self); }
const char *gvt_source_get_reason (GvtSource *self) { return self->ops->get_reason (self); }
GvtPlane *gvt_source_get_primary (GvtSource *self) { return self->ops->get_primary (self); }
GvtPlane *gvt_source_get_cursor (GvtSource *self) { return self->ops->get_cursor (self); }
const char *gvt_source_get_name (GvtSource *self) { return self->name; }
const char *gvt_source_get_kind (GvtSource *self) { return self->ops->kind; }
void gvt_source_drop (GvtSource *self) { self->ops->drop (self); }
