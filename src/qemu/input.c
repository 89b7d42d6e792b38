/* Input to the VM: events queued, coalesced and sent as QMP
 * input-send-event commands, pipelined, with the keys and buttons down
 * tracked so that none stays stuck in the guest. */
#include <string.h>

#include "input.h"
#include "common/gvt-error.h"

/* Enough to keep a fast typist's keys flowing while QEMU is slow, few
 * enough that a stalled QEMU is noticed (by the timeout) before much
 * piles up. */
#define MAX_IN_FLIGHT 8
/* Releases the guest may still owe: tried again this often while there
 * is no connection or the VM is paused ... */
#define RETRY_INTERVAL_MS 100
/* ... and sent at most this many times in a row without an accepted
 * command (a QEMU that keeps refusing them for a reason of its own). */
#define MAX_RETRIES 3
/* Distinct error messages said; beyond, an odd QEMU is only logged. */
#define MAX_SAID 32

/* QMP's InputEventKind names, in the order of Kind. */
typedef enum { KIND_KEY, KIND_BTN, KIND_REL, KIND_ABS, N_KINDS } Kind;
static const char *const kind_names[N_KINDS] = { "key", "btn", "rel", "abs" };

typedef struct {
  Kind kind;
  gboolean down;        /* key, btn */
  char *qcode;          /* key */
  GvtQemuButton button; /* btn */
  int x, y;             /* abs, rel */
} Event;

/* Keys and buttons: those down, or those whose release the guest is owed. */
typedef struct {
  GPtrArray *keys; /* qcodes, in the order pressed */
  guint buttons;   /* 1 << GvtQemuButton */
} Held;

/* An input-send-event waiting for its answer. */
typedef struct {
  GvtQemuInput *owner;
  guint id;
  guint connects; /* of the connection it went on */
  Held ups;       /* the releases in it: owed again when it is refused */
} Command;

struct _GvtQemuInput {
  GvtVm *vm;
  GMainContext *context;
  GArray *queue;          /* Event */
  guint queued_urgent;    /* keys and buttons in @queue */
  Held down;              /* as queued to be sent */
  Held owed;              /* releases to send once the VM can take them */
  guint retries;
  GPtrArray *in_flight;   /* Command */
  guint connects;         /* the connection @queue and @down are for */
  gboolean refused[N_KINDS]; /* QEMU has no handler for that kind */
  GHashTable *said;
  GSource *idle;
  GSource *retry;
  GvtQemuInputStats stats;
};

/* In the order of GvtQemuButton. */
static const char *const button_names[] = {
  "left", "middle", "right", "wheel-up", "wheel-down", "side", "extra", "wheel-left",
  "wheel-right",
};

const char *
gvt_qemu_button_name (GvtQemuButton button)
{
  g_return_val_if_fail ((guint) button < G_N_ELEMENTS (button_names), NULL);
  return button_names[button];
}

/* --- sets of keys and buttons --- */

static void
held_init (Held *h)
{
  h->keys = g_ptr_array_new_with_free_func (g_free);
  h->buttons = 0;
}

static gboolean
held_is_empty (const Held *h)
{
  return h->keys->len == 0 && h->buttons == 0;
}

static gboolean
held_has_key (const Held *h, const char *qcode)
{
  return g_ptr_array_find_with_equal_func (h->keys, qcode, g_str_equal, NULL);
}

static void
held_add_key (Held *h, const char *qcode)
{
  if (!held_has_key (h, qcode))
    g_ptr_array_add (h->keys, g_strdup (qcode));
}

static gboolean
held_remove_key (Held *h, const char *qcode)
{
  guint i;

  if (!g_ptr_array_find_with_equal_func (h->keys, qcode, g_str_equal, &i))
    return FALSE;
  g_ptr_array_remove_index (h->keys, i);
  return TRUE;
}

/* @to gets what @from has (keys not of @skip_keys, buttons not of
 * @skip_buttons); @from is left as it was. */
static void
held_merge (Held *to, const Held *from, gboolean skip_keys, gboolean skip_buttons)
{
  if (!skip_keys)
    for (guint i = 0; i < from->keys->len; i++)
      held_add_key (to, from->keys->pdata[i]);
  if (!skip_buttons)
    to->buttons |= from->buttons;
}

