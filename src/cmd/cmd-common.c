/* What every command shares: its DEVICE argument, numeric options,
 * Ctrl+C, JSON output, and failing. */
#include <signal.h>
#include <string.h>
#include <glib-unix.h>

#include "cmd.h"
#include "common/gvt-error.h"

void
gvt_cmd_print_json (FILE *out, JsonBuilder *b, gboolean pretty)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autoptr (JsonGenerator) gen = json_generator_new ();

  json_generator_set_pretty (gen, pretty);
  json_generator_set_indent (gen, 2);
  json_generator_set_root (gen, root);
  g_autofree char *text = json_generator_to_data (gen, NULL);
  fprintf (out, "%s\n", text);
}

int
gvt_cmd_fail (FILE *err, const GError *error)
{
  fprintf (err, "gvt-view: %s\n", error->message);
  if (error->domain == G_OPTION_ERROR
      || (error->domain == GVT_ERROR && error->code == GVT_ERROR_INVALID_ARGS))
    return 2;
  return 1;
}

gboolean
gvt_cmd_parse_device_args (GOptionContext *ctx, int *argc, char ***argv, GError **error)
{
  if (g_option_context_get_description (ctx) == NULL)
    g_option_context_set_description (ctx, GVT_CMD_DEVICE_HELP);
  if (!g_option_context_parse (ctx, argc, argv, error))
    return FALSE;
  if (*argc > 2)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "give one DEVICE, not %d arguments", *argc - 1);
      return FALSE;
    }
  return TRUE;
}

/* --- numbers --- */

/* Digits as %d writes them, at most 10 of them; -1 otherwise. */
static gint64
parse_digits (const char *s, gsize len)
{
  if (len == 0 || len > 10 || (s[0] == '0' && len > 1))
    return -1;
  gint64 v = 0;
  for (gsize i = 0; i < len; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return -1;
      v = v * 10 + (s[i] - '0');
    }
  return v;
}

/* "OPTION VALUE: HELP", the value escaped: it may hold anything. */
static void
set_range_error (GError **error, const char *option, const char *text, const char *help)
{
  g_autofree char *shown = g_strescape (text, NULL);
  /* Quoted where a space or nothing at all would not show. */
  gboolean quote = *shown == '\0' || strchr (shown, ' ') != NULL;
  g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS, "%s %s%s%s: %s", option,
               quote ? "'" : "", shown, quote ? "'" : "", help);
}

gboolean
gvt_cmd_parse_fd (const char *text, int *fd, GError **error)
{
  if (text == NULL)
    {
      *fd = -1;
      return TRUE;
    }
  gint64 v = parse_digits (text, strlen (text));
  if (v < 0 || v > G_MAXINT)
    {
      set_range_error (error, "--fd", text, "use a file descriptor number, 0 or more");
      return FALSE;
    }
  *fd = (int) v;
  return TRUE;
}

gboolean
gvt_cmd_parse_count (const char *option, const char *text, int min, int max, int *value,
                     GError **error)
{
  if (text == NULL)
    return TRUE;
  gint64 v = parse_digits (text, strlen (text));
  if (v < min || v > max)
    {
      g_autofree char *help = g_strdup_printf ("use %d to %d", min, max);
      set_range_error (error, option, text, help);
      return FALSE;
    }
  *value = (int) v;
  return TRUE;
}

gboolean
gvt_cmd_parse_seconds (const char *option, const char *text, double max, double *value,
                       GError **error)
{
  if (text == NULL)
    return TRUE;
  /* DIGITS[.DIGITS]: checked here, then converted by g_ascii_strtod, which
   * sees nothing it could read otherwise (no locale, no hex, no "inf"). */
  const char *dot = strchr (text, '.');
  gsize int_len = dot ? (gsize) (dot - text) : strlen (text);
  gboolean ok = parse_digits (text, int_len) >= 0;
  if (ok && dot != NULL)
    {
      gsize frac_len = strlen (dot + 1);
      ok = frac_len >= 1 && frac_len <= 9 && strspn (dot + 1, "0123456789") == frac_len;
    }
  double v = ok ? g_ascii_strtod (text, NULL) : -1;
  if (!ok || !(v >= 0 && v <= max))
    {
      g_autofree char *help = g_strdup_printf ("use 0 to %g seconds", max);
      set_range_error (error, option, text, help);
      return FALSE;
    }
  *value = v;
  return TRUE;
}

