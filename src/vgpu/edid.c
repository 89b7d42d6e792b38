/* EDID for the vGPU: a generated EDID 1.4 base block whose preferred mode
 * is the viewer's window size, and the VFIO EDID region protocol that
 * hands it to the guest. Written from the VESA EDID 1.4 and CVT standards. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "edid.h"
#include "common/gvt-error.h"

/* --- timings --- */

/* Every timing here is 60 Hz: GVT-g and the samples emulate a 60 Hz pipe,
 * and guests pick the preferred mode's rate. */
#define REFRESH_HZ 60

/* CVT reduced blanking (v1): fixed horizontal blanking and a vertical
 * blanking of at least 460 us, which keeps the pixel clock low enough for
 * large virtual displays. */
#define RB_HBLANK       160
#define RB_HFRONT       48
#define RB_HSYNC        32
#define RB_VFRONT       3
#define RB_VBACK_MIN    6
#define RB_VBLANK_MIN_US 460

/* Detailed timings store active sizes in 12 bits and the clock in 10 kHz
 * units in 16 bits. */
#define DTD_MAX_ACTIVE  4095
#define DTD_MAX_CLOCK_10KHZ 65535
/* Parsers (edid-decode among them) take a detailed timing below 10 MHz for
 * garbage: below about 400x300 at 60 Hz. */
#define DTD_MIN_CLOCK_10KHZ 1000

typedef struct {
  guint32 hactive, hblank, hfront, hsync;
  guint32 vactive, vblank, vfront, vsync;
  guint64 clock_10khz;
} Timing;

/* The aspect ratios CVT knows, in the order of the range limits' "preferred
 * aspect ratio" code; vsync is the width CVT uses to signal each. */
static const struct { guint32 num, den, vsync; } cvt_ratios[] = {
  { 4, 3, 4 }, { 16, 9, 5 }, { 16, 10, 6 }, { 5, 4, 7 }, { 15, 9, 7 },
};

/* Index into cvt_ratios, or -1. Within 1% counts, so that 1366x768 is
 * 16:9 as users expect. */
static int
cvt_aspect (guint32 w, guint32 h)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cvt_ratios); i++)
    {
      guint64 lhs = (guint64) w * cvt_ratios[i].den;
      guint64 rhs = (guint64) h * cvt_ratios[i].num;
      guint64 diff = lhs > rhs ? lhs - rhs : rhs - lhs;
      if (diff * 100 <= rhs)
        return (int) i;
    }
  return -1;
}

/* Sizes that match no CVT ratio use the "custom" vsync width 10. */
static guint32
vsync_for_aspect (guint32 w, guint32 h)
{
  int a = cvt_aspect (w, h);
  return a >= 0 ? cvt_ratios[a].vsync : 10;
}

/* A reduced-blanking timing for @w x @h at 60 Hz. The clock is rounded
 * down to the EDID's 10 kHz unit, so the rate lands just under 60 Hz. */
static void
compute_timing (guint32 w, guint32 h, Timing *t)
{
  memset (t, 0, sizeof *t);
  t->hactive = w;
  t->hblank = RB_HBLANK;
  t->hfront = RB_HFRONT;
  t->hsync = RB_HSYNC;

  /* Lines needed to cover 460 us: the line period is estimated as
   * (frame period - 460 us) / active lines, all in integers. */
  guint64 frame_us_x60 = 1000000;                       /* frame period * 60 */
  guint64 blank_us_x60 = (guint64) RB_VBLANK_MIN_US * REFRESH_HZ;
  guint64 vbi = (blank_us_x60 * h) / (frame_us_x60 - blank_us_x60) + 1;

  t->vactive = h;
  t->vfront = RB_VFRONT;
  t->vsync = vsync_for_aspect (w, h);
  guint64 min_vbi = RB_VFRONT + t->vsync + RB_VBACK_MIN;
  t->vblank = (guint32) MAX (vbi, min_vbi);

  guint64 htotal = (guint64) w + t->hblank;
  guint64 vtotal = (guint64) h + t->vblank;
  t->clock_10khz = htotal * vtotal * REFRESH_HZ / 10000;
}

