/* The kernel backend of GvtVgpu: a VFIO device fd reached through its IOMMU
 * group, its device cdev (iommufd) or inherited from a launcher, and the
 * device operations as plain ioctls, pread/pwrite and mmap on it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vgpu-kernel.h"
#include "vgpu-private.h"
#include "vfio-compat.h"
#include "mdev.h"
#include "common/gvt-error.h"

/* The bare struct first, as QEMU asks: a region with capabilities (a
 * type cap, sparse mmap areas) makes us ask again with the size the kernel
 * reports, up to this bound. Not more at first: mbochs refuses (EINVAL) an
 * argsz larger than its own struct, for every region. */
#define REGION_INFO_FIRST_SIZE sizeof (struct vfio_region_info)
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
  /* A pidfd of the process the device fd was taken from, or -1. Our copy
   * keeps the device open after that process exits (its group stays busy,
   * its memory pinned): its exit must read as the device going away. */
  int owner_pidfd;
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

      /* Too small for the chain: the kernel says how much it needs (and
       * leaves cap_offset 0, or, as mbochs does, sets it anyway). Ask once
       * more, with that much. */
      if ((info->flags & VFIO_REGION_INFO_FLAG_CAPS) && info->argsz > size
          && size < REGION_INFO_MAX_SIZE)
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

/* A pidfd polls readable once its process has exited. */
static gboolean
process_exited (int pidfd)
{
  struct pollfd p = { .fd = pidfd, .events = POLLIN };
  int ret;
  do
    ret = poll (&p, 1, 0);
  while (ret < 0 && errno == EINTR);
  return ret > 0;
}

static int
kernel_query_plane (GvtVgpu *vgpu, struct vfio_device_gfx_plane_info *info)
{
  GvtVgpuKernel *self = (GvtVgpuKernel *) vgpu;

  /* One access() per query: cheap next to the ioctl, and the poll is where
   * a removal has to show up. */
  if (self->presence_path != NULL && access (self->presence_path, F_OK) < 0 && errno == ENOENT)
    return -ENODEV;
  if (self->owner_pidfd >= 0 && process_exited (self->owner_pidfd))
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
  close_fd (&self->owner_pidfd);
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
  self->owner_pidfd = -1;
  self->regions = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  return self;
}

/* ---- what sysfs says about a group ---- */

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

/* TRUE if the sysfs device directory @dir is a GVT-g vGPU (an mdev of one
 * of i915's "i915-GVTg_*" types). Only error messages ask: what works for a
 * busy GVT-g vGPU differs from what works for any other mdev. */
static gboolean
is_gvt_device (const char *dir)
{
  g_autofree char *link = g_build_filename (dir, "mdev_type", NULL);
  g_autofree char *target = g_file_read_link (link, NULL);
  g_autofree char *type = target ? g_path_get_basename (target) : NULL;
  return type != NULL && g_str_has_prefix (type, "i915-GVTg");
}

static gboolean
group_is_gvt (const char *group)
{
  g_autoptr(GPtrArray) devices = list_group_devices (group);

  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      g_autofree char *dir = g_strdup_printf ("/sys/kernel/iommu_groups/%s/devices/%s", group,
                                              (const char *) g_ptr_array_index (devices, i));
      if (is_gvt_device (dir))
        return TRUE;
    }
  return FALSE;
}

/* ---- errors a user can act on ---- */

/* Every open error reads "cannot open DEVICE: why — what to do", DEVICE
 * exactly as the user gave it (group, cdev, mdev UUID or sysfs path), also
 * when the step that failed was on another node (the container, the group
 * an mdev resolved to, /dev/iommu): the user must see which of their words
 * failed, and the rest names the node. An inherited fd has its own form,
 * "cannot use --fd N: ..." (set_fd_error). */
static void set_error (GError **error, GvtErrorCode code, const char *named,
                       const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static void
set_error (GError **error, GvtErrorCode code, const char *named, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  g_autofree char *why = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, GVT_ERROR, code, "cannot open %s: %s", named, why);
}

static void set_fd_error (GError **error, GvtErrorCode code, int fd,
                          const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static void
set_fd_error (GError **error, GvtErrorCode code, int fd, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  g_autofree char *why = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, GVT_ERROR, code, "cannot use --fd %d: %s", fd, why);
}

