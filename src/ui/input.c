/* Shortcuts, the grab keys, the pointer's way into guest coordinates, and
 * keyboard and mouse to the guest. */
#include <string.h>

#include "input.h"
#include "common/gvt-error.h"
#include "qemu/input.h"
#include "qemu/keymap.h"

/* X11 and Wayland hardware keycodes are the Linux key codes + 8 (the X
 * protocol reserves 0-7). */
#define EVDEV_OFFSET 8

GvtShortcut
gvt_input_shortcut_for (guint keyval, GdkModifierType state)
{
  const GdkModifierType ctrl_alt = GDK_CONTROL_MASK | GDK_MOD1_MASK;
  GdkModifierType mods = state & gtk_accelerator_get_default_mod_mask ();
  guint key = gdk_keyval_to_lower (keyval);

  if (key == GDK_KEY_F11 && mods == 0)
    return GVT_SHORTCUT_FULLSCREEN;
  if (mods == GDK_CONTROL_MASK && key == GDK_KEY_q)
    return GVT_SHORTCUT_QUIT;
  if (mods != ctrl_alt)
    return GVT_SHORTCUT_NONE;
  switch (key)
    {
    case GDK_KEY_f:    return GVT_SHORTCUT_FULLSCREEN;
    case GDK_KEY_s:    return GVT_SHORTCUT_NEXT_SCALE;
    case GDK_KEY_1:
    case GDK_KEY_KP_1: return GVT_SHORTCUT_NATIVE_SIZE;
    case GDK_KEY_o:    return GVT_SHORTCUT_OVERLAY;
    default:           return GVT_SHORTCUT_NONE;
    }
}

gboolean
gvt_input_parse_grab_keys (const char *text, guint *keyval_out, GdkModifierType *mods_out,
                           GError **error)
{
  static const struct { const char *name; GdkModifierType mask; } modifiers[] = {
    { "ctrl", GDK_CONTROL_MASK }, { "control", GDK_CONTROL_MASK }, { "alt", GDK_MOD1_MASK },
    { "shift", GDK_SHIFT_MASK }, { "super", GDK_SUPER_MASK },
  };
  g_auto (GStrv) parts = g_strsplit (text, "+", -1);
  guint n = g_strv_length (parts);
  GdkModifierType mods = 0;
  g_autofree char *shown = g_strescape (text, NULL);

  for (guint i = 0; i + 1 < n; i++)
    {
      gsize m = 0;
      while (m < G_N_ELEMENTS (modifiers) && g_ascii_strcasecmp (parts[i], modifiers[m].name) != 0)
        m++;
      if (m == G_N_ELEMENTS (modifiers))
        {
          g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                       "--grab-keys '%s': '%s' is not a modifier (ctrl, alt, shift, super)",
                       shown, parts[i]);
          return FALSE;
        }
      mods |= modifiers[m].mask;
    }
  guint keyval = n > 0 && parts[n - 1][0] != '\0' ? gdk_keyval_from_name (parts[n - 1])
                                                  : GDK_KEY_VoidSymbol;
  if (keyval == GDK_KEY_VoidSymbol && n > 0 && strlen (parts[n - 1]) == 1)
    keyval = gdk_unicode_to_keyval ((guchar) parts[n - 1][0]);
  if (keyval == GDK_KEY_VoidSymbol || keyval == 0 || (keyval & 0x01000000) != 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "--grab-keys '%s': the last part must name a key (g, F12, Pause)", shown);
      return FALSE;
    }
  if (mods == 0 || mods == GDK_SHIFT_MASK)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "--grab-keys '%s': give ctrl, alt or super too (the guest would never get "
                   "that key alone)", shown);
      return FALSE;
    }
  *keyval_out = gdk_keyval_to_lower (keyval);
  *mods_out = mods;
  return TRUE;
}

const char *
gvt_input_mode_to_string (GvtInputMode mode)
{
  switch (mode)
    {
    case GVT_INPUT_OFF:      return "off";
    case GVT_INPUT_ABSOLUTE: return "absolute";
    case GVT_INPUT_RELATIVE: return "relative";
    default:                 return "?";
    }
}