gboolean
gvt_edid_mode_too_large (guint32 width, guint32 height)
{
  Timing t;

  if (width > DTD_MAX_ACTIVE || height > DTD_MAX_ACTIVE)
    return TRUE;
  compute_timing (width, height, &t);
  return t.clock_10khz > DTD_MAX_CLOCK_10KHZ;
}

/* Line rate in Hz. */
static guint64
timing_hfreq (const Timing *t)
{
  return t->clock_10khz * 10000 / ((guint64) t->hactive + t->hblank);
}

/* --- the EDID block --- */

/* A three-letter PNP id that says what produced the EDID. Not registered
 * with the PNP registry: guests only show it. */
static const char manufacturer[3] = { 'G', 'V', 'T' };
#define PRODUCT_CODE  0x0001
/* Fixed, so that the same mode always gives the same bytes. */
#define MODEL_YEAR    2025
#define MONITOR_NAME  "gvt-view"

/* Range limits: the vertical rates guests may infer modes at. */
#define RANGE_VMIN_HZ 50
#define RANGE_VMAX_HZ 75

typedef struct {
  guint32 width, height;
  guint64 hfreq_hz, clock_khz;  /* of the VESA DMT timing, for range limits */
  guint8 byte, bit;             /* established timings: byte 35 + byte, bit */
  guint8 aspect;                /* standard timings: EDID 1.4 aspect code */
} KnownMode;

/* Established timings worth offering: 60 Hz, common, small. */
static const KnownMode established[] = {
  {  640, 480, 31469, 25175, 0, 5, 0 },
  {  800, 600, 37879, 40000, 0, 0, 0 },
  { 1024, 768, 48363, 65000, 1, 3, 0 },
};

/* Standard timings (eight slots) for the usual desktop sizes; aspect codes
 * 0 = 16:10, 1 = 4:3, 2 = 5:4, 3 = 16:9. */
static const KnownMode standard[] = {
  { 1280,  720, 45000,  74250, 0, 0, 3 },
  { 1280,  800, 49702,  83500, 0, 0, 0 },
  { 1280, 1024, 63981, 108000, 0, 0, 2 },
  { 1440,  900, 55935, 106500, 0, 0, 0 },
  { 1600,  900, 60000, 108000, 0, 0, 3 },
  { 1680, 1050, 65290, 146250, 0, 0, 0 },
  { 1920, 1080, 67500, 148500, 0, 0, 3 },
  { 1920, 1200, 74556, 193250, 0, 0, 0 },
};

/* What the range limits descriptor must cover. */
typedef struct {
  guint64 hfreq_min, hfreq_max;  /* Hz */
  guint64 clock_max_khz;
} Range;

static void
range_add (Range *r, guint64 hfreq_hz, guint64 clock_khz)
{
  r->hfreq_min = MIN (r->hfreq_min, hfreq_hz);
  r->hfreq_max = MAX (r->hfreq_max, hfreq_hz);
  r->clock_max_khz = MAX (r->clock_max_khz, clock_khz);
}

static void
write_detailed_timing (guint8 *d, const Timing *t)
{
  d[0] = t->clock_10khz & 0xff;
  d[1] = (t->clock_10khz >> 8) & 0xff;
  d[2] = t->hactive & 0xff;
  d[3] = t->hblank & 0xff;
  d[4] = ((t->hactive >> 8) & 0x0f) << 4 | ((t->hblank >> 8) & 0x0f);
  d[5] = t->vactive & 0xff;
  d[6] = t->vblank & 0xff;
  d[7] = ((t->vactive >> 8) & 0x0f) << 4 | ((t->vblank >> 8) & 0x0f);
  d[8] = t->hfront & 0xff;
  d[9] = t->hsync & 0xff;
  d[10] = (t->vfront & 0x0f) << 4 | (t->vsync & 0x0f);
  d[11] = ((t->hfront >> 8) & 0x03) << 6 | ((t->hsync >> 8) & 0x03) << 4
        | ((t->vfront >> 4) & 0x03) << 2 | ((t->vsync >> 4) & 0x03);
  /* Image size 0 x 0 mm: the display has no physical size, like the
   * basic parameters say. No borders. */
  d[12] = d[13] = d[14] = d[15] = d[16] = 0;
  /* Digital separate sync; reduced blanking wants +hsync, -vsync. */
  d[17] = 0x18 | 0x02;
}

