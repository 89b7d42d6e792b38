/* Fuzz target: the QMP message parser (qemu/qmp-message.h), on lines cut
 * the way the client cuts them, against a strict JSON reader of its own.
 *
 * Input: a mode byte (its low two bits), then
 * - 0, a stream: the rest split on '\n', one trailing '\r' stripped, each
 *   line parsed (into the same message, cleared between) from a copy of
 *   exactly its length;
 * - 1, the size limit: a length near GVT_QMP_MAX_MESSAGE and a shape
 *   (a reply whose "return" string fills it, or an event followed by
 *   spaces), built to exactly that length;
 * - 2, the depth limit: a reply whose "return" nests arrays or objects a
 *   number of levels near GVT_QMP_MAX_DEPTH;
 * - 3, one line: the rest as it is ('\n' and all).
 * Contract checked (qmp-message.h):
 * - a refusal is GVT_ERROR_PROTOCOL with a non-empty message of valid
 *   UTF-8 without control characters, of bounded length, and @msg is
 *   cleared (all zero); over GVT_QMP_MAX_MESSAGE is refused as such,
 *   whatever the bytes;
 * - the reference (RFC 8259 with the header's additions: no \u0000, no
 *   lone surrogate, integers within 64 bits, nesting at most
 *   GVT_QMP_MAX_DEPTH) and the parser agree on what is JSON: a line the
 *   reference refuses is refused as "not JSON", one it takes never is;
 *   a JSON value that is not an object is refused as such;
 * - of an object, the kind is the one of "QMP", "return", "error", "event"
 *   it has (none or two: refused); "return" is always taken; an event is
 *   taken exactly when "event" is a string of 1..64 bytes (decoded);
 *   has_id and id are exactly the reference's reading of a top-level
 *   integer "id" >= 0, for replies and errors, never for the others;
 * - what is taken has the kind's members set with the right types
 *   (greeting: a version in 0..G_MAXINT; return: a value; error: class and
 *   desc strings; event: a name, data an object or NULL), the others NULL;
 *   parsing it again gives the same. */
#include <string.h>

#include "common/gvt-error.h"
#include "qemu/qmp-message.h"
#include "fuzz-common.h"

void
fuzz_target_init (void)
{
}

/* --- the reference --- */

typedef enum { R_OBJECT, R_ARRAY, R_STRING, R_INTEGER, R_OTHER } RType;

typedef struct {
  RType type;
  gsize string_len;  /* R_STRING: decoded UTF-8 bytes */
  gboolean fits;     /* R_INTEGER: in gint64 */
  gint64 integer;
} RValue;

typedef struct {
  const guchar *p, *end;
  int depth;
  /* The top-level object's members (the last of a name wins, as in
   * json-glib): name -> RValue. */
  GHashTable *top;
} Ref;

static void
skip_ws (Ref *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
    r->p++;
}

