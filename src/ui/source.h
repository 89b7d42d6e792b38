/* What the window shows: a vGPU and its scanout poller, reopened after a
 * loss when it was opened by name, or the demo guest on a simulated vGPU
 * (live, or frozen at one instant for tests and comparisons). */
#pragma once

#include <glib.h>

#include "../display/scanout.h"

G_BEGIN_DECLS

typedef struct _GvtUiSource GvtUiSource;

typedef enum {
  GVT_UI_STATE_NO_SIGNAL,   /* no primary plane (yet) */
  GVT_UI_STATE_LIVE,        /* a valid primary plane */
  GVT_UI_STATE_UNSUPPORTED, /* the guest's plane can't be shown: see the reason */
  GVT_UI_STATE_LOST,        /* the device went away */
} GvtUiState;

/* "no-signal", "live", "unsupported", "lost": for --stats-file. */
const char *gvt_ui_state_to_string (GvtUiState state);

/* How long a lost device waits between reopen attempts. */
#define GVT_UI_REOPEN_INTERVAL_US (2 * G_USEC_PER_SEC)

/* Opens @device (as gvt_vgpu_open takes it) or the inherited @fd (then
 * @device is NULL): exactly one. Only a device opened by name is reopened
 * after a loss (an inherited fd can't be). */
GvtUiSource *gvt_ui_source_new_device (const char *device, int fd, GError **error);

/* The demo guest on a simulated vGPU. @freeze_at_us >= 0 shows the guest
 * as it is at that instant, forever; < 0 runs it from power-on in real
 * time. Never reopened after a loss. */
GvtUiSource *gvt_ui_source_new_demo (gint64 freeze_at_us);

/* The same with the guest in one mode of @width x @height from power-on
 * (no firmware phase, no mode changes): the window benchmark. */
GvtUiSource *gvt_ui_source_new_demo_sized (gint64 freeze_at_us, guint width, guint height);

/* CPU time this thread spent in the demo guest (painting frames: the
 * guest's work, not the viewer's), in microseconds. 0 for devices. */
gint64 gvt_ui_source_get_guest_cpu_us (GvtUiSource *self);

/* Closes the device. Accepts NULL. */
void gvt_ui_source_free (GvtUiSource *self);

/* One tick at @now_us (monotonic, the frame clock's time): steps the demo
 * guest, polls the planes, closes the device when it is lost, and tries
 * to reopen it when due. Returns what changed (LOST once on a loss;
 * PRIMARY_CHANGED when a reopened device is back). */
GvtScanoutChange gvt_ui_source_poll (GvtUiSource *self, gint64 now_us);

GvtUiState gvt_ui_source_get_state (GvtUiSource *self);
/* Why the state is not LIVE, for a user; NULL when LIVE. */
const char *gvt_ui_source_get_reason (GvtUiSource *self);
/* The current planes (borrowed), NULL when there are none. */
GvtPlane *gvt_ui_source_get_primary (GvtUiSource *self);
GvtPlane *gvt_ui_source_get_cursor (GvtUiSource *self);
/* The poller's counters (zeros while the device is closed). */
void gvt_ui_source_get_scanout_stats (GvtUiSource *self, GvtScanoutStats *stats);

/* "vfio 7", "sim", "demo": for the title. */
const char *gvt_ui_source_get_name (GvtUiSource *self);
/* The path given by the user, for "rendering on the parent GPU"; NULL for
 * an fd or the demo. */
const char *gvt_ui_source_get_device (GvtUiSource *self);
gboolean gvt_ui_source_can_reopen (GvtUiSource *self);
guint gvt_ui_source_get_reopens (GvtUiSource *self);

/* Test hook: makes a simulated device go away now (hot-unplug). FALSE for
 * other devices. */
gboolean gvt_ui_source_simulate_loss (GvtUiSource *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtUiSource, gvt_ui_source_free)

G_END_DECLS
