/* The key table against a real QEMU (Debian's, TCG, no guest OS): its
 * qcodes are QEMU's QKeyCode enum from query-qmp-schema, all of it but
 * the few names the test lists with the reason, and every entry sent
 * with input-send-event comes out of QEMU's input layer as that qcode,
 * down then up, in order (QEMU's trace of input_event_key_qcode). */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "common/gvt-error.h"
#include "qemu/keymap.h"
#include "qemu/qmp.h"
#include "testutil.h"

/* Bounds against a hang only, generous for a loaded CI machine. */
#define WAIT_S 60
#define QMP_TIMEOUT_MS 30000
/* Keys (each down and up) per input-send-event. */
#define BATCH 20

/* QEMU's qcodes the table has no entry for, and why. */
static const struct {
  const char *qcode;
  const char *why;
} not_in_table[] = {
  { "unmapped", "QEMU's name for no key at all (KEY_RESERVED): nothing to press" },
  { "sysrq", "KEY_SYSRQ is sent as \"print\": QEMU's input layer rewrites \"sysrq\" to "
             "\"print\" itself (checked in the round trip), and its PS/2 keyboard makes "
             "the SysRq scancode of print with Alt held" },
  { "asterisk", "QEMU's other name for the keypad's * (KEY_KPASTERISK), the same scancode "
                "as \"kp_multiply\", which the table sends, as QEMU's own "
                "Linux-to-qcode map does" },
};

/* Table qcodes newer than some QEMU: (qapi/ui.json "since 8.0"). An older
 * QEMU refuses them; the table has them for the QEMUs that don't. */
static const char *const since_8_0[] = {
  "f13", "f14", "f15", "f16", "f17", "f18", "f19", "f20", "f21", "f22", "f23", "f24",
};

typedef struct {
  char *dir;
  char *sock;
  char *schema;  /* a second monitor, for query-qmp-schema */
  char *trace;   /* QEMU's stderr */
  GPid pid;
  GvtQmp *qmp;
  int major, minor;
  GHashTable *qcodes;  /* QEMU's QKeyCode values */
} Qemu;

static void
qemu_free (Qemu *q)
{
  gvt_qmp_close (q->qmp);
  gvt_test_kill (q->pid);
  if (q->sock)
    g_unlink (q->sock);
  if (q->schema)
    g_unlink (q->schema);
  if (q->trace)
    g_unlink (q->trace);
  if (q->dir)
    g_rmdir (q->dir);
  g_clear_pointer (&q->qcodes, g_hash_table_unref);
  g_free (q->sock);
  g_free (q->schema);
  g_free (q->trace);
  g_free (q->dir);
  g_free (q);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Qemu, qemu_free)

/* Runs the main context until *@flag or WAIT_S (a hang, not a timing). */
static void
run_until (const gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;
  while (!*flag && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_true (*flag);
}

typedef struct {
  gboolean done;
  GError *error;
  JsonNode *result;
} Wait;

static void
wait_clear (Wait *w)
{
  g_clear_error (&w->error);
  g_clear_pointer (&w->result, json_node_unref);
}

static void
on_ready (GvtQmp *qmp, const GError *error, gpointer user_data)
{
  Wait *w = user_data;
  w->done = TRUE;
  if (error)
    w->error = g_error_copy (error);
}

static void
on_reply (GvtQmp *qmp, JsonNode *result, const GError *error, gpointer user_data)
{
  Wait *w = user_data;
  w->done = TRUE;
  if (error)
    w->error = g_error_copy (error);
  else
    w->result = json_node_copy (result);
}

/* Runs @command and returns its result (the caller's), asserting success. */
static JsonNode *
qmp_run (Qemu *q, const char *command, JsonObject *arguments)
{
  Wait w = { 0 };

  gvt_qmp_execute (q->qmp, command, arguments, QMP_TIMEOUT_MS, on_reply, &w);
  run_until (&w.done);
  g_assert_no_error (w.error);
  return w.result;
}

/* The next answer on @lines ("return"'s value, the caller's), events
 * skipped; QEMU's error fails the test. */
static JsonNode *
raw_answer (GDataInputStream *lines)
{
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_assert_true (json_parser_load_from_data (parser, line, -1, &error));
      g_assert_no_error (error);
      JsonObject *message = json_node_get_object (json_parser_get_root (parser));
      if (json_object_has_member (message, "error"))
        g_error ("QEMU: %s", line);
      if (json_object_has_member (message, "return"))
        return json_node_copy (json_object_get_member (message, "return"));
    }
}

