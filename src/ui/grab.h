/* The grab of keyboard and pointer for the guest (Ctrl+Alt+G, or the click
 * of --relative-mouse): GDK's seat grab, so the host's shortcuts reach the
 * guest. On X11 that is all it takes (the window manager's keys go to the
 * grabbing client). On Wayland the compositor keeps its own shortcuts
 * unless asked: the grab also asks it to let them through
 * (keyboard-shortcuts-inhibit-unstable-v1), which GDK 3 does only for
 * keyboard-only grabs. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct _GvtGrab GvtGrab;

/* For the toplevel WINDOW. */
GvtGrab *gvt_grab_new (GtkWidget *window);
void gvt_grab_free (GvtGrab *self);

/* Grabs keyboard and pointer, the pointer shown as CURSOR (NULL: as it is).
 * FALSE with the reason when another client holds a grab. */
gboolean gvt_grab_start (GvtGrab *self, GdkCursor *cursor, GError **error);
void gvt_grab_stop (GvtGrab *self);
gboolean gvt_grab_is_active (GvtGrab *self);
/* The GDK grab is gone (grab-broken): forget it without ungrabbing. */
void gvt_grab_broken (GvtGrab *self);

/* The compositor lets its shortcuts through to the window now (Wayland;
 * FALSE on X11, where the grab itself does that). */
gboolean gvt_grab_shortcuts_inhibited (GvtGrab *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtGrab, gvt_grab_free)

G_END_DECLS
