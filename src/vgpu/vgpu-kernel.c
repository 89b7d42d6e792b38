/* The kernel backend of GvtVgpu: a VFIO device fd reached through its IOMMU
 * group, its device cdev (iommufd) or inherited from a launcher, and the
 * device operations as plain ioctls, pread/pwrite and mmap on it. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vgpu-kernel.h"
#include "vgpu-private.h"
#include "vfio-compat.h"
#include "mdev.h"
#include "common/gvt-error.h"

/* What a user is told whenever another opener holds the device. */
#define HINT_SHARE \
  "another process (most likely QEMU) holds this vGPU; start the VM with " \
  "`gvt-view run -- qemu-system-x86_64 ...` so gvt-view can share the device, " \
  "or stop that process"

#define HINT_NEEDS_VM \
  "a GVT-g vGPU can only be opened while its VM runs (KVM association missing); " \
  "start the VM with `gvt-view run -- qemu-system-x86_64 ...` so gvt-view can " \
  "share the device, or pass the VM's device fd with --fd"

#define HINT_SECOND_VGPU \
  "its VM already uses another GVT-g vGPU, and a VM can use only one"

/* Enough room for the capability chains the kernel attaches to a region
 * (a type cap, sparse mmap areas); a longer chain makes us ask again with
 * the size the kernel reports, up to this bound. */
#define REGION_INFO_FIRST_SIZE 512
#define REGION_INFO_MAX_SIZE   (64 * 1024)
/* A chain longer than this is not something a kernel builds. */
#define REGION_CAPS_MAX 32

typedef struct {
  GvtVgpu base;
  int container_fd; /* group path: /dev/vfio/vfio */
  int group_fd;     /* group path: /dev/vfio/N */
  int iommufd;      /* cdev path: /dev/iommu */
  int device_fd;
  /* guint32 index -> GvtRegionInfo*: region offsets never change while the
   * device is open, and every region access needs its offset. */
  GHashTable *regions;
  /* The device's entry on its bus (/sys/bus/mdev/devices/UUID or
   * /sys/bus/pci/devices/ADDR), or NULL when unknown (--fd). A removal
   * takes it away at once, but the kernel then waits for every device fd
   * to close before the device fails a single ioctl: we must notice the
   * entry going and let go ourselves, or the remove and we wait forever. */
  char *presence_path;
} GvtVgpuKernel;

static int
xioctl (int fd, unsigned long request, void *arg)
{
  int ret;
  do
    ret = ioctl (fd, request, arg);
  while (ret < 0 && errno == EINTR);
  return ret < 0 ? -errno : ret;
}

/* For the ioctls whose argument is a number, not a pointer. */
static int
xioctl_value (int fd, unsigned long request, unsigned long value)
{
  return xioctl (fd, request, (void *) value);
}

