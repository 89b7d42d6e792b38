/* Tests for the EDID policy (display/edid-policy.c) through the session on
 * the fake VFIO kernel: what reaches the EDID registers, in which order,
 * when (the pause after the last window size), clamped how; --resolution,
 * --edid off, a device without EDID, a reopened device, a device gone or
 * refusing — and the options' parser. */
#include <errno.h>
#include <string.h>

#include "session-fixture.h"
#include "testutil.h"
#include "common/format.h"
#include "common/gvt-error.h"
#include "display/edid-policy.h"
#include "display/session.h"
#include "vgpu/edid.h"

/* One EDID given, as GVT-g wants it: every register access 4 bytes (the
 * fake refuses others and logs "edid write N bytes"), the blob in one. */
#define PROTOCOL "edid link_state=2\n" \
                 "edid edid_size=128\n" \
                 "edid blob+0:128\n"   \
                 "edid link_state=1\n"

static char *
edid_log (Fixture *f)
{
  return gvt_fake_kernel_get_log (f->fake, "edid");
}

/* The session on /dev/vfio/7 with @edid, live at T0. */
static void
open_session (Fixture *f, const GvtEdidConfig *edid)
{
  g_autoptr (GError) error = NULL;
  GvtSessionConfig config = { .device = gvt_fake_kernel_get_group_path (f->fake), .fd = -1 };

  if (edid != NULL)
    config.edid = *edid;
  set_primary (f, 1024, 768, 1);
  f->session = gvt_session_new_full (&config, &error);
  g_assert_no_error (error);
  g_assert_true (poll_at (f, T0) & GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpint (gvt_session_get_state (f->session), ==, GVT_SOURCE_STATE_LIVE);
}

static GvtEdidState
edid_state (Fixture *f)
{
  GvtEdidState state;
  gvt_session_get_edid_state (f->session, &state);
  return state;
}

/* Runs the main context, as the window's would, for @ms. */
static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

/* Runs it until the policy has written @writes EDIDs (or 5 s passed);
 * returns when, monotonic. */
static gint64
run_until_writes (Fixture *f, guint writes)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (edid_state (f).writes < writes && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_cmpuint (edid_state (f).writes, ==, writes);
  return g_get_monotonic_time ();
}

/* The preferred (first detailed) timing of the EDID the guest has. */
static void
guest_edid_mode (Fixture *f, guint *width, guint *height)
{
  g_autoptr (GBytes) blob = gvt_fake_kernel_get_edid (f->fake);
  gsize size;
  const guint8 *e = g_bytes_get_data (blob, &size);
  guint8 sum = 0;

  g_assert_cmpuint (size, ==, GVT_EDID_BLOCK_SIZE);
  for (gsize i = 0; i < size; i++)
    sum += e[i];
  g_assert_cmpuint (sum, ==, 0);
  *width = e[56] | (guint) (e[58] >> 4) << 8;
  *height = e[59] | (guint) (e[61] >> 4) << 8;
}

static void
assert_guest_mode (Fixture *f, guint width, guint height)
{
  guint w, h;

  guest_edid_mode (f, &w, &h);
  g_assert_cmpuint (w, ==, width);
  g_assert_cmpuint (h, ==, height);
  g_assert_cmpuint (gvt_fake_kernel_get_edid_link_state (f->fake), ==,
                    VFIO_DEVICE_GFX_LINK_STATE_UP);
}

/* The mdev goes (group and all) and the session's next tick closes it. */
static gint64
remove_device (Fixture *f)
{
  gvt_fake_kernel_set_removed (f->fake, TRUE);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                         "vfio 7: device lost during the primary plane query: No such device");
  g_assert_true (poll_at (f, f->now + TICK_US) & GVT_SOURCE_LOST);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gvt_session_get_state (f->session), ==, GVT_SOURCE_STATE_LOST);
  return f->now;
}

/* ---- the protocol, at the default pause ---- */

/* An edid_size left at 0 by an earlier writer: the size goes first, so
 * GVT-g takes the blob (it bounds blob writes by edid_size). */
