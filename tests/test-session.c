/* The session's state machine, without GTK: opening, what is shown, loss
 * and reopen, and the fallback source taking over while the vGPU shows
 * nothing. */
#include "common/format.h"
#include "common/gvt-error.h"
#include "display/session.h"

/* --- a fallback source the test controls (what the ramfb source will be) --- */

typedef struct {
  GvtSource base;
  GvtSourceState state;
  GvtPlane *primary;
  GvtSourceChange next_change;
  guint polls;
  gboolean *freed;
} FakeSource;

static GvtSourceChange
fake_poll (GvtSource *source, gint64 now_us)
{
  FakeSource *self = (FakeSource *) source;
  GvtSourceChange change = self->next_change;

  self->polls++;
  self->next_change = GVT_SOURCE_NOTHING;
  return change;
}

static GvtSourceState fake_get_state (GvtSource *s) { return ((FakeSource *) s)->state; }
static const char *fake_get_reason (GvtSource *s)
{
  return ((FakeSource *) s)->state == GVT_SOURCE_STATE_LIVE ? NULL : "fake: nothing yet";
}
static GvtPlane *fake_get_primary (GvtSource *s)
{
  FakeSource *self = (FakeSource *) s;
  return self->state == GVT_SOURCE_STATE_LIVE ? self->primary : NULL;
}
static GvtPlane *fake_get_cursor (GvtSource *s) { return NULL; }

static void
fake_drop (GvtSource *source)
{
  ((FakeSource *) source)->state = GVT_SOURCE_STATE_NO_SIGNAL;
}

static void
fake_finalize (GvtSource *source)
{
  FakeSource *self = (FakeSource *) source;
  g_clear_pointer (&self->primary, gvt_plane_unref);
  *self->freed = TRUE;
}

static const GvtSourceOps fake_ops = {
  .kind = "fake",
  .poll = fake_poll,
  .get_state = fake_get_state,
  .get_reason = fake_get_reason,
  .get_primary = fake_get_primary,
  .get_cursor = fake_get_cursor,
  .drop = fake_drop,
  .finalize = fake_finalize,
};

static void
free_pixels (void *data, gsize size)
{
  g_free (data);
}

static FakeSource *
fake_source_new (gboolean *freed)
{
  FakeSource *self = gvt_source_alloc (sizeof (FakeSource), &fake_ops, "fake fb0");
  guint8 *pixels = g_malloc0 (16 * 8 * 4);
  g_autoptr (GvtBuffer) buffer = gvt_buffer_new_memory (pixels, 16 * 8 * 4,
                                                        free_pixels);

  self->primary = gvt_plane_new_memory (GVT_FORMAT_XRGB8888, 16, 8, 16 * 4, buffer);
  self->state = GVT_SOURCE_STATE_NO_SIGNAL;
  self->freed = freed;
  *freed = FALSE;
  return self;
}

/* --- devices by name --- */

