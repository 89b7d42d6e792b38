/* The window's counters: what --stats shows, what --stats-file writes for
 * tests, and what the window benchmark reports. GL-free, no GTK. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  /* Totals since the window opened. */
  guint64 ticks;            /* frame-clock ticks that polled */
  guint64 presents;         /* frames drawn and handed to the display */
  guint64 plane_updates;    /* ticks on which a plane changed */
  guint64 repeats;          /* presents with no plane change (the guest may draw in place) */
  guint64 polls_us;         /* time spent polling, summed */
  guint64 draw_us;          /* CPU time of the draw calls (renderer + GL driver), summed */
  guint64 imports;
  guint64 uploads;
  guint64 bytes_uploaded;

  /* Rates over the last whole second (0 until one has passed). */
  double fps;
  double updates_per_s;
  double poll_us;           /* mean per poll */
  double imports_per_s;
  double bytes_per_s;

  /* private: the second being counted */
  gint64 window_start_us;
  guint64 window_presents, window_updates, window_polls, window_polls_us;
  guint64 window_imports, window_bytes;
} GvtFrameStats;

void gvt_frame_stats_init (GvtFrameStats *self);

/* A poll at @now_us that took @poll_us and changed a plane or not. */
void gvt_frame_stats_poll (GvtFrameStats *self, gint64 now_us, gint64 poll_us, gboolean changed);

/* A presented frame: @repeat when nothing changed, the imports,
 * uploads and bytes of the frame's texture work, @draw_us its CPU time. */
void gvt_frame_stats_present (GvtFrameStats *self, gboolean repeat, guint imports,
                              guint uploads, guint64 bytes, gint64 draw_us);

/* "123.4 MB" style. */
char *gvt_format_bytes (double bytes);

G_END_DECLS
