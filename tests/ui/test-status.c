/* The state screens' words and the title. */
#include "common/format.h"
#include "ui/status.h"

static void
free_pixels (void *data, gsize size)
{
  g_free (data);
}

static void
check_message (const GvtStatusInfo *info, const char *title, const char *detail)
{
  g_autofree char *t = NULL;
  g_autofree char *d = NULL;

  gvt_status_message (info, &t, &d);
  g_assert_cmpstr (t, ==, title);
  g_assert_cmpstr (d, ==, detail);
}

static void
test_states (void)
{
  g_assert_cmpint (gvt_ui_state_for (GVT_SOURCE_STATE_LIVE, FALSE), ==, GVT_UI_STATE_LIVE);
  g_assert_cmpint (gvt_ui_state_for (GVT_SOURCE_STATE_LIVE, TRUE), ==, GVT_UI_STATE_UNSUPPORTED);
  g_assert_cmpint (gvt_ui_state_for (GVT_SOURCE_STATE_INVALID, FALSE), ==, GVT_UI_STATE_UNSUPPORTED);
  g_assert_cmpint (gvt_ui_state_for (GVT_SOURCE_STATE_NO_SIGNAL, TRUE), ==, GVT_UI_STATE_NO_SIGNAL);
  g_assert_cmpint (gvt_ui_state_for (GVT_SOURCE_STATE_LOST, TRUE), ==, GVT_UI_STATE_LOST);
  g_assert_cmpstr (gvt_ui_state_to_string (GVT_UI_STATE_UNSUPPORTED), ==, "unsupported");
  g_assert_cmpstr (gvt_ui_state_to_string (GVT_UI_STATE_NO_SIGNAL), ==, "no-signal");
}

/* The VM's own states win over whatever the picture's screen would be. */
static void
test_vm_states (void)
{
  static const GvtUiState pictures[] = {
    GVT_UI_STATE_NO_SIGNAL, GVT_UI_STATE_LIVE, GVT_UI_STATE_UNSUPPORTED, GVT_UI_STATE_LOST,
  };
  for (gsize i = 0; i < G_N_ELEMENTS (pictures); i++)
    {
      GvtUiState p = pictures[i];
      g_assert_cmpint (gvt_ui_state_for_vm (GVT_VM_NONE, NULL, p), ==, p);
      g_assert_cmpint (gvt_ui_state_for_vm (GVT_VM_CONNECTING, NULL, p), ==, p);
      g_assert_cmpint (gvt_ui_state_for_vm (GVT_VM_RUNNING, NULL, p), ==, p);
      g_assert_cmpint (gvt_ui_state_for_vm (GVT_VM_PAUSED, NULL, p), ==, GVT_UI_STATE_PAUSED);
      g_assert_cmpint (gvt_ui_state_for_vm (GVT_VM_SHUT_DOWN, NULL, p), ==, GVT_UI_STATE_SHUT_DOWN);
      g_assert_cmpint (gvt_ui_state_for_vm (GVT_VM_GONE, NULL, p), ==, GVT_UI_STATE_QEMU_EXITED);
      /* Never run (-S): a picture the vGPU shows already is shown live. */
      g_assert_cmpint (gvt_ui_state_for_vm (GVT_VM_PAUSED, "prelaunch", p), ==,
                       p == GVT_UI_STATE_LIVE ? GVT_UI_STATE_LIVE : GVT_UI_STATE_PAUSED);
      g_assert_cmpint (gvt_ui_state_for_vm (GVT_VM_PAUSED, "paused", p), ==, GVT_UI_STATE_PAUSED);
      g_assert_false (gvt_ui_state_is_vm (p));
    }
  g_assert_true (gvt_ui_state_is_vm (GVT_UI_STATE_PAUSED));
  g_assert_true (gvt_ui_state_is_vm (GVT_UI_STATE_SHUT_DOWN));
  g_assert_true (gvt_ui_state_is_vm (GVT_UI_STATE_QEMU_EXITED));
  g_assert_cmpstr (gvt_ui_state_to_string (GVT_UI_STATE_PAUSED), ==, "paused");
  g_assert_cmpstr (gvt_ui_state_to_string (GVT_UI_STATE_SHUT_DOWN), ==, "shut-down");
  g_assert_cmpstr (gvt_ui_state_to_string (GVT_UI_STATE_QEMU_EXITED), ==, "qemu-exited");
  g_assert_cmpstr (gvt_vm_state_to_string (GVT_VM_GONE), ==, "gone");
  g_assert_cmpstr (gvt_vm_state_to_string (GVT_VM_SHUT_DOWN), ==, "shut-down");

  GvtStatusInfo info = { .state = GVT_UI_STATE_PAUSED, .name = "ramfb fb0" };
  check_message (&info, "VM paused", "the VM runs again at `cont`");
  info.vm_detail = "prelaunch";
  check_message (&info, "VM paused", "QEMU was started with -S: the VM runs at `cont`");
  info.vm_detail = "io-error";
  check_message (&info, "VM paused", "QEMU says: io-error");
  g_autofree char *title = gvt_status_title (&info);
  g_assert_cmpstr (title, ==, "gvt-view — VM paused — ramfb fb0");

  info = (GvtStatusInfo) { .state = GVT_UI_STATE_SHUT_DOWN, .name = "vfio 7" };
  check_message (&info, "VM shut down", "the guest is off");
  info.vm_detail = "guest-shutdown";
  check_message (&info, "VM shut down", "QEMU says: guest-shutdown");

  info = (GvtStatusInfo) { .state = GVT_UI_STATE_QEMU_EXITED, .name = "ramfb fb0",
                           .qmp_path = "/run/vm/qmp.sock" };
  check_message (&info, "QEMU exited",
                 "waiting for a QEMU at /run/vm/qmp.sock (trying every second)");
  g_free (title);
  title = gvt_status_title (&info);
  g_assert_cmpstr (title, ==, "gvt-view — QEMU exited — ramfb fb0");
  /* The grab, whatever the state. */
  info.grab_label = "Ctrl+Alt+G";
  g_free (title);
  title = gvt_status_title (&info);
  g_assert_cmpstr (title, ==, "gvt-view — QEMU exited — ramfb fb0 (input grabbed — Ctrl+Alt+G releases)");
}

