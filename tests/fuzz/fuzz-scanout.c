/* Fuzz target: the scanout poller (display/scanout.h) against a hostile
 * device.
 *
 * A fake vGPU backend (vgpu-private.h's GvtVgpuOps) answers every op from
 * the input: probe results, a region table, and then, each time the poller
 * asks, a QUERY_GFX_PLANE answer (an errno, an empty plane, the last answer
 * again, a remembered one, a new or mutated description, raw bytes, the
 * other plane's answer), a GET_GFX_DMABUF answer (an errno, or a memfd of
 * a size chosen around what the plane needs) and a region mmap answer. The
 * poller is polled until the input runs out, then the device turns good
 * for three ticks.
 *
 * Contract checked on every tick (scanout.h, VFIO-NOTES.md):
 * - every query is zeroed, has argsz and exactly the probed type; GET and
 *   mmap come only for the plane just answered and in the probed mode;
 * - at most two queries, GETs and mmaps a tick; the cursor is asked for
 *   only when a primary exists;
 * - ENODEV/EIO from any op means LOST, with everything released; LOST is
 *   final: no op is called again and polls report nothing;
 * - any other errno ends the tick with no change (is_retrying), except
 *   that a failed cursor keeps the last cursor, for fewer than
 *   GVT_SCANOUT_CURSOR_RETRY_TICKS failed ticks in a row (then it goes),
 *   and is_retrying is the primary's alone;
 * - the state follows the answers: NO_SIGNAL for an empty primary, INVALID
 *   for one that breaks plane.h's rules (fuzz-plane-ref.c) or whose
 *   dma-buf is smaller than gvt_plane_info_needed_bytes, LIVE exactly
 *   while a valid primary is shown; a reason exactly when not LIVE;
 * - every plane handed out is the answer's values, passes validation, is
 *   backed by the buffer the device gave for that id and geometry, and
 *   that buffer can be mapped and read up to the image's last byte;
 * - the change flags say exactly what changed;
 * - no GET of an (id, geometry) whose fd the poller still holds (unless
 *   the device has since reused the id for other geometry);
 * - at most GVT_SCANOUT_CACHE_RECENT + 2 dma-buf fds held, and no other fd
 *   or mapping left behind after gvt_scanout_free;
 * - after any history, a good device gives LIVE at the next tick, and
 *   steady answers cost no GET, no mmap and report no change.
 * Two violations found so far wait for their fix (FUZZ_CHECK_KNOWN tags,
 * reproducers corpus/scanout/finding-*): get-across-kinds (a buffer
 * answered for both planes is fetched twice, the cache key has the plane
 * type in it) and fd-bound-after-reuse (a shown plane whose entry was
 * evicted as a reused id is not counted by the cache trim). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <drm_fourcc.h>

#include "common/gvt-error.h"
#include "display/scanout.h"
#include "vgpu/vgpu-private.h"
#include "fuzz-common.h"
#include "fuzz-plane-ref.h"
#include "fuzz-poll.h"

#define MAX_TICKS 48
#define N_REGIONS 4
#define N_SLOTS 4
/* Region mappings are real (the poller reads through them): keep them
 * small enough for a fuzzer's memory limit. */
#define MAX_REGION_MAP (64u << 20)
/* memfds are sparse; this only keeps ftruncate sane. */
#define MAX_DMABUF (G_GUINT64_CONSTANT (1) << 34)

#define OUT_OFFSET offsetof (struct vfio_device_gfx_plane_info, drm_format)
#define OUT_SIZE (sizeof (struct vfio_device_gfx_plane_info) - OUT_OFFSET)

/* One dma-buf the device handed out. */
typedef struct {
  guint64 serial;
  struct vfio_device_gfx_plane_info key; /* id and geometry of the answer */
  guint64 real;                          /* the memfd's size */
  guint32 kind;                          /* the plane it was fetched for */
  guint32 kinds;                         /* planes answered with its key since */
  gboolean stale;                        /* the device reused the id since */
} Given;

/* What the device did during one poll. */
typedef struct {
  int n_queries;
  struct {
    guint32 kind;
    int ret;
    struct vfio_device_gfx_plane_info answer;
  } q[3];
  /* GETs and mmaps, each with the query whose answer it serves. */
  int n_gets;
  struct {
    int qi;
    int ret;
    guint64 serial;
  } g[3];
  int n_mmaps;
  struct {
    int qi;
    int ret;
  } m[3];
  int n_other_ops;
  gboolean lost;   /* some op returned ENODEV or EIO */
  gboolean retry;  /* some op returned another errno */
} Tick;

typedef struct {
  guint32 index;
  guint64 size;
  guint32 flags;
} Region;

typedef struct {
  GvtVgpu base;
  FuzzIn *in;
  int probe_dmabuf, probe_region;
  gboolean dmabuf_mode;        /* what the poller should have picked */
  Region regions[N_REGIONS + 1];
  guint n_regions;

  struct vfio_device_gfx_plane_info last[3]; /* by kind */
  gboolean have_last[3];
  struct vfio_device_gfx_plane_info slots[N_SLOTS];
  gboolean have_slot[N_SLOTS];

  /* Steady phase: fixed good answers. */
  gboolean steady;
  struct vfio_device_gfx_plane_info good[3];

  GHashTable *given;           /* serial -> Given */
  guint64 next_serial;
  GHashTable *ids_answered;    /* ids and region indices seen in answers */
  gboolean ever_lost;
  gboolean ever_mapped;
  int other_fds;               /* fds open before the input */
  guint cursor_retries;        /* ticks in a row the cursor fetch failed */
  Tick tick;
} Fake;

/* --- the device --- */

static const int errnos[] = {
  EINVAL, EINVAL, EINVAL, EFAULT, ENOMEM, ENOMEM, EAGAIN, ENOTTY, EBUSY, EPERM, ENODEV, EIO,
};

static int
fail_with (Fake *f, int err)
{
  if (err == ENODEV || err == EIO)
    {
      f->tick.lost = TRUE;
      f->ever_lost = TRUE;
    }
  else
    f->tick.retry = TRUE;
  return -err;
}