/* A device fd taken from another process: "cannot use NAME: ...", NAME
 * naming the process and its fd. */
static void set_use_error (GError **error, GvtErrorCode code, const char *name,
                           const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static void
set_use_error (GError **error, GvtErrorCode code, const char *name, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  g_autofree char *why = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, GVT_ERROR, code, "cannot use %s: %s", name, why);
}

/* " on NODE", or "" when NODE is what the user named. */
static char *
on_node (const char *named, const char *node)
{
  return strcmp (named, node) == 0 ? g_strdup ("") : g_strdup_printf (" on %s", node);
}

/* Where the vGPUs are, for "no such device" messages. */
static char *
describe_existing (void)
{
  g_autofree char *existing = gvt_mdev_describe_instances ();
  if (existing == NULL || *existing == '\0')
    return g_strdup (" (`gvt-view list` shows the vGPUs)");
  return g_strdup_printf ("\nvGPUs on this host:\n%s", existing);
}

/* A GVT-g vGPU opens only inside its VM's QEMU (the kernel checks that the
 * opener's memory is the VM's: kvmgt's open_device and KVM's page-track
 * registration return ESRCH otherwise), so gvt-view's ways are a device fd
 * QEMU opened: a copy taken from QEMU (run, attach) or one inherited. */
#define HINT_NEEDS_VM \
  "needs its VM — a GVT-g vGPU opens only inside its VM's QEMU process (the kernel " \
  "ties it to the VM's KVM; dmesg says \"KVM is required to use Intel vGPU\"), so " \
  "gvt-view can't open it on its own: it shows it through the device fd that QEMU " \
  "opened — `gvt-view attach PID` for a running VM, `gvt-view run -- " \
  "qemu-system-x86_64 ...` to start one, or --fd N from a launcher"

#define HINT_SECOND_VGPU \
  "already in use — the kernel (EEXIST) says this vGPU or another GVT-g vGPU of the " \
  "same VM is attached, and a VM can use only one GVT-g vGPU"

/* Another process holds the vGPU. @holders: what `fuser -v` should look
 * at; @rule: why a second opener is refused. A busy GVT-g vGPU stays out of
 * reach after its holder exits (it needs its VM), any other comes free. */
static void
set_busy_error (GError **error, const char *named, const char *holders, const char *rule,
                gboolean gvt)
{
  if (gvt)
    set_error (error, GVT_ERROR_BUSY, named,
               "busy — another process, most likely its VM's QEMU, has this vGPU open "
               "(`fuser -v %s` names it), and %s; a GVT-g vGPU opens only inside its VM's "
               "QEMU anyway, so gvt-view shows it through the device fd that QEMU opened: "
               "`gvt-view attach PID` (QEMU's pid), or start the VM with `gvt-view run -- "
               "qemu-system-x86_64 ...`; or --fd N from a launcher", holders, rule);
  else
    set_error (error, GVT_ERROR_BUSY, named,
               "busy — another process, most likely a VM's QEMU, has this vGPU open "
               "(`fuser -v %s` names it), and %s: `gvt-view attach PID` shows it through "
               "a copy of QEMU's device fd, a launcher can hand it over with --fd N, and "
               "`gvt-view probe %s` works once that process exits", holders, rule, named);
}

#define RULE_GROUP "a VFIO group has one opener at a time"
#define RULE_DEVICE "a VFIO device has one user at a time"

/* An open() of @node failed with @err, neither ENOENT nor EBUSY (each
 * caller says what those mean for its node). @udev_match is the udev rule
 * match that grants access to this kind of node. */
static void
set_node_error (GError **error, const char *named, const char *node, int err,
                const char *udev_match)
{
  g_autofree char *on = on_node (named, node);

  if (err == EACCES || err == EPERM)
    set_error (error, GVT_ERROR_PERMISSION, named,
               "permission denied%s — add a udev rule such as %s, GROUP=\"kvm\", "
               "MODE=\"0660\" (e.g. in /etc/udev/rules.d/60-gvt-view.rules) and be in "
               "group kvm, or run gvt-view as root", on, udev_match);
  else
    set_error (error, GVT_ERROR_FAILED, named, "%s%s", g_strerror (err), on);
}

