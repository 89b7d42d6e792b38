/* Headless single frame: poll, render offscreen, read back. */
#include "snapshot.h"
#include "compositor.h"
#include "egl.h"
#include "offscreen.h"
#include "texture-cache.h"
#include "common/gvt-error.h"
#include "display/scanout.h"

#define POLL_INTERVAL_US (20 * 1000)

void
gvt_snapshot_free (GvtSnapshot *self)
{
  if (self == NULL)
    return;
  g_free (self->rgba);
  g_free (self);
}

gboolean
gvt_snapshot_wait_for_plane (GvtScanout *scanout, GvtVgpu *vgpu, double wait_seconds, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (MAX (wait_seconds, 0.0) * G_USEC_PER_SEC);

  for (;;)
    {
      gvt_scanout_poll (scanout);
      GvtSourceState state = gvt_scanout_get_state (scanout);
      if (state == GVT_SOURCE_STATE_LIVE && !gvt_scanout_is_retrying (scanout))
        return TRUE;
      if (state == GVT_SOURCE_STATE_LOST)
        {
          g_set_error (error, GVT_ERROR, GVT_ERROR_LOST, "%s: %s", gvt_vgpu_get_name (vgpu),
                       gvt_scanout_get_reason (scanout));
          return FALSE;
        }
      if (g_get_monotonic_time () >= deadline)
        {
          const char *reason = gvt_scanout_get_reason (scanout);
          g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DISPLAY,
                       "%s: no picture after %.1f s: %s (wait longer with --wait SECONDS)",
                       gvt_vgpu_get_name (vgpu), wait_seconds,
                       reason ? reason : "the device shows no plane");
          return FALSE;
        }
      g_usleep (POLL_INTERVAL_US);
    }
}

GvtSnapshot *
gvt_snapshot_take (GvtVgpu *vgpu, const GvtSnapshotOptions *opts, GError **error)
{
  g_autoptr (GvtScanout) scanout = gvt_scanout_new (vgpu, error);
  if (scanout == NULL || !gvt_snapshot_wait_for_plane (scanout, vgpu, opts->wait_seconds, error))
    return NULL;
  return gvt_snapshot_render (gvt_scanout_get_primary (scanout), gvt_scanout_get_cursor (scanout),
                              opts, error);
}

GvtSnapshot *
gvt_snapshot_render (GvtPlane *primary, GvtPlane *cursor, const GvtSnapshotOptions *opts,
                     GError **error)
{
  guint width = opts->width ? opts->width : gvt_plane_get_width (primary);
  guint height = opts->height ? opts->height : gvt_plane_get_height (primary);

  g_autoptr (GvtEgl) egl = gvt_egl_new_headless (opts->render_node, error);
  if (egl == NULL)
    return NULL;

  g_autoptr (GvtSnapshot) shot = g_new0 (GvtSnapshot, 1);
  {
    /* GL objects die before the context does. */
    g_autoptr (GvtOffscreen) target = gvt_offscreen_new (width, height, error);
    if (target == NULL)
      return NULL;
    g_autoptr (GvtTextureCache) cache = gvt_texture_cache_new (egl, GVT_TEXTURE_CACHE_DEFAULT_CAPACITY);
    g_autoptr (GvtCompositor) compositor = gvt_compositor_new (egl, error);
    if (compositor == NULL)
      return NULL;
    gvt_compositor_set_scale_mode (compositor, opts->mode);
    gvt_compositor_set_filter (compositor, opts->filter);

    gvt_offscreen_bind (target);
    gvt_texture_cache_begin_frame (cache);
    if (!gvt_compositor_draw (compositor, cache, primary, cursor, width, height, NULL, error))
      return NULL;

    GvtTextureStats stats;
    gvt_texture_cache_get_stats (cache, &stats);
    shot->rgba = gvt_offscreen_read_rgba (target);
    shot->width = width;
    shot->height = height;
    shot->src_width = gvt_plane_get_width (primary);
    shot->src_height = gvt_plane_get_height (primary);
    shot->fourcc = gvt_plane_get_fourcc (primary);
    shot->imported = stats.imports > 0;
    shot->has_cursor = cursor != NULL;
  }
  return g_steal_pointer (&shot);
}
