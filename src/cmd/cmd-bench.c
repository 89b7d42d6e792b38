/* gvt-view bench: what the renderer costs, measured against what it can't
 * beat (a bare GL draw, memcpy), in one run. Numbers, not a pass/fail.
 * Each cost is measured in pairs with its baseline, one right after the
 * other, and reported as the median of the per-pair ratios with their
 * spread: on a shared machine, load from elsewhere hits both halves of a
 * pair alike, so it widens the spread instead of moving the ratio.
 *
 * SIGINT or SIGTERM, once the first line is out, stops it between two
 * pairs: the measurement under way is reported over the pairs done, the
 * rest are "not measured", GL and the device are released, and the status
 * is 130 (SIGINT) or 143 (SIGTERM). Before that (opening the device, the
 * first plane, EGL) they kill it as usual: nothing has been measured. */
#include <signal.h>
#include <string.h>
#include <time.h>
#include <epoxy/gl.h>

#include "cmd.h"
#include "bench-stats.h"
#include "display/device.h"
#include "cmd-render.h"
#include "common/gvt-error.h"
#include "common/size.h"
#include "common/format.h"
#include "display/scanout.h"
#include "render/compositor.h"
#include "render/egl.h"
#include "render/gl-format.h"
#include "render/offscreen.h"
#include "vgpu/render-node.h"
#include "render/snapshot.h"
#include "render/texture-cache.h"
#include "sim/vgpu-sim.h"

#define DEFAULT_FRAMES 300
#define MAX_FRAMES 100000
#define WARMUP_FRAMES 5
/* Polls between two looks for a signal: a poll on the sim is ~0.1 us. */
#define POLLS_PER_CHECK 1024

typedef struct {
  GvtEgl *egl;
  GvtCompositor *compositor;
  GvtOffscreen *target;
  GvtPlane *primary;
  guint out_w, out_h;
  guint frames;
  GvtCmdInterrupt *interrupt;
  int signum;  /* the signal that stopped the run, or 0 */
} Bench;

/* TRUE once SIGINT or SIGTERM has arrived: stop before the next pair. */
static gboolean
interrupted (Bench *b)
{
  if (b->signum == 0)
    b->signum = gvt_cmd_interrupt_check (b->interrupt);
  return b->signum != 0;
}

static void
print_not_measured (FILE *out, const char *label, Bench *b)
{
  fprintf (out, "%-13s not measured: interrupted by %s\n", label,
           gvt_cmd_interrupt_name (b->signum));
}

/* The monotonic clock in nanoseconds: a memcpy of a small plane is over
 * within g_get_monotonic_time's microsecond. */
static gint64
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* At least a nanosecond, so that every pair has a ratio. */
static double
elapsed_s (gint64 start_ns, gint64 end_ns)
{
  return (double) MAX (end_ns - start_ns, 1) / 1e9;
}

static void
print_pairs (FILE *out, const GvtBenchSummary *s, const char *goal)
{
  fprintf (out, "ratio median %.2f, spread %.2f-%.2f over %u pairs (goal %s)\n",
           s->ratio_median, s->ratio_min, s->ratio_max, s->n, goal);
}

/* The viewer's frame (cache lookup, importing or uploading when due, and
 * the full compositor draw) against a bare draw of the same texture (clear
 * and one quad), each finished, in pairs: a viewer frame, then a bare draw
 * of the texture it just showed. */
static gboolean
time_frames (Bench *b, GvtTextureCache *cache, GvtBenchSummary *summary,
             GvtTextureStats *steady, gboolean *imported, GError **error)
{
  GvtTexture *tex = NULL;

  memset (summary, 0, sizeof *summary);
  memset (steady, 0, sizeof *steady);
  for (guint i = 0; i < WARMUP_FRAMES; i++)
    {
      if (interrupted (b))
        return TRUE;
      gvt_texture_cache_begin_frame (cache);
      if (!gvt_compositor_draw (b->compositor, cache, b->primary, NULL, b->out_w, b->out_h,
                                NULL, error))
        return FALSE;
      tex = gvt_texture_cache_get (cache, b->primary, error);
      if (tex == NULL)
        return FALSE;
      gvt_compositor_draw_bare (b->compositor, tex, b->out_w, b->out_h);
      glFinish ();
    }
  *imported = tex->imported;

  g_autoptr (GvtBenchPairs) pairs = gvt_bench_pairs_new ();
  GvtTextureStats before, after;
  gvt_texture_cache_get_stats (cache, &before);
  for (guint i = 0; i < b->frames && !interrupted (b); i++)
    {
      gint64 t0 = now_ns ();
      gvt_texture_cache_begin_frame (cache);
      if (!gvt_compositor_draw (b->compositor, cache, b->primary, NULL, b->out_w, b->out_h,
                                NULL, error))
        return FALSE;
      glFinish ();
      gint64 t1 = now_ns ();
      /* This frame's texture, already imported or uploaded: a lookup,
       * outside both timings. */
      tex = gvt_texture_cache_get (cache, b->primary, error);
      if (tex == NULL)
        return FALSE;
      gint64 t2 = now_ns ();
      gvt_compositor_draw_bare (b->compositor, tex, b->out_w, b->out_h);
      glFinish ();
      gint64 t3 = now_ns ();
      gvt_bench_pairs_add (pairs, elapsed_s (t0, t1), elapsed_s (t2, t3));
    }
  gvt_texture_cache_get_stats (cache, &after);
  steady->total_imports = after.total_imports - before.total_imports;
  steady->total_uploads = after.total_uploads - before.total_uploads;
  steady->total_bytes_uploaded = after.total_bytes_uploaded - before.total_bytes_uploaded;
  gvt_bench_pairs_summarize (pairs, summary);
  return TRUE;
}

