/* The commands as a user meets them, on the fake VFIO kernel: probe's text
 * and JSON for a GVT-g-like and an mdpy-like device, and every error
 * message a user can hit, with its exit status, and nothing broken after. */
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/doctor.h"
#include "common/format.h"
#include "display/device.h"
#include "fake-kernel.h"
#include "testutil.h"

typedef struct {
  GvtFakeKernel *fake;
  int fds;
  int status;
  char *out;
  char *err;
} Fixture;

static const GvtFakeConfig gvt_config = { 0 };
static const GvtFakeConfig mdpy_config = {
  .display = GVT_FAKE_DISPLAY_REGION, .type = "mdpy-xga", .parent = "mdpy", .no_edid = TRUE,
};
static const GvtFakeConfig no_display_config = { .display = GVT_FAKE_DISPLAY_NONE };
/* Every config is static: g_test_add keeps the pointer until the test runs,
 * long after a compound literal in main() has gone out of scope. */
static const GvtFakeConfig echo_when_off_config = { .quirks = GVT_FAKE_QUIRK_ECHO_WHEN_OFF };
static const GvtFakeConfig mbochs_config = {
  .quirks = GVT_FAKE_QUIRK_ENOMEM_AFTER_MODESET, .type = "mbochs-medium", .parent = "mbochs",
};

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->fake = gvt_fake_kernel_new (data);
  f->fds = gvt_test_count_device_fds ();
}

/* Error cases carry their ErrorCase as data: always a default GVT-g fake. */
static void
fixture_set_up_gvt (Fixture *f, gconstpointer data)
{
  fixture_set_up (f, NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_free (f->out);
  g_free (f->err);
  g_clear_pointer (&f->fake, gvt_fake_kernel_free);
}

/* Runs `gvt-view probe ARGS...` in this process, output captured. */
static void
probe (Fixture *f, ...)
{
  char *argv[8] = { (char *) "probe" };
  int argc = 1;
  va_list ap;
  va_start (ap, f);
  for (const char *a = va_arg (ap, const char *); a; a = va_arg (ap, const char *))
    {
      g_assert_cmpint (argc, <, 7);
      argv[argc++] = (char *) a;
    }
  va_end (ap);

  g_clear_pointer (&f->out, g_free);
  g_clear_pointer (&f->err, g_free);
  size_t n;
  FILE *out = open_memstream (&f->out, &n);
  FILE *err = open_memstream (&f->err, &n);
  f->status = gvt_cmd_probe (argc, argv, out, err);
  fclose (out);
  fclose (err);
}

static void
assert_has (const char *text, const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("\"%s\" not in:\n%s", needle, text);
}

/* After a failure: no fd left behind, and the same command works once the
 * cause is gone. */
static void
assert_recovers (Fixture *f)
{
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 0);
  /* By UUID: the not-viable case leaves a second device in the group. */
  probe (f, GVT_FAKE_UUID, NULL);
  g_assert_cmpint (f->status, ==, 0);
  assert_has (f->out, "device:   vfio 7");
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
}

static void
test_probe_gvt_text (Fixture *f, gconstpointer data)
{
  struct vfio_device_gfx_plane_info p = gvt_fake_plane (GVT_FORMAT_XRGB8888, 1920, 1080, 4);
  struct vfio_device_gfx_plane_info c = gvt_fake_cursor (64, 300, 200, 1, 2, 5);
  p.drm_format_mod = GVT_MOD_I915_X_TILED;
  gvt_fake_kernel_set_primary (f->fake, &p);
  gvt_fake_kernel_set_cursor (f->fake, &c);

  probe (f, "/dev/vfio/7", NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->err, ==, "");
  assert_has (f->out, "device:   vfio 7");
  assert_has (f->out, "display:  dma-buf planes");
  assert_has (f->out, "state:    live");
  assert_has (f->out, "primary:  1920x1080 XR24 INTEL_X_TILED, stride 7680, size 8294400, dmabuf id 4");
  assert_has (f->out, "cursor:   64x64 AR24 LINEAR, stride 256, size 16384, dmabuf id 5, "
                      "at 300,200, hotspot 1,2");
  assert_has (f->out, "edid:     up to 1920x1200");
  /* One GET per plane, and everything closed again. */
  g_assert_cmpuint (gvt_fake_kernel_get_dmabuf_gets (f->fake, GVT_FAKE_ANY_ID), ==, 2);
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 0);
}

