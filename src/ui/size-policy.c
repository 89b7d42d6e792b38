/* Guest mode -> window size. */
#include "size-policy.h"

struct _GvtSizePolicy {
  GtkWindow *window;
  gboolean follow_guest;
  gboolean fullscreen;
  guint guest_width, guest_height;
};

GvtSizePolicy *
gvt_size_policy_new (GtkWindow *window, gboolean follow_guest)
{
  GvtSizePolicy *self = g_new0 (GvtSizePolicy, 1);
  self->window = window;
  self->follow_guest = follow_guest;
  return self;
}

void
gvt_size_policy_free (GvtSizePolicy *self)
{
  g_free (self);
}

GdkRectangle
gvt_size_policy_work_area (GvtSizePolicy *self)
{
  GtkWidget *widget = GTK_WIDGET (self->window);
  GdkDisplay *display = gtk_widget_get_display (widget);
  GdkWindow *window = gtk_widget_get_window (widget);
  GdkMonitor *monitor = window ? gdk_display_get_monitor_at_window (display, window)
                               : gdk_display_get_primary_monitor (display);
  GdkRectangle area = { 0, 0, GVT_SIZE_POLICY_DEFAULT_WIDTH, GVT_SIZE_POLICY_DEFAULT_HEIGHT };

  if (monitor == NULL && gdk_display_get_n_monitors (display) > 0)
    monitor = gdk_display_get_monitor (display, 0);
  if (monitor != NULL)
    gdk_monitor_get_workarea (monitor, &area);
  return area;
}

/* Sizes the window so that the guest shows 1:1 in device pixels, within
 * the work area. */
static void
size_to_guest (GvtSizePolicy *self)
{
  GtkWidget *widget = GTK_WIDGET (self->window);
  int scale = gtk_widget_get_scale_factor (widget);
  GdkRectangle area = gvt_size_policy_work_area (self);
  GdkWindow *window = gtk_widget_get_window (widget);

  /* The window manager's frame must fit too. */
  if (window != NULL)
    {
      GdkRectangle frame;
      gdk_window_get_frame_extents (window, &frame);
      area.width -= MAX (frame.width - gdk_window_get_width (window), 0);
      area.height -= MAX (frame.height - gdk_window_get_height (window), 0);
    }
  int w = (int) ((self->guest_width + (guint) scale - 1) / (guint) scale);
  int h = (int) ((self->guest_height + (guint) scale - 1) / (guint) scale);

  w = CLAMP (w, 1, MAX (area.width, 1));
  h = CLAMP (h, 1, MAX (area.height, 1));
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
  if (self->follow_guest && !self->fullscreen
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
  self->follow_guest = TRUE;
  if (self->guest_width > 0)
    size_to_guest (self);
}

void
gvt_size_policy_set_fullscreen (GvtSizePolicy *self, gboolean fullscreen)
{
  self->fullscreen = fullscreen;
}