static int
open_rdwr (const char *path)
{
  int fd;
  do
    fd = open (path, O_RDWR | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  return fd;
}

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* ---- the device operations ---- */

static int
kernel_get_device_info (GvtVgpu *vgpu, struct vfio_device_info *info)
{
  GvtVgpuKernel *self = (GvtVgpuKernel *) vgpu;

  memset (info, 0, sizeof *info);
  info->argsz = sizeof *info;
  return xioctl (self->device_fd, VFIO_DEVICE_GET_INFO, info);
}

/* Walks the capability chain the kernel wrote into @buf (@len valid bytes)
 * from @first. The kernel builds the chain, but a wrong offset must not make
 * us read past the buffer or loop: every header must lie inside, and the
 * chain must only move forward. */
static void
parse_region_caps (const guint8 *buf, gsize len, guint32 first, GvtRegionInfo *out)
{
  guint32 offset = first;

  for (guint n = 0; offset != 0 && n < REGION_CAPS_MAX; n++)
    {
      struct vfio_info_cap_header header;

      if (offset < sizeof (struct vfio_region_info) || offset > len
          || len - offset < sizeof header)
        return;
      memcpy (&header, buf + offset, sizeof header);

      if (header.id == VFIO_REGION_INFO_CAP_TYPE
          && len - offset >= sizeof (struct vfio_region_info_cap_type))
        {
          struct vfio_region_info_cap_type cap;
          memcpy (&cap, buf + offset, sizeof cap);
          out->type = cap.type;
          out->subtype = cap.subtype;
        }

      if (header.next <= offset)
        return;
      offset = header.next;
    }
}

static int
kernel_get_region_info (GvtVgpu *vgpu, guint32 index, GvtRegionInfo *out)
{
  GvtVgpuKernel *self = (GvtVgpuKernel *) vgpu;
  gsize size = REGION_INFO_FIRST_SIZE;

  for (;;)
    {
      g_autofree guint8 *buf = g_malloc0 (size);
      struct vfio_region_info *info = (struct vfio_region_info *) buf;

      info->argsz = size;
      info->index = index;
      int ret = xioctl (self->device_fd, VFIO_DEVICE_GET_REGION_INFO, info);
      if (ret < 0)
        return ret;

      /* Too small for the chain: the kernel says how much it needs and
       * leaves cap_offset 0. Ask once more, with that much. */
      if ((info->flags & VFIO_REGION_INFO_FLAG_CAPS) && info->cap_offset == 0
          && info->argsz > size && size < REGION_INFO_MAX_SIZE)
        {
          size = MIN (info->argsz, REGION_INFO_MAX_SIZE);
          continue;
        }

      GvtRegionInfo result = {
        .index = index,
        .flags = info->flags,
        .size = info->size,
        .offset = info->offset,
      };
      if (info->flags & VFIO_REGION_INFO_FLAG_CAPS)
        parse_region_caps (buf, MIN (size, (gsize) info->argsz), info->cap_offset, &result);

      g_hash_table_replace (self->regions, GUINT_TO_POINTER (index),
                            g_memdup2 (&result, sizeof result));
      *out = result;
      return 0;
    }
}

static int
lookup_region (GvtVgpuKernel *self, guint32 index, GvtRegionInfo *out)
{
  const GvtRegionInfo *cached = g_hash_table_lookup (self->regions, GUINT_TO_POINTER (index));
  if (cached != NULL)
    {
      *out = *cached;
      return 0;
    }
  return kernel_get_region_info ((GvtVgpu *) self, index, out);
}

/* The file position of @offset inside @region for an access of @len bytes.
 * No check against the region's size: GVT-g reports its EDID region as 128
 * bytes and keeps the blob at offset 2048. The kernel checks the access. */
static gboolean
region_position (const GvtRegionInfo *region, guint64 offset, gsize len, off_t *pos)
{
  if (len > G_MAXSSIZE || offset > (guint64) G_MAXINT64 - len
      || region->offset > (guint64) G_MAXINT64 - len - offset)
    return FALSE;
  *pos = (off_t) (region->offset + offset);
  return TRUE;
}

/* One register or blob access at @offset of region @index: a single pread
 * or pwrite, so that a 4-byte call stays a 4-byte access on the device. */
static gssize
region_access (GvtVgpuKernel *self, guint32 index, guint64 offset, void *buf,
               const void *wbuf, gsize len)
{
  GvtRegionInfo region;
  off_t pos;

  int ret = lookup_region (self, index, &region);
  if (ret < 0)
    return ret;
  if (!region_position (&region, offset, len, &pos))
    return -EINVAL;

  gssize done;
  do
    done = wbuf ? pwrite (self->device_fd, wbuf, len, pos)
                : pread (self->device_fd, buf, len, pos);
  while (done < 0 && errno == EINTR);
  return done < 0 ? -errno : done;
}

static gssize
kernel_region_read (GvtVgpu *vgpu, guint32 index, guint64 offset, void *buf, gsize len)
{
  return region_access ((GvtVgpuKernel *) vgpu, index, offset, buf, NULL, len);
}

static gssize
kernel_region_write (GvtVgpu *vgpu, guint32 index, guint64 offset, const void *buf, gsize len)
{
  return region_access ((GvtVgpuKernel *) vgpu, index, offset, NULL, buf, len);
}

static int
kernel_region_mmap (GvtVgpu *vgpu, guint32 index, guint64 offset, gsize len, int prot,
                    void **out)
{
  GvtVgpuKernel *self = (GvtVgpuKernel *) vgpu;
  GvtRegionInfo region;
  off_t pos;

  int ret = lookup_region (self, index, &region);
  if (ret < 0)
    return ret;
  /* The kernel would refuse too, but a regular file (tests) would not. */
  if (!(region.flags & VFIO_REGION_INFO_FLAG_MMAP) || len == 0)
    return -EINVAL;
  if (!region_position (&region, offset, len, &pos))
    return -EINVAL;

  void *map = mmap (NULL, len, prot, MAP_SHARED, self->device_fd, pos);
  if (map == MAP_FAILED)
    return -errno;
  *out = map;
  return 0;
}

static int
kernel_query_plane (GvtVgpu *vgpu, struct vfio_device_gfx_plane_info *info)
{
  GvtVgpuKernel *self = (GvtVgpuKernel *) vgpu;

  /* One access() per query: cheap next to the ioctl, and the poll is where
   * a removal has to show up. */
  if (self->presence_path != NULL && access (self->presence_path, F_OK) < 0 && errno == ENOENT)
    return -ENODEV;
  return xioctl (self->device_fd, VFIO_DEVICE_QUERY_GFX_PLANE, info);
}

/* Where the device named @name (an mdev UUID or a PCI address) sits on its
 * bus in sysfs. */
static char *
presence_path_for (const char *name)
{
  if (name == NULL || strchr (name, '/') != NULL || name[0] == '.')
    return NULL;
  return g_strdup_printf (gvt_mdev_is_uuid (name) ? "/sys/bus/mdev/devices/%s"
                                                  : "/sys/bus/pci/devices/%s", name);
}

static int
kernel_get_dmabuf (GvtVgpu *vgpu, guint32 dmabuf_id)
{
  GvtVgpuKernel *self = (GvtVgpuKernel *) vgpu;

  int fd = xioctl (self->device_fd, VFIO_DEVICE_GET_GFX_DMABUF, &dmabuf_id);
  if (fd < 0)
    return fd;

  /* mbochs hands out its dma-bufs without O_CLOEXEC: a process we start
   * (QEMU, a helper) must not inherit pinned guest memory. */
  int flags = fcntl (fd, F_GETFD);
  if (flags < 0 || fcntl (fd, F_SETFD, flags | FD_CLOEXEC) < 0)
    {
      int err = errno;
      close (fd);
      return -err;
    }
  return fd;
}

static void
kernel_finalize (GvtVgpu *vgpu)
{
  GvtVgpuKernel *self = (GvtVgpuKernel *) vgpu;

  /* The device first: it keeps its group and container in use. */
  close_fd (&self->device_fd);
  close_fd (&self->group_fd);
  close_fd (&self->container_fd);
  close_fd (&self->iommufd);
  g_clear_pointer (&self->regions, g_hash_table_unref);
  g_clear_pointer (&self->presence_path, g_free);
}

static const GvtVgpuOps kernel_ops = {
  .backend = "kernel",
  .get_device_info = kernel_get_device_info,
  .get_region_info = kernel_get_region_info,
  .region_read = kernel_region_read,
  .region_write = kernel_region_write,
  .region_mmap = kernel_region_mmap,
  .query_plane = kernel_query_plane,
  .get_dmabuf = kernel_get_dmabuf,
  .finalize = kernel_finalize,
};

static GvtVgpuKernel *
kernel_new (const char *name)
{
  GvtVgpuKernel *self = gvt_vgpu_alloc (sizeof (GvtVgpuKernel), &kernel_ops, name);
  self->container_fd = -1;
  self->group_fd = -1;
  self->iommufd = -1;
  self->device_fd = -1;
  self->regions = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  return self;
}

/* ---- errors a user can act on ---- */

/* Where the vGPUs are, for "no such device" messages. */
static char *
describe_existing (void)
{
  g_autofree char *existing = gvt_mdev_describe_instances ();
  if (existing == NULL || *existing == '\0')
    return g_strdup (" (`gvt-view list` shows the vGPUs)");
  return g_strdup_printf ("\nvGPUs on this host:\n%s", existing);
}

/* An open() failure of a device node. @udev_match is the udev rule match
 * that grants access to this kind of node. */
static void
set_open_error (GError **error, const char *path, int err, const char *udev_match)
{
  switch (err)
    {
    case EACCES:
    case EPERM:
      g_set_error (error, GVT_ERROR, GVT_ERROR_PERMISSION,
                   "cannot open %s: permission denied — add a udev rule such as "
                   "%s, GROUP=\"kvm\", MODE=\"0660\" (e.g. in "
                   "/etc/udev/rules.d/60-gvt-view.rules) and be in group kvm, "
                   "or run gvt-view as root", path, udev_match);
      break;
    case EBUSY:
      g_set_error (error, GVT_ERROR, GVT_ERROR_BUSY,
                   "cannot open %s: busy — " HINT_SHARE, path);
      break;
    default:
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED,
                   "cannot open %s: %s", path, g_strerror (err));
      break;
    }
}

