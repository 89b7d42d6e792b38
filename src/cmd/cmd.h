/* The gvt-view commands. Each takes its own argv (argv[0] is the command
 * name), prints to @out and @err (so tests can run them in-process), and
 * returns the process exit status. */
#pragma once

#include <stdio.h>
#include <glib.h>
#include "vgpu/vgpu.h"

G_BEGIN_DECLS

int gvt_cmd_list (int argc, char **argv, FILE *out, FILE *err);
int gvt_cmd_probe (int argc, char **argv, FILE *out, FILE *err);

/* What every command's --help says of DEVICE. */
#define GVT_CMD_DEVICE_HELP \
  "DEVICE: /dev/vfio/N, /dev/vfio/devices/vfioX, an mdev UUID, /sys/bus/mdev/devices/UUID,\n" \
  "sim, sim:WxH or sim:WxH:FOURCC (the simulated vGPU); or --fd N instead."

/* Parses a command's options with the DEVICE help text, leaving at most
 * one argument (the DEVICE) after the command name; GError otherwise. */
gboolean gvt_cmd_parse_device_args (GOptionContext *ctx, int *argc, char ***argv,
                                    GError **error);

/* Prints "gvt-view: MESSAGE" to @err and returns the exit status for it:
 * 2 for usage errors, 1 otherwise. */
int gvt_cmd_fail (FILE *err, const GError *error);

G_END_DECLS
