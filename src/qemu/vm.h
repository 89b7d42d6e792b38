/* The VM as the QEMU link sees it: one QMP connection kept up (reconnected
 * every second when QEMU goes, so that a new QEMU at the same socket path
 * is picked up), the run state from query-status and the STOP, RESUME,
 * RESET and SHUTDOWN events, and a record of what happened for the
 * session to act on at its next poll. Asynchronous on the thread-default
 * main context of the thread that creates it; nothing here blocks but
 * gvt_vm_wait_ready. */
#pragma once

#include <glib.h>

#include "qmp.h"

G_BEGIN_DECLS

typedef enum {
  GVT_VM_NONE,        /* no QEMU link at all (not a state a GvtVm is in) */
  GVT_VM_CONNECTING,  /* not connected yet */
  GVT_VM_RUNNING,
  GVT_VM_PAUSED,      /* stopped: `stop`, -S (prelaunch), an error, a debugger */
  GVT_VM_SHUT_DOWN,   /* the guest is off; QEMU may stay (-no-shutdown) or exit */
  GVT_VM_GONE,        /* the QMP connection closed: QEMU exited (reconnecting) */
} GvtVmState;

/* "none", "connecting", "running", "paused", "shut-down", "gone". */
const char *gvt_vm_state_to_string (GvtVmState state);

/* What happened since the last gvt_vm_take_events. */
typedef enum {
  GVT_VM_EVENT_CONNECTED = 1 << 0, /* a (new) connection is ready */
  GVT_VM_EVENT_RESET     = 1 << 1, /* the machine was reset: its buffers are stale */
  GVT_VM_EVENT_SHUTDOWN  = 1 << 2, /* the guest went off */
  GVT_VM_EVENT_GONE      = 1 << 3, /* the connection closed */
} GvtVmEvents;

/* How often a closed link is tried again. */
#define GVT_VM_RECONNECT_INTERVAL_MS 1000

typedef struct _GvtVm GvtVm;

/* Starts connecting to the QMP socket at @path. */
GvtVm *gvt_vm_new (const char *path);
/* Closes the connection. Accepts NULL. */
void gvt_vm_free (GvtVm *self);

/* Iterates the thread-default main context until the first connection is
 * ready and its run state known (TRUE), or it failed (FALSE with why:
 * "cannot connect to QMP socket PATH: ..."). For commands that need the
 * VM before they start (the window, snapshot). */
gboolean gvt_vm_wait_ready (GvtVm *self, GError **error);

GvtVmState gvt_vm_get_state (GvtVm *self);
/* QEMU's word for a paused state ("prelaunch", "io-error", ...) or the
 * reason a connection ended; NULL when there is nothing to add. */
const char *gvt_vm_get_detail (GvtVm *self);
GvtVmEvents gvt_vm_take_events (GvtVm *self);
/* Called, on the VM's main context and from inside its I/O, each time an
 * event is recorded for gvt_vm_take_events: for a caller that polls only
 * while someone looks (a hidden window) and must still act on the VM's
 * end. It must not free the VM; doing no more than scheduling is best. */
typedef void (*GvtVmNotifyFunc) (GvtVm *vm, gpointer user_data);
void gvt_vm_set_notify (GvtVm *self, GvtVmNotifyFunc func, gpointer user_data);
/* The connection, when ready; NULL otherwise. Borrowed: it is replaced on
 * reconnect, so ask again each time. */
GvtQmp *gvt_vm_get_qmp (GvtVm *self);
/* Connections made so far (1 after the first; a replaced QEMU adds one).
 * Also the generation of gvt_vm_get_qmp: commands sent on an older one
 * are gone. */
guint gvt_vm_get_connects (GvtVm *self);
const char *gvt_vm_get_path (GvtVm *self);

G_END_DECLS
