/* The viewer window: frame-clock polling, the picture or a state screen,
 * keys, fullscreen, the overlay and the test hooks. */
#include <string.h>
#include <time.h>
#include <json-glib/json-glib.h>

#include "window.h"
#include "frame-stats.h"
#include "overlay.h"
#include "surface.h"
#include "../gvt-error.h"
#include "../display/format.h"
#include "../render/compositor.h"
#include "../render/texture-cache.h"

/* Before the guest says its size. */
#define DEFAULT_WIDTH 1024
#define DEFAULT_HEIGHT 768

typedef struct {
  GtkWidget *window;
  GtkWidget *stack;
  GtkWidget *stats_label;
  GtkWidget *message_title;
  GtkWidget *message_detail;
  const GvtSurfaceOps *surface_ops;
  GvtSurface *surface;
  GvtUiSource *source;
  GvtUiOptions opts;
  char *stats_file;

  /* GL objects, alive between the surface's realize and unrealize. */
  GvtEgl *egl;
  GvtTextureCache *cache;
  GvtCompositor *compositor;
  gboolean clear_cache;          /* the device closed: drop every texture */

  GvtScaleMode mode;
  GvtUiState state;              /* what the window shows */
  gboolean state_shown;          /* the first state has been put on screen */
  GvtPlane *failed_primary;      /* the plane the renderer refused (a ref) */
  char *failure;                 /* why, for the screen */
  char *gl_failure;              /* the surface has no GL: why */
  guint tick_id;
  gboolean fullscreen;
  gboolean iconified;
  gboolean dirty;                /* redraw on the next tick */
  gboolean change_pending;       /* something changed since the last present */
  gint64 last_present_us;
  guint guest_width, guest_height;
  gboolean auto_size;            /* follow the guest's size (no --size given) */
  int last_alloc_w, last_alloc_h, last_scale;
  const char *path;              /* "import", "upload" or "none" */

  GvtFrameStats stats;
  gint64 overlay_window;         /* stats.window_start_us shown last */
  guint ticks_since_change;
  guint64 live_ticks;            /* ticks polled while the picture was live */
  guint frames_since_change;
  guint settles;
  gboolean settled_written;
  guint stats_writes;            /* --stats-file writes so far, for tests to order samples */
  guint stats_timer_id;          /* --stats-interval */
  gboolean lost_simulated;
  /* CPU accounting for the window benchmark, from the first live frame. */
  gint64 cpu_start_process_us, cpu_start_main_us, cpu_start_guest_us, cpu_start_wall_us;
  guint64 cpu_start_presents;
  gint64 poll_cpu_us, present_cpu_us;
  gboolean closing;
} Viewer;

static void write_stats_file (Viewer *self);