static void
held_clear (Held *h)
{
  g_ptr_array_set_size (h->keys, 0);
  h->buttons = 0;
}

/* --- the QMP side --- */

static void
event_clear (gpointer data)
{
  g_free (((Event *) data)->qcode);
}

static void
command_free (Command *cmd)
{
  g_ptr_array_unref (cmd->ups.keys);
  g_free (cmd);
}

/* @ev as QMP InputEvents: {"type": "key", "data": {"down": true, "key":
 * {"type": "qcode", "data": "a"}}}, {"type": "btn", "data": {"down": true,
 * "button": "left"}}, or a move's two, x then y: {"type": "abs", "data":
 * {"axis": "x", "value": 16384}}. */
static void
add_event (JsonArray *events, const Event *ev)
{
  gboolean move = ev->kind == KIND_REL || ev->kind == KIND_ABS;

  for (int axis = 0; axis < (move ? 2 : 1); axis++)
    {
      JsonObject *o = json_object_new (), *data = json_object_new ();
      if (ev->kind == KIND_KEY)
        {
          JsonObject *key = json_object_new ();
          json_object_set_string_member (key, "type", "qcode");
          json_object_set_string_member (key, "data", ev->qcode);
          json_object_set_object_member (data, "key", key);
        }
      else if (ev->kind == KIND_BTN)
        json_object_set_string_member (data, "button", button_names[ev->button]);
      if (move)
        {
          json_object_set_string_member (data, "axis", axis ? "y" : "x");
          json_object_set_int_member (data, "value", axis ? ev->y : ev->x);
        }
      else
        json_object_set_boolean_member (data, "down", ev->down);
      json_object_set_string_member (o, "type", kind_names[ev->kind]);
      json_object_set_object_member (o, "data", data);
      json_array_add_object_element (events, o);
    }
}

static void
add_ups (JsonArray *events, const Held *ups)
{
  for (guint i = 0; i < ups->keys->len; i++)
    add_event (events, &(Event) { .kind = KIND_KEY, .qcode = ups->keys->pdata[i] });
  for (guint b = 0; b < G_N_ELEMENTS (button_names); b++)
    if (ups->buttons & (1u << b))
      add_event (events, &(Event) { .kind = KIND_BTN, .button = b });
}

static void
drop_queue (GvtQemuInput *self)
{
  if (self->queue->len > 0)
    g_debug ("%s: no QEMU connection: %u input events dropped", gvt_vm_get_path (self->vm),
             self->queue->len);
  g_array_set_size (self->queue, 0);
  self->queued_urgent = 0;
}

/* Whether @vm has the connection that the queue and the keys down are
 * for. When it has none, or a new one (QEMU restarted, or the link timed
 * out and came back to a guest that lived on), what was queued goes and
 * what is down is owed a release there. */
static gboolean
link_check (GvtQemuInput *self)
{
  GvtQmp *qmp = gvt_vm_get_qmp (self->vm);
  guint connects = gvt_vm_get_connects (self->vm);

  if (qmp != NULL && connects == self->connects)
    return TRUE;
  drop_queue (self);
  held_merge (&self->owed, &self->down, FALSE, FALSE);
  held_clear (&self->down);
  if (qmp == NULL)
    return FALSE;
  self->connects = connects;
  self->retries = 0;
  memset (self->refused, 0, sizeof self->refused);
  return TRUE;
}

/* What to do when QEMU has no device for a kind of event. */
static const char *const no_device_hints[N_KINDS] = {
  [KIND_KEY] = " — the VM has no keyboard: add `-device usb-kbd` or "
               "`-device virtio-keyboard-pci`",
  [KIND_BTN] = " — the VM has no mouse: add `-device usb-mouse` or `-device virtio-mouse-pci`",
  [KIND_REL] = " — the VM has no mouse: add `-device usb-mouse` or `-device virtio-mouse-pci`",
  [KIND_ABS] = " — the VM has no absolute pointer device: add `-device usb-ehci -device "
               "usb-tablet` (or `-device virtio-tablet-pci`) to QEMU's command line, or use "
               "--relative-mouse",
};

/* QEMU refused a whole command (it checks every event before it sends
 * any). The releases in it are owed again when the reason is one that
 * passes (a pause) or concerns other events (no handler for abs). */