struct _GvtInput {
  GvtView view;
  int scale;
  gboolean has_view;
  GvtInputMode mode;
  GvtVm *vm;               /* borrowed, or NULL */
  GvtQemuInput *qemu;      /* or NULL when off */
  guint grab_keyval;
  GdkModifierType grab_mods;
  char *grab_label;
  guint buttons_down;      /* bit per GDK button */
  double rel_x, rel_y;     /* relative motion not sent yet (fractions) */
};

GvtInput *
gvt_input_new (GvtVm *vm, const GvtInputOptions *options)
{
  GvtInput *self = g_new0 (GvtInput, 1);
  GvtInputOptions defaults = { 0 };

  if (options == NULL)
    options = &defaults;
  self->scale = 1;
  self->grab_keyval = options->grab_keyval;
  self->grab_mods = options->grab_mods;
  if (self->grab_keyval == 0
      && !gvt_input_parse_grab_keys (GVT_INPUT_DEFAULT_GRAB_KEYS, &self->grab_keyval,
                                     &self->grab_mods, NULL))
    g_assert_not_reached ();
  self->grab_label = gtk_accelerator_get_label (self->grab_keyval, self->grab_mods);
  self->vm = vm;
  if (vm != NULL && !options->view_only)
    {
      self->qemu = gvt_qemu_input_new (vm);
      self->mode = options->relative ? GVT_INPUT_RELATIVE : GVT_INPUT_ABSOLUTE;
    }
  return self;
}

void
gvt_input_free (GvtInput *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->qemu, gvt_qemu_input_free);
  g_free (self->grab_label);
  g_free (self);
}

GvtInputMode gvt_input_get_mode (GvtInput *self) { return self->mode; }
const char *gvt_input_get_grab_label (GvtInput *self) { return self->grab_label; }

gboolean
gvt_input_is_grab_key (GvtInput *self, guint keyval, GdkModifierType state)
{
  GdkModifierType mods = state & gtk_accelerator_get_default_mod_mask ();
  return gdk_keyval_to_lower (keyval) == self->grab_keyval && mods == self->grab_mods;
}

void
gvt_input_set_view (GvtInput *self, const GvtView *view, int scale_factor)
{
  self->view = *view;
  self->scale = MAX (scale_factor, 1);
  self->has_view = TRUE;
}

gboolean gvt_input_has_view (GvtInput *self) { return self->has_view; }
const GvtView *gvt_input_get_view (GvtInput *self) { return self->has_view ? &self->view : NULL; }

gboolean
gvt_input_pointer_to_guest (GvtInput *self, double x, double y, double *guest_x,
                            double *guest_y)
{
  if (!self->has_view)
    return FALSE;
  return gvt_view_output_to_guest (&self->view, x * self->scale, y * self->scale, guest_x,
                                   guest_y);
}

gboolean
gvt_input_pointer_to_abs (GvtInput *self, double x, double y, guint *abs_x, guint *abs_y)
{
  double gx = 0, gy = 0;
  gboolean inside = gvt_input_pointer_to_guest (self, x, y, &gx, &gy);

  if (!self->has_view)
    return FALSE;
  *abs_x = gvt_qemu_abs_from_pixel (gx, self->view.src_width);
  *abs_y = gvt_qemu_abs_from_pixel (gy, self->view.src_height);
  return inside;
}

/* QEMU refuses input while the VM is stopped ("VM not running"), and a
 * whole command for one qcode it doesn't know. */
static gboolean
can_send (GvtInput *self)
{
  return self->qemu != NULL && gvt_vm_get_state (self->vm) == GVT_VM_RUNNING;
}

gboolean
gvt_input_key (GvtInput *self, guint hardware_keycode, gboolean down)
{
  guint code = hardware_keycode >= EVDEV_OFFSET ? hardware_keycode - EVDEV_OFFSET : 0;
  const char *qcode = code ? gvt_keymap_qcode (code) : NULL;
  GvtQmp *qmp = self->vm ? gvt_vm_get_qmp (self->vm) : NULL;
  int major = 0, minor, micro;

  if (qcode == NULL || !can_send (self))
    return FALSE;
  if (qmp != NULL)
    gvt_qmp_get_version (qmp, &major, &minor, &micro);
  if (major < gvt_keymap_qemu_major_needed (code))
    return FALSE;
  gvt_qemu_input_key (self->qemu, qcode, down);
  return TRUE;
}