static void
test_probe_gvt_json (Fixture *f, gconstpointer data)
{
  struct vfio_device_gfx_plane_info p = gvt_fake_plane (GVT_FORMAT_ARGB8888, 1280, 720, 11);
  struct vfio_device_gfx_plane_info c = gvt_fake_cursor (128, 0xfffffff0u, 10,
                                                         0xffffffffu, 0xffffffffu, 12);
  gvt_fake_kernel_set_primary (f->fake, &p);
  gvt_fake_kernel_set_cursor (f->fake, &c);

  probe (f, "--json", GVT_FAKE_UUID, NULL);
  g_assert_cmpint (f->status, ==, 0);

  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_data (parser, f->out, -1, &error));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "device"),
                                                  "name"), ==, "vfio 7");
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (o, "display"),
                                                 "dmabuf"));
  JsonObject *pj = json_object_get_object_member (o, "primary");
  g_assert_cmpstr (json_object_get_string_member (pj, "fourcc"), ==, "AR24");
  g_assert_cmpint (json_object_get_int_member (pj, "width"), ==, 1280);
  g_assert_cmpint (json_object_get_int_member (pj, "stride"), ==, 5120);
  g_assert_cmpint (json_object_get_int_member (pj, "dmabuf_id"), ==, 11);
  JsonObject *cj = json_object_get_object_member (o, "cursor");
  g_assert_cmpint (json_object_get_int_member (cj, "width"), ==, 128);
  /* A position whose int32 value is negative is negative (gvt_plane_get_x). */
  g_assert_cmpint (json_object_get_int_member (cj, "x"), ==, -16);
  g_assert_cmpint (json_object_get_int_member (cj, "y"), ==, 10);
  g_assert_true (json_object_get_null_member (cj, "hot_x"));
  g_assert_true (json_object_get_null_member (cj, "hot_y"));
  g_assert_cmpint (json_object_get_int_member (cj, "dmabuf_id"), ==, 12);
  JsonObject *ej = json_object_get_object_member (o, "edid");
  g_assert_cmpint (json_object_get_int_member (ej, "max_xres"), ==, 1920);
  g_assert_cmpint (json_object_get_int_member (ej, "max_yres"), ==, 1200);
}

static void
test_probe_no_plane (Fixture *f, gconstpointer data)
{
  /* Echo quirk on: with no plane GVT-g hands our struct back. */
  probe (f, "--json", "/dev/vfio/7", NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, f->out, -1, NULL));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "no-signal");
  g_assert_true (json_object_get_null_member (o, "primary"));
  g_assert_true (json_object_get_null_member (o, "cursor"));
  assert_has (json_object_get_string_member (o, "reason"), "No signal");
}

static void
test_probe_enomem_once (Fixture *f, gconstpointer data)
{
  struct vfio_device_gfx_plane_info p = gvt_fake_plane (GVT_FORMAT_XRGB8888, 1024, 768, 1);
  gvt_fake_kernel_set_primary (f->fake, &p);

  /* mbochs answers the first query after a mode change with ENOMEM:
   * probe must absorb it and report the plane. */
  probe (f, "/dev/vfio/7", NULL);
  g_assert_cmpint (f->status, ==, 0);
  assert_has (f->out, "primary:  1024x768 XR24 LINEAR");
  g_autofree char *log = gvt_fake_kernel_get_log (f->fake, "device QUERY_GFX_PLANE primary");
  assert_has (log, "-> ENOMEM");
}

