/* The compositor: one shader program, one unit quad, two draws per frame. */
#include <gio/gio.h>

#include "compositor.h"
#include "gvt-shaders.h"
#include "offscreen.h"
#include "common/gvt-error.h"

#define SHADER_PATH "/org/gvt-view/shaders/"

struct _GvtCompositor {
  GvtEgl *egl;
  GLuint program;
  GLuint vbo;
  /* For release_textures, made on first use: a 1x1 texture to sample and
   * a 1x1 framebuffer of our own to draw into. */
  GLuint blank, release_fbo, release_rb;
  GLint a_corner;
  GLint u_rect, u_texture, u_swap_rb, u_opaque, u_dim;
  GvtOffscreen *held;   /* a picture copied on the GPU, or NULL */
  GvtScaleMode mode;
  GvtFilter filter;
  float background[3];
  guint cursor_failures;
};

static GLuint
compile_shader (GLenum type, const char *name, GError **error)
{
  g_autoptr (GBytes) source = g_resource_lookup_data (gvt_shaders_get_resource (), name,
                                                      G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (source == NULL)
    return 0;

  gsize len = 0;
  const char *text = g_bytes_get_data (source, &len);
  GLint glen = (GLint) len;
  GLuint shader = glCreateShader (type);
  glShaderSource (shader, 1, &text, &glen);
  glCompileShader (shader);

  GLint ok = GL_FALSE;
  glGetShaderiv (shader, GL_COMPILE_STATUS, &ok);
  if (!ok)
    {
      char log[1024] = "";
      glGetShaderInfoLog (shader, sizeof log, NULL, log);
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED, "shader %s does not compile: %s",
                   name, log);
      glDeleteShader (shader);
      return 0;
    }
  return shader;
}

void
gvt_compositor_free (GvtCompositor *self)
{
  if (self == NULL)
    return;
  if (self->program != 0)
    glDeleteProgram (self->program);
  if (self->vbo != 0)
    glDeleteBuffers (1, &self->vbo);
  if (self->blank != 0)
    glDeleteTextures (1, &self->blank);
  if (self->release_fbo != 0)
    glDeleteFramebuffers (1, &self->release_fbo);
  if (self->release_rb != 0)
    glDeleteRenderbuffers (1, &self->release_rb);
  gvt_compositor_drop_held (self);
  g_free (self);
}

GvtCompositor *
gvt_compositor_new (GvtEgl *egl, GError **error)
{
  g_autoptr (GvtCompositor) self = g_new0 (GvtCompositor, 1);
  static const GLfloat corners[] = { 0, 0, 1, 0, 0, 1, 1, 1 };

  self->egl = egl;
  self->mode = GVT_SCALE_FIT;
  self->filter = GVT_FILTER_AUTO;

  GLuint vs = compile_shader (GL_VERTEX_SHADER, SHADER_PATH "quad.vert", error);
  if (vs == 0)
    return NULL;
  GLuint fs = compile_shader (GL_FRAGMENT_SHADER, SHADER_PATH "plane.frag", error);
  if (fs == 0)
    {
      glDeleteShader (vs);
      return NULL;
    }
  self->program = glCreateProgram ();
  glAttachShader (self->program, vs);
  glAttachShader (self->program, fs);
  glLinkProgram (self->program);
  glDeleteShader (vs);
  glDeleteShader (fs);

  GLint ok = GL_FALSE;
  glGetProgramiv (self->program, GL_LINK_STATUS, &ok);
  if (!ok)
    {
      char log[1024] = "";
      glGetProgramInfoLog (self->program, sizeof log, NULL, log);
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED, "shaders do not link: %s", log);
      return NULL;
    }
  self->a_corner = glGetAttribLocation (self->program, "a_corner");
  self->u_rect = glGetUniformLocation (self->program, "u_rect");
  self->u_texture = glGetUniformLocation (self->program, "u_texture");
  self->u_swap_rb = glGetUniformLocation (self->program, "u_swap_rb");
  self->u_opaque = glGetUniformLocation (self->program, "u_opaque");
  self->u_dim = glGetUniformLocation (self->program, "u_dim");

  glGenBuffers (1, &self->vbo);
  glBindBuffer (GL_ARRAY_BUFFER, self->vbo);
  glBufferData (GL_ARRAY_BUFFER, sizeof corners, corners, GL_STATIC_DRAW);
  glBindBuffer (GL_ARRAY_BUFFER, 0);
  return g_steal_pointer (&self);
}