static const Region *
find_region (Fake *f, guint32 index)
{
  for (guint i = 0; i < f->n_regions; i++)
    if (f->regions[i].index == index)
      return &f->regions[i];
  return NULL;
}

/* The id (dma-buf mode) or region index (region mode) of an answer. */
static guint32
answer_id (const struct vfio_device_gfx_plane_info *info)
{
  return info->dmabuf_id;
}

static gboolean same_key (const struct vfio_device_gfx_plane_info *a,
                          const struct vfio_device_gfx_plane_info *b);

/* Marks the buffers an answer makes stale (its id with other geometry) and
 * notes for which planes each key was answered. */
static void
mark_reused (Fake *f, guint32 kind, const struct vfio_device_gfx_plane_info *answer)
{
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init (&iter, f->given);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Given *g = value;
      const struct vfio_device_gfx_plane_info *k = &g->key;
      if (k->dmabuf_id == answer->dmabuf_id
          && (k->drm_format != answer->drm_format || k->drm_format_mod != answer->drm_format_mod
              || k->width != answer->width || k->height != answer->height
              || k->stride != answer->stride || k->size != answer->size))
        g->stale = TRUE;
      if (same_key (k, answer))
        g->kinds |= 1u << kind;
    }
}

static void
decode_answer (Fake *f, guint32 kind, struct vfio_device_gfx_plane_info *info)
{
  FuzzIn *in = f->in;
  guint8 a = fuzz_u8 (in);
  guint other = kind == GVT_PLANE_CURSOR ? GVT_PLANE_PRIMARY : GVT_PLANE_CURSOR;
  guint slot;

  switch (a % 16)
    {
    case 1: /* no plane, in one of its two spellings, fields otherwise set */
      fuzz_decode_plane (in, kind, info);
      if (fuzz_u8 (in) & 1)
        info->drm_format = 0;
      else
        info->size = 0;
      return;
    case 2: /* nothing written: the zeroed query comes back */
      return;
    case 3: case 4: case 5: case 6: case 7:
      if (f->have_last[kind])
        {
          memcpy ((guint8 *) info + OUT_OFFSET, (guint8 *) &f->last[kind] + OUT_OFFSET,
                  OUT_SIZE);
          return;
        }
      break;
    case 8: case 9:
      slot = fuzz_u8 (in) % N_SLOTS;
      if (f->have_slot[slot])
        {
          memcpy ((guint8 *) info + OUT_OFFSET, (guint8 *) &f->slots[slot] + OUT_OFFSET,
                  OUT_SIZE);
          return;
        }
      break;
    case 11: /* the last answer with one field changed */
      if (f->have_last[kind])
        {
          memcpy ((guint8 *) info + OUT_OFFSET, (guint8 *) &f->last[kind] + OUT_OFFSET,
                  OUT_SIZE);
          switch (fuzz_u8 (in) % 8)
            {
            case 0: info->drm_format_mod = fuzz_u8 (in) & 1 ? I915_FORMAT_MOD_X_TILED
                                                            : DRM_FORMAT_MOD_LINEAR; break;
            case 1: info->width = fuzz_near (in, info->width); break;
            case 2: info->height = fuzz_near (in, info->height); break;
            case 3: info->stride = fuzz_near (in, info->stride); break;
            case 4: info->size = fuzz_near (in, info->size); break;
            case 5: info->dmabuf_id = fuzz_near (in, info->dmabuf_id); break;
            case 6: info->x_hot = fuzz_near (in, info->x_hot); break;
            default: info->drm_format = fuzz_u8 (in) & 1 ? DRM_FORMAT_ARGB8888
                                                         : DRM_FORMAT_RGB565; break;
            }
          return;
        }
      break;
    case 12: /* raw bytes */
      for (gsize i = 0; i < OUT_SIZE; i++)
        ((guint8 *) info)[OUT_OFFSET + i] = fuzz_u8 (in);
      return;
    case 13: /* the other plane's answer (mdpy answers the cursor query so) */
      if (f->have_last[other])
        {
          memcpy ((guint8 *) info + OUT_OFFSET, (guint8 *) &f->last[other] + OUT_OFFSET,
                  OUT_SIZE);
          return;
        }
      break;
    case 14: /* the last answer, moved */
      if (f->have_last[kind])
        {
          memcpy ((guint8 *) info + OUT_OFFSET, (guint8 *) &f->last[kind] + OUT_OFFSET,
                  OUT_SIZE);
          info->x_pos = fuzz_near (in, info->x_pos);
          info->y_pos = fuzz_near (in, info->y_pos);
          return;
        }
      break;
    default:
      break;
    }

  /* A new description, remembered in a slot. */
  fuzz_decode_plane (in, kind, info);
  slot = fuzz_u8 (in) % N_SLOTS;
  f->slots[slot] = *info;
  f->have_slot[slot] = TRUE;
}

