/* The demo guest: paints an animated desktop into a simulated vGPU's
 * framebuffers, as a function of time only. */
#include <string.h>

#include "common/format.h"
#include "demo-guest.h"

struct _GvtDemoGuest {
  GvtSim *sim;
  GvtDemoConfig config;
  gboolean started;       /* a step has run: the device is in our hands */
  GvtDemoPhase phase;
  gint mode_index;        /* into config.modes; -1 in the firmware phase */
  guint32 width, height;
  gint64 frame;           /* on screen; -1 = none */
  guint64 frames_painted;
  gboolean cursor_set;
  GvtDemoWindow windows[GVT_DEMO_N_WINDOWS];
  guint8 edid_seen[128];  /* follow_edid: the last EDID taken */
  guint32 edid_w, edid_h; /* its preferred mode; 0 before any */
};

/* follow_edid: the mode index while the EDID's mode is shown. */
#define EDID_MODE_INDEX (-2)

/* --- drawing on an XRGB8888 buffer --- */

typedef struct {
  guint8 *pixels;
  guint32 stride;
  gint width, height;
} Canvas;

static inline guint32 *
canvas_row (const Canvas *c, gint y)
{
  return (guint32 *) (gpointer) (c->pixels + (gsize) y * c->stride);
}

static inline void
fill_span (guint32 *dst, gint n, guint32 colour)
{
  /* Stores in memory order: XRGB8888 is little-endian whatever the host. */
  guint32 v = GUINT32_TO_LE (colour);
  for (gint i = 0; i < n; i++)
    dst[i] = v;
}

/* Clipped to the canvas: windows and the cursor path reach past the edges
 * on purpose. */
static void
fill_rect (const Canvas *c, gint64 x, gint64 y, gint64 w, gint64 h, guint32 colour)
{
  gint64 x0 = MAX (x, 0), y0 = MAX (y, 0);
  gint64 x1 = MIN (x + w, c->width), y1 = MIN (y + h, c->height);
  if (x0 >= x1 || y0 >= y1)
    return;

  /* One row by stores, the rest by memcpy, which beats the store loop on
   * wide rectangles. */
  guint32 *first = canvas_row (c, (gint) y0) + x0;
  gsize bytes = (gsize) (x1 - x0) * 4;
  fill_span (first, (gint) (x1 - x0), colour);
  for (gint64 row = y0 + 1; row < y1; row++)
    memcpy (canvas_row (c, (gint) row) + x0, first, bytes);
}

static guint32
lerp_colour (guint32 a, guint32 b, guint32 num, guint32 den)
{
  guint32 out = 0;
  for (guint shift = 0; shift < 24; shift += 8)
    {
      gint64 ca = (a >> shift) & 0xff, cb = (b >> shift) & 0xff;
      gint64 v = ca + (cb - ca) * num / den;
      out |= (guint32) v << shift;
    }
  return out;
}

/* --- deterministic motion ---
 * Integer-only, so that the picture at a given time is the same bytes on
 * every machine and libm (snapshots compare exactly). */

/* sin of @phase (a full turn is 65536) in Q14, by a fifth-order odd
 * polynomial on the quarter wave (error below 2e-4). */
static gint32
isin (guint32 phase)
{
  phase &= 0xffff;
  guint quadrant = phase >> 14;
  gint64 z = phase & 0x3fff;
  if (quadrant & 1)
    z = 0x4000 - z;
  gint64 z2 = (z * z) >> 14;
  gint64 r = (1187 * z2) >> 14;  /* 0.0724270 */
  r = ((10530 - r) * z2) >> 14;  /* 0.6427256 */
  r = ((25730 - r) * z) >> 14;   /* 1.5704128 */
  r = MIN (r, 0x4000);
  return (gint32) (quadrant >= 2 ? -r : r);
}

/* The phase of a wave of @period_us at @t_us, offset by @phase0. */
static guint32
wave_phase (gint64 t_us, gint64 period_us, guint32 phase0)
{
  gint64 in_period = t_us % period_us;
  return (guint32) (in_period * 65536 / period_us) + phase0;
}

/* A point swinging over [lo, lo + range] along a sine. */
static gint64
swing (gint64 lo, gint64 range, gint64 t_us, gint64 period_us, guint32 phase0)
{
  gint64 s = isin (wave_phase (t_us, period_us, phase0));
  return lo + range * (0x4000 + s) / 0x8000;
}

