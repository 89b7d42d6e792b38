/* The window's settings: the command line over the config file's
 * [vm NAME] over its [window] over the built-in defaults. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "cmd-render.h"
#include "display/edid-policy.h"
#include "ui/input.h"

/* Bigger is no config file: read no further. */
#define MAX_FILE_SIZE (1024 * 1024)

typedef gboolean (*CheckFunc) (const char *value, GError **error);

static gboolean
check_scale (const char *value, GError **error)
{
  GvtCmdPicture picture;
  return gvt_cmd_parse_picture (NULL, value, NULL, &picture, error);
}

static gboolean
check_filter (const char *value, GError **error)
{
  GvtCmdPicture picture;
  return gvt_cmd_parse_picture (NULL, NULL, value, &picture, error);
}

static gboolean
check_size (const char *value, GError **error)
{
  GvtCmdPicture picture;
  return gvt_cmd_parse_picture (value, NULL, NULL, &picture, error);
}

static gboolean
check_grab_keys (const char *value, GError **error)
{
  guint keyval;
  GdkModifierType mods;
  return gvt_input_parse_grab_keys (value, &keyval, &mods, error);
}

static gboolean
check_edid (const char *value, GError **error)
{
  GvtEdidConfig config;
  return gvt_edid_config_parse (value, NULL, &config, error);
}

static gboolean
check_resolution (const char *value, GError **error)
{
  GvtEdidConfig config;
  return gvt_edid_config_parse (NULL, value, &config, error);
}

static const struct {
  const char *name;
  CheckFunc check;      /* NULL: a switch (true or false) */
  const char *shown;    /* the built-in default, as --print-config shows it */
} keys[GVT_CONFIG_N_KEYS] = {
  [GVT_CONFIG_SCALE] = { "scale", check_scale, "fit" },
  [GVT_CONFIG_FILTER] = { "filter", check_filter, "auto" },
  [GVT_CONFIG_SIZE] = { "size", check_size, "" },
  [GVT_CONFIG_FULLSCREEN] = { "fullscreen", NULL, "false" },
  [GVT_CONFIG_STATS] = { "stats", NULL, "false" },
  [GVT_CONFIG_GRAB_KEYS] = { "grab-keys", check_grab_keys, GVT_INPUT_DEFAULT_GRAB_KEYS },
  [GVT_CONFIG_VIEW_ONLY] = { "view-only", NULL, "false" },
  [GVT_CONFIG_RELATIVE_MOUSE] = { "relative-mouse", NULL, "false" },
  [GVT_CONFIG_EDID] = { "edid", check_edid, "on" },
  [GVT_CONFIG_RESOLUTION] = { "resolution", check_resolution, "" },
  [GVT_CONFIG_QUIT_WITH_VM] = { "quit-with-vm", NULL, "false" },
};

/* Settings that contradict each other when both are "active": the
 * command line refuses the pair; from different places the one of higher
 * precedence wins. */
static const struct {
  GvtConfigKey a, b;
} contradictions[] = {
  { GVT_CONFIG_VIEW_ONLY, GVT_CONFIG_RELATIVE_MOUSE },  /* no input: no mouse mode */
  { GVT_CONFIG_EDID, GVT_CONFIG_RESOLUTION },           /* off: no EDID to give */
};

static gboolean
is_active (GvtConfigKey key, const char *value)
{
  if (value == NULL)
    return FALSE;
  if (key == GVT_CONFIG_EDID)
    return strcmp (value, "off") == 0;
  if (key == GVT_CONFIG_RESOLUTION)
    return TRUE;
  return strcmp (value, "true") == 0;
}

typedef struct {
  char *value;            /* NULL: the built-in default */
  GvtConfigOrigin origin;
  guint line;
  char *overridden;       /* back at the default: what won over its value, and where that was */
} Setting;

struct _GvtConfig {
  Setting settings[GVT_CONFIG_N_KEYS];
  char *path;             /* the file read (or looked for) */
  gboolean found;         /* it was there */
  char *vm;
};

