/* The window's device: open, poll, lose, reopen. */
#include <time.h>

#include "source.h"
#include "../gvt-error.h"
#include "../vgpu/demo-guest.h"
#include "../vgpu/vgpu-sim.h"

struct _GvtUiSource {
  char *device;          /* reopenable name, or NULL */
  char *name;
  GvtVgpu *vgpu;         /* NULL while lost */
  GvtScanout *scanout;
  GvtDemoGuest *guest;   /* demo only */
  gint64 start_us;       /* demo: the guest's power-on, 0 until the first tick */
  gint64 freeze_at_us;
  char *lost_reason;
  gint64 next_reopen_us;
  guint reopens;
  guint failed_reopens;
  gint64 guest_cpu_us;
};

const char *
gvt_ui_state_to_string (GvtUiState state)
{
  switch (state)
    {
    case GVT_UI_STATE_NO_SIGNAL:   return "no-signal";
    case GVT_UI_STATE_LIVE:        return "live";
    case GVT_UI_STATE_UNSUPPORTED: return "unsupported";
    case GVT_UI_STATE_LOST:        return "lost";
    default:                       return "?";
    }
}

static void
close_device (GvtUiSource *self)
{
  g_clear_pointer (&self->guest, gvt_demo_guest_free);
  g_clear_pointer (&self->scanout, gvt_scanout_free);
  g_clear_pointer (&self->vgpu, gvt_vgpu_free);
}

void
gvt_ui_source_free (GvtUiSource *self)
{
  if (self == NULL)
    return;
  close_device (self);
  g_free (self->device);
  g_free (self->name);
  g_free (self->lost_reason);
  g_free (self);
}

static gboolean
attach (GvtUiSource *self, GvtVgpu *vgpu, GError **error)
{
  self->scanout = gvt_scanout_new (vgpu, error);
  if (self->scanout == NULL)
    {
      gvt_vgpu_free (vgpu);
      return FALSE;
    }
  self->vgpu = vgpu;
  g_free (self->name);
  self->name = g_strdup (gvt_vgpu_get_name (vgpu));
  return TRUE;
}

GvtUiSource *
gvt_ui_source_new_device (const char *device, int fd, GError **error)
{
  g_autoptr (GvtUiSource) self = g_new0 (GvtUiSource, 1);

  g_return_val_if_fail ((device == NULL) != (fd < 0), NULL);
  GvtVgpu *vgpu = device ? gvt_vgpu_open (device, error) : gvt_vgpu_open_fd (fd, error);
  if (vgpu == NULL || !attach (self, vgpu, error))
    return NULL;
  self->device = g_strdup (device);
  self->freeze_at_us = -1;
  return g_steal_pointer (&self);
}

static gint64
thread_cpu_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

GvtUiSource *
gvt_ui_source_new_demo (gint64 freeze_at_us)
{
  return gvt_ui_source_new_demo_sized (freeze_at_us, 0, 0);
}

GvtUiSource *
gvt_ui_source_new_demo_sized (gint64 freeze_at_us, guint width, guint height)
{
  GvtUiSource *self = g_new0 (GvtUiSource, 1);
  GvtVgpu *vgpu = gvt_sim_new (GVT_SIM_DMABUF, GVT_SIM_QUIRK_NONE, 3840, 2160);
  GvtDemoConfig config;

  gvt_demo_config_init (&config);
  if (width > 0 && height > 0)
    {
      config.firmware_us = 0;
      config.modes[0] = (GvtDemoMode) { width, height };
      config.n_modes = 1;
      config.mode_interval_us = 0;
    }
  self->guest = gvt_demo_guest_new (gvt_vgpu_get_sim (vgpu), &config);
  self->freeze_at_us = freeze_at_us;
  /* The sim has a display: this can't fail. */
  if (!attach (self, vgpu, NULL))
    g_assert_not_reached ();
  g_free (self->name);
  self->name = g_strdup ("demo");
  return self;
}

