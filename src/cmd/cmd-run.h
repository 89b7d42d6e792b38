/* gvt-view run: QEMU started by gvt-view, its vGPU in the window. */
#pragma once

#include <stdio.h>
#include <glib.h>

#include "display/session.h"
#include "ui/window.h"

G_BEGIN_DECLS

typedef struct {
  const char *const *qemu_argv;  /* qemu-system-x86_64 ARGS..., NULL-terminated */
  const char *vgpu;              /* --vgpu UUID|ID: which of several, or NULL */
  gboolean quit_vm;              /* --quit-vm: closing the window stops the VM */
  const GvtUiOptions *ui;        /* the window's options */
  GvtEdidConfig edid;            /* --resolution, --edid */
  const char *ramfb;             /* --ramfb ID: the console to show, or NULL: run's choice */
} GvtCmdRunConfig;

/* Runs QEMU and the window; returns QEMU's exit status (as a shell reports
 * it), or 1 when gvt-view failed before or while starting the VM (the
 * reason on @err; a VM it started is stopped then). */
int gvt_cmd_run_qemu (const GvtCmdRunConfig *config, FILE *err);

G_END_DECLS
