/* Tests for EDID generation and the VFIO EDID region protocol, the latter
 * against a recording vGPU backend defined here. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "vgpu/edid.h"
#include "vgpu/vgpu-private.h"
#include "common/gvt-error.h"

/* ------------------------------------------------------------------ */
/* An independent EDID decoder: the tests read back what was generated. */

typedef struct {
  guint32 clock_10khz;
  guint32 hactive, hblank, hfront, hsync;
  guint32 vactive, vblank, vfront, vsync;
  guint8 flags;
} Dtd;

static void
decode_dtd (const guint8 *d, Dtd *t)
{
  t->clock_10khz = d[0] | (guint32) d[1] << 8;
  t->hactive = d[2] | (guint32) (d[4] >> 4) << 8;
  t->hblank = d[3] | (guint32) (d[4] & 0x0f) << 8;
  t->vactive = d[5] | (guint32) (d[7] >> 4) << 8;
  t->vblank = d[6] | (guint32) (d[7] & 0x0f) << 8;
  t->hfront = d[8] | (guint32) (d[11] >> 6) << 8;
  t->hsync = d[9] | (guint32) ((d[11] >> 4) & 3) << 8;
  t->vfront = (d[10] >> 4) | (guint32) ((d[11] >> 2) & 3) << 4;
  t->vsync = (d[10] & 0x0f) | (guint32) (d[11] & 3) << 4;
  t->flags = d[17];
}

static double
dtd_refresh (const Dtd *t)
{
  return t->clock_10khz * 10000.0
         / ((double) (t->hactive + t->hblank) * (t->vactive + t->vblank));
}

static double
dtd_hfreq (const Dtd *t)
{
  return t->clock_10khz * 10000.0 / (t->hactive + t->hblank);
}

static void
assert_checksum (const guint8 *e)
{
  guint sum = 0;
  for (int i = 0; i < GVT_EDID_BLOCK_SIZE; i++)
    sum += e[i];
  g_assert_cmpuint (sum % 256, ==, 0);
}

/* Width x height of a standard timing slot (EDID 1.4 aspect codes). */
static void
decode_standard (const guint8 *s, guint32 *w, guint32 *h)
{
  *w = ((guint32) s[0] + 31) * 8;
  switch (s[1] >> 6)
    {
    case 0: *h = *w * 10 / 16; break;
    case 1: *h = *w * 3 / 4; break;
    case 2: *h = *w * 4 / 5; break;
    default: *h = *w * 9 / 16; break;
    }
}

static const struct { guint32 w, h; } good_sizes[] = {
  { 640, 480 }, { 800, 600 }, { 1024, 768 }, { 1280, 720 }, { 1366, 768 },
  { 1920, 1080 }, { 1920, 1200 }, { 2560, 1440 }, { 3840, 2160 }, { 3840, 2400 },
  { 1001, 733 }, { 1023, 767 }, { 401, 300 }, { 4095, 2000 }, { 600, 1900 },
};

/* ------------------------------------------------------------------ */
/* Generation */

static void
test_generate_header (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (good_sizes); i++)
    {
      guint8 e[GVT_EDID_BLOCK_SIZE];
      g_assert_true (gvt_edid_generate (good_sizes[i].w, good_sizes[i].h, 0, 0, e));

      static const guint8 header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
      g_assert_cmpmem (e, 8, header, 8);
      assert_checksum (e);

      /* Manufacturer "GVT": three 5-bit letters, big-endian, 'A' = 1. */
      guint16 mfg = (guint16) (e[8] << 8 | e[9]);
      char id[4] = { (char) ('@' + ((mfg >> 10) & 31)), (char) ('@' + ((mfg >> 5) & 31)),
                     (char) ('@' + (mfg & 31)), 0 };
      g_assert_cmpstr (id, ==, "GVT");
      g_assert_cmpuint (mfg & 0x8000, ==, 0);

      g_assert_cmpuint (e[18], ==, 1);          /* version 1.4 */
      g_assert_cmpuint (e[19], ==, 4);
      g_assert_cmpuint (e[20] & 0x80, ==, 0x80); /* digital input */
      g_assert_cmpuint (e[21], ==, 0);          /* size undefined */
      g_assert_cmpuint (e[22], ==, 0);
      g_assert_cmpuint (e[24] & 0x04, ==, 0x04); /* sRGB */
      g_assert_cmpuint (e[24] & 0x02, ==, 0x02); /* preferred = native */
      g_assert_cmpuint (e[24] & 0x18, ==, 0);   /* RGB 4:4:4 */
      g_assert_cmpuint (e[126], ==, 0);         /* no extensions */
      g_assert_cmpuint (e[16] == 0xff || e[16] <= 54, ==, TRUE);
      g_assert_cmpuint (e[17], >=, 2020 - 1990);
    }
}

