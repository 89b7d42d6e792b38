/* The commands that render: a headless snapshot, the benchmark, the demo
 * and the viewer window. Same
 * conventions as cmd.h (own argv, output to @out/@err, exit status). */
#pragma once

#include <stdio.h>
#include <glib.h>

#include "render/geometry.h"

G_BEGIN_DECLS

/* gvt-view snapshot DEVICE|--fd N -o FILE.png [--size WxH] [--scale MODE]
 *                   [--filter F] [--wait SECONDS] [--render-node PATH] */
int gvt_cmd_snapshot (int argc, char **argv, FILE *out, FILE *err);

/* `gvt-view doctor` (cmd-doctor.c; its checks in doctor.h). */
int gvt_cmd_doctor (int argc, char **argv, FILE *out, FILE *err);

/* gvt-view bench [DEVICE|--fd N] [--size WxH] [--frames N] */
int gvt_cmd_bench (int argc, char **argv, FILE *out, FILE *err);

/* gvt-view demo --snapshot FILE.png [--at SECONDS] [--in-place] [--size WxH] [--scale MODE]:
 * the demo headless (without --snapshot: to GVT_DEMO_FALLBACK_PNG). */
int gvt_cmd_demo (int argc, char **argv, FILE *out, FILE *err);

/* --size, --scale and --filter as every rendering command takes them. */
typedef struct {
  guint width, height;   /* 0: the guest's */
  GvtScaleMode mode;     /* default fit */
  GvtFilter filter;      /* default auto */
} GvtCmdPicture;

/* Parses the three options (each NULL when not given) into @picture, or
 * fails with GVT_ERROR_INVALID_ARGS naming the option and what it takes. */
gboolean gvt_cmd_parse_picture (const char *size, const char *scale, const char *filter,
                                GvtCmdPicture *picture, GError **error);

/* Where the demo's frame goes when there is no display for its window. */
#define GVT_DEMO_FALLBACK_PNG "gvt-view-demo.png"

/* The viewer window (src/ui, cmd-view.c). */
/* gvt-view DEVICE|--fd N [-f] [--scale M] [--filter F] [--stats] [--size WxH] */
int gvt_cmd_view (int argc, char **argv, FILE *out, FILE *err);

/* gvt-view demo [--at SECONDS] [window options]: the demo in a window;
 * with --snapshot, or without a display, gvt_cmd_demo (headless). */
int gvt_cmd_view_demo (int argc, char **argv, FILE *out, FILE *err);

/* gvt-view run [window options] [--vgpu X] [--quit-vm] -- qemu-system-x86_64 ...:
 * QEMU as gvt-view's child, its vGPU in the window (cmd-run.c). */
int gvt_cmd_run (int argc, char **argv, FILE *out, FILE *err);

/* gvt-view attach PID|NAME [window options]: the window on qemu:PID|NAME. */
int gvt_cmd_attach (int argc, char **argv, FILE *out, FILE *err);

G_END_DECLS
