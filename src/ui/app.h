/* The viewer as a GtkApplication: display checks, log hygiene, one window
 * per run. */
#pragma once

#include <glib.h>

#include "display/session.h"
#include "window.h"

G_BEGIN_DECLS

/* Initialises GTK (once) and says whether a window can be opened here:
 * FALSE with GVT_ERROR_NO_DISPLAY and the reason (no DISPLAY or
 * WAYLAND_DISPLAY, the server refused) or GVT_ERROR_UNSUPPORTED (a GDK
 * backend without a GL surface). */
gboolean gvt_ui_check_display (GError **error);

/* Shows @source (ownership taken) in a window until it is closed, then
 * returns the exit status (0). Call gvt_ui_check_display first. */
int gvt_ui_run (GvtSession *source, const GvtUiOptions *options);

G_END_DECLS
