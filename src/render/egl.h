/* EGL display and GLES context set-up, with every capability the renderer
 * branches on resolved once into GvtEglCaps. */
#pragma once

#include <glib.h>
#include <epoxy/egl.h>
#include <epoxy/gl.h>

G_BEGIN_DECLS

typedef struct _GvtEgl GvtEgl;

/* EGL_EXT_image_dma_buf_import_modifiers entry points: fetched with
 * eglGetProcAddress because libepoxy 1.5.10 aborts when they are called
 * through its dispatch before a context is current. */
typedef EGLBoolean (*GvtEglQueryDmaBufFormats) (EGLDisplay dpy, EGLint max_formats,
                                                EGLint *formats, EGLint *num_formats);
typedef EGLBoolean (*GvtEglQueryDmaBufModifiers) (EGLDisplay dpy, EGLint format,
                                                  EGLint max_modifiers, EGLuint64KHR *modifiers,
                                                  EGLBoolean *external_only,
                                                  EGLint *num_modifiers);
typedef EGLImageKHR (*GvtEglCreateImage) (EGLDisplay dpy, EGLContext ctx, EGLenum target,
                                          EGLClientBuffer buffer, const EGLint *attribs);
typedef EGLBoolean (*GvtEglDestroyImage) (EGLDisplay dpy, EGLImageKHR image);
typedef void (*GvtGlImageTargetTexture2D) (GLenum target, GLeglImageOES image);

typedef struct {
  /* EGL, per display */
  gboolean image_base;            /* EGL_KHR_image_base */
  gboolean dmabuf_import;         /* EGL_EXT_image_dma_buf_import (+ image_base + GL_OES_EGL_image) */
  gboolean dmabuf_modifiers;      /* EGL_EXT_image_dma_buf_import_modifiers */
  gboolean surfaceless_context;   /* EGL_KHR_surfaceless_context */
  gboolean no_config_context;     /* EGL_KHR_no_config_context */
  /* EGL, client */
  gboolean platform_device;       /* EGL_EXT_platform_device */
  gboolean platform_surfaceless;  /* EGL_MESA_platform_surfaceless */
  gboolean platform_gbm;          /* EGL_KHR_platform_gbm or EGL_MESA_platform_gbm */
  gboolean khr_debug;             /* EGL_KHR_debug: routed into the log */
  /* GL, on the context */
  gboolean gles3;                 /* OpenGL ES >= 3.0 */
  gboolean oes_egl_image;         /* GL_OES_EGL_image */
  gboolean unpack_subimage;       /* GLES3 or GL_EXT_unpack_subimage: GL_UNPACK_ROW_LENGTH */
  gboolean texture_2101010;       /* GLES3: GL_UNSIGNED_INT_2_10_10_10_REV uploads */
  GLint max_texture_size;

  /* Procs, NULL when the extension is absent. */
  GvtEglQueryDmaBufFormats query_dmabuf_formats;
  GvtEglQueryDmaBufModifiers query_dmabuf_modifiers;
  GvtEglCreateImage create_image;
  GvtEglDestroyImage destroy_image;
  GvtGlImageTargetTexture2D image_target_texture_2d;
} GvtEglCaps;

/* A headless display and a GLES context made current on this thread
 * without a surface.
 *
 * @render_node: the DRM render node to render on (on a real host the one
 * of the vGPU's parent GPU, see render-node.h: GVT-g dma-bufs import only
 * there), or NULL for any device (software rendering included).
 * Platforms tried in order: EGL device (matching @render_node when given),
 * surfaceless (only when no node is asked for), GBM on @render_node.
 * GVT_EGL_PLATFORM=device|surfaceless|gbm in the environment forces one.
 * A missing required extension (EGL_KHR_surfaceless_context, a platform)
 * is a GVT_ERROR_UNSUPPORTED naming it. */
GvtEgl *gvt_egl_new_headless (const char *render_node, GError **error);

/* A context on a display someone else made (a window's EGL display:
 * EGL_PLATFORM_X11_KHR on a GtkDrawingArea, or GTK's own): initialises
 * @display if needed, binds GLES, creates a context for @config
 * (EGL_NO_CONFIG_KHR when EGL_KHR_no_config_context exists), makes it
 * current with @surface (EGL_NO_SURFACE for none), and resolves the caps.
 * @display is not terminated by gvt_egl_free. */
