/* Fuzz target: the scanout poller on the simulated vGPU (sim/vgpu-sim.h),
 * its quirks included, scripted by the input.
 *
 * Input: one byte of mode (bit 0: REGION, like mdpy) and quirks (bit 1:
 * GVT-g's echo when no plane is on, bit 2: mbochs' ENOMEM after a mode
 * change), then operations, one byte each plus arguments: set a mode
 * (known or unknown fourcc, linear or tiled, sizes up to 2048 x 2048,
 * tight or padded stride), disable, page flip, set/move/hide the cursor
 * (any hotspot, any position), inject a plane description (verbatim,
 * fuzz_decode_plane) or an errno for the next query, lose the device, and
 * poll. The scanout.h contract checked, with a model of what the sim
 * shows:
 * - while nothing is injected, pending or lost, each tick shows the
 *   guest's mode: LIVE with exactly its geometry when plane.h's rules
 *   accept it, INVALID when they don't, NO_SIGNAL while disabled; the
 *   cursor the guest set, at its position, when its hotspot is consistent;
 * - an errno (injected, or mbochs' ENOMEM) ends the tick with no change;
 *   ENODEV makes the source LOST for good, with every buffer released;
 * - the change flags say exactly what changed; LIVE exactly with a
 *   primary; a reason exactly when not LIVE;
 * - a buffer shown in the last two ticks is not fetched again (its id's
 *   GET count stays), and no tick makes more than two GETs;
 * - the plane shows the guest's memory: bytes the guest writes into its
 *   front buffer read back through the plane's buffer;
 * - after gvt_scanout_free and gvt_vgpu_free no fd and no mapping is
 *   left.
 * One violation waits for its fix (FUZZ_CHECK_KNOWN tag
 * region-stale-mapping, corpus/scanout-sim/finding-*): region info and the
 * region mapping are kept from the first mode, so after a mode change
 * (the sim's region gets new memory, as documented) the plane shows the
 * old memory, and a larger mode is refused against the old size. */
#include <errno.h>
#include <string.h>
#include <drm_fourcc.h>

#include "display/scanout.h"
#include "sim/vgpu-sim.h"
#include "fuzz-common.h"
#include "fuzz-plane-ref.h"
#include "fuzz-poll.h"

#define MAX_OPS 96

/* What the guest did, as far as the poller can see it. */
typedef struct {
  gboolean region;
  gboolean enabled;
  guint32 fourcc, width, height, stride, size;
  guint64 modifier;
  gboolean cursor;
  guint32 cursor_size, hot_x, hot_y;
  guint32 cursor_x, cursor_y;
  /* Pending one-shot answers, consumed in the sim's order. */
  gboolean inject[3];
  int inject_errno;
  gboolean enomem;
  gboolean lost;
} Model;

/* The last two ticks' planes, to tell a cache hit from a refetch; only
 * ticks where the sim answered with its own planes count (an injected
 * plane may legitimately evict a cached one). */
typedef struct {
  Snap shown[2][2]; /* [tick][kind - 1] */
  gboolean clean[2];
} History;

void
fuzz_target_init (void)
{
}

static const guint32 fourccs[] = {
  DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888, DRM_FORMAT_XBGR8888, DRM_FORMAT_ABGR8888,
  DRM_FORMAT_RGB565, DRM_FORMAT_XRGB2101010, DRM_FORMAT_XBGR2101010,
  DRM_FORMAT_NV12, DRM_FORMAT_RGB888, /* unknown to gvt-view: need a stride */
};
static const guint64 modifiers[] = {
  DRM_FORMAT_MOD_LINEAR, I915_FORMAT_MOD_X_TILED, I915_FORMAT_MOD_Y_TILED,
  I915_FORMAT_MOD_Yf_TILED,
};
static const int errnos[] = { EINVAL, EINVAL, EINVAL, EFAULT, ENOMEM, ENOMEM, EAGAIN, ENOTTY, EIO };

