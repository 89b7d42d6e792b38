/* The window's input room: the viewer's own shortcuts, the grab keys, the
 * current view transform (where the guest image is in the window), and
 * with a QEMU link the keyboard and mouse to the guest: keys by GDK
 * hardware keycode (the Linux key code + 8 on X11 and Wayland alike)
 * through the keymap to qcodes, buttons and wheel, the pointer as absolute
 * positions through the inverse of the view (0..0x7FFF over the guest
 * image, for a usb-tablet or virtio-tablet). The event handlers take plain
 * values, so that everything but GTK's delivery is tested without a
 * display. */
#pragma once

#include <gtk/gtk.h>

#include "qemu/vm.h"
#include "render/geometry.h"

G_BEGIN_DECLS

typedef enum {
  GVT_SHORTCUT_NONE,
  GVT_SHORTCUT_FULLSCREEN,   /* F11, Ctrl+Alt+F */
  GVT_SHORTCUT_NEXT_SCALE,   /* Ctrl+Alt+S */
  GVT_SHORTCUT_NATIVE_SIZE,  /* Ctrl+Alt+1 */
  GVT_SHORTCUT_OVERLAY,      /* Ctrl+Alt+O */
  GVT_SHORTCUT_QUIT,         /* Ctrl+Q */
} GvtShortcut;

/* The viewer shortcut @keyval with modifier @state is, or NONE (then the
 * key belongs to the guest). */
GvtShortcut gvt_input_shortcut_for (guint keyval, GdkModifierType state);

/* The grab keys as typed ("ctrl+alt+g", "Ctrl+Shift+F12", "super+g"):
 * modifiers ctrl, alt, shift, super, then one key by its GDK name, joined
 * by '+', any case. GVT_ERROR_INVALID_ARGS saying what is wrong. */
#define GVT_INPUT_DEFAULT_GRAB_KEYS "ctrl+alt+g"
gboolean gvt_input_parse_grab_keys (const char *text, guint *keyval, GdkModifierType *mods,
                                    GError **error);

typedef enum {
  GVT_INPUT_OFF,       /* no QEMU link, or --view-only */
  GVT_INPUT_ABSOLUTE,  /* a tablet's absolute positions */
  GVT_INPUT_RELATIVE,  /* --relative-mouse: motion while the pointer is grabbed */
} GvtInputMode;

/* "off", "absolute", "relative". */
const char *gvt_input_mode_to_string (GvtInputMode mode);

typedef struct {
  gboolean view_only;
  gboolean relative;
  guint grab_keyval;          /* 0: the default (Ctrl+Alt+G) */
  GdkModifierType grab_mods;
} GvtInputOptions;

typedef struct _GvtInput GvtInput;

/* Input to @vm (borrowed, may be NULL: then only shortcuts and the view).
 * @options NULL: the defaults. */
GvtInput *gvt_input_new (GvtVm *vm, const GvtInputOptions *options);
void gvt_input_free (GvtInput *self);

GvtInputMode gvt_input_get_mode (GvtInput *self);

/* The grab keys: TRUE when @keyval + @state is the combination. */
gboolean gvt_input_is_grab_key (GvtInput *self, guint keyval, GdkModifierType state);
/* "Ctrl+Alt+G", for the title. */
const char *gvt_input_get_grab_label (GvtInput *self);

/* The transform of the frame just drawn, in device pixels, and the
 * widget's scale factor (event coordinates are logical). */
void gvt_input_set_view (GvtInput *self, const GvtView *view, int scale_factor);
/* FALSE until a frame has been drawn. */
gboolean gvt_input_has_view (GvtInput *self);
const GvtView *gvt_input_get_view (GvtInput *self);

/* A pointer position in the widget (logical pixels, as events give it) in
 * guest pixels, clamped to the image; FALSE when it is outside the image
 * (or no frame has been drawn). */
gboolean gvt_input_pointer_to_guest (GvtInput *self, double x, double y,
                                     double *guest_x, double *guest_y);
/* The same as QEMU's abs values (0..0x7FFF each). */
gboolean gvt_input_pointer_to_abs (GvtInput *self, double x, double y, guint *abs_x,
                                   guint *abs_y);

/* --- events to the guest (nothing happens when the mode is OFF) --- */

/* A key by GDK hardware keycode. FALSE when it was not sent (no qcode for
 * it, input off). */
gboolean gvt_input_key (GvtInput *self, guint hardware_keycode, gboolean down);
/* GDK button 1-3, 8 (back: "side"), 9 (forward: "extra") at (@x, @y);
 * others are ignored. The position goes first. */
void gvt_input_button (GvtInput *self, guint button, gboolean down, double x, double y);
/* Pointer motion at (@x, @y): sent over the image, and outside it
 * (clamped to the edge) only while a button is held. */
void gvt_input_motion (GvtInput *self, double x, double y);
/* Relative motion (--relative-mouse), in device pixels. */
void gvt_input_motion_relative (GvtInput *self, double dx, double dy);
/* One wheel step. */
void gvt_input_scroll (GvtInput *self, GdkScrollDirection direction);
/* Everything down goes up: focus lost, window hidden. */
void gvt_input_release_all (GvtInput *self);

/* Nothing queued or waiting for QEMU's answer (TRUE without a link). */
gboolean gvt_input_is_idle (GvtInput *self);

/* The QEMU side's counters (zeros without a link). */
void gvt_input_get_counts (GvtInput *self, guint *keys_down, guint64 *commands);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtInput, gvt_input_free)

G_END_DECLS
