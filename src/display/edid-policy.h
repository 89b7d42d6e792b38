/* The guest's resolution from the viewer: the window's sizes come in as
 * requests, and after a pause the last one becomes the preferred mode of
 * the EDID the guest is given (vgpu/edid.h does the bytes and the
 * registers). Or one fixed mode (--resolution), or the guest's EDID left
 * alone (--edid off). GTK-free; the session owns one for its vGPU. */
#pragma once

#include <glib.h>

#include "vgpu/vgpu.h"

G_BEGIN_DECLS

typedef struct _GvtEdidPolicy GvtEdidPolicy;

typedef enum {
  GVT_EDID_FOLLOW = 0, /* the preferred mode follows the window (default) */
  GVT_EDID_FIXED,      /* one mode, given at every open; requests ignored */
  GVT_EDID_OFF,        /* the guest's EDID is left as it is; no region is looked at */
} GvtEdidMode;

/* A window resize settles for this long before the guest hears of it:
 * each EDID write is a monitor hotplug in the guest. */
#define GVT_EDID_POLICY_DEBOUNCE_MS 1000

/* All zeros: follow the window with the default pause. */
typedef struct {
  GvtEdidMode mode;
  guint width, height; /* GVT_EDID_FIXED: the mode (gvt_edid_config_parse checked it) */
  guint debounce_ms;   /* 0: GVT_EDID_POLICY_DEBOUNCE_MS (tests set less) */
} GvtEdidConfig;

/* --edid on|off (NULL: on) and --resolution WxH (NULL: none) into @config.
 * GVT_ERROR_INVALID_ARGS that names the option for a word other than on
 * or off, a size that isn't WxH, odd, below 640x480 or beyond what an EDID
 * can describe at 60 Hz, or both options at once with off. */
gboolean gvt_edid_config_parse (const char *edid, const char *resolution,
                                GvtEdidConfig *config, GError **error);

/* What the policy did, for tests and the stats file. */
typedef struct {
  GvtEdidMode mode;
  gboolean has_region;      /* the open device has a usable EDID region */
  guint requests;           /* sizes asked for (also the ignored ones) */
  guint writes;             /* EDIDs given to a guest */
  guint failures;           /* EDIDs a device refused */
  gboolean pending;         /* a request waits for its pause to end */
  guint wanted_width, wanted_height;       /* the size to give, before clamping; 0: none */
  guint preferred_width, preferred_height; /* the mode last given (clamped); 0: none */
} GvtEdidState;

/* A policy for a session's devices. Its pauses are timeouts on the
 * thread-default main context of the caller, which must run it and make
 * every other call. @config is copied; NULL: follow the window. */
GvtEdidPolicy *gvt_edid_policy_new (const GvtEdidConfig *config);
/* Cancels a pending request. Accepts NULL. */
void gvt_edid_policy_free (GvtEdidPolicy *self);

/* The session opened @vgpu (borrowed until detach), called @name in
 * messages: finds its EDID region (unless the mode is OFF) and gives it
 * the fixed mode, or the mode wanted so far (a reopened device gets the
 * guest's resolution back). Without a region, says once per policy that
 * the guest resolution can't follow the window, and why. */
void gvt_edid_policy_attach (GvtEdidPolicy *self, GvtVgpu *vgpu, const char *name);
/* The device is closing. What is wanted stays for the next attach. */
void gvt_edid_policy_detach (GvtEdidPolicy *self);

/* The window's picture area is @width x @height device pixels now. After
 * the pause with no newer request, the last one is clamped to the
 * device's limits (at least GVT_EDID_MIN_WIDTH x _HEIGHT, at most its
 * max_xres x max_yres), rounded down to even numbers and given to the
 * guest, unless that is the mode it has from us already. Ignored (but
 * counted) unless the mode is FOLLOW. */
void gvt_edid_policy_request (GvtEdidPolicy *self, guint width, guint height);

/* TRUE once (then FALSE) after a write found the device gone, with why in
 * @reason (owned by the policy, valid until the next attach): the session
 * closes the device as for any loss. */
gboolean gvt_edid_policy_take_lost (GvtEdidPolicy *self, const char **reason);

void gvt_edid_policy_get_state (GvtEdidPolicy *self, GvtEdidState *state);

/* "follow", "fixed", "off". */
const char *gvt_edid_mode_to_string (GvtEdidMode mode);

/* The mode a device with limits @max_xres x @max_yres (0: none) is given
 * for a @width x @height request: raised to GVT_EDID_MIN_WIDTH x _HEIGHT,
 * each side clamped to the device's limit, then both shrunk by one factor
 * to what an EDID's detailed timing holds (4095 a side, 655.35 MHz at
 * 60 Hz), each side rounded down to an even number. Pure. */
void gvt_edid_policy_clamp (guint32 max_xres, guint32 max_yres, guint width, guint height,
                            guint *out_width, guint *out_height);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtEdidPolicy, gvt_edid_policy_free)

G_END_DECLS