static void
write_display_descriptor_header (guint8 *d, guint8 tag)
{
  memset (d, 0, 18);
  d[3] = tag;
}

static guint8
clamp_byte (guint64 v)
{
  return (guint8) CLAMP (v, 1, 255);
}

static void
write_range_limits (guint8 *d, const Range *r, guint32 pref_w, guint32 pref_h,
                    guint32 max_w)
{
  write_display_descriptor_header (d, 0xfd);
  d[5] = RANGE_VMIN_HZ;
  d[6] = RANGE_VMAX_HZ;
  d[7] = clamp_byte (r->hfreq_min / 1000);
  d[8] = clamp_byte ((r->hfreq_max + 999) / 1000);
  /* Maximum pixel clock in 10 MHz units, rounded up. */
  d[9] = clamp_byte ((r->clock_max_khz + 9999) / 10000);

  /* CVT support (GTF is deprecated in EDID 1.4): with the continuous
   * frequency feature bit it lets guests offer other sizes within these
   * limits, no wider than the largest mode. */
  d[10] = 0x04;
  d[11] = 0x11;                        /* CVT 1.1 */
  guint32 cells = MIN ((max_w + 7) / 8, 1023u);
  d[12] = (guint8) (cells >> 8);       /* no extra clock precision */
  d[13] = (guint8) (cells & 0xff);
  d[14] = 0xf8;                        /* 4:3 16:9 16:10 5:4 15:9 */
  int aspect = cvt_aspect (pref_w, pref_h);
  d[15] = (guint8) ((aspect >= 0 ? aspect : 1) << 5) /* else say 16:9 */
        | 0x10                         /* reduced blanking, preferred */
        | 0x08;                        /* standard blanking too */
  d[16] = 0;                           /* no scaling */
  d[17] = REFRESH_HZ;
}

static void
write_monitor_name (guint8 *d)
{
  write_display_descriptor_header (d, 0xfc);
  gsize len = strlen (MONITOR_NAME);
  memcpy (d + 5, MONITOR_NAME, len);
  d[5 + len] = 0x0a;
  memset (d + 6 + len, 0x20, 13 - len - 1);
}

/* sRGB primaries and D65 white in thousandths, stored as 10-bit binary
 * fractions. */
static void
write_chromaticity (guint8 *e)
{
  static const guint32 xy[8] = {
    640, 330,   /* red */
    300, 600,   /* green */
    150, 60,    /* blue */
    3127, 3290, /* white, in ten-thousandths */
  };
  guint32 v[8];
  for (int i = 0; i < 8; i++)
    {
      guint32 scale = i < 6 ? 1000 : 10000;
      v[i] = (xy[i] * 1024 + scale / 2) / scale;
    }
  e[25] = (guint8) ((v[0] & 3) << 6 | (v[1] & 3) << 4 | (v[2] & 3) << 2 | (v[3] & 3));
  e[26] = (guint8) ((v[4] & 3) << 6 | (v[5] & 3) << 4 | (v[6] & 3) << 2 | (v[7] & 3));
  for (int i = 0; i < 8; i++)
    e[27 + i] = (guint8) (v[i] >> 2);
}

