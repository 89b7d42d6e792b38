/* Plane sources: where the picture comes from, behind one small ops table.
 * The VFIO scanout poller (source-scanout.c) is one; the QEMU link's ramfb
 * source is another. The session polls them and picks the one to show;
 * nothing above the session knows which kind it is looking at. */
#pragma once

#include <glib.h>

#include "plane.h"

G_BEGIN_DECLS

/* What a poll changed. */
typedef enum {
  GVT_SOURCE_NOTHING              = 0,
  GVT_SOURCE_PRIMARY_CHANGED      = 1 << 0, /* new image, or it appeared/vanished */
  GVT_SOURCE_CURSOR_IMAGE_CHANGED = 1 << 1, /* new image, or it appeared/vanished */
  GVT_SOURCE_CURSOR_MOVED         = 1 << 2, /* same image, new position */
  GVT_SOURCE_LOST                 = 1 << 3, /* the device went away (once) */
} GvtSourceChange;

typedef enum {
  GVT_SOURCE_STATE_NO_SIGNAL, /* no primary plane (firmware, driver not loaded, off) */
  GVT_SOURCE_STATE_LIVE,      /* a valid primary plane */
  GVT_SOURCE_STATE_INVALID,   /* the guest's plane was rejected: see get_reason */
  GVT_SOURCE_STATE_LOST,      /* nothing more will come from this source */
} GvtSourceState;

/* "no-signal", "live", "invalid", "lost". */
const char *gvt_source_state_to_string (GvtSourceState state);

typedef struct _GvtSource GvtSource;

/* Every op is called from the thread that owns the source (the main
 * loop's), through the gvt_source_* wrappers. */
typedef struct {
  const char *kind;                                   /* "vfio", "ramfb", ... */
  /* One tick at @now_us (monotonic). Never blocks, never spins. */
  GvtSourceChange (*poll) (GvtSource *self, gint64 now_us);
  GvtSourceState (*get_state) (GvtSource *self);
  /* Why the state is not LIVE, for a user; NULL when LIVE. */
  const char *(*get_reason) (GvtSource *self);
  /* The current planes, borrowed (valid until the next poll), or NULL. */
  GvtPlane *(*get_primary) (GvtSource *self);
  GvtPlane *(*get_cursor) (GvtSource *self);
  /* Lets go of every buffer now, as after a VM reset (a dma-buf id seen
   * before may name another buffer then): the current planes are gone
   * (NULL) until the next poll finds them afresh. */
  void (*drop) (GvtSource *self);
  /* Releases every buffer the source holds; the base is freed after. */
  void (*finalize) (GvtSource *self);
} GvtSourceOps;

/* Implementations embed this first in their own struct. */
struct _GvtSource {
  const GvtSourceOps *ops;
  char *name;
};

/* Allocates a zeroed implementation struct of @size bytes, base filled. */
gpointer gvt_source_alloc (gsize size, const GvtSourceOps *ops, const char *name);

/* Releases everything the source holds. Accepts NULL. */
void gvt_source_free (GvtSource *self);

GvtSourceChange gvt_source_poll (GvtSource *self, gint64 now_us);
GvtSourceState gvt_source_get_state (GvtSource *self);
const char *gvt_source_get_reason (GvtSource *self);
GvtPlane *gvt_source_get_primary (GvtSource *self);
GvtPlane *gvt_source_get_cursor (GvtSource *self);
void gvt_source_drop (GvtSource *self);
/* "vfio 7", "ramfb fb0": for titles and logs. */
const char *gvt_source_get_name (GvtSource *self);
const char *gvt_source_get_kind (GvtSource *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtSource, gvt_source_free)

G_END_DECLS