/* The upload path (import off) against memcpy of the same rows into memory
 * of the same size, in pairs: an upload frame, finished, then one copy. */
static void
report_upload (Bench *b, FILE *out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtTextureCache) cache = gvt_texture_cache_new (b->egl, 2);
  const GvtGlFormat *format = gvt_gl_format_lookup (gvt_plane_get_fourcc (b->primary));
  GvtBuffer *buffer = gvt_plane_get_buffer (b->primary);
  guint w = gvt_plane_get_width (b->primary), h = gvt_plane_get_height (b->primary);
  guint stride = gvt_plane_get_stride (b->primary);

  if (interrupted (b))
    {
      print_not_measured (out, "upload path:", b);
      return;
    }
  gvt_texture_cache_set_import (cache, FALSE);
  const guint8 *src = gvt_buffer_map (buffer, &error);
  if (src == NULL || format == NULL)
    {
      fprintf (out, "upload path:  not measured: %s\n",
               error ? error->message : "unsupported format");
      return;
    }

  gsize row = (gsize) w * format->cpp;
  g_autofree guint8 *dst = g_malloc (row * h);
  /* Uploaded dma-bufs are live (the guest may write in place), so each
   * frame uploads again: exactly the cost being measured. */
  for (guint i = 0; i < WARMUP_FRAMES; i++)
    {
      if (interrupted (b))
        {
          print_not_measured (out, "upload path:", b);
          return;
        }
      gvt_texture_cache_begin_frame (cache);
      if (gvt_texture_cache_get (cache, b->primary, &error) == NULL)
        {
          fprintf (out, "upload path:  not measured: %s\n", error->message);
          return;
        }
      glFinish ();
      for (guint y = 0; y < h; y++)
        memcpy (dst + y * row, src + (gsize) y * stride, row);
    }

  g_autoptr (GvtBenchPairs) pairs = gvt_bench_pairs_new ();
  for (guint i = 0; i < b->frames && !interrupted (b); i++)
    {
      gint64 t0 = now_ns ();
      gvt_texture_cache_begin_frame (cache);
      if (gvt_texture_cache_get (cache, b->primary, &error) == NULL)
        {
          fprintf (out, "upload path:  not measured: %s\n", error->message);
          return;
        }
      glFinish ();
      gint64 t1 = now_ns ();
      for (guint y = 0; y < h; y++)
        memcpy (dst + y * row, src + (gsize) y * stride, row);
      gint64 t2 = now_ns ();

      GvtTextureStats stats;
      gvt_texture_cache_get_stats (cache, &stats);
      if (stats.bytes_uploaded == 0)
        {
          fprintf (out, "upload path:  not measured: the cache uploaded nothing\n");
          return;
        }
      gvt_bench_pairs_add (pairs, (double) stats.bytes_uploaded / elapsed_s (t0, t1) / 1e9,
                           (double) (row * h) / elapsed_s (t1, t2) / 1e9);
    }
  /* Keep the copies observable. */
  volatile guint8 sink = dst[(row * h) / 2];
  (void) sink;

  GvtBenchSummary s;
  if (!gvt_bench_pairs_summarize (pairs, &s))
    {
      print_not_measured (out, "upload path:", b);
      return;
    }
  g_autofree char *frame_size = g_format_size (row * h);
  fprintf (out, "upload path:  %s per frame; upload %.2f GB/s, memcpy %.2f GB/s (medians); ",
           frame_size, s.a_median, s.b_median);
  print_pairs (out, &s, ">= 0.70");
}

