/* Tests for the kernel backend of GvtVgpu (vgpu-kernel.c) on the fake VFIO
 * kernel: the three ways to a device fd, every error a user can hit (code,
 * message, nothing leaked, a later open still works) and each operation's
 * raw behaviour. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake-kernel.h"
#include "testutil.h"
#include "common/gvt-error.h"
#include "common/format.h"
#include "vgpu/vgpu.h"
#include "vgpu/vgpu-kernel.h"

typedef struct {
  GvtFakeKernel *fake;
  int fds; /* open fds once the fake is up: what every test must end with */
} Fixture;

static const GvtFakeConfig gvt_config = { 0 };
static const GvtFakeConfig echo_config = { .quirks = GVT_FAKE_QUIRK_ECHO_WHEN_OFF };
static const GvtFakeConfig region_config = { .display = GVT_FAKE_DISPLAY_REGION };
static const GvtFakeConfig no_display_config = { .display = GVT_FAKE_DISPLAY_NONE };
static const GvtFakeConfig no_cdev_config = { .no_cdev = TRUE };

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->fake = gvt_fake_kernel_new (data);
  f->fds = gvt_test_count_device_fds ();
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->fake, gvt_fake_kernel_free);
}

static void
assert_fds_back (Fixture *f)
{
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 0);
}

/* Each of the NULL-terminated strings must be in the message. */
static void
assert_message_has (const GError *error, ...)
{
  va_list args;
  va_start (args, error);
  for (const char *part = va_arg (args, const char *); part; part = va_arg (args, const char *))
    if (strstr (error->message, part) == NULL)
      g_error ("error message lacks \"%s\": %s", part, error->message);
  va_end (args);
}

static void
assert_works (GvtVgpu *vgpu)
{
  struct vfio_device_info info;
  g_assert_nonnull (vgpu);
  g_assert_cmpint (gvt_vgpu_get_device_info (vgpu, &info), ==, 0);
  g_assert_true (info.flags & VFIO_DEVICE_FLAGS_PCI);
}

