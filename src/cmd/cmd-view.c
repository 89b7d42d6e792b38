/* gvt-view DEVICE and gvt-view demo: the viewer window. */
#include <string.h>

#include "cmd.h"
#include "cmd-render.h"
#include "common/gvt-error.h"
#include "common/size.h"
#include "ui/app.h"
#include "ui/input.h"

typedef struct {
  gboolean fullscreen;
  gboolean stats;
  char *scale;
  char *filter;
  char *size;
  int exit_after_ticks;
  int lose_after_ticks;
  gboolean sim_cursor;
  char *stats_file;
  double stats_interval;
} ViewArgs;

static void
view_args_clear (ViewArgs *a)
{
  g_free (a->scale);
  g_free (a->filter);
  g_free (a->size);
  g_free (a->stats_file);
}

/* The options the window takes, for `gvt-view DEVICE` and `demo`. */
static GOptionGroup *
view_option_group (ViewArgs *a)
{
  const GOptionEntry entries[] = {
    { "fullscreen", 'f', 0, G_OPTION_ARG_NONE, &a->fullscreen, "Start fullscreen", NULL },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &a->scale,
      "fit (default), fill, integer or native", "MODE" },
    { "filter", 0, 0, G_OPTION_ARG_STRING, &a->filter, "auto (default), linear or nearest", "F" },
    { "stats", 0, 0, G_OPTION_ARG_NONE, &a->stats,
      "Show the statistics overlay (Ctrl+Alt+O toggles it)", NULL },
    { "size", 0, 0, G_OPTION_ARG_STRING, &a->size,
      "Window size in logical pixels (default: the guest's, within the work area)", "WxH" },
    /* Hooks for tests and the window benchmark. */
    { "exit-after-ticks", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &a->exit_after_ticks,
      "Close after N frame-clock ticks, whatever is shown", "N" },
    { "lose-after-ticks", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &a->lose_after_ticks,
      "Simulated devices: unplug after N frame-clock ticks", "N" },
    { "sim-cursor", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &a->sim_cursor,
      "Simulated devices: show the demo's cursor at guest (200, 150)", NULL },
    { "stats-file", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &a->stats_file,
      "Write the counters as JSON to FILE when the window settles and at exit", "FILE" },
    { "stats-interval", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_DOUBLE, &a->stats_interval,
      "With --stats-file: also write it every SECONDS, hidden or not", "SECONDS" },
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("window", "Window options:", "Show the window options",
                                            NULL, NULL);
  g_option_group_add_entries (group, entries);
  return group;
}

static const char keys_help[] =
  "Keys: F11 or Ctrl+Alt+F fullscreen, Ctrl+Alt+S next scaling mode (fit, fill,\n"
  "integer, native), Ctrl+Alt+1 native size (one guest pixel per screen pixel),\n"
  "Ctrl+Alt+O statistics overlay, Ctrl+Q quit. With --qmp every other key, the\n"
  "mouse and the wheel go to the VM; Ctrl+Alt+G grabs keyboard and pointer (the\n"
  "host's shortcuts reach the guest too) and releases them.";

static gboolean
view_options (const ViewArgs *a, GvtUiOptions *o, GError **error)
{
  GvtCmdPicture picture;

  *o = (GvtUiOptions) { 0 };
  o->fullscreen = a->fullscreen;
  o->stats = a->stats;
  o->stats_file = a->stats_file;
  if (!gvt_cmd_parse_picture (a->size, a->scale, a->filter, &picture, error))
    return FALSE;
  if (a->exit_after_ticks < 0 || a->lose_after_ticks < 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS, "frame counts can't be negative");
      return FALSE;
    }
  if (a->stats_interval != 0 && !(a->stats_interval >= 0.01 && a->stats_interval <= 3600))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "--stats-interval %g: use 0.01 to 3600 seconds", a->stats_interval);
      return FALSE;
    }
  if (a->stats_interval != 0 && a->stats_file == NULL)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "--stats-interval needs --stats-file FILE to write to");
      return FALSE;
    }
  o->stats_interval_ms = (guint) (a->stats_interval * 1000 + 0.5);
  o->width = picture.width;
  o->height = picture.height;
  o->mode = picture.mode;
  o->filter = picture.filter;
  o->exit_after_ticks = (guint) MAX (a->exit_after_ticks, 0);
  o->lose_after_ticks = (guint) MAX (a->lose_after_ticks, 0);
  o->sim_cursor = a->sim_cursor;
  return TRUE;
}