/* A failure of the step that opens the device itself inside the kernel
 * (GROUP_GET_DEVICE_FD, or BIND_IOMMUFD for a cdev): where GVT-g's
 * open_device refuses. */
static void
set_device_open_error (GError **error, const char *what, int err)
{
  switch (err)
    {
    case ESRCH:
      g_set_error (error, GVT_ERROR, GVT_ERROR_NEEDS_VM,
                   "cannot open %s: " HINT_NEEDS_VM, what);
      break;
    case EEXIST:
      g_set_error (error, GVT_ERROR, GVT_ERROR_BUSY,
                   "cannot open %s: " HINT_SECOND_VGPU, what);
      break;
    case EBUSY:
      g_set_error (error, GVT_ERROR, GVT_ERROR_BUSY,
                   "cannot open %s: busy — " HINT_SHARE, what);
      break;
    case ENODEV:
    case EIO:
      g_set_error (error, GVT_ERROR, GVT_ERROR_LOST,
                   "cannot open %s: the device is going away (%s)", what, g_strerror (err));
      break;
    default:
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED,
                   "cannot open %s: %s", what, g_strerror (err));
      break;
    }
}

/* ---- the group path ---- */

/* "7" from "/dev/vfio/7"; NULL unless the last component is a number. */
static char *
group_number (const char *group_path)
{
  if (!g_str_has_prefix (group_path, "/dev/vfio/"))
    return NULL;
  const char *n = group_path + strlen ("/dev/vfio/");
  if (*n == '\0' || strlen (n) > 10)
    return NULL;
  for (const char *p = n; *p; p++)
    if (!g_ascii_isdigit (*p))
      return NULL;
  return g_strdup (n);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The devices of IOMMU group @group, sorted, or NULL if it has none in
 * sysfs. */
static GPtrArray *
list_group_devices (const char *group)
{
  g_autofree char *dir_path = g_strdup_printf ("/sys/kernel/iommu_groups/%s/devices", group);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  if (dir == NULL)
    return NULL;

  GPtrArray *devices = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (devices, g_strdup (name));
  g_ptr_array_sort (devices, compare_names);
  return devices;
}

/* "0000:00:02.0 (driver i915), UUID (driver vfio_mdev)" for a not-viable
 * message: the drivers are what the user has to change. */
static char *
describe_group_devices (const char *group, GPtrArray *devices)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      const char *device = g_ptr_array_index (devices, i);
      g_autofree char *link = g_strdup_printf ("/sys/kernel/iommu_groups/%s/devices/%s/driver",
                                               group, device);
      g_autofree char *target = g_file_read_link (link, NULL);
      g_autofree char *driver = target ? g_path_get_basename (target) : NULL;

      g_string_append_printf (text, "%s%s (%s%s)", i ? ", " : "", device,
                              driver ? "driver " : "no driver", driver ? driver : "");
    }
  return g_string_free (text, FALSE);
}

