/* The VM link: connect, query-status, events, reconnect. */
#include <string.h>

#include "vm.h"
#include "common/gvt-error.h"

struct _GvtVm {
  char *path;
  GMainContext *context;
  GvtQmp *qmp;             /* the connection being made or in use, or NULL */
  gboolean ready;          /* qmp is ready and its run state known */
  GvtVmState state;
  char *detail;
  GvtVmEvents events;
  GvtVmNotifyFunc notify;
  gpointer notify_data;
  guint connects;
  guint status_id;         /* query-status in flight */
  gboolean event_since_query;
  GSource *retry;
  gboolean said_gone;
  GError *first_error;     /* the first connection's failure, for wait_ready */
  gboolean first_done;
};

static void connect_now (GvtVm *self);

const char *
gvt_vm_state_to_string (GvtVmState state)
{
  switch (state)
    {
    case GVT_VM_NONE:       return "none";
    case GVT_VM_CONNECTING: return "connecting";
    case GVT_VM_RUNNING:    return "running";
    case GVT_VM_PAUSED:     return "paused";
    case GVT_VM_SHUT_DOWN:  return "shut-down";
    case GVT_VM_GONE:       return "gone";
    default:                return "?";
    }
}

static void
set_detail (GvtVm *self, const char *detail)
{
  g_free (self->detail);
  self->detail = g_strdup (detail);
}

static void
set_state (GvtVm *self, GvtVmState state, const char *detail)
{
  if (state != self->state)
    g_debug ("%s: VM %s%s%s", self->path, gvt_vm_state_to_string (state),
             detail ? ": " : "", detail ? detail : "");
  self->state = state;
  set_detail (self, detail);
}

static void
add_events (GvtVm *self, GvtVmEvents events)
{
  self->events |= events;
  if (self->notify != NULL)
    self->notify (self, self->notify_data);
}

static gboolean
on_retry (gpointer user_data)
{
  GvtVm *self = user_data;

  g_clear_pointer (&self->retry, g_source_unref);
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (GvtVm *self)
{
  if (self->retry != NULL)
    return;
  self->retry = g_timeout_source_new (GVT_VM_RECONNECT_INTERVAL_MS);
  g_source_set_callback (self->retry, on_retry, self, NULL);
  g_source_attach (self->retry, self->context);
}

/* The connection is over, or never came: say so, and try again soon. */
static void
lost (GvtVm *self, const GError *error)
{
  gboolean was_up = self->ready;

  self->qmp = NULL;
  self->ready = FALSE;
  self->status_id = 0;
  if (!self->first_done)
    {
      /* The first connection: the caller reports it (wait_ready). */
      self->first_done = TRUE;
      self->first_error = g_error_copy (error);
    }
  if (was_up)
    {
      set_state (self, GVT_VM_GONE, error->message);
      add_events (self, GVT_VM_EVENT_GONE);
      if (!self->said_gone)
        g_message ("%s; waiting for a QEMU at the same path", error->message);
      self->said_gone = TRUE;
    }
  else
    g_debug ("%s: %s", self->path, error->message);
  schedule_retry (self);
}

static GvtVmState
state_for_status (JsonNode *result, const char **status_out)
{
  JsonObject *o = result && JSON_NODE_HOLDS_OBJECT (result) ? json_node_get_object (result) : NULL;
  JsonNode *running = o ? json_object_get_member (o, "running") : NULL;
  JsonNode *status = o ? json_object_get_member (o, "status") : NULL;

  *status_out = NULL;
  if (running == NULL || json_node_get_value_type (running) != G_TYPE_BOOLEAN
      || status == NULL || json_node_get_value_type (status) != G_TYPE_STRING)
    return GVT_VM_NONE;
  *status_out = json_node_get_string (status);
  if (json_node_get_boolean (running))
    return GVT_VM_RUNNING;
  return g_strcmp0 (*status_out, "shutdown") == 0 ? GVT_VM_SHUT_DOWN : GVT_VM_PAUSED;
}

static void
on_status (GvtQmp *qmp, JsonNode *result, const GError *error, gpointer user_data)
{
  GvtVm *self = user_data;
  const char *status = NULL;

  self->status_id = 0;
  /* The connection's end follows (lost does the rest). */
  if (error != NULL && !g_error_matches (error, GVT_ERROR, GVT_ERROR_QMP))
    return;
  GvtVmState state = error ? GVT_VM_NONE : state_for_status (result, &status);
  if (state == GVT_VM_NONE)
    {
      g_message ("%s: no run state from QEMU (%s): taking the VM as running", self->path,
                 error ? error->message : "the query-status answer is not {running, status}");
      state = GVT_VM_RUNNING;
    }
  self->ready = TRUE;
  self->connects++;
  if (!self->first_done)
    self->first_done = TRUE;
  else if (self->said_gone)
    g_message ("%s: QEMU is back", self->path);
  self->said_gone = FALSE;
  /* An event that came after the question is newer than its answer. */
  if (!self->event_since_query)
    set_state (self, state, state == GVT_VM_PAUSED ? status : NULL);
  add_events (self, GVT_VM_EVENT_CONNECTED);
}

static void
on_ready (GvtQmp *qmp, const GError *error, gpointer user_data)
{
  GvtVm *self = user_data;

  if (error != NULL)
    return; /* closed follows */
  self->event_since_query = FALSE;
  self->status_id = gvt_qmp_execute (qmp, "query-status", NULL, 0, on_status, self);
}

static void
on_event (GvtQmp *qmp, const char *name, JsonObject *data, gpointer user_data)
{
  GvtVm *self = user_data;

  g_debug ("%s: event %s", self->path, name);
  if (g_str_equal (name, "STOP"))
    set_state (self, self->state == GVT_VM_SHUT_DOWN ? GVT_VM_SHUT_DOWN : GVT_VM_PAUSED, NULL);
  else if (g_str_equal (name, "RESUME"))
    set_state (self, GVT_VM_RUNNING, NULL);
  else if (g_str_equal (name, "RESET"))
    add_events (self, GVT_VM_EVENT_RESET);
  else if (g_str_equal (name, "SHUTDOWN"))
    {
      const char *reason = data && json_object_has_member (data, "reason")
                           && JSON_NODE_HOLDS_VALUE (json_object_get_member (data, "reason"))
                           && json_node_get_value_type (json_object_get_member (data, "reason"))
                                == G_TYPE_STRING
                           ? json_object_get_string_member (data, "reason") : NULL;
      set_state (self, GVT_VM_SHUT_DOWN, reason);
      add_events (self, GVT_VM_EVENT_SHUTDOWN);
    }
  else
    return;
  self->event_since_query = TRUE;
}

static void
on_closed (GvtQmp *qmp, const GError *error, gpointer user_data)
{
  lost (user_data, error);
  /* A closed client is dead but still ours to free (safe in here). */
  gvt_qmp_close (qmp);
}

static const GvtQmpCallbacks callbacks = {
  .ready = on_ready,
  .event = on_event,
  .closed = on_closed,
};

static void
connect_now (GvtVm *self)
{
  self->qmp = gvt_qmp_connect (self->path, 0, &callbacks, self);
}

GvtVm *
gvt_vm_new (const char *path)
{
  GvtVm *self = g_new0 (GvtVm, 1);

  self->path = g_strdup (path);
  self->context = g_main_context_ref_thread_default ();
  self->state = GVT_VM_CONNECTING;
  connect_now (self);
  return self;
}

void
gvt_vm_free (GvtVm *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->qmp, gvt_qmp_close);
  if (self->retry != NULL)
    g_source_destroy (self->retry);
  g_clear_pointer (&self->retry, g_source_unref);
  g_main_context_unref (self->context);
  g_clear_error (&self->first_error);
  g_free (self->detail);
  g_free (self->path);
  g_free (self);
}

