/* The guest's cursor as the host pointer. */
#include <string.h>

#include "host-cursor.h"

/* Ticks between comparisons of the plane's pixels. */
#define RECHECK_UPDATES 30

/* Everything make_cursor's result depends on besides the pixels: a
 * change in any of them makes the cursor again. */
typedef struct {
  guint64 serial;          /* the plane's buffer */
  guint32 hot_x, hot_y;    /* the plane's hotspot: a new shape in the same buffer moves it */
  double scale_x, scale_y; /* the view's */
  gboolean nearest;        /* the view's filter */
  int scale_factor;        /* the widget's */
} MadeFor;

struct _GvtHostCursor {
  GdkCursor *cursor;       /* made of the plane, or NULL */
  GBytes *pixels;          /* what it was made of */
  MadeFor made_for;
  guint age;               /* ticks since the pixels were read */
  gboolean on;             /* set on the widget now */
};

GvtHostCursor *
gvt_host_cursor_new (void)
{
  return g_new0 (GvtHostCursor, 1);
}

void
gvt_host_cursor_free (GvtHostCursor *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->cursor);
  g_clear_pointer (&self->pixels, g_bytes_unref);
  g_free (self);
}

/* A GdkCursor of @rgba (the plane's straight-alpha pixels), scaled as the
 * view scales the guest, hotspot included. */
static GdkCursor *
make_cursor (GtkWidget *widget, GvtPlane *plane, const GvtView *view, const guint8 *rgba)
{
  guint w = gvt_plane_get_width (plane), h = gvt_plane_get_height (plane);
  int sf = gtk_widget_get_scale_factor (widget);

  /* Cairo's ARGB32 is premultiplied, native-endian. */
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) w, (int) h);
  guint8 *data = cairo_image_surface_get_data (image);
  int stride = cairo_image_surface_get_stride (image);
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        const guint8 *p = rgba + ((gsize) y * w + x) * 4;
        guint a = p[3];
        guint32 px = (a << 24) | ((p[0] * a + 127) / 255 << 16) | ((p[1] * a + 127) / 255 << 8)
                     | ((p[2] * a + 127) / 255);
        memcpy (data + (gsize) y * stride + x * 4, &px, 4);
      }
  cairo_surface_mark_dirty (image);
  int dw = MAX ((int) (w * view->scale_x + 0.5), 1), dh = MAX ((int) (h * view->scale_y + 0.5), 1);
  cairo_surface_t *scaled = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, dw, dh);
  cairo_t *cr = cairo_create (scaled);
  cairo_scale (cr, view->scale_x, view->scale_y);
  cairo_set_source_surface (cr, image, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr),
                            view->nearest ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_BILINEAR);
  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (image);
  /* GDK takes the surface in device pixels, the hotspot in logical. */
  cairo_surface_set_device_scale (scaled, sf, sf);
  guint32 hx = gvt_plane_get_hot_x (plane), hy = gvt_plane_get_hot_y (plane);
  double hot_x = hx == GVT_HOTSPOT_UNKNOWN ? 0 : hx * view->scale_x / sf;
  double hot_y = hy == GVT_HOTSPOT_UNKNOWN ? 0 : hy * view->scale_y / sf;
  GdkCursor *cursor = gdk_cursor_new_from_surface (gtk_widget_get_display (widget), scaled,
                                                   hot_x, hot_y);
  cairo_surface_destroy (scaled);
  return cursor;
}

static MadeFor
made_for (GtkWidget *widget, GvtPlane *plane, const GvtView *view)
{
  return (MadeFor) {
    .serial = gvt_buffer_get_serial (gvt_plane_get_buffer (plane)),
    .hot_x = gvt_plane_get_hot_x (plane),
    .hot_y = gvt_plane_get_hot_y (plane),
    .scale_x = view->scale_x,
    .scale_y = view->scale_y,
    .nearest = !!view->nearest,
    .scale_factor = gtk_widget_get_scale_factor (widget),
  };
}

/* TRUE when self->cursor is what make_cursor would make of @plane now,
 * the pixels aside (those are the read-back's to compare). No GL. */
static gboolean
is_current (GvtHostCursor *self, GtkWidget *widget, GvtPlane *plane, const GvtView *view)
{
  MadeFor now = made_for (widget, plane, view);
  const MadeFor *was = &self->made_for;

  return self->cursor != NULL && now.serial == was->serial && now.hot_x == was->hot_x
         && now.hot_y == was->hot_y && now.scale_x == was->scale_x
         && now.scale_y == was->scale_y && now.nearest == was->nearest
         && now.scale_factor == was->scale_factor;
}

/* Reads the plane again when due; a new GdkCursor only when the picture
 * changed (X cursors are server objects, and setting one is a round
 * trip). */
static void
refresh (GvtHostCursor *self, GtkWidget *widget, GvtPlane *plane, const GvtView *view,
         GvtCompositor *compositor, GvtTextureCache *cache)
{
  gboolean stale = !is_current (self, widget, plane, view);
  g_autoptr (GError) error = NULL;

  if (!stale && ++self->age < RECHECK_UPDATES)
    return;
  self->age = 0;
  guint8 *rgba = gvt_compositor_read_image (compositor, cache, plane, &error);
  gsize len = (gsize) gvt_plane_get_width (plane) * gvt_plane_get_height (plane) * 4;
  g_autoptr (GBytes) pixels = rgba ? g_bytes_new_take (rgba, len) : NULL;
  if (pixels == NULL)
    g_debug ("the guest cursor can't be the host pointer: %s", error->message);
  if (pixels != NULL && !stale && self->pixels != NULL && g_bytes_equal (pixels, self->pixels))
    return;
  g_clear_object (&self->cursor);
  g_clear_pointer (&self->pixels, g_bytes_unref);
  if (pixels != NULL)
    {
      self->cursor = make_cursor (widget, plane, view, g_bytes_get_data (pixels, NULL));
      self->pixels = g_bytes_ref (pixels);
    }
  self->made_for = made_for (widget, plane, view);
  self->on = FALSE;  /* set again below */
}

static void
set_on (GvtHostCursor *self, GdkWindow *window, gboolean on)
{
  if (on != self->on && window != NULL)
    {
      gdk_window_set_cursor (window, on ? self->cursor : NULL);
      self->on = on;
    }
}

gboolean
gvt_host_cursor_update (GvtHostCursor *self, GtkWidget *widget, gboolean want, GvtPlane *plane,
                        const GvtView *view, GvtCompositor *compositor, GvtTextureCache *cache)
{
  GdkWindow *window = gtk_widget_get_window (widget);

  want = want && plane != NULL && view != NULL && compositor != NULL && window != NULL;
  if (want)
    {
      refresh (self, widget, plane, view, compositor, cache);
      want = self->cursor != NULL;
    }
  set_on (self, window, want);
  return self->on;
}

gboolean
gvt_host_cursor_show (GvtHostCursor *self, GtkWidget *widget, gboolean want, GvtPlane *plane,
                      const GvtView *view)
{
  GdkWindow *window = gtk_widget_get_window (widget);

  if (!want || plane == NULL || view == NULL)
    set_on (self, window, FALSE);
  /* A cursor not made for this plane and view waits for the tick, which
   * makes it again (and, until then, decides whether it is shown). */
  else if (is_current (self, widget, plane, view))
    set_on (self, window, TRUE);
  return self->on;
}