static void
test_generate_chromaticity (void)
{
  guint8 e[GVT_EDID_BLOCK_SIZE];
  g_assert_true (gvt_edid_generate (1024, 768, 0, 0, e));

  /* 10-bit fractions: high 8 bits in 27..34, low 2 bits in 25..26. */
  guint32 v[8];
  for (int i = 0; i < 8; i++)
    {
      guint8 lo = i < 4 ? e[25] : e[26];
      v[i] = (guint32) e[27 + i] << 2 | ((lo >> (6 - 2 * (i % 4))) & 3);
    }
  const double want[8] = { 0.640, 0.330, 0.300, 0.600, 0.150, 0.060, 0.3127, 0.3290 };
  for (int i = 0; i < 8; i++)
    g_assert_cmpfloat_with_epsilon (v[i] / 1024.0, want[i], 1.0 / 1024);
}

static void
test_generate_preferred_timing (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (good_sizes); i++)
    {
      guint8 e[GVT_EDID_BLOCK_SIZE];
      guint32 w = good_sizes[i].w, h = good_sizes[i].h;
      g_assert_true (gvt_edid_generate (w, h, 0, 0, e));

      Dtd t;
      decode_dtd (e + 54, &t);
      g_assert_cmpuint (t.hactive, ==, w);
      g_assert_cmpuint (t.vactive, ==, h);
      g_assert_cmpuint (t.clock_10khz, >=, 1000);
      /* Reduced blanking. */
      g_assert_cmpuint (t.hblank, ==, 160);
      g_assert_cmpuint (t.hfront, ==, 48);
      g_assert_cmpuint (t.hsync, ==, 32);
      g_assert_cmpuint (t.vfront, ==, 3);
      g_assert_cmpuint (t.vblank, >=, t.vfront + t.vsync + 6);
      /* At least 460 us of vertical blanking. */
      double line_us = 1e6 / dtd_hfreq (&t);
      g_assert_cmpfloat (t.vblank * line_us, >=, 460.0);
      double hz = dtd_refresh (&t);
      g_assert_cmpfloat (hz, <=, 60.0);
      g_assert_cmpfloat (hz, >, 59.9);
      /* Digital separate sync, +hsync -vsync, not interlaced. */
      g_assert_cmpuint (t.flags, ==, 0x1a);
    }

  /* The known CVT-RB figures for 1920x1080: 2080 x 1111 total. */
  guint8 e[GVT_EDID_BLOCK_SIZE];
  g_assert_true (gvt_edid_generate (1920, 1080, 0, 0, e));
  Dtd t;
  decode_dtd (e + 54, &t);
  g_assert_cmpuint (t.vblank, ==, 31);
  g_assert_cmpuint (t.vsync, ==, 5); /* 16:9 */
  g_assert_cmpuint (t.clock_10khz, ==, 13865);

  /* Aspect ratios CVT doesn't know use the custom vsync width. */
  g_assert_true (gvt_edid_generate (1001, 733, 0, 0, e));
  decode_dtd (e + 54, &t);
  g_assert_cmpuint (t.vsync, ==, 10);
  g_assert_true (gvt_edid_generate (1024, 768, 0, 0, e));
  decode_dtd (e + 54, &t);
  g_assert_cmpuint (t.vsync, ==, 4);
}

static void
check_range_covers (const guint8 *e, const Dtd *t)
{
  const guint8 *d = e + 72;
  g_assert_cmpuint (d[0] | d[1] | d[2] | d[4], ==, 0);
  g_assert_cmpuint (d[3], ==, 0xfd);
  g_assert_cmpuint (d[5], <=, 59);
  g_assert_cmpuint (d[6], >=, 60);
  g_assert_cmpfloat (d[7] * 1000.0, <=, dtd_hfreq (t));
  g_assert_cmpfloat (d[8] * 1000.0, >=, dtd_hfreq (t));
  g_assert_cmpuint (d[9] * 1000u, >=, t->clock_10khz);
  /* CVT 1.1 support block. */
  g_assert_cmpuint (d[10], ==, 0x04);
  g_assert_cmpuint (d[11], ==, 0x11);
  guint32 max_line = ((guint32) (d[12] & 3) << 8 | d[13]) * 8;
  g_assert_cmpuint (max_line, >=, t->hactive);
  g_assert_cmpuint (d[17], ==, 60);
}