/* query-qmp-schema's answer. It is one line of 207 KB from QEMU 7.2,
 * beyond GvtQmp's cap on a message (GVT_QMP_MAX_MESSAGE, 64 KiB, against
 * a peer that never ends one), so it comes over a second monitor, read
 * here with a blocking line reader of the test's own. */
static JsonNode *
read_schema (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);

  /* Also the I/O timeout of the connection: a hang fails, nothing else. */
  g_socket_client_set_timeout (client, WAIT_S);
  g_autoptr (GSocketConnection) connection =
    g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr (GDataInputStream) lines =
    g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));

  g_autofree char *greeting = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (greeting, "\"QMP\""));
  const char *const commands[] = {
    "{\"execute\": \"qmp_capabilities\"}\n",
    "{\"execute\": \"query-qmp-schema\"}\n",
  };
  JsonNode *answer = NULL;
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_assert_true (g_output_stream_write_all (out, commands[i], strlen (commands[i]), NULL,
                                                NULL, &error));
      g_assert_no_error (error);
      g_clear_pointer (&answer, json_node_unref);
      answer = raw_answer (lines);
    }
  g_assert_true (JSON_NODE_HOLDS_ARRAY (answer));
  return answer;
}

/* @object's array @name, or NULL (json-glib 1.6 has no _with_default). */
static JsonArray *
array_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  return node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* The QKeyCode enum of the schema: the one enum with "shift", "a" and
 * "ret" (the schema's type names are masked). */
static GHashTable *
read_qkeycode (JsonNode *schema)
{
  GHashTable *found = NULL;
  JsonArray *types = json_node_get_array (schema);

  for (guint i = 0; i < json_array_get_length (types); i++)
    {
      JsonObject *type = json_array_get_object_element (types, i);
      if (g_strcmp0 (json_object_get_string_member_with_default (type, "meta-type", NULL), "enum"))
        continue;
      /* "members" [{name}] since QEMU 6.2, "values" (deprecated) before. */
      g_autoptr (GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      JsonArray *members = array_member (type, "members");
      JsonArray *names = array_member (type, "values");
      for (guint j = 0; members && j < json_array_get_length (members); j++)
        g_hash_table_add (values, g_strdup (json_object_get_string_member (
                                    json_array_get_object_element (members, j), "name")));
      for (guint j = 0; !members && names && j < json_array_get_length (names); j++)
        g_hash_table_add (values, g_strdup (json_array_get_string_element (names, j)));
      if (g_hash_table_contains (values, "shift") && g_hash_table_contains (values, "a")
          && g_hash_table_contains (values, "ret"))
        {
          g_assert_null (found);
          found = g_steal_pointer (&values);
        }
    }
  g_assert_nonnull (found);
  return found;
}

/* Starts QEMU paused, with the key trace on its stderr, connects and
 * reads the enum. NULL (the test skipped) when there is no QEMU outside
 * CI; in CI a missing QEMU fails. */
static Qemu *
qemu_start (void)
{
  g_autofree char *exe = gvt_test_require_program ("qemu-system-x86_64", "qemu-system-x86");

  g_autoptr (Qemu) q = g_new0 (Qemu, 1);
  g_autoptr (GError) error = NULL;
  q->dir = g_dir_make_tmp ("gvt-keymap-XXXXXX", &error);
  g_assert_no_error (error);
  q->sock = g_build_filename (q->dir, "qmp.sock", NULL);
  q->schema = g_build_filename (q->dir, "schema.sock", NULL);
  q->trace = g_build_filename (q->dir, "stderr", NULL);

  g_autofree char *qmp_arg = g_strdup_printf ("unix:%s,server=on,wait=off", q->sock);
  g_autofree char *schema_arg = g_strdup_printf ("unix:%s,server=on,wait=off", q->schema);
  const char *argv[] = {
    exe, "-accel", "tcg", "-m", "64", "-nic", "none", "-display", "none", "-vga", "none",
    "-S", "-device", "usb-ehci", "-device", "usb-kbd", "-qmp", qmp_arg,
    "-qmp", schema_arg, "-trace", "input_event_key_qcode", NULL
  };
  q->pid = gvt_test_spawn_qemu (argv, q->trace);
  /* Listening on both (or QEMU died: say why). */
  if (!gvt_test_wait_listening (q->sock, q->pid) || !gvt_test_wait_listening (q->schema, q->pid))
    {
      g_autofree char *said = NULL;
      g_file_get_contents (q->trace, &said, NULL, NULL);
      g_error ("QEMU did not start: %s", said ? said : "");
    }

  Wait ready = { 0 };
  GvtQmpCallbacks cb = { .ready = on_ready };
  q->qmp = gvt_qmp_connect (q->sock, QMP_TIMEOUT_MS, &cb, &ready);
  run_until (&ready.done);
  g_assert_no_error (ready.error);
  int micro;
  gvt_qmp_get_version (q->qmp, &q->major, &q->minor, &micro);
  g_test_message ("QEMU %d.%d", q->major, q->minor);

  g_autoptr (JsonNode) schema = read_schema (q->schema);
  q->qcodes = read_qkeycode (schema);
  g_test_message ("QKeyCode: %u values", g_hash_table_size (q->qcodes));
  return g_steal_pointer (&q);
}

static gboolean
is_since_8_0 (const char *qcode)
{
  for (guint i = 0; i < G_N_ELEMENTS (since_8_0); i++)
    if (strcmp (since_8_0[i], qcode) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
qemu_knows_since_8_0 (Qemu *q)
{
  return q->major >= 8;
}

static void
test_schema (void)
{
  g_autoptr (Qemu) q = qemu_start ();
  gsize n;
  const GvtKeymapEntry *all = gvt_keymap_get_all (&n);
  g_autoptr (GHashTable) table = g_hash_table_new (g_str_hash, g_str_equal);

  if (!q)
    return;
  for (gsize i = 0; i < n; i++)
    {
      g_hash_table_add (table, (gpointer) all[i].qcode);
      gboolean known = g_hash_table_contains (q->qcodes, all[i].qcode);
      if (is_since_8_0 (all[i].qcode))
        {
          /* Exactly the QEMU versions the schema documents. */
          if (known != qemu_knows_since_8_0 (q))
            g_error ("%s (%s): QEMU %d.%d %s it", all[i].qcode, all[i].linux_name, q->major,
                     q->minor, known ? "has" : "lacks");
        }
      else if (!known)
        g_error ("%s (%s) is not a QKeyCode of QEMU %d.%d", all[i].qcode, all[i].linux_name,
                 q->major, q->minor);
    }
  for (guint i = 0; i < G_N_ELEMENTS (since_8_0); i++)
    g_assert_true (g_hash_table_contains (table, since_8_0[i]));

  /* All of QEMU's qcodes but the listed ones, each listed one QEMU's and
   * not the table's: the list stays as short as it is true. */
  g_autoptr (GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < G_N_ELEMENTS (not_in_table); i++)
    {
      g_test_message ("not in the table: %s: %s", not_in_table[i].qcode, not_in_table[i].why);
      g_assert_true (g_hash_table_contains (q->qcodes, not_in_table[i].qcode));
      g_assert_false (g_hash_table_contains (table, not_in_table[i].qcode));
      g_hash_table_add (listed, (gpointer) not_in_table[i].qcode);
    }
  GHashTableIter iter;
  gpointer qcode;
  guint missing = 0;
  g_hash_table_iter_init (&iter, q->qcodes);
  while (g_hash_table_iter_next (&iter, &qcode, NULL))
    if (!g_hash_table_contains (table, qcode) && !g_hash_table_contains (listed, qcode))
      {
        g_test_message ("QEMU's qcode '%s' is not in the table", (char *) qcode);
        missing++;
      }
  g_assert_cmpuint (missing, ==, 0);
}

/* Adds @qcode's press and release to @events. */
static void
add_key (JsonArray *events, const char *qcode)
{
  for (int down = 1; down >= 0; down--)
    {
      JsonObject *key = json_object_new ();
      json_object_set_string_member (key, "type", "qcode");
      json_object_set_string_member (key, "data", qcode);
      JsonObject *data = json_object_new ();
      json_object_set_boolean_member (data, "down", down);
      json_object_set_object_member (data, "key", key);
      JsonObject *event = json_object_new ();
      json_object_set_string_member (event, "type", "key");
      json_object_set_object_member (event, "data", data);
      json_array_add_object_element (events, event);
    }
}

/* input-send-event of @qcodes, down and up each, not waited for. */
static void
send_keys (Qemu *q, const char *const *qcodes, guint n, Wait *w)
{
  g_autoptr (JsonObject) args = json_object_new ();
  JsonArray *events = json_array_new ();

  for (guint i = 0; i < n; i++)
    add_key (events, qcodes[i]);
  json_object_set_array_member (args, "events", events);
  gvt_qmp_execute (q->qmp, "input-send-event", args, QMP_TIMEOUT_MS, on_reply, w);
}

/* The key lines of QEMU's trace so far, from "input_event_key_qcode" on
 * (a "-msg timestamp=on" prefix would be left out). */
static GPtrArray *
read_trace (Qemu *q)
{
  g_autofree char *text = NULL;
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (g_file_get_contents (q->trace, &text, NULL, NULL));
  g_auto (GStrv) all = g_strsplit (text, "\n", -1);
  for (char **line = all; *line; line++)
    {
      const char *at = strstr (*line, "input_event_key_qcode ");
      if (at)
        g_ptr_array_add (lines, g_strdup (at));
    }
  return lines;
}

static void
test_round_trip (void)
{
  g_autoptr (Qemu) q = qemu_start ();
  gsize n;
  const GvtKeymapEntry *all = gvt_keymap_get_all (&n);

  if (!q)
    return;
  /* input-send-event refuses a stopped VM ("VM not running"): -S kept
   * it from running before the test was connected. */
  g_autoptr (JsonNode) cont = qmp_run (q, "cont", NULL);

  /* What this QEMU has, in table order, then "sysrq" to see it become
   * "print". */
  g_autoptr (GPtrArray) sent = g_ptr_array_new ();
  g_autoptr (GPtrArray) expected = g_ptr_array_new ();
  guint skipped = 0;
  for (gsize i = 0; i < n; i++)
    {
      if (!g_hash_table_contains (q->qcodes, all[i].qcode))
        {
          g_assert_true (is_since_8_0 (all[i].qcode));
          skipped++;
          continue;
        }
      g_ptr_array_add (sent, (gpointer) all[i].qcode);
      g_ptr_array_add (expected, (gpointer) all[i].qcode);
    }
  g_ptr_array_add (sent, (gpointer) "sysrq");
  g_ptr_array_add (expected, (gpointer) "print");
  if (skipped)
    g_test_message ("%u keys not sent: QEMU %d.%d lacks them", skipped, q->major, q->minor);

  /* Pipelined: QEMU runs one monitor's commands in order. */
  guint n_batches = (sent->len + BATCH - 1) / BATCH;
  g_autofree Wait *replies = g_new0 (Wait, n_batches);
  for (guint b = 0; b < n_batches; b++)
    send_keys (q, (const char *const *) sent->pdata + b * BATCH,
               MIN (BATCH, sent->len - b * BATCH), &replies[b]);
  for (guint b = 0; b < n_batches; b++)
    {
      run_until (&replies[b].done);
      g_assert_no_error (replies[b].error);
      wait_clear (&replies[b]);
    }

  /* A QEMU without f13..f24 refuses them by name. */
  for (gsize i = 0; i < n; i++)
    if (!g_hash_table_contains (q->qcodes, all[i].qcode))
      {
        Wait w = { 0 };
        g_autofree char *says = g_strdup_printf ("does not accept value '%s'", all[i].qcode);
        send_keys (q, &all[i].qcode, 1, &w);
        run_until (&w.done);
        g_assert_error (w.error, GVT_ERROR, GVT_ERROR_QMP);
        g_assert_nonnull (strstr (w.error->message, says));
        wait_clear (&w);
      }

  /* QEMU traced each event before it answered; the file is read until it
   * has them all, in case the writes lag. */
  g_autoptr (GPtrArray) lines = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;
  do
    {
      g_clear_pointer (&lines, g_ptr_array_unref);
      lines = read_trace (q);
      if (lines->len >= 2 * expected->len)
        break;
      g_usleep (10 * 1000);
    }
  while (g_get_monotonic_time () < deadline);

  g_test_message ("%u keys sent in %u commands, %u trace lines", sent->len, n_batches,
                  lines->len);
  for (guint i = 0; i < expected->len; i++)
    for (int down = 1; down >= 0; down--)
      {
        guint at = 2 * i + (1 - down);
        g_autofree char *want = g_strdup_printf (
          "input_event_key_qcode con -1, key qcode %s, down %d",
          (char *) expected->pdata[i], down);
        if (at >= lines->len)
          g_error ("trace ends before '%s'", want);
        g_assert_cmpstr (lines->pdata[at], ==, want);
      }
  g_assert_cmpuint (lines->len, ==, 2 * expected->len);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/keymap-qemu/schema/qkeycode", test_schema);
  g_test_add_func ("/keymap-qemu/round-trip/every-key", test_round_trip);
  return g_test_run ();
}