static int
fake_query_plane (GvtVgpu *vgpu, struct vfio_device_gfx_plane_info *info)
{
  Fake *f = (Fake *) vgpu;

  FUZZ_CHECK (info->argsz >= sizeof *info, "query argsz %u", info->argsz);
  if (info->flags & VFIO_GFX_PLANE_TYPE_PROBE)
    {
      f->tick.n_other_ops++;
      if (info->flags == (VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF))
        return f->probe_dmabuf;
      if (info->flags == (VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_REGION))
        return f->probe_region;
      return -EINVAL;
    }

  FUZZ_CHECK (info->flags == (f->dmabuf_mode ? VFIO_GFX_PLANE_TYPE_DMABUF
                                             : VFIO_GFX_PLANE_TYPE_REGION),
              "query flags 0x%x in %s mode", info->flags, f->dmabuf_mode ? "dma-buf" : "region");
  FUZZ_CHECK (info->drm_plane_type == GVT_PLANE_PRIMARY
              || info->drm_plane_type == GVT_PLANE_CURSOR,
              "query plane type %u", info->drm_plane_type);
  static const guint8 zeros[OUT_SIZE];
  FUZZ_CHECK (memcmp ((guint8 *) info + OUT_OFFSET, zeros, OUT_SIZE) == 0,
              "the query struct is not zeroed (GVT-g echoes it when no plane is on)");
  FUZZ_CHECK (f->tick.n_queries < 2, "more than two queries in one tick");

  guint32 kind = info->drm_plane_type;
  int i = f->tick.n_queries++;
  f->tick.q[i].kind = kind;

  if (f->steady)
    memcpy ((guint8 *) info + OUT_OFFSET, (guint8 *) &f->good[kind] + OUT_OFFSET, OUT_SIZE);
  else if (fuzz_u8 (f->in) % 12 == 0)
    {
      f->tick.q[i].ret = fail_with (f, errnos[fuzz_u8 (f->in) % G_N_ELEMENTS (errnos)]);
      fuzz_trace ("  query %s: %s", kind == 2 ? "cursor" : "primary",
                  g_strerror (-f->tick.q[i].ret));
      return f->tick.q[i].ret;
    }
  else
    decode_answer (f, kind, info);

  fuzz_trace ("  query %s: fourcc 0x%08x mod 0x%" G_GINT64_MODIFIER "x %ux%u stride %u "
              "size %u pos %u,%u hot %u,%u id %u", kind == 2 ? "cursor" : "primary",
              info->drm_format, (guint64) info->drm_format_mod, info->width, info->height,
              info->stride, info->size, info->x_pos, info->y_pos, info->x_hot, info->y_hot,
              info->dmabuf_id);
  f->tick.q[i].answer = *info;
  f->last[kind] = *info;
  f->have_last[kind] = TRUE;
  g_hash_table_add (f->ids_answered, GUINT_TO_POINTER (answer_id (info)));
  mark_reused (f, kind, info);
  return 0;
}

static guint64
page_round (guint64 v)
{
  return (v + 4095) / 4096 * 4096;
}

static int
fake_get_dmabuf (GvtVgpu *vgpu, guint32 dmabuf_id)
{
  Fake *f = (Fake *) vgpu;

  FUZZ_CHECK (f->dmabuf_mode, "GET_GFX_DMABUF in region mode");
  FUZZ_CHECK (f->tick.n_queries > 0 && f->tick.q[f->tick.n_queries - 1].ret == 0,
              "GET_GFX_DMABUF without a plane answer before it");
  FUZZ_CHECK (f->tick.n_gets < f->tick.n_queries, "two GETs for one answer");
  const struct vfio_device_gfx_plane_info *answer = &f->tick.q[f->tick.n_queries - 1].answer;
  FUZZ_CHECK (dmabuf_id == answer->dmabuf_id, "GET of id %u after an answer with id %u",
              dmabuf_id, answer->dmabuf_id);

  int i = f->tick.n_gets++;
  f->tick.g[i].qi = f->tick.n_queries - 1;
  guint64 needed = gvt_plane_info_needed_bytes (answer);
  guint64 real;
  if (f->steady)
    real = page_round (needed);
  else
    {
      guint8 g = fuzz_u8 (f->in);
      switch (g % 10)
        {
        case 0:
          f->tick.g[i].ret = fail_with (f, errnos[fuzz_u8 (f->in) % G_N_ELEMENTS (errnos)]);
          fuzz_trace ("  GET %u: %s", dmabuf_id, g_strerror (-f->tick.g[i].ret));
          return f->tick.g[i].ret;
        case 1: case 2: real = page_round (needed); break;
        case 3: real = needed; break;
        case 4: real = answer->size; break;
        case 5: real = page_round (answer->size); break;
        case 6: real = (guint64) answer->stride * answer->height; break; /* tiles ignored */
        case 7: /* short by 1..256 bytes */
          {
            guint64 by = 1 + (guint64) fuzz_u8 (f->in);
            real = needed > by ? needed - by : 0;
          }
          break;
        case 8: real = 0; break;
        default: real = fuzz_near64 (f->in, needed); break;
        }
    }
  real = MIN (real, MAX_DMABUF);

  /* The serial in the memfd's name: /proc/self/fd says who holds what. */
  guint64 serial = ++f->next_serial;
  char name[64];
  g_snprintf (name, sizeof name, "fuzz-dmabuf-%" G_GUINT64_FORMAT, serial);
  int fd = memfd_create (name, MFD_CLOEXEC);
  if (fd < 0 || ftruncate (fd, (off_t) real) != 0)
    g_error ("memfd: %s", g_strerror (errno));

  Given *g = g_new0 (Given, 1);
  g->serial = serial;
  g->key = *answer;
  g->key.x_pos = g->key.y_pos = g->key.x_hot = g->key.y_hot = 0;
  g->real = real;
  g->kind = f->tick.q[f->tick.n_queries - 1].kind;
  g->kinds = 1u << g->kind;
  g_hash_table_insert (f->given, &g->serial, g);
  fuzz_trace ("  GET %u: fd %d, memfd #%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
              " bytes (needs %" G_GUINT64_FORMAT ")", dmabuf_id, fd, serial, real, needed);
  f->tick.g[i].serial = serial;
  f->tick.g[i].ret = fd;
  return fd;
}

static int
fake_get_region_info (GvtVgpu *vgpu, guint32 index, GvtRegionInfo *info)
{
  Fake *f = (Fake *) vgpu;
  f->tick.n_other_ops++;
  const Region *r = find_region (f, index);
  if (r == NULL)
    return -EINVAL;
  *info = (GvtRegionInfo) { .index = index, .flags = r->flags, .size = r->size,
                            .offset = (guint64) index << 40 };
  return 0;
}