gboolean
gvt_edid_generate (guint32 width, guint32 height, guint32 max_width,
                   guint32 max_height, guint8 out[GVT_EDID_BLOCK_SIZE])
{
  if (width == 0 || height == 0 || width > DTD_MAX_ACTIVE || height > DTD_MAX_ACTIVE)
    return FALSE;

  Timing preferred;
  compute_timing (width, height, &preferred);
  if (preferred.clock_10khz < DTD_MIN_CLOCK_10KHZ
      || preferred.clock_10khz > DTD_MAX_CLOCK_10KHZ)
    return FALSE;

  /* The largest mode offered: never below the preferred one, and capped
   * where a detailed timing could still describe it. */
  guint32 max_w = MIN (MAX (max_width ? max_width : width, width), DTD_MAX_ACTIVE);
  guint32 max_h = MIN (MAX (max_height ? max_height : height, height), DTD_MAX_ACTIVE);
  Timing largest;
  compute_timing (max_w, max_h, &largest);

  Range range = { G_MAXUINT64, 0, 0 };
  range_add (&range, timing_hfreq (&preferred), preferred.clock_10khz * 10);
  range_add (&range, timing_hfreq (&largest), largest.clock_10khz * 10);

  guint8 e[GVT_EDID_BLOCK_SIZE] = { 0 };

  /* Header. */
  e[0] = 0x00;
  memset (e + 1, 0xff, 6);
  e[7] = 0x00;

  /* Vendor and product: letters are 5-bit, 'A' = 1, big-endian. */
  guint16 mfg = (guint16) ((manufacturer[0] - '@') << 10 | (manufacturer[1] - '@') << 5
                           | (manufacturer[2] - '@'));
  e[8] = (guint8) (mfg >> 8);
  e[9] = (guint8) (mfg & 0xff);
  e[10] = PRODUCT_CODE & 0xff;
  e[11] = PRODUCT_CODE >> 8;
  /* Serial number 0 (none). Week 0xff: byte 17 is a model year. */
  e[16] = 0xff;
  e[17] = MODEL_YEAR - 1990;
  e[18] = 1;
  e[19] = 4;

  /* Digital input, 8 bits per colour, DisplayPort (what GVT-g emulates). */
  e[20] = 0x80 | 0x20 | 0x05;
  /* Screen size 0 x 0: undefined, a virtual display has none. */
  e[21] = 0;
  e[22] = 0;
  /* Gamma 2.2, stored as gamma * 100 - 100. */
  e[23] = 120;
  /* RGB 4:4:4, sRGB default colour space, preferred timing is native,
   * continuous frequency (any mode within the range limits). */
  e[24] = 0x04 | 0x02 | 0x01;
  write_chromaticity (e);

  for (gsize i = 0; i < G_N_ELEMENTS (established); i++)
    {
      const KnownMode *m = &established[i];
      if (m->width > max_w || m->height > max_h)
        continue;
      e[35 + m->byte] |= (guint8) (1u << m->bit);
      range_add (&range, m->hfreq_hz, m->clock_khz);
    }

  /* Unused standard timing slots are 0x01 0x01. */
  memset (e + 38, 0x01, 16);
  guint slot = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (standard) && slot < 8; i++)
    {
      const KnownMode *m = &standard[i];
      if (m->width > max_w || m->height > max_h
          || (m->width == width && m->height == height))
        continue;
      e[38 + 2 * slot] = (guint8) (m->width / 8 - 31);
      e[39 + 2 * slot] = (guint8) (m->aspect << 6 | (REFRESH_HZ - 60));
      range_add (&range, m->hfreq_hz, m->clock_khz);
      slot++;
    }

  write_detailed_timing (e + 54, &preferred);
  write_range_limits (e + 72, &range, width, height, max_w);
  write_monitor_name (e + 90);
  write_display_descriptor_header (e + 108, 0x10);

  e[126] = 0; /* no extension blocks */
  guint8 sum = 0;
  for (int i = 0; i < GVT_EDID_BLOCK_SIZE - 1; i++)
    sum += e[i];
  e[127] = (guint8) (0x100 - sum);

  memcpy (out, e, GVT_EDID_BLOCK_SIZE);
  return TRUE;
}

/* --- the VFIO EDID region --- */

/* Region indices to look at beyond what GET_DEVICE_INFO lists: some
 * devices don't count their device-specific regions (mdpy's plane region
 * is 16). */
#define EXTRA_REGIONS 9
/* A device can claim any num_regions; nothing real has this many. */
#define MAX_LISTED_REGIONS 64

struct _GvtEdidRegion {
  GvtVgpu *vgpu;          /* not owned */
  guint32 index;
  guint32 edid_offset;
  guint32 edid_max_size;
  guint32 max_xres;       /* 0 = no limit */
  guint32 max_yres;
  guint32 width, height;  /* the last mode set, 0 before */
};

