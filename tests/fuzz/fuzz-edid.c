/* Fuzz target: EDID generation (vgpu/edid.h) and the EDID region protocol
 * on the simulated vGPU.
 *
 * Input: a preferred size and limits for gvt_edid_generate, each near a
 * boundary (0, 1, 4095, 4096, sizes around the 10 and 655.35 MHz clocks)
 * or anything; then the sim's max_xres x max_yres and up to four window
 * sizes for gvt_edid_region_set_mode. Contract checked (edid.h, EDID 1.4,
 * CVT 1.2 reduced blanking), from the bytes alone:
 * - gvt_edid_generate refuses exactly a size of 0 or above 4095 or a 60 Hz
 *   CVT-RB pixel clock outside 10..655.35 MHz (computed again here), and
 *   then leaves @out untouched; it is deterministic;
 * - an accepted block has the EDID header, version 1.4, a digital input,
 *   no extension blocks, a zero checksum; its first detailed timing is
 *   exactly the asked size, CVT-RB (160-pixel blanking, 48/32 front porch
 *   and sync, 3-line front porch, a CVT vsync width, at least 460 us of
 *   vertical blanking), at 60 Hz with the clock rounded down to 10 kHz;
 *   the other descriptors are display descriptors: range limits covering
 *   60 Hz, the preferred line rate and pixel clock, and the name
 *   "gvt-view"; established and standard timings are 60 Hz modes no larger
 *   than the limits (never below the preferred mode) and never the
 *   preferred mode itself;
 * - gvt_edid_region_set_mode raises a size to 640 x 480, clamps it to the
 *   region's limits and 4095, and then either gives the guest exactly
 *   gvt_edid_generate's block for that mode (link down, then up) or
 *   refuses with INVALID_ARGS without touching the guest's EDID or link;
 *   0 is refused too. */
#include <string.h>

#include "common/gvt-error.h"
#include "sim/vgpu-sim.h"
#include "vgpu/edid.h"
#include "fuzz-common.h"

void
fuzz_target_init (void)
{
}

/* --- the reference: CVT 1.2 reduced blanking at 60 Hz --- */

/* The clock in 10 kHz units for @w x @h with a vsync width of @vsync. */
static guint64
ref_clock (guint64 w, guint64 h, guint64 vsync)
{
  /* VBI lines: floor (460 us / estimated line period) + 1, where the line
   * period is (1/60 s - 460 us) / h: in integers, 460*60*h / (10^6 -
   * 460*60). */
  guint64 vbi = 460 * 60 * h / (1000000 - 460 * 60) + 1;
  guint64 min_vbi = 3 + vsync + 6;
  guint64 vtotal = h + MAX (vbi, min_vbi);
  return (w + 160) * vtotal * 60 / 10000;
}

/* 1: must accept, 0: must refuse, -1: either (the vsync width, which the
 * generator picks by aspect ratio, decides). */
static int
ref_accepts (guint32 w, guint32 h)
{
  if (w == 0 || h == 0 || w > 4095 || h > 4095)
    return 0;
  gboolean lo = ref_clock (w, h, 4) >= 1000 && ref_clock (w, h, 4) <= 65535;
  gboolean hi = ref_clock (w, h, 10) >= 1000 && ref_clock (w, h, 10) <= 65535;
  return lo && hi ? 1 : !lo && !hi ? 0 : -1;
}

static gboolean
is_display_descriptor (const guint8 *d)
{
  return d[0] == 0 && d[1] == 0 && d[2] == 0 && d[4] == 0;
}

/* The 60 Hz modes of the established timings (byte 35 + byte, bit). */
static const struct { guint byte, bit, w, h; } established_60[] = {
  { 0, 5, 640, 480 }, { 0, 0, 800, 600 }, { 1, 3, 1024, 768 },
};

