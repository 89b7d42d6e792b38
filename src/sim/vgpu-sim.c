/* The simulated vGPU: memfd "dma-bufs", a region plane and an EDID region
 * behind the same ops table as the kernel backend, with the kernel ABI's
 * answers (and its drivers' habits), so the display code can't tell them
 * apart. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vgpu/vgpu-private.h"
#include "vgpu-sim.h"
#include "common/format.h"

/* DRM_PLANE_TYPE_PRIMARY / _CURSOR: the values drm_plane_type carries. */
#define SIM_PLANE_PRIMARY 1
#define SIM_PLANE_CURSOR  2

/* mdpy's habit: the framebuffer is region 16, which GET_DEVICE_INFO doesn't
 * count, so a caller has to ask for it by number. */
#define SIM_FB_REGION 16
/* The EDID region follows the standard PCI regions, as on GVT-g. */
#define SIM_EDID_REGION VFIO_PCI_NUM_REGIONS
/* GVT-g reports a 128-byte region but serves the blob at 2048: callers
 * that bounds-check the blob against the region size break on it. */
#define SIM_EDID_REGION_SIZE 128
#define SIM_EDID_BLOB_OFFSET 2048
#define SIM_EDID_MAX_SIZE    512
#define SIM_EDID_BLOCK       128

/* vfio-pci and GVT-g place region N at N << 40 on the device fd. */
#define SIM_REGION_OFFSET(index) ((guint64) (index) << 40)

/* How many (id, geometry) pairs the allocator remembers; far more than any
 * consumer's cache holds. */
#define SIM_ID_HISTORY 256

/* The plane's size field is 32 bits; stay well inside it. */
#define SIM_MAX_FRAMEBUFFER (G_GUINT64_CONSTANT (1) << 30)

typedef struct {
  guint32 fourcc;
  guint64 modifier;
  guint32 width;
  guint32 height;
  guint32 stride;
} SimGeometry;

/* One buffer the "guest" scans out of: a memfd the sim maps, and that
 * GET_GFX_DMABUF reopens for the caller. */
typedef struct {
  guint32 id;         /* dmabuf id; 0 in REGION mode (region planes have none) */
  SimGeometry geo;
  guint32 size;       /* what the plane reports */
  gsize alloc;        /* bytes of the memfd and of map */
  int fd;
  guint8 *map;
} SimBuffer;

/* An id and the geometry of a buffer it named. */
typedef struct {
  guint32 id;
  SimGeometry geo;
} SimIdUse;

/* A mode the device remembers, with its front and back buffers. */
typedef struct {
  SimGeometry geo;
  SimBuffer *fb[2];   /* fb[1] NULL in REGION mode */
} SimMode;

struct _GvtSim {
  GvtVgpu parent;
  GvtSimMode mode;
  GvtSimQuirks quirks;
  gboolean lost;

  /* Remembered modes, most recently set first: [0] is the current mode. */
  GPtrArray *modes;
  guint front;              /* index into the current mode's fb[] */
  gboolean enabled;
  gboolean enomem_pending;

  GArray *id_history;       /* SimIdUse, oldest first, at most SIM_ID_HISTORY */

  SimBuffer *cursor;        /* NULL: no cursor image */
  guint32 cursor_x, cursor_y, hot_x, hot_y;

  /* Indexed by plane type - 1. */
  gint64 dmabuf_size[2];    /* GVT_SIM_DMABUF_REAL, _UNSEEKABLE or bytes */
  gboolean inject_pending[2];
  struct vfio_device_gfx_plane_info injected[2];
  int inject_errno;
  int cursor_errno;        /* every cursor query fails with it (0: none) */

  guint queries;
  GHashTable *gets;         /* dmabuf id -> GET calls */
  guint total_gets;

  gboolean has_edid;
  struct vfio_region_gfx_edid edid_regs;
  guint8 edid_blob[SIM_EDID_MAX_SIZE];
  GBytes *guest_edid;       /* what the guest got at the last link-up */
  GString *link_log;
};

static gsize
page_size (void)
{
  static gsize size;
  if (size == 0)
    size = (gsize) sysconf (_SC_PAGESIZE);
  return size;
}

static void
sim_buffer_free (SimBuffer *buf)
{
  if (buf == NULL)
    return;
  if (buf->map != NULL)
    munmap (buf->map, buf->alloc);
  if (buf->fd >= 0)
    close (buf->fd);
  g_free (buf);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimBuffer, sim_buffer_free)

