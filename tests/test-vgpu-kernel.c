/* Tests for the kernel backend of GvtVgpu (vgpu-kernel.c) on the fake VFIO
 * kernel: the four ways to a device fd, every error a user can hit (one
 * table: code, message, nothing leaked, a later open still works) and each
 * operation's raw behaviour. */
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
  g_assert_cmpstr (error->message, ==,
                   "cannot open /dev/vfio/7: the group has no VFIO device "
                   "00000000-0000-0000-0000-000000000000 — it is not bound to a VFIO driver, "
                   "or is being removed (see /sys/kernel/iommu_groups/7/devices)");
  assert_recovers (f, "/dev/vfio/7");
}

static void
test_group_not_viable_undone (Fixture *f, gconstpointer data)
{
  gvt_fake_kernel_add_group_member (f->fake, "0000:00:1f.3", "snd_hda_intel");
  gvt_fake_kernel_set_viable (f->fake, FALSE);

  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = gvt_vgpu_open ("/dev/vfio/7", &error);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NOT_VIABLE);

  /* Nothing half-done stays behind: no group left in a container. */
  g_autofree char *log = gvt_fake_kernel_get_log (f->fake, "group");
  g_assert_cmpstr (log, ==, "group GET_STATUS\n");
  assert_fds_back (f);
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

/* ---- every way an open fails ---- */

/* Other mdevs the cases add: one bound to nothing, one in a group with no
 * node, one its group's node doesn't know. */
#define UNBOUND_UUID "0b7f9c1e-0000-4000-8000-0000000000a1"
#define NO_NODE_UUID "0b7f9c1e-0000-4000-8000-0000000000a2"
#define STRAY_UUID   "0b7f9c1e-0000-4000-8000-0000000000a3"
#define UPPER_UUID   "4B1D9D2E-5C1A-4F4E-8E2B-6A7C0D3E9F10" /* GVT_FAKE_UUID pasted in caps */
#define SYSFS_PATH   "/sys/bus/mdev/devices/" GVT_FAKE_UUID

static const GvtFakeConfig mbochs_config = { .type = "mbochs-medium", .parent = "mbochs" };

/* Where a --fd case's fd comes from. */
typedef enum {
  FD_NONE,          /* the case names a DEVICE */
  FD_DEV_NULL,      /* an open fd that is no VFIO device */
  FD_CLOSED,        /* a number nothing has open */
  FD_NEGATIVE,      /* -1, straight to gvt_vgpu_open_fd */
  FD_UNBOUND_CDEV,  /* a cdev nobody bound to an iommufd */
  FD_DEVICE,        /* a device fd from the group, opened by hand */
} FdSource;

typedef struct {
  const char *name;
  const GvtFakeConfig *config; /* NULL: the GVT-g default */
  const char *device;          /* as the user gives it; NULL: --fd from @fd */
  FdSource fd;
  /* Puts the fault in place (TRUE) and takes it away (FALSE); NULL: none. */
  void (*inject) (GvtFakeKernel *fake, gboolean on);
  GvtErrorCode code;
  const char *hints[8];        /* each must be in the message */
  const char *recover;         /* what opens afterwards; NULL: @device (fd: a fresh --fd) */
} OpenErrorCase;

#define INJECT_OPEN(fn, node, err) \
  static void fn (GvtFakeKernel *k, gboolean on) { gvt_fake_kernel_fail_open (k, node, on ? err : 0); }
#define INJECT_DEVICE_OPEN(fn, err) \
  static void fn (GvtFakeKernel *k, gboolean on) { gvt_fake_kernel_fail_device_open (k, on ? err : 0); }
#define INJECT_IOCTL(fn, call, err) \
  static void fn (GvtFakeKernel *k, gboolean on) { gvt_fake_kernel_fail_ioctl (k, call, on ? err : 0); }