static void
test_size_first (Fixture *f, gconstpointer data)
{
  const GvtEdidConfig config = { .debounce_ms = 20 };

  gvt_fake_kernel_set_edid_size (f->fake, 0);
  open_session (f, &config);
  gvt_session_request_guest_size (f->session, 1024, 768);
  run_until_writes (f, 1);
  g_autofree char *log = edid_log (f);
  g_assert_cmpstr (log, ==, PROTOCOL);
  assert_guest_mode (f, 1024, 768);
  g_assert_cmpuint (edid_state (f).failures, ==, 0);
}

static void
test_protocol (Fixture *f, gconstpointer data)
{
  open_session (f, NULL);
  /* Opening gives nothing: the guest keeps its EDID until the user sizes
   * the window. */
  g_autofree char *at_open = edid_log (f);
  g_assert_cmpstr (at_open, ==, "");
  GvtEdidState s = edid_state (f);
  g_assert_cmpint (s.mode, ==, GVT_EDID_FOLLOW);
  g_assert_true (s.has_region);
  g_assert_cmpuint (s.writes, ==, 0);

  gint64 asked = g_get_monotonic_time ();
  gvt_session_request_guest_size (f->session, 1280, 720);
  g_assert_true (edid_state (f).pending);
  run_for (GVT_EDID_POLICY_DEBOUNCE_MS - 200);
  g_autofree char *early = edid_log (f);
  g_assert_cmpstr (early, ==, "");

  gint64 written = run_until_writes (f, 1);
  g_assert_cmpint (written - asked, >=, GVT_EDID_POLICY_DEBOUNCE_MS * 1000);
  g_autofree char *log = edid_log (f);
  g_assert_cmpstr (log, ==, PROTOCOL);
  assert_guest_mode (f, 1280, 720);
  s = edid_state (f);
  g_assert_false (s.pending);
  g_assert_cmpuint (s.requests, ==, 1);
  g_assert_cmpuint (s.preferred_width, ==, 1280);
  g_assert_cmpuint (s.preferred_height, ==, 720);
  g_assert_cmpuint (s.failures, ==, 0);
  /* The picture goes on. */
  g_assert_cmpint (poll_at (f, f->now + TICK_US), ==, GVT_SOURCE_NOTHING);
  g_assert_cmpint (gvt_session_get_state (f->session), ==, GVT_SOURCE_STATE_LIVE);
}

/* ---- a drag: five sizes in 300 ms, one EDID, of the last ---- */

static void
test_debounce (Fixture *f, gconstpointer data)
{
  const GvtEdidConfig config = { .debounce_ms = 500 };
  static const guint sizes[][2] = {
    { 800, 600 }, { 900, 700 }, { 1000, 700 }, { 1100, 800 }, { 1200, 900 },
  };

  open_session (f, &config);
  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      if (i > 0)
        run_for (75);
      gvt_session_request_guest_size (f->session, sizes[i][0], sizes[i][1]);
    }
  gint64 last = g_get_monotonic_time ();
  g_autofree char *during = edid_log (f);
  g_assert_cmpstr (during, ==, "");

  gint64 written = run_until_writes (f, 1);
  g_assert_cmpint (written - last, >=, 500 * 1000);
  g_autofree char *log = edid_log (f);
  g_assert_cmpstr (log, ==, PROTOCOL);
  assert_guest_mode (f, 1200, 900);
  g_assert_cmpuint (edid_state (f).requests, ==, 5);

  /* The same size again, or one that comes to the same mode: the guest
   * has it, no second hotplug. */
  gvt_fake_kernel_clear_log (f->fake);
  gvt_session_request_guest_size (f->session, 1200, 900);
  run_for (700);
  gvt_session_request_guest_size (f->session, 1201, 901);
  run_for (700);
  g_autofree char *again = edid_log (f);
  g_assert_cmpstr (again, ==, "");
  GvtEdidState s = edid_state (f);
  g_assert_cmpuint (s.writes, ==, 1);
  g_assert_cmpuint (s.requests, ==, 7);
  g_assert_false (s.pending);
  g_assert_cmpuint (count_said (f, 'D', "has its 1200x900 EDID already"), ==, 2);
}

/* ---- clamping ---- */

typedef struct {
  guint req_w, req_h;
  guint want_w, want_h;
} Clamp;

