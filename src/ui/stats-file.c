/* The --stats-file document. */
#include <time.h>
#include <json-glib/json-glib.h>

#include "stats-file.h"

static gint64
clock_us (clockid_t clock)
{
  struct timespec ts;
  clock_gettime (clock, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

gint64 gvt_cpu_thread_us (void) { return clock_us (CLOCK_THREAD_CPUTIME_ID); }
gint64 gvt_cpu_process_us (void) { return clock_us (CLOCK_PROCESS_CPUTIME_ID); }

void
gvt_cpu_account_start (GvtCpuAccount *self, gint64 guest_us, guint64 presents)
{
  if (self->started)
    return;
  *self = (GvtCpuAccount) {
    .started = TRUE,
    .wall0_us = g_get_monotonic_time (),
    .process0_us = gvt_cpu_process_us (),
    .main0_us = gvt_cpu_thread_us (),
    .guest0_us = guest_us,
    .presents0 = presents,
  };
}

void
gvt_cpu_account_report (const GvtCpuAccount *self, gint64 guest_us, guint64 presents,
                        GvtStatsReport *r)
{
  r->has_cpu = self->started;
  if (!self->started)
    return;
  r->cpu_frames = presents - self->presents0;
  r->cpu_wall_us = g_get_monotonic_time () - self->wall0_us;
  r->cpu_process_us = gvt_cpu_process_us () - self->process0_us;
  r->cpu_main_us = gvt_cpu_thread_us () - self->main0_us;
  r->cpu_guest_us = guest_us - self->guest0_us;
  r->cpu_poll_us = self->poll_us;
  r->cpu_present_us = self->present_us;
}

#define ADD_INT(b, name, v) (json_builder_set_member_name (b, name), json_builder_add_int_value (b, (gint64) (v)))
#define ADD_STR(b, name, v) (json_builder_set_member_name (b, name), json_builder_add_string_value (b, v))
#define ADD_BOOL(b, name, v) (json_builder_set_member_name (b, name), json_builder_add_boolean_value (b, v))
#define ADD_DOUBLE(b, name, v) (json_builder_set_member_name (b, name), json_builder_add_double_value (b, v))

char *
gvt_stats_report_to_json (const GvtStatsReport *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  ADD_INT (b, "stats_writes", r->stats_writes);
  ADD_STR (b, "state", r->state);
  ADD_STR (b, "surface", r->surface);
  ADD_BOOL (b, "gl_ready", r->gl_ready);
  ADD_INT (b, "settles", r->settles);
  ADD_BOOL (b, "iconified", r->iconified);
  ADD_BOOL (b, "polling", r->polling);
  ADD_INT (b, "frames_presented", r->frames_presented);
  ADD_INT (b, "ticks", r->ticks);
  ADD_INT (b, "live_ticks", r->live_ticks);
  ADD_INT (b, "plane_updates", r->plane_updates);
  ADD_INT (b, "primary_updates", r->primary_updates);
  ADD_INT (b, "repeats", r->repeats);
  ADD_INT (b, "polls", r->polls);
  ADD_INT (b, "poll_us_total", r->poll_us_total);
  ADD_INT (b, "draw_us_total", r->draw_us_total);
  ADD_INT (b, "imports", r->imports);
  ADD_INT (b, "uploads", r->uploads);
  ADD_INT (b, "bytes_uploaded", r->bytes_uploaded);
  ADD_INT (b, "live_images", r->live_images);
  ADD_INT (b, "live_textures", r->live_textures);
  ADD_INT (b, "cached_buffers", r->cached_buffers);
  ADD_DOUBLE (b, "fps", r->fps);
  ADD_STR (b, "path", r->path);
  ADD_INT (b, "reopens", r->reopens);
  ADD_BOOL (b, "fullscreen", r->fullscreen);
  ADD_STR (b, "scale", r->scale);
  ADD_BOOL (b, "overlay", r->overlay);
  ADD_STR (b, "title", r->title);
  ADD_STR (b, "message", r->message);
  ADD_STR (b, "detail", r->detail);
  ADD_STR (b, "source", r->source ? r->source : "none");
  ADD_STR (b, "vm", r->vm ? r->vm : "none");
  ADD_INT (b, "vm_connects", r->vm_connects);
  ADD_INT (b, "ramfb_fetches", r->ramfb_fetches);
  ADD_BOOL (b, "dimmed", r->dimmed);
  ADD_STR (b, "input", r->input ? r->input : "off");
  ADD_BOOL (b, "grabbed", r->grabbed);
  ADD_STR (b, "relative_pointer", r->relative_pointer != NULL ? r->relative_pointer : "none");
  ADD_BOOL (b, "pointer_locked", r->pointer_locked);
  ADD_BOOL (b, "shortcuts_inhibited", r->shortcuts_inhibited);
  ADD_BOOL (b, "host_cursor", r->host_cursor);
  ADD_INT (b, "motion_poll_wait_us", r->motion_poll_wait_us);
  ADD_INT (b, "motion_waits", r->motion_waits);
  ADD_INT (b, "keys_down", r->keys_down);
  ADD_INT (b, "input_commands", r->input_commands);
  if (r->has_view)
    {
      ADD_DOUBLE (b, "view_offset_x", r->view_offset_x);
      ADD_DOUBLE (b, "view_offset_y", r->view_offset_y);
      ADD_DOUBLE (b, "view_scale_x", r->view_scale_x);
      ADD_DOUBLE (b, "view_scale_y", r->view_scale_y);
    }
  if (r->has_guest)
    {
      ADD_INT (b, "guest_width", r->guest_width);
      ADD_INT (b, "guest_height", r->guest_height);
      ADD_STR (b, "fourcc", r->fourcc);
      ADD_STR (b, "modifier", r->modifier);
    }
  ADD_STR (b, "edid", gvt_edid_mode_to_string (r->edid.mode));
  ADD_BOOL (b, "edid_region", r->edid.has_region);
  ADD_INT (b, "edid_requests", r->edid.requests);
  ADD_INT (b, "edid_writes", r->edid.writes);
  ADD_INT (b, "edid_failures", r->edid.failures);
  ADD_BOOL (b, "edid_pending", r->edid.pending);
  g_autofree char *preferred = r->edid.preferred_width > 0
    ? g_strdup_printf ("%ux%u", r->edid.preferred_width, r->edid.preferred_height)
    : g_strdup ("none");
  ADD_STR (b, "guest_preferred", preferred);
  ADD_INT (b, "x", r->x);
  ADD_INT (b, "y", r->y);
  ADD_INT (b, "width", r->width);
  ADD_INT (b, "height", r->height);
  ADD_INT (b, "scale_factor", r->scale_factor);
  ADD_INT (b, "workarea_width", r->workarea_width);
  ADD_INT (b, "workarea_height", r->workarea_height);
  if (r->has_cpu)
    {
      ADD_INT (b, "cpu_frames", r->cpu_frames);
      ADD_INT (b, "cpu_wall_us", r->cpu_wall_us);
      ADD_INT (b, "cpu_process_us", r->cpu_process_us);
      ADD_INT (b, "cpu_main_us", r->cpu_main_us);
      ADD_INT (b, "cpu_guest_us", r->cpu_guest_us);
      ADD_INT (b, "cpu_poll_us", r->cpu_poll_us);
      ADD_INT (b, "cpu_present_us", r->cpu_present_us);
    }
  json_builder_end_object (b);

  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

gboolean
gvt_stats_report_write (const GvtStatsReport *report, const char *path, GError **error)
{
  g_autofree char *text = gvt_stats_report_to_json (report);
  return g_file_set_contents (path, text, -1, error);
}
