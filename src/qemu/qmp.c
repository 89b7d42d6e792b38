/* The QMP client: a bounded line reader, a write queue and a table of
 * commands waiting for their answer, on GIO streams. */
#include <string.h>
#include <sys/un.h>

#include <sys/socket.h>

#include "qmp.h"
#include "qmp-message.h"
#include "common/gvt-error.h"

#define MAX_PENDING 64
/* QEMU sends no event before qmp_capabilities; a peer that does is held
 * to this many, kept until ready. */
#define MAX_EARLY_EVENTS 64
#define READ_CHUNK (16 * 1024)
/* A partial line may hold a whole message and the '\r' of its "\r\n". */
#define MAX_PARTIAL (GVT_QMP_MAX_MESSAGE + 1)
#define BUFFER_SIZE (MAX_PARTIAL + READ_CHUNK)
/* Ours; the commands' ids start at 1. */
#define CAPABILITIES_ID 0

typedef enum {
  STATE_CONNECTING,
  STATE_GREETING,     /* connected, waiting for {"QMP": ...} */
  STATE_CAPABILITIES, /* qmp_capabilities sent */
  STATE_READY,
  STATE_DEAD,         /* failed or closed: no I/O any more */
} State;

typedef struct {
  GvtQmp *qmp;
  guint id;
  char *name;
  guint timeout_ms;
  GBytes *line;      /* the JSON line until it is handed to the writer */
  GvtQmpReply reply; /* NULL once cancelled */
  gpointer user_data;
  GSource *timeout;  /* from the moment it is sent */
  GError *error;     /* a deferred command's answer */
} Command;

struct _GvtQmp {
  /* The caller's reference, one per I/O in flight (its callback drops it)
   * and one while fail() or the idle call back: gvt_qmp_close drops the
   * caller's, so whatever called back still finds the struct after. */
  int refs;
  gboolean closed; /* gvt_qmp_close was called: nothing is called back */
  State state;
  GError *error;       /* why it died */
  GError *early_error; /* a failure before any I/O, given from the idle */

  char *path;
  GvtQmpCallbacks callbacks;
  gpointer user_data;
  guint timeout_ms;
  GMainContext *context;
  GCancellable *cancellable;
  GSocketConnection *connection;
  GSource *connect_timeout;
  GSource *idle;

  guint8 *buf;  /* BUFFER_SIZE */
  gsize fill;
  gsize scanned; /* bytes of the partial line known to hold no '\n' */

  GQueue pending;      /* Command, by id: waiting for ready, or sent */
  GQueue deferred;     /* Command answered from the idle (busy, dead) */
  GQueue writes;       /* GBytes to write after the one in flight */
  GBytes *writing;
  GQueue early_events; /* GvtQmpMessage, until ready */
  guint next_id;
  int major, minor, micro;
};

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
command_free (Command *cmd)
{
  clear_source (&cmd->timeout);
  g_clear_pointer (&cmd->line, g_bytes_unref);
  g_clear_error (&cmd->error);
  g_free (cmd->name);
  g_free (cmd);
}

static void
early_event_free (gpointer data)
{
  gvt_qmp_message_clear (data);
  g_free (data);
}

static GvtQmp *
qmp_ref (GvtQmp *self)
{
  self->refs++;
  return self;
}

static void
qmp_unref (GvtQmp *self)
{
  if (--self->refs > 0)
    return;
  g_assert (self->closed);
  if (self->connection != NULL)
    g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->writing, g_bytes_unref);
  g_queue_clear_full (&self->writes, (GDestroyNotify) g_bytes_unref);
  g_clear_error (&self->error);
  g_clear_error (&self->early_error);
  g_main_context_unref (self->context);
  g_free (self->buf);
  g_free (self->path);
  g_free (self);
}

static GSource *
attach_timeout (GvtQmp *self, guint ms, GSourceFunc func, gpointer data)
{
  GSource *source = g_timeout_source_new (ms);
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, self->context);
  return source;
}

/* "5", "0.2": for "in 5 s". */
static char *
seconds (guint ms)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%g", ms / 1000.0));
}

