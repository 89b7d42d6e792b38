/* A headless render target: an RGBA8 texture behind a framebuffer object,
 * read back as top-down RGBA rows. Needs the GL context current. */
#pragma once

#include <glib.h>
#include <epoxy/gl.h>

G_BEGIN_DECLS

typedef struct _GvtOffscreen GvtOffscreen;

/* A @width x @height target. GVT_ERROR_UNSUPPORTED when the GPU can't
 * render that large or the framebuffer is incomplete. */
GvtOffscreen *gvt_offscreen_new (guint width, guint height, GError **error);
/* Accepts NULL. */
void gvt_offscreen_free (GvtOffscreen *self);

/* Makes it the draw target (glBindFramebuffer). */
void gvt_offscreen_bind (GvtOffscreen *self);
guint gvt_offscreen_get_width (GvtOffscreen *self);
guint gvt_offscreen_get_height (GvtOffscreen *self);
/* The texture behind it (nearest filtering), to draw what was rendered:
 * its row 0 is the picture's bottom (GL's framebuffer rows run up). */
GLuint gvt_offscreen_get_texture (GvtOffscreen *self);

/* Reads the target back into a new buffer of width * height * 4 bytes,
 * RGBA, row 0 at the top. Caller g_free()s. */
guint8 *gvt_offscreen_read_rgba (GvtOffscreen *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtOffscreen, gvt_offscreen_free)

G_END_DECLS
