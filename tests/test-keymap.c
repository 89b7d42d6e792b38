/* The key table against the kernel's own list of key codes
 * (linux/input-event-codes.h, parsed here at run time): ordered, one entry
 * per code and per qcode, every name the header's with the header's
 * number, the regular keys named by rule and the rest counted, and a
 * whole 105-key ISO keyboard in it. QEMU's side is test-keymap-qemu.c. */
#include <stdlib.h>
#include <string.h>

#include "qemu/keymap.h"

/* linux-libc-dev's, a build dependency of the project. */
#define INPUT_EVENT_CODES "/usr/include/linux/input-event-codes.h"

/* Entries whose qcode does not follow from the KEY_ name by the rule of
 * regular_qcode(): each an explicit pair in the table. A change to the
 * table changes this on purpose or not at all. */
#define N_EXCEPTIONS 89
/* Letters 26, digits 10, F1..F24, KP0..KP9. */
#define N_REGULAR (26 + 10 + 24 + 10)

typedef struct {
  /* "KEY_A" -> code, for names defined by a number in the header. */
  GHashTable *codes;
  /* "KEY_HANGUEL" -> "KEY_HANGEUL", for names defined by another name. */
  GHashTable *aliases;
} Header;

static void
header_free (Header *h)
{
  g_clear_pointer (&h->codes, g_hash_table_unref);
  g_clear_pointer (&h->aliases, g_hash_table_unref);
  g_free (h);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Header, header_free)

/* The header's KEY_* definitions, or NULL (the test skipped) when the
 * machine has no header. */
static Header *
header_load (void)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  /* linux-libc-dev: tests/deps.sh installs it (vfio.h comes from it too). */
  if (!g_file_test (INPUT_EVENT_CODES, G_FILE_TEST_EXISTS))
    g_error (INPUT_EVENT_CODES " is missing: tests/deps.sh installs linux-libc-dev");
  g_assert_true (g_file_get_contents (INPUT_EVENT_CODES, &text, NULL, &error));
  g_assert_no_error (error);

  g_autoptr (Header) h = g_new0 (Header, 1);
  h->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  h->aliases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (char **line = lines; *line; line++)
    {
      g_auto (GStrv) words = g_strsplit_set (*line, " \t", -1);
      const char *parts[3] = { NULL };
      guint n = 0;

      for (char **w = words; *w && n < G_N_ELEMENTS (parts); w++)
        if (**w)
          parts[n++] = *w;
      if (n < 3 || strcmp (parts[0], "#define") != 0 || !g_str_has_prefix (parts[1], "KEY_"))
        continue;
      if (g_ascii_isdigit (parts[2][0]))
        {
          char *end;
          guint64 value = g_ascii_strtoull (parts[2], &end, 0);
          g_assert_cmpint (*end, ==, '\0');
          g_assert_cmpuint (value, <=, G_MAXUINT16);
          g_hash_table_insert (h->codes, g_strdup (parts[1]), GUINT_TO_POINTER ((guint) value));
        }
      else
        g_hash_table_insert (h->aliases, g_strdup (parts[1]), g_strdup (parts[2]));
    }
  /* A parser that found nothing would make every check below vacuous. */
  g_assert_cmpuint (g_hash_table_size (h->codes), >, 400);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (h->codes, "KEY_ESC")), ==, 1);
  return g_steal_pointer (&h);
}

/* The qcode a regular key's name gives by rule ("KEY_A" "a", "KEY_7" "7",
 * "KEY_F13" "f13", "KEY_KP4" "kp_4"), or NULL for any other name. */
static char *
regular_qcode (const char *linux_name)
{
  const char *k = linux_name + strlen ("KEY_");
  gsize len = strlen (k);

  if (len == 1 && ((k[0] >= 'A' && k[0] <= 'Z') || g_ascii_isdigit (k[0])))
    return g_strdup_printf ("%c", g_ascii_tolower (k[0]));
  if (len == 3 && g_str_has_prefix (k, "KP") && g_ascii_isdigit (k[2]))
    return g_strdup_printf ("kp_%c", k[2]);
  if (k[0] == 'F' && len >= 2 && len <= 3 && g_ascii_isdigit (k[1])
      && (len == 2 || g_ascii_isdigit (k[2])) && k[1] != '0')
    {
      guint n = atoi (k + 1);
      if (n >= 1 && n <= 24)
        return g_strdup_printf ("f%u", n);
    }
  return NULL;
}

