/* The fake VFIO kernel for the tests: see fake-kernel.h for what it
 * emulates and how it hooks into umockdev. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <umockdev.h>

#include "fake-kernel.h"
#include "testutil.h"
#include "common/format.h"
#include "vgpu/vfio-compat.h"

/* Where the group path's device fd comes from: GROUP_GET_DEVICE_FD opens
 * this node, so that ioctls on the fd reach the handler as well. */
#define DEVICE_NODE "/dev/.gvt-fake/device"
#define DMABUF_NAME "gvt-fake-dmabuf"
/* The FIFO handed out as a dma-buf that can't seek, in the testbed root. */
#define UNSEEKABLE_NAME "gvt-fake-unseekable-dmabuf"

#define N_PCI_REGIONS 9          /* VFIO_PCI_NUM_REGIONS */
#define BAR0_SIZE (16u << 20)
#define CONFIG_SIZE 256
#define EDID_REGION_SIZE 128     /* what GVT-g reports, blob outside it */
#define SPARSE_AREAS 48          /* BAR2's capability: 784 bytes */
#define MAX_FILL_SIZE (64u << 20)

typedef enum {
  ROLE_NONE,
  ROLE_CONTAINER,
  ROLE_GROUP,
  ROLE_DEVICE, /* from GROUP_GET_DEVICE_FD: usable at once */
  ROLE_CDEV,   /* usable after BIND_IOMMUFD */
  ROLE_IOMMU,
} Role;

/* Per open file, kept on umockdev's client object. */
typedef struct {
  Role role;
  gboolean container_set; /* group: attached to a container */
  gboolean iommu_set;     /* container: SET_IOMMU done */
  gboolean bound;         /* cdev: BIND_IOMMUFD done */
} ClientState;

struct _GvtFakeKernel {
  UMockdevTestbed *testbed;
  UMockdevIoctlBase *handler;
  char *root;
  char *sys;
  int group;
  char *uuid, *type, *parent;
  GvtFakeDisplay display;
  GvtFakeQuirks quirks;
  gboolean has_cdev, has_edid;
  char *paths[GVT_FAKE_N_NODES];
  char *container_target;  /* what /proc/self/fd/N reads for a container fd */
  char *iommu_target;
  dev_t backing_dev;       /* the device file: how pread/pwrite spot its fds */
  ino_t backing_ino;
  int open_errno[GVT_FAKE_N_NODES]; /* read atomically by open() */
  gboolean held;                    /* read atomically by open() */
  gboolean removed;                 /* read atomically by open() */

  GMutex lock; /* all below: the handler runs on umockdev's thread */
  gboolean viable;
  int api_version;          /* what GET_API_VERSION answers */
  gboolean type1v2;         /* CHECK_EXTENSION/SET_IOMMU accept VFIO_TYPE1v2_IOMMU */
  GHashTable *ioctl_faults; /* call name ("group SET_CONTAINER") -> errno */
  gboolean lost;
  int device_open_errno;
  int next_query_errno;
  int edid_blob_errno;      /* fail_edid_blob */
  gboolean enomem_pending;
  gboolean corrupt_caps;
  guint32 corrupt_next;
  gboolean has_primary, has_cursor;
  struct vfio_device_gfx_plane_info primary, cursor;
  GHashTable *known;        /* dmabuf id -> plane last answered with it */
  GHashTable *gets;         /* dmabuf id -> GET_GFX_DMABUF count */
  GHashTable *dmabuf_sizes; /* dmabuf id -> gint64 (set_dmabuf_size) */
  guint gets_total;
  guint queries;
  guint32 fill;
  gboolean fill_pattern; /* word i = fill ^ (i * GVT_FAKE_PATTERN_STEP) */
  guint groups_attached;    /* group files with a container */
  guint iommu_containers;   /* container files with an IOMMU set */
  struct vfio_region_gfx_edid edid;
  guint8 edid_blob[GVT_FAKE_EDID_MAX_SIZE];
  GPtrArray *log;
};

/* The interposers below have no user data: they find the fake here. */
static GvtFakeKernel *current_fake;

/* ---- small helpers ---- */

static const char *
errno_name (int err)
{
  switch (err)
    {
    case EINVAL: return "EINVAL";
    case ENOTTY: return "ENOTTY";
    case ENODEV: return "ENODEV";
    case ENOENT: return "ENOENT";
    case EPERM: return "EPERM";
    case EBADF: return "EBADF";
    case EFAULT: return "EFAULT";
    case ENOMEM: return "ENOMEM";
    case ESRCH: return "ESRCH";
    case EEXIST: return "EEXIST";
    case EBUSY: return "EBUSY";
    case EIO: return "EIO";
    case EACCES: return "EACCES";
    default: return "E?";
    }
}

