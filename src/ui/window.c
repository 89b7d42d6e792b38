/* The viewer window: the widget, the frame-clock tick and the GL
 * callbacks. The rooms it uses: the session (what to show), status.c (the
 * state screens and title), size-policy.c (guest mode <-> window size),
 * input.c (shortcuts, the view transform), grab.c (keyboard and pointer
 * for the guest), relative-pointer.c (--relative-mouse), host-cursor.c,
 * overlay.c and stats-file.c.
 * With a QEMU link the VM's states (paused, shut down, QEMU gone) show the
 * last frame dimmed beneath their words, from a copy the compositor holds
 * (the VM's buffers are let go of at shutdown). */
#include <string.h>
#include <X11/Xlib.h>
#include <X11/extensions/XInput2.h>

#include "window.h"
#include "frame-stats.h"
#include "grab.h"
#include "host-cursor.h"
#include "input.h"
#include "overlay.h"
#include "relative-pointer.h"
#include "size-policy.h"
#include "stats-file.h"
#include "status.h"
#include "surface.h"
#include "common/format.h"
#include "display/source-ramfb.h"
#include "render/compositor.h"
#include "render/texture-cache.h"

typedef struct {
  GtkWidget *window;
  GtkWidget *stack;
  GtkWidget *stats_label;
  GvtStatusPage *status;
  GvtStatusPage *vm_box;         /* the VM screens' words over the dimmed frame */
  GvtSizePolicy *size;
  GvtInput *input;
  const GvtSurfaceOps *surface_ops;
  GvtSurface *surface;
  GvtSession *session;
  GvtUiOptions opts;
  char *stats_file;

  /* GL objects, alive between the surface's realize and unrealize. */
  GvtEgl *egl;
  GvtTextureCache *cache;
  GvtCompositor *compositor;
  gboolean clear_cache;          /* the device closed: drop every texture */
  gboolean dimmed;               /* a VM screen over the held last frame */
  gboolean grabbed;              /* keyboard and pointer grabbed for the guest */
  GvtGrab *grab;
  GvtRelativePointer *relative;  /* --relative-mouse: the deltas while grabbed */
  gboolean pointer_inside;       /* the pointer is over the guest image */
  GvtHostCursor *host_cursor;    /* the host pointer as the guest's cursor */
  gboolean host_cursor_on;
  gboolean sim_cursor_done;
  /* Latency of the cursor-plane path: from a pointer event to the next
   * poll that can see the guest's answer (the host cursor has none). */
  gint64 motion_us;              /* the oldest motion not polled yet, or 0 */
  gint64 motion_wait_us;
  guint64 motion_waits;

  GvtScaleMode mode;
  GvtUiState state;              /* what the window shows */
  gboolean state_shown;          /* the first state has been put on screen */
  GvtPlane *failed_primary;      /* the plane the renderer refused (a ref) */
  char *failure;                 /* why, for the screen */
  gint64 failed_retry_us;        /* when to ask the renderer again (it backs off itself) */
  char *reason_shown;            /* the session's reason the words were made from */
  char *gl_failure;              /* the surface has no GL: why */
  guint tick_id;
  guint wake_id;                 /* a step while hidden (on_wake) */
  guint64 hold_tried;            /* the buffer (serial) of the stopped VM's picture last held */
  gboolean fullscreen;
  gboolean iconified;
  gboolean change_pending;       /* a plane changed since the last present */
  int last_alloc_w, last_alloc_h, last_scale;
  const char *path;              /* "import", "upload" or "none" */

  GvtFrameStats stats;
  gint64 overlay_window;         /* stats.window_start_us shown last */
  guint ticks_since_change;
  guint64 live_ticks;            /* ticks polled while the picture was live */
  guint64 primary_updates;       /* polls that changed the primary plane */
  guint frames_since_change;
  guint settles;
  gboolean settled_written;
  guint stats_writes;            /* --stats-file writes so far, for tests to order samples */
  guint stats_timer_id;          /* --stats-interval */
  gboolean lost_simulated;
  GvtCpuAccount cpu;             /* the window benchmark's, from the first live frame */
  gboolean closing;
} Viewer;

static void write_stats_file (Viewer *self);

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
  GvtPlane *primary = gvt_session_get_primary (self->session);
  GvtPlane *cursor = gvt_session_get_cursor (self->session);
  gint64 t0 = g_get_monotonic_time ();
  GvtView view;

  if (self->compositor == NULL)
    return;
  if (self->clear_cache)
    {
      gvt_texture_cache_clear (self->cache);
      self->clear_cache = FALSE;
    }
  if (self->dimmed)
    {
      gvt_compositor_draw_held (self->compositor, width, height, GVT_UI_DIM, &view);
      /* A paused VM still takes input (QEMU queues it): point at the
       * picture beneath. */
      gvt_input_set_view (self->input, &view, gtk_widget_get_scale_factor (self->window));
      gvt_frame_stats_present (&self->stats, TRUE, 0, 0, 0, g_get_monotonic_time () - t0);
      return;
    }
  /* A plane the renderer refused is not tried again until it changes. */
  if (self->failed_primary != NULL)
    primary = NULL, cursor = NULL;
  /* The host pointer is the guest's cursor: not drawn twice. */
  if (self->host_cursor_on)
    cursor = NULL;

  gvt_texture_cache_begin_frame (self->cache);
  if (!gvt_compositor_draw (self->compositor, self->cache, primary, cursor, width, height,
                            &view, &error))
    {
      /* Said once per reason, not at every retry. */
      if (g_strcmp0 (self->failure, error->message) != 0)
        g_message ("%s: the guest's picture can't be shown: %s",
                   gvt_session_get_name (self->session), error->message);
      self->failed_primary = gvt_plane_ref (primary);
      self->failed_retry_us = g_get_monotonic_time () + GVT_UI_RENDER_RETRY_US;
      g_free (self->failure);
      self->failure = g_strdup (error->message);
    }
  else if (primary != NULL)
    gvt_input_set_view (self->input, &view, gtk_widget_get_scale_factor (self->window));
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
}

