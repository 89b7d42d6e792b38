/* The QEMU command line, read as QEMU 7.2 reads it and rewritten for
 * `gvt-view run`: one scanner fills the public GvtQemuCmdline and keeps what
 * a rewrite needs (each device's parsed elements or JSON object). */
#include <string.h>

#include <json-glib/json-glib.h>

#include "qemu-cmdline.h"
#include "qmp-message.h"
#include "common/gvt-error.h"

#define MIB (G_GUINT64_CONSTANT (1) << 20)
#define GIB (G_GUINT64_CONSTANT (1) << 30)
/* QEMU's -m default for pc and q35 (MachineClass.default_ram_size). */
#define QEMU_DEFAULT_RAM (128 * MIB)
/* QEMU rounds the RAM size up to this ("-m 1k" gives 8 KiB). */
#define QEMU_RAM_ALIGN 8192

/* ------------------------------------------------------------------ */
/* Which options take a value: QEMU 7.2's qemu-options.hx as the installed
 * binary answers it (`qemu-system-x86_64 -version -OPT` says "requires an
 * argument" for those with HAS_ARG), plus the options of older and newer
 * QEMUs so that their values are not taken for options. */

typedef struct {
  const char *name;
  gboolean has_arg;
} OptionInfo;

static const OptionInfo options[] = {
  /* QEMU 7.2, taking a value */
  { "D", TRUE }, { "L", TRUE }, { "M", TRUE }, { "accel", TRUE }, { "acpitable", TRUE },
  { "action", TRUE }, { "add-fd", TRUE }, { "append", TRUE }, { "audio", TRUE },
  { "audiodev", TRUE }, { "bios", TRUE }, { "blockdev", TRUE }, { "boot", TRUE },
  { "cdrom", TRUE }, { "chardev", TRUE }, { "chroot", TRUE }, { "compat", TRUE },
  { "cpu", TRUE }, { "d", TRUE }, { "debugcon", TRUE }, { "device", TRUE },
  { "dfilter", TRUE }, { "display", TRUE }, { "drive", TRUE }, { "dtb", TRUE },
  { "dump-vmstate", TRUE }, { "echr", TRUE }, { "fda", TRUE }, { "fdb", TRUE },
  { "fsdev", TRUE }, { "fw_cfg", TRUE }, { "g", TRUE }, { "gdb", TRUE }, { "global", TRUE },
  { "hda", TRUE }, { "hdb", TRUE }, { "hdc", TRUE }, { "hdd", TRUE }, { "icount", TRUE },
  { "incoming", TRUE }, { "initrd", TRUE }, { "iscsi", TRUE }, { "k", TRUE },
  { "kernel", TRUE }, { "loadvm", TRUE }, { "m", TRUE }, { "machine", TRUE },
  { "mem-path", TRUE }, { "mon", TRUE }, { "monitor", TRUE }, { "msg", TRUE },
  { "mtdblock", TRUE }, { "name", TRUE }, { "net", TRUE }, { "netdev", TRUE }, { "nic", TRUE },
  { "numa", TRUE }, { "object", TRUE }, { "option-rom", TRUE }, { "overcommit", TRUE },
  { "parallel", TRUE }, { "pflash", TRUE }, { "pidfile", TRUE }, { "plugin", TRUE },
  { "prom-env", TRUE }, { "qmp", TRUE }, { "qmp-pretty", TRUE }, { "qtest", TRUE },
  { "qtest-log", TRUE }, { "readconfig", TRUE }, { "rotate", TRUE }, { "rtc", TRUE },
  { "runas", TRUE }, { "sandbox", TRUE }, { "sd", TRUE }, { "seed", TRUE },
  { "semihosting-config", TRUE }, { "serial", TRUE }, { "set", TRUE }, { "smbios", TRUE },
  { "smp", TRUE }, { "spice", TRUE }, { "tpmdev", TRUE }, { "trace", TRUE },
  { "usbdevice", TRUE }, { "uuid", TRUE }, { "vga", TRUE }, { "virtfs", TRUE },
  { "vnc", TRUE }, { "watchdog-action", TRUE }, { "xen-domid", TRUE },
  /* QEMU 7.2, taking none */
  { "S", FALSE }, { "async-teardown", FALSE }, { "audio-help", FALSE }, { "daemonize", FALSE },
  { "enable-kvm", FALSE }, { "enable-sync-profile", FALSE }, { "full-screen", FALSE },
  { "h", FALSE }, { "help", FALSE }, { "mem-prealloc", FALSE }, { "no-acpi", FALSE },
  { "no-fd-bootchk", FALSE }, { "no-hpet", FALSE }, { "no-reboot", FALSE },
  { "no-shutdown", FALSE }, { "no-user-config", FALSE }, { "nodefaults", FALSE },
  { "nographic", FALSE }, { "old-param", FALSE }, { "only-migratable", FALSE },
  { "portrait", FALSE }, { "preconfig", FALSE }, { "s", FALSE }, { "semihosting", FALSE },
  { "singlestep", FALSE }, { "snapshot", FALSE }, { "usb", FALSE }, { "version", FALSE },
  { "win2k-hack", FALSE }, { "xen-attach", FALSE }, { "xen-domid-restrict", FALSE },
  /* Older QEMUs */
  { "sdl", FALSE }, { "curses", FALSE }, { "alt-grab", FALSE }, { "ctrl-grab", FALSE },
  { "no-quit", FALSE }, { "no-frame", FALSE }, { "show-cursor", FALSE },
  { "enable-fips", FALSE }, { "localtime", FALSE }, { "no-kvm", FALSE },
  { "no-kvm-irqchip", FALSE }, { "no-kvm-pit", FALSE }, { "no-kvm-pit-reinjection", FALSE },
  { "nodefconfig", FALSE }, { "soundhw", TRUE }, { "tb-size", TRUE }, { "watchdog", TRUE },
  { "writeconfig", TRUE }, { "bt", TRUE }, { "balloon", TRUE }, { "clock", TRUE },
  { "realtime", TRUE },
  /* Newer QEMUs */
  { "perfmap", FALSE }, { "jitdump", FALSE }, { "one-insn-per-tb", FALSE },
  { "run-with", TRUE },
};

static const OptionInfo *
lookup_option (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (options); i++)
    if (strcmp (options[i].name, name) == 0)
      return &options[i];
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Messages */

static gboolean
invalid (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error_literal (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS, msg);
  return FALSE;
}

const char *
gvt_qemu_display_mode_to_string (GvtQemuDisplayMode mode)
{
  switch (mode)
    {
    case GVT_QEMU_DISPLAY_ON:
      return "on";
    case GVT_QEMU_DISPLAY_OFF:
      return "off";
    case GVT_QEMU_DISPLAY_AUTO:
      return "auto";
    case GVT_QEMU_DISPLAY_UNSET:
    default:
      return "unset";
    }
}

/* ------------------------------------------------------------------ */
/* QemuOpts: "key=value,key=value" as util/qemu-option.c splits it. */

typedef struct {
  char *key;     /* the implied key for the implied element */
  char *value;   /* ",," undone; "on" / "off" for a bare key / nokey */
  gsize start;   /* the element's bytes in the text, comma after it excluded */
  gsize end;
  gboolean flag; /* a bare key or nokey */
  /* rewriting */
  gboolean drop;
  char *replacement; /* "key=value" written instead, or NULL */
} Elem;

typedef struct {
  char *text;
  GArray *elems;      /* Elem */
  char *id;           /* the first id= (QEMU looks for it before the rest) */
  GPtrArray *appended; /* "key=value" added at the end by a rewrite */
} Opts;

static void
elem_clear (gpointer data)
{
  Elem *e = data;
  g_free (e->key);
  g_free (e->value);
  g_free (e->replacement);
}

static void
opts_free (Opts *o)
{
  if (o == NULL)
    return;
  g_free (o->text);
  g_array_unref (o->elems);
  g_free (o->id);
  g_ptr_array_unref (o->appended);
  g_free (o);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Opts, opts_free)

