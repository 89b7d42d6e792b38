/* The EDID policy: window sizes, debounced, into the guest's preferred
 * mode. */
#include <string.h>

#include "edid-policy.h"
#include "common/gvt-error.h"
#include "common/size.h"
#include "vgpu/edid.h"

/* A device that keeps refusing is named at most this often. */
#define LOG_INTERVAL_US (60 * G_USEC_PER_SEC)

struct _GvtEdidPolicy {
  GvtEdidConfig config;
  GMainContext *context;
  GSource *timer;            /* the pause after the last request, or NULL */
  guint pending_w, pending_h;

  GvtVgpu *vgpu;             /* borrowed between attach and detach */
  char *name;
  GvtEdidRegion *region;     /* NULL: none, or not looked for (OFF) */
  guint given_w, given_h;    /* what this device got from us; 0: nothing yet */
  gboolean said_once;        /* a limit or no EDID said: once per policy, not per reopen */

  guint wanted_w, wanted_h;
  guint preferred_w, preferred_h;
  guint requests, writes, failures;

  char *lost_reason;
  gboolean lost;

  char *last_failure;        /* the message logged last */
  gint64 next_log_us;
  guint unlogged;
};

const char *
gvt_edid_mode_to_string (GvtEdidMode mode)
{
  switch (mode)
    {
    case GVT_EDID_FIXED: return "fixed";
    case GVT_EDID_OFF: return "off";
    case GVT_EDID_FOLLOW:
    default: return "follow";
    }
}

void
gvt_edid_policy_clamp (guint32 max_xres, guint32 max_yres, guint width, guint height,
                       guint *out_width, guint *out_height)
{
  guint w = MAX (width, GVT_EDID_MIN_WIDTH);
  guint h = MAX (height, GVT_EDID_MIN_HEIGHT);

  /* A device's limit wins over the minimum: it can't show more. */
  if (max_xres != 0)
    w = MIN (w, max_xres);
  if (max_yres != 0)
    h = MIN (h, max_yres);
  /* Beyond a detailed timing (a 5K or 8K fullscreen window): both sides
   * shrink by one factor, the widest that fits, so that the guest's
   * desktop keeps the window's shape. */
  if (gvt_edid_mode_too_large (w, h))
    {
      guint lo = 1, hi = w;
      while (lo < hi)
        {
          guint mid = lo + (hi - lo + 1) / 2;
          if (gvt_edid_mode_too_large (mid, (guint) ((guint64) h * mid / w)))
            hi = mid - 1;
          else
            lo = mid;
        }
      guint sh = (guint) ((guint64) h * lo / w);
      /* An extreme shape keeps the minimum on its short side. */
      w = MAX (lo, MIN (w, GVT_EDID_MIN_WIDTH));
      h = MAX (sh, MIN (h, GVT_EDID_MIN_HEIGHT));
    }
  /* Guest drivers, compositors and encoders trip over odd sizes. */
  *out_width = w >= 2 ? w & ~1u : w;
  *out_height = h >= 2 ? h & ~1u : h;
}

gboolean
gvt_edid_config_parse (const char *edid, const char *resolution, GvtEdidConfig *config,
                       GError **error)
{
  GvtEdidConfig out = { .mode = GVT_EDID_FOLLOW };

  if (edid != NULL && strcmp (edid, "off") == 0)
    out.mode = GVT_EDID_OFF;
  else if (edid != NULL && strcmp (edid, "on") != 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "--edid '%s': use on (the guest resolution follows the window) or off "
                   "(the guest's EDID is left alone)", edid);
      return FALSE;
    }

  if (resolution != NULL)
    {
      guint w, h;
      guint8 block[GVT_EDID_BLOCK_SIZE];

      if (out.mode == GVT_EDID_OFF)
        {
          g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                       "--resolution gives the guest an EDID and --edid off leaves its EDID "
                       "alone: use one of them");
          return FALSE;
        }
      if (!gvt_size_parse_arg ("--resolution", resolution, &w, &h, error))
        return FALSE;
      if (w < GVT_EDID_MIN_WIDTH || h < GVT_EDID_MIN_HEIGHT)
        {
          g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                       "--resolution %ux%u: the smallest mode gvt-view gives a guest is %dx%d",
                       w, h, GVT_EDID_MIN_WIDTH, GVT_EDID_MIN_HEIGHT);
          return FALSE;
        }
      if (w % 2 != 0 || h % 2 != 0)
        {
          g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                       "--resolution %ux%u: use even numbers (guest drivers and video "
                       "encoders trip over odd sizes), e.g. %ux%u", w, h, w & ~1u, h & ~1u);
          return FALSE;
        }
      if (!gvt_edid_generate (w, h, 0, 0, block))
        {
          g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                       "--resolution %ux%u: an EDID can't describe that mode at 60 Hz "
                       "(at most 4095 pixels a side and a 655.35 MHz pixel clock, e.g. "
                       "3840x2160)", w, h);
          return FALSE;
        }
      out.mode = GVT_EDID_FIXED;
      out.width = w;
      out.height = h;
    }
  *config = out;
  return TRUE;
}

