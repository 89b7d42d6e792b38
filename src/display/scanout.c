/* GvtScanout: the per-tick conversation with the vGPU about its planes.
 *
 * Everything in a query answer is the guest's word: it is validated before
 * anything is fetched or mapped, and a rejected plane is never used. The
 * dma-buf cache keys on id *and* geometry because devices reuse ids after a
 * buffer is freed, and it holds exactly one fd per cached id because a
 * second GET_GFX_DMABUF of a live id breaks mbochs and costs GVT-g a new GEM
 * object each time. The plane's word ends where the kernel's begins: a
 * fetched dma-buf's real size (lseek) must hold the image, or the plane is
 * invalid, however the guest described it. */
#include <errno.h>
#include <sys/mman.h>

#include "scanout.h"
#include "common/format.h"
#include "common/gvt-error.h"

/* A retryable error is logged at most this often (µs). */
#define RETRY_LOG_INTERVAL (10 * G_USEC_PER_SEC)

typedef struct {
  struct vfio_device_gfx_plane_info key; /* id + geometry; position zeroed */
  GvtBuffer *buffer;
  /* Why the buffer can't back its plane (too small, size unknown), or NULL.
   * Such an entry is kept like any other, fd and all: the id is not asked
   * for again while the guest shows it, and holding the fd keeps the
   * device from handing the id to another buffer of the same geometry. */
  char *invalid;
  guint64 last_used;                     /* tick */
} CacheEntry;

typedef struct {
  guint32 index;
  guint64 size;     /* 0: the device has no such region */
  gboolean mmap;
  GvtBuffer *buffer; /* whole-region read-only mapping, made on first use */
} RegionEntry;

struct _GvtScanout {
  GvtVgpu *vgpu;
  gboolean dmabuf;
  gboolean region;

  GvtSourceState state;
  char *reason;
  GvtPlane *primary;
  GvtPlane *cursor;

  GPtrArray *cache;    /* CacheEntry* */
  GArray *regions;     /* RegionEntry */

  guint64 tick;
  gboolean retrying;
  guint cursor_retries;     /* ticks in a row the cursor query failed */
  int last_retry_errno;
  gint64 last_retry_log;
  guint64 retries_unlogged;
  char *last_reject[2]; /* per plane kind, to log each distinct reason once */

  GvtScanoutStats stats;
};

static void
cache_entry_free (gpointer data)
{
  CacheEntry *entry = data;
  gvt_buffer_unref (entry->buffer);
  g_free (entry->invalid);
  g_free (entry);
}

static void
region_entry_clear (gpointer data)
{
  RegionEntry *entry = data;
  g_clear_pointer (&entry->buffer, gvt_buffer_unref);
}

static void
unmap_region (void *data, gsize size)
{
  munmap (data, size);
}

static int
probe (GvtVgpu *vgpu, guint32 type)
{
  struct vfio_device_gfx_plane_info info = {
    .argsz = sizeof info,
    .flags = VFIO_GFX_PLANE_TYPE_PROBE | type,
  };
  return gvt_vgpu_query_plane (vgpu, &info);
}

GvtScanout *
gvt_scanout_new (GvtVgpu *vgpu, GError **error)
{
  g_autoptr (GvtScanout) self = g_new0 (GvtScanout, 1);
  self->vgpu = vgpu;
  self->cache = g_ptr_array_new_with_free_func (cache_entry_free);
  self->regions = g_array_new (FALSE, TRUE, sizeof (RegionEntry));
  g_array_set_clear_func (self->regions, region_entry_clear);

  int ret = probe (vgpu, VFIO_GFX_PLANE_TYPE_DMABUF);
  self->dmabuf = ret == 0;
  if (ret == -ENODEV || ret == -EIO)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_LOST,
                   "%s went away while probing its display (%s)",
                   gvt_vgpu_get_name (vgpu), g_strerror (-ret));
      return NULL;
    }
  if (!self->dmabuf)
    {
      g_debug ("%s: no dma-buf planes (%s)", gvt_vgpu_get_name (vgpu), g_strerror (-ret));
      ret = probe (vgpu, VFIO_GFX_PLANE_TYPE_REGION);
      self->region = ret == 0;
      if (!self->region)
        g_debug ("%s: no region planes (%s)", gvt_vgpu_get_name (vgpu), g_strerror (-ret));
    }

  if (!self->dmabuf && !self->region)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DISPLAY,
                   "%s has no display: it offers neither dma-buf nor region planes "
                   "(%s). It is not a display-capable vGPU (a plain vfio-pci device or an "
                   "mdev such as mtty); pick a GVT-g, mbochs or mdpy device (`gvt-view list`)",
                   gvt_vgpu_get_name (vgpu), g_strerror (-ret));
      return NULL;
    }

  self->state = GVT_SOURCE_STATE_NO_SIGNAL;
  self->reason = g_strdup ("No signal — waiting for the guest display");
  return g_steal_pointer (&self);
}

