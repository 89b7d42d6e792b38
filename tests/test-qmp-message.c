/* The QMP message parser: every kind it takes, and every refusal, from
 * tables of lines (QEMU 7.2's own output among them). */
#include <string.h>

#include "common/gvt-error.h"
#include "qemu/qmp-message.h"

/* QEMU 7.2's greeting, as captured. */
#define GREETING_7_2                                                                   \
  "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, " \
  "\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"capabilities\": [\"oob\"]}}"

/* The line as a test message: TAP wants UTF-8. */
static void
show (const char *line)
{
  g_autofree char *escaped = g_strescape (line, NULL);
  g_test_message ("%s", escaped);
}

static void
test_greeting (void)
{
  static const struct {
    const char *line;
    int major, minor, micro;
  } cases[] = {
    { GREETING_7_2, 7, 2, 22 },
    { "{\"QMP\":{\"version\":{\"qemu\":{\"major\":10,\"minor\":0,\"micro\":0},\"package\":\"\"},"
      "\"capabilities\":[]}}", 10, 0, 0 },
    /* Extra members anywhere are fine. */
    { "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 2147483647, \"minor\": 0, \"micro\": 1, "
      "\"x\": null}}, \"capabilities\": [\"oob\", 5], \"new\": {}}, \"x\": 1}",
      G_MAXINT, 0, 1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (GvtQmpMessage) msg = { 0 };
      g_autoptr (GError) error = NULL;
      show (cases[i].line);
      g_assert_true (gvt_qmp_message_parse (cases[i].line, strlen (cases[i].line), &msg,
                                            &error));
      g_assert_no_error (error);
      g_assert_cmpint (msg.kind, ==, GVT_QMP_MESSAGE_GREETING);
      g_assert_cmpint (msg.major, ==, cases[i].major);
      g_assert_cmpint (msg.minor, ==, cases[i].minor);
      g_assert_cmpint (msg.micro, ==, cases[i].micro);
      g_assert_false (msg.has_id);
      g_assert_null (msg.value);
      g_assert_null (msg.event);
    }
}

static void
test_return (void)
{
  static const struct {
    const char *line;
    JsonNodeType type;
    gboolean has_id;
    gint64 id;
  } cases[] = {
    { "{\"return\": {}}", JSON_NODE_OBJECT, FALSE, 0 },
    { "{\"return\": {}, \"id\": 1}", JSON_NODE_OBJECT, TRUE, 1 },
    { "{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}, "
      "\"id\": 7}", JSON_NODE_OBJECT, TRUE, 7 },
    { "{\"id\": 9223372036854775807, \"return\": [1, 2.5, \"x\", null, true]}",
      JSON_NODE_ARRAY, TRUE, G_MAXINT64 },
    { "{\"return\": 5, \"id\": 0}", JSON_NODE_VALUE, TRUE, 0 },
    { "{\"return\": null, \"id\": 3}", JSON_NODE_NULL, TRUE, 3 },
    { "{\"return\": \"caf\\u00e9 \\ud83d\\ude00\", \"id\": 3}", JSON_NODE_VALUE, TRUE, 3 },
    /* Ids that are not ours: no id. */
    { "{\"return\": {}, \"id\": \"x\"}", JSON_NODE_OBJECT, FALSE, 0 },
    { "{\"return\": {}, \"id\": -1}", JSON_NODE_OBJECT, FALSE, 0 },
    { "{\"return\": {}, \"id\": 1.0}", JSON_NODE_OBJECT, FALSE, 0 },
    { "{\"return\": {}, \"id\": [1]}", JSON_NODE_OBJECT, FALSE, 0 },
    { "{\"return\": {}, \"id\": null}", JSON_NODE_OBJECT, FALSE, 0 },
    /* Whitespace around, a '\r' left inside (the caller strips one). */
    { " \t{ \"return\" : { } }\r ", JSON_NODE_OBJECT, FALSE, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (GvtQmpMessage) msg = { 0 };
      g_autoptr (GError) error = NULL;
      show (cases[i].line);
      g_assert_true (gvt_qmp_message_parse (cases[i].line, strlen (cases[i].line), &msg,
                                            &error));
      g_assert_no_error (error);
      g_assert_cmpint (msg.kind, ==, GVT_QMP_MESSAGE_RETURN);
      g_assert_nonnull (msg.value);
      g_assert_cmpint (JSON_NODE_TYPE (msg.value), ==, cases[i].type);
      g_assert_cmpint (msg.has_id, ==, cases[i].has_id);
      g_assert_cmpint (msg.id, ==, cases[i].id);
    }
}

static void
test_error (void)
{
  static const struct {
    const char *line;
    const char *class, *desc;
    gboolean has_id;
  } cases[] = {
    { "{\"id\": 4, \"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'x' is "
      "unexpected\"}}", "GenericError", "Parameter 'x' is unexpected", TRUE },
    { "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'x' not found\"}, "
      "\"id\": 2}", "DeviceNotFound", "Device 'x' not found", TRUE },
    /* QEMU's answer to bad JSON has no id. */
    { "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, invalid "
      "keyword 'x'\"}}", "GenericError", "JSON parse error, invalid keyword 'x'", FALSE },
    { "{\"error\": {}, \"id\": 1}", "", "", TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (GvtQmpMessage) msg = { 0 };
      g_autoptr (GError) error = NULL;
      show (cases[i].line);
      g_assert_true (gvt_qmp_message_parse (cases[i].line, strlen (cases[i].line), &msg,
                                            &error));
      g_assert_no_error (error);
      g_assert_cmpint (msg.kind, ==, GVT_QMP_MESSAGE_ERROR);
      g_assert_cmpstr (msg.error_class, ==, cases[i].class);
      g_assert_cmpstr (msg.error_desc, ==, cases[i].desc);
      g_assert_cmpint (msg.has_id, ==, cases[i].has_id);
      g_assert_null (msg.value);
    }
}

static void
test_event (void)
{
  static const struct {
    const char *line;
    const char *name;
    const char *data_member; /* a member "data" has, or NULL for no data */
  } cases[] = {
    { "{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 123456}, \"event\": "
      "\"STOP\"}", "STOP", NULL },
    { "{\"timestamp\": {\"seconds\": 1700000001, \"microseconds\": 5}, \"event\": \"RESUME\"}",
      "RESUME", NULL },
    { "{\"timestamp\": {\"seconds\": 1700000002, \"microseconds\": 7}, \"event\": \"RESET\", "
      "\"data\": {\"guest\": true, \"reason\": \"guest-reset\"}}", "RESET", "guest" },
    { "{\"timestamp\": {\"seconds\": 1700000003, \"microseconds\": 9}, \"event\": "
      "\"SHUTDOWN\", \"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}}",
      "SHUTDOWN", "reason" },
    /* data that is not an object: no data. */
    { "{\"event\": \"X\", \"data\": 5}", "X", NULL },
    { "{\"event\": \"1234567890123456789012345678901234567890123456789012345678901234\"}",
      "1234567890123456789012345678901234567890123456789012345678901234", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (GvtQmpMessage) msg = { 0 };
      g_autoptr (GError) error = NULL;
      show (cases[i].line);
      g_assert_true (gvt_qmp_message_parse (cases[i].line, strlen (cases[i].line), &msg,
                                            &error));
      g_assert_no_error (error);
      g_assert_cmpint (msg.kind, ==, GVT_QMP_MESSAGE_EVENT);
      g_assert_cmpstr (msg.event, ==, cases[i].name);
      if (cases[i].data_member == NULL)
        g_assert_null (msg.value);
      else
        {
          g_assert_true (JSON_NODE_HOLDS_OBJECT (msg.value));
          g_assert_true (json_object_has_member (json_node_get_object (msg.value),
                                                 cases[i].data_member));
        }
      g_assert_false (msg.has_id);
    }
}

static void
assert_refused (const char *data, gsize len, const char *words)
{
  GvtQmpMessage msg;
  g_autoptr (GError) error = NULL;

  /* Garbage in: a refusal must not leave it there (nor free it). */
  memset (&msg, 0x5a, sizeof msg);
  g_assert_false (gvt_qmp_message_parse (data, len, &msg, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL);
  g_test_message ("-> %s", error->message);
  if (strstr (error->message, words) == NULL)
    {
      g_test_fail_printf ("'%s' is not in \"%s\"", words, error->message);
      return;
    }
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpint (msg.kind, ==, 0);
  g_assert_false (msg.has_id);
  g_assert_cmpint (msg.id, ==, 0);
  g_assert_null (msg.value);
  g_assert_null (msg.error_class);
  g_assert_null (msg.error_desc);
  g_assert_null (msg.event);
}

static void
test_refusals (void)
{
  static const struct {
    const char *line;
    const char *words;
  } cases[] = {
    /* Not JSON, or not what strict JSON allows. */
    { "", "not JSON (no JSON value" },
    { "  \t", "not JSON (no JSON value" },
    { "SSH-2.0-OpenSSH_9.2", "not JSON (a character that is not JSON at byte 0)" },
    { "HTTP/1.1 400 Bad Request", "not JSON (a character that is not JSON at byte 0)" },
    { "{\"return\": {}", "not JSON (an object or array without its end at byte 13)" },
    { "{\"return\": {}, \"id\": 1", "not JSON (an object or array without its end" },
    { "{\"return\": {}}}", "not JSON (more than one JSON value on the line at byte 14)" },
    { "{\"return\": {]}", "not JSON (a bracket that closes nothing open at byte 12)" },
    { "{\"return\": [}]", "not JSON (a bracket that closes nothing open" },
    { "{\"return\": {}}{\"return\": {}}", "not JSON (more than one JSON value on the line" },
    { "{\"return\": {}} 5", "not JSON (more than one JSON value" },
    { "5 5", "not JSON (more than one JSON value" },
    { "{\"return\": /* hi */ {}}", "not JSON (a character that is not JSON" },
    { "{'return': {}}", "not JSON (a character that is not JSON at byte 1)" },
    { "{\"return\": 0x10}", "not JSON (a character that is not JSON" },
    { "{\"return\": .5}", "not JSON (a character that is not JSON" },
    { "{\"return\": 1.}", "not JSON (a malformed number" },
    { "{\"return\": -}", "not JSON (a malformed number" },
    { "{\"return\": - 1}", "not JSON (a malformed number" },
    { "{\"return\": 1e}", "not JSON (a malformed number" },
    { "{\"return\": 01}", "not JSON (a number with a leading zero" },
    { "{\"return\": {}, \"id\": 9223372036854775808}", "not JSON (an integer beyond 64 bits" },
    { "{\"return\": {}, \"id\": -18446744073709551615}", "not JSON (an integer beyond 64 bits" },
    { "{\"return\": tru}", "not JSON (a word that is not JSON" },
    { "{\"return\": True}", "not JSON (a character that is not JSON" },
    { "{\"return\": NaN}", "not JSON (a character that is not JSON" },
    { "{\"return\": \"abc}", "not JSON (a string without its end" },
    { "{\"return\": \"a\tb\"}", "not JSON (a control character in a string" },
    { "{\"return\": \"\\x41\"}", "not JSON (an invalid escape in a string" },
    { "{\"return\": \"\\'\"}", "not JSON (an invalid escape in a string" },
    { "{\"return\": \"\\u12\"}", "not JSON (an invalid \\u escape" },
    { "{\"return\": \"\\u0000\"}", "not JSON (a \\u0000 in a string" },
    { "{\"return\": \"\\ud800\"}", "not JSON (a lone UTF-16 surrogate" },
    { "{\"return\": \"\\ud800\\u0041\"}", "not JSON (a lone UTF-16 surrogate" },
    { "{\"return\": \"\\udc00\"}", "not JSON (a lone UTF-16 surrogate" },
    { "{\"return\": \"\xff\"}", "not JSON (not UTF-8 at byte 12)" },
    { "{\"return\": \"\xc3\"}", "not JSON (not UTF-8 at byte 12)" },
    { "\xef\xbb\xbf{\"return\": {}}", "not JSON (a character that is not JSON at byte 0)" },
    /* Lexically fine, but not JSON's grammar: json-glib says. */
    { "{\"return\": {},}", "not JSON (" },
    { "{\"return\" {}}", "not JSON (" },
    { "{\"return\": [1 2]}", "not JSON (" },
    { "{return: {}}", "not JSON (a character that is not JSON at byte 1)" },
    { "{\"return\": nul}", "not JSON (a word that is not JSON at byte 11)" },
    { "{\"return\": {}, \"id\"}", "not JSON (" },
    { "{\"return\"::{}}", "not JSON (" },
    { ",", "not JSON (" },
    /* JSON, but not an object. */
    { "[1, 2]", "a message that is an array, not a JSON object" },
    { "\"QMP\"", "a message that is a string, not a JSON object" },
    { "5", "a message that is an integer, not a JSON object" },
    { "null", "a message that is null, not a JSON object" },
    { "true", "a message that is a boolean, not a JSON object" },
    /* No kind, or two. */
    { "{}", "a message of no QMP kind" },
    { "{\"execute\": \"qmp_capabilities\"}", "a message of no QMP kind" },
    { "{\"return\": {}, \"event\": \"STOP\"}", "a message of two QMP kinds (\"return\" and \"event\")" },
    { "{\"QMP\": {}, \"error\": {}}", "a message of two QMP kinds" },
    /* Greetings. */
    { "{\"QMP\": {\"capabilities\": []}}", "a greeting without \"QMP.version\"" },
    { "{\"QMP\": 5}", "a greeting whose \"QMP\" is an integer, not an object" },
    { "{\"QMP\": {\"version\": \"7.2\", \"capabilities\": []}}",
      "a greeting whose \"QMP.version\" is a string, not an object" },
    { "{\"QMP\": {\"version\": {}, \"capabilities\": []}}",
      "a greeting without \"QMP.version.qemu\"" },
    { "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2}}, \"capabilities\": []}}",
      "a greeting without \"QMP.version.qemu.micro\"" },
    { "{\"QMP\": {\"version\": {\"qemu\": {\"major\": \"7\", \"minor\": 2, \"micro\": 0}}, "
      "\"capabilities\": []}}", "a greeting whose \"QMP.version.qemu.major\" is a string, not an "
      "integer" },
    { "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7.0, \"minor\": 2, \"micro\": 0}}, "
      "\"capabilities\": []}}", "\"QMP.version.qemu.major\" is a number with a fraction" },
    { "{\"QMP\": {\"version\": {\"qemu\": {\"major\": -1, \"minor\": 2, \"micro\": 0}}, "
      "\"capabilities\": []}}", "\"QMP.version.qemu.major\" is out of range (-1)" },
    { "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2147483648, \"micro\": 0}}, "
      "\"capabilities\": []}}", "\"QMP.version.qemu.minor\" is out of range (2147483648)" },
    { "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}}}}",
      "a greeting without \"QMP.capabilities\"" },
    { "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}}, "
      "\"capabilities\": {}}}", "\"QMP.capabilities\" is an object, not an array" },
    /* Errors. */
    { "{\"error\": \"bad\", \"id\": 1}", "an error reply whose \"error\" is a string, not an object" },
    { "{\"error\": {\"class\": 5, \"desc\": \"x\"}}", "\"error.class\" is an integer, not a string" },
    { "{\"error\": {\"class\": \"X\", \"desc\": null}}", "\"error.desc\" is null, not a string" },
    /* Events. */
    { "{\"event\": 5}", "an event whose \"event\" is an integer, not a string" },
    { "{\"event\": null}", "an event whose \"event\" is null" },
    { "{\"event\": \"\"}", "an event whose name is empty" },
    { "{\"event\": \"12345678901234567890123456789012345678901234567890123456789012345\"}",
      "an event whose name is over 64 bytes" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      show (cases[i].line);
      assert_refused (cases[i].line, strlen (cases[i].line), cases[i].words);
    }
}

/* The quote in a refusal: 40 bytes at most, escaped, marked when cut. */
static void
test_quote (void)
{
  static const struct {
    const char *data;
    gsize len;
    const char *quote;
  } cases[] = {
    { "SSH-2.0-OpenSSH_9.2", 19, "SSH-2.0-OpenSSH_9.2" },
    { "it's a \\ back", 13, "it\\'s a \\\\ back" },
    { "a\0b\r\n\t\x7f\xc3\xa9", 9, "a\\x00b\\r\\n\\t\\x7f\\xc3\\xa9" },
    { "0123456789012345678901234567890123456789", 40,
      "0123456789012345678901234567890123456789" },
    { "01234567890123456789012345678901234567890", 41,
      "0123456789012345678901234567890123456789..." },
    { "", 0, "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *quote = gvt_qmp_message_quote (cases[i].data, cases[i].len);
      g_assert_cmpstr (quote, ==, cases[i].quote);
    }

  /* In a refusal: the input's own bytes, escaped. */
  g_autoptr (GError) error = NULL;
  g_auto (GvtQmpMessage) msg = { 0 };
  g_assert_false (gvt_qmp_message_parse ("[1, 'x']", 8, &msg, &error));
  g_assert_cmpstr (error->message, ==,
                   "a message that is not JSON (a character that is not JSON at byte 4): "
                   "'[1, \\'x\\']'");
}

static void
test_nul_and_length (void)
{
  /* A NUL inside: refused, quoted, and nothing after the length read (the
   * line is cut out of a larger buffer). */
  static const char with_nul[] = "{\"return\": {}}\0{\"return\": {}}";
  assert_refused (with_nul, sizeof with_nul - 1, "not JSON (a NUL byte at byte 14)");
  g_auto (GvtQmpMessage) msg = { 0 };
  g_autoptr (GError) error = NULL;
  g_assert_true (gvt_qmp_message_parse (with_nul, 14, &msg, &error));
  gvt_qmp_message_clear (&msg);
  g_assert_false (gvt_qmp_message_parse ("{\"return\": {}}", 13, &msg, &error));
  g_clear_error (&error);

  /* Exactly the limit is taken, one byte more is not. */
  gsize len = GVT_QMP_MAX_MESSAGE;
  g_autofree char *big = g_malloc (len + 1);
  static const char head[] = "{\"return\": \"", tail[] = "\", \"id\": 1}";
  memcpy (big, head, sizeof head - 1);
  memset (big + sizeof head - 1, 'a', len - (sizeof head - 1) - (sizeof tail - 1));
  memcpy (big + len - (sizeof tail - 1), tail, sizeof tail - 1);
  g_assert_true (gvt_qmp_message_parse (big, len, &msg, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (json_node_get_string (msg.value)), ==,
                    len - (sizeof head - 1) - (sizeof tail - 1));
  gvt_qmp_message_clear (&msg);

  big[len] = ' ';
  assert_refused (big, len + 1, "a message over 64 KiB (65537 bytes)");

  /* 32 Ki levels would exhaust json-glib's stack: refused at 65 levels. */
  gsize depth = GVT_QMP_MAX_MESSAGE / 2;
  g_autofree char *deep = g_malloc (2 * depth);
  memset (deep, '[', depth);
  memset (deep + depth, ']', depth);
  assert_refused (deep, 2 * depth, "not JSON (JSON nested deeper than 64 levels at byte 64)");
  char within[16 + 2 * GVT_QMP_MAX_DEPTH];
  within[0] = '{';
  memcpy (within + 1, "\"return\":", 9);
  memset (within + 10, '[', GVT_QMP_MAX_DEPTH - 1);
  memset (within + 10 + GVT_QMP_MAX_DEPTH - 1, ']', GVT_QMP_MAX_DEPTH - 1);
  within[10 + 2 * (GVT_QMP_MAX_DEPTH - 1)] = '}';
  g_assert_true (gvt_qmp_message_parse (within, 11 + 2 * (GVT_QMP_MAX_DEPTH - 1), &msg, &error));
  g_assert_no_error (error);
}

/* A message is parsed into again after a clear, of another kind. */
static void
test_reuse (void)
{
  static const char *const lines[] = {
    GREETING_7_2,
    "{\"return\": {\"status\": \"running\", \"running\": true}, \"id\": 2}",
    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"x\"}, \"id\": 3}",
    "{\"event\": \"RESET\", \"data\": {\"guest\": true}}",
    "{\"event\": 5}",
    "{\"return\": {}}",
  };
  GvtQmpMessage msg = { 0 };

  for (gsize i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr (GError) error = NULL;
      gboolean ok = gvt_qmp_message_parse (lines[i], strlen (lines[i]), &msg, &error);
      g_assert_true (ok == (error == NULL));
      g_assert_cmpint (ok, ==, i != 4);
      gvt_qmp_message_clear (&msg);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/qemu/qmp-message/greeting", test_greeting);
  g_test_add_func ("/qemu/qmp-message/return", test_return);
  g_test_add_func ("/qemu/qmp-message/error", test_error);
  g_test_add_func ("/qemu/qmp-message/event", test_event);
  g_test_add_func ("/qemu/qmp-message/refusals", test_refusals);
  g_test_add_func ("/qemu/qmp-message/quote", test_quote);
  g_test_add_func ("/qemu/qmp-message/nul-and-length", test_nul_and_length);
  g_test_add_func ("/qemu/qmp-message/reuse", test_reuse);
  return g_test_run ();
}
