/* What the render tests share: the suite's promise (import path or upload
 * path), headless EGL, and planes built from bytes. */
#pragma once

#include <glib.h>

#include "render/compositor.h"
#include "render/egl.h"
#include "render/offscreen.h"
#include "render/texture-cache.h"
#include "display/plane.h"

G_BEGIN_DECLS

/* TRUE in the render-mesa25 suite (GVT_TEST_EXPECT_IMPORT=1): dma-bufs must
 * be imported. FALSE in render-mesa22: import is switched off and every
 * plane goes through the upload path. */
gboolean gvt_gl_test_expect_import (void);

/* Call in main() after g_test_init: checks that this machine gives what the
 * suite promises (headless EGL; dma-buf import for mesa25). Returns -1 to
 * go on, or an exit status after printing a TAP plan: a visible skip with
 * the reason locally, a failure ("Bail out!") when CI=true. */
int gvt_gl_test_check_environment (void);

/* A memfd "dma-buf" of @alloc bytes (>= @size) starting with @size bytes
 * of @data, the rest 0xEE. Sealed against shrinking is not needed. */
GvtBuffer *gvt_gl_test_memfd (const void *data, gsize size, gsize alloc);

/* Planes from @pixels (@stride * @height bytes). */
GvtPlane *gvt_gl_test_dmabuf_plane (GvtPlaneKind kind, guint32 fourcc, guint64 modifier,
                                    guint width, guint height, guint stride,
                                    const void *pixels, guint32 dmabuf_id);
GvtPlane *gvt_gl_test_cursor_plane (guint width, guint height, const guint32 *argb,
                                    guint32 dmabuf_id, gint32 x, gint32 y);
GvtPlane *gvt_gl_test_memory_plane (guint32 fourcc, guint width, guint height,
                                    guint stride, const void *pixels);
GvtPlane *gvt_gl_test_region_plane (guint width, guint height, guint stride,
                                    guint8 *shared_pixels);

/* Per-test GL state: EGL, a cache with the suite's import setting, a
 * compositor. */
typedef struct {
  GvtEgl *egl;
  GvtTextureCache *cache;
  GvtCompositor *compositor;
} GvtGlTest;

void gvt_gl_test_setup (GvtGlTest *t, gconstpointer data);
void gvt_gl_test_teardown (GvtGlTest *t, gconstpointer data);

/* One frame of @out_w x @out_h; returns top-down RGBA (g_free). Asserts
 * that the draw succeeded when @expect_ok, that it failed otherwise (the
 * error goes to @error when non-NULL). */
guint8 *gvt_gl_test_render (GvtGlTest *t, GvtPlane *primary, GvtPlane *cursor,
                            guint out_w, guint out_h, gboolean expect_ok, GError **error);

/* RGBA of a pixel as 0xRRGGBBAA. */
guint32 gvt_gl_test_pixel (const guint8 *rgba, guint width, guint x, guint y);

/* Asserts that two 0xRRGGBBAA values differ by at most @tolerance per
 * channel, naming the pixel. */
#define gvt_gl_assert_pixel(got, want, tol, x, y)                                 \
  gvt_gl_test_assert_pixel_impl ((got), (want), (tol), (x), (y), __FILE__, __LINE__)
void gvt_gl_test_assert_pixel_impl (guint32 got, guint32 want, guint tolerance, guint x,
                                    guint y, const char *file, int line);

G_END_DECLS