static void
test_generate_range_limits (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (good_sizes); i++)
    {
      guint8 e[GVT_EDID_BLOCK_SIZE];
      Dtd t;
      g_assert_true (gvt_edid_generate (good_sizes[i].w, good_sizes[i].h, 0, 0, e));
      decode_dtd (e + 54, &t);
      check_range_covers (e, &t);
      g_assert_cmpuint (e[24] & 0x01, ==, 0x01); /* continuous frequency */
    }

  /* With a larger maximum the limits reach that mode too. */
  guint8 e[GVT_EDID_BLOCK_SIZE], big[GVT_EDID_BLOCK_SIZE];
  g_assert_true (gvt_edid_generate (1024, 768, 3840, 2160, e));
  g_assert_true (gvt_edid_generate (3840, 2160, 0, 0, big));
  Dtd t, tb;
  decode_dtd (e + 54, &t);
  decode_dtd (big + 54, &tb);
  g_assert_cmpuint (t.hactive, ==, 1024);
  check_range_covers (e, &t);
  check_range_covers (e, &tb);
  g_assert_cmpuint (e[72 + 9], ==, 54); /* 533.28 MHz -> 540 */

  /* A maximum below the preferred mode does not shrink the limits under it. */
  g_assert_true (gvt_edid_generate (1920, 1080, 800, 600, e));
  decode_dtd (e + 54, &t);
  check_range_covers (e, &t);
}

static void
test_generate_descriptors (void)
{
  guint8 e[GVT_EDID_BLOCK_SIZE];
  g_assert_true (gvt_edid_generate (1280, 800, 1920, 1200, e));

  /* Descriptor 3: monitor name, newline-terminated, space-padded. */
  const guint8 *d = e + 90;
  g_assert_cmpuint (d[0] | d[1] | d[2] | d[4], ==, 0);
  g_assert_cmpuint (d[3], ==, 0xfc);
  g_assert_cmpmem (d + 5, 13, "gvt-view\n    ", 13);

  /* Descriptor 4: dummy. */
  d = e + 108;
  g_assert_cmpuint (d[3], ==, 0x10);
  for (int i = 0; i < 18; i++)
    if (i != 3)
      g_assert_cmpuint (d[i], ==, 0);
}

static void
test_generate_established_standard (void)
{
  guint8 e[GVT_EDID_BLOCK_SIZE];

  /* Up to 1920x1200: all three established modes and standard modes up to
   * that size, never the preferred one, unused slots 0x01 0x01. */
  g_assert_true (gvt_edid_generate (1920, 1080, 1920, 1200, e));
  g_assert_cmpuint (e[35], ==, 0x21); /* 640x480@60, 800x600@60 */
  g_assert_cmpuint (e[36], ==, 0x08); /* 1024x768@60 */
  g_assert_cmpuint (e[37], ==, 0);
  guint used = 0;
  gboolean seen_1920x1200 = FALSE;
  for (int s = 0; s < 8; s++)
    {
      const guint8 *st = e + 38 + 2 * s;
      if (st[0] == 0x01 && st[1] == 0x01)
        continue;
      used++;
      guint32 w, h;
      decode_standard (st, &w, &h);
      g_assert_cmpuint (st[1] & 0x3f, ==, 0); /* 60 Hz */
      g_assert_cmpuint (w, <=, 1920);
      g_assert_cmpuint (h, <=, 1200);
      g_assert_false (w == 1920 && h == 1080);
      seen_1920x1200 = seen_1920x1200 || (w == 1920 && h == 1200);
    }
  g_assert_cmpuint (used, ==, 7);
  g_assert_true (seen_1920x1200);

  /* 800x600 alone: two established modes, no standard ones. */
  g_assert_true (gvt_edid_generate (800, 600, 0, 0, e));
  g_assert_cmpuint (e[35], ==, 0x21);
  g_assert_cmpuint (e[36], ==, 0);
  for (int i = 38; i < 54; i++)
    g_assert_cmpuint (e[i], ==, 0x01);

  /* Below 640x480: none at all. */
  g_assert_true (gvt_edid_generate (500, 400, 0, 0, e));
  g_assert_cmpuint (e[35] | e[36] | e[37], ==, 0);
}