void
gvt_edid_region_free (GvtEdidRegion *self)
{
  g_free (self);
}

static void
set_errno_error (GError **error, int err, const char *what)
{
  g_set_error (error, GVT_ERROR,
               err == ENODEV || err == EIO ? GVT_ERROR_LOST : GVT_ERROR_FAILED,
               "EDID region: cannot %s: %s", what, g_strerror (err));
}

/* Registers are 32 bits and the kernel wants them accessed as such. */
static gboolean
read_reg (GvtEdidRegion *self, gsize offset, guint32 *value, const char *name,
          GError **error)
{
  guint32 v = 0;
  gssize n = gvt_vgpu_region_read (self->vgpu, self->index, offset, &v, sizeof v);
  if (n != (gssize) sizeof v)
    {
      g_autofree char *what = g_strdup_printf ("read %s", name);
      set_errno_error (error, n < 0 ? (int) -n : EIO, what);
      return FALSE;
    }
  *value = v;
  return TRUE;
}

static gboolean
write_reg (GvtEdidRegion *self, gsize offset, guint32 value, const char *name,
           GError **error)
{
  gssize n = gvt_vgpu_region_write (self->vgpu, self->index, offset, &value, sizeof value);
  if (n != (gssize) sizeof value)
    {
      g_autofree char *what = g_strdup_printf ("write %s", name);
      set_errno_error (error, n < 0 ? (int) -n : EIO, what);
      return FALSE;
    }
  return TRUE;
}

#define REG(field) offsetof (struct vfio_region_gfx_edid, field)

/* 1 = found (@info filled), 0 = not this one, -errno = the device is gone. */
static int
probe_region (GvtVgpu *vgpu, guint32 index, GvtRegionInfo *info)
{
  GvtRegionInfo ri = { 0 };
  int r = gvt_vgpu_get_region_info (vgpu, index, &ri);
  if (r == -ENODEV || r == -EIO)
    return r;
  if (r < 0)
    return 0;
  if (ri.type != VFIO_REGION_TYPE_GFX || ri.subtype != VFIO_REGION_SUBTYPE_GFX_EDID)
    return 0;
  *info = ri;
  return 1;
}

static int
find_edid_region (GvtVgpu *vgpu, GvtRegionInfo *info)
{
  struct vfio_device_info dev = { .argsz = sizeof dev };
  guint32 listed = 0;
  if (gvt_vgpu_get_device_info (vgpu, &dev) >= 0)
    listed = MIN (dev.num_regions, MAX_LISTED_REGIONS);

  for (guint32 i = 0; i < listed; i++)
    {
      int r = probe_region (vgpu, i, info);
      if (r != 0)
        return r;
    }
  for (guint32 i = VFIO_PCI_NUM_REGIONS; i < VFIO_PCI_NUM_REGIONS + EXTRA_REGIONS; i++)
    {
      if (i < listed)
        continue;
      int r = probe_region (vgpu, i, info);
      if (r != 0)
        return r;
    }
  return 0;
}

