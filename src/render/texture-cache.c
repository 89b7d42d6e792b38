/* The texture cache: one texture per (buffer, geometry), made by dma-buf
 * import when EGL can, by a single glTexSubImage2D otherwise.
 *
 * An entry holds no reference on its buffer (the plane source decides how
 * long buffers live) but a release notification on it: when the buffer
 * dies the entry turns stale, and the next collect deletes its texture and
 * EGLImage, so that the import does not pin the guest's pages after the
 * dma-buf fd is closed. */
#include <sys/stat.h>

#include "texture-cache.h"
#include "gl-format.h"
#include "common/gvt-error.h"
#include "common/format.h"

typedef struct {
  GvtBuffer *buffer;       /* not a reference: valid while notify_id != 0 */
  guint notify_id;         /* release notification on buffer; 0 once it ran */
  gboolean stale;          /* the buffer is gone: collect deletes the entry */
  guint64 serial;
  GvtImageDesc desc;
  GvtTexture tex;
  EGLImageKHR image;       /* EGL_NO_IMAGE_KHR for uploaded textures */
  /* Neither import nor upload worked for this buffer: every later get says
   * so again without retrying (a failed import is not tried twice on one
   * buffer); tex.id is 0. */
  GError *failure;
  gboolean import_failed;  /* EGL or GL refused this buffer: don't ask again... */
  gint64 retry_after_us;   /* ...until then (a failure entry only: one whose buffer
                            * can't be shown at all, e.g. GVT-g's, is tried again) */
  gint64 backoff_us;       /* the wait that led to retry_after_us */
  guint64 uploaded_frame;  /* frame of the last upload */
  guint64 last_used;       /* frame of the last get */
} Entry;

struct _GvtTextureCache {
  GvtEgl *egl;
  guint capacity;
  gboolean import;
  guint64 frame;
  GPtrArray *entries;      /* Entry*, unordered */
  GvtTextureStats stats;
  GHashTable *fallback_logged; /* fourcc:modifier keys already reported */
};

static void
entry_free (GvtTextureCache *self, Entry *e)
{
  const GvtEglCaps *caps = gvt_egl_get_caps (self->egl);
  /* Going first (evicted, cleared, cache freed): the buffer must not call
   * back into an entry that is no more. */
  if (e->notify_id != 0)
    gvt_buffer_remove_release_notify (e->buffer, e->notify_id);
  /* Texture and image go together: the image outlives no texture. */
  if (e->tex.id != 0)
    glDeleteTextures (1, &e->tex.id);
  if (e->image != EGL_NO_IMAGE_KHR)
    caps->destroy_image (gvt_egl_get_display (self->egl), e->image);
  g_clear_error (&e->failure);
  g_free (e);
}

/* The buffer's last reference is going (typically inside the source's
 * poll, where the context may not be current): no GL here, only a mark
 * for collect in the same tick. */
static void
entry_buffer_released (GvtBuffer *buffer, gpointer data)
{
  Entry *e = data;
  e->buffer = NULL;
  e->notify_id = 0;
  e->stale = TRUE;
}

static Entry *
entry_new (GvtBuffer *buffer, const GvtImageDesc *desc, guint64 frame)
{
  Entry *e = g_new0 (Entry, 1);
  e->buffer = buffer;
  e->notify_id = gvt_buffer_add_release_notify (buffer, entry_buffer_released, e);
  e->serial = gvt_buffer_get_serial (buffer);
  e->desc = *desc;
  e->image = EGL_NO_IMAGE_KHR;
  e->last_used = frame;
  e->tex.width = desc->width;
  e->tex.height = desc->height;
  return e;
}

