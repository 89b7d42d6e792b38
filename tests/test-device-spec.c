/* The DEVICE parser every command uses: each form, and what it refuses. */
#include "common/format.h"
#include "common/gvt-error.h"
#include "vgpu/device-spec.h"

static void
check_kind (const char *device, GvtDeviceKind kind)
{
  GvtDeviceSpec spec;
  g_autoptr (GError) error = NULL;

  g_assert_true (gvt_device_spec_parse (device, -1, &spec, &error));
  g_assert_no_error (error);
  g_assert_cmpint (spec.kind, ==, kind);
  g_assert_cmpstr (spec.text, ==, device);
  g_assert_cmpint (spec.fd, ==, -1);
  if (kind != GVT_DEVICE_QEMU)
    {
      g_assert_null (spec.qemu);
      g_assert_cmpint (spec.pid, ==, 0);
    }
  gvt_device_spec_clear (&spec);
  g_assert_null (spec.text);
  g_assert_null (spec.qemu);
}

static void
test_forms (void)
{
  check_kind ("/dev/vfio/7", GVT_DEVICE_GROUP);
  check_kind ("/dev/vfio/devices/vfio0", GVT_DEVICE_CDEV);
  check_kind ("4b1d9d2e-5c1a-4f4e-8e2b-6a7c0d3e9f10", GVT_DEVICE_MDEV);
  check_kind ("/sys/bus/mdev/devices/4b1d9d2e-5c1a-4f4e-8e2b-6a7c0d3e9f10", GVT_DEVICE_MDEV);
  check_kind ("sim", GVT_DEVICE_SIM);
  check_kind ("qemu:1234", GVT_DEVICE_QEMU);
  check_kind ("qemu:win10", GVT_DEVICE_QEMU);

  GvtDeviceSpec spec;
  g_assert_true (gvt_device_spec_parse (NULL, 5, &spec, NULL));
  g_assert_cmpint (spec.kind, ==, GVT_DEVICE_FD);
  g_assert_cmpint (spec.fd, ==, 5);
  g_assert_cmpstr (spec.text, ==, "--fd 5");
  gvt_device_spec_clear (&spec);
}

static void
test_sim (void)
{
  GvtDeviceSpec spec;

  g_assert_true (gvt_device_spec_parse ("sim", -1, &spec, NULL));
  g_assert_cmpuint (spec.width, ==, GVT_SIM_DEFAULT_WIDTH);
  g_assert_cmpuint (spec.height, ==, GVT_SIM_DEFAULT_HEIGHT);
  g_assert_cmphex (spec.fourcc, ==, GVT_FORMAT_XRGB8888);
  gvt_device_spec_clear (&spec);

  g_assert_true (gvt_device_spec_parse ("sim:640x480:YUYV", -1, &spec, NULL));
  g_assert_cmpuint (spec.width, ==, 640);
  g_assert_cmpuint (spec.height, ==, 480);
  g_assert_cmphex (spec.fourcc, ==, GVT_FOURCC ('Y', 'U', 'Y', 'V'));
  gvt_device_spec_clear (&spec);

  /* The same size limit as every --size. */
  g_assert_true (gvt_device_spec_parse ("sim:16384x8", -1, &spec, NULL));
  g_assert_cmpuint (spec.width, ==, 16384);
  gvt_device_spec_clear (&spec);
}

static void
check_qemu (const char *device, const char *qemu, int pid)
{
  GvtDeviceSpec spec;
  g_autoptr (GError) error = NULL;

  g_assert_true (gvt_device_spec_parse (device, -1, &spec, &error));
  g_assert_no_error (error);
  g_assert_cmpint (spec.kind, ==, GVT_DEVICE_QEMU);
  g_assert_cmpstr (spec.text, ==, device);
  g_assert_cmpstr (spec.qemu, ==, qemu);
  g_assert_cmpint (spec.pid, ==, pid);
  g_assert_cmpint (spec.fd, ==, -1);
  gvt_device_spec_clear (&spec);
}