static int
fake_region_mmap (GvtVgpu *vgpu, guint32 index, guint64 offset, gsize len, int prot,
                  void **out)
{
  Fake *f = (Fake *) vgpu;
  const Region *r = find_region (f, index);

  FUZZ_CHECK (!f->dmabuf_mode, "region mmap in dma-buf mode");
  FUZZ_CHECK (r != NULL && (r->flags & VFIO_REGION_INFO_FLAG_MMAP),
              "mmap of region %u, which is not a mappable region", index);
  FUZZ_CHECK (offset == 0 && len == r->size && prot == PROT_READ,
              "region %u mapped at %" G_GUINT64_FORMAT " for %" G_GSIZE_FORMAT
              " bytes, prot %d", index, offset, len, prot);
  FUZZ_CHECK (f->tick.n_mmaps < 2, "more than two mmaps in one tick");

  FUZZ_CHECK (f->tick.n_queries > 0 && f->tick.q[f->tick.n_queries - 1].ret == 0
              && f->tick.q[f->tick.n_queries - 1].answer.region_index == index,
              "region %u mapped for no answer that names it", index);
  int i = f->tick.n_mmaps++;
  f->tick.m[i].qi = f->tick.n_queries - 1;
  if (!f->steady && fuzz_u8 (f->in) % 8 == 0)
    return f->tick.m[i].ret = fail_with (f, errnos[fuzz_u8 (f->in) % G_N_ELEMENTS (errnos)]);
  if (len > MAX_REGION_MAP)
    return f->tick.m[i].ret = fail_with (f, ENOMEM);

  int fd = memfd_create ("fuzz-region", MFD_CLOEXEC);
  if (fd < 0 || ftruncate (fd, (off_t) len) != 0)
    g_error ("memfd: %s", g_strerror (errno));
  void *data = mmap (NULL, len, prot, MAP_SHARED, fd, 0);
  close (fd);
  if (data == MAP_FAILED)
    return f->tick.m[i].ret = fail_with (f, errno);
  f->ever_mapped = TRUE;
  *out = data;
  return f->tick.m[i].ret = 0;
}

static int
fake_get_device_info (GvtVgpu *vgpu, struct vfio_device_info *info)
{
  Fake *f = (Fake *) vgpu;
  f->tick.n_other_ops++;
  info->flags = VFIO_DEVICE_FLAGS_PCI;
  info->num_regions = VFIO_PCI_NUM_REGIONS;
  info->num_irqs = 0;
  return 0;
}

static void
fake_finalize (GvtVgpu *vgpu)
{
  Fake *f = (Fake *) vgpu;
  g_hash_table_unref (f->given);
  g_hash_table_unref (f->ids_answered);
}

static const GvtVgpuOps fake_ops = {
  .backend = "fuzz",
  .get_device_info = fake_get_device_info,
  .get_region_info = fake_get_region_info,
  .region_mmap = fake_region_mmap,
  .query_plane = fake_query_plane,
  .get_dmabuf = fake_get_dmabuf,
  .finalize = fake_finalize,
};

/* --- what the poller holds --- */

/* The serial of the fake's memfd behind @fd, or 0. */
static guint64
serial_of_fd (int fd)
{
  char path[64], target[256];
  g_snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  ssize_t n = readlink (path, target, sizeof target - 1);
  if (n < 0)
    return 0;
  target[n] = '\0';
  const char *p = strstr (target, "fuzz-dmabuf-");
  return p ? g_ascii_strtoull (p + strlen ("fuzz-dmabuf-"), NULL, 10) : 0;
}

typedef struct {
  GHashTable *open;  /* serials of fds open now */
  int others;
} FdScan;

static void
scan_fd (int fd, const char *target, gpointer data)
{
  FdScan *scan = data;
  const char *p = strstr (target, "fuzz-dmabuf-");
  if (p != NULL)
    {
      guint64 *serial = g_new (guint64, 1);
      *serial = g_ascii_strtoull (p + strlen ("fuzz-dmabuf-"), NULL, 10);
      g_hash_table_add (scan->open, serial);
    }
  else
    scan->others++;
}

static void
scan_fds (FdScan *scan)
{
  scan->open = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  scan->others = 0;
  fuzz_for_each_fd (scan_fd, scan);
}

static gboolean
same_key (const struct vfio_device_gfx_plane_info *a,
          const struct vfio_device_gfx_plane_info *b)
{
  return a->dmabuf_id == b->dmabuf_id && a->drm_format == b->drm_format
         && a->drm_format_mod == b->drm_format_mod && a->width == b->width
         && a->height == b->height && a->stride == b->stride && a->size == b->size;
}

/* --- the checks --- */

static void
region_of (Fake *f, guint32 index, guint64 *size, gboolean *mmap_ok)
{
  const Region *r = find_region (f, index);
  *size = r ? r->size : 0;
  *mmap_ok = r ? (r->flags & VFIO_REGION_INFO_FLAG_MMAP) != 0 : FALSE;
}

static gboolean
answer_valid (Fake *f, const struct vfio_device_gfx_plane_info *a, GvtPlaneKind kind)
{
  guint64 region_size = 0;
  gboolean region_mmap = FALSE;
  const char *why;
  if (!f->dmabuf_mode)
    region_of (f, a->region_index, &region_size, &region_mmap);
  return fuzz_ref_plane_valid (a, kind,
                               f->dmabuf_mode ? GVT_PLANE_SOURCE_DMABUF
                                              : GVT_PLANE_SOURCE_REGION,
                               region_size, region_mmap, &why);
}

/* A plane handed out: the answer's values, valid, on the right buffer,
 * readable to its last byte. */