static void
test_generate_rejects (void)
{
  static const struct { guint32 w, h; } bad[] = {
    { 0, 0 }, { 0, 768 }, { 1024, 0 },
    { 4096, 2160 }, { 1920, 4096 }, { 4096, 4096 }, { G_MAXUINT32, 100 },
    { 4095, 4095 },  /* 12-bit fits, but the 60 Hz clock is ~1.07 GHz */
    { 4000, 3000 },  /* ~770 MHz */
    { 320, 240 },    /* below 10 MHz */
    { 1, 1 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      guint8 e[GVT_EDID_BLOCK_SIZE];
      memset (e, 0xaa, sizeof e);
      g_assert_false (gvt_edid_generate (bad[i].w, bad[i].h, 0, 0, e));
      for (int j = 0; j < GVT_EDID_BLOCK_SIZE; j++)
        g_assert_cmpuint (e[j], ==, 0xaa);
    }

  /* A huge maximum is not an error: the limits stop at what fits. */
  guint8 e[GVT_EDID_BLOCK_SIZE];
  g_assert_true (gvt_edid_generate (1024, 768, G_MAXUINT32, G_MAXUINT32, e));
  assert_checksum (e);
}

static void
test_generate_deterministic (void)
{
  guint8 a[GVT_EDID_BLOCK_SIZE], b[GVT_EDID_BLOCK_SIZE];
  g_assert_true (gvt_edid_generate (1600, 900, 1920, 1200, a));
  g_assert_true (gvt_edid_generate (1600, 900, 1920, 1200, b));
  g_assert_cmpmem (a, sizeof a, b, sizeof b);
  g_assert_true (gvt_edid_generate (1600, 901, 1920, 1200, b));
  g_assert_false (memcmp (a, b, sizeof a) == 0);
}

/* ------------------------------------------------------------------ */
/* A recording backend: one EDID region laid out like GVT-g's (registers
 * at 0, blob at 2048, reported size 128), every access logged. */

#define NO_REGION G_MAXUINT32
#define BLOB_OFFSET 2048

typedef struct {
  char op;          /* 'r' or 'w' */
  guint32 index;
  guint64 offset;
  gsize len;
  guint32 value;    /* 4-byte accesses only */
} Access;

typedef struct {
  GvtVgpu base;
  GArray *log;              /* Access */
  guint8 mem[4096];
  guint32 edid_index;       /* NO_REGION = none */
  guint32 num_regions;      /* what GET_DEVICE_INFO says */
  guint32 edid_flags;
  guint writes;             /* writes so far */
  guint fail_write;         /* fail the Nth write (1-based), 0 = never */
  int fail_errno;
  int region_info_errno;    /* every GET_REGION_INFO fails with it, 0 = not */
} RecVgpu;

static void
reg_set (RecVgpu *rec, gsize offset, guint32 value)
{
  memcpy (rec->mem + offset, &value, sizeof value);
}

static guint32
reg_get (RecVgpu *rec, gsize offset)
{
  guint32 v;
  memcpy (&v, rec->mem + offset, sizeof v);
  return v;
}

static int
rec_get_device_info (GvtVgpu *vgpu, struct vfio_device_info *info)
{
  RecVgpu *rec = (RecVgpu *) vgpu;
  info->flags = VFIO_DEVICE_FLAGS_PCI;
  info->num_regions = rec->num_regions;
  info->num_irqs = 0;
  return 0;
}

static int
rec_get_region_info (GvtVgpu *vgpu, guint32 index, GvtRegionInfo *info)
{
  RecVgpu *rec = (RecVgpu *) vgpu;
  if (rec->region_info_errno)
    return -rec->region_info_errno;
  memset (info, 0, sizeof *info);
  info->index = index;
  info->offset = (guint64) index << 40;
  if (index == rec->edid_index)
    {
      info->flags = rec->edid_flags;
      info->size = 128;
      info->type = VFIO_REGION_TYPE_GFX;
      info->subtype = VFIO_REGION_SUBTYPE_GFX_EDID;
      return 0;
    }
  if (index < VFIO_PCI_NUM_REGIONS)
    {
      info->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
      info->size = 4096;
      return 0;
    }
  return -EINVAL;
}

static void
rec_log (RecVgpu *rec, char op, guint32 index, guint64 offset, const void *buf,
         gsize len)
{
  Access a = { op, index, offset, len, 0 };
  if (len == 4)
    memcpy (&a.value, buf, 4);
  g_array_append_val (rec->log, a);
}

static gssize
rec_region_read (GvtVgpu *vgpu, guint32 index, guint64 offset, void *buf, gsize len)
{
  RecVgpu *rec = (RecVgpu *) vgpu;
  if (index != rec->edid_index || offset > sizeof rec->mem
      || len > sizeof rec->mem - offset)
    return -EINVAL;
  memcpy (buf, rec->mem + offset, len);
  rec_log (rec, 'r', index, offset, buf, len);
  return (gssize) len;
}

static gssize
rec_region_write (GvtVgpu *vgpu, guint32 index, guint64 offset, const void *buf,
                  gsize len)
{
  RecVgpu *rec = (RecVgpu *) vgpu;
  rec_log (rec, 'w', index, offset, buf, len);
  if (++rec->writes == rec->fail_write)
    return -rec->fail_errno;
  if (index != rec->edid_index || offset > sizeof rec->mem
      || len > sizeof rec->mem - offset)
    return -EINVAL;
  memcpy (rec->mem + offset, buf, len);
  return (gssize) len;
}

static void
rec_finalize (GvtVgpu *vgpu)
{
  RecVgpu *rec = (RecVgpu *) vgpu;
  g_array_unref (rec->log);
}

static const GvtVgpuOps rec_ops = {
  .backend = "recording",
  .get_device_info = rec_get_device_info,
  .get_region_info = rec_get_region_info,
  .region_read = rec_region_read,
  .region_write = rec_region_write,
  .finalize = rec_finalize,
};

#define REG(field) offsetof (struct vfio_region_gfx_edid, field)

static RecVgpu *
rec_new (guint32 edid_index, guint32 num_regions, guint32 max_xres, guint32 max_yres)
{
  RecVgpu *rec = gvt_vgpu_alloc (sizeof (RecVgpu), &rec_ops, "rec");
  rec->log = g_array_new (FALSE, TRUE, sizeof (Access));
  rec->edid_index = edid_index;
  rec->num_regions = num_regions;
  rec->edid_flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
  reg_set (rec, REG (edid_offset), BLOB_OFFSET);
  reg_set (rec, REG (edid_max_size), 128);
  reg_set (rec, REG (max_xres), max_xres);
  reg_set (rec, REG (max_yres), max_yres);
  reg_set (rec, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_UP);
  return rec;
}

static GvtVgpu *
rec_vgpu (RecVgpu *rec)
{
  return &rec->base;
}

static const Access *
rec_access (RecVgpu *rec, guint i)
{
  g_assert_cmpuint (i, <, rec->log->len);
  return &g_array_index (rec->log, Access, i);
}

static void
assert_access (RecVgpu *rec, guint i, char op, guint32 index, guint64 offset,
               gsize len)
{
  const Access *a = rec_access (rec, i);
  g_assert_cmpint (a->op, ==, op);
  g_assert_cmpuint (a->index, ==, index);
  g_assert_cmpuint (a->offset, ==, offset);
  g_assert_cmpuint (a->len, ==, len);
}

static void
assert_reg_write (RecVgpu *rec, guint i, guint32 index, gsize offset, guint32 value)
{
  assert_access (rec, i, 'w', index, offset, 4);
  g_assert_cmpuint (rec_access (rec, i)->value, ==, value);
}

static void
test_region_protocol (void)
{
  /* GVT-g lists its EDID region: VFIO_PCI_NUM_REGIONS + 1 regions. */
  g_autoptr (GvtVgpu) vgpu = rec_vgpu (rec_new (9, 10, 1920, 1200));
  RecVgpu *rec = (RecVgpu *) vgpu;
  g_autoptr (GError) error = NULL;

  g_autoptr (GvtEdidRegion) region = gvt_edid_region_find (vgpu, &error);
  g_assert_no_error (error);
  g_assert_nonnull (region);
  g_assert_cmpuint (gvt_edid_region_get_max_xres (region), ==, 1920);
  g_assert_cmpuint (gvt_edid_region_get_max_yres (region), ==, 1200);
  g_assert_false (gvt_edid_region_get_mode (region, NULL, NULL));

  /* Finding it reads the four read-only registers, 4 bytes each, and
   * writes nothing. */
  g_assert_cmpuint (rec->log->len, ==, 4);
  assert_access (rec, 0, 'r', 9, REG (edid_offset), 4);
  assert_access (rec, 1, 'r', 9, REG (edid_max_size), 4);
  assert_access (rec, 2, 'r', 9, REG (max_xres), 4);
  assert_access (rec, 3, 'r', 9, REG (max_yres), 4);
  g_array_set_size (rec->log, 0);

  g_assert_true (gvt_edid_region_set_mode (region, 1280, 800, &error));
  g_assert_no_error (error);

  /* Link down, size, blob (one write, at edid_offset, beyond the region's
   * reported 128 bytes), link up: nothing else. The size before the blob,
   * as QEMU does: GVT-g bounds a blob write by the edid_size it has. */
  g_assert_cmpuint (rec->log->len, ==, 4);
  assert_reg_write (rec, 0, 9, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_DOWN);
  assert_reg_write (rec, 1, 9, REG (edid_size), GVT_EDID_BLOCK_SIZE);
  assert_access (rec, 2, 'w', 9, BLOB_OFFSET, GVT_EDID_BLOCK_SIZE);
  assert_reg_write (rec, 3, 9, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_UP);

  guint8 want[GVT_EDID_BLOCK_SIZE];
  g_assert_true (gvt_edid_generate (1280, 800, 1920, 1200, want));
  g_assert_cmpmem (rec->mem + BLOB_OFFSET, GVT_EDID_BLOCK_SIZE, want, sizeof want);
  g_assert_cmpuint (reg_get (rec, REG (edid_size)), ==, 128);
  g_assert_cmpuint (reg_get (rec, REG (link_state)), ==, VFIO_DEVICE_GFX_LINK_STATE_UP);
  /* The read-only registers are untouched. */
  g_assert_cmpuint (reg_get (rec, REG (edid_offset)), ==, BLOB_OFFSET);
  g_assert_cmpuint (reg_get (rec, REG (max_xres)), ==, 1920);

  guint32 w, h;
  g_assert_true (gvt_edid_region_get_mode (region, &w, &h));
  g_assert_cmpuint (w, ==, 1280);
  g_assert_cmpuint (h, ==, 800);

  /* A second mode change repeats the same four accesses. */
  g_array_set_size (rec->log, 0);
  g_assert_true (gvt_edid_region_set_mode (region, 1024, 768, &error));
  g_assert_cmpuint (rec->log->len, ==, 4);
  assert_reg_write (rec, 0, 9, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_DOWN);
  assert_reg_write (rec, 3, 9, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_UP);
}

static void
test_region_unlisted (void)
{
  /* Only the nine standard PCI regions are listed; the EDID region is a
   * device-specific index above them. */
  g_autoptr (GvtVgpu) vgpu = rec_vgpu (rec_new (13, VFIO_PCI_NUM_REGIONS, 1024, 768));
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtEdidRegion) region = gvt_edid_region_find (vgpu, &error);
  g_assert_no_error (error);
  g_assert_true (gvt_edid_region_set_mode (region, 800, 600, &error));
  g_assert_no_error (error);
  assert_reg_write ((RecVgpu *) vgpu, 4, 13, REG (link_state),
                    VFIO_DEVICE_GFX_LINK_STATE_DOWN);
}

