/* The viewer's shortcuts (everything else goes to the guest) and the
 * pointer's mapping through the view of the last frame. */
#include <string.h>

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
  g_autoptr (GvtInput) input = gvt_input_new (NULL, NULL);
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

/* The pointer as QEMU's abs values, for fit with letterbox and for
 * integer scaling: x * 0x7FFF / width of the guest pixel under it. */
static void
test_pointer_abs (void)
{
  g_autoptr (GvtInput) input = gvt_input_new (NULL, NULL);
  GvtView view;
  guint ax = 1, ay = 1;

  g_assert_false (gvt_input_pointer_to_abs (input, 1, 1, &ax, &ay));
  /* 1024x768 fit into 1200x700: scale 700/768, 233.3 px bars left and right. */
  gvt_view_compute (&view, GVT_SCALE_FIT, GVT_FILTER_AUTO, 1024, 768, 1200, 700);
  gvt_input_set_view (input, &view, 1);
  const struct { double x, y; gboolean inside; guint ax, ay; } fit[] = {
    { 600, 350, TRUE, 512 * 0x7FFF / 1024, 384 * 0x7FFF / 768 },
    { view.offset_x, 0, TRUE, 0, 0 },
    { view.offset_x + 1023.5 * view.scale_x, 699.9, TRUE, 1023 * 0x7FFF / 1024,
      767 * 0x7FFF / 768 },
    /* In the bars: outside, clamped to the edge. */
    { 10, 350, FALSE, 0, 384 * 0x7FFF / 768 },
    { 1190, 350, FALSE, 1023 * 0x7FFF / 1024, 384 * 0x7FFF / 768 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (fit); i++)
    {
      g_assert_cmpint (gvt_input_pointer_to_abs (input, fit[i].x, fit[i].y, &ax, &ay), ==,
                       fit[i].inside);
      g_assert_cmpuint (ax, ==, fit[i].ax);
      g_assert_cmpuint (ay, ==, fit[i].ay);
    }
  /* Integer 2x, centred in 2100x1600, at buffer scale 2 (events are half). */
  gvt_view_compute (&view, GVT_SCALE_INTEGER, GVT_FILTER_AUTO, 1024, 768, 2100, 1600);
  gvt_input_set_view (input, &view, 2);
  g_assert_cmpfloat (view.scale_x, ==, 2);
  /* Device pixel 26 + 2 * 100 = 226 is guest pixel 100. */
  g_assert_true (gvt_input_pointer_to_abs (input, 113, (32.0 + 2 * 50) / 2, &ax, &ay));
  g_assert_cmpuint (ax, ==, 100 * 0x7FFF / 1024);
  g_assert_cmpuint (ay, ==, 50 * 0x7FFF / 768);
}

static void
test_grab_keys (void)
{
  guint key = 0;
  GdkModifierType mods = 0;
  g_autoptr (GError) error = NULL;

  g_assert_true (gvt_input_parse_grab_keys ("ctrl+alt+g", &key, &mods, &error));
  g_assert_cmpuint (key, ==, GDK_KEY_g);
  g_assert_cmpuint (mods, ==, GDK_CONTROL_MASK | GDK_MOD1_MASK);
  g_assert_true (gvt_input_parse_grab_keys ("Ctrl+Shift+F12", &key, &mods, &error));
  g_assert_cmpuint (key, ==, GDK_KEY_F12);
  g_assert_cmpuint (mods, ==, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  g_assert_true (gvt_input_parse_grab_keys ("super+G", &key, &mods, &error));
  g_assert_cmpuint (key, ==, GDK_KEY_g);
  g_assert_cmpuint (mods, ==, GDK_SUPER_MASK);
  const struct { const char *text, *needle; } bad[] = {
    { "g", "give ctrl, alt or super" },
    { "shift+g", "give ctrl, alt or super" },
    { "ctrl+alt+", "must name a key" },
    { "ctrl+alt+nosuchkey", "must name a key" },
    { "hyper+g", "'hyper' is not a modifier" },
    { "", "must name a key" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) e = NULL;
      key = 7, mods = 7;
      g_assert_false (gvt_input_parse_grab_keys (bad[i].text, &key, &mods, &e));
      g_assert_nonnull (e);
      if (strstr (e->message, bad[i].needle) == NULL)
        g_error ("'%s': %s lacks '%s'", bad[i].text, e->message, bad[i].needle);
      g_assert_cmpuint (key, ==, 7);
    }

  /* The input room's own: the default, its label, and a custom one. */
  g_autoptr (GvtInput) input = gvt_input_new (NULL, NULL);
  g_assert_true (gvt_input_is_grab_key (input, GDK_KEY_g, GDK_CONTROL_MASK | GDK_MOD1_MASK));
  g_assert_true (gvt_input_is_grab_key (input, GDK_KEY_G,
                                        GDK_CONTROL_MASK | GDK_MOD1_MASK | GDK_MOD2_MASK));
  g_assert_false (gvt_input_is_grab_key (input, GDK_KEY_g, GDK_CONTROL_MASK));
  g_assert_cmpstr (gvt_input_get_grab_label (input), ==, "Ctrl+Alt+G");
  GvtInputOptions o = { .grab_keyval = GDK_KEY_F12, .grab_mods = GDK_CONTROL_MASK };
  g_autoptr (GvtInput) custom = gvt_input_new (NULL, &o);
  g_assert_true (gvt_input_is_grab_key (custom, GDK_KEY_F12, GDK_CONTROL_MASK));
  g_assert_false (gvt_input_is_grab_key (custom, GDK_KEY_g, GDK_CONTROL_MASK | GDK_MOD1_MASK));
}

/* Without a QEMU link nothing is sent, whatever comes. */
static void
test_off_without_link (void)
{
  g_autoptr (GvtInput) input = gvt_input_new (NULL, NULL);
  guint keys;
  guint64 commands;

  g_assert_cmpint (gvt_input_get_mode (input), ==, GVT_INPUT_OFF);
  g_assert_cmpstr (gvt_input_mode_to_string (GVT_INPUT_OFF), ==, "off");
  g_assert_false (gvt_input_key (input, 38, TRUE));
  gvt_input_button (input, 1, TRUE, 5, 5);
  gvt_input_motion (input, 5, 5);
  gvt_input_scroll (input, GDK_SCROLL_UP);
  gvt_input_release_all (input);
  gvt_input_get_counts (input, &keys, &commands);
  g_assert_cmpuint (keys, ==, 0);
  g_assert_cmpuint (commands, ==, 0);
  g_assert_true (gvt_input_is_idle (input));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ui/input/shortcuts", test_shortcuts);
  g_test_add_func ("/ui/input/pointer", test_pointer);
  g_test_add_func ("/ui/input/pointer-abs", test_pointer_abs);
  g_test_add_func ("/ui/input/grab-keys", test_grab_keys);
  g_test_add_func ("/ui/input/off-without-link", test_off_without_link);
  return g_test_run ();
}