static gint64
cpu_us (clockid_t clock)
{
  struct timespec ts;
  clock_gettime (clock, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* --- GL callbacks from the surface --- */

static gboolean
gl_realize (GvtEgl *egl, gpointer user_data, GError **error)
{
  Viewer *self = user_data;

  self->compositor = gvt_compositor_new (egl, error);
  if (self->compositor == NULL)
    return FALSE;
  self->egl = egl;
  self->cache = gvt_texture_cache_new (egl, GVT_TEXTURE_CACHE_DEFAULT_CAPACITY);
  gvt_compositor_set_scale_mode (self->compositor, self->mode);
  gvt_compositor_set_filter (self->compositor, self->opts.filter);
  self->dirty = TRUE;
  return TRUE;
}

static void
gl_unrealize (gpointer user_data)
{
  Viewer *self = user_data;

  g_clear_pointer (&self->cache, gvt_texture_cache_free);
  g_clear_pointer (&self->compositor, gvt_compositor_free);
  self->egl = NULL;
}

static void
gl_draw (guint width, guint height, gpointer user_data)
{
  Viewer *self = user_data;
  g_autoptr (GError) error = NULL;
  GvtPlane *primary = gvt_ui_source_get_primary (self->source);
  GvtPlane *cursor = gvt_ui_source_get_cursor (self->source);
  gint64 t0 = g_get_monotonic_time ();

  if (self->compositor == NULL)
    return;
  if (self->clear_cache)
    {
      gvt_texture_cache_clear (self->cache);
      self->clear_cache = FALSE;
    }
  /* A plane the renderer refused is not tried again until it changes. */
  if (self->failed_primary != NULL)
    primary = NULL, cursor = NULL;

  gvt_texture_cache_begin_frame (self->cache);
  if (!gvt_compositor_draw (self->compositor, self->cache, primary, cursor, width, height,
                            NULL, &error))
    {
      g_message ("%s: the guest's picture can't be shown: %s",
                 gvt_ui_source_get_name (self->source), error->message);
      self->failed_primary = gvt_plane_ref (primary);
      g_free (self->failure);
      self->failure = g_strdup (error->message);
      self->dirty = TRUE;
    }
  GvtTextureStats ts;
  gvt_texture_cache_get_stats (self->cache, &ts);
  if (ts.uploads > 0)
    self->path = "upload";
  else if (ts.imports > 0)
    self->path = "import";
  gvt_frame_stats_present (&self->stats, !self->change_pending, ts.imports, ts.uploads,
                           ts.bytes_uploaded, g_get_monotonic_time () - t0);
  self->change_pending = FALSE;
  self->frames_since_change++;
}

static void
gl_failed (const GError *error, gpointer user_data)
{
  Viewer *self = user_data;

  g_free (self->gl_failure);
  self->gl_failure = g_strdup (error->message);
  self->dirty = TRUE;
}

static const GvtSurfaceCallbacks gl_callbacks = {
  .realize = gl_realize,
  .unrealize = gl_unrealize,
  .draw = gl_draw,
  .failed = gl_failed,
};

/* --- what is on screen --- */

static GvtUiState
wanted_state (Viewer *self)
{
  GvtUiState state = gvt_ui_source_get_state (self->source);

  if (state == GVT_UI_STATE_LIVE && (self->failed_primary != NULL || self->gl_failure != NULL))
    return GVT_UI_STATE_UNSUPPORTED;
  return state;
}

static void
config_changed (Viewer *self)
{
  self->ticks_since_change = 0;
  self->frames_since_change = 0;
  self->settled_written = FALSE;
  self->dirty = TRUE;
}

static void
update_title (Viewer *self)
{
  GvtPlane *primary = gvt_ui_source_get_primary (self->source);
  const char *name = gvt_ui_source_get_name (self->source);
  g_autofree char *title = NULL;

  if (self->state == GVT_UI_STATE_LIVE && primary != NULL)
    {
      char fcc[5], mod[24];
      title = g_strdup_printf ("gvt-view — %u×%u %s (%s) — %s", gvt_plane_get_width (primary),
                               gvt_plane_get_height (primary),
                               gvt_fourcc_to_string (gvt_plane_get_fourcc (primary), fcc),
                               gvt_modifier_to_string (gvt_plane_get_modifier (primary), mod),
                               name);
    }
  else
    {
      static const char *const words[] = {
        [GVT_UI_STATE_NO_SIGNAL] = "no signal",
        [GVT_UI_STATE_LIVE] = "live",
        [GVT_UI_STATE_UNSUPPORTED] = "unsupported format",
        [GVT_UI_STATE_LOST] = "device lost",
      };
      title = g_strdup_printf ("gvt-view — %s — %s", words[self->state], name);
    }
  gtk_window_set_title (GTK_WINDOW (self->window), title);
}

static void
update_message (Viewer *self)
{
  const char *reason = gvt_ui_source_get_reason (self->source);
  g_autofree char *detail = NULL;
  const char *title = "";

  switch (self->state)
    {
    case GVT_UI_STATE_NO_SIGNAL:
      title = "No signal — waiting for the guest display";
      detail = g_strdup (reason ? reason : "the guest has not enabled a display plane yet");
      break;
    case GVT_UI_STATE_UNSUPPORTED:
      title = self->gl_failure ? "No picture" : "Unsupported format";
      detail = g_strdup (self->gl_failure ? self->gl_failure
                         : self->failure ? self->failure : reason);
      break;
    case GVT_UI_STATE_LOST:
      title = "Device lost";
      if (gvt_ui_source_can_reopen (self->source))
        detail = g_strdup_printf ("%s\nreopening %s every %d s", reason ? reason : "",
                                  gvt_ui_source_get_device (self->source),
                                  (int) (GVT_UI_REOPEN_INTERVAL_US / G_USEC_PER_SEC));
      else
        detail = g_strdup (reason ? reason : "the device went away");
      break;
    case GVT_UI_STATE_LIVE:
    default:
      break;
    }
  /* The poller's reasons start with the screen's title: say it once. */
  const char *shown = detail ? detail : "";
  gsize n = strlen (title);
  if (n > 0 && strncmp (shown, title, n) == 0)
    {
      shown += n;
      while (*shown == ' ' || *shown == ':' || g_str_has_prefix (shown, "—"))
        shown += *shown == ' ' || *shown == ':' ? 1 : strlen ("—");
    }
  if (*shown == '\0' && self->state == GVT_UI_STATE_NO_SIGNAL)
    shown = "the guest has not enabled a display plane yet (firmware, no driver, or display off)";
  gtk_label_set_text (GTK_LABEL (self->message_title), title);
  gtk_label_set_text (GTK_LABEL (self->message_detail), shown);
}

/* The monitor's work area in logical pixels. */
static GdkRectangle
work_area (Viewer *self)
{
  GdkDisplay *display = gtk_widget_get_display (self->window);
  GdkWindow *window = gtk_widget_get_window (self->window);
  GdkMonitor *monitor = window ? gdk_display_get_monitor_at_window (display, window)
                               : gdk_display_get_primary_monitor (display);
  GdkRectangle area = { 0, 0, DEFAULT_WIDTH, DEFAULT_HEIGHT };

  if (monitor == NULL && gdk_display_get_n_monitors (display) > 0)
    monitor = gdk_display_get_monitor (display, 0);
  if (monitor != NULL)
    gdk_monitor_get_workarea (monitor, &area);
  return area;
}

/* Sizes the window so that the guest shows 1:1 in device pixels, within
 * the work area. */
static void
size_to_guest (Viewer *self, guint guest_w, guint guest_h)
{
  int scale = gtk_widget_get_scale_factor (self->window);
  GdkRectangle area = work_area (self);
  GdkWindow *window = gtk_widget_get_window (self->window);

  /* The window manager's frame must fit too. */
  if (window != NULL)
    {
      GdkRectangle frame;
      gdk_window_get_frame_extents (window, &frame);
      area.width -= MAX (frame.width - gdk_window_get_width (window), 0);
      area.height -= MAX (frame.height - gdk_window_get_height (window), 0);
    }
  int w = (int) ((guest_w + (guint) scale - 1) / (guint) scale);
  int h = (int) ((guest_h + (guint) scale - 1) / (guint) scale);

  w = CLAMP (w, 1, MAX (area.width, 1));
  h = CLAMP (h, 1, MAX (area.height, 1));
  gtk_window_resize (GTK_WINDOW (self->window), w, h);
}

static void
show_state (Viewer *self, GvtUiState state)
{
  gboolean changed = !self->state_shown || state != self->state;

  self->state = state;
  self->state_shown = TRUE;
  update_title (self);
  update_message (self);
  if (!changed)
    return;
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack),
                                    state == GVT_UI_STATE_LIVE ? "picture" : "message");
  g_debug ("state: %s", gvt_ui_state_to_string (state));
  config_changed (self);
}

