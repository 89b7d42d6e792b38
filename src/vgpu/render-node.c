/* mdev -> its parent's PCI address (sysfs) -> the DRM device libdrm finds
 * at that address -> its render node. */
#include <stdlib.h>
#include <string.h>

#include "render-node.h"

/* The first entry of @dir in name order, or NULL. */
static char *
first_entry (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  char *best = NULL;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (best == NULL || strcmp (name, best) < 0)
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
      g_autofree char *entry = first_entry (dir);
      if (entry == NULL)
        return NULL;
      path = g_build_filename (dir, entry, NULL);
    }
  else if (g_str_has_prefix (device, "/sys/"))
    path = g_build_filename (root, device, NULL);
  else if (strlen (device) == 36)
    {
      /* sysfs names mdevs in lower case; a UUID may be typed in upper. */
      g_autofree char *lower = g_ascii_strdown (device, -1);
      path = g_build_filename (root, "sys/bus/mdev/devices", lower, NULL);
    }
  else
    return NULL;
  return realpath (path, NULL);
}

static gboolean
parse_hex (const char *s, gsize digits, guint *value)
{
  *value = 0;
  for (gsize i = 0; i < digits; i++)
    {
      int d = g_ascii_xdigit_value (s[i]);
      if (d < 0)
        return FALSE;
      *value = *value * 16 + (guint) d;
    }
  return TRUE;
}

gboolean
gvt_pci_address_parse (const char *name, GvtPciAddress *address)
{
  guint domain, bus, dev, func;

  /* Exactly what the kernel prints; anything else is another bus's name
   * (mbochs, a platform device) and has no PCI address. */
  if (strlen (name) != 12 || name[4] != ':' || name[7] != ':' || name[10] != '.'
      || !parse_hex (name, 4, &domain) || !parse_hex (name + 5, 2, &bus)
      || !parse_hex (name + 8, 2, &dev) || !parse_hex (name + 11, 1, &func)
      || dev > 0x1f || func > 7)
    return FALSE;
  *address = (GvtPciAddress) { (guint16) domain, (guint8) bus, (guint8) dev, (guint8) func };
  return TRUE;
}

gboolean
gvt_render_node_parent_address (const char *sysfs_root, const char *device,
                                GvtPciAddress *address)
{
  if (device == NULL)
    return FALSE;
  g_autofree char *mdev = mdev_sysfs_dir (sysfs_root ? sysfs_root : "/", device);
  if (mdev == NULL)
    return FALSE;
  /* The mdev directory lives inside its parent device's directory. */
  g_autofree char *parent = g_path_get_dirname (mdev);
  g_autofree char *name = g_path_get_basename (parent);
  return gvt_pci_address_parse (name, address);
}

char *
gvt_render_node_match (drmDevicePtr *devices, int n_devices, const GvtPciAddress *address)
{
  for (int i = 0; i < n_devices; i++)
    {
      const drmDevice *d = devices[i];
      const drmPciBusInfo *pci = d->businfo.pci;

      if (d->bustype != DRM_BUS_PCI || pci == NULL || pci->domain != address->domain
          || pci->bus != address->bus || pci->dev != address->dev
          || pci->func != address->func)
        continue;
      if (!(d->available_nodes & (1 << DRM_NODE_RENDER)))
        return NULL;
      return g_strdup (d->nodes[DRM_NODE_RENDER]);
    }
  return NULL;
}

/* What libdrm knows of the GPU at @address. */
static char *
render_node_at (const GvtPciAddress *address)
{
  int n = drmGetDevices2 (0, NULL, 0);
  if (n <= 0)
    {
      g_debug ("no DRM devices to find the vGPU's parent among: %s",
               n < 0 ? g_strerror (-n) : "none");
      return NULL;
    }
  g_autofree drmDevicePtr *devices = g_new0 (drmDevicePtr, n);
  n = drmGetDevices2 (0, devices, n);
  if (n < 0)
    return NULL;
  char *node = gvt_render_node_match (devices, n, address);
  drmFreeDevices (devices, n);
  if (node == NULL)
    g_debug ("no DRM render node for PCI device %04x:%02x:%02x.%u", address->domain,
             address->bus, address->dev, address->func);
  return node;
}

char *
gvt_render_node_for_device (const char *sysfs_root, const char *device)
{
  GvtPciAddress address;

  if (!gvt_render_node_parent_address (sysfs_root, device, &address))
    return NULL;
  return render_node_at (&address);
}