GvtTextureCache *
gvt_texture_cache_new (GvtEgl *egl, guint capacity)
{
  GvtTextureCache *self = g_new0 (GvtTextureCache, 1);
  self->egl = egl;
  self->capacity = MAX (capacity, 2);
  self->import = gvt_egl_get_caps (egl)->dmabuf_import;
  self->entries = g_ptr_array_new ();
  self->fallback_logged = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
gvt_texture_cache_clear (GvtTextureCache *self)
{
  for (guint i = 0; i < self->entries->len; i++)
    entry_free (self, g_ptr_array_index (self->entries, i));
  g_ptr_array_set_size (self->entries, 0);
  self->stats.cached = 0;
}

void
gvt_texture_cache_free (GvtTextureCache *self)
{
  if (self == NULL)
    return;
  gvt_texture_cache_clear (self);
  g_ptr_array_unref (self->entries);
  g_hash_table_unref (self->fallback_logged);
  g_free (self);
}

void
gvt_texture_cache_begin_frame (GvtTextureCache *self)
{
  gvt_texture_cache_collect (self);
  self->frame++;
  /* An uploaded texture holds a copy the next use uploads again anyway:
   * one not drawn for a while (a mode the guest left, a buffer it stopped
   * flipping to) is only memory — a frame's worth of it each. Imported
   * textures cost nothing but their EGLImage and go with their buffers. */
  for (guint i = self->entries->len; i-- > 0;)
    {
      Entry *e = g_ptr_array_index (self->entries, i);
      if (e->image == EGL_NO_IMAGE_KHR && e->failure == NULL
          && self->frame - e->last_used > GVT_TEXTURE_CACHE_IDLE_FRAMES)
        entry_free (self, g_ptr_array_steal_index_fast (self->entries, i));
    }
  self->stats.imports = 0;
  self->stats.uploads = 0;
  self->stats.bytes_uploaded = 0;
}

void
gvt_texture_cache_set_import (GvtTextureCache *self, gboolean enabled)
{
  self->import = enabled && gvt_egl_get_caps (self->egl)->dmabuf_import;
}

gboolean
gvt_texture_cache_has_stale (GvtTextureCache *self)
{
  /* A handful of entries: a scan per tick costs less than keeping a count
   * right through every path that frees one. */
  for (guint i = 0; i < self->entries->len; i++)
    if (((Entry *) g_ptr_array_index (self->entries, i))->stale)
      return TRUE;
  return FALSE;
}

void
gvt_texture_cache_collect (GvtTextureCache *self)
{
  for (guint i = 0; i < self->entries->len;)
    {
      Entry *e = g_ptr_array_index (self->entries, i);
      if (e->stale)
        entry_free (self, g_ptr_array_steal_index_fast (self->entries, i));
      else
        i++;
    }
}

guint
gvt_texture_cache_count_buffer (GvtTextureCache *self, guint64 serial)
{
  guint n = 0;
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (self->entries, i);
      n += e->serial == serial && e->tex.id != 0;
    }
  return n;
}

void
gvt_texture_cache_get_stats (GvtTextureCache *self, GvtTextureStats *stats)
{
  self->stats.cached = 0;
  self->stats.images = 0;
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (self->entries, i);
      self->stats.cached += e->tex.id != 0;
      self->stats.images += e->image != EGL_NO_IMAGE_KHR;
    }
  *stats = self->stats;
}

static gboolean
desc_equal (const GvtImageDesc *a, const GvtImageDesc *b)
{
  return a->fourcc == b->fourcc && a->modifier == b->modifier && a->width == b->width
         && a->height == b->height && a->stride == b->stride && a->offset == b->offset;
}

/* The bytes the buffer really has: a dma-buf's (or memfd's) inode size is
 * the truth; the size recorded with it came from the guest. */
static guint64
buffer_real_size (GvtBuffer *buffer)
{
  int fd = gvt_buffer_get_fd (buffer);
  struct stat st;
  if (fd >= 0 && fstat (fd, &st) == 0 && st.st_size > 0)
    return MIN ((guint64) st.st_size, (guint64) gvt_buffer_get_size (buffer));
  return gvt_buffer_get_size (buffer);
}