/* A value from @p to the first single comma (or the end): ",," is ','. */
static const char *
opt_value (const char *p, char **value)
{
  GString *s = g_string_new (NULL);
  while (*p != '\0')
    {
      if (*p == ',')
        {
          if (p[1] != ',')
            break;
          p++;
        }
      g_string_append_c (s, *p);
      p++;
    }
  *value = g_string_free (s, FALSE);
  return p;
}

/* One element at @p: get_opt_name_value()'s rules. */
static const char *
opt_element (const char *p, const char *implied, Elem *e)
{
  gsize len = strcspn (p, "=,");

  if (p[len] != '=')
    {
      if (implied != NULL)
        {
          e->key = g_strdup (implied);
          p = opt_value (p, &e->value);
        }
      else
        {
          e->flag = TRUE;
          if (g_str_has_prefix (p, "no") && len >= 2)
            {
              e->key = g_strndup (p + 2, len - 2);
              e->value = g_strdup ("off");
            }
          else
            {
              e->key = g_strndup (p, len);
              e->value = g_strdup ("on");
            }
          p += len;
        }
    }
  else
    {
      e->key = g_strndup (p, len);
      p = opt_value (p + len + 1, &e->value);
    }
  return p;
}

static GArray *
opt_split (const char *text, const char *implied)
{
  GArray *elems = g_array_new (FALSE, TRUE, sizeof (Elem));
  g_array_set_clear_func (elems, elem_clear);

  for (const char *p = text; *p != '\0';)
    {
      Elem e = { 0 };
      e.start = (gsize) (p - text);
      p = opt_element (p, implied, &e);
      e.end = (gsize) (p - text);
      if (*p == ',')
        p++;
      implied = NULL;
      g_array_append_val (elems, e);
    }
  return elems;
}

static Opts *
opts_parse (const char *text, const char *implied)
{
  Opts *o = g_new0 (Opts, 1);
  o->text = g_strdup (text);
  o->elems = opt_split (text, implied);
  o->appended = g_ptr_array_new_with_free_func (g_free);

  /* opts_parse_id(): the first id=, read without an implied key. */
  g_autoptr (GArray) plain = opt_split (text, NULL);
  for (guint i = 0; i < plain->len; i++)
    {
      Elem *e = &g_array_index (plain, Elem, i);
      if (strcmp (e->key, "id") == 0)
        {
          o->id = g_strdup (e->value);
          break;
        }
    }
  return o;
}

/* The last value of @key (QEMU's qemu_opt_get), id= excepted. */
static const char *
opts_get (const Opts *o, const char *key)
{
  for (guint i = o->elems->len; i > 0; i--)
    {
      const Elem *e = &g_array_index (o->elems, Elem, i - 1);
      if (strcmp (e->key, key) == 0)
        return e->value;
    }
  return NULL;
}

static gboolean
opts_has_help (const Opts *o)
{
  for (guint i = 0; i < o->elems->len; i++)
    {
      const Elem *e = &g_array_index (o->elems, Elem, i);
      if (e->flag && (strcmp (e->key, "help") == 0 || strcmp (e->key, "?") == 0))
        return TRUE;
    }
  return FALSE;
}

/* A value as QemuOpts reads it back: every ',' doubled. */
static char *
escape_commas (const char *value)
{
  GString *s = g_string_new (NULL);
  for (const char *p = value; *p != '\0'; p++)
    {
      g_string_append_c (s, *p);
      if (*p == ',')
        g_string_append_c (s, ',');
    }
  return g_string_free (s, FALSE);
}

/* The text again, with the rewrite's drops, replacements and additions. */
static char *
opts_render (const Opts *o)
{
  GString *s = g_string_new (NULL);
  gboolean first = TRUE;

  for (guint i = 0; i < o->elems->len; i++)
    {
      const Elem *e = &g_array_index (o->elems, Elem, i);
      if (e->drop)
        continue;
      if (!first)
        g_string_append_c (s, ',');
      if (e->replacement != NULL)
        g_string_append (s, e->replacement);
      else if (first && i > 0 && e->flag)
        /* Moved to the front, a bare key would become the implied one. */
        g_string_append_printf (s, "%s=%s", e->key, e->value);
      else
        g_string_append_len (s, o->text + e->start, (gssize) (e->end - e->start));
      first = FALSE;
    }
  for (guint i = 0; i < o->appended->len; i++)
    {
      if (!first)
        g_string_append_c (s, ',');
      g_string_append (s, g_ptr_array_index (o->appended, i));
      first = FALSE;
    }
  return g_string_free (s, FALSE);
}

/* qapi_bool_parse(). */
static gboolean
parse_bool (const char *value, gboolean *out)
{
  static const char *const yes[] = { "on", "yes", "true", "y" };
  static const char *const no[] = { "off", "no", "false", "n" };
  for (gsize i = 0; i < G_N_ELEMENTS (yes); i++)
    if (strcmp (value, yes[i]) == 0)
      {
        *out = TRUE;
        return TRUE;
      }
  for (gsize i = 0; i < G_N_ELEMENTS (no); i++)
    if (strcmp (value, no[i]) == 0)
      {
        *out = FALSE;
        return TRUE;
      }
  return FALSE;
}