static void
test_ordered_unique (void)
{
  gsize n;
  const GvtKeymapEntry *all = gvt_keymap_get_all (&n);

  g_test_message ("%" G_GSIZE_FORMAT " entries", n);
  g_assert_cmpuint (n, ==, N_REGULAR + N_EXCEPTIONS);
  for (gsize i = 0; i < n; i++)
    {
      /* KEY_RESERVED is no key. */
      g_assert_cmpuint (all[i].code, >, 0);
      if (i > 0)
        g_assert_cmpuint (all[i - 1].code, <, all[i].code);
      g_assert_true (g_str_has_prefix (all[i].linux_name, "KEY_"));
      g_assert_cmpuint (strlen (all[i].qcode), >, 0);
    }
  /* The count alone is asked for too. */
  gsize again = 0;
  g_assert_true (gvt_keymap_get_all (NULL) == all);
  gvt_keymap_get_all (&again);
  g_assert_cmpuint (again, ==, n);
}

static void
test_qcodes_unique (void)
{
  gsize n;
  const GvtKeymapEntry *all = gvt_keymap_get_all (&n);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (gsize i = 0; i < n; i++)
    {
      const char *other = g_hash_table_lookup (seen, all[i].qcode);
      if (other)
        g_error ("qcode '%s' for both %s and %s", all[i].qcode, other, all[i].linux_name);
      g_hash_table_insert (seen, (gpointer) all[i].qcode, (gpointer) all[i].linux_name);
      /* QAPI enum names: lower case, digits, '_'. */
      for (const char *c = all[i].qcode; *c; c++)
        g_assert_true (g_ascii_islower (*c) || g_ascii_isdigit (*c) || *c == '_');
    }
}

static void
test_header_names_and_codes (void)
{
  g_autoptr (Header) h = header_load ();
  gsize n;
  const GvtKeymapEntry *all = gvt_keymap_get_all (&n);

  for (gsize i = 0; i < n; i++)
    {
      const char *name = all[i].linux_name;
      gpointer code;

      /* The header's own name for the code, not an alias of it. */
      if (g_hash_table_contains (h->aliases, name))
        g_error ("%s is an alias of %s in " INPUT_EVENT_CODES, name,
                 (char *) g_hash_table_lookup (h->aliases, name));
      if (!g_hash_table_lookup_extended (h->codes, name, NULL, &code))
        g_error ("%s is not in " INPUT_EVENT_CODES, name);
      if (GPOINTER_TO_UINT (code) != all[i].code)
        g_error ("%s is %u in " INPUT_EVENT_CODES ", the table says %u", name,
                 GPOINTER_TO_UINT (code), all[i].code);
    }
}

static void
test_name_rule (void)
{
  gsize n;
  const GvtKeymapEntry *all = gvt_keymap_get_all (&n);
  guint regular = 0, exceptions = 0;

  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *rule = regular_qcode (all[i].linux_name);
      if (rule)
        {
          g_assert_cmpstr (all[i].qcode, ==, rule);
          regular++;
        }
      else
        {
          g_test_message ("explicit: %s -> %s", all[i].linux_name, all[i].qcode);
          exceptions++;
        }
    }
  /* Names are unique (their codes are), so 70 regular ones are all of
   * A-Z, 0-9, F1-F24 and KP0-KP9. */
  g_assert_cmpuint (regular, ==, N_REGULAR);
  g_assert_cmpuint (exceptions, ==, N_EXCEPTIONS);

  /* The rule itself. */
  const char *const cases[][2] = {
    { "KEY_A", "a" },     { "KEY_Z", "z" },       { "KEY_0", "0" },    { "KEY_9", "9" },
    { "KEY_F1", "f1" },   { "KEY_F24", "f24" },   { "KEY_KP0", "kp_0" },
    { "KEY_F25", NULL },  { "KEY_F0", NULL },     { "KEY_FN", NULL },  { "KEY_KPDOT", NULL },
    { "KEY_ESC", NULL },  { "KEY_F", "f" },       { "KEY_102ND", NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = regular_qcode (cases[i][0]);
      g_assert_cmpstr (got, ==, cases[i][1]);
    }
}

/* A 105-key ISO keyboard (the 104-key ANSI one with KEY_102ND, and the key
 * left of Enter, KEY_BACKSLASH, in the home row). */