static void
check_clamps (Fixture *f, const Clamp *cases, gsize n)
{
  const GvtEdidConfig config = { .debounce_ms = 20 };

  open_session (f, &config);
  for (gsize i = 0; i < n; i++)
    {
      gvt_fake_kernel_clear_log (f->fake);
      gvt_session_request_guest_size (f->session, cases[i].req_w, cases[i].req_h);
      run_until_writes (f, (guint) i + 1);
      g_autofree char *log = edid_log (f);
      g_assert_cmpstr (log, ==, PROTOCOL);
      assert_guest_mode (f, cases[i].want_w, cases[i].want_h);
      GvtEdidState s = edid_state (f);
      g_assert_cmpuint (s.preferred_width, ==, cases[i].want_w);
      g_assert_cmpuint (s.preferred_height, ==, cases[i].want_h);
      g_assert_cmpuint (s.wanted_width, ==, cases[i].req_w);
      g_assert_cmpuint (s.wanted_height, ==, cases[i].req_h);
    }
}

static void
test_clamp (Fixture *f, gconstpointer data)
{
  /* The fake's limits: 1920x1200. */
  static const Clamp cases[] = {
    { 2560, 1600, 1920, 1200 }, /* a 4K fullscreen window: the vGPU's maximum */
    { 1001, 751, 1000, 750 },   /* odd: rounded down to even */
    { 300, 200, 640, 480 },     /* tiny: raised to the minimum */
    { 5000, 100, 1920, 480 },   /* each side on its own */
    { 1919, 1199, 1918, 1198 },
  };
  check_clamps (f, cases, G_N_ELEMENTS (cases));
}

static void
test_clamp_odd_limits (Fixture *f, gconstpointer data)
{
  /* A type whose limits are odd: never beyond them, still even. */
  static const Clamp cases[] = {
    { 2000, 2000, 1364, 766 },
    { 1363, 765, 1362, 764 },
    { 700, 500, 700, 500 },
  };
  check_clamps (f, cases, G_N_ELEMENTS (cases));
}

static void
test_clamp_pure (void)
{
  guint w, h;

  gvt_edid_policy_clamp (1920, 1200, 1920, 1200, &w, &h);
  g_assert_cmpuint (w, ==, 1920);
  g_assert_cmpuint (h, ==, 1200);
  /* No limits: what a detailed timing holds, in the window's shape, even:
   * 4094 a side at most, then the clock (5K: 5120x2880, a 1.78 shape). */
  gvt_edid_policy_clamp (0, 0, 9000, 5000, &w, &h);
  g_assert_cmpuint (w, ==, 4094);
  g_assert_cmpuint (h, ==, 2274);
  gvt_edid_policy_clamp (0, 0, 5120, 2880, &w, &h);
  g_assert_cmpuint (w, ==, 4094);
  g_assert_cmpuint (h, ==, 2302);
  /* 4000x3000 needs 769 MHz: the clock alone shrinks it (4:3 kept). */
  gvt_edid_policy_clamp (0, 0, 4000, 3000, &w, &h);
  g_assert_false (gvt_edid_mode_too_large (w, h));
  g_assert_true (gvt_edid_mode_too_large (w + 4, h + 3));
  g_assert_cmpuint (w * 3, <=, h * 4 + 6);
  g_assert_cmpuint (w * 3, >=, h * 4 - 6);
  /* A shape no timing fits keeps the minimum on its short side. */
  gvt_edid_policy_clamp (0, 0, 100000, 480, &w, &h);
  g_assert_cmpuint (w, ==, 4094);
  g_assert_cmpuint (h, ==, 480);
  gvt_edid_policy_clamp (0, 0, 1, 1, &w, &h);
  g_assert_cmpuint (w, ==, GVT_EDID_MIN_WIDTH);
  g_assert_cmpuint (h, ==, GVT_EDID_MIN_HEIGHT);
  /* A device that can't even show the minimum: its limit wins. */
  gvt_edid_policy_clamp (320, 200, 1000, 1000, &w, &h);
  g_assert_cmpuint (w, ==, 320);
  g_assert_cmpuint (h, ==, 200);
  gvt_edid_policy_clamp (1281, 721, 1281, 721, &w, &h);
  g_assert_cmpuint (w, ==, 1280);
  g_assert_cmpuint (h, ==, 720);
}