static gboolean
validate (GvtTextureCache *self, GvtBuffer *buffer, const GvtImageDesc *d,
          const GvtGlFormat **format_out, GError **error)
{
  const GvtEglCaps *caps = gvt_egl_get_caps (self->egl);
  const GvtGlFormat *format = gvt_gl_format_lookup (d->fourcc);
  char fcc[5];

  gvt_fourcc_to_string (d->fourcc, fcc);
  if (format == NULL)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "unsupported format %s (0x%08x): gvt-view shows XR24, AR24, XB24, AB24, "
                   "RG16, XR30 and XB30", fcc, d->fourcc);
      return FALSE;
    }
  if (d->width == 0 || d->height == 0 || d->width > (guint) caps->max_texture_size
      || d->height > (guint) caps->max_texture_size)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "a %ux%u plane does not fit this GPU's textures (at most %dx%d)",
                   d->width, d->height, caps->max_texture_size, caps->max_texture_size);
      return FALSE;
    }
  /* EGL and GL take pitches and offsets as signed 32-bit values: a guest's
   * larger one is refused here, before it can count as a failed import. */
  if (d->stride > G_MAXINT32 || d->offset > G_MAXINT32)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_PLANE,
                   "the %s plane's stride %u or offset %" G_GUINT64_FORMAT " is beyond what "
                   "EGL and GL can address (2 GiB)", fcc, d->stride, d->offset);
      return FALSE;
    }
  if ((guint64) d->stride < (guint64) d->width * format->cpp)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_PLANE,
                   "the %s plane's stride %u is less than its width %u times %u bytes",
                   fcc, d->stride, d->width, format->cpp);
      return FALSE;
    }

  guint tile_rows = gvt_modifier_tile_height (d->modifier);
  guint64 rows = ((guint64) d->height + tile_rows - 1) / tile_rows * tile_rows;
  guint64 need = tile_rows > 1
                   ? d->offset + (guint64) d->stride * rows
                   : d->offset + (guint64) d->stride * (d->height - 1) + (guint64) d->width * format->cpp;
  guint64 have = buffer_real_size (buffer);
  if (need > have)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_PLANE,
                   "the %ux%u %s plane (stride %u, offset %" G_GUINT64_FORMAT ") needs %"
                   G_GUINT64_FORMAT " bytes but its buffer has %" G_GUINT64_FORMAT
                   ": refusing to read past its end",
                   d->width, d->height, fcc, d->stride, d->offset, need, have);
      return FALSE;
    }
  *format_out = format;
  return TRUE;
}

static void
set_sampling (GLint filter)
{
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

static void
drain_gl_errors (void)
{
  for (int i = 0; i < 16 && glGetError () != GL_NO_ERROR; i++)
    ;
}

static char *
fallback_key (const GvtImageDesc *d)
{
  return g_strdup_printf ("%08x:%" G_GINT64_MODIFIER "x", d->fourcc, d->modifier);
}

/* This buffer would not import: it alone falls back (its entry is never
 * imported again), the pair only when GvtEgl gives it up. */
static void
buffer_import_failed (GvtTextureCache *self, Entry *e, const char *reason)
{
  char fcc[5];
  g_debug ("dma-buf import of buffer %" G_GUINT64_FORMAT " (%ux%u %s) failed: %s; "
           "the next buffer is tried again", e->serial, e->desc.width, e->desc.height,
           gvt_fourcc_to_string (e->desc.fourcc, fcc), reason);
  if (gvt_egl_note_import_failure (self->egl, e->desc.fourcc, e->desc.modifier, e->serial,
                                   reason))
    /* GvtEgl has just told the user; the fallback notice would repeat it. */
    g_hash_table_add (self->fallback_logged, fallback_key (&e->desc));
}

/* Imports @e's buffer. FALSE with @error when it can't: *@buffer_failed
 * tells a failure of this buffer at run time (EGL or GL refused it; other
 * buffers of the pair may still work) from a pair EGL does not take.
 * @despite_give_up: tried although the pair was given up (a buffer nothing
 * else can show). */
static gboolean
import_dmabuf (GvtTextureCache *self, Entry *e, int fd, gboolean despite_give_up,
               gboolean *buffer_failed, GError **error)
{
  const GvtEglCaps *caps = gvt_egl_get_caps (self->egl);
  const GvtImageDesc *d = &e->desc;
  EGLint attribs[32];
  guint n = 0;

  *buffer_failed = FALSE;
  if (!(despite_give_up && gvt_egl_is_given_up (self->egl, d->fourcc, d->modifier))
      && !gvt_egl_check_importable (self->egl, d->fourcc, d->modifier, error))
    return FALSE;

#define ADD_ATTRIB(key, value)                        \
  G_STMT_START {                                      \
    g_assert (n + 3 <= G_N_ELEMENTS (attribs));       \
    attribs[n++] = (key);                             \
    attribs[n++] = (EGLint) (value);                  \
  } G_STMT_END
  ADD_ATTRIB (EGL_WIDTH, d->width);
  ADD_ATTRIB (EGL_HEIGHT, d->height);
  ADD_ATTRIB (EGL_LINUX_DRM_FOURCC_EXT, d->fourcc);
  ADD_ATTRIB (EGL_DMA_BUF_PLANE0_FD_EXT, fd);
  ADD_ATTRIB (EGL_DMA_BUF_PLANE0_OFFSET_EXT, d->offset);
  ADD_ATTRIB (EGL_DMA_BUF_PLANE0_PITCH_EXT, d->stride);
  /* INVALID means "no modifier": leave the layout to the driver. */
  if (caps->dmabuf_modifiers && d->modifier != GVT_MOD_INVALID)
    {
      ADD_ATTRIB (EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, d->modifier & 0xffffffffu);
      ADD_ATTRIB (EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT, d->modifier >> 32);
    }
#undef ADD_ATTRIB
  attribs[n] = EGL_NONE;

  if (d->offset > G_MAXINT32)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "plane offset %" G_GUINT64_FORMAT " is beyond what EGL can express", d->offset);
      return FALSE;
    }

  EGLDisplay display = gvt_egl_get_display (self->egl);
  g_autoptr (GError) egl_error = NULL;
  EGLImageKHR image = gvt_egl_create_dmabuf_image (self->egl, attribs, &egl_error);
  if (image == EGL_NO_IMAGE_KHR)
    {
      buffer_import_failed (self, e, egl_error->message);
      *buffer_failed = TRUE;
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED, "dma-buf import: %s",
                   egl_error->message);
      return FALSE;
    }

  GLuint tex = 0;
  drain_gl_errors ();
  glGenTextures (1, &tex);
  glBindTexture (GL_TEXTURE_2D, tex);
  caps->image_target_texture_2d (GL_TEXTURE_2D, (GLeglImageOES) image);
  set_sampling (GL_NEAREST);
  /* A created image is not proof the driver can sample it. */
  GLenum gl_error = glGetError ();
  if (gl_error != GL_NO_ERROR)
    {
      glDeleteTextures (1, &tex);
      caps->destroy_image (display, image);
      g_autofree char *reason = g_strdup_printf ("GL error 0x%04x binding the image", gl_error);
      buffer_import_failed (self, e, reason);
      *buffer_failed = TRUE;
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED, "dma-buf import: %s", reason);
      return FALSE;
    }
  gvt_egl_note_import_success (self->egl, d->fourcc, d->modifier);

  e->image = image;
  e->tex.id = tex;
  e->tex.imported = TRUE;
  e->tex.swap_rb = FALSE;
  e->tex.filter = GL_NEAREST;
  self->stats.imports++;
  self->stats.total_imports++;
  return TRUE;
}