static void
log_call (GvtFakeKernel *self, int err, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

/* Call with the lock held. */
static void
log_call (GvtFakeKernel *self, int err, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  g_autofree char *entry = g_strdup_vprintf (fmt, args);
  va_end (args);
  if (err != 0)
    g_ptr_array_add (self->log, g_strdup_printf ("%s -> %s", entry, errno_name (err)));
  else
    g_ptr_array_add (self->log, g_steal_pointer (&entry));
}

static void
write_file (const char *path, const char *contents)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_autoptr(GError) error = NULL;
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
make_link (const char *target, const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  if (symlink (target, path) < 0)
    g_error ("cannot link %s -> %s: %s", path, target, g_strerror (errno));
}

static void
make_dir (const char *path)
{
  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
}

/* What /proc/self/fd/@fd points at, or NULL. */
static char *
fd_target (int fd)
{
  g_autofree char *link = g_strdup_printf ("/proc/self/fd/%d", fd);
  return g_file_read_link (link, NULL);
}

/* ---- sysfs ---- */

static char *
sys_path (GvtFakeKernel *self, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static char *
sys_path (GvtFakeKernel *self, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  g_autofree char *rel = g_strdup_vprintf (fmt, args);
  va_end (args);
  return g_build_filename (self->sys, rel, NULL);
}

static void
add_mdev_sysfs (GvtFakeKernel *self, const char *uuid, int group)
{
  g_autofree char *dev = sys_path (self, "devices/pci0000:00/%s/%s", self->parent, uuid);
  g_autofree char *p = NULL;

  make_dir (dev);
  write_file ((p = g_build_filename (dev, "uevent", NULL)), "MDEV_TYPE=");
  g_clear_pointer (&p, g_free);
  make_link ("../../../../bus/mdev", (p = g_build_filename (dev, "subsystem", NULL)));
  g_clear_pointer (&p, g_free);
  g_autofree char *type_link = g_strdup_printf ("../mdev_supported_types/%s", self->type);
  make_link (type_link, (p = g_build_filename (dev, "mdev_type", NULL)));
  g_clear_pointer (&p, g_free);
  g_autofree char *from_bus = g_strdup_printf ("../../../devices/pci0000:00/%s/%s",
                                               self->parent, uuid);
  make_link (from_bus, (p = sys_path (self, "bus/mdev/devices/%s", uuid)));
  g_clear_pointer (&p, g_free);

  /* Unbound: no driver, so no VFIO device and no IOMMU group. */
  if (group >= 0)
    {
      make_link ("../../../../bus/mdev/drivers/vfio_mdev",
                 (p = g_build_filename (dev, "driver", NULL)));
      g_clear_pointer (&p, g_free);
      g_autofree char *group_link = g_strdup_printf ("../../../../kernel/iommu_groups/%d", group);
      make_link (group_link, (p = g_build_filename (dev, "iommu_group", NULL)));
      g_clear_pointer (&p, g_free);
      g_autofree char *from_group = g_strdup_printf ("../../../../devices/pci0000:00/%s/%s",
                                                     self->parent, uuid);
      make_link (from_group, (p = sys_path (self, "kernel/iommu_groups/%d/devices/%s", group,
                                            uuid)));
      g_clear_pointer (&p, g_free);
    }
  g_autofree char *from_type = g_strdup_printf ("../../../%s", uuid);
  make_link (from_type, (p = sys_path (self, "devices/pci0000:00/%s/mdev_supported_types/%s/devices/%s",
                                       self->parent, self->type, uuid)));
}

static void
build_sysfs (GvtFakeKernel *self)
{
  g_autofree char *parent = sys_path (self, "devices/pci0000:00/%s", self->parent);
  g_autofree char *types = g_build_filename (parent, "mdev_supported_types", self->type, NULL);
  g_autofree char *p = NULL;

  make_dir ((p = sys_path (self, "bus/pci/drivers/i915")));
  g_clear_pointer (&p, g_free);
  make_dir ((p = sys_path (self, "bus/mdev/drivers/vfio_mdev")));
  g_clear_pointer (&p, g_free);
  make_link ("../../../bus/pci/drivers/i915", (p = g_build_filename (parent, "driver", NULL)));
  g_clear_pointer (&p, g_free);
  g_autofree char *from_class = g_strdup_printf ("../../devices/pci0000:00/%s", self->parent);
  make_link (from_class, (p = sys_path (self, "class/mdev_bus/%s", self->parent)));
  g_clear_pointer (&p, g_free);

  const char *name = strchr (self->type, '-') ? strchr (self->type, '-') + 1 : self->type;
  write_file ((p = g_build_filename (types, "name", NULL)), name);
  g_clear_pointer (&p, g_free);
  write_file ((p = g_build_filename (types, "description", NULL)),
              "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\nresolution: 1920x1200\nweight: 4\n");
  g_clear_pointer (&p, g_free);
  write_file ((p = g_build_filename (types, "available_instances", NULL)), "1\n");
  g_clear_pointer (&p, g_free);
  write_file ((p = g_build_filename (types, "device_api", NULL)), "vfio-pci\n");
  g_clear_pointer (&p, g_free);
  make_dir ((p = g_build_filename (types, "devices", NULL)));
  g_clear_pointer (&p, g_free);

  add_mdev_sysfs (self, self->uuid, self->group);

  if (self->has_cdev)
    {
      make_dir ((p = g_build_filename (parent, self->uuid, "vfio-dev", "vfio0", NULL)));
      g_clear_pointer (&p, g_free);
      /* As the kernel has it: the cdev's device is the mdev. */
      g_autofree char *to_device = g_strdup_printf ("../../../%s", self->uuid);
      make_link (to_device, (p = g_build_filename (parent, self->uuid, "vfio-dev", "vfio0",
                                                   "device", NULL)));
      g_clear_pointer (&p, g_free);
      g_autofree char *from_cdev = g_strdup_printf ("../../devices/pci0000:00/%s/%s/vfio-dev/vfio0",
                                                    self->parent, self->uuid);
      make_link (from_cdev, (p = sys_path (self, "class/vfio-dev/vfio0")));
    }
}

void
gvt_fake_kernel_add_mdev (GvtFakeKernel *self, const char *uuid, int group)
{
  add_mdev_sysfs (self, uuid, group);
}

void
gvt_fake_kernel_add_group_member (GvtFakeKernel *self, const char *name, const char *driver)
{
  g_autofree char *dev = sys_path (self, "devices/pci0000:00/%s", name);
  g_autofree char *p = NULL;

  make_dir (dev);
  if (driver != NULL)
    {
      make_dir ((p = sys_path (self, "bus/pci/drivers/%s", driver)));
      g_clear_pointer (&p, g_free);
      g_autofree char *target = g_strdup_printf ("../../../bus/pci/drivers/%s", driver);
      make_link (target, (p = g_build_filename (dev, "driver", NULL)));
      g_clear_pointer (&p, g_free);
    }
  g_autofree char *from_group = g_strdup_printf ("../../../../devices/pci0000:00/%s", name);
  make_link (from_group, (p = sys_path (self, "kernel/iommu_groups/%d/devices/%s",
                                        self->group, name)));
}

/* ---- regions ---- */

typedef struct {
  guint32 flags;
  guint64 size;
  gboolean sparse;  /* BAR2's long sparse-mmap chain */
  gboolean edid;    /* the GFX/EDID type capability */
} FakeRegion;

static gboolean
lookup_region (GvtFakeKernel *self, guint32 index, FakeRegion *out)
{
  const guint32 rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
  FakeRegion region = { 0 };

  switch (index)
    {
    case VFIO_PCI_BAR0_REGION_INDEX:
      region = (FakeRegion) { .flags = rw, .size = BAR0_SIZE };
      break;
    case VFIO_PCI_BAR2_REGION_INDEX:
      region = (FakeRegion) { .flags = rw | VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS,
                              .size = GVT_FAKE_BAR2_SIZE, .sparse = TRUE };
      break;
    case VFIO_PCI_BAR1_REGION_INDEX:
    case VFIO_PCI_BAR3_REGION_INDEX:
    case VFIO_PCI_BAR4_REGION_INDEX:
    case VFIO_PCI_BAR5_REGION_INDEX:
    case VFIO_PCI_ROM_REGION_INDEX:
    case VFIO_PCI_VGA_REGION_INDEX:
      break;
    case VFIO_PCI_CONFIG_REGION_INDEX:
      region = (FakeRegion) { .flags = rw, .size = CONFIG_SIZE };
      break;
    case GVT_FAKE_EDID_REGION:
      if (!self->has_edid)
        return FALSE;
      region = (FakeRegion) { .flags = rw | VFIO_REGION_INFO_FLAG_CAPS,
                              .size = EDID_REGION_SIZE, .edid = TRUE };
      break;
    case GVT_FAKE_FB_REGION:
      /* mdpy answers for it without listing it in num_regions. */
      if (self->display != GVT_FAKE_DISPLAY_REGION)
        return FALSE;
      region = (FakeRegion) { .flags = rw | VFIO_REGION_INFO_FLAG_MMAP, .size = GVT_FAKE_FB_SIZE };
      break;
    default:
      return FALSE;
    }
  *out = region;
  return TRUE;
}

static guint64
region_offset (guint32 index)
{
  return (guint64) index << GVT_FAKE_REGION_SHIFT;
}

/* The capability chain of @region, offsets counted from the start of
 * struct vfio_region_info as the kernel does. */
static GByteArray *
region_caps (GvtFakeKernel *self, const FakeRegion *region)
{
  GByteArray *caps = g_byte_array_new ();
  const guint32 base = sizeof (struct vfio_region_info);

  if (region->sparse)
    {
      gsize len = sizeof (struct vfio_region_info_cap_sparse_mmap)
                  + SPARSE_AREAS * sizeof (struct vfio_region_sparse_mmap_area);
      g_autofree struct vfio_region_info_cap_sparse_mmap *cap = g_malloc0 (len);
      cap->header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
      cap->header.version = 1;
      cap->nr_areas = SPARSE_AREAS;
      for (guint i = 0; i < SPARSE_AREAS; i++)
        {
          cap->areas[i].offset = (guint64) i * (GVT_FAKE_BAR2_SIZE / SPARSE_AREAS);
          cap->areas[i].size = 4096;
        }
      g_byte_array_append (caps, (const guint8 *) cap, len);
    }

  if (region->edid)
    {
      struct vfio_region_info_cap_type cap = {
        .header = { .id = VFIO_REGION_INFO_CAP_TYPE, .version = 1 },
        .type = VFIO_REGION_TYPE_GFX,
        .subtype = VFIO_REGION_SUBTYPE_GFX_EDID,
      };
      /* A second, unknown capability behind it: readers must skip it. */
      struct vfio_info_cap_header unknown = { .id = 0x7777, .version = 1 };
      guint32 at = base + caps->len;
      cap.header.next = self->corrupt_caps ? self->corrupt_next : at + sizeof cap;
      g_byte_array_append (caps, (const guint8 *) &cap, sizeof cap);
      g_byte_array_append (caps, (const guint8 *) &unknown, sizeof unknown);
    }
  return caps;
}

/* ---- the device's EDID registers (reached by pread/pwrite) ---- */

static gboolean
edid_blob_valid (GvtFakeKernel *self)
{
  static const guint8 header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };
  guint8 sum = 0;

  if (self->edid.edid_size < 128 || self->edid.edid_size % 128 != 0
      || memcmp (self->edid_blob, header, sizeof header) != 0)
    return FALSE;
  for (guint i = 0; i < 128; i++)
    sum += self->edid_blob[i];
  return sum == 0;
}

static const char *
edid_field_name (guint64 offset)
{
  switch (offset)
    {
    case G_STRUCT_OFFSET (struct vfio_region_gfx_edid, edid_offset): return "edid_offset";
    case G_STRUCT_OFFSET (struct vfio_region_gfx_edid, edid_max_size): return "edid_max_size";
    case G_STRUCT_OFFSET (struct vfio_region_gfx_edid, edid_size): return "edid_size";
    case G_STRUCT_OFFSET (struct vfio_region_gfx_edid, max_xres): return "max_xres";
    case G_STRUCT_OFFSET (struct vfio_region_gfx_edid, max_yres): return "max_yres";
    case G_STRUCT_OFFSET (struct vfio_region_gfx_edid, link_state): return "link_state";
    default: return "?";
    }
}

/* One access at @rel inside the EDID region, GVT-g's way: registers take
 * exactly 4 aligned bytes, the blob any span inside edid_max_size. Returns
 * bytes done or -errno. Call with the lock held. */
static gssize
edid_access (GvtFakeKernel *self, gboolean write, guint64 rel, void *buf, gsize len)
{
  const guint64 regs_size = sizeof (struct vfio_region_gfx_edid);

  if (rel < regs_size)
    {
      if (len != 4 || rel % 4 != 0)
        {
          if (write)
            log_call (self, EINVAL, "edid write %u bytes at %u", (guint) len, (guint) rel);
          return -EINVAL;
        }

      guint32 *reg = (guint32 *) ((guint8 *) &self->edid + rel);
      if (!write)
        {
          memcpy (buf, reg, 4);
          return 4;
        }

      guint32 value;
      memcpy (&value, buf, 4);
      const char *field = edid_field_name (rel);
      int err = 0;

      if (reg == &self->edid.edid_size)
        err = value > self->edid.edid_max_size ? EINVAL : 0;
      else if (reg == &self->edid.link_state)
        {
          if (value == VFIO_DEVICE_GFX_LINK_STATE_UP)
            err = edid_blob_valid (self) ? 0 : EINVAL;
          else if (value != VFIO_DEVICE_GFX_LINK_STATE_DOWN)
            err = EINVAL;
        }
      else
        err = EPERM;

      log_call (self, err, "edid %s=%u", field, value);
      if (err != 0)
        return -err;
      *reg = value;
      return 4;
    }

  if (rel >= self->edid.edid_offset && len <= self->edid.edid_max_size
      && rel - self->edid.edid_offset <= self->edid.edid_max_size - len)
    {
      guint64 at = rel - self->edid.edid_offset;
      /* GVT-g's rule (handle_edid_blob): a blob write ends within the
       * edid_size set before it, not only within edid_max_size. */
      int err = self->edid_blob_errno;
      if (write && err == 0 && at + len > self->edid.edid_size)
        err = EFAULT;
      if (write && err != 0)
        {
          log_call (self, err, "edid blob+%u:%u", (guint) at, (guint) len);
          return -err;
        }
      if (write)
        {
          memcpy (self->edid_blob + at, buf, len);
          log_call (self, 0, "edid blob+%u:%u", (guint) at, (guint) len);
        }
      else
        memcpy (buf, self->edid_blob + at, len);
      return len;
    }

  if (write)
    log_call (self, EINVAL, "edid write %u bytes at %u", (guint) len, (guint) rel);
  return -EINVAL;
}

/* pread/pwrite on a device fd: the EDID registers are the fake's, the rest
 * is the file. Returns FALSE to let the file serve the access. */
static gboolean
device_access (GvtFakeKernel *self, gboolean write, void *buf, gsize len, off_t pos,
               gssize *result)
{
  gboolean handled = FALSE;
  const guint64 edid_start = region_offset (GVT_FAKE_EDID_REGION);

  g_mutex_lock (&self->lock);
  if (self->lost)
    {
      *result = -ENODEV;
      handled = TRUE;
    }
  else if (self->has_edid && pos >= 0 && (guint64) pos >= edid_start
           && (guint64) pos < edid_start + 4096)
    {
      *result = edid_access (self, write, (guint64) pos - edid_start, buf, len);
      handled = TRUE;
    }
  g_mutex_unlock (&self->lock);
  return handled;
}

static gboolean
is_device_fd (GvtFakeKernel *self, int fd)
{
  struct stat st;
  int saved = errno;
  gboolean yes = fstat (fd, &st) == 0 && st.st_dev == self->backing_dev
                 && st.st_ino == self->backing_ino;
  errno = saved;
  return yes;
}

/* ---- the ioctl handler ---- */

typedef struct {
  long ret;
  int err;
} Reply;

#define REPLY_OK(value) ((Reply) { .ret = (value), .err = 0 })
#define REPLY_ERR(e) ((Reply) { .ret = -1, .err = (e) })

/* The struct behind the ioctl's pointer argument: at least @minsz bytes
 * (else EINVAL), as many as its argsz says up to @maxsz. umockdev's resolve
 * copies a fixed length, so the argsz is peeked at first: the caller is this
 * process, blocked in ioctl() until we complete. */
static gpointer
resolve_argsz (UMockdevIoctlClient *client, gsize minsz, gsize maxsz, gsize *len,
               UMockdevIoctlData **data, int *err)
{
  UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg (client);
  const guint32 *user = *(const guint32 *const *) arg->data;

  if (user == NULL)
    {
      *err = EFAULT;
      return NULL;
    }
  if (*user < minsz)
    {
      *err = EINVAL;
      return NULL;
    }
  *len = MIN ((gsize) *user, maxsz);
  g_autoptr(GError) error = NULL;
  *data = umockdev_ioctl_data_resolve (arg, 0, *len, &error);
  if (*data == NULL)
    {
      *err = EFAULT;
      return NULL;
    }
  return (*data)->data;
}

static gpointer
resolve_fixed (UMockdevIoctlClient *client, gsize len, UMockdevIoctlData **data, int *err)
{
  UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg (client);
  g_autoptr(GError) error = NULL;

  if (*(const void *const *) arg->data == NULL)
    {
      *err = EFAULT;
      return NULL;
    }
  *data = umockdev_ioctl_data_resolve (arg, 0, len, &error);
  if (*data == NULL)
    {
      *err = EFAULT;
      return NULL;
    }
  return (*data)->data;
}

static gulong
arg_value (UMockdevIoctlClient *client)
{
  UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg (client);
  gulong value;
  memcpy (&value, arg->data, sizeof value);
  return value;
}

static Reply
container_ioctl (GvtFakeKernel *self, ClientState *state, UMockdevIoctlClient *client,
                 gulong request)
{
  Reply reply;

  switch (request)
    {
    case VFIO_GET_API_VERSION:
      log_call (self, 0, "container GET_API_VERSION");
      return REPLY_OK (self->api_version);

    case VFIO_CHECK_EXTENSION:
      {
        gulong ext = arg_value (client);
        log_call (self, 0, "container CHECK_EXTENSION %lu", ext);
        return REPLY_OK (ext == VFIO_TYPE1_IOMMU || (ext == VFIO_TYPE1v2_IOMMU && self->type1v2));
      }

    case VFIO_SET_IOMMU:
      {
        gulong type = arg_value (client);
        /* The kernel wants a group in the container first, and only once. */
        if (self->groups_attached == 0 || state->iommu_set)
          reply = REPLY_ERR (EINVAL);
        else if (type != VFIO_TYPE1_IOMMU && (type != VFIO_TYPE1v2_IOMMU || !self->type1v2))
          reply = REPLY_ERR (ENODEV);
        else
          {
            state->iommu_set = TRUE;
            self->iommu_containers++;
            reply = REPLY_OK (0);
          }
        log_call (self, reply.err, "container SET_IOMMU %lu", type);
        return reply;
      }

    default:
      log_call (self, ENOTTY, "container 0x%lx", request);
      return REPLY_ERR (ENOTTY);
    }
}

/* GROUP_GET_DEVICE_FD: a new fd on the device node, so that the fd's
 * ioctls come back here. Opening an emulated node from the handler is
 * fine; ioctl()ing one would deadlock umockdev's one worker thread. */
static Reply
group_get_device_fd (GvtFakeKernel *self, ClientState *state, UMockdevIoctlClient *client)
{
  UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg (client);
  const char *user = *(const char *const *) arg->data;
  if (user == NULL)
    return REPLY_ERR (EFAULT);

  /* The kernel copies at most a page of name. */
  g_autofree char *name = g_strndup (user, 4096);
  int err = 0;

  if (!state->container_set || self->iommu_containers == 0)
    err = EINVAL;
  else if (strcmp (name, self->uuid) != 0)
    err = ENODEV;
  else if (self->device_open_errno != 0)
    err = self->device_open_errno;
  else if (self->lost)
    err = ENODEV;

  if (err != 0)
    {
      log_call (self, err, "group GET_DEVICE_FD %s", name);
      return REPLY_ERR (err);
    }

  int fd = open (DEVICE_NODE, O_RDWR | O_CLOEXEC);
  if (fd < 0)
    g_error ("fake kernel: cannot open %s: %s", DEVICE_NODE, g_strerror (errno));
  log_call (self, 0, "group GET_DEVICE_FD %s", name);
  return REPLY_OK (fd);
}

static Reply
group_ioctl (GvtFakeKernel *self, ClientState *state, UMockdevIoctlClient *client,
             gulong request)
{
  g_autoptr(UMockdevIoctlData) data = NULL;
  Reply reply;
  int err = 0;
  gsize len;

  switch (request)
    {
    case VFIO_GROUP_GET_STATUS:
      {
        struct vfio_group_status *status =
          resolve_argsz (client, sizeof *status, sizeof *status, &len, &data, &err);
        if (status == NULL)
          reply = REPLY_ERR (err);
        else
          {
            status->flags = (self->viable ? VFIO_GROUP_FLAGS_VIABLE : 0)
                            | (state->container_set ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
            reply = REPLY_OK (0);
          }
        log_call (self, reply.err, "group GET_STATUS");
        return reply;
      }

    case VFIO_GROUP_SET_CONTAINER:
      {
        const int *fd = resolve_fixed (client, sizeof (int), &data, &err);
        g_autofree char *target = fd ? fd_target (*fd) : NULL;
        if (fd == NULL)
          reply = REPLY_ERR (err);
        else if (target == NULL)
          reply = REPLY_ERR (EBADF);
        else if (strcmp (target, self->container_target) != 0 || state->container_set)
          reply = REPLY_ERR (EINVAL);
        else if (!self->viable)
          reply = REPLY_ERR (EPERM);
        else
          {
            state->container_set = TRUE;
            self->groups_attached++;
            reply = REPLY_OK (0);
          }
        log_call (self, reply.err, "group SET_CONTAINER");
        return reply;
      }

    case VFIO_GROUP_UNSET_CONTAINER:
      if (state->container_set)
        {
          state->container_set = FALSE;
          self->groups_attached--;
          reply = REPLY_OK (0);
        }
      else
        reply = REPLY_ERR (EINVAL);
      log_call (self, reply.err, "group UNSET_CONTAINER");
      return reply;

    case VFIO_GROUP_GET_DEVICE_FD:
      return group_get_device_fd (self, state, client);

    default:
      log_call (self, ENOTTY, "group 0x%lx", request);
      return REPLY_ERR (ENOTTY);
    }
}

static Reply
device_get_region_info (GvtFakeKernel *self, UMockdevIoctlClient *client)
{
  g_autoptr(UMockdevIoctlData) data = NULL;
  UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg (client);
  const struct vfio_region_info *user = *(const struct vfio_region_info *const *) arg->data;
  const gsize minsz = sizeof (struct vfio_region_info);
  FakeRegion region;
  int err = 0;
  gsize len;

  if (user == NULL)
    return REPLY_ERR (EFAULT);
  guint32 index = user->argsz >= minsz ? user->index : G_MAXUINT32;
  if (!lookup_region (self, index, &region))
    {
      log_call (self, EINVAL, "device GET_REGION_INFO %u", index);
      return REPLY_ERR (EINVAL);
    }

  g_autoptr(GByteArray) caps = region_caps (self, &region);
  struct vfio_region_info *info =
    resolve_argsz (client, minsz, minsz + caps->len, &len, &data, &err);
  if (info == NULL)
    {
      log_call (self, err, "device GET_REGION_INFO %u", index);
      return REPLY_ERR (err);
    }

  info->flags = region.flags;
  info->size = region.size;
  info->offset = region_offset (index);
  info->cap_offset = 0;
  if (caps->len > 0)
    {
      if (len < minsz + caps->len)
        info->argsz = minsz + caps->len;
      else
        {
          memcpy ((guint8 *) info + minsz, caps->data, caps->len);
          info->cap_offset = minsz;
        }
    }
  log_call (self, 0, "device GET_REGION_INFO %u", index);
  return REPLY_OK (0);
}

static const char *
query_what (guint32 flags, guint32 plane_type, char buf[32])
{
  if (flags == (VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF))
    return "probe-dmabuf";
  if (flags == (VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_REGION))
    return "probe-region";
  if (flags == VFIO_GFX_PLANE_TYPE_DMABUF || flags == VFIO_GFX_PLANE_TYPE_REGION)
    {
      if (plane_type == 1)
        return "primary";
      if (plane_type == 2)
        return "cursor";
    }
  g_snprintf (buf, 32, "flags=0x%x type=%u", flags, plane_type);
  return buf;
}

static int
query_plane (GvtFakeKernel *self, struct vfio_device_gfx_plane_info *info)
{
  const guint32 kind = self->display == GVT_FAKE_DISPLAY_REGION
                       ? VFIO_GFX_PLANE_TYPE_REGION : VFIO_GFX_PLANE_TYPE_DMABUF;

  if (self->display == GVT_FAKE_DISPLAY_NONE)
    return ENOTTY;
  if (info->flags & VFIO_GFX_PLANE_TYPE_PROBE)
    return info->flags == (VFIO_GFX_PLANE_TYPE_PROBE | kind) ? 0 : EINVAL;
  if (info->flags != kind || (info->drm_plane_type != 1 && info->drm_plane_type != 2))
    return EINVAL;

  self->queries++;
  gboolean primary = info->drm_plane_type == 1;
  if (self->next_query_errno != 0)
    {
      int err = self->next_query_errno;
      self->next_query_errno = 0;
      return err;
    }
  if (primary && self->enomem_pending)
    {
      self->enomem_pending = FALSE;
      return ENOMEM;
    }

  const struct vfio_device_gfx_plane_info *plane = NULL;
  if (primary && self->has_primary)
    plane = &self->primary;
  else if (!primary && self->has_cursor)
    plane = &self->cursor;

  const gsize head = G_STRUCT_OFFSET (struct vfio_device_gfx_plane_info, drm_format);
  if (plane == NULL)
    {
      if (!(self->quirks & GVT_FAKE_QUIRK_ECHO_WHEN_OFF))
        memset ((guint8 *) info + head, 0, sizeof *info - head);
      return 0;
    }

  memcpy ((guint8 *) info + head, (const guint8 *) plane + head, sizeof *info - head);
  if (kind == VFIO_GFX_PLANE_TYPE_DMABUF && plane->drm_format != 0 && plane->size != 0)
    g_hash_table_replace (self->known, GUINT_TO_POINTER (plane->dmabuf_id),
                          g_memdup2 (plane, sizeof *plane));
  return 0;
}

static Reply
device_query_plane (GvtFakeKernel *self, UMockdevIoctlClient *client)
{
  g_autoptr(UMockdevIoctlData) data = NULL;
  struct vfio_device_gfx_plane_info *info;
  int err = 0;
  gsize len;
  char buf[32];

  info = resolve_argsz (client, sizeof *info, sizeof *info, &len, &data, &err);
  if (info == NULL)
    {
      log_call (self, err, "device QUERY_GFX_PLANE");
      return REPLY_ERR (err);
    }
  const char *what = query_what (info->flags, info->drm_plane_type, buf);
  err = query_plane (self, info);
  log_call (self, err, "device QUERY_GFX_PLANE %s", what);
  return err ? REPLY_ERR (err) : REPLY_OK (0);
}

/* A FIFO standing in for a dma-buf that can't tell its size. */
static int
make_unseekable_dmabuf (GvtFakeKernel *self)
{
  g_autofree char *path = g_build_filename (self->root, UNSEEKABLE_NAME, NULL);
  if (mkfifo (path, 0600) < 0 && errno != EEXIST)
    return -errno;
  /* Read-write: a FIFO opens at once then, with no writer needed. */
  int fd = open (path, O_RDWR);
  return fd < 0 ? -errno : fd;
}

/* A memfd standing in for the dma-buf, as big as the plane says (whole
 * pages, like a GEM object) unless set_dmabuf_size said otherwise, without
 * FD_CLOEXEC like mbochs'. */
static int
make_dmabuf (GvtFakeKernel *self, const struct vfio_device_gfx_plane_info *plane)
{
  const gint64 *forced = g_hash_table_lookup (self->dmabuf_sizes,
                                              GUINT_TO_POINTER (plane->dmabuf_id));
  if (forced != NULL && *forced == GVT_FAKE_DMABUF_UNSEEKABLE)
    return make_unseekable_dmabuf (self);

  int fd = memfd_create (DMABUF_NAME, 0);
  if (fd < 0)
    return -errno;

  gsize size = forced != NULL ? (gsize) *forced
                              : ((gsize) plane->size + 4095) & ~(gsize) 4095;
  if (ftruncate (fd, size) < 0)
    {
      int err = errno;
      close (fd);
      return -err;
    }
  if ((self->fill != 0 || self->fill_pattern) && size > 0 && size <= MAX_FILL_SIZE)
    {
      guint32 *map = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (map != MAP_FAILED)
        {
          for (gsize i = 0; i < size / 4; i++)
            map[i] = self->fill_pattern ? gvt_fake_pattern_word (self->fill, i) : self->fill;
          munmap (map, size);
        }
    }
  return fd;
}

static Reply
device_get_dmabuf (GvtFakeKernel *self, UMockdevIoctlClient *client)
{
  g_autoptr(UMockdevIoctlData) data = NULL;
  int err = 0;

  const guint32 *id = resolve_fixed (client, sizeof (guint32), &data, &err);
  if (id == NULL)
    {
      log_call (self, err, "device GET_GFX_DMABUF");
      return REPLY_ERR (err);
    }

  const struct vfio_device_gfx_plane_info *plane = NULL;
  if (self->display != GVT_FAKE_DISPLAY_DMABUF)
    err = ENOTTY;
  else if ((plane = g_hash_table_lookup (self->known, GUINT_TO_POINTER (*id))) == NULL)
    err = ENOENT;

  int fd = err ? -1 : make_dmabuf (self, plane);
  if (fd < 0 && err == 0)
    err = -fd;
  if (err == 0)
    {
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->gets, GUINT_TO_POINTER (*id)));
      g_hash_table_replace (self->gets, GUINT_TO_POINTER (*id), GUINT_TO_POINTER (count + 1));
      self->gets_total++;
    }
  log_call (self, err, "device GET_GFX_DMABUF %u", *id);
  return err ? REPLY_ERR (err) : REPLY_OK (fd);
}