gboolean
gvt_vm_wait_ready (GvtVm *self, GError **error)
{
  while (!self->first_done)
    g_main_context_iteration (self->context, TRUE);
  if (self->first_error == NULL)
    return TRUE;

  /* The client's messages start with the path and carry the hint. */
  const GError *e = self->first_error;
  gboolean absent = g_error_matches (e, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
                    || g_error_matches (e, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  const char *why = g_str_has_prefix (e->message, self->path)
                    && g_str_has_prefix (e->message + strlen (self->path), ": ")
                    ? e->message + strlen (self->path) + 2 : e->message;
  /* QEMU serves one QMP client per socket: a second one connects, and
   * waits for a greeting that comes when the first leaves. */
  gboolean silent = g_error_matches (e, GVT_ERROR, GVT_ERROR_TIMED_OUT)
                    && strstr (e->message, "greeting") != NULL;
  gboolean full = g_error_matches (e, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_set_error (error, GVT_ERROR,
               absent ? GVT_ERROR_NO_DEVICE : full ? GVT_ERROR_BUSY
               : e->domain == GVT_ERROR ? e->code : GVT_ERROR_FAILED,
               "cannot connect to QMP socket %s: %s%s", self->path, why,
               silent ? " (a QMP socket serves one client at a time: is another connected — "
                        "libvirt, a second viewer, a monitor? Give QEMU a -qmp socket of "
                        "gvt-view's own)" : "");
  return FALSE;
}

GvtVmState gvt_vm_get_state (GvtVm *self) { return self->state; }
const char *gvt_vm_get_detail (GvtVm *self) { return self->detail; }
guint gvt_vm_get_connects (GvtVm *self) { return self->connects; }
const char *gvt_vm_get_path (GvtVm *self) { return self->path; }

GvtVmEvents
gvt_vm_take_events (GvtVm *self)
{
  GvtVmEvents events = self->events;

  self->events = 0;
  return events;
}

void
gvt_vm_set_notify (GvtVm *self, GvtVmNotifyFunc func, gpointer user_data)
{
  self->notify = func;
  self->notify_data = user_data;
}

GvtQmp *
gvt_vm_get_qmp (GvtVm *self)
{
  return self->ready ? self->qmp : NULL;
}
