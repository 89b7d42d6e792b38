/* The size policy's decisions (ui/size-policy.c), without a display: which
 * window sizes become sizes for the guest, and that the guest and the
 * window don't chase each other — a simulated window manager and guest
 * run the whole loop: the user's size, the EDID's clamping (the real
 * display/edid-policy.c function), the guest's new mode, the policy's
 * resize for it, the allocations that follow. */
#include "ui/size-policy.h"
#include "display/edid-policy.h"

#define T0 (100 * G_USEC_PER_SEC)

/* A window on a window manager: its size (what gtk_window_resize sets)
 * and a titlebar inside it (client-side decorations), so the picture area
 * is the size less the chrome; one monitor. */
typedef struct {
  GvtSizeState state;
  gint64 now;
  int width, height;          /* gtk_window_get_size */
  int chrome_w, chrome_h;     /* a client-side titlebar: 0 on X11 */
  int scale;
  gboolean fullscreen;
  int monitor_w, monitor_h;   /* device pixels */
  int default_w, default_h;
  int max_w, max_h;           /* the work area less the frame, logical */
  guint requests;             /* sizes asked of the guest */
  guint last_w, last_h;       /* the last of them */
  guint guest_w, guest_h;     /* the guest's mode */
  guint max_xres, max_yres;   /* the vGPU's EDID limits */
} Sim;

static void
sim_init (Sim *s, gboolean follow_guest)
{
  *s = (Sim) {
    .state = { .follow_guest = follow_guest },
    .now = T0,
    .width = GVT_SIZE_POLICY_DEFAULT_WIDTH, .height = GVT_SIZE_POLICY_DEFAULT_HEIGHT,
    .scale = 1,
    .monitor_w = 1920, .monitor_h = 1080,
    .default_w = GVT_SIZE_POLICY_DEFAULT_WIDTH, .default_h = GVT_SIZE_POLICY_DEFAULT_HEIGHT,
    .max_w = 1920, .max_h = 1040,
    .max_xres = 1920, .max_yres = 1200,
  };
}

/* GTK allocates the picture area at the window's size now. TRUE when
 * that became a size for the guest. */
static gboolean
sim_allocate (Sim *s)
{
  GvtSizeAllocation alloc = {
    .now_us = s->now,
    .width = s->fullscreen ? s->monitor_w / s->scale : s->width - s->chrome_w,
    .height = s->fullscreen ? s->monitor_h / s->scale : s->height - s->chrome_h,
    .scale = s->scale,
    .window_width = s->width, .window_height = s->height,
    .at_default_size = s->width == s->default_w && s->height == s->default_h,
    .fullscreen = s->fullscreen,
    .monitor_width = s->monitor_w, .monitor_height = s->monitor_h,
  };
  guint w = 0, h = 0;

  if (!gvt_size_state_allocated (&s->state, &alloc, &w, &h))
    return FALSE;
  s->requests++;
  s->last_w = w;
  s->last_h = h;
  return TRUE;
}

/* The user (or the window manager for them) gives the window a size. */
static gboolean
sim_user_resize (Sim *s, int width, int height)
{
  s->width = width;
  s->height = height;
  return sim_allocate (s);
}

/* The guest takes a mode, and the policy sizes the window to show it 1:1:
 * the window manager takes the size (in @steps configures). TRUE when that
 * made a request — the loop this policy exists to prevent. */
static gboolean
sim_guest_mode (Sim *s, guint width, guint height, int steps)
{
  int w, h;
  gboolean requested = FALSE;

  s->guest_w = width;
  s->guest_h = height;
  gvt_size_state_window_for_guest (&s->state, width, height, s->scale, s->max_w, s->max_h,
                                   &w, &h);
  if (!gvt_size_state_resizing (&s->state, s->width, s->height, w, h, s->now))
    return FALSE;
  int from_w = s->width, from_h = s->height;
  for (int i = 1; i <= steps; i++)
    {
      s->now += 10000;
      s->width = from_w + (w - from_w) * i / steps;
      s->height = from_h + (h - from_h) * i / steps;
      requested |= sim_allocate (s);
    }
  return requested;
}

