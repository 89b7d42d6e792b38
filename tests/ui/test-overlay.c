/* The --stats overlay's text. */
#include "common/format.h"
#include "ui/overlay.h"

static void
free_pixels (void *data, gsize size)
{
  g_free (data);
}

static void
test_text (void)
{
  GvtFrameStats s;
  g_autoptr (GvtBuffer) buffer = gvt_buffer_new_memory (g_malloc0 (64 * 32 * 4), 64 * 32 * 4,
                                                        free_pixels);
  g_autoptr (GvtPlane) plane = gvt_plane_new_memory (GVT_FORMAT_XRGB8888, 64, 32, 256, buffer);

  gvt_frame_stats_init (&s);
  s.fps = 59.94;
  s.updates_per_s = 12.0;
  s.poll_us = 17.4;
  s.imports_per_s = 0.5;
  s.bytes_per_s = 2.5e6;
  s.presents = 1234;
  s.imports = 3;
  s.uploads = 7;
  g_autofree char *text = gvt_overlay_format (&s, "import", plane, "x11-egl");
  char mod[GVT_MODIFIER_NAME_MAX];
  g_autofree char *format_line = g_strdup_printf ("XR24 %s 64×32",
                                                  gvt_modifier_to_string (GVT_MOD_LINEAR, mod));
  g_autofree char *expected = g_strdup_printf (
    "59.9 fps presented   12.0 plane updates/s\n"
    "poll 17 µs   path: zero-copy import (x11-egl)\n"
    "%s\n"
    "0.5 imports/s   2.5 MB/s copied\n"
    "1234 frames   3 imports   7 uploads", format_line);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_no_plane (void)
{
  GvtFrameStats s;

  gvt_frame_stats_init (&s);
  g_autofree char *text = gvt_overlay_format (&s, "none", NULL, "wayland-glarea");
  g_assert_nonnull (strstr (text, "path: none (wayland-glarea)\nno plane\n"));
  g_autofree char *upload = gvt_overlay_format (&s, "upload", NULL, "x11-egl");
  g_assert_nonnull (strstr (upload, "path: upload (x11-egl)"));
  g_assert_nonnull (strstr (upload, "0.0 fps presented"));
  g_assert_nonnull (strstr (upload, "0 B/s copied"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ui/overlay/text", test_text);
  g_test_add_func ("/ui/overlay/no-plane", test_no_plane);
  return g_test_run ();
}