static void
check_plane (Fake *f, GvtPlane *p, GvtPlaneKind kind,
             const struct vfio_device_gfx_plane_info *a)
{
  const char *what = kind == GVT_PLANE_CURSOR ? "cursor" : "primary";
  FUZZ_CHECK (gvt_plane_get_kind (p) == kind, "%s plane of kind %d", what,
              gvt_plane_get_kind (p));
  FUZZ_CHECK (gvt_plane_get_source (p) == (f->dmabuf_mode ? GVT_PLANE_SOURCE_DMABUF
                                                          : GVT_PLANE_SOURCE_REGION),
              "%s plane source", what);
  FUZZ_CHECK (gvt_plane_get_fourcc (p) == a->drm_format
              && gvt_plane_get_modifier (p) == a->drm_format_mod
              && gvt_plane_get_width (p) == a->width && gvt_plane_get_height (p) == a->height
              && gvt_plane_get_stride (p) == a->stride && gvt_plane_get_size (p) == a->size
              && gvt_plane_get_dmabuf_id (p) == a->dmabuf_id,
              "the %s plane is not the device's answer", what);
  guint32 hx, hy;
  fuzz_ref_hotspot (a, &hx, &hy);
  if (kind == GVT_PLANE_CURSOR)
    FUZZ_CHECK (gvt_plane_get_x (p) == fuzz_ref_position (a->x_pos)
                && gvt_plane_get_y (p) == fuzz_ref_position (a->y_pos)
                && gvt_plane_get_hot_x (p) == hx && gvt_plane_get_hot_y (p) == hy,
                "cursor position/hotspot %d,%d %u,%u for an answer of %u,%u %u,%u",
                gvt_plane_get_x (p), gvt_plane_get_y (p), gvt_plane_get_hot_x (p),
                gvt_plane_get_hot_y (p), a->x_pos, a->y_pos, a->x_hot, a->y_hot);
  else
    FUZZ_CHECK (gvt_plane_get_x (p) == 0 && gvt_plane_get_y (p) == 0
                && gvt_plane_get_hot_x (p) == GVT_HOTSPOT_UNKNOWN,
                "primary position");
  FUZZ_CHECK (answer_valid (f, a, kind), "an invalid %s answer was handed out (%ux%u "
              "fourcc 0x%08x stride %u size %u)", what, a->width, a->height, a->drm_format,
              a->stride, a->size);

  GvtBuffer *buffer = gvt_plane_get_buffer (p);
  guint64 needed = gvt_plane_info_needed_bytes (a);
  if (f->dmabuf_mode)
    {
      guint64 serial = serial_of_fd (gvt_buffer_get_fd (buffer));
      Given *g = g_hash_table_lookup (f->given, &serial);
      FUZZ_CHECK (g != NULL, "the %s plane's fd is not a dma-buf the device gave", what);
      FUZZ_CHECK (same_key (&g->key, a),
                  "the %s plane shows the buffer of id %u %ux%u stride %u for an answer "
                  "of id %u %ux%u stride %u", what, g->key.dmabuf_id, g->key.width,
                  g->key.height, g->key.stride, a->dmabuf_id, a->width, a->height, a->stride);
      FUZZ_CHECK (g->real >= needed,
                  "the %s plane (%ux%u stride %u, modifier 0x%" G_GINT64_MODIFIER "x) is "
                  "live on a dma-buf of %" G_GUINT64_FORMAT " bytes; it needs %"
                  G_GUINT64_FORMAT, what, a->width, a->height, a->stride,
                  (guint64) a->drm_format_mod, g->real, needed);
      FUZZ_CHECK (gvt_buffer_get_size (buffer) <= g->real,
                  "the %s plane's buffer says %" G_GSIZE_FORMAT " bytes, the dma-buf has %"
                  G_GUINT64_FORMAT ": mapping it faults", what, gvt_buffer_get_size (buffer),
                  g->real);
    }
  else
    FUZZ_CHECK (gvt_buffer_get_size (buffer) >= (guint64) a->stride * a->height,
                "the %s plane's region mapping is smaller than the image", what);

  /* Reading the image's last byte must not fault. */
  const guint8 *bytes = gvt_buffer_map (buffer, NULL);
  if (bytes != NULL)
    {
      guint64 last = MIN (needed, gvt_buffer_get_size (buffer));
      if (last > 0)
        (void) *(volatile const guint8 *) (bytes + last - 1);
      fuzz_count ("plane mapped");
    }
}

/* The buffer the poller must have used for a valid dma-buf answer was too
 * small: the one just fetched, or (no GET) a held one with the same key. */
static gboolean
buffer_too_small (Fake *f, const struct vfio_device_gfx_plane_info *a, int get_index,
                  GHashTable *open)
{
  guint64 needed = gvt_plane_info_needed_bytes (a);
  if (get_index >= 0)
    {
      Given *g = g_hash_table_lookup (f->given, &f->tick.g[get_index].serial);
      return g->real < needed;
    }
  GHashTableIter iter;
  gpointer key;
  g_hash_table_iter_init (&iter, open);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      Given *g = g_hash_table_lookup (f->given, key);
      if (g != NULL && same_key (&g->key, a) && g->real < needed)
        return TRUE;
    }
  return FALSE;
}

/* What became of one plane's fetch: FALSE when it ended the tick (retry). */
typedef enum { FETCH_PLANE, FETCH_NONE, FETCH_RETRY } Fetch;

static int
op_for_query (Fake *f, int qi, gboolean get)
{
  int n = get ? f->tick.n_gets : f->tick.n_mmaps;
  for (int i = 0; i < n; i++)
    if ((get ? f->tick.g[i].qi : f->tick.m[i].qi) == qi)
      return i;
  return -1;
}

static Fetch
expected_fetch (Fake *f, int qi, int *gi, int *mi, GHashTable *open,
                const struct vfio_device_gfx_plane_info *primary_answer, gboolean *rejected)
{
  const struct vfio_device_gfx_plane_info *a = &f->tick.q[qi].answer;
  GvtPlaneKind kind = f->tick.q[qi].kind;

  *rejected = FALSE;
  if (f->tick.q[qi].ret < 0)
    return FETCH_RETRY;
  if (a->drm_format == 0 || a->size == 0)
    return FETCH_NONE;
  if (kind == GVT_PLANE_CURSOR && primary_answer != NULL
      && a->drm_format == primary_answer->drm_format && a->width == primary_answer->width
      && a->height == primary_answer->height && a->stride == primary_answer->stride
      && a->dmabuf_id == primary_answer->dmabuf_id)
    return FETCH_NONE; /* mdpy's habit: the primary again means no cursor */
  if (!answer_valid (f, a, kind))
    {
      *rejected = TRUE;
      return FETCH_NONE;
    }
  if (f->dmabuf_mode)
    {
      int g = op_for_query (f, qi, TRUE);
      if (g >= 0)
        (*gi)++;
      if (g >= 0 && f->tick.g[g].ret < 0)
        return FETCH_RETRY;
      if (buffer_too_small (f, a, g, open))
        {
          *rejected = TRUE;
          return FETCH_NONE;
        }
    }
  else
    {
      int m = op_for_query (f, qi, FALSE);
      if (m >= 0)
        (*mi)++;
      if (m >= 0 && f->tick.m[m].ret < 0)
        return FETCH_RETRY;
    }
  return FETCH_PLANE;
}