static GvtScanoutChange
try_reopen (GvtUiSource *self, gint64 now_us)
{
  g_autoptr (GError) error = NULL;

  if (self->device == NULL || now_us < self->next_reopen_us)
    return GVT_SCANOUT_NOTHING;
  self->next_reopen_us = now_us + GVT_UI_REOPEN_INTERVAL_US;
  GvtVgpu *vgpu = gvt_vgpu_open (self->device, &error);
  if (vgpu == NULL || !attach (self, vgpu, &error))
    {
      /* Said once; the screen keeps saying it. */
      if (self->failed_reopens++ == 0)
        g_message ("%s is not back yet: %s (trying every %d s)", self->device,
                   error->message, (int) (GVT_UI_REOPEN_INTERVAL_US / G_USEC_PER_SEC));
      else
        g_debug ("reopening %s: %s", self->device, error->message);
      return GVT_SCANOUT_NOTHING;
    }
  g_message ("%s is back", self->device);
  self->reopens++;
  self->failed_reopens = 0;
  g_clear_pointer (&self->lost_reason, g_free);
  return GVT_SCANOUT_PRIMARY_CHANGED | gvt_scanout_poll (self->scanout);
}

GvtScanoutChange
gvt_ui_source_poll (GvtUiSource *self, gint64 now_us)
{
  if (self->scanout == NULL)
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
  GvtScanoutChange change = gvt_scanout_poll (self->scanout);
  if (gvt_scanout_get_state (self->scanout) == GVT_SCANOUT_STATE_LOST)
    {
      /* Close at once: held dma-bufs pin guest memory and a held device
       * keeps the vGPU alive. */
      g_free (self->lost_reason);
      self->lost_reason = g_strdup (gvt_scanout_get_reason (self->scanout));
      g_message ("%s: device lost: %s%s", self->name, self->lost_reason,
                 self->device ? "; reopening it until it is back" : "");
      close_device (self);
      self->next_reopen_us = now_us + GVT_UI_REOPEN_INTERVAL_US;
      return change | GVT_SCANOUT_LOST;
    }
  return change;
}

GvtUiState
gvt_ui_source_get_state (GvtUiSource *self)
{
  if (self->scanout == NULL)
    return GVT_UI_STATE_LOST;
  switch (gvt_scanout_get_state (self->scanout))
    {
    case GVT_SCANOUT_STATE_LIVE:    return GVT_UI_STATE_LIVE;
    case GVT_SCANOUT_STATE_INVALID: return GVT_UI_STATE_UNSUPPORTED;
    case GVT_SCANOUT_STATE_LOST:    return GVT_UI_STATE_LOST;
    case GVT_SCANOUT_STATE_NO_SIGNAL:
    default:                        return GVT_UI_STATE_NO_SIGNAL;
    }
}

const char *
gvt_ui_source_get_reason (GvtUiSource *self)
{
  if (self->scanout == NULL)
    return self->lost_reason;
  return gvt_scanout_get_reason (self->scanout);
}

GvtPlane *
gvt_ui_source_get_primary (GvtUiSource *self)
{
  return self->scanout ? gvt_scanout_get_primary (self->scanout) : NULL;
}

GvtPlane *
gvt_ui_source_get_cursor (GvtUiSource *self)
{
  return self->scanout ? gvt_scanout_get_cursor (self->scanout) : NULL;
}

void
gvt_ui_source_get_scanout_stats (GvtUiSource *self, GvtScanoutStats *stats)
{
  if (self->scanout != NULL)
    gvt_scanout_get_stats (self->scanout, stats);
  else
    *stats = (GvtScanoutStats) { 0 };
}

const char *gvt_ui_source_get_name (GvtUiSource *self) { return self->name; }
gint64 gvt_ui_source_get_guest_cpu_us (GvtUiSource *self) { return self->guest_cpu_us; }
const char *gvt_ui_source_get_device (GvtUiSource *self) { return self->device; }
gboolean gvt_ui_source_can_reopen (GvtUiSource *self) { return self->device != NULL; }
guint gvt_ui_source_get_reopens (GvtUiSource *self) { return self->reopens; }

gboolean
gvt_ui_source_simulate_loss (GvtUiSource *self)
{
  GvtSim *sim = self->vgpu ? gvt_vgpu_get_sim (self->vgpu) : NULL;

  if (sim == NULL)
    return FALSE;
  gvt_sim_lose_device (sim);
  return TRUE;
}
