/* QEMU as gvt-view's child (`gvt-view run`): started, its stderr passed
 * through (and its last lines kept for errors), stopped cleanly, its exit
 * status read. Being QEMU's parent is also what lets gvt-view take its
 * device fd where kernel.yama.ptrace_scope is 1. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GvtQemuChild GvtQemuChild;

typedef void (*GvtQemuChildExitFunc) (GvtQemuChild *child, gpointer user_data);

/* Starts @argv (argv[0] looked up in PATH). stdout is gvt-view's; stderr
 * goes through a pipe, line by line, to gvt-view's stderr. When the
 * command line uses the terminal (GvtQemuCmdline.uses_terminal: -nographic,
 * curses, a stdio chardev) QEMU shares it, as stdin, and gvt-view's process
 * group (argv is parsed as gvt_qemu_cmdline_parse does; a line it refuses
 * counts as not using it); otherwise QEMU gets a process group of its own
 * and /dev/null as stdin when stdin is a terminal, so that Ctrl+C reaches
 * gvt-view alone, which then stops QEMU cleanly. Events come on the
 * thread-default main context. */
GvtQemuChild *gvt_qemu_child_spawn (const char *const *argv, GError **error);

/* Does not stop QEMU: call gvt_qemu_child_stop first when it must go.
 * Accepts NULL. */
void gvt_qemu_child_free (GvtQemuChild *self);

/* @func runs once, when QEMU has exited (after its last stderr line). */
void gvt_qemu_child_set_exit_func (GvtQemuChild *self, GvtQemuChildExitFunc func,
                                   gpointer user_data);

int gvt_qemu_child_get_pid (GvtQemuChild *self);
gboolean gvt_qemu_child_has_exited (GvtQemuChild *self);
/* As a shell reports it: the exit code, or 128 + the signal. */
int gvt_qemu_child_get_status (GvtQemuChild *self);
/* What killed it, or 0. */
int gvt_qemu_child_get_signal (GvtQemuChild *self);
/* The last lines QEMU wrote on stderr (at most 20), for error messages. */
char *gvt_qemu_child_get_last_words (GvtQemuChild *self);
/* Whether QEMU shares gvt-view's terminal and process group. */
gboolean gvt_qemu_child_shares_terminal (GvtQemuChild *self);

/* Sends @signum to QEMU (nothing once it has exited). */
void gvt_qemu_child_signal (GvtQemuChild *self, int signum);

/* Iterates the thread-default main context until QEMU has exited or
 * @timeout_ms passed; TRUE when it has exited. */
gboolean gvt_qemu_child_wait (GvtQemuChild *self, guint timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtQemuChild, gvt_qemu_child_free)

G_END_DECLS