static void
test_probe_region (Fixture *f, gconstpointer data)
{
  struct vfio_device_gfx_plane_info p = gvt_fake_plane (GVT_FORMAT_XRGB8888, 1024, 768, 0);
  p.region_index = GVT_FAKE_FB_REGION;
  gvt_fake_kernel_set_primary (f->fake, &p);

  probe (f, "/dev/vfio/7", NULL);
  g_assert_cmpint (f->status, ==, 0);
  assert_has (f->out, "display:  region planes");
  assert_has (f->out, "primary:  1024x768 XR24 LINEAR, stride 4096, size 3145728, region 16");
  assert_has (f->out, "edid:     none");

  probe (f, "--json", "/dev/vfio/7", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, f->out, -1, NULL));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  JsonObject *pj = json_object_get_object_member (o, "primary");
  g_assert_cmpint (json_object_get_int_member (pj, "region_index"), ==, 16);
  g_assert_false (json_object_has_member (pj, "dmabuf_id"));
  g_assert_true (json_object_get_null_member (o, "edid"));
}

static void
test_probe_invalid_plane (Fixture *f, gconstpointer data)
{
  struct vfio_device_gfx_plane_info p = gvt_fake_plane (GVT_FORMAT_XRGB8888, 1024, 768, 3);
  p.stride = 100;
  gvt_fake_kernel_set_primary (f->fake, &p);

  g_test_expect_message ("gvt-view", G_LOG_LEVEL_WARNING, "*stride 100*");
  probe (f, "/dev/vfio/7", NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpint (f->status, ==, 0);
  assert_has (f->out, "state:    Unsupported plane — primary plane stride 100");
  assert_has (f->out, "primary:  none");
  /* A rejected plane is never fetched. */
  g_assert_cmpuint (gvt_fake_kernel_get_dmabuf_gets (f->fake, GVT_FAKE_ANY_ID), ==, 0);
}

static void
test_probe_fd (Fixture *f, gconstpointer data)
{
  struct vfio_device_gfx_plane_info p = gvt_fake_plane (GVT_FORMAT_XRGB8888, 640, 480, 2);
  gvt_fake_kernel_set_primary (f->fake, &p);

  /* A launcher's hand-over: group dance, then the device fd as --fd. */
  int container = open (GVT_FAKE_CONTAINER, O_RDWR | O_CLOEXEC);
  int group = open ("/dev/vfio/7", O_RDWR | O_CLOEXEC);
  g_assert_cmpint (ioctl (group, VFIO_GROUP_SET_CONTAINER, &container), ==, 0);
  g_assert_cmpint (ioctl (container, VFIO_SET_IOMMU, (unsigned long) VFIO_TYPE1v2_IOMMU), ==, 0);
  int fd = ioctl (group, VFIO_GROUP_GET_DEVICE_FD, GVT_FAKE_UUID);
  g_assert_cmpint (fd, >=, 0);
  g_autofree char *fd_arg = g_strdup_printf ("%d", fd);

  probe (f, "--fd", fd_arg, NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_autofree char *name = g_strdup_printf ("device:   fd %d", fd);
  assert_has (f->out, name);
  assert_has (f->out, "primary:  640x480 XR24");
  close (group);
  close (container);
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
}

typedef struct {
  const char *name;
  void (*inject) (GvtFakeKernel *fake, gboolean on);
  const char *device; /* NULL: --fd N, N an open /dev/null */
  int status;
  const char *needles[3];
} ErrorCase;

static void inject_busy (GvtFakeKernel *k, gboolean on) { gvt_fake_kernel_set_held_elsewhere (k, on); }
static void inject_eacces (GvtFakeKernel *k, gboolean on)
{ gvt_fake_kernel_fail_open (k, GVT_FAKE_NODE_GROUP, on ? EACCES : 0); }
static void inject_esrch (GvtFakeKernel *k, gboolean on)
{ gvt_fake_kernel_fail_device_open (k, on ? ESRCH : 0); }
static void inject_no_vfio (GvtFakeKernel *k, gboolean on)
{ gvt_fake_kernel_fail_open (k, GVT_FAKE_NODE_CONTAINER, on ? ENOENT : 0); }
static void inject_not_viable (GvtFakeKernel *k, gboolean on)
{
  if (on)
    gvt_fake_kernel_add_group_member (k, "0000:00:1f.3", "snd_hda_intel");
  gvt_fake_kernel_set_viable (k, !on);
}
static void inject_none (GvtFakeKernel *k, gboolean on) { }

static const ErrorCase error_cases[] = {
  { "busy", inject_busy, "/dev/vfio/7", 1,
    { "cannot open /dev/vfio/7: busy — ", "QEMU", "`gvt-view attach PID`" } },
  { "busy-uuid", inject_busy, GVT_FAKE_UUID, 1,
    { "busy — ", "fuser -v /dev/vfio/7", "--fd N" } },
  { "busy-cdev", inject_busy, GVT_FAKE_CDEV, 1,
    { "cannot open " GVT_FAKE_CDEV ": busy — ", "QEMU", "--fd N" } },
  { "permission", inject_eacces, "/dev/vfio/7", 1,
    { "/dev/vfio/7: permission denied", "udev", "kvm" } },
  { "needs-vm", inject_esrch, "/dev/vfio/7", 1,
    { "needs its VM", "`gvt-view attach PID`", "gvt-view run --" } },
  { "needs-vm-uuid", inject_esrch, GVT_FAKE_UUID, 1,
    { "needs its VM", "inside its VM's QEMU", NULL } },
  { "no-vfio", inject_no_vfio, "/dev/vfio/7", 1,
    { "cannot open /dev/vfio/7: /dev/vfio/vfio is missing", "modprobe vfio vfio_iommu_type1",
      NULL } },
  { "no-vfio-uuid", inject_no_vfio, GVT_FAKE_UUID, 1,
    { "cannot open " GVT_FAKE_UUID ": /dev/vfio/vfio is missing", "VFIO is not loaded", NULL } },
  { "not-viable", inject_not_viable, "/dev/vfio/7", 1,
    { "not viable", "0000:00:1f.3", "vfio" } },
  { "no-such-group", inject_none, "/dev/vfio/42", 1,
    { "cannot open /dev/vfio/42: no such VFIO group", GVT_FAKE_UUID, "/dev/vfio/7" } },
  { "unknown-uuid", inject_none, "0b7f9c1e-0000-4000-8000-000000000000", 1,
    { "cannot open 0b7f9c1e-0000-4000-8000-000000000000: no such mdev", "gvt-view list",
      "create" } },
  { "fd-not-vfio", inject_none, NULL, 2,
    { "not an opened VFIO device", "VFIO_DEVICE_GET_INFO", NULL } },
};

/* The first line of @text, without its newline. */
static char *
first_line (const char *text)
{
  const char *end = strchr (text, '\n');
  return end ? g_strndup (text, end - text) : g_strdup (text);
}

static void
test_error (Fixture *f, gconstpointer data)
{
  const ErrorCase *c = data;
  int fd = -1;
  g_autofree char *fd_arg = NULL;

  if (c->device == NULL)
    {
      fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
      g_assert_cmpint (fd, >=, 0);
      fd_arg = g_strdup_printf ("%d", fd);
    }
  c->inject (f->fake, TRUE);

  /* What the library says: the command prints it as its first line. */
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtVgpu) vgpu = gvt_device_open (c->device, fd, &error);
  g_assert_null (vgpu);
  g_assert_nonnull (error);

  if (c->device != NULL)
    probe (f, c->device, NULL);
  else
    probe (f, "--fd", fd_arg, NULL);
  g_assert_cmpint (f->status, ==, c->status);
  g_assert_cmpstr (f->out, ==, "");

  g_autofree char *prefix = c->device ? g_strdup_printf ("gvt-view: cannot open %s: ", c->device)
                                      : g_strdup_printf ("gvt-view: cannot use --fd %d: ", fd);
  if (!g_str_has_prefix (f->err, prefix))
    g_error ("\"%s\" does not start with \"%s\"", f->err, prefix);
  g_autofree char *printed = first_line (f->err);
  g_autofree char *said = first_line (error->message);
  g_autofree char *expected = g_strconcat ("gvt-view: ", said, NULL);
  g_assert_cmpstr (printed, ==, expected);
  for (int i = 0; i < 3 && c->needles[i]; i++)
    assert_has (f->err, c->needles[i]);

  if (fd >= 0)
    close (fd);
  c->inject (f->fake, FALSE);
  assert_recovers (f);
}

static void
test_error_no_display (Fixture *f, gconstpointer data)
{
  probe (f, "/dev/vfio/7", NULL);
  g_assert_cmpint (f->status, ==, 1);
  assert_has (f->err, "gvt-view: cannot open /dev/vfio/7: vfio 7 has no display");
  assert_has (f->err, "gvt-view list");
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
}

static void
test_error_lost (Fixture *f, gconstpointer data)
{
  struct vfio_device_gfx_plane_info p = gvt_fake_plane (GVT_FORMAT_XRGB8888, 640, 480, 2);
  gvt_fake_kernel_set_primary (f->fake, &p);
  gvt_fake_kernel_unplug (f->fake);

  probe (f, "/dev/vfio/7", NULL);
  g_assert_cmpint (f->status, ==, 1);
  assert_has (f->err, "gvt-view: ");
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 0);
}