GvtEdidPolicy *
gvt_edid_policy_new (const GvtEdidConfig *config)
{
  GvtEdidPolicy *self = g_new0 (GvtEdidPolicy, 1);

  if (config != NULL)
    self->config = *config;
  if (self->config.debounce_ms == 0)
    self->config.debounce_ms = GVT_EDID_POLICY_DEBOUNCE_MS;
  if (self->config.mode == GVT_EDID_FIXED)
    {
      self->wanted_w = self->config.width;
      self->wanted_h = self->config.height;
    }
  self->context = g_main_context_ref_thread_default ();
  return self;
}

static void
cancel_timer (GvtEdidPolicy *self)
{
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
}

void
gvt_edid_policy_free (GvtEdidPolicy *self)
{
  if (self == NULL)
    return;
  cancel_timer (self);
  gvt_edid_policy_detach (self);
  g_main_context_unref (self->context);
  g_free (self->lost_reason);
  g_free (self->last_failure);
  g_free (self->name);
  g_free (self);
}

/* Refusals are worth a warning, but not one per window resize: the same
 * words again only after a while, with a count of the ones not shown. */
static void
log_failure (GvtEdidPolicy *self, guint w, guint h, const GError *error)
{
  gint64 now = g_get_monotonic_time ();

  self->failures++;
  if (g_strcmp0 (self->last_failure, error->message) == 0 && now < self->next_log_us)
    {
      self->unlogged++;
      g_debug ("%s: cannot give the guest a %ux%u EDID: %s", self->name, w, h, error->message);
      return;
    }
  if (self->unlogged > 0)
    g_warning ("%s: cannot give the guest a %ux%u EDID: %s (%u more refusals since the last "
               "time this was said)", self->name, w, h, error->message, self->unlogged);
  else
    g_warning ("%s: cannot give the guest a %ux%u EDID: %s; its resolution stays as it is",
               self->name, w, h, error->message);
  g_free (self->last_failure);
  self->last_failure = g_strdup (error->message);
  self->next_log_us = now + LOG_INTERVAL_US;
  self->unlogged = 0;
}

/* Gives the attached device the wanted mode, if it hasn't it already. */
static void
give_wanted (GvtEdidPolicy *self)
{
  g_autoptr (GError) error = NULL;
  guint w, h;

  if (self->region == NULL || self->lost || self->wanted_w == 0)
    return;
  gvt_edid_policy_clamp (gvt_edid_region_get_max_xres (self->region),
                         gvt_edid_region_get_max_yres (self->region), self->wanted_w,
                         self->wanted_h, &w, &h);
  if (w == self->given_w && h == self->given_h)
    {
      g_debug ("%s: the guest has its %ux%u EDID already", self->name, w, h);
      return;
    }
  if (!gvt_edid_region_set_mode (self->region, w, h, &error))
    {
      if (g_error_matches (error, GVT_ERROR, GVT_ERROR_LOST))
        {
          /* The session says it, as for any loss. */
          g_free (self->lost_reason);
          self->lost_reason = g_strdup (error->message);
          self->lost = TRUE;
          return;
        }
      log_failure (self, w, h, error);
      return;
    }
  g_debug ("%s: the guest's preferred mode is %ux%u now (for %ux%u)", self->name, w, h,
           self->wanted_w, self->wanted_h);
  self->given_w = self->preferred_w = w;
  self->given_h = self->preferred_h = h;
  self->writes++;
}