INJECT_OPEN (container_enoent, GVT_FAKE_NODE_CONTAINER, ENOENT)
INJECT_OPEN (container_eacces, GVT_FAKE_NODE_CONTAINER, EACCES)
INJECT_OPEN (container_eio, GVT_FAKE_NODE_CONTAINER, EIO)
INJECT_OPEN (group_enoent, GVT_FAKE_NODE_GROUP, ENOENT)
INJECT_OPEN (group_eacces, GVT_FAKE_NODE_GROUP, EACCES)
INJECT_OPEN (group_eperm, GVT_FAKE_NODE_GROUP, EPERM)
INJECT_OPEN (group_eio, GVT_FAKE_NODE_GROUP, EIO)
INJECT_OPEN (cdev_eacces, GVT_FAKE_NODE_CDEV, EACCES)
INJECT_OPEN (cdev_eio, GVT_FAKE_NODE_CDEV, EIO)
INJECT_OPEN (iommu_enoent, GVT_FAKE_NODE_IOMMU, ENOENT)
INJECT_OPEN (iommu_eacces, GVT_FAKE_NODE_IOMMU, EACCES)
INJECT_DEVICE_OPEN (device_esrch, ESRCH)
INJECT_DEVICE_OPEN (device_eexist, EEXIST)
INJECT_DEVICE_OPEN (device_ebusy, EBUSY)
INJECT_DEVICE_OPEN (device_enodev, ENODEV)
INJECT_DEVICE_OPEN (device_eio, EIO)
INJECT_DEVICE_OPEN (device_enomem, ENOMEM)
INJECT_IOCTL (api_version_fails, "container GET_API_VERSION", ENOTTY)
INJECT_IOCTL (status_fails, "group GET_STATUS", ENOTTY)
INJECT_IOCTL (set_container_fails, "group SET_CONTAINER", EBUSY)
INJECT_IOCTL (set_iommu_fails, "container SET_IOMMU", ENODEV)
INJECT_IOCTL (no_bind_ioctl, "device BIND_IOMMUFD", ENOTTY)
INJECT_IOCTL (get_info_enodev, "device GET_INFO", ENODEV)

static void held (GvtFakeKernel *k, gboolean on) { gvt_fake_kernel_set_held_elsewhere (k, on); }
static void api_version_2 (GvtFakeKernel *k, gboolean on)
{ gvt_fake_kernel_set_api_version (k, on ? VFIO_API_VERSION + 2 : VFIO_API_VERSION); }
static void no_type1v2 (GvtFakeKernel *k, gboolean on) { gvt_fake_kernel_set_type1v2 (k, !on); }
static void no_members (GvtFakeKernel *k, gboolean on) { gvt_fake_kernel_hide_group_members (k, on); }
/* A second device can't be taken out again: those cases recover by UUID. */
static void second_member (GvtFakeKernel *k, gboolean on)
{ if (on) gvt_fake_kernel_add_group_member (k, "0000:00:1f.3", "vfio-pci"); }
static void not_viable (GvtFakeKernel *k, gboolean on)
{
  if (on)
    gvt_fake_kernel_add_group_member (k, "0000:00:1f.3", "snd_hda_intel");
  gvt_fake_kernel_set_viable (k, !on);
}
static void add_unbound (GvtFakeKernel *k, gboolean on) { if (on) gvt_fake_kernel_add_mdev (k, UNBOUND_UUID, -1); }
static void add_no_node (GvtFakeKernel *k, gboolean on) { if (on) gvt_fake_kernel_add_mdev (k, NO_NODE_UUID, 9); }
static void add_stray (GvtFakeKernel *k, gboolean on) { if (on) gvt_fake_kernel_add_mdev (k, STRAY_UUID, 7); }

#define G "/dev/vfio/7"
#define C GVT_FAKE_CDEV
#define U GVT_FAKE_UUID
#define UDEV_GROUP "SUBSYSTEM==\"vfio\", GROUP=\"kvm\", MODE=\"0660\""
/* What a busy or VM-bound GVT-g vGPU can do today: be shown from QEMU's fd. */
#define GVT_FD_WAY "the device fd that QEMU opened", "`gvt-view attach PID`", "gvt-view run --", \
  "--fd N"