/* --- doctor DEVICE: the device's own checks (the host's are test-doctor's) --- */

static void
doctor (Fixture *f, const char *device)
{
  char *argv[] = { (char *) "doctor", (char *) device, NULL };
  const GvtDoctorHost host = { .qemu_binary = "/nonexistent/qemu" };
  size_t n;

  g_clear_pointer (&f->out, g_free);
  g_clear_pointer (&f->err, g_free);
  FILE *out = open_memstream (&f->out, &n);
  FILE *err = open_memstream (&f->err, &n);
  f->status = gvt_cmd_doctor_host (2, argv, out, err, &host);
  fclose (out);
  fclose (err);
}

static void
test_doctor_gvt (Fixture *f, gconstpointer data)
{
  struct vfio_device_gfx_plane_info p = gvt_fake_plane (GVT_FORMAT_XRGB8888, 1920, 1080, 4);
  struct vfio_device_gfx_plane_info c = gvt_fake_cursor (64, 300, 200, 1, 2, 5);
  p.drm_format_mod = GVT_MOD_I915_X_TILED;
  gvt_fake_kernel_set_primary (f->fake, &p);
  gvt_fake_kernel_set_cursor (f->fake, &c);

  doctor (f, "/dev/vfio/7");
  g_assert_cmpstr (f->err, ==, "");
  assert_has (f->out, "\nok    device-open              vfio 7 opens\n");
  assert_has (f->out, "\nok    device-display           its display offers planes as dma-bufs\n");
  assert_has (f->out, "\nok    device-edid              EDID region: the guest's resolution can "
                      "follow the window, up to 1920x1200\n");
  assert_has (f->out, "\nok    device-planes            primary plane 1920x1080 XR24 "
                      "INTEL_X_TILED, and a cursor plane\n");
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 0);
}

