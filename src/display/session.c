/* The session: device lifetime, source choice, reopen. */
#include <errno.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>
#include <glib-unix.h>

#include "session.h"
#include "device.h"
#include "source-ramfb.h"
#include "source-scanout.h"
#include "common/gvt-error.h"
#include "sim/vgpu-sim.h"

/* The demo's simulated vGPU: EDID limits of a 4K monitor. */
#define DEMO_MAX_XRES 3840
#define DEMO_MAX_YRES 2160

struct _GvtSession {
  GvtDeviceSpec spec;    /* what to reopen (not an fd); the demo has none */
  gboolean has_spec;
  gboolean has_device;   /* a vGPU (else only the QEMU link) */
  GvtVm *vm;             /* the QEMU link, or NULL */
  GvtSessionReleaseFunc release_hook;
  gpointer release_data;
  GvtSessionWakeFunc wake_hook;
  gpointer wake_data;
  char *name;
  GvtSource *vgpu;       /* the scanout source; NULL while lost */
  GvtSource *fallback;   /* or NULL */
  gboolean fallback_idle; /* not polled: the vGPU shows a plane */
  GvtSource *shown;      /* one of the two, or NULL */
  GvtDemoGuest *guest;   /* demo only */
  gint64 start_us;       /* demo: the guest's power-on, 0 until the first tick */
  gint64 freeze_at_us;
  char *lost_reason;
  gint64 next_reopen_us;
  guint reopens;
  guint failed_reopens;
  gint64 guest_cpu_us;
  GvtEdidPolicy *edid;   /* the guest's resolution, for whichever device is open */
  /* The QEMU process whose device this is (run, attach): its exit ends
   * the session's pictures and closes the device copy at once. A device
   * taken from QEMU also fails its queries once QEMU is gone (vgpu-kernel:
   * what stops `probe --watch qemu:X`); this watch is the VM's lifecycle —
   * the "QEMU exited" screen, --quit-with-vm — with or without a device
   * or a QMP link. */
  int qemu_pid;
  int qemu_pidfd;        /* -1 when none: 0 is an fd like any other */
  guint qemu_watch;
  gboolean qemu_exited;
  gboolean qemu_exit_handled;
};

static void
close_device (GvtSession *self)
{
  /* The guest paints into the device's memory: it goes first. */
  g_clear_pointer (&self->guest, gvt_demo_guest_free);
  if (self->shown == self->vgpu)
    self->shown = NULL;
  /* The policy borrows the device. */
  if (self->edid != NULL)
    gvt_edid_policy_detach (self->edid);
  g_clear_pointer (&self->vgpu, gvt_source_free);
}

void
gvt_session_free (GvtSession *self)
{
  if (self == NULL)
    return;
  close_device (self);
  g_clear_handle_id (&self->qemu_watch, g_source_remove);
  if (self->qemu_pidfd >= 0)
    close (self->qemu_pidfd);
  /* The ramfb source borrows the link. */
  g_clear_pointer (&self->fallback, gvt_source_free);
  g_clear_pointer (&self->vm, gvt_vm_free);
  gvt_edid_policy_free (self->edid);
  if (self->has_spec)
    gvt_device_spec_clear (&self->spec);
  g_free (self->name);
  g_free (self->lost_reason);
  g_free (self);
}

/* Every session starts here, so that the fields whose "none" isn't 0
 * are set before anything can free it. */
static GvtSession *
session_alloc (void)
{
  GvtSession *self = g_new0 (GvtSession, 1);

  self->freeze_at_us = -1;
  self->qemu_pidfd = -1;
  return self;
}

static gboolean
attach (GvtSession *self, GvtVgpu *vgpu, GError **error)
{
  GvtSource *source = gvt_source_scanout_new (vgpu, error);

  if (source == NULL)
    return FALSE;
  self->vgpu = source;
  self->has_device = TRUE;
  g_free (self->name);
  self->name = g_strdup (gvt_source_get_name (source));
  if (self->edid == NULL)
    self->edid = gvt_edid_policy_new (NULL);
  gvt_edid_policy_attach (self->edid, gvt_source_scanout_get_vgpu (source), self->name);
  return TRUE;
}

gboolean
gvt_session_attach_vgpu (GvtSession *self, GvtVgpu *vgpu, GError **error)
{
  g_autoptr (GvtVgpu) owned = vgpu;

  g_return_val_if_fail (self->vgpu == NULL, FALSE);
  return attach (self, g_steal_pointer (&owned), error);
}

