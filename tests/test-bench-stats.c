/* Tests of the benchmark's arithmetic: medians, per-pair ratios and their
 * spread, without GL. */
#include <math.h>
#include <string.h>

#include "cmd/bench-stats.h"

static void
test_median (void)
{
  const double one[] = { 4.5 };
  g_assert_cmpfloat (gvt_bench_median (one, 1), ==, 4.5);

  /* Odd count: the middle value, whatever the order given. */
  const double odd[] = { 9, 1, 5, 3, 7 };
  g_assert_cmpfloat (gvt_bench_median (odd, 5), ==, 5);
  /* Left as it was. */
  g_assert_cmpfloat (odd[0], ==, 9);
  g_assert_cmpfloat (odd[4], ==, 7);

  /* Even count: the mean of the middle two. */
  const double even[] = { 10, 2, 4, 8 };
  g_assert_cmpfloat (gvt_bench_median (even, 4), ==, 6);
  const double two[] = { 1, 2 };
  g_assert_cmpfloat (gvt_bench_median (two, 2), ==, 1.5);

  /* Ties and duplicates. */
  const double ties[] = { 3, 3, 1, 3, 8, 3 };
  g_assert_cmpfloat (gvt_bench_median (ties, 6), ==, 3);
}

static void
test_empty (void)
{
  g_autoptr (GvtBenchPairs) pairs = gvt_bench_pairs_new ();
  GvtBenchSummary s;
  memset (&s, 0xab, sizeof s);
  g_assert_false (gvt_bench_pairs_summarize (pairs, &s));
  g_assert_cmpuint (s.n, ==, 0);
  g_assert_cmpfloat (s.a_median, ==, 0);
  g_assert_cmpfloat (s.b_median, ==, 0);
  g_assert_cmpfloat (s.ratio_median, ==, 0);
  g_assert_cmpfloat (s.ratio_min, ==, 0);
  g_assert_cmpfloat (s.ratio_max, ==, 0);
  g_assert_cmpuint (gvt_bench_pairs_get_count (pairs), ==, 0);
  gvt_bench_pairs_free (NULL);
}

static void
test_one_pair (void)
{
  g_autoptr (GvtBenchPairs) pairs = gvt_bench_pairs_new ();
  GvtBenchSummary s;
  gvt_bench_pairs_add (pairs, 3, 2);
  g_assert_true (gvt_bench_pairs_summarize (pairs, &s));
  g_assert_cmpuint (s.n, ==, 1);
  g_assert_cmpfloat (s.a_median, ==, 3);
  g_assert_cmpfloat (s.b_median, ==, 2);
  g_assert_cmpfloat (s.ratio_median, ==, 1.5);
  g_assert_cmpfloat (s.ratio_min, ==, 1.5);
  g_assert_cmpfloat (s.ratio_max, ==, 1.5);
}

/* The ratio is the median of the pairs' ratios, not the ratio of the
 * medians: here those are 1 and 2. */
static void
test_ratio_of_pairs (void)
{
  g_autoptr (GvtBenchPairs) pairs = gvt_bench_pairs_new ();
  GvtBenchSummary s;
  gvt_bench_pairs_add (pairs, 1, 1);
  gvt_bench_pairs_add (pairs, 2, 1);
  gvt_bench_pairs_add (pairs, 10, 10);
  g_assert_true (gvt_bench_pairs_summarize (pairs, &s));
  g_assert_cmpuint (s.n, ==, 3);
  g_assert_cmpfloat (s.a_median, ==, 2);
  g_assert_cmpfloat (s.b_median, ==, 1);
  g_assert_cmpfloat (s.ratio_median, ==, 1);
  g_assert_cmpfloat (s.ratio_min, ==, 1);
  g_assert_cmpfloat (s.ratio_max, ==, 2);
}

/* What interleaving is for: load from elsewhere slows both halves of the
 * pairs it hits, which leaves their ratios alone, and a pair hit on one
 * side only moves one ratio, which the median ignores and the spread
 * shows. */
static void
test_load (void)
{
  g_autoptr (GvtBenchPairs) pairs = gvt_bench_pairs_new ();
  GvtBenchSummary s;
  for (guint i = 0; i < 100; i++)
    {
      /* A costs 1.05 B; a third of the pairs run at a quarter speed. */
      double slow = i % 3 == 0 ? 4 : 1;
      double b = (10 + i % 7) * slow;
      gvt_bench_pairs_add (pairs, b * 1.05, b);
    }
  gvt_bench_pairs_add (pairs, 200, 10);   /* A preempted */
  gvt_bench_pairs_add (pairs, 10, 40);    /* B preempted */
  g_assert_true (gvt_bench_pairs_summarize (pairs, &s));
  g_assert_cmpuint (s.n, ==, 102);
  g_assert_cmpuint (gvt_bench_pairs_get_count (pairs), ==, 102);
  g_assert_cmpfloat_with_epsilon (s.ratio_median, 1.05, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.ratio_min, 0.25, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.ratio_max, 20, 1e-12);
}

/* Summaries don't consume the pairs: more can be added and summarised. */
static void
test_summarize_again (void)
{
  g_autoptr (GvtBenchPairs) pairs = gvt_bench_pairs_new ();
  GvtBenchSummary s;
  gvt_bench_pairs_add (pairs, 4, 2);
  gvt_bench_pairs_add (pairs, 1, 1);
  g_assert_true (gvt_bench_pairs_summarize (pairs, &s));
  g_assert_cmpfloat (s.ratio_median, ==, 1.5);
  g_assert_cmpfloat (s.a_median, ==, 2.5);
  g_assert_true (gvt_bench_pairs_summarize (pairs, &s));
  g_assert_cmpfloat (s.ratio_median, ==, 1.5);
  gvt_bench_pairs_add (pairs, 9, 3);
  g_assert_true (gvt_bench_pairs_summarize (pairs, &s));
  g_assert_cmpuint (s.n, ==, 3);
  g_assert_cmpfloat (s.ratio_median, ==, 2);
  g_assert_cmpfloat (s.a_median, ==, 4);
  g_assert_cmpfloat (s.b_median, ==, 2);
  g_assert_cmpfloat (s.ratio_min, ==, 1);
  g_assert_cmpfloat (s.ratio_max, ==, 3);
}

/* A value that isn't a positive finite number is a caller's bug (a timer
 * that didn't tick): refused loudly, not summarised as infinity. */
static void
test_rejects_bad_values (void)
{
  const double bad[] = { 0, -1, NAN, INFINITY };
  g_autoptr (GvtBenchPairs) pairs = gvt_bench_pairs_new ();
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*assertion*");
      gvt_bench_pairs_add (pairs, bad[i], 1);
      g_test_assert_expected_messages ();
      g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*assertion*");
      gvt_bench_pairs_add (pairs, 1, bad[i]);
      g_test_assert_expected_messages ();
    }
  g_assert_cmpuint (gvt_bench_pairs_get_count (pairs), ==, 0);
  GvtBenchSummary s;
  g_assert_false (gvt_bench_pairs_summarize (pairs, &s));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bench-stats/median", test_median);
  g_test_add_func ("/bench-stats/pairs/empty", test_empty);
  g_test_add_func ("/bench-stats/pairs/one", test_one_pair);
  g_test_add_func ("/bench-stats/pairs/ratio-of-pairs", test_ratio_of_pairs);
  g_test_add_func ("/bench-stats/pairs/load", test_load);
  g_test_add_func ("/bench-stats/pairs/summarize-again", test_summarize_again);
  g_test_add_func ("/bench-stats/pairs/rejects-bad-values", test_rejects_bad_values);
  return g_test_run ();
}
