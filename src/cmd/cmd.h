/* The gvt-view commands. Each takes its own argv (argv[0] is the command
 * name), prints to @out and @err (so tests can run them in-process), and
 * returns the process exit status. */
#pragma once

#include <stdio.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include "vgpu/vgpu.h"

G_BEGIN_DECLS

int gvt_cmd_list (int argc, char **argv, FILE *out, FILE *err);
int gvt_cmd_probe (int argc, char **argv, FILE *out, FILE *err);

/* What every command's --help says of DEVICE. */
#define GVT_CMD_DEVICE_HELP \
  "DEVICE: /dev/vfio/N, /dev/vfio/devices/vfioX, an mdev UUID, /sys/bus/mdev/devices/UUID,\n" \
  "sim, sim:WxH or sim:WxH:FOURCC (the simulated vGPU); or --fd N instead."

/* Parses a command's options with the DEVICE help text (unless the
 * context has a description of its own already), leaving at most
 * one argument (the DEVICE) after the command name; GError otherwise. */
gboolean gvt_cmd_parse_device_args (GOptionContext *ctx, int *argc, char ***argv,
                                    GError **error);

/* Prints what @b built as JSON and a newline: pretty (two-space indent)
 * or on one line. */
void gvt_cmd_print_json (FILE *out, JsonBuilder *b, gboolean pretty);

/* Prints "gvt-view: MESSAGE" to @err and returns the exit status for it:
 * 2 for usage errors, 1 otherwise. */
int gvt_cmd_fail (FILE *err, const GError *error);

/* --- numbers on the command line ---
 *
 * Numeric options are taken as strings (G_OPTION_ARG_STRING, NULL when not
 * given: no typed value means "not given") and read by these, with one rule
 * for all, the same as for numbers in sysfs: ASCII digits as printf's %d
 * writes them — no sign, space, "0x", exponent, or leading zero but for
 * "0" itself (GOption's G_OPTION_ARG_INT would take " 010" as 8). A value
 * outside the rule or the range is GVT_ERROR_INVALID_ARGS (exit status 2)
 * saying "OPTION VALUE: use RANGE", with VALUE escaped. Each leaves its
 * result alone on error, and (but for --fd) when @text is NULL. */

/* Every command's --fd entry, the same help everywhere; @text_ptr is a
 * char ** for gvt_cmd_parse_fd. */
#define GVT_CMD_FD_ENTRY(text_ptr) \
  { "fd", 0, 0, G_OPTION_ARG_STRING, (text_ptr), "Use the inherited VFIO device fd N", "N" }

/* --fd N: 0 to G_MAXINT ("--fd -1: use a file descriptor number, 0 or
 * more"). @fd is -1 after it when @text is NULL. */
gboolean gvt_cmd_parse_fd (const char *text, int *fd, GError **error);

/* A count, @min to @max ("--frames 0: use 1 to 100000"). */
gboolean gvt_cmd_parse_count (const char *option, const char *text, int min, int max,
                              int *value, GError **error);

/* Seconds: DIGITS or DIGITS.DIGITS, 0 to @max ("--watch -1: use 0 to 86400
 * seconds"). */
gboolean gvt_cmd_parse_seconds (const char *option, const char *text, double max,
                                double *value, GError **error);

/* --- the QEMU link ---
 *
 * --qmp PATH and --ramfb ID, the same for the viewer and snapshot; @qmp_ptr
 * and @ramfb_ptr are char ** for gvt_cmd_check_qmp. */
#define GVT_CMD_QMP_ENTRIES(qmp_ptr, ramfb_ptr) \
  { "qmp", 0, 0, G_OPTION_ARG_FILENAME, (qmp_ptr), \
    "QEMU's QMP socket (-qmp unix:PATH,server=on,wait=off): the VM's boot display (ramfb), " \
    "its state; alone, without DEVICE, the VM's display", "PATH" }, \
  { "ramfb", 0, 0, G_OPTION_ARG_STRING, (ramfb_ptr), \
    "With --qmp: the device whose console to show (default: the VM's ramfb)", "ID" }

/* --ramfb needs --qmp, and is a QEMU device id (a letter, then letters,
 * digits, '-', '.', '_'; at most 64 bytes); --qmp is not empty. */
gboolean gvt_cmd_check_qmp (const char *qmp, const char *ramfb, GError **error);

/* --- SIGINT and SIGTERM ---
 *
 * While a GvtCmdInterrupt lives, SIGINT and SIGTERM don't kill the process:
 * they are recorded, and the command's loop asks for them, ends in order
 * (releasing GL and the device, printing what it has) and returns the
 * status it documents (GVT_CMD_SIGNAL_STATUS unless ending is success).
 * Several may live at once; when the last is freed both signals get their
 * default action back (SIG_DFL, not whatever was installed before). One
 * thread creates, asks and frees each; the signal may hit any thread
 * (GLib's handler routes it to the watcher's own GMainContext). */
typedef struct _GvtCmdInterrupt GvtCmdInterrupt;

GvtCmdInterrupt *gvt_cmd_interrupt_new (void);
/* Accepts NULL. */
void gvt_cmd_interrupt_free (GvtCmdInterrupt *self);
/* The first signal that arrived, SIGINT or SIGTERM, or 0. Does not block:
 * cheap enough to ask once per frame. */
int gvt_cmd_interrupt_check (GvtCmdInterrupt *self);
/* Sleeps until g_get_monotonic_time () reaches @deadline_us or a signal
 * arrives (also one that arrived before); returns as check does. */
int gvt_cmd_interrupt_sleep_until (GvtCmdInterrupt *self, gint64 deadline_us);
/* "SIGINT" or "SIGTERM". */
const char *gvt_cmd_interrupt_name (int signum);

/* The exit status for a command ended by @signum: 128 + @signum, what a
 * shell reports for a process the signal killed (130 for SIGINT, 143 for
 * SIGTERM), so that a caller still sees it was stopped. */
#define GVT_CMD_SIGNAL_STATUS(signum) (128 + (signum))

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtCmdInterrupt, gvt_cmd_interrupt_free)

G_END_DECLS