static void
upload_rows (const GvtEglCaps *caps, const GvtGlFormat *format, const GvtImageDesc *d,
             const guint8 *pixels)
{
  guint row_bytes = d->width * format->cpp;
  GLint align = (d->stride % 8 == 0) ? 8 : (d->stride % 4 == 0) ? 4 : (d->stride % 2 == 0) ? 2 : 1;

  if (d->stride == row_bytes || (caps->unpack_subimage && d->stride % format->cpp == 0))
    {
      glPixelStorei (GL_UNPACK_ALIGNMENT, align);
      if (d->stride != row_bytes)
        glPixelStorei (GL_UNPACK_ROW_LENGTH_EXT, (GLint) (d->stride / format->cpp));
      glTexSubImage2D (GL_TEXTURE_2D, 0, 0, 0, (GLsizei) d->width, (GLsizei) d->height,
                       format->format, format->type, pixels);
      if (d->stride != row_bytes)
        glPixelStorei (GL_UNPACK_ROW_LENGTH_EXT, 0);
    }
  else
    {
      /* No row length in GLES 2 without the extension, or a stride that is
       * not a whole number of pixels: row by row. */
      glPixelStorei (GL_UNPACK_ALIGNMENT, 1);
      for (guint y = 0; y < d->height; y++)
        glTexSubImage2D (GL_TEXTURE_2D, 0, 0, (GLint) y, (GLsizei) d->width, 1,
                         format->format, format->type, pixels + (gsize) y * d->stride);
    }
  glPixelStorei (GL_UNPACK_ALIGNMENT, 4);
}