static void
test_opens_sim (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtSession) session = gvt_session_new ("sim:64x32", -1, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (gvt_session_get_name (session), ==, "sim");
  g_assert_cmpstr (gvt_session_get_device (session), ==, "sim:64x32");
  g_assert_true (gvt_session_can_reopen (session));
  /* Nothing is queried before the first poll. */
  g_assert_null (gvt_session_get_primary (session));

  GvtSourceChange change = gvt_session_poll (session, 1000);
  g_assert_true (change & GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_session_get_state (session), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_null (gvt_session_get_reason (session));
  GvtPlane *primary = gvt_session_get_primary (session);
  g_assert_nonnull (primary);
  g_assert_cmpuint (gvt_plane_get_width (primary), ==, 64);
  g_assert_cmpuint (gvt_plane_get_height (primary), ==, 32);
  g_assert_cmpstr (gvt_source_get_kind (gvt_session_get_shown (session)), ==, "vfio");

  /* A steady picture: no change reported (the window presents anyway). */
  g_assert_cmpint (gvt_session_poll (session, 2000), ==, GVT_SOURCE_NOTHING);
  GvtScanoutStats stats;
  gvt_session_get_scanout_stats (session, &stats);
  g_assert_cmpuint (stats.polls, ==, 2);
  g_assert_cmpuint (stats.dmabuf_gets, ==, 1);
}

static void
test_bad_device (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (gvt_session_new ("sim:0x0", -1, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  g_assert_null (gvt_session_new (NULL, -1, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  g_assert_null (gvt_session_new ("/dev/vfio/1", 3, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
}

static void
test_loss_and_reopen (void)
{
  g_autoptr (GvtSession) session = gvt_session_new ("sim:32x16", -1, NULL);
  gint64 t = 1000000;

  gvt_session_poll (session, t);
  g_assert_cmpint (gvt_session_get_state (session), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_true (gvt_session_simulate_loss (session));

  g_test_expect_message ("gvt-view", G_LOG_LEVEL_WARNING, "sim: device lost during*");
  g_test_expect_message ("gvt-view", G_LOG_LEVEL_MESSAGE, "sim: device lost: *reopening*");
  GvtSourceChange change = gvt_session_poll (session, t += 16000);
  g_test_assert_expected_messages ();
  g_assert_true (change & GVT_SOURCE_LOST);
  g_assert_cmpint (gvt_session_get_state (session), ==, GVT_SOURCE_STATE_LOST);
  g_assert_nonnull (gvt_session_get_reason (session));
  g_assert_null (gvt_session_get_primary (session));
  g_assert_null (gvt_session_get_shown (session));
  GvtScanoutStats stats;
  gvt_session_get_scanout_stats (session, &stats);
  g_assert_cmpuint (stats.cached, ==, 0);
  /* The loss is said once; not due for a reopen yet. */
  g_assert_cmpint (gvt_session_poll (session, t += 16000), ==, GVT_SOURCE_NOTHING);
  g_assert_false (gvt_session_simulate_loss (session));
  g_assert_cmpuint (gvt_session_get_reopens (session), ==, 0);

  g_test_expect_message ("gvt-view", G_LOG_LEVEL_MESSAGE, "sim:32x16 is back");
  change = gvt_session_poll (session, t + GVT_SESSION_REOPEN_INTERVAL_US);
  g_test_assert_expected_messages ();
  g_assert_true (change & GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_session_get_state (session), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_cmpuint (gvt_session_get_reopens (session), ==, 1);
  g_assert_cmpuint (gvt_plane_get_width (gvt_session_get_primary (session)), ==, 32);
}

/* --- the demo --- */

static GvtSession *
demo_session (gint64 firmware_us, gint64 freeze_at_us)
{
  GvtDemoConfig config;

  gvt_demo_config_init (&config);
  config.firmware_us = firmware_us;
  config.modes[0] = (GvtDemoMode) { 320, 200 };
  config.n_modes = 1;
  config.mode_interval_us = 0;
  return gvt_session_new_demo (&config, freeze_at_us);
}

static void
test_demo_lifecycle (void)
{
  g_autoptr (GvtSession) session = demo_session (G_USEC_PER_SEC, -1);
  gint64 t0 = 5 * G_USEC_PER_SEC;

  g_assert_cmpstr (gvt_session_get_name (session), ==, "demo");
  g_assert_false (gvt_session_can_reopen (session));
  g_assert_null (gvt_session_get_device (session));
  /* Power-on at the first poll: the firmware phase shows no plane. */
  gvt_session_poll (session, t0);
  g_assert_cmpint (gvt_session_get_state (session), ==, GVT_SOURCE_STATE_NO_SIGNAL);
  g_assert_nonnull (gvt_session_get_reason (session));
  GvtSourceChange change = gvt_session_poll (session, t0 + 2 * G_USEC_PER_SEC);
  g_assert_true (change & GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_session_get_state (session), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_cmpuint (gvt_plane_get_width (gvt_session_get_primary (session)), ==, 320);
  g_assert_nonnull (gvt_session_get_cursor (session));
  g_assert_cmpint (gvt_session_get_guest_cpu_us (session), >=, 0);

  /* A demo is never reopened. */
  g_assert_true (gvt_session_simulate_loss (session));
  g_test_expect_message ("gvt-view", G_LOG_LEVEL_WARNING, "sim: device lost during*");
  g_test_expect_message ("gvt-view", G_LOG_LEVEL_MESSAGE, "demo: device lost: *");
  g_assert_true (gvt_session_poll (session, t0 + 3 * G_USEC_PER_SEC) & GVT_SOURCE_LOST);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gvt_session_poll (session, t0 + 60 * G_USEC_PER_SEC), ==, GVT_SOURCE_NOTHING);
  g_assert_cmpint (gvt_session_get_state (session), ==, GVT_SOURCE_STATE_LOST);
  g_assert_cmpuint (gvt_session_get_reopens (session), ==, 0);
}

static void
test_demo_frozen (void)
{
  g_autoptr (GvtSession) session = demo_session (0, 2 * G_USEC_PER_SEC);

  gvt_session_poll (session, 1000);
  GvtPlane *first = gvt_plane_ref (gvt_session_get_primary (session));
  /* Frozen: the same picture however much time passes. */
  for (gint64 t = 1; t <= 30; t++)
    g_assert_cmpint (gvt_session_poll (session, t * G_USEC_PER_SEC) & GVT_SOURCE_PRIMARY_CHANGED,
                     ==, 0);
  g_assert_true (gvt_plane_same_image (first, gvt_session_get_primary (session)));
  gvt_plane_unref (first);
}

/* --- the fallback --- */

static void
test_fallback (void)
{
  g_autoptr (GvtSession) session = demo_session (G_USEC_PER_SEC, -1);
  gboolean freed = FALSE;
  FakeSource *fake = fake_source_new (&freed);
  gint64 t0 = G_USEC_PER_SEC;

  gvt_session_set_fallback (session, &fake->base);
  /* Neither has a picture: the vGPU's state and reason are shown. */
  gvt_session_poll (session, t0);
  g_assert_cmpint (gvt_session_get_state (session), ==, GVT_SOURCE_STATE_NO_SIGNAL);
  g_assert_cmpstr (gvt_source_get_kind (gvt_session_get_shown (session)), ==, "vfio");
  g_assert_cmpuint (fake->polls, ==, 1);

  /* The fallback gets a picture while the vGPU is still in firmware. */
  fake->state = GVT_SOURCE_STATE_LIVE;
  fake->next_change = GVT_SOURCE_PRIMARY_CHANGED;
  GvtSourceChange change = gvt_session_poll (session, t0 + 100000);
  g_assert_true (change & GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_true (gvt_session_get_shown (session) == &fake->base);
  g_assert_cmpint (gvt_session_get_state (session), ==, GVT_SOURCE_STATE_LIVE);
  g_assert_true (gvt_session_get_primary (session) == fake->primary);
  g_assert_cmpstr (gvt_session_get_name (session), ==, "demo");
  /* A steady fallback: its own changes only. */
  g_assert_cmpint (gvt_session_poll (session, t0 + 200000), ==, GVT_SOURCE_NOTHING);
  fake->next_change = GVT_SOURCE_PRIMARY_CHANGED;
  g_assert_cmpint (gvt_session_poll (session, t0 + 300000), ==, GVT_SOURCE_PRIMARY_CHANGED);

  /* The vGPU's plane appears: it wins at once, and the fallback is let go
   * of (its picture dropped, no screendumps) while the vGPU shows one. */
  guint polls = fake->polls;
  change = gvt_session_poll (session, t0 + 2 * G_USEC_PER_SEC);
  g_assert_true (change & GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpstr (gvt_source_get_kind (gvt_session_get_shown (session)), ==, "vfio");
  g_assert_cmpuint (gvt_plane_get_width (gvt_session_get_primary (session)), ==, 320);
  g_assert_cmpint (fake->state, ==, GVT_SOURCE_STATE_NO_SIGNAL);
  fake->next_change = GVT_SOURCE_PRIMARY_CHANGED;
  g_assert_cmpint (gvt_session_poll (session, t0 + 2 * G_USEC_PER_SEC + 1) & GVT_SOURCE_PRIMARY_CHANGED,
                   ==, 0);
  g_assert_cmpuint (fake->polls, ==, polls);

  /* The vGPU goes away: the loss is reported, the fallback (polled again,
   * with a picture at once here) shows again. */
  fake->state = GVT_SOURCE_STATE_LIVE;
  gvt_session_simulate_loss (session);
  g_test_expect_message ("gvt-view", G_LOG_LEVEL_WARNING, "sim: device lost during*");
  g_test_expect_message ("gvt-view", G_LOG_LEVEL_MESSAGE, "demo: device lost: *");
  change = gvt_session_poll (session, t0 + 3 * G_USEC_PER_SEC);
  g_test_assert_expected_messages ();
  g_assert_true (change & GVT_SOURCE_LOST);
  g_assert_true (change & GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_true (gvt_session_get_shown (session) == &fake->base);
  g_assert_cmpint (gvt_session_get_state (session), ==, GVT_SOURCE_STATE_LIVE);

  /* And when the fallback has nothing either: the vGPU's loss shows. */
  fake->state = GVT_SOURCE_STATE_NO_SIGNAL;
  change = gvt_session_poll (session, t0 + 4 * G_USEC_PER_SEC);
  g_assert_true (change & GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_null (gvt_session_get_shown (session));
  g_assert_cmpint (gvt_session_get_state (session), ==, GVT_SOURCE_STATE_LOST);
  g_assert_null (gvt_session_get_primary (session));

  g_assert_false (freed);
  g_clear_pointer (&session, gvt_session_free);
  g_assert_true (freed);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/display/session/opens-sim", test_opens_sim);
  g_test_add_func ("/display/session/bad-device", test_bad_device);
  g_test_add_func ("/display/session/loss-and-reopen", test_loss_and_reopen);
  g_test_add_func ("/display/session/demo-lifecycle", test_demo_lifecycle);
  g_test_add_func ("/display/session/demo-frozen", test_demo_frozen);
  g_test_add_func ("/display/session/fallback", test_fallback);
  return g_test_run ();
}
