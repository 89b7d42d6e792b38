/* `gvt-view doctor`: the host's set-up for GVT-g and VFIO display devices,
 * checked one thing at a time, each with what was seen and the command that
 * fixes it.
 *
 * What the checks read: sysfs and /dev by their real paths (tests redirect
 * them with umockdev), /proc under @proc_root, QEMU's --version output, and
 * (when asked) EGL. Nothing is changed on the host. */
#pragma once

#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  GVT_DOCTOR_OK,
  GVT_DOCTOR_WARN,
  GVT_DOCTOR_FAIL,
  GVT_DOCTOR_SKIP,
} GvtDoctorStatus;

typedef struct {
  char *id;              /* "gvt-enabled", "module-kvmgt", ... (stable: scripts match it) */
  GvtDoctorStatus status;
  char *summary;         /* what was seen, one sentence */
  char *fix;             /* a command (or a few, one per line) to paste, or NULL */
} GvtDoctorCheck;

typedef struct {
  const char *proc_root;        /* NULL: /proc */
  const char *libvirt_run_dir;  /* NULL: GVT_LIBVIRT_RUN_DIR */
  /* The QEMU whose version to check when no qemu:X is given; NULL:
   * qemu-system-x86_64 from $PATH. */
  const char *qemu_binary;
  gboolean egl;                 /* also try EGL dma-buf import on the render node */
} GvtDoctorHost;

/* "ok", "warn", "fail", "skip". */
const char *gvt_doctor_status_to_string (GvtDoctorStatus status);

/* Runs every check of the host; with @target (a DEVICE, or qemu:PID|NAME)
 * also that device's and that VM's. Returns GvtDoctorCheck*s in order
 * (free with g_ptr_array_unref). Never fails: what can't be read is a
 * check's fail or skip. */
GPtrArray *gvt_doctor_run (const GvtDoctorHost *host, const char *target);

/* `gvt-view doctor` on @host (gvt_cmd_doctor is this on the real host):
 * cmd.h's conventions. */
int gvt_cmd_doctor_host (int argc, char **argv, FILE *out, FILE *err, const GvtDoctorHost *host);

/* The first check with @id in @checks, or NULL. */
const GvtDoctorCheck *gvt_doctor_find (GPtrArray *checks, const char *id);

G_END_DECLS