/* Every request, of any size and shape, gets a mode an EDID holds. */
static void
test_clamp_always_describable (void)
{
  static const guint32 limits[][2] = { { 0, 0 }, { 1920, 1200 }, { 4096, 2160 }, { 5120, 5120 } };
  guint8 block[GVT_EDID_BLOCK_SIZE];
  GRand *rand = g_rand_new_with_seed (7);

  for (gsize l = 0; l < G_N_ELEMENTS (limits); l++)
    for (int i = 0; i < 20000; i++)
      {
        guint rw = g_rand_int_range (rand, 1, i % 2 ? 20000 : 6000);
        guint rh = g_rand_int_range (rand, 1, i % 3 ? 20000 : 6000);
        guint w, h;
        gvt_edid_policy_clamp (limits[l][0], limits[l][1], rw, rh, &w, &h);
        if (!gvt_edid_generate (w, h, limits[l][0], limits[l][1], block))
          g_error ("%ux%u (limits %ux%u) became %ux%u, which no EDID holds", rw, rh,
                   limits[l][0], limits[l][1], w, h);
        g_assert_cmpuint (w % 2, ==, 0);
        g_assert_cmpuint (h % 2, ==, 0);
        if (limits[l][0] != 0)
          g_assert_cmpuint (w, <=, limits[l][0]);
        if (limits[l][1] != 0)
          g_assert_cmpuint (h, <=, limits[l][1]);
      }
  g_rand_free (rand);
}

/* ---- --resolution: one EDID at open, requests ignored ---- */

static void
test_fixed (Fixture *f, gconstpointer data)
{
  const GvtEdidConfig config = { .mode = GVT_EDID_FIXED, .width = 1024, .height = 600,
                                 .debounce_ms = 20 };

  open_session (f, &config);
  /* Given with the device, no pause. */
  g_autofree char *log = edid_log (f);
  g_assert_cmpstr (log, ==, PROTOCOL);
  assert_guest_mode (f, 1024, 600);

  gvt_fake_kernel_clear_log (f->fake);
  gvt_session_request_guest_size (f->session, 1280, 720);
  gvt_session_request_guest_size (f->session, 1600, 900);
  run_for (200);
  gvt_session_request_guest_size (f->session, 800, 600);
  run_for (200);
  g_autofree char *after = edid_log (f);
  g_assert_cmpstr (after, ==, "");
  GvtEdidState s = edid_state (f);
  g_assert_cmpint (s.mode, ==, GVT_EDID_FIXED);
  g_assert_cmpuint (s.requests, ==, 3);
  g_assert_cmpuint (s.writes, ==, 1);
  g_assert_false (s.pending);
  g_assert_cmpuint (s.preferred_width, ==, 1024);
  g_assert_cmpuint (s.preferred_height, ==, 600);
  assert_guest_mode (f, 1024, 600);
}

static void
test_fixed_beyond_limits (Fixture *f, gconstpointer data)
{
  const GvtEdidConfig config = { .mode = GVT_EDID_FIXED, .width = 2560, .height = 1440 };

  open_session (f, &config);
  g_autofree char *log = edid_log (f);
  g_assert_cmpstr (log, ==, PROTOCOL);
  assert_guest_mode (f, 1920, 1200);
  g_assert_cmpuint (count_said (f, 'M', "vfio 7: --resolution 2560x1440 is more than the vGPU "
                                        "takes (1920x1200 at most): the guest gets 1920x1200"),
                    ==, 1);
}

/* ---- --edid off: the guest's EDID untouched ---- */

static void
test_off (Fixture *f, gconstpointer data)
{
  const GvtEdidConfig config = { .mode = GVT_EDID_OFF, .debounce_ms = 20 };
  g_autoptr (GBytes) before = gvt_fake_kernel_get_edid (f->fake);

  open_session (f, &config);
  gvt_session_request_guest_size (f->session, 1280, 720);
  run_for (200);
  gvt_session_request_guest_size (f->session, 1600, 900);
  run_for (200);
  g_autofree char *log = edid_log (f);
  g_assert_cmpstr (log, ==, "");
  /* Not even looked for. */
  g_autofree char *region = gvt_fake_kernel_get_log (f->fake, "device GET_REGION_INFO 9");
  g_assert_cmpstr (region, ==, "");
  g_autoptr (GBytes) after = gvt_fake_kernel_get_edid (f->fake);
  g_assert_true (g_bytes_equal (before, after));
  GvtEdidState s = edid_state (f);
  g_assert_cmpint (s.mode, ==, GVT_EDID_OFF);
  g_assert_false (s.has_region);
  g_assert_cmpuint (s.requests, ==, 2);
  g_assert_cmpuint (s.writes, ==, 0);
  g_assert_false (s.pending);
  g_assert_cmpuint (count_said (f, 'M', "EDID"), ==, 0);
}

