/* gvt-view probe: what a device offers right now, for people and scripts.
 *
 * JSON (a documented interface; see README.md):
 *   { "device":  { "name", "flags", "num_regions", "num_irqs" },
 *     "display": { "dmabuf": bool, "region": bool },
 *     "state":   "live" | "no-signal" | "invalid" | "lost",
 *     "reason":  null | "why there is no picture",
 *     "primary": null | PLANE, "cursor": null | PLANE,
 *     "edid":    null | { "max_xres", "max_yres" } }
 *   PLANE = { "fourcc": "XR24", "drm_format", "modifier", "width", "height",
 *             "stride", "size", "x", "y", "hot_x", "hot_y",
 *             "dmabuf_id" | "region_index" }   (hot_x/hot_y null = unknown;
 *             x/y signed, negative off the left/top edge)
 *
 * --watch SECONDS keeps polling at 60 Hz and prints a line per change
 * ("+1.234s primary ...", "cursor moved to X,Y", "device lost — ..."), then
 * the poll counters; with --json each change is one compact JSON document
 * per line. It ends early, with status 1, when the device is lost; SIGINT
 * (Ctrl+C, how a person ends a watch) ends it with the summary and status
 * 0, SIGTERM (someone else stopping it) with the summary and status 143.
 */
#include <signal.h>
#include <json-glib/json-glib.h>

#include "cmd.h"
#include "display/device.h"
#include "common/gvt-error.h"
#include "common/format.h"
#include "display/scanout.h"
#include "vgpu/edid.h"

/* mbochs answers ENOMEM once after a mode change; a few ticks apart is
 * what a display would see, so that is what probe waits for. */
#define PROBE_TRIES 5
#define PROBE_TRY_INTERVAL_US (20 * 1000)
/* A day; a longer soak runs it again. */
#define WATCH_MAX_SECONDS 86400

static const char *
state_name (GvtSourceState state)
{
  switch (state)
    {
    case GVT_SOURCE_STATE_LIVE:      return "live";
    case GVT_SOURCE_STATE_NO_SIGNAL: return "no-signal";
    case GVT_SOURCE_STATE_INVALID:   return "invalid";
    case GVT_SOURCE_STATE_LOST:      return "lost";
    default:                          g_assert_not_reached ();
    }
}

static void
add_hotspot (JsonBuilder *b, const char *name, guint32 value)
{
  json_builder_set_member_name (b, name);
  if (value == GVT_HOTSPOT_UNKNOWN)
    json_builder_add_null_value (b);
  else
    json_builder_add_int_value (b, value);
}

static void
add_plane_json (JsonBuilder *b, const char *name, GvtPlane *plane)
{
  char fcc[5], format_name[GVT_FORMAT_NAME_MAX], modifier_name[GVT_MODIFIER_NAME_MAX];

  json_builder_set_member_name (b, name);
  if (plane == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "fourcc");
  json_builder_add_string_value (b, gvt_fourcc_to_string (gvt_plane_get_fourcc (plane), fcc));
  json_builder_set_member_name (b, "drm_format");
  json_builder_add_int_value (b, gvt_plane_get_fourcc (plane));
  json_builder_set_member_name (b, "modifier");
  /* JSON numbers are doubles to many readers; modifiers fit in 56 bits. */
  json_builder_add_int_value (b, (gint64) gvt_plane_get_modifier (plane));
  /* libdrm's names, for people: the two above are the keys. */
  json_builder_set_member_name (b, "format_name");
  json_builder_add_string_value (b, gvt_format_to_string (gvt_plane_get_fourcc (plane),
                                                          format_name));
  json_builder_set_member_name (b, "modifier_name");
  json_builder_add_string_value (b, gvt_modifier_to_string (gvt_plane_get_modifier (plane),
                                                            modifier_name));
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, gvt_plane_get_width (plane));
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, gvt_plane_get_height (plane));
  json_builder_set_member_name (b, "stride");
  json_builder_add_int_value (b, gvt_plane_get_stride (plane));
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, gvt_plane_get_size (plane));
  json_builder_set_member_name (b, "x");
  json_builder_add_int_value (b, gvt_plane_get_x (plane));
  json_builder_set_member_name (b, "y");
  json_builder_add_int_value (b, gvt_plane_get_y (plane));
  add_hotspot (b, "hot_x", gvt_plane_get_hot_x (plane));
  add_hotspot (b, "hot_y", gvt_plane_get_hot_y (plane));
  if (gvt_plane_get_source (plane) == GVT_PLANE_SOURCE_REGION)
    {
      json_builder_set_member_name (b, "region_index");
      json_builder_add_int_value (b, gvt_plane_get_region_index (plane));
    }
  else
    {
      json_builder_set_member_name (b, "dmabuf_id");
      json_builder_add_int_value (b, gvt_plane_get_dmabuf_id (plane));
    }
  json_builder_end_object (b);
}