/* A zero-filled buffer of @alloc bytes, or NULL (logged) when the host is
 * out of fds or memory: the "guest" then shows no plane. */
static SimBuffer *
sim_buffer_new (guint32 id, const SimGeometry *geo, guint32 size, gsize alloc)
{
  g_autoptr (SimBuffer) buf = g_new0 (SimBuffer, 1);
  buf->id = id;
  buf->geo = *geo;
  buf->size = size;
  buf->alloc = alloc;
  buf->fd = memfd_create ("gvt-sim-framebuffer", MFD_CLOEXEC);
  if (buf->fd < 0)
    {
      g_warning ("simulated vGPU: cannot create a framebuffer: memfd_create: %s",
                 g_strerror (errno));
      return NULL;
    }
  if (ftruncate (buf->fd, (off_t) alloc) < 0)
    {
      g_warning ("simulated vGPU: cannot size a %" G_GSIZE_FORMAT "-byte framebuffer: %s",
                 alloc, g_strerror (errno));
      return NULL;
    }
  void *map = mmap (NULL, alloc, PROT_READ | PROT_WRITE, MAP_SHARED, buf->fd, 0);
  if (map == MAP_FAILED)
    {
      g_warning ("simulated vGPU: cannot map a %" G_GSIZE_FORMAT "-byte framebuffer: %s",
                 alloc, g_strerror (errno));
      return NULL;
    }
  buf->map = map;
  return g_steal_pointer (&buf);
}

static void
sim_buffer_clear (SimBuffer *buf)
{
  /* Punching the whole file out zeroes it without touching every page (and
   * gives the memory back); memset is the fallback for odd filesystems. */
  if (fallocate (buf->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t) buf->alloc) < 0)
    memset (buf->map, 0, buf->alloc);
}

/* A new file description on the buffer, as a GET makes a new dma-buf file:
 * a caller's seek on one fd must not move another's. */
static int
sim_buffer_open (SimBuffer *buf)
{
  char path[64];
  g_snprintf (path, sizeof path, "/proc/self/fd/%d", buf->fd);
  int fd = open (path, O_RDWR | O_CLOEXEC);
  if (fd < 0)
    fd = fcntl (buf->fd, F_DUPFD_CLOEXEC, 0);
  return fd < 0 ? -errno : fd;
}

/* What a test asked GET to hand out instead of the buffer. */
static int
sim_buffer_open_other (gint64 size)
{
  if (size == GVT_SIM_DMABUF_UNSEEKABLE)
    {
      int fds[2];
      if (pipe2 (fds, O_CLOEXEC) < 0)
        return -errno;
      close (fds[1]);
      return fds[0];
    }
  int fd = memfd_create ("gvt-sim-short-dmabuf", MFD_CLOEXEC);
  if (fd < 0)
    return -errno;
  if (ftruncate (fd, (off_t) size) < 0)
    {
      int err = errno;
      close (fd);
      return -err;
    }
  return fd;
}

static void
sim_mode_free (SimMode *m)
{
  if (m == NULL)
    return;
  sim_buffer_free (m->fb[0]);
  sim_buffer_free (m->fb[1]);
  g_free (m);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimMode, sim_mode_free)

static gboolean
geometry_equal (const SimGeometry *a, const SimGeometry *b)
{
  return a->fourcc == b->fourcc && a->modifier == b->modifier && a->width == b->width
         && a->height == b->height && a->stride == b->stride;
}

static SimMode *
sim_current (GvtSim *self)
{
  return self->modes->len > 0 ? g_ptr_array_index (self->modes, 0) : NULL;
}

static SimBuffer *
sim_find_buffer (GvtSim *self, guint32 id)
{
  if (id == 0)
    return NULL;
  for (guint i = 0; i < self->modes->len; i++)
    {
      SimMode *m = g_ptr_array_index (self->modes, i);
      for (guint j = 0; j < G_N_ELEMENTS (m->fb); j++)
        if (m->fb[j] != NULL && m->fb[j]->id == id)
          return m->fb[j];
    }
  if (self->cursor != NULL && self->cursor->id == id)
    return self->cursor;
  return NULL;
}

static gboolean
id_named (GvtSim *self, guint32 id, const SimGeometry *geo)
{
  for (guint i = 0; i < self->id_history->len; i++)
    {
      const SimIdUse *use = &g_array_index (self->id_history, SimIdUse, i);
      if (use->id == id && geometry_equal (&use->geo, geo))
        return TRUE;
    }
  return FALSE;
}