static void
follow_guest_size (Viewer *self)
{
  GvtPlane *primary = gvt_ui_source_get_primary (self->source);
  if (primary == NULL)
    return;
  guint w = gvt_plane_get_width (primary), h = gvt_plane_get_height (primary);
  if (w == self->guest_width && h == self->guest_height)
    return;
  self->guest_width = w;
  self->guest_height = h;
  update_title (self);
  GdkWindowState ws = gtk_widget_get_window (self->window)
                        ? gdk_window_get_state (gtk_widget_get_window (self->window)) : 0;
  if (self->auto_size && !self->fullscreen
      && !(ws & (GDK_WINDOW_STATE_MAXIMIZED | GDK_WINDOW_STATE_TILED)))
    size_to_guest (self, w, h);
}

/* --- the frame clock --- */

static gboolean
settled (Viewer *self)
{
  return self->ticks_since_change >= GVT_UI_SETTLE_TICKS
         && (self->state != GVT_UI_STATE_LIVE || self->frames_since_change >= 2);
}

static void
close_window (Viewer *self)
{
  if (self->closing)
    return;
  self->closing = TRUE;
  gtk_widget_destroy (self->window);
}

static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  Viewer *self = user_data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  gint64 t0 = g_get_monotonic_time ();
  gint64 c0 = cpu_us (CLOCK_THREAD_CPUTIME_ID), g0 = gvt_ui_source_get_guest_cpu_us (self->source);
  GvtScanoutChange change = gvt_ui_source_poll (self->source, now);
  gint64 t1 = g_get_monotonic_time ();
  /* The viewer's own poll, without the demo guest painting its frame. */
  self->poll_cpu_us += cpu_us (CLOCK_THREAD_CPUTIME_ID) - c0
                       - (gvt_ui_source_get_guest_cpu_us (self->source) - g0);
  gboolean plane_changed = (change & ~GVT_SCANOUT_LOST) != 0;

  gvt_frame_stats_poll (&self->stats, now, t1 - t0, plane_changed);
  if (change & GVT_SCANOUT_LOST)
    self->clear_cache = TRUE;
  if (self->clear_cache && gvt_surface_make_current (self->surface))
    {
      /* Textures and EGLImages go with the device, not at the next frame. */
      gvt_texture_cache_clear (self->cache);
      self->clear_cache = FALSE;
    }
  if (self->failed_primary != NULL
      && (gvt_ui_source_get_primary (self->source) == NULL
          || !gvt_plane_same_image (self->failed_primary, gvt_ui_source_get_primary (self->source))))
    {
      g_clear_pointer (&self->failed_primary, gvt_plane_unref);
      g_clear_pointer (&self->failure, g_free);
    }

  GvtUiState state = wanted_state (self);
  if (!self->state_shown || state != self->state)
    show_state (self, state);
  if (state == GVT_UI_STATE_LIVE)
    {
      self->live_ticks++;
      follow_guest_size (self);
    }

  if (plane_changed)
    self->change_pending = TRUE;
  if (state == GVT_UI_STATE_LIVE
      && (self->change_pending || self->dirty || now - self->last_present_us >= GVT_UI_KEEPALIVE_US))
    {
      self->dirty = FALSE;
      self->last_present_us = now;
      if (self->cpu_start_wall_us == 0)
        {
          self->cpu_start_wall_us = g_get_monotonic_time ();
          self->cpu_start_process_us = cpu_us (CLOCK_PROCESS_CPUTIME_ID);
          self->cpu_start_main_us = cpu_us (CLOCK_THREAD_CPUTIME_ID);
          self->cpu_start_guest_us = gvt_ui_source_get_guest_cpu_us (self->source);
          self->cpu_start_presents = self->stats.presents;
          self->poll_cpu_us = self->present_cpu_us = 0;
        }
      gint64 p0 = cpu_us (CLOCK_THREAD_CPUTIME_ID);
      self->surface_ops->present (self->surface);
      self->present_cpu_us += cpu_us (CLOCK_THREAD_CPUTIME_ID) - p0;
    }

  if (self->stats.window_start_us != self->overlay_window && self->opts.stats)
    {
      self->overlay_window = self->stats.window_start_us;
      gvt_overlay_update (self->stats_label, &self->stats, self->path,
                          gvt_ui_source_get_primary (self->source), self->surface_ops->name);
    }

  self->ticks_since_change++;
  if (!self->settled_written && settled (self))
    {
      self->settled_written = TRUE;
      self->settles++;
      write_stats_file (self);
    }

  if (self->opts.lose_after_frames && !self->lost_simulated
      && self->stats.presents >= self->opts.lose_after_frames)
    self->lost_simulated = gvt_ui_source_simulate_loss (self->source);
  if (self->opts.exit_after_frames && self->stats.presents >= self->opts.exit_after_frames)
    close_window (self);
  return G_SOURCE_CONTINUE;
}