static void
test_doctor_no_plane (Fixture *f, gconstpointer data)
{
  doctor (f, GVT_FAKE_UUID);
  assert_has (f->out, "\nok    device-open ");
  assert_has (f->out, "\nwarn  device-planes            no primary plane now");
  assert_has (f->out, "the guest's driver has not set a mode");
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
}

static void
test_doctor_region (Fixture *f, gconstpointer data)
{
  struct vfio_device_gfx_plane_info p = gvt_fake_plane (GVT_FORMAT_XRGB8888, 1024, 768, 0);
  p.region_index = GVT_FAKE_FB_REGION;
  gvt_fake_kernel_set_primary (f->fake, &p);

  doctor (f, "/dev/vfio/7");
  assert_has (f->out, "\nok    device-display           its display offers planes as a region\n");
  assert_has (f->out, "\nskip  device-edid              no EDID region");
  assert_has (f->out, "\nok    device-planes            primary plane 1024x768 XR24 LINEAR, "
                      "no cursor plane\n");
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
}

static void
test_doctor_no_display (Fixture *f, gconstpointer data)
{
  doctor (f, "/dev/vfio/7");
  g_assert_cmpint (f->status, ==, 1);
  assert_has (f->out, "\nfail  device-open              cannot open /dev/vfio/7: vfio 7 has no "
                      "display");
  g_assert_null (strstr (f->out, "device-planes"));
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
}

static gpointer
remove_later (gpointer data)
{
  g_usleep (200 * 1000);
  gvt_fake_kernel_start_remove (data);
  return NULL;
}