GvtConfig *
gvt_config_new (void)
{
  return g_new0 (GvtConfig, 1);
}

void
gvt_config_free (GvtConfig *self)
{
  if (self == NULL)
    return;
  for (int i = 0; i < GVT_CONFIG_N_KEYS; i++)
    {
      g_free (self->settings[i].value);
      g_free (self->settings[i].overridden);
    }
  g_free (self->path);
  g_free (self->vm);
  g_free (self);
}

const char *
gvt_config_key_name (GvtConfigKey key)
{
  g_return_val_if_fail (key < GVT_CONFIG_N_KEYS, NULL);
  return keys[key].name;
}

static int
key_by_name (const char *name)
{
  for (int i = 0; i < GVT_CONFIG_N_KEYS; i++)
    if (strcmp (keys[i].name, name) == 0)
      return i;
  return -1;
}

static void
setting_set (Setting *s, const char *value, GvtConfigOrigin origin, guint line)
{
  g_free (s->value);
  s->value = g_strdup (value);
  s->origin = origin;
  s->line = line;
  g_clear_pointer (&s->overridden, g_free);
}

gboolean
gvt_config_option (const char *option_name, const char *value, gpointer data, GError **error)
{
  GvtConfig *self = data;
  const char *name = g_str_has_prefix (option_name, "--") ? option_name + 2 : option_name;
  gboolean negated = g_str_has_prefix (name, "no-");
  int key = strcmp (name, "-f") == 0 ? GVT_CONFIG_FULLSCREEN
                                     : key_by_name (negated ? name + 3 : name);

  if (key < 0 || (negated && keys[key].check != NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                   "Unknown option %s", option_name);
      return FALSE;
    }
  if (keys[key].check == NULL)
    value = negated ? "false" : "true";
  setting_set (&self->settings[key], value, GVT_CONFIG_FROM_COMMAND_LINE, 0);
  return TRUE;
}

char *
gvt_config_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "gvt-view", "gvt-view.conf", NULL);
}

/* --- reading the file --- */

typedef struct {
  guint line;  /* 0: the whole file */
  guint seq;
  char *text;
} Warning;

typedef struct {
  const char *path;
  GArray *warnings;  /* Warning: said in the file's order at the end */
} Reader;

static void G_GNUC_PRINTF (3, 4)
warn (Reader *r, guint line, const char *format, ...)
{
  va_list ap;
  Warning w = { .line = line, .seq = r->warnings->len };

  va_start (ap, format);
  w.text = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_array_append_val (r->warnings, w);
}

static gint
warning_cmp (gconstpointer a, gconstpointer b)
{
  const Warning *wa = a, *wb = b;
  if (wa->line != wb->line)
    return wa->line < wb->line ? -1 : 1;
  return wa->seq < wb->seq ? -1 : wa->seq > wb->seq;
}

/* The warnings, by line (the scan and the values' checks find them in
 * two passes). */
static void
say_warnings (Reader *r, FILE *err)
{
  g_array_sort (r->warnings, warning_cmp);
  for (guint i = 0; i < r->warnings->len; i++)
    {
      Warning *w = &g_array_index (r->warnings, Warning, i);
      if (w->line > 0)
        fprintf (err, "gvt-view: %s:%u: %s\n", r->path, w->line, w->text);
      else
        fprintf (err, "gvt-view: %s: %s\n", r->path, w->text);
      g_free (w->text);
    }
  g_array_set_size (r->warnings, 0);
}

/* The whole file, NULL when there is none (silently) or it can't be read
 * (said). GLib's readers would name the file in their own words: this
 * says it like the rest of the warnings. Only a regular file is read: the
 * open doesn't wait for a FIFO's writer, and a FIFO or a device is refused. */
