/* The window's input room: the viewer's own shortcuts, and the current
 * view transform (where the guest image is in the window), so that pointer
 * positions can be mapped to the guest. Sending input to the guest arrives
 * with the QEMU link; until then nothing here talks to a VM. */
#pragma once

#include <gtk/gtk.h>

#include "render/geometry.h"

G_BEGIN_DECLS

typedef enum {
  GVT_SHORTCUT_NONE,
  GVT_SHORTCUT_FULLSCREEN,   /* F11, Ctrl+Alt+F */
  GVT_SHORTCUT_NEXT_SCALE,   /* Ctrl+Alt+S */
  GVT_SHORTCUT_NATIVE_SIZE,  /* Ctrl+Alt+1 */
  GVT_SHORTCUT_OVERLAY,      /* Ctrl+Alt+O */
  GVT_SHORTCUT_QUIT,         /* Ctrl+Q */
} GvtShortcut;

/* The viewer shortcut @keyval with modifier @state is, or NONE (then the
 * key belongs to the guest). */
GvtShortcut gvt_input_shortcut_for (guint keyval, GdkModifierType state);

typedef struct _GvtInput GvtInput;

GvtInput *gvt_input_new (void);
void gvt_input_free (GvtInput *self);

/* The transform of the frame just drawn, in device pixels, and the
 * widget's scale factor (event coordinates are logical). */
void gvt_input_set_view (GvtInput *self, const GvtView *view, int scale_factor);
/* FALSE until a frame has been drawn. */
gboolean gvt_input_has_view (GvtInput *self);

/* A pointer position in the widget (logical pixels, as events give it) in
 * guest pixels, clamped to the image; FALSE when it is outside the image
 * (or no frame has been drawn). */
gboolean gvt_input_pointer_to_guest (GvtInput *self, double x, double y,
                                     double *guest_x, double *guest_y);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtInput, gvt_input_free)

G_END_DECLS