static guint32
tile_height (guint64 modifier)
{
  return modifier == I915_FORMAT_MOD_X_TILED ? 8
         : modifier == I915_FORMAT_MOD_Y_TILED || modifier == I915_FORMAT_MOD_Yf_TILED ? 32
                                                                                        : 1;
}

/* The sim's documented answers: a tight stride is rounded to whole tiles
 * (512 bytes for X, 128 for Y/Yf); the dma-buf size is stride * height in
 * whole tiles; region 16 is the power of two (from a page) above it. */
static void
set_mode (GvtSim *sim, Model *m, FuzzIn *in)
{
  guint32 fourcc = fourccs[fuzz_u8 (in) % G_N_ELEMENTS (fourccs)];
  guint64 modifier = modifiers[fuzz_u8 (in) % G_N_ELEMENTS (modifiers)];
  guint32 width = 1 + fuzz_u16 (in) % 2048;
  guint32 height = 1 + fuzz_u16 (in) % 2048;
  guint8 pad = fuzz_u8 (in);
  guint cpp = fuzz_ref_cpp (fourcc);

  if (m->region)
    {
      fourcc = DRM_FORMAT_XRGB8888;
      modifier = DRM_FORMAT_MOD_LINEAR;
      cpp = 4;
    }
  guint32 stride;
  if (cpp != 0 && pad < 128)
    {
      guint32 tile_w = modifier == I915_FORMAT_MOD_X_TILED ? 512
                       : tile_height (modifier) > 1 ? 128 : 1;
      stride = (width * cpp + tile_w - 1) / tile_w * tile_w;
      gvt_sim_set_mode (sim, fourcc, modifier, width, height, 0);
    }
  else
    {
      /* Explicit: padded rows, or a format the sim can't size. */
      stride = width * (cpp ? cpp : 4) + 64 * (pad % 8);
      gvt_sim_set_mode (sim, fourcc, modifier, width, height, stride);
    }

  guint32 tile = tile_height (modifier);
  guint64 bytes = (guint64) stride * ((height + tile - 1) / tile * tile);
  if (m->region)
    {
      guint64 alloc = 4096;
      while (alloc < bytes)
        alloc <<= 1;
      bytes = alloc;
    }
  fuzz_trace ("set_mode 0x%08x mod 0x%" G_GINT64_MODIFIER "x %ux%u stride %u size %"
              G_GUINT64_FORMAT, fourcc, modifier, width, height, stride, bytes);
  *m = (Model) { .region = m->region, .enabled = TRUE, .fourcc = fourcc, .width = width,
                 .height = height, .stride = stride, .size = (guint32) bytes,
                 .modifier = modifier, .cursor = m->cursor, .cursor_size = m->cursor_size,
                 .hot_x = m->hot_x, .hot_y = m->hot_y, .cursor_x = m->cursor_x,
                 .cursor_y = m->cursor_y, .inject = { m->inject[0], m->inject[1], m->inject[2] },
                 .inject_errno = m->inject_errno, .lost = m->lost, .enomem = m->enomem };
}

/* Consumes what the sim consumed in @queries queries of this tick. */
static void
consume (Model *m, guint queries, gboolean enomem_quirk)
{
  for (guint q = 0; q < queries && !m->lost; q++)
    {
      guint kind = q == 0 ? GVT_PLANE_PRIMARY : GVT_PLANE_CURSOR;
      if (m->inject_errno)
        {
          /* EIO: the device went away, as far as the poller can tell. */
          m->lost = m->inject_errno == EIO;
          m->inject_errno = 0;
        }
      else if (kind == GVT_PLANE_PRIMARY && m->enomem)
        m->enomem = FALSE;
      else if (m->inject[kind])
        m->inject[kind] = FALSE;
    }
}

