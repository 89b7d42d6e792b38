/* Tests of the config file (src/cmd/config.c): each key's good and bad
 * values, the warnings' exact text (file, line, group, key), what is
 * ignored, the precedence default < [window] < [vm NAME] < command line,
 * and --print-config's lines. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "cmd/config.h"

typedef struct {
  char *dir;
  char *path;
  GvtConfig *config;
  char *err;   /* what the last load said */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  f->dir = g_dir_make_tmp ("gvt-config-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "gvt-view.conf", NULL);
  f->config = gvt_config_new ();
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_unlink (f->path);
  g_rmdir (f->path);  /* the unreadable test's */
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  gvt_config_free (f->config);
  g_free (f->path);
  g_free (f->dir);
  g_free (f->err);
}

/* Writes @text (NULL: no file) and loads it for @vm into f->config. */
static void
load (Fixture *f, const char *text, const char *vm)
{
  g_autoptr (GError) error = NULL;
  if (text != NULL)
    {
      g_file_set_contents (f->path, text, -1, &error);
      g_assert_no_error (error);
    }
  size_t len = 0;
  g_clear_pointer (&f->err, g_free);
  FILE *err = open_memstream (&f->err, &len);
  gvt_config_load (f->config, f->path, vm, err);
  fclose (err);
}

/* A fresh config, as a new command would have. */
static void
renew (Fixture *f)
{
  gvt_config_free (f->config);
  f->config = gvt_config_new ();
}

/* "gvt-view: PATH:LINE: TEXT\n" */
static char *
warning (Fixture *f, guint line, const char *text)
{
  return g_strdup_printf ("gvt-view: %s:%u: %s\n", f->path, line, text);
}

static void
assert_setting (Fixture *f, GvtConfigKey key, const char *value, GvtConfigOrigin origin,
                guint line)
{
  g_test_message ("%s", gvt_config_key_name (key));
  g_assert_cmpstr (gvt_config_get (f->config, key), ==, value);
  g_assert_cmpint (gvt_config_get_origin (f->config, key), ==, origin);
  g_assert_cmpint (gvt_config_get_line (f->config, key), ==, line);
}

static void
test_missing (Fixture *f, gconstpointer data)
{
  load (f, NULL, "web");
  g_assert_cmpstr (f->err, ==, "");
  for (int key = 0; key < GVT_CONFIG_N_KEYS; key++)
    assert_setting (f, key, NULL, GVT_CONFIG_FROM_DEFAULT, 0);
  g_assert_false (gvt_config_get_bool (f->config, GVT_CONFIG_FULLSCREEN));
}

/* Every key with a good value, as the file may write it. */
static void
test_good_values (Fixture *f, gconstpointer data)
{
  load (f, "[window]\n"
           "scale = integer\n"
           "filter = nearest\n"
           "size = 800x600\n"
           "fullscreen = true\n"
           "stats = yes\n"
           "grab-keys = Ctrl+Shift+F12\n"
           "view-only = off\n"
           "relative-mouse = True\n"
           "edid = on\n"
           "resolution = 1280x720\n"
           "quit-with-vm = 1\n", NULL);
  g_assert_cmpstr (f->err, ==, "");
  assert_setting (f, GVT_CONFIG_SCALE, "integer", GVT_CONFIG_FROM_FILE, 2);
  assert_setting (f, GVT_CONFIG_FILTER, "nearest", GVT_CONFIG_FROM_FILE, 3);
  assert_setting (f, GVT_CONFIG_SIZE, "800x600", GVT_CONFIG_FROM_FILE, 4);
  assert_setting (f, GVT_CONFIG_FULLSCREEN, "true", GVT_CONFIG_FROM_FILE, 5);
  assert_setting (f, GVT_CONFIG_STATS, "true", GVT_CONFIG_FROM_FILE, 6);
  assert_setting (f, GVT_CONFIG_GRAB_KEYS, "Ctrl+Shift+F12", GVT_CONFIG_FROM_FILE, 7);
  assert_setting (f, GVT_CONFIG_VIEW_ONLY, "false", GVT_CONFIG_FROM_FILE, 8);
  assert_setting (f, GVT_CONFIG_RELATIVE_MOUSE, "true", GVT_CONFIG_FROM_FILE, 9);
  assert_setting (f, GVT_CONFIG_EDID, "on", GVT_CONFIG_FROM_FILE, 10);
  assert_setting (f, GVT_CONFIG_RESOLUTION, "1280x720", GVT_CONFIG_FROM_FILE, 11);
  assert_setting (f, GVT_CONFIG_QUIT_WITH_VM, "true", GVT_CONFIG_FROM_FILE, 12);
  g_assert_true (gvt_config_get_bool (f->config, GVT_CONFIG_FULLSCREEN));
  g_assert_false (gvt_config_get_bool (f->config, GVT_CONFIG_VIEW_ONLY));
}

