/* The QMP client against a scripted fake QMP server — a thread with a
 * listening UNIX socket that plays one script per case, well-behaved or
 * not — and once against Debian's QEMU. Every case ends with the fds it
 * opened closed and a good connection to a good server still working. */
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/gvt-error.h"
#include "qemu/qmp-message.h"
#include "qemu/qmp.h"
#include "testutil.h"

/* QEMU 7.2's own lines. */
#define GREETING                                                                         \
  "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "   \
  "\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"capabilities\": [\"oob\"]}}\r\n"
#define STATUS_PRELAUNCH \
  "{\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}"
#define EVENT(name, data)                                                        \
  "{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 250000}, "        \
  "\"event\": \"" name "\"" data "}\r\n"

/* A blocking read or accept that takes longer is a broken test. */
#define SERVER_TIMEOUT_S 10
#define WAIT_TIMEOUT_S 10

/* --- the fake server --- */

typedef enum {
  OP_END,
  OP_SEND,        /* text; "$N" is the id of the N-th command read ($0: qmp_capabilities) */
  OP_SEND_RAW,    /* len bytes of text, as they are */
  OP_SEND_SLOWLY, /* the same, a byte at a time, 1 ms apart: split across the client's reads */
  OP_RECV,        /* a line from the client: the command named text; its id is noted */
  OP_SLEEP,       /* len ms */
  OP_HALF_CLOSE,  /* shutdown (SHUT_WR): the client reads EOF, we can still read */
  OP_CLOSE,       /* close now, whatever the client sent that is not read yet */
  OP_FLOOD,       /* len bytes of 'x', no line end, until the client closes */
  OP_WAIT_EOF,    /* read until the client closes */
} OpKind;

typedef struct {
  OpKind op;
  const char *text;
  gsize len;
} Op;

#define SEND(t) { OP_SEND, t, 0 }
#define SEND_RAW(t, n) { OP_SEND_RAW, t, n }
#define SEND_SLOWLY(t) { OP_SEND_SLOWLY, t, 0 }
#define RECV(cmd) { OP_RECV, cmd, 0 }
#define SLEEP(ms) { OP_SLEEP, NULL, ms }
#define HALF_CLOSE { OP_HALF_CLOSE, NULL, 0 }
#define CLOSE { OP_CLOSE, NULL, 0 }
#define FLOOD(n) { OP_FLOOD, NULL, n }
#define WAIT_EOF { OP_WAIT_EOF, NULL, 0 }
#define END { OP_END, NULL, 0 }
/* Greeting and capabilities, as QEMU does them. */
#define HELLO SEND (GREETING), RECV ("qmp_capabilities"), SEND ("{\"return\": {}, \"id\": $0}\r\n")

typedef struct {
  char *dir;
  char *path;
  GSocket *listener;
  GThread *thread;
  const Op *script;
  GSocket *conn;
  GString *in;
  GArray *ids;      /* gint64: the commands' ids, in the order read */
  GPtrArray *names; /* and their names */
  char *failure;    /* the first thing that went against the script */
  gint flooded;     /* bytes OP_FLOOD sent so far */
} Server;

G_GNUC_PRINTF (2, 3) static void
server_fail (Server *s, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  if (s->failure == NULL)
    s->failure = g_strdup_vprintf (fmt, args);
  va_end (args);
}