/* The boolean @key of @o (@fallback when absent), for option @what. */
static gboolean
opts_get_bool (const Opts *o, const char *key, gboolean fallback, const char *what,
               gboolean *out, GError **error)
{
  const char *value = opts_get (o, key);
  *out = fallback;
  if (value == NULL)
    return TRUE;
  if (!parse_bool (value, out))
    {
      g_autofree char *vq = gvt_qmp_message_quote_str (o->text);
      g_autofree char *q = gvt_qmp_message_quote_str (value);
      return invalid (error, "%s %s: %s=%s is not a boolean: QEMU takes on or off", what, vq,
                      key, q);
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Strict JSON for -device '{...}' */

static int
hex_value (char c)
{
  return g_ascii_xdigit_value (c);
}

/* \uXXXX at @p (after the 'u'): its code unit, or -1. */
static int
scan_u (const char *p)
{
  int v = 0;
  for (int i = 0; i < 4; i++)
    {
      int d = hex_value (p[i]);
      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  return v;
}

static const char *
scan_string (const char **pp)
{
  const char *p = *pp;
  char q = *p++;

  for (;;)
    {
      guchar c = (guchar) *p;
      if (c == '\0')
        return "a string without its closing quote";
      if (c < 0x20)
        return "a control character in a string";
      if (c == (guchar) q)
        break;
      if (c != '\\')
        {
          p++;
          continue;
        }
      p++;
      if (strchr ("\"'\\/bfnrt", *p) != NULL && *p != '\0')
        {
          p++;
          continue;
        }
      if (*p != 'u')
        return "a bad escape in a string";
      int u = scan_u (p + 1);
      if (u < 0)
        return "a bad \\u escape in a string";
      if (u == 0)
        return "\\u0000 in a string (QEMU refuses it)";
      p += 5;
      if (u >= 0xDC00 && u <= 0xDFFF)
        return "a lone surrogate in a string";
      if (u >= 0xD800 && u <= 0xDBFF)
        {
          int low = (p[0] == '\\' && p[1] == 'u') ? scan_u (p + 2) : -1;
          if (low < 0xDC00 || low > 0xDFFF)
            return "a lone surrogate in a string";
          p += 6;
        }
    }
  *pp = p + 1;
  return NULL;
}

static const char *
scan_number (const char **pp)
{
  const char *p = *pp, *start = p;
  gboolean integer = TRUE;

  if (*p == '-')
    p++;
  if (*p == '0')
    {
      p++;
      if (g_ascii_isdigit (*p))
        return "a number with a leading zero";
    }
  else if (g_ascii_isdigit (*p))
    while (g_ascii_isdigit (*p))
      p++;
  else
    return "a malformed number";
  if (*p == '.')
    {
      integer = FALSE;
      p++;
      if (!g_ascii_isdigit (*p))
        return "a malformed number";
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p == 'e' || *p == 'E')
    {
      integer = FALSE;
      p++;
      if (*p == '+' || *p == '-')
        p++;
      if (!g_ascii_isdigit (*p))
        return "a malformed number";
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (integer)
    {
      /* json-glib would wrap these silently. */
      g_autofree char *digits = g_strndup (start, (gsize) (p - start));
      gint64 v;
      if (!g_ascii_string_to_signed (digits, 10, G_MININT64, G_MAXINT64, &v, NULL))
        return "an integer beyond 64 bits";
    }
  *pp = p;
  return NULL;
}

/* RFC 8259's tokens (plus QEMU's 'single-quoted' strings), brackets
 * matched, nesting bounded, one object and nothing after it: what json-glib
 * 1.6 alone would let through (comments, trailing text, wrapped integers)
 * is refused here first. NULL when fine, else what is wrong. */
static const char *
json_check (const char *text)
{
  char stack[GVT_QEMU_CMDLINE_MAX_DEPTH];
  int depth = 0;
  gboolean done = FALSE;
  const char *err;

  if (!g_utf8_validate (text, -1, NULL))
    return "not UTF-8";
  for (const char *p = text; *p != '\0';)
    {
      char c = *p;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
          p++;
          continue;
        }
      if (done)
        return "text after the JSON object";
      switch (c)
        {
        case '{':
        case '[':
          if (depth == GVT_QEMU_CMDLINE_MAX_DEPTH)
            return "JSON nested too deep";
          stack[depth++] = c;
          p++;
          break;
        case '}':
        case ']':
          if (depth == 0 || stack[depth - 1] != (c == '}' ? '{' : '['))
            return "unbalanced brackets";
          depth--;
          p++;
          if (depth == 0)
            done = TRUE;
          break;
        case ':':
        case ',':
          p++;
          break;
        case '"':
        case '\'':
          if ((err = scan_string (&p)) != NULL)
            return err;
          break;
        case 't':
        case 'f':
        case 'n':
          {
            static const char *const literals[] = { "true", "false", "null" };
            gboolean ok = FALSE;
            for (gsize i = 0; i < G_N_ELEMENTS (literals) && !ok; i++)
              if (g_str_has_prefix (p, literals[i]))
                {
                  p += strlen (literals[i]);
                  ok = TRUE;
                }
            if (!ok)
              return "a word that is not JSON";
          }
          break;
        default:
          if (c == '-' || g_ascii_isdigit (c))
            {
              if ((err = scan_number (&p)) != NULL)
                return err;
            }
          else
            return "a character that is not JSON";
        }
    }
  if (!done)
    return "JSON cut short";
  return NULL;
}

typedef struct {
  GHashTable *counts; /* JsonObject* -> members seen */
  char *duplicate;
} MemberWatch;

static void
on_object_member (JsonParser *parser, JsonObject *object, const char *name, gpointer data)
{
  MemberWatch *w = data;
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (w->counts, object)) + 1;
  g_hash_table_insert (w->counts, object, GUINT_TO_POINTER (n));
  /* json-glib replaces a repeated member: the object did not grow. */
  if (json_object_get_size (object) != n && w->duplicate == NULL)
    w->duplicate = g_strdup (name);
}

/* The JSON object of a -device value (owned), or NULL with why. */
static JsonNode *
json_device_parse (const char *text, GError **error)
{
  g_autofree char *q = gvt_qmp_message_quote_str (text);
  const char *problem = json_check (text);
  if (problem != NULL)
    {
      invalid (error, "-device %s: not the JSON QEMU takes: %s", q, problem);
      return NULL;
    }

  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  MemberWatch watch = { g_hash_table_new (NULL, NULL), NULL };
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), &watch);
  g_autoptr (GError) local = NULL;
  gboolean parsed = json_parser_load_from_data (parser, text, -1, &local);
  g_hash_table_unref (watch.counts);
  g_autofree char *duplicate = watch.duplicate;
  if (!parsed)
    {
      invalid (error, "-device %s: not the JSON QEMU takes: %s", q, local->message);
      return NULL;
    }
  if (duplicate != NULL)
    {
      g_autofree char *dq = gvt_qmp_message_quote_str (duplicate);
      invalid (error, "-device %s: the key %s is there twice (QEMU refuses it)", q, dq);
      return NULL;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      invalid (error, "-device %s: not a JSON object", q);
      return NULL;
    }
  return json_node_copy (root);
}

/* A string member, NULL when absent; a member of another type is an error
 * when @strict (QEMU refuses it), ignored otherwise (QEMU ignores a
 * non-string id). */
static gboolean
json_string_member (JsonObject *o, const char *key, gboolean strict, const char *what,
                    const char **out, GError **error)
{
  *out = NULL;
  JsonNode *n = json_object_get_member (o, key);
  if (n == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    {
      *out = json_node_get_string (n);
      return TRUE;
    }
  if (!strict)
    return TRUE;
  return invalid (error, "%s: \"%s\" must be a JSON string", what, key);
}

/* ------------------------------------------------------------------ */
/* Values */

/* qemu_strtosz() with bytes as the default unit: decimal with an optional
 * fraction, or 0x hex, then one of B K M G T P E (any case); a fraction
 * needs a unit. */
static gboolean
parse_size (const char *text, guint64 *out)
{
  const char *p = text;
  guint64 val = 0, mul = 1;
  double fraction = 0;

  while (g_ascii_isspace (*p))
    p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  for (; g_ascii_isdigit (*p); p++)
    {
      if (val > (G_MAXUINT64 - (guint64) (*p - '0')) / 10)
        return FALSE;
      val = val * 10 + (guint64) (*p - '0');
    }
  if (val == 0 && (*p == 'x' || *p == 'X') && g_ascii_isxdigit (p[1]))
    {
      for (p++; g_ascii_isxdigit (*p); p++)
        {
          if (val > G_MAXUINT64 >> 4)
            return FALSE;
          val = (val << 4) | (guint64) g_ascii_xdigit_value (*p);
        }
      if (*p == '.')
        return FALSE;
    }
  else if (*p == '.')
    {
      double scale = 0.1;
      for (p++; g_ascii_isdigit (*p); p++, scale /= 10)
        fraction += (*p - '0') * scale;
    }
  switch (g_ascii_toupper (*p))
    {
    case 'B': mul = 1; break;
    case 'K': mul = G_GUINT64_CONSTANT (1) << 10; break;
    case 'M': mul = G_GUINT64_CONSTANT (1) << 20; break;
    case 'G': mul = G_GUINT64_CONSTANT (1) << 30; break;
    case 'T': mul = G_GUINT64_CONSTANT (1) << 40; break;
    case 'P': mul = G_GUINT64_CONSTANT (1) << 50; break;
    case 'E': mul = G_GUINT64_CONSTANT (1) << 60; break;
    default: mul = 0; break;
    }
  if (mul != 0)
    p++;
  else if (fraction != 0)
    return FALSE;
  else
    mul = 1;
  if (*p != '\0')
    return FALSE;
  if (val > G_MAXUINT64 / mul)
    return FALSE;
  guint64 bytes = val * mul;
  guint64 extra = (guint64) (fraction * (double) mul);
  if (bytes > G_MAXUINT64 - extra)
    return FALSE;
  *out = bytes + extra;
  return TRUE;
}

/* -m's size= as vl.c's parse_memory_options() reads it: valid as a size in
 * bytes first, then, when it ends in a digit, taken as MiB. */
static gboolean
parse_ram (const char *text, guint64 *out, GError **error)
{
  guint64 bytes = 0;
  g_autofree char *q = gvt_qmp_message_quote_str (text);

  if (!parse_size (text, &bytes))
    return invalid (error, "-m %s: not a size (e.g. 2048 for MiB, 2G, 512M)", q);
  gsize len = strlen (text);
  if (len > 0 && g_ascii_isdigit (text[len - 1]))
    {
      g_autofree char *mib = g_strconcat (text, "M", NULL);
      if (!parse_size (mib, &bytes))
        return invalid (error, "-m %s: too large", q);
    }
  if (bytes > G_MAXUINT64 - QEMU_RAM_ALIGN)
    return invalid (error, "-m %s: too large", q);
  *out = (bytes + QEMU_RAM_ALIGN - 1) / QEMU_RAM_ALIGN * QEMU_RAM_ALIGN;
  return TRUE;
}

/* hw/core/qdev-properties-system.c's PCI host address:
 * [DOMAIN:]BUS:SLOT.FUNCTION, hex but a decimal function; as the sysfs
 * path QEMU opens. NULL when it is not one. */
static char *
pci_host_path (const char *text)
{
  guint64 f[3] = { 0 };
  const char *p = text, *start;
  int n = 0;

  for (;;)
    {
      guint64 v = 0;
      for (start = p; g_ascii_isxdigit (*p); p++)
        {
          v = v * 16 + (guint64) g_ascii_xdigit_value (*p);
          if (v > 0xffff)
            return NULL;
        }
      if (p == start)
        return NULL;
      f[n++] = v;
      if (*p != ':' || n == 3)
        break;
      p++;
    }
  if (n < 2 || *p != '.')
    return NULL;
  guint64 fn = 0;
  for (start = ++p; g_ascii_isdigit (*p); p++)
    {
      fn = fn * 10 + (guint64) (*p - '0');
      if (fn > 7)
        return NULL;
    }
  if (p == start || *p != '\0')
    return NULL;
  guint64 dom = n == 3 ? f[0] : 0, bus = f[n - 2], slot = f[n - 1];
  if (bus > 0xff || slot > 0x1f)
    return NULL;
  return g_strdup_printf ("/sys/bus/pci/devices/%04x:%02x:%02x.%x", (guint) dom, (guint) bus,
                          (guint) slot, (guint) fn);
}

/* The lower-case UUID when @path's last component is one. */
static char *
uuid_of (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  if (strlen (base) != 36)
    return NULL;
  for (int i = 0; i < 36; i++)
    {
      gboolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? base[i] != '-' : !g_ascii_isxdigit (base[i]))
        return NULL;
    }
  return g_ascii_strdown (base, -1);
}

