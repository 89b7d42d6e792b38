/* gvt-view DEVICE and gvt-view demo: the viewer window. */
#include <string.h>

#include "cmd.h"
#include "cmd-render.h"
#include "common/gvt-error.h"
#include "common/size.h"
#include "cmd-run.h"
#include "config.h"
#include "qemu/qemu-cmdline.h"
#include "qemu/qemu-process.h"
#include "ui/app.h"
#include "ui/input.h"

typedef struct {
  /* The settings (--fullscreen, --scale, ...): the command line's, then
   * the config file's. */
  GvtConfig *config;
  int exit_after_ticks;
  int lose_after_ticks;
  gboolean sim_cursor;
  char *stats_file;
  double stats_interval;
} ViewArgs;

static void
view_args_clear (ViewArgs *a)
{
  gvt_config_free (a->config);
  g_free (a->stats_file);
}

/* The settings' options go to the GvtConfig, their group's user data. */
#define SETTING G_OPTION_ARG_CALLBACK, (gpointer) gvt_config_option
/* A switch's --no-KEY: beats the config file's true; in the man page. */
#define NO_SWITCH(key) \
  { "no-" key, 0, G_OPTION_FLAG_NO_ARG | G_OPTION_FLAG_HIDDEN, SETTING, NULL, NULL }

