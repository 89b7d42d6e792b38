/* Finding the parent GPU's render node: the mdev's parent PCI address from
 * a fake sysfs tree, matching it among libdrm's devices, and the whole way
 * through libdrm's drmGetDevices2 on a umockdev testbed (whose preload
 * hands libdrm the fake /dev/dri and /sys). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <umockdev.h>

#include "vgpu/render-node.h"
#include "testutil.h"
#include "testbed.h"
#include "sysfs-tree.h"

#define UUID "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
#define UUID_DGPU "83b8f4f2-509f-382f-3c1e-e6bfe0fa1002"
#define UUID_NO_RENDER "83b8f4f2-509f-382f-3c1e-e6bfe0fa1003"
#define UUID_MBOCHS "00000000-0000-0000-0000-000000000002"

/* --- the PCI address, on a plain temporary tree --- */

static void
mkpath (const char *root, const char *rel)
{
  g_autofree char *p = g_build_filename (root, rel, NULL);
  g_assert_cmpint (g_mkdir_with_parents (p, 0755), ==, 0);
}

static void
link_to (const char *root, const char *target_rel, const char *link_rel)
{
  g_autofree char *target = g_build_filename (root, target_rel, NULL);
  g_autofree char *link = g_build_filename (root, link_rel, NULL);
  g_autofree char *dir = g_path_get_dirname (link);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (symlink (target, link), ==, 0);
}

static void
assert_address (const GvtPciAddress *a, guint domain, guint bus, guint dev, guint func)
{
  g_assert_cmphex (a->domain, ==, domain);
  g_assert_cmphex (a->bus, ==, bus);
  g_assert_cmphex (a->dev, ==, dev);
  g_assert_cmphex (a->func, ==, func);
}

