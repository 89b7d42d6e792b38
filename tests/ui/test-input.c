/* The viewer's shortcuts (everything else goes to the guest) and the
 * pointer's mapping through the view of the last frame. */
#include "ui/input.h"

static void
test_shortcuts (void)
{
  const GdkModifierType ca = GDK_CONTROL_MASK | GDK_MOD1_MASK;
  const struct { guint key; GdkModifierType mods; GvtShortcut want; } cases[] = {
    { GDK_KEY_F11, 0, GVT_SHORTCUT_FULLSCREEN },
    { GDK_KEY_F11, GDK_SHIFT_MASK, GVT_SHORTCUT_NONE },
    { GDK_KEY_f, ca, GVT_SHORTCUT_FULLSCREEN },
    { GDK_KEY_F, ca, GVT_SHORTCUT_FULLSCREEN },
    { GDK_KEY_f, GDK_CONTROL_MASK, GVT_SHORTCUT_NONE },
    { GDK_KEY_s, ca, GVT_SHORTCUT_NEXT_SCALE },
    { GDK_KEY_1, ca, GVT_SHORTCUT_NATIVE_SIZE },
    { GDK_KEY_KP_1, ca, GVT_SHORTCUT_NATIVE_SIZE },
    { GDK_KEY_o, ca, GVT_SHORTCUT_OVERLAY },
    { GDK_KEY_q, GDK_CONTROL_MASK, GVT_SHORTCUT_QUIT },
    { GDK_KEY_Q, GDK_CONTROL_MASK, GVT_SHORTCUT_QUIT },
    { GDK_KEY_q, ca, GVT_SHORTCUT_NONE },
    { GDK_KEY_q, 0, GVT_SHORTCUT_NONE },
    { GDK_KEY_s, ca | GDK_SHIFT_MASK, GVT_SHORTCUT_NONE },
    /* Lock keys don't change what a shortcut is. */
    { GDK_KEY_o, ca | GDK_LOCK_MASK | GDK_MOD2_MASK, GVT_SHORTCUT_OVERLAY },
    { GDK_KEY_a, ca, GVT_SHORTCUT_NONE },
    { GDK_KEY_Delete, ca, GVT_SHORTCUT_NONE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    if (gvt_input_shortcut_for (cases[i].key, cases[i].mods) != cases[i].want)
      g_error ("case %" G_GSIZE_FORMAT ": key 0x%x mods 0x%x: got %d, want %d", i,
               cases[i].key, cases[i].mods, gvt_input_shortcut_for (cases[i].key, cases[i].mods),
               cases[i].want);
}

static void
test_pointer (void)
{
  g_autoptr (GvtInput) input = gvt_input_new ();
  GvtView view;
  double gx, gy;

  g_assert_false (gvt_input_has_view (input));
  g_assert_false (gvt_input_pointer_to_guest (input, 10, 10, &gx, &gy));
  /* A 640x480 guest fit into 1280x1080 device pixels: scale 2, letterboxed
   * 60 px top and bottom; the widget is at scale factor 2, so events come
   * in 640x540 logical pixels. */
  gvt_view_compute (&view, GVT_SCALE_FIT, GVT_FILTER_AUTO, 640, 480, 1280, 1080);
  gvt_input_set_view (input, &view, 2);
  g_assert_true (gvt_input_has_view (input));
  g_assert_true (gvt_input_pointer_to_guest (input, 320, 270, &gx, &gy));
  g_assert_cmpfloat_with_epsilon (gx, 320, 1e-9);
  g_assert_cmpfloat_with_epsilon (gy, 240, 1e-9);
  g_assert_true (gvt_input_pointer_to_guest (input, 0, 30, &gx, &gy));
  g_assert_cmpfloat_with_epsilon (gx, 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (gy, 0, 1e-9);
  /* In the letterbox: outside, clamped to the edge. */
  g_assert_false (gvt_input_pointer_to_guest (input, 100, 10, &gx, &gy));
  g_assert_cmpfloat_with_epsilon (gx, 100, 1e-9);
  g_assert_cmpfloat (gy, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ui/input/shortcuts", test_shortcuts);
  g_test_add_func ("/ui/input/pointer", test_pointer);
  return g_test_run ();
}
