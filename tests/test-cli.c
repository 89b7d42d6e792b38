/* Tests of the command line: probe and the shared DEVICE handling, run
 * in-process (so the fake kernel applies), and the binary's dispatch. */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "cmd/cmd.h"
#include "common/gvt-error.h"
#include "sim/vgpu-sim.h"
#include "testutil.h"

typedef struct {
  int status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

/* Runs a command in-process with its output captured. */
static void
run_cmd (Result *r, int (*cmd) (int, char **, FILE *, FILE *), const char *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  va_list ap;
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  /* GOption rearranges argv: hand it a copy. */
  g_autofree char **argv = g_new0 (char *, args->len + 1);
  for (guint i = 0; i < args->len; i++)
    argv[i] = args->pdata[i];

  size_t out_len = 0, err_len = 0;
  FILE *out = open_memstream (&r->out, &out_len);
  FILE *err = open_memstream (&r->err, &err_len);
  r->status = cmd ((int) args->len, argv, out, err);
  fclose (out);
  fclose (err);
}

static JsonObject *
parse_object (JsonParser *parser, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  JsonNode *root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_node_get_object (root);
}

static void
test_probe_sim_text (void)
{
  g_auto (Result) r = { 0 };
  run_cmd (&r, gvt_cmd_probe, "probe", "sim:800x600", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_nonnull (strstr (r.out, "device:   sim"));
  g_assert_nonnull (strstr (r.out, "display:  dma-buf planes"));
  g_assert_nonnull (strstr (r.out, "primary:  800x600 XR24 LINEAR, stride 3200, size 1920000"));
  g_assert_nonnull (strstr (r.out, "cursor:   none"));
  g_assert_nonnull (strstr (r.out, "state:    live"));
}

static void
test_probe_sim_json (void)
{
  g_auto (Result) r = { 0 };
  run_cmd (&r, gvt_cmd_probe, "probe", "--json", "sim:640x480", NULL);
  g_assert_cmpint (r.status, ==, 0);

  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = parse_object (parser, r.out);
  JsonObject *device = json_object_get_object_member (o, "device");
  g_assert_cmpstr (json_object_get_string_member (device, "name"), ==, "sim");
  JsonObject *display = json_object_get_object_member (o, "display");
  g_assert_true (json_object_get_boolean_member (display, "dmabuf"));
  g_assert_false (json_object_get_boolean_member (display, "region"));
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "live");
  g_assert_true (json_object_get_null_member (o, "reason"));

  JsonObject *p = json_object_get_object_member (o, "primary");
  g_assert_nonnull (p);
  g_assert_cmpstr (json_object_get_string_member (p, "fourcc"), ==, "XR24");
  g_assert_cmpint (json_object_get_int_member (p, "drm_format"), ==, 0x34325258);
  g_assert_cmpint (json_object_get_int_member (p, "modifier"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (p, "width"), ==, 640);
  g_assert_cmpint (json_object_get_int_member (p, "height"), ==, 480);
  g_assert_cmpint (json_object_get_int_member (p, "stride"), ==, 2560);
  g_assert_cmpint (json_object_get_int_member (p, "size"), ==, 2560 * 480);
  g_assert_cmpint (json_object_get_int_member (p, "x"), ==, 0);
  g_assert_true (json_object_get_null_member (p, "hot_x"));
  g_assert_true (json_object_has_member (p, "dmabuf_id"));
  g_assert_false (json_object_has_member (p, "region_index"));
  g_assert_true (json_object_get_null_member (o, "cursor"));

  JsonObject *edid = json_object_get_object_member (o, "edid");
  g_assert_nonnull (edid);
  g_assert_cmpint (json_object_get_int_member (edid, "max_xres"), ==, 3840);
  g_assert_cmpint (json_object_get_int_member (edid, "max_yres"), ==, 2160);
}

/* sim:WxH:FOURCC with a format gvt-view can't show: the device reports
 * the plane, the poller refuses it and says why. */
static void
test_probe_sim_unsupported_format (void)
{
  g_auto (Result) r = { 0 };
  /* The poller warns once about a plane it ignores. */
  g_test_expect_message ("gvt-view", G_LOG_LEVEL_WARNING, "*unsupported format YUYV*");
  run_cmd (&r, gvt_cmd_probe, "probe", "--json", "sim:64x32:YUYV", NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");

  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = parse_object (parser, r.out);
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "invalid");
  const char *reason = json_object_get_string_member (o, "reason");
  g_assert_nonnull (reason);
  if (strstr (reason, "unsupported format YUYV") == NULL)
    g_error ("reason '%s' lacks 'unsupported format YUYV'", reason);
  g_assert_true (json_object_get_null_member (o, "primary"));
}

/* sim:WxH:FOURCC with a format it knows: live, in that format, tight. */
static void
test_probe_sim_fourcc (void)
{
  g_auto (Result) r = { 0 };
  run_cmd (&r, gvt_cmd_probe, "probe", "--json", "sim:64x32:AB24", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");

  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = parse_object (parser, r.out);
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "live");
  JsonObject *p = json_object_get_object_member (o, "primary");
  g_assert_nonnull (p);
  g_assert_cmpstr (json_object_get_string_member (p, "fourcc"), ==, "AB24");
  g_assert_cmpint (json_object_get_int_member (p, "drm_format"), ==, 0x34324241);
  g_assert_cmpint (json_object_get_int_member (p, "width"), ==, 64);
  g_assert_cmpint (json_object_get_int_member (p, "height"), ==, 32);
  g_assert_cmpint (json_object_get_int_member (p, "stride"), ==, 256);

  /* A 2-byte format gets its own tight stride. */
  g_auto (Result) rg = { 0 };
  run_cmd (&rg, gvt_cmd_probe, "probe", "sim:64x32:RG16", NULL);
  g_assert_cmpint (rg.status, ==, 0);
  g_assert_nonnull (strstr (rg.out, "primary:  64x32 RG16 LINEAR, stride 128"));
}

/* The simulated device behind `probe sim...`, scripted before probe sees
 * it (gvt_sim_set_new_hook). */
static void
sim_cursor_off_top_left (GvtSim *sim, gpointer data)
{
  gvt_sim_set_cursor (sim, 64, 1, 2);
  gvt_sim_move_cursor (sim, (guint32) -10, (guint32) -5);
}

static void
sim_short_dmabuf (GvtSim *sim, gpointer data)
{
  gvt_sim_set_dmabuf_size (sim, 1, GPOINTER_TO_INT (data));
}

static void
sim_unseekable_dmabuf (GvtSim *sim, gpointer data)
{
  gvt_sim_set_dmabuf_size (sim, 1, GVT_SIM_DMABUF_UNSEEKABLE);
}

static void
run_probe_scripted (Result *r, GvtSimNewHook script, gpointer data, const char *first, ...)
{
  const char *args[4] = { NULL };
  va_list ap;
  va_start (ap, first);
  args[0] = first;
  for (guint i = 1; i < G_N_ELEMENTS (args) - 1 && args[i - 1] != NULL; i++)
    args[i] = va_arg (ap, const char *);
  va_end (ap);

  gvt_sim_set_new_hook (script, data);
  run_cmd (r, gvt_cmd_probe, "probe", args[0], args[1], args[2], NULL);
  gvt_sim_set_new_hook (NULL, NULL);
}

/* Positions are signed in the JSON and the text: -10, not 4294967286. */
static void
test_probe_sim_cursor_negative (void)
{
  g_auto (Result) r = { 0 };
  run_probe_scripted (&r, sim_cursor_off_top_left, NULL, "--json", "sim:640x480", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");

  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = parse_object (parser, r.out);
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "live");
  JsonObject *c = json_object_get_object_member (o, "cursor");
  g_assert_nonnull (c);
  g_assert_cmpint (json_object_get_int_member (c, "x"), ==, -10);
  g_assert_cmpint (json_object_get_int_member (c, "y"), ==, -5);
  g_assert_cmpint (json_object_get_int_member (c, "hot_x"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (c, "hot_y"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (c, "width"), ==, 64);
  g_assert_null (strstr (r.out, "4294967"));

  g_auto (Result) text = { 0 };
  run_probe_scripted (&text, sim_cursor_off_top_left, NULL, "sim:640x480", NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "cursor:   64x64 AR24 LINEAR, stride 256, size 16384, "));
  g_assert_nonnull (strstr (text.out, ", at -10,-5, hotspot 1,2\n"));
}

/* The plane is fine, its dma-buf too small for it: invalid, with the
 * reason, and no plane a window would draw. */
static void
test_probe_sim_short_dmabuf (void)
{
  g_auto (Result) r = { 0 };
  g_test_expect_message ("gvt-view", G_LOG_LEVEL_WARNING,
                         "*needs 8294400 bytes but its dma-buf has 4096*");
  run_probe_scripted (&r, sim_short_dmabuf, GINT_TO_POINTER (4096), "--json", "sim:1920x1080",
                      NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");

  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = parse_object (parser, r.out);
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "invalid");
  const char *reason = json_object_get_string_member (o, "reason");
  const char *want = "the guest's 1920x1080 primary plane needs 8294400 bytes but its "
                     "dma-buf has 4096";
  if (reason == NULL || strstr (reason, want) == NULL)
    g_error ("reason '%s' lacks '%s'", reason, want);
  g_assert_true (json_object_get_null_member (o, "primary"));
  g_assert_true (json_object_get_null_member (o, "cursor"));

  /* Exactly stride x height is enough. */
  g_auto (Result) ok = { 0 };
  run_probe_scripted (&ok, sim_short_dmabuf, GINT_TO_POINTER (640 * 4 * 480), "--json",
                      "sim:640x480", NULL);
  g_assert_cmpint (ok.status, ==, 0);
  g_autoptr (JsonParser) ok_parser = json_parser_new ();
  JsonObject *ok_o = parse_object (ok_parser, ok.out);
  g_assert_cmpstr (json_object_get_string_member (ok_o, "state"), ==, "live");
  g_assert_true (json_object_get_null_member (ok_o, "reason"));
  g_assert_nonnull (json_object_get_object_member (ok_o, "primary"));
}

static void
test_probe_sim_unseekable_dmabuf (void)
{
  g_auto (Result) r = { 0 };
  g_test_expect_message ("gvt-view", G_LOG_LEVEL_WARNING, "*can't tell its size*");
  run_probe_scripted (&r, sim_unseekable_dmabuf, NULL, "sim:640x480", NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "state:    Unsupported plane — the guest's 640x480 primary "
                                   "plane can't be checked: its dma-buf can't tell its size "
                                   "(lseek: Illegal seek)"));
  g_assert_nonnull (strstr (r.out, "primary:  none"));
}

typedef struct {
  const char *name;
  const char *args[5];
  int status;
  const char *needle;
} UsageCase;

static const UsageCase usage_cases[] = {
  { "no-device", { "probe", NULL }, 2, "no DEVICE given" },
  { "device-and-fd", { "probe", "--fd", "3", "sim", NULL }, 2, "either DEVICE or --fd" },
  { "bad-sim-size", { "probe", "sim:0x5", NULL }, 2, "sim:WIDTHxHEIGHT" },
  { "bad-sim-word", { "probe", "simulator", NULL }, 2, "did you mean sim" },
  { "huge-sim", { "probe", "sim:99999x2", NULL }, 2, "1 to 16384" },
  { "signed-sim", { "probe", "sim:+64x32", NULL }, 2, "sim:WIDTHxHEIGHT" },
  { "sim-fourcc-short", { "probe", "sim:64x32:YUY", NULL }, 2, "exactly 4 printable" },
  { "sim-fourcc-long", { "probe", "sim:64x32:YUYV2", NULL }, 2, "exactly 4 printable" },
  { "sim-fourcc-empty", { "probe", "sim:64x32:", NULL }, 2, "exactly 4 printable" },
  { "sim-fourcc-control", { "probe", "sim:64x32:YU\tV", NULL }, 2, "'YU\\tV' must be exactly 4" },
  { "sim-fourcc-no-size", { "probe", "sim::YUYV", NULL }, 2, "sim:WIDTHxHEIGHT:FOURCC" },
  { "sim-fourcc-huge", { "probe", "sim:64x16385:YUYV", NULL }, 2, "1 to 16384" },
  { "unknown-device", { "probe", "banana", NULL }, 2, "not a device gvt-view knows" },
  { "two-devices", { "probe", "sim", "sim", NULL }, 2, "one DEVICE" },
  { "bad-option", { "probe", "--frobnicate", NULL }, 2, "frobnicate" },
  { "bad-fd", { "probe", "--fd", "x", NULL }, 2, "fd" },
  /* Numbers are digits, in range, and "not given" can't be typed. */
#define FD_RANGE ": use a file descriptor number, 0 or more\n"
  { "fd-negative", { "probe", "--fd", "-1", NULL }, 2, "gvt-view: --fd -1" FD_RANGE },
  { "fd-negative-with-device", { "probe", "--fd", "-1", "sim", NULL }, 2,
    "gvt-view: --fd -1" FD_RANGE },
  { "fd-negative-equals", { "probe", "--fd=-5", NULL }, 2, "gvt-view: --fd -5" FD_RANGE },
  { "fd-space", { "probe", "--fd", " 3", NULL }, 2, "gvt-view: --fd ' 3'" FD_RANGE },
  { "fd-vtab", { "probe", "--fd", "\v3", NULL }, 2, "gvt-view: --fd \\v3" FD_RANGE },
  { "fd-plus", { "probe", "--fd", "+3", NULL }, 2, "gvt-view: --fd +3" FD_RANGE },
  { "fd-hex", { "probe", "--fd", "0x3", NULL }, 2, "gvt-view: --fd 0x3" FD_RANGE },
  { "fd-octal", { "probe", "--fd", "010", NULL }, 2, "gvt-view: --fd 010" FD_RANGE },
  { "fd-empty", { "probe", "--fd", "", NULL }, 2, "gvt-view: --fd ''" FD_RANGE },
  { "fd-overflow", { "probe", "--fd", "2147483648", NULL }, 2, "gvt-view: --fd 2147483648" FD_RANGE },
  { "fd-junk", { "probe", "--fd", "3x", NULL }, 2, "gvt-view: --fd 3x" FD_RANGE },
#define WATCH_RANGE ": use 0 to 86400 seconds\n"
  { "watch-negative", { "probe", "sim", "--watch", "-1", NULL }, 2, "gvt-view: --watch -1" WATCH_RANGE },
  { "watch-too-long", { "probe", "sim", "--watch", "86401", NULL }, 2,
    "gvt-view: --watch 86401" WATCH_RANGE },
  { "watch-nan", { "probe", "sim", "--watch", "nan", NULL }, 2, "gvt-view: --watch nan" WATCH_RANGE },
  { "watch-inf", { "probe", "sim", "--watch", "inf", NULL }, 2, "gvt-view: --watch inf" WATCH_RANGE },
  { "watch-exponent", { "probe", "sim", "--watch", "1e3", NULL }, 2, "gvt-view: --watch 1e3" WATCH_RANGE },
  { "watch-hex", { "probe", "sim", "--watch", "0x10", NULL }, 2, "gvt-view: --watch 0x10" WATCH_RANGE },
  { "watch-space", { "probe", "sim", "--watch", " 5", NULL }, 2, "gvt-view: --watch ' 5'" WATCH_RANGE },
  { "watch-bare-dot", { "probe", "sim", "--watch", "5.", NULL }, 2, "gvt-view: --watch 5." WATCH_RANGE },
};

static void
test_usage_errors (gconstpointer data)
{
  const UsageCase *c = data;
  g_auto (Result) r = { 0 };
  int before = gvt_test_count_fds ();

  run_cmd (&r, gvt_cmd_probe, c->args[0], c->args[1], c->args[2], c->args[3], c->args[4]);
  g_assert_cmpint (r.status, ==, c->status);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_true (g_str_has_prefix (r.err, "gvt-view: "));
  if (strstr (r.err, c->needle) == NULL)
    g_error ("stderr '%s' lacks '%s'", r.err, c->needle);
  g_assert_cmpint (gvt_test_count_fds (), ==, before);

  /* Nothing broke: a good probe still works. */
  g_auto (Result) ok = { 0 };
  run_cmd (&ok, gvt_cmd_probe, "probe", "sim", NULL);
  g_assert_cmpint (ok.status, ==, 0);
}

static void
run_binary (Result *r, const char *const *args)
{
  g_autoptr (GPtrArray) argv = gvt_test_view_argv (args);
  g_autoptr (GError) error = NULL;
  int wait_status = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &r->out, &r->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
}

/* The QEMU link's options, on the window and on snapshot: each mistake
 * its usage error, before any window, socket or file. */
static void
test_qmp_usage (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gvt-cli-qmp-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "x.png", NULL);
  g_autofree char *sock = g_build_filename (dir, "nosuch.sock", NULL);
  const struct {
    const char *args[8];
    int status;
    const char *needle;
  } cases[] = {
    { { "snapshot", "--ramfb", "fb0", "-o", png, NULL }, 2,
      "--ramfb names a device of the VM behind --qmp PATH" },
    { { "snapshot", "--qmp", sock, "--ramfb", "1fb", "-o", png, NULL }, 2,
      "--ramfb '1fb': a QEMU device id is a letter" },
    { { "snapshot", "--qmp", sock, "--ramfb", "fb 0", "-o", png, NULL }, 2, "a QEMU device id" },
    { { "snapshot", "--qmp", sock, "--ramfb", "", "-o", png, NULL }, 2, "a QEMU device id" },
    { { "snapshot", "--qmp", "", "-o", png, NULL }, 2, "--qmp needs the path" },
    { { "snapshot", "--qmp", sock, NULL }, 2, "-o FILE.png" },
    { { "snapshot", "--qmp", sock, "-o", png, NULL }, 1,
      "cannot connect to QMP socket " },
    { { "--quit-with-vm", "sim", NULL }, 2, "--quit-with-vm is about the VM behind --qmp PATH" },
    { { "--view-only", "sim", NULL }, 2, "--view-only is about the VM behind --qmp PATH" },
    { { "--relative-mouse", "sim", NULL }, 2, "--relative-mouse is about the VM behind --qmp" },
    { { "--qmp", sock, "--view-only", "--relative-mouse", NULL }, 2,
      "--view-only sends no input" },
    { { "--qmp", sock, "--grab-keys", "g", NULL }, 2, "--grab-keys 'g': give ctrl, alt or super" },
    { { "--qmp", sock, "--grab-keys", "ctrl+alt+nokey", NULL }, 2, "must name a key" },
    { { "--ramfb", "fb0", "sim", NULL }, 2, "--ramfb names a device" },
    { { "--qmp", "", NULL }, 2, "--qmp needs the path" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (Result) r = { 0 };
      run_binary (&r, cases[i].args);
      g_test_message ("%s", r.err);
      g_assert_cmpint (r.status, ==, cases[i].status);
      g_assert_true (g_str_has_prefix (r.err, "gvt-view: "));
      if (strstr (r.err, cases[i].needle) == NULL)
        g_error ("stderr '%s' lacks '%s'", r.err, cases[i].needle);
      g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
    }
  /* The missing socket: named, with how QEMU makes one. */
  g_auto (Result) r = { 0 };
  run_binary (&r, (const char *const[]) { "snapshot", "--qmp", sock, "-o", png, NULL });
  g_assert_nonnull (strstr (r.err, sock));
  g_assert_nonnull (strstr (r.err, "-qmp unix:"));
  g_rmdir (dir);
}

/* --resolution and --edid: each mistake its usage error, before any
 * window; both in --help. */
static void
test_edid_usage (void)
{
  const struct {
    const char *args[6];
    const char *needle;
  } cases[] = {
    { { "sim", "--edid", "maybe", NULL }, "--edid 'maybe': use on" },
    { { "sim", "--edid", "", NULL }, "--edid '': use on" },
    { { "sim", "--resolution", "1280", NULL }, "--resolution" },
    { { "sim", "--resolution", "1281x720", NULL }, "use even numbers" },
    { { "sim", "--resolution", "320x240", NULL }, "the smallest mode gvt-view gives a guest" },
    { { "sim", "--resolution", "4000x3000", NULL }, "an EDID can't describe that mode" },
    { { "sim", "--resolution", "20000x100", NULL }, "--resolution" },
    { { "sim", "--edid", "off", "--resolution", "1280x720", NULL }, "use one of them" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (Result) r = { 0 };
      run_binary (&r, cases[i].args);
      g_test_message ("%s", r.err);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_true (g_str_has_prefix (r.err, "gvt-view: "));
      if (strstr (r.err, cases[i].needle) == NULL)
        g_error ("stderr '%s' lacks '%s'", r.err, cases[i].needle);
    }
  g_auto (Result) help = { 0 };
  run_binary (&help, (const char *const[]) { "sim", "--help", NULL });
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "--resolution=WxH"));
  g_assert_nonnull (strstr (help.out, "--edid=on|off"));
  g_auto (Result) demo = { 0 };
  run_binary (&demo, (const char *const[]) { "demo", "--help", NULL });
  g_assert_cmpint (demo.status, ==, 0);
  g_assert_nonnull (strstr (demo.out, "--follow-edid"));
}

static void
test_binary_help (void)
{
  g_auto (Result) r = { 0 };
  run_binary (&r, (const char *const[]) { "--help", NULL });
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Usage: gvt-view COMMAND"));
  g_assert_nonnull (strstr (r.out, "probe DEVICE"));
  g_assert_nonnull (strstr (r.out, "list [--json]"));

  g_auto (Result) sub = { 0 };
  run_binary (&sub, (const char *const[]) { "probe", "--help", NULL });
  g_assert_cmpint (sub.status, ==, 0);
  g_assert_nonnull (strstr (sub.out, "--json"));
  g_assert_nonnull (strstr (sub.out, "--fd"));

  /* doctor: in the command list, with its own DEVICE text (it takes no --fd). */
  g_assert_nonnull (strstr (r.out, "doctor [DEVICE|qemu:PID|NAME] [--json]"));
  g_auto (Result) doctor = { 0 };
  run_binary (&doctor, (const char *const[]) { "doctor", "--help", NULL });
  g_assert_cmpint (doctor.status, ==, 0);
  g_assert_nonnull (strstr (doctor.out, "--json"));
  g_assert_nonnull (strstr (doctor.out, "qemu:PID or qemu:NAME checks that VM"));
  g_assert_null (strstr (doctor.out, "--fd"));
}

static void
test_binary_unknown_command (void)
{
  g_auto (Result) r = { 0 };
  run_binary (&r, (const char *const[]) { "frob", NULL });
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "unknown command 'frob'"));
  g_assert_nonnull (strstr (r.err, "Usage:"));
}

