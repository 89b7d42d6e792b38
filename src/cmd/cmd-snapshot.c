/* gvt-view snapshot: one frame of a vGPU's display, offscreen, as PNG. */
#include <string.h>

#include "cmd.h"
#include "display/device.h"
#include "display/scanout.h"
#include "display/session.h"
#include "display/source-ramfb.h"
#include "display/source-scanout.h"
#include "cmd-render.h"
#include "common/gvt-error.h"
#include "common/format.h"
#include "common/output-file.h"
#include "render/png-file.h"
#include "vgpu/render-node.h"
#include "render/snapshot.h"

#define POLL_INTERVAL_US (20 * 1000)

/* gvt_cmd_fail(), or the status for the signal that stopped us (130 for
 * SIGINT, 143 for SIGTERM) once one has arrived. */
static int
fail (FILE *err, const GError *error, GvtCmdInterrupt *interrupt)
{
  int status = gvt_cmd_fail (err, error);
  int signum = interrupt ? gvt_cmd_interrupt_check (interrupt) : 0;
  return signum ? GVT_CMD_SIGNAL_STATUS (signum) : status;
}

/* gvt_snapshot_take() waits without looking at signals: wait here instead,
 * on a poller of our own, one poll at a time with a look for SIGINT and
 * SIGTERM in between; the engine's poller then finds the plane on its first
 * poll. The messages are the engine's. */
static gboolean
wait_for_frame (GvtVgpu *vgpu, double wait_seconds, GvtCmdInterrupt *interrupt,
                GError **error)
{
  g_autoptr (GvtScanout) scanout = gvt_scanout_new (vgpu, error);
  gint64 deadline = g_get_monotonic_time () + (gint64) (wait_seconds * G_USEC_PER_SEC);

  if (scanout == NULL)
    return FALSE;
  for (;;)
    {
      g_autoptr (GError) tick_error = NULL;
      int signum = gvt_cmd_interrupt_check (interrupt);
      if (signum != 0)
        {
          g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED,
                       "%s: interrupted while waiting for a frame (%s)",
                       gvt_vgpu_get_name (vgpu), gvt_cmd_interrupt_name (signum));
          return FALSE;
        }
      if (gvt_snapshot_wait_for_plane (scanout, vgpu, 0, &tick_error))
        return TRUE;
      if (!g_error_matches (tick_error, GVT_ERROR, GVT_ERROR_NO_DISPLAY))
        {
          g_propagate_error (error, g_steal_pointer (&tick_error));
          return FALSE;
        }
      if (g_get_monotonic_time () >= deadline)
        {
          const char *reason = gvt_scanout_get_reason (scanout);
          g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DISPLAY,
                       "%s: no picture after %.1f s: %s (wait longer with --wait SECONDS)",
                       gvt_vgpu_get_name (vgpu), wait_seconds,
                       reason ? reason : "the device shows no plane");
          return FALSE;
        }
      gvt_cmd_interrupt_sleep_until (interrupt, g_get_monotonic_time () + POLL_INTERVAL_US);
    }
}

