/* Tests of the command line: probe and the shared DEVICE handling, run
 * in-process (so the fake kernel applies), and the binary's dispatch. */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <sys/wait.h>

#include "cmd/cmd.h"
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
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) GVT_VIEW_BIN);
  for (; *args; args++)
    g_ptr_array_add (argv, (gpointer) *args);
  g_ptr_array_add (argv, NULL);
  g_autoptr (GError) error = NULL;
  int wait_status = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &r->out, &r->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/probe/sim-text", test_probe_sim_text);
  g_test_add_func ("/cli/probe/sim-json", test_probe_sim_json);
  g_test_add_func ("/cli/probe/sim-fourcc", test_probe_sim_fourcc);
  g_test_add_func ("/cli/probe/sim-unsupported-format", test_probe_sim_unsupported_format);
  for (gsize i = 0; i < G_N_ELEMENTS (usage_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/usage/%s", usage_cases[i].name);
      g_test_add_data_func (path, &usage_cases[i], test_usage_errors);
    }
  g_test_add_func ("/cli/binary/help", test_binary_help);
  g_test_add_func ("/cli/binary/unknown-command", test_binary_unknown_command);
  g_test_add_func ("/cli/binary/probe-sim", test_binary_probe_sim);
  return g_test_run ();
}
