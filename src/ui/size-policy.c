/* Guest mode -> window size, and the user's window sizes -> the guest. */
#include "size-policy.h"

struct _GvtSizePolicy {
  GtkWindow *window;
  gboolean fullscreen;
  guint guest_width, guest_height;
  GvtSizeState state;
};

/* --- the decisions --- */

/* Below this the area is a window being built or a hidden page, not a
 * size anyone chose. */
#define MIN_MEANINGFUL 2
/* A titlebar is not larger than this; more is a window caught between
 * two sizes. */
#define MAX_CHROME 200

/* Only from a settled window: on the way to a new size the window's and
 * the area's sizes may come from different moments. */
static void
update_chrome (GvtSizeState *state, const GvtSizeAllocation *alloc)
{
  if (alloc->fullscreen)
    return;
  state->chrome_width = CLAMP (alloc->window_width - alloc->width, 0, MAX_CHROME);
  state->chrome_height = CLAMP (alloc->window_height - alloc->height, 0, MAX_CHROME);
}

gboolean
gvt_size_state_allocated (GvtSizeState *state, const GvtSizeAllocation *alloc,
                          guint *guest_width, guint *guest_height)
{
  int scale = MAX (alloc->scale, 1);

  if (alloc->width < MIN_MEANINGFUL || alloc->height < MIN_MEANINGFUL)
    return FALSE;

  gboolean first = !state->allocated;
  state->allocated = TRUE;
  if (state->own_pending)
    {
      gboolean arrived = alloc->window_width == state->own_width
                         && alloc->window_height == state->own_height;
      if (!arrived && alloc->now_us < state->own_deadline_us)
        return FALSE;
      /* Arrived (this size is the guest's already), or the window manager
       * made something else of it long ago: from now on sizes are the
       * user's again. */
      state->own_pending = FALSE;
      if (arrived)
        {
          update_chrome (state, alloc);
          return FALSE;
        }
    }
  update_chrome (state, alloc);
  /* The default size is a guess made before the guest said its size;
   * --size is the user's. */
  if (first && state->follow_guest && alloc->at_default_size && !alloc->fullscreen)
    return FALSE;

  if (alloc->fullscreen && alloc->monitor_width > 0 && alloc->monitor_height > 0)
    {
      *guest_width = (guint) alloc->monitor_width;
      *guest_height = (guint) alloc->monitor_height;
    }
  else
    {
      *guest_width = (guint) alloc->width * (guint) scale;
      *guest_height = (guint) alloc->height * (guint) scale;
    }
  return TRUE;
}

void
gvt_size_state_window_for_guest (const GvtSizeState *state, guint guest_width,
                                 guint guest_height, int scale, int max_width, int max_height,
                                 int *width, int *height)
{
  guint s = (guint) MAX (scale, 1);
  /* Rounded up: the whole guest shows, a last odd device pixel too. */
  gint64 w = (gint64) ((guest_width + s - 1) / s) + state->chrome_width;
  gint64 h = (gint64) ((guest_height + s - 1) / s) + state->chrome_height;

  *width = (int) CLAMP (w, 1, MAX (max_width, 1));
  *height = (int) CLAMP (h, 1, MAX (max_height, 1));
}

gboolean
gvt_size_state_resizing (GvtSizeState *state, int from_width, int from_height, int width,
                         int height, gint64 now_us)
{
  if (from_width == width && from_height == height)
    return FALSE;
  state->own_pending = TRUE;
  state->own_width = width;
  state->own_height = height;
  state->own_deadline_us = now_us + GVT_SIZE_POLICY_OWN_RESIZE_US;
  return TRUE;
}

/* --- the window --- */

GvtSizePolicy *
gvt_size_policy_new (GtkWindow *window, gboolean follow_guest)
{
  GvtSizePolicy *self = g_new0 (GvtSizePolicy, 1);
  self->window = window;
  self->state.follow_guest = follow_guest;
  return self;
}

void
gvt_size_policy_free (GvtSizePolicy *self)
{
  g_free (self);
}

static GdkMonitor *
window_monitor (GvtSizePolicy *self)
{
  GtkWidget *widget = GTK_WIDGET (self->window);
  GdkDisplay *display = gtk_widget_get_display (widget);
  GdkWindow *window = gtk_widget_get_window (widget);
  GdkMonitor *monitor = window ? gdk_display_get_monitor_at_window (display, window)
                               : gdk_display_get_primary_monitor (display);

  if (monitor == NULL && gdk_display_get_n_monitors (display) > 0)
    monitor = gdk_display_get_monitor (display, 0);
  return monitor;
}