static const GvtSurfaceCallbacks gl_callbacks = {
  .realize = gl_realize,
  .unrealize = gl_unrealize,
  .draw = gl_draw,
  .failed = gl_failed,
};

/* --- what is on screen --- */

static GvtStatusInfo
status_info (Viewer *self)
{
  return (GvtStatusInfo) {
    .state = self->state,
    .name = gvt_session_get_name (self->session),
    .primary = gvt_session_get_primary (self->session),
    .reason = gvt_session_get_reason (self->session),
    .render_error = self->failure,
    .gl_error = self->gl_failure,
    .reopen_device = gvt_session_can_reopen (self->session)
                       ? gvt_session_get_device (self->session) : NULL,
    .vm_detail = gvt_session_get_vm (self->session)
                   ? gvt_vm_get_detail (gvt_session_get_vm (self->session)) : NULL,
    .qmp_path = gvt_session_get_vm (self->session)
                  ? gvt_vm_get_path (gvt_session_get_vm (self->session)) : NULL,
    .grab_label = self->grabbed ? gvt_input_get_grab_label (self->input) : NULL,
  };
}

static void
config_changed (Viewer *self)
{
  /* The held frame is drawn only when something changes. */
  if (self->dimmed && self->surface != NULL)
    self->surface_ops->present (self->surface);
  self->ticks_since_change = 0;
  self->frames_since_change = 0;
  self->settled_written = FALSE;
}

static void
update_words (Viewer *self)
{
  GvtStatusInfo info = status_info (self);

  g_free (self->reason_shown);
  self->reason_shown = g_strdup (info.reason);
  g_autofree char *title = gvt_status_title (&info);

  gtk_window_set_title (GTK_WINDOW (self->window), title);
  gvt_status_page_show (self->status, &info);
  gvt_status_page_show (self->vm_box, &info);
}

/* Keeps a copy of what is on screen for the VM's screens: the one made
 * when the session let go of the buffers (on_release), or one of the
 * planes still there (a paused VM keeps them). TRUE when one is held. */
static gboolean
hold_frame (Viewer *self)
{
  g_autoptr (GError) error = NULL;
  GvtPlane *primary = gvt_session_get_primary (self->session);

  if (self->compositor == NULL || !gvt_surface_make_current (self->surface))
    return FALSE;
  if (primary != NULL && self->failed_primary == NULL
      && !gvt_compositor_hold (self->compositor, self->cache, primary,
                               gvt_session_get_cursor (self->session), &error))
    g_debug ("no last frame to dim: %s", error->message);
  return gvt_compositor_has_held (self->compositor);
}

/* The session is about to let go of every buffer (the VM shut down or
 * QEMU went): the last look at the picture. */
static void
on_release (GvtPlane *primary, GvtPlane *cursor, gpointer user_data)
{
  Viewer *self = user_data;
  g_autoptr (GError) error = NULL;

  if (primary == NULL || self->failed_primary != NULL || self->compositor == NULL
      || !gvt_surface_make_current (self->surface))
    return;
  if (!gvt_compositor_hold (self->compositor, self->cache, primary, cursor, &error))
    g_debug ("no last frame to dim: %s", error->message);
}

/* --- the guest's cursor as the host pointer (host-cursor.c) --- */

static gboolean
want_host_cursor (Viewer *self)
{
  return gvt_input_get_mode (self->input) == GVT_INPUT_ABSOLUTE && self->pointer_inside
         && self->state == GVT_UI_STATE_LIVE && !self->dimmed;
}

static void
host_cursor_changed (Viewer *self, gboolean on)
{
  if (on != self->host_cursor_on)
    self->change_pending = TRUE;
  self->host_cursor_on = on;
}

/* The tick: reads the plane back when due (GL). */
static void
update_host_cursor (Viewer *self)
{
  gboolean want = want_host_cursor (self) && gvt_surface_make_current (self->surface);

  host_cursor_changed (self,
                       gvt_host_cursor_update (self->host_cursor,
                                               gvt_surface_get_widget (self->surface), want,
                                               gvt_session_get_cursor (self->session),
                                               gvt_input_get_view (self->input),
                                               self->compositor, self->cache));
}

