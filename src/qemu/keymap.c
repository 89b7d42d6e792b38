/* The one table from Linux key codes to QEMU's QKeyCode names: a whole
 * 105-key ISO keyboard, the keypad, the multimedia keys and the
 * Japanese/Korean keys, every key QEMU has a qcode for.
 *
 * Written by hand and checked, not generated: the numbers and names
 * against /usr/include/linux/input-event-codes.h (tests/test-keymap.c
 * parses it), the qcodes against the QKeyCode enum a real QEMU answers
 * in query-qmp-schema and against what that QEMU traces for each key
 * sent (tests/test-keymap-qemu.c), and each pair against QEMU's own
 * Linux-to-qcode table (keycodemapdb data/keymaps.csv, the columns
 * "Linux Keycode" and "QEMU QKeyCode"), which it agrees with everywhere
 * but KEY_SYSRQ: keymaps.csv gives it "sysrq", which QEMU's input layer
 * rewrites to "print" anyway (ui/input.c), so we send "print" at once.
 *
 * The numbers are written out rather than taken from the header so that
 * the test has something to check: a wrong name or number fails there,
 * not silently here. */
#include <stdlib.h>

#include "keymap.h"

/* Ordered by code, one entry per code, each qcode once. Where QEMU has
 * two names for one key ("asterisk" and "kp_multiply", "sysrq" and
 * "print") the table takes the one QEMU itself sends. f13..f24 exist
 * since QEMU 8.0; an older QEMU refuses them like any unknown qcode. */