/* A failure of the step that opens the device itself inside the kernel
 * (GROUP_GET_DEVICE_FD, or BIND_IOMMUFD for a cdev): where GVT-g's
 * open_device refuses. @call names that ioctl; @holders, for EBUSY, where
 * the other user has the device open. */
static void
set_device_open_error (GError **error, const char *named, int err, const char *call,
                       const char *holders, gboolean gvt)
{
  switch (err)
    {
    case ESRCH:
      set_error (error, GVT_ERROR_NEEDS_VM, named, HINT_NEEDS_VM);
      break;
    case EEXIST:
      set_error (error, GVT_ERROR_BUSY, named, HINT_SECOND_VGPU);
      break;
    case EBUSY:
      set_busy_error (error, named, holders, RULE_DEVICE, gvt);
      break;
    case ENODEV:
    case EIO:
      set_error (error, GVT_ERROR_LOST, named,
                 "the vGPU is going away (%s) — `gvt-view list` shows the vGPUs left",
                 g_strerror (err));
      break;
    default:
      set_error (error, GVT_ERROR_FAILED, named, "%s failed: %s; `dmesg` may say why",
                 call, g_strerror (err));
      break;
    }
}

/* ---- the group path ---- */

static gboolean
open_container (GvtVgpuKernel *self, const char *named, GError **error)
{
  self->container_fd = open_rdwr ("/dev/vfio/vfio");
  if (self->container_fd < 0)
    {
      int err = errno;
      if (err == ENOENT)
        set_error (error, GVT_ERROR_NO_DEVICE, named,
                   "/dev/vfio/vfio is missing — VFIO is not loaded: run `modprobe vfio "
                   "vfio_iommu_type1` (and `modprobe kvmgt` for GVT-g, or load the mdev "
                   "driver of your device)");
      else
        set_node_error (error, named, "/dev/vfio/vfio", err, "KERNEL==\"vfio\"");
      return FALSE;
    }

  int version = xioctl (self->container_fd, VFIO_GET_API_VERSION, NULL);
  if (version < 0)
    {
      set_error (error, GVT_ERROR_UNSUPPORTED, named,
                 "/dev/vfio/vfio does not answer VFIO_GET_API_VERSION (%s): it is not a "
                 "VFIO container gvt-view can use", g_strerror (-version));
      return FALSE;
    }
  if (version != VFIO_API_VERSION)
    {
      set_error (error, GVT_ERROR_UNSUPPORTED, named,
                 "/dev/vfio/vfio speaks VFIO API version %d, gvt-view only %d: this "
                 "kernel's VFIO is not one gvt-view supports", version, VFIO_API_VERSION);
      return FALSE;
    }

  if (xioctl_value (self->container_fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0)
    {
      set_error (error, GVT_ERROR_UNSUPPORTED, named,
                 "the kernel's VFIO offers no Type1v2 IOMMU — run `modprobe vfio_iommu_type1`");
      return FALSE;
    }
  return TRUE;
}

/* The group node of an mdev the user named is missing: its driver has
 * not made it a VFIO device, or /dev lacks the node. */
static void
set_group_missing_error (GError **error, const char *named, const char *group_path,
                         const char *device_name)
{
  g_autofree char *link = g_strdup_printf ("/sys/bus/mdev/devices/%s/driver", device_name);
  g_autofree char *target = g_file_read_link (link, NULL);

  if (target == NULL)
    set_error (error, GVT_ERROR_NO_DEVICE, named,
               "its VFIO group %s does not exist: no VFIO driver is bound to the mdev — "
               "load it (modprobe kvmgt for GVT-g, vfio_mdev on older kernels)", group_path);
  else
    set_error (error, GVT_ERROR_NO_DEVICE, named,
               "its VFIO group %s does not exist although sysfs names it: /dev lacks the "
               "node (udev has not created it, or this is a container without the host's "
               "/dev/vfio)", group_path);
}

/* The device to ask the group for when the user named only the group:
 * its one member. */
static char *
pick_group_device (const char *named, const char *group, GError **error)
{
  g_autoptr(GPtrArray) devices = list_group_devices (group);

  if (devices == NULL || devices->len == 0)
    {
      set_error (error, GVT_ERROR_NO_DEVICE, named,
                 "IOMMU group %s lists no devices (nothing in /sys/kernel/iommu_groups/%s/"
                 "devices): the vGPU is gone or going away — `gvt-view list` shows the vGPUs",
                 group, group);
      return NULL;
    }
  if (devices->len > 1)
    {
      /* Guessing could open the wrong function of a PCI device. */
      g_ptr_array_add (devices, NULL);
      g_autofree char *names = g_strjoinv (", ", (char **) devices->pdata);
      set_error (error, GVT_ERROR_INVALID_ARGS, named,
                 "IOMMU group %s holds several devices (%s) — name the vGPU by its mdev "
                 "UUID or /sys/bus/mdev/devices/UUID instead", group, names);
      return NULL;
    }
  return g_strdup (g_ptr_array_index (devices, 0));
}

/* The group path for the device the user named @named: @group_path itself,
 * or the group an mdev resolved to (then @device_name is set). */
static GvtVgpu *
open_group (const char *named, const char *group_path, const char *device_name, GError **error)
{
  g_autofree char *group = group_number (group_path);
  if (group == NULL)
    {
      set_error (error, GVT_ERROR_INVALID_ARGS, named,
                 "not a VFIO group — give /dev/vfio/N, N being the IOMMU group number "
                 "(`gvt-view list` shows the vGPUs)");
      return NULL;
    }
  gboolean by_group = strcmp (named, group_path) == 0;
  g_autofree char *the_group = by_group ? g_strdup ("the group")
                                        : g_strdup_printf ("its group %s", group_path);

  g_autofree char *name = g_strdup_printf ("vfio %s", group);
  g_autoptr(GvtVgpu) vgpu = (GvtVgpu *) kernel_new (name);
  GvtVgpuKernel *self = (GvtVgpuKernel *) vgpu;

  if (!open_container (self, named, error))
    return NULL;

  self->group_fd = open_rdwr (group_path);
  if (self->group_fd < 0)
    {
      int err = errno;
      if (err == ENOENT && (by_group || device_name == NULL))
        {
          g_autofree char *existing = describe_existing ();
          set_error (error, GVT_ERROR_NO_DEVICE, named, "no such VFIO group%s", existing);
        }
      else if (err == ENOENT)
        set_group_missing_error (error, named, group_path, device_name);
      else if (err == EBUSY)
        set_busy_error (error, named, group_path, RULE_GROUP, group_is_gvt (group));
      else
        set_node_error (error, named, group_path, err, "SUBSYSTEM==\"vfio\"");
      return NULL;
    }

  struct vfio_group_status status = { .argsz = sizeof status };
  int ret = xioctl (self->group_fd, VFIO_GROUP_GET_STATUS, &status);
  if (ret < 0)
    {
      set_error (error, GVT_ERROR_FAILED, named,
                 "VFIO_GROUP_GET_STATUS on %s failed (%s): is %s a VFIO group node?",
                 the_group, g_strerror (-ret), group_path);
      return NULL;
    }
  if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
    {
      g_autoptr(GPtrArray) devices = list_group_devices (group);
      g_autofree char *members = describe_group_devices (group, devices);
      set_error (error, GVT_ERROR_NOT_VIABLE, named,
                 "IOMMU group %s is not viable — every device in "
                 "/sys/kernel/iommu_groups/%s/devices must be bound to a VFIO driver "
                 "(vfio-pci, vfio_mdev) or to none; it holds %s", group, group, members);
      return NULL;
    }

  ret = xioctl (self->group_fd, VFIO_GROUP_SET_CONTAINER, &self->container_fd);
  if (ret < 0)
    {
      set_error (error, GVT_ERROR_FAILED, named,
                 "the kernel refused to attach %s to a VFIO container (%s); `dmesg` may "
                 "say why", the_group, g_strerror (-ret));
      return NULL;
    }

  ret = xioctl_value (self->container_fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
  if (ret < 0)
    {
      set_error (error, GVT_ERROR_FAILED, named,
                 "the kernel refused the Type1v2 IOMMU for %s (%s); `dmesg` may say why",
                 the_group, g_strerror (-ret));
      return NULL;
    }

  g_autofree char *picked = NULL;
  if (device_name == NULL)
    {
      picked = pick_group_device (named, group, error);
      if (picked == NULL)
        return NULL;
      device_name = picked;
    }

  ret = xioctl (self->group_fd, VFIO_GROUP_GET_DEVICE_FD, (void *) device_name);
  if (ret < 0)
    {
      /* The group lists the device, but no VFIO driver registered it. */
      if (ret == -ENODEV)
        set_error (error, GVT_ERROR_NO_DEVICE, named,
                   "%s has no VFIO device %s — it is not bound to a VFIO driver, or is "
                   "being removed (see /sys/kernel/iommu_groups/%s/devices)",
                   the_group, device_name, group);
      else
        /* The group is ours, so another user has the device through a cdev. */
        set_device_open_error (error, named, -ret, "VFIO_GROUP_GET_DEVICE_FD",
                               "/dev/vfio/devices/*", group_is_gvt (group));
      return NULL;
    }
  self->device_fd = ret;

  self->presence_path = presence_path_for (device_name);
  g_debug ("opened %s in %s (fd %d)", device_name, group_path, self->device_fd);
  return g_steal_pointer (&vgpu);
}

GvtVgpu *
gvt_vgpu_kernel_open_group (const char *group_path, const char *device_name, GError **error)
{
  g_return_val_if_fail (group_path != NULL, NULL);
  return open_group (group_path, group_path, device_name, error);
}

/* ---- an mdev UUID or sysfs path ---- */

GvtVgpu *
gvt_vgpu_kernel_open_mdev (const char *mdev, GError **error)
{
  g_autofree char *group_path = NULL;
  g_autofree char *device_name = NULL;

  g_return_val_if_fail (mdev != NULL, NULL);
  if (!gvt_mdev_resolve (mdev, &group_path, &device_name, error))
    return NULL;
  return open_group (mdev, group_path, device_name, error);
}

/* ---- the cdev path ---- */

GvtVgpu *
gvt_vgpu_kernel_open_cdev (const char *cdev_path, GError **error)
{
  g_return_val_if_fail (cdev_path != NULL, NULL);

  g_autofree char *name = g_path_get_basename (cdev_path);
  g_autoptr(GvtVgpu) vgpu = (GvtVgpu *) kernel_new (name);
  GvtVgpuKernel *self = (GvtVgpuKernel *) vgpu;
  /* /sys/class/vfio-dev/vfioX/device is the device itself. */
  g_autofree char *sys_device = g_strdup_printf ("/sys/class/vfio-dev/%s/device", name);

  self->device_fd = open_rdwr (cdev_path);
  if (self->device_fd < 0)
    {
      int err = errno;
      if (err == ENOENT)
        {
          g_autofree char *existing = describe_existing ();
          set_error (error, GVT_ERROR_NO_DEVICE, cdev_path,
                     "no such VFIO device — device cdevs need Linux >= 6.6 with "
                     "CONFIG_VFIO_DEVICE_CDEV; the group /dev/vfio/N works everywhere%s",
                     existing);
        }
      else
        set_node_error (error, cdev_path, cdev_path, err, "SUBSYSTEM==\"vfio-dev\"");
      return NULL;
    }

  self->iommufd = open_rdwr ("/dev/iommu");
  if (self->iommufd < 0)
    {
      int err = errno;
      if (err == ENOENT)
        set_error (error, GVT_ERROR_UNSUPPORTED, cdev_path,
                   "there is no /dev/iommu (the kernel lacks IOMMUFD) — open the vGPU "
                   "through its group /dev/vfio/N instead");
      else
        set_node_error (error, cdev_path, "/dev/iommu", err, "KERNEL==\"iommu\"");
      return NULL;
    }

  struct vfio_device_bind_iommufd bind = {
    .argsz = sizeof bind,
    .iommufd = self->iommufd,
  };
  int ret = xioctl (self->device_fd, VFIO_DEVICE_BIND_IOMMUFD, &bind);
  if (ret < 0)
    {
      /* The other user may have it through its group or another cdev. */
      const char *holders = "/dev/vfio/* /dev/vfio/devices/*";
      if (ret == -EINVAL)
        /* The one bind-time EINVAL a well-formed request gets: the device
         * is open elsewhere (the cdev can't be shared, the group can). */
        set_busy_error (error, cdev_path, holders,
                        "a cdev binds only while no one else has the device open",
                        is_gvt_device (sys_device));
      else if (ret == -ENOTTY)
        set_error (error, GVT_ERROR_UNSUPPORTED, cdev_path,
                   "the kernel lacks VFIO_DEVICE_BIND_IOMMUFD — open the vGPU through its "
                   "group /dev/vfio/N instead");
      else
        set_device_open_error (error, cdev_path, -ret, "VFIO_DEVICE_BIND_IOMMUFD", holders,
                               is_gvt_device (sys_device));
      return NULL;
    }

  g_autofree char *target = g_file_read_link (sys_device, NULL);
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
      set_fd_error (error, GVT_ERROR_INVALID_ARGS, fd,
                    "it is not an open file descriptor — the program that starts gvt-view "
                    "must pass the device fd open (without FD_CLOEXEC)");
      return NULL;
    }

  struct vfio_device_info info = { .argsz = sizeof info };
  int ret = xioctl (fd, VFIO_DEVICE_GET_INFO, &info);
  if (ret == -ENODEV || ret == -EIO)
    {
      set_fd_error (error, GVT_ERROR_LOST, fd, "the VFIO device behind it is gone (%s)",
                    g_strerror (-ret));
      return NULL;
    }
  if (ret < 0)
    {
      set_fd_error (error, GVT_ERROR_INVALID_ARGS, fd,
                    "not an opened VFIO device (VFIO_DEVICE_GET_INFO: %s) — pass the "
                    "device fd of an open vGPU: one from VFIO_GROUP_GET_DEVICE_FD, or a "
                    "cdev already bound to an iommufd", g_strerror (-ret));
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

/* ---- a device fd taken from another process ---- */

/* The entry of the device at @syspath on its bus ("/sys/bus/mdev/devices/
 * UUID"), found through its subsystem link, or NULL. Not the device
 * directory itself: on removal the kernel drops the bus entry first and
 * the directory only once every fd is closed — once we let go. */
static char *
bus_entry_for (const char *syspath)
{
  g_autofree char *link = g_build_filename (syspath, "subsystem", NULL);
  g_autofree char *bus = realpath (link, NULL);
  g_autofree char *device = g_path_get_basename (syspath);
  if (bus == NULL)
    return NULL;

  char *entry = g_build_filename (bus, "devices", device, NULL);
  if (access (entry, F_OK) < 0)
    {
      g_free (entry);
      return NULL;
    }
  return entry;
}

GvtVgpu *
gvt_vgpu_kernel_open_taken_fd (int fd, const char *name, const char *syspath, GError **error)
{
  g_return_val_if_fail (fd >= 0 && name != NULL, NULL);

  struct vfio_device_info info = { .argsz = sizeof info };
  int ret = xioctl (fd, VFIO_DEVICE_GET_INFO, &info);
  if (ret == -ENODEV || ret == -EIO)
    {
      set_use_error (error, GVT_ERROR_LOST, name, "the VFIO device is gone (%s)",
                     g_strerror (-ret));
      return NULL;
    }
  if (ret < 0)
    {
      set_use_error (error, GVT_ERROR_NO_DEVICE, name,
                     "not an opened VFIO device (VFIO_DEVICE_GET_INFO: %s)",
                     g_strerror (-ret));
      return NULL;
    }

  /* pidfd_getfd sets it; a copy must never leak into a program we start
   * either, since it keeps the device (and QEMU's group) busy. */
  int flags = fcntl (fd, F_GETFD);
  if (flags >= 0)
    fcntl (fd, F_SETFD, flags | FD_CLOEXEC);

  GvtVgpuKernel *self = kernel_new (name);
  self->device_fd = fd;
  if (syspath != NULL)
    self->presence_path = bus_entry_for (syspath);
  g_debug ("%s: VFIO device fd %d, removal watched at %s", name, fd,
           self->presence_path ? self->presence_path : "(nowhere)");
  return (GvtVgpu *) self;
}

void
gvt_vgpu_kernel_watch_process (GvtVgpu *vgpu, int pidfd)
{
  GvtVgpuKernel *self = (GvtVgpuKernel *) vgpu;

  g_return_if_fail (vgpu->ops == &kernel_ops && pidfd >= 0);
  close_fd (&self->owner_pidfd);
  self->owner_pidfd = pidfd;
}