static gboolean
shown_recently (const History *h, const Snap *now, guint kind)
{
  for (int t = 0; t < 2; t++)
    {
      const Snap *was = &h->shown[t][kind - 1];
      if (h->clean[t] && was->present && was->id == now->id && was->fourcc == now->fourcc
          && was->modifier == now->modifier && was->width == now->width
          && was->height == now->height && was->stride == now->stride
          && was->size == now->size)
        return TRUE;
    }
  return FALSE;
}

/* The plane shows the guest's pixels: what the guest writes into its front
 * buffer reads back through the plane's buffer. */
static void
check_pixels (GvtSim *sim, GvtPlane *p, const Model *m, guint8 marker)
{
  guint8 *guest = gvt_sim_get_pixels (sim, FALSE);
  g_autoptr (GError) error = NULL;
  const guint8 *shown = gvt_buffer_map (gvt_plane_get_buffer (p), &error);
  FUZZ_CHECK (guest != NULL, "the sim has no pixels for its mode");
  FUZZ_CHECK (shown != NULL, "the sim's plane can't be mapped: %s", error->message);
  gsize last = (gsize) m->stride * m->height - 1;
  guint8 tail = marker ^ 0xff;
  guest[0] = marker;
  guest[last] = tail;
  /* The poller maps a region once and keeps the mapping; the sim (like a
   * device that reallocates on a mode change) gives region 16 new memory
   * with each new mode. */
  if (m->region)
    FUZZ_CHECK_KNOWN ("region-stale-mapping", shown[0] == marker && shown[last] == tail,
                      "the region plane shows other memory than the guest's framebuffer "
                      "(the mapping of an earlier mode)");
  else
    FUZZ_CHECK (shown[0] == marker && shown[last] == tail,
                "the dma-buf plane shows other memory than the guest's framebuffer");
}