void
gvt_compositor_set_scale_mode (GvtCompositor *self, GvtScaleMode mode)
{
  self->mode = mode;
}

void
gvt_compositor_set_filter (GvtCompositor *self, GvtFilter filter)
{
  self->filter = filter;
}

void
gvt_compositor_set_background (GvtCompositor *self, float r, float g, float b)
{
  self->background[0] = r;
  self->background[1] = g;
  self->background[2] = b;
}

static void
begin_draws (GvtCompositor *self)
{
  glUseProgram (self->program);
  glBindBuffer (GL_ARRAY_BUFFER, self->vbo);
  glEnableVertexAttribArray ((GLuint) self->a_corner);
  glVertexAttribPointer ((GLuint) self->a_corner, 2, GL_FLOAT, GL_FALSE, 0, NULL);
  glActiveTexture (GL_TEXTURE0);
  glUniform1i (self->u_texture, 0);
  glUniform1f (self->u_dim, 1.0f);
}

static void
end_draws (GvtCompositor *self)
{
  glDisableVertexAttribArray ((GLuint) self->a_corner);
  glBindBuffer (GL_ARRAY_BUFFER, 0);
  glBindTexture (GL_TEXTURE_2D, 0);
  glUseProgram (0);
}

void
gvt_compositor_release_textures (GvtCompositor *self)
{
  static const guint8 black[4] = { 0, 0, 0, 255 };
  GLint bound = 0, viewport[4];

  if (self->blank == 0)
    {
      glGenTextures (1, &self->blank);
      glBindTexture (GL_TEXTURE_2D, self->blank);
      glTexImage2D (GL_TEXTURE_2D, 0, GL_RGBA, 1, 1, 0, GL_RGBA, GL_UNSIGNED_BYTE, black);
      glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
      glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
      glGenRenderbuffers (1, &self->release_rb);
      glBindRenderbuffer (GL_RENDERBUFFER, self->release_rb);
      glRenderbufferStorage (GL_RENDERBUFFER, GL_RGB565, 1, 1);
      glBindRenderbuffer (GL_RENDERBUFFER, 0);
      glGenFramebuffers (1, &self->release_fbo);
    }
  /* Deleting a texture does not make the driver drop what the last draw
   * sampled (Mesa keeps it, and with it an EGLImage's dma-buf, until a
   * draw binds something else): one draw of the blank texture, into a
   * framebuffer of our own so that nobody's pixels change. */
  glGetIntegerv (GL_FRAMEBUFFER_BINDING, &bound);
  glGetIntegerv (GL_VIEWPORT, viewport);
  glBindFramebuffer (GL_FRAMEBUFFER, self->release_fbo);
  glFramebufferRenderbuffer (GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER,
                             self->release_rb);
  glViewport (0, 0, 1, 1);
  begin_draws (self);
  glBindTexture (GL_TEXTURE_2D, self->blank);
  glUniform4f (self->u_rect, -1, 1, 1, -1);
  glUniform1f (self->u_swap_rb, 0.0f);
  glUniform1f (self->u_opaque, 1.0f);
  glDrawArrays (GL_TRIANGLE_STRIP, 0, 4);
  end_draws (self);
  glBindFramebuffer (GL_FRAMEBUFFER, (GLuint) bound);
  glViewport (viewport[0], viewport[1], viewport[2], viewport[3]);
  glFinish ();
}

/* Draws @tex over the output rectangle @r (top-left origin pixels). */
static void
draw_quad (GvtCompositor *self, GvtTexture *tex, double x, double y, double w, double h,
           guint out_w, guint out_h, gboolean nearest, gboolean opaque)
{
  GLint filter = nearest ? GL_NEAREST : GL_LINEAR;

  glBindTexture (GL_TEXTURE_2D, tex->id);
  if (tex->filter != filter)
    {
      glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
      glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
      tex->filter = filter;
    }
  glUniform4f (self->u_rect,
               (float) (2.0 * x / out_w - 1.0), (float) (1.0 - 2.0 * y / out_h),
               (float) (2.0 * (x + w) / out_w - 1.0), (float) (1.0 - 2.0 * (y + h) / out_h));
  glUniform1f (self->u_swap_rb, tex->swap_rb ? 1.0f : 0.0f);
  glUniform1f (self->u_opaque, (opaque || tex->opaque) ? 1.0f : 0.0f);
  glDrawArrays (GL_TRIANGLE_STRIP, 0, 4);
}

