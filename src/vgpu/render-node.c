/* mdev -> parent PCI device -> its drm/renderD* node, through sysfs. */
#include <stdlib.h>
#include <string.h>

#include "render-node.h"

/* The first entry of @dir whose name starts with @prefix, or NULL. */
static char *
first_entry (const char *dir, const char *prefix)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  char *best = NULL;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix) && (best == NULL || strcmp (name, best) < 0))
      {
        g_free (best);
        best = g_strdup (name);
      }
  return best;
}

static char *
mdev_sysfs_dir (const char *root, const char *device)
{
  g_autofree char *path = NULL;

  if (g_str_has_prefix (device, "/dev/vfio/devices/"))
    path = g_build_filename (root, "sys/class/vfio-dev",
                             device + strlen ("/dev/vfio/devices/"), "device", NULL);
  else if (g_str_has_prefix (device, "/dev/vfio/"))
    {
      const char *group = device + strlen ("/dev/vfio/");
      g_autofree char *dir = g_build_filename (root, "sys/kernel/iommu_groups", group,
                                               "devices", NULL);
      g_autofree char *entry = first_entry (dir, "");
      if (entry == NULL)
        return NULL;
      path = g_build_filename (dir, entry, NULL);
    }
  else if (g_str_has_prefix (device, "/sys/"))
    path = g_build_filename (root, device, NULL);
  else if (strlen (device) == 36)
    path = g_build_filename (root, "sys/bus/mdev/devices", device, NULL);
  else
    return NULL;
  return realpath (path, NULL);
}

char *
gvt_render_node_for_device (const char *sysfs_root, const char *device)
{
  if (device == NULL)
    return NULL;
  g_autofree char *mdev = mdev_sysfs_dir (sysfs_root ? sysfs_root : "/", device);
  if (mdev == NULL)
    return NULL;
  /* The mdev directory lives inside its parent device's directory. */
  g_autofree char *parent = g_path_get_dirname (mdev);
  g_autofree char *drm = g_build_filename (parent, "drm", NULL);
  g_autofree char *node = first_entry (drm, "renderD");
  if (node == NULL)
    return NULL;
  return g_build_filename ("/dev/dri", node, NULL);
}