int
gvt_cmd_view (int argc, char **argv, FILE *out, FILE *err)
{
  ViewArgs a = { 0 };
  g_autofree char *fd_text = NULL;
  g_autofree char *qmp = NULL;
  g_autofree char *ramfb = NULL;
  gboolean quit_with_vm = FALSE;
  gboolean view_only = FALSE;
  gboolean relative_mouse = FALSE;
  g_autofree char *grab_keys = NULL;
  int fd = -1;
  const GOptionEntry entries[] = {
    GVT_CMD_FD_ENTRY (&fd_text),
    GVT_CMD_QMP_ENTRIES (&qmp, &ramfb),
    { "quit-with-vm", 0, 0, G_OPTION_ARG_NONE, &quit_with_vm,
      "With --qmp: close when the VM shuts down or QEMU exits (default: wait for it)", NULL },
    { "view-only", 0, 0, G_OPTION_ARG_NONE, &view_only,
      "With --qmp: send no keyboard or mouse input to the VM", NULL },
    { "relative-mouse", 0, 0, G_OPTION_ARG_NONE, &relative_mouse,
      "With --qmp: relative mouse motion for guests without a tablet (a click grabs the "
      "pointer, the grab keys release it)", NULL },
    { "grab-keys", 0, 0, G_OPTION_ARG_STRING, &grab_keys,
      "The keys that grab keyboard and pointer for the guest and release them "
      "(default ctrl+alt+g)", "COMBO" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("[DEVICE|--fd N] [--qmp PATH] — show a vGPU's "
                                                         "display, or a VM's, live");
  g_autoptr (GError) error = NULL;
  GvtUiOptions opts;
  int status;

  g_option_context_set_main_group (ctx, view_option_group (&a));
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx, GVT_CMD_DEVICE_HELP "\n\n");
  g_option_context_set_summary (ctx, keys_help);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    status = gvt_cmd_fail (err, error);
  else if (argc > 2)
    {
      g_set_error (&error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "the viewer shows one DEVICE, got %d arguments", argc - 1);
      status = gvt_cmd_fail (err, error);
    }
  else if (!gvt_cmd_parse_fd (fd_text, &fd, &error))
    status = gvt_cmd_fail (err, error);
  else if (!view_options (&a, &opts, &error) || !gvt_cmd_check_qmp (qmp, ramfb, &error))
    status = gvt_cmd_fail (err, error);
  else if ((quit_with_vm || view_only || relative_mouse) && qmp == NULL)
    {
      g_set_error (&error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "%s is about the VM behind --qmp PATH: give that too",
                   quit_with_vm ? "--quit-with-vm" : view_only ? "--view-only" : "--relative-mouse");
      status = gvt_cmd_fail (err, error);
    }
  else if (view_only && relative_mouse)
    {
      g_set_error (&error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "--view-only sends no input: --relative-mouse would have nothing to do");
      status = gvt_cmd_fail (err, error);
    }
  else if (grab_keys != NULL
           && !gvt_input_parse_grab_keys (grab_keys, &opts.grab_keyval, &opts.grab_mods, &error))
    status = gvt_cmd_fail (err, error);
  else if (argc < 2 && fd < 0 && qmp == NULL)
    {
      g_set_error (&error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "no DEVICE given: name one (/dev/vfio/N, an mdev UUID, sim), pass --fd N, or "
                   "--qmp PATH for a VM's display; `gvt-view list` shows the vGPUs on this host, "
                   "`gvt-view demo` a simulated one");
      status = gvt_cmd_fail (err, error);
    }
  else if (argc > 1 && fd >= 0)
    {
      g_set_error (&error, GVT_ERROR, GVT_ERROR_INVALID_ARGS, "give either DEVICE or --fd, not both");
      status = gvt_cmd_fail (err, error);
    }
  else if (!gvt_ui_check_display (&error))
    {
      fprintf (err, "gvt-view: %s; for one frame without a window use `gvt-view snapshot %s%s -o "
               "FILE.png`\n", error->message,
               argc > 1 ? argv[1] : fd >= 0 ? "--fd N" : "", qmp ? " --qmp PATH" : "");
      status = 1;
    }
  else
    {
      GvtSessionConfig config = {
        .device = argc > 1 ? argv[1] : NULL, .fd = fd, .qmp = qmp, .ramfb = ramfb,
      };
      GvtSession *session = gvt_session_new_full (&config, &error);
      opts.quit_with_vm = quit_with_vm;
      opts.view_only = view_only;
      opts.relative_mouse = relative_mouse;
      status = session ? gvt_ui_run (session, &opts) : gvt_cmd_fail (err, error);
    }
  view_args_clear (&a);
  return status;
}

/* --snapshot FILE anywhere in @argv: the headless demo's business. */
static gboolean
wants_snapshot (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        break;
      if (strcmp (argv[i], "--snapshot") == 0 || g_str_has_prefix (argv[i], "--snapshot="))
        return TRUE;
    }
  return FALSE;
}