static gboolean
button_for (guint button, GvtQemuButton *out)
{
  switch (button)
    {
    case 1: *out = GVT_QEMU_BUTTON_LEFT; return TRUE;
    case 2: *out = GVT_QEMU_BUTTON_MIDDLE; return TRUE;
    case 3: *out = GVT_QEMU_BUTTON_RIGHT; return TRUE;
    case 8: *out = GVT_QEMU_BUTTON_SIDE; return TRUE;
    case 9: *out = GVT_QEMU_BUTTON_EXTRA; return TRUE;
    default: return FALSE;
    }
}

/* The absolute position, when it is to be sent: over the image, or
 * anywhere while a button is held (a drag may leave the image). */
static void
send_position (GvtInput *self, double x, double y)
{
  guint ax, ay;

  if (self->mode == GVT_INPUT_ABSOLUTE
      && (gvt_input_pointer_to_abs (self, x, y, &ax, &ay)
          || (self->has_view && self->buttons_down != 0)))
    gvt_qemu_input_abs (self->qemu, ax, ay);
}

void
gvt_input_button (GvtInput *self, guint button, gboolean down, double x, double y)
{
  GvtQemuButton b;

  if (!can_send (self) || !button_for (button, &b))
    return;
  send_position (self, x, y);
  if (down)
    self->buttons_down |= 1u << button;
  else
    self->buttons_down &= ~(1u << button);
  gvt_qemu_input_button (self->qemu, b, down);
}

void
gvt_input_motion (GvtInput *self, double x, double y)
{
  if (can_send (self))
    send_position (self, x, y);
}

void
gvt_input_motion_relative (GvtInput *self, double dx, double dy)
{
  if (!can_send (self) || self->mode != GVT_INPUT_RELATIVE)
    return;
  /* Whole pixels go; fractions wait for the next motion. */
  self->rel_x += dx;
  self->rel_y += dy;
  int ix = (int) self->rel_x, iy = (int) self->rel_y;
  self->rel_x -= ix;
  self->rel_y -= iy;
  if (ix != 0 || iy != 0)
    gvt_qemu_input_rel (self->qemu, ix, iy);
}

void
gvt_input_scroll (GvtInput *self, GdkScrollDirection direction)
{
  static const GvtQemuButton wheel[] = {
    [GDK_SCROLL_UP] = GVT_QEMU_BUTTON_WHEEL_UP,
    [GDK_SCROLL_DOWN] = GVT_QEMU_BUTTON_WHEEL_DOWN,
    [GDK_SCROLL_LEFT] = GVT_QEMU_BUTTON_WHEEL_LEFT,
    [GDK_SCROLL_RIGHT] = GVT_QEMU_BUTTON_WHEEL_RIGHT,
  };

  if (can_send (self) && direction <= GDK_SCROLL_RIGHT)
    gvt_qemu_input_wheel (self->qemu, wheel[direction]);
}

void
gvt_input_release_all (GvtInput *self)
{
  self->buttons_down = 0;
  if (self->qemu != NULL)
    gvt_qemu_input_release_all (self->qemu);
}

void
gvt_input_get_counts (GvtInput *self, guint *keys_down, guint64 *commands)
{
  GvtQemuInputStats stats = { 0 };

  if (self->qemu != NULL)
    gvt_qemu_input_get_stats (self->qemu, &stats);
  *keys_down = stats.keys_down;
  *commands = stats.commands;
}

gboolean
gvt_input_is_idle (GvtInput *self)
{
  GvtQemuInputStats stats = { 0 };

  if (self->qemu != NULL)
    gvt_qemu_input_get_stats (self->qemu, &stats);
  return stats.queued == 0 && stats.in_flight == 0;
}
