/* The demo guest: drives a simulated vGPU like a booting VM would, for
 * `gvt-view demo` — a firmware phase with no plane, then an animated
 * desktop with page flips (or painted in place), a cursor sprite and
 * periodic mode changes. */
#pragma once

#include <glib.h>

#include "common/size.h"
#include "vgpu-sim.h"

G_BEGIN_DECLS

typedef struct _GvtDemoGuest GvtDemoGuest;

#define GVT_DEMO_MAX_MODES 8
/* Windows on the desktop, bottom (0) to top. */
#define GVT_DEMO_N_WINDOWS 3
/* The cursor image: a 64x64 arrow whose tip, the hotspot, is at (1, 1). */
#define GVT_DEMO_CURSOR_SIZE 64
#define GVT_DEMO_CURSOR_HOT_X 1
#define GVT_DEMO_CURSOR_HOT_Y 1

/* Colours (0xXXRRGGBB, X = 0) of the parts of the desktop that are the same
 * in every frame, so that tests and snapshots can check them. The
 * background is a vertical gradient from GVT_DEMO_BG_TOP on the first row
 * under the top bar to GVT_DEMO_BG_BOTTOM on the last row. */
#define GVT_DEMO_TOP_BAR   0x00202830u
#define GVT_DEMO_BG_TOP    0x00305080u
#define GVT_DEMO_BG_BOTTOM 0x0010a0a0u

typedef struct {
  guint32 width;
  guint32 height;
} GvtDemoMode;

/* What the guest does and when. Fill with gvt_demo_config_init() and then
 * change fields: every value is taken as given. */
typedef struct {
  /* How long the plane stays off after time 0 (the firmware phase). */
  gint64 firmware_us;
  /* The modes the desktop cycles through, first one first. */
  GvtDemoMode modes[GVT_DEMO_MAX_MODES];
  guint n_modes;
  /* Time between mode changes; 0 = keep the first mode. */
  gint64 mode_interval_us;
  /* Animation frames per second (1..1000): a step that stays inside one
   * frame paints nothing. */
  guint fps;
  /* Varies the windows' paths; the picture stays a function of time. */
  guint32 seed;
  /* Whether to show a cursor sprite. The sim has no cursor plane in REGION
   * mode (mdpy), so turn this off there. */
  gboolean cursor;
  /* Paint every frame into the one framebuffer on screen, never flipping,
   * as a text console or an X server without a compositor does: the
   * primary plane keeps its dmabuf id from frame to frame while its pixels
   * change under whoever imported it (a mode change still brings the new
   * mode's buffer and id). The pictures are those of the flipping guest.
   * REGION mode is always in place (one framebuffer). */
  gboolean in_place;
  /* Take the preferred mode of each new EDID the device is given (at its
   * link-up), as a desktop guest does on a monitor hotplug: from the first
   * one on, that mode instead of the cycle through modes[]. */
  gboolean follow_edid;
} GvtDemoConfig;

/* Defaults: 3 s of firmware, 1280x720 -> 1920x1080 -> 1024x768 cycling
 * every 20 s, 60 frames per second, seed 0, a cursor, page flips (not in
 * place), EDIDs not followed. */
void gvt_demo_config_init (GvtDemoConfig *config);

typedef enum {
  GVT_DEMO_PHASE_FIRMWARE, /* no plane enabled */
  GVT_DEMO_PHASE_DESKTOP,  /* a mode is set and the desktop animates */
} GvtDemoPhase;

/* Where one window was in the last painted frame, for tests and logs. The
 * rectangle may reach past the screen's edges; the title bar is its top
 * title_height rows. */
typedef struct {
  gint x, y;
  guint32 width, height;
  guint32 title_height;
  guint32 title_colour; /* 0xXXRRGGBB */
  guint32 body_colour;
} GvtDemoWindow;

/* A guest for @sim's device. @sim must outlive it; @config is copied (NULL
 * = gvt_demo_config_init's defaults). A config outside the limits (1 to
 * GVT_DEMO_MAX_MODES modes of 1..GVT_SIZE_MAX pixels a side — the limit
 * every --size takes —, fps 1..1000, interval >= 0) is a programming
 * error: critical, NULL. Nothing happens to the device until the first
 * step. XRGB8888 linear framebuffers only; in the sim's REGION mode the
 * single framebuffer is painted in place (no flips, whatever
 * config->in_place says) and config->cursor must be FALSE. */
GvtDemoGuest *gvt_demo_guest_new (GvtSim *sim, const GvtDemoConfig *config);
/* Accepts NULL. Leaves the device as it is (mode, buffers, cursor). */
void gvt_demo_guest_free (GvtDemoGuest *self);

/* Brings the device to what the guest shows at @time_us (microseconds
 * since the guest's power-on). The picture is a pure function of @time_us
 * and the config (config->in_place included: it changes the buffers, not
 * the picture) — and with config->follow_edid of the last EDID seen —,
 * whatever times were stepped before (earlier ones
 * included): a new mode is set when the mode changes, and a new frame is
 * painted when @time_us is in another animation frame than the last
 * painted one — into the back buffer and flipped, or with
 * config->in_place into the front buffer, the dmabuf id staying; otherwise
 * nothing is done and the dmabuf id stays. The cursor is moved with every
 * new frame. Call from the thread that owns the sim. */
void gvt_demo_guest_step (GvtDemoGuest *self, gint64 time_us);

GvtDemoPhase gvt_demo_guest_get_phase (GvtDemoGuest *self);
/* "firmware" or "desktop". */
const char *gvt_demo_phase_to_string (GvtDemoPhase phase);
/* The mode set by the last step; FALSE (and 0x0) in the firmware phase. */
gboolean gvt_demo_guest_get_mode (GvtDemoGuest *self, guint32 *width, guint32 *height);
/* The animation frame number of the last painted frame (frames since the
 * end of the firmware phase), or -1 if none is on screen. */
gint64 gvt_demo_guest_get_frame (GvtDemoGuest *self);
/* Frames painted since creation, for statistics. */
guint64 gvt_demo_guest_get_frames_painted (GvtDemoGuest *self);
/* Window @index (< GVT_DEMO_N_WINDOWS) in the last painted frame; FALSE
 * when no frame is on screen. */
gboolean gvt_demo_guest_get_window (GvtDemoGuest *self, guint index, GvtDemoWindow *out);

/* Paints a still, recognisable XRGB8888 picture (X byte 0): eight vertical
 * bars at 75% intensity — white, yellow, cyan, green, magenta, red, blue,
 * black; bar i spans columns [i * width / 8, (i + 1) * width / 8) — then a
 * one-pixel 100% white border and a 100% white diagonal from the top-left
 * to the bottom-right corner (row y has column y * (width - 1) / (height -
 * 1) set). A flipped, cropped, shifted or channel-swapped picture shows.
 * @stride is in bytes, a multiple of 4 and at least width * 4; @pixels
 * is 4-byte aligned. */
/* The demo's cursor image (the arrow, hotspot GVT_DEMO_CURSOR_HOT_X/Y,
 * partly transparent) into @size x @size ARGB8888 @pixels. */
void gvt_demo_paint_cursor (guint8 *pixels, guint32 size);

void gvt_demo_paint_test_pattern (guint8 *pixels, guint32 width, guint32 height,
                                  guint32 stride);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtDemoGuest, gvt_demo_guest_free)

G_END_DECLS