static Reply
device_bind (GvtFakeKernel *self, ClientState *state, UMockdevIoctlClient *client)
{
  g_autoptr(UMockdevIoctlData) data = NULL;
  struct vfio_device_bind_iommufd *bind;
  int err = 0;
  gsize len;

  bind = resolve_argsz (client, sizeof *bind, sizeof *bind, &len, &data, &err);
  if (bind != NULL)
    {
      g_autofree char *target = fd_target (bind->iommufd);
      if (state->role != ROLE_CDEV || state->bound || bind->flags != 0)
        err = EINVAL;
      else if (target == NULL || strcmp (target, self->iommu_target) != 0)
        err = EBADF;
      else if (g_atomic_int_get (&self->held))
        /* The cdev path can't share a device the group path has open. */
        err = EINVAL;
      else if (self->device_open_errno != 0)
        err = self->device_open_errno;
      else
        {
          state->bound = TRUE;
          bind->out_devid = 1;
        }
    }
  log_call (self, err, "device BIND_IOMMUFD");
  return err ? REPLY_ERR (err) : REPLY_OK (0);
}

static Reply
device_ioctl (GvtFakeKernel *self, ClientState *state, UMockdevIoctlClient *client,
              gulong request)
{
  g_autoptr(UMockdevIoctlData) data = NULL;
  int err = 0;
  gsize len;

  if (request == VFIO_DEVICE_BIND_IOMMUFD)
    return device_bind (self, state, client);

  if (self->lost || (state->role == ROLE_CDEV && !state->bound))
    {
      /* Gone, or a cdev fd not bound yet: the kernel refuses everything. */
      err = self->lost ? ENODEV : EINVAL;
      log_call (self, err, "device 0x%lx", request);
      return REPLY_ERR (err);
    }

  switch (request)
    {
    case VFIO_DEVICE_GET_INFO:
      {
        struct vfio_device_info *info =
          resolve_argsz (client, G_STRUCT_OFFSET (struct vfio_device_info, num_irqs) + 4,
                         sizeof *info, &len, &data, &err);
        if (info != NULL)
          {
            info->flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
            info->num_regions = N_PCI_REGIONS + (self->has_edid ? 1 : 0);
            info->num_irqs = VFIO_PCI_NUM_IRQS;
          }
        log_call (self, err, "device GET_INFO");
        return err ? REPLY_ERR (err) : REPLY_OK (0);
      }

    case VFIO_DEVICE_GET_REGION_INFO:
      return device_get_region_info (self, client);

    case VFIO_DEVICE_QUERY_GFX_PLANE:
      return device_query_plane (self, client);

    case VFIO_DEVICE_GET_GFX_DMABUF:
      return device_get_dmabuf (self, client);

    case VFIO_DEVICE_RESET:
      log_call (self, 0, "device RESET");
      return REPLY_OK (0);

    default:
      log_call (self, ENOTTY, "device 0x%lx", request);
      return REPLY_ERR (ENOTTY);
    }
}