static const OpenErrorCase open_error_cases[] = {
  /* the group path */
  { "group/no-such-group", NULL, "/dev/vfio/42", FD_NONE, NULL, GVT_ERROR_NO_DEVICE,
    { "no such VFIO group", "vGPUs on this host", G "  (" U } , G },
  { "group/node-gone", NULL, G, FD_NONE, group_enoent, GVT_ERROR_NO_DEVICE,
    { "no such VFIO group" } },
  { "group/bad-path", NULL, "/dev/vfio/7x", FD_NONE, NULL, GVT_ERROR_INVALID_ARGS,
    { "not a VFIO group", "/dev/vfio/N", "IOMMU group number" }, G },
  { "group/container-path", NULL, "/dev/vfio/vfio", FD_NONE, NULL, GVT_ERROR_INVALID_ARGS,
    { "not a VFIO group", "/dev/vfio/N" }, G },
  { "group/no-vfio", NULL, G, FD_NONE, container_enoent, GVT_ERROR_NO_DEVICE,
    { "/dev/vfio/vfio is missing", "VFIO is not loaded", "modprobe vfio vfio_iommu_type1",
      "kvmgt" } },
  { "group/container-permission", NULL, G, FD_NONE, container_eacces, GVT_ERROR_PERMISSION,
    { "permission denied on /dev/vfio/vfio", "KERNEL==\"vfio\", GROUP=\"kvm\"", "group kvm",
      "root" } },
  { "group/container-other", NULL, G, FD_NONE, container_eio, GVT_ERROR_FAILED,
    { "Input/output error on /dev/vfio/vfio" } },
  { "group/api-version", NULL, G, FD_NONE, api_version_2, GVT_ERROR_UNSUPPORTED,
    { "/dev/vfio/vfio speaks VFIO API version 2", "gvt-view only 0" } },
  { "group/api-version-fails", NULL, G, FD_NONE, api_version_fails, GVT_ERROR_UNSUPPORTED,
    { "/dev/vfio/vfio does not answer VFIO_GET_API_VERSION" } },
  { "group/no-type1v2", NULL, G, FD_NONE, no_type1v2, GVT_ERROR_UNSUPPORTED,
    { "no Type1v2 IOMMU", "modprobe vfio_iommu_type1" } },
  { "group/permission", NULL, G, FD_NONE, group_eacces, GVT_ERROR_PERMISSION,
    { G ": permission denied — ", UDEV_GROUP, "60-gvt-view.rules", "group kvm", "root" } },
  { "group/permission-eperm", NULL, G, FD_NONE, group_eperm, GVT_ERROR_PERMISSION,
    { G ": permission denied — ", UDEV_GROUP } },
  { "group/open-other", NULL, G, FD_NONE, group_eio, GVT_ERROR_FAILED,
    { G ": Input/output error" } },
  { "group/busy", NULL, G, FD_NONE, held, GVT_ERROR_BUSY,
    { G ": busy — ", "most likely its VM's QEMU", "`fuser -v " G "`",
      "one opener at a time", GVT_FD_WAY } },
  { "group/busy-mbochs", &mbochs_config, G, FD_NONE, held, GVT_ERROR_BUSY,
    { G ": busy — ", "QEMU", "`fuser -v " G "`", "`gvt-view probe " G "` works once",
      "`gvt-view attach PID`", "launcher", "--fd N" } },
  { "group/status-fails", NULL, G, FD_NONE, status_fails, GVT_ERROR_FAILED,
    { "VFIO_GROUP_GET_STATUS on the group failed", "Inappropriate ioctl" } },
  { "group/not-viable", NULL, G, FD_NONE, not_viable, GVT_ERROR_NOT_VIABLE,
    { "IOMMU group 7 is not viable", "/sys/kernel/iommu_groups/7/devices",
      "bound to a VFIO driver", "0000:00:1f.3 (driver snd_hda_intel)",
      U " (driver vfio_mdev)" }, U },
  { "group/set-container", NULL, G, FD_NONE, set_container_fails, GVT_ERROR_FAILED,
    { "refused to attach the group to a VFIO container", "dmesg" } },
  { "group/set-iommu", NULL, G, FD_NONE, set_iommu_fails, GVT_ERROR_FAILED,
    { "refused the Type1v2 IOMMU for the group", "No such device", "dmesg" } },
  { "group/no-devices", NULL, G, FD_NONE, no_members, GVT_ERROR_NO_DEVICE,
    { "IOMMU group 7 lists no devices", "/sys/kernel/iommu_groups/7/devices",
      "gvt-view list" } },
  { "group/several-devices", NULL, G, FD_NONE, second_member, GVT_ERROR_INVALID_ARGS,
    { "IOMMU group 7 holds several devices", "0000:00:1f.3", U,
      "name the vGPU by its mdev UUID" }, U },
  { "group/needs-vm", NULL, G, FD_NONE, device_esrch, GVT_ERROR_NEEDS_VM,
    { G ": needs its VM — ", "KVM is required to use Intel vGPU", "can't open it on its own",
      GVT_FD_WAY } },
  { "group/second-vgpu", NULL, G, FD_NONE, device_eexist, GVT_ERROR_BUSY,
    { "already in use", "another GVT-g vGPU", "only one" } },
  { "group/device-busy", NULL, G, FD_NONE, device_ebusy, GVT_ERROR_BUSY,
    { G ": busy — ", "`fuser -v /dev/vfio/devices/*`", "one user at a time" } },
  { "group/device-unregistered", NULL, G, FD_NONE, device_enodev, GVT_ERROR_NO_DEVICE,
    { "the group has no VFIO device " U, "not bound to a VFIO driver" } },
  { "group/device-going", NULL, G, FD_NONE, device_eio, GVT_ERROR_LOST,
    { "going away", "Input/output error" } },
  { "group/device-other", NULL, G, FD_NONE, device_enomem, GVT_ERROR_FAILED,
    { "VFIO_GROUP_GET_DEVICE_FD failed", "Cannot allocate memory", "dmesg" } },

  /* an mdev, by UUID or sysfs path: the group it resolves to fails */
  { "mdev/unknown", NULL, "11111111-2222-3333-4444-555555555555", FD_NONE, NULL,
    GVT_ERROR_NO_DEVICE, { "no such mdev", "gvt-view list", "create one with echo $(uuidgen)",
    G "  (" U }, U },
  { "mdev/unknown-path", NULL, "/sys/bus/mdev/devices/11111111-2222-3333-4444-555555555555",
    FD_NONE, NULL, GVT_ERROR_NO_DEVICE, { "No such file or directory", "mdev UUID" }, U },
  { "mdev/not-an-mdev", NULL, "/sys/devices/pci0000:00/0000:00:02.0", FD_NONE, NULL,
    GVT_ERROR_INVALID_ARGS, { "not a mediated device", "/sys/bus/mdev/devices/UUID" }, U },
  { "mdev/no-group", NULL, UNBOUND_UUID, FD_NONE, add_unbound, GVT_ERROR_NO_DEVICE,
    { "the mdev has no IOMMU group", "driver: none", "modprobe kvmgt",
      "echo " UNBOUND_UUID " > /sys/bus/mdev/drivers/DRIVER/bind" }, U },
  { "mdev/no-group-node", NULL, NO_NODE_UUID, FD_NONE, add_no_node, GVT_ERROR_NO_DEVICE,
    { "its VFIO group /dev/vfio/9 does not exist", "/dev lacks the node" }, U },
  { "mdev/not-registered", NULL, STRAY_UUID, FD_NONE, add_stray, GVT_ERROR_NO_DEVICE,
    { "its group " G " has no VFIO device " STRAY_UUID, "not bound to a VFIO driver" }, U },
  { "mdev/no-vfio", NULL, U, FD_NONE, container_enoent, GVT_ERROR_NO_DEVICE,
    { "/dev/vfio/vfio is missing", "modprobe vfio vfio_iommu_type1" } },
  { "mdev/no-vfio-upper-case", NULL, UPPER_UUID, FD_NONE, container_enoent, GVT_ERROR_NO_DEVICE,
    { "/dev/vfio/vfio is missing" } },
  { "mdev/group-gone", NULL, U, FD_NONE, group_enoent, GVT_ERROR_NO_DEVICE,
    { "its VFIO group " G " does not exist" } },
  { "mdev/permission", NULL, U, FD_NONE, group_eacces, GVT_ERROR_PERMISSION,
    { "permission denied on " G " — ", UDEV_GROUP } },
  { "mdev/busy", NULL, U, FD_NONE, held, GVT_ERROR_BUSY,
    { "busy — ", "`fuser -v " G "`", GVT_FD_WAY } },
  { "mdev/busy-mbochs", &mbochs_config, U, FD_NONE, held, GVT_ERROR_BUSY,
    { "busy — ", "`fuser -v " G "`", "`gvt-view probe " U "` works once" } },
  { "mdev/busy-sysfs-path", NULL, SYSFS_PATH, FD_NONE, held, GVT_ERROR_BUSY,
    { "busy — ", "`fuser -v " G "`" } },
  { "mdev/status-fails", NULL, U, FD_NONE, status_fails, GVT_ERROR_FAILED,
    { "VFIO_GROUP_GET_STATUS on its group " G " failed" } },
  { "mdev/not-viable", NULL, U, FD_NONE, not_viable, GVT_ERROR_NOT_VIABLE,
    { "IOMMU group 7 is not viable" } },
  { "mdev/set-iommu", NULL, U, FD_NONE, set_iommu_fails, GVT_ERROR_FAILED,
    { "refused the Type1v2 IOMMU for its group " G } },
  { "mdev/needs-vm", NULL, U, FD_NONE, device_esrch, GVT_ERROR_NEEDS_VM,
    { "needs its VM — ", GVT_FD_WAY } },
  { "mdev/needs-vm-upper-case", NULL, UPPER_UUID, FD_NONE, device_esrch, GVT_ERROR_NEEDS_VM,
    { "needs its VM — " } },

  /* the cdev path */
  { "cdev/absent", &no_cdev_config, C, FD_NONE, NULL, GVT_ERROR_NO_DEVICE,
    { "no such VFIO device", "Linux >= 6.6", "the group /dev/vfio/N works everywhere",
      G "  (" U }, G },
  { "cdev/permission", NULL, C, FD_NONE, cdev_eacces, GVT_ERROR_PERMISSION,
    { C ": permission denied — ", "SUBSYSTEM==\"vfio-dev\"", "group kvm" } },
  { "cdev/open-other", NULL, C, FD_NONE, cdev_eio, GVT_ERROR_FAILED,
    { C ": Input/output error" } },
  { "cdev/no-iommufd", NULL, C, FD_NONE, iommu_enoent, GVT_ERROR_UNSUPPORTED,
    { "there is no /dev/iommu", "IOMMUFD", "through its group /dev/vfio/N" } },
  { "cdev/iommufd-permission", NULL, C, FD_NONE, iommu_eacces, GVT_ERROR_PERMISSION,
    { "permission denied on /dev/iommu", "KERNEL==\"iommu\"" } },
  { "cdev/busy", NULL, C, FD_NONE, held, GVT_ERROR_BUSY,
    { C ": busy — ", "`fuser -v /dev/vfio/* /dev/vfio/devices/*`",
      "binds only while no one else has the device open", GVT_FD_WAY } },
  { "cdev/busy-mbochs", &mbochs_config, C, FD_NONE, held, GVT_ERROR_BUSY,
    { C ": busy — ", "`gvt-view probe " C "` works once" } },
  { "cdev/no-bind", NULL, C, FD_NONE, no_bind_ioctl, GVT_ERROR_UNSUPPORTED,
    { "lacks VFIO_DEVICE_BIND_IOMMUFD", "through its group /dev/vfio/N" } },
  { "cdev/needs-vm", NULL, C, FD_NONE, device_esrch, GVT_ERROR_NEEDS_VM,
    { C ": needs its VM — ", GVT_FD_WAY } },
  { "cdev/second-vgpu", NULL, C, FD_NONE, device_eexist, GVT_ERROR_BUSY,
    { "another GVT-g vGPU", "only one" } },
  { "cdev/device-busy", NULL, C, FD_NONE, device_ebusy, GVT_ERROR_BUSY,
    { C ": busy — ", "one user at a time" } },
  { "cdev/device-going", NULL, C, FD_NONE, device_enodev, GVT_ERROR_LOST,
    { "going away", "No such device" } },
  { "cdev/device-other", NULL, C, FD_NONE, device_enomem, GVT_ERROR_FAILED,
    { "VFIO_DEVICE_BIND_IOMMUFD failed", "Cannot allocate memory" } },

  /* an inherited fd */
  { "fd/not-vfio", NULL, NULL, FD_DEV_NULL, NULL, GVT_ERROR_INVALID_ARGS,
    { "not an opened VFIO device", "VFIO_DEVICE_GET_INFO", "VFIO_GROUP_GET_DEVICE_FD" } },
  { "fd/closed", NULL, NULL, FD_CLOSED, NULL, GVT_ERROR_INVALID_ARGS,
    { "not an open file descriptor", "FD_CLOEXEC" } },
  { "fd/negative", NULL, NULL, FD_NEGATIVE, NULL, GVT_ERROR_INVALID_ARGS,
    { "not an open file descriptor" } },
  { "fd/unbound-cdev", NULL, NULL, FD_UNBOUND_CDEV, NULL, GVT_ERROR_INVALID_ARGS,
    { "not an opened VFIO device", "bound to an iommufd" } },
  { "fd/lost", NULL, NULL, FD_DEVICE, get_info_enodev, GVT_ERROR_LOST,
    { "the VFIO device behind it is gone", "No such device" } },
};