/* Each bad value: one warning, exactly, and the key keeps its default. */
static void
test_bad_values (Fixture *f, gconstpointer data)
{
  static const struct {
    GvtConfigKey key;
    const char *line;
    const char *warning;
  } cases[] = {
    { GVT_CONFIG_SCALE, "scale = huge", "[window] scale = huge: use fit, fill, integer or native" },
    { GVT_CONFIG_FILTER, "filter = cubic", "[window] filter = cubic: use auto, linear or nearest" },
    { GVT_CONFIG_SIZE, "size = 800", "[window] size = 800: use WIDTHxHEIGHT (1 to 16384 each, e.g. 1920x1080)" },
    { GVT_CONFIG_SIZE, "size = 0x600", "[window] size = 0x600: use WIDTHxHEIGHT (1 to 16384 each, e.g. 1920x1080)" },
    { GVT_CONFIG_FULLSCREEN, "fullscreen = maybe", "[window] fullscreen = maybe: use true or false" },
    { GVT_CONFIG_STATS, "stats = 2", "[window] stats = 2: use true or false" },
    { GVT_CONFIG_GRAB_KEYS, "grab-keys = g",
      "[window] grab-keys = 'g': give ctrl, alt or super too (the guest would never get that key alone)" },
    { GVT_CONFIG_GRAB_KEYS, "grab-keys = hyper+g",
      "[window] grab-keys = 'hyper+g': 'hyper' is not a modifier (ctrl, alt, shift, super)" },
    { GVT_CONFIG_GRAB_KEYS, "grab-keys = ctrl+alt+nokey",
      "[window] grab-keys = 'ctrl+alt+nokey': the last part must name a key (g, F12, Pause)" },
    { GVT_CONFIG_VIEW_ONLY, "view-only = sure", "[window] view-only = sure: use true or false" },
    { GVT_CONFIG_RELATIVE_MOUSE, "relative-mouse = relative",
      "[window] relative-mouse = relative: use true or false" },
    { GVT_CONFIG_EDID, "edid = maybe",
      "[window] edid = 'maybe': use on (the guest resolution follows the window) or off (the "
      "guest's EDID is left alone)" },
    { GVT_CONFIG_RESOLUTION, "resolution = 1281x720",
      "[window] resolution = 1281x720: use even numbers (guest drivers and video encoders trip "
      "over odd sizes), e.g. 1280x720" },
    { GVT_CONFIG_RESOLUTION, "resolution = 320x240",
      "[window] resolution = 320x240: the smallest mode gvt-view gives a guest is 640x480" },
    { GVT_CONFIG_QUIT_WITH_VM, "quit-with-vm = -1", "[window] quit-with-vm = -1: use true or false" },
    /* GKeyFile's own refusal of a value: an escape it doesn't know. */
    { GVT_CONFIG_SCALE, "scale = fit\\q",
      "[window] scale = fit\\\\q: Key file contains key “scale” which has a value that cannot "
      "be interpreted." },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      renew (f);
      g_autofree char *text = g_strdup_printf ("# bad values\n[window]\nstats = true\n%s\n",
                                               cases[i].line);
      load (f, text, NULL);
      g_autofree char *want = warning (f, 4, cases[i].warning);
      g_assert_cmpstr (f->err, ==, want);
      if (cases[i].key != GVT_CONFIG_STATS)
        {
          assert_setting (f, cases[i].key, NULL, GVT_CONFIG_FROM_DEFAULT, 0);
          /* The rest of the file still applies. */
          assert_setting (f, GVT_CONFIG_STATS, "true", GVT_CONFIG_FROM_FILE, 3);
        }
      else
        /* The earlier good line is overwritten by the bad one: both gone. */
        assert_setting (f, GVT_CONFIG_STATS, NULL, GVT_CONFIG_FROM_DEFAULT, 0);
    }
}

