/* Offscreen target for snapshots, tests and benchmarks. */
#include <string.h>
#include <epoxy/gl.h>

#include "offscreen.h"
#include "common/gvt-error.h"

struct _GvtOffscreen {
  guint width, height;
  GLuint fbo;
  GLuint texture;
};

void
gvt_offscreen_free (GvtOffscreen *self)
{
  if (self == NULL)
    return;
  if (self->fbo != 0)
    glDeleteFramebuffers (1, &self->fbo);
  if (self->texture != 0)
    glDeleteTextures (1, &self->texture);
  g_free (self);
}

GvtOffscreen *
gvt_offscreen_new (guint width, guint height, GError **error)
{
  g_autoptr (GvtOffscreen) self = g_new0 (GvtOffscreen, 1);
  GLint max_size = 0, max_rb = 0;

  glGetIntegerv (GL_MAX_TEXTURE_SIZE, &max_size);
  glGetIntegerv (GL_MAX_RENDERBUFFER_SIZE, &max_rb);
  max_size = MIN (max_size, max_rb);
  if (width == 0 || height == 0 || width > (guint) max_size || height > (guint) max_size)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "an output of %ux%u is beyond what this GPU renders (1 to %d per side)",
                   width, height, max_size);
      return NULL;
    }
  self->width = width;
  self->height = height;

  /* A texture, not a renderbuffer: GLES 2 has no RGBA8 renderbuffers
   * without OES_rgb8_rgba8. */
  glGenTextures (1, &self->texture);
  glBindTexture (GL_TEXTURE_2D, self->texture);
  glTexImage2D (GL_TEXTURE_2D, 0, GL_RGBA, (GLsizei) width, (GLsizei) height, 0, GL_RGBA,
                GL_UNSIGNED_BYTE, NULL);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glBindTexture (GL_TEXTURE_2D, 0);

  glGenFramebuffers (1, &self->fbo);
  glBindFramebuffer (GL_FRAMEBUFFER, self->fbo);
  glFramebufferTexture2D (GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D,
                          self->texture, 0);
  GLenum status = glCheckFramebufferStatus (GL_FRAMEBUFFER);
  if (status != GL_FRAMEBUFFER_COMPLETE)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "offscreen framebuffer of %ux%u is incomplete (0x%04x)", width, height,
                   status);
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
gvt_offscreen_bind (GvtOffscreen *self)
{
  glBindFramebuffer (GL_FRAMEBUFFER, self->fbo);
}

guint gvt_offscreen_get_width (GvtOffscreen *self) { return self->width; }
GLuint gvt_offscreen_get_texture (GvtOffscreen *self) { return self->texture; }
guint gvt_offscreen_get_height (GvtOffscreen *self) { return self->height; }

guint8 *
gvt_offscreen_read_rgba (GvtOffscreen *self)
{
  gsize row = (gsize) self->width * 4;
  guint8 *pixels = g_malloc (row * self->height);
  g_autofree guint8 *tmp = g_malloc (row);

  glBindFramebuffer (GL_FRAMEBUFFER, self->fbo);
  glPixelStorei (GL_PACK_ALIGNMENT, 4);
  glReadPixels (0, 0, (GLsizei) self->width, (GLsizei) self->height, GL_RGBA,
                GL_UNSIGNED_BYTE, pixels);
  /* GL's row 0 is the bottom; the picture's row 0 is the top. */
  for (guint y = 0; y < self->height / 2; y++)
    {
      guint8 *a = pixels + y * row, *b = pixels + (self->height - 1 - y) * row;
      memcpy (tmp, a, row);
      memcpy (a, b, row);
      memcpy (b, tmp, row);
    }
  return pixels;
}