static gboolean
open_container (GvtVgpuKernel *self, GError **error)
{
  self->container_fd = open_rdwr ("/dev/vfio/vfio");
  if (self->container_fd < 0)
    {
      int err = errno;
      if (err == ENOENT)
        g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
                     "no /dev/vfio/vfio: VFIO is not loaded — run "
                     "`modprobe vfio_iommu_type1 kvmgt` (GVT-g) or load the "
                     "mdev driver of your device");
      else
        set_open_error (error, "/dev/vfio/vfio", err, "KERNEL==\"vfio\"");
      return FALSE;
    }

  int version = xioctl (self->container_fd, VFIO_GET_API_VERSION, NULL);
  if (version != VFIO_API_VERSION)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "/dev/vfio/vfio speaks VFIO API %d, gvt-view knows %d%s%s", version,
                   VFIO_API_VERSION, version < 0 ? ": " : "",
                   version < 0 ? g_strerror (-version) : "");
      return FALSE;
    }

  if (xioctl_value (self->container_fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "the kernel's VFIO has no Type1v2 IOMMU: run `modprobe vfio_iommu_type1`");
      return FALSE;
    }
  return TRUE;
}

/* The device to ask the group for when the user named only the group:
 * its one member. */
static char *
pick_group_device (const char *group_path, const char *group, GError **error)
{
  g_autoptr(GPtrArray) devices = list_group_devices (group);

  if (devices == NULL || devices->len == 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
                   "IOMMU group %s has no devices (nothing in "
                   "/sys/kernel/iommu_groups/%s/devices)", group, group);
      return NULL;
    }
  if (devices->len > 1)
    {
      /* Guessing could open the wrong function of a PCI device. */
      g_ptr_array_add (devices, NULL);
      g_autofree char *names = g_strjoinv (", ", (char **) devices->pdata);
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "%s holds several devices (%s): name the vGPU by its mdev UUID "
                   "or /sys/bus/mdev/devices/UUID", group_path, names);
      return NULL;
    }
  return g_strdup (g_ptr_array_index (devices, 0));
}