static int
ref_hex4 (Ref *r)
{
  if (r->end - r->p < 4)
    return -1;
  int v = 0;
  for (int i = 0; i < 4; i++)
    {
      guchar c = r->p[i];
      int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  r->p += 4;
  return v;
}

/* A string at r->p ('"'), decoded into @out (may be NULL). */
static gboolean
ref_string (Ref *r, GString *out)
{
  r->p++;
  for (;;)
    {
      if (r->p >= r->end)
        return FALSE;
      guchar c = *r->p++;
      if (c == '"')
        return TRUE;
      if (c < 0x20)
        return FALSE;
      if (c != '\\')
        {
          if (out)
            g_string_append_c (out, (char) c);
          continue;
        }
      if (r->p >= r->end)
        return FALSE;
      c = *r->p++;
      gunichar u;
      switch (c)
        {
        case '"': case '\\': case '/': u = c; break;
        case 'b': u = '\b'; break;
        case 'f': u = '\f'; break;
        case 'n': u = '\n'; break;
        case 'r': u = '\r'; break;
        case 't': u = '\t'; break;
        case 'u':
          {
            int hi = ref_hex4 (r);
            if (hi <= 0 || (hi >= 0xdc00 && hi <= 0xdfff))
              return FALSE;
            u = (gunichar) hi;
            if (hi >= 0xd800 && hi <= 0xdbff)
              {
                if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
                  return FALSE;
                r->p += 2;
                int lo = ref_hex4 (r);
                if (lo < 0xdc00 || lo > 0xdfff)
                  return FALSE;
                u = 0x10000 + (((gunichar) hi - 0xd800) << 10) + ((gunichar) lo - 0xdc00);
              }
            break;
          }
        default:
          return FALSE;
        }
      if (out)
        g_string_append_unichar (out, u);
    }
}

static gboolean
ref_number (Ref *r, RValue *v)
{
  const guchar *start = r->p;
  gboolean neg = FALSE, integer = TRUE;

  if (*r->p == '-')
    {
      neg = TRUE;
      r->p++;
    }
  const guchar *digits = r->p;
  while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
    r->p++;
  gsize n = (gsize) (r->p - digits);
  if (n == 0 || (n > 1 && digits[0] == '0'))
    return FALSE;
  if (r->p < r->end && *r->p == '.')
    {
      integer = FALSE;
      const guchar *f = ++r->p;
      while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
        r->p++;
      if (r->p == f)
        return FALSE;
    }
  if (r->p < r->end && (*r->p == 'e' || *r->p == 'E'))
    {
      integer = FALSE;
      r->p++;
      if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
        r->p++;
      const guchar *e = r->p;
      while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
        r->p++;
      if (r->p == e)
        return FALSE;
    }
  v->type = integer ? R_INTEGER : R_OTHER;
  if (!integer)
    return TRUE;
  /* Exactly, in 128 bits' worth of care: compare against the decimal
   * strings of the limits. */
  static const char max_pos[] = "9223372036854775807", max_neg[] = "9223372036854775808";
  const char *limit = neg ? max_neg : max_pos;
  if (n > 19 || (n == 19 && memcmp (digits, limit, 19) > 0))
    return FALSE; /* the header's rule: beyond 64 bits is not taken */
  g_autofree char *text = g_strndup ((const char *) start, (gsize) (r->p - start));
  v->integer = g_ascii_strtoll (text, NULL, 10);
  v->fits = TRUE;
  return TRUE;
}

static gboolean ref_value (Ref *r, RValue *v);

static gboolean
ref_object (Ref *r, RValue *v)
{
  gboolean top = r->depth == 1;
  v->type = R_OBJECT;
  r->p++;
  skip_ws (r);
  if (r->p < r->end && *r->p == '}')
    {
      r->p++;
      return TRUE;
    }
  for (;;)
    {
      skip_ws (r);
      if (r->p >= r->end || *r->p != '"')
        return FALSE;
      g_autoptr (GString) name = g_string_new (NULL);
      if (!ref_string (r, name))
        return FALSE;
      skip_ws (r);
      if (r->p >= r->end || *r->p++ != ':')
        return FALSE;
      RValue member = { 0 };
      if (!ref_value (r, &member))
        return FALSE;
      if (top)
        g_hash_table_insert (r->top, g_strdup (name->str), g_memdup2 (&member, sizeof member));
      skip_ws (r);
      if (r->p >= r->end)
        return FALSE;
      guchar c = *r->p++;
      if (c == '}')
        return TRUE;
      if (c != ',')
        return FALSE;
    }
}

static gboolean
ref_array (Ref *r, RValue *v)
{
  v->type = R_ARRAY;
  r->p++;
  skip_ws (r);
  if (r->p < r->end && *r->p == ']')
    {
      r->p++;
      return TRUE;
    }
  for (;;)
    {
      RValue element = { 0 };
      if (!ref_value (r, &element))
        return FALSE;
      skip_ws (r);
      if (r->p >= r->end)
        return FALSE;
      guchar c = *r->p++;
      if (c == ']')
        return TRUE;
      if (c != ',')
        return FALSE;
    }
}

static gboolean
ref_literal (Ref *r, const char *word)
{
  gsize n = strlen (word);
  if ((gsize) (r->end - r->p) < n || memcmp (r->p, word, n) != 0)
    return FALSE;
  r->p += n;
  return TRUE;
}

static gboolean
ref_value (Ref *r, RValue *v)
{
  skip_ws (r);
  if (r->p >= r->end)
    return FALSE;
  switch (*r->p)
    {
    case '{':
    case '[':
      {
        if (++r->depth > GVT_QMP_MAX_DEPTH)
          return FALSE;
        gboolean ok = *r->p == '{' ? ref_object (r, v) : ref_array (r, v);
        r->depth--;
        return ok;
      }
    case '"':
      {
        g_autoptr (GString) s = g_string_new (NULL);
        v->type = R_STRING;
        if (!ref_string (r, s))
          return FALSE;
        v->string_len = s->len;
        return TRUE;
      }
    case 't':
      v->type = R_OTHER;
      return ref_literal (r, "true");
    case 'f':
      v->type = R_OTHER;
      return ref_literal (r, "false");
    case 'n':
      v->type = R_OTHER;
      return ref_literal (r, "null");
    default:
      if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
        return ref_number (r, v);
      return FALSE;
    }
}

typedef enum { NOT_JSON, NOT_OBJECT, OBJECT } Verdict;

static Verdict
ref_read (const guchar *data, gsize len, GHashTable *top)
{
  if (len == 0)
    return NOT_JSON;
  if (memchr (data, '\0', len) != NULL || !g_utf8_validate_len ((const char *) data, len, NULL))
    return NOT_JSON;
  Ref r = { data, data + len, 0, top };
  RValue v = { 0 };
  if (!ref_value (&r, &v))
    return NOT_JSON;
  skip_ws (&r);
  if (r.p != r.end)
    return NOT_JSON;
  return v.type == R_OBJECT ? OBJECT : NOT_OBJECT;
}

/* --- the checks --- */

static gboolean
is_zero (const GvtQmpMessage *msg)
{
  static const GvtQmpMessage zero;
  return memcmp (msg, &zero, sizeof zero) == 0;
}

static void
check_refusal (const GError *error, const GvtQmpMessage *msg)
{
  FUZZ_CHECK (error != NULL && g_error_matches (error, GVT_ERROR, GVT_ERROR_PROTOCOL),
              "refused with %s", error ? g_quark_to_string (error->domain) : "no error");
  const char *m = error->message;
  FUZZ_CHECK (*m != '\0', "an empty message");
  FUZZ_CHECK (g_utf8_validate (m, -1, NULL), "a message not in UTF-8");
  /* What it says (80 characters of json-glib at most), the quote (40
   * bytes, escaped: 4 each) and the words around. */
  FUZZ_CHECK (strlen (m) <= 600, "a message of %" G_GSIZE_FORMAT " bytes", strlen (m));
  for (const char *p = m; *p; p++)
    FUZZ_CHECK ((guchar) *p >= 0x20, "a control character in \"%s\"", m);
  FUZZ_CHECK (is_zero (msg), "a refusal left the message set");
}

static void
check_accepted (const GvtQmpMessage *msg, GHashTable *top)
{
  const RValue *id = g_hash_table_lookup (top, "id");
  gboolean want_id = id != NULL && id->type == R_INTEGER && id->fits && id->integer >= 0;

  switch (msg->kind)
    {
    case GVT_QMP_MESSAGE_GREETING:
      FUZZ_CHECK (msg->major >= 0 && msg->minor >= 0 && msg->micro >= 0, "version %d.%d.%d",
                  msg->major, msg->minor, msg->micro);
      FUZZ_CHECK (msg->value == NULL && msg->event == NULL && msg->error_class == NULL
                  && msg->error_desc == NULL && !msg->has_id && msg->id == 0,
                  "a greeting with other kinds' members");
      break;
    case GVT_QMP_MESSAGE_RETURN:
    case GVT_QMP_MESSAGE_ERROR:
      FUZZ_CHECK (msg->has_id == want_id && (!want_id || msg->id == id->integer),
                  "id %s%" G_GINT64_FORMAT ", the reference reads %s%" G_GINT64_FORMAT,
                  msg->has_id ? "" : "none ", msg->id, want_id ? "" : "none ",
                  want_id ? id->integer : 0);
      FUZZ_CHECK (msg->has_id || msg->id == 0, "an id without has_id");
      FUZZ_CHECK (msg->event == NULL, "a reply with an event name");
      if (msg->kind == GVT_QMP_MESSAGE_RETURN)
        FUZZ_CHECK (msg->value != NULL && msg->error_class == NULL && msg->error_desc == NULL,
                    "a reply without its value, or with an error's members");
      else
        FUZZ_CHECK (msg->value == NULL && msg->error_class != NULL && msg->error_desc != NULL
                    && g_utf8_validate (msg->error_class, -1, NULL)
                    && g_utf8_validate (msg->error_desc, -1, NULL),
                    "an error without its class and desc strings");
      break;
    case GVT_QMP_MESSAGE_EVENT:
      {
        const RValue *event = g_hash_table_lookup (top, "event");
        gsize n = msg->event ? strlen (msg->event) : 0;
        FUZZ_CHECK (n >= 1 && n <= 64 && g_utf8_validate (msg->event, -1, NULL),
                    "an event name of %" G_GSIZE_FORMAT " bytes", n);
        FUZZ_CHECK (event != NULL && event->string_len == n, "the name is not \"event\"");
        FUZZ_CHECK (msg->value == NULL || JSON_NODE_HOLDS_OBJECT (msg->value),
                    "event data that is not an object");
        FUZZ_CHECK (!msg->has_id && msg->id == 0 && msg->error_class == NULL
                    && msg->error_desc == NULL, "an event with other kinds' members");
        break;
      }
    default:
      FUZZ_CHECK (FALSE, "kind %d", msg->kind);
    }
}

static void
check_same (const GvtQmpMessage *a, const guchar *data, gsize len)
{
  g_auto (GvtQmpMessage) b = { 0 };
  FUZZ_CHECK (gvt_qmp_message_parse ((const char *) data, len, &b, NULL), "not deterministic");
  FUZZ_CHECK (a->kind == b.kind && a->has_id == b.has_id && a->id == b.id
              && a->major == b.major && a->minor == b.minor && a->micro == b.micro
              && g_strcmp0 (a->event, b.event) == 0
              && g_strcmp0 (a->error_class, b.error_class) == 0
              && g_strcmp0 (a->error_desc, b.error_desc) == 0
              && (a->value == NULL) == (b.value == NULL)
              && (a->value == NULL || json_node_equal (a->value, b.value)),
              "parsed twice, two results");
}

static const char *const kind_members[] = { "QMP", "return", "error", "event" };

/* Parses @len bytes at @data (a copy of exactly that size: NULL for none)
 * into @msg and checks the result; @msg is cleared after. */
static void
check_line (const guchar *data, gsize len, GvtQmpMessage *msg)
{
  g_autofree guchar *line = g_memdup2 (data, len);
  g_autoptr (GError) error = NULL;
  gboolean ok = gvt_qmp_message_parse ((const char *) line, len, msg, &error);
  fuzz_trace ("%" G_GSIZE_FORMAT " bytes: %s", len, ok ? "taken" : error->message);
  if (ok)
    FUZZ_CHECK (error == NULL, "taken, with an error");
  else
    check_refusal (error, msg);

  if (len > GVT_QMP_MAX_MESSAGE)
    {
      FUZZ_CHECK (!ok && g_str_has_prefix (error->message, "a message over 64 KiB"),
                  "%" G_GSIZE_FORMAT " bytes: %s", len, ok ? "taken" : error->message);
      fuzz_count ("refused: over the limit");
      return;
    }

  g_autoptr (GHashTable) top = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  Verdict verdict = ref_read (line, len, top);
  gboolean said_not_json = !ok && g_str_has_prefix (error->message, "a message that is not JSON");
  FUZZ_CHECK ((verdict == NOT_JSON) == said_not_json,
              "the reference says %s JSON; the parser: %s", verdict == NOT_JSON ? "not" : "",
              ok ? "taken" : error->message);
  if (verdict == NOT_JSON)
    {
      fuzz_count ("refused: not JSON");
      return;
    }
  if (verdict == NOT_OBJECT)
    {
      FUZZ_CHECK (!ok && g_str_has_prefix (error->message, "a message that is ")
                  && strstr (error->message, ", not a JSON object: '") != NULL,
                  "not an object: %s", ok ? "taken" : error->message);
      fuzz_count ("refused: not an object");
      return;
    }

  int kinds = 0, kind = -1;
  for (int i = 0; i < (int) G_N_ELEMENTS (kind_members); i++)
    if (g_hash_table_contains (top, kind_members[i]))
      {
        kinds++;
        kind = i;
      }
  if (kinds != 1)
    {
      FUZZ_CHECK (!ok, "an object of %d kinds taken", kinds);
      fuzz_count (kinds ? "refused: two kinds" : "refused: no kind");
      return;
    }
  if (kind == GVT_QMP_MESSAGE_RETURN)
    FUZZ_CHECK (ok, "a reply refused: %s", error->message);
  if (kind == GVT_QMP_MESSAGE_EVENT)
    {
      const RValue *event = g_hash_table_lookup (top, "event");
      gboolean good = event->type == R_STRING && event->string_len >= 1
                      && event->string_len <= 64;
      FUZZ_CHECK (ok == good, "an event %s: %s", good ? "refused" : "taken",
                  ok ? "taken" : error->message);
    }
  if (!ok)
    {
      fuzz_count ("refused: a member");
      return;
    }
  FUZZ_CHECK ((int) msg->kind == kind, "kind %d for \"%s\"", msg->kind, kind_members[kind]);
  check_accepted (msg, top);
  check_same (msg, line, len);
  static const char *const taken[] = { "greeting", "return", "error", "event" };
  fuzz_count (taken[kind]);
  gvt_qmp_message_clear (msg);
  FUZZ_CHECK (is_zero (msg), "clear left something");
}

/* Mode 1: a message of exactly @len bytes (when the shape fits in it). */
static void
check_size (FuzzIn *in)
{
  guint32 near = fuzz_near (in, GVT_QMP_MAX_MESSAGE);
  gsize len = MIN (near, GVT_QMP_MAX_MESSAGE + 4096u);
  gboolean spaces = fuzz_u8 (in) & 1;
  static const char head[] = "{\"return\": \"", tail[] = "\", \"id\": 7}";
  static const char event[] = "{\"event\": \"STOP\"}";
  gsize fixed = spaces ? sizeof event - 1 : sizeof head - 1 + sizeof tail - 1;
  if (len < fixed)
    len = fixed;
  g_autofree char *data = g_malloc (len);
  if (spaces)
    {
      memcpy (data, event, fixed);
      memset (data + fixed, ' ', len - fixed);
    }
  else
    {
      memcpy (data, head, sizeof head - 1);
      memset (data + sizeof head - 1, 'a', len - fixed);
      memcpy (data + len - (sizeof tail - 1), tail, sizeof tail - 1);
    }
  g_auto (GvtQmpMessage) msg = { 0 };
  g_autoptr (GError) error = NULL;
  gboolean ok = gvt_qmp_message_parse (data, len, &msg, &error);
  FUZZ_CHECK (ok == (len <= GVT_QMP_MAX_MESSAGE), "%" G_GSIZE_FORMAT " bytes %s: %s", len,
              ok ? "taken" : "refused", ok ? "" : error->message);
  fuzz_count (ok ? "size: taken" : "size: refused");
  gvt_qmp_message_clear (&msg);
  check_line ((const guchar *) data, len, &msg);
}

/* Mode 2: "return" nested @depth levels (the object around is one more). */
static void
check_depth (FuzzIn *in)
{
  guint32 near = fuzz_near (in, GVT_QMP_MAX_DEPTH - 1);
  guint depth = MIN (near, 4096u);
  guint8 shape = fuzz_u8 (in);
  GString *s = g_string_new ("{\"return\": ");
  for (guint i = 0; i < depth; i++)
    g_string_append (s, (shape >> (i % 8)) & 1 ? "{\"a\": " : "[");
  g_string_append (s, "1");
  for (guint i = depth; i-- > 0;)
    g_string_append_c (s, (shape >> (i % 8)) & 1 ? '}' : ']');
  g_string_append_c (s, '}');

  g_auto (GvtQmpMessage) msg = { 0 };
  g_autoptr (GError) error = NULL;
  gboolean ok = gvt_qmp_message_parse (s->str, s->len, &msg, &error);
  FUZZ_CHECK (ok == (depth + 1 <= GVT_QMP_MAX_DEPTH), "depth %u %s: %s", depth + 1,
              ok ? "taken" : "refused", ok ? "" : error->message);
  fuzz_count (ok ? "depth: taken" : "depth: refused");
  gvt_qmp_message_clear (&msg);
  check_line ((const guchar *) s->str, s->len, &msg);
  g_string_free (s, TRUE);
}

void
fuzz_target_run (const guint8 *data, gsize size)
{
  FuzzIn in;
  fuzz_in_init (&in, data, size);
  guint8 mode = fuzz_u8 (&in) & 3;
  const guint8 *rest = data + in.pos;
  gsize left = size - in.pos;
  GvtQmpMessage msg = { 0 };

  switch (mode)
    {
    case 0:
      while (left > 0)
        {
          const guint8 *nl = memchr (rest, '\n', left);
          gsize len = nl ? (gsize) (nl - rest) : left;
          gsize line_len = len > 0 && rest[len - 1] == '\r' ? len - 1 : len;
          check_line (rest, line_len, &msg);
          gvt_qmp_message_clear (&msg);
          rest += nl ? len + 1 : len;
          left -= nl ? len + 1 : len;
        }
      break;
    case 1:
      check_size (&in);
      break;
    case 2:
      check_depth (&in);
      break;
    default:
      check_line (rest, left, &msg);
      break;
    }
  gvt_qmp_message_clear (&msg);
}