static void
check_model (GvtScanout *s, GvtSim *sim, const Model *m, guint8 marker)
{
  GvtPlane *p = gvt_scanout_get_primary (s);
  GvtSourceState state = gvt_scanout_get_state (s);
  const char *why;

  if (!m->enabled)
    {
      FUZZ_CHECK (state == GVT_SOURCE_STATE_NO_SIGNAL && p == NULL,
                  "a disabled plane shows as %s", gvt_source_state_to_string (state));
      return;
    }
  struct vfio_device_gfx_plane_info info = {
    .drm_format = m->fourcc, .drm_format_mod = m->modifier, .width = m->width,
    .height = m->height, .stride = m->stride, .size = m->size,
  };
  gboolean valid = fuzz_ref_plane_valid (&info, GVT_PLANE_PRIMARY,
                                         m->region ? GVT_PLANE_SOURCE_REGION
                                                   : GVT_PLANE_SOURCE_DMABUF,
                                         m->size, TRUE, &why);
  if (!valid)
    {
      fuzz_count ("mode invalid");
      FUZZ_CHECK (state == GVT_SOURCE_STATE_INVALID && p == NULL,
                  "the guest's invalid mode (%s) shows as %s", why,
                  gvt_source_state_to_string (state));
      return;
    }
  fuzz_count ("mode live");
  /* Region info is looked up once too: a later, larger mode is measured
   * against the first mode's region size. */
  if (m->region && state == GVT_SOURCE_STATE_INVALID)
    {
      FUZZ_CHECK_KNOWN ("region-stale-mapping", FALSE,
                        "the guest's %ux%u mode shows as invalid: %s", m->width, m->height,
                        gvt_scanout_get_reason (s));
      return;
    }
  FUZZ_CHECK (state == GVT_SOURCE_STATE_LIVE && p != NULL,
              "the guest's %ux%u mode shows as %s: %s", m->width, m->height,
              gvt_source_state_to_string (state), gvt_scanout_get_reason (s));
  FUZZ_CHECK (gvt_plane_get_fourcc (p) == m->fourcc && gvt_plane_get_modifier (p) == m->modifier
              && gvt_plane_get_width (p) == m->width && gvt_plane_get_height (p) == m->height
              && gvt_plane_get_stride (p) == m->stride && gvt_plane_get_size (p) == m->size,
              "the primary plane is %ux%u stride %u size %u, the guest's mode %ux%u stride %u "
              "size %u", gvt_plane_get_width (p), gvt_plane_get_height (p),
              gvt_plane_get_stride (p), gvt_plane_get_size (p), m->width, m->height, m->stride,
              m->size);
  check_pixels (sim, p, m, marker);

  GvtPlane *c = gvt_scanout_get_cursor (s);
  if (!m->cursor || m->region)
    {
      FUZZ_CHECK (c == NULL, "a cursor the guest didn't set");
      return;
    }
  struct vfio_device_gfx_plane_info ci = {
    .drm_format = DRM_FORMAT_ARGB8888, .width = m->cursor_size, .height = m->cursor_size,
    .stride = m->cursor_size * 4, .size = m->cursor_size * m->cursor_size * 4,
    .x_hot = m->hot_x, .y_hot = m->hot_y,
  };
  if (!fuzz_ref_plane_valid (&ci, GVT_PLANE_CURSOR, GVT_PLANE_SOURCE_DMABUF, 0, FALSE, &why))
    {
      FUZZ_CHECK (c == NULL, "a cursor shown although %s", why);
      return;
    }
  fuzz_count ("cursor shown");
  FUZZ_CHECK (c != NULL, "the guest's %u-pixel cursor is not shown", m->cursor_size);
  guint32 hx, hy;
  fuzz_ref_hotspot (&ci, &hx, &hy);
  FUZZ_CHECK (gvt_plane_get_width (c) == m->cursor_size
              && gvt_plane_get_x (c) == fuzz_ref_position (m->cursor_x)
              && gvt_plane_get_y (c) == fuzz_ref_position (m->cursor_y)
              && gvt_plane_get_hot_x (c) == hx && gvt_plane_get_hot_y (c) == hy,
              "cursor %u at %d,%d hot %u,%u; the guest set %u at %u,%u hot %u,%u",
              gvt_plane_get_width (c), gvt_plane_get_x (c), gvt_plane_get_y (c),
              gvt_plane_get_hot_x (c), gvt_plane_get_hot_y (c), m->cursor_size, m->cursor_x,
              m->cursor_y, m->hot_x, m->hot_y);
}