static void
test_parse (void)
{
  GvtPciAddress a;

  g_assert_true (gvt_pci_address_parse ("0000:00:02.0", &a));
  assert_address (&a, 0, 0, 2, 0);
  g_assert_true (gvt_pci_address_parse ("10de:ff:1f.7", &a));
  assert_address (&a, 0x10de, 0xff, 0x1f, 7);
  g_assert_true (gvt_pci_address_parse ("0001:3A:00.1", &a));
  assert_address (&a, 1, 0x3a, 0, 1);

  const char *bad[] = { "", "mbochs", "mdpy", "0000:00:02", "0000:00:02.", "0000:00:02.8",
                        "0000:00:20.0", "000:00:02.0", "0000:00:02.0 ", "0000:00:02.00",
                        "0000-00-02.0", "0000:0g:02.0", "pci0000:00", "10000:00:02.0" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    if (gvt_pci_address_parse (bad[i], &a))
      g_error ("'%s' parsed as a PCI address", bad[i]);
}

static void
test_parent_address (void)
{
  g_autofree char *root = g_dir_make_tmp ("gvt-sysfs-XXXXXX", NULL);
  const char *gpu = "sys/devices/pci0000:00/0000:00:02.0";
  g_autofree char *mdev = g_strdup_printf ("%s/%s", gpu, UUID);
  GvtPciAddress a;

  mkpath (root, mdev);
  link_to (root, mdev, "sys/bus/mdev/devices/" UUID);
  link_to (root, mdev, "sys/kernel/iommu_groups/7/devices/" UUID);
  link_to (root, mdev, "sys/class/vfio-dev/vfio0/device");
  /* An mdev of a parent that is no PCI device (mbochs). */
  mkpath (root, "sys/devices/virtual/mbochs/mbochs/" UUID_MBOCHS);
  link_to (root, "sys/devices/virtual/mbochs/mbochs/" UUID_MBOCHS,
           "sys/kernel/iommu_groups/9/devices/" UUID_MBOCHS);

  /* A UUID typed in upper case names the same mdev (sysfs has it lower). */
  const char *specs[] = { "/dev/vfio/7", "/dev/vfio/devices/vfio0", UUID,
                          "83B8F4F2-509F-382F-3C1E-E6BFE0FA1001",
                          "/sys/bus/mdev/devices/" UUID };
  for (gsize i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      memset (&a, 0xff, sizeof a);
      g_assert_true (gvt_render_node_parent_address (root, specs[i], &a));
      assert_address (&a, 0, 0, 2, 0);
    }
  g_assert_false (gvt_render_node_parent_address (root, "/dev/vfio/9", &a));
  g_assert_false (gvt_render_node_parent_address (root, "sim", &a));
  g_assert_false (gvt_render_node_parent_address (root, "/dev/vfio/42", &a));
  g_assert_false (gvt_render_node_parent_address (root, NULL, &a));
  /* Nothing of this tree reaches libdrm: no node for a group without an mdev. */
  g_autofree char *none = gvt_render_node_for_device (root, "/dev/vfio/42");
  g_assert_null (none);

  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
  g_assert_cmpint (system (cmd), ==, 0);
}

/* --- matching, on hand-made drmDevices --- */

typedef struct {
  drmDevice device;
  drmPciBusInfo bus;
  char *nodes[DRM_NODE_MAX];
} FakeDrm;

static void
fake_pci (FakeDrm *f, guint16 domain, guint8 bus, guint8 dev, guint8 func,
          const char *card, const char *render)
{
  memset (f, 0, sizeof *f);
  f->bus = (drmPciBusInfo) { .domain = domain, .bus = bus, .dev = dev, .func = func };
  f->nodes[DRM_NODE_PRIMARY] = (char *) card;
  f->nodes[DRM_NODE_RENDER] = (char *) render;
  f->device.nodes = f->nodes;
  f->device.available_nodes = (card ? 1 << DRM_NODE_PRIMARY : 0)
                              | (render ? 1 << DRM_NODE_RENDER : 0);
  f->device.bustype = DRM_BUS_PCI;
  f->device.businfo.pci = &f->bus;
}

static void
test_match (void)
{
  FakeDrm platform, dgpu, igpu, display_only, other_domain;
  GvtPciAddress a;

  /* A platform device (businfo is another union member) first. */
  memset (&platform, 0, sizeof platform);
  platform.nodes[DRM_NODE_RENDER] = (char *) "/dev/dri/renderD130";
  platform.device.nodes = platform.nodes;
  platform.device.available_nodes = 1 << DRM_NODE_RENDER;
  platform.device.bustype = DRM_BUS_PLATFORM;
  fake_pci (&dgpu, 0, 3, 0, 0, "/dev/dri/card1", "/dev/dri/renderD129");
  fake_pci (&igpu, 0, 0, 2, 0, "/dev/dri/card0", "/dev/dri/renderD128");
  fake_pci (&display_only, 0, 0, 4, 0, "/dev/dri/card2", NULL);
  fake_pci (&other_domain, 1, 0, 2, 1, "/dev/dri/card3", "/dev/dri/renderD131");
  drmDevicePtr devices[] = { &platform.device, &dgpu.device, &igpu.device,
                             &display_only.device, &other_domain.device };
  const int n = G_N_ELEMENTS (devices);

  g_assert_true (gvt_pci_address_parse ("0000:00:02.0", &a));
  g_autofree char *i915 = gvt_render_node_match (devices, n, &a);
  g_assert_cmpstr (i915, ==, "/dev/dri/renderD128");
  g_assert_true (gvt_pci_address_parse ("0000:03:00.0", &a));
  g_autofree char *d = gvt_render_node_match (devices, n, &a);
  g_assert_cmpstr (d, ==, "/dev/dri/renderD129");
  g_assert_true (gvt_pci_address_parse ("0001:00:02.1", &a));
  g_autofree char *o = gvt_render_node_match (devices, n, &a);
  g_assert_cmpstr (o, ==, "/dev/dri/renderD131");
  /* Same slot, other function or domain: not that GPU. */
  g_assert_true (gvt_pci_address_parse ("0000:00:02.1", &a));
  g_autofree char *func = gvt_render_node_match (devices, n, &a);
  g_assert_null (func);
  g_assert_true (gvt_pci_address_parse ("0001:00:02.0", &a));
  g_autofree char *dom = gvt_render_node_match (devices, n, &a);
  g_assert_null (dom);
  /* The GPU is there but has no render node. */
  g_assert_true (gvt_pci_address_parse ("0000:00:04.0", &a));
  g_autofree char *card_only = gvt_render_node_match (devices, n, &a);
  g_assert_null (card_only);
  g_autofree char *empty = gvt_render_node_match (NULL, 0, &a);
  g_assert_null (empty);
}

/* --- the whole way, through libdrm on a umockdev testbed --- */

/* An mdev below the /sys path @parent in IOMMU group @group, linked as the
 * mdev and IOMMU cores do. */
static char *
add_mdev (Fixture *f, const char *parent, const char *uuid, int group)
{
  char *dev = umockdev_testbed_add_device (f->tb, "mdev", uuid, parent, NULL, NULL);
  g_assert_nonnull (dev);
  const char *in_sys = dev + strlen ("/sys/");

  g_autofree char *member = g_strdup_printf ("/sys/kernel/iommu_groups/%d/devices/%s",
                                             group, uuid);
  g_autofree char *member_target = g_strconcat ("../../../../", in_sys, NULL);
  tb_symlink (f, member_target, member);
  /* umockdev 0.17 links mdevs into /sys/bus/mdev itself; older ones don't. */
  g_autofree char *bus_link = g_build_filename ("/sys/bus/mdev/devices", uuid, NULL);
  g_autofree char *bus_real = g_build_filename (f->root, bus_link, NULL);
  if (!g_file_test (bus_real, G_FILE_TEST_IS_SYMLINK))
    {
      g_autofree char *bus_target = g_strconcat ("../../../", in_sys, NULL);
      tb_symlink (f, bus_target, bus_link);
    }
  return dev;
}

static void
assert_node (const char *device, const char *want)
{
  g_autofree char *node = gvt_render_node_for_device ("/", device);
  if (g_strcmp0 (node, want) != 0)
    g_error ("%s: render node %s, expected %s", device, node ? node : "(none)",
             want ? want : "(none)");
}

static void
test_libdrm (Fixture *f, gconstpointer data)
{
  /* A discrete GPU first, so that the answer is not merely "the first
   * render node"; the integrated GPU carrying the vGPU; a display-only
   * device without a render node; the mbochs sample's virtual parent. */
  add_gpu (f, "0000:00:01.0", "56a0", 1, 129);
  add_gpu (f, "0000:00:02.0", "3e92", 0, 128);
  add_gpu (f, "0000:00:04.0", "3e93", 2, -1);
  g_autofree char *mdev = add_mdev (f, "/sys/devices/pci0000:00/0000:00:02.0", UUID, 7);
  g_autofree char *mdev_dgpu = add_mdev (f, "/sys/devices/pci0000:00/0000:00:01.0",
                                         UUID_DGPU, 8);
  g_autofree char *mdev_no_render = add_mdev (f, "/sys/devices/pci0000:00/0000:00:04.0",
                                              UUID_NO_RENDER, 10);
  g_autofree char *mbochs = umockdev_testbed_add_device (f->tb, "mbochs", "mbochs", NULL,
                                                         NULL, NULL);
  g_autofree char *mdev_mbochs = add_mdev (f, mbochs, UUID_MBOCHS, 9);
  g_autofree char *cdev_target = g_strconcat ("../../../", mdev + strlen ("/sys/"), NULL);
  tb_symlink (f, cdev_target, "/sys/class/vfio-dev/vfio0/device");

  /* libdrm sees the fake GPUs, each with its nodes. */
  drmDevicePtr devices[8];
  int n = drmGetDevices2 (0, devices, G_N_ELEMENTS (devices));
  g_assert_cmpint (n, ==, 3);
  drmFreeDevices (devices, n);

  /* A UUID typed in upper case names the same mdev (sysfs has it lower). */
  const char *specs[] = { "/dev/vfio/7", "/dev/vfio/devices/vfio0", UUID,
                          "83B8F4F2-509F-382F-3C1E-E6BFE0FA1001",
                          "/sys/bus/mdev/devices/" UUID };
  for (gsize i = 0; i < G_N_ELEMENTS (specs); i++)
    assert_node (specs[i], "/dev/dri/renderD128");
  assert_node ("/dev/vfio/8", "/dev/dri/renderD129");
  assert_node (UUID_DGPU, "/dev/dri/renderD129");
  assert_node ("/dev/vfio/10", NULL);
  assert_node ("/dev/vfio/9", NULL);
  assert_node ("sim", NULL);
  assert_node ("/dev/vfio/42", NULL);
  assert_node (NULL, NULL);
}

/* The same testbed without the GPUs' DRM nodes: libdrm finds nothing and
 * there is no render node to ask for. */
static void
test_libdrm_no_dri (Fixture *f, gconstpointer data)
{
  tb_add (f, "P: /devices/pci0000:00/0000:00:02.0\n"
             "E: PCI_SLOT_NAME=0000:00:02.0\n"
             "E: SUBSYSTEM=pci\n"
             "A: vendor=0x8086\n"
             "A: device=0x3e92\n");
  g_autofree char *mdev = add_mdev (f, "/sys/devices/pci0000:00/0000:00:02.0", UUID, 7);

  drmDevicePtr devices[8];
  g_assert_cmpint (drmGetDevices2 (0, devices, G_N_ELEMENTS (devices)), <=, 0);
  assert_node ("/dev/vfio/7", NULL);
}

int
main (int argc, char **argv)
{
  gvt_test_ensure_umockdev (argc, argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vgpu/render-node/pci-address/parse", test_parse);
  g_test_add_func ("/vgpu/render-node/parent-address", test_parent_address);
  g_test_add_func ("/vgpu/render-node/match", test_match);
  g_test_add ("/vgpu/render-node/libdrm/finds-parent", Fixture, NULL, fixture_setup,
              test_libdrm, fixture_teardown);
  g_test_add ("/vgpu/render-node/libdrm/no-dri", Fixture, NULL, fixture_setup,
              test_libdrm_no_dri, fixture_teardown);
  return g_test_run ();
}
