/* gvt-view demo: the built-in simulated vGPU playing a guest, so that
 * gvt-view can be seen working on any machine. */
#include <string.h>

#include "cmd.h"
#include "cmd-render.h"
#include "common/gvt-error.h"
#include "common/output-file.h"
#include "render/png-file.h"
#include "render/snapshot.h"
#include "sim/demo-guest.h"

int
gvt_cmd_demo (int argc, char **argv, FILE *out, FILE *err)
{
  g_autofree char *snapshot = NULL;
  g_autofree char *size = NULL;
  g_autofree char *scale = NULL;
  double at = 5.0;
  g_autofree char *at_text = NULL;
  gboolean in_place = FALSE;
  const GOptionEntry entries[] = {
    { "snapshot", 0, 0, G_OPTION_ARG_FILENAME, &snapshot,
      "Render one frame headless to FILE.png (- for stdout) instead of opening a window",
      "FILE" },
    { "at", 0, 0, G_OPTION_ARG_STRING, &at_text,
      "With --snapshot: the guest's time in SECONDS (default 5; 0-3 is the firmware phase)",
      "SECONDS" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, "Output size (default: the guest's)", "WxH" },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &scale, "fit (default), fill, integer or native", "MODE" },
    { "in-place", 0, 0, G_OPTION_ARG_NONE, &in_place,
      "The guest paints into the buffer on screen, no page flips (one dmabuf id per mode)",
      NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("— a simulated vGPU playing a guest");
  g_autoptr (GError) error = NULL;
  GvtSnapshotOptions opts = { .filter = GVT_FILTER_AUTO };
  GvtCmdPicture picture;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx,
    "The guest shows 3 s of firmware (no plane), then an animated desktop with a\n"
    "cursor, page flips and a mode change every 20 s. With --in-place it paints the\n"
    "same pictures into the buffer on screen instead, as a text console does.");
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return gvt_cmd_fail (err, error);
  if (argc > 1)
    g_set_error (&error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                 "demo takes no DEVICE (it is its own); got '%s'", argv[1]);
  if (error != NULL || !gvt_cmd_parse_seconds ("--at", at_text, 86400, &at, &error)
      || !gvt_cmd_parse_picture (size, scale, NULL, &picture, &error))
    return gvt_cmd_fail (err, error);
  opts.width = picture.width;
  opts.height = picture.height;
  opts.mode = picture.mode;
  /* The window is `gvt-view demo` (cmd-view.c); here, headless only. */
  if (snapshot == NULL)
    snapshot = g_strdup (GVT_DEMO_FALLBACK_PNG);
  /* A bad --snapshot fails before the renderer starts. SIGINT and SIGTERM
   * keep their default action: the commit leaves no temporary either way. */
  g_autoptr (GvtOutputFile) file = gvt_output_file_new (snapshot, GVT_OUTPUT_FILE_DEFAULT, &error);
  if (file == NULL)
    return gvt_cmd_fail (err, error);

  g_autoptr (GvtVgpu) vgpu = gvt_sim_new (GVT_SIM_DMABUF, GVT_SIM_QUIRK_NONE, 3840, 2160);
  GvtDemoConfig config;
  gvt_demo_config_init (&config);
  config.in_place = in_place;
  g_autoptr (GvtDemoGuest) guest = gvt_demo_guest_new (gvt_vgpu_get_sim (vgpu), &config);
  gvt_demo_guest_step (guest, (gint64) (at * G_USEC_PER_SEC));

  /* In the firmware phase there is no plane: say so rather than wait. */
  if (gvt_demo_guest_get_phase (guest) == GVT_DEMO_PHASE_FIRMWARE)
    {
      g_set_error (&error, GVT_ERROR, GVT_ERROR_NO_DISPLAY,
                   "at %g s the demo guest is still in its firmware phase (no display "
                   "plane yet): pick --at 3 or later", at);
      return gvt_cmd_fail (err, error);
    }

  opts.wait_seconds = 0;
  g_autoptr (GvtSnapshot) shot = gvt_snapshot_take (vgpu, &opts, &error);
  if (shot == NULL)
    return gvt_cmd_fail (err, error);
  g_autoptr (GBytes) png = gvt_png_encode_rgba (shot->rgba, shot->width, shot->height,
                                                (gsize) shot->width * 4, &error);
  gsize len = 0;
  const void *data = png ? g_bytes_get_data (png, &len) : NULL;
  if (png == NULL || !gvt_output_file_commit (file, data, len, &error))
    return gvt_cmd_fail (err, error);

  /* With --snapshot - the PNG is on stdout: the words go to stderr. */
  fprintf (gvt_output_file_is_stdout (file) ? err : out,
           "demo at %g s: %ux%u desktop (%s%s%s) -> %s, %ux%u\n", at,
           shot->src_width, shot->src_height, shot->imported ? "imported" : "uploaded",
           in_place ? ", painted in place" : "", shot->has_cursor ? ", with cursor" : "",
           strcmp (snapshot, "-") == 0 ? "stdout" : snapshot, shot->width, shot->height);
  return 0;
}