static void
poll_and_check (GvtScanout *s, GvtSim *sim, Model *m, History *h, gboolean enomem_quirk)
{
  State before = state_of (s);
  gboolean clean = !m->lost && !m->inject_errno && !m->enomem && !m->inject[1] && !m->inject[2];
  guint queries = gvt_sim_get_query_count (sim);
  guint gets = gvt_sim_get_total_dmabuf_gets (sim);

  GvtSourceChange changes = gvt_scanout_poll (s);

  State after = state_of (s);
  queries = gvt_sim_get_query_count (sim) - queries;
  gets = gvt_sim_get_total_dmabuf_gets (sim) - gets;
  fuzz_trace ("poll%s: %u queries, %u GETs -> changes 0x%x, %s; primary id %u%s, cursor id %u%s",
              clean ? "" : " (injected)", queries, gets, changes,
              gvt_source_state_to_string (after.state), after.primary.id,
              after.primary.present ? "" : " (none)", after.cursor.id,
              after.cursor.present ? "" : " (none)");

  FUZZ_CHECK (queries <= 2 && gets <= 2, "%u queries and %u GETs in one tick", queries, gets);
  fuzz_poll_check_state (s);

  if (!m->lost && m->inject_errno == EIO)
    consume (m, queries, enomem_quirk);
  if (before.state == GVT_SOURCE_STATE_LOST || m->lost)
    {
      FUZZ_CHECK (after.state == GVT_SOURCE_STATE_LOST, "a lost device is %s",
                  gvt_source_state_to_string (after.state));
      FUZZ_CHECK (before.state == GVT_SOURCE_STATE_LOST || (changes & GVT_SOURCE_LOST),
                  "LOST without the LOST change");
      FUZZ_CHECK (before.state != GVT_SOURCE_STATE_LOST
                  || (changes == GVT_SOURCE_NOTHING && queries == 0),
                  "a LOST poller asked the device again");
      FUZZ_CHECK (after.stats.cached == 0 && !after.primary.present, "LOST holds buffers");
      fuzz_count ("lost");
      return;
    }
  FUZZ_CHECK (after.state != GVT_SOURCE_STATE_LOST, "LOST while the device is there");
  fuzz_poll_check_changes (&before, &after, changes);

  /* Nothing injected: the poller shows the guest's own planes. */
  if (clean)
    check_model (s, sim, m, (guint8) after.stats.polls);
  else if (m->inject_errno || m->enomem)
    {
      /* The first query fails: a retry, nothing changes. */
      FUZZ_CHECK (changes == GVT_SOURCE_NOTHING && snap_equal (&before.primary, &after.primary)
                  && after.state == before.state && after.retrying,
                  "an errno changed the state (changes 0x%x)", changes);
      fuzz_count ("retry");
    }
  consume (m, queries, enomem_quirk);

  /* A buffer shown in the last two ticks is still cached (the cache keeps
   * GVT_SCANOUT_CACHE_RECENT besides the current two): no new GET. */
  if (clean && !m->region)
    {
      guint fresh = 0, recent = 0;
      for (guint kind = GVT_PLANE_PRIMARY; kind <= GVT_PLANE_CURSOR; kind++)
        {
          const Snap *now = kind == GVT_PLANE_PRIMARY ? &after.primary : &after.cursor;
          if (now->present)
            {
              if (shown_recently (h, now, kind))
                recent++;
              else
                fresh++;
            }
        }
      FUZZ_CHECK (gets <= fresh, "%u GETs for %u planes not shown lately (%u were)", gets,
                  fresh, recent);
      if (recent > 0 && gets == 0)
        fuzz_count ("cache hit");
    }
  h->shown[1][0] = h->shown[0][0];
  h->shown[1][1] = h->shown[0][1];
  /* An injected answer may name a live id with other geometry, which
   * rightly evicts it: nothing before it counts. */
  h->clean[1] = clean && h->clean[0];
  h->shown[0][0] = after.primary;
  h->shown[0][1] = after.cursor;
  h->clean[0] = clean;
}

static gboolean
sim_mapping_left (void)
{
  g_autofree char *maps = NULL;
  if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    return FALSE;
  return strstr (maps, "gvt-sim") != NULL;
}