/* --- SIGINT and SIGTERM --- */

struct _GvtCmdInterrupt {
  /* Our own context: nothing else is dispatched while a command waits on
   * it, and the command needs no main loop. */
  GMainContext *context;
  GSource *sigint, *sigterm;
  /* Ends a sleep at its deadline (ready time), to the microsecond rather
   * than a timeout source's millisecond. */
  GSource *timer;
  int signum;
};

static void
interrupt_record (GvtCmdInterrupt *self, int signum)
{
  if (self->signum == 0)
    self->signum = signum;
  g_debug ("interrupted by %s", gvt_cmd_interrupt_name (signum));
}

static gboolean
on_sigint (gpointer data)
{
  interrupt_record (data, SIGINT);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigterm (gpointer data)
{
  interrupt_record (data, SIGTERM);
  return G_SOURCE_CONTINUE;
}

static gboolean
timer_dispatch (GSource *source, GSourceFunc callback, gpointer data)
{
  g_source_set_ready_time (source, -1);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_funcs = { .dispatch = timer_dispatch };

static GSource *
attach (GvtCmdInterrupt *self, GSource *source, GSourceFunc func)
{
  if (func != NULL)
    g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

GvtCmdInterrupt *
gvt_cmd_interrupt_new (void)
{
  GvtCmdInterrupt *self = g_new0 (GvtCmdInterrupt, 1);
  self->context = g_main_context_new ();
  self->sigint = attach (self, g_unix_signal_source_new (SIGINT), on_sigint);
  self->sigterm = attach (self, g_unix_signal_source_new (SIGTERM), on_sigterm);
  self->timer = attach (self, g_source_new (&timer_funcs, sizeof (GSource)), NULL);
  return self;
}

static void
drop_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

void
gvt_cmd_interrupt_free (GvtCmdInterrupt *self)
{
  if (self == NULL)
    return;
  /* The last unix signal source of a signal gone, GLib sets SIG_DFL. */
  drop_source (&self->sigint);
  drop_source (&self->sigterm);
  drop_source (&self->timer);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self);
}

int
gvt_cmd_interrupt_check (GvtCmdInterrupt *self)
{
  while (self->signum == 0 && g_main_context_iteration (self->context, FALSE))
    ;
  return self->signum;
}

int
gvt_cmd_interrupt_sleep_until (GvtCmdInterrupt *self, gint64 deadline_us)
{
  g_source_set_ready_time (self->timer, deadline_us);
  while (self->signum == 0 && g_get_monotonic_time () < deadline_us)
    g_main_context_iteration (self->context, TRUE);
  g_source_set_ready_time (self->timer, -1);
  return gvt_cmd_interrupt_check (self);
}

const char *
gvt_cmd_interrupt_name (int signum)
{
  return signum == SIGINT ? "SIGINT" : signum == SIGTERM ? "SIGTERM" : "a signal";
}

gboolean
gvt_cmd_check_qmp (const char *qmp, const char *ramfb, GError **error)
{
  if (qmp != NULL && qmp[0] == '\0')
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "--qmp needs the path of QEMU's QMP socket");
      return FALSE;
    }
  if (ramfb == NULL)
    return TRUE;
  if (qmp == NULL)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "--ramfb names a device of the VM behind --qmp PATH: give that too");
      return FALSE;
    }
  /* QEMU's rule for ids (id_wellformed): what it would refuse can't
   * name a device. */
  gsize len = strlen (ramfb);
  gboolean ok = len > 0 && len <= 64 && g_ascii_isalpha (ramfb[0]);
  for (gsize i = 1; ok && i < len; i++)
    ok = g_ascii_isalnum (ramfb[i]) || ramfb[i] == '-' || ramfb[i] == '.' || ramfb[i] == '_';
  if (!ok)
    {
      g_autofree char *shown = g_strescape (ramfb, NULL);
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "--ramfb '%s': a QEMU device id is a letter, then letters, digits, '-', '.' "
                   "or '_' (as in -device ramfb,id=fb0)", shown);
      return FALSE;
    }
  return TRUE;
}