/* After a failure: nothing leaked, and the device opens fine now. */
static void
assert_recovers (Fixture *f, const char *device)
{
  assert_fds_back (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open (device, &error);
  g_assert_no_error (error);
  assert_works (vgpu);
  g_clear_pointer (&vgpu, gvt_vgpu_free);
  assert_fds_back (f);
}

static GvtVgpu *
open_group (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GvtVgpu *vgpu = gvt_vgpu_open (gvt_fake_kernel_get_group_path (f->fake), &error);
  g_assert_no_error (error);
  g_assert_nonnull (vgpu);
  return vgpu;
}

/* ---- the group path ---- */

static void
test_group_open (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open ("/dev/vfio/7", &error);
  g_assert_no_error (error);
  assert_works (vgpu);
  g_assert_cmpstr (gvt_vgpu_get_name (vgpu), ==, "vfio 7");

  /* The kernel's order: a group in the container before its IOMMU, the
   * IOMMU before the device. */
  g_autofree char *log = gvt_fake_kernel_get_log (f->fake, NULL);
  g_assert_cmpstr (log, ==,
                   "container GET_API_VERSION\n"
                   "container CHECK_EXTENSION 3\n"
                   "group GET_STATUS\n"
                   "group SET_CONTAINER\n"
                   "container SET_IOMMU 3\n"
                   "group GET_DEVICE_FD " GVT_FAKE_UUID "\n"
                   "device GET_INFO\n");

  g_clear_pointer (&vgpu, gvt_vgpu_free);
  assert_fds_back (f);
}

static void
test_group_device_name (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_kernel_open_group ("/dev/vfio/7", GVT_FAKE_UUID, &error);
  g_assert_no_error (error);
  assert_works (vgpu);
  g_clear_pointer (&vgpu, gvt_vgpu_free);

  vgpu = gvt_vgpu_kernel_open_group ("/dev/vfio/7", "00000000-0000-0000-0000-000000000000",
                                     &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  assert_message_has (error, "/dev/vfio/7 has no device 00000000-0000-0000-0000-000000000000",
                      "/sys/kernel/iommu_groups/7/devices", NULL);
  assert_recovers (f, "/dev/vfio/7");
}

static void
test_group_several_devices (Fixture *f, gconstpointer data)
{
  gvt_fake_kernel_add_group_member (f->fake, "0000:00:1f.3", "vfio-pci");

  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open ("/dev/vfio/7", &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  assert_message_has (error, "0000:00:1f.3", GVT_FAKE_UUID, "UUID", NULL);
  assert_fds_back (f);

  /* Named, it opens. */
  g_clear_error (&error);
  vgpu = gvt_vgpu_kernel_open_group ("/dev/vfio/7", GVT_FAKE_UUID, &error);
  g_assert_no_error (error);
  assert_works (vgpu);
  g_clear_pointer (&vgpu, gvt_vgpu_free);
  assert_fds_back (f);
}

static void
test_group_not_viable (Fixture *f, gconstpointer data)
{
  gvt_fake_kernel_add_group_member (f->fake, "0000:00:1f.3", "snd_hda_intel");
  gvt_fake_kernel_set_viable (f->fake, FALSE);

  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open ("/dev/vfio/7", &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NOT_VIABLE);
  assert_message_has (error, "IOMMU group 7 is not viable",
                      "/sys/kernel/iommu_groups/7/devices", "bound to vfio",
                      "0000:00:1f.3 (driver snd_hda_intel)",
                      GVT_FAKE_UUID " (driver vfio_mdev)", NULL);

  /* Nothing half-done stays behind: no group left in a container. */
  g_autofree char *log = gvt_fake_kernel_get_log (f->fake, "group");
  g_assert_cmpstr (log, ==, "group GET_STATUS\n");
  assert_fds_back (f);

  gvt_fake_kernel_set_viable (f->fake, TRUE);
  g_clear_error (&error);
  vgpu = gvt_vgpu_kernel_open_group ("/dev/vfio/7", GVT_FAKE_UUID, &error);
  g_assert_no_error (error);
  assert_works (vgpu);
  g_clear_pointer (&vgpu, gvt_vgpu_free);
  assert_fds_back (f);
}

static void
test_group_busy (Fixture *f, gconstpointer data)
{
  gvt_fake_kernel_set_held_elsewhere (f->fake, TRUE);

  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open ("/dev/vfio/7", &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_BUSY);
  assert_message_has (error, "cannot open /dev/vfio/7: busy", "QEMU",
                      "gvt-view run -- qemu-system-x86_64", "stop that process", NULL);

  gvt_fake_kernel_set_held_elsewhere (f->fake, FALSE);
  assert_recovers (f, "/dev/vfio/7");
}

static void
test_group_permission (Fixture *f, gconstpointer data)
{
  const int errs[] = { EACCES, EPERM };

  for (guint i = 0; i < G_N_ELEMENTS (errs); i++)
    {
      gvt_fake_kernel_fail_open (f->fake, GVT_FAKE_NODE_GROUP, errs[i]);

      g_autoptr(GError) error = NULL;
      g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open ("/dev/vfio/7", &error);
      g_assert_null (vgpu);
      g_assert_error (error, GVT_ERROR, GVT_ERROR_PERMISSION);
      assert_message_has (error, "cannot open /dev/vfio/7: permission denied",
                          "SUBSYSTEM==\"vfio\", GROUP=\"kvm\", MODE=\"0660\"",
                          "group kvm", "root", NULL);

      gvt_fake_kernel_fail_open (f->fake, GVT_FAKE_NODE_GROUP, 0);
      assert_recovers (f, "/dev/vfio/7");
    }
}

static void
test_group_needs_vm (Fixture *f, gconstpointer data)
{
  gvt_fake_kernel_fail_device_open (f->fake, ESRCH);

  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open ("/dev/vfio/7", &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NEEDS_VM);
  assert_message_has (error, GVT_FAKE_UUID, "only be opened while its VM runs",
                      "KVM association missing", "gvt-view run --", "--fd", NULL);

  gvt_fake_kernel_fail_device_open (f->fake, 0);
  assert_recovers (f, "/dev/vfio/7");
}

static void
test_group_second_vgpu (Fixture *f, gconstpointer data)
{
  gvt_fake_kernel_fail_device_open (f->fake, EEXIST);

  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open ("/dev/vfio/7", &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_BUSY);
  assert_message_has (error, "another GVT-g vGPU", "only one", NULL);

  gvt_fake_kernel_fail_device_open (f->fake, 0);
  assert_recovers (f, "/dev/vfio/7");
}

static void
test_group_no_such_group (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open ("/dev/vfio/8", &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  /* Says what exists instead. */
  assert_message_has (error, "no VFIO group /dev/vfio/8", "/dev/vfio/7", GVT_FAKE_UUID, NULL);
  assert_recovers (f, "/dev/vfio/7");

  /* The group's node vanishing reads the same. */
  gvt_fake_kernel_fail_open (f->fake, GVT_FAKE_NODE_GROUP, ENOENT);
  g_clear_error (&error);
  vgpu = gvt_vgpu_open ("/dev/vfio/7", &error);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  assert_message_has (error, "no VFIO group /dev/vfio/7", NULL);
  gvt_fake_kernel_fail_open (f->fake, GVT_FAKE_NODE_GROUP, 0);
  assert_recovers (f, "/dev/vfio/7");
}

static void
test_group_no_vfio (Fixture *f, gconstpointer data)
{
  gvt_fake_kernel_fail_open (f->fake, GVT_FAKE_NODE_CONTAINER, ENOENT);

  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open ("/dev/vfio/7", &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  assert_message_has (error, "no /dev/vfio/vfio", "modprobe vfio_iommu_type1", NULL);

  gvt_fake_kernel_fail_open (f->fake, GVT_FAKE_NODE_CONTAINER, 0);
  assert_recovers (f, "/dev/vfio/7");
}

static void
test_group_bad_path (Fixture *f, gconstpointer data)
{
  const char *paths[] = { "/dev/vfio/vfio", "/dev/vfio/7x", "/dev/vfio/" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GvtVgpu) vgpu = gvt_vgpu_kernel_open_group (paths[i], NULL, &error);
      g_assert_null (vgpu);
      g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
      assert_message_has (error, paths[i], "is not a VFIO group", "/dev/vfio/N", NULL);
    }
  assert_recovers (f, "/dev/vfio/7");
}

/* ---- the cdev path ---- */

static void
test_cdev_open (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open (GVT_FAKE_CDEV, &error);
  g_assert_no_error (error);
  assert_works (vgpu);
  g_assert_cmpstr (gvt_vgpu_get_name (vgpu), ==, "vfio0");

  g_autofree char *log = gvt_fake_kernel_get_log (f->fake, NULL);
  g_assert_cmpstr (log, ==, "device BIND_IOMMUFD\ndevice GET_INFO\n");

  g_clear_pointer (&vgpu, gvt_vgpu_free);
  assert_fds_back (f);
}

static void
test_cdev_busy (Fixture *f, gconstpointer data)
{
  gvt_fake_kernel_set_held_elsewhere (f->fake, TRUE);

  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open (GVT_FAKE_CDEV, &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_BUSY);
  assert_message_has (error, "cannot bind " GVT_FAKE_CDEV ": busy", "QEMU",
                      "gvt-view run -- qemu-system-x86_64", NULL);

  gvt_fake_kernel_set_held_elsewhere (f->fake, FALSE);
  assert_recovers (f, GVT_FAKE_CDEV);
}

static void
test_cdev_needs_vm (Fixture *f, gconstpointer data)
{
  gvt_fake_kernel_fail_device_open (f->fake, ESRCH);

  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open (GVT_FAKE_CDEV, &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NEEDS_VM);
  assert_message_has (error, GVT_FAKE_CDEV, "only be opened while its VM runs", NULL);

  gvt_fake_kernel_fail_device_open (f->fake, 0);
  assert_recovers (f, GVT_FAKE_CDEV);
}

static void
test_cdev_permission (Fixture *f, gconstpointer data)
{
  gvt_fake_kernel_fail_open (f->fake, GVT_FAKE_NODE_CDEV, EACCES);

  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open (GVT_FAKE_CDEV, &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_PERMISSION);
  assert_message_has (error, "cannot open " GVT_FAKE_CDEV ": permission denied",
                      "SUBSYSTEM==\"vfio-dev\"", "group kvm", NULL);
  gvt_fake_kernel_fail_open (f->fake, GVT_FAKE_NODE_CDEV, 0);

  gvt_fake_kernel_fail_open (f->fake, GVT_FAKE_NODE_IOMMU, EACCES);
  g_clear_error (&error);
  vgpu = gvt_vgpu_open (GVT_FAKE_CDEV, &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_PERMISSION);
  assert_message_has (error, "cannot open /dev/iommu: permission denied",
                      "KERNEL==\"iommu\"", NULL);
  gvt_fake_kernel_fail_open (f->fake, GVT_FAKE_NODE_IOMMU, 0);

  assert_recovers (f, GVT_FAKE_CDEV);
}

static void
test_cdev_absent (Fixture *f, gconstpointer data)
{
  /* A kernel without device cdevs (Debian's). */
  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open (GVT_FAKE_CDEV, &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  assert_message_has (error, "no VFIO device " GVT_FAKE_CDEV, "6.6", "/dev/vfio/N",
                      GVT_FAKE_UUID, NULL);
  assert_recovers (f, "/dev/vfio/7");
}

static void
test_cdev_no_iommufd (Fixture *f, gconstpointer data)
{
  gvt_fake_kernel_fail_open (f->fake, GVT_FAKE_NODE_IOMMU, ENOENT);

  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open (GVT_FAKE_CDEV, &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED);
  assert_message_has (error, "no /dev/iommu", "IOMMUFD", "/dev/vfio/N", NULL);

  gvt_fake_kernel_fail_open (f->fake, GVT_FAKE_NODE_IOMMU, 0);
  assert_recovers (f, GVT_FAKE_CDEV);
}

/* ---- an inherited fd ---- */

/* What a launcher does: the group dance by hand. */
static int
open_device_by_hand (int *container, int *group)
{
  *container = open (GVT_FAKE_CONTAINER, O_RDWR | O_CLOEXEC);
  *group = open ("/dev/vfio/7", O_RDWR | O_CLOEXEC);
  g_assert_cmpint (*container, >=, 0);
  g_assert_cmpint (*group, >=, 0);
  g_assert_cmpint (ioctl (*group, VFIO_GROUP_SET_CONTAINER, container), ==, 0);
  g_assert_cmpint (ioctl (*container, VFIO_SET_IOMMU, (unsigned long) VFIO_TYPE1v2_IOMMU), ==, 0);
  int fd = ioctl (*group, VFIO_GROUP_GET_DEVICE_FD, GVT_FAKE_UUID);
  g_assert_cmpint (fd, >=, 0);
  return fd;
}

static void
test_fd_open (Fixture *f, gconstpointer data)
{
  int container, group;
  int fd = open_device_by_hand (&container, &group);
  g_assert_cmpint (fcntl (fd, F_SETFD, 0), ==, 0);

  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open_fd (fd, &error);
  g_assert_no_error (error);
  assert_works (vgpu);
  g_autofree char *name = g_strdup_printf ("fd %d", fd);
  g_assert_cmpstr (gvt_vgpu_get_name (vgpu), ==, name);
  g_assert_true (fcntl (fd, F_GETFD) & FD_CLOEXEC);

  /* The handle owns the fd now. */
  g_clear_pointer (&vgpu, gvt_vgpu_free);
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1);
  g_assert_cmpint (errno, ==, EBADF);
  close (group);
  close (container);
  assert_fds_back (f);
}

static void
test_fd_not_vfio (Fixture *f, gconstpointer data)
{
  int fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);

  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open_fd (fd, &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_autofree char *expected = g_strdup_printf ("--fd %d is not an opened VFIO device", fd);
  assert_message_has (error, expected, "VFIO_DEVICE_GET_INFO", NULL);
  /* Not taken: still the caller's. */
  g_assert_cmpint (fcntl (fd, F_GETFD), >=, 0);
  close (fd);

  /* Not an fd at all. */
  const int bad[] = { -1, fd };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_clear_error (&error);
      vgpu = gvt_vgpu_open_fd (bad[i], &error);
      g_assert_null (vgpu);
      g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
      assert_message_has (error, "is not an open file descriptor", NULL);
    }
  assert_recovers (f, "/dev/vfio/7");
}

static void
test_fd_unbound_cdev (Fixture *f, gconstpointer data)
{
  /* A cdev fd nobody bound yet can't do anything. */
  int fd = open (GVT_FAKE_CDEV, O_RDWR | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);

  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open_fd (fd, &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  assert_message_has (error, "bound to an iommufd", NULL);
  g_assert_cmpint (fcntl (fd, F_GETFD), >=, 0);
  close (fd);
  assert_recovers (f, GVT_FAKE_CDEV);
}

static void
test_fd_lost (Fixture *f, gconstpointer data)
{
  int container, group;
  int fd = open_device_by_hand (&container, &group);
  gvt_fake_kernel_unplug (f->fake);

  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open_fd (fd, &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_LOST);
  assert_message_has (error, "is gone", NULL);
  close (fd);
  close (group);
  close (container);
  assert_fds_back (f);
}

/* ---- mdev UUIDs and sysfs paths (resolved by mdev.c) ---- */

static void
test_mdev_uuid (Fixture *f, gconstpointer data)
{
  const char *specs[] = {
    GVT_FAKE_UUID,
    "/sys/bus/mdev/devices/" GVT_FAKE_UUID,
  };

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open (specs[i], &error);
      g_assert_no_error (error);
      assert_works (vgpu);
      g_assert_cmpstr (gvt_vgpu_get_name (vgpu), ==, "vfio 7");
      g_clear_pointer (&vgpu, gvt_vgpu_free);
      assert_fds_back (f);
    }

  g_autofree char *log = gvt_fake_kernel_get_log (f->fake, "group GET_DEVICE_FD");
  g_assert_cmpstr (log, ==,
                   "group GET_DEVICE_FD " GVT_FAKE_UUID "\n"
                   "group GET_DEVICE_FD " GVT_FAKE_UUID "\n");
}

static void
test_mdev_unknown (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open ("11111111-2222-3333-4444-555555555555", &error);
  g_assert_null (vgpu);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  assert_message_has (error, "11111111-2222-3333-4444-555555555555", GVT_FAKE_UUID, NULL);
  assert_recovers (f, GVT_FAKE_UUID);
}

/* ---- the operations ---- */

static void
test_ops_device_info (Fixture *f, gconstpointer data)
{
  g_autoptr(GvtVgpu) vgpu = open_group (f);
  struct vfio_device_info info;

  g_assert_cmpint (gvt_vgpu_get_device_info (vgpu, &info), ==, 0);
  g_assert_cmpuint (info.argsz, ==, sizeof info);
  g_assert_cmpuint (info.flags, ==, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
  g_assert_cmpuint (info.num_regions, ==, VFIO_PCI_NUM_REGIONS + 1);
  g_assert_cmpuint (info.num_irqs, ==, VFIO_PCI_NUM_IRQS);
}

static void
test_ops_region_info (Fixture *f, gconstpointer data)
{
  g_autoptr(GvtVgpu) vgpu = open_group (f);
  GvtRegionInfo info;

  g_assert_cmpint (gvt_vgpu_get_region_info (vgpu, VFIO_PCI_BAR0_REGION_INDEX, &info), ==, 0);
  g_assert_cmpuint (info.index, ==, 0);
  g_assert_cmpuint (info.size, ==, 16u << 20);
  g_assert_cmpuint (info.offset, ==, 0);
  g_assert_cmpuint (info.flags, ==, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE);
  g_assert_cmpuint (info.type, ==, 0);
  g_assert_cmpuint (info.subtype, ==, 0);

  g_assert_cmpint (gvt_vgpu_get_region_info (vgpu, GVT_FAKE_EDID_REGION, &info), ==, 0);
  g_assert_cmpuint (info.index, ==, GVT_FAKE_EDID_REGION);
  g_assert_cmpuint (info.size, ==, 128);
  g_assert_cmpuint (info.offset, ==, (guint64) GVT_FAKE_EDID_REGION << GVT_FAKE_REGION_SHIFT);
  g_assert_true (info.flags & VFIO_REGION_INFO_FLAG_CAPS);
  g_assert_cmpuint (info.type, ==, VFIO_REGION_TYPE_GFX);
  g_assert_cmpuint (info.subtype, ==, VFIO_REGION_SUBTYPE_GFX_EDID);

  /* BAR2's chain doesn't fit the first buffer: asked twice, no type. */
  gvt_fake_kernel_clear_log (f->fake);
  g_assert_cmpint (gvt_vgpu_get_region_info (vgpu, VFIO_PCI_BAR2_REGION_INDEX, &info), ==, 0);
  g_autofree char *log = gvt_fake_kernel_get_log (f->fake, NULL);
  g_assert_cmpstr (log, ==, "device GET_REGION_INFO 2\ndevice GET_REGION_INFO 2\n");
  g_assert_cmpuint (info.size, ==, GVT_FAKE_BAR2_SIZE);
  g_assert_true (info.flags & VFIO_REGION_INFO_FLAG_MMAP);
  g_assert_cmpuint (info.type, ==, 0);

  g_assert_cmpint (gvt_vgpu_get_region_info (vgpu, 12, &info), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_get_region_info (vgpu, GVT_FAKE_FB_REGION, &info), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_get_region_info (vgpu, G_MAXUINT32, &info), ==, -EINVAL);
}

static void
test_ops_region_caps_hostile (Fixture *f, gconstpointer data)
{
  /* The type cap sits right after struct vfio_region_info. */
  const guint32 nexts[] = {
    sizeof (struct vfio_region_info),  /* itself: a loop */
    8,                                 /* backwards, into the header */
    0xFFFFFFF0,                        /* far outside the buffer */
    509,                               /* a header would straddle the end */
  };

  for (guint i = 0; i < G_N_ELEMENTS (nexts); i++)
    {
      gvt_fake_kernel_corrupt_caps (f->fake, nexts[i]);
      g_autoptr(GvtVgpu) vgpu = open_group (f);
      GvtRegionInfo info;
      g_assert_cmpint (gvt_vgpu_get_region_info (vgpu, GVT_FAKE_EDID_REGION, &info), ==, 0);
      /* The cap itself was read before its bad link. */
      g_assert_cmpuint (info.type, ==, VFIO_REGION_TYPE_GFX);
      g_assert_cmpuint (info.subtype, ==, VFIO_REGION_SUBTYPE_GFX_EDID);
    }
}

static void
test_ops_region_rw (Fixture *f, gconstpointer data)
{
  g_autoptr(GvtVgpu) vgpu = open_group (f);
  guint32 value = 0x12345678, back = 0;

  g_assert_cmpint (gvt_vgpu_region_write (vgpu, VFIO_PCI_BAR0_REGION_INDEX, 0x100, &value, 4),
                   ==, 4);
  g_assert_cmpint (gvt_vgpu_region_read (vgpu, VFIO_PCI_BAR0_REGION_INDEX, 0x100, &back, 4),
                   ==, 4);
  g_assert_cmphex (back, ==, value);

  /* It landed at the region's offset on the device fd, not at 0x100. */
  guint8 bytes[8] = { 0 };
  g_assert_cmpint (gvt_vgpu_region_write (vgpu, VFIO_PCI_CONFIG_REGION_INDEX, 0, "\xaa\xbb", 2),
                   ==, 2);
  g_assert_cmpint (gvt_vgpu_region_read (vgpu, VFIO_PCI_BAR0_REGION_INDEX, 0, bytes, 2), ==, 2);
  g_assert_cmpuint (bytes[0], ==, 0);
  g_assert_cmpint (gvt_vgpu_region_read (vgpu, VFIO_PCI_CONFIG_REGION_INDEX, 0, bytes, 2), ==, 2);
  g_assert_cmpuint (bytes[0], ==, 0xaa);
  g_assert_cmpuint (bytes[1], ==, 0xbb);

  g_assert_cmpint (gvt_vgpu_region_read (vgpu, 12, 0, bytes, 4), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_region_read (vgpu, 0, G_MAXUINT64 - 2, bytes, 4), ==, -EINVAL);
}

/* A valid 128-byte EDID: header, zeros, checksum. */
static void
make_edid (guint8 edid[128], guint8 tag)
{
  static const guint8 header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };
  guint8 sum = 0;

  memset (edid, 0, 128);
  memcpy (edid, header, sizeof header);
  edid[20] = tag;
  for (guint i = 0; i < 127; i++)
    sum += edid[i];
  edid[127] = (guint8) (0x100 - sum);
}

static gssize
edid_reg_write (GvtVgpu *vgpu, gsize field, guint32 value)
{
  return gvt_vgpu_region_write (vgpu, GVT_FAKE_EDID_REGION, field, &value, 4);
}

static void
test_ops_edid (Fixture *f, gconstpointer data)
{
  g_autoptr(GvtVgpu) vgpu = open_group (f);
  const guint32 idx = GVT_FAKE_EDID_REGION;
  guint32 value = 0;

  g_assert_cmpint (gvt_vgpu_region_read (vgpu, idx, offsetof (struct vfio_region_gfx_edid,
                                                              edid_offset), &value, 4), ==, 4);
  g_assert_cmpuint (value, ==, GVT_FAKE_EDID_OFFSET);
  g_assert_cmpint (gvt_vgpu_region_read (vgpu, idx, offsetof (struct vfio_region_gfx_edid,
                                                              max_xres), &value, 4), ==, 4);
  g_assert_cmpuint (value, ==, 1920);

  /* The protocol: link down, blob, size, link up. The blob sits beyond the
   * 128 bytes the region claims: no bounds check may stop it. */
  guint8 edid[128];
  make_edid (edid, 0x42);
  g_assert_cmpint (edid_reg_write (vgpu, offsetof (struct vfio_region_gfx_edid, link_state),
                                   VFIO_DEVICE_GFX_LINK_STATE_DOWN), ==, 4);
  g_assert_cmpint (gvt_vgpu_region_write (vgpu, idx, GVT_FAKE_EDID_OFFSET, edid, sizeof edid),
                   ==, sizeof edid);
  g_assert_cmpint (edid_reg_write (vgpu, offsetof (struct vfio_region_gfx_edid, edid_size), 128),
                   ==, 4);
  g_assert_cmpint (edid_reg_write (vgpu, offsetof (struct vfio_region_gfx_edid, link_state),
                                   VFIO_DEVICE_GFX_LINK_STATE_UP), ==, 4);

  g_autofree char *log = gvt_fake_kernel_get_log (f->fake, "edid");
  g_assert_cmpstr (log, ==,
                   "edid link_state=2\n"
                   "edid blob+0:128\n"
                   "edid edid_size=128\n"
                   "edid link_state=1\n");
  g_autoptr(GBytes) blob = gvt_fake_kernel_get_edid (f->fake);
  g_assert_cmpmem (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob), edid, sizeof edid);
  g_assert_cmpuint (gvt_fake_kernel_get_edid_link_state (f->fake), ==,
                    VFIO_DEVICE_GFX_LINK_STATE_UP);

  /* GVT-g's refusals reach the caller as they are. */
  guint16 half = 1;
  g_assert_cmpint (gvt_vgpu_region_write (vgpu, idx, offsetof (struct vfio_region_gfx_edid,
                                                               link_state), &half, 2), ==, -EINVAL);
  g_assert_cmpint (edid_reg_write (vgpu, offsetof (struct vfio_region_gfx_edid, edid_offset), 0),
                   ==, -EPERM);
  g_assert_cmpint (edid_reg_write (vgpu, offsetof (struct vfio_region_gfx_edid, edid_size), 256),
                   ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_region_write (vgpu, idx, GVT_FAKE_EDID_OFFSET + 100, edid, 64),
                   ==, -EINVAL);
  edid[5] = 0;
  g_assert_cmpint (gvt_vgpu_region_write (vgpu, idx, GVT_FAKE_EDID_OFFSET, edid, sizeof edid),
                   ==, sizeof edid);
  g_assert_cmpint (edid_reg_write (vgpu, offsetof (struct vfio_region_gfx_edid, link_state),
                                   VFIO_DEVICE_GFX_LINK_STATE_UP), ==, -EINVAL);
}

static void
test_ops_region_mmap (Fixture *f, gconstpointer data)
{
  g_autoptr(GvtVgpu) vgpu = open_group (f);
  void *map = NULL;

  g_assert_cmpint (gvt_vgpu_region_mmap (vgpu, VFIO_PCI_BAR2_REGION_INDEX, 4096, 4096,
                                         PROT_READ | PROT_WRITE, &map), ==, 0);
  g_assert_nonnull (map);
  *(volatile guint32 *) map = 0xcafef00d;
  guint32 back = 0;
  g_assert_cmpint (gvt_vgpu_region_read (vgpu, VFIO_PCI_BAR2_REGION_INDEX, 4096, &back, 4), ==, 4);
  g_assert_cmphex (back, ==, 0xcafef00d);
  munmap (map, 4096);

  /* No MMAP flag, no mapping; nor of nothing. */
  map = NULL;
  g_assert_cmpint (gvt_vgpu_region_mmap (vgpu, VFIO_PCI_BAR0_REGION_INDEX, 0, 4096, PROT_READ,
                                         &map), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_region_mmap (vgpu, VFIO_PCI_BAR2_REGION_INDEX, 0, 0, PROT_READ,
                                         &map), ==, -EINVAL);
  g_assert_cmpint (gvt_vgpu_region_mmap (vgpu, VFIO_PCI_BAR2_REGION_INDEX, 100, 4096, PROT_READ,
                                         &map), ==, -EINVAL);
  g_assert_null (map);
}

static void
test_ops_region_plane (Fixture *f, gconstpointer data)
{
  g_autoptr(GvtVgpu) vgpu = open_group (f);
  struct vfio_device_gfx_plane_info info = { .argsz = sizeof info };

  info.flags = VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF;
  g_assert_cmpint (gvt_vgpu_query_plane (vgpu, &info), ==, -EINVAL);
  info.flags = VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_REGION;
  g_assert_cmpint (gvt_vgpu_query_plane (vgpu, &info), ==, 0);

  struct vfio_device_gfx_plane_info plane = gvt_fake_plane (GVT_FORMAT_XRGB8888, 1024, 768, 0);
  plane.region_index = GVT_FAKE_FB_REGION;
  gvt_fake_kernel_set_primary (f->fake, &plane);
  info = (struct vfio_device_gfx_plane_info) {
    .argsz = sizeof info, .flags = VFIO_GFX_PLANE_TYPE_REGION, .drm_plane_type = 1,
  };
  g_assert_cmpint (gvt_vgpu_query_plane (vgpu, &info), ==, 0);
  g_assert_cmpuint (info.region_index, ==, GVT_FAKE_FB_REGION);
  g_assert_cmpuint (info.width, ==, 1024);

  GvtRegionInfo region;
  g_assert_cmpint (gvt_vgpu_get_region_info (vgpu, GVT_FAKE_FB_REGION, &region), ==, 0);
  g_assert_cmpuint (region.size, ==, GVT_FAKE_FB_SIZE);
  g_assert_true (region.flags & VFIO_REGION_INFO_FLAG_MMAP);
  void *map = NULL;
  g_assert_cmpint (gvt_vgpu_region_mmap (vgpu, GVT_FAKE_FB_REGION, 0, GVT_FAKE_FB_SIZE, PROT_READ,
                                         &map), ==, 0);
  g_assert_cmpuint (((const guint8 *) map)[GVT_FAKE_FB_SIZE - 1], ==, 0);
  munmap (map, GVT_FAKE_FB_SIZE);

  /* mdpy has no dma-bufs. */
  g_assert_cmpint (gvt_vgpu_get_dmabuf (vgpu, 0), ==, -ENOTTY);
}

static struct vfio_device_gfx_plane_info
query (GvtVgpu *vgpu, guint32 plane_type, int *ret)
{
  struct vfio_device_gfx_plane_info info = {
    .argsz = sizeof info, .flags = VFIO_GFX_PLANE_TYPE_DMABUF, .drm_plane_type = plane_type,
  };
  *ret = gvt_vgpu_query_plane (vgpu, &info);
  return info;
}

static void
test_ops_query_plane (Fixture *f, gconstpointer data)
{
  g_autoptr(GvtVgpu) vgpu = open_group (f);
  struct vfio_device_gfx_plane_info info = { .argsz = sizeof info };
  int ret;

  info.flags = VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF;
  g_assert_cmpint (gvt_vgpu_query_plane (vgpu, &info), ==, 0);
  info.flags = VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_REGION;
  g_assert_cmpint (gvt_vgpu_query_plane (vgpu, &info), ==, -EINVAL);

  /* No plane: zeroed answer. */
  info = query (vgpu, 1, &ret);
  g_assert_cmpint (ret, ==, 0);
  g_assert_cmpuint (info.drm_format, ==, 0);
  g_assert_cmpuint (info.size, ==, 0);

  struct vfio_device_gfx_plane_info primary = gvt_fake_plane (GVT_FORMAT_XRGB8888, 800, 600, 3);
  primary.drm_format_mod = GVT_MOD_I915_X_TILED;
  gvt_fake_kernel_set_primary (f->fake, &primary);
  struct vfio_device_gfx_plane_info cursor = gvt_fake_cursor (64, 10, 20, 1, 2, 4);
  gvt_fake_kernel_set_cursor (f->fake, &cursor);

  info = query (vgpu, 1, &ret);
  g_assert_cmpint (ret, ==, 0);
  g_assert_cmpuint (info.drm_plane_type, ==, 1);
  g_assert_cmphex (info.drm_format, ==, GVT_FORMAT_XRGB8888);
  g_assert_cmphex (info.drm_format_mod, ==, GVT_MOD_I915_X_TILED);
  g_assert_cmpuint (info.width, ==, 800);
  g_assert_cmpuint (info.height, ==, 600);
  g_assert_cmpuint (info.stride, ==, 3200);
  g_assert_cmpuint (info.size, ==, 3200 * 600);
  g_assert_cmpuint (info.dmabuf_id, ==, 3);

  info = query (vgpu, 2, &ret);
  g_assert_cmpint (ret, ==, 0);
  g_assert_cmpuint (info.drm_plane_type, ==, 2);
  g_assert_cmphex (info.drm_format, ==, GVT_FORMAT_ARGB8888);
  g_assert_cmpuint (info.x_pos, ==, 10);
  g_assert_cmpuint (info.y_pos, ==, 20);
  g_assert_cmpuint (info.x_hot, ==, 1);
  g_assert_cmpuint (info.y_hot, ==, 2);
  g_assert_cmpuint (info.dmabuf_id, ==, 4);

  /* The op passes flags through: a wrong one is the kernel's EINVAL. */
  info = (struct vfio_device_gfx_plane_info) {
    .argsz = sizeof info, .flags = VFIO_GFX_PLANE_TYPE_DMABUF | VFIO_GFX_PLANE_TYPE_REGION,
    .drm_plane_type = 1,
  };
  g_assert_cmpint (gvt_vgpu_query_plane (vgpu, &info), ==, -EINVAL);
  info = query (vgpu, 3, &ret);
  g_assert_cmpint (ret, ==, -EINVAL);

  /* One-shot errors, then the answer again. */
  gvt_fake_kernel_fail_next_query (f->fake, ENOMEM);
  info = query (vgpu, 1, &ret);
  g_assert_cmpint (ret, ==, -ENOMEM);
  info = query (vgpu, 1, &ret);
  g_assert_cmpint (ret, ==, 0);
  g_assert_cmpuint (info.dmabuf_id, ==, 3);
  g_assert_cmpuint (gvt_fake_kernel_get_queries (f->fake), ==, 5);
}

static void
test_ops_query_echo (Fixture *f, gconstpointer data)
{
  g_autoptr(GvtVgpu) vgpu = open_group (f);

  /* GVT-g with no plane gives the caller's own struct back. */
  struct vfio_device_gfx_plane_info info = gvt_fake_plane (GVT_FORMAT_XBGR8888, 640, 480, 9);
  struct vfio_device_gfx_plane_info sent = info;
  g_assert_cmpint (gvt_vgpu_query_plane (vgpu, &info), ==, 0);
  g_assert_cmpmem (&info, sizeof info, &sent, sizeof sent);

  /* And GET of an id it never reported fails. */
  g_assert_cmpint (gvt_vgpu_get_dmabuf (vgpu, 9), ==, -ENOENT);
  g_assert_cmpuint (gvt_fake_kernel_get_dmabuf_gets (f->fake, GVT_FAKE_ANY_ID), ==, 0);
}

static void
test_ops_no_display (Fixture *f, gconstpointer data)
{
  g_autoptr(GvtVgpu) vgpu = open_group (f);
  struct vfio_device_gfx_plane_info info = {
    .argsz = sizeof info, .flags = VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF,
  };

  g_assert_cmpint (gvt_vgpu_query_plane (vgpu, &info), ==, -ENOTTY);
  info.flags = VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_REGION;
  g_assert_cmpint (gvt_vgpu_query_plane (vgpu, &info), ==, -ENOTTY);
  g_assert_cmpint (gvt_vgpu_get_dmabuf (vgpu, 1), ==, -ENOTTY);
  /* Everything else works. */
  assert_works (vgpu);
}

static void
test_ops_get_dmabuf (Fixture *f, gconstpointer data)
{
  g_autoptr(GvtVgpu) vgpu = open_group (f);
  int ret;

  /* 100x50 XRGB: 20000 bytes, a GEM object of 5 pages. */
  struct vfio_device_gfx_plane_info primary = gvt_fake_plane (GVT_FORMAT_XRGB8888, 100, 50, 5);
  gvt_fake_kernel_set_primary (f->fake, &primary);
  gvt_fake_kernel_set_fill (f->fake, 0xff336699);
  query (vgpu, 1, &ret);
  g_assert_cmpint (ret, ==, 0);

  int fd = gvt_vgpu_get_dmabuf (vgpu, 5);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (fcntl (fd, F_GETFD) & FD_CLOEXEC);
  struct stat st;
  g_assert_cmpint (fstat (fd, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 5 * 4096);
  const guint32 *pixels = mmap (NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (pixels != MAP_FAILED);
  g_assert_cmphex (pixels[0], ==, 0xff336699);
  g_assert_cmphex (pixels[100 * 50 - 1], ==, 0xff336699);
  munmap ((void *) pixels, st.st_size);

  g_assert_cmpuint (gvt_fake_kernel_get_dmabuf_gets (f->fake, 5), ==, 1);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 1);

  /* Every GET is a new fd (GVT-g: a new GEM object). */
  int again = gvt_vgpu_get_dmabuf (vgpu, 5);
  g_assert_cmpint (again, >=, 0);
  g_assert_cmpint (again, !=, fd);
  g_assert_cmpuint (gvt_fake_kernel_get_dmabuf_gets (f->fake, 5), ==, 2);
  g_assert_cmpint (gvt_fake_count_dmabuf_fds (), ==, 2);
  close (again);

  g_assert_cmpint (gvt_vgpu_get_dmabuf (vgpu, 6), ==, -ENOENT);

  /* The dma-buf outlives the handle. */
  g_clear_pointer (&vgpu, gvt_vgpu_free);
  g_assert_cmpint (fcntl (fd, F_GETFD), >=, 0);
  close (fd);
  assert_fds_back (f);
}

static void
test_ops_lost (Fixture *f, gconstpointer data)
{
  g_autoptr(GvtVgpu) vgpu = open_group (f);
  struct vfio_device_info dinfo;
  GvtRegionInfo rinfo;
  guint32 value;
  int ret;

  struct vfio_device_gfx_plane_info primary = gvt_fake_plane (GVT_FORMAT_XRGB8888, 64, 64, 1);
  gvt_fake_kernel_set_primary (f->fake, &primary);
  query (vgpu, 1, &ret);
  g_assert_cmpint (ret, ==, 0);
  g_assert_cmpint (gvt_vgpu_get_region_info (vgpu, VFIO_PCI_BAR0_REGION_INDEX, &rinfo), ==, 0);

  gvt_fake_kernel_unplug (f->fake);
  query (vgpu, 1, &ret);
  g_assert_cmpint (ret, ==, -ENODEV);
  g_assert_cmpint (gvt_vgpu_get_dmabuf (vgpu, 1), ==, -ENODEV);
  g_assert_cmpint (gvt_vgpu_get_device_info (vgpu, &dinfo), ==, -ENODEV);
  g_assert_cmpint (gvt_vgpu_get_region_info (vgpu, VFIO_PCI_BAR2_REGION_INDEX, &rinfo), ==, -ENODEV);
  g_assert_cmpint (gvt_vgpu_region_read (vgpu, VFIO_PCI_BAR0_REGION_INDEX, 0, &value, 4), ==, -ENODEV);
  g_assert_cmpint (gvt_vgpu_region_write (vgpu, VFIO_PCI_BAR0_REGION_INDEX, 0, &value, 4), ==, -ENODEV);

  /* Closing a lost device is fine. */
  g_clear_pointer (&vgpu, gvt_vgpu_free);
  assert_fds_back (f);
}

static void
test_free_releases_everything (Fixture *f, gconstpointer data)
{
  const char *devices[] = { "/dev/vfio/7", GVT_FAKE_CDEV };

  for (guint d = 0; d < G_N_ELEMENTS (devices); d++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open (devices[d], &error);
      g_assert_no_error (error);
      int ret;

      for (guint32 id = 1; id <= 3; id++)
        {
          struct vfio_device_gfx_plane_info plane = gvt_fake_plane (GVT_FORMAT_XRGB8888, 32, 32, id);
          gvt_fake_kernel_set_primary (f->fake, &plane);
          query (vgpu, 1, &ret);
          g_assert_cmpint (ret, ==, 0);
          int fd = gvt_vgpu_get_dmabuf (vgpu, id);
          g_assert_cmpint (fd, >=, 0);
          close (fd);
        }
      GvtRegionInfo info;
      for (guint32 index = 0; index < 10; index++)
        gvt_vgpu_get_region_info (vgpu, index, &info);
      void *map;
      g_assert_cmpint (gvt_vgpu_region_mmap (vgpu, VFIO_PCI_BAR2_REGION_INDEX, 0, 4096, PROT_READ,
                                             &map), ==, 0);
      munmap (map, 4096);

      g_clear_pointer (&vgpu, gvt_vgpu_free);
      assert_fds_back (f);
    }
}

int
main (int argc, char **argv)
{
  gvt_test_ensure_umockdev (argc, argv);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, config, func) \
  g_test_add ("/vgpu-kernel/" path, Fixture, config, fixture_set_up, func, fixture_tear_down)

  ADD ("group/open", &gvt_config, test_group_open);
  ADD ("group/device-name", &gvt_config, test_group_device_name);
  ADD ("group/several-devices", &gvt_config, test_group_several_devices);
  ADD ("group/not-viable", &gvt_config, test_group_not_viable);
  ADD ("group/busy", &gvt_config, test_group_busy);
  ADD ("group/permission", &gvt_config, test_group_permission);
  ADD ("group/needs-vm", &gvt_config, test_group_needs_vm);
  ADD ("group/second-vgpu", &gvt_config, test_group_second_vgpu);
  ADD ("group/no-such-group", &gvt_config, test_group_no_such_group);
  ADD ("group/no-vfio", &gvt_config, test_group_no_vfio);
  ADD ("group/bad-path", &gvt_config, test_group_bad_path);
  ADD ("cdev/open", &gvt_config, test_cdev_open);
  ADD ("cdev/busy", &gvt_config, test_cdev_busy);
  ADD ("cdev/needs-vm", &gvt_config, test_cdev_needs_vm);
  ADD ("cdev/permission", &gvt_config, test_cdev_permission);
  ADD ("cdev/absent", &no_cdev_config, test_cdev_absent);
  ADD ("cdev/no-iommufd", &gvt_config, test_cdev_no_iommufd);
  ADD ("fd/open", &gvt_config, test_fd_open);
  ADD ("fd/not-vfio", &gvt_config, test_fd_not_vfio);
  ADD ("fd/unbound-cdev", &gvt_config, test_fd_unbound_cdev);
  ADD ("fd/lost", &gvt_config, test_fd_lost);
  ADD ("mdev/uuid", &gvt_config, test_mdev_uuid);
  ADD ("mdev/unknown", &gvt_config, test_mdev_unknown);
  ADD ("ops/device-info", &gvt_config, test_ops_device_info);
  ADD ("ops/region-info", &gvt_config, test_ops_region_info);
  ADD ("ops/region-caps-hostile", &gvt_config, test_ops_region_caps_hostile);
  ADD ("ops/region-rw", &gvt_config, test_ops_region_rw);
  ADD ("ops/edid", &gvt_config, test_ops_edid);
  ADD ("ops/region-mmap", &gvt_config, test_ops_region_mmap);
  ADD ("ops/region-plane", &region_config, test_ops_region_plane);
  ADD ("ops/query-plane", &gvt_config, test_ops_query_plane);
  ADD ("ops/query-echo", &echo_config, test_ops_query_echo);
  ADD ("ops/no-display", &no_display_config, test_ops_no_display);
  ADD ("ops/get-dmabuf", &gvt_config, test_ops_get_dmabuf);
  ADD ("ops/lost", &gvt_config, test_ops_lost);
  ADD ("free/releases-everything", &gvt_config, test_free_releases_everything);

  return g_test_run ();
}