static void
refused (GvtQemuInput *self, Command *cmd, const char *message)
{
  static const char no_handler[] = "Input handler not found for event type ";
  const char *type = strstr (message, no_handler);
  gboolean paused = strstr (message, "VM not running") != NULL;
  const char *hint = "";
  int kind = -1;

  self->stats.errors++;
  for (int k = 0; type != NULL && k < N_KINDS; k++)
    if (g_str_has_prefix (type + strlen (no_handler), kind_names[k]))
      kind = k;
  if (kind >= 0)
    {
      /* Not sent again on this connection: they would take the keys and
       * buttons sent with them down too. */
      self->refused[kind] = TRUE;
      hint = no_device_hints[kind];
    }
  else if (paused)
    hint = " — the VM is paused, and QEMU takes input only while it runs";
  else if (strstr (message, "does not accept value") != NULL)
    hint = " — a key name this QEMU does not know (older than gvt-view's key table?)";
  if ((paused || kind >= 0) && self->retries < MAX_RETRIES)
    held_merge (&self->owed, &cmd->ups, kind == KIND_KEY, kind == KIND_BTN);

  if (g_hash_table_contains (self->said, message))
    return;
  if (g_hash_table_size (self->said) >= MAX_SAID)
    {
      g_debug ("%s: QEMU refused input: %s", gvt_vm_get_path (self->vm), message);
      return;
    }
  g_hash_table_add (self->said, g_strdup (message));
  g_message ("%s: QEMU refused input: %s%s", gvt_vm_get_path (self->vm), message, hint);
}

static void schedule_flush (GvtQemuInput *self);
static void update_retry (GvtQemuInput *self);

static void
on_reply (GvtQmp *qmp, JsonNode *result, const GError *error, gpointer user_data)
{
  Command *cmd = user_data;
  GvtQemuInput *self = cmd->owner;

  g_ptr_array_remove_fast (self->in_flight, cmd);
  if (error == NULL)
    self->retries = 0;
  else if (g_error_matches (error, GVT_ERROR, GVT_ERROR_QMP))
    refused (self, cmd, error->message);
  else /* the connection's end: link_check does the rest */
    g_debug ("%s: input-send-event: %s", gvt_vm_get_path (self->vm), error->message);
  command_free (cmd);
  schedule_flush (self);
  update_retry (self);
}

/* One command: the releases owed (when @with_owed), then the queue. */
static void
send (GvtQemuInput *self, gboolean with_owed)
{
  Command *cmd = g_new0 (Command, 1);
  JsonArray *events = json_array_new ();

  cmd->owner = self;
  cmd->connects = self->connects;
  held_init (&cmd->ups);
  if (with_owed)
    {
      held_merge (&cmd->ups, &self->owed, self->refused[KIND_KEY], self->refused[KIND_BTN]);
      add_ups (events, &cmd->ups);
      held_clear (&self->owed);
      self->retries++;
    }
  for (guint i = 0; i < self->queue->len; i++)
    {
      const Event *ev = &g_array_index (self->queue, Event, i);
      if (self->refused[ev->kind])
        continue;
      add_event (events, ev);
      if (ev->kind == KIND_KEY && !ev->down)
        held_add_key (&cmd->ups, ev->qcode);
      else if (ev->kind == KIND_BTN && !ev->down)
        cmd->ups.buttons |= 1u << ev->button;
    }
  g_array_set_size (self->queue, 0);
  self->queued_urgent = 0;

  guint n = json_array_get_length (events);
  if (n == 0)
    {
      json_array_unref (events);
      command_free (cmd);
      return;
    }
  JsonObject *args = json_object_new ();
  json_object_set_array_member (args, "events", events);
  self->stats.commands++;
  self->stats.events += n;
  g_ptr_array_add (self->in_flight, cmd);
  cmd->id = gvt_qmp_execute (gvt_vm_get_qmp (self->vm), "input-send-event", args, 0, on_reply,
                             cmd);
  json_object_unref (args);
}