int
gvt_cmd_view_demo (int argc, char **argv, FILE *out, FILE *err)
{
  ViewArgs a = { 0 };
  g_autofree char *at_arg = NULL;
  double at = -1;  /* not given: the guest runs; typed values are >= 0 */
  g_autofree char *snapshot_help_only = NULL;
  g_autofree char *guest_size = NULL;
  guint guest_w = 0, guest_h = 0;
  gboolean in_place = FALSE;
  gboolean no_cursor = FALSE;
  const GOptionEntry entries[] = {
    { "at", 0, 0, G_OPTION_ARG_STRING, &at_arg,
      "Freeze the guest at its time SECONDS (0-3 is the firmware phase); with --snapshot, "
      "the frame to render", "SECONDS" },
    { "snapshot", 0, 0, G_OPTION_ARG_FILENAME, &snapshot_help_only,
      "Render one frame headless to FILE.png instead of opening a window", "FILE" },
    { "in-place", 0, 0, G_OPTION_ARG_NONE, &in_place,
      "The guest paints into the buffer on screen (no page flips, no signal), as a text "
      "console or an X server without a compositor does", NULL },
    /* Tests: a guest whose only change is what it draws in place. */
    { "no-cursor", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &no_cursor,
      "The guest shows no cursor sprite", NULL },
    /* The window benchmark: one mode from power-on. */
    { "guest-size", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &guest_size,
      "The guest's one mode, from power-on (no firmware phase)", "WxH" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("— a simulated vGPU playing a guest, in a window");
  g_autoptr (GError) error = NULL;
  GvtUiOptions opts;
  int status;

  if (wants_snapshot (argc, argv))
    return gvt_cmd_demo (argc, argv, out, err);

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, view_option_group (&a));
  g_option_context_set_summary (ctx, keys_help);
  g_option_context_set_description (ctx,
    "The guest shows 3 s of firmware (no plane), then an animated desktop with a\n"
    "cursor, page flips (or, with --in-place, none) and a mode change every 20 s.\n"
    "Without a display, one frame is written to " GVT_DEMO_FALLBACK_PNG " instead.");
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    status = gvt_cmd_fail (err, error);
  else if (argc > 1)
    {
      g_set_error (&error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "demo takes no DEVICE (it is its own); got '%s'", argv[1]);
      status = gvt_cmd_fail (err, error);
    }
  else if (!gvt_cmd_parse_seconds ("--at", at_arg, 86400, &at, &error))
    status = gvt_cmd_fail (err, error);
  else if (guest_size != NULL
           && !gvt_size_parse_arg ("--guest-size", guest_size, &guest_w, &guest_h, &error))
    status = gvt_cmd_fail (err, error);
  else if (!view_options (&a, &opts, &error))
    status = gvt_cmd_fail (err, error);
  else if (!gvt_ui_check_display (&error))
    {
      /* The README's first command must show something anywhere. --at
       * goes on as typed: the headless demo reads what was checked here. */
      const char *at_text = at_arg ? at_arg : "5";
      g_autoptr (GPtrArray) args = g_ptr_array_new ();
      g_ptr_array_add (args, (char *) "demo");
      g_ptr_array_add (args, (char *) "--snapshot");
      g_ptr_array_add (args, (char *) GVT_DEMO_FALLBACK_PNG);
      g_ptr_array_add (args, (char *) "--at");
      g_ptr_array_add (args, (char *) at_text);
      if (in_place)
        g_ptr_array_add (args, (char *) "--in-place");
      if (a.scale != NULL)
        {
          g_ptr_array_add (args, (char *) "--scale");
          g_ptr_array_add (args, a.scale);
        }
      g_ptr_array_add (args, NULL);
      fprintf (err, "gvt-view: %s: rendering one frame headless to %s instead\n", error->message,
               GVT_DEMO_FALLBACK_PNG);
      status = gvt_cmd_demo ((int) args->len - 1, (char **) args->pdata, out, err);
    }
  else
    {
      GvtDemoConfig config;
      gvt_demo_config_init (&config);
      config.in_place = in_place;
      config.cursor = !no_cursor;
      if (guest_w > 0)
        {
          /* One mode from power-on: no firmware phase, no mode changes. */
          config.firmware_us = 0;
          config.modes[0] = (GvtDemoMode) { guest_w, guest_h };
          config.n_modes = 1;
          config.mode_interval_us = 0;
        }
      status = gvt_ui_run (gvt_session_new_demo (&config, at >= 0 ? (gint64) (at * G_USEC_PER_SEC)
                                                                    : -1),
                           &opts);
    }
  view_args_clear (&a);
  return status;
}