static gboolean
parse_display_mode (const char *value, GvtQemuDisplayMode *out)
{
  static const struct {
    const char *word;
    GvtQemuDisplayMode mode;
  } words[] = {
    { "on", GVT_QEMU_DISPLAY_ON },
    { "off", GVT_QEMU_DISPLAY_OFF },
    { "auto", GVT_QEMU_DISPLAY_AUTO },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    if (strcmp (value, words[i].word) == 0)
      {
        *out = words[i].mode;
        return TRUE;
      }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* The scan */

/* A device the rewrite may change: its value as QemuOpts or JSON. */
typedef struct {
  guint arg_index;
  Opts *opts;     /* or */
  JsonNode *json; /* an object */
  gboolean changed;
  /* vfio: the device's own settings (the public struct has the effective ones) */
  GvtQemuDisplayMode own_display;
  gboolean own_ramfb;
  gboolean has_xres; /* xres= or yres= given, not 0 */
} Source;

static void
source_free (gpointer data)
{
  Source *s = data;
  opts_free (s->opts);
  if (s->json)
    json_node_unref (s->json);
  g_free (s);
}

typedef struct {
  char *chardev; /* a -chardev to look up, or NULL for a socket of its own */
  char *path;    /* that socket's path when it listens, else NULL */
} Monitor;

static void
monitor_free (gpointer data)
{
  Monitor *m = data;
  g_free (m->chardev);
  g_free (m->path);
  g_free (m);
}

typedef struct {
  char *driver;
  char *property;
  char *value;
} Global;

static void
global_free (gpointer data)
{
  Global *g = data;
  g_free (g->driver);
  g_free (g->property);
  g_free (g->value);
  g_free (g);
}

typedef struct {
  gboolean curses;      /* the last UI chosen is curses */
  GPtrArray *vfio_src;  /* Source*, parallel to out->vfio */
  Source *ramfb;        /* the first -device ramfb */
  GPtrArray *monitors;  /* Monitor*, in order */
  GHashTable *chardevs; /* id -> listening path ("" when it does not listen) */
  GPtrArray *globals;   /* Global*, in order */
  const char *size;     /* -m's last size=, borrowed from an Opts below */
  GPtrArray *keep;      /* Opts* kept alive for borrowed strings */
} Scan;

static void
scan_init (Scan *s)
{
  s->vfio_src = g_ptr_array_new_with_free_func (source_free);
  s->monitors = g_ptr_array_new_with_free_func (monitor_free);
  s->chardevs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s->globals = g_ptr_array_new_with_free_func (global_free);
  s->keep = g_ptr_array_new_with_free_func ((GDestroyNotify) opts_free);
}

static void
scan_clear (Scan *s)
{
  g_clear_pointer (&s->vfio_src, g_ptr_array_unref);
  g_clear_pointer (&s->ramfb, source_free);
  g_clear_pointer (&s->monitors, g_ptr_array_unref);
  g_clear_pointer (&s->chardevs, g_hash_table_unref);
  g_clear_pointer (&s->globals, g_ptr_array_unref);
  g_clear_pointer (&s->keep, g_ptr_array_unref);
}

static void
vfio_device_free (gpointer data)
{
  GvtQemuVfioDevice *d = data;
  g_free (d->driver);
  g_free (d->id);
  g_free (d->sysfsdev);
  g_free (d->uuid);
  g_free (d);
}

static gboolean
is_vfio_driver (const char *driver)
{
  return g_strcmp0 (driver, "vfio-pci") == 0 || g_strcmp0 (driver, "vfio-pci-nohotplug") == 0;
}

/* "vfio-pci (id hostdev0)": a device in a message. */
static char *
describe (const GvtQemuVfioDevice *d)
{
  if (d->id != NULL)
    return g_strdup_printf ("%s (id %s)", d->driver, d->id);
  if (d->uuid != NULL)
    return g_strdup_printf ("%s (mdev %s)", d->driver, d->uuid);
  if (d->sysfsdev != NULL)
    return g_strdup_printf ("%s (%s)", d->driver, d->sysfsdev);
  return g_strdup_printf ("%s (argument %u)", d->driver, d->arg_index);
}

/* The vfio settings of a QemuOpts -device. */
static gboolean
vfio_from_opts (Opts *o, GvtQemuVfioDevice *d, Source *src, GError **error)
{
  g_autofree char *q = gvt_qmp_message_quote_str (o->text);
  const char *sysfsdev = opts_get (o, "sysfsdev");
  const char *host = opts_get (o, "host");
  const char *display = opts_get (o, "display");
  const char *ramfb = opts_get (o, "ramfb");

  d->id = g_strdup (o->id);
  if (sysfsdev != NULL)
    {
      if (*sysfsdev == '\0')
        return invalid (error, "-device %s: sysfsdev= is empty", q);
      d->sysfsdev = g_strdup (sysfsdev);
    }
  else if (host != NULL)
    {
      d->sysfsdev = pci_host_path (host);
      if (d->sysfsdev == NULL)
        {
          g_autofree char *hq = gvt_qmp_message_quote_str (host);
          return invalid (error, "-device %s: host=%s is not a PCI address "
                          "[DOMAIN:]BUS:SLOT.FUNCTION (e.g. 0000:00:02.0)", q, hq);
        }
    }
  if (display != NULL && !parse_display_mode (display, &src->own_display))
    {
      g_autofree char *dq = gvt_qmp_message_quote_str (display);
      return invalid (error, "-device %s: display=%s: QEMU takes on, off or auto", q, dq);
    }
  if (ramfb != NULL && !parse_bool (ramfb, &src->own_ramfb))
    {
      g_autofree char *rq = gvt_qmp_message_quote_str (ramfb);
      return invalid (error, "-device %s: ramfb=%s: QEMU takes on or off", q, rq);
    }
  const char *xres = opts_get (o, "xres"), *yres = opts_get (o, "yres");
  src->has_xres = (xres != NULL && strcmp (xres, "0") != 0)
                  || (yres != NULL && strcmp (yres, "0") != 0);
  return TRUE;
}

/* The same for a JSON -device. */
static gboolean
vfio_from_json (JsonObject *o, const char *text, GvtQemuVfioDevice *d, Source *src,
                GError **error)
{
  g_autofree char *q = gvt_qmp_message_quote_str (text);
  g_autofree char *what = g_strdup_printf ("-device %s", q);
  const char *id, *sysfsdev, *host, *display;

  if (!json_string_member (o, "id", FALSE, what, &id, error)
      || !json_string_member (o, "sysfsdev", TRUE, what, &sysfsdev, error)
      || !json_string_member (o, "host", TRUE, what, &host, error)
      || !json_string_member (o, "display", TRUE, what, &display, error))
    return FALSE;
  d->id = g_strdup (id);
  if (sysfsdev != NULL)
    {
      if (*sysfsdev == '\0')
        return invalid (error, "%s: \"sysfsdev\" is empty", what);
      d->sysfsdev = g_strdup (sysfsdev);
    }
  else if (host != NULL && (d->sysfsdev = pci_host_path (host)) == NULL)
    return invalid (error, "%s: \"host\" is not a PCI address [DOMAIN:]BUS:SLOT.FUNCTION", what);
  if (display != NULL && !parse_display_mode (display, &src->own_display))
    return invalid (error, "%s: \"display\" must be \"on\", \"off\" or \"auto\"", what);
  JsonNode *ramfb = json_object_get_member (o, "ramfb");
  if (ramfb != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (ramfb) || json_node_get_value_type (ramfb) != G_TYPE_BOOLEAN)
        return invalid (error, "%s: \"ramfb\" must be true or false (QEMU wants a JSON boolean)",
                        what);
      src->own_ramfb = json_node_get_boolean (ramfb);
    }
  for (int i = 0; i < 2; i++)
    {
      JsonNode *n = json_object_get_member (o, i ? "yres" : "xres");
      if (n != NULL && !(JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64
                         && json_node_get_int (n) == 0))
        src->has_xres = TRUE;
    }
  return TRUE;
}

static gboolean
scan_device (Scan *s, GvtQemuCmdline *out, const char *value, guint index, GError **error)
{
  g_autoptr (Opts) o = NULL;
  g_autoptr (JsonNode) json = NULL;
  const char *driver = NULL;

  /* vl.c: JSON exactly when the value starts with '{'. */
  if (value[0] == '{')
    {
      json = json_device_parse (value, error);
      if (json == NULL)
        return FALSE;
      json_string_member (json_node_get_object (json), "driver", FALSE, NULL, &driver, NULL);
    }
  else
    {
      o = opts_parse (value, "driver");
      if (!opts_has_help (o))
        driver = opts_get (o, "driver");
    }

  if (g_strcmp0 (driver, "ramfb") == 0)
    {
      if (s->ramfb != NULL)
        return TRUE;
      Source *src = g_new0 (Source, 1);
      src->arg_index = index;
      out->has_ramfb_device = TRUE;
      if (json != NULL)
        {
          const char *id;
          json_string_member (json_node_get_object (json), "id", FALSE, NULL, &id, NULL);
          out->ramfb_id = g_strdup (id);
        }
      else
        out->ramfb_id = g_strdup (o->id);
      src->opts = g_steal_pointer (&o);
      src->json = g_steal_pointer (&json);
      s->ramfb = src;
      return TRUE;
    }
  if (!is_vfio_driver (driver))
    return TRUE;

  GvtQemuVfioDevice *d = g_new0 (GvtQemuVfioDevice, 1);
  Source *src = g_new0 (Source, 1);
  d->driver = g_strdup (driver);
  d->arg_index = index;
  d->json = json != NULL;
  src->arg_index = index;
  g_ptr_array_add (out->vfio, d);
  g_ptr_array_add (s->vfio_src, src);
  gboolean ok = json != NULL ? vfio_from_json (json_node_get_object (json), value, d, src, error)
                             : vfio_from_opts (o, d, src, error);
  if (d->sysfsdev != NULL)
    d->uuid = uuid_of (d->sysfsdev);
  src->opts = g_steal_pointer (&o);
  src->json = g_steal_pointer (&json);
  return ok;
}

/* -qmp / -qmp-pretty VALUE (vl.c monitor_parse(), char.c
 * qemu_chr_parse_compat()). */
static gboolean
scan_qmp (Scan *s, const char *option, const char *value, GError **error)
{
  Monitor *m = g_new0 (Monitor, 1);
  g_ptr_array_add (s->monitors, m);

  if (g_str_has_prefix (value, "chardev:"))
    {
      m->chardev = g_strdup (value + strlen ("chardev:"));
      return TRUE;
    }
  const char *rest = value;
  if (g_str_has_prefix (rest, "mon:"))
    rest += strlen ("mon:");
  if (!g_str_has_prefix (rest, "unix:"))
    return TRUE;
  g_autoptr (Opts) o = opts_parse (rest + strlen ("unix:"), "path");
  g_autofree char *what = g_strdup_printf ("-%s", option);
  gboolean server, abstract;
  if (!opts_get_bool (o, "server", FALSE, what, &server, error)
      || !opts_get_bool (o, "abstract", FALSE, what, &abstract, error))
    return FALSE;
  const char *path = opts_get (o, "path");
  if (server && !abstract && path != NULL && *path != '\0')
    m->path = g_strdup (path);
  return TRUE;
}

/* -chardev VALUE: remembered by id when it is a UNIX socket QEMU listens on. */
static gboolean
scan_chardev (Scan *s, const char *value, GError **error)
{
  g_autoptr (Opts) o = opts_parse (value, "backend");
  gboolean server = FALSE, abstract = FALSE;
  const char *path = NULL;

  if (o->id == NULL || g_hash_table_contains (s->chardevs, o->id))
    return TRUE;
  if (g_strcmp0 (opts_get (o, "backend"), "socket") == 0)
    {
      if (!opts_get_bool (o, "server", FALSE, "-chardev", &server, error)
          || !opts_get_bool (o, "abstract", FALSE, "-chardev", &abstract, error))
        return FALSE;
      path = opts_get (o, "path");
      if (opts_get (o, "host") != NULL || opts_get (o, "port") != NULL
          || opts_get (o, "fd") != NULL)
        path = NULL;
    }
  gboolean listens = server && !abstract && path != NULL && *path != '\0';
  g_hash_table_insert (s->chardevs, g_strdup (o->id), g_strdup (listens ? path : ""));
  return TRUE;
}

/* -mon VALUE: a QMP monitor on a -chardev when mode=control. */
static void
scan_mon (Scan *s, const char *value)
{
  g_autoptr (Opts) o = opts_parse (value, "chardev");
  const char *chardev = opts_get (o, "chardev");
  if (g_strcmp0 (opts_get (o, "mode"), "control") != 0 || chardev == NULL)
    return;
  Monitor *m = g_new0 (Monitor, 1);
  m->chardev = g_strdup (chardev);
  g_ptr_array_add (s->monitors, m);
}

/* -global DRIVER.PROP=VALUE or driver=D,property=P,value=V (qdev-monitor.c
 * qemu_global_option()); only the vfio drivers' matter here. */
static void
scan_global (Scan *s, const char *value)
{
  Global *g = g_new0 (Global, 1);
  gsize dlen = strcspn (value, ".=");

  if (dlen > 0 && dlen < 64 && value[dlen] == '.' && strchr (value + dlen + 1, '=') != NULL
      && value[dlen + 1] != '=')
    {
      const char *prop = value + dlen + 1;
      gsize plen = strcspn (prop, "=");
      g->driver = g_strndup (value, dlen);
      g->property = g_strndup (prop, plen);
      g->value = g_strdup (prop + plen + 1);
    }
  else
    {
      g_autoptr (Opts) o = opts_parse (value, NULL);
      g->driver = g_strdup (opts_get (o, "driver"));
      g->property = g_strdup (opts_get (o, "property"));
      g->value = g_strdup (opts_get (o, "value"));
    }
  if (!is_vfio_driver (g->driver) || g->property == NULL || g->value == NULL)
    {
      global_free (g);
      return;
    }
  g_ptr_array_add (s->globals, g);
}

/* The last -global of @property that applies to @driver: those for the
 * device's own class and those for vfio-pci, which vfio-pci-nohotplug
 * derives from. */
static const char *
global_for (const Scan *s, const char *driver, const char *property)
{
  const char *value = NULL;
  for (guint i = 0; i < s->globals->len; i++)
    {
      const Global *g = g_ptr_array_index (s->globals, i);
      if (strcmp (g->property, property) == 0
          && (strcmp (g->driver, driver) == 0 || strcmp (g->driver, "vfio-pci") == 0))
        value = g->value;
    }
  return value;
}

/* The effective display= and ramfb= of each vfio device, globals applied. */
static gboolean
apply_globals (const Scan *s, GvtQemuCmdline *out, GError **error)
{
  for (guint i = 0; i < out->vfio->len; i++)
    {
      GvtQemuVfioDevice *d = g_ptr_array_index (out->vfio, i);
      const Source *src = g_ptr_array_index (s->vfio_src, i);
      const char *gd = global_for (s, d->driver, "display");
      const char *gr = global_for (s, d->driver, "ramfb");
      GvtQemuDisplayMode mode = GVT_QEMU_DISPLAY_UNSET;
      gboolean ramfb = FALSE;

      if (gd != NULL && !parse_display_mode (gd, &mode))
        {
          g_autofree char *q = gvt_qmp_message_quote_str (gd);
          return invalid (error, "-global %s.display=%s: QEMU takes on, off or auto",
                          d->driver, q);
        }
      if (gr != NULL && !parse_bool (gr, &ramfb))
        {
          g_autofree char *q = gvt_qmp_message_quote_str (gr);
          return invalid (error, "-global %s.ramfb=%s: QEMU takes on or off", d->driver, q);
        }
      d->display = src->own_display != GVT_QEMU_DISPLAY_UNSET ? src->own_display : mode;
      gboolean own_ramfb_given = src->json != NULL
                                   ? json_object_has_member (json_node_get_object (src->json),
                                                             "ramfb")
                                   : opts_get (src->opts, "ramfb") != NULL;
      d->ramfb = own_ramfb_given ? src->own_ramfb : ramfb;
    }
  return TRUE;
}

static void
resolve_qmp (const Scan *s, GvtQemuCmdline *out)
{
  for (guint i = 0; i < s->monitors->len && out->qmp_socket == NULL; i++)
    {
      const Monitor *m = g_ptr_array_index (s->monitors, i);
      const char *path = m->path;
      if (m->chardev != NULL)
        path = g_hash_table_lookup (s->chardevs, m->chardev);
      if (path != NULL && *path != '\0')
        out->qmp_socket = g_strdup (path);
    }
}

/* A chardev given in the short form of -serial and the like (char.c
 * qemu_chr_parse_compat()) that is QEMU's stdin and stdout: exactly
 * "stdio", muxed with the monitor or not. */
static gboolean
is_stdio_chardev (const char *value)
{
  if (g_str_has_prefix (value, "mon:"))
    value += strlen ("mon:");
  return strcmp (value, "stdio") == 0;
}

/* The options whose value is such a chardev. */
static gboolean
takes_compat_chardev (const char *name)
{
  static const char *const names[] = { "serial", "monitor", "parallel", "qmp", "qmp-pretty",
                                       "debugcon", "gdb", "qtest" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (name, names[i]) == 0)
      return TRUE;
  return FALSE;
}

/* What -display's value chooses: its type, the implied first key. */
static gboolean
is_curses_display (const char *value)
{
  g_autoptr (Opts) o = opts_parse (value, "type");
  return g_strcmp0 (opts_get (o, "type"), "curses") == 0;
}

/* Whether the option uses the terminal. */
static void
scan_terminal (Scan *s, GvtQemuCmdline *out, const char *name, const char *value)
{
  if (strcmp (name, "nographic") == 0)
    out->uses_terminal = TRUE;
  else if (strcmp (name, "display") == 0)
    s->curses = is_curses_display (value);
  else if (strcmp (name, "curses") == 0 || strcmp (name, "sdl") == 0)
    s->curses = strcmp (name, "curses") == 0;
  else if (takes_compat_chardev (name) && is_stdio_chardev (value))
    out->uses_terminal = TRUE;
  else if (strcmp (name, "chardev") == 0)
    {
      g_autoptr (Opts) o = opts_parse (value, "backend");
      if (g_strcmp0 (opts_get (o, "backend"), "stdio") == 0)
        out->uses_terminal = TRUE;
    }
}

/* One option and its value (NULL for none). */
static gboolean
scan_option (Scan *s, GvtQemuCmdline *out, const char *name, const char *value, guint index,
             GError **error)
{
  if (strcmp (name, "device") == 0)
    return scan_device (s, out, value, index, error);
  if (strcmp (name, "name") == 0)
    {
      g_autoptr (Opts) o = opts_parse (value, "guest");
      const char *guest = opts_get (o, "guest");
      if (guest != NULL)
        {
          g_free (out->name);
          out->name = g_strdup (guest);
        }
      return TRUE;
    }
  if (strcmp (name, "m") == 0)
    {
      Opts *o = opts_parse (value, "size");
      g_ptr_array_add (s->keep, o);
      const char *size = opts_get (o, "size");
      if (size != NULL)
        s->size = size;
      return TRUE;
    }
  if (strcmp (name, "qmp") == 0 || strcmp (name, "qmp-pretty") == 0)
    return scan_qmp (s, name, value, error);
  if (strcmp (name, "chardev") == 0)
    return scan_chardev (s, value, error);
  if (strcmp (name, "mon") == 0)
    {
      scan_mon (s, value);
      return TRUE;
    }
  if (strcmp (name, "global") == 0)
    {
      scan_global (s, value);
      return TRUE;
    }
  if (strcmp (name, "display") == 0)
    {
      out->has_display = TRUE;
      g_free (out->display);
      out->display = g_strdup (value);
      return TRUE;
    }
  if (strcmp (name, "daemonize") == 0)
    out->daemonize = TRUE;
  if (strcmp (name, "nographic") == 0 || strcmp (name, "vnc") == 0
      || strcmp (name, "spice") == 0 || strcmp (name, "curses") == 0
      || strcmp (name, "sdl") == 0)
    out->has_display = TRUE;
  return TRUE;
}

static gboolean
scan_argv (const char *const *argv, Scan *s, GvtQemuCmdline *out, GError **error)
{
  memset (out, 0, sizeof *out);
  out->vfio = g_ptr_array_new_with_free_func (vfio_device_free);
  scan_init (s);

  if (argv == NULL || argv[0] == NULL)
    return invalid (error, "the QEMU command line is empty: give the program and its options "
                           "(qemu-system-x86_64 ...)");
  for (guint i = 0; argv[i] != NULL; i++)
    if (strlen (argv[i]) > GVT_QEMU_CMDLINE_MAX_ARG)
      return invalid (error, "argument %u of the QEMU command line is over %u bytes, more than "
                             "Linux passes to a program", i, GVT_QEMU_CMDLINE_MAX_ARG);

  for (guint i = 1; argv[i] != NULL; i++)
    {
      const char *arg = argv[i];
      if (arg[0] != '-')
        continue; /* a disk image */
      const char *name = arg[1] == '-' ? arg + 2 : arg + 1;
      const OptionInfo *info = lookup_option (name);
      if (info == NULL)
        {
          const char *eq = strchr (name, '=');
          g_autofree char *before = eq ? g_strndup (name, (gsize) (eq - name)) : NULL;
          if (before != NULL && lookup_option (before) != NULL)
            {
              g_autofree char *q = gvt_qmp_message_quote_str (arg);
              return invalid (error, "%s: QEMU takes no '=' after an option: write -%s and "
                                     "its value as two arguments", q, before);
            }
          g_debug ("QEMU command line: %s is not a QEMU 7.2 option; taken as one without a "
                   "value", arg);
          continue;
        }
      const char *value = NULL;
      guint index = i;
      if (info->has_arg)
        {
          if (argv[i + 1] == NULL)
            return invalid (error, "%s at the end of the QEMU command line needs a value "
                                   "(QEMU: \"requires an argument\")", arg);
          value = argv[++i];
          index = i;
        }
      scan_terminal (s, out, info->name, value);
      if (!scan_option (s, out, info->name, value, index, error))
        return FALSE;
    }
  if (s->curses)
    out->uses_terminal = TRUE;

  out->ram_bytes = QEMU_DEFAULT_RAM;
  if (s->size != NULL)
    {
      guint64 bytes = 0;
      if (!parse_ram (s->size, &bytes, error))
        return FALSE;
      if (bytes != 0)
        out->ram_bytes = bytes;
    }
  if (!apply_globals (s, out, error))
    return FALSE;
  resolve_qmp (s, out);
  return TRUE;
}

gboolean
gvt_qemu_cmdline_parse (const char *const *argv, GvtQemuCmdline *out, GError **error)
{
  Scan s = { 0 };
  gboolean ok = scan_argv (argv, &s, out, error);
  scan_clear (&s);
  if (!ok)
    gvt_qemu_cmdline_clear (out);
  return ok;
}

void
gvt_qemu_cmdline_clear (GvtQemuCmdline *self)
{
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->qmp_socket, g_free);
  g_clear_pointer (&self->display, g_free);
  g_clear_pointer (&self->ramfb_id, g_free);
  g_clear_pointer (&self->vfio, g_ptr_array_unref);
  memset (self, 0, sizeof *self);
}