static void
test_watch_hot_unplug (Fixture *f, gconstpointer data)
{
  struct vfio_device_gfx_plane_info p = gvt_fake_plane (GVT_FORMAT_XRGB8888, 640, 480, 2);
  gvt_fake_kernel_set_primary (f->fake, &p);

  /* The kernel keeps answering while a remove waits for our fds: the
   * vanished sysfs entry is the only sign, and it must end the watch. */
  GThread *thread = g_thread_new ("remove", remove_later, f->fake);
  g_test_expect_message ("gvt-view", G_LOG_LEVEL_WARNING, "*device lost*");
  probe (f, GVT_FAKE_UUID, "--watch", "30", NULL);
  g_test_assert_expected_messages ();
  g_thread_join (thread);

  g_assert_cmpint (f->status, ==, 1);
  assert_has (f->out, "primary:  640x480 XR24");
  assert_has (f->out, "Device lost");
  assert_has (f->out, "watched ");
  /* Everything let go, so the remove can finish. */
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 0);
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
}

static gpointer
flip_later (gpointer data)
{
  GvtFakeKernel *fake = data;
  g_usleep (150 * 1000);
  struct vfio_device_gfx_plane_info p = gvt_fake_plane (GVT_FORMAT_XRGB8888, 800, 600, 7);
  gvt_fake_kernel_set_primary (fake, &p);
  g_usleep (150 * 1000);
  struct vfio_device_gfx_plane_info c = gvt_fake_cursor (64, 10, 20, 0, 0, 8);
  gvt_fake_kernel_set_cursor (fake, &c);
  return NULL;
}

static void
test_watch_changes (Fixture *f, gconstpointer data)
{
  struct vfio_device_gfx_plane_info p = gvt_fake_plane (GVT_FORMAT_XRGB8888, 640, 480, 2);
  gvt_fake_kernel_set_primary (f->fake, &p);

  GThread *thread = g_thread_new ("guest", flip_later, f->fake);
  probe (f, "/dev/vfio/7", "--watch", "0.8", NULL);
  g_thread_join (thread);

  g_assert_cmpint (f->status, ==, 0);
  assert_has (f->out, "s primary:  800x600 XR24 LINEAR, stride 3200, size 1920000, dmabuf id 7");
  assert_has (f->out, "s cursor:   64x64 AR24");
  assert_has (f->out, "3 dma-buf gets");
  g_assert_null (strstr (f->out, "Device lost"));
  g_assert_cmpuint (gvt_fake_kernel_get_dmabuf_gets (f->fake, GVT_FAKE_ANY_ID), ==, 3);
}

int
main (int argc, char **argv)
{
  gvt_test_ensure_umockdev (argc, argv);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, config, func) \
  g_test_add ("/cli-kernel/" path, Fixture, config, fixture_set_up, func, fixture_tear_down)
  ADD ("probe/gvt-text", &gvt_config, test_probe_gvt_text);
  ADD ("probe/gvt-json-uuid", &gvt_config, test_probe_gvt_json);
  ADD ("probe/no-plane", &echo_when_off_config, test_probe_no_plane);
  ADD ("probe/enomem-once", &mbochs_config, test_probe_enomem_once);
  ADD ("probe/region", &mdpy_config, test_probe_region);
  ADD ("probe/invalid-plane", &gvt_config, test_probe_invalid_plane);
  ADD ("probe/fd", &gvt_config, test_probe_fd);
  ADD ("watch/changes", &gvt_config, test_watch_changes);
  ADD ("watch/hot-unplug", &gvt_config, test_watch_hot_unplug);
  ADD ("error/no-display", &no_display_config, test_error_no_display);
  ADD ("error/lost", &gvt_config, test_error_lost);
  ADD ("doctor/gvt", &gvt_config, test_doctor_gvt);
  ADD ("doctor/no-plane", &echo_when_off_config, test_doctor_no_plane);
  ADD ("doctor/region", &mdpy_config, test_doctor_region);
  ADD ("doctor/no-display", &no_display_config, test_doctor_no_display);
#undef ADD
  for (gsize i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli-kernel/error/%s", error_cases[i].name);
      g_test_add (path, Fixture, &error_cases[i], fixture_set_up_gvt, test_error,
                  fixture_tear_down);
    }
  return g_test_run ();
}
