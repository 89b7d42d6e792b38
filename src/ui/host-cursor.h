/* The guest's cursor as the host pointer: while the pointer is over the
 * guest image (and input to the guest is absolute), the window's pointer
 * is the cursor plane's image, scaled as the view scales the guest, with
 * its hotspot, so that it moves at the host's input rate; the frame then
 * leaves the plane out. The image is read back through the GPU (GVT-g's
 * cursor dma-bufs can't be mapped), made again when the plane's buffer,
 * the view's scale or filter, or the widget's scale factor changes, and
 * compared every 30 ticks (a guest may redraw its cursor in place). */
#pragma once

#include <gtk/gtk.h>

#include "display/plane.h"
#include "render/compositor.h"
#include "render/geometry.h"

G_BEGIN_DECLS

typedef struct _GvtHostCursor GvtHostCursor;

GvtHostCursor *gvt_host_cursor_new (void);
/* Leaves @widget's pointer as it is. Accepts NULL. */
void gvt_host_cursor_free (GvtHostCursor *self);

/* Once a tick: @plane (the guest's cursor, may be NULL) becomes
 * @widget's pointer when @want, else the pointer is the host's; the
 * plane is read back when it or the view changed, or every 30 ticks. The
 * GL context of @compositor and @cache must be current (the read-back).
 * TRUE when the host pointer is the guest's cursor now (then the frame
 * must not blend @plane). Main thread. */
gboolean gvt_host_cursor_update (GvtHostCursor *self, GtkWidget *widget, gboolean want,
                                 GvtPlane *plane, const GvtView *view,
                                 GvtCompositor *compositor, GvtTextureCache *cache);
/* On pointer motion and crossing: shows or hides the cursor the last
 * tick made, for @want (the pointer is over the picture), with no GL and
 * no read-back, so it needs no current context. A cursor made for
 * another buffer or view is left to the next tick. Returns as
 * gvt_host_cursor_update. Main thread. */
gboolean gvt_host_cursor_show (GvtHostCursor *self, GtkWidget *widget, gboolean want,
                               GvtPlane *plane, const GvtView *view);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtHostCursor, gvt_host_cursor_free)

G_END_DECLS