/* ------------------------------------------------------------------ */
/* The rewrite */

/* An mdev, or a device given display= of its own (a -global's applies to
 * a passed-through NIC as well). */
static gboolean
is_candidate (const GvtQemuVfioDevice *d, const Source *src)
{
  return d->uuid != NULL
         || (d->sysfsdev != NULL && g_str_has_prefix (d->sysfsdev, "/sys/bus/mdev/"))
         || src->own_display != GVT_QEMU_DISPLAY_UNSET;
}

/* The candidates as "UUID (vfio-pci, id X), ..." for a message. */
static char *
list_candidates (const GvtQemuCmdline *c, GArray *cands)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < cands->len; i++)
    {
      const GvtQemuVfioDevice *d = g_ptr_array_index (c->vfio, g_array_index (cands, guint, i));
      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, d->uuid ? d->uuid : d->sysfsdev ? d->sysfsdev : "(no device)");
      g_string_append_printf (s, " (%s%s%s)", d->driver, d->id ? ", id " : "",
                              d->id ? d->id : "");
    }
  return g_string_free (s, FALSE);
}

static gboolean
choose_vgpu (const Scan *s, const GvtQemuCmdline *c, const char *want, guint *chosen,
             GError **error)
{
  g_autoptr (GArray) cands = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < c->vfio->len; i++)
    if (is_candidate (g_ptr_array_index (c->vfio, i), g_ptr_array_index (s->vfio_src, i)))
      g_array_append_val (cands, i);

  if (cands->len == 0)
    return invalid (error, "the QEMU command line has no vGPU: add "
                           "-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID,display=off "
                           "(UUID: the vGPU's, from `gvt-view list`)");
  g_autofree char *list = list_candidates (c, cands);
  if (want == NULL)
    {
      if (cands->len == 1)
        {
          *chosen = g_array_index (cands, guint, 0);
          return TRUE;
        }
      return invalid (error, "the QEMU command line has %u vGPUs: %s; say which to show with "
                             "--vgpu UUID|ID", cands->len, list);
    }
  for (guint i = 0; i < cands->len; i++)
    {
      const GvtQemuVfioDevice *d = g_ptr_array_index (c->vfio, g_array_index (cands, guint, i));
      if ((d->uuid != NULL && g_ascii_strcasecmp (d->uuid, want) == 0)
          || g_strcmp0 (d->id, want) == 0)
        {
          *chosen = g_array_index (cands, guint, i);
          return TRUE;
        }
    }
  g_autofree char *q = gvt_qmp_message_quote_str (want);
  return invalid (error, "--vgpu %s names no vGPU of the QEMU command line; it has: %s", q,
                  list);
}

