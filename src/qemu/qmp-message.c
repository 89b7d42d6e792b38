/* One QMP line to a checked GvtQmpMessage: a strict lexical pass of our
 * own, json-glib for the tree, then each member a kind needs. */
#include <stdio.h>
#include <string.h>

#include "qmp-message.h"
#include "common/gvt-error.h"

#define QUOTE_MAX 40
#define EVENT_NAME_MAX 64

char *
gvt_qmp_message_quote (const char *data, gsize len)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < MIN (len, QUOTE_MAX); i++)
    {
      guchar c = (guchar) data[i];
      if (c == '\\' || c == '\'')
        g_string_append_printf (s, "\\%c", c);
      else if (c >= 0x20 && c < 0x7f)
        g_string_append_c (s, (char) c);
      else if (c == '\r')
        g_string_append (s, "\\r");
      else if (c == '\n')
        g_string_append (s, "\\n");
      else if (c == '\t')
        g_string_append (s, "\\t");
      else
        g_string_append_printf (s, "\\x%02x", c);
    }
  if (len > QUOTE_MAX)
    g_string_append (s, "...");
  return g_string_free (s, FALSE);
}

char *
gvt_qmp_message_quote_str (const char *text)
{
  g_autofree char *q = gvt_qmp_message_quote (text, strlen (text));
  return g_strdup_printf ("'%s'", q);
}

/* --- the lexical pass --- */

/* What json-glib 1.6 is not strict about, checked first: it takes
 * comments, single quotes, hex and bare-dot numbers and several values on
 * a line, wraps integers beyond 64 bits (-18446744073709551615 becomes 1,
 * a valid id), recurses once per nesting level and cuts strings at
 * \u0000. The grammar (commas, colons, keys) is left to json-glib. Each
 * scan_* returns why the token is wrong, or NULL and moves *p past it. */

static int
hex_digit (guchar c)
{
  return g_ascii_isxdigit (c) ? g_ascii_xdigit_value (c) : -1;
}

/* The 4 hex digits of a \u escape at @p (the 'u' already passed), or -1. */
static int
scan_u_escape (const guchar **p, const guchar *end)
{
  if (end - *p < 4)
    return -1;
  int v = 0;
  for (int i = 0; i < 4; i++)
    {
      int d = hex_digit ((*p)[i]);
      if (d < 0)
        return -1;
      v = v << 4 | d;
    }
  *p += 4;
  return v;
}

static const char *
scan_string (const guchar **pp, const guchar *end)
{
  const guchar *p = *pp + 1;

  for (;;)
    {
      if (p == end)
        return "a string without its end";
      guchar c = *p++;
      if (c == '"')
        break;
      if (c < 0x20)
        return "a control character in a string";
      if (c != '\\')
        continue;
      if (p == end)
        return "a string without its end";
      c = *p++;
      if (strchr ("\"\\/bfnrt", c) != NULL && c != '\0')
        continue;
      if (c != 'u')
        return "an invalid escape in a string";
      int u = scan_u_escape (&p, end);
      if (u < 0)
        return "an invalid \\u escape";
      if (u == 0)
        return "a \\u0000 in a string";
      if (u >= 0xdc00 && u <= 0xdfff)
        return "a lone UTF-16 surrogate";
      if (u >= 0xd800 && u <= 0xdbff)
        {
          /* A high surrogate: the low one must follow. */
          if (end - p < 2 || p[0] != '\\' || p[1] != 'u')
            return "a lone UTF-16 surrogate";
          p += 2;
          int low = scan_u_escape (&p, end);
          if (low < 0xdc00 || low > 0xdfff)
            return "a lone UTF-16 surrogate";
        }
    }
  *pp = p;
  return NULL;
}

/* RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and, when it is
 * an integer, one that fits in a gint64 (json-glib's integer). */