void
gvt_edid_policy_attach (GvtEdidPolicy *self, GvtVgpu *vgpu, const char *name)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (self->vgpu == NULL);
  self->vgpu = vgpu;
  g_free (self->name);
  self->name = g_strdup (name);
  self->given_w = self->given_h = 0;
  self->lost = FALSE;
  if (self->config.mode == GVT_EDID_OFF)
    return;

  self->region = gvt_edid_region_find (vgpu, &error);
  if (self->region == NULL)
    {
      if (g_error_matches (error, GVT_ERROR, GVT_ERROR_LOST))
        {
          g_free (self->lost_reason);
          self->lost_reason = g_strdup (error->message);
          self->lost = TRUE;
        }
      else if (!self->said_once)
        {
          self->said_once = TRUE;
          if (self->config.mode == GVT_EDID_FIXED)
            g_message ("%s: --resolution %ux%u can't be given to the guest: %s", name,
                       self->config.width, self->config.height, error->message);
          /* A missing region: its own words say what it means. */
          else if (g_error_matches (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED))
            g_message ("%s", error->message);
          else
            g_message ("%s: the guest resolution can't follow the window: %s", name,
                       error->message);
        }
      else
        g_debug ("%s: no EDID: %s", name, error->message);
      return;
    }

  if (self->config.mode == GVT_EDID_FIXED)
    {
      guint w, h;
      gvt_edid_policy_clamp (gvt_edid_region_get_max_xres (self->region),
                             gvt_edid_region_get_max_yres (self->region), self->config.width,
                             self->config.height, &w, &h);
      if ((w != self->config.width || h != self->config.height) && !self->said_once)
        {
          self->said_once = TRUE;
          g_message ("%s: --resolution %ux%u is more than the vGPU takes (%ux%u at most): "
                     "the guest gets %ux%u", name, self->config.width, self->config.height,
                     gvt_edid_region_get_max_xres (self->region),
                     gvt_edid_region_get_max_yres (self->region), w, h);
        }
    }
  give_wanted (self);
}

void
gvt_edid_policy_detach (GvtEdidPolicy *self)
{
  g_clear_pointer (&self->region, gvt_edid_region_free);
  self->vgpu = NULL;
  self->given_w = self->given_h = 0;
}

static gboolean
on_pause_over (gpointer data)
{
  GvtEdidPolicy *self = data;

  g_clear_pointer (&self->timer, g_source_unref);
  self->wanted_w = self->pending_w;
  self->wanted_h = self->pending_h;
  give_wanted (self);
  return G_SOURCE_REMOVE;
}

void
gvt_edid_policy_request (GvtEdidPolicy *self, guint width, guint height)
{
  self->requests++;
  if (self->config.mode != GVT_EDID_FOLLOW || width == 0 || height == 0)
    return;
  /* Every request starts the pause again: while the user drags, nothing
   * reaches the guest. */
  cancel_timer (self);
  self->pending_w = width;
  self->pending_h = height;
  self->timer = g_timeout_source_new (self->config.debounce_ms);
  g_source_set_callback (self->timer, on_pause_over, self, NULL);
  g_source_set_name (self->timer, "gvt-view EDID pause");
  g_source_attach (self->timer, self->context);
}

gboolean
gvt_edid_policy_take_lost (GvtEdidPolicy *self, const char **reason)
{
  if (!self->lost)
    return FALSE;
  self->lost = FALSE;
  if (reason != NULL)
    *reason = self->lost_reason;
  return TRUE;
}

void
gvt_edid_policy_get_state (GvtEdidPolicy *self, GvtEdidState *state)
{
  *state = (GvtEdidState) {
    .mode = self->config.mode,
    .has_region = self->region != NULL,
    .requests = self->requests,
    .writes = self->writes,
    .failures = self->failures,
    .pending = self->timer != NULL,
    .wanted_width = self->wanted_w,
    .wanted_height = self->wanted_h,
    .preferred_width = self->preferred_w,
    .preferred_height = self->preferred_h,
  };
}