/* The id for a new buffer of @geo: the smallest one that no live buffer
 * (nor @pending, a mode being built) holds and that never named a buffer
 * of @geo before. Freed ids thus come back lowest-first, deterministically,
 * but only with other geometry: a consumer still holding the old buffer
 * under (id, geometry) is never handed another buffer under the same key.
 * The kernel gives that guarantee too (GVT-g frees an id only once every fd
 * on its buffer is closed; mbochs never reuses one), and a cache keyed on
 * id and geometry relies on it. */
static guint32
sim_alloc_id (GvtSim *self, const SimMode *pending, const SimGeometry *geo)
{
  for (guint32 id = 1;; id++)
    {
      if (sim_find_buffer (self, id) != NULL || id_named (self, id, geo))
        continue;
      if (pending != NULL
          && ((pending->fb[0] && pending->fb[0]->id == id)
              || (pending->fb[1] && pending->fb[1]->id == id)))
        continue;

      if (self->id_history->len >= SIM_ID_HISTORY)
        g_array_remove_index (self->id_history, 0);
      SimIdUse use = { id, *geo };
      g_array_append_val (self->id_history, use);
      return id;
    }
}

/* --- the device side: the ops --- */

static void
fill_plane (GvtSim *self, struct vfio_device_gfx_plane_info *info, const SimBuffer *buf)
{
  info->drm_format = buf->geo.fourcc;
  info->drm_format_mod = buf->geo.modifier;
  info->width = buf->geo.width;
  info->height = buf->geo.height;
  info->stride = buf->geo.stride;
  info->size = buf->size;
  info->x_pos = info->y_pos = 0;
  info->x_hot = info->y_hot = 0;
  if (self->mode == GVT_SIM_REGION)
    info->region_index = SIM_FB_REGION;
  else
    info->dmabuf_id = buf->id;
}

/* Every field the device writes: drm_format to the end. */
#define PLANE_OUT_OFFSET offsetof (struct vfio_device_gfx_plane_info, drm_format)
#define PLANE_OUT_SIZE   (sizeof (struct vfio_device_gfx_plane_info) - PLANE_OUT_OFFSET)

static int
sim_query_plane (GvtVgpu *vgpu, struct vfio_device_gfx_plane_info *info)
{
  GvtSim *self = (GvtSim *) vgpu;

  self->queries++;
  if (self->lost)
    return -ENODEV;
  if (self->inject_errno != 0)
    {
      int err = self->inject_errno;
      self->inject_errno = 0;
      return -err;
    }
  if (info->argsz < sizeof *info)
    return -EINVAL;
  if (self->cursor_errno != 0 && info->drm_plane_type == SIM_PLANE_CURSOR
      && !(info->flags & VFIO_GFX_PLANE_TYPE_PROBE))
    return -self->cursor_errno;

  guint32 type = self->mode == GVT_SIM_REGION ? VFIO_GFX_PLANE_TYPE_REGION
                                              : VFIO_GFX_PLANE_TYPE_DMABUF;
  if (info->flags & VFIO_GFX_PLANE_TYPE_PROBE)
    return info->flags == (VFIO_GFX_PLANE_TYPE_PROBE | type) ? 0 : -EINVAL;
  if (info->flags != type)
    return -EINVAL;
  if (info->drm_plane_type != SIM_PLANE_PRIMARY && info->drm_plane_type != SIM_PLANE_CURSOR)
    return -EINVAL;

  gboolean primary = info->drm_plane_type == SIM_PLANE_PRIMARY;
  /* mbochs fails the first primary query after a mode change (its cursor
   * query answers an empty plane before it gets that far). */
  if (primary && self->enomem_pending)
    {
      self->enomem_pending = FALSE;
      return -ENOMEM;
    }

  guint slot = info->drm_plane_type - 1;
  if (self->inject_pending[slot])
    {
      self->inject_pending[slot] = FALSE;
      memcpy ((guint8 *) info + PLANE_OUT_OFFSET,
              (const guint8 *) &self->injected[slot] + PLANE_OUT_OFFSET, PLANE_OUT_SIZE);
      return 0;
    }

  SimMode *current = sim_current (self);
  const SimBuffer *buf = NULL;
  if (self->enabled && current != NULL)
    buf = primary ? current->fb[self->front] : self->cursor;

  if (buf == NULL)
    {
      /* GVT-g copies the caller's struct back untouched: stale input reads
       * as a plane unless the caller zeroed it. */
      if (!(self->quirks & GVT_SIM_QUIRK_ECHO_WHEN_OFF))
        memset ((guint8 *) info + PLANE_OUT_OFFSET, 0, PLANE_OUT_SIZE);
      return 0;
    }

  fill_plane (self, info, buf);
  if (!primary)
    {
      info->x_pos = self->cursor_x;
      info->y_pos = self->cursor_y;
      info->x_hot = self->hot_x;
      info->y_hot = self->hot_y;
    }
  return 0;
}

