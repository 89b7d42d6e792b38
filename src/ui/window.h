/* The viewer window: a GtkApplicationWindow showing one source (device or
 * demo) live, polled from the frame clock, with the "no signal" / "device
 * lost" / "unsupported format" screens, fullscreen, scaling keys and the
 * statistics overlay. */
#pragma once

#include <gtk/gtk.h>

#include "display/session.h"
#include "render/geometry.h"

G_BEGIN_DECLS

typedef struct {
  GvtScaleMode mode;
  GvtFilter filter;
  gboolean fullscreen;
  gboolean stats;            /* the overlay, from the start */
  guint width, height;       /* initial size in logical pixels; 0: the guest's */
  gboolean quit_with_vm;     /* close when the VM shuts down or QEMU exits */
  gboolean quit_with_qemu;   /* close when QEMU exits (run, attach) */
  /* Input to the guest (with a QEMU link). */
  gboolean view_only;
  gboolean relative_mouse;
  guint grab_keyval;         /* 0: Ctrl+Alt+G */
  GdkModifierType grab_mods;
  /* Test and benchmark hooks (hidden options). */
  /* Frame-clock ticks, whatever the state (a count of presented frames
   * would never fire on a window with no signal). */
  guint exit_after_ticks;    /* close after N ticks; 0: never */
  guint lose_after_ticks;    /* simulated devices: unplug after N ticks */
  gboolean sim_cursor;       /* simulated devices: show the demo's cursor at (200, 150) */
  const char *stats_file;    /* counters as JSON, written when settled and at exit */
  guint stats_interval_ms;   /* and every N ms (a main-loop timer, so also while
                              * the window is hidden and not polling); 0: not */
} GvtUiOptions;

/* The VM's screens show the last frame at this brightness (each channel
 * times it) beneath their words. */
#define GVT_UI_DIM 0.4f

/* How soon a plane the renderer refused is asked for again (the texture
 * cache backs off further on its own). */
#define GVT_UI_RENDER_RETRY_US (1 * G_USEC_PER_SEC)

/* Ticks without a configuration change (size, mode, state, fullscreen,
 * overlay) after which the window counts as settled and --stats-file is
 * written. */
#define GVT_UI_SETTLE_TICKS 5

/* Opens the window on @app for @session (ownership taken) and shows it.
 * The window frees itself and the session when closed. @options is
 * copied. */
void gvt_ui_window_open (GtkApplication *app, GvtSession *session, const GvtUiOptions *options);

G_END_DECLS