static gboolean
on_wake (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the thread-default main context (the QEMU link's replies) for
 * @us, or less when a signal comes. */
static void
run_context_for (gint64 us, GvtCmdInterrupt *interrupt)
{
  gboolean woke = FALSE;
  GSource *timer = g_timeout_source_new ((guint) MAX (us / 1000, 1));

  g_source_set_callback (timer, on_wake, &woke, NULL);
  g_source_attach (timer, g_main_context_get_thread_default ());
  while (!woke && gvt_cmd_interrupt_check (interrupt) == 0)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  g_source_destroy (timer);
  g_source_unref (timer);
}

/* With --qmp: the session picks (the vGPU's plane first, the VM's ramfb
 * otherwise); waits for a settled picture of either. */
static gboolean
wait_for_session (GvtSession *session, double wait_seconds, GvtCmdInterrupt *interrupt,
                  GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (wait_seconds * G_USEC_PER_SEC);

  for (;;)
    {
      gvt_session_poll (session, g_get_monotonic_time ());
      GvtSource *shown = gvt_session_get_shown (session);
      GvtScanout *scanout = gvt_source_scanout_get_scanout (shown);
      if (gvt_session_get_state (session) == GVT_SOURCE_STATE_LIVE
          && (scanout == NULL || !gvt_scanout_is_retrying (scanout)))
        return TRUE;
      int signum = gvt_cmd_interrupt_check (interrupt);
      if (signum != 0)
        {
          g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED,
                       "%s: interrupted while waiting for a frame (%s)",
                       gvt_session_get_name (session), gvt_cmd_interrupt_name (signum));
          return FALSE;
        }
      GvtVmState vm = gvt_session_get_vm_state (session);
      gboolean refused = gvt_source_ramfb_is_refused (shown);
      gboolean late = g_get_monotonic_time () >= deadline;
      if (vm == GVT_VM_GONE || refused || late
          || gvt_session_get_state (session) == GVT_SOURCE_STATE_LOST)
        {
          const char *reason = gvt_session_get_reason (session);
          g_autofree char *after = late ? g_strdup_printf (" after %.1f s", wait_seconds) : NULL;
          g_set_error (error, GVT_ERROR, refused ? GVT_ERROR_QMP : GVT_ERROR_NO_DISPLAY,
                       "%s: no picture%s: %s%s", gvt_session_get_name (session),
                       vm == GVT_VM_GONE ? " (QEMU went away)" : after ? after : "",
                       reason ? reason : "nothing shows a picture",
                       late ? " (wait longer with --wait SECONDS)" : "");
          return FALSE;
        }
      run_context_for (POLL_INTERVAL_US, interrupt);
    }
}

/* The PNG of @shot into @file, and the line saying so. */
static int
write_png (GvtSnapshot *shot, const char *name, const char *output, GvtOutputFile *file,
           GvtCmdInterrupt **interrupt, FILE *out, FILE *err)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = gvt_png_encode_rgba (shot->rgba, shot->width, shot->height,
                                                (gsize) shot->width * 4, &error);
  if (png == NULL)
    return fail (err, error, *interrupt);
  int signum = gvt_cmd_interrupt_check (*interrupt);
  if (signum != 0)
    {
      g_set_error (&error, GVT_ERROR, GVT_ERROR_FAILED,
                   "%s: interrupted (%s) before the frame was written to %s",
                   name, gvt_cmd_interrupt_name (signum), output);
      return fail (err, error, *interrupt);
    }
  /* A FIFO or pipe may wait for its reader as long as it likes, beyond the
   * watcher's reach (GLib restarts the write): there a signal kills, which
   * leaves nothing behind. A file's commit is short and discards itself on
   * a signal. */
  if (gvt_output_file_may_block (file))
    g_clear_pointer (interrupt, gvt_cmd_interrupt_free);
  gsize len;
  const void *data = g_bytes_get_data (png, &len);
  if (!gvt_output_file_commit (file, data, len, &error))
    {
      int status = fail (err, error, *interrupt);
      signum = gvt_output_file_get_interrupt (file);
      return signum ? GVT_CMD_SIGNAL_STATUS (signum) : status;
    }

  /* With -o - the PNG is on stdout: the words go to stderr. */
  char fcc[5];
  fprintf (gvt_output_file_is_stdout (file) ? err : out, "%s: %ux%u %s (%s%s) -> %s, %ux%u\n",
           name, shot->src_width, shot->src_height,
           gvt_fourcc_to_string (shot->fourcc, fcc), shot->imported ? "imported" : "uploaded",
           shot->has_cursor ? ", with cursor" : "",
           strcmp (output, "-") == 0 ? "stdout" : output, shot->width, shot->height);
  return 0;
}