static const GvtKeymapEntry keymap[] = {
  { 1, "KEY_ESC", "esc" },
  { 2, "KEY_1", "1" },
  { 3, "KEY_2", "2" },
  { 4, "KEY_3", "3" },
  { 5, "KEY_4", "4" },
  { 6, "KEY_5", "5" },
  { 7, "KEY_6", "6" },
  { 8, "KEY_7", "7" },
  { 9, "KEY_8", "8" },
  { 10, "KEY_9", "9" },
  { 11, "KEY_0", "0" },
  { 12, "KEY_MINUS", "minus" },
  { 13, "KEY_EQUAL", "equal" },
  { 14, "KEY_BACKSPACE", "backspace" },
  { 15, "KEY_TAB", "tab" },
  { 16, "KEY_Q", "q" },
  { 17, "KEY_W", "w" },
  { 18, "KEY_E", "e" },
  { 19, "KEY_R", "r" },
  { 20, "KEY_T", "t" },
  { 21, "KEY_Y", "y" },
  { 22, "KEY_U", "u" },
  { 23, "KEY_I", "i" },
  { 24, "KEY_O", "o" },
  { 25, "KEY_P", "p" },
  { 26, "KEY_LEFTBRACE", "bracket_left" },
  { 27, "KEY_RIGHTBRACE", "bracket_right" },
  { 28, "KEY_ENTER", "ret" },
  { 29, "KEY_LEFTCTRL", "ctrl" },
  { 30, "KEY_A", "a" },
  { 31, "KEY_S", "s" },
  { 32, "KEY_D", "d" },
  { 33, "KEY_F", "f" },
  { 34, "KEY_G", "g" },
  { 35, "KEY_H", "h" },
  { 36, "KEY_J", "j" },
  { 37, "KEY_K", "k" },
  { 38, "KEY_L", "l" },
  { 39, "KEY_SEMICOLON", "semicolon" },
  { 40, "KEY_APOSTROPHE", "apostrophe" },
  { 41, "KEY_GRAVE", "grave_accent" },
  { 42, "KEY_LEFTSHIFT", "shift" },
  /* Also the ISO key left of Enter (# ~ on a UK keyboard). */
  { 43, "KEY_BACKSLASH", "backslash" },
  { 44, "KEY_Z", "z" },
  { 45, "KEY_X", "x" },
  { 46, "KEY_C", "c" },
  { 47, "KEY_V", "v" },
  { 48, "KEY_B", "b" },
  { 49, "KEY_N", "n" },
  { 50, "KEY_M", "m" },
  { 51, "KEY_COMMA", "comma" },
  { 52, "KEY_DOT", "dot" },
  { 53, "KEY_SLASH", "slash" },
  { 54, "KEY_RIGHTSHIFT", "shift_r" },
  { 55, "KEY_KPASTERISK", "kp_multiply" },
  { 56, "KEY_LEFTALT", "alt" },
  { 57, "KEY_SPACE", "spc" },
  { 58, "KEY_CAPSLOCK", "caps_lock" },
  { 59, "KEY_F1", "f1" },
  { 60, "KEY_F2", "f2" },
  { 61, "KEY_F3", "f3" },
  { 62, "KEY_F4", "f4" },
  { 63, "KEY_F5", "f5" },
  { 64, "KEY_F6", "f6" },
  { 65, "KEY_F7", "f7" },
  { 66, "KEY_F8", "f8" },
  { 67, "KEY_F9", "f9" },
  { 68, "KEY_F10", "f10" },
  { 69, "KEY_NUMLOCK", "num_lock" },
  { 70, "KEY_SCROLLLOCK", "scroll_lock" },
  { 71, "KEY_KP7", "kp_7" },
  { 72, "KEY_KP8", "kp_8" },
  { 73, "KEY_KP9", "kp_9" },
  { 74, "KEY_KPMINUS", "kp_subtract" },
  { 75, "KEY_KP4", "kp_4" },
  { 76, "KEY_KP5", "kp_5" },
  { 77, "KEY_KP6", "kp_6" },
  { 78, "KEY_KPPLUS", "kp_add" },
  { 79, "KEY_KP1", "kp_1" },
  { 80, "KEY_KP2", "kp_2" },
  { 81, "KEY_KP3", "kp_3" },
  { 82, "KEY_KP0", "kp_0" },
  { 83, "KEY_KPDOT", "kp_decimal" },
  /* The ISO key between left Shift and Z (< > | on a German keyboard). */
  { 86, "KEY_102ND", "less" },
  { 87, "KEY_F11", "f11" },
  { 88, "KEY_F12", "f12" },
  { 89, "KEY_RO", "ro" },
  { 91, "KEY_HIRAGANA", "hiragana" },
  { 92, "KEY_HENKAN", "henkan" },
  { 93, "KEY_KATAKANAHIRAGANA", "katakanahiragana" },
  { 94, "KEY_MUHENKAN", "muhenkan" },
  { 96, "KEY_KPENTER", "kp_enter" },
  { 97, "KEY_RIGHTCTRL", "ctrl_r" },
  { 98, "KEY_KPSLASH", "kp_divide" },
  /* Print Screen; QEMU's PS/2 keyboard sends the SysRq scancode for it
   * with Alt held, as a real one does. */
  { 99, "KEY_SYSRQ", "print" },
  { 100, "KEY_RIGHTALT", "alt_r" },
  { 101, "KEY_LINEFEED", "lf" },
  { 102, "KEY_HOME", "home" },
  { 103, "KEY_UP", "up" },
  { 104, "KEY_PAGEUP", "pgup" },
  { 105, "KEY_LEFT", "left" },
  { 106, "KEY_RIGHT", "right" },
  { 107, "KEY_END", "end" },
  { 108, "KEY_DOWN", "down" },
  { 109, "KEY_PAGEDOWN", "pgdn" },
  { 110, "KEY_INSERT", "insert" },
  { 111, "KEY_DELETE", "delete" },
  { 113, "KEY_MUTE", "audiomute" },
  { 114, "KEY_VOLUMEDOWN", "volumedown" },
  { 115, "KEY_VOLUMEUP", "volumeup" },
  { 116, "KEY_POWER", "power" },
  { 117, "KEY_KPEQUAL", "kp_equals" },
  { 119, "KEY_PAUSE", "pause" },
  { 121, "KEY_KPCOMMA", "kp_comma" },
  /* Korean: QEMU names them after the USB HID usages Lang1/Lang2. */
  { 122, "KEY_HANGEUL", "lang1" },
  { 123, "KEY_HANJA", "lang2" },
  { 124, "KEY_YEN", "yen" },
  { 125, "KEY_LEFTMETA", "meta_l" },
  { 126, "KEY_RIGHTMETA", "meta_r" },
  /* The PC keyboard's Menu (Application) key. */
  { 127, "KEY_COMPOSE", "compose" },
  { 128, "KEY_STOP", "stop" },
  { 129, "KEY_AGAIN", "again" },
  { 130, "KEY_PROPS", "props" },
  { 131, "KEY_UNDO", "undo" },
  { 132, "KEY_FRONT", "front" },
  { 133, "KEY_COPY", "copy" },
  { 134, "KEY_OPEN", "open" },
  { 135, "KEY_PASTE", "paste" },
  { 136, "KEY_FIND", "find" },
  { 137, "KEY_CUT", "cut" },
  { 138, "KEY_HELP", "help" },
  { 139, "KEY_MENU", "menu" },
  { 140, "KEY_CALC", "calculator" },
  { 142, "KEY_SLEEP", "sleep" },
  { 143, "KEY_WAKEUP", "wake" },
  { 155, "KEY_MAIL", "mail" },
  { 156, "KEY_BOOKMARKS", "ac_bookmarks" },
  { 157, "KEY_COMPUTER", "computer" },
  { 158, "KEY_BACK", "ac_back" },
  { 159, "KEY_FORWARD", "ac_forward" },
  { 163, "KEY_NEXTSONG", "audionext" },
  { 164, "KEY_PLAYPAUSE", "audioplay" },
  { 165, "KEY_PREVIOUSSONG", "audioprev" },
  { 166, "KEY_STOPCD", "audiostop" },
  { 172, "KEY_HOMEPAGE", "ac_home" },
  { 173, "KEY_REFRESH", "ac_refresh" },
  { 183, "KEY_F13", "f13" },
  { 184, "KEY_F14", "f14" },
  { 185, "KEY_F15", "f15" },
  { 186, "KEY_F16", "f16" },
  { 187, "KEY_F17", "f17" },
  { 188, "KEY_F18", "f18" },
  { 189, "KEY_F19", "f19" },
  { 190, "KEY_F20", "f20" },
  { 191, "KEY_F21", "f21" },
  { 192, "KEY_F22", "f22" },
  { 193, "KEY_F23", "f23" },
  { 194, "KEY_F24", "f24" },
  { 226, "KEY_MEDIA", "mediaselect" },
};

static int
compare_code (const void *key, const void *member)
{
  guint code = *(const guint *) key;
  const GvtKeymapEntry *entry = member;

  return code < entry->code ? -1 : code > entry->code;
}

const char *
gvt_keymap_qcode (guint code)
{
  const GvtKeymapEntry *entry = bsearch (&code, keymap, G_N_ELEMENTS (keymap), sizeof keymap[0],
                                         compare_code);

  return entry ? entry->qcode : NULL;
}

const GvtKeymapEntry *
gvt_keymap_get_all (gsize *n_entries)
{
  if (n_entries)
    *n_entries = G_N_ELEMENTS (keymap);
  return keymap;
}

int
gvt_keymap_qemu_major_needed (guint code)
{
  /* KEY_F13..KEY_F24: QKeyCode f13..f24 came with QEMU 8.0. */
  return code >= 183 && code <= 194 ? 8 : 0;
}