/* Lines, keys and groups gvt-view doesn't know, and lines GKeyFile
 * would refuse: each said, with its line; the rest applies. */
static void
test_unknown (Fixture *f, gconstpointer data)
{
  load (f, "scale = fill\n"                 /* 1: before any group */
           "[window]\n"                     /* 2 */
           "scalle = fill\n"                /* 3: a typo */
           "scale[de] = fill\n"             /* 4: a locale GKeyFile would take */
           "just words\n"                   /* 5: GKeyFile: a syntax error */
           "filter = linear\n"              /* 6 */
           "[windows]\n"                    /* 7: unknown group ... */
           "scale = native\n"               /* 8: ... its keys ignored, silently */
           "[vm]\n"                         /* 9: no name */
           "[window\n"                      /* 10: not a header */
           "size = 10x10\n"                 /* 11: in no group gvt-view knows */
           "[vm a\tb]\n"                    /* 12: a control character */
           "= 4\n"                          /* 13: no key */
           "[window]\n"                     /* 14: the same group again */
           "fullscreen = true\n",           /* 15 */
        NULL);
  g_autofree char *w1 = warning (f, 1, "scale: before any group (put it under [window])");
  g_autofree char *w3 = warning (f, 3, "[window] scalle: unknown key (the keys: scale, filter, "
                                       "size, fullscreen, stats, grab-keys, view-only, "
                                       "relative-mouse, edid, resolution, quit-with-vm)");
  g_autofree char *w4 = warning (f, 4, "[window] scale[de]: unknown key (the keys: scale, "
                                       "filter, size, fullscreen, stats, grab-keys, view-only, "
                                       "relative-mouse, edid, resolution, quit-with-vm)");
  g_autofree char *w5 = warning (f, 5, "'just words' is not a KEY = VALUE line, a [GROUP] or a "
                                       "# comment");
  g_autofree char *w7 = warning (f, 7, "[windows]: unknown group (use [window] or [vm NAME])");
  g_autofree char *w9 = warning (f, 9, "[vm]: give the VM's name, [vm NAME]");
  g_autofree char *w10 = warning (f, 10, "'[window' is not a [GROUP] line");
  g_autofree char *w12 = warning (f, 12, "'[vm a\\tb]' is not a [GROUP] line");
  g_autofree char *w13 = warning (f, 13, "'= 4' is not a KEY = VALUE line, a [GROUP] or a "
                                         "# comment");
  g_autofree char *want = g_strconcat (w1, w3, w4, w5, w7, w9, w10, w12, w13, NULL);
  g_assert_cmpstr (f->err, ==, want);
  assert_setting (f, GVT_CONFIG_SCALE, NULL, GVT_CONFIG_FROM_DEFAULT, 0);
  assert_setting (f, GVT_CONFIG_FILTER, "linear", GVT_CONFIG_FROM_FILE, 6);
  assert_setting (f, GVT_CONFIG_SIZE, NULL, GVT_CONFIG_FROM_DEFAULT, 0);
  assert_setting (f, GVT_CONFIG_FULLSCREEN, "true", GVT_CONFIG_FROM_FILE, 15);
}

