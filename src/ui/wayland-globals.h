/* The Wayland globals GTK 3 has no API for (pointer constraints, relative
 * pointer, keyboard shortcuts inhibit), bound on GDK's own connection. */
#pragma once

#include <gtk/gtk.h>
#include <wayland-client.h>

G_BEGIN_DECLS

typedef struct {
  const struct wl_interface *interface;
  guint32 version;             /* the version wanted (the compositor's if lower) */
  void **proxy;                /* set when the compositor has it, else left NULL */
} GvtWaylandGlobal;

/* Binds each of WANTED the compositor offers. FALSE when DISPLAY is not
 * Wayland. The objects' events come in GDK's main loop, like its own. */
gboolean gvt_wayland_bind_globals (GdkDisplay *display, const GvtWaylandGlobal *wanted,
                                   guint n_wanted);

G_END_DECLS
