/* A directory of gvt-view's own (mode 0700) for files it exchanges with
 * QEMU: screendumps, the QMP socket of `gvt-view run`. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Makes PARENT/gvt-view-XXXXXX (NULL: $XDG_RUNTIME_DIR), mode 0700, and
 * returns its path (free it). @what says what it is for, in the error
 * ("can't make a private directory for WHAT (PATH): why"). */
char *gvt_private_dir_make (const char *parent, const char *what, GError **error);

G_END_DECLS
