/* Draws the primary plane, scaled, and the cursor plane over it into the
 * current framebuffer; letterbox areas get the background colour. Needs
 * the GvtEgl context current for every call. */
#pragma once

#include <glib.h>

#include "egl.h"
#include "geometry.h"
#include "texture-cache.h"
#include "display/plane.h"

G_BEGIN_DECLS

typedef struct _GvtCompositor GvtCompositor;

/* Compiles the shaders (from the GResource). @egl is borrowed. */
GvtCompositor *gvt_compositor_new (GvtEgl *egl, GError **error);
/* Accepts NULL. */
void gvt_compositor_free (GvtCompositor *self);

void gvt_compositor_set_scale_mode (GvtCompositor *self, GvtScaleMode mode);
void gvt_compositor_set_filter (GvtCompositor *self, GvtFilter filter);
/* Letterbox (and "no picture") colour, 0..1. Default black. */
void gvt_compositor_set_background (GvtCompositor *self, float r, float g, float b);

/* Draws a frame of @out_width x @out_height at the framebuffer's origin:
 * clears to the background, draws @primary (may be NULL: background only)
 * opaque, then @cursor (may be NULL) at its position with straight-alpha
 * blending, clipped to the guest image. Textures come from @cache (the
 * caller calls gvt_texture_cache_begin_frame). @view (may be NULL)
 * receives the transform used, for pointer mapping. FALSE with the error
 * when the primary can't be shown (unsupported format, undersized buffer,
 * not importable and not uploadable): the frame then shows the background
 * only, never garbage. A cursor that can't be shown is left out (logged). */
gboolean gvt_compositor_draw (GvtCompositor *self, GvtTextureCache *cache,
                              GvtPlane *primary, GvtPlane *cursor,
                              guint out_width, guint out_height,
                              GvtView *view, GError **error);

/* Makes the GL driver let go of every texture the last draw used (it
 * keeps them, and the dma-bufs behind imported ones, until another draw):
 * call after the texture cache deleted textures of buffers that are gone
 * when no frame follows at once (the window shows a state screen). Draws
 * into a 1x1 framebuffer of its own: the bound one is left as it was.
 * Context current. */
void gvt_compositor_release_textures (GvtCompositor *self);

/* The least a GL program does to show @texture: clear, then one quad
 * over the whole @out_width x @out_height target; no cache, no view math.
 * The benchmark's baseline. */
void gvt_compositor_draw_bare (GvtCompositor *self, const GvtTexture *texture,
                               guint out_width, guint out_height);

/* @plane's pixels as the GPU samples them: @plane's width x height, RGBA
 * with straight alpha (forced to 255 for formats without), row 0 at the
 * top; g_free(). For CPU copies of images the CPU can't map (GVT-g's
 * cursor dma-bufs): the host pointer made of the guest's cursor. NULL
 * with the texture cache's error. The bound framebuffer and viewport are
 * left as they were. Context current. */
guint8 *gvt_compositor_read_image (GvtCompositor *self, GvtTextureCache *cache, GvtPlane *plane,
                                   GError **error);

/* The held frame: a copy of a picture made on the GPU (primary with its
 * cursor, at the primary's size, one texel per guest pixel) that outlives
 * the buffers it came from, so that a screen can show the last frame after
 * the VM's buffers are gone. Replaces any held before; FALSE with the
 * error as gvt_compositor_draw gives it (nothing is held then). The bound
 * framebuffer and viewport are left as they were. Context current. */
gboolean gvt_compositor_hold (GvtCompositor *self, GvtTextureCache *cache, GvtPlane *primary,
                              GvtPlane *cursor, GError **error);
gboolean gvt_compositor_has_held (GvtCompositor *self);
/* Deletes the held frame (if any). */
void gvt_compositor_drop_held (GvtCompositor *self);
/* Draws the held frame as gvt_compositor_draw draws a primary (scale
 * mode, filter, letterbox), each colour channel times @dim (0..1); the
 * background only when nothing is held. */
void gvt_compositor_draw_held (GvtCompositor *self, guint out_width, guint out_height,
                               float dim, GvtView *view);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtCompositor, gvt_compositor_free)

G_END_DECLS