static gboolean
server_send (Server *s, const char *data, gsize len)
{
  g_autoptr (GError) error = NULL;
  while (len > 0)
    {
      gssize n = g_socket_send (s->conn, data, len, NULL, &error);
      if (n <= 0)
        {
          server_fail (s, "send: %s", error ? error->message : "nothing sent");
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* @text with each $N replaced by the id of command N. */
static char *
server_expand (Server *s, const char *text)
{
  GString *out = g_string_new (NULL);
  for (const char *p = text; *p; p++)
    {
      if (*p != '$' || !g_ascii_isdigit (p[1]))
        {
          g_string_append_c (out, *p);
          continue;
        }
      char *end;
      guint64 n = g_ascii_strtoull (p + 1, &end, 10);
      if (n < s->ids->len)
        g_string_append_printf (out, "%" G_GINT64_FORMAT, g_array_index (s->ids, gint64, n));
      else
        server_fail (s, "the script answers command $%" G_GUINT64_FORMAT ", not read", n);
      p = end - 1;
    }
  return g_string_free (out, FALSE);
}

/* A line from the client, or NULL at its end (or an error). */
static char *
server_read_line (Server *s, GError **error)
{
  for (;;)
    {
      char *nl = memchr (s->in->str, '\n', s->in->len);
      if (nl != NULL)
        {
          char *line = g_strndup (s->in->str, (gsize) (nl - s->in->str));
          g_string_erase (s->in, 0, nl - s->in->str + 1);
          return line;
        }
      char buf[4096];
      gssize n = g_socket_receive (s->conn, buf, sizeof buf, NULL, error);
      if (n <= 0)
        return NULL;
      g_string_append_len (s->in, buf, n);
    }
}

static void
server_recv (Server *s, const char *command)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *line = server_read_line (s, &error);
  if (line == NULL)
    {
      server_fail (s, "expected '%s', got %s", command, error ? error->message : "EOF");
      return;
    }
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *object;
  if (!json_parser_load_from_data (parser, line, -1, &error)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
      || !json_object_has_member ((object = json_node_get_object (json_parser_get_root (parser))),
                                  "id")
      || g_strcmp0 (json_object_get_string_member_with_default (object, "execute", ""),
                    command) != 0)
    {
      server_fail (s, "expected '%s', got '%s'", command, line);
      return;
    }
  gint64 id = json_object_get_int_member (object, "id");
  g_array_append_val (s->ids, id);
  g_ptr_array_add (s->names, g_strdup (command));
}

static void
server_wait_eof (Server *s)
{
  char buf[4096];
  g_autoptr (GError) error = NULL;
  gssize n;
  while ((n = g_socket_receive (s->conn, buf, sizeof buf, NULL, &error)) > 0)
    ;
  /* A reset is a close too; a timeout is a client that never closed. */
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    server_fail (s, "the client did not close in %d s", SERVER_TIMEOUT_S);
}

static void
server_flood (Server *s, gsize total)
{
  char chunk[16384];
  memset (chunk, 'x', sizeof chunk);
  for (gsize sent = 0; sent < total;)
    {
      gssize n = g_socket_send (s->conn, chunk, MIN (sizeof chunk, total - sent), NULL, NULL);
      if (n <= 0)
        return; /* the client closed: what it should do */
      sent += (gsize) n;
      g_atomic_int_set (&s->flooded, (gint) sent);
    }
}

static gpointer
server_thread (gpointer data)
{
  Server *s = data;
  g_autoptr (GError) error = NULL;

  s->conn = g_socket_accept (s->listener, NULL, &error);
  if (s->conn == NULL)
    {
      server_fail (s, "accept: %s", error->message);
      return NULL;
    }
  g_socket_set_timeout (s->conn, SERVER_TIMEOUT_S);
  for (const Op *op = s->script; op->op != OP_END && s->failure == NULL; op++)
    switch (op->op)
      {
      case OP_SEND:
        {
          g_autofree char *text = server_expand (s, op->text);
          server_send (s, text, strlen (text));
          break;
        }
      case OP_SEND_RAW:
        server_send (s, op->text, op->len);
        break;
      case OP_SEND_SLOWLY:
        {
          g_autofree char *text = server_expand (s, op->text);
          for (const char *p = text; *p && server_send (s, p, 1); p++)
            g_usleep (1000);
          break;
        }
      case OP_RECV:
        server_recv (s, op->text);
        break;
      case OP_SLEEP:
        g_usleep (op->len * 1000);
        break;
      case OP_HALF_CLOSE:
        g_socket_shutdown (s->conn, FALSE, TRUE, NULL);
        break;
      case OP_CLOSE:
        g_socket_close (s->conn, NULL);
        break;
      case OP_FLOOD:
        server_flood (s, op->len);
        break;
      case OP_WAIT_EOF:
        server_wait_eof (s);
        break;
      case OP_END:
        break;
      }
  g_clear_object (&s->conn);
  return NULL;
}

/* @script NULL: a path and no socket; {END}: a socket bound and not
 * listening; with @accept FALSE one listening that nobody accepts on. */
static Server *
server_new_full (const Op *script, gboolean accept)
{
  Server *s = g_new0 (Server, 1);
  g_autoptr (GError) error = NULL;

  s->dir = g_dir_make_tmp ("gvt-qmp-XXXXXX", &error);
  g_assert_no_error (error);
  s->path = g_build_filename (s->dir, "qmp.sock", NULL);
  s->script = script;
  s->in = g_string_new (NULL);
  s->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  s->names = g_ptr_array_new_with_free_func (g_free);
  if (script == NULL)
    return s; /* a path and no socket */
  s->listener = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, &error);
  g_assert_no_error (error);
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (s->path);
  g_assert_true (g_socket_bind (s->listener, address, FALSE, &error));
  g_assert_no_error (error);
  g_socket_set_timeout (s->listener, SERVER_TIMEOUT_S);
  if (script->op == OP_END)
    return s; /* bound, and nobody listening */
  g_assert_true (g_socket_listen (s->listener, &error));
  if (accept)
    s->thread = g_thread_new ("fake-qmp", server_thread, s);
  return s;
}

static Server *
server_new (const Op *script)
{
  return server_new_full (script, TRUE);
}

/* Waits for the script's end; TRUE when it went as written. */
static void
server_free (Server *s)
{
  if (s->thread != NULL)
    g_thread_join (s->thread);
  if (s->failure != NULL)
    g_test_fail_printf ("the fake server: %s", s->failure);
  g_clear_object (&s->listener);
  unlink (s->path);
  rmdir (s->dir);
  g_string_free (s->in, TRUE);
  g_array_unref (s->ids);
  g_ptr_array_unref (s->names);
  g_free (s->failure);
  g_free (s->path);
  g_free (s->dir);
  g_free (s);
}

/* --- the client side --- */

typedef enum {
  CLOSE_NEVER,
  CLOSE_IN_READY,
  CLOSE_IN_EVENT,
  CLOSE_IN_REPLY,
  CLOSE_IN_CLOSED,
} CloseIn;

typedef struct {
  GvtQmp *qmp;
  CloseIn close_in;
  gboolean closed_by_us;
  guint calls_after_close;
  guint ready_calls;
  GError *ready_error;
  GPtrArray *events; /* "NAME" or "NAME {data}" */
  guint closed_calls;
  GError *closed_error;
  Server *server; /* for the flood's count */
  gint flooded_at_close;
  guint reply_calls;
  guint reply_calls_at_close;
  /* Commands to send as soon as connect returns. */
  const char *command;
  guint command_timeout_ms;
} Client;

typedef struct {
  Client *client;
  guint calls;
  char *result; /* the "return" value as JSON */
  GError *error;
} Reply;

static void
client_close (Client *c)
{
  gvt_qmp_close (c->qmp);
  c->qmp = NULL;
  c->closed_by_us = TRUE;
}

static void
on_ready (GvtQmp *qmp, const GError *error, gpointer data)
{
  Client *c = data;
  g_assert_true (qmp == c->qmp);
  c->calls_after_close += c->closed_by_us;
  c->ready_calls++;
  if (error != NULL)
    c->ready_error = g_error_copy (error);
  else
    g_assert_true (gvt_qmp_is_ready (qmp));
  if (c->close_in == CLOSE_IN_READY)
    client_close (c);
}

static void
on_event (GvtQmp *qmp, const char *name, JsonObject *data, gpointer user_data)
{
  Client *c = user_data;
  c->calls_after_close += c->closed_by_us;
  if (data == NULL)
    g_ptr_array_add (c->events, g_strdup (name));
  else
    {
      g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), data);
      g_autofree char *text = json_to_string (node, FALSE);
      g_ptr_array_add (c->events, g_strdup_printf ("%s %s", name, text));
    }
  if (c->close_in == CLOSE_IN_EVENT)
    client_close (c);
}

static void
on_closed (GvtQmp *qmp, const GError *error, gpointer data)
{
  Client *c = data;
  g_assert_true (qmp == c->qmp);
  g_assert_nonnull (error);
  c->calls_after_close += c->closed_by_us;
  c->closed_calls++;
  c->closed_error = g_error_copy (error);
  g_assert_false (gvt_qmp_is_ready (qmp));
  if (c->server != NULL)
    c->flooded_at_close = g_atomic_int_get (&c->server->flooded);
  c->reply_calls_at_close = c->reply_calls;
  if (c->close_in == CLOSE_IN_CLOSED)
    client_close (c);
}

static const GvtQmpCallbacks callbacks = { on_ready, on_event, on_closed };

static void
on_reply (GvtQmp *qmp, JsonNode *result, const GError *error, gpointer data)
{
  Reply *r = data;
  Client *c = r->client;
  g_assert_true (qmp == c->qmp);
  g_assert_true ((result == NULL) != (error == NULL));
  c->calls_after_close += c->closed_by_us;
  r->calls++;
  c->reply_calls++;
  if (result != NULL)
    r->result = json_to_string (result, FALSE);
  else
    r->error = g_error_copy (error);
  if (c->close_in == CLOSE_IN_REPLY)
    client_close (c);
}

