/* Input to the VM against a real QEMU (Debian's, TCG, no guest OS), each
 * case checked in what QEMU says it got: its trace of input_event_* (the
 * events as QEMU's input layer takes them, before any device). Keys in
 * order, repeats dropped, release_all, every button, 1000 moves coalesced
 * with a click kept in its place, relative sums, the abs range and the
 * pixel mapping, a VM without a tablet, a paused VM, and the keys down
 * released on a new QEMU after the link dropped. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "qemu/input.h"
#include "qemu/vm.h"
#include "testutil.h"

typedef struct {
  char *dir;
  char *sock;
  char *trace;     /* QEMU's stderr */
  gsize trace_pos; /* what trace_take has read of it */
  gboolean tablet;
  GPid pid;
  GvtVm *vm;
  GvtQemuInput *input;
  GPtrArray *messages; /* g_message()s said meanwhile */
  guint log_handler;
} Rig;

/* --- QEMU --- */

static void
qemu_spawn (Rig *r)
{
  const char *argv[] = {
    "qemu-system-x86_64", "-accel", "tcg", "-m", "64", "-nic", "none", "-display", "none",
    "-vga", "none", "-S", "-device", "usb-ehci", "-device", "usb-kbd",
    "-qmp", NULL, "-trace", "input_event_*",
    r->tablet ? "-device" : NULL, "usb-tablet", NULL
  };
  g_autofree char *qmp_arg = g_strdup_printf ("unix:%s,server=on,wait=off", r->sock);

  argv[17] = qmp_arg;
  g_unlink (r->sock);
  r->trace_pos = 0;
  r->pid = gvt_test_spawn_qemu (argv, r->trace);
  g_assert_true (gvt_test_wait_listening (r->sock, r->pid));
}

static void
qemu_kill (Rig *r)
{
  gvt_test_kill (r->pid);
  r->pid = 0;
}

/* --- the main context --- */

typedef gboolean (*Until) (Rig *r);

/* Runs the main context until @done (10 s at most: a bound for a hang,
 * not a measure). */
static void
run_until (Rig *r, Until done)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!done (r) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_true (done (r));
}

static GvtQemuInputStats
stats_of (Rig *r)
{
  GvtQemuInputStats stats;
  gvt_qemu_input_get_stats (r->input, &stats);
  return stats;
}

static gboolean
is_settled (Rig *r)
{
  GvtQemuInputStats s = stats_of (r);
  return s.queued == 0 && s.in_flight == 0;
}

/* Everything queued was sent and answered. */
static void
settle (Rig *r)
{
  run_until (r, is_settled);
}

static gboolean is_running (Rig *r) { return gvt_vm_get_state (r->vm) == GVT_VM_RUNNING; }
static gboolean is_paused (Rig *r) { return gvt_vm_get_state (r->vm) == GVT_VM_PAUSED; }
static gboolean is_gone (Rig *r) { return gvt_vm_get_qmp (r->vm) == NULL; }

static void
on_reply (GvtQmp *qmp, JsonNode *result, const GError *error, gpointer user_data)
{
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static gboolean *waiting;
static gboolean is_answered (Rig *r) { return *waiting; }

/* @command on the VM link's own connection. */
static void
vm_execute (Rig *r, const char *command)
{
  gboolean done = FALSE;

  gvt_qmp_execute (gvt_vm_get_qmp (r->vm), command, NULL, 0, on_reply, &done);
  waiting = &done;
  run_until (r, is_answered);
}

/* --- the rig --- */

static void
on_message (const char *domain, GLogLevelFlags level, const char *message, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup (message));
  g_log_default_handler (domain, level, message, NULL);
}

/* A running QEMU (-S, then cont), the VM link to it, the input. */
static Rig *
rig_new (gboolean tablet)
{
  Rig *r = g_new0 (Rig, 1);
  g_autoptr (GError) error = NULL;

  r->dir = g_dir_make_tmp ("gvt-input-XXXXXX", NULL);
  r->sock = g_build_filename (r->dir, "qmp.sock", NULL);
  r->trace = g_build_filename (r->dir, "trace", NULL);
  r->tablet = tablet;
  r->messages = g_ptr_array_new_with_free_func (g_free);
  r->log_handler = g_log_set_handler (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, on_message,
                                      r->messages);
  qemu_spawn (r);
  /* The socket appears when QEMU binds it, a moment before it listens. */
  for (int i = 0; i < 500; i++)
    {
      g_clear_error (&error);
      r->vm = gvt_vm_new (r->sock);
      if (gvt_vm_wait_ready (r->vm, &error))
        break;
      g_clear_pointer (&r->vm, gvt_vm_free);
      g_usleep (10 * 1000);
    }
  g_assert_no_error (error);
  vm_execute (r, "cont");
  run_until (r, is_running);
  r->input = gvt_qemu_input_new (r->vm);
  return r;
}