GdkRectangle
gvt_size_policy_work_area (GvtSizePolicy *self)
{
  GdkMonitor *monitor = window_monitor (self);
  GdkRectangle area = { 0, 0, GVT_SIZE_POLICY_DEFAULT_WIDTH, GVT_SIZE_POLICY_DEFAULT_HEIGHT };

  if (monitor != NULL)
    gdk_monitor_get_workarea (monitor, &area);
  return area;
}

/* Sizes the window so that the guest shows 1:1 in device pixels, within
 * the work area, and remembers that the sizes on the way are its own. */
static void
size_to_guest (GvtSizePolicy *self)
{
  GtkWidget *widget = GTK_WIDGET (self->window);
  GdkRectangle area = gvt_size_policy_work_area (self);
  GdkWindow *window = gtk_widget_get_window (widget);
  int w, h, now_w, now_h;

  /* The window manager's frame must fit too. */
  if (window != NULL)
    {
      GdkRectangle frame;
      gdk_window_get_frame_extents (window, &frame);
      area.width -= MAX (frame.width - gdk_window_get_width (window), 0);
      area.height -= MAX (frame.height - gdk_window_get_height (window), 0);
    }
  gvt_size_state_window_for_guest (&self->state, self->guest_width, self->guest_height,
                                   gtk_widget_get_scale_factor (widget), area.width,
                                   area.height, &w, &h);
  gtk_window_get_size (self->window, &now_w, &now_h);
  if (gvt_size_state_resizing (&self->state, now_w, now_h, w, h, g_get_monotonic_time ()))
    g_debug ("window: %dx%d for the guest's %ux%u", w, h, self->guest_width,
             self->guest_height);
  gtk_window_resize (self->window, w, h);
}

gboolean
gvt_size_policy_guest_mode (GvtSizePolicy *self, guint width, guint height)
{
  if (width == self->guest_width && height == self->guest_height)
    return FALSE;
  self->guest_width = width;
  self->guest_height = height;

  GdkWindow *window = gtk_widget_get_window (GTK_WIDGET (self->window));
  GdkWindowState ws = window ? gdk_window_get_state (window) : 0;
  if (self->state.follow_guest && !self->fullscreen
      && !(ws & (GDK_WINDOW_STATE_MAXIMIZED | GDK_WINDOW_STATE_TILED)))
    size_to_guest (self);
  return TRUE;
}

void
gvt_size_policy_native (GvtSizePolicy *self)
{
  if (self->fullscreen)
    gtk_window_unfullscreen (self->window);
  gtk_window_unmaximize (self->window);
  self->state.follow_guest = TRUE;
  if (self->guest_width > 0)
    size_to_guest (self);
}

void
gvt_size_policy_set_fullscreen (GvtSizePolicy *self, gboolean fullscreen)
{
  self->fullscreen = fullscreen;
}

gboolean
gvt_size_policy_allocated (GvtSizePolicy *self, int width, int height, int scale,
                           guint *guest_width, guint *guest_height)
{
  GdkWindow *window = gtk_widget_get_window (GTK_WIDGET (self->window));
  GdkWindowState ws = window ? gdk_window_get_state (window) : 0;
  GvtSizeAllocation alloc = {
    .now_us = g_get_monotonic_time (),
    .width = width,
    .height = height,
    .scale = scale,
    .fullscreen = self->fullscreen || (ws & GDK_WINDOW_STATE_FULLSCREEN) != 0,
  };
  int default_w, default_h;

  gtk_window_get_size (self->window, &alloc.window_width, &alloc.window_height);
  gtk_window_get_default_size (self->window, &default_w, &default_h);
  alloc.at_default_size = alloc.window_width == default_w && alloc.window_height == default_h;
  GdkMonitor *monitor = window_monitor (self);
  if (monitor != NULL)
    {
      GdkRectangle geometry;
      int monitor_scale = gdk_monitor_get_scale_factor (monitor);
      gdk_monitor_get_geometry (monitor, &geometry);
      alloc.monitor_width = geometry.width * monitor_scale;
      alloc.monitor_height = geometry.height * monitor_scale;
    }
  gboolean user = gvt_size_state_allocated (&self->state, &alloc, guest_width, guest_height);
  g_debug ("window: %dx%d at scale %d%s", width, height, scale,
           user ? ", the user's: a size for the guest" : ", the size policy's");
  return user;
}
