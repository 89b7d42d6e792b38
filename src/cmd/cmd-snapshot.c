/* gvt-view snapshot: one frame of a vGPU's display, offscreen, as PNG. */
#include "cmd.h"
#include "display/device.h"
#include "cmd-render.h"
#include "common/gvt-error.h"
#include "common/format.h"
#include "render/png-file.h"
#include "vgpu/render-node.h"
#include "render/snapshot.h"

int
gvt_cmd_snapshot (int argc, char **argv, FILE *out, FILE *err)
{
  g_autofree char *output = NULL;
  g_autofree char *size = NULL;
  g_autofree char *scale = NULL;
  g_autofree char *filter = NULL;
  g_autofree char *render_node = NULL;
  double wait = GVT_SNAPSHOT_DEFAULT_WAIT;
  int fd = -1;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the PNG to FILE (required)", "FILE" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, "Output size (default: the guest's)", "WxH" },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &scale, "fit (default), fill, integer or native", "MODE" },
    { "filter", 0, 0, G_OPTION_ARG_STRING, &filter, "auto (default), linear or nearest", "F" },
    { "wait", 0, 0, G_OPTION_ARG_DOUBLE, &wait, "Wait up to SECONDS for a picture (default 2)", "SECONDS" },
    { "fd", 0, 0, G_OPTION_ARG_INT, &fd, "Use the inherited VFIO device fd N", "N" },
    { "render-node", 0, 0, G_OPTION_ARG_FILENAME, &render_node,
      "Render on this DRM node (default: the vGPU's parent GPU)", "PATH" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("DEVICE -o FILE.png — one frame, headless");
  g_autoptr (GError) error = NULL;
  GvtSnapshotOptions opts = { 0 };
  GvtCmdPicture picture;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!gvt_cmd_parse_device_args (ctx, &argc, &argv, &error))
    return gvt_cmd_fail (err, error);
  if (output == NULL)
    g_set_error (&error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                 "where to? give the PNG file with -o FILE.png");
  else if (!(wait >= 0 && wait <= 3600))
    g_set_error (&error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                 "--wait %g: use 0 to 3600 seconds", wait);
  if (error != NULL || !gvt_cmd_parse_picture (size, scale, filter, &picture, &error))
    return gvt_cmd_fail (err, error);

  opts.width = picture.width;
  opts.height = picture.height;
  opts.mode = picture.mode;
  opts.filter = picture.filter;

  const char *device = argc > 1 ? argv[1] : NULL;
  g_autoptr (GvtVgpu) vgpu = gvt_device_open (device, fd, &error);
  if (vgpu == NULL)
    return gvt_cmd_fail (err, error);

  /* GVT-g dma-bufs import only on the GPU that made them. */
  g_autofree char *parent_node = render_node ? NULL : gvt_render_node_for_device ("/", device);
  opts.render_node = render_node ? render_node : parent_node;
  opts.wait_seconds = wait;

  g_autoptr (GvtSnapshot) shot = gvt_snapshot_take (vgpu, &opts, &error);
  if (shot == NULL)
    return gvt_cmd_fail (err, error);
  if (!gvt_png_write_rgba (output, shot->rgba, shot->width, shot->height,
                           (gsize) shot->width * 4, &error))
    return gvt_cmd_fail (err, error);

  char fcc[5];
  fprintf (out, "%s: %ux%u %s (%s%s) -> %s, %ux%u\n", gvt_vgpu_get_name (vgpu),
           shot->src_width, shot->src_height, gvt_fourcc_to_string (shot->fourcc, fcc),
           shot->imported ? "imported" : "uploaded", shot->has_cursor ? ", with cursor" : "",
           output, shot->width, shot->height);
  return 0;
}