GvtVgpu *
gvt_vgpu_kernel_open_group (const char *group_path, const char *device_name, GError **error)
{
  g_return_val_if_fail (group_path != NULL, NULL);

  g_autofree char *group = group_number (group_path);
  if (group == NULL)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "'%s' is not a VFIO group: give /dev/vfio/N, N being the "
                   "IOMMU group number", group_path);
      return NULL;
    }

  g_autofree char *name = g_strdup_printf ("vfio %s", group);
  g_autoptr(GvtVgpu) vgpu = (GvtVgpu *) kernel_new (name);
  GvtVgpuKernel *self = (GvtVgpuKernel *) vgpu;

  if (!open_container (self, error))
    return NULL;

  self->group_fd = open_rdwr (group_path);
  if (self->group_fd < 0)
    {
      int err = errno;
      if (err == ENOENT)
        {
          g_autofree char *existing = describe_existing ();
          g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
                       "no VFIO group %s%s", group_path, existing);
        }
      else
        set_open_error (error, group_path, err, "SUBSYSTEM==\"vfio\"");
      return NULL;
    }

  struct vfio_group_status status = { .argsz = sizeof status };
  int ret = xioctl (self->group_fd, VFIO_GROUP_GET_STATUS, &status);
  if (ret < 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED,
                   "cannot get the status of %s: %s", group_path, g_strerror (-ret));
      return NULL;
    }
  if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
    {
      g_autoptr(GPtrArray) devices = list_group_devices (group);
      g_autofree char *members = describe_group_devices (group, devices);
      g_set_error (error, GVT_ERROR, GVT_ERROR_NOT_VIABLE,
                   "IOMMU group %s is not viable: every device in "
                   "/sys/kernel/iommu_groups/%s/devices must be bound to vfio "
                   "(vfio-pci, vfio_mdev) or to no driver; it holds %s",
                   group, group, members);
      return NULL;
    }

  ret = xioctl (self->group_fd, VFIO_GROUP_SET_CONTAINER, &self->container_fd);
  if (ret < 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED,
                   "cannot attach %s to a VFIO container: %s", group_path, g_strerror (-ret));
      return NULL;
    }

  ret = xioctl_value (self->container_fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
  if (ret < 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED,
                   "cannot set up the Type1v2 IOMMU for %s: %s", group_path,
                   g_strerror (-ret));
      return NULL;
    }

  g_autofree char *picked = NULL;
  if (device_name == NULL)
    {
      picked = pick_group_device (group_path, group, error);
      if (picked == NULL)
        return NULL;
      device_name = picked;
    }

  ret = xioctl (self->group_fd, VFIO_GROUP_GET_DEVICE_FD, (void *) device_name);
  if (ret < 0)
    {
      g_autofree char *what = g_strdup_printf ("vGPU %s in %s", device_name, group_path);
      if (ret == -ENODEV)
        g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
                     "%s has no device %s (see /sys/kernel/iommu_groups/%s/devices)",
                     group_path, device_name, group);
      else
        set_device_open_error (error, what, -ret);
      return NULL;
    }
  self->device_fd = ret;

  self->presence_path = presence_path_for (device_name);
  g_debug ("opened %s in %s (fd %d)", device_name, group_path, self->device_fd);
  return g_steal_pointer (&vgpu);
}