static Role
role_of (GvtFakeKernel *self, const char *devnode)
{
  if (g_strcmp0 (devnode, self->paths[GVT_FAKE_NODE_CONTAINER]) == 0)
    return ROLE_CONTAINER;
  if (g_strcmp0 (devnode, self->paths[GVT_FAKE_NODE_GROUP]) == 0)
    return ROLE_GROUP;
  if (g_strcmp0 (devnode, self->paths[GVT_FAKE_NODE_CDEV]) == 0)
    return ROLE_CDEV;
  if (g_strcmp0 (devnode, self->paths[GVT_FAKE_NODE_IOMMU]) == 0)
    return ROLE_IOMMU;
  if (g_strcmp0 (devnode, DEVICE_NODE) == 0)
    return ROLE_DEVICE;
  return ROLE_NONE;
}

static ClientState *
client_state (GvtFakeKernel *self, UMockdevIoctlClient *client)
{
  ClientState *state = g_object_get_data (G_OBJECT (client), "gvt-fake-state");
  if (state == NULL)
    {
      state = g_new0 (ClientState, 1);
      state->role = role_of (self, umockdev_ioctl_client_get_devnode (client));
      g_object_set_data_full (G_OBJECT (client), "gvt-fake-state", state, g_free);
    }
  return state;
}