/* Motion and crossing, at the pointer's rate: in or out of the picture
 * only; no GL, no read-back (those are the tick's). */
static void
show_host_cursor (Viewer *self)
{
  host_cursor_changed (self,
                       gvt_host_cursor_show (self->host_cursor,
                                             gvt_surface_get_widget (self->surface),
                                             want_host_cursor (self),
                                             gvt_session_get_cursor (self->session),
                                             gvt_input_get_view (self->input)));
}

/* The VM's screens over the held frame (@dimmed), or the pages as usual. */
static void
set_dimmed (Viewer *self, gboolean dimmed)
{
  if (!dimmed && self->dimmed && self->compositor != NULL
      && gvt_surface_make_current (self->surface))
    gvt_compositor_drop_held (self->compositor);
  self->dimmed = dimmed;
  gtk_widget_set_visible (gvt_status_page_get_widget (self->vm_box), dimmed);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack),
                                    self->state == GVT_UI_STATE_LIVE || dimmed ? "picture"
                                                                               : "message");
  if (dimmed)
    self->surface_ops->present (self->surface);
}

static void
show_state (Viewer *self, GvtUiState state)
{
  gboolean changed = !self->state_shown || state != self->state;

  self->state = state;
  self->state_shown = TRUE;
  update_words (self);
  if (!changed)
    return;
  set_dimmed (self, gvt_ui_state_is_vm (state) && hold_frame (self));
  g_debug ("state: %s", gvt_ui_state_to_string (state));
  config_changed (self);
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

/* Whether the renderer can make a texture of @primary now: asked while the
 * state screen shows the plane refused (the picture isn't drawn then), so
 * that the picture comes back without a flicker once it can. */
static gboolean
renders_now (Viewer *self, GvtPlane *primary)
{
  g_autoptr (GError) error = NULL;

  self->failed_retry_us = g_get_monotonic_time () + GVT_UI_RENDER_RETRY_US;
  if (self->cache == NULL || !gvt_surface_make_current (self->surface))
    return FALSE;
  if (gvt_texture_cache_get (self->cache, primary, &error) == NULL)
    {
      g_debug ("the refused plane still can't be shown: %s", error->message);
      return FALSE;
    }
  g_message ("%s: the guest's picture can be shown again", gvt_session_get_name (self->session));
  return TRUE;
}

/* Polls the session and keeps the renderer's state in step with it: the
 * device's buffers and their imports go in the same tick. */
static GvtSourceChange
poll_session (Viewer *self, gint64 now)
{
  gint64 t0 = g_get_monotonic_time ();
  gint64 c0 = gvt_cpu_thread_us ();
  gint64 g0 = gvt_session_get_guest_cpu_us (self->session);
  GvtSourceChange change = gvt_session_poll (self->session, now);
  gint64 t1 = g_get_monotonic_time ();

  /* The viewer's own poll, without the demo guest painting its frame. */
  self->cpu.poll_us += gvt_cpu_thread_us () - c0
                       - (gvt_session_get_guest_cpu_us (self->session) - g0);
  gvt_frame_stats_poll (&self->stats, now, t1 - t0, (change & ~GVT_SOURCE_LOST) != 0);
  if (change & GVT_SOURCE_PRIMARY_CHANGED)
    self->primary_updates++;
  if (change & GVT_SOURCE_LOST)
    {
      self->clear_cache = TRUE;
      self->path = "none";
    }
  if (self->cache != NULL && (self->clear_cache || gvt_texture_cache_has_stale (self->cache))
      && gvt_surface_make_current (self->surface))
    {
      gboolean lost = self->clear_cache;
      if (lost)
        {
          gvt_texture_cache_clear (self->cache);
          /* A new device gets a fresh chance at zero copy. */
          gvt_egl_reset_import_failures (self->egl);
        }
      else
        gvt_texture_cache_collect (self->cache);
      /* When a state screen follows rather than a frame (whose draw
       * would do it), make the driver drop the last frame's textures and
       * dma-bufs now. */
      if (lost || gvt_session_get_state (self->session) != GVT_SOURCE_STATE_LIVE)
        gvt_compositor_release_textures (self->compositor);
      self->clear_cache = FALSE;
    }

  /* A plane the renderer refused is asked for again when it changes, or
   * after a while (the texture cache backs off on its own): a guest that
   * never flips must not stay blank over one odd failure. */
  GvtPlane *primary = gvt_session_get_primary (self->session);
  if (self->failed_primary != NULL
      && (primary == NULL || !gvt_plane_same_image (self->failed_primary, primary)
          || (now >= self->failed_retry_us && renders_now (self, primary))))
    {
      g_clear_pointer (&self->failed_primary, gvt_plane_unref);
      g_clear_pointer (&self->failure, g_free);
    }
  return change;
}

static guint64
primary_serial (Viewer *self)
{
  GvtPlane *primary = gvt_session_get_primary (self->session);
  return primary ? gvt_buffer_get_serial (gvt_plane_get_buffer (primary)) : 0;
}

/* One step: the session polled, the state put on screen and, when @shown
 * (the frame clock's tick), the picture presented. A hidden window has no
 * ticks; it steps when the session wakes it (on_wake). */
static void
step (Viewer *self, gint64 now, gboolean shown)
{
  GvtSourceChange change = poll_session (self, now);
  if (self->motion_us != 0)
    {
      self->motion_wait_us += g_get_monotonic_time () - self->motion_us;
      self->motion_waits++;
      self->motion_us = 0;
    }
  gboolean render_failed = self->failed_primary != NULL || self->gl_failure != NULL;
  GvtVm *vm = gvt_session_get_vm (self->session);
  GvtUiState state = gvt_ui_state_for_vm (gvt_session_get_vm_state (self->session),
                                          vm ? gvt_vm_get_detail (vm) : NULL,
                                          gvt_ui_state_for (gvt_session_get_state (self->session),
                                                            render_failed));

  if (!self->state_shown || state != self->state)
    show_state (self, state);
  else if (gvt_ui_state_is_vm (state) && gvt_session_get_primary (self->session) != NULL
           && (change & GVT_SOURCE_PRIMARY_CHANGED
               || (!self->dimmed && primary_serial (self) != self->hold_tried)))
    {
      /* A picture came while the VM was stopped: the first, or the one
       * dumped as it stopped. Once a buffer: one that can't be held (the
       * renderer refused it) is not tried again every tick. By serial, not
       * a reference: a held buffer would pin the guest's memory. */
      self->hold_tried = primary_serial (self);
      set_dimmed (self, hold_frame (self));
      config_changed (self);
    }
  else if (g_strcmp0 (self->reason_shown, gvt_session_get_reason (self->session)) != 0)
    update_words (self);
  if (change & ~GVT_SOURCE_LOST)
    self->change_pending = TRUE;

  if (self->opts.sim_cursor && !self->sim_cursor_done)
    self->sim_cursor_done = gvt_session_simulate_cursor (self->session, 200, 150);
  if (shown)
    update_host_cursor (self);
  if (state == GVT_UI_STATE_LIVE && shown)
    {
      GvtPlane *primary = gvt_session_get_primary (self->session);
      self->live_ticks++;
      if (gvt_size_policy_guest_mode (self->size, gvt_plane_get_width (primary),
                                      gvt_plane_get_height (primary)))
        update_words (self);
      /* Every tick, changed or not: a guest may draw into the scanned-out
       * buffer in place with no signal at all (text consoles, X without a
       * compositor, firmware). On the import path this costs a draw, not
       * an import or a copy; the tick stops while the window is hidden. */
      gvt_cpu_account_start (&self->cpu, gvt_session_get_guest_cpu_us (self->session),
                             self->stats.presents);
      gint64 p0 = gvt_cpu_thread_us ();
      self->surface_ops->present (self->surface);
      self->cpu.present_us += gvt_cpu_thread_us () - p0;
    }

  if (self->stats.window_start_us != self->overlay_window && self->opts.stats)
    {
      self->overlay_window = self->stats.window_start_us;
      gvt_overlay_update (self->stats_label, &self->stats, self->path,
                          gvt_session_get_primary (self->session), self->surface_ops->name);
    }

  self->ticks_since_change++;
  if (!self->settled_written && settled (self))
    {
      self->settled_written = TRUE;
      self->settles++;
      write_stats_file (self);
    }

  if (self->opts.lose_after_ticks && !self->lost_simulated
      && self->stats.ticks >= self->opts.lose_after_ticks)
    self->lost_simulated = gvt_session_simulate_loss (self->session);
  /* Closing frees self: nothing after it. */
  if (self->opts.exit_after_ticks && self->stats.ticks >= self->opts.exit_after_ticks)
    close_window (self);
  else if (self->opts.quit_with_vm
           && (state == GVT_UI_STATE_SHUT_DOWN || state == GVT_UI_STATE_QEMU_EXITED))
    {
      g_message ("%s: the VM is %s: closing (--quit-with-vm)", gvt_session_get_name (self->session),
                 state == GVT_UI_STATE_SHUT_DOWN ? "off" : "gone");
      close_window (self);
    }
  else if (self->opts.quit_with_qemu && state == GVT_UI_STATE_QEMU_EXITED)
    close_window (self);
}

static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  step (user_data, gdk_frame_clock_get_frame_time (clock), TRUE);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_wake_idle (gpointer user_data)
{
  Viewer *self = user_data;

  self->wake_id = 0;
  /* Shown again meanwhile: the tick has it. */
  if (self->tick_id == 0 && !self->closing)
    {
      g_debug ("hidden: the VM changed: one step");
      step (self, g_get_monotonic_time (), FALSE);
    }
  return G_SOURCE_REMOVE;
}

/* The VM did something that can't wait for the window to be shown again:
 * QEMU's exit closes the copy of its device (else the vGPU stays held, and
 * its guest memory pinned, until someone restores the window), a shutdown
 * lets go of the buffers, --quit-with-vm quits. */
static void
on_wake (gpointer user_data)
{
  Viewer *self = user_data;

  if (self->tick_id == 0 && !self->closing && self->wake_id == 0)
    self->wake_id = g_idle_add (on_wake_idle, self);
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

/* --- the stats file (tests and the window benchmark) --- */

static void
report_geometry (Viewer *self, GvtStatsReport *r)
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
  GdkRectangle work = gvt_size_policy_work_area (self->size);
  r->x = ox + ax * scale;
  r->y = oy + ay * scale;
  r->width = gtk_widget_get_allocated_width (area) * scale;
  r->height = gtk_widget_get_allocated_height (area) * scale;
  r->scale_factor = scale;
  r->workarea_width = work.width * scale;
  r->workarea_height = work.height * scale;
}

static void
write_stats_file (Viewer *self)
{
  if (self->stats_file == NULL)
    return;

  /* What a screenshot taken after reading this file must see is on the
   * display server: flush our requests (EGL on X11 shares GDK's
   * connection) and wait for the server. */
  gdk_display_sync (gtk_widget_get_display (self->window));

  GvtPlane *primary = gvt_session_get_primary (self->session);
  GvtScanoutStats ss;
  GvtTextureStats ts = { 0 };
  char fcc[5], mod[GVT_MODIFIER_NAME_MAX];

  gvt_session_get_scanout_stats (self->session, &ss);
  if (self->cache != NULL)
    gvt_texture_cache_get_stats (self->cache, &ts);
  GvtStatsReport r = {
    .stats_writes = ++self->stats_writes,
    .state = gvt_ui_state_to_string (self->state),
    .surface = self->surface_ops->name,
    .gl_ready = gvt_surface_is_ready (self->surface),
    .settles = self->settles,
    .iconified = self->iconified,
    .polling = self->tick_id != 0,
    .frames_presented = self->stats.presents,
    .ticks = self->stats.ticks,
    .live_ticks = self->live_ticks,
    .plane_updates = self->stats.plane_updates,
    .primary_updates = self->primary_updates,
    .repeats = self->stats.repeats,
    .polls = ss.polls,
    .poll_us_total = self->stats.polls_us,
    .draw_us_total = self->stats.draw_us,
    .imports = self->stats.imports,
    .uploads = self->stats.uploads,
    .bytes_uploaded = self->stats.bytes_uploaded,
    .live_images = ts.images,
    .live_textures = ts.cached,
    .cached_buffers = ss.cached,
    .fps = self->stats.fps,
    .path = self->path,
    .reopens = gvt_session_get_reopens (self->session),
    .fullscreen = self->fullscreen,
    .scale = gvt_scale_mode_to_string (self->mode),
    .overlay = self->opts.stats,
    .title = gtk_window_get_title (GTK_WINDOW (self->window)),
    .message = gvt_status_page_get_title (self->status),
    .detail = gvt_status_page_get_detail (self->status),
    .source = gvt_session_get_shown (self->session)
                ? gvt_source_get_kind (gvt_session_get_shown (self->session)) : "none",
    .vm = gvt_vm_state_to_string (gvt_session_get_vm_state (self->session)),
    .vm_connects = gvt_session_get_vm (self->session)
                     ? gvt_vm_get_connects (gvt_session_get_vm (self->session)) : 0,
    .ramfb_fetches = gvt_source_ramfb_get_fetches (gvt_session_get_fallback (self->session)),
    .dimmed = self->dimmed,
    .input = gvt_input_mode_to_string (gvt_input_get_mode (self->input)),
    .grabbed = self->grabbed,
    .relative_pointer = self->relative != NULL
      ? gvt_relative_method_to_string (gvt_relative_pointer_get_method (self->relative)) : "none",
    .pointer_locked = self->relative != NULL && gvt_relative_pointer_is_locked (self->relative),
    .shortcuts_inhibited = gvt_grab_shortcuts_inhibited (self->grab),
    .host_cursor = self->host_cursor_on,
    .motion_poll_wait_us = self->motion_waits ? self->motion_wait_us / (gint64) self->motion_waits
                                              : 0,
    .motion_waits = self->motion_waits,
  };
  const GvtView *view = gvt_input_get_view (self->input);
  if (view != NULL)
    {
      r.has_view = TRUE;
      r.view_offset_x = view->offset_x;
      r.view_offset_y = view->offset_y;
      r.view_scale_x = view->scale_x;
      r.view_scale_y = view->scale_y;
    }
  gvt_input_get_counts (self->input, &r.keys_down, &r.input_commands);
  gvt_session_get_edid_state (self->session, &r.edid);
  if (primary != NULL)
    {
      r.has_guest = TRUE;
      r.guest_width = gvt_plane_get_width (primary);
      r.guest_height = gvt_plane_get_height (primary);
      r.fourcc = gvt_fourcc_to_string (gvt_plane_get_fourcc (primary), fcc);
      r.modifier = gvt_modifier_to_string (gvt_plane_get_modifier (primary), mod);
    }
  report_geometry (self, &r);
  /* Where the CPU time went: the main thread's is split into the demo
   * guest, the viewer's poll, the present (renderer + GL calls: on Wayland
   * GTK draws later, so some GL time lands in the rest) and the rest (GTK,
   * main loop); other threads are the GL driver's (llvmpipe). */
  gvt_cpu_account_report (&self->cpu, gvt_session_get_guest_cpu_us (self->session),
                          self->stats.presents, &r);

  g_autoptr (GError) error = NULL;
  if (!gvt_stats_report_write (&r, self->stats_file, &error))
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
set_overlay (Viewer *self, gboolean on)
{
  self->opts.stats = on;
  gtk_widget_set_visible (self->stats_label, on);
  if (on)
    gvt_overlay_update (self->stats_label, &self->stats, self->path,
                        gvt_session_get_primary (self->session), self->surface_ops->name);
  config_changed (self);
}

/* --- input to the guest --- */

static void
set_grab (Viewer *self, gboolean grab)
{
  if (grab == self->grabbed || gtk_widget_get_window (self->window) == NULL)
    return;
  if (grab)
    {
      /* A blank pointer while relative motion is what moves the guest's. */
      g_autoptr (GdkCursor) blank = gvt_input_get_mode (self->input) == GVT_INPUT_RELATIVE
        ? gdk_cursor_new_for_display (gtk_widget_get_display (self->window), GDK_BLANK_CURSOR)
        : NULL;
      g_autoptr (GError) error = NULL;
      if (!gvt_grab_start (self->grab, blank, &error))
        {
          g_message ("%s", error->message);
          return;
        }
    }
  else
    gvt_grab_stop (self->grab);
  self->grabbed = grab;
  if (self->relative != NULL && grab)
    gvt_relative_pointer_start (self->relative);
  else if (self->relative != NULL)
    gvt_relative_pointer_stop (self->relative);
  g_debug ("input %s", grab ? "grabbed" : "released");
  update_words (self);
  config_changed (self);
}

static gboolean
on_key_release (GtkWidget *widget, GdkEventKey *event, Viewer *self)
{
  return gvt_input_key (self->input, event->hardware_keycode, FALSE);
}

static gboolean
on_focus_out (GtkWidget *widget, GdkEventFocus *event, Viewer *self)
{
  /* No key stays down in the guest behind the user's back. */
  gvt_input_release_all (self->input);
  set_grab (self, FALSE);
  return FALSE;
}

static gboolean
on_button (GtkWidget *widget, GdkEventButton *event, Viewer *self)
{
  if (event->type == GDK_2BUTTON_PRESS || event->type == GDK_3BUTTON_PRESS)
    return TRUE;
  /* Relative motion needs the pointer: the first click takes it. */
  if (gvt_input_get_mode (self->input) == GVT_INPUT_RELATIVE && !self->grabbed)
    {
      if (event->type == GDK_BUTTON_PRESS)
        set_grab (self, TRUE);
      return TRUE;
    }
  gvt_input_button (self->input, event->button, event->type == GDK_BUTTON_PRESS, event->x,
                    event->y);
  return TRUE;
}

static gboolean
on_motion (GtkWidget *widget, GdkEventMotion *event, Viewer *self)
{
  if (gvt_input_get_mode (self->input) != GVT_INPUT_RELATIVE)
    {
      double gx, gy;
      self->pointer_inside = gvt_input_pointer_to_guest (self->input, event->x, event->y, &gx,
                                                         &gy);
      /* Without the X filter (Wayland): the handler's time. */
      if (self->motion_us == 0 && self->surface_ops != &gvt_surface_x11_ops)
        self->motion_us = g_get_monotonic_time ();
      gvt_input_motion (self->input, event->x, event->y);
      show_host_cursor (self);
      return TRUE;
    }
  if (self->grabbed)
    gvt_relative_pointer_motion_event (self->relative, event);
  return TRUE;
}

static void
on_relative_motion (double dx, double dy, gpointer user_data)
{
  Viewer *self = user_data;

  gvt_input_motion_relative (self->input, dx, dy);
}

/* The compositor took the locked pointer back. */
static void
on_relative_lost (gpointer user_data)
{
  Viewer *self = user_data;

  g_message ("the compositor ended the pointer lock: input released");
  set_grab (self, FALSE);
}

/* X11: when a pointer event reached the process. GDK hands motion on at
 * the next frame (motion compression), so the handler's own time would
 * hide most of the wait; the filter sees the event as it is read. */
static GdkFilterReturn
on_x_event (GdkXEvent *xevent, GdkEvent *event, gpointer data)
{
  Viewer *self = data;
  XEvent *xev = xevent;

  if ((xev->type == MotionNotify
       || (xev->type == GenericEvent && xev->xcookie.evtype == XI_Motion))
      && self->motion_us == 0)
    self->motion_us = g_get_monotonic_time ();
  return GDK_FILTER_CONTINUE;
}

static gboolean
on_leave (GtkWidget *widget, GdkEventCrossing *event, Viewer *self)
{
  self->pointer_inside = FALSE;
  show_host_cursor (self);
  return FALSE;
}

static gboolean
on_scroll (GtkWidget *widget, GdkEventScroll *event, Viewer *self)
{
  gvt_input_scroll (self->input, event->direction);
  return TRUE;
}

static gboolean
on_grab_broken (GtkWidget *widget, GdkEventGrabBroken *event, Viewer *self)
{
  if (self->grabbed)
    {
      self->grabbed = FALSE;
      gvt_grab_broken (self->grab);
      if (self->relative != NULL)
        gvt_relative_pointer_stop (self->relative);
      gvt_input_release_all (self->input);
      update_words (self);
      config_changed (self);
    }
  return FALSE;
}

static gboolean
on_key_press (GtkWidget *widget, GdkEventKey *event, Viewer *self)
{
  if (gvt_input_is_grab_key (self->input, event->keyval, event->state))
    {
      set_grab (self, !self->grabbed);
      return TRUE;
    }
  switch (gvt_input_shortcut_for (event->keyval, event->state))
    {
    case GVT_SHORTCUT_FULLSCREEN:
      toggle_fullscreen (self);
      return TRUE;
    case GVT_SHORTCUT_NEXT_SCALE:
      set_scale_mode (self, (GvtScaleMode) ((self->mode + 1) % (GVT_SCALE_NATIVE + 1)));
      return TRUE;
    case GVT_SHORTCUT_NATIVE_SIZE:
      gvt_size_policy_native (self->size);
      config_changed (self);
      return TRUE;
    case GVT_SHORTCUT_OVERLAY:
      set_overlay (self, !self->opts.stats);
      return TRUE;
    case GVT_SHORTCUT_QUIT:
      close_window (self);
      return TRUE;
    case GVT_SHORTCUT_NONE:
    default:
      return gvt_input_key (self->input, event->hardware_keycode, TRUE);
    }
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
      gvt_size_policy_set_fullscreen (self->size, fullscreen);
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
  /* Only the user's sizes reach the guest: the size policy's own resizes
   * for a guest mode would make the guest and the window chase each other. */
  guint guest_w, guest_h;
  if (gvt_size_policy_allocated (self->size, alloc->width, alloc->height, scale, &guest_w,
                                 &guest_h))
    gvt_session_request_guest_size (self->session, guest_w, guest_h);
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
  gvt_input_release_all (self->input);
}

/* Every key and button down in the guest goes up, and is sent before the
 * link closes (Ctrl of a Ctrl+Q must not stay down in the guest). */
static void
release_input (Viewer *self)
{
  gint64 deadline = g_get_monotonic_time () + 200 * 1000;

  gvt_input_release_all (self->input);
  while (!gvt_input_is_idle (self->input) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
}

static void
on_destroy (GtkWidget *widget, Viewer *self)
{
  self->closing = TRUE;
  stop_polling (self);
  g_clear_handle_id (&self->wake_id, g_source_remove);
  g_clear_handle_id (&self->stats_timer_id, g_source_remove);
  write_stats_file (self);
  /* The surface's unrealize released the GL objects already. */
  g_clear_pointer (&self->surface, gvt_surface_free);
  if (self->surface_ops == &gvt_surface_x11_ops)
    gdk_window_remove_filter (NULL, on_x_event, self);
  g_clear_pointer (&self->host_cursor, gvt_host_cursor_free);
  g_clear_pointer (&self->failed_primary, gvt_plane_unref);
  /* The grab ends before release_input() runs the main loop: the surface
   * is gone, and the compositor's end of the oneshot pointer lock would
   * be dispatched there as the user's loss of the lock. Destroying the
   * lock first drops that event. */
  self->grabbed = FALSE;
  g_clear_pointer (&self->relative, gvt_relative_pointer_free);
  g_clear_pointer (&self->grab, gvt_grab_free);
  /* Input borrows the session's QEMU link: it goes first, letting go of
   * every key in the guest on its way. */
  release_input (self);
  g_clear_pointer (&self->input, gvt_input_free);
  g_clear_pointer (&self->session, gvt_session_free);
  g_clear_pointer (&self->status, gvt_status_page_free);
  g_clear_pointer (&self->vm_box, gvt_status_page_free);
  g_clear_pointer (&self->size, gvt_size_policy_free);
  g_free (self->failure);
  g_free (self->gl_failure);
  g_free (self->reason_shown);
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
    ".gvt-vm-box { background-color: #181818; padding: 16px 28px; }\n"
    ".gvt-stats { background-color: #101010; color: #f0f0f0; font-family: monospace;"
    "  font-size: 10pt; padding: 6px 8px; }\n";
  g_autoptr (GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_data (provider, css, -1, NULL);
  gtk_style_context_add_provider_for_screen (gtk_widget_get_screen (window),
                                             GTK_STYLE_PROVIDER (provider),
                                             GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
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
  GtkWidget *box = gvt_status_page_get_widget (self->vm_box);
  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_style_context_add_class (gtk_widget_get_style_context (box), "gvt-vm-box");
  g_signal_connect_after (box, "realize", G_CALLBACK (on_stats_realize), self);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), box);
  return overlay;
}


void
gvt_ui_window_open (GtkApplication *app, GvtSession *session, const GvtUiOptions *options)
{
  Viewer *self = g_new0 (Viewer, 1);
  GdkDisplay *display = gdk_display_get_default ();
  g_autoptr (GError) error = NULL;

  self->session = session;
  self->opts = *options;
  self->stats_file = g_strdup (options->stats_file);
  self->opts.stats_file = NULL;
  self->mode = options->mode;
  self->path = "none";
  gvt_frame_stats_init (&self->stats);
  self->surface_ops = gvt_surface_ops_for_display (display, &error);
  if (self->surface_ops == NULL)
    {
      /* Checked by the caller (gvt_ui_app_run): can't happen. */
      g_critical ("%s", error->message);
      gvt_session_free (session);
      g_free (self->stats_file);
      g_free (self);
      return;
    }
  self->surface = self->surface_ops->create (&gl_callbacks, self);
  self->status = gvt_status_page_new ();
  self->vm_box = gvt_status_page_new ();
  self->host_cursor = gvt_host_cursor_new ();
  GvtInputOptions input_options = {
    .view_only = options->view_only,
    .relative = options->relative_mouse,
    .grab_keyval = options->grab_keyval,
    .grab_mods = options->grab_mods,
  };
  self->input = gvt_input_new (gvt_session_get_vm (session), &input_options);

  self->window = gtk_application_window_new (app);
  self->size = gvt_size_policy_new (GTK_WINDOW (self->window), options->width == 0);
  self->grab = gvt_grab_new (self->window);
  install_css (self->window);
  gtk_style_context_add_class (gtk_widget_get_style_context (self->window), "gvt-black");
  self->stack = gtk_stack_new ();
  gtk_stack_set_transition_type (GTK_STACK (self->stack), GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_stack_add_named (GTK_STACK (self->stack), build_picture_page (self), "picture");
  gtk_stack_add_named (GTK_STACK (self->stack), gvt_status_page_get_widget (self->status),
                       "message");
  gtk_container_add (GTK_CONTAINER (self->window), self->stack);

  GdkRectangle area = gvt_size_policy_work_area (self->size);
  int w = options->width ? (int) options->width : GVT_SIZE_POLICY_DEFAULT_WIDTH;
  int h = options->height ? (int) options->height : GVT_SIZE_POLICY_DEFAULT_HEIGHT;
  gtk_window_set_default_size (GTK_WINDOW (self->window), MIN (w, area.width),
                               MIN (h, area.height));

  g_signal_connect (self->window, "key-press-event", G_CALLBACK (on_key_press), self);
  g_signal_connect (self->window, "key-release-event", G_CALLBACK (on_key_release), self);
  g_signal_connect (self->window, "focus-out-event", G_CALLBACK (on_focus_out), self);
  g_signal_connect (self->window, "grab-broken-event", G_CALLBACK (on_grab_broken), self);
  /* The pointer over the picture: event positions are the view's output
   * space (logical pixels). */
  GtkWidget *picture = gvt_surface_get_widget (self->surface);
  if (gvt_input_get_mode (self->input) == GVT_INPUT_RELATIVE)
    {
      static const GvtRelativePointerFuncs relative_funcs = {
        .motion = on_relative_motion,
        .lost = on_relative_lost,
      };
      self->relative = gvt_relative_pointer_new (picture, &relative_funcs, self);
    }
  gtk_widget_add_events (picture, GDK_POINTER_MOTION_MASK | GDK_BUTTON_PRESS_MASK
                                    | GDK_BUTTON_RELEASE_MASK | GDK_SCROLL_MASK
                                    | GDK_LEAVE_NOTIFY_MASK);
  g_signal_connect (picture, "leave-notify-event", G_CALLBACK (on_leave), self);
  if (self->surface_ops == &gvt_surface_x11_ops)
    gdk_window_add_filter (NULL, on_x_event, self);
  g_signal_connect (picture, "motion-notify-event", G_CALLBACK (on_motion), self);
  g_signal_connect (picture, "button-press-event", G_CALLBACK (on_button), self);
  g_signal_connect (picture, "button-release-event", G_CALLBACK (on_button), self);
  g_signal_connect (picture, "scroll-event", G_CALLBACK (on_scroll), self);
  g_signal_connect (self->window, "window-state-event", G_CALLBACK (on_window_state), self);
  g_signal_connect (self->window, "map", G_CALLBACK (on_map), self);
  g_signal_connect (self->window, "unmap", G_CALLBACK (on_unmap), self);
  g_signal_connect (self->window, "destroy", G_CALLBACK (on_destroy), self);
  g_signal_connect (self->stack, "size-allocate", G_CALLBACK (on_size_allocate), self);

  if (options->fullscreen)
    gtk_window_fullscreen (GTK_WINDOW (self->window));
  gtk_widget_show_all (self->window);
  gtk_widget_set_visible (self->stats_label, options->stats);
  gtk_widget_set_visible (gvt_status_page_get_widget (self->vm_box), FALSE);
  gvt_session_set_release_hook (session, on_release, self);
  gvt_session_set_wake_hook (session, on_wake, self);
  /* Start on the message page until the first poll says otherwise. */
  self->state = GVT_UI_STATE_NO_SIGNAL;
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "message");
  update_words (self);
  if (self->stats_file != NULL && options->stats_interval_ms > 0)
    self->stats_timer_id = g_timeout_add (options->stats_interval_ms, on_stats_timer, self);
}