static void
print_json (FILE *out, GvtVgpu *vgpu, const struct vfio_device_info *info,
            GvtScanout *scanout, GvtEdidRegion *edid, gboolean pretty)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "device");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, gvt_vgpu_get_name (vgpu));
  json_builder_set_member_name (b, "flags");
  json_builder_add_int_value (b, info->flags);
  json_builder_set_member_name (b, "num_regions");
  json_builder_add_int_value (b, info->num_regions);
  json_builder_set_member_name (b, "num_irqs");
  json_builder_add_int_value (b, info->num_irqs);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "display");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "dmabuf");
  json_builder_add_boolean_value (b, gvt_scanout_has_dmabuf (scanout));
  json_builder_set_member_name (b, "region");
  json_builder_add_boolean_value (b, gvt_scanout_has_region (scanout));
  json_builder_end_object (b);

  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, state_name (gvt_scanout_get_state (scanout)));
  json_builder_set_member_name (b, "reason");
  if (gvt_scanout_get_reason (scanout))
    json_builder_add_string_value (b, gvt_scanout_get_reason (scanout));
  else
    json_builder_add_null_value (b);

  add_plane_json (b, "primary", gvt_scanout_get_primary (scanout));
  add_plane_json (b, "cursor", gvt_scanout_get_cursor (scanout));

  json_builder_set_member_name (b, "edid");
  if (edid == NULL)
    json_builder_add_null_value (b);
  else
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "max_xres");
      json_builder_add_int_value (b, gvt_edid_region_get_max_xres (edid));
      json_builder_set_member_name (b, "max_yres");
      json_builder_add_int_value (b, gvt_edid_region_get_max_yres (edid));
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  gvt_cmd_print_json (out, b, pretty);
}

static void
print_plane_text (FILE *out, const char *label, GvtPlane *plane)
{
  char fcc[5], mod[GVT_MODIFIER_NAME_MAX];

  if (plane == NULL)
    {
      fprintf (out, "%-9s none\n", label);
      return;
    }
  fprintf (out, "%-9s %ux%u %s %s, stride %u, size %u", label,
           gvt_plane_get_width (plane), gvt_plane_get_height (plane),
           gvt_fourcc_to_string (gvt_plane_get_fourcc (plane), fcc),
           gvt_modifier_to_string (gvt_plane_get_modifier (plane), mod),
           gvt_plane_get_stride (plane), gvt_plane_get_size (plane));
  if (gvt_plane_get_source (plane) == GVT_PLANE_SOURCE_REGION)
    fprintf (out, ", region %u", gvt_plane_get_region_index (plane));
  else
    fprintf (out, ", dmabuf id %u", gvt_plane_get_dmabuf_id (plane));
  if (gvt_plane_get_kind (plane) == GVT_PLANE_CURSOR)
    {
      /* Signed: negative off the left/top edge (see gvt_plane_get_x). */
      fprintf (out, ", at %d,%d", gvt_plane_get_x (plane), gvt_plane_get_y (plane));
      if (gvt_plane_get_hot_x (plane) != GVT_HOTSPOT_UNKNOWN)
        fprintf (out, ", hotspot %u,%u", gvt_plane_get_hot_x (plane),
                 gvt_plane_get_hot_y (plane));
      else
        fprintf (out, ", hotspot unknown");
    }
  fputc ('\n', out);
}

