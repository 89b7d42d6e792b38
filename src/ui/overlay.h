/* The --stats overlay: a label over the picture's top-left corner with
 * what the viewer is doing (presented fps, plane updates, poll cost, the
 * import or upload path, format and modifier, imports and bytes copied). */
#pragma once

#include <gtk/gtk.h>

#include "frame-stats.h"
#include "display/plane.h"

G_BEGIN_DECLS

/* A new, hidden overlay widget for a GtkOverlay. */
GtkWidget *gvt_overlay_new (void);

/* The overlay's text for @stats (rates of the last second), @path
 * ("import", "upload", "none"), @primary (may be NULL) and the surface's
 * name. g_free() it. */
char *gvt_overlay_format (const GvtFrameStats *stats, const char *path, GvtPlane *primary,
                          const char *surface);

/* Sets @overlay's text from the same. */
void gvt_overlay_update (GtkWidget *overlay, const GvtFrameStats *stats, const char *path,
                         GvtPlane *primary, const char *surface);

G_END_DECLS
