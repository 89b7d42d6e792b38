/* Frame counters and per-second rates. */
#include "frame-stats.h"

void
gvt_frame_stats_init (GvtFrameStats *self)
{
  *self = (GvtFrameStats) { 0 };
}

static void
roll (GvtFrameStats *self, gint64 now_us)
{
  if (self->window_start_us == 0)
    {
      self->window_start_us = now_us;
      return;
    }
  gint64 elapsed = now_us - self->window_start_us;
  if (elapsed < G_USEC_PER_SEC)
    return;
  double s = (double) elapsed / G_USEC_PER_SEC;
  self->fps = self->window_presents / s;
  self->updates_per_s = self->window_updates / s;
  self->poll_us = self->window_polls ? (double) self->window_polls_us / self->window_polls : 0;
  self->imports_per_s = self->window_imports / s;
  self->bytes_per_s = self->window_bytes / s;
  self->window_start_us = now_us;
  self->window_presents = self->window_updates = self->window_polls = 0;
  self->window_polls_us = self->window_imports = self->window_bytes = 0;
}

void
gvt_frame_stats_poll (GvtFrameStats *self, gint64 now_us, gint64 poll_us, gboolean changed)
{
  roll (self, now_us);
  self->ticks++;
  self->polls_us += (guint64) MAX (poll_us, 0);
  self->window_polls++;
  self->window_polls_us += (guint64) MAX (poll_us, 0);
  if (changed)
    {
      self->plane_updates++;
      self->window_updates++;
    }
}

void
gvt_frame_stats_present (GvtFrameStats *self, gboolean repeat, guint imports,
                         guint uploads, guint64 bytes, gint64 draw_us)
{
  self->presents++;
  self->window_presents++;
  if (repeat)
    self->repeats++;
  self->imports += imports;
  self->uploads += uploads;
  self->bytes_uploaded += bytes;
  self->draw_us += (guint64) MAX (draw_us, 0);
  self->window_imports += imports;
  self->window_bytes += bytes;
}

char *
gvt_format_bytes (double bytes)
{
  if (bytes >= 1e9)
    return g_strdup_printf ("%.2f GB", bytes / 1e9);
  if (bytes >= 1e6)
    return g_strdup_printf ("%.1f MB", bytes / 1e6);
  if (bytes >= 1e3)
    return g_strdup_printf ("%.1f kB", bytes / 1e3);
  return g_strdup_printf ("%.0f B", bytes);
}