/* Stops every I/O and timer. The socket is closed at once (QEMU sees it
 * now, the fd is free now); the cancelled operations return later, each
 * dropping its reference. */
static void
stop_io (GvtQmp *self)
{
  self->state = STATE_DEAD;
  g_cancellable_cancel (self->cancellable);
  if (self->connection != NULL)
    g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  clear_source (&self->connect_timeout);
  for (GList *l = self->pending.head; l != NULL; l = l->next)
    clear_source (&((Command *) l->data)->timeout);
  g_queue_clear_full (&self->early_events, early_event_free);
}

static void
call_reply (GvtQmp *self, Command *cmd, JsonNode *result, const GError *error)
{
  if (!self->closed && cmd->reply != NULL)
    cmd->reply (self, result, error, cmd->user_data);
}

/* The connection is over because of @error (taken): ready (if it was not
 * yet), each waiting command and then closed are told, unless the caller
 * closes meanwhile. The busy answers not given yet go before closed too:
 * nothing comes after it. */
static void
fail (GvtQmp *self, GError *error)
{
  if (self->state == STATE_DEAD)
    {
      g_error_free (error);
      return;
    }
  gboolean was_ready = self->state == STATE_READY;
  stop_io (self);
  self->error = error;
  qmp_ref (self);
  if (!was_ready && !self->closed && self->callbacks.ready != NULL)
    self->callbacks.ready (self, error, self->user_data);
  Command *cmd;
  while (!self->closed && (cmd = g_queue_pop_head (&self->pending)) != NULL)
    {
      call_reply (self, cmd, NULL, error);
      command_free (cmd);
    }
  while (!self->closed && (cmd = g_queue_pop_head (&self->deferred)) != NULL)
    {
      call_reply (self, cmd, NULL, cmd->error);
      command_free (cmd);
    }
  if (!self->closed && self->callbacks.closed != NULL)
    self->callbacks.closed (self, error, self->user_data);
  qmp_unref (self);
}

G_GNUC_PRINTF (3, 4) static void
fail_with (GvtQmp *self, int code, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  g_autofree char *what = g_strdup_vprintf (fmt, args);
  va_end (args);
  fail (self, g_error_new (GVT_ERROR, code, "%s: %s", self->path, what));
}

static GError *
closed_error (GvtQmp *self)
{
  return g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                      "%s: QEMU closed the QMP connection%s%s", self->path,
                      self->state == STATE_GREETING ? " before its greeting"
                      : self->state == STATE_CAPABILITIES ? " before answering qmp_capabilities"
                      : "",
                      self->fill > 0 ? " in the middle of a message" : "");
}

static void
fail_io (GvtQmp *self, const GError *error)
{
  /* ECONNRESET (QEMU exited with our command unread) is CONNECTION_CLOSED
   * in GIO; EPIPE on a write is BROKEN_PIPE: both mean QEMU is gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
    fail (self, closed_error (self));
  else
    fail (self, g_error_new (error->domain, error->code, "%s: QMP connection: %s", self->path,
                             error->message));
}

/* A socket that sent something other than a greeting first. */
static void
fail_not_qmp (GvtQmp *self, const char *data, gsize len)
{
  g_autofree char *quote = gvt_qmp_message_quote (data, len);
  fail_with (self, GVT_ERROR_PROTOCOL, "not a QMP socket: it sent '%s'", quote);
}

/* --- writing --- */

static void start_write (GvtQmp *self);

static void
on_written (GObject *source, GAsyncResult *result, gpointer data)
{
  GvtQmp *self = data;
  g_autoptr (GError) error = NULL;
  gboolean ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL,
                                                  &error);

  g_clear_pointer (&self->writing, g_bytes_unref);
  if (self->state != STATE_DEAD)
    {
      if (ok)
        start_write (self);
      else
        fail_io (self, error);
    }
  qmp_unref (self);
}