static void
start_polling (Viewer *self)
{
  if (self->tick_id == 0 && !self->iconified && !self->closing)
    self->tick_id = gtk_widget_add_tick_callback (self->window, on_tick, self, NULL);
}

static void
stop_polling (Viewer *self)
{
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (self->window, self->tick_id);
  self->tick_id = 0;
}

/* --- the stats file (tests) --- */

static void
add_geometry (Viewer *self, JsonBuilder *b)
{
  /* The stack: the picture and the message pages fill it alike, and a
   * hidden page keeps a stale allocation. */
  GtkWidget *area = self->stack;
  GdkWindow *toplevel = gtk_widget_get_window (self->window);
  int scale = gtk_widget_get_scale_factor (area);
  int ox = 0, oy = 0, ax = 0, ay = 0;

  if (toplevel != NULL)
    self->surface_ops->get_screen_origin (toplevel, &ox, &oy);
  gtk_widget_translate_coordinates (area, self->window, 0, 0, &ax, &ay);
  /* Where the picture is on the screen, in device pixels. */
  json_builder_set_member_name (b, "x");
  json_builder_add_int_value (b, ox + ax * scale);
  json_builder_set_member_name (b, "y");
  json_builder_add_int_value (b, oy + ay * scale);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, gtk_widget_get_allocated_width (area) * scale);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, gtk_widget_get_allocated_height (area) * scale);
  json_builder_set_member_name (b, "scale_factor");
  json_builder_add_int_value (b, scale);
  GdkRectangle work = work_area (self);
  json_builder_set_member_name (b, "workarea_width");
  json_builder_add_int_value (b, work.width * scale);
  json_builder_set_member_name (b, "workarea_height");
  json_builder_add_int_value (b, work.height * scale);
}