static void
print_text (FILE *out, GvtVgpu *vgpu, const struct vfio_device_info *info,
            GvtScanout *scanout, GvtEdidRegion *edid)
{
  fprintf (out, "%-9s %s (%u regions, %u irqs%s)\n", "device:", gvt_vgpu_get_name (vgpu),
           info->num_regions, info->num_irqs,
           (info->flags & VFIO_DEVICE_FLAGS_PCI) ? ", PCI" : "");
  fprintf (out, "%-9s %s\n", "display:",
           gvt_scanout_has_dmabuf (scanout) ? "dma-buf planes" : "region planes");
  fprintf (out, "%-9s %s\n", "state:",
           gvt_scanout_get_reason (scanout) ? gvt_scanout_get_reason (scanout) : "live");
  print_plane_text (out, "primary:", gvt_scanout_get_primary (scanout));
  print_plane_text (out, "cursor:", gvt_scanout_get_cursor (scanout));
  if (edid)
    fprintf (out, "%-9s up to %ux%u\n", "edid:", gvt_edid_region_get_max_xres (edid),
             gvt_edid_region_get_max_yres (edid));
  else
    fprintf (out, "%-9s none (the guest resolution can't follow the window)\n", "edid:");
}

/* What a display would do, minus the display: poll at 60 Hz and say what
 * changed. Returns when @seconds pass, the device is lost or SIGINT or
 * SIGTERM arrives (then that signal, else 0); the summary either way. */