/* A file that can't be read: one line naming it, the built-in settings. */
/* A FIFO at the path: refused at once (a read would wait for a writer). */
static void
test_fifo (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (mkfifo (f->path, 0600), ==, 0);
  load (f, NULL, NULL);
  g_unlink (f->path);
  g_autofree char *want = g_strdup_printf ("gvt-view: %s: not a regular file; "
                                           "using the built-in settings\n", f->path);
  g_assert_cmpstr (f->err, ==, want);
  for (int key = 0; key < GVT_CONFIG_N_KEYS; key++)
    assert_setting (f, key, NULL, GVT_CONFIG_FROM_DEFAULT, 0);
}

static void
test_unreadable (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (g_mkdir (f->path, 0700), ==, 0);
  load (f, NULL, NULL);
  g_autofree char *want = g_strdup_printf ("gvt-view: %s: cannot read it: Is a directory; "
                                           "using the built-in settings\n", f->path);
  g_assert_cmpstr (f->err, ==, want);
  for (int key = 0; key < GVT_CONFIG_N_KEYS; key++)
    assert_setting (f, key, NULL, GVT_CONFIG_FROM_DEFAULT, 0);
}

/* Not UTF-8, or not text at all: each line said, never a crash. */
static void
test_binary (Fixture *f, gconstpointer data)
{
  load (f, "[window]\nscale = \xff\xfe\n\x01\x02\n", NULL);
  g_assert_nonnull (strstr (f->err, ":2: [window] scale = \\377\\376: "));
  g_assert_nonnull (strstr (f->err, ":3: '\\001\\002' is not a KEY = VALUE line"));
  assert_setting (f, GVT_CONFIG_SCALE, NULL, GVT_CONFIG_FROM_DEFAULT, 0);
}

/* Comments, blank lines, white space around '=', CRLF, a key given twice:
 * each key's own line. */
static void
test_lines (Fixture *f, gconstpointer data)
{
  load (f, "# gvt-view settings\n"           /* 1 */
           "\n"                               /* 2 */
           "   \n"                            /* 3 */
           "[window]\n"                       /* 4 */
           "  # indented comment\n"           /* 5 */
           "scale=integer\n"                  /* 6 */
           "filter   =    linear   \n"        /* 7 */
           "\tsize\t=\t800x600\n"             /* 8 */
           "#fullscreen = true\n"             /* 9 */
           "stats =true\r\n"                  /* 10 */
           "scale = native\n"                 /* 11: the last one wins */
           "\n"                               /* 12 */
           "[vm web]\n"                       /* 13 */
           "  fullscreen= yes  \n",           /* 14 */
        "web");
  g_assert_cmpstr (f->err, ==, "");
  assert_setting (f, GVT_CONFIG_SCALE, "native", GVT_CONFIG_FROM_FILE, 11);
  assert_setting (f, GVT_CONFIG_FILTER, "linear", GVT_CONFIG_FROM_FILE, 7);
  assert_setting (f, GVT_CONFIG_SIZE, "800x600", GVT_CONFIG_FROM_FILE, 8);
  assert_setting (f, GVT_CONFIG_STATS, "true", GVT_CONFIG_FROM_FILE, 10);
  assert_setting (f, GVT_CONFIG_FULLSCREEN, "true", GVT_CONFIG_FROM_VM, 14);
}

/* For each key: the built-in default < [window] < [vm NAME] < the
 * command line. */