static int
sim_get_dmabuf (GvtVgpu *vgpu, guint32 dmabuf_id)
{
  GvtSim *self = (GvtSim *) vgpu;

  self->total_gets++;
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->gets, GUINT_TO_POINTER (dmabuf_id)));
  g_hash_table_insert (self->gets, GUINT_TO_POINTER (dmabuf_id), GUINT_TO_POINTER (count + 1));

  if (self->lost)
    return -ENODEV;
  /* mdpy has no GET_GFX_DMABUF at all: the ioctl is unknown to it. */
  if (self->mode == GVT_SIM_REGION)
    return -ENOTTY;

  SimBuffer *buf = sim_find_buffer (self, dmabuf_id);
  if (buf == NULL)
    return -EINVAL;
  gint64 other = self->dmabuf_size[buf == self->cursor ? SIM_PLANE_CURSOR - 1
                                                       : SIM_PLANE_PRIMARY - 1];
  if (other != GVT_SIM_DMABUF_REAL)
    return sim_buffer_open_other (other);
  return sim_buffer_open (buf);
}

static int
sim_get_device_info (GvtVgpu *vgpu, struct vfio_device_info *info)
{
  GvtSim *self = (GvtSim *) vgpu;

  if (self->lost)
    return -ENODEV;
  memset (info, 0, sizeof *info);
  info->argsz = sizeof *info;
  info->flags = VFIO_DEVICE_FLAGS_PCI;
  /* Region 16 is left out on purpose, as mdpy does. */
  info->num_regions = VFIO_PCI_NUM_REGIONS + (self->has_edid ? 1 : 0);
  info->num_irqs = VFIO_PCI_NUM_IRQS;
  return 0;
}

static int
sim_get_region_info (GvtVgpu *vgpu, guint32 index, GvtRegionInfo *info)
{
  GvtSim *self = (GvtSim *) vgpu;
  GvtRegionInfo out = { .index = index, .offset = SIM_REGION_OFFSET (index) };

  if (self->lost)
    return -ENODEV;

  if (index < VFIO_PCI_NUM_REGIONS)
    {
      /* BARs, config space, VGA: the sim implements none, and vfio-pci
       * describes an absent one as an empty region, not an error. */
    }
  else if (index == SIM_EDID_REGION && self->has_edid)
    {
      out.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
      out.size = SIM_EDID_REGION_SIZE;
      out.type = VFIO_REGION_TYPE_GFX;
      out.subtype = VFIO_REGION_SUBTYPE_GFX_EDID;
    }
  else if (index == SIM_FB_REGION && self->mode == GVT_SIM_REGION && sim_current (self))
    {
      /* mdpy advertises read and write, but only mmap works. */
      out.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE
                  | VFIO_REGION_INFO_FLAG_MMAP;
      out.size = sim_current (self)->fb[0]->alloc;
    }
  else
    return -EINVAL;

  *info = out;
  return 0;
}

/* A link-up is the hotplug the guest sees: GVT-g refuses it unless the
 * blob holds a valid base block, and so do we. */
static gboolean
edid_blob_valid (GvtSim *self)
{
  static const guint8 header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };
  guint8 sum = 0;

  if (self->edid_regs.edid_size < SIM_EDID_BLOCK)
    return FALSE;
  if (memcmp (self->edid_blob, header, sizeof header) != 0)
    return FALSE;
  for (guint i = 0; i < SIM_EDID_BLOCK; i++)
    sum += self->edid_blob[i];
  return sum == 0;
}