/* The log's name of a call, without its arguments, for the ioctls a test
 * can make fail with gvt_fake_kernel_fail_ioctl; NULL for others. */
static const char *
call_name (Role role, gulong request)
{
  switch (role)
    {
    case ROLE_CONTAINER:
      switch (request)
        {
        case VFIO_GET_API_VERSION: return "container GET_API_VERSION";
        case VFIO_CHECK_EXTENSION: return "container CHECK_EXTENSION";
        case VFIO_SET_IOMMU: return "container SET_IOMMU";
        default: return NULL;
        }
    case ROLE_GROUP:
      switch (request)
        {
        case VFIO_GROUP_GET_STATUS: return "group GET_STATUS";
        case VFIO_GROUP_SET_CONTAINER: return "group SET_CONTAINER";
        case VFIO_GROUP_GET_DEVICE_FD: return "group GET_DEVICE_FD";
        default: return NULL;
        }
    case ROLE_DEVICE:
    case ROLE_CDEV:
      switch (request)
        {
        case VFIO_DEVICE_BIND_IOMMUFD: return "device BIND_IOMMUFD";
        case VFIO_DEVICE_GET_INFO: return "device GET_INFO";
        case VFIO_DEVICE_GET_REGION_INFO: return "device GET_REGION_INFO";
        case VFIO_DEVICE_QUERY_GFX_PLANE: return "device QUERY_GFX_PLANE";
        case VFIO_DEVICE_GET_GFX_DMABUF: return "device GET_GFX_DMABUF";
        default: return NULL;
        }
    case ROLE_IOMMU:
    case ROLE_NONE:
    default:
      return NULL;
    }
}

static gboolean
on_handle_ioctl (UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer user_data)
{
  GvtFakeKernel *self = user_data;
  gulong request = umockdev_ioctl_client_get_request (client);
  Reply reply;

  g_mutex_lock (&self->lock);
  ClientState *state = client_state (self, client);
  const char *name = call_name (state->role, request);
  int fault = name ? GPOINTER_TO_INT (g_hash_table_lookup (self->ioctl_faults, name)) : 0;
  if (fault != 0)
    {
      /* Refused before the call does anything, as a kernel's early checks do. */
      log_call (self, fault, "%s", name);
      g_mutex_unlock (&self->lock);
      umockdev_ioctl_client_complete (client, -1, fault);
      return TRUE;
    }
  switch (state->role)
    {
    case ROLE_CONTAINER:
      reply = container_ioctl (self, state, client, request);
      break;
    case ROLE_GROUP:
      reply = group_ioctl (self, state, client, request);
      break;
    case ROLE_DEVICE:
    case ROLE_CDEV:
      reply = device_ioctl (self, state, client, request);
      break;
    case ROLE_IOMMU:
    case ROLE_NONE:
    default:
      log_call (self, ENOTTY, "iommu 0x%lx", request);
      reply = REPLY_ERR (ENOTTY);
      break;
    }
  g_mutex_unlock (&self->lock);

  umockdev_ioctl_client_complete (client, reply.ret, reply.err);
  return TRUE;
}

/* A closed file takes its part of the kernel state along: a group leaves
 * its container, a container its IOMMU. */
static void
on_client_closed (UMockdevIoctlClient *client, GParamSpec *pspec, gpointer user_data)
{
  GvtFakeKernel *self = user_data;

  if (umockdev_ioctl_client_get_connected (client))
    return;
  g_mutex_lock (&self->lock);
  ClientState *state = g_object_get_data (G_OBJECT (client), "gvt-fake-state");
  if (state != NULL)
    {
      if (state->container_set)
        self->groups_attached--;
      if (state->iommu_set)
        self->iommu_containers--;
      state->container_set = state->iommu_set = FALSE;
    }
  g_mutex_unlock (&self->lock);
}