static void
test_messages (void)
{
  GvtStatusInfo info = { .state = GVT_UI_STATE_NO_SIGNAL, .name = "sim" };

  check_message (&info, "No signal — waiting for the guest display",
                 "the guest has not enabled a display plane yet (firmware, no driver, or display off)");
  /* A reason that repeats the title is said once. */
  info.reason = "No signal — waiting for the guest display: the cursor plane is off";
  check_message (&info, "No signal — waiting for the guest display", "the cursor plane is off");

  info = (GvtStatusInfo) { .state = GVT_UI_STATE_UNSUPPORTED, .name = "sim",
                           .reason = "the poller's reason",
                           .render_error = "unsupported format YUYV (0x56595559)" };
  check_message (&info, "Unsupported format", "unsupported format YUYV (0x56595559)");
  info.render_error = NULL;
  check_message (&info, "Unsupported format", "the poller's reason");
  info.gl_error = "no EGL on this display";
  check_message (&info, "No picture", "no EGL on this display");

  info = (GvtStatusInfo) { .state = GVT_UI_STATE_LOST, .name = "vfio 7",
                           .reason = "ENODEV", .reopen_device = "/dev/vfio/7" };
  check_message (&info, "Device lost", "ENODEV\nreopening /dev/vfio/7 every 2 s");
  info.reopen_device = NULL;
  check_message (&info, "Device lost", "ENODEV");
  info.reason = NULL;
  check_message (&info, "Device lost", "the device went away");
}

static void
test_titles (void)
{
  g_autoptr (GvtBuffer) buffer = gvt_buffer_new_memory (g_malloc0 (16 * 8 * 4), 16 * 8 * 4,
                                                        free_pixels);
  g_autoptr (GvtPlane) plane = gvt_plane_new_memory (GVT_FORMAT_XRGB8888, 16, 8, 64, buffer);
  GvtStatusInfo info = { .state = GVT_UI_STATE_LIVE, .name = "vfio 7", .primary = plane };
  char mod[GVT_MODIFIER_NAME_MAX];

  g_autofree char *live = gvt_status_title (&info);
  g_autofree char *expected = g_strdup_printf ("gvt-view — 16×8 XR24 (%s) — vfio 7",
                                               gvt_modifier_to_string (GVT_MOD_LINEAR, mod));
  g_assert_cmpstr (live, ==, expected);
  const struct { GvtUiState state; const char *title; } cases[] = {
    { GVT_UI_STATE_NO_SIGNAL, "gvt-view — no signal — vfio 7" },
    { GVT_UI_STATE_UNSUPPORTED, "gvt-view — unsupported format — vfio 7" },
    { GVT_UI_STATE_LOST, "gvt-view — device lost — vfio 7" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      info.state = cases[i].state;
      g_autofree char *title = gvt_status_title (&info);
      g_assert_cmpstr (title, ==, cases[i].title);
    }
  /* Live without a plane yet (the first tick): the state's words. */
  info.state = GVT_UI_STATE_LIVE;
  info.primary = NULL;
  g_autofree char *bare = gvt_status_title (&info);
  g_assert_cmpstr (bare, ==, "gvt-view — live — vfio 7");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ui/status/states", test_states);
  g_test_add_func ("/ui/status/messages", test_messages);
  g_test_add_func ("/ui/status/vm-states", test_vm_states);
  g_test_add_func ("/ui/status/titles", test_titles);
  return g_test_run ();
}