static int
edid_write_register (GvtSim *self, guint64 offset, guint32 value)
{
  switch (offset)
    {
    case offsetof (struct vfio_region_gfx_edid, edid_size):
      if (value > self->edid_regs.edid_max_size)
        return -EINVAL;
      self->edid_regs.edid_size = value;
      return 0;

    case offsetof (struct vfio_region_gfx_edid, link_state):
      if (value == VFIO_DEVICE_GFX_LINK_STATE_DOWN)
        {
          self->edid_regs.link_state = value;
          g_string_append_c (self->link_log, '2');
          return 0;
        }
      if (value == VFIO_DEVICE_GFX_LINK_STATE_UP)
        {
          if (!edid_blob_valid (self))
            return -EINVAL;
          g_clear_pointer (&self->guest_edid, g_bytes_unref);
          self->guest_edid = g_bytes_new (self->edid_blob, self->edid_regs.edid_size);
          self->edid_regs.link_state = value;
          g_string_append_c (self->link_log, '1');
          return 0;
        }
      return -EINVAL;

    default:
      /* edid_offset, edid_max_size, max_xres, max_yres */
      return -EPERM;
    }
}

static gssize
edid_access (GvtSim *self, guint64 offset, void *buf, gsize len, gboolean write)
{
  if (offset < sizeof self->edid_regs)
    {
      /* Registers are 32 bits and taken whole, as GVT-g insists. */
      if (len != 4 || offset % 4 != 0)
        return -EINVAL;
      if (!write)
        {
          memcpy (buf, (const guint8 *) &self->edid_regs + offset, 4);
          return 4;
        }
      guint32 value;
      memcpy (&value, buf, 4);
      int ret = edid_write_register (self, offset, value);
      return ret < 0 ? ret : 4;
    }

  guint32 max = self->edid_regs.edid_max_size;
  if (offset >= SIM_EDID_BLOB_OFFSET && offset - SIM_EDID_BLOB_OFFSET <= max
      && len <= max - (offset - SIM_EDID_BLOB_OFFSET))
    {
      guint8 *blob = self->edid_blob + (offset - SIM_EDID_BLOB_OFFSET);
      if (!write)
        {
          memcpy (buf, blob, len);
          return (gssize) len;
        }
      /* The guest may be reading the blob while the link is up. */
      if (self->edid_regs.link_state != VFIO_DEVICE_GFX_LINK_STATE_DOWN)
        return -EBUSY;
      memcpy (blob, buf, len);
      return (gssize) len;
    }
  return -EINVAL;
}

static gssize
sim_region_read (GvtVgpu *vgpu, guint32 index, guint64 offset, void *buf, gsize len)
{
  GvtSim *self = (GvtSim *) vgpu;

  if (self->lost)
    return -ENODEV;
  if (index == SIM_EDID_REGION && self->has_edid)
    return edid_access (self, offset, buf, len, FALSE);
  /* Nothing else is readable: region 16 is mmap-only, like mdpy's. */
  return -EINVAL;
}

static gssize
sim_region_write (GvtVgpu *vgpu, guint32 index, guint64 offset, const void *buf, gsize len)
{
  GvtSim *self = (GvtSim *) vgpu;

  if (self->lost)
    return -ENODEV;
  if (index == SIM_EDID_REGION && self->has_edid)
    return edid_access (self, offset, (void *) buf, len, TRUE);
  return -EINVAL;
}

static int
sim_region_mmap (GvtVgpu *vgpu, guint32 index, guint64 offset, gsize len, int prot, void **out)
{
  GvtSim *self = (GvtSim *) vgpu;

  if (self->lost)
    return -ENODEV;
  SimMode *current = sim_current (self);
  if (index != SIM_FB_REGION || self->mode != GVT_SIM_REGION || current == NULL)
    return -EINVAL;

  SimBuffer *buf = current->fb[0];
  if (len == 0 || offset > buf->alloc || len > buf->alloc - offset)
    return -EINVAL;
  void *map = mmap (NULL, len, prot, MAP_SHARED, buf->fd, (off_t) offset);
  if (map == MAP_FAILED)
    return -errno;
  *out = map;
  return 0;
}

static void
sim_finalize (GvtVgpu *vgpu)
{
  GvtSim *self = (GvtSim *) vgpu;

  g_clear_pointer (&self->modes, g_ptr_array_unref);
  g_clear_pointer (&self->cursor, sim_buffer_free);
  g_clear_pointer (&self->gets, g_hash_table_unref);
  g_clear_pointer (&self->id_history, g_array_unref);
  g_clear_pointer (&self->guest_edid, g_bytes_unref);
  if (self->link_log != NULL)
    g_string_free (self->link_log, TRUE);
  self->link_log = NULL;
}