/* Sets @key of a device: every occurrence of its own replaced, or added
 * when it has none and @add. An occurrence source_remove() dropped is none:
 * "remove, then set" must write the new value once (at the end), not put
 * it on an element that is not written at all. */
static void
source_set (Source *src, const char *key, const char *opts_value, JsonNode *json_value,
            gboolean add)
{
  src->changed = TRUE;
  if (src->json != NULL)
    {
      JsonObject *o = json_node_get_object (src->json);
      if (add || json_object_has_member (o, key))
        json_object_set_member (o, key, json_value);
      else
        json_node_unref (json_value);
      return;
    }
  json_node_unref (json_value);
  g_autofree char *esc = escape_commas (opts_value);
  gboolean found = FALSE;
  for (guint i = 0; i < src->opts->elems->len; i++)
    {
      Elem *e = &g_array_index (src->opts->elems, Elem, i);
      if (!e->drop && strcmp (e->key, key) == 0)
        {
          g_free (e->replacement);
          e->replacement = g_strdup_printf ("%s=%s", key, esc);
          found = TRUE;
        }
    }
  if (!found && add)
    g_ptr_array_add (src->opts->appended, g_strdup_printf ("%s=%s", key, esc));
}

static void
source_remove (Source *src, const char *key)
{
  src->changed = TRUE;
  if (src->json != NULL)
    {
      json_object_remove_member (json_node_get_object (src->json), key);
      return;
    }
  for (guint i = 0; i < src->opts->elems->len; i++)
    {
      Elem *e = &g_array_index (src->opts->elems, Elem, i);
      if (strcmp (e->key, key) == 0)
        e->drop = TRUE;
    }
}