static Client *
client_new (void)
{
  Client *c = g_new0 (Client, 1);
  c->events = g_ptr_array_new_with_free_func (g_free);
  return c;
}

static void
client_connect (Client *c, const char *path, guint timeout_ms)
{
  c->qmp = gvt_qmp_connect (path, timeout_ms, &callbacks, c);
  g_assert_nonnull (c->qmp);
  g_assert_cmpstr (gvt_qmp_get_path (c->qmp), ==, path);
}

static Reply *
client_execute (Client *c, const char *command, JsonObject *arguments, guint timeout_ms)
{
  Reply *r = g_new0 (Reply, 1);
  r->client = c;
  guint id = gvt_qmp_execute (c->qmp, command, arguments, timeout_ms, on_reply, r);
  g_assert_cmpuint (id, >, 0);
  return r;
}

static void
reply_free (Reply *r)
{
  g_free (r->result);
  g_clear_error (&r->error);
  g_free (r);
}

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the thread-default context until @cond, failing after
 * WAIT_TIMEOUT_S (a tick keeps the loop checking). */
#define WAIT_UNTIL(cond)                                                            \
  G_STMT_START {                                                                    \
    GMainContext *ctx_ = g_main_context_get_thread_default ();                     \
    GSource *tick_ = g_timeout_source_new (20);                                     \
    g_source_set_callback (tick_, tick, NULL, NULL);                                \
    g_source_attach (tick_, ctx_);                                                  \
    gint64 deadline_ = g_get_monotonic_time () + WAIT_TIMEOUT_S * G_USEC_PER_SEC;   \
    while (!(cond))                                                                 \
      {                                                                             \
        if (g_get_monotonic_time () > deadline_)                                    \
          g_error ("no %s in %d s", #cond, WAIT_TIMEOUT_S);                         \
        g_main_context_iteration (ctx_, TRUE);                                      \
      }                                                                             \
    g_source_destroy (tick_);                                                       \
    g_source_unref (tick_);                                                         \
  } G_STMT_END

/* Lets cancelled I/O return (and give back what it holds). */
static void
drain (void)
{
  GMainContext *ctx = g_main_context_get_thread_default ();
  for (int i = 0; i < 3; i++)
    {
      while (g_main_context_iteration (ctx, FALSE))
        ;
      g_usleep (1000);
    }
}

static void
client_free (Client *c)
{
  if (c->qmp != NULL)
    client_close (c);
  drain ();
  g_assert_cmpuint (c->calls_after_close, ==, 0);
  g_clear_error (&c->ready_error);
  g_clear_error (&c->closed_error);
  g_ptr_array_unref (c->events);
  g_free (c);
}

static void
assert_message (const GError *error, const char *path, const char *words)
{
  g_assert_nonnull (error);
  g_test_message ("error: %s", error->message);
  if (!g_str_has_prefix (error->message, path))
    g_test_fail_printf ("\"%s\" does not start with the socket's path", error->message);
  if (strstr (error->message, words) == NULL)
    g_test_fail_printf ("'%s' is not in \"%s\"", words, error->message);
}

static void
assert_fds (int before)
{
  int now = gvt_test_settled_fds (before, 2000);
  if (now != before)
    {
      gvt_test_dump_fds ();
      g_test_fail_printf ("%d fds open, %d before", now, before);
    }
}

/* A good server and a good exchange: what every case ends with. */
static const Op good_script[] = {
  HELLO,
  RECV ("query-status"),
  SEND ("{\"return\": " STATUS_PRELAUNCH ", \"id\": $1}\r\n"),
  WAIT_EOF,
  END,
};

static void
check_good_connection (void)
{
  Server *server = server_new (good_script);
  Client *c = client_new ();
  client_connect (c, server->path, 0);
  Reply *r = client_execute (c, "query-status", NULL, 0);
  g_assert_cmpuint (gvt_qmp_get_pending (c->qmp), ==, 1);
  WAIT_UNTIL (r->calls > 0);
  g_assert_cmpuint (c->ready_calls, ==, 1);
  g_assert_no_error (c->ready_error);
  g_assert_no_error (r->error);
  g_assert_cmpstr (r->result, ==, "{\"status\":\"prelaunch\",\"singlestep\":false,\"running\":false}");
  g_assert_cmpuint (gvt_qmp_get_pending (c->qmp), ==, 0);
  int major, minor, micro;
  gvt_qmp_get_version (c->qmp, &major, &minor, &micro);
  g_assert_cmpint (major, ==, 7);
  g_assert_cmpint (minor, ==, 2);
  g_assert_cmpint (micro, ==, 22);
  g_assert_cmpuint (c->closed_calls, ==, 0);
  reply_free (r);
  client_free (c);
  server_free (server);
}

/* --- failures, one table --- */

typedef struct {
  const char *name;
  const Op *script;     /* NULL: no socket at all; {END}: a socket nobody listens on */
  guint timeout_ms;     /* connect's */
  gboolean with_command; /* query-status, sent at once (queued until ready) */
  guint command_timeout_ms;
  gboolean ready_ok;    /* the failure comes after ready */
  gboolean gio;         /* G_IO_ERROR, else GVT_ERROR (quarks are not constants) */
  int code;
  const char *words;
} FailCase;

#define IO(code) TRUE, G_IO_ERROR_##code
#define GVT(code) FALSE, GVT_ERROR_##code

static void
test_failure (gconstpointer data)
{
  const FailCase *fc = data;
  GQuark domain = fc->gio ? G_IO_ERROR : GVT_ERROR;
  int fds = gvt_test_count_fds ();
  Server *server = server_new (fc->script);
  Client *c = client_new ();
  c->server = server;

  client_connect (c, server->path, fc->timeout_ms);
  Reply *r = fc->with_command ? client_execute (c, "query-status", NULL, fc->command_timeout_ms)
                              : NULL;
  /* Never synchronously, not even a failure known at once. */
  g_assert_cmpuint (c->ready_calls + c->closed_calls, ==, 0);
  WAIT_UNTIL (c->closed_calls > 0);

  g_assert_cmpuint (c->ready_calls, ==, 1);
  if (fc->ready_ok)
    g_assert_no_error (c->ready_error);
  else
    {
      g_assert_error (c->ready_error, domain, fc->code);
      g_assert_cmpstr (c->ready_error->message, ==, c->closed_error->message);
    }
  g_assert_error (c->closed_error, domain, fc->code);
  assert_message (c->closed_error, server->path, fc->words);
  if (r != NULL)
    {
      /* Answered by the failure, before closed. */
      g_assert_cmpuint (r->calls, ==, 1);
      g_assert_error (r->error, domain, fc->code);
      g_assert_cmpstr (r->error->message, ==, c->closed_error->message);
      g_assert_cmpuint (gvt_qmp_get_pending (c->qmp), ==, 0);
    }
  g_assert_cmpuint (c->closed_calls, ==, 1);
  g_assert_false (gvt_qmp_is_ready (c->qmp));

  /* Dead, and says so to a late command. */
  Reply *late = client_execute (c, "query-status", NULL, 0);
  g_assert_cmpuint (late->calls, ==, 0);
  WAIT_UNTIL (late->calls > 0);
  g_assert_error (late->error, domain, fc->code);

  if (g_str_equal (fc->name, "over-limit"))
    {
      /* It stopped reading long before the end. */
      g_test_message ("the server had sent %d bytes", c->flooded_at_close);
      g_assert_cmpint (c->flooded_at_close, <, 1024 * 1024);
    }
  g_clear_pointer (&r, reply_free);
  reply_free (late);
  client_free (c);
  server_free (server);
  assert_fds (fds);
  check_good_connection ();
  assert_fds (fds);
}

static const Op eof_before_greeting[] = { CLOSE, END };
static const Op silent[] = { WAIT_EOF, END };
static const Op caps_unanswered[] = { SEND (GREETING), RECV ("qmp_capabilities"), WAIT_EOF, END };
static const Op caps_refused[] = {
  SEND (GREETING),
  RECV ("qmp_capabilities"),
  SEND ("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command qmp_capabilities "
        "has not been found\"}, \"id\": $0}\r\n"),
  WAIT_EOF,
  END,
};
static const Op ssh[] = { SEND ("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"), WAIT_EOF, END };
static const Op http[] = {
  SEND ("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"),
  WAIT_EOF,
  END,
};
static const Op greeting_without_version[] = {
  SEND ("{\"QMP\": {\"capabilities\": []}}\r\n"),
  WAIT_EOF,
  END,
};
static const Op flood_first[] = { FLOOD (1024 * 1024), WAIT_EOF, END };
static const Op reset_before_caps[] = { SEND (GREETING), SLEEP (100), CLOSE, END };
#define ANSWER(line) \
  { HELLO, RECV ("query-status"), SEND (line), WAIT_EOF, END }
static const Op malformed[] = ANSWER ("{\"return\": {}, \"id\": $1\r\n");
static const Op not_object[] = ANSWER ("[1, 2]\r\n");
static const Op id_string[] = ANSWER ("{\"return\": {}, \"id\": \"x\"}\r\n");
static const Op no_id[] = ANSWER ("{\"return\": {}}\r\n");
static const Op unknown_id[] = ANSWER ("{\"return\": {}, \"id\": 999}\r\n");
static const Op event_number[] = ANSWER ("{\"event\": 5, \"timestamp\": {}}\r\n");
static const Op second_greeting[] = ANSWER (GREETING);
static const Op over_limit[] = { HELLO, RECV ("query-status"), FLOOD (1024 * 1024), WAIT_EOF, END };
static const Op half_close[] = {
  HELLO, RECV ("query-status"), SEND ("{\"return\": {}, \"i"), HALF_CLOSE, WAIT_EOF, END,
};
static const Op eof_waiting[] = { HELLO, RECV ("query-status"), CLOSE, END };
static const Op never_answers[] = { HELLO, RECV ("query-status"), WAIT_EOF, END };
static const Op not_listening[] = { END };

static const FailCase fail_cases[] = {
  { "no-socket", NULL, 0, TRUE, 0, FALSE, IO (NOT_FOUND), ": no such socket" },
  { "refused", not_listening, 0, TRUE, 0, FALSE, IO (CONNECTION_REFUSED),
    ": nobody listens on this socket: QEMU is gone" },
  { "eof-before-greeting", eof_before_greeting, 0, TRUE, 0, FALSE,
    IO (CONNECTION_CLOSED), ": QEMU closed the QMP connection before its greeting" },
  { "no-greeting", silent, 200, TRUE, 0, FALSE, GVT (TIMED_OUT),
    ": no QMP greeting in 0.2 s" },
  { "caps-unanswered", caps_unanswered, 1000, TRUE, 0, FALSE, GVT (TIMED_OUT),
    ": QEMU did not answer 'qmp_capabilities' in 1 s" },
  { "caps-refused", caps_refused, 0, TRUE, 0, FALSE, GVT (QMP),
    ": QEMU refused qmp_capabilities: CommandNotFound: The command qmp_capabilities has not "
    "been found" },
  { "not-qmp-ssh", ssh, 0, TRUE, 0, FALSE, GVT (PROTOCOL),
    ": not a QMP socket: it sent 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3'" },
  { "not-qmp-http", http, 0, TRUE, 0, FALSE, GVT (PROTOCOL),
    ": not a QMP socket: it sent 'HTTP/1.1 400 Bad Request'" },
  { "greeting-without-version", greeting_without_version, 0, TRUE, 0, FALSE,
    GVT (PROTOCOL), ": not a QMP socket: it sent '{\"QMP\": {\"capabilities\": []}}'" },
  { "flood-before-greeting", flood_first, 0, TRUE, 0, FALSE, GVT (PROTOCOL),
    ": not a QMP socket: it sent 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'" },
  { "reset-before-caps-answer", reset_before_caps, 0, TRUE, 0, FALSE,
    IO (CONNECTION_CLOSED),
    ": QEMU closed the QMP connection before answering qmp_capabilities" },
  { "malformed-json", malformed, 0, TRUE, 0, TRUE, GVT (PROTOCOL),
    ": QEMU sent a message that is not JSON (an object or array without its end" },
  { "not-an-object", not_object, 0, TRUE, 0, TRUE, GVT (PROTOCOL),
    ": QEMU sent a message that is an array, not a JSON object: '[1, 2]'" },
  { "id-not-an-integer", id_string, 0, TRUE, 0, TRUE, GVT (PROTOCOL),
    ": QEMU sent a reply without an id of ours" },
  { "no-id", no_id, 0, TRUE, 0, TRUE, GVT (PROTOCOL),
    ": QEMU sent a reply without an id of ours" },
  { "unknown-id", unknown_id, 0, TRUE, 0, TRUE, GVT (PROTOCOL),
    ": QEMU answered a command that was not sent (id 999)" },
  { "event-not-a-string", event_number, 0, TRUE, 0, TRUE, GVT (PROTOCOL),
    ": QEMU sent an event whose \"event\" is an integer, not a string" },
  { "second-greeting", second_greeting, 0, TRUE, 0, TRUE, GVT (PROTOCOL),
    ": QEMU sent a second greeting" },
  { "over-limit", over_limit, 0, TRUE, 0, TRUE, GVT (PROTOCOL),
    ": QEMU sent a message over 64 KiB" },
  { "half-close-mid-line", half_close, 0, TRUE, 0, TRUE, IO (CONNECTION_CLOSED),
    ": QEMU closed the QMP connection in the middle of a message" },
  { "eof-with-a-command-waiting", eof_waiting, 0, TRUE, 0, TRUE,
    IO (CONNECTION_CLOSED), ": QEMU closed the QMP connection" },
  { "never-answers", never_answers, 0, TRUE, 200, TRUE, GVT (TIMED_OUT),
    ": QEMU did not answer 'query-status' in 0.2 s" },
};

/* A path longer than a UNIX socket's: refused (from an idle), not cut. */
static void
test_path_too_long (void)
{
  int fds = gvt_test_count_fds ();
  g_autofree char *path = g_strnfill (200, 'x');
  Client *c = client_new ();
  client_connect (c, path, 0);
  Reply *r = client_execute (c, "query-status", NULL, 0);
  g_assert_cmpuint (c->ready_calls, ==, 0);
  WAIT_UNTIL (c->closed_calls > 0);
  g_assert_error (c->ready_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_error (r->error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  assert_message (c->closed_error, path, ": the path is too long for a UNIX socket");
  reply_free (r);
  client_free (c);
  assert_fds (fds);
}

/* More events than QEMU ever sends before it answers qmp_capabilities. */
static void
test_early_event_flood (void)
{
  int fds = gvt_test_count_fds ();
  g_autoptr (GString) events = g_string_new (NULL);
  for (int i = 0; i < 65; i++)
    g_string_append (events, EVENT ("STOP", ""));
  const Op script[] = { SEND (GREETING), RECV ("qmp_capabilities"), SEND (events->str),
                        WAIT_EOF, END };
  Server *server = server_new (script);
  Client *c = client_new ();
  client_connect (c, server->path, 0);
  WAIT_UNTIL (c->closed_calls > 0);
  g_assert_error (c->ready_error, GVT_ERROR, GVT_ERROR_PROTOCOL);
  assert_message (c->closed_error, server->path,
                  ": QEMU sent over 64 events before it answered qmp_capabilities");
  g_assert_cmpuint (c->events->len, ==, 0);
  client_free (c);
  server_free (server);
  assert_fds (fds);
  check_good_connection ();
}

/* --- good exchanges --- */

static void
test_good (void)
{
  int fds = gvt_test_count_fds ();
  check_good_connection ();
  assert_fds (fds);
}

/* Replies come in any order and are matched by id. */
static void
test_out_of_order (void)
{
  int fds = gvt_test_count_fds ();
  static const Op script[] = {
    HELLO,
    RECV ("query-status"),
    RECV ("query-name"),
    RECV ("qom-list"),
    SEND ("{\"return\": [{\"name\": \"type\", \"type\": \"string\"}], \"id\": $3}\r\n"
          "{\"return\": {\"status\": \"running\", \"running\": true}, \"id\": $1}\r\n"),
    SLEEP (20),
    SEND ("{\"id\": $2, \"return\": {}}\r\n"),
    WAIT_EOF,
    END,
  };
  Server *server = server_new (script);
  Client *c = client_new ();
  client_connect (c, server->path, 0);
  WAIT_UNTIL (c->ready_calls > 0);
  Reply *status = client_execute (c, "query-status", NULL, 0);
  Reply *name = client_execute (c, "query-name", NULL, 0);
  g_autoptr (JsonObject) args = json_object_new ();
  json_object_set_string_member (args, "path", "/machine/peripheral-anon/device[0]");
  Reply *list = client_execute (c, "qom-list", args, 0);
  /* Written out at once: a later change is not sent. */
  json_object_set_string_member (args, "path", "changed");
  g_assert_cmpuint (gvt_qmp_get_pending (c->qmp), ==, 3);
  WAIT_UNTIL (name->calls > 0);
  g_assert_cmpuint (status->calls, ==, 1);
  g_assert_cmpuint (list->calls, ==, 1);
  g_assert_cmpstr (status->result, ==, "{\"status\":\"running\",\"running\":true}");
  g_assert_cmpstr (name->result, ==, "{}");
  g_assert_cmpstr (list->result, ==, "[{\"name\":\"type\",\"type\":\"string\"}]");
  g_assert_cmpuint (gvt_qmp_get_pending (c->qmp), ==, 0);
  g_assert_cmpuint (c->closed_calls, ==, 0);
  reply_free (status);
  reply_free (name);
  reply_free (list);
  client_free (c);
  server_free (server);
  assert_fds (fds);
}

/* QEMU's error answer fails that command only. */
static void
test_error_reply (void)
{
  int fds = gvt_test_count_fds ();
  static const Op script[] = {
    HELLO,
    RECV ("screendump"),
    SEND ("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'x' is unexpected\"}, "
          "\"id\": $1}\r\n"),
    RECV ("query-status"),
    SEND ("{\"return\": " STATUS_PRELAUNCH ", \"id\": $2}\r\n"),
    WAIT_EOF,
    END,
  };
  Server *server = server_new (script);
  Client *c = client_new ();
  client_connect (c, server->path, 0);
  g_autoptr (JsonObject) args = json_object_new ();
  json_object_set_string_member (args, "x", "y");
  Reply *bad = client_execute (c, "screendump", args, 0);
  WAIT_UNTIL (bad->calls > 0);
  g_assert_error (bad->error, GVT_ERROR, GVT_ERROR_QMP);
  g_assert_cmpstr (bad->error->message, ==, "GenericError: Parameter 'x' is unexpected");
  Reply *good = client_execute (c, "query-status", NULL, 0);
  WAIT_UNTIL (good->calls > 0);
  g_assert_no_error (good->error);
  g_assert_nonnull (good->result);
  g_assert_cmpuint (c->closed_calls, ==, 0);
  reply_free (bad);
  reply_free (good);
  client_free (c);
  server_free (server);
  assert_fds (fds);
}

/* Events in order: before ready (kept until it), between replies, in the
 * same read as a reply. */
static void
test_events (void)
{
  int fds = gvt_test_count_fds ();
  static const Op script[] = {
    SEND (GREETING),
    RECV ("qmp_capabilities"),
    SEND (EVENT ("STOP", "")),
    SEND ("{\"return\": {}, \"id\": $0}\r\n" EVENT ("RESUME", "")),
    RECV ("query-status"),
    SEND (EVENT ("RESET", ", \"data\": {\"guest\": false, \"reason\": \"host-qmp-system-reset\"}")
          "{\"return\": " STATUS_PRELAUNCH ", \"id\": $1}\r\n"
          EVENT ("RESET", ", \"data\": {\"guest\": true, \"reason\": \"guest-reset\"}")),
    SLEEP (20),
    SEND (EVENT ("SHUTDOWN", ", \"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}")),
    WAIT_EOF,
    END,
  };
  Server *server = server_new (script);
  Client *c = client_new ();
  client_connect (c, server->path, 0);
  Reply *r = client_execute (c, "query-status", NULL, 0);
  WAIT_UNTIL (c->events->len == 5);
  g_assert_cmpuint (r->calls, ==, 1);
  g_assert_no_error (r->error);
  static const char *const want[] = {
    "STOP",
    "RESUME",
    "RESET {\"guest\":false,\"reason\":\"host-qmp-system-reset\"}",
    "RESET {\"guest\":true,\"reason\":\"guest-reset\"}",
    "SHUTDOWN {\"guest\":false,\"reason\":\"host-qmp-quit\"}",
  };
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    g_assert_cmpstr (g_ptr_array_index (c->events, i), ==, want[i]);
  g_assert_cmpuint (c->closed_calls, ==, 0);
  reply_free (r);
  client_free (c);
  server_free (server);
  assert_fds (fds);
}

/* Lines split across reads (a byte at a time), several in one read,
 * "\n" without '\r', the "return" of any JSON type. */
static void
test_split_and_joined (void)
{
  int fds = gvt_test_count_fds ();
  static const Op script[] = {
    SEND_SLOWLY (GREETING),
    RECV ("qmp_capabilities"),
    SEND_SLOWLY ("{\"return\": {}, \"id\": $0}\n"),
    RECV ("a"),
    RECV ("b"),
    RECV ("c"),
    RECV ("d"),
    SEND ("{\"return\": 5, \"id\": $1}\n{\"return\": null, \"id\": $2}\r\n{\"return\""),
    SLEEP (20),
    SEND (": \"x\", \"id\": $3}\r"),
    SLEEP (20),
    SEND ("\n{\"return\": [true], \"id\": $4}\r\n"),
    WAIT_EOF,
    END,
  };
  Server *server = server_new (script);
  Client *c = client_new ();
  client_connect (c, server->path, 0);
  Reply *r[4];
  for (int i = 0; i < 4; i++)
    r[i] = client_execute (c, (const char *[]) { "a", "b", "c", "d" }[i], NULL, 0);
  WAIT_UNTIL (r[3]->calls > 0);
  static const char *const want[] = { "5", "null", "\"x\"", "[true]" };
  for (int i = 0; i < 4; i++)
    {
      g_assert_no_error (r[i]->error);
      g_assert_cmpstr (r[i]->result, ==, want[i]);
      reply_free (r[i]);
    }
  g_assert_cmpuint (c->closed_calls, ==, 0);
  client_free (c);
  server_free (server);
  assert_fds (fds);
}

/* A cancelled command not sent yet is never sent; one sent has its
 * answer dropped quietly. */
static void
test_cancel (void)
{
  int fds = gvt_test_count_fds ();
  static const Op script[] = {
    HELLO,
    RECV ("sent"),
    RECV ("kept"),
    SEND ("{\"return\": {}, \"id\": $1}\r\n{\"return\": {}, \"id\": $2}\r\n"),
    WAIT_EOF,
    END,
  };
  Server *server = server_new (script);
  Client *c = client_new ();
  client_connect (c, server->path, 0);
  Reply *unsent = g_new0 (Reply, 1);
  unsent->client = c;
  guint id = gvt_qmp_execute (c->qmp, "never-sent", NULL, 0, on_reply, unsent);
  gvt_qmp_cancel (c->qmp, id);
  g_assert_cmpuint (gvt_qmp_get_pending (c->qmp), ==, 0);
  WAIT_UNTIL (c->ready_calls > 0);
  Reply *sent = g_new0 (Reply, 1);
  sent->client = c;
  id = gvt_qmp_execute (c->qmp, "sent", NULL, 0, on_reply, sent);
  Reply *kept = client_execute (c, "kept", NULL, 0);
  gvt_qmp_cancel (c->qmp, id);
  g_assert_cmpuint (gvt_qmp_get_pending (c->qmp), ==, 2);
  gvt_qmp_cancel (c->qmp, 12345); /* not one: nothing */
  WAIT_UNTIL (kept->calls > 0);
  g_assert_no_error (kept->error);
  g_assert_cmpuint (sent->calls, ==, 0);
  g_assert_cmpuint (unsent->calls, ==, 0);
  g_assert_cmpuint (gvt_qmp_get_pending (c->qmp), ==, 0);
  g_assert_cmpuint (c->closed_calls, ==, 0);
  reply_free (unsent);
  reply_free (sent);
  reply_free (kept);
  client_free (c);
  server_free (server);
  assert_fds (fds);
}

/* 65 commands at once: 64 wait (queued before ready, then sent), the 65th
 * is refused from an idle; answers in reverse order. */
static void
test_busy (void)
{
  int fds = gvt_test_count_fds ();
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  Op script[3 + 64 + 64 + 2] = { HELLO };
  int n = 3;
  for (int i = 0; i < 64; i++)
    script[n++] = (Op) RECV ("query-status");
  for (int i = 64; i >= 1; i--)
    {
      char *text = g_strdup_printf ("{\"return\": %d, \"id\": $%d}\r\n", i, i);
      g_ptr_array_add (texts, text);
      script[n++] = (Op) SEND (text);
    }
  script[n++] = (Op) WAIT_EOF;
  script[n++] = (Op) END;
  g_assert_cmpint (n, ==, G_N_ELEMENTS (script));

  Server *server = server_new (script);
  Client *c = client_new ();
  client_connect (c, server->path, 0);
  Reply *r[65];
  for (int i = 0; i < 65; i++)
    r[i] = client_execute (c, "query-status", NULL, 0);
  g_assert_cmpuint (gvt_qmp_get_pending (c->qmp), ==, 64);
  g_assert_cmpuint (r[64]->calls, ==, 0);
  WAIT_UNTIL (r[64]->calls > 0);
  g_assert_error (r[64]->error, G_IO_ERROR, G_IO_ERROR_BUSY);
  assert_message (r[64]->error, server->path, "64 QMP commands wait for QEMU already");
  WAIT_UNTIL (r[0]->calls > 0);
  for (int i = 0; i < 64; i++)
    {
      g_autofree char *want = g_strdup_printf ("%d", i + 1);
      g_assert_no_error (r[i]->error);
      g_assert_cmpstr (r[i]->result, ==, want);
    }
  for (int i = 0; i < 65; i++)
    {
      g_assert_cmpuint (r[i]->calls, ==, 1);
      reply_free (r[i]);
    }
  g_assert_cmpuint (c->closed_calls, ==, 0);
  client_free (c);
  server_free (server);
  assert_fds (fds);
}

/* A connection that dies with commands waiting and refused as busy: all
 * have their answer before closed. */
static void
test_busy_then_dead (void)
{
  int fds = gvt_test_count_fds ();
  Server *server = server_new (eof_before_greeting);
  Client *c = client_new ();
  client_connect (c, server->path, 0);
  Reply *r[66];
  for (int i = 0; i < 66; i++)
    r[i] = client_execute (c, "query-status", NULL, 0);
  WAIT_UNTIL (c->closed_calls > 0);
  g_assert_cmpuint (c->reply_calls_at_close, ==, 66);
  for (int i = 0; i < 66; i++)
    {
      g_assert_cmpuint (r[i]->calls, ==, 1);
      int code = i < 64 ? G_IO_ERROR_CONNECTION_CLOSED : G_IO_ERROR_BUSY;
      g_assert_error (r[i]->error, G_IO_ERROR, code);
      reply_free (r[i]);
    }
  client_free (c);
  server_free (server);
  assert_fds (fds);
}

/* --- gvt_qmp_close from inside each callback --- */

typedef struct {
  CloseIn close_in;
  const Op *script;
  guint timeout_ms;
  gboolean two_commands;
} CloseCase;

static const Op close_ready_script[] = {
  SEND (GREETING),
  RECV ("qmp_capabilities"),
  /* In the same read: must not come after the close. */
  SEND ("{\"return\": {}, \"id\": $0}\r\n" EVENT ("STOP", "")),
  WAIT_EOF,
  END,
};
static const Op close_event_script[] = {
  HELLO,
  RECV ("first"),
  RECV ("second"),
  SEND (EVENT ("STOP", "") EVENT ("RESUME", "") "{\"return\": {}, \"id\": $1}\r\n"),
  WAIT_EOF,
  END,
};
static const Op close_reply_script[] = {
  HELLO,
  RECV ("first"),
  RECV ("second"),
  SEND ("{\"return\": {}, \"id\": $1}\r\n" EVENT ("STOP", "") "{\"return\": {}, \"id\": $2}\r\n"),
  WAIT_EOF,
  END,
};
static const Op close_closed_script[] = {
  HELLO,
  RECV ("first"),
  RECV ("second"),
  SEND ("not json\r\n"),
  WAIT_EOF,
  END,
};

static const CloseCase close_cases[] = {
  { CLOSE_IN_READY, close_ready_script, 0, TRUE },
  { CLOSE_IN_READY, silent, 100, TRUE }, /* ready with an error */
  { CLOSE_IN_EVENT, close_event_script, 0, TRUE },
  { CLOSE_IN_REPLY, close_reply_script, 0, TRUE },
  { CLOSE_IN_REPLY, close_closed_script, 0, TRUE }, /* the failure's answer */
  { CLOSE_IN_CLOSED, close_closed_script, 0, TRUE },
};

static void
test_close_inside (gconstpointer data)
{
  const CloseCase *cc = data;
  int fds = gvt_test_count_fds ();
  Server *server = server_new (cc->script);
  Client *c = client_new ();
  c->close_in = cc->close_in;
  client_connect (c, server->path, cc->timeout_ms);
  Reply *first = client_execute (c, "first", NULL, 0);
  Reply *second = client_execute (c, "second", NULL, 0);
  WAIT_UNTIL (c->closed_by_us);
  /* The server sees the close (its script ends with WAIT_EOF). */
  server_free (server);
  drain ();
  g_assert_cmpuint (c->calls_after_close, ==, 0);
  g_assert_cmpuint (c->ready_calls, ==, 1);
  switch (cc->close_in)
    {
    case CLOSE_IN_READY:
      g_assert_cmpuint (c->events->len, ==, 0);
      g_assert_cmpuint (c->closed_calls, ==, 0);
      g_assert_cmpuint (first->calls + second->calls, ==, 0);
      break;
    case CLOSE_IN_EVENT:
      g_assert_cmpuint (c->events->len, ==, 1);
      g_assert_cmpuint (first->calls + second->calls, ==, 0);
      g_assert_cmpuint (c->closed_calls, ==, 0);
      break;
    case CLOSE_IN_REPLY:
      g_assert_cmpuint (first->calls, ==, 1);
      g_assert_cmpuint (second->calls, ==, 0);
      g_assert_cmpuint (c->events->len, ==, 0);
      g_assert_cmpuint (c->closed_calls, ==, 0);
      break;
    case CLOSE_IN_CLOSED:
      g_assert_cmpuint (first->calls + second->calls, ==, 2);
      g_assert_cmpuint (c->closed_calls, ==, 1);
      g_assert_error (c->closed_error, GVT_ERROR, GVT_ERROR_PROTOCOL);
      break;
    case CLOSE_NEVER:
      g_assert_not_reached ();
    }
  reply_free (first);
  reply_free (second);
  client_free (c);
  assert_fds (fds);
  check_good_connection ();
  assert_fds (fds);
}

/* Closing from the busy answer's idle, with another one waiting. */
static void
test_close_in_busy_reply (void)
{
  int fds = gvt_test_count_fds ();
  static const Op script[] = { WAIT_EOF, END };
  Server *server = server_new (script);
  Client *c = client_new ();
  client_connect (c, server->path, 0);
  Reply *r[66];
  for (int i = 0; i < 66; i++)
    r[i] = client_execute (c, "query-status", NULL, 0);
  c->close_in = CLOSE_IN_REPLY;
  WAIT_UNTIL (c->closed_by_us);
  g_assert_cmpuint (r[64]->calls, ==, 1);
  g_assert_cmpuint (r[65]->calls, ==, 0);
  server_free (server);
  for (int i = 0; i < 66; i++)
    reply_free (r[i]);
  client_free (c);
  assert_fds (fds);
}

/* Closing while connecting, and at once. */
static void
test_close_early (void)
{
  int fds = gvt_test_count_fds ();
  static const Op script[] = { WAIT_EOF, END };
  Server *server = server_new_full (script, FALSE);
  Client *c = client_new ();
  client_connect (c, server->path, 0);
  Reply *r = client_execute (c, "query-status", NULL, 0);
  client_close (c);
  drain ();
  server_free (server);
  g_assert_cmpuint (r->calls, ==, 0);
  reply_free (r);
  client_free (c);
  assert_fds (fds);
  gvt_qmp_close (NULL);
}

/* Everything on the thread-default context of the thread that connects,
 * not the global default. */
static void
test_own_context (void)
{
  int fds = gvt_test_count_fds ();
  GMainContext *ctx = g_main_context_new ();
  g_main_context_push_thread_default (ctx);
  check_good_connection ();
  g_main_context_pop_thread_default (ctx);
  g_assert_false (g_main_context_pending (NULL));
  g_main_context_unref (ctx); /* and its wakeup fd */
  assert_fds (fds);
}

/* --- real QEMU --- */

/* QEMU dies with the test, whatever happens to it: killed at the end
 * of the test, and by the kernel when an assertion aborts the process. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

typedef struct {
  GSubprocess *process;
} QemuGuard;

static void
qemu_guard_clear (QemuGuard *guard)
{
  if (guard->process == NULL)
    return;
  g_subprocess_force_exit (guard->process);
  g_subprocess_wait (guard->process, NULL, NULL);
  g_clear_object (&guard->process);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (QemuGuard, qemu_guard_clear)

static void
test_qemu (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gvt-qmp-qemu-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (dir, "qmp.sock", NULL);
  g_autofree char *qmp_arg = g_strdup_printf ("unix:%s,server=on,wait=off", path);
  const char *argv[] = { "qemu-system-x86_64", "-accel", "tcg", "-m", "64", "-nic", "none",
                         "-display", "none", "-vga", "none", "-S", "-qmp", qmp_arg, NULL };
  int fds = gvt_test_count_fds ();
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_auto (QemuGuard) guard = { g_subprocess_launcher_spawnv (launcher, argv, &error) };
  g_assert_no_error (error);
  GSubprocess *qemu = guard.process;

  /* The socket appears as QEMU starts. */
  Client *c = client_new ();
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  for (;;)
    {
      client_connect (c, path, 0);
      WAIT_UNTIL (c->ready_calls > 0);
      if (c->ready_error == NULL)
        break;
      g_assert_true (g_error_matches (c->ready_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
                     || g_error_matches (c->ready_error, G_IO_ERROR,
                                         G_IO_ERROR_CONNECTION_REFUSED));
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      client_close (c);
      drain ();
      client_free (c);
      c = client_new ();
      g_usleep (20000);
    }
  int major, minor, micro;
  gvt_qmp_get_version (c->qmp, &major, &minor, &micro);
  g_test_message ("QEMU %d.%d.%d", major, minor, micro);
  g_assert_cmpint (major, >=, 7);

  Reply *status = client_execute (c, "query-status", NULL, 0);
  WAIT_UNTIL (status->calls > 0);
  g_assert_no_error (status->error);
  g_auto (GvtQmpMessage) msg = { 0 };
  g_autofree char *line = g_strdup_printf ("{\"return\": %s}", status->result);
  g_assert_true (gvt_qmp_message_parse (line, strlen (line), &msg, NULL));
  JsonObject *o = json_node_get_object (msg.value);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "prelaunch");
  g_assert_false (json_object_get_boolean_member (o, "running"));

  Reply *cont = client_execute (c, "cont", NULL, 0);
  WAIT_UNTIL (cont->calls > 0 && c->events->len > 0);
  g_assert_cmpstr (cont->result, ==, "{}");
  g_assert_cmpstr (g_ptr_array_index (c->events, 0), ==, "RESUME");

  Reply *bad = client_execute (c, "no-such-command", NULL, 0);
  WAIT_UNTIL (bad->calls > 0);
  g_assert_error (bad->error, GVT_ERROR, GVT_ERROR_QMP);
  g_assert_true (g_str_has_prefix (bad->error->message, "CommandNotFound: "));

  Reply *quit = client_execute (c, "quit", NULL, 0);
  WAIT_UNTIL (c->closed_calls > 0);
  g_assert_cmpuint (quit->calls, ==, 1);
  g_assert_cmpstr (quit->result, ==, "{}");
  g_assert_cmpuint (c->events->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (c->events, 1), ==,
                   "SHUTDOWN {\"guest\":false,\"reason\":\"host-qmp-quit\"}");
  g_assert_error (c->closed_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  assert_message (c->closed_error, path, ": QEMU closed the QMP connection");
  reply_free (status);
  reply_free (cont);
  reply_free (bad);
  reply_free (quit);
  client_free (c);

  g_assert_true (g_subprocess_wait (qemu, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (qemu));
  g_assert_cmpint (g_subprocess_get_exit_status (qemu), ==, 0);
  rmdir (dir);
  g_clear_object (&guard.process);
  g_clear_object (&launcher);
  assert_fds (fds);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gvt_test_warm_up_glib ();

  for (gsize i = 0; i < G_N_ELEMENTS (fail_cases); i++)
    {
      const FailCase *fc = &fail_cases[i];
      g_autofree char *name = g_strconcat ("/qemu/qmp/fails/", fc->name, NULL);
      g_test_add_data_func (name, fc, test_failure);
    }
  g_test_add_func ("/qemu/qmp/fails/path-too-long", test_path_too_long);
  g_test_add_func ("/qemu/qmp/fails/early-event-flood", test_early_event_flood);
  g_test_add_func ("/qemu/qmp/good", test_good);
  g_test_add_func ("/qemu/qmp/out-of-order", test_out_of_order);
  g_test_add_func ("/qemu/qmp/error-reply", test_error_reply);
  g_test_add_func ("/qemu/qmp/events", test_events);
  g_test_add_func ("/qemu/qmp/split-and-joined", test_split_and_joined);
  g_test_add_func ("/qemu/qmp/cancel", test_cancel);
  g_test_add_func ("/qemu/qmp/busy", test_busy);
  g_test_add_func ("/qemu/qmp/busy-then-dead", test_busy_then_dead);
  static const char *const close_names[] = {
    "ready", "failed-ready", "event", "reply", "failure-reply", "closed",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (close_cases); i++)
    {
      g_autofree char *name = g_strconcat ("/qemu/qmp/close-in/", close_names[i], NULL);
      g_test_add_data_func (name, &close_cases[i], test_close_inside);
    }
  g_test_add_func ("/qemu/qmp/close-in/busy-reply", test_close_in_busy_reply);
  g_test_add_func ("/qemu/qmp/close-early", test_close_early);
  g_test_add_func ("/qemu/qmp/own-context", test_own_context);
  g_test_add_func ("/qemu/qmp/qemu", test_qemu);
  return g_test_run ();
}