static const char *
scan_number (const guchar **pp, const guchar *end)
{
  const guchar *p = *pp;
  gboolean negative = *p == '-';
  guint64 limit = negative ? (guint64) G_MAXINT64 + 1 : (guint64) G_MAXINT64;
  guint64 value = 0;
  gboolean overflow = FALSE, integer = TRUE;

  if (negative)
    p++;
  if (p == end || !g_ascii_isdigit (*p))
    return "a malformed number";
  if (*p == '0' && p + 1 < end && g_ascii_isdigit (p[1]))
    return "a number with a leading zero";
  for (; p < end && g_ascii_isdigit (*p); p++)
    {
      guint d = *p - '0';
      if (value > (limit - d) / 10)
        overflow = TRUE;
      else
        value = value * 10 + d;
    }
  if (p < end && *p == '.')
    {
      integer = FALSE;
      if (++p == end || !g_ascii_isdigit (*p))
        return "a malformed number";
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      integer = FALSE;
      if (++p < end && (*p == '+' || *p == '-'))
        p++;
      if (p == end || !g_ascii_isdigit (*p))
        return "a malformed number";
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  if (integer && overflow)
    return "an integer beyond 64 bits";
  *pp = p;
  return NULL;
}

static const char *
scan_literal (const guchar **pp, const guchar *end)
{
  static const char *const literals[] = { "true", "false", "null" };

  for (gsize i = 0; i < G_N_ELEMENTS (literals); i++)
    {
      gsize n = strlen (literals[i]);
      if ((gsize) (end - *pp) >= n && memcmp (*pp, literals[i], n) == 0)
        {
          *pp += n;
          return NULL;
        }
    }
  return "a word that is not JSON";
}

/* NULL when @data is one strict JSON value within GVT_QMP_MAX_DEPTH, else
 * why not and at which byte (*at). */
static const char *
check_lexically (const guchar *data, gsize len, gsize *at)
{
  const guchar *p = data, *end = data + len;
  char closers[GVT_QMP_MAX_DEPTH];
  int depth = 0;
  gboolean done = FALSE; /* a whole value is behind, at depth 0 */
  const char *why = NULL;

  while (p < end && why == NULL)
    {
      *at = (gsize) (p - data);
      guchar c = *p;
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
        {
          p++;
          continue;
        }
      if (done)
        return "more than one JSON value on the line";
      switch (c)
        {
        case '{':
        case '[':
          if (depth == GVT_QMP_MAX_DEPTH)
            return "JSON nested deeper than " G_STRINGIFY (GVT_QMP_MAX_DEPTH) " levels";
          closers[depth++] = c == '{' ? '}' : ']';
          p++;
          continue;
        case '}':
        case ']':
          if (depth == 0 || closers[depth - 1] != c)
            return "a bracket that closes nothing open";
          p++;
          done = --depth == 0;
          continue;
        case ',':
        case ':':
          p++;
          continue;
        case '"':
          why = scan_string (&p, end);
          break;
        case 't':
        case 'f':
        case 'n':
          why = scan_literal (&p, end);
          break;
        default:
          if (c == '-' || g_ascii_isdigit (c))
            why = scan_number (&p, end);
          else
            why = c < 0x20 ? "a control character" : "a character that is not JSON";
        }
      done = why == NULL && depth == 0;
    }
  if (why != NULL)
    return why;
  *at = len;
  if (depth > 0)
    return "an object or array without its end";
  if (!done)
    return "no JSON value";
  return NULL;
}

/* --- members --- */

typedef enum { WANT_OBJECT, WANT_ARRAY, WANT_STRING, WANT_INTEGER } Want;

static const char *const want_names[] = { "an object", "an array", "a string", "an integer" };

static const char *
describe (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";
  GType type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 ? "an integer"
         : type == G_TYPE_DOUBLE ? "a number with a fraction"
         : type == G_TYPE_BOOLEAN ? "a boolean" : "a string";
}

static gboolean
is (JsonNode *node, Want want)
{
  switch (want)
    {
    case WANT_OBJECT: return JSON_NODE_HOLDS_OBJECT (node);
    case WANT_ARRAY: return JSON_NODE_HOLDS_ARRAY (node);
    case WANT_STRING:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
    case WANT_INTEGER:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
    }
  return FALSE;
}

/* What a refusal needs to say what was refused. */
typedef struct {
  const char *data;
  gsize len;
  const char *kind; /* "a greeting", "an event", ... */
  GError **error;
} Ctx;

G_GNUC_PRINTF (2, 3) static void
refuse (const Ctx *ctx, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  g_autofree char *what = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_autofree char *quote = gvt_qmp_message_quote (ctx->data, ctx->len);
  g_set_error (ctx->error, GVT_ERROR, GVT_ERROR_PROTOCOL, "%s: '%s'", what, quote);
}

/* @object's member @name (@path names it in a refusal) when it is what
 * @want says; NULL otherwise, a refusal unless it is absent and @optional. */
static JsonNode *
member (const Ctx *ctx, JsonObject *object, const char *name, const char *path, Want want,
        gboolean optional)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    {
      if (!optional)
        refuse (ctx, "%s without \"%s\"", ctx->kind, path);
      return NULL;
    }
  if (!is (node, want))
    {
      refuse (ctx, "%s whose \"%s\" is %s, not %s", ctx->kind, path, describe (node),
              want_names[want]);
      return NULL;
    }
  return node;
}

