/* The session: what a viewer shows, GTK-free. It opens the device (by name
 * or inherited fd), owns the plane sources — the vGPU's scanout first, a
 * fallback source (the QEMU link's ramfb) when the vGPU shows nothing —
 * picks which one is on screen, closes the device the moment it is lost
 * and reopens it by name until it is back. The demo is a session too: a
 * simulated vGPU driven by the demo guest. */
#pragma once

#include <glib.h>

#include "edid-policy.h"
#include "plane-source.h"
#include "scanout.h"
#include "qemu/vm.h"
#include "sim/demo-guest.h"

G_BEGIN_DECLS

typedef struct _GvtSession GvtSession;

/* How long a lost device waits between reopen attempts. */
#define GVT_SESSION_REOPEN_INTERVAL_US (2 * G_USEC_PER_SEC)

/* Opens @device (any DEVICE form, display/device.h) or the inherited @fd
 * (then @device is NULL): exactly one. Only a device opened by name is
 * reopened after a loss (an inherited fd can't be). */
GvtSession *gvt_session_new (const char *device, int fd, GError **error);

/* The demo guest (@config, copied; NULL for the defaults) on a simulated
 * vGPU. @freeze_at_us >= 0 shows the guest as it is at that instant,
 * forever; < 0 runs it from the first poll in real time. Never reopened. */
GvtSession *gvt_session_new_demo (const GvtDemoConfig *config, gint64 freeze_at_us);

/* What a viewer of a VM is given: a vGPU, the QEMU link, or both. */
typedef struct {
  const char *device;  /* any DEVICE form, or NULL */
  int fd;              /* an inherited device fd, or -1 */
  const char *qmp;     /* QEMU's QMP socket, or NULL */
  const char *ramfb;   /* the console to screendump (--ramfb ID); NULL: the VM's ramfb */
  GvtEdidConfig edid;  /* the guest's resolution (--resolution, --edid); zeros: follows
                        * the window */
  int qemu_pid;        /* the QEMU whose device this is, or 0: when it exits the VM is
                        * gone (also without a QMP link) and the device closes at once */
  gboolean qmp_optional; /* with a device: a QMP socket that can't be connected to (a
                          * `run` or libvirt holds it) leaves the session without the
                          * link, said once, instead of failing */
} GvtSessionConfig;

/* A session on the vGPU (@config->device or ->fd, at most one) and/or the
 * VM behind the QMP socket @config->qmp: with the link, the ramfb source
 * is the fallback, the VM's run state is known, its buffers are let go on
 * reset and shutdown. Connects before it returns (iterating the
 * thread-default main context): an unreachable socket is an error here
 * ("cannot connect to QMP socket ..."); later losses are reconnected. */
GvtSession *gvt_session_new_full (const GvtSessionConfig *config, GError **error);

/* Shows @vgpu (ownership taken, also on failure), opened elsewhere (a copy
 * of QEMU's device fd: `gvt-view run`), in a session made without a
 * device. Never reopened. */
gboolean gvt_session_attach_vgpu (GvtSession *self, GvtVgpu *vgpu, GError **error);

/* Closes the device and releases every buffer. Accepts NULL. */
void gvt_session_free (GvtSession *self);

/* Adds the source to show while the vGPU shows no picture (ownership
 * taken; at most one). */
void gvt_session_set_fallback (GvtSession *self, GvtSource *fallback);

/* One tick at @now_us (monotonic): steps the demo guest, polls every
 * source, closes a lost device at once and reopens it when due. Returns
 * what changed on screen: LOST once on a loss, PRIMARY_CHANGED (and
 * CURSOR_IMAGE_CHANGED) when a reopened device is back or the shown source
 * switches. */
GvtSourceChange gvt_session_poll (GvtSession *self, gint64 now_us);

/* The state of what is shown: LIVE when a source has a picture, else the
 * vGPU's (LOST while its device is closed). */
GvtSourceState gvt_session_get_state (GvtSession *self);
/* Why the state is not LIVE, for a user; NULL when LIVE. */
const char *gvt_session_get_reason (GvtSession *self);
/* The shown planes (borrowed, valid until the next poll), or NULL. */
GvtPlane *gvt_session_get_primary (GvtSession *self);
GvtPlane *gvt_session_get_cursor (GvtSession *self);
/* The source on screen: the vGPU's, the fallback, or NULL while lost. */
GvtSource *gvt_session_get_shown (GvtSession *self);

/* The VM's run state; GVT_VM_NONE without a QEMU link. */
GvtVmState gvt_session_get_vm_state (GvtSession *self);
/* The QEMU link, or NULL. Borrowed. */
GvtVm *gvt_session_get_vm (GvtSession *self);
/* The fallback source (the ramfb's with a QEMU link), or NULL. Borrowed. */
GvtSource *gvt_session_get_fallback (GvtSession *self);

/* Called with the planes on screen (either may be NULL) right before the
 * session lets go of every buffer because the VM shut down or QEMU went:
 * the last chance to keep a picture of them (the window dims it beneath
 * its message). */
typedef void (*GvtSessionReleaseFunc) (GvtPlane *primary, GvtPlane *cursor, gpointer user_data);
void gvt_session_set_release_hook (GvtSession *self, GvtSessionReleaseFunc func, gpointer data);

/* Called when the VM did something a poll must act on: QEMU exited, the
 * guest went off, a reset, a QEMU (again) on the link. For a caller that
 * stops polling while nobody looks (a minimised window): it polls once
 * then, so that the buffers and the copy of QEMU's device go now, not when
 * it is shown again. Called from the main loop, never from inside
 * gvt_session_poll; best only schedule the poll in it. */
typedef void (*GvtSessionWakeFunc) (gpointer user_data);
void gvt_session_set_wake_hook (GvtSession *self, GvtSessionWakeFunc func, gpointer data);

/* The window's picture area is @width x @height device pixels now, by the
 * user's doing (not a resize the window made for a guest mode): after a
 * pause with no newer request, the vGPU's guest is offered that size as
 * its preferred mode (edid-policy.h), now and whenever the device is
 * reopened. */
void gvt_session_request_guest_size (GvtSession *self, guint width, guint height);
/* What the EDID policy did so far. */
void gvt_session_get_edid_state (GvtSession *self, GvtEdidState *state);

/* The vGPU poller's counters (zeros while the device is closed). */
void gvt_session_get_scanout_stats (GvtSession *self, GvtScanoutStats *stats);

/* "vfio 7", "sim", "demo": for the title. */
const char *gvt_session_get_name (GvtSession *self);
/* The DEVICE the user named, for "rendering on the parent GPU"; NULL for
 * an fd or the demo. */
const char *gvt_session_get_device (GvtSession *self);
gboolean gvt_session_can_reopen (GvtSession *self);
guint gvt_session_get_reopens (GvtSession *self);

/* CPU time this thread spent in the demo guest painting (the guest's
 * work, not the viewer's), in microseconds. 0 for devices. */
gint64 gvt_session_get_guest_cpu_us (GvtSession *self);

/* Test hook: a simulated device shows the demo's cursor (64x64 arrow,
 * hotspot 1,1) with its top-left at guest (@x, @y). FALSE for other
 * devices. */
gboolean gvt_session_simulate_cursor (GvtSession *self, guint32 x, guint32 y);

/* Test hook: makes a simulated device go away now (hot-unplug). FALSE for
 * other devices. */
gboolean gvt_session_simulate_loss (GvtSession *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtSession, gvt_session_free)

G_END_DECLS