/* One write in flight at a time: GIO refuses a second. */
static void
start_write (GvtQmp *self)
{
  if (self->writing != NULL || self->state == STATE_DEAD || g_queue_is_empty (&self->writes))
    return;
  self->writing = g_queue_pop_head (&self->writes);
  gsize size;
  const void *data = g_bytes_get_data (self->writing, &size);
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (self->connection));
  /* The callback comes on our context even when a caller iterates it
   * without making it the thread default. */
  g_main_context_push_thread_default (self->context);
  g_output_stream_write_all_async (out, data, size, G_PRIORITY_DEFAULT, self->cancellable,
                                   on_written, qmp_ref (self));
  g_main_context_pop_thread_default (self->context);
}

static gboolean
on_command_timeout (gpointer data)
{
  Command *cmd = data;
  GvtQmp *self = cmd->qmp;
  g_autofree char *secs = seconds (cmd->timeout_ms);

  fail_with (self, GVT_ERROR_TIMED_OUT, "QEMU did not answer '%s' in %s s", cmd->name, secs);
  return G_SOURCE_REMOVE;
}

static void
send_command (GvtQmp *self, Command *cmd)
{
  g_queue_push_tail (&self->writes, g_steal_pointer (&cmd->line));
  cmd->timeout = attach_timeout (self, cmd->timeout_ms, on_command_timeout, cmd);
  start_write (self);
}

static GBytes *
command_line (const char *command, JsonObject *arguments, guint id)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "execute");
  json_builder_add_string_value (builder, command);
  if (arguments != NULL)
    {
      json_builder_set_member_name (builder, "arguments");
      json_builder_add_value (builder, json_node_init_object (json_node_alloc (), arguments));
    }
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, id);
  json_builder_end_object (builder);

  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  json_generator_set_root (generator, root);
  g_autofree char *text = json_generator_to_data (generator, NULL);
  return g_bytes_new_take (g_strconcat (text, "\n", NULL), strlen (text) + 1);
}

/* --- reading --- */

static void
deliver_event (GvtQmp *self, GvtQmpMessage *msg)
{
  if (!self->closed && self->callbacks.event != NULL)
    self->callbacks.event (self, msg->event, msg->value ? json_node_get_object (msg->value) : NULL,
                           self->user_data);
}

static void
become_ready (GvtQmp *self)
{
  clear_source (&self->connect_timeout);
  self->state = STATE_READY;
  for (GList *l = self->pending.head; l != NULL; l = l->next)
    send_command (self, l->data);
  if (self->callbacks.ready != NULL)
    self->callbacks.ready (self, NULL, self->user_data);
  GvtQmpMessage *msg;
  while (self->state == STATE_READY && (msg = g_queue_pop_head (&self->early_events)) != NULL)
    {
      deliver_event (self, msg);
      early_event_free (msg);
    }
}

static void
handle_event (GvtQmp *self, GvtQmpMessage *msg)
{
  if (self->state == STATE_READY)
    {
      deliver_event (self, msg);
      return;
    }
  if (self->early_events.length == MAX_EARLY_EVENTS)
    {
      fail_with (self, GVT_ERROR_PROTOCOL,
                 "QEMU sent over %d events before it answered qmp_capabilities",
                 MAX_EARLY_EVENTS);
      return;
    }
  g_queue_push_tail (&self->early_events, g_memdup2 (msg, sizeof *msg));
  memset (msg, 0, sizeof *msg);
}

static Command *
find_sent (GvtQmp *self, gint64 id)
{
  for (GList *l = self->pending.head; l != NULL; l = l->next)
    {
      Command *cmd = l->data;
      if (cmd->id == id && cmd->line == NULL)
        return cmd;
    }
  return NULL;
}

static GError *
qmp_error (const GvtQmpMessage *msg)
{
  return g_error_new (GVT_ERROR, GVT_ERROR_QMP, "%s%s%s", msg->error_class,
                      *msg->error_class ? ": " : "",
                      *msg->error_desc ? msg->error_desc : "(no description)");
}