static void
rig_free (Rig *r)
{
  /* The input before the link it borrows. */
  gvt_qemu_input_free (r->input);
  gvt_vm_free (r->vm);
  qemu_kill (r);
  g_log_remove_handler (G_LOG_DOMAIN, r->log_handler);
  g_ptr_array_unref (r->messages);
  g_unlink (r->sock);
  g_unlink (r->trace);
  g_rmdir (r->dir);
  g_free (r->sock);
  g_free (r->trace);
  g_free (r->dir);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Rig, rig_free)

static guint
count_messages (Rig *r, const char *pattern)
{
  guint n = 0;
  for (guint i = 0; i < r->messages->len; i++)
    n += g_pattern_match_simple (pattern, r->messages->pdata[i]);
  return n;
}

/* --- QEMU's trace --- */

/* One trace line as "key a 1", "btn left 0", "abs x 16384" (decimal),
 * "rel y -5", "sync"; NULL for other lines. */
static char *
parse_line (const char *line)
{
  char name[64], axis[8];
  int con, down;
  const char *at = strstr (line, "input_event_");
  const char *value;

  if (at == NULL)
    return NULL;
  line = at + strlen ("input_event_");
  if (g_str_has_prefix (line, "sync"))
    return g_strdup ("sync");
  if (sscanf (line, "key_qcode con %d, key qcode %63[^,], down %d", &con, name, &down) == 3)
    return g_strdup_printf ("key %s %d", name, down);
  if (sscanf (line, "btn con %d, button %63[^,], down %d", &con, name, &down) == 3)
    return g_strdup_printf ("btn %s %d", name, down);
  if ((g_str_has_prefix (line, "abs ") || g_str_has_prefix (line, "rel "))
      && sscanf (line + 4, "con %d, axis %7[^,],", &con, axis) == 2
      && (value = strstr (line, "value ")) != NULL)
    {
      /* abs is printed in hex (0x%x), rel in decimal. */
      gint64 v = g_ascii_strtoll (value + strlen ("value "), NULL, 0);
      return g_strdup_printf ("%.3s %s %" G_GINT64_FORMAT, line, axis, (gint64) (gint32) v);
    }
  return g_strdup (line);
}

/* The events QEMU took since the last call, ", "-separated, syncs left
 * out unless @with_sync. */
static char *
trace_take_full (Rig *r, gboolean with_sync)
{
  g_autofree char *text = NULL;
  gsize len;
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (g_file_get_contents (r->trace, &text, &len, NULL));
  g_assert_cmpuint (len, >=, r->trace_pos);
  /* Whole lines only. */
  const char *start = text + r->trace_pos;
  const char *end = memrchr (start, '\n', len - r->trace_pos);
  if (end == NULL)
    return g_strdup ("");
  r->trace_pos = end + 1 - text;
  g_autofree char *chunk = g_strndup (start, end - start);
  g_auto (GStrv) lines = g_strsplit (chunk, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      char *ev = parse_line (*l);
      if (ev != NULL && (with_sync || !g_str_equal (ev, "sync")))
        g_ptr_array_add (out, ev);
      else
        g_free (ev);
    }
  g_ptr_array_add (out, NULL);
  return g_strjoinv (", ", (char **) out->pdata);
}