/* The options the window takes, for `gvt-view DEVICE` and `demo`. */
static GOptionGroup *
view_option_group (ViewArgs *a)
{
  const GOptionEntry entries[] = {
    { "fullscreen", 'f', G_OPTION_FLAG_NO_ARG, SETTING, "Start fullscreen", NULL },
    { "scale", 0, 0, SETTING, "fit (default), fill, integer or native", "MODE" },
    { "filter", 0, 0, SETTING, "auto (default), linear or nearest", "F" },
    { "stats", 0, G_OPTION_FLAG_NO_ARG, SETTING,
      "Show the statistics overlay (Ctrl+Alt+O toggles it)", NULL },
    { "size", 0, 0, SETTING,
      "Window size in logical pixels (default: the guest's, within the work area)", "WxH" },
    NO_SWITCH ("fullscreen"),
    NO_SWITCH ("stats"),
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
                                            a->config, NULL);
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
  o->fullscreen = gvt_config_get_bool (a->config, GVT_CONFIG_FULLSCREEN);
  o->stats = gvt_config_get_bool (a->config, GVT_CONFIG_STATS);
  o->stats_file = a->stats_file;
  if (!gvt_cmd_parse_picture (gvt_config_get (a->config, GVT_CONFIG_SIZE),
                              gvt_config_get (a->config, GVT_CONFIG_SCALE),
                              gvt_config_get (a->config, GVT_CONFIG_FILTER), &picture, error))
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

/* What `run` adds to the viewer's command line. */
typedef struct {
  const char *const *qemu_argv;  /* after "--" */
  char *vgpu;
  gboolean quit_vm;
} RunArgs;

/* The QEMU behind qemu:X: its pid, and its QMP socket (from its command
 * line) when --qmp gave none. */
static gboolean
find_qemu (const char *device, char **qmp, int *pid, GError **error)
{
  GvtDeviceSpec spec;
  g_auto (GvtQemuProcess) process = { 0 };
  g_auto (GvtQemuCmdline) cmdline = { 0 };

  *pid = 0;
  if (device == NULL || !g_str_has_prefix (device, "qemu:"))
    return TRUE;
  if (!gvt_device_spec_parse (device, -1, &spec, error))
    return FALSE;
  gboolean found = gvt_qemu_process_find (spec.qemu, NULL, NULL, &process, error);
  gvt_device_spec_clear (&spec);
  if (!found)
    {
      g_prefix_error (error, "cannot open %s: ", device);
      return FALSE;
    }
  *pid = process.pid;
  if (*qmp != NULL)
    return TRUE;
  g_autoptr (GError) local = NULL;
  if (gvt_qemu_cmdline_parse ((const char *const *) process.argv, &cmdline, &local)
      && cmdline.qmp_socket != NULL)
    {
      *qmp = gvt_qemu_process_qmp_socket (process.pid, NULL, cmdline.qmp_socket, &local);
      if (*qmp == NULL)
        g_message ("%s: %s: no input, no boot display, no VM states (pass --qmp PATH)", device,
                   local->message);
    }
  else
    g_message ("%s: QEMU (pid %d) has no QMP socket on its command line: no input, no boot "
               "display, no VM states (start it with -qmp unix:PATH,server=on,wait=off, or pass "
               "--qmp PATH)", device, process.pid);
  return TRUE;
}

/* A session on qemu:X. Its QMP socket may be held by another client (a
 * `run`, a viewer): then the vGPU alone. A QEMU without a vGPU (a VM on
 * ramfb or VGA) with a QMP socket: its console alone. */
static GvtSession *
open_qemu_session (GvtSessionConfig *config, GError **error)
{
  g_autoptr (GError) local = NULL;
  config->qmp_optional = TRUE;
  GvtSession *session = gvt_session_new_full (config, &local);

  if (session != NULL)
    return session;
  if (config->qmp != NULL && (g_error_matches (local, GVT_ERROR, GVT_ERROR_NO_DEVICE)
                              || g_error_matches (local, GVT_ERROR, GVT_ERROR_NO_DISPLAY)))
    {
      g_message ("%s; showing the VM's console through QMP instead", local->message);
      config->device = NULL;
      return gvt_session_new_full (config, error);
    }
  g_propagate_error (error, g_steal_pointer (&local));
  return NULL;
}

/* The VM whose [vm NAME] group applies: QEMU's -name for run and
 * qemu:PID, the NAME of qemu:NAME (a -name or a libvirt domain, whose
 * QEMU has -name guest=NAME). NULL when none is known (--qmp, --fd, a
 * device path; a qemu:PID that is gone: the window will say). */
static char *
vm_name (const char *device, const RunArgs *run)
{
  g_auto (GvtQemuCmdline) cmdline = { 0 };
  g_auto (GvtQemuProcess) process = { 0 };

  if (run != NULL)
    return gvt_qemu_cmdline_parse (run->qemu_argv, &cmdline, NULL)
             ? g_steal_pointer (&cmdline.name) : NULL;
  if (device == NULL || !g_str_has_prefix (device, "qemu:"))
    return NULL;
  const char *what = device + strlen ("qemu:");
  if (*what == '\0' || strspn (what, "0123456789") != strlen (what))
    return g_strdup (what);
  if (!gvt_qemu_process_find (what, NULL, NULL, &process, NULL)
      || !gvt_qemu_cmdline_parse ((const char *const *) process.argv, &cmdline, NULL))
    return NULL;
  return g_steal_pointer (&cmdline.name);
}

/* A switch the command line turned on, by its option; NULL if none. */
static const char *
given_switch (GvtConfig *config, const GvtConfigKey *keys, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (gvt_config_get_origin (config, keys[i]) == GVT_CONFIG_FROM_COMMAND_LINE
        && gvt_config_get_bool (config, keys[i]))
      return gvt_config_key_name (keys[i]);
  return NULL;
}

static int
view_main (int argc, char **argv, FILE *out, FILE *err, RunArgs *run)
{
  ViewArgs a = { .config = gvt_config_new () };
  g_autofree char *fd_text = NULL;
  g_autofree char *qmp = NULL;
  g_autofree char *ramfb = NULL;
  gboolean quit_with_vm = FALSE;
  gboolean view_only = FALSE;
  gboolean relative_mouse = FALSE;
  const char *grab_keys = NULL;
  gboolean print_config = FALSE;
  GvtEdidConfig edid_config = { 0 };
  int fd = -1;
  const GOptionEntry entries[] = {
    GVT_CMD_FD_ENTRY (&fd_text),
    GVT_CMD_QMP_ENTRIES (&qmp, &ramfb),
    { "quit-with-vm", 0, G_OPTION_FLAG_NO_ARG, SETTING,
      "With --qmp: close when the VM shuts down or QEMU exits (default: wait for it)", NULL },
    { "view-only", 0, G_OPTION_FLAG_NO_ARG, SETTING,
      "With --qmp: send no keyboard or mouse input to the VM", NULL },
    { "relative-mouse", 0, G_OPTION_FLAG_NO_ARG, SETTING,
      "With --qmp: relative mouse motion for guests without a tablet (a click grabs the "
      "pointer, the grab keys release it)", NULL },
    { "grab-keys", 0, 0, SETTING,
      "The keys that grab keyboard and pointer for the guest and release them "
      "(default ctrl+alt+g)", "COMBO" },
    { "resolution", 0, 0, SETTING,
      "Give the guest this one resolution (its EDID's preferred mode), whatever the window's "
      "size", "WxH" },
    { "edid", 0, 0, SETTING,
      "on (default): the guest's resolution follows the window (a second after a resize); "
      "off: leave the guest's EDID alone", "on|off" },
    NO_SWITCH ("quit-with-vm"),
    NO_SWITCH ("view-only"),
    NO_SWITCH ("relative-mouse"),
    { "print-config", 0, 0, G_OPTION_ARG_NONE, &print_config,
      "Print the settings this command line would use, with where each comes from (the "
      "config file $XDG_CONFIG_HOME/gvt-view/gvt-view.conf, the command line), and exit", NULL },
    { NULL }
  };
  const GOptionEntry run_entries[] = {
    { "vgpu", 0, 0, G_OPTION_ARG_STRING, run ? &run->vgpu : NULL,
      "The vGPU to show when QEMU's command line has several (its mdev UUID or -device id=)",
      "UUID|ID" },
    { "quit-vm", 0, 0, G_OPTION_ARG_NONE, run ? &run->quit_vm : NULL,
      "Closing the window stops the VM (default: it runs on)", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (
    run ? "[OPTIONS] -- qemu-system-x86_64 ARGS... — start a VM and show its vGPU"
        : "[DEVICE|--fd N] [--qmp PATH] — show a vGPU's display, or a VM's, live");
  g_autoptr (GError) error = NULL;
  GvtUiOptions opts;
  int status;

  g_option_context_set_main_group (ctx, view_option_group (&a));
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (run != NULL)
    g_option_context_add_main_entries (ctx, run_entries, NULL);
  g_option_context_set_description (ctx, GVT_CMD_DEVICE_HELP "\n\n");
  int qemu_pid = 0;
  g_option_context_set_summary (ctx, keys_help);
  gboolean parsed = g_option_context_parse (ctx, &argc, &argv, &error);
  if (parsed)
    {
      /* The file fills in what the command line left out. */
      g_autofree char *vm = vm_name (argc > 1 ? argv[1] : NULL, run);
      gvt_config_load (a.config, NULL, vm, err);
      quit_with_vm = gvt_config_get_bool (a.config, GVT_CONFIG_QUIT_WITH_VM);
      view_only = gvt_config_get_bool (a.config, GVT_CONFIG_VIEW_ONLY);
      relative_mouse = gvt_config_get_bool (a.config, GVT_CONFIG_RELATIVE_MOUSE);
      grab_keys = gvt_config_get (a.config, GVT_CONFIG_GRAB_KEYS);
    }
  /* The VM's settings from the file wait for a VM; typed, they need one. */
  static const GvtConfigKey vm_switches[] = {
    GVT_CONFIG_QUIT_WITH_VM, GVT_CONFIG_VIEW_ONLY, GVT_CONFIG_RELATIVE_MOUSE,
  };
  const char *needs_vm = given_switch (a.config, vm_switches, G_N_ELEMENTS (vm_switches));
  if (!parsed)
    status = gvt_cmd_fail (err, error);
  else if (run != NULL && qmp != NULL)
    {
      g_set_error (&error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "run makes QEMU's QMP socket itself (or uses the -qmp on QEMU's command "
                   "line): drop --qmp");
      status = gvt_cmd_fail (err, error);
    }
  else if (run != NULL && (argc > 1 || fd_text != NULL))
    {
      g_set_error (&error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "run takes no DEVICE: the vGPU is the one QEMU's command line names (after --)");
      status = gvt_cmd_fail (err, error);
    }
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
  else if (needs_vm != NULL && qmp == NULL && run == NULL
           && !(argc > 1 && g_str_has_prefix (argv[1], "qemu:")))
    {
      g_set_error (&error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "--%s is about the VM behind --qmp PATH: give that too", needs_vm);
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
  else if (!gvt_edid_config_parse (gvt_config_get (a.config, GVT_CONFIG_EDID),
                                   gvt_config_get (a.config, GVT_CONFIG_RESOLUTION),
                                   &edid_config, &error))
    status = gvt_cmd_fail (err, error);
  else if (print_config)
    {
      gvt_config_print (a.config, GVT_CONFIG_N_KEYS, out);
      status = 0;
    }
  else if (argc < 2 && fd < 0 && qmp == NULL && run == NULL)
    {
      g_set_error (&error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "no DEVICE given: name one (/dev/vfio/N, an mdev UUID, qemu:PID|NAME, sim), "
                   "pass --fd N, or --qmp PATH for a VM's display; `gvt-view list` shows the "
                   "vGPUs on this host, `gvt-view demo` a simulated one");
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
  else if (run != NULL)
    {
      opts.quit_with_vm = quit_with_vm;
      opts.view_only = view_only;
      opts.relative_mouse = relative_mouse;
      GvtCmdRunConfig run_config = {
        .qemu_argv = run->qemu_argv, .vgpu = run->vgpu, .quit_vm = run->quit_vm, .ui = &opts,
        .edid = edid_config, .ramfb = ramfb,
      };
      status = gvt_cmd_run_qemu (&run_config, err);
    }
  else if (!find_qemu (argc > 1 ? argv[1] : NULL, &qmp, &qemu_pid, &error))
    status = gvt_cmd_fail (err, error);
  else
    {
      /* qemu:NAME is found once: the device opens by the pid it named. */
      g_autofree char *by_pid = qemu_pid > 0 ? g_strdup_printf ("qemu:%d", qemu_pid) : NULL;
      GvtSessionConfig config = {
        .device = by_pid ? by_pid : argc > 1 ? argv[1] : NULL, .fd = fd, .qmp = qmp,
        .ramfb = ramfb, .edid = edid_config, .qemu_pid = qemu_pid,
      };
      GvtSession *session = qemu_pid > 0 ? open_qemu_session (&config, &error)
                                         : gvt_session_new_full (&config, &error);
      opts.quit_with_vm = quit_with_vm;
      opts.quit_with_qemu = qemu_pid > 0;
      opts.view_only = view_only;
      opts.relative_mouse = relative_mouse;
      status = session ? gvt_ui_run (session, &opts) : gvt_cmd_fail (err, error);
    }
  view_args_clear (&a);
  return status;
}

int
gvt_cmd_view (int argc, char **argv, FILE *out, FILE *err)
{
  return view_main (argc, argv, out, err, NULL);
}

/* gvt-view attach PID|NAME [window options]: the window on qemu:PID|NAME. */
int
gvt_cmd_attach (int argc, char **argv, FILE *out, FILE *err)
{
  if (argc < 2 || argv[1][0] == '-')
    {
      gboolean help = argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"));
      fprintf (help ? out : err,
               "Usage: gvt-view attach PID|NAME [window options]\n"
               "Shows the vGPU of a running QEMU: PID, or its -name, or a libvirt domain.\n"
               "The same as `gvt-view qemu:PID|NAME`; its window options: `gvt-view --help-all`.\n");
      return help ? 0 : 2;
    }
  g_autofree char *device = g_strconcat ("qemu:", argv[1], NULL);
  g_autofree char **args = g_new0 (char *, argc + 1);
  args[0] = argv[0];
  args[1] = device;
  for (int i = 2; i < argc; i++)
    args[i] = argv[i];
  return view_main (argc, args, out, err, NULL);
}

/* gvt-view run [window options] -- qemu-system-x86_64 ARGS... */
int
gvt_cmd_run (int argc, char **argv, FILE *out, FILE *err)
{
  int dashes = 1;

  while (dashes < argc && strcmp (argv[dashes], "--") != 0)
    dashes++;
  gboolean help = FALSE;
  for (int i = 1; i < dashes; i++)
    help |= g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h")
            || g_str_has_prefix (argv[i], "--help-");
  if (!help && dashes + 1 >= argc)
    {
      fprintf (err, "gvt-view run: give QEMU's command after --: gvt-view run [OPTIONS] -- "
               "qemu-system-x86_64 -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID ...\n");
      return 2;
    }
  RunArgs run = { .qemu_argv = (const char *const *) argv + dashes + 1 };
  g_autofree char **args = g_new0 (char *, dashes + 1);
  for (int i = 0; i < dashes; i++)
    args[i] = argv[i];
  int status = view_main (dashes, args, out, err, &run);
  g_free (run.vgpu);
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
  ViewArgs a = { .config = gvt_config_new () };
  gboolean print_config = FALSE;
  g_autofree char *at_arg = NULL;
  double at = -1;  /* not given: the guest runs; typed values are >= 0 */
  g_autofree char *snapshot_help_only = NULL;
  g_autofree char *guest_size = NULL;
  guint guest_w = 0, guest_h = 0;
  gboolean in_place = FALSE;
  gboolean no_cursor = FALSE;
  gboolean follow_edid = FALSE;
  const GOptionEntry entries[] = {
    { "at", 0, 0, G_OPTION_ARG_STRING, &at_arg,
      "Freeze the guest at its time SECONDS (0-3 is the firmware phase); with --snapshot, "
      "the frame to render", "SECONDS" },
    { "snapshot", 0, 0, G_OPTION_ARG_FILENAME, &snapshot_help_only,
      "Render one frame headless to FILE.png instead of opening a window", "FILE" },
    { "in-place", 0, 0, G_OPTION_ARG_NONE, &in_place,
      "The guest paints into the buffer on screen (no page flips, no signal), as a text "
      "console or an X server without a compositor does", NULL },
    { "follow-edid", 0, 0, G_OPTION_ARG_NONE, &follow_edid,
      "The guest takes the preferred mode of each EDID it is given, as a desktop does: its "
      "resolution follows the window", NULL },
    /* Tests: a guest whose only change is what it draws in place. */
    { "no-cursor", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &no_cursor,
      "The guest shows no cursor sprite", NULL },
    /* The window benchmark: one mode from power-on. */
    { "guest-size", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &guest_size,
      "The guest's one mode, from power-on (no firmware phase)", "WxH" },
    { "print-config", 0, 0, G_OPTION_ARG_NONE, &print_config,
      "Print the window settings this command line would use, with where each comes from, "
      "and exit", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("— a simulated vGPU playing a guest, in a window");
  g_autoptr (GError) error = NULL;
  GvtUiOptions opts;
  int status;

  if (wants_snapshot (argc, argv))
    {
      view_args_clear (&a);
      return gvt_cmd_demo (argc, argv, out, err);
    }

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, view_option_group (&a));
  g_option_context_set_summary (ctx, keys_help);
  g_option_context_set_description (ctx,
    "The guest shows 3 s of firmware (no plane), then an animated desktop with a\n"
    "cursor, page flips (or, with --in-place, none) and a mode change every 20 s.\n"
    "Without a display, one frame is written to " GVT_DEMO_FALLBACK_PNG " instead.");
  gboolean parsed = g_option_context_parse (ctx, &argc, &argv, &error);
  if (parsed)
    gvt_config_load (a.config, NULL, NULL, err);  /* the demo is no VM */
  if (!parsed)
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
  else if (print_config)
    {
      gvt_config_print (a.config, GVT_CONFIG_N_WINDOW_KEYS, out);
      status = 0;
    }
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
      const char *scale = gvt_config_get (a.config, GVT_CONFIG_SCALE);
      if (scale != NULL)
        {
          g_ptr_array_add (args, (char *) "--scale");
          g_ptr_array_add (args, (char *) scale);
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
      config.follow_edid = follow_edid;
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