static Dtd
written_dtd (RecVgpu *rec)
{
  Dtd t;
  assert_checksum (rec->mem + BLOB_OFFSET);
  decode_dtd (rec->mem + BLOB_OFFSET + 54, &t);
  return t;
}

static void
test_region_clamp (void)
{
  g_autoptr (GvtVgpu) vgpu = rec_vgpu (rec_new (9, 10, 1920, 1200));
  RecVgpu *rec = (RecVgpu *) vgpu;
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtEdidRegion) region = gvt_edid_region_find (vgpu, &error);
  g_assert_no_error (error);

  /* Each side is clamped on its own. */
  g_assert_true (gvt_edid_region_set_mode (region, 2560, 1600, &error));
  Dtd t = written_dtd (rec);
  g_assert_cmpuint (t.hactive, ==, 1920);
  g_assert_cmpuint (t.vactive, ==, 1200);
  g_assert_true (gvt_edid_region_set_mode (region, 1000, 5000, &error));
  t = written_dtd (rec);
  g_assert_cmpuint (t.hactive, ==, 1000);
  g_assert_cmpuint (t.vactive, ==, 1200);
  guint32 w, h;
  g_assert_true (gvt_edid_region_get_mode (region, &w, &h));
  g_assert_cmpuint (w, ==, 1000);
  g_assert_cmpuint (h, ==, 1200);

  /* A tiny window still gives the guest 640x480. */
  g_assert_true (gvt_edid_region_set_mode (region, 100, 50, &error));
  t = written_dtd (rec);
  g_assert_cmpuint (t.hactive, ==, 640);
  g_assert_cmpuint (t.vactive, ==, 480);
  g_assert_no_error (error);

  /* The range limits stay those of the device's maximum. */
  g_assert_cmpuint (rec->mem[BLOB_OFFSET + 72 + 8], >=, 74);
}