static void
test_precedence (Fixture *f, gconstpointer data)
{
  static const struct {
    GvtConfigKey key;
    const char *window, *vm, *command_line;
  } cases[] = {
    { GVT_CONFIG_SCALE, "integer", "native", "fill" },
    { GVT_CONFIG_FILTER, "linear", "nearest", "auto" },
    { GVT_CONFIG_SIZE, "800x600", "1024x768", "640x480" },
    { GVT_CONFIG_FULLSCREEN, "true", "false", "true" },
    { GVT_CONFIG_STATS, "false", "true", "false" },
    { GVT_CONFIG_GRAB_KEYS, "ctrl+alt+h", "super+g", "ctrl+shift+F12" },
    { GVT_CONFIG_VIEW_ONLY, "true", "false", "true" },
    { GVT_CONFIG_RELATIVE_MOUSE, "false", "true", "false" },
    { GVT_CONFIG_EDID, "off", "on", "off" },
    { GVT_CONFIG_RESOLUTION, "1280x720", "1920x1080", "800x600" },
    { GVT_CONFIG_QUIT_WITH_VM, "true", "false", "true" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *name = gvt_config_key_name (cases[i].key);
      g_autofree char *text = g_strdup_printf ("[window]\n%s = %s\n[vm web]\n%s = %s\n",
                                               name, cases[i].window, name, cases[i].vm);
      /* No VM: [window]. */
      renew (f);
      load (f, text, NULL);
      g_assert_cmpstr (f->err, ==, "");
      assert_setting (f, cases[i].key, cases[i].window, GVT_CONFIG_FROM_FILE, 2);
      /* Another VM: [window]. */
      renew (f);
      load (f, text, "db");
      assert_setting (f, cases[i].key, cases[i].window, GVT_CONFIG_FROM_FILE, 2);
      /* Its VM: [vm web]. */
      renew (f);
      load (f, text, "web");
      assert_setting (f, cases[i].key, cases[i].vm, GVT_CONFIG_FROM_VM, 4);
      /* The command line over both. */
      renew (f);
      g_autoptr (GError) error = NULL;
      g_autofree char *option = NULL;
      const char *value = NULL;
      if (strcmp (cases[i].command_line, "true") == 0)
        option = g_strconcat ("--", name, NULL);
      else if (strcmp (cases[i].command_line, "false") == 0 && cases[i].key != GVT_CONFIG_EDID)
        option = g_strconcat ("--no-", name, NULL);
      else
        option = g_strconcat ("--", name, NULL), value = cases[i].command_line;
      g_assert_true (gvt_config_option (option, value, f->config, &error));
      g_assert_no_error (error);
      load (f, text, "web");
      assert_setting (f, cases[i].key, cases[i].command_line, GVT_CONFIG_FROM_COMMAND_LINE, 0);
    }
}

/* An empty value is the built-in default: [vm NAME] can undo [window]. */
static void
test_empty_value (Fixture *f, gconstpointer data)
{
  load (f, "[window]\nsize = 800x600\nscale = native\n[vm web]\nsize =\nscale=\n", "web");
  g_assert_cmpstr (f->err, ==, "");
  assert_setting (f, GVT_CONFIG_SIZE, NULL, GVT_CONFIG_FROM_VM, 5);
  assert_setting (f, GVT_CONFIG_SCALE, NULL, GVT_CONFIG_FROM_VM, 6);
}

/* A group for another VM is checked but not applied. */
static void
test_other_vm (Fixture *f, gconstpointer data)
{
  load (f, "[vm db]\nscale = native\nfilter = cubic\n[window]\nscale = fill\n", "web");
  g_autofree char *want = warning (f, 3, "[vm db] filter = cubic: use auto, linear or nearest");
  g_assert_cmpstr (f->err, ==, want);
  assert_setting (f, GVT_CONFIG_SCALE, "fill", GVT_CONFIG_FROM_FILE, 5);
  assert_setting (f, GVT_CONFIG_FILTER, NULL, GVT_CONFIG_FROM_DEFAULT, 0);
  /* A VM name is matched whole: "web" is not "web2". */
  renew (f);
  load (f, "[vm web2]\nscale = native\n[vm  web ]\nfilter = nearest\n", "web");
  assert_setting (f, GVT_CONFIG_SCALE, NULL, GVT_CONFIG_FROM_DEFAULT, 0);
  assert_setting (f, GVT_CONFIG_FILTER, "nearest", GVT_CONFIG_FROM_VM, 4);
}

/* view-only and relative-mouse, edid off and resolution: in one group the
 * later line is ignored, said; across places the higher one wins; two
 * from the command line are the command's to refuse. */
static void
test_contradictions (Fixture *f, gconstpointer data)
{
  load (f, "[window]\nrelative-mouse = true\nview-only = true\nresolution = 1280x720\n"
           "edid = off\n", NULL);
  g_autofree char *w3 = warning (f, 3, "[window] view-only = true contradicts relative-mouse = "
                                       "true (line 2): ignored");
  g_autofree char *w5 = warning (f, 5, "[window] edid = off contradicts resolution = 1280x720 "
                                       "(line 4): ignored");
  g_autofree char *want = g_strconcat (w3, w5, NULL);
  g_assert_cmpstr (f->err, ==, want);
  assert_setting (f, GVT_CONFIG_RELATIVE_MOUSE, "true", GVT_CONFIG_FROM_FILE, 2);
  assert_setting (f, GVT_CONFIG_VIEW_ONLY, NULL, GVT_CONFIG_FROM_DEFAULT, 0);
  assert_setting (f, GVT_CONFIG_RESOLUTION, "1280x720", GVT_CONFIG_FROM_FILE, 4);
  assert_setting (f, GVT_CONFIG_EDID, NULL, GVT_CONFIG_FROM_DEFAULT, 0);

  /* [vm web]'s view-only over [window]'s relative-mouse. */
  const char *text = "[window]\nrelative-mouse = true\nedid = off\n"
                     "[vm web]\nview-only = true\n";
  renew (f);
  load (f, text, "web");
  g_assert_cmpstr (f->err, ==, "");
  assert_setting (f, GVT_CONFIG_VIEW_ONLY, "true", GVT_CONFIG_FROM_VM, 5);
  assert_setting (f, GVT_CONFIG_RELATIVE_MOUSE, NULL, GVT_CONFIG_FROM_DEFAULT, 0);
  assert_setting (f, GVT_CONFIG_EDID, "off", GVT_CONFIG_FROM_FILE, 3);

  /* The command line's --relative-mouse and --resolution over the file. */
  renew (f);
  g_assert_true (gvt_config_option ("--relative-mouse", NULL, f->config, NULL));
  g_assert_true (gvt_config_option ("--resolution", "1920x1080", f->config, NULL));
  load (f, text, "web");
  assert_setting (f, GVT_CONFIG_RELATIVE_MOUSE, "true", GVT_CONFIG_FROM_COMMAND_LINE, 0);
  assert_setting (f, GVT_CONFIG_VIEW_ONLY, NULL, GVT_CONFIG_FROM_DEFAULT, 0);
  assert_setting (f, GVT_CONFIG_EDID, NULL, GVT_CONFIG_FROM_DEFAULT, 0);
  size_t len = 0;
  g_autofree char *printed = NULL;
  FILE *out = open_memstream (&printed, &len);
  gvt_config_print (f->config, GVT_CONFIG_N_KEYS, out);
  fclose (out);
  g_autofree char *line = g_strdup_printf ("view-only = false  (default: relative-mouse = true "
                                           "(command line) overrides view-only = true (%s:5 "
                                           "[vm web]))\n", f->path);
  if (strstr (printed, line) == NULL)
    g_error ("'%s' lacks '%s'", printed, line);

  /* Both on the command line: left as they are. */
  renew (f);
  g_assert_true (gvt_config_option ("--relative-mouse", NULL, f->config, NULL));
  g_assert_true (gvt_config_option ("--view-only", NULL, f->config, NULL));
  load (f, text, "web");
  assert_setting (f, GVT_CONFIG_VIEW_ONLY, "true", GVT_CONFIG_FROM_COMMAND_LINE, 0);
  assert_setting (f, GVT_CONFIG_RELATIVE_MOUSE, "true", GVT_CONFIG_FROM_COMMAND_LINE, 0);
}

/* The options: -f, --no-KEY, the last one wins, no --no- for a word. */
static void
test_options (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (gvt_config_option ("-f", NULL, f->config, &error));
  g_assert_true (gvt_config_get_bool (f->config, GVT_CONFIG_FULLSCREEN));
  g_assert_true (gvt_config_option ("--no-fullscreen", NULL, f->config, &error));
  g_assert_cmpstr (gvt_config_get (f->config, GVT_CONFIG_FULLSCREEN), ==, "false");
  g_assert_true (gvt_config_option ("--scale", "fit", f->config, &error));
  g_assert_true (gvt_config_option ("--scale", "fill", f->config, &error));
  g_assert_cmpstr (gvt_config_get (f->config, GVT_CONFIG_SCALE), ==, "fill");
  g_assert_no_error (error);
  g_assert_false (gvt_config_option ("--no-scale", NULL, f->config, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION);
  g_clear_error (&error);
  g_assert_false (gvt_config_option ("--frobnicate", NULL, f->config, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION);

  /* A file's true, the command line's --no-: false. */
  load (f, "[window]\nfullscreen = true\n", NULL);
  assert_setting (f, GVT_CONFIG_FULLSCREEN, "false", GVT_CONFIG_FROM_COMMAND_LINE, 0);
}

/* --print-config: the file, the VM, every setting and where it is from. */
static void
test_print (Fixture *f, gconstpointer data)
{
  g_assert_true (gvt_config_option ("--filter", "nearest", f->config, NULL));
  load (f, "[window]\nscale = integer\nfullscreen = true\n[vm web]\nfullscreen = false\n", "web");
  size_t len = 0;
  g_autofree char *printed = NULL;
  FILE *out = open_memstream (&printed, &len);
  gvt_config_print (f->config, GVT_CONFIG_N_KEYS, out);
  fclose (out);
  g_autofree char *want = g_strdup_printf (
    "# config file: %s\n"
    "# VM: web\n"
    "scale = integer  (%s:2)\n"
    "filter = nearest  (command line)\n"
    "size =   (default)\n"
    "fullscreen = false  (%s:5 [vm web])\n"
    "stats = false  (default)\n"
    "grab-keys = ctrl+alt+g  (default)\n"
    "view-only = false  (default)\n"
    "relative-mouse = false  (default)\n"
    "edid = on  (default)\n"
    "resolution =   (default)\n"
    "quit-with-vm = false  (default)\n", f->path, f->path, f->path);
  g_assert_cmpstr (printed, ==, want);

  /* No file, no VM, the demo's keys only. */
  renew (f);
  g_unlink (f->path);
  load (f, NULL, NULL);
  g_clear_pointer (&printed, g_free);
  out = open_memstream (&printed, &len);
  gvt_config_print (f->config, GVT_CONFIG_N_WINDOW_KEYS, out);
  fclose (out);
  g_clear_pointer (&want, g_free);
  want = g_strdup_printf ("# config file: %s (none)\n"
                          "# VM: none known (no [vm NAME] group applies)\n"
                          "scale = fit  (default)\n"
                          "filter = auto  (default)\n"
                          "size =   (default)\n"
                          "fullscreen = false  (default)\n"
                          "stats = false  (default)\n", f->path);
  g_assert_cmpstr (printed, ==, want);
}

/* The user's file is under $XDG_CONFIG_HOME. */
static void
test_default_path (void)
{
  g_autofree char *path = gvt_config_default_path ();
  g_autofree char *want = g_build_filename (g_get_user_config_dir (), "gvt-view",
                                            "gvt-view.conf", NULL);
  g_assert_cmpstr (path, ==, want);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/config/missing", test_missing);
  ADD ("/config/good-values", test_good_values);
  ADD ("/config/bad-values", test_bad_values);
  ADD ("/config/unknown", test_unknown);
  ADD ("/config/unreadable", test_unreadable);
  ADD ("/config/fifo", test_fifo);
  ADD ("/config/binary", test_binary);
  ADD ("/config/lines", test_lines);
  ADD ("/config/precedence", test_precedence);
  ADD ("/config/empty-value", test_empty_value);
  ADD ("/config/other-vm", test_other_vm);
  ADD ("/config/contradictions", test_contradictions);
  ADD ("/config/options", test_options);
  ADD ("/config/print", test_print);
  g_test_add_func ("/config/default-path", test_default_path);
  return g_test_run ();
}
