/* The GL-free view math: rectangles for every scaling mode, the filter
 * choice, cursor placement and the inverse pointer mapping. */
#include "render/geometry.h"

static void
assert_rect (GvtRect r, int x, int y, int w, int h)
{
  g_assert_cmpint (r.x, ==, x);
  g_assert_cmpint (r.y, ==, y);
  g_assert_cmpint (r.width, ==, w);
  g_assert_cmpint (r.height, ==, h);
}

static void
test_fit (void)
{
  GvtView v;
  gvt_view_compute (&v, GVT_SCALE_FIT, GVT_FILTER_AUTO, 1920, 1080, 1920, 1200);
  assert_rect (v.image, 0, 60, 1920, 1080);
  assert_rect (v.visible, 0, 60, 1920, 1080);
  g_assert_true (v.nearest);               /* 1:1 */
  gvt_view_compute (&v, GVT_SCALE_FIT, GVT_FILTER_AUTO, 1024, 768, 1921, 1081);
  assert_rect (v.image, 240, 0, 1441, 1081);  /* 1024 * 1081 / 768 = 1441.3 */
  g_assert_false (v.nearest);
  gvt_view_compute (&v, GVT_SCALE_FIT, GVT_FILTER_AUTO, 640, 480, 320, 1000);
  assert_rect (v.image, 0, 380, 320, 240);
  gvt_view_compute (&v, GVT_SCALE_FIT, GVT_FILTER_NEAREST, 3, 1, 2, 2);
  assert_rect (v.image, 0, 0, 2, 1);       /* never 0 pixels tall */
  g_assert_true (v.nearest);
}

static void
test_fill (void)
{
  GvtView v;
  gvt_view_compute (&v, GVT_SCALE_FILL, GVT_FILTER_AUTO, 800, 600, 1001, 333);
  assert_rect (v.image, 0, 0, 1001, 333);
  g_assert_cmpfloat_with_epsilon (v.scale_x, 1001.0 / 800, 1e-12);
  g_assert_cmpfloat_with_epsilon (v.scale_y, 333.0 / 600, 1e-12);
  g_assert_false (v.nearest);
  gvt_view_compute (&v, GVT_SCALE_FILL, GVT_FILTER_AUTO, 800, 600, 1600, 1800);
  g_assert_true (v.nearest);               /* 2x and 3x: whole pixels */
}

static void
test_integer (void)
{
  GvtView v;
  gvt_view_compute (&v, GVT_SCALE_INTEGER, GVT_FILTER_AUTO, 640, 480, 1920, 1080);
  assert_rect (v.image, 320, 60, 1280, 960);
  g_assert_cmpfloat (v.scale_x, ==, 2.0);
  g_assert_true (v.nearest);
  gvt_view_compute (&v, GVT_SCALE_INTEGER, GVT_FILTER_AUTO, 640, 480, 641, 481);
  assert_rect (v.image, 0, 0, 640, 480);
  /* Larger than the output: falls back to fit (and linear). */
  gvt_view_compute (&v, GVT_SCALE_INTEGER, GVT_FILTER_AUTO, 1920, 1080, 960, 600);
  assert_rect (v.image, 0, 30, 960, 540);
  g_assert_false (v.nearest);
}

static void
test_native (void)
{
  GvtView v;
  gvt_view_compute (&v, GVT_SCALE_NATIVE, GVT_FILTER_AUTO, 1024, 768, 1280, 1025);
  assert_rect (v.image, 128, 128, 1024, 768);
  g_assert_true (v.nearest);
  gvt_view_compute (&v, GVT_SCALE_NATIVE, GVT_FILTER_AUTO, 1920, 1080, 1001, 600);
  assert_rect (v.image, -460, -240, 1920, 1080);
  assert_rect (v.visible, 0, 0, 1001, 600);
}

static void
test_empty (void)
{
  GvtView v;
  gvt_view_compute (&v, GVT_SCALE_FIT, GVT_FILTER_AUTO, 0, 0, 100, 100);
  assert_rect (v.visible, 0, 0, 0, 0);
  double gx, gy;
  g_assert_false (gvt_view_output_to_guest (&v, 50, 50, &gx, &gy));
}

static void
test_cursor_rect (void)
{
  GvtView v;
  gvt_view_compute (&v, GVT_SCALE_INTEGER, GVT_FILTER_AUTO, 640, 480, 1920, 1080);
  assert_rect (gvt_view_cursor_rect (&v, 10, 20, 64, 64), 340, 100, 128, 128);
  assert_rect (gvt_view_cursor_rect (&v, -8, -4, 64, 64), 304, 52, 128, 128);
  gvt_view_compute (&v, GVT_SCALE_FILL, GVT_FILTER_AUTO, 100, 100, 150, 50);
  assert_rect (gvt_view_cursor_rect (&v, 1, 1, 3, 3), 2, 1, 4, 1); /* 1.5..6 x 0.5..2, rounded */
}

static void
test_inverse (void)
{
  GvtView v;
  double gx, gy, ox, oy;

  gvt_view_compute (&v, GVT_SCALE_FIT, GVT_FILTER_AUTO, 1024, 768, 1921, 1081);
  /* Forward then back is the identity inside the image. */
  for (double x = 0.5; x < 1024; x += 101.25)
    for (double y = 0.5; y < 768; y += 77.5)
      {
        gvt_view_guest_to_output (&v, x, y, &ox, &oy);
        g_assert_true (gvt_view_output_to_guest (&v, ox, oy, &gx, &gy));
        g_assert_cmpfloat_with_epsilon (gx, x, 1e-9);
        g_assert_cmpfloat_with_epsilon (gy, y, 1e-9);
      }
  /* Letterbox: outside, clamped to the nearest edge pixel. */
  g_assert_false (gvt_view_output_to_guest (&v, 10, 500, &gx, &gy));
  g_assert_cmpfloat (gx, ==, 0.0);
  g_assert_false (gvt_view_output_to_guest (&v, 1920, 1080, &gx, &gy));
  g_assert_cmpfloat (gx, <, 1024.0);
  g_assert_cmpfloat (gy, <, 768.0);
  g_assert_cmpfloat (gx, >, 1023.9);

  /* Native, cropped: the output's corner is guest (460, 240). */
  gvt_view_compute (&v, GVT_SCALE_NATIVE, GVT_FILTER_AUTO, 1920, 1080, 1000, 600);
  g_assert_true (gvt_view_output_to_guest (&v, 0, 0, &gx, &gy));
  g_assert_cmpfloat (gx, ==, 460.0);
  g_assert_cmpfloat (gy, ==, 240.0);
}

static void
test_parse (void)
{
  GvtScaleMode m;
  GvtFilter f;
  g_assert_true (gvt_scale_mode_parse ("native", &m));
  g_assert_cmpint (m, ==, GVT_SCALE_NATIVE);
  g_assert_false (gvt_scale_mode_parse ("Fit", &m));
  g_assert_true (gvt_filter_parse ("nearest", &f));
  g_assert_cmpint (f, ==, GVT_FILTER_NEAREST);
  g_assert_false (gvt_filter_parse ("", &f));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/render/geometry/fit", test_fit);
  g_test_add_func ("/render/geometry/fill", test_fill);
  g_test_add_func ("/render/geometry/integer", test_integer);
  g_test_add_func ("/render/geometry/native", test_native);
  g_test_add_func ("/render/geometry/empty", test_empty);
  g_test_add_func ("/render/geometry/cursor-rect", test_cursor_rect);
  g_test_add_func ("/render/geometry/inverse", test_inverse);
  g_test_add_func ("/render/geometry/parse", test_parse);
  return g_test_run ();
}