/* The EDID reaches the guest, which takes its preferred mode. */
static gboolean
sim_guest_follows (Sim *s)
{
  guint w, h;

  gvt_edid_policy_clamp (s->max_xres, s->max_yres, s->last_w, s->last_h, &w, &h);
  return sim_guest_mode (s, w, h, 1);
}

/* ---- the first allocation ---- */

static void
test_first_default (void)
{
  Sim s;

  /* At the default size, before the guest said its own: a guess, not the
   * user's; nor is the resize to the guest's first mode. */
  sim_init (&s, TRUE);
  g_assert_false (sim_allocate (&s));
  g_assert_false (sim_guest_mode (&s, 1280, 720, 1));
  g_assert_cmpint (s.width, ==, 1280);
  g_assert_cmpuint (s.requests, ==, 0);

  /* The user's drag is the user's. */
  s.now += G_USEC_PER_SEC;
  g_assert_true (sim_user_resize (&s, 1000, 600));
  g_assert_cmpuint (s.last_w, ==, 1000);
  g_assert_cmpuint (s.last_h, ==, 600);

  /* A window manager that places a new window at another size (tiling)
   * chose for the user. */
  sim_init (&s, TRUE);
  s.width = 960;
  s.height = 1040;
  g_assert_true (sim_allocate (&s));
  g_assert_cmpuint (s.last_w, ==, 960);
  g_assert_cmpuint (s.last_h, ==, 1040);
}

static void
test_first_with_size (void)
{
  Sim s;

  /* --size: the user's size from the start (the window doesn't follow the
   * guest). */
  sim_init (&s, FALSE);
  s.default_w = s.width = 1280;
  s.default_h = s.height = 720;
  g_assert_true (sim_allocate (&s));
  g_assert_cmpuint (s.last_w, ==, 1280);
  g_assert_cmpuint (s.last_h, ==, 720);
}

static void
test_tiny (void)
{
  Sim s;

  /* A window still being built: nothing, and not its first allocation. */
  sim_init (&s, TRUE);
  s.width = s.height = 1;
  g_assert_false (sim_allocate (&s));
  g_assert_false (s.state.allocated);
  s.width = s.default_w;
  s.height = s.default_h;
  g_assert_false (sim_allocate (&s));
  g_assert_true (s.state.allocated);
}

/* ---- fullscreen: the monitor ---- */

static void
test_fullscreen (void)
{
  Sim s;

  sim_init (&s, TRUE);
  g_assert_false (sim_allocate (&s));
  s.fullscreen = TRUE;
  s.scale = 2;
  s.monitor_w = 3840;
  s.monitor_h = 2160;
  g_assert_true (sim_allocate (&s));
  g_assert_cmpuint (s.last_w, ==, 3840);
  g_assert_cmpuint (s.last_h, ==, 2160);

  /* -f: fullscreen from the first allocation on. */
  sim_init (&s, TRUE);
  s.fullscreen = TRUE;
  g_assert_true (sim_allocate (&s));
  g_assert_cmpuint (s.last_w, ==, 1920);
  g_assert_cmpuint (s.last_h, ==, 1080);

  /* The monitor unknown: the picture area. */
  GvtSizeState state = { .follow_guest = TRUE, .allocated = TRUE };
  GvtSizeAllocation alloc = { .now_us = T0, .width = 1600, .height = 1000, .scale = 1,
                              .window_width = 1600, .window_height = 1000,
                              .fullscreen = TRUE };
  guint w, h;
  g_assert_true (gvt_size_state_allocated (&state, &alloc, &w, &h));
  g_assert_cmpuint (w, ==, 1600);
  g_assert_cmpuint (h, ==, 1000);
}

/* ---- no loop ---- */