/* ---- no EDID region (Broadwell, mdpy): said once, nothing written ---- */

static void
test_no_region (Fixture *f, gconstpointer data)
{
  const GvtEdidConfig config = { .debounce_ms = 20 };
  const char *said = "has no EDID region: the guest resolution can't follow the window";

  open_session (f, &config);
  g_assert_cmpuint (count_said (f, 'M', said), ==, 1);
  g_assert_cmpuint (count_said (f, 'M', "Broadwell"), ==, 1);
  /* In the region's own words, not wrapped in the policy's. */
  g_assert_cmpuint (count_said (f, 'M', "the guest resolution can't follow the window: "), ==, 0);
  gvt_session_request_guest_size (f->session, 1280, 720);
  run_for (200);
  GvtEdidState s = edid_state (f);
  g_assert_false (s.has_region);
  g_assert_cmpuint (s.requests, ==, 1);
  g_assert_cmpuint (s.writes, ==, 0);
  g_assert_cmpuint (s.failures, ==, 0);
  g_autofree char *log = edid_log (f);
  g_assert_cmpstr (log, ==, "");

  /* A reopened device is the same kind: not said again. */
  gint64 lost_at = remove_device (f);
  gvt_fake_kernel_set_removed (f->fake, FALSE);
  g_assert_true (poll_at (f, lost_at + GVT_SESSION_REOPEN_INTERVAL_US)
                 & GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpuint (gvt_session_get_reopens (f->session), ==, 1);
  g_assert_cmpuint (count_said (f, 'M', said), ==, 1);
  g_assert_cmpuint (count_said (f, 'M', "EDID"), ==, 1);
}

static void
test_no_region_fixed (Fixture *f, gconstpointer data)
{
  const GvtEdidConfig config = { .mode = GVT_EDID_FIXED, .width = 1024, .height = 768 };

  open_session (f, &config);
  g_assert_cmpuint (count_said (f, 'M', "vfio 7: --resolution 1024x768 can't be given to the "
                                        "guest: "), ==, 1);
  g_assert_cmpuint (count_said (f, 'M', "EDID"), ==, 1);
  g_assert_cmpuint (edid_state (f).writes, ==, 0);
}

/* ---- a reopened device gets the guest's resolution back ---- */

static void
test_reopen (Fixture *f, gconstpointer data)
{
  const GvtEdidConfig config = { .debounce_ms = 20 };

  open_session (f, &config);
  gvt_session_request_guest_size (f->session, 1280, 720);
  run_until_writes (f, 1);

  /* Lost and back: the same mode again, at once (a new mdev starts with
   * its own EDID). */
  gint64 lost_at = remove_device (f);
  gvt_fake_kernel_clear_log (f->fake);
  gvt_fake_kernel_set_removed (f->fake, FALSE);
  g_assert_true (poll_at (f, lost_at + GVT_SESSION_REOPEN_INTERVAL_US)
                 & GVT_SOURCE_PRIMARY_CHANGED);
  g_assert_cmpuint (gvt_session_get_reopens (f->session), ==, 1);
  g_autofree char *log = edid_log (f);
  g_assert_cmpstr (log, ==, PROTOCOL);
  assert_guest_mode (f, 1280, 720);
  g_assert_cmpuint (edid_state (f).writes, ==, 2);

  /* A size asked for while the device is away is what it gets back. */
  lost_at = remove_device (f);
  gvt_session_request_guest_size (f->session, 1600, 900);
  run_for (200);
  GvtEdidState s = edid_state (f);
  g_assert_false (s.has_region);
  g_assert_cmpuint (s.writes, ==, 2);
  g_assert_cmpuint (s.wanted_width, ==, 1600);
  gvt_fake_kernel_clear_log (f->fake);
  gvt_fake_kernel_set_removed (f->fake, FALSE);
  g_assert_true (poll_at (f, lost_at + GVT_SESSION_REOPEN_INTERVAL_US)
                 & GVT_SOURCE_PRIMARY_CHANGED);
  g_autofree char *log2 = edid_log (f);
  g_assert_cmpstr (log2, ==, PROTOCOL);
  assert_guest_mode (f, 1600, 900);
  s = edid_state (f);
  g_assert_true (s.has_region);
  g_assert_cmpuint (s.writes, ==, 3);
  g_assert_cmpuint (s.preferred_width, ==, 1600);
  g_assert_cmpuint (f->losses, ==, 2);
}

/* ---- the device found gone by a write: the session's loss ---- */

static void
test_lost_on_write (Fixture *f, gconstpointer data)
{
  const GvtEdidConfig config = { .debounce_ms = 20 };

  open_session (f, &config);
  gvt_session_request_guest_size (f->session, 1280, 720);
  /* Gone just while the EDID is written (and back before the next plane
   * query, so that the write is what tells). */
  gvt_fake_kernel_unplug (f->fake);
  run_for (200);
  gvt_fake_kernel_set_removed (f->fake, FALSE);
  GvtEdidState s = edid_state (f);
  g_assert_cmpuint (s.writes, ==, 0);
  g_assert_cmpuint (s.failures, ==, 0); /* not a refusal: no warning */

  GvtSourceChange change = poll_at (f, f->now + TICK_US);
  g_assert_true (change & GVT_SOURCE_LOST);
  g_assert_cmpint (gvt_session_get_state (f->session), ==, GVT_SOURCE_STATE_LOST);
  g_assert_cmpuint (count_said (f, 'M', "vfio 7: device lost: EDID region: cannot "), ==, 1);
  g_assert_cmpuint (count_said (f, 'M', "link down: No such device; reopening it"), ==, 1);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 0);
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);

  /* Back at the next attempt, with the mode wanted. */
  gvt_fake_kernel_clear_log (f->fake);
  g_assert_true (poll_at (f, f->now + GVT_SESSION_REOPEN_INTERVAL_US)
                 & GVT_SOURCE_PRIMARY_CHANGED);
  g_autofree char *log = edid_log (f);
  g_assert_cmpstr (log, ==, PROTOCOL);
  assert_guest_mode (f, 1280, 720);
  g_assert_cmpuint (f->losses, ==, 1);
}