static const GvtVgpuOps sim_ops = {
  .backend = "sim",
  .get_device_info = sim_get_device_info,
  .get_region_info = sim_get_region_info,
  .region_read = sim_region_read,
  .region_write = sim_region_write,
  .region_mmap = sim_region_mmap,
  .query_plane = sim_query_plane,
  .get_dmabuf = sim_get_dmabuf,
  .finalize = sim_finalize,
};

static struct {
  GvtSimNewHook func;
  gpointer data;
} new_hook;

void
gvt_sim_set_new_hook (GvtSimNewHook func, gpointer data)
{
  new_hook.func = func;
  new_hook.data = data;
}

GvtVgpu *
gvt_sim_new (GvtSimMode mode, GvtSimQuirks quirks, guint32 max_xres, guint32 max_yres)
{
  g_return_val_if_fail (mode == GVT_SIM_DMABUF || mode == GVT_SIM_REGION, NULL);
  g_return_val_if_fail ((max_xres == 0) == (max_yres == 0), NULL);

  GvtSim *self = gvt_vgpu_alloc (sizeof (GvtSim), &sim_ops, "sim");
  self->mode = mode;
  self->quirks = quirks;
  self->modes = g_ptr_array_new_with_free_func ((GDestroyNotify) sim_mode_free);
  self->gets = g_hash_table_new (NULL, NULL);
  self->id_history = g_array_new (FALSE, FALSE, sizeof (SimIdUse));
  self->link_log = g_string_new (NULL);

  self->has_edid = max_xres > 0;
  self->edid_regs.edid_offset = SIM_EDID_BLOB_OFFSET;
  self->edid_regs.edid_max_size = SIM_EDID_MAX_SIZE;
  self->edid_regs.max_xres = max_xres;
  self->edid_regs.max_yres = max_yres;
  /* A monitor is plugged in from the start; until the viewer writes an
   * EDID the guest uses its own idea of one. */
  self->edid_regs.link_state = VFIO_DEVICE_GFX_LINK_STATE_UP;
  self->dmabuf_size[0] = self->dmabuf_size[1] = GVT_SIM_DMABUF_REAL;
  if (new_hook.func != NULL)
    new_hook.func (self, new_hook.data);
  return &self->parent;
}

GvtSim *
gvt_vgpu_get_sim (GvtVgpu *vgpu)
{
  g_return_val_if_fail (vgpu != NULL, NULL);
  return vgpu->ops == &sim_ops ? (GvtSim *) vgpu : NULL;
}

/* --- the scripted guest --- */

static guint32
tight_stride (const GvtFormat *format, guint64 modifier, guint32 width)
{
  guint64 stride = (guint64) width * format->cpp;
  /* Tiled strides are whole tiles wide: 512 bytes for X, 128 for Y/Yf. */
  guint64 tile_width = modifier == GVT_MOD_I915_X_TILED          ? 512
                       : gvt_modifier_tile_height (modifier) > 1 ? 128
                                                                 : 1;
  stride = (stride + tile_width - 1) / tile_width * tile_width;
  return stride > G_MAXUINT32 ? 0 : (guint32) stride;
}

static gsize
region_alloc (guint64 size)
{
  gsize alloc = page_size ();
  while (alloc < size)
    alloc <<= 1;
  return alloc;
}

/* Gives the region @alloc bytes: the memfd grows when needed and never
 * shrinks, so mappings made earlier keep showing the region. */
static gboolean
region_resize (SimBuffer *buf, gsize alloc)
{
  struct stat st;

  if (fstat (buf->fd, &st) < 0)
    return FALSE;
  if ((gsize) st.st_size < alloc)
    {
      if (ftruncate (buf->fd, (off_t) alloc) < 0)
        {
          g_warning ("simulated vGPU: cannot grow the region to %" G_GSIZE_FORMAT " bytes: %s",
                     alloc, g_strerror (errno));
          return FALSE;
        }
      void *map = mmap (NULL, alloc, PROT_READ | PROT_WRITE, MAP_SHARED, buf->fd, 0);
      if (map == MAP_FAILED)
        return FALSE;
      munmap (buf->map, buf->alloc);
      buf->map = map;
    }
  else if (buf->alloc != alloc)
    {
      /* Our own view follows the size in use. */
      void *map = mmap (NULL, alloc, PROT_READ | PROT_WRITE, MAP_SHARED, buf->fd, 0);
      if (map == MAP_FAILED)
        return FALSE;
      munmap (buf->map, buf->alloc);
      buf->map = map;
    }
  buf->alloc = alloc;
  buf->size = (guint32) alloc;
  return TRUE;
}

