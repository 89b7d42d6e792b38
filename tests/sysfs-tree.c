/* Fake sysfs trees on a umockdev testbed, built the way the kernel lays
 * them out: parents on the mdev bus, their types and instances, IOMMU
 * groups, PCI GPUs with DRM nodes. Shared by the tests that read sysfs
 * (mdev, render-node, doctor). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sysfs-tree.h"

/* Where a /sys path really lives inside the testbed. */
char *
tb_path (Fixture *f, const char *sys_path)
{
  return g_build_filename (f->root, sys_path, NULL);
}

void
tb_mkdir (Fixture *f, const char *sys_path)
{
  g_autofree char *p = tb_path (f, sys_path);
  g_assert_cmpint (g_mkdir_with_parents (p, 0755), ==, 0);
}

void
tb_symlink (Fixture *f, const char *target, const char *sys_path)
{
  g_autofree char *p = tb_path (f, sys_path);
  g_autofree char *dir = g_path_get_dirname (p);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  if (symlink (target, p) != 0)
    g_error ("cannot link %s -> %s: %s", p, target, g_strerror (errno));
}

void
tb_write (Fixture *f, const char *sys_path, const char *data, gssize len)
{
  g_autofree char *p = tb_path (f, sys_path);
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_set_contents (p, data, len, &error));
}

/* "../../" climbing from the directory @sys_path up to /sys. */
char *
up_to_sys (const char *sys_path)
{
  GString *s = g_string_new (NULL);
  for (const char *c = sys_path + strlen ("/sys"); *c; c++)
    if (*c == '/')
      g_string_append (s, "../");
  return g_string_free (s, FALSE);
}

/* Adds a parent device from a umockdev record and registers it with the
 * mdev bus; returns its /sys path. */
char *
add_parent (Fixture *f, const char *record)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (umockdev_testbed_add_from_string (f->tb, record, &error));
  g_assert_no_error (error);

  g_assert_true (g_str_has_prefix (record, "P: /devices/"));
  const char *end = strchr (record, '\n');
  g_autofree char *devpath = g_strndup (record + 3, (gsize) (end - record - 3));
  g_autofree char *name = g_path_get_basename (devpath);
  g_autofree char *link = g_build_filename ("/sys/class/mdev_bus", name, NULL);
  g_autofree char *target = g_strconcat ("../..", devpath, NULL);
  tb_symlink (f, target, link);
  return g_strconcat ("/sys", devpath, NULL);
}

/* A type directory; NULL attributes are left out. */
void
add_type (Fixture *f, const char *parent, const char *id, const char *name,
          const char *description, const char *device_api, const char *available)
{
  g_autofree char *dir = g_build_filename (parent, "mdev_supported_types", id, NULL);
  g_autofree char *devices = g_build_filename (dir, "devices", NULL);
  tb_mkdir (f, devices);
  if (name)
    umockdev_testbed_set_attribute (f->tb, dir, "name", name);
  if (description)
    umockdev_testbed_set_attribute (f->tb, dir, "description", description);
  if (device_api)
    umockdev_testbed_set_attribute (f->tb, dir, "device_api", device_api);
  if (available)
    umockdev_testbed_set_attribute (f->tb, dir, "available_instances", available);
  umockdev_testbed_set_attribute (f->tb, dir, "create", "");
}

/* An instance below @parent, linked like the mdev core does: type, IOMMU
 * group (< 0: none), driver (NULL: unbound), /sys/bus/mdev/devices. */