static char *
source_render (const Source *src)
{
  if (src->json != NULL)
    return json_to_string (src->json, FALSE);
  return opts_render (src->opts);
}

static JsonNode *
json_string (const char *s)
{
  JsonNode *n = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (n, s);
  return n;
}

static JsonNode *
json_bool (gboolean b)
{
  JsonNode *n = json_node_new (JSON_NODE_VALUE);
  json_node_set_boolean (n, b);
  return n;
}

static JsonNode *
json_int (gint64 v)
{
  JsonNode *n = json_node_new (JSON_NODE_VALUE);
  json_node_set_int (n, v);
  return n;
}

static void
note (GPtrArray *notes, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
note (GPtrArray *notes, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  g_ptr_array_add (notes, g_strdup_vprintf (fmt, args));
  va_end (args);
}

typedef struct {
  GPtrArray *notes;
  gboolean add_ramfb;  /* -device ramfb,id=gvt-ramfb after the vGPU */
} Plan;

/* The vGPU's display= off, its xres/yres and ramfb= gone. */
static void
rewrite_vgpu (const Scan *s, const GvtQemuCmdline *c, guint chosen, Plan *plan)
{
  const GvtQemuVfioDevice *d = g_ptr_array_index (c->vfio, chosen);
  Source *src = g_ptr_array_index (s->vfio_src, chosen);
  g_autofree char *who = describe (d);

  if (d->display == GVT_QEMU_DISPLAY_ON || d->display == GVT_QEMU_DISPLAY_AUTO)
    {
      gboolean own = src->own_display != GVT_QEMU_DISPLAY_UNSET;
      source_set (src, "display", "off", json_string ("off"), TRUE);
      const char *why = c->has_display
                          ? "gvt-view shows the display, and two displays of one vGPU would "
                            "both export its buffers"
                          : "gvt-view shows the display; QEMU refuses display=on with "
                            "-display none";
      if (own)
        note (plan->notes, "display=%s on %s changed to display=off: %s",
              gvt_qemu_display_mode_to_string (d->display), who, why);
      else
        note (plan->notes, "display=off added to %s, which a -global set to display=%s: %s",
              who, gvt_qemu_display_mode_to_string (d->display), why);
    }

  const char *gx = global_for (s, d->driver, "xres"), *gy = global_for (s, d->driver, "yres");
  gboolean global_res = (gx != NULL && strcmp (gx, "0") != 0)
                        || (gy != NULL && strcmp (gy, "0") != 0);
  if (src->has_xres || global_res)
    {
      source_remove (src, "xres");
      source_remove (src, "yres");
      if (global_res)
        {
          source_set (src, "xres", "0", json_int (0), TRUE);
          source_set (src, "yres", "0", json_int (0), TRUE);
        }
      note (plan->notes, "xres/yres dropped from %s: QEMU takes them only with display=on; "
                         "gvt-view gives the guest its modes through the vGPU's EDID itself",
            who);
    }

  if (d->ramfb)
    {
      gboolean own = src->json != NULL
                       ? json_object_has_member (json_node_get_object (src->json), "ramfb")
                       : opts_get (src->opts, "ramfb") != NULL;
      source_remove (src, "ramfb");
      const char *gr = global_for (s, d->driver, "ramfb");
      gboolean global_on = FALSE;
      if (gr != NULL && parse_bool (gr, &global_on) && global_on)
        source_set (src, "ramfb", "off", json_bool (FALSE), TRUE);
      const char *from = own ? "" : " (from a -global)";
      if (c->has_ramfb_device)
        note (plan->notes, "ramfb=on%s dropped from %s: QEMU's ramfb=on needs display=on, and "
                           "the command line has a -device ramfb already",
              from, who);
      else
        {
          plan->add_ramfb = TRUE;
          note (plan->notes, "ramfb=on%s on %s replaced by -device ramfb,id=" GVT_QEMU_RAMFB_ID
                             ": QEMU's ramfb=on needs display=on; a ramfb of its own shows the "
                             "firmware's screen through QMP screendump",
                from, who);
        }
    }
}

/* The rewritten argv: replacements in place, the ramfb right after the
 * vGPU, additions at the end. */
static GStrv
build_argv (const char *const *argv, const Scan *s, const GvtQemuCmdline *c, guint chosen,
            const Plan *plan, GPtrArray *tail)
{
  g_autoptr (GPtrArray) v = g_ptr_array_new_with_free_func (g_free);
  const GvtQemuVfioDevice *d = g_ptr_array_index (c->vfio, chosen);
  const Source *vgpu = g_ptr_array_index (s->vfio_src, chosen);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      if (i == d->arg_index && vgpu->changed)
        g_ptr_array_add (v, source_render (vgpu));
      else if (s->ramfb != NULL && i == s->ramfb->arg_index && s->ramfb->changed)
        g_ptr_array_add (v, source_render (s->ramfb));
      else
        g_ptr_array_add (v, g_strdup (argv[i]));
      if (i == d->arg_index && plan->add_ramfb)
        {
          g_ptr_array_add (v, g_strdup ("-device"));
          g_ptr_array_add (v, g_strdup ("ramfb,id=" GVT_QEMU_RAMFB_ID));
        }
    }
  for (guint i = 0; i < tail->len; i++)
    g_ptr_array_add (v, g_strdup (g_ptr_array_index (tail, i)));
  g_ptr_array_add (v, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&v), FALSE);
}