static void
check_block (const guint8 *e, guint32 w, guint32 h, guint32 max_w, guint32 max_h)
{
  static const guint8 header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
  FUZZ_CHECK (memcmp (e, header, 8) == 0, "no EDID header");
  guint8 sum = 0;
  for (int i = 0; i < GVT_EDID_BLOCK_SIZE; i++)
    sum += e[i];
  FUZZ_CHECK (sum == 0, "checksum off by %u", sum);
  FUZZ_CHECK (e[18] == 1 && e[19] == 4, "version %u.%u", e[18], e[19]);
  FUZZ_CHECK (e[20] & 0x80, "not a digital input");
  FUZZ_CHECK (e[24] & 0x02, "the first detailed timing is not marked preferred");
  FUZZ_CHECK (e[126] == 0, "%u extension blocks", e[126]);
  FUZZ_CHECK ((e[8] | e[9]) != 0, "no manufacturer id");

  /* The preferred timing. */
  const guint8 *d = e + 54;
  guint64 clock = d[0] | (guint64) d[1] << 8;
  guint32 hactive = d[2] | (guint32) (d[4] >> 4) << 8;
  guint32 hblank = d[3] | (guint32) (d[4] & 0xf) << 8;
  guint32 vactive = d[5] | (guint32) (d[7] >> 4) << 8;
  guint32 vblank = d[6] | (guint32) (d[7] & 0xf) << 8;
  guint32 hfront = d[8] | (guint32) ((d[11] >> 6) & 3) << 8;
  guint32 hsync = d[9] | (guint32) ((d[11] >> 4) & 3) << 8;
  guint32 vfront = (d[10] >> 4) | (guint32) ((d[11] >> 2) & 3) << 4;
  guint32 vsync = (d[10] & 0xf) | (guint32) (d[11] & 3) << 4;
  FUZZ_CHECK (hactive == w && vactive == h, "the preferred timing is %ux%u, not %ux%u",
              hactive, vactive, w, h);
  FUZZ_CHECK (clock >= 1000 && clock <= 65535, "pixel clock %" G_GUINT64_FORMAT "0 kHz",
              clock);
  FUZZ_CHECK (hblank == 160 && hfront == 48 && hsync == 32,
              "not CVT-RB horizontal blanking: %u (front %u, sync %u)", hblank, hfront, hsync);
  FUZZ_CHECK (vfront == 3 && (vsync == 4 || vsync == 5 || vsync == 6 || vsync == 7
                              || vsync == 10) && vblank >= vfront + vsync + 6,
              "not CVT-RB vertical blanking: %u (front %u, sync %u)", vblank, vfront, vsync);
  guint64 htotal = (guint64) hactive + hblank, vtotal = (guint64) vactive + vblank;
  /* At least 460 us of blanking: vblank lines of htotal / clock each. */
  FUZZ_CHECK (vblank * htotal * 100 >= 460 * clock,
              "vertical blanking shorter than 460 us (%u lines)", vblank);
  /* 60 Hz, the clock rounded down to the 10 kHz unit. */
  guint64 exact = htotal * vtotal * 60; /* Hz */
  FUZZ_CHECK (clock * 10000 <= exact && exact - clock * 10000 < 10000,
              "%" G_GUINT64_FORMAT "0 kHz for %" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT
              " total is not 60 Hz rounded down", clock, htotal, vtotal);
  FUZZ_CHECK (!(d[17] & 0x80) && (d[17] & 0x18) == 0x18,
              "flags 0x%02x: interlaced or not digital separate sync", d[17]);

  guint32 top_w = MIN (MAX (max_w ? max_w : w, w), 4095u);
  guint32 top_h = MIN (MAX (max_h ? max_h : h, h), 4095u);

  /* The other three descriptors. */
  gboolean have_range = FALSE, have_name = FALSE;
  for (int i = 1; i < 4; i++)
    {
      const guint8 *x = e + 54 + 18 * i;
      FUZZ_CHECK (is_display_descriptor (x), "descriptor %d is not a display descriptor", i);
      if (x[3] == 0xfd)
        {
          have_range = TRUE;
          guint64 line_hz = clock * 10000 / htotal;
          FUZZ_CHECK (x[5] <= 60 && x[6] >= 60, "vertical range %u-%u Hz", x[5], x[6]);
          FUZZ_CHECK (line_hz > 255000
                      || (x[7] * 1000u <= line_hz && x[8] * 1000u >= line_hz),
                      "horizontal range %u-%u kHz leaves out %" G_GUINT64_FORMAT " Hz",
                      x[7], x[8], line_hz);
          FUZZ_CHECK (x[9] * 1000u >= clock, "maximum clock %u0 MHz below %" G_GUINT64_FORMAT
                      "0 kHz", x[9], clock);
          if (x[10] == 0x04)
            {
              guint32 cells = (guint32) (x[12] & 3) << 8 | x[13];
              FUZZ_CHECK (cells == 0 || cells * 8 >= top_w,
                          "CVT width limit %u below %u", cells * 8, top_w);
            }
        }
      else if (x[3] == 0xfc)
        {
          have_name = TRUE;
          FUZZ_CHECK (memcmp (x + 5, "gvt-view\n    ", 13) == 0, "monitor name");
        }
    }
  FUZZ_CHECK (have_range && have_name, "range limits %d, name %d", have_range, have_name);

  /* Established timings: only the 60 Hz ones, within the limits. */
  guint8 allowed[3] = { 0 };
  for (gsize i = 0; i < G_N_ELEMENTS (established_60); i++)
    if (established_60[i].w <= top_w && established_60[i].h <= top_h)
      allowed[established_60[i].byte] |= (guint8) (1u << established_60[i].bit);
  for (int i = 0; i < 3; i++)
    FUZZ_CHECK ((e[35 + i] & ~allowed[i]) == 0,
                "established timings byte %d = 0x%02x for limits %ux%u", i, e[35 + i], top_w,
                top_h);

  /* Standard timings: unused, or a 60 Hz mode within the limits. */
  static const guint num[4] = { 10, 3, 4, 9 }, den[4] = { 16, 4, 5, 16 };
  for (int i = 0; i < 8; i++)
    {
      guint8 b0 = e[38 + 2 * i], b1 = e[39 + 2 * i];
      if (b0 == 1 && b1 == 1)
        continue;
      FUZZ_CHECK (b0 != 0, "standard timing %d is 0x00", i);
      guint32 sw = (b0 + 31u) * 8, sh = sw * num[b1 >> 6] / den[b1 >> 6];
      FUZZ_CHECK ((b1 & 0x3f) == 0, "standard timing %d at %u Hz", i, (b1 & 0x3f) + 60);
      FUZZ_CHECK (sw <= top_w && sh <= top_h, "standard timing %ux%u beyond %ux%u", sw, sh,
                  top_w, top_h);
      FUZZ_CHECK (!(sw == w && sh == h), "standard timing %d repeats the preferred mode", i);
    }
}