GvtEgl *gvt_egl_new_for_display (EGLDisplay display, EGLConfig config,
                                 EGLSurface surface, GError **error);

/* Destroys the context (and the display and GBM device when this object
 * made them). Accepts NULL. Call on the thread that used the context. */
void gvt_egl_free (GvtEgl *self);

/* Makes the context current with @surface (EGL_NO_SURFACE: surfaceless). */
gboolean gvt_egl_make_current (GvtEgl *self, EGLSurface surface, GError **error);

EGLDisplay gvt_egl_get_display (GvtEgl *self);
EGLContext gvt_egl_get_context (GvtEgl *self);
const GvtEglCaps *gvt_egl_get_caps (GvtEgl *self);

/* "device /dev/dri/renderD128 (Mesa Intel(R) UHD 630, OpenGL ES 3.2 ...)":
 * for logs and the bench header. Owned by @self. */
const char *gvt_egl_describe (GvtEgl *self);

/* Whether a dma-buf of @fourcc with @modifier can be imported here, asked of
 * EGL once per fourcc (eglQueryDmaBufFormatsEXT/ModifiersEXT) and
 * remembered. GVT_ERROR_UNSUPPORTED with a sentence a user understands when
 * not ("I915 X-tiled XR24 dma-bufs are not importable on this EGL device
 * (llvmpipe): it offers linear"). Without the modifiers extension only
 * LINEAR and INVALID (implicit) are assumed importable. A pair given up
 * after run-time failures (gvt_egl_note_import_failure) is refused too. */
gboolean gvt_egl_check_importable (GvtEgl *self, guint32 fourcc, guint64 modifier,
                                   GError **error);

/* eglCreateImage of a dma-buf (EGL_LINUX_DMA_BUF_EXT from @attribs, an
 * EGL_NONE-terminated list), or EGL_NO_IMAGE_KHR and GVT_ERROR_UNSUPPORTED
 * naming EGL's error. Only when caps->dmabuf_import. Context current. */
EGLImageKHR gvt_egl_create_dmabuf_image (GvtEgl *self, const EGLint *attribs, GError **error);

/* How many distinct buffers of one fourcc/modifier must fail to import in a
 * row before the pair is given up for the life of the context. One odd
 * guest buffer must not cost zero copy for the session (on GVT-g there is
 * no upload to fall back on); a pair that never works must not cost an
 * eglCreateImage per buffer forever either. */
#define GVT_EGL_IMPORT_GIVE_UP 3

/* Records that importing the buffer with @serial (gvt_buffer_get_serial)
 * failed at run time (an EGL error, or a GL error on first use) for
 * @reason. The caller does not retry that buffer; other buffers of the
 * pair are still tried until GVT_EGL_IMPORT_GIVE_UP distinct buffers have
 * failed with no success between: then one g_message says so, and
 * gvt_egl_check_importable refuses the pair from then on. Returns TRUE when
 * this call gave the pair up. */
gboolean gvt_egl_note_import_failure (GvtEgl *self, guint32 fourcc, guint64 modifier,
                                      guint64 serial, const char *reason);

/* Whether the pair was given up (gvt_egl_note_import_failure). */
gboolean gvt_egl_is_given_up (GvtEgl *self, guint32 fourcc, guint64 modifier);

/* Records that a buffer of @fourcc/@modifier imported and sampled: the
 * failures counted so far were odd buffers, not the pair. */
void gvt_egl_note_import_success (GvtEgl *self, guint32 fourcc, guint64 modifier);

/* Forgets every run-time import failure, given-up pairs included: a new
 * device (reopened after a loss, a rebooted VM) gets a fresh chance. */
void gvt_egl_reset_import_failures (GvtEgl *self);

/* TEST HOOK (tests only, nothing else calls it): the next @n calls of
 * gvt_egl_create_dmabuf_image fail as if EGL had returned EGL_BAD_ALLOC,
 * without asking EGL. Adds to those still pending; returns how many are
 * pending now (@n = 0 only reads that). */
guint gvt_egl_inject_import_failures (GvtEgl *self, guint n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtEgl, gvt_egl_free)

G_END_DECLS
