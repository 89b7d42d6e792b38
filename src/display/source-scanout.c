/* The scanout poller behind the plane-source ops. */
#include "source-scanout.h"

typedef struct {
  GvtSource base;
  GvtVgpu *vgpu;
  GvtScanout *scanout;
} ScanoutSource;

static GvtSourceChange
scanout_poll (GvtSource *source, gint64 now_us)
{
  return gvt_scanout_poll (((ScanoutSource *) source)->scanout);
}

static GvtSourceState
scanout_get_state (GvtSource *source)
{
  return gvt_scanout_get_state (((ScanoutSource *) source)->scanout);
}

static const char *
scanout_get_reason (GvtSource *source)
{
  return gvt_scanout_get_reason (((ScanoutSource *) source)->scanout);
}

static GvtPlane *
scanout_get_primary (GvtSource *source)
{
  return gvt_scanout_get_primary (((ScanoutSource *) source)->scanout);
}

static GvtPlane *
scanout_get_cursor (GvtSource *source)
{
  return gvt_scanout_get_cursor (((ScanoutSource *) source)->scanout);
}

static void
scanout_drop (GvtSource *source)
{
  ScanoutSource *self = (ScanoutSource *) source;
  g_autoptr (GError) error = NULL;
  /* A fresh poller on the same device: no cached id survives. */
  GvtScanout *fresh = gvt_scanout_new (self->vgpu, &error);

  if (fresh == NULL)
    {
      /* It probed fine when opened; a device that now says otherwise is
       * going away, which the next poll of the old poller sees. */
      g_message ("%s: keeping the old poller: %s", gvt_vgpu_get_name (self->vgpu),
                 error->message);
      return;
    }
  gvt_scanout_free (self->scanout);
  self->scanout = fresh;
}

static void
scanout_finalize (GvtSource *source)
{
  ScanoutSource *self = (ScanoutSource *) source;

  /* The poller's fds first, then the device they came from. */
  g_clear_pointer (&self->scanout, gvt_scanout_free);
  g_clear_pointer (&self->vgpu, gvt_vgpu_free);
}

static const GvtSourceOps scanout_ops = {
  .kind = "vfio",
  .poll = scanout_poll,
  .get_state = scanout_get_state,
  .get_reason = scanout_get_reason,
  .get_primary = scanout_get_primary,
  .get_cursor = scanout_get_cursor,
  .drop = scanout_drop,
  .finalize = scanout_finalize,
};

GvtSource *
gvt_source_scanout_new (GvtVgpu *vgpu, GError **error)
{
  GvtScanout *scanout = gvt_scanout_new (vgpu, error);

  if (scanout == NULL)
    {
      gvt_vgpu_free (vgpu);
      return NULL;
    }
  ScanoutSource *self = gvt_source_alloc (sizeof (ScanoutSource), &scanout_ops,
                                          gvt_vgpu_get_name (vgpu));
  self->vgpu = vgpu;
  self->scanout = scanout;
  return &self->base;
}

GvtScanout *
gvt_source_scanout_get_scanout (GvtSource *source)
{
  return source != NULL && source->ops == &scanout_ops ? ((ScanoutSource *) source)->scanout
                                                       : NULL;
}

GvtVgpu *
gvt_source_scanout_get_vgpu (GvtSource *source)
{
  return source != NULL && source->ops == &scanout_ops ? ((ScanoutSource *) source)->vgpu : NULL;
}
