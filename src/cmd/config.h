/* The window's settings, from the command line and the config file
 * ($XDG_CONFIG_HOME/gvt-view/gvt-view.conf): each setting's value and
 * where it came from, for the viewer, run, attach and the window demo.
 *
 * The file is a GKeyFile. [window] holds the defaults, [vm NAME] what
 * differs for the VM of that name (QEMU's -name, a libvirt domain). Each
 * key is the long option's name and takes what the option takes; an empty
 * value is the built-in default. Precedence, lowest first: the built-in
 * default, [window], [vm NAME], the command line.
 *
 * One thread: a GvtConfig belongs to the command that made it. */
#pragma once

#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  /* What every window takes, the demo's too. */
  GVT_CONFIG_SCALE,
  GVT_CONFIG_FILTER,
  GVT_CONFIG_SIZE,
  GVT_CONFIG_FULLSCREEN,
  GVT_CONFIG_STATS,
  /* About the VM behind the window: the viewer, run and attach. */
  GVT_CONFIG_GRAB_KEYS,
  GVT_CONFIG_VIEW_ONLY,
  GVT_CONFIG_RELATIVE_MOUSE,
  GVT_CONFIG_EDID,
  GVT_CONFIG_RESOLUTION,
  GVT_CONFIG_QUIT_WITH_VM,
  GVT_CONFIG_N_KEYS
} GvtConfigKey;

/* The demo's settings are the first ones. */
#define GVT_CONFIG_N_WINDOW_KEYS (GVT_CONFIG_STATS + 1)

/* Lowest precedence first. */
typedef enum {
  GVT_CONFIG_FROM_DEFAULT,
  GVT_CONFIG_FROM_FILE,        /* the file's [window] */
  GVT_CONFIG_FROM_VM,          /* the file's [vm NAME] */
  GVT_CONFIG_FROM_COMMAND_LINE,
} GvtConfigOrigin;

/* The group of the file's defaults. */
#define GVT_CONFIG_DEFAULT_GROUP "window"

typedef struct _GvtConfig GvtConfig;

/* Every setting at its built-in default. */
GvtConfig *gvt_config_new (void);
/* Accepts NULL. */
void gvt_config_free (GvtConfig *self);

/* "scale", "fullscreen", ...: the key and the long option. */
const char *gvt_config_key_name (GvtConfigKey key);

/* A GOptionArgFunc for the settings' options, with the GvtConfig as its
 * group's user data: --KEY VALUE (not checked here: the command checks
 * its options as before), --KEY (a switch: true), --no-KEY (false), -f.
 * The last one given wins. An option that names no setting is a
 * G_OPTION_ERROR. */
gboolean gvt_config_option (const char *option_name, const char *value, gpointer data,
                            GError **error);

/* The user's file: g_get_user_config_dir ()/gvt-view/gvt-view.conf (GLib
 * honours $XDG_CONFIG_HOME). g_free (). */
char *gvt_config_default_path (void);

/* Reads the file at @path (NULL: gvt_config_default_path ()) and gives
 * every setting the command line left alone its value from [vm @vm] (NULL:
 * no VM is known), else from [window]. Never fails: a missing file is the
 * built-in settings, silently; everything else wrong is one line on @err,
 * "gvt-view: FILE:LINE: [GROUP] KEY = VALUE: what is wrong", and only that
 * key, line or group is ignored (every group is checked, not only those
 * that apply); a file that can't be read is one line naming it, and the
 * built-in settings. Then settings that contradict each other
 * (view-only and relative-mouse, edid off and resolution) are settled:
 * the one of higher precedence wins and the other is back at its
 * default; two from the command line are left for the command to refuse.
 * Call once, after the command line. */
void gvt_config_load (GvtConfig *self, const char *path, const char *vm, FILE *err);

/* The value: a string as given (NULL: the built-in default); a switch's
 * is "true" or "false". Owned by @self. */
const char *gvt_config_get (GvtConfig *self, GvtConfigKey key);
/* A switch's value (FALSE by default). */
gboolean gvt_config_get_bool (GvtConfig *self, GvtConfigKey key);
GvtConfigOrigin gvt_config_get_origin (GvtConfig *self, GvtConfigKey key);
/* The file's line the value came from (0 when not from the file). */
guint gvt_config_get_line (GvtConfig *self, GvtConfigKey key);

/* --print-config: a line naming the file and the VM, then one line per
 * setting (the first @n_keys of them), "KEY = VALUE  (SOURCE)", SOURCE
 * being "default", "FILE:LINE", "FILE:LINE [vm NAME]" or "command line". */
void gvt_config_print (GvtConfig *self, guint n_keys, FILE *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtConfig, gvt_config_free)

G_END_DECLS