void
gvt_scanout_free (GvtScanout *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->primary, gvt_plane_unref);
  g_clear_pointer (&self->cursor, gvt_plane_unref);
  g_clear_pointer (&self->cache, g_ptr_array_unref);
  g_clear_pointer (&self->regions, g_array_unref);
  g_free (self->reason);
  g_free (self->last_reject[0]);
  g_free (self->last_reject[1]);
  g_free (self);
}

gboolean gvt_scanout_has_dmabuf (GvtScanout *self) { return self->dmabuf; }
gboolean gvt_scanout_has_region (GvtScanout *self) { return self->region; }
GvtSourceState gvt_scanout_get_state (GvtScanout *self) { return self->state; }
GvtPlane *gvt_scanout_get_primary (GvtScanout *self) { return self->primary; }
GvtPlane *gvt_scanout_get_cursor (GvtScanout *self) { return self->cursor; }
gboolean gvt_scanout_is_retrying (GvtScanout *self) { return self->retrying; }

const char *
gvt_scanout_get_reason (GvtScanout *self)
{
  return self->state == GVT_SOURCE_STATE_LIVE ? NULL : self->reason;
}

void
gvt_scanout_get_stats (GvtScanout *self, GvtScanoutStats *stats)
{
  *stats = self->stats;
  stats->cached = self->cache->len;
}

static void
set_state (GvtScanout *self, GvtSourceState state, const char *reason)
{
  self->state = state;
  if (g_strcmp0 (self->reason, reason) != 0)
    {
      g_free (self->reason);
      self->reason = g_strdup (reason);
    }
}

static gboolean
is_lost_errno (int err)
{
  return err == ENODEV || err == EIO;
}

/* EINVAL, EFAULT, ENOMEM and anything unexpected: no frame this tick. The
 * caller polls again on its own clock, so all we do is keep the log quiet. */
static void
note_retry (GvtScanout *self, const char *what, int err)
{
  gint64 now = g_get_monotonic_time ();

  self->retrying = TRUE;
  self->stats.retries++;
  g_debug ("%s: %s failed: %s; retrying next tick", gvt_vgpu_get_name (self->vgpu), what,
           g_strerror (err));

  if (err == self->last_retry_errno && now - self->last_retry_log < RETRY_LOG_INTERVAL)
    {
      self->retries_unlogged++;
      return;
    }
  /* ENOMEM right after a mode change is mbochs' normal behaviour. */
  if (err != ENOMEM || self->retries_unlogged > 0)
    g_message ("%s: %s failed: %s (%" G_GUINT64_FORMAT " more since the last report); "
               "retrying", gvt_vgpu_get_name (self->vgpu), what, g_strerror (err),
               self->retries_unlogged);
  self->last_retry_errno = err;
  self->last_retry_log = now;
  self->retries_unlogged = 0;
}

static GvtSourceChange
become_lost (GvtScanout *self, const char *what, int err)
{
  g_warning ("%s: device lost during %s: %s", gvt_vgpu_get_name (self->vgpu), what,
             g_strerror (err));
  g_autofree char *reason = g_strdup_printf ("Device lost — %s went away (%s)",
                                             gvt_vgpu_get_name (self->vgpu), g_strerror (err));
  set_state (self, GVT_SOURCE_STATE_LOST, reason);
  /* Held buffers pin guest memory: let go of everything at once. */
  g_clear_pointer (&self->primary, gvt_plane_unref);
  g_clear_pointer (&self->cursor, gvt_plane_unref);
  g_ptr_array_set_size (self->cache, 0);
  g_array_set_size (self->regions, 0);
  self->retrying = FALSE;
  return GVT_SOURCE_LOST;
}