static void
handle_answer (GvtQmp *self, GvtQmpMessage *msg)
{
  gboolean caps = self->state == STATE_CAPABILITIES;
  Command *cmd = NULL;

  if (!msg->has_id
      || (caps ? msg->id != CAPABILITIES_ID : (cmd = find_sent (self, msg->id)) == NULL))
    {
      if (msg->has_id)
        fail_with (self, GVT_ERROR_PROTOCOL,
                   "QEMU answered a command that was not sent (id %" G_GINT64_FORMAT ")",
                   msg->id);
      else
        fail_with (self, GVT_ERROR_PROTOCOL, "QEMU sent a reply without an id of ours");
      return;
    }
  if (caps)
    {
      if (msg->kind == GVT_QMP_MESSAGE_ERROR)
        {
          g_autoptr (GError) why = qmp_error (msg);
          fail_with (self, GVT_ERROR_QMP, "QEMU refused qmp_capabilities: %s", why->message);
        }
      else
        become_ready (self);
      return;
    }
  g_queue_remove (&self->pending, cmd);
  clear_source (&cmd->timeout);
  if (msg->kind == GVT_QMP_MESSAGE_RETURN)
    call_reply (self, cmd, msg->value, NULL);
  else
    {
      g_autoptr (GError) why = qmp_error (msg);
      call_reply (self, cmd, NULL, why);
    }
  command_free (cmd);
}

static void
handle_line (GvtQmp *self, const char *line, gsize len)
{
  g_auto (GvtQmpMessage) msg = { 0 };
  g_autoptr (GError) error = NULL;
  gboolean ok = gvt_qmp_message_parse (line, len, &msg, &error);

  if (self->state == STATE_GREETING)
    {
      if (!ok || msg.kind != GVT_QMP_MESSAGE_GREETING)
        {
          fail_not_qmp (self, line, len);
          return;
        }
      self->major = msg.major;
      self->minor = msg.minor;
      self->micro = msg.micro;
      self->state = STATE_CAPABILITIES;
      static const char caps[] = "{\"execute\": \"qmp_capabilities\", \"id\": 0}\n";
      g_queue_push_tail (&self->writes, g_bytes_new_static (caps, sizeof caps - 1));
      start_write (self);
      return;
    }
  if (!ok)
    fail_with (self, GVT_ERROR_PROTOCOL, "QEMU sent %s", error->message);
  else if (msg.kind == GVT_QMP_MESSAGE_GREETING)
    fail_with (self, GVT_ERROR_PROTOCOL, "QEMU sent a second greeting");
  else if (msg.kind == GVT_QMP_MESSAGE_EVENT)
    handle_event (self, &msg);
  else
    handle_answer (self, &msg);
}

/* Handles the whole lines in the buffer and keeps the partial one; FALSE
 * once the connection is over. */
static gboolean
take_lines (GvtQmp *self)
{
  gsize start = 0, from = self->scanned;
  const guint8 *nl;

  while (self->state != STATE_DEAD
         && (nl = memchr (self->buf + from, '\n', self->fill - from)) != NULL)
    {
      gsize len = (gsize) (nl - self->buf) - start;
      gsize next = start + len + 1;
      if (len > 0 && self->buf[start + len - 1] == '\r')
        len--;
      handle_line (self, (const char *) self->buf + start, len);
      start = from = next;
    }
  if (self->state == STATE_DEAD)
    return FALSE;
  memmove (self->buf, self->buf + start, self->fill - start);
  self->fill -= start;
  self->scanned = self->fill;
  if (self->fill > MAX_PARTIAL)
    {
      if (self->state == STATE_GREETING)
        fail_not_qmp (self, (const char *) self->buf, self->fill);
      else
        fail_with (self, GVT_ERROR_PROTOCOL, "QEMU sent a message over 64 KiB");
      return FALSE;
    }
  return TRUE;
}

static void start_read (GvtQmp *self);

