/* The view transform for each scaling mode, kept free of GL so it can be
 * tested anywhere and shared with pointer input. */
#include <math.h>
#include <string.h>

#include "geometry.h"

static const char *const mode_names[] = {
  [GVT_SCALE_FIT] = "fit",
  [GVT_SCALE_FILL] = "fill",
  [GVT_SCALE_INTEGER] = "integer",
  [GVT_SCALE_NATIVE] = "native",
};

static const char *const filter_names[] = {
  [GVT_FILTER_AUTO] = "auto",
  [GVT_FILTER_LINEAR] = "linear",
  [GVT_FILTER_NEAREST] = "nearest",
};

gboolean
gvt_scale_mode_parse (const char *text, GvtScaleMode *mode)
{
  for (gsize i = 0; text != NULL && i < G_N_ELEMENTS (mode_names); i++)
    if (strcmp (text, mode_names[i]) == 0)
      {
        *mode = (GvtScaleMode) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
gvt_filter_parse (const char *text, GvtFilter *filter)
{
  for (gsize i = 0; text != NULL && i < G_N_ELEMENTS (filter_names); i++)
    if (strcmp (text, filter_names[i]) == 0)
      {
        *filter = (GvtFilter) i;
        return TRUE;
      }
  return FALSE;
}

const char *
gvt_scale_mode_to_string (GvtScaleMode mode)
{
  g_return_val_if_fail ((gsize) mode < G_N_ELEMENTS (mode_names), "?");
  return mode_names[mode];
}

GvtRect
gvt_rect_intersect (GvtRect a, GvtRect b)
{
  int x0 = MAX (a.x, b.x), y0 = MAX (a.y, b.y);
  int x1 = MIN (a.x + a.width, b.x + b.width), y1 = MIN (a.y + a.height, b.y + b.height);
  GvtRect r = { x0, y0, MAX (x1 - x0, 0), MAX (y1 - y0, 0) };
  if (r.width == 0 || r.height == 0)
    r.width = r.height = 0;
  return r;
}

/* Centres @size in @space; the odd pixel goes right/bottom. Negative when
 * @size exceeds @space (native mode crops). */
static int
centre (guint space, guint size)
{
  return (int) floor (((double) space - (double) size) / 2.0);
}

static void
fit_size (guint src_w, guint src_h, guint out_w, guint out_h, guint *w, guint *h)
{
  /* Compare in 64 bits: which side limits the scale. */
  if ((guint64) out_w * src_h <= (guint64) out_h * src_w)
    {
      *w = out_w;
      *h = (guint) CLAMP (llround ((double) src_h * out_w / src_w), 1, (long long) out_h);
    }
  else
    {
      *h = out_h;
      *w = (guint) CLAMP (llround ((double) src_w * out_h / src_h), 1, (long long) out_w);
    }
}

void
gvt_view_compute (GvtView *view, GvtScaleMode mode, GvtFilter filter,
                  guint src_w, guint src_h, guint out_w, guint out_h)
{
  guint w = 0, h = 0;

  memset (view, 0, sizeof *view);
  view->src_width = src_w;
  view->src_height = src_h;
  view->out_width = out_w;
  view->out_height = out_h;
  if (src_w == 0 || src_h == 0 || out_w == 0 || out_h == 0)
    {
      view->scale_x = view->scale_y = 1.0;
      return;
    }

  switch (mode)
    {
    case GVT_SCALE_FILL:
      w = out_w;
      h = out_h;
      break;
    case GVT_SCALE_INTEGER:
      {
        guint k = MIN (out_w / src_w, out_h / src_h);
        if (k >= 1)
          {
            w = src_w * k;
            h = src_h * k;
          }
        else
          fit_size (src_w, src_h, out_w, out_h, &w, &h);
      }
      break;
    case GVT_SCALE_NATIVE:
      w = src_w;
      h = src_h;
      break;
    case GVT_SCALE_FIT:
    default:
      fit_size (src_w, src_h, out_w, out_h, &w, &h);
      break;
    }

  view->image = (GvtRect) { centre (out_w, w), centre (out_h, h), (int) w, (int) h };
  view->visible = gvt_rect_intersect (view->image, (GvtRect) { 0, 0, (int) out_w, (int) out_h });
  view->offset_x = view->image.x;
  view->offset_y = view->image.y;
  view->scale_x = (double) w / src_w;
  view->scale_y = (double) h / src_h;

  switch (filter)
    {
    case GVT_FILTER_NEAREST:
      view->nearest = TRUE;
      break;
    case GVT_FILTER_LINEAR:
      view->nearest = FALSE;
      break;
    case GVT_FILTER_AUTO:
    default:
      view->nearest = w % src_w == 0 && h % src_h == 0;
      break;
    }
}

GvtRect
gvt_view_cursor_rect (const GvtView *view, int x, int y, guint width, guint height)
{
  /* Round each edge, not the size, so that a cursor and the primary pixels
   * under it meet on the same output pixel boundaries. */
  double x0 = view->offset_x + x * view->scale_x;
  double y0 = view->offset_y + y * view->scale_y;
  double x1 = view->offset_x + ((double) x + width) * view->scale_x;
  double y1 = view->offset_y + ((double) y + height) * view->scale_y;
  long long rx0 = llround (x0), ry0 = llround (y0), rx1 = llround (x1), ry1 = llround (y1);
  GvtRect r = {
    (int) CLAMP (rx0, G_MININT / 2, G_MAXINT / 2),
    (int) CLAMP (ry0, G_MININT / 2, G_MAXINT / 2),
    (int) CLAMP (rx1 - rx0, 0, G_MAXINT / 2),
    (int) CLAMP (ry1 - ry0, 0, G_MAXINT / 2),
  };
  return r;
}

gboolean
gvt_view_output_to_guest (const GvtView *view, double out_x, double out_y,
                          double *guest_x, double *guest_y)
{
  if (view->src_width == 0 || view->src_height == 0)
    {
      *guest_x = *guest_y = 0;
      return FALSE;
    }
  double gx = (out_x - view->offset_x) / view->scale_x;
  double gy = (out_y - view->offset_y) / view->scale_y;
  gboolean inside = out_x >= view->visible.x && out_x < view->visible.x + view->visible.width
                    && out_y >= view->visible.y && out_y < view->visible.y + view->visible.height
                    && gx >= 0 && gy >= 0 && gx < view->src_width && gy < view->src_height;
  /* Largest double below the edge, so that the result stays a valid pixel. */
  *guest_x = CLAMP (gx, 0.0, nextafter ((double) view->src_width, 0.0));
  *guest_y = CLAMP (gy, 0.0, nextafter ((double) view->src_height, 0.0));
  return inside;
}

void
gvt_view_guest_to_output (const GvtView *view, double guest_x, double guest_y,
                          double *out_x, double *out_y)
{
  *out_x = view->offset_x + guest_x * view->scale_x;
  *out_y = view->offset_y + guest_y * view->scale_y;
}