#define ADD_INT(b, name, v) (json_builder_set_member_name (b, name), json_builder_add_int_value (b, (gint64) (v)))
#define ADD_STR(b, name, v) (json_builder_set_member_name (b, name), json_builder_add_string_value (b, v))
#define ADD_BOOL(b, name, v) (json_builder_set_member_name (b, name), json_builder_add_boolean_value (b, v))
#define ADD_DOUBLE(b, name, v) (json_builder_set_member_name (b, name), json_builder_add_double_value (b, v))

static void
write_stats_file (Viewer *self)
{
  if (self->stats_file == NULL)
    return;

  /* What a screenshot taken after reading this file must see is on the
   * display server: flush our requests (EGL on X11 shares GDK's
   * connection) and wait for the server. */
  gdk_display_sync (gtk_widget_get_display (self->window));

  g_autoptr (JsonBuilder) b = json_builder_new ();
  GvtPlane *primary = gvt_ui_source_get_primary (self->source);
  GvtScanoutStats ss;
  gvt_ui_source_get_scanout_stats (self->source, &ss);

  self->stats_writes++;
  json_builder_begin_object (b);
  ADD_INT (b, "stats_writes", self->stats_writes);
  ADD_STR (b, "state", gvt_ui_state_to_string (self->state));
  ADD_STR (b, "surface", self->surface_ops->name);
  ADD_BOOL (b, "gl_ready", gvt_surface_is_ready (self->surface));
  ADD_INT (b, "settles", self->settles);
  ADD_BOOL (b, "iconified", self->iconified);
  ADD_BOOL (b, "polling", self->tick_id != 0);
  ADD_INT (b, "frames_presented", self->stats.presents);
  ADD_INT (b, "ticks", self->stats.ticks);
  ADD_INT (b, "live_ticks", self->live_ticks);
  ADD_INT (b, "plane_updates", self->stats.plane_updates);
  ADD_INT (b, "keepalives", self->stats.keepalives);
  ADD_INT (b, "polls", ss.polls);
  ADD_INT (b, "poll_us_total", self->stats.polls_us);
  ADD_INT (b, "draw_us_total", self->stats.draw_us);
  ADD_INT (b, "imports", self->stats.imports);
  ADD_INT (b, "uploads", self->stats.uploads);
  ADD_INT (b, "bytes_uploaded", self->stats.bytes_uploaded);
  ADD_DOUBLE (b, "fps", self->stats.fps);
  ADD_STR (b, "path", self->path);
  ADD_INT (b, "reopens", gvt_ui_source_get_reopens (self->source));
  ADD_BOOL (b, "fullscreen", self->fullscreen);
  ADD_STR (b, "scale", gvt_scale_mode_to_string (self->mode));
  ADD_BOOL (b, "overlay", self->opts.stats);
  ADD_STR (b, "title", gtk_window_get_title (GTK_WINDOW (self->window)));
  ADD_STR (b, "message", gtk_label_get_text (GTK_LABEL (self->message_title)));
  ADD_STR (b, "detail", gtk_label_get_text (GTK_LABEL (self->message_detail)));
  if (primary != NULL)
    {
      char fcc[5], mod[24];
      ADD_INT (b, "guest_width", gvt_plane_get_width (primary));
      ADD_INT (b, "guest_height", gvt_plane_get_height (primary));
      ADD_STR (b, "fourcc", gvt_fourcc_to_string (gvt_plane_get_fourcc (primary), fcc));
      ADD_STR (b, "modifier", gvt_modifier_to_string (gvt_plane_get_modifier (primary), mod));
    }
  add_geometry (self, b);
  if (self->cpu_start_wall_us != 0)
    {
      /* From the first live frame: where the CPU time went. The main
       * thread's is split into the demo guest, the viewer's poll, the
       * present (renderer + GL calls: on Wayland GTK draws later, so some
       * GL time lands in the rest) and the rest (GTK, main loop); other
       * threads are the GL driver's (llvmpipe). */
      ADD_INT (b, "cpu_frames", self->stats.presents - self->cpu_start_presents);
      ADD_INT (b, "cpu_wall_us", g_get_monotonic_time () - self->cpu_start_wall_us);
      ADD_INT (b, "cpu_process_us", cpu_us (CLOCK_PROCESS_CPUTIME_ID) - self->cpu_start_process_us);
      ADD_INT (b, "cpu_main_us", cpu_us (CLOCK_THREAD_CPUTIME_ID) - self->cpu_start_main_us);
      ADD_INT (b, "cpu_guest_us", gvt_ui_source_get_guest_cpu_us (self->source) - self->cpu_start_guest_us);
      ADD_INT (b, "cpu_poll_us", self->poll_cpu_us);
      ADD_INT (b, "cpu_present_us", self->present_cpu_us);
    }
  json_builder_end_object (b);

  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  g_autofree char *text = json_generator_to_data (gen, NULL);
  g_autoptr (GError) error = NULL;
  /* Atomic: a test polling the file never reads half of it. */
  if (!g_file_set_contents (self->stats_file, text, -1, &error))
    g_warning ("--stats-file: %s", error->message);
}