static void
report_poll (Bench *b, GvtScanout *scanout, GvtVgpu *vgpu, FILE *out)
{
  GvtScanoutStats before, after;
  guint want = MAX (b->frames, 1000), n = 0;

  if (interrupted (b))
    {
      print_not_measured (out, "poll:", b);
      return;
    }
  gvt_scanout_get_stats (scanout, &before);
  gint64 start = now_ns ();
  /* Asking for a signal costs more than a sim poll: only every
   * POLLS_PER_CHECK polls, which adds about 1 % to the figure. */
  while (n < want && (n % POLLS_PER_CHECK != 0 || !interrupted (b)))
    {
      gvt_scanout_poll (scanout);
      n++;
    }
  double t = elapsed_s (start, now_ns ());
  gvt_scanout_get_stats (scanout, &after);
  fprintf (out, "poll:         %.2f us per tick on the %s backend (%.1f queries, %.2f dma-buf gets per tick",
           t / n * 1e6, gvt_vgpu_get_sim (vgpu) ? "sim" : gvt_vgpu_get_name (vgpu),
           (double) (after.queries - before.queries) / n,
           (double) (after.dmabuf_gets - before.dmabuf_gets) / n);
  if (n < want)
    fprintf (out, "; over %u of %u ticks", n, want);
  fprintf (out, ")\n");
}

/* Gives the simulated guest a picture (the numbers don't depend on it,
 * but a black frame would hide a broken draw from anyone looking). */
static void
paint_sim (GvtVgpu *vgpu, GvtPlane *primary)
{
  GvtSim *sim = gvt_vgpu_get_sim (vgpu);
  guint8 *pixels = sim ? gvt_sim_get_pixels (sim, FALSE) : NULL;
  if (pixels == NULL || gvt_plane_get_fourcc (primary) != GVT_FORMAT_XRGB8888)
    return;
  guint w = gvt_plane_get_width (primary), h = gvt_plane_get_height (primary);
  guint32 stride = gvt_sim_get_stride (sim);
  for (guint y = 0; y < h; y++)
    {
      guint32 *row = (guint32 *) (pixels + (gsize) y * stride);
      for (guint x = 0; x < w; x++)
        row[x] = ((x * 255 / w) << 16) | ((y * 255 / h) << 8) | 0x80;
    }
}

/* The frame-time measurement and what follows from it: the dma-buf path's
 * steady state, per frame of the pairs done. */
static void
report_frames (Bench *b, const GvtBenchSummary *frame, const GvtTextureStats *steady,
               gboolean imported, FILE *out)
{
  if (frame->n == 0)
    {
      print_not_measured (out, "frame time:", b);
      print_not_measured (out, "dma-buf path:", b);
      return;
    }
  fprintf (out, "frame time:   viewer %.2f ms, bare GL draw %.2f ms (medians); ",
           frame->a_median * 1e3, frame->b_median * 1e3);
  print_pairs (out, frame, "<= 1.10");
  if (imported)
    fprintf (out, "dma-buf path: imported; steady state %.2f imports and %.0f bytes copied "
             "per frame (goal 0 and 0)\n",
             (double) steady->total_imports / frame->n,
             (double) steady->total_bytes_uploaded / frame->n);
  else
    {
      g_autoptr (GError) why = NULL;
      if (gvt_buffer_get_fd (gvt_plane_get_buffer (b->primary)) < 0)
        fprintf (out, "dma-buf path: not measured: the device shows region planes\n");
      else if (!gvt_egl_check_importable (b->egl, gvt_plane_get_fourcc (b->primary),
                                          gvt_plane_get_modifier (b->primary), &why))
        fprintf (out, "dma-buf path: not measured: %s; the upload fallback copies %.0f "
                 "bytes per frame\n", why->message,
                 (double) steady->total_bytes_uploaded / frame->n);
      else
        fprintf (out, "dma-buf path: import failed, uploading %.0f bytes per frame\n",
                 (double) steady->total_bytes_uploaded / frame->n);
    }
}