void
add_instance (Fixture *f, const char *parent, const char *uuid, const char *type,
              int group, const char *driver)
{
  g_autofree char *dev = umockdev_testbed_add_device (f->tb, "mdev", uuid, parent,
                                                      NULL, NULL);
  g_assert_nonnull (dev);
  g_autofree char *up = up_to_sys (dev);
  const char *dev_in_sys = dev + strlen ("/sys/");

  if (type)
    {
      g_autofree char *type_link = g_strconcat ("../mdev_supported_types/", type, NULL);
      umockdev_testbed_set_attribute_link (f->tb, dev, "mdev_type", type_link);
      g_autofree char *back = g_strdup_printf ("%s/mdev_supported_types/%s/devices/%s",
                                               parent, type, uuid);
      g_autofree char *back_target = g_strconcat ("../../../", uuid, NULL);
      tb_symlink (f, back_target, back);
    }
  if (group >= 0)
    {
      g_autofree char *target = g_strdup_printf ("%skernel/iommu_groups/%d", up, group);
      umockdev_testbed_set_attribute_link (f->tb, dev, "iommu_group", target);
      g_autofree char *member = g_strdup_printf ("/sys/kernel/iommu_groups/%d/devices/%s",
                                                 group, uuid);
      g_autofree char *member_target = g_strconcat ("../../../../", dev_in_sys, NULL);
      tb_symlink (f, member_target, member);
    }
  if (driver)
    {
      g_autofree char *target = g_strdup_printf ("%sbus/mdev/drivers/%s", up, driver);
      umockdev_testbed_set_attribute_link (f->tb, dev, "driver", target);
    }

  /* umockdev 0.17 knows mdev is a bus and links the device there itself;
   * older ones don't. */
  g_autofree char *bus_link = g_build_filename ("/sys/bus/mdev/devices", uuid, NULL);
  g_autofree char *bus_real = tb_path (f, bus_link);
  if (!g_file_test (bus_real, G_FILE_TEST_IS_SYMLINK))
    {
      g_autofree char *bus_target = g_strconcat ("../../../", dev_in_sys, NULL);
      tb_symlink (f, bus_target, bus_link);
    }
}


void
tb_add (Fixture *f, const char *record)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (umockdev_testbed_add_from_string (f->tb, record, &error));
  g_assert_no_error (error);
}

/* A PCI GPU at @slot with DRM minors card@card and, unless @render < 0,
 * renderD@render: what libdrm reads of it is the char devices' numbers
 * (/dev, /sys/dev/char), their device and subsystem links, and the PCI
 * device's uevent (PCI_SLOT_NAME) and ID attributes. */
void
add_gpu (Fixture *f, const char *slot, const char *device_id, int card, int render)
{
  g_autofree char *pci = g_strdup_printf ("/devices/pci0000:00/%s", slot);
  g_autofree char *gpu = g_strdup_printf (
    "P: %s\n"
    "E: DRIVER=i915\n"
    "E: PCI_CLASS=30000\n"
    "E: PCI_ID=8086:%s\n"
    "E: PCI_SUBSYS_ID=17AA:2248\n"
    "E: PCI_SLOT_NAME=%s\n"
    "E: SUBSYSTEM=pci\n"
    "A: class=0x030000\n"
    "A: vendor=0x8086\n"
    "A: device=0x%s\n"
    "A: subsystem_vendor=0x17aa\n"
    "A: subsystem_device=0x2248\n"
    "A: revision=0x02\n"
    "L: driver=../../../bus/pci/drivers/i915\n",
    pci, device_id, slot, device_id);
  tb_add (f, gpu);

  for (int i = 0; i < 2; i++)
    {
      int minor = i == 0 ? card : render;
      if (minor < 0)
        continue;
      g_autofree char *name = g_strdup_printf (i == 0 ? "card%d" : "renderD%d", minor);
      g_autofree char *node = g_strdup_printf (
        "P: %s/drm/%s\n"
        "N: dri/%s\n"
        "E: DEVNAME=/dev/dri/%s\n"
        "E: DEVTYPE=drm_minor\n"
        "E: MAJOR=226\n"
        "E: MINOR=%d\n"
        "E: SUBSYSTEM=drm\n"
        "A: dev=226:%d\n"
        "L: device=../../../%s\n",
        pci, name, name, name, minor, minor, slot);
      tb_add (f, node);
    }
}