static void
on_client_connected (UMockdevIoctlBase *handler, UMockdevIoctlClient *client,
                     gpointer user_data)
{
  g_signal_connect (client, "notify::connected", G_CALLBACK (on_client_closed), user_data);
}

/* ---- the interposed libc calls ---- */

/* Declared with the symbol names they replace; the C names keep clear of
 * the headers' own declarations (which redirect open to open64 etc.). */
int gvt_fake_open (const char *path, int flags, ...) __asm__ ("open");
int gvt_fake_open64 (const char *path, int flags, ...) __asm__ ("open64");
int gvt_fake_open_2 (const char *path, int flags) __asm__ ("__open_2");
int gvt_fake_open64_2 (const char *path, int flags) __asm__ ("__open64_2");
ssize_t gvt_fake_pread (int fd, void *buf, size_t count, off_t offset) __asm__ ("pread");
ssize_t gvt_fake_pread64 (int fd, void *buf, size_t count, off_t offset) __asm__ ("pread64");
ssize_t gvt_fake_pwrite (int fd, const void *buf, size_t count, off_t offset) __asm__ ("pwrite");
ssize_t gvt_fake_pwrite64 (int fd, const void *buf, size_t count, off_t offset) __asm__ ("pwrite64");

static void *
next_symbol (const char *name)
{
  void *sym = dlsym (RTLD_NEXT, name);
  if (sym == NULL)
    g_error ("fake kernel: no %s after this executable: %s", name, dlerror ());
  return sym;
}

/* The errno an open() of @path must fail with, or 0 to let it through. */
static int
open_fault (const char *path)
{
  GvtFakeKernel *self = g_atomic_pointer_get (&current_fake);

  if (self == NULL || path == NULL)
    return 0;
  for (int node = 0; node < GVT_FAKE_N_NODES; node++)
    if (self->paths[node] != NULL && strcmp (path, self->paths[node]) == 0)
      {
        int err = g_atomic_int_get (&self->open_errno[node]);
        if (err == 0 && node == GVT_FAKE_NODE_GROUP && g_atomic_int_get (&self->held))
          err = EBUSY;
        if (err == 0 && (node == GVT_FAKE_NODE_GROUP || node == GVT_FAKE_NODE_CDEV)
            && g_atomic_int_get (&self->removed))
          err = ENOENT;
        return err;
      }
  /* Not ours: never let a test reach the host's real VFIO. */
  if (g_str_has_prefix (path, "/dev/vfio/") || strcmp (path, "/dev/iommu") == 0)
    return ENOENT;
  return 0;
}

/* The fds open on emulated nodes. umockdev turns each into a socket to its
 * worker, indistinguishable in /proc/self/fd from its own sockets, and it
 * notices a close only when it likes: so the fake watches open() and
 * close() itself to say exactly what the code under test still holds. */
static GMutex tracked_lock;
static GHashTable *tracked_fds; /* fd -> itself */

static gboolean
is_emulated_node (const char *path)
{
  GvtFakeKernel *self = g_atomic_pointer_get (&current_fake);
  if (self == NULL || path == NULL)
    return FALSE;
  for (int node = 0; node < GVT_FAKE_N_NODES; node++)
    if (self->paths[node] != NULL && strcmp (path, self->paths[node]) == 0)
      return TRUE;
  return FALSE;
}

static int
track_open (const char *path, int fd)
{
  if (fd >= 0 && is_emulated_node (path))
    {
      g_mutex_lock (&tracked_lock);
      if (tracked_fds == NULL)
        tracked_fds = g_hash_table_new (NULL, NULL);
      g_hash_table_add (tracked_fds, GINT_TO_POINTER (fd + 1));
      g_mutex_unlock (&tracked_lock);
    }
  return fd;
}

static int
tracked_count (void)
{
  g_mutex_lock (&tracked_lock);
  int n = tracked_fds ? (int) g_hash_table_size (tracked_fds) : 0;
  g_mutex_unlock (&tracked_lock);
  return n;
}

typedef int (*CloseFunc) (int);
int gvt_fake_close (int fd) __asm__ ("close");

int
gvt_fake_close (int fd)
{
  static CloseFunc next;
  g_mutex_lock (&tracked_lock);
  if (tracked_fds != NULL)
    g_hash_table_remove (tracked_fds, GINT_TO_POINTER (fd + 1));
  g_mutex_unlock (&tracked_lock);
  if (next == NULL)
    next = (CloseFunc) next_symbol ("close");
  return next (fd);
}

typedef int (*OpenFunc) (const char *, int, ...);
typedef ssize_t (*PreadFunc) (int, void *, size_t, off_t);
typedef ssize_t (*PwriteFunc) (int, const void *, size_t, off_t);

static int
open_with (OpenFunc next, const char *path, int flags, mode_t mode)
{
  int err = open_fault (path);
  if (err != 0)
    {
      errno = err;
      return -1;
    }
  return track_open (path, next (path, flags, mode));
}

static mode_t
open_mode (int flags, va_list args)
{
  return (flags & (O_CREAT | O_TMPFILE)) ? va_arg (args, mode_t) : 0;
}

/* One lazily resolved next symbol per interposed name. */
static int
open_next (OpenFunc *next, const char *name, const char *path, int flags, mode_t mode)
{
  if (*next == NULL)
    *next = (OpenFunc) next_symbol (name);
  return open_with (*next, path, flags, mode);
}

int
gvt_fake_open (const char *path, int flags, ...)
{
  static OpenFunc next;
  va_list args;
  va_start (args, flags);
  mode_t mode = open_mode (flags, args);
  va_end (args);
  return open_next (&next, "open", path, flags, mode);
}

int
gvt_fake_open64 (const char *path, int flags, ...)
{
  static OpenFunc next;
  va_list args;
  va_start (args, flags);
  mode_t mode = open_mode (flags, args);
  va_end (args);
  return open_next (&next, "open64", path, flags, mode);
}

/* The fortified entry points take no mode (no O_CREAT): the plain ones do
 * the same job. */
int
gvt_fake_open_2 (const char *path, int flags)
{
  return gvt_fake_open (path, flags);
}

int
gvt_fake_open64_2 (const char *path, int flags)
{
  return gvt_fake_open64 (path, flags);
}

/* A pread/pwrite of the fake's EDID registers is the fake's to answer:
 * TRUE with the call's return value in @ret (errno set); FALSE to pass the
 * call on. */
static gboolean
fake_io (gboolean write, int fd, void *buf, size_t count, off_t offset, ssize_t *ret)
{
  GvtFakeKernel *self = g_atomic_pointer_get (&current_fake);
  gssize result;

  if (self == NULL || !is_device_fd (self, fd)
      || !device_access (self, write, buf, count, offset, &result))
    return FALSE;
  if (result < 0)
    {
      errno = (int) -result;
      result = -1;
    }
  *ret = result;
  return TRUE;
}

static ssize_t
pread_with (PreadFunc next, int fd, void *buf, size_t count, off_t offset)
{
  ssize_t ret;
  return fake_io (FALSE, fd, buf, count, offset, &ret) ? ret : next (fd, buf, count, offset);
}

static ssize_t
pwrite_with (PwriteFunc next, int fd, const void *buf, size_t count, off_t offset)
{
  ssize_t ret;
  return fake_io (TRUE, fd, (void *) buf, count, offset, &ret)
           ? ret : next (fd, buf, count, offset);
}

ssize_t
gvt_fake_pread (int fd, void *buf, size_t count, off_t offset)
{
  static PreadFunc next;
  if (next == NULL)
    next = (PreadFunc) next_symbol ("pread");
  return pread_with (next, fd, buf, count, offset);
}

ssize_t
gvt_fake_pread64 (int fd, void *buf, size_t count, off_t offset)
{
  static PreadFunc next;
  if (next == NULL)
    next = (PreadFunc) next_symbol ("pread64");
  return pread_with (next, fd, buf, count, offset);
}

ssize_t
gvt_fake_pwrite (int fd, const void *buf, size_t count, off_t offset)
{
  static PwriteFunc next;
  if (next == NULL)
    next = (PwriteFunc) next_symbol ("pwrite");
  return pwrite_with (next, fd, buf, count, offset);
}

ssize_t
gvt_fake_pwrite64 (int fd, const void *buf, size_t count, off_t offset)
{
  static PwriteFunc next;
  if (next == NULL)
    next = (PwriteFunc) next_symbol ("pwrite64");
  return pwrite_with (next, fd, buf, count, offset);
}

/* ---- life cycle ---- */

static void
add_node (GvtFakeKernel *self, const char *devnode)
{
  g_autofree char *file = g_build_filename (self->root, devnode, NULL);
  write_file (file, "");
  g_autoptr(GError) error = NULL;
  umockdev_testbed_attach_ioctl (self->testbed, devnode, self->handler, &error);
  g_assert_no_error (error);
}