int
gvt_cmd_snapshot (int argc, char **argv, FILE *out, FILE *err)
{
  g_autofree char *output = NULL;
  g_autofree char *size = NULL;
  g_autofree char *scale = NULL;
  g_autofree char *filter = NULL;
  g_autofree char *render_node = NULL;
  double wait = GVT_SNAPSHOT_DEFAULT_WAIT;
  g_autofree char *wait_text = NULL;
  g_autofree char *fd_text = NULL;
  g_autofree char *qmp = NULL;
  g_autofree char *ramfb = NULL;
  int fd = -1;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      "Write the PNG to FILE (required; - for stdout)", "FILE" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, "Output size (default: the guest's)", "WxH" },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &scale, "fit (default), fill, integer or native", "MODE" },
    { "filter", 0, 0, G_OPTION_ARG_STRING, &filter, "auto (default), linear or nearest", "F" },
    { "wait", 0, 0, G_OPTION_ARG_STRING, &wait_text,
      "Wait up to SECONDS for a picture (default 2)", "SECONDS" },
    GVT_CMD_FD_ENTRY (&fd_text),
    GVT_CMD_QMP_ENTRIES (&qmp, &ramfb),
    { "render-node", 0, 0, G_OPTION_ARG_FILENAME, &render_node,
      "Render on this DRM node (default: the vGPU's parent GPU)", "PATH" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("[DEVICE] [--qmp PATH] -o FILE.png — one frame, headless");
  g_autoptr (GError) error = NULL;
  GvtSnapshotOptions opts = { 0 };
  GvtCmdPicture picture;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!gvt_cmd_parse_device_args (ctx, &argc, &argv, &error))
    return gvt_cmd_fail (err, error);
  if (output == NULL)
    g_set_error (&error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                 "where to? give the PNG file with -o FILE.png");
  if (error != NULL || !gvt_cmd_parse_fd (fd_text, &fd, &error)
      || !gvt_cmd_parse_seconds ("--wait", wait_text, 3600, &wait, &error)
      || !gvt_cmd_parse_picture (size, scale, filter, &picture, &error)
      || !gvt_cmd_check_qmp (qmp, ramfb, &error))
    return gvt_cmd_fail (err, error);

  /* A bad -o fails now, not after the wait for a frame. */
  g_autoptr (GvtOutputFile) file = gvt_output_file_new (output, GVT_OUTPUT_FILE_DEFAULT, &error);
  if (file == NULL)
    return gvt_cmd_fail (err, error);
  /* From here SIGINT and SIGTERM end the command in order (cmd.h): the
   * device closed, no temporary left, status 130 or 143. */
  g_autoptr (GvtCmdInterrupt) interrupt = gvt_cmd_interrupt_new ();

  opts.width = picture.width;
  opts.height = picture.height;
  opts.mode = picture.mode;
  opts.filter = picture.filter;

  const char *device = argc > 1 ? argv[1] : NULL;
  if (qmp != NULL)
    {
      GvtSessionConfig config = { .device = device, .fd = fd, .qmp = qmp, .ramfb = ramfb };
      g_autoptr (GvtSession) session = gvt_session_new_full (&config, &error);
      if (session == NULL || !wait_for_session (session, wait, interrupt, &error))
        return fail (err, error, interrupt);
      g_autofree char *parent = render_node || device == NULL
                                ? NULL : gvt_render_node_for_device ("/", device);
      opts.render_node = render_node ? render_node : parent;
      g_autoptr (GvtSnapshot) shot = gvt_snapshot_render (gvt_session_get_primary (session),
                                                          gvt_session_get_cursor (session),
                                                          &opts, &error);
      if (shot == NULL)
        return fail (err, error, interrupt);
      return write_png (shot, gvt_session_get_name (session), output, file, &interrupt, out, err);
    }
  g_autoptr (GvtVgpu) vgpu = gvt_device_open (device, fd, &error);
  if (vgpu == NULL)
    return fail (err, error, interrupt);

  /* GVT-g dma-bufs import only on the GPU that made them. */
  g_autofree char *parent_node = render_node ? NULL : gvt_render_node_for_device ("/", device);
  opts.render_node = render_node ? render_node : parent_node;
  gint64 start = g_get_monotonic_time ();
  if (!wait_for_frame (vgpu, wait, interrupt, &error))
    return fail (err, error, interrupt);
  /* The plane is there: the engine's poller needs a tick or two at most
   * (5 ticks to 1 s, from what is left of --wait). */
  opts.wait_seconds = CLAMP (wait - (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC,
                             0.1, 1.0);

  g_autoptr (GvtSnapshot) shot = gvt_snapshot_take (vgpu, &opts, &error);
  if (shot == NULL)
    return fail (err, error, interrupt);
  return write_png (shot, gvt_vgpu_get_name (vgpu), output, file, &interrupt, out, err);
}