GvtEdidRegion *
gvt_edid_region_find (GvtVgpu *vgpu, GError **error)
{
  g_return_val_if_fail (vgpu != NULL, NULL);

  GvtRegionInfo info = { 0 };
  int found = find_edid_region (vgpu, &info);
  if (found < 0)
    {
      set_errno_error (error, -found, "look for it");
      return NULL;
    }
  if (found == 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "%s has no EDID region: the guest resolution can't follow the "
                   "window (Broadwell GVT-g and most sample devices lack it)",
                   gvt_vgpu_get_name (vgpu));
      return NULL;
    }
  if ((info.flags & (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE))
      != (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL,
                   "%s: the EDID region (index %u) is not readable and writable",
                   gvt_vgpu_get_name (vgpu), info.index);
      return NULL;
    }

  g_autoptr (GvtEdidRegion) self = g_new0 (GvtEdidRegion, 1);
  self->vgpu = vgpu;
  self->index = info.index;

  if (!read_reg (self, REG (edid_offset), &self->edid_offset, "edid_offset", error)
      || !read_reg (self, REG (edid_max_size), &self->edid_max_size, "edid_max_size", error)
      || !read_reg (self, REG (max_xres), &self->max_xres, "max_xres", error)
      || !read_reg (self, REG (max_yres), &self->max_yres, "max_yres", error))
    return NULL;

  /* The blob is deliberately not checked against the region size: GVT-g
   * reports 128 bytes and keeps the blob at 2048. It must not overlap the
   * registers, though, or writing it would poke them. */
  if (self->edid_offset < sizeof (struct vfio_region_gfx_edid)
      || (guint64) self->edid_offset + self->edid_max_size > G_MAXUINT32)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL,
                   "%s: the EDID region puts the blob at offset %u, which overlaps "
                   "its registers or overflows; not using it",
                   gvt_vgpu_get_name (vgpu), self->edid_offset);
      return NULL;
    }
  if (self->edid_max_size < GVT_EDID_BLOCK_SIZE)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL,
                   "%s: the EDID region holds %u bytes, less than one %d-byte block",
                   gvt_vgpu_get_name (vgpu), self->edid_max_size, GVT_EDID_BLOCK_SIZE);
      return NULL;
    }

  g_debug ("EDID region %u: blob at %u (max %u), max %ux%u", self->index,
           self->edid_offset, self->edid_max_size, self->max_xres, self->max_yres);
  return g_steal_pointer (&self);
}

guint32
gvt_edid_region_get_max_xres (GvtEdidRegion *self)
{
  return self->max_xres;
}

guint32
gvt_edid_region_get_max_yres (GvtEdidRegion *self)
{
  return self->max_yres;
}

gboolean
gvt_edid_region_get_mode (GvtEdidRegion *self, guint32 *width, guint32 *height)
{
  if (width)
    *width = self->width;
  if (height)
    *height = self->height;
  return self->width != 0;
}

gboolean
gvt_edid_region_set_mode (GvtEdidRegion *self, guint32 width, guint32 height,
                          GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (width == 0 || height == 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "cannot set a %ux%u guest resolution", width, height);
      return FALSE;
    }
  /* A tiny window still gets a usable guest desktop (the viewer scales
   * it down), unless the device can't go that large. */
  width = MAX (width, GVT_EDID_MIN_WIDTH);
  height = MAX (height, GVT_EDID_MIN_HEIGHT);
  if (self->max_xres != 0)
    width = MIN (width, self->max_xres);
  if (self->max_yres != 0)
    height = MIN (height, self->max_yres);
  width = MIN (width, DTD_MAX_ACTIVE);
  height = MIN (height, DTD_MAX_ACTIVE);

  guint8 blob[GVT_EDID_BLOCK_SIZE];
  if (!gvt_edid_generate (width, height, self->max_xres, self->max_yres, blob))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "a %ux%u mode at 60 Hz needs a pixel clock outside the EDID's "
                   "10-655.35 MHz; pick a smaller window", width, height);
      return FALSE;
    }

  /* The guest must never read a half-written EDID: it only looks while the
   * link is up, and bringing the link up is what makes it look. */
  if (!write_reg (self, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_DOWN,
                  "set the link down", error))
    return FALSE;

  /* The size first, as QEMU does: GVT-g bounds each blob write by the
   * edid_size it has then, not by edid_max_size. */
  g_autoptr (GError) local_error = NULL;
  if (write_reg (self, REG (edid_size), sizeof blob, "edid_size", &local_error))
    {
      gssize n = gvt_vgpu_region_write (self->vgpu, self->index, self->edid_offset,
                                        blob, sizeof blob);
      if (n != (gssize) sizeof blob)
        set_errno_error (&local_error, n < 0 ? (int) -n : EIO, "write the EDID blob");
    }

  if (local_error != NULL)
    {
      /* Don't leave the guest with its monitor unplugged: bring the link
       * back up over whatever EDID the device still has (the device
       * refuses if that is invalid, which changes nothing). */
      if (!g_error_matches (local_error, GVT_ERROR, GVT_ERROR_LOST))
        write_reg (self, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_UP,
                   "set the link up", NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!write_reg (self, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_UP,
                  "set the link up", error))
    return FALSE;

  self->width = width;
  self->height = height;
  return TRUE;
}
