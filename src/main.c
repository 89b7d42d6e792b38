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
    "snapshot DEVICE|--fd N -o FILE.png [--size WxH] [--scale MODE] [--filter F] [--wait S]\n"
    "                                one frame, headless, as PNG" },
  { "demo", gvt_cmd_demo,
    "demo --snapshot FILE.png [--at S]  the simulated vGPU playing a guest" },
  { "bench", gvt_cmd_bench,
    "bench [DEVICE] [--size WxH] [--frames N]  frame, upload and poll costs" },
};

static void
usage (FILE *out)
{
  fputs ("Usage: gvt-view COMMAND [OPTIONS]\n"
         "A local display for Intel GVT-g vGPUs and VFIO mediated display devices.\n\n"
         "Commands:\n", out);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %s\n", commands[i].summary);
  fputs ("\nDEVICE is /dev/vfio/N (an IOMMU group), /dev/vfio/devices/vfioX (a VFIO cdev),\n"
         "an mdev UUID, /sys/bus/mdev/devices/UUID, or sim / sim:WxH (the built-in\n"
         "simulated vGPU). --fd N uses a VFIO device fd inherited from a launcher.\n"
         "`gvt-view COMMAND --help` describes each command's options.\n"
         "Debug logs: G_MESSAGES_DEBUG=gvt-view.\n", out);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");

  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0
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
      return commands[i].func (argc - 1, argv + 1, stdout, stderr);

  fprintf (stderr, "gvt-view: unknown command '%s'\n\n", argv[1]);
  usage (stderr);
  return 2;
}