static void
test_qemu (void)
{
  check_qemu ("qemu:1", "1", 1);
  check_qemu ("qemu:4194304", "4194304", 4194304);
  check_qemu ("qemu:2147483647", "2147483647", G_MAXINT);
  /* Not all digits: a name, for the qemu layer to look up. */
  check_qemu ("qemu:win10", "win10", 0);
  check_qemu ("qemu:123abc", "123abc", 0);
  check_qemu ("qemu:my vm", "my vm", 0);
  check_qemu ("qemu:-1", "-1", 0);
  check_qemu ("qemu:vm.élan", "vm.élan", 0);
  check_qemu ("qemu:qemu:x", "qemu:x", 0);
}

static void
check_refused (const char *device, int fd, const char *needle)
{
  GvtDeviceSpec spec;
  g_autoptr (GError) error = NULL;

  g_assert_false (gvt_device_spec_parse (device, fd, &spec, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  if (strstr (error->message, needle) == NULL)
    g_error ("'%s': message '%s' lacks '%s'", device, error->message, needle);
  g_assert_null (spec.text);
}

static void
test_refused (void)
{
  check_refused ("sim:16385x8", -1, "sizes from 1 to 16384");
  check_refused ("sim:0x8", -1, "sizes from 1 to 16384");
  check_refused ("sim: 8x8", -1, "is not a simulated device");
  check_refused ("sim:8x8:XR2", -1, "exactly 4");
  check_refused ("sim:8x8:XR244", -1, "exactly 4");
  check_refused ("simulator", -1, "did you mean sim");
  check_refused ("vfio7", -1, "is not a device gvt-view knows");
  /* The message lists every form. */
  check_refused ("vfio7", -1, "/dev/vfio/N, /dev/vfio/devices/vfioX, an mdev UUID, "
                 "/sys/bus/mdev/devices/UUID, qemu:PID, qemu:NAME, --fd N or sim");
  check_refused (NULL, -1, "qemu:PID");
  check_refused ("qemu", -1, "did you mean qemu:PID or qemu:NAME?");
  check_refused ("qemux", -1, "did you mean qemu:PID or qemu:NAME?");
  check_refused ("qemu:", -1, "use qemu:PID, the process id of a running QEMU, or qemu:NAME");
  check_refused ("qemu:0", -1, "0 is no process id (they run from 1 to 2147483647)");
  check_refused ("qemu:2147483648", -1, "is no process id");
  check_refused ("qemu:99999999999999999999999", -1, "is no process id");
  check_refused ("qemu:a/b", -1, "without '/' or control characters");
  check_refused ("qemu:../../etc/passwd", -1, "without '/' or control characters");
  check_refused ("qemu:vm\n", -1, "'qemu:vm\\n' is not a QEMU");
  check_refused ("qemu:\x7f", -1, "is not a QEMU");
  check_refused ("qemu:\xff\xfe", -1, "is not a QEMU");
  check_refused ("qemu:1234", 4, "not both");
  check_refused (NULL, -1, "no DEVICE given");
  check_refused ("", -1, "no DEVICE given");
  check_refused ("/dev/vfio/7", 3, "not both");
  /* Below "not given", never read as "not given". */
  check_refused (NULL, -2, "--fd -2: use a file descriptor number, 0 or more");
  check_refused ("sim", -7, "--fd -7: use a file descriptor number, 0 or more");
  check_refused (NULL, G_MININT, "use a file descriptor number, 0 or more");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vgpu/device-spec/forms", test_forms);
  g_test_add_func ("/vgpu/device-spec/sim", test_sim);
  g_test_add_func ("/vgpu/device-spec/qemu", test_qemu);
  g_test_add_func ("/vgpu/device-spec/refused", test_refused);
  return g_test_run ();
}