/* --stats-interval: the counters also while nothing ticks. */
static gboolean
on_stats_timer (gpointer user_data)
{
  write_stats_file (user_data);
  return G_SOURCE_CONTINUE;
}

/* --- keys and window state --- */

static void
toggle_fullscreen (Viewer *self)
{
  if (self->fullscreen)
    gtk_window_unfullscreen (GTK_WINDOW (self->window));
  else
    gtk_window_fullscreen (GTK_WINDOW (self->window));
}

static void
set_scale_mode (Viewer *self, GvtScaleMode mode)
{
  self->mode = mode;
  if (self->compositor != NULL)
    gvt_compositor_set_scale_mode (self->compositor, mode);
  g_debug ("scaling: %s", gvt_scale_mode_to_string (mode));
  config_changed (self);
}

static void
native_size (Viewer *self)
{
  if (self->fullscreen)
    gtk_window_unfullscreen (GTK_WINDOW (self->window));
  gtk_window_unmaximize (GTK_WINDOW (self->window));
  self->auto_size = TRUE;
  if (self->guest_width > 0)
    size_to_guest (self, self->guest_width, self->guest_height);
  config_changed (self);
}

static void
set_overlay (Viewer *self, gboolean on)
{
  self->opts.stats = on;
  gtk_widget_set_visible (self->stats_label, on);
  if (on)
    gvt_overlay_update (self->stats_label, &self->stats, self->path,
                        gvt_ui_source_get_primary (self->source), self->surface_ops->name);
  config_changed (self);
}