static GvtSession *
open_session (const char *device, int fd, const GvtEdidConfig *edid, GError **error)
{
  g_autoptr (GvtSession) self = session_alloc ();

  self->edid = gvt_edid_policy_new (edid);
  if (!gvt_device_spec_parse (device, fd, &self->spec, error))
    return NULL;
  self->has_spec = TRUE;
  GvtVgpu *vgpu = gvt_device_open_spec (&self->spec, error);
  if (vgpu == NULL || !attach (self, vgpu, error))
    return NULL;
  return g_steal_pointer (&self);
}

GvtSession *
gvt_session_new (const char *device, int fd, GError **error)
{
  return open_session (device, fd, NULL, error);
}

static void
wake (GvtSession *self)
{
  if (self->wake_hook != NULL)
    self->wake_hook (self->wake_data);
}

static gboolean
on_qemu_exit (int fd, GIOCondition condition, gpointer data)
{
  GvtSession *self = data;

  g_message ("%s: QEMU (pid %d) exited", self->name ? self->name : "the VM", self->qemu_pid);
  self->qemu_exited = TRUE;
  self->qemu_watch = 0;
  wake (self);
  return G_SOURCE_REMOVE;
}

static void
on_vm_event (GvtVm *vm, gpointer data)
{
  wake (data);
}

/* A pidfd is readable once the process has exited. */
static gboolean
watch_qemu (GvtSession *self, int pid, GError **error)
{
  self->qemu_pid = pid;
  self->qemu_pidfd = pidfd_open (pid, 0);
  if (self->qemu_pidfd < 0 && errno == ESRCH)
    {
      self->qemu_pidfd = -1;
      self->qemu_exited = TRUE;
      return TRUE;
    }
  if (self->qemu_pidfd < 0)
    {
      int e = errno;
      self->qemu_pidfd = -1;
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED, "cannot watch QEMU (pid %d): %s", pid,
                   g_strerror (e));
      return FALSE;
    }
  self->qemu_watch = g_unix_fd_add (self->qemu_pidfd, G_IO_IN, on_qemu_exit, self);
  return TRUE;
}