/* ---- a device refusing: warned about, not too often, never fatal ---- */

static void
test_refused (Fixture *f, gconstpointer data)
{
  const GvtEdidConfig config = { .debounce_ms = 20 };

  open_session (f, &config);
  gvt_fake_kernel_fail_edid_blob (f->fake, EBUSY);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                         "vfio 7: cannot give the guest a 1280x720 EDID: EDID region: cannot "
                         "write the EDID blob: Device or resource busy; its resolution stays as "
                         "it is");
  gvt_session_request_guest_size (f->session, 1280, 720);
  run_for (200);
  g_test_assert_expected_messages ();
  /* The link comes back up over the EDID the guest had. */
  g_autofree char *log = edid_log (f);
  g_assert_cmpstr (log, ==, "edid link_state=2\n"
                            "edid edid_size=128\n"
                            "edid blob+0:128 -> EBUSY\n"
                            "edid link_state=1\n");
  g_assert_cmpuint (gvt_fake_kernel_get_edid_link_state (f->fake), ==,
                    VFIO_DEVICE_GFX_LINK_STATE_UP);

  /* More refusals of the same kind: at debug level only (a warning would
   * abort the test). */
  gvt_session_request_guest_size (f->session, 1600, 900);
  run_for (200);
  gvt_session_request_guest_size (f->session, 800, 600);
  run_for (200);
  GvtEdidState s = edid_state (f);
  g_assert_cmpuint (s.failures, ==, 3);
  g_assert_cmpuint (s.writes, ==, 0);
  g_assert_cmpuint (count_said (f, 'D', "cannot give the guest a 800x600 EDID"), ==, 1);
  g_assert_false (poll_at (f, f->now + TICK_US) & GVT_SOURCE_LOST);
  g_assert_cmpint (gvt_session_get_state (f->session), ==, GVT_SOURCE_STATE_LIVE);

  /* It takes one again. */
  gvt_fake_kernel_fail_edid_blob (f->fake, 0);
  gvt_session_request_guest_size (f->session, 1280, 800);
  run_until_writes (f, 1);
  assert_guest_mode (f, 1280, 800);
}