static SimMode *
sim_mode_new (GvtSim *self, const SimGeometry *geo, guint32 size)
{
  g_autoptr (SimMode) m = g_new0 (SimMode, 1);
  m->geo = *geo;

  if (self->mode == GVT_SIM_REGION)
    {
      /* mdpy's memory is a power of two, and it reports that as the size. */
      gsize alloc = region_alloc (size);
      m->fb[0] = sim_buffer_new (0, geo, (guint32) alloc, alloc);
      return m->fb[0] ? g_steal_pointer (&m) : NULL;
    }

  /* A dma-buf is whole pages; the plane reports the bytes in use. */
  gsize alloc = (size + page_size () - 1) / page_size () * page_size ();
  for (guint i = 0; i < G_N_ELEMENTS (m->fb); i++)
    {
      m->fb[i] = sim_buffer_new (sim_alloc_id (self, m, geo), geo, size, alloc);
      if (m->fb[i] == NULL)
        return NULL;
    }
  return g_steal_pointer (&m);
}

void
gvt_sim_set_mode (GvtSim *self, guint32 fourcc, guint64 modifier, guint32 width,
                  guint32 height, guint32 stride)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (width > 0 && height > 0);
  const GvtFormat *format = gvt_format_lookup (fourcc);
  g_return_if_fail (format != NULL || stride != 0);
  g_return_if_fail (self->mode == GVT_SIM_DMABUF
                    || (fourcc == GVT_FORMAT_XRGB8888 && modifier == GVT_MOD_LINEAR));

  if (stride == 0)
    stride = tight_stride (format, modifier, width);
  g_return_if_fail (format == NULL || stride >= (guint64) width * format->cpp);
  guint tile = gvt_modifier_tile_height (modifier);
  guint64 size = (guint64) stride * ((height + (guint64) tile - 1) / tile * tile);
  g_return_if_fail (size <= SIM_MAX_FRAMEBUFFER);

  SimGeometry geo = { fourcc, modifier, width, height, stride };
  SimMode *m = NULL;
  for (guint i = 0; i < self->modes->len; i++)
    {
      SimMode *seen = g_ptr_array_index (self->modes, i);
      if (geometry_equal (&seen->geo, &geo))
        {
          m = g_ptr_array_steal_index (self->modes, i);
          break;
        }
    }

  if (m != NULL)
    {
      /* A mode seen before gets its buffers, and so its ids, back. */
      sim_buffer_clear (m->fb[0]);
      if (m->fb[1] != NULL)
        sim_buffer_clear (m->fb[1]);
    }
  else
    {
      /* Region memory is the device's: it stays put across modes (a
       * mapping of it stays good), growing when a mode needs more; the
       * region info gives the size the current mode uses. */
      SimBuffer *region = NULL;
      if (self->mode == GVT_SIM_REGION && self->modes->len > 0)
        {
          SimMode *old_mode = g_ptr_array_index (self->modes, 0);
          region = g_steal_pointer (&old_mode->fb[0]);
          if (region != NULL && !region_resize (region, region_alloc (size)))
            g_clear_pointer (&region, sim_buffer_free);
        }
      /* Free first, so the new mode can take the evicted mode's ids. */
      guint kept = self->mode == GVT_SIM_REGION ? 1 : GVT_SIM_KEPT_MODES;
      while (self->modes->len >= kept)
        g_ptr_array_remove_index (self->modes, self->modes->len - 1);
      if (region != NULL)
        {
          m = g_new0 (SimMode, 1);
          m->geo = geo;
          region->geo = geo;
          sim_buffer_clear (region);
          m->fb[0] = region;
        }
      else
        m = sim_mode_new (self, &geo, (guint32) size);
    }

  if (m == NULL)
    {
      /* Logged already: a guest whose modeset failed shows nothing. */
      self->enabled = FALSE;
      return;
    }
  g_ptr_array_insert (self->modes, 0, m);
  self->front = 0;
  self->enabled = TRUE;
  if (self->quirks & GVT_SIM_QUIRK_ENOMEM_AFTER_MODESET)
    self->enomem_pending = TRUE;
}