static gboolean
on_flush (gpointer user_data)
{
  GvtQemuInput *self = user_data;

  g_clear_pointer (&self->idle, g_source_unref);
  if (link_check (self))
    {
      gboolean with_owed = !held_is_empty (&self->owed)
                           && gvt_vm_get_state (self->vm) == GVT_VM_RUNNING;
      gboolean urgent = with_owed || self->queued_urgent > 0;
      /* Motion alone waits for the answer in flight, coalescing meanwhile. */
      if ((self->queue->len > 0 || with_owed) && self->in_flight->len < MAX_IN_FLIGHT
          && (urgent || self->in_flight->len == 0))
        send (self, with_owed);
    }
  else
    drop_queue (self);
  update_retry (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_flush (GvtQemuInput *self)
{
  if (self->idle != NULL || (self->queue->len == 0 && held_is_empty (&self->owed)))
    return;
  self->idle = g_idle_source_new ();
  /* After the events of this main-loop turn (they coalesce), before any
   * redraw: at the default idle priority a window that redraws without
   * pause (a frame slower than the refresh) would starve the input. */
  g_source_set_priority (self->idle, G_PRIORITY_HIGH_IDLE);
  g_source_set_callback (self->idle, on_flush, self, NULL);
  g_source_attach (self->idle, self->context);
}

static gboolean
on_retry (gpointer user_data)
{
  schedule_flush (user_data);
  return G_SOURCE_CONTINUE;
}

/* Owed releases wait for a connection and a running VM: look again now
 * and then (GvtVm has no callback for either). */
static void
update_retry (GvtQemuInput *self)
{
  gboolean wanted = !held_is_empty (&self->owed);

  if (wanted && self->retry == NULL)
    {
      self->retry = g_timeout_source_new (RETRY_INTERVAL_MS);
      g_source_set_callback (self->retry, on_retry, self, NULL);
      g_source_attach (self->retry, self->context);
    }
  else if (!wanted && self->retry != NULL)
    {
      g_source_destroy (self->retry);
      g_clear_pointer (&self->retry, g_source_unref);
    }
}

/* --- the API --- */

GvtQemuInput *
gvt_qemu_input_new (GvtVm *vm)
{
  g_return_val_if_fail (vm != NULL, NULL);
  GvtQemuInput *self = g_new0 (GvtQemuInput, 1);

  self->vm = vm;
  self->context = g_main_context_ref_thread_default ();
  self->queue = g_array_new (FALSE, FALSE, sizeof (Event));
  g_array_set_clear_func (self->queue, event_clear);
  held_init (&self->down);
  held_init (&self->owed);
  self->in_flight = g_ptr_array_new ();
  self->connects = gvt_vm_get_connects (vm);
  self->said = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
gvt_qemu_input_free (GvtQemuInput *self)
{
  if (self == NULL)
    return;
  /* Answers still to come must not find us: those of the current
   * connection are cancelled; an older one's all came before it closed. */
  GvtQmp *qmp = gvt_vm_get_qmp (self->vm);
  for (guint i = 0; i < self->in_flight->len; i++)
    {
      Command *cmd = self->in_flight->pdata[i];
      if (qmp != NULL && cmd->connects == gvt_vm_get_connects (self->vm))
        gvt_qmp_cancel (qmp, cmd->id);
      command_free (cmd);
    }
  g_ptr_array_unref (self->in_flight);
  if (self->idle != NULL)
    g_source_destroy (self->idle);
  g_clear_pointer (&self->idle, g_source_unref);
  if (self->retry != NULL)
    g_source_destroy (self->retry);
  g_clear_pointer (&self->retry, g_source_unref);
  g_array_unref (self->queue);
  g_ptr_array_unref (self->down.keys);
  g_ptr_array_unref (self->owed.keys);
  g_hash_table_unref (self->said);
  g_main_context_unref (self->context);
  g_free (self);
}

/* Queues @ev (taken), a move merged into a move just before it. */
static void
push (GvtQemuInput *self, Event ev)
{
  Event *last = self->queue->len > 0
                ? &g_array_index (self->queue, Event, self->queue->len - 1) : NULL;

  if (last != NULL && last->kind == ev.kind && ev.kind == KIND_ABS)
    {
      last->x = ev.x;
      last->y = ev.y;
      self->stats.coalesced++;
    }
  else if (last != NULL && last->kind == ev.kind && ev.kind == KIND_REL)
    {
      last->x = CLAMP ((gint64) last->x + ev.x, G_MININT32, G_MAXINT32);
      last->y = CLAMP ((gint64) last->y + ev.y, G_MININT32, G_MAXINT32);
      self->stats.coalesced++;
    }
  else
    {
      g_array_append_val (self->queue, ev);
      if (ev.kind == KIND_KEY || ev.kind == KIND_BTN)
        self->queued_urgent++;
    }
  schedule_flush (self);
}

void
gvt_qemu_input_key (GvtQemuInput *self, const char *qcode, gboolean down)
{
  g_return_if_fail (self != NULL && qcode != NULL);
  link_check (self);
  if (down && held_has_key (&self->down, qcode))
    {
      /* The host's auto-repeat: the guest repeats on its own. */
      self->stats.repeats_dropped++;
      return;
    }
  if (down)
    {
      held_add_key (&self->down, qcode);
      /* Its state is told anew: no release owed. */
      held_remove_key (&self->owed, qcode);
    }
  else if (!held_remove_key (&self->down, qcode))
    return;
  push (self, (Event) { .kind = KIND_KEY, .down = down, .qcode = g_strdup (qcode) });
}

void
gvt_qemu_input_button (GvtQemuInput *self, GvtQemuButton button, gboolean down)
{
  g_return_if_fail (self != NULL && (guint) button < G_N_ELEMENTS (button_names));
  guint bit = 1u << button;

  link_check (self);
  if (!!(self->down.buttons & bit) == !!down)
    return;
  self->down.buttons ^= bit;
  if (down)
    self->owed.buttons &= ~bit;
  push (self, (Event) { .kind = KIND_BTN, .down = down, .button = button });
}

void
gvt_qemu_input_wheel (GvtQemuInput *self, GvtQemuButton button)
{
  gvt_qemu_input_button (self, button, TRUE);
  gvt_qemu_input_button (self, button, FALSE);
}

void
gvt_qemu_input_abs (GvtQemuInput *self, guint x, guint y)
{
  g_return_if_fail (self != NULL);
  link_check (self);
  push (self, (Event) { .kind = KIND_ABS, .x = MIN (x, GVT_QEMU_ABS_MAX),
                        .y = MIN (y, GVT_QEMU_ABS_MAX) });
}

void
gvt_qemu_input_rel (GvtQemuInput *self, int dx, int dy)
{
  g_return_if_fail (self != NULL);
  if (dx == 0 && dy == 0)
    return;
  link_check (self);
  push (self, (Event) { .kind = KIND_REL, .x = dx, .y = dy });
}

void
gvt_qemu_input_release_all (GvtQemuInput *self)
{
  g_return_if_fail (self != NULL);
  link_check (self);
  /* The last pressed first, as fingers leave keys. */
  while (self->down.keys->len > 0)
    {
      char *qcode = g_ptr_array_steal_index (self->down.keys, self->down.keys->len - 1);
      push (self, (Event) { .kind = KIND_KEY, .down = FALSE, .qcode = qcode });
    }
  for (guint b = 0; b < G_N_ELEMENTS (button_names); b++)
    if (self->down.buttons & (1u << b))
      gvt_qemu_input_button (self, b, FALSE);
}

void
gvt_qemu_input_get_stats (GvtQemuInput *self, GvtQemuInputStats *stats)
{
  *stats = self->stats;
  stats->keys_down = self->down.keys->len;
  stats->queued = self->queue->len + self->owed.keys->len
                  + (guint) __builtin_popcount (self->owed.buttons);
  stats->in_flight = self->in_flight->len;
}

/* As QEMU's own displays do it: ui/gtk.c gd_motion_event calls
 * qemu_input_queue_abs (con, INPUT_AXIS_X, x, 0, surface_width (ds)), which
 * is qemu_input_scale_axis (x, 0, width, INPUT_EVENT_ABS_MIN,
 * INPUT_EVENT_ABS_MAX): (x - 0) * (0x7FFF - 0) / (width - 0) in 64 bits,
 * truncated, and the middle for a range below 1 (QEMU ui/input.c and
 * include/ui/input.h, INPUT_EVENT_ABS_MIN 0x0000 and INPUT_EVENT_ABS_MAX
 * 0x7FFF; the same in 7.2 and master). */
guint
gvt_qemu_abs_from_pixel (double x, guint size)
{
  if (size == 0)
    return GVT_QEMU_ABS_MAX / 2;
  if (!(x > 0))
    x = 0; /* NaN too */
  guint px = x >= size ? size : (guint) x;
  return (guint) ((guint64) px * GVT_QEMU_ABS_MAX / size);
}