static void
test_region_no_limit (void)
{
  /* max_xres/max_yres 0 = no limit: only the EDID's own limits apply. */
  g_autoptr (GvtVgpu) vgpu = rec_vgpu (rec_new (9, 10, 0, 0));
  RecVgpu *rec = (RecVgpu *) vgpu;
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtEdidRegion) region = gvt_edid_region_find (vgpu, &error);
  g_assert_no_error (error);

  g_assert_true (gvt_edid_region_set_mode (region, 3000, 2000, &error));
  Dtd t = written_dtd (rec);
  g_assert_cmpuint (t.hactive, ==, 3000);
  g_assert_cmpuint (t.vactive, ==, 2000);

  g_assert_true (gvt_edid_region_set_mode (region, 9000, 1000, &error));
  t = written_dtd (rec);
  g_assert_cmpuint (t.hactive, ==, 4095);

  /* Too much for any EDID: an error, and nothing written. */
  g_array_set_size (rec->log, 0);
  g_assert_false (gvt_edid_region_set_mode (region, 5000, 5000, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_assert_cmpuint (rec->log->len, ==, 0);
}

static void
test_region_bad_mode (void)
{
  g_autoptr (GvtVgpu) vgpu = rec_vgpu (rec_new (9, 10, 1920, 1200));
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtEdidRegion) region = gvt_edid_region_find (vgpu, &error);
  g_array_set_size (((RecVgpu *) vgpu)->log, 0);
  g_assert_false (gvt_edid_region_set_mode (region, 0, 768, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_assert_cmpuint (((RecVgpu *) vgpu)->log->len, ==, 0);
}

static void
test_region_none (void)
{
  g_autoptr (GvtVgpu) vgpu = rec_vgpu (rec_new (NO_REGION, VFIO_PCI_NUM_REGIONS, 0, 0));
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtEdidRegion) region = gvt_edid_region_find (vgpu, &error);
  g_assert_null (region);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "no EDID region"));
  g_assert_cmpuint (((RecVgpu *) vgpu)->log->len, ==, 0);

  /* A region far above the probed range is not found either: the scan is
   * bounded (a device may claim any num_regions). */
  g_autoptr (GvtVgpu) far = rec_vgpu (rec_new (40, G_MAXUINT32, 0, 0));
  g_clear_error (&error);
  g_autoptr (GvtEdidRegion) r2 = gvt_edid_region_find (far, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r2);
  g_autoptr (GvtVgpu) beyond = rec_vgpu (rec_new (500, G_MAXUINT32, 0, 0));
  g_autoptr (GvtEdidRegion) r3 = gvt_edid_region_find (beyond, &error);
  g_assert_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED);
  g_assert_null (r3);
}