static int
watch_device (FILE *out, GvtVgpu *vgpu, const struct vfio_device_info *info,
              GvtScanout *scanout, GvtEdidRegion *edid, double seconds, gboolean json,
              GvtCmdInterrupt *interrupt)
{
  gint64 start = g_get_monotonic_time ();
  gint64 end = start + (gint64) (seconds * G_USEC_PER_SEC);
  guint64 moves = 0;
  int signum = 0;

  while (g_get_monotonic_time () < end)
    {
      signum = gvt_cmd_interrupt_sleep_until (interrupt,
                                              g_get_monotonic_time () + G_USEC_PER_SEC / 60);
      if (signum != 0)
        break;
      GvtSourceChange change = gvt_scanout_poll (scanout);
      if (change == GVT_SOURCE_NOTHING)
        continue;
      if (change & GVT_SOURCE_CURSOR_MOVED)
        moves++;
      if (json)
        print_json (out, vgpu, info, scanout, edid, FALSE);
      else
        {
          double t = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
          if (change & GVT_SOURCE_LOST)
            fprintf (out, "+%.3fs %s\n", t, gvt_scanout_get_reason (scanout));
          if (change & GVT_SOURCE_PRIMARY_CHANGED)
            {
              fprintf (out, "+%.3fs ", t);
              if (gvt_scanout_get_primary (scanout))
                print_plane_text (out, "primary:", gvt_scanout_get_primary (scanout));
              else
                fprintf (out, "primary: none (%s)\n", gvt_scanout_get_reason (scanout));
            }
          if (change & GVT_SOURCE_CURSOR_IMAGE_CHANGED)
            {
              fprintf (out, "+%.3fs ", t);
              print_plane_text (out, "cursor:", gvt_scanout_get_cursor (scanout));
            }
        }
      fflush (out);
      if (change & GVT_SOURCE_LOST)
        break;
    }

  if (!json)
    {
      GvtScanoutStats stats;
      gvt_scanout_get_stats (scanout, &stats);
      fprintf (out, "watched %.1fs: %" G_GUINT64_FORMAT " polls, %" G_GUINT64_FORMAT
               " queries, %" G_GUINT64_FORMAT " dma-buf gets, %" G_GUINT64_FORMAT
               " retries, %" G_GUINT64_FORMAT " rejected, %" G_GUINT64_FORMAT
               " cursor moves, %u cached%s%s\n",
               (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC, stats.polls,
               stats.queries, stats.dmabuf_gets, stats.retries, stats.rejected, moves,
               stats.cached, signum ? "; stopped by " : "",
               signum ? gvt_cmd_interrupt_name (signum) : "");
      fflush (out);
    }
  return signum;
}

int
gvt_cmd_probe (int argc, char **argv, FILE *out, FILE *err)
{
  gboolean json = FALSE;
  g_autofree char *watch_text = NULL;
  g_autofree char *fd_text = NULL;
  double watch = 0;
  int fd = -1;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (see README: probe JSON)", NULL },
    GVT_CMD_FD_ENTRY (&fd_text),
    { "watch", 0, 0, G_OPTION_ARG_STRING, &watch_text,
      "Keep polling for SECONDS (up to 86400; Ctrl+C ends it) and print every change",
      "SECONDS" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("DEVICE — what a vGPU display offers now");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!gvt_cmd_parse_device_args (ctx, &argc, &argv, &error)
      || !gvt_cmd_parse_fd (fd_text, &fd, &error)
      || !gvt_cmd_parse_seconds ("--watch", watch_text, WATCH_MAX_SECONDS, &watch, &error))
    return gvt_cmd_fail (err, error);

  g_autoptr (GvtVgpu) vgpu = gvt_device_open (argc > 1 ? argv[1] : NULL, fd, &error);
  if (vgpu == NULL)
    return gvt_cmd_fail (err, error);

  struct vfio_device_info info = { .argsz = sizeof info };
  int ret = gvt_vgpu_get_device_info (vgpu, &info);
  if (ret < 0)
    {
      g_set_error (&error, GVT_ERROR, GVT_ERROR_FAILED,
                   "%s: VFIO_DEVICE_GET_INFO failed: %s", gvt_vgpu_get_name (vgpu),
                   g_strerror (-ret));
      return gvt_cmd_fail (err, error);
    }

  g_autoptr (GvtScanout) scanout = gvt_scanout_new (vgpu, &error);
  if (scanout == NULL)
    return gvt_cmd_fail (err, error);

  for (int i = 0; i < PROBE_TRIES; i++)
    {
      if (i > 0)
        g_usleep (PROBE_TRY_INTERVAL_US);
      gvt_scanout_poll (scanout);
      if (!gvt_scanout_is_retrying (scanout))
        break;
    }

  g_autoptr (GError) edid_error = NULL;
  g_autoptr (GvtEdidRegion) edid = gvt_edid_region_find (vgpu, &edid_error);
  if (edid == NULL && !g_error_matches (edid_error, GVT_ERROR, GVT_ERROR_UNSUPPORTED))
    g_message ("%s: EDID region unusable: %s", gvt_vgpu_get_name (vgpu), edid_error->message);

  /* Caught from the first line on, so that a Ctrl+C after it always gets
   * the summary; before, nothing blocks for long and nothing is owed. */
  g_autoptr (GvtCmdInterrupt) interrupt = watch > 0 ? gvt_cmd_interrupt_new () : NULL;
  if (json)
    print_json (out, vgpu, &info, scanout, edid, watch == 0);
  else
    print_text (out, vgpu, &info, scanout, edid);

  int signum = 0;
  if (watch > 0)
    {
      /* A pipe (| tee, a test) must see the state before the first change. */
      fflush (out);
      signum = watch_device (out, vgpu, &info, scanout, edid, watch, json, interrupt);
    }

  if (gvt_scanout_get_state (scanout) == GVT_SOURCE_STATE_LOST)
    return 1;
  /* Ctrl+C is how a person ends a watch: success. SIGTERM is someone else
   * stopping it early: the status a shell gives a process it killed. */
  return signum == SIGTERM ? GVT_CMD_SIGNAL_STATUS (SIGTERM) : 0;
}