static void
check_tick (Fake *f, GvtScanout *s, const State *before, GvtSourceChange changes,
            gboolean steady_repeat)
{
  State after = state_of (s);
  Tick *t = &f->tick;
  FdScan scan;
  scan_fds (&scan);

  /* Held dma-bufs: bounded, and no other fd appears. */
  guint held = g_hash_table_size (scan.open);
  FUZZ_CHECK (scan.others == f->other_fds, "%d fds besides dma-bufs, %d before",
              scan.others, f->other_fds);
  if (held > GVT_SCANOUT_CACHE_RECENT + 2)
    {
      /* Known: a current plane whose cache entry was evicted as a reused
       * id (the other plane's answer named its id with other geometry)
       * still holds its fd, and the trim doesn't count it. */
      guint stale_current = 0;
      GvtPlane *current[2] = { gvt_scanout_get_primary (s), gvt_scanout_get_cursor (s) };
      for (int i = 0; i < 2; i++)
        if (current[i] != NULL && f->dmabuf_mode)
          {
            guint64 serial = serial_of_fd (gvt_buffer_get_fd (gvt_plane_get_buffer (current[i])));
            Given *g = g_hash_table_lookup (f->given, &serial);
            stale_current += g != NULL && g->stale;
          }
      FUZZ_CHECK (held <= GVT_SCANOUT_CACHE_RECENT + 2 + stale_current,
                  "%u dma-buf fds held, more than the %d cached besides the current "
                  "primary and cursor", held, GVT_SCANOUT_CACHE_RECENT);
      FUZZ_CHECK_KNOWN ("fd-bound-after-reuse", FALSE,
                        "%u dma-buf fds held, more than the %d cached besides the current "
                        "primary and cursor (%u of them shown after their id was reused)",
                        held, GVT_SCANOUT_CACHE_RECENT, stale_current);
    }
  FUZZ_CHECK (after.stats.cached <= GVT_SCANOUT_CACHE_RECENT + 2, "stats: %u cached",
              after.stats.cached);

  if (before->state == GVT_SOURCE_STATE_LOST)
    {
      FUZZ_CHECK (t->n_queries == 0 && t->n_gets == 0 && t->n_mmaps == 0
                  && t->n_other_ops == 0, "a lost device was asked again");
      FUZZ_CHECK (changes == GVT_SOURCE_NOTHING && after.state == GVT_SOURCE_STATE_LOST,
                  "LOST is final");
      FUZZ_CHECK (held == 0, "a lost device's buffers are still held");
      g_hash_table_unref (scan.open);
      return;
    }

  FUZZ_CHECK (after.stats.polls == before->stats.polls + 1, "stats: polls");
  FUZZ_CHECK (after.stats.queries == before->stats.queries + (guint64) t->n_queries,
              "stats: queries");
  FUZZ_CHECK (after.stats.dmabuf_gets == before->stats.dmabuf_gets + (guint64) t->n_gets,
              "stats: dmabuf_gets");
  FUZZ_CHECK (t->n_queries >= 1 && t->q[0].kind == GVT_PLANE_PRIMARY,
              "a tick starts with the primary query");

  if (t->lost)
    {
      fuzz_count ("lost");
      FUZZ_CHECK (after.state == GVT_SOURCE_STATE_LOST && (changes & GVT_SOURCE_LOST),
                  "ENODEV/EIO did not make the device LOST");
      FUZZ_CHECK (!after.primary.present && !after.cursor.present && held == 0
                  && after.stats.cached == 0, "LOST still holds planes or buffers");
      FUZZ_CHECK (gvt_scanout_get_reason (s) != NULL, "LOST without a reason");
      g_hash_table_unref (scan.open);
      return;
    }
  FUZZ_CHECK (after.state != GVT_SOURCE_STATE_LOST && !(changes & GVT_SOURCE_LOST),
              "LOST without ENODEV/EIO");

  /* The primary, as the answers dictate. */
  int gi = 0, mi = 0;
  gboolean rejected;
  Fetch primary = expected_fetch (f, 0, &gi, &mi, scan.open, NULL, &rejected);
  if (primary == FETCH_RETRY)
    {
      fuzz_count ("primary retry");
      FUZZ_CHECK (changes == GVT_SOURCE_NOTHING, "a retry reported changes 0x%x", changes);
      FUZZ_CHECK (t->n_queries == 1, "the cursor was queried after a failed primary");
      FUZZ_CHECK (after.state == before->state && snap_equal (&after.primary, &before->primary)
                  && snap_equal (&after.cursor, &before->cursor),
                  "a retryable errno changed the state or the planes");
      FUZZ_CHECK (after.retrying, "is_retrying after a retryable errno");
      g_hash_table_unref (scan.open);
      return;
    }

  GvtPlane *p = gvt_scanout_get_primary (s);
  if (primary == FETCH_NONE)
    {
      fuzz_count (rejected ? "primary invalid" : "primary none");
      FUZZ_CHECK (p == NULL, "a primary plane for an answer that gives none");
      FUZZ_CHECK (after.state == (rejected ? GVT_SOURCE_STATE_INVALID
                                           : GVT_SOURCE_STATE_NO_SIGNAL),
                  "state %d for a primary answer that is %s", after.state,
                  rejected ? "invalid" : "no plane");
      FUZZ_CHECK (t->n_queries == 1, "the cursor was queried without a primary");
      FUZZ_CHECK (!after.cursor.present, "a cursor without a primary");
    }
  else
    {
      fuzz_count ("primary live");
      FUZZ_CHECK (p != NULL && after.state == GVT_SOURCE_STATE_LIVE,
                  "a valid primary answer did not make the source LIVE (state %d)",
                  after.state);
      check_plane (f, p, GVT_PLANE_PRIMARY, &t->q[0].answer);
      FUZZ_CHECK (t->n_queries == 2 && t->q[1].kind == GVT_PLANE_CURSOR,
                  "no cursor query after a primary");

      Fetch cursor = expected_fetch (f, 1, &gi, &mi, scan.open, &t->q[0].answer, &rejected);
      GvtPlane *c = gvt_scanout_get_cursor (s);
      if (cursor == FETCH_RETRY && ++f->cursor_retries >= GVT_SCANOUT_CURSOR_RETRY_TICKS)
        {
          fuzz_count ("cursor given up");
          FUZZ_CHECK (c == NULL, "a cursor kept after %u failed cursor fetches in a row",
                      f->cursor_retries);
        }
      else if (cursor == FETCH_RETRY)
        {
          fuzz_count ("cursor retry");
          FUZZ_CHECK (snap_equal (&after.cursor, &before->cursor),
                      "a failed cursor fetch did not keep the last cursor");
        }
      else if (cursor == FETCH_NONE)
        FUZZ_CHECK (c == NULL, "a cursor for an answer that gives none (%s)",
                    rejected ? "invalid" : "no plane");
      if (cursor != FETCH_RETRY)
        f->cursor_retries = 0;
      if (cursor == FETCH_PLANE)
        {
          fuzz_count ("cursor shown");
          FUZZ_CHECK (c != NULL, "no cursor for a valid cursor answer");
          check_plane (f, c, GVT_PLANE_CURSOR, &t->q[1].answer);
        }
    }
  FUZZ_CHECK (gi == t->n_gets && mi == t->n_mmaps, "a GET or mmap the answers don't explain");
  /* The primary settled (a retry of its own returned above): the cursor's
   * failures don't make the device unsettled. */
  FUZZ_CHECK (!after.retrying, "is_retrying after a tick whose primary settled");

  fuzz_poll_check_state (s);

  fuzz_poll_check_changes (before, &after, changes);

  if (steady_repeat)
    {
      FUZZ_CHECK (changes == GVT_SOURCE_NOTHING && t->n_gets == 0 && t->n_mmaps == 0,
                  "the same good answers again cost %d GETs, %d mmaps, changes 0x%x",
                  t->n_gets, t->n_mmaps, changes);
      FUZZ_CHECK (after.state == GVT_SOURCE_STATE_LIVE, "steady device not LIVE");
    }
  g_hash_table_unref (scan.open);
}