static const char *const iso105[] = {
  "KEY_ESC", "KEY_F1", "KEY_F2", "KEY_F3", "KEY_F4", "KEY_F5", "KEY_F6", "KEY_F7", "KEY_F8",
  "KEY_F9", "KEY_F10", "KEY_F11", "KEY_F12", "KEY_SYSRQ", "KEY_SCROLLLOCK", "KEY_PAUSE",
  "KEY_GRAVE", "KEY_1", "KEY_2", "KEY_3", "KEY_4", "KEY_5", "KEY_6", "KEY_7", "KEY_8", "KEY_9",
  "KEY_0", "KEY_MINUS", "KEY_EQUAL", "KEY_BACKSPACE",
  "KEY_TAB", "KEY_Q", "KEY_W", "KEY_E", "KEY_R", "KEY_T", "KEY_Y", "KEY_U", "KEY_I", "KEY_O",
  "KEY_P", "KEY_LEFTBRACE", "KEY_RIGHTBRACE",
  "KEY_CAPSLOCK", "KEY_A", "KEY_S", "KEY_D", "KEY_F", "KEY_G", "KEY_H", "KEY_J", "KEY_K",
  "KEY_L", "KEY_SEMICOLON", "KEY_APOSTROPHE", "KEY_BACKSLASH", "KEY_ENTER",
  "KEY_LEFTSHIFT", "KEY_102ND", "KEY_Z", "KEY_X", "KEY_C", "KEY_V", "KEY_B", "KEY_N", "KEY_M",
  "KEY_COMMA", "KEY_DOT", "KEY_SLASH", "KEY_RIGHTSHIFT",
  "KEY_LEFTCTRL", "KEY_LEFTMETA", "KEY_LEFTALT", "KEY_SPACE", "KEY_RIGHTALT", "KEY_RIGHTMETA",
  "KEY_COMPOSE", "KEY_RIGHTCTRL",
  "KEY_INSERT", "KEY_HOME", "KEY_PAGEUP", "KEY_DELETE", "KEY_END", "KEY_PAGEDOWN",
  "KEY_UP", "KEY_LEFT", "KEY_DOWN", "KEY_RIGHT",
  "KEY_NUMLOCK", "KEY_KPSLASH", "KEY_KPASTERISK", "KEY_KPMINUS", "KEY_KP7", "KEY_KP8",
  "KEY_KP9", "KEY_KPPLUS", "KEY_KP4", "KEY_KP5", "KEY_KP6", "KEY_KP1", "KEY_KP2", "KEY_KP3",
  "KEY_KPENTER", "KEY_KP0", "KEY_KPDOT",
};

static void
test_iso105 (void)
{
  gsize n;
  const GvtKeymapEntry *all = gvt_keymap_get_all (&n);
  g_autoptr (GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (G_N_ELEMENTS (iso105), ==, 105);
  for (guint i = 0; i < G_N_ELEMENTS (iso105); i++)
    g_assert_true (g_hash_table_add (keys, (gpointer) iso105[i]));
  for (gsize i = 0; i < n; i++)
    g_hash_table_remove (keys, all[i].linux_name);
  GHashTableIter iter;
  gpointer missing;
  g_hash_table_iter_init (&iter, keys);
  while (g_hash_table_iter_next (&iter, &missing, NULL))
    g_test_message ("not in the table: %s", (char *) missing);
  g_assert_cmpuint (g_hash_table_size (keys), ==, 0);
}

static void
test_lookup (void)
{
  gsize n;
  const GvtKeymapEntry *all = gvt_keymap_get_all (&n);
  gsize next = 0;

  /* Every code up to KEY_MAX and a few past it: the entry's qcode, or
   * NULL between entries. */
  for (guint code = 0; code <= 0x300; code++)
    {
      const char *qcode = gvt_keymap_qcode (code);
      if (next < n && all[next].code == code)
        g_assert_true (qcode == all[next++].qcode);
      else
        g_assert_null (qcode);
    }
  g_assert_cmpuint (next, ==, n);
  g_assert_null (gvt_keymap_qcode (G_MAXUINT16 + 1u));
  g_assert_null (gvt_keymap_qcode (G_MAXUINT));
  /* The ISO key the issue names, by its number in the header. */
  g_assert_cmpstr (gvt_keymap_qcode (86), ==, "less");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/keymap/table/ordered-unique", test_ordered_unique);
  g_test_add_func ("/keymap/table/qcodes-unique", test_qcodes_unique);
  g_test_add_func ("/keymap/header/names-and-codes", test_header_names_and_codes);
  g_test_add_func ("/keymap/names/rule-and-exceptions", test_name_rule);
  g_test_add_func ("/keymap/layout/iso-105", test_iso105);
  g_test_add_func ("/keymap/lookup/every-code", test_lookup);
  return g_test_run ();
}
