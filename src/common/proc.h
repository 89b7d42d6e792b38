/* Another process's /proc files. All of it is untrusted: a process names
 * itself, and it may exit between two reads. @proc_root NULL is /proc
 * (the tests give a tree of their own). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* PID_MAX_LIMIT on 64-bit Linux: no pid is larger. */
#define GVT_PID_MAX 4194304

/* "PROC_ROOT/PID/FILE". */
char *gvt_proc_path (const char *proc_root, int pid, const char *file);

/* The whole of @path (a /proc file, or a pid file): a missing one (the
 * process is gone: ENOENT, or ESRCH mid-read) is GVT_ERROR_NO_DEVICE, a
 * denied one GVT_ERROR_PERMISSION. */
gboolean gvt_proc_read (const char *path, char **contents, gsize *len, GError **error);

/* What follows @prefix on the first line of /proc/PID/@file that starts
 * with it ("Max locked memory", "Uid:"). GVT_ERROR_INVALID_ARGS for a pid
 * out of range, GVT_ERROR_NO_DEVICE when no process has it, GVT_ERROR_PROTOCOL
 * when no line starts so. */
char *gvt_proc_line (const char *proc_root, int pid, const char *file, const char *prefix,
                     GError **error);

/* The process's name (/proc/PID/comm, stripped) as it gave it — to be
 * escaped before it is shown — or NULL when it is gone or empty. */
char *gvt_proc_comm (const char *proc_root, int pid);

G_END_DECLS