void
gvt_sim_disable (GvtSim *self)
{
  g_return_if_fail (self != NULL);
  self->enabled = FALSE;
}

void
gvt_sim_page_flip (GvtSim *self)
{
  g_return_if_fail (self != NULL);
  SimMode *current = sim_current (self);
  if (current != NULL && current->fb[1] != NULL)
    self->front ^= 1;
}

guint8 *
gvt_sim_get_pixels (GvtSim *self, gboolean back)
{
  g_return_val_if_fail (self != NULL, NULL);
  SimMode *current = sim_current (self);
  if (current == NULL)
    return NULL;
  if (current->fb[1] == NULL)
    return current->fb[0]->map;
  return current->fb[back ? self->front ^ 1 : self->front]->map;
}

guint32
gvt_sim_get_stride (GvtSim *self)
{
  g_return_val_if_fail (self != NULL, 0);
  SimMode *current = sim_current (self);
  return current != NULL ? current->geo.stride : 0;
}

void
gvt_sim_set_cursor (GvtSim *self, guint32 size, guint32 hot_x, guint32 hot_y)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (size == 64 || size == 128 || size == 256);
  g_return_if_fail (self->mode == GVT_SIM_DMABUF);

  SimGeometry geo = { GVT_FORMAT_ARGB8888, GVT_MOD_LINEAR, size, size, size * 4 };
  /* Built before the old image goes, so that it can't get the same id: a
   * new image must read as new. */
  SimBuffer *buf = sim_buffer_new (sim_alloc_id (self, NULL, &geo), &geo, size * size * 4,
                                   size * size * 4);
  g_clear_pointer (&self->cursor, sim_buffer_free);
  self->cursor = buf;
  self->hot_x = hot_x;
  self->hot_y = hot_y;
}

guint8 *
gvt_sim_get_cursor_pixels (GvtSim *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->cursor != NULL ? self->cursor->map : NULL;
}

void
gvt_sim_move_cursor (GvtSim *self, guint32 x, guint32 y)
{
  g_return_if_fail (self != NULL);
  self->cursor_x = x;
  self->cursor_y = y;
}

void
gvt_sim_hide_cursor (GvtSim *self)
{
  g_return_if_fail (self != NULL);
  g_clear_pointer (&self->cursor, sim_buffer_free);
}

void
gvt_sim_lose_device (GvtSim *self)
{
  g_return_if_fail (self != NULL);
  self->lost = TRUE;
}

void
gvt_sim_inject_plane (GvtSim *self, guint32 plane_type,
                      const struct vfio_device_gfx_plane_info *info)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (plane_type == SIM_PLANE_PRIMARY || plane_type == SIM_PLANE_CURSOR);
  g_return_if_fail (info != NULL);
  self->injected[plane_type - 1] = *info;
  self->inject_pending[plane_type - 1] = TRUE;
}

void
gvt_sim_set_dmabuf_size (GvtSim *self, guint32 plane_type, gint64 size)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (plane_type == SIM_PLANE_PRIMARY || plane_type == SIM_PLANE_CURSOR);
  g_return_if_fail (size >= 0 || size == GVT_SIM_DMABUF_REAL
                    || size == GVT_SIM_DMABUF_UNSEEKABLE);
  self->dmabuf_size[plane_type - 1] = size;
}

void
gvt_sim_inject_error (GvtSim *self, int err)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (err > 0);
  self->inject_errno = err;
}

void
gvt_sim_fail_cursor (GvtSim *self, int err)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (err >= 0);
  self->cursor_errno = err;
}

guint
gvt_sim_get_query_count (GvtSim *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->queries;
}

guint
gvt_sim_get_dmabuf_gets (GvtSim *self, guint32 dmabuf_id)
{
  g_return_val_if_fail (self != NULL, 0);
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->gets, GUINT_TO_POINTER (dmabuf_id)));
}

guint
gvt_sim_get_total_dmabuf_gets (GvtSim *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->total_gets;
}

const guint8 *
gvt_sim_get_edid (GvtSim *self, gsize *size)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (self->guest_edid == NULL)
    {
      if (size != NULL)
        *size = 0;
      return NULL;
    }
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (self->guest_edid, &len);
  if (size != NULL)
    *size = len;
  return data;
}

const char *
gvt_sim_get_link_log (GvtSim *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->link_log->str;
}