static void
init_edid (GvtFakeKernel *self, const GvtFakeConfig *config)
{
  static const guint8 header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };
  guint8 sum = 0;

  self->edid.edid_offset = GVT_FAKE_EDID_OFFSET;
  self->edid.edid_max_size = GVT_FAKE_EDID_MAX_SIZE;
  self->edid.max_xres = config->max_xres ? config->max_xres : 1920;
  self->edid.max_yres = config->max_yres ? config->max_yres : 1200;
  /* GVT-g starts with its own EDID shown: a valid blob, link up. */
  memcpy (self->edid_blob, header, sizeof header);
  for (guint i = 0; i < 127; i++)
    sum += self->edid_blob[i];
  self->edid_blob[127] = (guint8) (0x100 - sum);
  self->edid.edid_size = 128;
  self->edid.link_state = VFIO_DEVICE_GFX_LINK_STATE_UP;
}

GvtFakeKernel *
gvt_fake_kernel_new (const GvtFakeConfig *config)
{
  static const GvtFakeConfig defaults = { 0 };
  if (config == NULL)
    config = &defaults;

  g_assert (g_atomic_pointer_get (&current_fake) == NULL);

  GvtFakeKernel *self = g_new0 (GvtFakeKernel, 1);
  g_mutex_init (&self->lock);
  self->group = config->group ? config->group : 7;
  self->uuid = g_strdup (config->uuid ? config->uuid : GVT_FAKE_UUID);
  self->type = g_strdup (config->type ? config->type : "i915-GVTg_V5_4");
  self->parent = g_strdup (config->parent ? config->parent : "0000:00:02.0");
  self->display = config->display;
  self->quirks = config->quirks;
  self->has_cdev = !config->no_cdev;
  self->has_edid = !config->no_edid;
  self->viable = TRUE;
  self->api_version = VFIO_API_VERSION;
  self->type1v2 = TRUE;
  self->ioctl_faults = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->known = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->gets = g_hash_table_new (NULL, NULL);
  self->dmabuf_sizes = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->log = g_ptr_array_new_with_free_func (g_free);
  init_edid (self, config);

  self->testbed = umockdev_testbed_new ();
  self->root = umockdev_testbed_get_root_dir (self->testbed);
  self->sys = umockdev_testbed_get_sys_dir (self->testbed);
  self->handler = umockdev_ioctl_base_new ();
  g_signal_connect (self->handler, "handle-ioctl", G_CALLBACK (on_handle_ioctl), self);
  g_signal_connect (self->handler, "client-connected", G_CALLBACK (on_client_connected), self);

  self->paths[GVT_FAKE_NODE_CONTAINER] = g_strdup (GVT_FAKE_CONTAINER);
  self->paths[GVT_FAKE_NODE_GROUP] = g_strdup_printf ("/dev/vfio/%d", self->group);
  add_node (self, self->paths[GVT_FAKE_NODE_CONTAINER]);
  add_node (self, self->paths[GVT_FAKE_NODE_GROUP]);
  add_node (self, DEVICE_NODE);
  self->container_target = g_build_filename (self->root, GVT_FAKE_CONTAINER, NULL);

  /* The device file spans every region it may be asked to map (sparse),
   * so that a mapping never runs past its end. */
  g_autofree char *backing = g_build_filename (self->root, DEVICE_NODE, NULL);
  guint64 span = self->display == GVT_FAKE_DISPLAY_REGION
                 ? region_offset (GVT_FAKE_FB_REGION) + GVT_FAKE_FB_SIZE
                 : region_offset (GVT_FAKE_EDID_REGION + 1);
  g_assert_cmpint (truncate (backing, (off_t) span), ==, 0);
  struct stat st;
  g_assert_cmpint (stat (backing, &st), ==, 0);
  self->backing_dev = st.st_dev;
  self->backing_ino = st.st_ino;

  if (self->has_cdev)
    {
      self->paths[GVT_FAKE_NODE_CDEV] = g_strdup (GVT_FAKE_CDEV);
      self->paths[GVT_FAKE_NODE_IOMMU] = g_strdup (GVT_FAKE_IOMMU);
      g_autofree char *cdev = g_build_filename (self->root, GVT_FAKE_CDEV, NULL);
      g_autofree char *cdev_dir = g_path_get_dirname (cdev);
      make_dir (cdev_dir);
      /* One device, two ways in: the same file. */
      g_assert_cmpint (link (backing, cdev), ==, 0);
      g_autoptr(GError) error = NULL;
      umockdev_testbed_attach_ioctl (self->testbed, GVT_FAKE_CDEV, self->handler, &error);
      g_assert_no_error (error);
      add_node (self, GVT_FAKE_IOMMU);
      self->iommu_target = g_build_filename (self->root, GVT_FAKE_IOMMU, NULL);
    }
  else
    self->iommu_target = g_strdup ("");

  build_sysfs (self);
  g_atomic_pointer_set (&current_fake, self);
  return self;
}

void
gvt_fake_kernel_free (GvtFakeKernel *self)
{
  if (self == NULL)
    return;

  g_atomic_pointer_set (&current_fake, NULL);
  for (int node = 0; node < GVT_FAKE_N_NODES; node++)
    if (self->paths[node] != NULL)
      umockdev_testbed_detach_ioctl (self->testbed, self->paths[node], NULL);
  umockdev_testbed_detach_ioctl (self->testbed, DEVICE_NODE, NULL);
  g_signal_handlers_disconnect_by_data (self->handler, self);
  g_clear_object (&self->handler);
  g_clear_object (&self->testbed);

  for (int node = 0; node < GVT_FAKE_N_NODES; node++)
    g_free (self->paths[node]);
  g_free (self->root);
  g_free (self->sys);
  g_free (self->uuid);
  g_free (self->type);
  g_free (self->parent);
  g_free (self->container_target);
  g_free (self->iommu_target);
  g_hash_table_unref (self->ioctl_faults);
  g_hash_table_unref (self->known);
  g_hash_table_unref (self->gets);
  g_hash_table_unref (self->dmabuf_sizes);
  g_ptr_array_unref (self->log);
  g_mutex_clear (&self->lock);
  g_free (self);
}

const char *
gvt_fake_kernel_get_group_path (GvtFakeKernel *self)
{
  return self->paths[GVT_FAKE_NODE_GROUP];
}

/* ---- faults ---- */

void
gvt_fake_kernel_fail_open (GvtFakeKernel *self, GvtFakeNode node, int err)
{
  g_return_if_fail (node < GVT_FAKE_N_NODES);
  g_atomic_int_set (&self->open_errno[node], err);
}

void
gvt_fake_kernel_fail_device_open (GvtFakeKernel *self, int err)
{
  g_mutex_lock (&self->lock);
  self->device_open_errno = err;
  g_mutex_unlock (&self->lock);
}

void
gvt_fake_kernel_set_held_elsewhere (GvtFakeKernel *self, gboolean held)
{
  g_atomic_int_set (&self->held, held);
}

void
gvt_fake_kernel_set_viable (GvtFakeKernel *self, gboolean viable)
{
  g_mutex_lock (&self->lock);
  self->viable = viable;
  g_mutex_unlock (&self->lock);
}

void
gvt_fake_kernel_fail_ioctl (GvtFakeKernel *self, const char *call, int err)
{
  g_mutex_lock (&self->lock);
  if (err != 0)
    g_hash_table_replace (self->ioctl_faults, g_strdup (call), GINT_TO_POINTER (err));
  else
    g_hash_table_remove (self->ioctl_faults, call);
  g_mutex_unlock (&self->lock);
}

void
gvt_fake_kernel_set_api_version (GvtFakeKernel *self, int version)
{
  g_mutex_lock (&self->lock);
  self->api_version = version;
  g_mutex_unlock (&self->lock);
}

void
gvt_fake_kernel_set_type1v2 (GvtFakeKernel *self, gboolean available)
{
  g_mutex_lock (&self->lock);
  self->type1v2 = available;
  g_mutex_unlock (&self->lock);
}

void
gvt_fake_kernel_hide_group_members (GvtFakeKernel *self, gboolean hidden)
{
  g_autofree char *shown = sys_path (self, "kernel/iommu_groups/%d/devices", self->group);
  g_autofree char *away = sys_path (self, "kernel/iommu_groups/%d/devices.hidden", self->group);
  if (hidden)
    g_assert_cmpint (g_rename (shown, away), ==, 0);
  else
    g_assert_cmpint (g_rename (away, shown), ==, 0);
}

void
gvt_fake_kernel_unplug (GvtFakeKernel *self)
{
  g_mutex_lock (&self->lock);
  self->lost = TRUE;
  g_mutex_unlock (&self->lock);
}

