/* Shortcuts and the pointer's way into guest coordinates. */
#include "input.h"

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

struct _GvtInput {
  GvtView view;
  int scale;
  gboolean has_view;
};

GvtInput *
gvt_input_new (void)
{
  GvtInput *self = g_new0 (GvtInput, 1);
  self->scale = 1;
  return self;
}

void
gvt_input_free (GvtInput *self)
{
  g_free (self);
}

void
gvt_input_set_view (GvtInput *self, const GvtView *view, int scale_factor)
{
  self->view = *view;
  self->scale = MAX (scale_factor, 1);
  self->has_view = TRUE;
}

gboolean
gvt_input_has_view (GvtInput *self)
{
  return self->has_view;
}

gboolean
gvt_input_pointer_to_guest (GvtInput *self, double x, double y, double *guest_x,
                            double *guest_y)
{
  if (!self->has_view)
    return FALSE;
  return gvt_view_output_to_guest (&self->view, x * self->scale, y * self->scale, guest_x,
                                   guest_y);
}
