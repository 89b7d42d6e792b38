/* The --stats-file document: every field under its name, optional groups
 * only when present, written atomically. */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ui/stats-file.h"

static JsonObject *
parse (const char *text, JsonParser *parser)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_fields (void)
{
  GvtStatsReport r = {
    .stats_writes = 3, .state = "live", .surface = "x11-egl", .gl_ready = TRUE,
    .frames_presented = 120, .ticks = 125, .live_ticks = 121, .plane_updates = 7, .primary_updates = 4,
    .repeats = 113, .live_images = 2, .live_textures = 2, .cached_buffers = 2,
    .fps = 59.5, .path = "import", .scale = "fit", .title = "t", .message = "", .detail = "",
    .has_guest = TRUE, .guest_width = 1920, .guest_height = 1080, .fourcc = "XR24",
    .modifier = "linear", .width = 800, .scale_factor = 2,
    .source = "ramfb", .vm = "paused", .vm_connects = 2, .ramfb_fetches = 9, .dimmed = TRUE,
    .input = "absolute", .grabbed = TRUE, .keys_down = 3, .input_commands = 42,
    .relative_pointer = "locked", .pointer_locked = TRUE, .shortcuts_inhibited = TRUE,
    .has_view = TRUE, .view_offset_x = 233.5, .view_offset_y = 0, .view_scale_x = 0.75,
    .view_scale_y = 0.75,
    .edid = { .mode = GVT_EDID_FIXED, .has_region = TRUE, .requests = 5, .writes = 1,
              .failures = 2, .preferred_width = 1280, .preferred_height = 720 },
  };
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *text = gvt_stats_report_to_json (&r);
  JsonObject *o = parse (text, parser);

  g_assert_cmpint (json_object_get_int_member (o, "stats_writes"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "live");
  g_assert_cmpint (json_object_get_int_member (o, "frames_presented"), ==, 120);
  g_assert_cmpint (json_object_get_int_member (o, "repeats"), ==, 113);
  g_assert_cmpint (json_object_get_int_member (o, "plane_updates"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (o, "primary_updates"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (o, "live_images"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (o, "cached_buffers"), ==, 2);
  g_assert_cmpfloat (json_object_get_double_member (o, "fps"), ==, 59.5);
  g_assert_true (json_object_get_boolean_member (o, "gl_ready"));
  g_assert_cmpint (json_object_get_int_member (o, "guest_width"), ==, 1920);
  g_assert_cmpstr (json_object_get_string_member (o, "modifier"), ==, "linear");
  g_assert_cmpint (json_object_get_int_member (o, "scale_factor"), ==, 2);
  g_assert_false (json_object_has_member (o, "cpu_frames"));
  g_assert_false (json_object_has_member (o, "keepalives"));
  g_assert_cmpstr (json_object_get_string_member (o, "source"), ==, "ramfb");
  g_assert_cmpstr (json_object_get_string_member (o, "vm"), ==, "paused");
  g_assert_cmpint (json_object_get_int_member (o, "vm_connects"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (o, "ramfb_fetches"), ==, 9);
  g_assert_true (json_object_get_boolean_member (o, "dimmed"));
  g_assert_cmpstr (json_object_get_string_member (o, "input"), ==, "absolute");
  g_assert_true (json_object_get_boolean_member (o, "grabbed"));
  g_assert_cmpstr (json_object_get_string_member (o, "relative_pointer"), ==, "locked");
  g_assert_true (json_object_get_boolean_member (o, "pointer_locked"));
  g_assert_true (json_object_get_boolean_member (o, "shortcuts_inhibited"));
  g_assert_cmpint (json_object_get_int_member (o, "keys_down"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (o, "input_commands"), ==, 42);
  g_assert_cmpfloat (json_object_get_double_member (o, "view_offset_x"), ==, 233.5);
  g_assert_cmpfloat (json_object_get_double_member (o, "view_scale_y"), ==, 0.75);
  g_assert_cmpstr (json_object_get_string_member (o, "edid"), ==, "fixed");
  g_assert_true (json_object_get_boolean_member (o, "edid_region"));
  g_assert_cmpint (json_object_get_int_member (o, "edid_requests"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (o, "edid_writes"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (o, "edid_failures"), ==, 2);
  g_assert_false (json_object_get_boolean_member (o, "edid_pending"));
  g_assert_cmpstr (json_object_get_string_member (o, "guest_preferred"), ==, "1280x720");

  r.has_guest = FALSE;
  r.has_cpu = TRUE;
  r.cpu_frames = 600;
  r.cpu_main_us = 12345;
  g_autoptr (JsonParser) parser2 = json_parser_new ();
  g_autofree char *text2 = gvt_stats_report_to_json (&r);
  o = parse (text2, parser2);
  g_assert_false (json_object_has_member (o, "guest_width"));
  /* No QEMU link: said as such, never absent. */
  r.source = NULL, r.vm = NULL, r.input = NULL, r.has_view = FALSE, r.relative_pointer = NULL;
  g_autoptr (JsonParser) parser3 = json_parser_new ();
  g_autofree char *text3 = gvt_stats_report_to_json (&r);
  JsonObject *o3 = parse (text3, parser3);
  g_assert_cmpstr (json_object_get_string_member (o3, "source"), ==, "none");
  g_assert_cmpstr (json_object_get_string_member (o3, "vm"), ==, "none");
  g_assert_cmpstr (json_object_get_string_member (o3, "input"), ==, "off");
  g_assert_cmpstr (json_object_get_string_member (o3, "relative_pointer"), ==, "none");
  /* No EDID given: none preferred. */
  r.edid = (GvtEdidState) { 0 };
  g_autoptr (JsonParser) parser4 = json_parser_new ();
  g_autofree char *text4 = gvt_stats_report_to_json (&r);
  JsonObject *o4 = parse (text4, parser4);
  g_assert_cmpstr (json_object_get_string_member (o4, "edid"), ==, "follow");
  g_assert_cmpstr (json_object_get_string_member (o4, "guest_preferred"), ==, "none");
  /* No frame drawn yet: no view to report. */
  g_assert_false (json_object_has_member (o3, "view_offset_x"));
  g_assert_cmpint (json_object_get_int_member (o, "cpu_frames"), ==, 600);
  g_assert_cmpint (json_object_get_int_member (o, "cpu_main_us"), ==, 12345);
}

static void
test_write (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gvt-stats-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "stats.json", NULL);
  g_autofree char *bad = g_build_filename (dir, "missing", "stats.json", NULL);
  GvtStatsReport r = { .state = "no-signal", .surface = "x11-egl", .path = "none",
                       .scale = "fit", .title = "", .message = "", .detail = "" };
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_true (gvt_stats_report_write (&r, path, &error));
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_cmpstr (json_object_get_string_member (parse (text, parser), "state"), ==, "no-signal");
  g_assert_false (gvt_stats_report_write (&r, bad, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_cpu_account (void)
{
  GvtCpuAccount cpu = { 0 };
  GvtStatsReport r = { 0 };
  volatile guint64 spin = 0;

  gvt_cpu_account_report (&cpu, 0, 0, &r);
  g_assert_false (r.has_cpu);
  gvt_cpu_account_start (&cpu, 1000, 10);
  /* A second start changes nothing: the count runs from the first. */
  GvtCpuAccount first = cpu;
  gvt_cpu_account_start (&cpu, 5000, 50);
  g_assert_cmpint (cpu.guest0_us, ==, first.guest0_us);
  g_assert_cmpuint (cpu.presents0, ==, 10);
  gint64 t0 = gvt_cpu_thread_us ();
  while (gvt_cpu_thread_us () - t0 < 20000)
    spin++;
  cpu.poll_us = 7;
  cpu.present_us = 11;
  gvt_cpu_account_report (&cpu, 4000, 70, &r);
  g_assert_true (r.has_cpu);
  g_assert_cmpuint (r.cpu_frames, ==, 60);
  g_assert_cmpint (r.cpu_guest_us, ==, 3000);
  g_assert_cmpint (r.cpu_main_us, >=, 20000);
  /* The process clock is read first: allow the microseconds between. */
  g_assert_cmpint (r.cpu_process_us, >=, r.cpu_main_us - 1000);
  g_assert_cmpint (r.cpu_wall_us, >=, 20000);
  g_assert_cmpint (r.cpu_poll_us, ==, 7);
  g_assert_cmpint (r.cpu_present_us, ==, 11);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ui/stats-file/fields", test_fields);
  g_test_add_func ("/ui/stats-file/write", test_write);
  g_test_add_func ("/ui/stats-file/cpu-account", test_cpu_account);
  return g_test_run ();
}