GvtSession *
gvt_session_new_full (const GvtSessionConfig *config, GError **error)
{
  g_autoptr (GvtSession) self = NULL;

  if (config->device != NULL || config->fd >= 0 || config->qmp == NULL)
    {
      self = open_session (config->device, config->fd, &config->edid, error);
      if (self == NULL)
        return NULL;
    }
  else
    {
      self = session_alloc ();
      /* For a vGPU attached later (gvt_session_attach_vgpu). */
      self->edid = gvt_edid_policy_new (&config->edid);
    }
  if (config->qemu_pid > 0 && !watch_qemu (self, config->qemu_pid, error))
    return NULL;
  if (config->qmp == NULL)
    return g_steal_pointer (&self);

  self->vm = gvt_vm_new (config->qmp);
  g_autoptr (GError) link_error = NULL;
  if (!gvt_vm_wait_ready (self->vm, &link_error))
    {
      if (!config->qmp_optional || !self->has_device)
        {
          g_propagate_error (error, g_steal_pointer (&link_error));
          return NULL;
        }
      g_message ("%s; showing the vGPU without the QEMU link (no input, no boot display, no "
                 "VM states)", link_error->message);
      g_clear_pointer (&self->vm, gvt_vm_free);
      return g_steal_pointer (&self);
    }
  /* Events up to now are the past; the state says what matters. */
  gvt_vm_take_events (self->vm);
  gvt_vm_set_notify (self->vm, on_vm_event, self);
  self->fallback = gvt_source_ramfb_new (self->vm, config->ramfb, error);
  if (self->fallback == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

static gint64
thread_cpu_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

GvtSession *
gvt_session_new_demo (const GvtDemoConfig *config, gint64 freeze_at_us)
{
  GvtSession *self = session_alloc ();
  GvtVgpu *vgpu = gvt_sim_new (GVT_SIM_DMABUF, GVT_SIM_QUIRK_NONE, DEMO_MAX_XRES, DEMO_MAX_YRES);

  self->guest = gvt_demo_guest_new (gvt_vgpu_get_sim (vgpu), config);
  self->freeze_at_us = freeze_at_us;
  /* The sim has a display: this can't fail. */
  if (!attach (self, vgpu, NULL))
    g_assert_not_reached ();
  g_free (self->name);
  self->name = g_strdup ("demo");
  return self;
}

void
gvt_session_set_fallback (GvtSession *self, GvtSource *fallback)
{
  g_return_if_fail (self->fallback == NULL);
  self->fallback = fallback;
}

static gboolean
can_reopen (GvtSession *self)
{
  /* An fd, or QEMU's (gone with QEMU): nothing to open again. */
  return self->has_spec && self->spec.kind != GVT_DEVICE_FD && self->spec.kind != GVT_DEVICE_QEMU;
}

void
gvt_session_set_release_hook (GvtSession *self, GvtSessionReleaseFunc func, gpointer data)
{
  self->release_hook = func;
  self->release_data = data;
}

void
gvt_session_set_wake_hook (GvtSession *self, GvtSessionWakeFunc func, gpointer data)
{
  self->wake_hook = func;
  self->wake_data = data;
}

static GvtSourceChange
try_reopen (GvtSession *self, gint64 now_us)
{
  g_autoptr (GError) error = NULL;

  if (!can_reopen (self) || now_us < self->next_reopen_us)
    return GVT_SOURCE_NOTHING;
  self->next_reopen_us = now_us + GVT_SESSION_REOPEN_INTERVAL_US;
  GvtVgpu *vgpu = gvt_device_open_spec (&self->spec, &error);
  GvtSourceChange change = GVT_SOURCE_NOTHING;
  if (vgpu != NULL && attach (self, vgpu, &error))
    {
      change = gvt_source_poll (self->vgpu, now_us);
      if (gvt_source_get_state (self->vgpu) == GVT_SOURCE_STATE_LOST)
        {
          /* Opened, and gone again at the first query (a device being
           * removed still opens): not back, and not lost a second time. */
          g_set_error (&error, GVT_ERROR, GVT_ERROR_LOST, "%s",
                       gvt_source_get_reason (self->vgpu));
          close_device (self);
        }
    }
  if (self->vgpu == NULL)
    {
      /* Said once; the screen keeps saying it. */
      if (self->failed_reopens++ == 0)
        g_message ("%s is not back yet: %s (trying every %d s)", self->spec.text,
                   error->message, (int) (GVT_SESSION_REOPEN_INTERVAL_US / G_USEC_PER_SEC));
      else
        g_debug ("reopening %s: %s", self->spec.text, error->message);
      return GVT_SOURCE_NOTHING;
    }
  g_message ("%s is back", self->spec.text);
  self->reopens++;
  self->failed_reopens = 0;
  g_clear_pointer (&self->lost_reason, g_free);
  return GVT_SOURCE_PRIMARY_CHANGED | change;
}

static GvtSourceChange
poll_vgpu (GvtSession *self, gint64 now_us)
{
  if (self->vgpu == NULL)
    return try_reopen (self, now_us);

  if (self->guest != NULL)
    {
      if (self->start_us == 0)
        self->start_us = now_us;
      gint64 t0 = thread_cpu_us ();
      gvt_demo_guest_step (self->guest, self->freeze_at_us >= 0 ? self->freeze_at_us
                                                                 : now_us - self->start_us);
      self->guest_cpu_us += thread_cpu_us () - t0;
    }
  GvtSourceChange change = gvt_source_poll (self->vgpu, now_us);
  const char *edid_lost = NULL;
  gboolean lost = gvt_source_get_state (self->vgpu) == GVT_SOURCE_STATE_LOST;
  /* Giving the guest an EDID can be what finds the device gone. */
  if (lost || gvt_edid_policy_take_lost (self->edid, &edid_lost))
    {
      /* Close at once: held dma-bufs pin guest memory and a held device
       * keeps the vGPU alive. */
      g_free (self->lost_reason);
      self->lost_reason = g_strdup (lost ? gvt_source_get_reason (self->vgpu) : edid_lost);
      g_message ("%s: device lost: %s%s", self->name, self->lost_reason,
                 can_reopen (self) ? "; reopening it until it is back" : "");
      close_device (self);
      self->next_reopen_us = now_us + GVT_SESSION_REOPEN_INTERVAL_US;
      return change | GVT_SOURCE_LOST;
    }
  return change;
}

/* The vGPU's picture first — also a plane it refuses, so that the user
 * learns why — and the fallback's only while the vGPU shows nothing (or
 * always, without a vGPU). */
static GvtSource *
pick (GvtSession *self)
{
  GvtSourceState vgpu_state = self->vgpu ? gvt_source_get_state (self->vgpu)
                                         : GVT_SOURCE_STATE_LOST;

  if (vgpu_state == GVT_SOURCE_STATE_LIVE || vgpu_state == GVT_SOURCE_STATE_INVALID)
    return self->vgpu;
  if (self->fallback != NULL
      && (!self->has_device || gvt_source_get_state (self->fallback) == GVT_SOURCE_STATE_LIVE))
    return self->fallback;
  return self->vgpu;
}

/* What the VM did since the last tick. A reset makes every dma-buf id
 * stale (the guest's driver starts over); a shutdown or QEMU's exit ends
 * the pictures: let go of every buffer (a held dma-buf pins guest memory),
 * after the window had its last look. */
static GvtSourceChange
follow_vm (GvtSession *self)
{
  GvtVmEvents events = self->vm ? gvt_vm_take_events (self->vm) : 0;
  GvtSourceChange change = GVT_SOURCE_NOTHING;
  /* The copy of QEMU's device goes below: nothing to start over on it. */
  gboolean closing = self->qemu_exited && !self->qemu_exit_handled;

  /* QEMU's exit is known from its process too: with no QMP link, or
   * before the link sees the socket close. */
  if (closing)
    events |= GVT_VM_EVENT_GONE;

  if (events & (GVT_VM_EVENT_SHUTDOWN | GVT_VM_EVENT_GONE))
    {
      if (self->release_hook != NULL && self->shown != NULL
          && gvt_source_get_primary (self->shown) != NULL)
        self->release_hook (gvt_source_get_primary (self->shown),
                            gvt_source_get_cursor (self->shown), self->release_data);
      g_debug ("%s: the VM is %s: every buffer goes", self->name,
               events & GVT_VM_EVENT_GONE ? "gone" : "off");
    }
  if (events & (GVT_VM_EVENT_RESET | GVT_VM_EVENT_SHUTDOWN | GVT_VM_EVENT_GONE
                | GVT_VM_EVENT_CONNECTED))
    {
      if (self->vgpu != NULL && !closing)
        gvt_source_drop (self->vgpu);
      if (self->fallback != NULL)
        {
          if (events & GVT_VM_EVENT_RESET)
            gvt_source_ramfb_fetch_soon (self->fallback);
          else
            gvt_source_drop (self->fallback);
        }
      change = GVT_SOURCE_PRIMARY_CHANGED | GVT_SOURCE_CURSOR_IMAGE_CHANGED;
    }
  if (closing)
    {
      /* The copy of QEMU's device fd would keep the vGPU (and its pinned
       * memory, and the group) alive past QEMU: it goes now. */
      self->qemu_exit_handled = TRUE;
      close_device (self);
      self->has_device = FALSE;
    }
  return change;
}

GvtSourceChange
gvt_session_poll (GvtSession *self, gint64 now_us)
{
  GvtSourceChange vm_change = follow_vm (self);
  GvtVmState vm_state = gvt_session_get_vm_state (self);

  /* An off or gone VM has no pictures to poll for: whatever its vGPU
   * still shows is not to be taken again. */
  if (vm_state == GVT_VM_SHUT_DOWN || vm_state == GVT_VM_GONE)
    {
      GvtSource *shown = pick (self);
      self->shown = shown;
      return vm_change;
    }

  GvtSourceChange vgpu_change = self->has_device ? poll_vgpu (self, now_us) : GVT_SOURCE_NOTHING;
  GvtSourceChange fallback_change = GVT_SOURCE_NOTHING;
  GvtSourceState vgpu_state = self->vgpu ? gvt_source_get_state (self->vgpu)
                                         : GVT_SOURCE_STATE_LOST;
  if (vgpu_state == GVT_SOURCE_STATE_LIVE || vgpu_state == GVT_SOURCE_STATE_INVALID)
    {
      /* The vGPU has the screen: no screendumps meanwhile, and none kept
       * (a reboot must not flash the picture from before the driver). */
      if (self->fallback != NULL && !self->fallback_idle)
        gvt_source_drop (self->fallback);
      self->fallback_idle = TRUE;
    }
  else if (self->fallback != NULL)
    {
      self->fallback_idle = FALSE;
      fallback_change = gvt_source_poll (self->fallback, now_us);
    }
  GvtSource *shown = pick (self);
  /* A loss is reported whatever is shown: the buffers went with it. */
  GvtSourceChange change = (vgpu_change & GVT_SOURCE_LOST) | vm_change;

  if (shown != self->shown)
    {
      g_debug ("showing %s", shown ? gvt_source_get_name (shown) : "nothing");
      self->shown = shown;
      return change | GVT_SOURCE_PRIMARY_CHANGED | GVT_SOURCE_CURSOR_IMAGE_CHANGED;
    }
  if (shown == NULL)
    return change | (vgpu_change & GVT_SOURCE_PRIMARY_CHANGED);
  return change | (shown == self->vgpu ? vgpu_change : fallback_change);
}

GvtSourceState
gvt_session_get_state (GvtSession *self)
{
  return self->shown ? gvt_source_get_state (self->shown)
         : self->vgpu ? gvt_source_get_state (self->vgpu) : GVT_SOURCE_STATE_LOST;
}

const char *
gvt_session_get_reason (GvtSession *self)
{
  if (self->shown != NULL)
    return gvt_source_get_reason (self->shown);
  return self->vgpu ? gvt_source_get_reason (self->vgpu) : self->lost_reason;
}

GvtPlane *
gvt_session_get_primary (GvtSession *self)
{
  return self->shown ? gvt_source_get_primary (self->shown) : NULL;
}

GvtPlane *
gvt_session_get_cursor (GvtSession *self)
{
  return self->shown ? gvt_source_get_cursor (self->shown) : NULL;
}

void
gvt_session_request_guest_size (GvtSession *self, guint width, guint height)
{
  if (self->edid != NULL)
    gvt_edid_policy_request (self->edid, width, height);
}

void
gvt_session_get_edid_state (GvtSession *self, GvtEdidState *state)
{
  if (self->edid != NULL)
    gvt_edid_policy_get_state (self->edid, state);
  else
    *state = (GvtEdidState) { 0 };
}

GvtSource *gvt_session_get_shown (GvtSession *self) { return self->shown; }
GvtVm *gvt_session_get_vm (GvtSession *self) { return self->vm; }
GvtSource *gvt_session_get_fallback (GvtSession *self) { return self->fallback; }

GvtVmState
gvt_session_get_vm_state (GvtSession *self)
{
  if (self->qemu_exited)
    return GVT_VM_GONE;
  return self->vm ? gvt_vm_get_state (self->vm) : GVT_VM_NONE;
}

void
gvt_session_get_scanout_stats (GvtSession *self, GvtScanoutStats *stats)
{
  GvtScanout *scanout = gvt_source_scanout_get_scanout (self->vgpu);

  if (scanout != NULL)
    gvt_scanout_get_stats (scanout, stats);
  else
    *stats = (GvtScanoutStats) { 0 };
}

const char *
gvt_session_get_name (GvtSession *self)
{
  /* Only the QEMU link: the console it shows, once it knows which. */
  if (!self->has_device && self->fallback != NULL)
    return gvt_source_get_name (self->fallback);
  return self->name;
}
gint64 gvt_session_get_guest_cpu_us (GvtSession *self) { return self->guest_cpu_us; }
gboolean gvt_session_can_reopen (GvtSession *self) { return can_reopen (self); }
guint gvt_session_get_reopens (GvtSession *self) { return self->reopens; }

const char *
gvt_session_get_device (GvtSession *self)
{
  return can_reopen (self) ? self->spec.text : NULL;
}

gboolean
gvt_session_simulate_cursor (GvtSession *self, guint32 x, guint32 y)
{
  GvtVgpu *vgpu = gvt_source_scanout_get_vgpu (self->vgpu);
  GvtSim *sim = vgpu ? gvt_vgpu_get_sim (vgpu) : NULL;
  guint8 *pixels;

  if (sim == NULL)
    return FALSE;
  gvt_sim_set_cursor (sim, GVT_DEMO_CURSOR_SIZE, GVT_DEMO_CURSOR_HOT_X, GVT_DEMO_CURSOR_HOT_Y);
  pixels = gvt_sim_get_cursor_pixels (sim);
  if (pixels == NULL)
    return FALSE;
  gvt_demo_paint_cursor (pixels, GVT_DEMO_CURSOR_SIZE);
  gvt_sim_move_cursor (sim, x, y);
  return TRUE;
}

gboolean
gvt_session_simulate_loss (GvtSession *self)
{
  GvtVgpu *vgpu = gvt_source_scanout_get_vgpu (self->vgpu);
  GvtSim *sim = vgpu ? gvt_vgpu_get_sim (vgpu) : NULL;

  if (sim == NULL)
    return FALSE;
  gvt_sim_lose_device (sim);
  return TRUE;
}