static gboolean
upload (GvtTextureCache *self, Entry *e, GvtBuffer *buffer, const GvtGlFormat *format,
        GError **error)
{
  const GvtEglCaps *caps = gvt_egl_get_caps (self->egl);
  const GvtImageDesc *d = &e->desc;
  char fcc[5];

  g_assert (e->image == EGL_NO_IMAGE_KHR);
  if (d->modifier != GVT_MOD_LINEAR && d->modifier != GVT_MOD_INVALID)
    {
      char mod[GVT_MODIFIER_NAME_MAX];
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "%s buffers can't be uploaded: the CPU path reads linear pixels only",
                   gvt_modifier_to_string (d->modifier, mod));
      return FALSE;
    }
  if (format->needs_gles3 && !caps->texture_2101010)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "%s can't be uploaded without OpenGL ES 3",
                   gvt_fourcc_to_string (d->fourcc, fcc));
      return FALSE;
    }

  const guint8 *data = gvt_buffer_map (buffer, error);
  if (data == NULL)
    return FALSE;

  if (e->tex.id == 0)
    {
      glGenTextures (1, &e->tex.id);
      glBindTexture (GL_TEXTURE_2D, e->tex.id);
      glTexImage2D (GL_TEXTURE_2D, 0,
                    caps->gles3 ? (GLint) format->sized_internal : (GLint) format->format,
                    (GLsizei) d->width, (GLsizei) d->height, 0, format->format, format->type,
                    NULL);
      set_sampling (GL_NEAREST);
      e->tex.filter = GL_NEAREST;
      e->tex.swap_rb = format->upload_swap_rb;
    }
  else
    glBindTexture (GL_TEXTURE_2D, e->tex.id);

  upload_rows (caps, format, d, data + d->offset);
  e->uploaded_frame = self->frame;
  self->stats.uploads++;
  self->stats.total_uploads++;
  self->stats.bytes_uploaded += (guint64) d->width * format->cpp * d->height;
  self->stats.total_bytes_uploaded += (guint64) d->width * format->cpp * d->height;
  return TRUE;
}

static void
evict_if_full (GvtTextureCache *self)
{
  while (self->entries->len >= self->capacity)
    {
      /* Entries of dead buffers first, then the least recently used. */
      guint oldest = 0;
      for (guint i = 1; i < self->entries->len; i++)
        {
          Entry *a = g_ptr_array_index (self->entries, i);
          Entry *b = g_ptr_array_index (self->entries, oldest);
          if (a->stale > b->stale || (a->stale == b->stale && a->last_used < b->last_used))
            oldest = i;
        }
      entry_free (self, g_ptr_array_steal_index_fast (self->entries, oldest));
    }
}

/* Whether the buffer's import failed already, under another geometry (it
 * would fail again), or failed and is not due for a retry yet. */
static gboolean
import_failed_before (GvtTextureCache *self, guint64 serial, gint64 now_us)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (self->entries, i);
      if (e->serial == serial && e->import_failed
          && (e->failure == NULL || now_us < e->retry_after_us))
        return TRUE;
    }
  return FALSE;
}

static void
log_fallback_once (GvtTextureCache *self, const GvtImageDesc *d, const GError *why)
{
  g_autofree char *key = fallback_key (d);
  if (g_hash_table_contains (self->fallback_logged, key))
    return;
  g_hash_table_add (self->fallback_logged, g_steal_pointer (&key));
  g_message ("dma-buf import unavailable, uploading instead (one copy per frame): %s",
             why->message);
}