/* ---- the cdev path ---- */

GvtVgpu *
gvt_vgpu_kernel_open_cdev (const char *cdev_path, GError **error)
{
  g_return_val_if_fail (cdev_path != NULL, NULL);

  g_autofree char *name = g_path_get_basename (cdev_path);
  g_autoptr(GvtVgpu) vgpu = (GvtVgpu *) kernel_new (name);
  GvtVgpuKernel *self = (GvtVgpuKernel *) vgpu;

  self->device_fd = open_rdwr (cdev_path);
  if (self->device_fd < 0)
    {
      int err = errno;
      if (err == ENOENT)
        {
          g_autofree char *existing = describe_existing ();
          g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
                       "no VFIO device %s (device cdevs need Linux >= 6.6 with "
                       "CONFIG_VFIO_DEVICE_CDEV; the group /dev/vfio/N works "
                       "everywhere)%s", cdev_path, existing);
        }
      else
        set_open_error (error, cdev_path, err, "SUBSYSTEM==\"vfio-dev\"");
      return NULL;
    }

  self->iommufd = open_rdwr ("/dev/iommu");
  if (self->iommufd < 0)
    {
      int err = errno;
      if (err == ENOENT)
        g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                     "cannot use %s: there is no /dev/iommu (the kernel lacks "
                     "IOMMUFD); open the vGPU through its group /dev/vfio/N instead",
                     cdev_path);
      else
        set_open_error (error, "/dev/iommu", err, "KERNEL==\"iommu\"");
      return NULL;
    }

  struct vfio_device_bind_iommufd bind = {
    .argsz = sizeof bind,
    .iommufd = self->iommufd,
  };
  int ret = xioctl (self->device_fd, VFIO_DEVICE_BIND_IOMMUFD, &bind);
  if (ret < 0)
    {
      if (ret == -EINVAL)
        /* The one bind-time EINVAL a well-formed request gets: the device
         * is open elsewhere (the cdev can't be shared, the group can). */
        g_set_error (error, GVT_ERROR, GVT_ERROR_BUSY,
                     "cannot bind %s: busy — " HINT_SHARE, cdev_path);
      else if (ret == -ENOTTY)
        g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                     "cannot bind %s: the kernel lacks VFIO_DEVICE_BIND_IOMMUFD; "
                     "open the vGPU through its group /dev/vfio/N instead", cdev_path);
      else
        set_device_open_error (error, cdev_path, -ret);
      return NULL;
    }

  /* /sys/class/vfio-dev/vfioX/device links to the device itself. */
  g_autofree char *link = g_strdup_printf ("/sys/class/vfio-dev/%s/device", name);
  g_autofree char *target = g_file_read_link (link, NULL);
  if (target != NULL)
    {
      g_autofree char *device = g_path_get_basename (target);
      self->presence_path = presence_path_for (device);
    }
  g_debug ("bound %s to iommufd (device id %u)", cdev_path, bind.out_devid);
  return g_steal_pointer (&vgpu);
}

/* ---- an inherited fd ---- */

GvtVgpu *
gvt_vgpu_kernel_open_fd (int fd, GError **error)
{
  if (fd < 0 || fcntl (fd, F_GETFD) < 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "--fd %d is not an open file descriptor", fd);
      return NULL;
    }

  struct vfio_device_info info = { .argsz = sizeof info };
  int ret = xioctl (fd, VFIO_DEVICE_GET_INFO, &info);
  if (ret == -ENODEV || ret == -EIO)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_LOST,
                   "the VFIO device behind --fd %d is gone (%s)", fd, g_strerror (-ret));
      return NULL;
    }
  if (ret < 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "--fd %d is not an opened VFIO device (VFIO_DEVICE_GET_INFO: %s): "
                   "pass the device fd of an open vGPU — from its group, or a cdev "
                   "already bound to an iommufd", fd, g_strerror (-ret));
      return NULL;
    }

  /* Ours from now on: no process we start inherits it by accident. */
  int flags = fcntl (fd, F_GETFD);
  if (flags >= 0)
    fcntl (fd, F_SETFD, flags | FD_CLOEXEC);

  g_autofree char *name = g_strdup_printf ("fd %d", fd);
  GvtVgpuKernel *self = kernel_new (name);
  self->device_fd = fd;
  return (GvtVgpu *) self;
}