/* No GET of a key whose fd is held and not reused by the device since. */
static void
check_gets (Fake *f, GHashTable *open_before)
{
  for (int i = 0; i < f->tick.n_gets; i++)
    {
      if (f->tick.g[i].ret < 0)
        continue;
      Given *got = g_hash_table_lookup (f->given, &f->tick.g[i].serial);
      GHashTableIter iter;
      gpointer key;
      g_hash_table_iter_init (&iter, open_before);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          Given *g = g_hash_table_lookup (f->given, key);
          if (g == NULL || g->stale || !same_key (&g->key, &got->key))
            continue;
          /* The cache's key has the plane type in it: a buffer answered
           * for both planes is fetched again while an fd for it is held
           * (directly, or after the other plane's fetch evicted it as a
           * "reused id"). */
          guint32 both = 1u << GVT_PLANE_PRIMARY | 1u << GVT_PLANE_CURSOR;
          FUZZ_CHECK_KNOWN ("get-across-kinds", (g->kinds & both) != both,
                            "a second GET of id %u (%ux%u) for the %s while the fd fetched "
                            "for the %s is held; the device answered it for both planes",
                            got->key.dmabuf_id, got->key.width, got->key.height,
                            got->kind == GVT_PLANE_CURSOR ? "cursor" : "primary",
                            g->kind == GVT_PLANE_CURSOR ? "cursor" : "primary");
          FUZZ_CHECK ((g->kinds & both) == both,
                      "a second GET of id %u (%ux%u) while its fd is held", got->key.dmabuf_id,
                      got->key.width, got->key.height);
        }
    }
}

static GvtSourceChange
poll_and_check (Fake *f, GvtScanout *s, gboolean steady_repeat)
{
  State before = state_of (s);
  FdScan scan;
  scan_fds (&scan);
  memset (&f->tick, 0, sizeof f->tick);
  fuzz_trace ("poll (%u dma-bufs held)", g_hash_table_size (scan.open));
  GvtSourceChange changes = gvt_scanout_poll (s);
  fuzz_trace ("  -> changes 0x%x, state %s%s%s", changes,
              gvt_source_state_to_string (gvt_scanout_get_state (s)),
              gvt_scanout_get_reason (s) ? ": " : "",
              gvt_scanout_get_reason (s) ? gvt_scanout_get_reason (s) : "");
  check_gets (f, scan.open);
  g_hash_table_unref (scan.open);
  check_tick (f, s, &before, changes, steady_repeat);
  return changes;
}

/* --- one input --- */

static guint32
fresh_id (Fake *f, guint32 from)
{
  guint32 id = from;
  while (g_hash_table_contains (f->ids_answered, GUINT_TO_POINTER (id)))
    id++;
  g_hash_table_add (f->ids_answered, GUINT_TO_POINTER (id));
  return id;
}