static void
test_no_loop_clamped (void)
{
  Sim s;

  sim_init (&s, TRUE);
  g_assert_false (sim_allocate (&s));
  g_assert_false (sim_guest_mode (&s, 1024, 768, 1));

  /* Wider than the vGPU takes: the guest gets 1920x1200 at most, shown in
   * a window the policy shrinks to it... */
  s.max_w = s.max_h = 4000;
  s.monitor_w = 3840;
  s.monitor_h = 2160;
  s.now += G_USEC_PER_SEC;
  g_assert_true (sim_user_resize (&s, 2500, 1400));
  g_assert_false (sim_guest_follows (&s));
  g_assert_cmpuint (s.guest_w, ==, 1920);
  g_assert_cmpuint (s.guest_h, ==, 1200);
  g_assert_cmpint (s.width, ==, 1920);
  g_assert_cmpint (s.height, ==, 1200);
  /* ... which is no new size for the guest. */
  g_assert_cmpuint (s.requests, ==, 1);

  /* Smaller than the smallest mode: the same. */
  s.now += G_USEC_PER_SEC;
  g_assert_true (sim_user_resize (&s, 500, 300));
  g_assert_false (sim_guest_follows (&s));
  g_assert_cmpint (s.width, ==, 640);
  g_assert_cmpint (s.height, ==, 480);
  g_assert_cmpuint (s.requests, ==, 2);

  /* Odd: rounded to even, and the window follows, once. */
  s.now += G_USEC_PER_SEC;
  g_assert_true (sim_user_resize (&s, 801, 601));
  g_assert_false (sim_guest_follows (&s));
  g_assert_cmpint (s.width, ==, 800);
  g_assert_cmpint (s.height, ==, 600);
  g_assert_cmpuint (s.requests, ==, 3);

  /* A window manager that takes several configures to get there. */
  s.now += G_USEC_PER_SEC;
  g_assert_false (sim_guest_mode (&s, 1280, 720, 4));
  g_assert_cmpint (s.width, ==, 1280);
  g_assert_cmpuint (s.requests, ==, 3);
}

static void
test_no_loop_work_area (void)
{
  Sim s;

  /* The guest picks 1920x1200 itself on a 1366x768 laptop: the window
   * shrinks to the work area, and the guest keeps its choice. */
  sim_init (&s, TRUE);
  s.max_w = 1366;
  s.max_h = 740;
  g_assert_false (sim_allocate (&s));
  g_assert_false (sim_guest_mode (&s, 1920, 1200, 2));
  g_assert_cmpint (s.width, ==, 1366);
  g_assert_cmpint (s.height, ==, 740);
  g_assert_cmpuint (s.requests, ==, 0);
}

static void
test_no_loop_titlebar (void)
{
  Sim s;

  /* Client-side decorations: a 37-pixel titlebar inside the window. The
   * user's picture area is the guest's, and the window keeps its size
   * when the guest takes it (it doesn't shrink by a titlebar per round). */
  sim_init (&s, TRUE);
  s.chrome_h = 37;
  g_assert_false (sim_allocate (&s));
  g_assert_false (sim_guest_mode (&s, 1024, 768, 1));
  g_assert_cmpint (s.width, ==, 1024);
  g_assert_cmpint (s.height, ==, 768 + 37);
  s.now += G_USEC_PER_SEC;
  g_assert_true (sim_user_resize (&s, 1000, 737));
  g_assert_cmpuint (s.last_w, ==, 1000);
  g_assert_cmpuint (s.last_h, ==, 700);
  int before_w = s.width, before_h = s.height;
  g_assert_false (sim_guest_follows (&s));
  g_assert_cmpint (s.width, ==, before_w);
  g_assert_cmpint (s.height, ==, before_h);
  g_assert_cmpuint (s.requests, ==, 1);
}

static void
test_no_loop_hidpi (void)
{
  Sim s;

  /* Scale 2: 401x301 logical is 802x602 device pixels, the guest's, shown
   * 1:1 by the same window. */
  sim_init (&s, TRUE);
  s.scale = 2;
  g_assert_false (sim_allocate (&s));
  s.now += G_USEC_PER_SEC;
  g_assert_true (sim_user_resize (&s, 401, 301));
  g_assert_cmpuint (s.last_w, ==, 802);
  g_assert_cmpuint (s.last_h, ==, 602);
  g_assert_false (sim_guest_follows (&s));
  g_assert_cmpint (s.width, ==, 401);
  g_assert_cmpint (s.height, ==, 301);
  g_assert_cmpuint (s.requests, ==, 1);
}