static gboolean
on_key_press (GtkWidget *widget, GdkEventKey *event, Viewer *self)
{
  GdkModifierType mods = event->state & gtk_accelerator_get_default_mod_mask ();
  guint key = gdk_keyval_to_lower (event->keyval);
  const GdkModifierType ctrl_alt = GDK_CONTROL_MASK | GDK_MOD1_MASK;

  if (key == GDK_KEY_F11 && mods == 0)
    toggle_fullscreen (self);
  else if (mods == ctrl_alt && key == GDK_KEY_f)
    toggle_fullscreen (self);
  else if (mods == ctrl_alt && key == GDK_KEY_s)
    set_scale_mode (self, (GvtScaleMode) ((self->mode + 1) % (GVT_SCALE_NATIVE + 1)));
  else if (mods == ctrl_alt && (key == GDK_KEY_1 || key == GDK_KEY_KP_1))
    native_size (self);
  else if (mods == ctrl_alt && key == GDK_KEY_o)
    set_overlay (self, !self->opts.stats);
  else if (mods == GDK_CONTROL_MASK && key == GDK_KEY_q)
    close_window (self);
  else
    return FALSE;
  return TRUE;
}

static gboolean
on_window_state (GtkWidget *widget, GdkEventWindowState *event, Viewer *self)
{
  gboolean fullscreen = (event->new_window_state & GDK_WINDOW_STATE_FULLSCREEN) != 0;
  /* Minimised or withdrawn: nothing to show, so nothing to poll. */
  gboolean iconified = (event->new_window_state
                        & (GDK_WINDOW_STATE_ICONIFIED | GDK_WINDOW_STATE_WITHDRAWN)) != 0;

  if (fullscreen != self->fullscreen)
    {
      self->fullscreen = fullscreen;
      config_changed (self);
    }
  if (iconified != self->iconified)
    {
      self->iconified = iconified;
      g_debug ("%s polling", iconified ? "hidden: stop" : "shown: start");
      if (iconified)
        stop_polling (self);
      else
        start_polling (self);
    }
  return FALSE;
}

static void
on_size_allocate (GtkWidget *widget, GdkRectangle *alloc, Viewer *self)
{
  int scale = gtk_widget_get_scale_factor (widget);

  if (alloc->width == self->last_alloc_w && alloc->height == self->last_alloc_h
      && scale == self->last_scale)
    return;
  self->last_alloc_w = alloc->width;
  self->last_alloc_h = alloc->height;
  self->last_scale = scale;
  config_changed (self);
}

static void
on_map (GtkWidget *widget, Viewer *self)
{
  start_polling (self);
}

static void
on_unmap (GtkWidget *widget, Viewer *self)
{
  stop_polling (self);
}

static void
on_destroy (GtkWidget *widget, Viewer *self)
{
  self->closing = TRUE;
  stop_polling (self);
  g_clear_handle_id (&self->stats_timer_id, g_source_remove);
  write_stats_file (self);
  /* The surface's unrealize released the GL objects already. */
  g_clear_pointer (&self->surface, gvt_surface_free);
  g_clear_pointer (&self->failed_primary, gvt_plane_unref);
  g_clear_pointer (&self->source, gvt_ui_source_free);
  g_free (self->failure);
  g_free (self->gl_failure);
  g_free (self->stats_file);
  g_free (self);
}

/* --- building it --- */