/* Good answers: a primary and a cursor never seen before. */
static void
go_steady (Fake *f, FuzzIn *in)
{
  static const guint32 fourccs[] = { DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888,
                                     DRM_FORMAT_RGB565, DRM_FORMAT_XBGR2101010 };
  static const guint32 widths[] = { 640, 800, 1024, 1280, 1920, 1366 };
  guint32 fourcc = fourccs[fuzz_u8 (in) % G_N_ELEMENTS (fourccs)];
  guint32 w = widths[fuzz_u8 (in) % G_N_ELEMENTS (widths)];
  guint32 h = w * 3 / 4;
  guint32 stride = (w * fuzz_ref_cpp (fourcc) + 63) / 64 * 64;

  f->good[GVT_PLANE_PRIMARY] = (struct vfio_device_gfx_plane_info) {
    .drm_format = fourcc, .drm_format_mod = DRM_FORMAT_MOD_LINEAR,
    .width = w, .height = h, .stride = stride, .size = stride * h,
  };
  if (f->dmabuf_mode)
    {
      f->good[GVT_PLANE_PRIMARY].dmabuf_id = fresh_id (f, 1000);
      guint32 cs = 64u << (fuzz_u8 (in) % 3);
      f->good[GVT_PLANE_CURSOR] = (struct vfio_device_gfx_plane_info) {
        .drm_format = DRM_FORMAT_ARGB8888, .width = cs, .height = cs, .stride = cs * 4,
        .size = cs * cs * 4, .x_pos = fuzz_u32 (in), .y_pos = 5,
        .x_hot = 1, .y_hot = 2, .dmabuf_id = fresh_id (f, 2000),
      };
    }
  else
    {
      /* A region index no answer named: the poller has no stale view of it. */
      guint32 index = fresh_id (f, 20);
      f->good[GVT_PLANE_PRIMARY].region_index = index;
      f->regions[f->n_regions++] = (Region) {
        index, page_round ((guint64) stride * h),
        VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_MMAP };
      memset (&f->good[GVT_PLANE_CURSOR], 0, sizeof f->good[GVT_PLANE_CURSOR]);
    }
  f->steady = TRUE;
}

static int
probe_answer (guint8 b)
{
  switch (b % 8)
    {
    case 5: return -EINVAL;
    case 6: return -ENOTTY;
    case 7: return b & 0x40 ? -ENODEV : -EIO;
    default: return 0;
    }
}

void
fuzz_target_init (void)
{
}

static gboolean
mapping_left (void)
{
  g_autofree char *maps = NULL;
  if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    return FALSE;
  return strstr (maps, "fuzz-region") != NULL;
}

void
fuzz_target_run (const guint8 *data, gsize size)
{
  FuzzIn in;
  fuzz_in_init (&in, data, size);
  int fds_before = fuzz_count_fds ();

  Fake *f = gvt_vgpu_alloc (sizeof (Fake), &fake_ops, "fuzz");
  f->in = &in;
  f->other_fds = fds_before;
  f->given = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  f->ids_answered = g_hash_table_new (g_direct_hash, g_direct_equal);

  guint8 probes = fuzz_u8 (&in);
  f->probe_dmabuf = probe_answer (probes);
  f->probe_region = probe_answer (probes >> 3);
  f->dmabuf_mode = f->probe_dmabuf == 0;
  f->n_regions = N_REGIONS;
  for (guint i = 0; i < N_REGIONS; i++)
    {
      guint8 b = fuzz_u8 (&in);
      f->regions[i].index = b % 10;
      f->regions[i].flags = VFIO_REGION_INFO_FLAG_READ
                            | (b & 0x80 ? 0 : VFIO_REGION_INFO_FLAG_MMAP);
      /* Sizes around what the usual planes need, or anything. */
      static const guint32 sizes[] = { 0, 4096, 1228800, 1u << 21, 3145728, 1u << 23, 8294400 };
      f->regions[i].size = fuzz_near64 (&in, sizes[fuzz_u8 (&in) % G_N_ELEMENTS (sizes)]);
    }

  g_autoptr (GError) error = NULL;
  GvtScanout *s = gvt_scanout_new (&f->base, &error);
  gboolean lost_probe = f->probe_dmabuf == -ENODEV || f->probe_dmabuf == -EIO;
  if (lost_probe || (f->probe_dmabuf != 0 && f->probe_region != 0))
    {
      FUZZ_CHECK (s == NULL, "a poller for a device that %s",
                  lost_probe ? "went away" : "has no display");
      FUZZ_CHECK (g_error_matches (error, GVT_ERROR,
                                   lost_probe ? GVT_ERROR_LOST : GVT_ERROR_NO_DISPLAY),
                  "probe error %s", error ? error->message : "(none)");
      fuzz_count ("no poller");
    }
  else
    {
      FUZZ_CHECK (s != NULL, "no poller: %s", error ? error->message : "(no error)");
      FUZZ_CHECK (gvt_scanout_has_dmabuf (s) == f->dmabuf_mode
                  && gvt_scanout_has_region (s) == !f->dmabuf_mode, "probed mode");
      FUZZ_CHECK (gvt_scanout_get_state (s) == GVT_SOURCE_STATE_NO_SIGNAL, "starts NO_SIGNAL");
      fuzz_count (f->dmabuf_mode ? "dma-buf mode" : "region mode");

      for (int tick = 0; tick < MAX_TICKS && !fuzz_in_done (&in); tick++)
        poll_and_check (f, s, FALSE);

      if (gvt_scanout_get_state (s) != GVT_SOURCE_STATE_LOST)
        {
          go_steady (f, &in);
          poll_and_check (f, s, FALSE);
          FUZZ_CHECK (gvt_scanout_get_state (s) == GVT_SOURCE_STATE_LIVE,
                      "a good device after this history is not LIVE: %s",
                      gvt_scanout_get_reason (s));
          poll_and_check (f, s, TRUE);
          poll_and_check (f, s, TRUE);
          fuzz_count ("recovered");
        }
      else
        {
          /* LOST is final, whatever the device says now. */
          poll_and_check (f, s, FALSE);
        }
      gvt_scanout_free (s);
    }

  gboolean mapped = f->ever_mapped;
  gvt_vgpu_free (&f->base);
  int fds_after = fuzz_count_fds ();
  FUZZ_CHECK (fds_after == fds_before, "%d fds open after freeing the poller, %d before",
              fds_after, fds_before);
  FUZZ_CHECK (!mapped || !mapping_left (), "a region mapping outlived the poller");
}
