/* One QMP message from QEMU, parsed and checked. QMP is JSON objects, one
 * per line (QEMU ends each with "\r\n"); every byte comes from a peer we
 * don't trust, so each field is checked for its type here and the rest of
 * the QEMU link only ever sees a GvtQmpMessage. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The longest message taken, in bytes, line end excluded. QEMU's largest
 * answers to what we send (query-status, qom-list, screendump: none
 * returns data) are under 4 KiB; events under 1 KiB. A line beyond this is
 * a protocol error and the connection is closed: memory stays bounded. */
#define GVT_QMP_MAX_MESSAGE (64 * 1024)

typedef enum {
  GVT_QMP_MESSAGE_GREETING, /* {"QMP": {"version": {"qemu": {...}}, "capabilities": [...]}} */
  GVT_QMP_MESSAGE_RETURN,   /* {"return": VALUE, "id": ID} */
  GVT_QMP_MESSAGE_ERROR,    /* {"error": {"class": S, "desc": S}, "id": ID} */
  GVT_QMP_MESSAGE_EVENT,    /* {"event": S, "data": {...}, "timestamp": {...}} */
} GvtQmpMessageKind;

typedef struct {
  GvtQmpMessageKind kind;
  /* GREETING: QEMU's version (each 0..G_MAXINT). */
  int major, minor, micro;
  /* RETURN, ERROR: the id, when present and a JSON integer 0..G_MAXINT64
   * (ours are); has_id FALSE otherwise. */
  gboolean has_id;
  gint64 id;
  /* RETURN: the "return" member, any JSON type (owned). EVENT: "data"
   * when it is an object (owned), else NULL. */
  JsonNode *value;
  /* ERROR: "class" and "desc", strings (owned; "" when absent). */
  char *error_class;
  char *error_desc;
  /* EVENT: "event", a non-empty string of at most 64 bytes (owned). */
  char *event;
} GvtQmpMessage;

/* JSON nested deeper than this is refused (json-glib 1.6 recurses once a
 * level: 32 Ki '[' would use the stack up; QEMU's answers are a few levels
 * deep). */
#define GVT_QMP_MAX_DEPTH 64

/* Parses @len bytes at @data (one line, line end stripped; not
 * nul-terminated; may contain NULs; may be NULL when @len is 0) into @msg
 * (zeroed, or cleared since it was last parsed into). FALSE with
 * GVT_ERROR_PROTOCOL and a message a user can read, a noun phrase that
 * fits after "QEMU sent " ("a message that is not JSON (...): '...'",
 * quoting at most 40 bytes of the input, escaped), when it is over
 * GVT_QMP_MAX_MESSAGE, not strict JSON (RFC 8259: json-glib 1.6 alone
 * would take comments, single quotes, hex numbers, several values on a
 * line, and wrap integers beyond 64 bits, so those are refused first; so
 * are \u0000, lone surrogates and nesting over GVT_QMP_MAX_DEPTH), not an
 * object, of no kind above or of more than one, or when a member a kind
 * needs is absent or has the wrong type; @msg is then cleared. Never
 * reads past @len. No state: callable from any thread. */
gboolean gvt_qmp_message_parse (const char *data, gsize len, GvtQmpMessage *msg,
                                GError **error);

/* Frees the members; @msg can be parsed into again. */
void gvt_qmp_message_clear (GvtQmpMessage *msg);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GvtQmpMessage, gvt_qmp_message_clear)

/* The first 40 bytes of @data for an error message, without quotes:
 * printable ASCII as is but \\ and ' escaped, \r \n \t, other bytes as
 * \xHH; "..." appended when there was more. Caller frees. */
char *gvt_qmp_message_quote (const char *data, gsize len);

/* The same of the string @text, in single quotes: 'TEXT'. Caller frees. */
char *gvt_qmp_message_quote_str (const char *text);

G_END_DECLS