static void
note_reject (GvtScanout *self, GvtPlaneKind kind, const char *reason)
{
  char **last = &self->last_reject[kind == GVT_PLANE_CURSOR];

  self->stats.rejected++;
  if (g_strcmp0 (*last, reason) == 0)
    return;
  g_warning ("%s: ignoring the guest's plane: %s", gvt_vgpu_get_name (self->vgpu), reason);
  g_free (*last);
  *last = g_strdup (reason);
}

static RegionEntry *
lookup_region (GvtScanout *self, guint32 index)
{
  for (guint i = 0; i < self->regions->len; i++)
    {
      RegionEntry *entry = &g_array_index (self->regions, RegionEntry, i);
      if (entry->index == index)
        return entry;
    }

  /* The region list is tiny (one or two display regions) and bounded by
   * how many distinct indices a guest can make us ask for; cap it anyway. */
  if (self->regions->len >= 8)
    g_array_remove_index (self->regions, 0);

  GvtRegionInfo info = { 0 };
  RegionEntry entry = { .index = index };
  if (gvt_vgpu_get_region_info (self->vgpu, index, &info) == 0)
    {
      entry.size = info.size;
      entry.mmap = (info.flags & VFIO_REGION_INFO_FLAG_MMAP) != 0;
    }
  g_array_append_val (self->regions, entry);
  return &g_array_index (self->regions, RegionEntry, self->regions->len - 1);
}

static void
forget_region (GvtScanout *self, guint32 index)
{
  for (guint i = 0; i < self->regions->len; i++)
    if (g_array_index (self->regions, RegionEntry, i).index == index)
      {
        g_array_remove_index (self->regions, i);
        return;
      }
}

static gboolean
same_key (const struct vfio_device_gfx_plane_info *a,
          const struct vfio_device_gfx_plane_info *b)
{
  /* Not the plane type: a dmabuf id names one buffer of the device
   * whichever plane shows it (GVT-g keeps one id space per vGPU). */
  return a->dmabuf_id == b->dmabuf_id
         && a->drm_format == b->drm_format && a->drm_format_mod == b->drm_format_mod
         && a->width == b->width && a->height == b->height && a->stride == b->stride
         && a->size == b->size;
}

static gboolean
buffer_in_use (GvtScanout *self, GvtBuffer *buffer)
{
  return (self->primary && gvt_plane_get_buffer (self->primary) == buffer)
         || (self->cursor && gvt_plane_get_buffer (self->cursor) == buffer);
}

static gboolean
buffer_cached (GvtScanout *self, GvtBuffer *buffer)
{
  for (guint i = 0; i < self->cache->len; i++)
    if (((CacheEntry *) g_ptr_array_index (self->cache, i))->buffer == buffer)
      return TRUE;
  return FALSE;
}

/* dma-buf fds held by the shown planes outside the cache (their entry was
 * dropped as a reused id while the plane still shows it). */
static guint
shown_uncached (GvtScanout *self)
{
  GvtBuffer *p = self->primary ? gvt_plane_get_buffer (self->primary) : NULL;
  GvtBuffer *c = self->cursor ? gvt_plane_get_buffer (self->cursor) : NULL;
  guint n = 0;

  if (p != NULL && gvt_buffer_get_fd (p) >= 0 && !buffer_cached (self, p))
    n++;
  if (c != NULL && c != p && gvt_buffer_get_fd (c) >= 0 && !buffer_cached (self, c))
    n++;
  return n;
}

/* Drops the least recently used entries beyond the current planes plus
 * GVT_SCANOUT_CACHE_RECENT, counting every dma-buf fd held: the cache's
 * and those of shown planes no longer in it. */
static void
trim_cache (GvtScanout *self)
{
  while (self->cache->len + shown_uncached (self) > GVT_SCANOUT_CACHE_RECENT + 2)
    {
      gint victim = -1;
      for (guint i = 0; i < self->cache->len; i++)
        {
          CacheEntry *entry = g_ptr_array_index (self->cache, i);
          if (buffer_in_use (self, entry->buffer))
            continue;
          if (victim < 0
              || entry->last_used
                   < ((CacheEntry *) g_ptr_array_index (self->cache, victim))->last_used)
            victim = (gint) i;
        }
      if (victim < 0)
        return;
      g_ptr_array_remove_index_fast (self->cache, (guint) victim);
    }
}