/* A string member, "" when absent; FALSE on a refusal. */
static gboolean
string_member (const Ctx *ctx, JsonObject *object, const char *name, const char *path,
               char **out)
{
  JsonNode *node = member (ctx, object, name, path, WANT_STRING, TRUE);

  if (node == NULL && json_object_has_member (object, name))
    return FALSE;
  *out = g_strdup (node ? json_node_get_string (node) : "");
  return TRUE;
}

static gboolean
parse_greeting (const Ctx *ctx, JsonObject *root, GvtQmpMessage *msg)
{
  static const char *const parts[] = { "major", "minor", "micro" };
  int *out[] = { &msg->major, &msg->minor, &msg->micro };
  JsonNode *qmp, *version, *qemu;

  if (!(qmp = member (ctx, root, "QMP", "QMP", WANT_OBJECT, FALSE))
      || !(version = member (ctx, json_node_get_object (qmp), "version", "QMP.version",
                             WANT_OBJECT, FALSE))
      || !(qemu = member (ctx, json_node_get_object (version), "qemu", "QMP.version.qemu",
                          WANT_OBJECT, FALSE))
      || !member (ctx, json_node_get_object (qmp), "capabilities", "QMP.capabilities",
                  WANT_ARRAY, FALSE))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autofree char *path = g_strconcat ("QMP.version.qemu.", parts[i], NULL);
      JsonNode *node = member (ctx, json_node_get_object (qemu), parts[i], path,
                               WANT_INTEGER, FALSE);
      if (node == NULL)
        return FALSE;
      gint64 v = json_node_get_int (node);
      if (v < 0 || v > G_MAXINT)
        {
          refuse (ctx, "a greeting whose \"%s\" is out of range (%" G_GINT64_FORMAT ")", path,
                  v);
          return FALSE;
        }
      *out[i] = (int) v;
    }
  return TRUE;
}

static void
take_id (JsonObject *root, GvtQmpMessage *msg)
{
  JsonNode *id = json_object_get_member (root, "id");

  /* Any other id is not one of ours: has_id stays FALSE and the client
   * says so. */
  if (id != NULL && is (id, WANT_INTEGER) && json_node_get_int (id) >= 0)
    {
      msg->has_id = TRUE;
      msg->id = json_node_get_int (id);
    }
}

static gboolean
parse_error (const Ctx *ctx, JsonObject *root, GvtQmpMessage *msg)
{
  JsonNode *error = member (ctx, root, "error", "error", WANT_OBJECT, FALSE);

  if (error == NULL
      || !string_member (ctx, json_node_get_object (error), "class", "error.class",
                         &msg->error_class)
      || !string_member (ctx, json_node_get_object (error), "desc", "error.desc",
                         &msg->error_desc))
    return FALSE;
  take_id (root, msg);
  return TRUE;
}

static gboolean
parse_event (const Ctx *ctx, JsonObject *root, GvtQmpMessage *msg)
{
  JsonNode *event = member (ctx, root, "event", "event", WANT_STRING, FALSE);

  if (event == NULL)
    return FALSE;
  const char *name = json_node_get_string (event);
  if (*name == '\0' || strlen (name) > EVENT_NAME_MAX)
    {
      refuse (ctx, "an event whose name is %s", *name ? "over 64 bytes" : "empty");
      return FALSE;
    }
  msg->event = g_strdup (name);
  JsonNode *data = json_object_get_member (root, "data");
  if (data != NULL && JSON_NODE_HOLDS_OBJECT (data))
    msg->value = json_node_ref (data);
  return TRUE;
}

static const struct {
  const char *member;
  GvtQmpMessageKind kind;
  const char *noun;
} kinds[] = {
  { "QMP", GVT_QMP_MESSAGE_GREETING, "a greeting" },
  { "return", GVT_QMP_MESSAGE_RETURN, "a reply" },
  { "error", GVT_QMP_MESSAGE_ERROR, "an error reply" },
  { "event", GVT_QMP_MESSAGE_EVENT, "an event" },
};