static const guint32 dims[] = {
  0, 1, 2, 240, 320, 399, 400, 401, 480, 640, 720, 768, 800, 1024, 1080, 1200, 1366,
  1920, 2160, 2560, 3000, 3840, 4000, 4095, 4096, 5120, 65535,
};

static guint32
decode_dim (FuzzIn *in)
{
  return fuzz_near (in, fuzz_pick (in, dims, G_N_ELEMENTS (dims)));
}

static void
check_generate (guint32 w, guint32 h, guint32 max_w, guint32 max_h)
{
  guint8 out[GVT_EDID_BLOCK_SIZE], again[GVT_EDID_BLOCK_SIZE];
  memset (out, 0xa5, sizeof out);
  gboolean ok = gvt_edid_generate (w, h, max_w, max_h, out);
  int want = ref_accepts (w, h);
  FUZZ_CHECK (want < 0 || ok == want,
              "gvt_edid_generate %s %ux%u (limits %ux%u); the rules say %s",
              ok ? "accepts" : "refuses", w, h, max_w, max_h, want ? "accept" : "refuse");
  if (!ok)
    {
      for (gsize i = 0; i < sizeof out; i++)
        FUZZ_CHECK (out[i] == 0xa5, "a refusal wrote to @out");
      fuzz_count ("refused");
      return;
    }
  fuzz_count (want < 0 ? "accepted (vsync decides)" : "accepted");
  check_block (out, w, h, max_w, max_h);
  FUZZ_CHECK (gvt_edid_generate (w, h, max_w, max_h, again) && memcmp (out, again, sizeof out) == 0,
              "not deterministic");
}