static void
on_read (GObject *source, GAsyncResult *result, gpointer data)
{
  GvtQmp *self = data;
  g_autoptr (GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (self->state != STATE_DEAD)
    {
      if (n < 0)
        fail_io (self, error);
      else if (n == 0)
        fail (self, closed_error (self));
      else
        {
          self->fill += (gsize) n;
          if (take_lines (self))
            start_read (self);
        }
    }
  qmp_unref (self);
}

static void
start_read (GvtQmp *self)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (self->connection));

  g_main_context_push_thread_default (self->context);
  g_input_stream_read_async (in, self->buf + self->fill, BUFFER_SIZE - self->fill,
                             G_PRIORITY_DEFAULT, self->cancellable, on_read, qmp_ref (self));
  g_main_context_pop_thread_default (self->context);
}

/* --- connecting --- */

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  GvtQmp *self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) connection =
    g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);

  if (self->state == STATE_DEAD)
    ; /* closed or timed out meanwhile */
  else if (connection == NULL)
    {
      g_autofree char *why =
        g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
          ? g_strdup_printf ("no such socket (is QEMU running, with -qmp unix:%s,server=on,"
                             "wait=off?)", self->path)
        : g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)
          ? g_strdup ("nobody listens on this socket: QEMU is gone (or it is not a socket)")
        : g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)
          ? g_strdup ("permission denied: run as QEMU's user, or give the socket to your group")
        /* EAGAIN: the listen queue is full. QEMU accepts one QMP client
         * at a time; a client waiting behind the one it serves fills it. */
        : g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)
          ? g_strdup ("the socket takes no more connections: QEMU serves one QMP client at a "
                      "time, and another holds it (libvirt, a second viewer, a monitor?) — "
                      "give QEMU a -qmp socket of gvt-view's own")
          : g_strdup_printf ("cannot connect: %s", error->message);
      fail (self, g_error_new (error->domain, error->code, "%s: %s", self->path, why));
    }
  else
    {
      self->connection = g_steal_pointer (&connection);
      self->state = STATE_GREETING;
      start_read (self);
    }
  qmp_unref (self);
}

static gboolean
on_connect_timeout (gpointer data)
{
  GvtQmp *self = data;
  g_autofree char *secs = seconds (self->timeout_ms);

  if (self->state == STATE_CAPABILITIES)
    fail_with (self, GVT_ERROR_TIMED_OUT, "QEMU did not answer 'qmp_capabilities' in %s s",
               secs);
  else
    fail_with (self, GVT_ERROR_TIMED_OUT, "no QMP greeting in %s s", secs);
  return G_SOURCE_REMOVE;
}

/* Early failures and deferred answers: never called back synchronously. */
static gboolean
on_idle (gpointer data)
{
  GvtQmp *self = qmp_ref (data);
  guint n = self->deferred.length;

  g_clear_pointer (&self->idle, g_source_unref);
  if (self->early_error != NULL)
    fail (self, g_steal_pointer (&self->early_error));
  /* Only those deferred before: a caller that retries at once from the
   * reply waits for the next iteration. */
  for (Command *cmd; n-- > 0 && !self->closed
                     && (cmd = g_queue_pop_head (&self->deferred)) != NULL;)
    {
      call_reply (self, cmd, NULL, cmd->error);
      command_free (cmd);
    }
  qmp_unref (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_idle (GvtQmp *self)
{
  if (self->idle != NULL)
    return;
  self->idle = g_idle_source_new ();
  g_source_set_callback (self->idle, on_idle, self, NULL);
  g_source_attach (self->idle, self->context);
}

GvtQmp *
gvt_qmp_connect (const char *path, guint timeout_ms, const GvtQmpCallbacks *callbacks,
                 gpointer user_data)
{
  g_return_val_if_fail (path != NULL, NULL);

  GvtQmp *self = g_new0 (GvtQmp, 1);
  self->refs = 1;
  self->path = g_strdup (path);
  if (callbacks != NULL)
    self->callbacks = *callbacks;
  self->user_data = user_data;
  self->timeout_ms = timeout_ms ? timeout_ms : GVT_QMP_DEFAULT_TIMEOUT_MS;
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->buf = g_malloc (BUFFER_SIZE);
  self->next_id = CAPABILITIES_ID + 1;

  /* GUnixSocketAddress would cut a longer path and connect elsewhere. */
  if (strlen (path) >= sizeof ((struct sockaddr_un *) NULL)->sun_path)
    {
      self->early_error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                       "%s: the path is too long for a UNIX socket (over %d "
                                       "bytes)", path,
                                       (int) sizeof ((struct sockaddr_un *) NULL)->sun_path - 1);
      schedule_idle (self);
      return self;
    }
  self->connect_timeout = attach_timeout (self, self->timeout_ms, on_connect_timeout, self);
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), self->cancellable,
                                 on_connected, qmp_ref (self));
  return self;
}