/* ---- the options ---- */

static void
assert_parse_fails (const char *edid, const char *resolution, const char *words)
{
  g_autoptr (GError) error = NULL;
  GvtEdidConfig config = { .mode = GVT_EDID_FIXED, .width = 1 };

  g_assert_false (gvt_edid_config_parse (edid, resolution, &config, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  if (strstr (error->message, words) == NULL)
    g_error ("'%s' does not say '%s'", error->message, words);
  /* Untouched. */
  g_assert_cmpuint (config.width, ==, 1);
}

static void
test_config_parse (void)
{
  g_autoptr (GError) error = NULL;
  GvtEdidConfig config;

  g_assert_true (gvt_edid_config_parse (NULL, NULL, &config, &error));
  g_assert_cmpint (config.mode, ==, GVT_EDID_FOLLOW);
  g_assert_cmpuint (config.debounce_ms, ==, 0);
  g_assert_true (gvt_edid_config_parse ("on", NULL, &config, &error));
  g_assert_cmpint (config.mode, ==, GVT_EDID_FOLLOW);
  g_assert_true (gvt_edid_config_parse ("off", NULL, &config, &error));
  g_assert_cmpint (config.mode, ==, GVT_EDID_OFF);
  g_assert_true (gvt_edid_config_parse (NULL, "1920x1080", &config, &error));
  g_assert_cmpint (config.mode, ==, GVT_EDID_FIXED);
  g_assert_cmpuint (config.width, ==, 1920);
  g_assert_cmpuint (config.height, ==, 1080);
  g_assert_true (gvt_edid_config_parse ("on", "640x480", &config, &error));
  g_assert_cmpint (config.mode, ==, GVT_EDID_FIXED);
  g_assert_true (gvt_edid_config_parse (NULL, "3840x2160", &config, &error));
  g_assert_no_error (error);

  assert_parse_fails ("yes", NULL, "--edid 'yes': use on");
  assert_parse_fails ("", NULL, "--edid '': use on");
  assert_parse_fails ("off", "1024x768", "use one of them");
  assert_parse_fails (NULL, "1024", "--resolution");
  assert_parse_fails (NULL, "-1024x768", "--resolution");
  assert_parse_fails (NULL, "1025x768", "use even numbers");
  assert_parse_fails (NULL, "1024x767", "e.g. 1024x766");
  assert_parse_fails (NULL, "320x240", "the smallest mode gvt-view gives a guest is 640x480");
  assert_parse_fails (NULL, "4000x3000", "an EDID can't describe that mode");
  assert_parse_fails (NULL, "8192x4320", "an EDID can't describe that mode");
}

static const GvtFakeConfig gvt_config = { 0 };
static const GvtFakeConfig odd_limits = { .max_xres = 1365, .max_yres = 767 };
static const GvtFakeConfig broadwell = { .type = "i915-GVTg_V4_2", .no_edid = TRUE };

int
main (int argc, char **argv)
{
  gvt_test_ensure_umockdev (argc, argv);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, config, func) \
  g_test_add ("/edid-policy/" path, Fixture, config, fixture_set_up, func, fixture_tear_down)

  ADD ("protocol", &gvt_config, test_protocol);
  ADD ("size-first", &gvt_config, test_size_first);
  ADD ("debounce", &gvt_config, test_debounce);
  ADD ("clamp", &gvt_config, test_clamp);
  ADD ("clamp/odd-limits", &odd_limits, test_clamp_odd_limits);
  g_test_add_func ("/edid-policy/clamp/pure", test_clamp_pure);
  g_test_add_func ("/edid-policy/clamp/always-describable", test_clamp_always_describable);
  ADD ("fixed", &gvt_config, test_fixed);
  ADD ("fixed/beyond-limits", &gvt_config, test_fixed_beyond_limits);
  ADD ("off", &gvt_config, test_off);
  ADD ("no-region", &broadwell, test_no_region);
  ADD ("no-region/fixed", &broadwell, test_no_region_fixed);
  ADD ("reopen", &gvt_config, test_reopen);
  ADD ("lost-on-write", &gvt_config, test_lost_on_write);
  ADD ("refused", &gvt_config, test_refused);
  g_test_add_func ("/edid-policy/config-parse", test_config_parse);

  return g_test_run ();
}