static void
draw_cursor (GvtCompositor *self, GvtTextureCache *cache, GvtPlane *cursor,
             const GvtView *view)
{
  g_autoptr (GError) error = NULL;
  GvtTexture *tex = gvt_texture_cache_get (cache, cursor, &error);
  if (tex == NULL)
    {
      if (self->cursor_failures++ == 0)
        g_message ("the guest cursor can't be shown: %s", error->message);
      return;
    }
  /* Signed and bounded already: the plane constructor decided what the
   * device's position means. */
  GvtRect r = gvt_view_cursor_rect (view, gvt_plane_get_x (cursor), gvt_plane_get_y (cursor),
                                    tex->width, tex->height);
  if (gvt_rect_intersect (r, view->visible).width == 0)
    return;

  /* The cursor belongs to the guest screen: cut it at the image's edge. */
  glEnable (GL_SCISSOR_TEST);
  glScissor (view->visible.x, (GLint) view->out_height - (view->visible.y + view->visible.height),
             view->visible.width, view->visible.height);
  glEnable (GL_BLEND);
  /* Straight alpha: colour weighted by alpha; the frame's alpha stays 1. */
  glBlendFuncSeparate (GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ZERO, GL_ONE);
  draw_quad (self, tex, r.x, r.y, r.width, r.height, view->out_width, view->out_height,
             view->nearest, FALSE);
  glDisable (GL_BLEND);
  glDisable (GL_SCISSOR_TEST);
}

/* Every frame starts so: the whole target in the background colour. */
static void
clear_target (GvtCompositor *self, guint out_width, guint out_height)
{
  glViewport (0, 0, (GLsizei) out_width, (GLsizei) out_height);
  glDisable (GL_BLEND);
  glDisable (GL_SCISSOR_TEST);
  glClearColor (self->background[0], self->background[1], self->background[2], 1.0f);
  glClear (GL_COLOR_BUFFER_BIT);
}

gboolean
gvt_compositor_draw (GvtCompositor *self, GvtTextureCache *cache, GvtPlane *primary,
                     GvtPlane *cursor, guint out_width, guint out_height, GvtView *view_out,
                     GError **error)
{
  GvtView view;
  GvtTexture *tex = NULL;

  gvt_view_compute (&view, self->mode, self->filter,
                    primary ? gvt_plane_get_width (primary) : 0,
                    primary ? gvt_plane_get_height (primary) : 0, out_width, out_height);
  if (primary != NULL)
    {
      tex = gvt_texture_cache_get (cache, primary, error);
      if (tex == NULL)
        gvt_view_compute (&view, self->mode, self->filter, 0, 0, out_width, out_height);
    }
  if (view_out != NULL)
    *view_out = view;

  clear_target (self, out_width, out_height);
  if (tex == NULL)
    return primary == NULL;

  begin_draws (self);
  /* A scanout engine has nothing under the primary plane: show it opaque
   * whatever its alpha says. */
  draw_quad (self, tex, view.image.x, view.image.y, view.image.width, view.image.height,
             out_width, out_height, view.nearest, TRUE);
  if (cursor != NULL)
    draw_cursor (self, cache, cursor, &view);
  end_draws (self);
  return TRUE;
}

void
gvt_compositor_draw_bare (GvtCompositor *self, const GvtTexture *texture,
                          guint out_width, guint out_height)
{
  glViewport (0, 0, (GLsizei) out_width, (GLsizei) out_height);
  glDisable (GL_BLEND);
  glDisable (GL_SCISSOR_TEST);
  glClearColor (0.0f, 0.0f, 0.0f, 1.0f);
  glClear (GL_COLOR_BUFFER_BIT);
  glUseProgram (self->program);
  glBindBuffer (GL_ARRAY_BUFFER, self->vbo);
  glEnableVertexAttribArray ((GLuint) self->a_corner);
  glVertexAttribPointer ((GLuint) self->a_corner, 2, GL_FLOAT, GL_FALSE, 0, NULL);
  glActiveTexture (GL_TEXTURE0);
  glBindTexture (GL_TEXTURE_2D, texture->id);
  glUniform1i (self->u_texture, 0);
  glUniform1f (self->u_dim, 1.0f);
  glUniform4f (self->u_rect, -1.0f, 1.0f, 1.0f, -1.0f);
  glUniform1f (self->u_swap_rb, texture->swap_rb ? 1.0f : 0.0f);
  glUniform1f (self->u_opaque, 1.0f);
  glDrawArrays (GL_TRIANGLE_STRIP, 0, 4);
  end_draws (self);
}