static guint32
mix32 (guint32 x)
{
  /* lowbias32 (Chris Wellons): a seed of 0 and 1 give unrelated paths. */
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

/* --- the desktop --- */

typedef struct {
  guint32 title, body;
} WindowColours;

static const WindowColours window_colours[GVT_DEMO_N_WINDOWS] = {
  { 0x00c04040u, 0x00f0e4e0u },
  { 0x0040a040u, 0x00e4f0e0u },
  { 0x004060d0u, 0x00e0e8f8u },
};

#define WINDOW_FRAME 0x00101820u
#define WINDOW_TEXT  0x00909498u
#define CLOCK_DIGIT  0x00e0e0e0u
#define START_BUTTON 0x004080ffu

static guint32
top_bar_height (guint32 height)
{
  return CLAMP (height / 30, 16, 48);
}

/* Where the windows are at @anim_us: each swings on its own Lissajous
 * figure, partly off the right and bottom edges at times, never over the
 * top bar. */
static void
layout_windows (const GvtDemoConfig *config, guint32 width, guint32 height,
                gint64 anim_us, GvtDemoWindow out[GVT_DEMO_N_WINDOWS])
{
  static const struct { guint32 w_num, w_den, h_num, h_den; } sizes[GVT_DEMO_N_WINDOWS] = {
    { 9, 20, 2, 5 }, { 7, 20, 9, 20 }, { 1, 4, 1, 4 },
  };
  guint32 bar = top_bar_height (height);

  for (guint i = 0; i < GVT_DEMO_N_WINDOWS; i++)
    {
      GvtDemoWindow *w = &out[i];
      guint32 hash = mix32 (config->seed * 2654435761u + i);
      w->width = MAX (width * sizes[i].w_num / sizes[i].w_den, 32);
      w->height = MAX (height * sizes[i].h_num / sizes[i].h_den, 32);
      w->title_height = bar;
      w->title_colour = window_colours[i].title;
      w->body_colour = window_colours[i].body;

      /* Periods of 7-11 s across and 5-9 s down, varied by the seed so
       * that the figures don't repeat in step. */
      gint64 px = (7000 + 2000 * i + (hash & 0x3ff)) * G_GINT64_CONSTANT (1000);
      gint64 py = (5000 + 2000 * i + ((hash >> 10) & 0x3ff)) * G_GINT64_CONSTANT (1000);
      gint64 over_x = w->width / 5, over_y = w->height / 5;
      gint64 range_x = (gint64) width - w->width + over_x;
      gint64 range_y = (gint64) height - bar - w->height + over_y;
      w->x = (gint) swing (0, MAX (range_x, 0), anim_us, px, hash >> 16);
      w->y = (gint) swing (bar, MAX (range_y, 0), anim_us, py, hash << 8);
    }
}

/* The cursor's hotspot at @anim_us: a 3:2 Lissajous figure over most of
 * the screen. */
static void
cursor_position (guint32 width, guint32 height, gint64 anim_us, gint64 *x, gint64 *y)
{
  *x = swing (width / 20, (gint64) width * 9 / 10, anim_us, 6000000, 0);
  *y = swing (height / 20, (gint64) height * 9 / 10, anim_us, 4000000, 0x4000);
}

static void
paint_window (const Canvas *c, const GvtDemoWindow *w)
{
  gint64 x = w->x, y = w->y, ww = w->width, wh = w->height, th = w->title_height;

  fill_rect (c, x, y, ww, wh, WINDOW_FRAME);
  fill_rect (c, x + 1, y + 1, ww - 2, th - 1, w->title_colour);
  fill_rect (c, x + 1, y + th, ww - 2, wh - th - 1, w->body_colour);

  /* Three buttons at the title bar's right end. */
  gint64 b = th / 2;
  for (gint64 k = 1; k <= 3; k++)
    fill_rect (c, x + ww - k * (b + b / 2) - b / 4, y + th / 4, b, b, w->body_colour);

  /* Lines of "text" of varying lengths. */
  gint64 line_h = MAX (th / 4, 2);
  gint64 text_w = ww - 2 * th;
  for (gint64 k = 0; th + (k + 2) * 2 * line_h < wh - th / 2; k++)
    fill_rect (c, x + th, y + th + (k + 1) * 2 * line_h, text_w * (40 + (k * 37) % 55) / 100,
               line_h, WINDOW_TEXT);
}

/* Seven-segment digit @d with its top-left at (x, y), @dh rows high. */
static void
paint_digit (const Canvas *c, gint64 x, gint64 y, gint64 dh, guint d)
{
  static const guint8 segments[10] = { 0x3f, 0x06, 0x5b, 0x4f, 0x66, 0x6d, 0x7d, 0x07, 0x7f, 0x6f };
  gint64 dw = dh / 2, t = MAX (dh / 8, 2), half = dh / 2;
  const struct { gint64 x, y, w, h; } seg[7] = {
    { x, y, dw, t },                         /* a: top */
    { x + dw - t, y, t, half },              /* b: upper right */
    { x + dw - t, y + half, t, dh - half },  /* c: lower right */
    { x, y + dh - t, dw, t },                /* d: bottom */
    { x, y + half, t, dh - half },           /* e: lower left */
    { x, y, t, half },                       /* f: upper left */
    { x, y + half - t / 2, dw, t },          /* g: middle */
  };
  for (guint s = 0; s < 7; s++)
    if (segments[d % 10] & (1u << s))
      fill_rect (c, seg[s].x, seg[s].y, seg[s].w, seg[s].h, CLOCK_DIGIT);
}

/* The top bar: a start button, one task button per window and a clock
 * "MM:SS:FF" (FF the frame within the second), so that every frame differs
 * visibly from the one before. */
static void
paint_top_bar (const Canvas *c, guint32 bar, gint64 frame, guint fps)
{
  fill_rect (c, 0, 0, c->width, bar, GVT_DEMO_TOP_BAR);

  gint64 pad = bar / 6 + 1;
  fill_rect (c, pad, pad, 2 * bar, bar - 2 * pad, START_BUTTON);
  for (guint i = 0; i < GVT_DEMO_N_WINDOWS; i++)
    fill_rect (c, 3 * bar + i * 3 * bar, pad, 5 * bar / 2, bar - 2 * pad, window_colours[i].title);

  gint64 secs = frame / fps;
  guint digits[6] = {
    (guint) (secs / 600 % 10), (guint) (secs / 60 % 10),
    (guint) (secs % 60 / 10), (guint) (secs % 10),
    (guint) (frame % fps / 10 % 10), (guint) (frame % fps % 10),
  };
  gint64 dh = bar - 2 * pad, dw = dh / 2, gap = MAX (dh / 6, 2);
  gint64 x = c->width - pad - 6 * (dw + gap) - 2 * (gap + 2 * gap);
  for (guint k = 0; k < 6; k++)
    {
      paint_digit (c, x, pad, dh, digits[k]);
      x += dw + gap;
      if (k == 1 || k == 3)
        {
          gint64 dot = MAX (dh / 8, 2);
          fill_rect (c, x + gap / 2, pad + dh / 4, dot, dot, CLOCK_DIGIT);
          fill_rect (c, x + gap / 2, pad + dh * 3 / 4 - dot, dot, dot, CLOCK_DIGIT);
          x += 3 * gap;
        }
    }
}

static void
paint_background (const Canvas *c, guint32 bar)
{
  gint64 rows = (gint64) c->height - bar;
  guint32 prev = 0;
  guint32 *prev_row = NULL;
  for (gint64 y = bar; y < c->height; y++)
    {
      guint32 colour = rows > 1
        ? lerp_colour (GVT_DEMO_BG_TOP, GVT_DEMO_BG_BOTTOM, (guint32) (y - bar), (guint32) (rows - 1))
        : GVT_DEMO_BG_TOP;
      guint32 *row = canvas_row (c, (gint) y);
      /* The gradient changes colour only every few rows: copy those. */
      if (prev_row != NULL && colour == prev)
        memcpy (row, prev_row, (gsize) c->width * 4);
      else
        fill_span (row, c->width, colour);
      prev = colour;
      prev_row = row;
    }
}

static void
paint_desktop (const Canvas *c, gint64 frame, guint fps,
               const GvtDemoWindow windows[GVT_DEMO_N_WINDOWS])
{
  guint32 bar = MIN (top_bar_height ((guint32) c->height), (guint32) c->height);
  paint_background (c, bar);
  for (guint i = 0; i < GVT_DEMO_N_WINDOWS; i++)
    paint_window (c, &windows[i]);
  paint_top_bar (c, bar, frame, fps);
}

/* A classic arrow with its tip in pixel (0, 0): even-odd rule at pixel
 * centres, in half-pixel units so that centres are integers. The tip
 * vertex sits half a pixel above the corner so that the tip pixel itself
 * is inside, not on an edge. */
static gboolean
in_arrow (gint x, gint y)
{
  static const gint poly[][2] = {
    { 0, -1 }, { 0, 34 }, { 8, 26 }, { 14, 40 }, { 20, 38 }, { 14, 24 }, { 24, 24 },
  };
  const guint n = G_N_ELEMENTS (poly);
  gint64 px = 2 * x + 1, py = 2 * y + 1;
  gboolean inside = FALSE;
  for (guint i = 0, j = n - 1; i < n; j = i++)
    {
      gint64 xi = poly[i][0], yi = poly[i][1];
      gint64 xj = poly[j][0], yj = poly[j][1];
      if ((yi > py) == (yj > py))
        continue;
      /* px < crossing x, multiplied out by (yj - yi) with its sign. */
      gint64 dy = yj - yi;
      gint64 lhs = (px - xi) * dy, rhs = (xj - xi) * (py - yi);
      if (dy > 0 ? lhs < rhs : lhs > rhs)
        inside = !inside;
    }
  return inside;
}

/* White arrow, black outline, and a soft shadow with partial alpha so that
 * straight (not premultiplied) alpha is exercised. */
void
gvt_demo_paint_cursor (guint8 *pixels, guint32 size)
{
  for (guint32 y = 0; y < size; y++)
    {
      guint32 *row = (guint32 *) (gpointer) (pixels + (gsize) y * size * 4);
      for (guint32 x = 0; x < size; x++)
        {
          gint ax = (gint) x - GVT_DEMO_CURSOR_HOT_X, ay = (gint) y - GVT_DEMO_CURSOR_HOT_Y;
          guint32 argb = 0;
          if (in_arrow (ax, ay))
            {
              gboolean edge = !in_arrow (ax - 1, ay) || !in_arrow (ax + 1, ay) ||
                              !in_arrow (ax, ay - 1) || !in_arrow (ax, ay + 1);
              argb = edge ? 0xff000000u : 0xffffffffu;
            }
          else if (in_arrow (ax - 2, ay - 2))
            argb = 0x50000000u;
          row[x] = GUINT32_TO_LE (argb);
        }
    }
}

/* --- the guest --- */

void
gvt_demo_config_init (GvtDemoConfig *config)
{
  g_return_if_fail (config != NULL);

  *config = (GvtDemoConfig) {
    .firmware_us = 3 * G_USEC_PER_SEC,
    .modes = { { 1280, 720 }, { 1920, 1080 }, { 1024, 768 } },
    .n_modes = 3,
    .mode_interval_us = 20 * G_USEC_PER_SEC,
    .fps = 60,
    .seed = 0,
    .cursor = TRUE,
    .in_place = FALSE,
  };
}

static gboolean
config_is_valid (const GvtDemoConfig *config)
{
  if (config->n_modes < 1 || config->n_modes > GVT_DEMO_MAX_MODES)
    return FALSE;
  if (config->fps < 1 || config->fps > 1000 || config->mode_interval_us < 0)
    return FALSE;
  for (guint i = 0; i < config->n_modes; i++)
    if (config->modes[i].width < 1 || config->modes[i].width > GVT_SIZE_MAX ||
        config->modes[i].height < 1 || config->modes[i].height > GVT_SIZE_MAX)
      return FALSE;
  return TRUE;
}

GvtDemoGuest *
gvt_demo_guest_new (GvtSim *sim, const GvtDemoConfig *config)
{
  g_return_val_if_fail (sim != NULL, NULL);

  GvtDemoGuest *self = g_new0 (GvtDemoGuest, 1);
  self->sim = sim;
  if (config != NULL)
    self->config = *config;
  else
    gvt_demo_config_init (&self->config);
  if (!config_is_valid (&self->config))
    {
      g_critical ("%s: invalid demo guest config (modes 1..%d of 1..%d pixels, "
                  "fps 1..1000, interval >= 0)", G_STRFUNC, GVT_DEMO_MAX_MODES, GVT_SIZE_MAX);
      g_free (self);
      return NULL;
    }
  self->phase = GVT_DEMO_PHASE_FIRMWARE;
  self->mode_index = -1;
  self->frame = -1;
  return self;
}

void
gvt_demo_guest_free (GvtDemoGuest *self)
{
  g_free (self);
}

/* Frames since the end of the firmware phase, without overflowing on long
 * runs. */
static gint64
frame_at (gint64 since_us, guint fps)
{
  return since_us / G_USEC_PER_SEC * fps + since_us % G_USEC_PER_SEC * fps / G_USEC_PER_SEC;
}

/* The time the animation shows in @frame: its first microsecond (rounded
 * up, so that frame_at() of it is @frame), so that every time inside a
 * frame paints the same picture. */
static gint64
frame_start_us (gint64 frame, guint fps)
{
  return frame / fps * G_USEC_PER_SEC + (frame % fps * G_USEC_PER_SEC + fps - 1) / fps;
}

static void
enter_firmware (GvtDemoGuest *self)
{
  if (self->started && self->phase == GVT_DEMO_PHASE_FIRMWARE)
    return;
  g_debug ("demo guest: firmware phase, no plane");
  gvt_sim_disable (self->sim);
  self->phase = GVT_DEMO_PHASE_FIRMWARE;
  self->mode_index = -1;
  self->width = self->height = 0;
  self->frame = -1;
}

/* A new EDID from the viewer: its first detailed timing is the mode a
 * desktop guest switches to. (The sim took only a valid base block.) */
static void
take_edid (GvtDemoGuest *self)
{
  gsize size = 0;
  const guint8 *e = gvt_sim_get_edid (self->sim, &size);

  if (e == NULL || size < sizeof self->edid_seen
      || memcmp (e, self->edid_seen, sizeof self->edid_seen) == 0)
    return;
  memcpy (self->edid_seen, e, sizeof self->edid_seen);
  guint32 w = e[56] | (guint32) (e[58] >> 4) << 8;
  guint32 h = e[59] | (guint32) (e[61] >> 4) << 8;
  if (w == 0 || h == 0)
    return;
  g_debug ("demo guest: the new EDID prefers %ux%u", w, h);
  self->edid_w = w;
  self->edid_h = h;
}

void
gvt_demo_guest_step (GvtDemoGuest *self, gint64 time_us)
{
  g_return_if_fail (self != NULL);
  const GvtDemoConfig *config = &self->config;

  if (time_us < config->firmware_us)
    {
      enter_firmware (self);
      self->started = TRUE;
      return;
    }
  self->started = TRUE;

  gint64 since = time_us - config->firmware_us;
  gint mode_index = config->mode_interval_us > 0
    ? (gint) (since / config->mode_interval_us % config->n_modes) : 0;
  GvtDemoMode mode = config->modes[mode_index];
  if (config->follow_edid)
    take_edid (self);
  if (self->edid_w != 0)
    {
      mode_index = EDID_MODE_INDEX;
      mode = (GvtDemoMode) { self->edid_w, self->edid_h };
    }
  gint64 frame = frame_at (since, config->fps);
  gboolean new_mode = self->phase != GVT_DEMO_PHASE_DESKTOP || mode_index != self->mode_index
                      || mode.width != self->width || mode.height != self->height;

  if (new_mode)
    {
      g_debug ("demo guest: mode %ux%u", mode.width, mode.height);
      gvt_sim_set_mode (self->sim, GVT_FORMAT_XRGB8888, GVT_MOD_LINEAR,
                        mode.width, mode.height, 0);
      self->phase = GVT_DEMO_PHASE_DESKTOP;
      self->mode_index = mode_index;
      self->width = mode.width;
      self->height = mode.height;
    }

  /* Once: the image and its id survive mode changes and the firmware
   * phase, as a guest driver's cursor buffer would. */
  if (config->cursor && !self->cursor_set)
    {
      gvt_sim_set_cursor (self->sim, GVT_DEMO_CURSOR_SIZE,
                          GVT_DEMO_CURSOR_HOT_X, GVT_DEMO_CURSOR_HOT_Y);
      guint8 *cursor = gvt_sim_get_cursor_pixels (self->sim);
      if (cursor != NULL)
        gvt_demo_paint_cursor (cursor, GVT_DEMO_CURSOR_SIZE);
      self->cursor_set = TRUE;
    }

  /* A new mode's buffers are cleared, so it is painted even within the
   * same frame. */
  if (!new_mode && frame == self->frame)
    return;

  /* In place: the buffer on screen, so a viewer may see a frame half
   * painted, as on a guest that doesn't flip. In REGION mode front and
   * back are the one framebuffer anyway. */
  guint8 *pixels = gvt_sim_get_pixels (self->sim, !config->in_place);
  if (pixels == NULL)
    {
      g_warning ("demo guest: the device has no framebuffer after a mode set");
      return;
    }
  Canvas canvas = {
    .pixels = pixels,
    .stride = gvt_sim_get_stride (self->sim),
    .width = (gint) self->width,
    .height = (gint) self->height,
  };
  g_return_if_fail (canvas.stride >= self->width * 4 && canvas.stride % 4 == 0);

  gint64 anim_us = frame_start_us (frame, config->fps);
  layout_windows (config, self->width, self->height, anim_us, self->windows);
  paint_desktop (&canvas, frame, config->fps, self->windows);
  if (!config->in_place)
    gvt_sim_page_flip (self->sim);
  self->frame = frame;
  self->frames_painted++;

  if (config->cursor)
    {
      gint64 hx, hy;
      cursor_position (self->width, self->height, anim_us, &hx, &hy);
      gvt_sim_move_cursor (self->sim, (guint32) MAX (hx - GVT_DEMO_CURSOR_HOT_X, 0),
                           (guint32) MAX (hy - GVT_DEMO_CURSOR_HOT_Y, 0));
    }
}

GvtDemoPhase
gvt_demo_guest_get_phase (GvtDemoGuest *self)
{
  g_return_val_if_fail (self != NULL, GVT_DEMO_PHASE_FIRMWARE);
  return self->phase;
}

const char *
gvt_demo_phase_to_string (GvtDemoPhase phase)
{
  switch (phase)
    {
    case GVT_DEMO_PHASE_FIRMWARE:
      return "firmware";
    case GVT_DEMO_PHASE_DESKTOP:
      return "desktop";
    }
  return "unknown";
}

gboolean
gvt_demo_guest_get_mode (GvtDemoGuest *self, guint32 *width, guint32 *height)
{
  g_return_val_if_fail (self != NULL, FALSE);
  if (width != NULL)
    *width = self->width;
  if (height != NULL)
    *height = self->height;
  return self->phase == GVT_DEMO_PHASE_DESKTOP;
}

gint64
gvt_demo_guest_get_frame (GvtDemoGuest *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return self->frame;
}

guint64
gvt_demo_guest_get_frames_painted (GvtDemoGuest *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->frames_painted;
}

gboolean
gvt_demo_guest_get_window (GvtDemoGuest *self, guint index, GvtDemoWindow *out)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (index < GVT_DEMO_N_WINDOWS, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  if (self->frame < 0)
    return FALSE;
  *out = self->windows[index];
  return TRUE;
}

/* --- the still test pattern --- */

void
gvt_demo_paint_test_pattern (guint8 *pixels, guint32 width, guint32 height, guint32 stride)
{
  static const guint32 bars[8] = {
    0x00c0c0c0u, 0x00c0c000u, 0x0000c0c0u, 0x0000c000u,
    0x00c000c0u, 0x00c00000u, 0x000000c0u, 0x00000000u,
  };
  const guint32 white = 0x00ffffffu;

  g_return_if_fail (pixels != NULL || width == 0 || height == 0);
  g_return_if_fail (stride % 4 == 0 && stride / 4 >= width);
  g_return_if_fail (((guintptr) pixels & 3) == 0);
  if (width == 0 || height == 0)
    return;

  Canvas c = { .pixels = pixels, .stride = stride, .width = (gint) width, .height = (gint) height };
  g_return_if_fail (c.width > 0 && c.height > 0);

  /* Build one row and copy it down: the bars are the same on every row. */
  guint32 *first = canvas_row (&c, 0);
  for (guint i = 0; i < 8; i++)
    {
      guint32 x0 = (guint32) ((guint64) i * width / 8);
      guint32 x1 = (guint32) ((guint64) (i + 1) * width / 8);
      fill_span (first + x0, (gint) (x1 - x0), bars[i]);
    }
  for (gint y = 1; y < c.height; y++)
    memcpy (canvas_row (&c, y), first, (gsize) width * 4);

  fill_rect (&c, 0, 0, width, 1, white);
  fill_rect (&c, 0, (gint64) height - 1, width, 1, white);
  fill_rect (&c, 0, 0, 1, height, white);
  fill_rect (&c, (gint64) width - 1, 0, 1, height, white);

  for (guint32 y = 0; y < height; y++)
    {
      guint32 x = height > 1 ? (guint32) ((guint64) y * (width - 1) / (height - 1)) : 0;
      canvas_row (&c, (gint) y)[x] = GUINT32_TO_LE (white);
    }
}