/* Why the dma-buf @fd can't back the validated plane @info, or NULL. */
static char *
check_dmabuf_size (const struct vfio_device_gfx_plane_info *info, GvtPlaneKind kind, int fd,
                   guint64 *real)
{
  const char *what = kind == GVT_PLANE_CURSOR ? "cursor" : "primary";
  g_autoptr (GError) error = NULL;

  *real = 0;
  if (!gvt_dmabuf_get_size (fd, real, &error))
    return g_strdup_printf ("the guest's %ux%u %s plane can't be checked: %s",
                            info->width, info->height, what, error->message);
  guint64 need = gvt_plane_info_needed_bytes (info);
  if (*real < need)
    return g_strdup_printf ("the guest's %ux%u %s plane needs %" G_GUINT64_FORMAT
                            " bytes but its dma-buf has %" G_GUINT64_FORMAT,
                            info->width, info->height, what, need, *real);
  return NULL;
}

/* The buffer for a validated dma-buf plane: from the cache, or one GET
 * whose real size is checked at once. *@invalid (borrowed) is why it can't
 * be shown, or NULL. */
static int
dmabuf_buffer (GvtScanout *self, const struct vfio_device_gfx_plane_info *info,
               GvtPlaneKind kind, GvtBuffer **out, const char **invalid)
{
  struct vfio_device_gfx_plane_info key = *info;
  key.x_pos = key.y_pos = key.x_hot = key.y_hot = 0;
  key.argsz = key.flags = 0;

  for (guint i = 0; i < self->cache->len; i++)
    {
      CacheEntry *entry = g_ptr_array_index (self->cache, i);
      if (same_key (&entry->key, &key))
        {
          entry->last_used = self->tick;
          *out = entry->buffer;
          *invalid = entry->invalid;
          return 0;
        }
    }

  /* The same id with other geometry is a reused id: its old buffer is gone
   * on the device side, so our fd for it is stale and must not be found
   * again should the old geometry come back. A plane still showing it
   * holds its own reference. */
  for (guint i = 0; i < self->cache->len; i++)
    {
      CacheEntry *entry = g_ptr_array_index (self->cache, i);
      if (entry->key.dmabuf_id == key.dmabuf_id)
        {
          g_ptr_array_remove_index_fast (self->cache, i);
          break;
        }
    }

  self->stats.dmabuf_gets++;
  int fd = gvt_vgpu_get_dmabuf (self->vgpu, info->dmabuf_id);
  if (fd < 0)
    return fd;

  guint64 real = 0;
  CacheEntry *entry = g_new0 (CacheEntry, 1);
  entry->key = key;
  entry->invalid = check_dmabuf_size (info, kind, fd, &real);
  /* The real size: what a CPU mapping may cover. */
  entry->buffer = gvt_buffer_new_dmabuf (fd, (gsize) real);
  entry->last_used = self->tick;
  g_ptr_array_add (self->cache, entry);
  *out = entry->buffer;
  *invalid = entry->invalid;
  return 0;
}

static int
region_buffer (GvtScanout *self, RegionEntry *region, GvtBuffer **out)
{
  if (region->buffer == NULL)
    {
      void *data = NULL;
      int ret = gvt_vgpu_region_mmap (self->vgpu, region->index, 0, region->size,
                                      PROT_READ, &data);
      if (ret < 0)
        return ret;
      region->buffer = gvt_buffer_new_memory (data, region->size, unmap_region);
    }
  *out = region->buffer;
  return 0;
}

static gboolean
answer_is_primary (GvtScanout *self, const struct vfio_device_gfx_plane_info *info)
{
  GvtPlane *primary = self->primary;
  return primary != NULL && info->drm_format == gvt_plane_get_fourcc (primary)
         && info->width == gvt_plane_get_width (primary)
         && info->height == gvt_plane_get_height (primary)
         && info->stride == gvt_plane_get_stride (primary)
         && info->dmabuf_id == gvt_plane_get_dmabuf_id (primary); /* or region index */
}