static gboolean
launch_prepare (const char *const *argv, const GvtQemuLaunchOptions *opts, Scan *s,
                GvtQemuCmdline *c, GvtQemuLaunch *out, GError **error)
{
  guint chosen = 0;
  Plan plan = { out->notes, FALSE };
  g_autoptr (GPtrArray) tail = g_ptr_array_new_with_free_func (g_free);

  if (!scan_argv (argv, s, c, error))
    return FALSE;
  /* A daemon's fork opens the vGPU, not the process `run` watches: its
   * fds can't be found, and the VM would outlive run's Ctrl+C. */
  if (c->daemonize)
    return invalid (error, "-daemonize: QEMU would fork away from gvt-view run (the VM out of "
                           "its reach); drop -daemonize, or start QEMU yourself and use "
                           "`gvt-view attach PID`");
  if (!choose_vgpu (s, c, opts ? opts->vgpu : NULL, &chosen, error))
    return FALSE;
  const GvtQemuVfioDevice *d = g_ptr_array_index (c->vfio, chosen);
  if (d->sysfsdev == NULL)
    {
      g_autofree char *who = describe (d);
      return invalid (error, "%s names no device: add sysfsdev=/sys/bus/mdev/devices/UUID", who);
    }
  if (c->qmp_socket == NULL && (opts == NULL || opts->qmp_path == NULL))
    {
      g_set_error_literal (error, GVT_ERROR, GVT_ERROR_FAILED,
                           "the QEMU command line has no QMP socket and no path was given to "
                           "add one");
      return FALSE;
    }

  rewrite_vgpu (s, c, chosen, &plan);

  if (c->has_ramfb_device && c->ramfb_id == NULL)
    {
      source_set (s->ramfb, "id", GVT_QEMU_RAMFB_ID, json_string (GVT_QEMU_RAMFB_ID), TRUE);
      note (out->notes, "id=" GVT_QEMU_RAMFB_ID " added to -device ramfb: gvt-view names it to "
                        "QEMU's screendump to show the firmware's screen");
    }
  if (!c->has_display)
    {
      g_ptr_array_add (tail, g_strdup ("-display"));
      g_ptr_array_add (tail, g_strdup ("none"));
      note (out->notes, "-display none added: gvt-view shows the VM's display, so QEMU opens "
                        "no window of its own");
    }
  if (c->qmp_socket == NULL)
    {
      /* path= spelled out: a path with an '=' in it would be a key. */
      g_autofree char *esc = escape_commas (opts->qmp_path);
      g_ptr_array_add (tail, g_strdup ("-qmp"));
      g_ptr_array_add (tail, g_strdup_printf ("unix:path=%s,server=on,wait=off", esc));
      out->qmp_added = TRUE;
      note (out->notes, "-qmp unix:path=%s,server=on,wait=off added: gvt-view follows and drives "
                        "the VM through it (its state, the boot screen, input)", esc);
    }

  out->argv = build_argv (argv, s, c, chosen, &plan, tail);
  g_autoptr (GError) again = NULL;
  if (!gvt_qemu_cmdline_parse ((const char *const *) out->argv, &out->cmdline, &again))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED,
                   "the rewritten QEMU command line does not parse: %s", again->message);
      return FALSE;
    }
  if (out->qmp_added && g_strcmp0 (out->cmdline.qmp_socket, opts->qmp_path) != 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED,
                   "the QMP socket added to QEMU's command line reads back as %s, not %s",
                   out->cmdline.qmp_socket ? out->cmdline.qmp_socket : "nothing",
                   opts->qmp_path);
      return FALSE;
    }
  out->vgpu_index = chosen;
  if (out->cmdline.has_ramfb_device)
    out->ramfb_console = g_strdup (out->cmdline.ramfb_id);
  return TRUE;
}

gboolean
gvt_qemu_launch_prepare (const char *const *argv, const GvtQemuLaunchOptions *opts,
                         GvtQemuLaunch *out, GError **error)
{
  Scan s = { 0 };
  GvtQemuCmdline c = { 0 };

  memset (out, 0, sizeof *out);
  out->notes = g_ptr_array_new_with_free_func (g_free);
  gboolean ok = launch_prepare (argv, opts, &s, &c, out, error);
  scan_clear (&s);
  gvt_qemu_cmdline_clear (&c);
  if (!ok)
    gvt_qemu_launch_clear (out);
  return ok;
}

void
gvt_qemu_launch_clear (GvtQemuLaunch *self)
{
  g_clear_pointer (&self->argv, g_strfreev);
  gvt_qemu_cmdline_clear (&self->cmdline);
  g_clear_pointer (&self->ramfb_console, g_free);
  g_clear_pointer (&self->notes, g_ptr_array_unref);
  memset (self, 0, sizeof *self);
}
