/* Plane -> GL texture, by dma-buf import (zero copy) or by one upload, with
 * a small cache so that a steady picture imports and uploads nothing.
 * Needs the GvtEgl context current for every call. */
#pragma once

#include <glib.h>
#include <epoxy/gl.h>

#include "egl.h"
#include "display/plane.h"

G_BEGIN_DECLS

typedef struct _GvtTextureCache GvtTextureCache;

typedef struct {
  GLuint id;              /* GL_TEXTURE_2D */
  guint width, height;
  gboolean imported;      /* EGLImage-backed: never uploaded into */
  gboolean swap_rb;       /* the shader swaps red and blue */
  gboolean opaque;        /* the shader forces alpha to 1 */
  GLint filter;           /* GL_NEAREST / GL_LINEAR set on it now */
} GvtTexture;

/* What is asked of the cache: the plane's memory and layout. The renderer
 * keys on the buffer's serial and this geometry. */
typedef struct {
  guint32 fourcc;
  guint64 modifier;
  guint width, height;
  guint stride;
  guint64 offset;         /* where row 0 starts in the buffer */
  /* The guest may write into the buffer in place with no signal (region
   * planes, and dma-bufs when they are uploaded): re-upload each frame. */
  gboolean live_contents;
} GvtImageDesc;

typedef struct {
  /* this frame (since gvt_texture_cache_begin_frame) */
  guint imports;
  guint uploads;
  guint64 bytes_uploaded;
  /* since creation */
  guint64 total_imports;
  guint64 total_uploads;
  guint64 total_bytes_uploaded;
  guint64 import_failures;  /* buffers whose import failed (then uploaded, or refused) */
  guint cached;             /* textures held */
  guint images;             /* EGLImages held (imported textures) */
} GvtTextureStats;

#define GVT_TEXTURE_CACHE_DEFAULT_CAPACITY 8

/* Uploaded textures not used for this many frames are deleted at
 * begin_frame (2 s at 60 Hz): their buffer may live on, but the copy is
 * made again at the next use anyway. */
#define GVT_TEXTURE_CACHE_IDLE_FRAMES 120

/* A buffer that can't be shown because its import failed (and it can't be
 * uploaded: GVT-g's can't) is tried again after this long, doubling up to
 * the maximum, for as long as it is asked for. */
#define GVT_TEXTURE_CACHE_RETRY_US (1 * G_USEC_PER_SEC)
#define GVT_TEXTURE_CACHE_RETRY_MAX_US (30 * G_USEC_PER_SEC)

/* @egl is borrowed and must outlive the cache. @capacity >= 2 textures are
 * kept; the least recently used goes first. */
GvtTextureCache *gvt_texture_cache_new (GvtEgl *egl, guint capacity);

/* Deletes every texture and EGLImage (context current) and stops watching
 * their buffers, which may outlive the cache. Accepts NULL. */
void gvt_texture_cache_free (GvtTextureCache *self);

/* Deletes every texture now (e.g. when the device is closed). */
void gvt_texture_cache_clear (GvtTextureCache *self);

/* Starts a frame: collects (see below), per-frame counters reset, live
 * textures become due for their upload again. */
void gvt_texture_cache_begin_frame (GvtTextureCache *self);

/* Off: dma-bufs are always uploaded (benchmarks, tests of the upload path
 * on an importing EGL). On by default when EGL can import. */
void gvt_texture_cache_set_import (GvtTextureCache *self, gboolean enabled);

/* The texture showing @plane, importing or uploading as needed. The
 * buffer is checked against the geometry first (an undersized buffer is
 * refused before anything reads it: GVT_ERROR_INVALID_PLANE). A fourcc
 * the renderer can't draw, or a layout that can neither be imported nor
 * uploaded, is GVT_ERROR_UNSUPPORTED with the reason.
 * A buffer whose import fails is uploaded instead, and never tried again;
 * the next buffer is (GvtEgl gives a fourcc/modifier up only after
 * GVT_EGL_IMPORT_GIVE_UP buffers in a row failed; a buffer that can't be
 * uploaded either, GVT-g's, is still tried on its own then). A buffer that
 * can be neither imported nor uploaded gets the same error on later calls,
 * tried again only at GVT_TEXTURE_CACHE_RETRY_US and its back-off. The texture is owned by the cache and valid
 * until the next call, begin_frame or collect. The cache holds no
 * reference on the buffer: its texture goes when the buffer does. */
GvtTexture *gvt_texture_cache_get (GvtTextureCache *self, GvtPlane *plane, GError **error);

/* The same for a buffer described explicitly (planes at an offset). */
GvtTexture *gvt_texture_cache_get_image (GvtTextureCache *self, GvtBuffer *buffer,
                                         const GvtImageDesc *desc, GError **error);

/* TRUE when textures of buffers that died since (their source let go of
 * them) are still held: call gvt_texture_cache_collect, context current,
 * in the same tick. */
gboolean gvt_texture_cache_has_stale (GvtTextureCache *self);

/* Deletes the textures and EGLImages of dead buffers now (context
 * current). begin_frame does it too. */
void gvt_texture_cache_collect (GvtTextureCache *self);

/* How many textures the cache holds for the buffer with @serial
 * (gvt_buffer_get_serial; one per geometry it was drawn with), those of a
 * dead buffer included until collected. For tests and diagnostics. */
guint gvt_texture_cache_count_buffer (GvtTextureCache *self, guint64 serial);

void gvt_texture_cache_get_stats (GvtTextureCache *self, GvtTextureStats *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtTextureCache, gvt_texture_cache_free)

G_END_DECLS