guint8 *
gvt_compositor_read_image (GvtCompositor *self, GvtTextureCache *cache, GvtPlane *plane,
                           GError **error)
{
  guint w = gvt_plane_get_width (plane), h = gvt_plane_get_height (plane);
  GLint bound = 0, viewport[4];
  GvtTexture *tex = gvt_texture_cache_get (cache, plane, error);

  if (tex == NULL)
    return NULL;
  /* Before the offscreen target exists: making it binds it. */
  glGetIntegerv (GL_FRAMEBUFFER_BINDING, &bound);
  glGetIntegerv (GL_VIEWPORT, viewport);
  g_autoptr (GvtOffscreen) target = gvt_offscreen_new (w, h, error);
  if (target == NULL)
    {
      glBindFramebuffer (GL_FRAMEBUFFER, (GLuint) bound);
      return NULL;
    }
  gvt_offscreen_bind (target);
  glViewport (0, 0, (GLsizei) w, (GLsizei) h);
  glDisable (GL_BLEND);
  glDisable (GL_SCISSOR_TEST);
  glClearColor (0, 0, 0, 0);
  glClear (GL_COLOR_BUFFER_BIT);
  /* No blending: the texels as they are, alpha included. */
  begin_draws (self);
  draw_quad (self, tex, 0, 0, w, h, w, h, TRUE, FALSE);
  end_draws (self);
  guint8 *rgba = gvt_offscreen_read_rgba (target);
  glBindFramebuffer (GL_FRAMEBUFFER, (GLuint) bound);
  glViewport (viewport[0], viewport[1], viewport[2], viewport[3]);
  return rgba;
}

/* --- the held frame --- */

void
gvt_compositor_drop_held (GvtCompositor *self)
{
  g_clear_pointer (&self->held, gvt_offscreen_free);
}

gboolean
gvt_compositor_has_held (GvtCompositor *self)
{
  return self->held != NULL;
}

gboolean
gvt_compositor_hold (GvtCompositor *self, GvtTextureCache *cache, GvtPlane *primary,
                     GvtPlane *cursor, GError **error)
{
  guint w = gvt_plane_get_width (primary), h = gvt_plane_get_height (primary);
  GLint bound = 0, viewport[4];
  GvtScaleMode mode = self->mode;
  GvtFilter filter = self->filter;

  gvt_compositor_drop_held (self);
  glGetIntegerv (GL_FRAMEBUFFER_BINDING, &bound);
  glGetIntegerv (GL_VIEWPORT, viewport);
  GvtOffscreen *target = gvt_offscreen_new (w, h, error);
  gboolean ok = target != NULL;
  if (ok)
    {
      /* One guest pixel per texel: the copy is exact. */
      gvt_offscreen_bind (target);
      self->mode = GVT_SCALE_NATIVE;
      self->filter = GVT_FILTER_NEAREST;
      ok = gvt_compositor_draw (self, cache, primary, cursor, w, h, NULL, error);
      self->mode = mode;
      self->filter = filter;
    }
  glBindFramebuffer (GL_FRAMEBUFFER, (GLuint) bound);
  glViewport (viewport[0], viewport[1], viewport[2], viewport[3]);
  if (!ok)
    {
      gvt_offscreen_free (target);
      return FALSE;
    }
  self->held = target;
  return TRUE;
}

void
gvt_compositor_draw_held (GvtCompositor *self, guint out_width, guint out_height, float dim,
                          GvtView *view_out)
{
  guint w = self->held ? gvt_offscreen_get_width (self->held) : 0;
  guint h = self->held ? gvt_offscreen_get_height (self->held) : 0;
  GvtView view;

  gvt_view_compute (&view, self->mode, self->filter, w, h, out_width, out_height);
  if (view_out != NULL)
    *view_out = view;
  clear_target (self, out_width, out_height);
  if (self->held == NULL)
    return;

  GvtTexture tex = {
    .id = gvt_offscreen_get_texture (self->held), .width = w, .height = h,
    .opaque = TRUE, .filter = GL_NEAREST,
  };
  begin_draws (self);
  glUniform1f (self->u_dim, dim);
  /* The copy's row 0 is the picture's bottom: drawn upside up. */
  draw_quad (self, &tex, view.image.x, view.image.y + view.image.height, view.image.width,
             -(double) view.image.height, out_width, out_height, view.nearest, TRUE);
  end_draws (self);
}
