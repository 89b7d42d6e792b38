/* Medians and spreads of interleaved benchmark pairs. */
#include <math.h>

#include "bench-stats.h"

typedef struct {
  double a, b;
} Pair;

struct _GvtBenchPairs {
  GArray *pairs;  /* of Pair */
};

GvtBenchPairs *
gvt_bench_pairs_new (void)
{
  GvtBenchPairs *self = g_new0 (GvtBenchPairs, 1);
  self->pairs = g_array_new (FALSE, FALSE, sizeof (Pair));
  return self;
}

void
gvt_bench_pairs_free (GvtBenchPairs *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->pairs);
  g_free (self);
}

void
gvt_bench_pairs_add (GvtBenchPairs *self, double a, double b)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (isfinite (a) && a > 0);
  g_return_if_fail (isfinite (b) && b > 0);

  Pair p = { a, b };
  g_array_append_val (self->pairs, p);
}

guint
gvt_bench_pairs_get_count (GvtBenchPairs *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->pairs->len;
}

static int
compare_doubles (gconstpointer pa, gconstpointer pb)
{
  double a = *(const double *) pa, b = *(const double *) pb;
  return (a > b) - (a < b);
}

/* Sorts @values in place and returns their median. */
static double
median_in_place (double *values, gsize n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double
gvt_bench_median (const double *values, gsize n)
{
  g_return_val_if_fail (values != NULL && n > 0, 0);
  g_autofree double *copy = g_memdup2 (values, n * sizeof *values);
  return median_in_place (copy, n);
}

gboolean
gvt_bench_pairs_summarize (GvtBenchPairs *self, GvtBenchSummary *summary)
{
  g_return_val_if_fail (self != NULL && summary != NULL, FALSE);

  *summary = (GvtBenchSummary) { 0 };
  guint n = self->pairs->len;
  if (n == 0)
    return FALSE;

  g_autofree double *a = g_new (double, n);
  g_autofree double *b = g_new (double, n);
  g_autofree double *ratio = g_new (double, n);
  for (guint i = 0; i < n; i++)
    {
      const Pair *p = &g_array_index (self->pairs, Pair, i);
      a[i] = p->a;
      b[i] = p->b;
      ratio[i] = p->a / p->b;
    }
  summary->n = n;
  summary->a_median = median_in_place (a, n);
  summary->b_median = median_in_place (b, n);
  summary->ratio_median = median_in_place (ratio, n);
  /* Sorted now. */
  summary->ratio_min = ratio[0];
  summary->ratio_max = ratio[n - 1];
  return TRUE;
}