static void
check_region (FuzzIn *in)
{
  guint32 max_x = 0, max_y = 0;
  if (fuzz_u8 (in) & 1)
    {
      /* Both or neither (gvt_sim_new's rule). */
      max_x = decode_dim (in);
      max_y = decode_dim (in);
      max_x = MAX (max_x, 1);
      max_y = MAX (max_y, 1);
    }
  g_autoptr (GvtVgpu) vgpu = gvt_sim_new (GVT_SIM_DMABUF, GVT_SIM_QUIRK_NONE, max_x, max_y);
  GvtSim *sim = gvt_vgpu_get_sim (vgpu);
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtEdidRegion) region = gvt_edid_region_find (vgpu, &error);
  if (max_x == 0)
    {
      FUZZ_CHECK (region == NULL && g_error_matches (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED),
                  "a device without an EDID region");
      return;
    }
  FUZZ_CHECK (region != NULL, "the sim's EDID region: %s", error ? error->message : "");
  FUZZ_CHECK (gvt_edid_region_get_max_xres (region) == max_x
              && gvt_edid_region_get_max_yres (region) == max_y, "region limits");

  for (int i = 0; i < 4 && !fuzz_in_done (in); i++)
    {
      guint32 w = decode_dim (in), h = decode_dim (in);
      gsize before_size = 0;
      const guint8 *before = gvt_sim_get_edid (sim, &before_size);
      g_autofree guint8 *before_copy = before ? g_memdup2 (before, before_size) : NULL;
      g_autofree char *links_before = g_strdup (gvt_sim_get_link_log (sim));
      guint32 mode_w, mode_h;
      gboolean had_mode = gvt_edid_region_get_mode (region, &mode_w, &mode_h);

      g_clear_error (&error);
      gboolean ok = gvt_edid_region_set_mode (region, w, h, &error);

      guint32 cw = MIN (MIN (MAX (w, GVT_EDID_MIN_WIDTH), max_x), 4095u);
      guint32 ch = MIN (MIN (MAX (h, GVT_EDID_MIN_HEIGHT), max_y), 4095u);
      int want = w == 0 || h == 0 ? 0 : ref_accepts (cw, ch);
      FUZZ_CHECK (want < 0 || ok == want, "set_mode %ux%u (limits %ux%u, clamped %ux%u) %s: %s",
                  w, h, max_x, max_y, cw, ch, ok ? "accepted" : "refused",
                  error ? error->message : "");
      if (!ok)
        {
          FUZZ_CHECK (g_error_matches (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS),
                      "refused with %s", error->message);
          gsize after_size = 0;
          const guint8 *after = gvt_sim_get_edid (sim, &after_size);
          FUZZ_CHECK (after_size == before_size
                      && (before_size == 0 || memcmp (after, before_copy, before_size) == 0)
                      && strcmp (gvt_sim_get_link_log (sim), links_before) == 0,
                      "a refused mode touched the guest's EDID or link");
          guint32 now_w, now_h;
          FUZZ_CHECK (gvt_edid_region_get_mode (region, &now_w, &now_h) == had_mode
                      && (!had_mode || (now_w == mode_w && now_h == mode_h)),
                      "a refused mode changed the mode");
          fuzz_count ("region refused");
          continue;
        }
      fuzz_count ("region set");
      guint32 now_w, now_h;
      FUZZ_CHECK (gvt_edid_region_get_mode (region, &now_w, &now_h) && now_w == cw
                  && now_h == ch, "mode %ux%u after asking %ux%u (clamped %ux%u)", now_w, now_h,
                  w, h, cw, ch);
      guint8 expect[GVT_EDID_BLOCK_SIZE];
      FUZZ_CHECK (gvt_edid_generate (cw, ch, max_x, max_y, expect), "generate %ux%u", cw, ch);
      gsize got_size = 0;
      const guint8 *got = gvt_sim_get_edid (sim, &got_size);
      FUZZ_CHECK (got != NULL && got_size == GVT_EDID_BLOCK_SIZE
                  && memcmp (got, expect, GVT_EDID_BLOCK_SIZE) == 0,
                  "the guest got another EDID than the mode's (%" G_GSIZE_FORMAT " bytes)",
                  got_size);
      g_autofree char *links_want = g_strconcat (links_before, "21", NULL);
      FUZZ_CHECK (strcmp (gvt_sim_get_link_log (sim), links_want) == 0,
                  "link writes \"%s\" after \"%s\": not down then up",
                  gvt_sim_get_link_log (sim), links_before);
    }
}

void
fuzz_target_run (const guint8 *data, gsize size)
{
  FuzzIn in;
  fuzz_in_init (&in, data, size);

  guint32 w = decode_dim (&in), h = decode_dim (&in);
  guint8 limits = fuzz_u8 (&in);
  guint32 max_w = limits & 1 ? decode_dim (&in) : 0;
  guint32 max_h = limits & 2 ? decode_dim (&in) : 0;
  check_generate (w, h, max_w, max_h);
  check_region (&in);
}