#undef G
#undef C
#undef U

static void
fixture_set_up_case (Fixture *f, gconstpointer data)
{
  const OpenErrorCase *c = data;
  fixture_set_up (f, c->config);
}

/* A free fd number: well above what this process has open, so that no
 * thread takes it while the case runs. */
static int
unused_fd (void)
{
  int fd = 900;
  while (fcntl (fd, F_GETFD) >= 0)
    fd++;
  g_assert_cmpint (errno, ==, EBADF);
  return fd;
}

static GvtVgpu *
open_as_user (const char *device, int fd, GError **error)
{
  if (device != NULL)
    return gvt_vgpu_open (device, error);
  if (fd < 0)
    return gvt_vgpu_open_fd (fd, error);

  /* Exactly what a command does with --fd N. */
  GvtDeviceSpec spec;
  g_assert_true (gvt_device_spec_parse (NULL, fd, &spec, NULL));
  GvtVgpu *vgpu = gvt_vgpu_open_spec (&spec, error);
  gvt_device_spec_clear (&spec);
  return vgpu;
}

/* The error names what the user gave, exactly, once, then why. */
static void
assert_open_error (const OpenErrorCase *c, const GError *error, int fd)
{
  g_autofree char *prefix = c->device ? g_strdup_printf ("cannot open %s: ", c->device)
                                      : g_strdup_printf ("cannot use --fd %d: ", fd);

  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_error (error, GVT_ERROR, (gint) c->code);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("error message does not start with \"%s\": %s", prefix, error->message);
  const char *why = error->message + strlen (prefix);
  g_assert_false (g_str_has_prefix (why, "cannot "));
  g_assert_null (strstr (why, ": cannot "));
  g_assert_cmpuint (strlen (why), >, 0);
  for (guint i = 0; i < G_N_ELEMENTS (c->hints) && c->hints[i]; i++)
    if (strstr (error->message, c->hints[i]) == NULL)
      g_error ("error message lacks \"%s\": %s", c->hints[i], error->message);
}

