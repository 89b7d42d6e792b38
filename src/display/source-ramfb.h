/* The ramfb source: the VM's boot display (ramfb, or any graphic console
 * QEMU has) through QMP `screendump`, for the time the vGPU shows nothing —
 * firmware, boot loader, early boot, a guest without a vGPU driver. QEMU
 * writes the console as PPM into a private file (a 0700 directory of our
 * own under $XDG_RUNTIME_DIR); the source maps it (no copy: the file is
 * unlinked first, so QEMU's next dump can't change it under the mapping),
 * checks it as untrusted input (qemu/ppm.h) and shows it as a CPU plane:
 * one upload per changed picture. One request at a time, at a rate from
 * what a dump costs QEMU; none while the VM is paused or off. */
#pragma once

#include "plane-source.h"
#include "qemu/vm.h"

G_BEGIN_DECLS

/* Fetch intervals: GVT_SOURCE_RAMFB_COST_FACTOR times the last dump's
 * round trip (so that dumps take at most 1/FACTOR of QEMU's time), within
 * MIN..MAX. */
#define GVT_SOURCE_RAMFB_MIN_INTERVAL_US (250 * 1000)
#define GVT_SOURCE_RAMFB_MAX_INTERVAL_US (2000 * 1000)
#define GVT_SOURCE_RAMFB_COST_FACTOR 20

/* A source fetching @device_id's console (NULL: the VM's ramfb, found
 * with qom-list on each connection, else QEMU's primary console) from @vm
 * (borrowed; must outlive the source). Fails only when the private
 * directory can't be made (GVT_ERROR_FAILED, with the path). */
GvtSource *gvt_source_ramfb_new (GvtVm *vm, const char *device_id, GError **error);

/* Screendumps shown so far (pictures that changed or came first). */
guint gvt_source_ramfb_get_fetches (GvtSource *source);
/* Screendumps answered so far, changed or not. */
guint gvt_source_ramfb_get_dumps (GvtSource *source);
/* TRUE when QEMU answered the last dump with an error (no such device,
 * a device without a console): no picture will come by waiting. */
gboolean gvt_source_ramfb_is_refused (GvtSource *source);
/* The directory QEMU writes into (tests check its mode and that it goes). */
const char *gvt_source_ramfb_get_dir (GvtSource *source);
/* Asks for a dump at the next poll, whatever the interval says (a reset:
 * the firmware draws anew). */
void gvt_source_ramfb_fetch_soon (GvtSource *source);

G_END_DECLS