static gboolean
parse_object (Ctx *ctx, JsonObject *root, GvtQmpMessage *msg)
{
  int found = -1;

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (json_object_has_member (root, kinds[i].member))
      {
        if (found >= 0)
          {
            refuse (ctx, "a message of two QMP kinds (\"%s\" and \"%s\")",
                    kinds[found].member, kinds[i].member);
            return FALSE;
          }
        found = (int) i;
      }
  if (found < 0)
    {
      refuse (ctx, "a message of no QMP kind (no \"QMP\", \"return\", \"error\" or \"event\")");
      return FALSE;
    }
  msg->kind = kinds[found].kind;
  ctx->kind = kinds[found].noun;
  switch (msg->kind)
    {
    case GVT_QMP_MESSAGE_GREETING:
      return parse_greeting (ctx, root, msg);
    case GVT_QMP_MESSAGE_RETURN:
      msg->value = json_node_ref (json_object_get_member (root, "return"));
      take_id (root, msg);
      return TRUE;
    case GVT_QMP_MESSAGE_ERROR:
      return parse_error (ctx, root, msg);
    case GVT_QMP_MESSAGE_EVENT:
      return parse_event (ctx, root, msg);
    }
  g_assert_not_reached ();
}

gboolean
gvt_qmp_message_parse (const char *data, gsize len, GvtQmpMessage *msg, GError **error)
{
  Ctx ctx = { data, len, "a message", error };
  const char *why;
  gsize at = 0;

  memset (msg, 0, sizeof *msg);
  if (len == 0)
    data = ""; /* memchr and json-glib want a pointer, even for nothing */
  if (len > GVT_QMP_MAX_MESSAGE)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL,
                   "a message over 64 KiB (%" G_GSIZE_FORMAT " bytes)", len);
      return FALSE;
    }
  const char *nul = memchr (data, '\0', len);
  if (nul != NULL)
    {
      refuse (&ctx, "a message that is not JSON (a NUL byte at byte %" G_GSIZE_FORMAT ")",
              (gsize) (nul - data));
      return FALSE;
    }
  /* json-glib validates UTF-8 too, but a refusal here says where. */
  const char *bad;
  if (!g_utf8_validate_len (data, len, &bad))
    {
      refuse (&ctx, "a message that is not JSON (not UTF-8 at byte %" G_GSIZE_FORMAT ")",
              (gsize) (bad - data));
      return FALSE;
    }
  if ((why = check_lexically ((const guchar *) data, len, &at)) != NULL)
    {
      refuse (&ctx, "a message that is not JSON (%s at byte %" G_GSIZE_FORMAT ")", why, at);
      return FALSE;
    }

  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) json_error = NULL;
  if (!json_parser_load_from_data (parser, data, (gssize) len, &json_error))
    {
      /* The grammar: json-glib says what and where ("<data>:1:14: Parse
       * error: unexpected character `,', expected ...": the column is one
       * byte past ours); its message quotes a token of the input, which can
       * be long: cut. */
      const char *text = json_error->message;
      unsigned column = 0;
      int skip = 0;
      if (sscanf (text, "<data>:%*u:%u: Parse error: %n", &column, &skip) == 1 && skip > 0)
        text += skip;
      g_autofree char *valid = g_utf8_make_valid (text, -1);
      g_autofree char *reason = g_utf8_substring (valid, 0, MIN (g_utf8_strlen (valid, -1), 80));
      /* The token is decoded: "\n" in the input is a line end here. */
      for (char *c = reason; *c; c++)
        if ((guchar) *c < 0x20)
          *c = ' ';
      if (skip > 0 && column > 0)
        refuse (&ctx, "a message that is not JSON (%s at byte %u)", reason, column - 1);
      else
        refuse (&ctx, "a message that is not JSON (%s)", reason);
      return FALSE;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      refuse (&ctx, "a message that is %s, not a JSON object",
              root ? describe (root) : "empty");
      return FALSE;
    }
  if (!parse_object (&ctx, json_node_get_object (root), msg))
    {
      gvt_qmp_message_clear (msg);
      return FALSE;
    }
  return TRUE;
}

void
gvt_qmp_message_clear (GvtQmpMessage *msg)
{
  g_clear_pointer (&msg->value, json_node_unref);
  g_free (msg->error_class);
  g_free (msg->error_desc);
  g_free (msg->event);
  memset (msg, 0, sizeof *msg);
}
