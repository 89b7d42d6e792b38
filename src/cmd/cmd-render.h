/* The commands that render: a headless snapshot and the benchmark. Same
 * conventions as cmd.h (own argv, output to @out/@err, exit status). */
#pragma once

#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

/* gvt-view snapshot DEVICE|--fd N -o FILE.png [--size WxH] [--scale MODE]
 *                   [--filter F] [--wait SECONDS] [--render-node PATH] */
int gvt_cmd_snapshot (int argc, char **argv, FILE *out, FILE *err);

/* gvt-view bench [DEVICE|--fd N] [--size WxH] [--frames N] */
int gvt_cmd_bench (int argc, char **argv, FILE *out, FILE *err);

/* gvt-view demo [--snapshot FILE.png [--at SECONDS] [--size WxH] [--scale MODE]] */
int gvt_cmd_demo (int argc, char **argv, FILE *out, FILE *err);

G_END_DECLS