static char *
trace_take (Rig *r)
{
  return trace_take_full (r, FALSE);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* @list (taken) in alphabetical order: for sets. */
static char *
sorted (char *list)
{
  g_auto (GStrv) items = g_strsplit (list, ", ", -1);
  g_free (list);
  qsort (items, g_strv_length (items), sizeof (char *), compare_strings);
  return g_strjoinv (", ", items);
}

/* Compares what QEMU took to @expected, and frees it. */
#define assert_trace(r, expected) \
  G_STMT_START { \
    g_autofree char *got_ = trace_take (r); \
    g_assert_cmpstr (got_, ==, expected); \
  } G_STMT_END

/* --- the tests --- */

static void
test_keys_in_order (void)
{
  g_autoptr (Rig) r = rig_new (TRUE);
  const char *seq[] = { "a", "b", "-a", "-b", "shift", "1", "-1", "-shift" };

  /* One turn: one command, in order. */
  for (gsize i = 0; i < G_N_ELEMENTS (seq); i++)
    gvt_qemu_input_key (r->input, seq[i] + (seq[i][0] == '-'), seq[i][0] != '-');
  settle (r);
  g_autofree char *all = trace_take_full (r, TRUE);
  g_assert_cmpstr (all, ==, "key a 1, key b 1, key a 0, key b 0, key shift 1, key 1 1, "
                            "key 1 0, key shift 0, sync");
  GvtQemuInputStats s = stats_of (r);
  g_assert_cmpuint (s.commands, ==, 1);
  g_assert_cmpuint (s.events, ==, 8);
  g_assert_cmpuint (s.keys_down, ==, 0);
  g_assert_cmpuint (s.errors, ==, 0);

  /* A turn per event: pipelined, still in order. */
  for (const char *c = "hello"; *c != '\0'; c++)
    {
      char qcode[2] = { *c, '\0' };
      gvt_qemu_input_key (r->input, qcode, TRUE);
      g_main_context_iteration (NULL, FALSE);
      gvt_qemu_input_key (r->input, qcode, FALSE);
      g_main_context_iteration (NULL, FALSE);
      g_assert_cmpuint (stats_of (r).in_flight, <=, 8);
    }
  settle (r);
  assert_trace (r, "key h 1, key h 0, key e 1, key e 0, key l 1, key l 0, key l 1, key l 0, "
                   "key o 1, key o 0");
  g_assert_cmpuint (stats_of (r).errors, ==, 0);
}

static void
test_repeat_dropped (void)
{
  g_autoptr (Rig) r = rig_new (TRUE);

  gvt_qemu_input_key (r->input, "a", TRUE);
  settle (r);
  g_assert_cmpuint (stats_of (r).keys_down, ==, 1);
  /* Host auto-repeat. */
  gvt_qemu_input_key (r->input, "a", TRUE);
  settle (r);
  gvt_qemu_input_key (r->input, "a", FALSE);
  /* Not down: nothing to let go of. */
  gvt_qemu_input_key (r->input, "b", FALSE);
  gvt_qemu_input_key (r->input, "a", FALSE);
  settle (r);
  assert_trace (r, "key a 1, key a 0");
  GvtQemuInputStats s = stats_of (r);
  g_assert_cmpuint (s.repeats_dropped, ==, 1);
  g_assert_cmpuint (s.commands, ==, 2);
  g_assert_cmpuint (s.keys_down, ==, 0);
}

static void
test_release_all (void)
{
  g_autoptr (Rig) r = rig_new (TRUE);

  gvt_qemu_input_key (r->input, "ctrl", TRUE);
  gvt_qemu_input_key (r->input, "a", TRUE);
  gvt_qemu_input_key (r->input, "b", TRUE);
  gvt_qemu_input_key (r->input, "b", FALSE);
  gvt_qemu_input_button (r->input, GVT_QEMU_BUTTON_LEFT, TRUE);
  gvt_qemu_input_button (r->input, GVT_QEMU_BUTTON_RIGHT, TRUE);
  gvt_qemu_input_button (r->input, GVT_QEMU_BUTTON_RIGHT, FALSE);
  settle (r);
  g_free (trace_take (r));
  g_assert_cmpuint (stats_of (r).keys_down, ==, 2);

  /* Exactly what is down: the last pressed first, then the buttons. */
  gvt_qemu_input_release_all (r->input);
  settle (r);
  assert_trace (r, "key a 0, key ctrl 0, btn left 0");
  g_assert_cmpuint (stats_of (r).keys_down, ==, 0);

  /* Nothing down: nothing sent. */
  guint64 commands = stats_of (r).commands;
  gvt_qemu_input_release_all (r->input);
  settle (r);
  assert_trace (r, "");
  g_assert_cmpuint (stats_of (r).commands, ==, commands);
}

static void
test_buttons (void)
{
  g_autoptr (Rig) r = rig_new (TRUE);
  GvtQemuButton held[] = { GVT_QEMU_BUTTON_LEFT, GVT_QEMU_BUTTON_MIDDLE, GVT_QEMU_BUTTON_RIGHT,
                           GVT_QEMU_BUTTON_SIDE, GVT_QEMU_BUTTON_EXTRA };
  GvtQemuButton wheels[] = { GVT_QEMU_BUTTON_WHEEL_UP, GVT_QEMU_BUTTON_WHEEL_DOWN,
                             GVT_QEMU_BUTTON_WHEEL_LEFT, GVT_QEMU_BUTTON_WHEEL_RIGHT };
  g_autoptr (GString) expected = g_string_new (NULL);

  g_assert_cmpstr (gvt_qemu_button_name (GVT_QEMU_BUTTON_SIDE), ==, "side");
  g_assert_cmpstr (gvt_qemu_button_name (GVT_QEMU_BUTTON_WHEEL_RIGHT), ==, "wheel-right");
  for (gsize i = 0; i < G_N_ELEMENTS (held); i++)
    {
      gvt_qemu_input_button (r->input, held[i], TRUE);
      /* Down already: not again. */
      gvt_qemu_input_button (r->input, held[i], TRUE);
      gvt_qemu_input_button (r->input, held[i], FALSE);
      g_string_append_printf (expected, "%sbtn %s 1, btn %s 0", i ? ", " : "",
                              gvt_qemu_button_name (held[i]), gvt_qemu_button_name (held[i]));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (wheels); i++)
    {
      gvt_qemu_input_wheel (r->input, wheels[i]);
      g_string_append_printf (expected, ", btn %s 1, btn %s 0", gvt_qemu_button_name (wheels[i]),
                              gvt_qemu_button_name (wheels[i]));
    }
  settle (r);
  assert_trace (r, expected->str);
  g_assert_cmpuint (stats_of (r).errors, ==, 0);
}

#define MOVE_X(i) ((guint) (i) * 32)
#define MOVE_Y(i) ((guint) (i) * 16 + 1)

static void
test_abs_coalesced (void)
{
  g_autoptr (Rig) r = rig_new (TRUE);

  /* 1000 moves in one turn, a click among them. */
  for (guint i = 0; i < 1000; i++)
    {
      if (i == 500)
        gvt_qemu_input_button (r->input, GVT_QEMU_BUTTON_LEFT, TRUE);
      gvt_qemu_input_abs (r->input, MOVE_X (i), MOVE_Y (i));
    }
  settle (r);
  g_autofree char *expected = g_strdup_printf ("abs x %u, abs y %u, btn left 1, abs x %u, abs y %u",
                                               MOVE_X (499), MOVE_Y (499), MOVE_X (999),
                                               MOVE_Y (999));
  assert_trace (r, expected);
  GvtQemuInputStats s = stats_of (r);
  g_assert_cmpuint (s.coalesced, ==, 998);
  g_assert_cmpuint (s.commands, ==, 1);
  g_assert_cmpuint (s.events, ==, 5);

  /* A move per turn: each is sent or merged into the one waiting for the
   * answer in flight; whatever the timing, in order and the last exact,
   * and never a second command in flight for motion. */
  for (guint i = 0; i < 1000; i++)
    {
      gvt_qemu_input_abs (r->input, i, 2 * i);
      g_main_context_iteration (NULL, FALSE);
      g_assert_cmpuint (stats_of (r).in_flight, <=, 1);
    }
  settle (r);
  GvtQemuInputStats after = stats_of (r);
  g_test_message ("1000 moves, a turn each: %" G_GUINT64_FORMAT " commands",
                  after.commands - s.commands);
  g_assert_cmpuint (after.commands - s.commands, ==, 1000 - (after.coalesced - s.coalesced));
  g_assert_cmpuint (after.events - s.events, ==, 2 * (after.commands - s.commands));
  g_autofree char *paced = trace_take (r);
  g_auto (GStrv) events = g_strsplit (paced, ", ", -1);
  guint n = g_strv_length (events);
  g_assert_cmpuint (n, ==, after.events - s.events);
  int last_x = -1;
  for (guint i = 0; i + 1 < n; i += 2)
    {
      unsigned x, y;
      g_assert_cmpint (sscanf (events[i], "abs x %u", &x), ==, 1);
      g_assert_cmpint (sscanf (events[i + 1], "abs y %u", &y), ==, 1);
      g_assert_cmpint ((int) x, >, last_x);
      g_assert_cmpuint (y, ==, 2 * x);
      last_x = x;
    }
  g_assert_cmpint (last_x, ==, 999);

  gvt_qemu_input_button (r->input, GVT_QEMU_BUTTON_LEFT, FALSE);
  settle (r);
  assert_trace (r, "btn left 0");
}

static void
test_rel_sums (void)
{
  g_autoptr (Rig) r = rig_new (TRUE);

  gvt_qemu_input_rel (r->input, 1, 2);
  gvt_qemu_input_rel (r->input, 3, 4);
  gvt_qemu_input_rel (r->input, -10, 0);
  settle (r);
  assert_trace (r, "rel x -6, rel y 6");
  g_assert_cmpuint (stats_of (r).coalesced, ==, 2);

  /* Sums stop at what came between. */
  gvt_qemu_input_rel (r->input, 5, 5);
  gvt_qemu_input_key (r->input, "a", TRUE);
  gvt_qemu_input_rel (r->input, 1, 1);
  gvt_qemu_input_rel (r->input, 1, -3);
  gvt_qemu_input_key (r->input, "a", FALSE);
  settle (r);
  assert_trace (r, "rel x 5, rel y 5, key a 1, rel x 2, rel y -2, key a 0");

  /* No move: nothing sent. */
  guint64 commands = stats_of (r).commands;
  gvt_qemu_input_rel (r->input, 0, 0);
  settle (r);
  assert_trace (r, "");
  g_assert_cmpuint (stats_of (r).commands, ==, commands);
}

static void
test_abs_edges (void)
{
  g_autoptr (Rig) r = rig_new (TRUE);
  struct { guint x, y; const char *trace; } cases[] = {
    { 0, 0, "abs x 0, abs y 0" },
    { 0x7FFF, 0x7FFF, "abs x 32767, abs y 32767" },
    { 0x8000, G_MAXUINT, "abs x 32767, abs y 32767" }, /* clamped */
    { 1, 0x7FFE, "abs x 1, abs y 32766" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gvt_qemu_input_abs (r->input, cases[i].x, cases[i].y);
      settle (r);
      assert_trace (r, cases[i].trace);
    }
  /* The middle and the last pixel of a 1024x768 screen. */
  gvt_qemu_input_abs (r->input, gvt_qemu_abs_from_pixel (512, 1024),
                      gvt_qemu_abs_from_pixel (767, 768));
  settle (r);
  assert_trace (r, "abs x 16383, abs y 32724");
  g_assert_cmpuint (stats_of (r).errors, ==, 0);
}

static void
test_abs_from_pixel (void)
{
  guint sizes[] = { 1, 2, 3, 640, 768, 1024, 1080, 1920, 2560, 4096, 16384 };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      guint size = sizes[i];
      g_assert_cmpuint (gvt_qemu_abs_from_pixel (0, size), ==, 0);
      g_assert_cmpuint (gvt_qemu_abs_from_pixel (size - 1, size), ==,
                        (guint64) (size - 1) * 0x7FFF / size);
      g_assert_cmpuint (gvt_qemu_abs_from_pixel (size / 2, size), ==,
                        (guint64) (size / 2) * 0x7FFF / size);
      g_assert_cmpuint (gvt_qemu_abs_from_pixel (size, size), ==, GVT_QEMU_ABS_MAX);
      /* Every pixel its own value, in order. */
      for (guint x = 1; x <= size; x++)
        g_assert_cmpuint (gvt_qemu_abs_from_pixel (x, size), >,
                          gvt_qemu_abs_from_pixel (x - 1, size));
    }
  g_assert_cmpuint (gvt_qemu_abs_from_pixel (512, 1024), ==, 0x3FFF);
  g_assert_cmpuint (gvt_qemu_abs_from_pixel (1023, 1024), ==, 32735);
  g_assert_cmpuint (gvt_qemu_abs_from_pixel (1919, 1920), ==, 32749);
  /* Fractions dropped, out of range clamped. */
  g_assert_cmpuint (gvt_qemu_abs_from_pixel (511.99, 1024), ==,
                    gvt_qemu_abs_from_pixel (511, 1024));
  g_assert_cmpuint (gvt_qemu_abs_from_pixel (-0.5, 640), ==, 0);
  g_assert_cmpuint (gvt_qemu_abs_from_pixel (-1e9, 640), ==, 0);
  g_assert_cmpuint (gvt_qemu_abs_from_pixel (1e12, 640), ==, GVT_QEMU_ABS_MAX);
  g_assert_cmpuint (gvt_qemu_abs_from_pixel (NAN, 640), ==, 0);
  /* No size: the middle, as QEMU's qemu_input_scale_axis says. */
  g_assert_cmpuint (gvt_qemu_abs_from_pixel (10, 0), ==, 0x3FFF);
}

static void
test_no_tablet (void)
{
  g_autoptr (Rig) r = rig_new (FALSE);

  gvt_qemu_input_key (r->input, "a", TRUE);
  settle (r);
  assert_trace (r, "key a 1");

  /* QEMU refuses the whole command for its abs event: the release in it
   * is sent again, alone. */
  gvt_qemu_input_abs (r->input, 100, 100);
  gvt_qemu_input_key (r->input, "a", FALSE);
  settle (r);
  assert_trace (r, "key a 0");
  g_assert_cmpuint (stats_of (r).errors, ==, 1);
  g_assert_cmpuint (count_messages (r, "*Input handler not found for event type abs*"
                                       "no absolute pointer device*usb-tablet*"), ==, 1);

  /* Not sent again to this QEMU; keys still go. */
  for (int i = 0; i < 2; i++)
    {
      gvt_qemu_input_abs (r->input, 200 + i, 200);
      settle (r);
    }
  gvt_qemu_input_key (r->input, "b", TRUE);
  gvt_qemu_input_abs (r->input, 300, 300);
  gvt_qemu_input_key (r->input, "b", FALSE);
  settle (r);
  assert_trace (r, "key b 1, key b 0");
  g_assert_cmpuint (stats_of (r).errors, ==, 1);
  g_assert_cmpuint (count_messages (r, "*QEMU refused input*"), ==, 1);
  g_assert_cmpuint (stats_of (r).commands, ==, 4);
}

static guint64 errors_wanted;
static gboolean has_errors (Rig *r) { return stats_of (r).errors >= errors_wanted; }

static void
test_unknown_key (void)
{
  g_autoptr (Rig) r = rig_new (TRUE);

  /* Refused each time, said once. */
  gvt_qemu_input_key (r->input, "nosuchkey", TRUE);
  settle (r);
  gvt_qemu_input_key (r->input, "nosuchkey", FALSE);
  settle (r);
  gvt_qemu_input_key (r->input, "nosuchkey", TRUE);
  gvt_qemu_input_release_all (r->input);
  settle (r);
  g_assert_cmpuint (stats_of (r).errors, ==, 3);
  g_assert_cmpuint (count_messages (r, "*QEMU refused input*nosuchkey*key name*"), ==, 1);
  g_assert_cmpuint (r->messages->len, ==, 1);
  assert_trace (r, "");
  /* The next keys go. */
  gvt_qemu_input_key (r->input, "a", TRUE);
  gvt_qemu_input_key (r->input, "a", FALSE);
  settle (r);
  assert_trace (r, "key a 1, key a 0");
}

static void
test_paused (void)
{
  g_autoptr (Rig) r = rig_new (TRUE);

  vm_execute (r, "stop");
  run_until (r, is_paused);
  /* QEMU refuses input while paused ("VM not running"): said once. */
  gvt_qemu_input_key (r->input, "c", TRUE);
  errors_wanted = 1;
  run_until (r, has_errors);
  gvt_qemu_input_key (r->input, "c", FALSE);
  errors_wanted = 2;
  run_until (r, has_errors);
  gvt_qemu_input_key (r->input, "d", TRUE);
  gvt_qemu_input_key (r->input, "d", FALSE);
  errors_wanted = 3;
  run_until (r, has_errors);
  g_assert_cmpuint (count_messages (r, "*VM not running*paused*"), ==, 1);
  g_assert_cmpuint (stats_of (r).in_flight, ==, 0);
  /* The releases are owed, and kept while it is paused. */
  g_assert_cmpuint (stats_of (r).queued, ==, 2);
  assert_trace (r, "");

  /* Running again: the releases the guest missed, then what comes. */
  vm_execute (r, "cont");
  settle (r);
  g_autofree char *owed = sorted (trace_take (r));
  g_assert_cmpstr (owed, ==, "key c 0, key d 0");
  gvt_qemu_input_key (r->input, "e", TRUE);
  gvt_qemu_input_key (r->input, "e", FALSE);
  settle (r);
  assert_trace (r, "key e 1, key e 0");
  g_assert_cmpuint (stats_of (r).errors, ==, 3);
}

static void
test_reconnect (void)
{
  g_autoptr (Rig) r = rig_new (TRUE);

  gvt_qemu_input_key (r->input, "shift", TRUE);
  gvt_qemu_input_key (r->input, "a", TRUE);
  gvt_qemu_input_button (r->input, GVT_QEMU_BUTTON_LEFT, TRUE);
  settle (r);
  assert_trace (r, "key shift 1, key a 1, btn left 1");

  /* The link drops (QEMU killed: SIGKILL says nothing but EOF). */
  qemu_kill (r);
  run_until (r, is_gone);
  /* Queued while there is no connection: dropped. */
  gvt_qemu_input_key (r->input, "b", TRUE);
  gvt_qemu_input_abs (r->input, 5, 5);
  g_main_context_iteration (NULL, FALSE);
  GvtQemuInputStats s = stats_of (r);
  g_assert_cmpuint (s.keys_down, ==, 0);
  g_assert_cmpuint (s.in_flight, ==, 0);
  guint64 commands = s.commands;

  /* A new QEMU at the same path (paused: -S), picked up by the link. */
  qemu_spawn (r);
  run_until (r, is_paused);
  g_assert_cmpuint (gvt_vm_get_connects (r->vm), ==, 2);
  /* Released once the VM runs (QEMU refuses input before). */
  g_assert_cmpuint (stats_of (r).commands, ==, commands);
  vm_execute (r, "cont");
  settle (r);
  g_autofree char *released = sorted (trace_take (r));
  g_assert_cmpstr (released, ==, "btn left 0, key a 0, key b 0, key shift 0");

  gvt_qemu_input_key (r->input, "c", TRUE);
  gvt_qemu_input_key (r->input, "c", FALSE);
  settle (r);
  assert_trace (r, "key c 1, key c 0");
  g_assert_cmpuint (stats_of (r).errors, ==, 0);
  g_assert_cmpuint (stats_of (r).keys_down, ==, 0);
}

static gboolean
has_in_flight (Rig *r)
{
  return stats_of (r).in_flight > 0;
}

static void
test_free_busy (void)
{
  g_autoptr (Rig) r = rig_new (TRUE);

  /* Freed with a flush pending. */
  gvt_qemu_input_key (r->input, "a", TRUE);
  gvt_qemu_input_abs (r->input, 1, 1);
  g_clear_pointer (&r->input, gvt_qemu_input_free);
  /* Freed with commands in flight: their answers come to nobody. */
  r->input = gvt_qemu_input_new (r->vm);
  gvt_qemu_input_key (r->input, "a", TRUE);
  run_until (r, has_in_flight);
  gvt_qemu_input_key (r->input, "a", FALSE);
  g_main_context_iteration (NULL, FALSE);
  g_clear_pointer (&r->input, gvt_qemu_input_free);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  /* The link still works. */
  r->input = gvt_qemu_input_new (r->vm);
  gvt_qemu_input_key (r->input, "z", TRUE);
  settle (r);
  g_autofree char *trace = trace_take (r);
  g_assert_true (g_str_has_suffix (trace, "key z 1"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/qemu-input/keys-in-order", test_keys_in_order);
  g_test_add_func ("/qemu-input/repeat-dropped", test_repeat_dropped);
  g_test_add_func ("/qemu-input/release-all", test_release_all);
  g_test_add_func ("/qemu-input/buttons", test_buttons);
  g_test_add_func ("/qemu-input/abs-coalesced", test_abs_coalesced);
  g_test_add_func ("/qemu-input/rel-sums", test_rel_sums);
  g_test_add_func ("/qemu-input/abs-edges", test_abs_edges);
  g_test_add_func ("/qemu-input/abs-from-pixel", test_abs_from_pixel);
  g_test_add_func ("/qemu-input/unknown-key", test_unknown_key);
  g_test_add_func ("/qemu-input/no-tablet", test_no_tablet);
  g_test_add_func ("/qemu-input/paused", test_paused);
  g_test_add_func ("/qemu-input/reconnect", test_reconnect);
  g_test_add_func ("/qemu-input/free-busy", test_free_busy);
  return g_test_run ();
}