static char *
read_file (Reader *r, gboolean *found)
{
  int fd = open (r->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  struct stat st;

  *found = FALSE;
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
    return NULL;
  *found = TRUE;
  if (fd < 0)
    {
      warn (r, 0, "cannot read it: %s; using the built-in settings", g_strerror (errno));
      return NULL;
    }
  g_autoptr (GString) text = g_string_new (NULL);
  gboolean ok = fstat (fd, &st) == 0;
  if (ok && !S_ISREG (st.st_mode) && !S_ISDIR (st.st_mode))
    {
      close (fd);
      warn (r, 0, "not a regular file; using the built-in settings");
      return NULL;
    }
  if (ok && S_ISDIR (st.st_mode))
    errno = EISDIR, ok = FALSE;
  while (ok && text->len <= MAX_FILE_SIZE)
    {
      char buf[4096];
      ssize_t n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          ok = n == 0;
          break;
        }
      g_string_append_len (text, buf, n);
    }
  int saved = errno;
  close (fd);
  if (!ok)
    {
      warn (r, 0, "cannot read it: %s; using the built-in settings", g_strerror (saved));
      return NULL;
    }
  if (text->len > MAX_FILE_SIZE)
    {
      warn (r, 0, "over %d KiB, not a config file; using the built-in settings",
            MAX_FILE_SIZE / 1024);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* One key of one group, as the file last gave it. */
typedef struct {
  char *raw;   /* the text after '=', GKeyFile's escapes still in it */
  guint line;
} Entry;

typedef struct {
  char *name;      /* "window" or "vm NAME" */
  guint line;      /* its first header */
  Entry entries[GVT_CONFIG_N_KEYS];
} Group;

static void
group_free (Group *g)
{
  for (int i = 0; i < GVT_CONFIG_N_KEYS; i++)
    g_free (g->entries[i].raw);
  g_free (g->name);
  g_free (g);
}

static gboolean
is_group_name (const char *name)
{
  for (const char *p = name; *p != '\0'; p++)
    if (g_ascii_iscntrl (*p) || *p == '[' || *p == ']')
      return FALSE;
  return TRUE;
}

/* "window", or "vm NAME" with NAME's outer spaces gone; NULL (said) for a
 * group gvt-view doesn't have. */
static char *
known_group (Reader *r, guint line, const char *name)
{
  if (strcmp (name, GVT_CONFIG_DEFAULT_GROUP) == 0)
    return g_strdup (name);
  if (g_str_has_prefix (name, "vm ") || strcmp (name, "vm") == 0)
    {
      g_autofree char *vm = g_strstrip (g_strdup (name + 2));
      if (*vm != '\0')
        return g_strconcat ("vm ", vm, NULL);
      warn (r, line, "[%s]: give the VM's name, [vm NAME]", name);
      return NULL;
    }
  warn (r, line, "[%s]: unknown group (use [" GVT_CONFIG_DEFAULT_GROUP "] or [vm NAME])", name);
  return NULL;
}

static char *
key_list (void)
{
  g_autoptr (GString) s = g_string_new (NULL);
  for (int i = 0; i < GVT_CONFIG_N_KEYS; i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", keys[i].name);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Goes through the lines the way GKeyFile does — leading white space
 * skipped, '#' a comment, "[GROUP]", "KEY = VALUE" with white space
 * around the '=' — to know the line of each key (GKeyFile doesn't say),
 * and to set aside each line, group or key it would refuse or gvt-view
 * doesn't know, so that the rest of the file still applies. Returns the
 * groups (Group *) in the order of their first header. */
static GPtrArray *
scan (Reader *r, const char *text)
{
  g_autoptr (GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  Group *group = NULL;
  gboolean in_bad_group = FALSE;
  g_autofree char *all_keys = key_list ();

  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint line = i + 1;
      char *s = lines[i];
      gsize len = strlen (s);
      if (len > 0 && s[len - 1] == '\r')
        s[--len] = '\0';
      while (g_ascii_isspace (*s))
        s++;
      if (*s == '\0' || *s == '#')
        continue;

      if (*s == '[')
        {
          g_strchomp (s);
          len = strlen (s);
          g_autofree char *name = len >= 2 && s[len - 1] == ']' ? g_strndup (s + 1, len - 2) : NULL;
          g_autofree char *known = NULL;
          group = NULL;
          in_bad_group = TRUE;
          if (name == NULL || !is_group_name (name))
            {
              g_autofree char *shown = g_strescape (s, NULL);
              warn (r, line, "'%s' is not a [GROUP] line", shown);
              continue;
            }
          known = known_group (r, line, name);
          if (known == NULL)
            continue;
          in_bad_group = FALSE;
          for (guint g = 0; g < groups->len && group == NULL; g++)
            if (strcmp (((Group *) groups->pdata[g])->name, known) == 0)
              group = groups->pdata[g];
          if (group == NULL)
            {
              group = g_new0 (Group, 1);
              group->name = g_steal_pointer (&known);
              group->line = line;
              g_ptr_array_add (groups, group);
            }
          continue;
        }

      char *eq = strchr (s, '=');
      if (eq == NULL || eq == s)
        {
          g_autofree char *shown = g_strescape (s, NULL);
          warn (r, line, "'%s' is not a KEY = VALUE line, a [GROUP] or a # comment", shown);
          continue;
        }
      *eq = '\0';
      g_strchomp (s);
      char *value = g_strstrip (eq + 1);
      g_autofree char *key_shown = g_strescape (s, NULL);
      if (in_bad_group)
        continue;  /* its header was said */
      if (group == NULL)
        {
          warn (r, line, "%s: before any group (put it under [" GVT_CONFIG_DEFAULT_GROUP "])",
                key_shown);
          continue;
        }
      int key = key_by_name (s);
      if (key < 0)
        {
          warn (r, line, "[%s] %s: unknown key (the keys: %s)", group->name, key_shown, all_keys);
          continue;
        }
      /* As in GKeyFile, the last one given wins. */
      g_free (group->entries[key].raw);
      group->entries[key].raw = g_strdup (value);
      group->entries[key].line = line;
    }
  return g_steal_pointer (&groups);
}

/* A parser's message starts "--KEY VALUE: ..."; in the file it is
 * "KEY = VALUE: ...". */
static char *
file_message (GvtConfigKey key, const char *message)
{
  g_autofree char *option = g_strconcat ("--", keys[key].name, " ", NULL);
  if (g_str_has_prefix (message, option))
    return g_strconcat (keys[key].name, " = ", message + strlen (option), NULL);
  return g_strconcat (keys[key].name, ": ", message, NULL);
}

/* A switch's value as the file may write it; NULL for anything else. */
static const char *
parse_switch (const char *value)
{
  static const char *const yes[] = { "true", "yes", "on", "1" };
  static const char *const no[] = { "false", "no", "off", "0" };
  for (gsize i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (g_ascii_strcasecmp (value, yes[i]) == 0)
        return "true";
      if (g_ascii_strcasecmp (value, no[i]) == 0)
        return "false";
    }
  return NULL;
}

/* What one group says, checked: values[key] (NULL: the built-in default)
 * where given[key]. */
typedef struct {
  gboolean given[GVT_CONFIG_N_KEYS];
  char *values[GVT_CONFIG_N_KEYS];
} Checked;

static void
checked_clear (Checked *c)
{
  for (int i = 0; i < GVT_CONFIG_N_KEYS; i++)
    g_free (c->values[i]);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Checked, checked_clear)

static void
check_group (Reader *r, GKeyFile *file, Group *group, Checked *out)
{
  for (int key = 0; key < GVT_CONFIG_N_KEYS; key++)
    {
      Entry *e = &group->entries[key];
      if (e->raw == NULL)
        continue;
      g_autoptr (GError) error = NULL;
      g_autofree char *value = g_key_file_get_string (file, group->name, keys[key].name, &error);
      g_autofree char *raw_shown = g_strescape (e->raw, NULL);
      /* GKeyFile may return what it could read along with its error. */
      if (value == NULL || error != NULL)
        {
          warn (r, e->line, "[%s] %s = %s: %s", group->name, keys[key].name, raw_shown,
                error->message);
          continue;
        }
      if (*value == '\0')
        {
          /* Empty: the built-in default (a [vm NAME] undoing [window]). */
          out->given[key] = TRUE;
          continue;
        }
      if (keys[key].check == NULL)
        {
          const char *b = parse_switch (value);
          if (b == NULL)
            {
              warn (r, e->line, "[%s] %s = %s: use true or false", group->name, keys[key].name,
                    raw_shown);
              continue;
            }
          out->values[key] = g_strdup (b);
        }
      else if (!keys[key].check (value, &error))
        {
          g_autofree char *message = file_message (key, error->message);
          warn (r, e->line, "[%s] %s", group->name, message);
          continue;
        }
      else
        out->values[key] = g_steal_pointer (&value);
      out->given[key] = TRUE;
    }

  /* One group contradicting itself: its later line is ignored. */
  for (gsize i = 0; i < G_N_ELEMENTS (contradictions); i++)
    {
      GvtConfigKey a = contradictions[i].a, b = contradictions[i].b;
      if (!is_active (a, out->values[a]) || !is_active (b, out->values[b]))
        continue;
      GvtConfigKey later = group->entries[a].line > group->entries[b].line ? a : b;
      GvtConfigKey earlier = later == a ? b : a;
      warn (r, group->entries[later].line, "[%s] %s = %s contradicts %s = %s (line %u): ignored",
            group->name, keys[later].name, out->values[later], keys[earlier].name,
            out->values[earlier], group->entries[earlier].line);
      g_clear_pointer (&out->values[later], g_free);
      out->given[later] = FALSE;
    }
}

static char *
source_text (GvtConfig *self, const Setting *s)
{
  switch (s->origin)
    {
    case GVT_CONFIG_FROM_FILE:
      return g_strdup_printf ("%s:%u", self->path, s->line);
    case GVT_CONFIG_FROM_VM:
      return g_strdup_printf ("%s:%u [vm %s]", self->path, s->line, self->vm);
    case GVT_CONFIG_FROM_COMMAND_LINE:
      return g_strdup ("command line");
    case GVT_CONFIG_FROM_DEFAULT:
    default:
      if (s->overridden != NULL)
        return g_strdup_printf ("default: %s", s->overridden);
      return g_strdup ("default");
    }
}

/* Two settings from different places contradicting each other: the one
 * of higher precedence wins, the other is back at its default. */
static void
settle_contradictions (GvtConfig *self)
{
  for (gsize i = 0; i < G_N_ELEMENTS (contradictions); i++)
    {
      GvtConfigKey a = contradictions[i].a, b = contradictions[i].b;
      Setting *sa = &self->settings[a], *sb = &self->settings[b];
      if (!is_active (a, sa->value) || !is_active (b, sb->value) || sa->origin == sb->origin)
        continue;
      GvtConfigKey winner = sa->origin > sb->origin ? a : b;
      GvtConfigKey loser = winner == a ? b : a;
      Setting *w = &self->settings[winner], *l = &self->settings[loser];
      g_autofree char *w_source = source_text (self, w);
      g_autofree char *l_source = source_text (self, l);
      g_autofree char *why = g_strdup_printf ("%s = %s (%s) overrides %s = %s (%s)",
                                              keys[winner].name, w->value, w_source,
                                              keys[loser].name, l->value, l_source);
      setting_set (l, NULL, GVT_CONFIG_FROM_DEFAULT, 0);
      l->overridden = g_steal_pointer (&why);
    }
}

static void
apply_group (GvtConfig *self, const Group *group, const Checked *c, GvtConfigOrigin origin)
{
  for (int key = 0; key < GVT_CONFIG_N_KEYS; key++)
    if (c->given[key] && self->settings[key].origin < origin)
      setting_set (&self->settings[key], c->values[key], origin, group->entries[key].line);
}

static void
load_file (GvtConfig *self, Reader *r)
{
  g_autofree char *text = read_file (r, &self->found);
  if (text == NULL)
    return;
  g_autoptr (GPtrArray) groups = scan (r, text);

  /* What is left, in GKeyFile's own form, for its unescaping of values. */
  g_autoptr (GString) clean = g_string_new (NULL);
  for (guint g = 0; g < groups->len; g++)
    {
      Group *group = groups->pdata[g];
      g_string_append_printf (clean, "[%s]\n", group->name);
      for (int key = 0; key < GVT_CONFIG_N_KEYS; key++)
        if (group->entries[key].raw != NULL)
          g_string_append_printf (clean, "%s=%s\n", keys[key].name, group->entries[key].raw);
    }
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  if (!g_key_file_load_from_data (file, clean->str, clean->len, G_KEY_FILE_NONE, &error))
    {
      warn (r, 0, "%s; using the built-in settings", error->message);
      return;
    }

  g_autofree char *vm_group = self->vm ? g_strconcat ("vm ", self->vm, NULL) : NULL;
  for (guint g = 0; g < groups->len; g++)
    {
      Group *group = groups->pdata[g];
      g_auto (Checked) checked = { 0 };
      /* Every group is checked, also one for another VM. */
      check_group (r, file, group, &checked);
      if (strcmp (group->name, GVT_CONFIG_DEFAULT_GROUP) == 0)
        apply_group (self, group, &checked, GVT_CONFIG_FROM_FILE);
      else if (vm_group != NULL && strcmp (group->name, vm_group) == 0)
        apply_group (self, group, &checked, GVT_CONFIG_FROM_VM);
    }
}

void
gvt_config_load (GvtConfig *self, const char *path, const char *vm, FILE *err)
{
  g_free (self->path);
  self->path = path ? g_strdup (path) : gvt_config_default_path ();
  g_free (self->vm);
  self->vm = vm && *vm ? g_strdup (vm) : NULL;
  Reader r = { .path = self->path, .warnings = g_array_new (FALSE, FALSE, sizeof (Warning)) };
  load_file (self, &r);
  say_warnings (&r, err);
  g_array_unref (r.warnings);
  settle_contradictions (self);
}

const char *
gvt_config_get (GvtConfig *self, GvtConfigKey key)
{
  g_return_val_if_fail (key < GVT_CONFIG_N_KEYS, NULL);
  return self->settings[key].value;
}

gboolean
gvt_config_get_bool (GvtConfig *self, GvtConfigKey key)
{
  const char *value = gvt_config_get (self, key);
  return value != NULL && strcmp (value, "true") == 0;
}

GvtConfigOrigin
gvt_config_get_origin (GvtConfig *self, GvtConfigKey key)
{
  g_return_val_if_fail (key < GVT_CONFIG_N_KEYS, GVT_CONFIG_FROM_DEFAULT);
  return self->settings[key].origin;
}

guint
gvt_config_get_line (GvtConfig *self, GvtConfigKey key)
{
  g_return_val_if_fail (key < GVT_CONFIG_N_KEYS, 0);
  return self->settings[key].line;
}

void
gvt_config_print (GvtConfig *self, guint n_keys, FILE *out)
{
  g_autofree char *path = self->path ? g_strdup (self->path) : gvt_config_default_path ();

  fprintf (out, "# config file: %s%s\n", path, self->found ? "" : " (none)");
  if (self->vm != NULL)
    fprintf (out, "# VM: %s\n", self->vm);
  else
    fprintf (out, "# VM: none known (no [vm NAME] group applies)\n");
  for (guint key = 0; key < MIN (n_keys, GVT_CONFIG_N_KEYS); key++)
    {
      const Setting *s = &self->settings[key];
      g_autofree char *source = source_text (self, s);
      const char *value = s->value ? s->value : keys[key].shown;
      fprintf (out, "%s = %s  (%s)\n", keys[key].name, value, source);
    }
}