void
gvt_fake_kernel_fail_edid_blob (GvtFakeKernel *self, int err)
{
  g_mutex_lock (&self->lock);
  self->edid_blob_errno = err;
  g_mutex_unlock (&self->lock);
}

void
gvt_fake_kernel_set_edid_size (GvtFakeKernel *self, guint32 size)
{
  g_mutex_lock (&self->lock);
  self->edid.edid_size = size;
  g_mutex_unlock (&self->lock);
}

void
gvt_fake_kernel_fail_next_query (GvtFakeKernel *self, int err)
{
  g_mutex_lock (&self->lock);
  self->next_query_errno = err;
  g_mutex_unlock (&self->lock);
}

void
gvt_fake_kernel_corrupt_caps (GvtFakeKernel *self, guint32 next)
{
  g_mutex_lock (&self->lock);
  self->corrupt_caps = TRUE;
  self->corrupt_next = next;
  g_mutex_unlock (&self->lock);
}

/* ---- planes ---- */

static gboolean
same_mode (const struct vfio_device_gfx_plane_info *a, const struct vfio_device_gfx_plane_info *b)
{
  return a->drm_format == b->drm_format && a->drm_format_mod == b->drm_format_mod
         && a->width == b->width && a->height == b->height && a->stride == b->stride;
}

void
gvt_fake_kernel_set_primary (GvtFakeKernel *self, const struct vfio_device_gfx_plane_info *plane)
{
  g_mutex_lock (&self->lock);
  if ((self->quirks & GVT_FAKE_QUIRK_ENOMEM_AFTER_MODESET) && plane != NULL
      && (!self->has_primary || !same_mode (&self->primary, plane)))
    self->enomem_pending = TRUE;
  self->has_primary = plane != NULL;
  if (plane != NULL)
    self->primary = *plane;
  g_mutex_unlock (&self->lock);
}

void
gvt_fake_kernel_set_cursor (GvtFakeKernel *self, const struct vfio_device_gfx_plane_info *plane)
{
  g_mutex_lock (&self->lock);
  self->has_cursor = plane != NULL;
  if (plane != NULL)
    self->cursor = *plane;
  g_mutex_unlock (&self->lock);
}

void
gvt_fake_kernel_start_remove (GvtFakeKernel *self)
{
  g_autofree char *entry = sys_path (self, "bus/mdev/devices/%s", self->uuid);
  g_assert_cmpint (unlink (entry), ==, 0);
}

void
gvt_fake_kernel_set_removed (GvtFakeKernel *self, gboolean removed)
{
  g_autofree char *entry = sys_path (self, "bus/mdev/devices/%s", self->uuid);
  gboolean listed = g_file_test (entry, G_FILE_TEST_IS_SYMLINK);

  if (removed && listed)
    g_assert_cmpint (unlink (entry), ==, 0);
  else if (!removed && !listed)
    {
      g_autofree char *from_bus = g_strdup_printf ("../../../devices/pci0000:00/%s/%s",
                                                   self->parent, self->uuid);
      make_link (from_bus, entry);
    }
  g_mutex_lock (&self->lock);
  self->lost = removed;
  if (!removed)
    /* A new device: the old one's buffers went with it. */
    g_hash_table_remove_all (self->known);
  g_mutex_unlock (&self->lock);
  g_atomic_int_set (&self->removed, removed);
}

void
gvt_fake_kernel_set_dmabuf_size (GvtFakeKernel *self, guint32 dmabuf_id, gint64 size)
{
  g_assert_true (size >= 0 || size == GVT_FAKE_DMABUF_PLANE_SIZE
                 || size == GVT_FAKE_DMABUF_UNSEEKABLE);
  g_mutex_lock (&self->lock);
  if (size == GVT_FAKE_DMABUF_PLANE_SIZE)
    g_hash_table_remove (self->dmabuf_sizes, GUINT_TO_POINTER (dmabuf_id));
  else
    g_hash_table_replace (self->dmabuf_sizes, GUINT_TO_POINTER (dmabuf_id),
                          g_memdup2 (&size, sizeof size));
  g_mutex_unlock (&self->lock);
}

void
gvt_fake_kernel_set_fill (GvtFakeKernel *self, guint32 pixel)
{
  g_mutex_lock (&self->lock);
  self->fill = pixel;
  g_mutex_unlock (&self->lock);
}

void
gvt_fake_kernel_set_fill_pattern (GvtFakeKernel *self, guint32 seed)
{
  g_mutex_lock (&self->lock);
  self->fill = seed;
  self->fill_pattern = TRUE;
  g_mutex_unlock (&self->lock);
}

guint32
gvt_fake_pattern_word (guint32 seed, gsize index)
{
  return seed ^ (guint32) (index * GVT_FAKE_PATTERN_STEP);
}

struct vfio_device_gfx_plane_info
gvt_fake_plane (guint32 fourcc, guint32 width, guint32 height, guint32 dmabuf_id)
{
  guint32 cpp = fourcc == GVT_FORMAT_RGB565 ? 2 : 4;
  struct vfio_device_gfx_plane_info plane = {
    .argsz = sizeof plane,
    .flags = VFIO_GFX_PLANE_TYPE_DMABUF,
    .drm_plane_type = 1,
    .drm_format = fourcc,
    .drm_format_mod = 0,
    .width = width,
    .height = height,
    .stride = width * cpp,
    .size = width * cpp * height,
    .dmabuf_id = dmabuf_id,
  };
  return plane;
}

struct vfio_device_gfx_plane_info
gvt_fake_cursor (guint32 dim, guint32 x, guint32 y, guint32 hot_x, guint32 hot_y,
                 guint32 dmabuf_id)
{
  struct vfio_device_gfx_plane_info plane = gvt_fake_plane (GVT_FORMAT_ARGB8888, dim, dim,
                                                            dmabuf_id);
  plane.drm_plane_type = 2;
  plane.x_pos = x;
  plane.y_pos = y;
  plane.x_hot = hot_x;
  plane.y_hot = hot_y;
  return plane;
}

/* ---- what happened ---- */

guint
gvt_fake_kernel_get_dmabuf_gets (GvtFakeKernel *self, guint32 dmabuf_id)
{
  g_mutex_lock (&self->lock);
  guint count = dmabuf_id == GVT_FAKE_ANY_ID
                ? self->gets_total
                : GPOINTER_TO_UINT (g_hash_table_lookup (self->gets, GUINT_TO_POINTER (dmabuf_id)));
  g_mutex_unlock (&self->lock);
  return count;
}

guint
gvt_fake_kernel_get_queries (GvtFakeKernel *self)
{
  g_mutex_lock (&self->lock);
  guint count = self->queries;
  g_mutex_unlock (&self->lock);
  return count;
}

int
gvt_fake_count_dmabuf_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  g_assert_nonnull (dir);
  const char *name;
  int count = 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *target = fd_target (atoi (name));
      if (target != NULL && (g_str_has_prefix (target, "/memfd:" DMABUF_NAME)
                             || g_str_has_suffix (target, "/" UNSEEKABLE_NAME)))
        count++;
    }
  return count;
}

char *
gvt_fake_kernel_get_log (GvtFakeKernel *self, const char *prefix)
{
  GString *text = g_string_new (NULL);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->log->len; i++)
    {
      const char *entry = g_ptr_array_index (self->log, i);
      if (prefix == NULL || g_str_has_prefix (entry, prefix))
        g_string_append_printf (text, "%s\n", entry);
    }
  g_mutex_unlock (&self->lock);
  return g_string_free (text, FALSE);
}

void
gvt_fake_kernel_clear_log (GvtFakeKernel *self)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_set_size (self->log, 0);
  g_mutex_unlock (&self->lock);
}

guint32
gvt_fake_kernel_get_edid_link_state (GvtFakeKernel *self)
{
  g_mutex_lock (&self->lock);
  guint32 state = self->edid.link_state;
  g_mutex_unlock (&self->lock);
  return state;
}

GBytes *
gvt_fake_kernel_get_edid (GvtFakeKernel *self)
{
  g_mutex_lock (&self->lock);
  GBytes *blob = g_bytes_new (self->edid_blob, MIN (self->edid.edid_size, sizeof self->edid_blob));
  g_mutex_unlock (&self->lock);
  return blob;
}


int
gvt_fake_settle_fds (int expected)
{
  int count = gvt_test_count_device_fds () + tracked_count ();
  for (int i = 0; i < 200 && count > expected; i++)
    {
      g_usleep (10 * 1000);
      count = gvt_test_count_device_fds () + tracked_count ();
    }
  if (count != expected)
    {
      g_test_message ("%d emulated device nodes still open", tracked_count ());
      gvt_test_dump_fds ();
    }
  return count;
}
