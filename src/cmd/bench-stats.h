/* The benchmark's arithmetic, GL-free so that it is tested without a GPU:
 * measurements taken in interleaved pairs (A, then its baseline B, under
 * the same load), summarised by medians and the spread of the per-pair
 * ratios A/B. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GvtBenchPairs GvtBenchPairs;

/* What `gvt-view bench` reports for one comparison. */
typedef struct {
  guint n;              /* pairs */
  double a_median;      /* median of the A values */
  double b_median;      /* median of the B values */
  double ratio_median;  /* median of the per-pair ratios A/B */
  double ratio_min;     /* their spread */
  double ratio_max;
} GvtBenchSummary;

/* An empty set of pairs. */
GvtBenchPairs *gvt_bench_pairs_new (void);
/* Accepts NULL. */
void gvt_bench_pairs_free (GvtBenchPairs *self);

/* Records one pair: @a and @b in the same unit (seconds, or bytes per
 * second), each finite and > 0 — anything else is a programming error
 * (critical, the pair is not recorded), because a zero from a timer that
 * didn't tick would make an infinite ratio. */
void gvt_bench_pairs_add (GvtBenchPairs *self, double a, double b);

guint gvt_bench_pairs_get_count (GvtBenchPairs *self);

/* Summarises the pairs recorded so far (the set is not changed). FALSE,
 * and @summary all zero, when there are none. Medians of an even count
 * are the mean of the middle two. The ratio's median is of the per-pair
 * ratios, not a_median / b_median: a pair hit by load from elsewhere moves
 * one ratio, not the comparison. */
gboolean gvt_bench_pairs_summarize (GvtBenchPairs *self, GvtBenchSummary *summary);

/* The median of @n (>= 1) values; @values is left as it is. */
double gvt_bench_median (const double *values, gsize n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtBenchPairs, gvt_bench_pairs_free)

G_END_DECLS