typedef enum {
  FETCH_OK,      /* *plane set (NULL: no plane) */
  FETCH_RETRY,   /* no answer this tick */
  FETCH_LOST,
} FetchResult;

/* Queries one plane and turns the answer into a plane value, or NULL for
 * "no plane" and for a rejected plane (with @rejected set): fields that fail
 * validation, or a dma-buf too small for them. */
static FetchResult
fetch_plane (GvtScanout *self, GvtPlaneKind kind, GvtPlane *current, GvtPlane **plane,
             gboolean *rejected, int *err)
{
  GvtPlaneSource source = self->dmabuf ? GVT_PLANE_SOURCE_DMABUF : GVT_PLANE_SOURCE_REGION;
  const char *what = kind == GVT_PLANE_CURSOR ? "cursor query" : "primary query";

  /* Zeroed every time: with no plane enabled GVT-g returns 0 and leaves our
   * own struct as it was, so stale input must read as "no plane". */
  struct vfio_device_gfx_plane_info info = {
    .argsz = sizeof info,
    .flags = self->dmabuf ? VFIO_GFX_PLANE_TYPE_DMABUF : VFIO_GFX_PLANE_TYPE_REGION,
    .drm_plane_type = kind,
  };

  *plane = NULL;
  *rejected = FALSE;
  self->stats.queries++;
  int ret = gvt_vgpu_query_plane (self->vgpu, &info);
  if (ret < 0)
    {
      *err = -ret;
      if (is_lost_errno (-ret))
        return FETCH_LOST;
      note_retry (self, what, -ret);
      return FETCH_RETRY;
    }

  if (gvt_plane_info_is_empty (&info))
    return FETCH_OK;

  /* mdpy ignores the plane type and answers the cursor query with its
   * primary plane: that is "no cursor", not a bad one. */
  if (kind == GVT_PLANE_CURSOR && answer_is_primary (self, &info))
    {
      g_debug ("%s: the cursor query returned the primary plane; no cursor",
               gvt_vgpu_get_name (self->vgpu));
      return FETCH_OK;
    }

  RegionEntry *region = NULL;
  if (source == GVT_PLANE_SOURCE_REGION)
    {
      /* A new mode may come with new region memory (and size): ask again
       * and map again whenever the plane's geometry is not the one shown.
       * The plane still shown keeps its old mapping until replaced. */
      if (current == NULL || info.width != gvt_plane_get_width (current)
          || info.height != gvt_plane_get_height (current)
          || info.stride != gvt_plane_get_stride (current)
          || info.drm_format != gvt_plane_get_fourcc (current)
          || info.region_index != gvt_plane_get_region_index (current))
        forget_region (self, info.region_index);
      region = lookup_region (self, info.region_index);
      /* And whenever the device says the region changed under the same
       * geometry (one ioctl): new memory comes with a new size. */
      GvtRegionInfo now = { 0 };
      if (gvt_vgpu_get_region_info (self->vgpu, info.region_index, &now) == 0
          && (now.size != region->size
              || ((now.flags & VFIO_REGION_INFO_FLAG_MMAP) != 0) != region->mmap))
        {
          forget_region (self, info.region_index);
          region = lookup_region (self, info.region_index);
        }
    }

  g_autoptr (GError) error = NULL;
  if (!gvt_plane_info_validate (&info, kind, source, region ? region->size : 0,
                                region ? region->mmap : FALSE, &error))
    {
      note_reject (self, kind, error->message);
      *rejected = TRUE;
      return FETCH_OK;
    }

  GvtBuffer *buffer = NULL;
  const char *invalid = NULL;
  ret = region ? region_buffer (self, region, &buffer)
               : dmabuf_buffer (self, &info, kind, &buffer, &invalid);
  if (ret < 0)
    {
      *err = -ret;
      if (is_lost_errno (-ret))
        return FETCH_LOST;
      note_retry (self, region ? "region mmap" : "GET_GFX_DMABUF", -ret);
      return FETCH_RETRY;
    }
  if (invalid != NULL)
    {
      note_reject (self, kind, invalid);
      *rejected = TRUE;
      return FETCH_OK;
    }
  g_clear_pointer (&self->last_reject[kind == GVT_PLANE_CURSOR], g_free);

  GvtPlane *candidate = gvt_plane_new (&info, kind, source, buffer);
  /* Keep the old value when nothing at all changed: cheaper, and callers
   * may compare pointers. */
  if (current && gvt_plane_same_image (current, candidate)
      && gvt_plane_get_x (current) == gvt_plane_get_x (candidate)
      && gvt_plane_get_y (current) == gvt_plane_get_y (candidate)
      && gvt_plane_get_hot_x (current) == gvt_plane_get_hot_x (candidate)
      && gvt_plane_get_hot_y (current) == gvt_plane_get_hot_y (candidate))
    {
      gvt_plane_unref (candidate);
      *plane = gvt_plane_ref (current);
    }
  else
    *plane = candidate;
  return FETCH_OK;
}