void
gvt_qmp_close (GvtQmp *self)
{
  if (self == NULL)
    return;
  g_return_if_fail (!self->closed);

  self->closed = TRUE;
  stop_io (self);
  clear_source (&self->idle);
  g_queue_clear_full (&self->pending, (GDestroyNotify) command_free);
  g_queue_clear_full (&self->deferred, (GDestroyNotify) command_free);
  qmp_unref (self);
}

gboolean
gvt_qmp_is_ready (GvtQmp *self)
{
  return self->state == STATE_READY;
}

gboolean
gvt_qmp_get_peer (GvtQmp *self, guint *uid, guint *gid)
{
  if (self->connection == NULL)
    return FALSE;
  GSocket *socket = g_socket_connection_get_socket (self->connection);
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
    return FALSE;
  *uid = cred.uid;
  *gid = cred.gid;
  return TRUE;
}

const char *
gvt_qmp_get_path (GvtQmp *self)
{
  return self->path;
}

void
gvt_qmp_get_version (GvtQmp *self, int *major, int *minor, int *micro)
{
  *major = self->major;
  *minor = self->minor;
  *micro = self->micro;
}

static void
defer (GvtQmp *self, Command *cmd, GError *error)
{
  cmd->error = error;
  g_queue_push_tail (&self->deferred, cmd);
  schedule_idle (self);
}

guint
gvt_qmp_execute (GvtQmp *self, const char *command, JsonObject *arguments, guint timeout_ms,
                 GvtQmpReply reply, gpointer user_data)
{
  g_return_val_if_fail (self != NULL && !self->closed, 0);
  g_return_val_if_fail (command != NULL && *command != '\0', 0);

  Command *cmd = g_new0 (Command, 1);
  cmd->qmp = self;
  cmd->id = self->next_id++;
  if (self->next_id == CAPABILITIES_ID)
    self->next_id++;
  cmd->name = g_strdup (command);
  cmd->timeout_ms = timeout_ms ? timeout_ms : GVT_QMP_DEFAULT_TIMEOUT_MS;
  cmd->reply = reply;
  cmd->user_data = user_data;

  if (self->state == STATE_DEAD)
    defer (self, cmd, g_error_copy (self->error));
  else if (self->pending.length >= MAX_PENDING)
    defer (self, cmd, g_error_new (G_IO_ERROR, G_IO_ERROR_BUSY,
                                   "%s: %d QMP commands wait for QEMU already; '%s' was not "
                                   "sent", self->path, MAX_PENDING, command));
  else
    {
      cmd->line = command_line (command, arguments, cmd->id);
      g_queue_push_tail (&self->pending, cmd);
      if (self->state == STATE_READY)
        send_command (self, cmd);
    }
  return cmd->id;
}

void
gvt_qmp_cancel (GvtQmp *self, guint id)
{
  for (GList *l = self->pending.head; l != NULL; l = l->next)
    {
      Command *cmd = l->data;
      if (cmd->id != id)
        continue;
      /* Sent: QEMU answers all the same, and the answer must match. */
      if (cmd->line == NULL)
        cmd->reply = NULL;
      else
        {
          g_queue_delete_link (&self->pending, l);
          command_free (cmd);
        }
      return;
    }
  for (GList *l = self->deferred.head; l != NULL; l = l->next)
    if (((Command *) l->data)->id == id)
      {
        command_free (l->data);
        g_queue_delete_link (&self->deferred, l);
        return;
      }
}

guint
gvt_qmp_get_pending (GvtQmp *self)
{
  return self->pending.length;
}
