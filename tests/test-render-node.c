/* Finding the parent GPU's render node through a fake sysfs tree. */
#include <glib/gstdio.h>
#include <unistd.h>

#include "vgpu/render-node.h"

#define UUID "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"

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
test_resolve (void)
{
  g_autofree char *root = g_dir_make_tmp ("gvt-sysfs-XXXXXX", NULL);
  const char *gpu = "sys/devices/pci0000:00/0000:00:02.0";
  g_autofree char *mdev = g_strdup_printf ("%s/%s", gpu, UUID);
  g_autofree char *render = g_strdup_printf ("%s/drm/renderD129", gpu);
  g_autofree char *card = g_strdup_printf ("%s/drm/card1", gpu);

  mkpath (root, mdev);
  mkpath (root, render);
  mkpath (root, card);
  link_to (root, mdev, "sys/bus/mdev/devices/" UUID);
  link_to (root, mdev, "sys/kernel/iommu_groups/7/devices/" UUID);
  link_to (root, mdev, "sys/class/vfio-dev/vfio0/device");
  /* An mdev of a parent without DRM (mbochs). */
  mkpath (root, "sys/devices/virtual/mbochs/mbochs/" "00000000-0000-0000-0000-000000000002");
  link_to (root, "sys/devices/virtual/mbochs/mbochs/00000000-0000-0000-0000-000000000002",
           "sys/kernel/iommu_groups/9/devices/00000000-0000-0000-0000-000000000002");

  const char *specs[] = { "/dev/vfio/7", "/dev/vfio/devices/vfio0", UUID,
                          "/sys/bus/mdev/devices/" UUID };
  for (gsize i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autofree char *node = gvt_render_node_for_device (root, specs[i]);
      g_assert_cmpstr (node, ==, "/dev/dri/renderD129");
    }
  g_autofree char *none = gvt_render_node_for_device (root, "/dev/vfio/9");
  g_assert_null (none);
  g_autofree char *sim = gvt_render_node_for_device (root, "sim");
  g_assert_null (sim);
  g_autofree char *missing = gvt_render_node_for_device (root, "/dev/vfio/42");
  g_assert_null (missing);

  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
  g_assert_cmpint (system (cmd), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/render/render-node/resolve", test_resolve);
  return g_test_run ();
}
