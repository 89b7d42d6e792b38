/* --stats-file: the window's counters as a JSON document, for the window
 * tests and the window benchmark (a hidden option, not a user interface).
 * The window fills a report; this room turns it into the file, atomically,
 * so a test polling the file never reads half of it. */
#pragma once

#include <glib.h>

#include "display/edid-policy.h"

G_BEGIN_DECLS

typedef struct {
  guint stats_writes;          /* this write's number, to order samples */
  const char *state;           /* gvt_ui_state_to_string */
  const char *surface;         /* "x11-egl", "wayland-glarea" */
  gboolean gl_ready;
  guint settles;
  gboolean iconified;
  gboolean polling;
  guint64 frames_presented;
  guint64 ticks;
  guint64 live_ticks;
  guint64 plane_updates;       /* polls that changed a plane (cursor moves too) */
  guint64 primary_updates;     /* polls that changed the primary plane */
  guint64 repeats;             /* presents with no plane change */
  guint64 polls;
  guint64 poll_us_total;
  guint64 draw_us_total;
  guint64 imports;
  guint64 uploads;
  guint64 bytes_uploaded;
  guint live_images;           /* EGLImages held by the texture cache now */
  guint live_textures;         /* textures held by the texture cache now */
  guint cached_buffers;        /* dma-buf fds held by the poller now */
  double fps;
  const char *path;            /* "import", "upload", "none" */
  guint reopens;
  gboolean fullscreen;
  const char *scale;
  gboolean overlay;
  const char *title;
  const char *message;
  const char *detail;
  /* The QEMU link: what is shown ("vfio", "ramfb", "none"), the VM's state
   * (gvt_vm_state_to_string), connections made, screendumps shown, and
   * whether the last frame is shown dimmed beneath a VM screen. */
  const char *source;
  const char *vm;
  guint vm_connects;
  guint ramfb_fetches;
  gboolean dimmed;
  /* Input: the mode (gvt_input_mode_to_string), the grab, keys down in the
   * guest and input-send-event commands sent; the view transform of the
   * last frame (has_view), for tests to work out where the pointer lands. */
  const char *input;
  gboolean grabbed;
  const char *relative_pointer; /* gvt_relative_method_to_string, or "none" */
  gboolean pointer_locked;     /* the compositor has locked the pointer (Wayland) */
  gboolean shortcuts_inhibited; /* the compositor's shortcuts go to the window (Wayland) */
  gboolean host_cursor;        /* the host pointer is the guest's cursor now */
  gint64 motion_poll_wait_us;  /* mean wait from a pointer event to the next poll */
  guint64 motion_waits;        /* pointer events so measured */
  guint keys_down;
  guint64 input_commands;
  gboolean has_view;
  double view_offset_x, view_offset_y, view_scale_x, view_scale_y;
  gboolean has_guest;          /* the four below are written only then */
  guint guest_width, guest_height;
  const char *fourcc;
  const char *modifier;
  /* The guest's resolution from the window (display/edid-policy.h): as
   * "edid" (the mode), "edid_region", "edid_requests", "edid_writes",
   * "edid_failures", "edid_pending" and "guest_preferred" ("WxH", the mode
   * last given, or "none"). */
  GvtEdidState edid;
  /* Where the picture is on the screen, in device pixels. */
  int x, y, width, height, scale_factor, workarea_width, workarea_height;
  /* From the first live frame (has_cpu): where the CPU time went. */
  gboolean has_cpu;
  guint64 cpu_frames;
  gint64 cpu_wall_us, cpu_process_us, cpu_main_us, cpu_guest_us, cpu_poll_us, cpu_present_us;
} GvtStatsReport;

/* Where the CPU time goes from the first live frame on, for the window
 * benchmark: the process, the main thread, and of the main thread the demo
 * guest's painting, the viewer's poll and the present. */
typedef struct {
  gboolean started;
  gint64 wall0_us, process0_us, main0_us, guest0_us;
  guint64 presents0;
  gint64 poll_us, present_us;   /* main-thread CPU time in the two, summed */
} GvtCpuAccount;

/* CPU time of this thread / this process, in microseconds. */
gint64 gvt_cpu_thread_us (void);
gint64 gvt_cpu_process_us (void);

/* Starts counting now (once; later calls do nothing). @guest_us is the
 * guest's CPU time so far, @presents the frames presented so far. */
void gvt_cpu_account_start (GvtCpuAccount *self, gint64 guest_us, guint64 presents);

/* Fills the report's cpu_* fields (has_cpu once started). */
void gvt_cpu_account_report (const GvtCpuAccount *self, gint64 guest_us, guint64 presents,
                             GvtStatsReport *report);

/* The report as pretty JSON (one member per field above, same names).
 * g_free() it. */
char *gvt_stats_report_to_json (const GvtStatsReport *report);

/* Writes it to @path atomically; FALSE with the error otherwise. */
gboolean gvt_stats_report_write (const GvtStatsReport *report, const char *path,
                                 GError **error);

G_END_DECLS
