/* gvt-view: command dispatch. Wiring only; each command lives in cmd/. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/cmd-render.h"

typedef int (*CommandFunc) (int argc, char **argv, FILE *out, FILE *err);

static const struct {
  const char *name;
  CommandFunc func;
  const char *summary;
} commands[] = {
  { "list",  gvt_cmd_list,  "list [--json]                 vGPU parents, types and instances" },
  { "probe", gvt_cmd_probe, "probe DEVICE|--fd N [--json]  what a device's display offers now" },
  { "snapshot", gvt_cmd_snapshot,
    "snapshot DEVICE|--fd N|--qmp PATH -o FILE.png [--size WxH] [--scale MODE] [--wait S]\n"
    "                                one frame, headless, as PNG" },
  { "demo", gvt_cmd_view_demo,
    "demo [--snapshot FILE.png] [--at S] [--in-place]\n"
    "                                the simulated vGPU playing a guest, in a window" },
  { "bench", gvt_cmd_bench,
    "bench [DEVICE] [--size WxH] [--frames N]  frame, upload and poll costs" },
  { "run", gvt_cmd_run,
    "run [window options] [--vgpu UUID|ID] [--quit-vm] -- qemu-system-x86_64 ARGS...\n"
    "                                start a VM and show its vGPU (QEMU's display off)" },
  { "doctor", gvt_cmd_doctor,
    "doctor [DEVICE|qemu:PID|NAME] [--json]  check the host's set-up, with fixes" },
  { "attach", gvt_cmd_attach,
    "attach PID|NAME [window options]  show a running QEMU's vGPU (-name, libvirt domain)" },
};

static void
usage (FILE *out)
{
  fputs ("Usage: gvt-view COMMAND [OPTIONS]\n"
         "       gvt-view DEVICE|--fd N [-f] [--scale MODE] [--filter F] [--stats] [--size WxH]\n"
         "       gvt-view [DEVICE] --qmp PATH [--ramfb ID] [--quit-with-vm] [window options]\n"
         "A local display for Intel GVT-g vGPUs and VFIO mediated display devices.\n"
         "gvt-view DEVICE shows the guest's display in a window; with no arguments at all,\n"
         "the demo does. --qmp PATH (QEMU's QMP socket) adds the VM's boot display (ramfb)\n"
         "and its state; alone, it shows the VM's display.\n\n"
         "Window keys: F11 or Ctrl+Alt+F fullscreen, Ctrl+Alt+S next scaling mode,\n"
         "Ctrl+Alt+1 native size, Ctrl+Alt+O statistics overlay, Ctrl+Q quit.\n\n"
         "Commands:\n", out);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %s\n", commands[i].summary);
  fputs ("\nDEVICE is /dev/vfio/N (an IOMMU group), /dev/vfio/devices/vfioX (a VFIO cdev),\n"
         "an mdev UUID, /sys/bus/mdev/devices/UUID, qemu:PID or qemu:NAME (the vGPU of a\n"
         "running QEMU, through a copy of its device fd; NAME: its -name or a libvirt\n"
         "domain), or sim / sim:WxH / sim:WxH:FOURCC (the built-in simulated vGPU).\n"
         "--fd N uses a VFIO device fd inherited from a launcher.\n"
         "`gvt-view COMMAND --help` describes each command's options.\n"
         "Window settings: $XDG_CONFIG_HOME/gvt-view/gvt-view.conf (gvt-view --print-config).\n"
         "Debug logs: G_MESSAGES_DEBUG=gvt-view.\n", out);
}

/* `gvt-view DEVICE [OPTIONS]`: the first argument names a device or is a
 * window option rather than a command. */
static gboolean
is_view_invocation (const char *arg)
{
  static const char *const options[] = {
    "--fd", "-f", "--fullscreen", "--scale", "--filter", "--stats", "--size",
    "--qmp", "--ramfb", "--quit-with-vm", "--view-only", "--relative-mouse", "--grab-keys",
    "--resolution", "--edid",
    "--print-config", "--no-fullscreen", "--no-stats", "--no-quit-with-vm", "--no-view-only",
    "--no-relative-mouse",
    /* The viewer's own help, with its window options. */
    "--help-all", "--help-window",
  };

  if (arg[0] == '/' || g_str_has_prefix (arg, "sim") || g_str_has_prefix (arg, "qemu:")
      || g_uuid_string_is_valid (arg))
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (options); i++)
    {
      gsize n = strlen (options[i]);
      if (strncmp (arg, options[i], n) == 0 && (arg[n] == '\0' || arg[n] == '='))
        return TRUE;
    }
  return FALSE;
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");

  /* No arguments at all: the demo, in a window (or a PNG without a
   * display), so that a first run shows something. */
  if (argc < 2)
    {
      char *demo_argv[] = { (char *) "demo", NULL };
      return gvt_cmd_view_demo (1, demo_argv, stdout, stderr);
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0
      || strcmp (argv[1], "help") == 0)
    {
      usage (stdout);
      return 0;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("gvt-view %s\n", GVT_VERSION);
      return 0;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      {
        /* What each command's --help shows as its name. */
        g_autofree char *name = g_strdup_printf ("gvt-view %s", argv[1]);
        argv[1] = name;
        return commands[i].func (argc - 1, argv + 1, stdout, stderr);
      }

  if (is_view_invocation (argv[1]))
    return gvt_cmd_view (argc, argv, stdout, stderr);

  fprintf (stderr, "gvt-view: unknown command '%s'\n\n", argv[1]);
  usage (stderr);
  return 2;
}
