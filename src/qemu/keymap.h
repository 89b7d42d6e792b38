/* Keys to QEMU: Linux input key codes (linux/input-event-codes.h KEY_*,
 * what evdev, X11 (code + 8) and Wayland (code + 8 in GDK's hardware
 * keycode) all carry) to QEMU's QKeyCode names ("a", "shift_r",
 * "audiomute", "henkan"), the names QMP input-send-event takes. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint16 code;            /* KEY_* value */
  const char *linux_name;  /* "KEY_LEFTSHIFT": the header's own name */
  const char *qcode;       /* "shift" */
} GvtKeymapEntry;

/* The qcode for Linux key @code, or NULL when QEMU has none for it. */
const char *gvt_keymap_qcode (guint code);

/* The oldest QEMU major version that knows @code's qcode (0: any): an
 * older one refuses the whole input-send-event over an unknown qcode, so
 * the caller leaves such keys out. */
int gvt_keymap_qemu_major_needed (guint code);

/* The whole table, ordered by code, one entry per code (tests). */
const GvtKeymapEntry *gvt_keymap_get_all (gsize *n_entries);

G_END_DECLS