GvtTexture *
gvt_texture_cache_get_image (GvtTextureCache *self, GvtBuffer *buffer,
                             const GvtImageDesc *desc, GError **error)
{
  guint64 serial = gvt_buffer_get_serial (buffer);
  const GvtGlFormat *format = NULL;
  gint64 now_us = g_get_monotonic_time ();
  gint64 backoff_us = GVT_TEXTURE_CACHE_RETRY_US;

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (self->entries, i);
      if (e->stale || e->serial != serial || !desc_equal (&e->desc, desc))
        continue;
      e->last_used = self->frame;
      if (e->failure != NULL && e->import_failed && now_us >= e->retry_after_us)
        {
          /* A buffer nothing could show, because its import failed: one
           * odd failure must not blank a guest that never flips (a text
           * console, firmware) for good. Try it again, waiting longer
           * each time. */
          backoff_us = MIN (e->backoff_us * 2, GVT_TEXTURE_CACHE_RETRY_MAX_US);
          entry_free (self, g_ptr_array_steal_index_fast (self->entries, i));
          break;
        }
      if (e->failure != NULL)
        {
          g_set_error_literal (error, e->failure->domain, e->failure->code,
                               e->failure->message);
          return NULL;
        }
      if (!e->tex.imported && e->desc.live_contents && e->uploaded_frame != self->frame)
        {
          if (!validate (self, buffer, desc, &format, error)
              || !upload (self, e, buffer, format, error))
            return NULL;
        }
      return &e->tex;
    }

  if (!validate (self, buffer, desc, &format, error))
    return NULL;

  /* Asked before eviction may take the entry that knows. */
  gboolean retry_import = !import_failed_before (self, serial, now_us);
  evict_if_full (self);
  Entry *e = entry_new (buffer, desc, self->frame);
  e->tex.opaque = format->opaque;
  g_ptr_array_add (self->entries, e);

  int fd = gvt_buffer_get_fd (buffer);
  g_autoptr (GError) import_error = NULL;
  gboolean ok = FALSE, buffer_failed = FALSE;
  if (fd >= 0 && self->import && retry_import)
    {
      ok = import_dmabuf (self, e, fd, FALSE, &buffer_failed, &import_error);
      e->import_failed = buffer_failed;
      if (!ok)
        self->stats.import_failures++;
    }
  else if (fd >= 0 && desc->modifier != GVT_MOD_LINEAR && desc->modifier != GVT_MOD_INVALID)
    /* Import is off or absent and the CPU can't detile: say why both fail. */
    gvt_egl_check_importable (self->egl, desc->fourcc, desc->modifier, &import_error);
  if (!ok)
    {
      g_autoptr (GError) upload_error = NULL;
      /* An imported dma-buf sees the guest's writes; an uploaded one must
       * be read again each frame to do the same. */
      if (fd >= 0)
        e->desc.live_contents = TRUE;
      ok = upload (self, e, buffer, format, &upload_error);
      if (!ok && fd >= 0 && self->import && retry_import && !buffer_failed
          && gvt_egl_is_given_up (self->egl, desc->fourcc, desc->modifier))
        {
          /* The pair is given up, but nothing else can show this buffer
           * (GVT-g's can't be mapped): it is still tried on its own, and
           * again at its back-off — or a burst of failures would blank
           * such a guest until its device is reopened. */
          g_clear_error (&import_error);
          /* (A failure is counted once a call: the refusal above was.) */
          ok = import_dmabuf (self, e, fd, TRUE, &buffer_failed, &import_error);
          e->import_failed = buffer_failed;
          if (ok)
            return &e->tex;
        }
      if (!ok)
        {
          /* Kept, so that this buffer is not tried again every frame: what
           * failed (a tiled layout, an unmappable dma-buf, a refused
           * import) stays so for the buffer's life. */
          if (import_error != NULL)
            e->failure = g_error_new (GVT_ERROR, GVT_ERROR_UNSUPPORTED, "%s; and %s",
                                      import_error->message, upload_error->message);
          else
            e->failure = g_steal_pointer (&upload_error);
          e->backoff_us = backoff_us;
          e->retry_after_us = now_us + backoff_us;
          g_set_error_literal (error, e->failure->domain, e->failure->code,
                               e->failure->message);
          return NULL;
        }
      /* One buffer that would not import is not news; a pair that won't
       * is, once. */
      if (import_error != NULL && !buffer_failed)
        log_fallback_once (self, desc, import_error);
    }
  return &e->tex;
}

GvtTexture *
gvt_texture_cache_get (GvtTextureCache *self, GvtPlane *plane, GError **error)
{
  GvtImageDesc desc = {
    .fourcc = gvt_plane_get_fourcc (plane),
    .modifier = gvt_plane_get_modifier (plane),
    .width = gvt_plane_get_width (plane),
    .height = gvt_plane_get_height (plane),
    .stride = gvt_plane_get_stride (plane),
    .offset = 0,
    /* Region memory changes in place with no signal; a CPU image is a new
     * buffer whenever it changes. */
    .live_contents = gvt_plane_get_source (plane) == GVT_PLANE_SOURCE_REGION,
  };
  return gvt_texture_cache_get_image (self, gvt_plane_get_buffer (plane), &desc, error);
}