static GvtSourceChange
replace_cursor (GvtScanout *self, GvtPlane *cursor /* owned, nullable */)
{
  GvtSourceChange changes = GVT_SOURCE_NOTHING;
  GvtPlane *old = self->cursor;

  if (!gvt_plane_same_image (old, cursor))
    changes |= GVT_SOURCE_CURSOR_IMAGE_CHANGED;
  else if (old && (gvt_plane_get_x (old) != gvt_plane_get_x (cursor)
                   || gvt_plane_get_y (old) != gvt_plane_get_y (cursor)
                   || gvt_plane_get_hot_x (old) != gvt_plane_get_hot_x (cursor)
                   || gvt_plane_get_hot_y (old) != gvt_plane_get_hot_y (cursor)))
    changes |= GVT_SOURCE_CURSOR_MOVED;

  self->cursor = cursor;
  gvt_plane_unref (old);
  return changes;
}

GvtSourceChange
gvt_scanout_poll (GvtScanout *self)
{
  GvtSourceChange changes = GVT_SOURCE_NOTHING;
  GvtPlane *primary = NULL;
  gboolean rejected = FALSE;
  int err = 0;

  if (self->state == GVT_SOURCE_STATE_LOST)
    return GVT_SOURCE_NOTHING;

  self->tick++;
  self->stats.polls++;

  switch (fetch_plane (self, GVT_PLANE_PRIMARY, self->primary, &primary, &rejected, &err))
    {
    case FETCH_LOST:
      return become_lost (self, "the primary plane query", err);
    case FETCH_RETRY:
      return GVT_SOURCE_NOTHING;
    case FETCH_OK:
      break;
    }
  self->retrying = FALSE;

  if (!gvt_plane_same_image (self->primary, primary))
    changes |= GVT_SOURCE_PRIMARY_CHANGED;
  g_clear_pointer (&self->primary, gvt_plane_unref);
  self->primary = primary;

  if (primary == NULL)
    {
      if (rejected)
        {
          g_autofree char *reason = g_strdup_printf ("Unsupported plane — %s",
                                                     self->last_reject[0]);
          set_state (self, GVT_SOURCE_STATE_INVALID, reason);
        }
      else
        set_state (self, GVT_SOURCE_STATE_NO_SIGNAL,
                   "No signal — waiting for the guest display");
      changes |= replace_cursor (self, NULL);
      trim_cache (self);
      return changes;
    }
  set_state (self, GVT_SOURCE_STATE_LIVE, NULL);

  GvtPlane *cursor = NULL;
  switch (fetch_plane (self, GVT_PLANE_CURSOR, self->cursor, &cursor, &rejected, &err))
    {
    case FETCH_LOST:
      return become_lost (self, "the cursor plane query", err);
    case FETCH_RETRY:
      /* Keep showing the last cursor a moment (the primary's news still
       * counts); one the device keeps refusing (GVT-g: a cursor mode or
       * address it can't decode, EINVAL/EFAULT every tick) goes. */
      if (++self->cursor_retries >= GVT_SCANOUT_CURSOR_RETRY_TICKS)
        changes |= replace_cursor (self, NULL);
      break;
    case FETCH_OK:
      self->cursor_retries = 0;
      changes |= replace_cursor (self, cursor);
      break;
    }
  /* The primary settled this tick: a cursor in trouble doesn't make the
   * device unsettled (snapshot --wait, probe would wait for nothing). */
  self->retrying = FALSE;

  trim_cache (self);
  return changes;
}