static void
test_open_error (Fixture *f, gconstpointer data)
{
  const OpenErrorCase *c = data;
  int fd = -1, container = -1, group = -1;

  switch (c->fd)
    {
    case FD_NONE: break;
    case FD_DEV_NULL: fd = open ("/dev/null", O_RDWR | O_CLOEXEC); break;
    case FD_CLOSED: fd = unused_fd (); break;
    case FD_NEGATIVE: fd = -1; break;
    case FD_UNBOUND_CDEV: fd = open (GVT_FAKE_CDEV, O_RDWR | O_CLOEXEC); break;
    case FD_DEVICE: fd = open_device_by_hand (&container, &group); break;
    default: g_assert_not_reached ();
    }
  gboolean owns_fd = c->fd != FD_NONE && c->fd != FD_CLOSED && c->fd != FD_NEGATIVE;
  if (owns_fd)
    g_assert_cmpint (fd, >=, 0);

  if (c->inject)
    c->inject (f->fake, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GvtVgpu) vgpu = open_as_user (c->device, fd, &error);
  g_assert_null (vgpu);
  assert_open_error (c, error, fd);

  /* A refused fd is still the caller's. */
  if (owns_fd)
    {
      g_assert_cmpint (fcntl (fd, F_GETFD), >=, 0);
      close (fd);
    }
  if (group >= 0)
    close (group);
  if (container >= 0)
    close (container);
  if (c->inject)
    c->inject (f->fake, FALSE);

  if (c->device != NULL || c->recover != NULL)
    {
      assert_recovers (f, c->recover ? c->recover : c->device);
      return;
    }

  /* An fd case: a good device fd works now. */
  assert_fds_back (f);
  g_clear_error (&error);
  fd = open_device_by_hand (&container, &group);
  vgpu = open_as_user (NULL, fd, &error);
  g_assert_no_error (error);
  assert_works (vgpu);
  g_clear_pointer (&vgpu, gvt_vgpu_free);
  close (group);
  close (container);
  assert_fds_back (f);
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
  ADD ("group/not-viable-undone", &gvt_config, test_group_not_viable_undone);
  ADD ("cdev/open", &gvt_config, test_cdev_open);
  ADD ("fd/open", &gvt_config, test_fd_open);
  ADD ("mdev/uuid", &gvt_config, test_mdev_uuid);
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
#undef ADD

  for (gsize i = 0; i < G_N_ELEMENTS (open_error_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/vgpu-kernel/open-error/%s",
                                               open_error_cases[i].name);
      g_test_add (path, Fixture, &open_error_cases[i], fixture_set_up_case, test_open_error,
                  fixture_tear_down);
    }

  return g_test_run ();
}