static int
run (GvtVgpu *vgpu, guint out_w, guint out_h, guint frames, const char *render_node,
     FILE *out, FILE *err)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtScanout) scanout = gvt_scanout_new (vgpu, &error);
  if (scanout == NULL
      || !gvt_snapshot_wait_for_plane (scanout, vgpu, GVT_SNAPSHOT_DEFAULT_WAIT, &error))
    return gvt_cmd_fail (err, error);

  Bench b = { .frames = frames };
  b.primary = gvt_scanout_get_primary (scanout);
  paint_sim (vgpu, b.primary);
  b.out_w = out_w ? out_w : gvt_plane_get_width (b.primary);
  b.out_h = out_h ? out_h : gvt_plane_get_height (b.primary);

  g_autoptr (GvtEgl) egl = gvt_egl_new_headless (render_node, &error);
  if (egl == NULL)
    return gvt_cmd_fail (err, error);
  b.egl = egl;

  /* Caught from the first line on: from here a stop is worth reporting.
   * Freed first (declared last), so a second Ctrl+C during the cleanup
   * kills as usual. */
  g_autoptr (GvtCmdInterrupt) interrupt = gvt_cmd_interrupt_new ();
  b.interrupt = interrupt;

  char fcc[5];
  fprintf (out, "gvt-view bench: %s, %ux%u %s -> %ux%u offscreen, %u pairs per measurement\n",
           gvt_vgpu_get_name (vgpu), gvt_plane_get_width (b.primary),
           gvt_plane_get_height (b.primary),
           gvt_fourcc_to_string (gvt_plane_get_fourcc (b.primary), fcc), b.out_w, b.out_h,
           frames);
  fprintf (out, "EGL:          %s\n", gvt_egl_describe (egl));
  /* The rest takes a while: whoever reads a pipe sees that it started. */
  fflush (out);

  {
    g_autoptr (GvtOffscreen) target = gvt_offscreen_new (b.out_w, b.out_h, &error);
    if (target == NULL)
      return gvt_cmd_fail (err, error);
    g_autoptr (GvtCompositor) compositor = gvt_compositor_new (egl, &error);
    if (compositor == NULL)
      return gvt_cmd_fail (err, error);
    g_autoptr (GvtTextureCache) cache = gvt_texture_cache_new (egl, GVT_TEXTURE_CACHE_DEFAULT_CAPACITY);
    b.compositor = compositor;
    b.target = target;
    gvt_offscreen_bind (target);

    GvtTextureStats steady;
    GvtBenchSummary frame;
    gboolean imported = FALSE;
    if (!time_frames (&b, cache, &frame, &steady, &imported, &error))
      return gvt_cmd_fail (err, error);
    report_frames (&b, &frame, &steady, imported, out);
    report_upload (&b, out);
    report_poll (&b, scanout, vgpu, out);
  }
  if (b.signum != 0)
    {
      /* Stopped between two pairs; GL and the device go with this scope. */
      fprintf (out, "interrupted:  by %s; the figures above are over the pairs done before it\n",
               gvt_cmd_interrupt_name (b.signum));
      return GVT_CMD_SIGNAL_STATUS (b.signum);
    }
  return 0;
}

int
gvt_cmd_bench (int argc, char **argv, FILE *out, FILE *err)
{
  g_autofree char *size = NULL;
  g_autofree char *render_node = NULL;
  g_autofree char *frames_text = NULL;
  g_autofree char *fd_text = NULL;
  int frames = DEFAULT_FRAMES;
  int fd = -1;
  const GOptionEntry entries[] = {
    { "size", 0, 0, G_OPTION_ARG_STRING, &size,
      "The simulated guest's mode (default 1920x1080); the output size for real devices", "WxH" },
    { "frames", 0, 0, G_OPTION_ARG_STRING, &frames_text,
      "Pairs (frame and baseline) per measurement, 1 to 100000 (default 300)", "N" },
    GVT_CMD_FD_ENTRY (&fd_text),
    { "render-node", 0, 0, G_OPTION_ARG_FILENAME, &render_node,
      "Render on this DRM node (default: the vGPU's parent GPU)", "PATH" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("[DEVICE] — renderer costs (default DEVICE: sim)");
  g_autoptr (GError) error = NULL;
  guint w = 0, h = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return gvt_cmd_fail (err, error);
  if (argc > 2)
    g_set_error (&error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                 "bench takes at most one DEVICE, got %d arguments", argc - 1);
  else if (gvt_cmd_parse_count ("--frames", frames_text, 1, MAX_FRAMES, &frames, &error)
           && gvt_cmd_parse_fd (fd_text, &fd, &error) && size != NULL)
    gvt_size_parse_arg ("--size", size, &w, &h, &error);
  if (error != NULL)
    return gvt_cmd_fail (err, error);

  const char *device = argc > 1 ? argv[1] : (fd >= 0 ? NULL : "sim");
  g_autofree char *sim_spec = NULL;
  guint out_w = w, out_h = h;
  if (device != NULL && strcmp (device, "sim") == 0)
    {
      /* The simulated guest runs the asked mode, drawn 1:1. */
      sim_spec = g_strdup_printf ("sim:%ux%u", w ? w : 1920, h ? h : 1080);
      device = sim_spec;
      out_w = out_h = 0;
    }
  g_autoptr (GvtVgpu) vgpu = gvt_device_open (device, fd, &error);
  if (vgpu == NULL)
    return gvt_cmd_fail (err, error);
  g_autofree char *parent_node = render_node ? NULL : gvt_render_node_for_device ("/", device);
  return run (vgpu, out_w, out_h, (guint) frames, render_node ? render_node : parent_node,
              out, err);
}