void
fuzz_target_run (const guint8 *data, gsize size)
{
  FuzzIn in;
  fuzz_in_init (&in, data, size);
  int fds_before = fuzz_count_fds ();

  guint8 setup = fuzz_u8 (&in);
  GvtSimMode mode = setup & 1 ? GVT_SIM_REGION : GVT_SIM_DMABUF;
  GvtSimQuirks quirks = (setup & 2 ? GVT_SIM_QUIRK_ECHO_WHEN_OFF : 0)
                        | (setup & 4 ? GVT_SIM_QUIRK_ENOMEM_AFTER_MODESET : 0);
  GvtVgpu *vgpu = gvt_sim_new (mode, quirks, 0, 0);
  GvtSim *sim = gvt_vgpu_get_sim (vgpu);
  g_autoptr (GError) error = NULL;
  GvtScanout *s = gvt_scanout_new (vgpu, &error);
  FUZZ_CHECK (s != NULL, "no poller on the sim: %s", error ? error->message : "");
  FUZZ_CHECK (gvt_scanout_has_dmabuf (s) == (mode == GVT_SIM_DMABUF), "probed mode");

  Model m = { .region = mode == GVT_SIM_REGION };
  History h = { 0 };
  gboolean enomem_quirk = (quirks & GVT_SIM_QUIRK_ENOMEM_AFTER_MODESET) != 0;

  for (int op = 0; op < MAX_OPS && !fuzz_in_done (&in); op++)
    {
      guint8 o = fuzz_u8 (&in);
      switch (o % 16)
        {
        case 0: case 1:
          set_mode (sim, &m, &in);
          if (enomem_quirk)
            m.enomem = TRUE;
          break;
        case 2:
          fuzz_trace ("disable");
          gvt_sim_disable (sim);
          m.enabled = FALSE;
          break;
        case 3:
          fuzz_trace ("page flip");
          gvt_sim_page_flip (sim);
          break;
        case 4:
          if (!m.region)
            {
              guint32 cs = 64u << (fuzz_u8 (&in) % 3);
              guint8 hs = fuzz_u8 (&in);
              guint32 hx = hs % 4 == 0 ? GVT_HOTSPOT_UNKNOWN : fuzz_near (&in, cs - 1);
              guint32 hy = hs % 4 == 0 ? GVT_HOTSPOT_UNKNOWN : fuzz_near (&in, cs - 1);
              fuzz_trace ("set_cursor %u hot %u,%u", cs, hx, hy);
              gvt_sim_set_cursor (sim, cs, hx, hy);
              m.cursor = TRUE;
              m.cursor_size = cs;
              m.hot_x = hx;
              m.hot_y = hy;
            }
          break;
        case 5:
          m.cursor_x = fuzz_near (&in, fuzz_u8 (&in) & 1 ? 0xFFFFFFF6u : 100);
          m.cursor_y = fuzz_near (&in, fuzz_u8 (&in) & 1 ? 0xFFFFFFFFu : 100);
          fuzz_trace ("move_cursor %u,%u", m.cursor_x, m.cursor_y);
          gvt_sim_move_cursor (sim, m.cursor_x, m.cursor_y);
          break;
        case 6:
          fuzz_trace ("hide_cursor");
          gvt_sim_hide_cursor (sim);
          m.cursor = FALSE;
          break;
        case 7:
          {
            guint32 kind = fuzz_u8 (&in) & 1 ? GVT_PLANE_CURSOR : GVT_PLANE_PRIMARY;
            struct vfio_device_gfx_plane_info info = { 0 };
            fuzz_decode_plane (&in, kind, &info);
            fuzz_trace ("inject %s: 0x%08x %ux%u stride %u size %u id %u",
                        kind == GVT_PLANE_CURSOR ? "cursor" : "primary", info.drm_format,
                        info.width, info.height, info.stride, info.size, info.dmabuf_id);
            gvt_sim_inject_plane (sim, kind, &info);
            m.inject[kind] = TRUE;
          }
          break;
        case 8:
          m.inject_errno = errnos[fuzz_u8 (&in) % G_N_ELEMENTS (errnos)];
          fuzz_trace ("inject %s", g_strerror (m.inject_errno));
          gvt_sim_inject_error (sim, m.inject_errno);
          break;
        case 9:
          if (fuzz_u8 (&in) == 0x4c)
            {
              gvt_sim_lose_device (sim);
              m.lost = TRUE;
            }
          break;
        default:
          poll_and_check (s, sim, &m, &h, enomem_quirk);
          break;
        }
    }
  poll_and_check (s, sim, &m, &h, enomem_quirk);

  gvt_scanout_free (s);
  gvt_vgpu_free (vgpu);
  int fds_after = fuzz_count_fds ();
  FUZZ_CHECK (fds_after == fds_before, "%d fds open after freeing the poller and the sim, "
              "%d before", fds_after, fds_before);
  FUZZ_CHECK (!sim_mapping_left (), "a mapping of the sim's memory outlived it");
}