static void
test_region_bad_registers (void)
{
  g_autoptr (GError) error = NULL;

  /* Room for less than one block. */
  g_autoptr (GvtVgpu) small = rec_vgpu (rec_new (9, 10, 0, 0));
  reg_set ((RecVgpu *) small, REG (edid_max_size), 64);
  g_assert_null (gvt_edid_region_find (small, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* A blob offset on top of the registers. */
  g_autoptr (GvtVgpu) overlap = rec_vgpu (rec_new (9, 10, 0, 0));
  reg_set ((RecVgpu *) overlap, REG (edid_offset), 8);
  g_assert_null (gvt_edid_region_find (overlap, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* Offset + size past 4 GiB. */
  g_autoptr (GvtVgpu) wrap = rec_vgpu (rec_new (9, 10, 0, 0));
  reg_set ((RecVgpu *) wrap, REG (edid_offset), 0xffffff00u);
  reg_set ((RecVgpu *) wrap, REG (edid_max_size), 0x1000);
  g_assert_null (gvt_edid_region_find (wrap, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* Not writable. */
  g_autoptr (GvtVgpu) ro = rec_vgpu (rec_new (9, 10, 0, 0));
  ((RecVgpu *) ro)->edid_flags = VFIO_REGION_INFO_FLAG_READ;
  g_assert_null (gvt_edid_region_find (ro, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* The device vanished while we looked. */
  g_autoptr (GvtVgpu) gone = rec_vgpu (rec_new (9, 10, 0, 0));
  ((RecVgpu *) gone)->region_info_errno = ENODEV;
  g_assert_null (gvt_edid_region_find (gone, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_LOST);
}

static void
test_region_write_failure (void)
{
  g_autoptr (GError) error = NULL;

  /* The blob write fails: the link is brought back up, the error says so. */
  g_autoptr (GvtVgpu) vgpu = rec_vgpu (rec_new (9, 10, 1920, 1200));
  RecVgpu *rec = (RecVgpu *) vgpu;
  g_autoptr (GvtEdidRegion) region = gvt_edid_region_find (vgpu, &error);
  g_array_set_size (rec->log, 0);
  rec->fail_write = 3;
  rec->fail_errno = EFAULT;
  g_assert_false (gvt_edid_region_set_mode (region, 1024, 768, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "blob"));
  g_assert_cmpuint (rec->log->len, ==, 4);
  assert_reg_write (rec, 0, 9, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_DOWN);
  assert_reg_write (rec, 1, 9, REG (edid_size), 128);
  assert_access (rec, 2, 'w', 9, BLOB_OFFSET, 128);
  assert_reg_write (rec, 3, 9, REG (link_state), VFIO_DEVICE_GFX_LINK_STATE_UP);
  g_assert_false (gvt_edid_region_get_mode (region, NULL, NULL));
  g_clear_error (&error);

  /* The device is gone at the size write: LOST, and no more writes. */
  g_array_set_size (rec->log, 0);
  rec->writes = 0;
  rec->fail_write = 2;
  rec->fail_errno = ENODEV;
  g_assert_false (gvt_edid_region_set_mode (region, 1024, 768, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_LOST);
  g_assert_cmpuint (rec->log->len, ==, 2);
  assert_reg_write (rec, 1, 9, REG (edid_size), 128);
  g_clear_error (&error);

  /* The link-down write itself fails: nothing else is tried. */
  g_array_set_size (rec->log, 0);
  rec->writes = 0;
  rec->fail_write = 1;
  rec->fail_errno = EIO;
  g_assert_false (gvt_edid_region_set_mode (region, 1024, 768, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_LOST);
  g_assert_cmpuint (rec->log->len, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/edid/generate/header", test_generate_header);
  g_test_add_func ("/edid/generate/chromaticity", test_generate_chromaticity);
  g_test_add_func ("/edid/generate/preferred-timing", test_generate_preferred_timing);
  g_test_add_func ("/edid/generate/range-limits", test_generate_range_limits);
  g_test_add_func ("/edid/generate/descriptors", test_generate_descriptors);
  g_test_add_func ("/edid/generate/established-standard", test_generate_established_standard);
  g_test_add_func ("/edid/generate/rejects", test_generate_rejects);
  g_test_add_func ("/edid/generate/deterministic", test_generate_deterministic);
  g_test_add_func ("/edid/region/protocol", test_region_protocol);
  g_test_add_func ("/edid/region/unlisted-index", test_region_unlisted);
  g_test_add_func ("/edid/region/clamp", test_region_clamp);
  g_test_add_func ("/edid/region/no-limit", test_region_no_limit);
  g_test_add_func ("/edid/region/bad-mode", test_region_bad_mode);
  g_test_add_func ("/edid/region/none", test_region_none);
  g_test_add_func ("/edid/region/bad-registers", test_region_bad_registers);
  g_test_add_func ("/edid/region/write-failure", test_region_write_failure);

  return g_test_run ();
}