static void
test_binary_probe_sim (void)
{
  g_auto (Result) r = { 0 };
  run_binary (&r, (const char *const[]) { "probe", "sim:1920x1080", NULL });
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "primary:  1920x1080 XR24"));
}

/* The option parsers on their own: what they take, and what they leave
 * alone when the option is absent. */
static void
test_parse_numbers (void)
{
  g_autoptr (GError) error = NULL;
  int fd = 42, n = 7;
  double sec = 9;

  g_assert_true (gvt_cmd_parse_fd (NULL, &fd, &error));
  g_assert_cmpint (fd, ==, -1);
  g_assert_true (gvt_cmd_parse_fd ("0", &fd, &error));
  g_assert_cmpint (fd, ==, 0);
  g_assert_true (gvt_cmd_parse_fd ("2147483647", &fd, &error));
  g_assert_cmpint (fd, ==, G_MAXINT);
  g_assert_no_error (error);
  g_assert_false (gvt_cmd_parse_fd ("-0", &fd, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_assert_cmpstr (error->message, ==, "--fd -0: use a file descriptor number, 0 or more");
  g_assert_cmpint (fd, ==, G_MAXINT);
  g_clear_error (&error);

  g_assert_true (gvt_cmd_parse_count ("--frames", NULL, 1, 100000, &n, &error));
  g_assert_cmpint (n, ==, 7);
  g_assert_true (gvt_cmd_parse_count ("--frames", "100000", 1, 100000, &n, &error));
  g_assert_cmpint (n, ==, 100000);
  g_assert_true (gvt_cmd_parse_count ("--frames", "1", 1, 100000, &n, &error));
  g_assert_cmpint (n, ==, 1);
  static const char *const bad_counts[] = {
    "0", "100001", "-1", "+1", " 1", "1 ", "\v1", "01", "0x1", "1e3", "1.0", "", "9999999999",
    "99999999999999999999",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad_counts); i++)
    {
      g_assert_false (gvt_cmd_parse_count ("--frames", bad_counts[i], 1, 100000, &n, &error));
      g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
      g_assert_true (g_str_has_prefix (error->message, "--frames "));
      g_assert_true (g_str_has_suffix (error->message, ": use 1 to 100000"));
      g_assert_cmpint (n, ==, 1);
      g_clear_error (&error);
    }

  g_assert_true (gvt_cmd_parse_seconds ("--at", NULL, 86400, &sec, &error));
  g_assert_cmpfloat (sec, ==, 9);
  static const struct { const char *text; double value; } good_seconds[] = {
    { "0", 0 }, { "0.5", 0.5 }, { "3.25", 3.25 }, { "86400", 86400 }, { "86400.0", 86400 },
    { "0.000000001", 1e-9 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (good_seconds); i++)
    {
      g_assert_true (gvt_cmd_parse_seconds ("--at", good_seconds[i].text, 86400, &sec, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat_with_epsilon (sec, good_seconds[i].value, 1e-12);
    }
  static const char *const bad_seconds[] = {
    "-1", "-0", "+1", " 1", "1 ", "\t1", "\v1", "01", "0x1", "0x1p3", "1e3", "1E3", "nan",
    "inf", "infinity", ".5", "5.", "1..2", "1.2.3", "1,5", "", ".", "86400.1", "86401",
    "99999999999", "0.0000000001",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad_seconds); i++)
    {
      sec = 9;
      g_assert_false (gvt_cmd_parse_seconds ("--at", bad_seconds[i], 86400, &sec, &error));
      g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
      g_assert_true (g_str_has_prefix (error->message, "--at "));
      g_assert_true (g_str_has_suffix (error->message, ": use 0 to 86400 seconds"));
      g_assert_cmpfloat (sec, ==, 9);
      g_clear_error (&error);
    }
}

typedef struct {
  const char *name;
  const char *args[8];
  const char *err;  /* all of stderr */
} BinaryUsageCase;

/* The commands that live only in the binary (the viewer, the window demo)
 * or need GL (bench): each bad value is exit status 2 with the range, and
 * nothing is opened or written before. */
static const BinaryUsageCase binary_usage_cases[] = {
  { "view-fd-negative", { "--fd", "-1", NULL }, "gvt-view: --fd -1" FD_RANGE },
  { "view-fd-negative-with-device", { "--fd", "-1", "sim", NULL }, "gvt-view: --fd -1" FD_RANGE },
  { "view-fd-space", { "--fd", " 0", NULL }, "gvt-view: --fd ' 0'" FD_RANGE },
  { "view-fd-hex", { "--fd", "0x0", NULL }, "gvt-view: --fd 0x0" FD_RANGE },
  { "bench-fd-negative", { "bench", "--fd", "-1", NULL }, "gvt-view: --fd -1" FD_RANGE },
  { "bench-fd-space", { "bench", "--fd", " 0", NULL }, "gvt-view: --fd ' 0'" FD_RANGE },
#define FRAMES_RANGE ": use 1 to 100000\n"
  { "bench-frames-zero", { "bench", "sim", "--frames", "0", NULL }, "gvt-view: --frames 0" FRAMES_RANGE },
  { "bench-frames-negative", { "bench", "--frames", "-1", NULL }, "gvt-view: --frames -1" FRAMES_RANGE },
  { "bench-frames-too-many", { "bench", "--frames", "100001", NULL },
    "gvt-view: --frames 100001" FRAMES_RANGE },
  { "bench-frames-hex", { "bench", "--frames", "0x10", NULL }, "gvt-view: --frames 0x10" FRAMES_RANGE },
  { "bench-frames-octal", { "bench", "--frames", "010", NULL }, "gvt-view: --frames 010" FRAMES_RANGE },
  { "bench-frames-space", { "bench", "--frames", " 5", NULL }, "gvt-view: --frames ' 5'" FRAMES_RANGE },
  { "bench-frames-empty", { "bench", "--frames", "", NULL }, "gvt-view: --frames ''" FRAMES_RANGE },
#define AT_RANGE ": use 0 to 86400 seconds\n"
  { "demo-at-negative", { "demo", "--at", "-1", NULL }, "gvt-view: --at -1" AT_RANGE },
  { "demo-at-negative-equals", { "demo", "--at=-1", NULL }, "gvt-view: --at -1" AT_RANGE },
  { "demo-at-too-late", { "demo", "--at", "86401", NULL }, "gvt-view: --at 86401" AT_RANGE },
  { "demo-at-nan", { "demo", "--at", "nan", NULL }, "gvt-view: --at nan" AT_RANGE },
  { "demo-at-exponent", { "demo", "--at", "1e3", NULL }, "gvt-view: --at 1e3" AT_RANGE },
  { "demo-at-space", { "demo", "--at", " 5", NULL }, "gvt-view: --at ' 5'" AT_RANGE },
  /* The headless demo and snapshot take the same rules. */
  { "demo-snapshot-at-negative", { "demo", "--snapshot", "x.png", "--at", "-1", NULL },
    "gvt-view: --at -1" AT_RANGE },
  { "demo-snapshot-at-exponent", { "demo", "--snapshot", "x.png", "--at", "1e1", NULL },
    "gvt-view: --at 1e1" AT_RANGE },
  { "snapshot-fd-negative", { "snapshot", "--fd", "-1", "-o", "x.png", NULL },
    "gvt-view: --fd -1" FD_RANGE },
  { "snapshot-wait-negative", { "snapshot", "sim", "--wait", "-1", "-o", "x.png", NULL },
    "gvt-view: --wait -1: use 0 to 3600 seconds\n" },
  { "snapshot-wait-hex", { "snapshot", "sim", "--wait", "0x1", "-o", "x.png", NULL },
    "gvt-view: --wait 0x1: use 0 to 3600 seconds\n" },
  /* run and attach: refused before QEMU starts or anything is looked up. */
  { "run-no-command", { "run", NULL },
    "gvt-view run: give QEMU's command after --: gvt-view run [OPTIONS] -- qemu-system-x86_64 "
    "-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID ...\n" },
  { "run-nothing-after-dashes", { "run", "-f", "--", NULL },
    "gvt-view run: give QEMU's command after --: gvt-view run [OPTIONS] -- qemu-system-x86_64 "
    "-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID ...\n" },
  { "run-device", { "run", "sim", "--", "qemu-system-x86_64", NULL },
    "gvt-view: run takes no DEVICE: the vGPU is the one QEMU's command line names (after --)\n" },
  { "run-qmp", { "run", "--qmp", "/tmp/x.sock", "--", "qemu-system-x86_64", NULL },
    "gvt-view: run makes QEMU's QMP socket itself (or uses the -qmp on QEMU's command line): "
    "drop --qmp\n" },
  { "run-bad-scale", { "run", "--scale", "huge", "--", "qemu-system-x86_64", NULL },
    "gvt-view: --scale huge: use fit, fill, integer or native\n" },
  { "attach-nothing", { "attach", NULL },
    "Usage: gvt-view attach PID|NAME [window options]\n"
    "Shows the vGPU of a running QEMU: PID, or its -name, or a libvirt domain.\n"
    "The same as `gvt-view qemu:PID|NAME`; its window options: `gvt-view --help-all`.\n" },
};

static void
test_binary_usage_errors (gconstpointer data)
{
  const BinaryUsageCase *c = data;
  g_autoptr (GError) error = NULL;
  /* Its own empty directory: the demo would write its fallback PNG here. */
  g_autofree char *dir = g_dir_make_tmp ("gvt-view-usage-XXXXXX", &error);
  g_assert_no_error (error);

  g_autoptr (GPtrArray) argv = gvt_test_view_argv (c->args);
  g_autofree char *out = NULL, *err = NULL;
  int wait_status = 0;
  /* No display: a window would not open anyway, and must not be tried. */
  g_auto (GStrv) envp = g_environ_unsetenv (g_get_environ (), "DISPLAY");
  envp = g_environ_unsetenv (envp, "WAYLAND_DISPLAY");
  g_assert_true (g_spawn_sync (dir, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, c->err);

  g_autoptr (GDir) d = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  g_assert_null (g_dir_read_name (d));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* --- the config file ($XDG_CONFIG_HOME/gvt-view/gvt-view.conf) --- */

/* The binary with $XDG_CONFIG_HOME at @config_home, no display, in @cwd. */
static void
run_binary_config (Result *r, const char *config_home, const char *cwd, const char *const *args)
{
  g_autoptr (GPtrArray) argv = gvt_test_view_argv (args);
  g_autoptr (GError) error = NULL;
  int wait_status = 0;
  g_auto (GStrv) envp = g_environ_setenv (g_get_environ (), "XDG_CONFIG_HOME", config_home, TRUE);
  envp = g_environ_unsetenv (envp, "DISPLAY");
  envp = g_environ_unsetenv (envp, "WAYLAND_DISPLAY");
  g_assert_true (g_spawn_sync (cwd, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                               &r->out, &r->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
}

/* A config home with gvt-view/gvt-view.conf holding @text; its path in
 * @conf. */
static char *
make_config_home (const char *text, char **conf)
{
  g_autoptr (GError) error = NULL;
  char *home = g_dir_make_tmp ("gvt-cli-config-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *dir = g_build_filename (home, "gvt-view", NULL);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  *conf = g_build_filename (dir, "gvt-view.conf", NULL);
  g_file_set_contents (*conf, text, -1, &error);
  g_assert_no_error (error);
  return home;
}

static void
remove_config_home (const char *home, const char *conf)
{
  g_autofree char *dir = g_path_get_dirname (conf);
  g_unlink (conf);
  g_rmdir (dir);
  g_assert_cmpint (g_rmdir (home), ==, 0);
}

static void
assert_has_line (const char *text, const char *line)
{
  g_autofree char *with_newline = g_strconcat ("\n", line, "\n", NULL);
  g_autofree char *padded = g_strconcat ("\n", text, NULL);
  if (strstr (padded, with_newline) == NULL)
    g_error ("'%s' lacks the line '%s'", text, line);
}

static const char config_text[] =
  "# gvt-view's settings\n"        /* 1 */
  "[window]\n"                     /* 2 */
  "scale = integer\n"              /* 3 */
  "fullscreen = true\n"            /* 4 */
  "\n"                             /* 5 */
  "[vm web]\n"                     /* 6 */
  "  scale=native\n"               /* 7 */
  "view-only = true\n"             /* 8 */
  "[vm db]\n"                      /* 9 */
  "stats = true\n";                /* 10 */

/* --print-config at the top, for attach NAME, qemu:NAME, run -- ... -name,
 * and the demo: each setting from where it comes, the command line's over
 * the file's. */
static void
test_print_config (void)
{
  g_autofree char *conf = NULL;
  g_autofree char *home = make_config_home (config_text, &conf);
  g_autofree char *header = g_strdup_printf ("# config file: %s", conf);
  g_autofree char *scale_window = g_strdup_printf ("scale = integer  (%s:3)", conf);
  g_autofree char *scale_vm = g_strdup_printf ("scale = native  (%s:7 [vm web])", conf);
  g_autofree char *fullscreen = g_strdup_printf ("fullscreen = true  (%s:4)", conf);
  g_autofree char *view_only = g_strdup_printf ("view-only = true  (%s:8 [vm web])", conf);

  g_auto (Result) top = { 0 };
  run_binary_config (&top, home, NULL, (const char *const[]) { "--print-config", NULL });
  g_assert_cmpint (top.status, ==, 0);
  g_assert_cmpstr (top.err, ==, "");
  assert_has_line (top.out, header);
  assert_has_line (top.out, "# VM: none known (no [vm NAME] group applies)");
  assert_has_line (top.out, scale_window);
  assert_has_line (top.out, fullscreen);
  assert_has_line (top.out, "stats = false  (default)");
  assert_has_line (top.out, "view-only = false  (default)");
  assert_has_line (top.out, "grab-keys = ctrl+alt+g  (default)");

  const char *const *vm_forms[] = {
    (const char *const[]) { "attach", "web", "--print-config", "--no-fullscreen", NULL },
    (const char *const[]) { "qemu:web", "--no-fullscreen", "--print-config", NULL },
    (const char *const[]) { "run", "--print-config", "--no-fullscreen", "--", "qemu-system-x86_64",
                            "-name", "guest=web,debug-threads=on", "-m", "1G", NULL },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (vm_forms); i++)
    {
      g_auto (Result) r = { 0 };
      run_binary_config (&r, home, NULL, vm_forms[i]);
      g_test_message ("%s%s", r.out, r.err);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_cmpstr (r.err, ==, "");
      assert_has_line (r.out, "# VM: web");
      assert_has_line (r.out, scale_vm);
      assert_has_line (r.out, view_only);
      assert_has_line (r.out, "fullscreen = false  (command line)");
      /* [vm db] is another VM's. */
      assert_has_line (r.out, "stats = false  (default)");
    }

  /* The command line over [vm web]; the demo has only the window's keys. */
  g_auto (Result) over = { 0 };
  run_binary_config (&over, home, NULL, (const char *const[]) {
    "attach", "web", "--scale", "fit", "--no-view-only", "--print-config", NULL });
  g_assert_cmpint (over.status, ==, 0);
  assert_has_line (over.out, "scale = fit  (command line)");
  assert_has_line (over.out, "view-only = false  (command line)");
  g_auto (Result) demo = { 0 };
  run_binary_config (&demo, home, NULL, (const char *const[]) {
    "demo", "--stats", "--print-config", NULL });
  g_assert_cmpint (demo.status, ==, 0);
  assert_has_line (demo.out, scale_window);
  assert_has_line (demo.out, "stats = true  (command line)");
  g_assert_null (strstr (demo.out, "view-only"));
  /* A bad value on the command line is still the usage error. */
  g_auto (Result) bad = { 0 };
  run_binary_config (&bad, home, NULL, (const char *const[]) {
    "sim", "--scale", "huge", "--print-config", NULL });
  g_assert_cmpint (bad.status, ==, 2);
  g_assert_cmpstr (bad.err, ==, "gvt-view: --scale huge: use fit, fill, integer or native\n");
  remove_config_home (home, conf);
}

/* A bad file: each mistake one warning on stderr naming file, line and
 * key, the rest applies, and the command works (here the demo without a
 * display, writing its frame). */
static void
test_bad_config (void)
{
  g_autofree char *conf = NULL;
  g_autofree char *home = make_config_home ("[window]\n"
                                            "scale = huge\n"
                                            "fulscreen = true\n"
                                            "stats = true\n"
                                            "a line of words\n"
                                            "[wnidow]\n"
                                            "filter = linear\n", &conf);
  g_autofree char *want = g_strdup_printf (
    "gvt-view: %s:2: [window] scale = huge: use fit, fill, integer or native\n"
    "gvt-view: %s:3: [window] fulscreen: unknown key (the keys: scale, filter, size, "
    "fullscreen, stats, grab-keys, view-only, relative-mouse, edid, resolution, quit-with-vm)\n"
    "gvt-view: %s:5: 'a line of words' is not a KEY = VALUE line, a [GROUP] or a # comment\n"
    "gvt-view: %s:6: [wnidow]: unknown group (use [window] or [vm NAME])\n",
    conf, conf, conf, conf);
  g_autofree char *stats = g_strdup_printf ("stats = true  (%s:4)", conf);

  g_auto (Result) r = { 0 };
  run_binary_config (&r, home, NULL, (const char *const[]) { "sim", "--print-config", NULL });
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, want);
  assert_has_line (r.out, "scale = fit  (default)");
  assert_has_line (r.out, "filter = auto  (default)");
  assert_has_line (r.out, stats);

  g_autoptr (GError) error = NULL;
  g_autofree char *cwd = g_dir_make_tmp ("gvt-cli-config-cwd-XXXXXX", &error);
  g_assert_no_error (error);
  g_auto (Result) demo = { 0 };
  run_binary_config (&demo, home, cwd, (const char *const[]) { "demo", NULL });
  g_assert_cmpint (demo.status, ==, 0);
  g_assert_true (g_str_has_prefix (demo.err, want));
  g_autofree char *png = g_build_filename (cwd, "gvt-view-demo.png", NULL);
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
  g_unlink (png);
  g_rmdir (cwd);

  /* A file that can't be read: one line, then the built-in settings. */
  g_unlink (conf);
  g_assert_cmpint (g_mkdir (conf, 0700), ==, 0);
  g_auto (Result) dir = { 0 };
  run_binary_config (&dir, home, NULL, (const char *const[]) { "--print-config", NULL });
  g_assert_cmpint (dir.status, ==, 0);
  g_autofree char *unreadable = g_strdup_printf (
    "gvt-view: %s: cannot read it: Is a directory; using the built-in settings\n", conf);
  g_assert_cmpstr (dir.err, ==, unreadable);
  assert_has_line (dir.out, "stats = false  (default)");
  g_rmdir (conf);

  /* No file: silence. */
  g_auto (Result) none = { 0 };
  run_binary_config (&none, home, NULL, (const char *const[]) { "--print-config", NULL });
  g_assert_cmpint (none.status, ==, 0);
  g_assert_cmpstr (none.err, ==, "");
  g_autofree char *absent = g_strdup_printf ("# config file: %s (none)", conf);
  assert_has_line (none.out, absent);
  remove_config_home (home, conf);
}

/* The file's VM switches wait for a VM: a device without one still opens
 * (here: gets as far as wanting a display), where the same typed is a
 * usage error. */
static void
test_config_vm_switches (void)
{
  g_autofree char *conf = NULL;
  g_autofree char *home = make_config_home ("[window]\nview-only = true\nquit-with-vm = true\n",
                                            &conf);
  g_auto (Result) r = { 0 };
  run_binary_config (&r, home, NULL, (const char *const[]) { "sim", NULL });
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "no display to open a window on"));
  g_auto (Result) typed = { 0 };
  run_binary_config (&typed, home, NULL, (const char *const[]) { "sim", "--view-only", NULL });
  g_assert_cmpint (typed.status, ==, 2);
  g_assert_cmpstr (typed.err, ==, "gvt-view: --view-only is about the VM behind --qmp PATH: "
                                  "give that too\n");
  remove_config_home (home, conf);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/probe/sim-text", test_probe_sim_text);
  g_test_add_func ("/cli/probe/sim-json", test_probe_sim_json);
  g_test_add_func ("/cli/probe/sim-fourcc", test_probe_sim_fourcc);
  g_test_add_func ("/cli/probe/sim-unsupported-format", test_probe_sim_unsupported_format);
  g_test_add_func ("/cli/probe/sim-cursor-negative", test_probe_sim_cursor_negative);
  g_test_add_func ("/cli/probe/sim-short-dmabuf", test_probe_sim_short_dmabuf);
  g_test_add_func ("/cli/probe/sim-unseekable-dmabuf", test_probe_sim_unseekable_dmabuf);
  for (gsize i = 0; i < G_N_ELEMENTS (usage_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/usage/%s", usage_cases[i].name);
      g_test_add_data_func (path, &usage_cases[i], test_usage_errors);
    }
  g_test_add_func ("/cli/qmp/usage", test_qmp_usage);
  g_test_add_func ("/cli/view/edid-usage", test_edid_usage);
  g_test_add_func ("/cli/binary/help", test_binary_help);
  g_test_add_func ("/cli/binary/unknown-command", test_binary_unknown_command);
  g_test_add_func ("/cli/binary/probe-sim", test_binary_probe_sim);
  g_test_add_func ("/cli/parse-numbers", test_parse_numbers);
  g_test_add_func ("/cli/config/print", test_print_config);
  g_test_add_func ("/cli/config/bad", test_bad_config);
  g_test_add_func ("/cli/config/vm-switches", test_config_vm_switches);
  for (gsize i = 0; i < G_N_ELEMENTS (binary_usage_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/binary/usage/%s", binary_usage_cases[i].name);
      g_test_add_data_func (path, &binary_usage_cases[i], test_binary_usage_errors);
    }
  return g_test_run ();
}