static void
install_css (GtkWidget *window)
{
  static const char css[] =
    ".gvt-black { background-color: #000000; }\n"
    ".gvt-message { color: #e8e8e8; font-size: 20pt; font-weight: bold; }\n"
    ".gvt-detail { color: #b0b0b0; font-size: 11pt; }\n"
    ".gvt-stats { background-color: #101010; color: #f0f0f0; font-family: monospace;"
    "  font-size: 10pt; padding: 6px 8px; }\n";
  g_autoptr (GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_data (provider, css, -1, NULL);
  gtk_style_context_add_provider_for_screen (gtk_widget_get_screen (window),
                                             GTK_STYLE_PROVIDER (provider),
                                             GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static GtkWidget *
build_message_page (Viewer *self)
{
  GtkWidget *page = gtk_event_box_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  gtk_style_context_add_class (gtk_widget_get_style_context (page), "gvt-black");
  self->message_title = gtk_label_new ("");
  self->message_detail = gtk_label_new ("");
  gtk_label_set_justify (GTK_LABEL (self->message_detail), GTK_JUSTIFY_CENTER);
  gtk_label_set_line_wrap (GTK_LABEL (self->message_detail), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (self->message_detail), 80);
  gtk_style_context_add_class (gtk_widget_get_style_context (self->message_title), "gvt-message");
  gtk_style_context_add_class (gtk_widget_get_style_context (self->message_detail), "gvt-detail");
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  gtk_container_add (GTK_CONTAINER (box), self->message_title);
  gtk_container_add (GTK_CONTAINER (box), self->message_detail);
  gtk_container_add (GTK_CONTAINER (page), box);
  return page;
}

static void
on_stats_realize (GtkWidget *widget, Viewer *self)
{
  /* On X11 the picture is a native X window: GTK's drawing in the parent
   * would be under it, so the overlay needs a native window too. */
  if (self->surface_ops == &gvt_surface_x11_ops)
    gdk_window_ensure_native (gtk_widget_get_window (widget));
}

static GtkWidget *
build_picture_page (Viewer *self)
{
  GtkWidget *overlay = gtk_overlay_new ();

  gtk_container_add (GTK_CONTAINER (overlay), gvt_surface_get_widget (self->surface));
  self->stats_label = gvt_overlay_new ();
  g_signal_connect_after (self->stats_label, "realize", G_CALLBACK (on_stats_realize), self);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), self->stats_label);
  return overlay;
}

void
gvt_ui_window_open (GtkApplication *app, GvtUiSource *source, const GvtUiOptions *options)
{
  Viewer *self = g_new0 (Viewer, 1);
  GdkDisplay *display = gdk_display_get_default ();
  g_autoptr (GError) error = NULL;

  self->source = source;
  self->opts = *options;
  self->stats_file = g_strdup (options->stats_file);
  self->opts.stats_file = NULL;
  self->mode = options->mode;
  self->path = "none";
  self->auto_size = options->width == 0;
  gvt_frame_stats_init (&self->stats);
  self->surface_ops = gvt_surface_ops_for_display (display, &error);
  if (self->surface_ops == NULL)
    {
      /* Checked by the caller (gvt_ui_app_run): can't happen. */
      g_critical ("%s", error->message);
      return;
    }
  self->surface = self->surface_ops->create (&gl_callbacks, self);

  self->window = gtk_application_window_new (app);
  install_css (self->window);
  gtk_style_context_add_class (gtk_widget_get_style_context (self->window), "gvt-black");
  self->stack = gtk_stack_new ();
  gtk_stack_set_transition_type (GTK_STACK (self->stack), GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_stack_add_named (GTK_STACK (self->stack), build_picture_page (self), "picture");
  gtk_stack_add_named (GTK_STACK (self->stack), build_message_page (self), "message");
  gtk_container_add (GTK_CONTAINER (self->window), self->stack);

  GdkRectangle area = work_area (self);
  int w = options->width ? (int) options->width : DEFAULT_WIDTH;
  int h = options->height ? (int) options->height : DEFAULT_HEIGHT;
  gtk_window_set_default_size (GTK_WINDOW (self->window), MIN (w, area.width),
                               MIN (h, area.height));
  update_title (self);

  g_signal_connect (self->window, "key-press-event", G_CALLBACK (on_key_press), self);
  g_signal_connect (self->window, "window-state-event", G_CALLBACK (on_window_state), self);
  g_signal_connect (self->window, "map", G_CALLBACK (on_map), self);
  g_signal_connect (self->window, "unmap", G_CALLBACK (on_unmap), self);
  g_signal_connect (self->window, "destroy", G_CALLBACK (on_destroy), self);
  g_signal_connect (self->stack, "size-allocate", G_CALLBACK (on_size_allocate), self);

  if (options->fullscreen)
    gtk_window_fullscreen (GTK_WINDOW (self->window));
  gtk_widget_show_all (self->window);
  gtk_widget_set_visible (self->stats_label, options->stats);
  /* Start on the message page until the first poll says otherwise. */
  self->state = GVT_UI_STATE_NO_SIGNAL;
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "message");
  update_message (self);
  if (self->stats_file != NULL && options->stats_interval_ms > 0)
    self->stats_timer_id = g_timeout_add (options->stats_interval_ms, on_stats_timer, self);
}