/* ---- a resize the window manager changed ---- */

static void
test_own_resize_deadline (void)
{
  Sim s;
  int w, h;

  sim_init (&s, TRUE);
  g_assert_false (sim_allocate (&s));
  /* The policy asks for 1280x720; the window manager gives 1200x700. */
  gvt_size_state_window_for_guest (&s.state, 1280, 720, 1, s.max_w, s.max_h, &w, &h);
  g_assert_true (gvt_size_state_resizing (&s.state, s.width, s.height, w, h, s.now));
  s.now += 50000;
  g_assert_false (sim_user_resize (&s, 1200, 700));
  /* Until the deadline the sizes are the policy's; after it, the user's. */
  s.now = T0 + GVT_SIZE_POLICY_OWN_RESIZE_US - 1;
  g_assert_false (sim_user_resize (&s, 1190, 700));
  s.now = T0 + GVT_SIZE_POLICY_OWN_RESIZE_US;
  g_assert_true (sim_user_resize (&s, 1100, 700));
  g_assert_false (s.state.own_pending);
  g_assert_true (sim_user_resize (&s, 1000, 700));
  g_assert_cmpuint (s.requests, ==, 2);

  /* No resize when the window has that size already: nothing waits. */
  g_assert_false (gvt_size_state_resizing (&s.state, 1000, 700, 1000, 700, s.now));
  g_assert_false (s.state.own_pending);
}

/* ---- the size that shows a guest 1:1 ---- */

static void
test_window_for_guest (void)
{
  GvtSizeState state = { 0 };
  int w, h;

  gvt_size_state_window_for_guest (&state, 1280, 720, 1, 1920, 1040, &w, &h);
  g_assert_cmpint (w, ==, 1280);
  g_assert_cmpint (h, ==, 720);
  /* Scale 2: rounded up, the last odd device pixel shows too. */
  gvt_size_state_window_for_guest (&state, 1281, 721, 2, 1920, 1040, &w, &h);
  g_assert_cmpint (w, ==, 641);
  g_assert_cmpint (h, ==, 361);
  /* Within the work area. */
  gvt_size_state_window_for_guest (&state, 3840, 2160, 1, 1920, 1040, &w, &h);
  g_assert_cmpint (w, ==, 1920);
  g_assert_cmpint (h, ==, 1040);
  /* A titlebar is added. */
  state.chrome_height = 37;
  gvt_size_state_window_for_guest (&state, 1280, 720, 1, 1920, 1040, &w, &h);
  g_assert_cmpint (w, ==, 1280);
  g_assert_cmpint (h, ==, 757);
  /* A silly work area: at least a pixel. */
  gvt_size_state_window_for_guest (&state, 1280, 720, 1, 0, -5, &w, &h);
  g_assert_cmpint (w, ==, 1);
  g_assert_cmpint (h, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/size-policy/first/default", test_first_default);
  g_test_add_func ("/size-policy/first/with-size", test_first_with_size);
  g_test_add_func ("/size-policy/first/tiny", test_tiny);
  g_test_add_func ("/size-policy/fullscreen", test_fullscreen);
  g_test_add_func ("/size-policy/no-loop/clamped", test_no_loop_clamped);
  g_test_add_func ("/size-policy/no-loop/work-area", test_no_loop_work_area);
  g_test_add_func ("/size-policy/no-loop/titlebar", test_no_loop_titlebar);
  g_test_add_func ("/size-policy/no-loop/hidpi", test_no_loop_hidpi);
  g_test_add_func ("/size-policy/own-resize-deadline", test_own_resize_deadline);
  g_test_add_func ("/size-policy/window-for-guest", test_window_for_guest);
  return g_test_run ();
}
