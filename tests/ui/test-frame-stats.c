/* The window's counters and per-second rates. */
#include "ui/frame-stats.h"

static void
test_counts (void)
{
  GvtFrameStats s;

  gvt_frame_stats_init (&s);
  gvt_frame_stats_poll (&s, 1000, 5, TRUE);
  gvt_frame_stats_present (&s, FALSE, 1, 0, 0, 300);
  gvt_frame_stats_poll (&s, 2000, 7, FALSE);
  gvt_frame_stats_present (&s, TRUE, 0, 1, 4096, 200);
  gvt_frame_stats_poll (&s, 3000, -3, FALSE); /* a clock step back counts as 0 */
  g_assert_cmpuint (s.ticks, ==, 3);
  g_assert_cmpuint (s.plane_updates, ==, 1);
  g_assert_cmpuint (s.presents, ==, 2);
  g_assert_cmpuint (s.repeats, ==, 1);
  g_assert_cmpuint (s.polls_us, ==, 12);
  g_assert_cmpuint (s.draw_us, ==, 500);
  g_assert_cmpuint (s.imports, ==, 1);
  g_assert_cmpuint (s.uploads, ==, 1);
  g_assert_cmpuint (s.bytes_uploaded, ==, 4096);
  /* No whole second yet: no rates. */
  g_assert_cmpfloat (s.fps, ==, 0.0);
}

static void
test_rates (void)
{
  GvtFrameStats s;
  gint64 t = 10 * G_USEC_PER_SEC;

  gvt_frame_stats_init (&s);
  /* 60 ticks over one second, a plane update every other tick, each
   * presented; one upload of 1 MB per frame. */
  for (int i = 0; i < 60; i++, t += G_USEC_PER_SEC / 60)
    {
      gvt_frame_stats_poll (&s, t, 10, i % 2 == 0);
      gvt_frame_stats_present (&s, i % 2 != 0, 0, 1, 1000000, 100);
    }
  g_assert_cmpfloat (s.fps, ==, 0.0);
  /* The second closes at the first poll a whole second after it began. */
  gvt_frame_stats_poll (&s, 11 * G_USEC_PER_SEC, 10, FALSE);
  g_assert_cmpfloat_with_epsilon (s.fps, 60.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (s.updates_per_s, 30.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (s.poll_us, 10.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (s.bytes_per_s, 60e6, 1e-3);
  g_assert_cmpfloat (s.imports_per_s, ==, 0.0);
  g_assert_cmpuint (s.repeats, ==, 30);
}

static void
test_format_bytes (void)
{
  const struct { double v; const char *text; } cases[] = {
    { 0, "0 B" }, { 999, "999 B" }, { 1500, "1.5 kB" }, { 2.5e6, "2.5 MB" }, { 8.69e9, "8.69 GB" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = gvt_format_bytes (cases[i].v);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ui/frame-stats/counts", test_counts);
  g_test_add_func ("/ui/frame-stats/rates", test_rates);
  g_test_add_func ("/ui/frame-stats/format-bytes", test_format_bytes);
  return g_test_run ();
}
