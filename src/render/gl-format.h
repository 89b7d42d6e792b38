/* How each DRM fourcc gvt-view shows is uploaded to and sampled from GLES:
 * the upload format/type, and the shader's channel fix-ups. */
#pragma once

#include <glib.h>
#include <epoxy/gl.h>

G_BEGIN_DECLS

typedef struct {
  /* @fourcc, @cpp and @opaque are those of the format's entry in the
   * common table (common/format.h), copied: that table is the one list of
   * formats and of their sizes and alpha. */
  guint32 fourcc;
  guint8 cpp;
  /* glTexImage2D/glTexSubImage2D: @sized_internal on GLES 3, @format as the
   * internal format on GLES 2 (which has no sized ones). */
  GLenum sized_internal;
  GLenum format;
  GLenum type;
  /* Uploaded texels hold red and blue swapped (BGRA memory read as RGBA):
   * the shader swaps them back. Imports never need it, the driver reads the
   * fourcc itself. */
  gboolean upload_swap_rb;
  /* The fourcc has no alpha (X formats, 565): the shader forces alpha 1. */
  gboolean opaque;
  /* Needs GLES 3 to upload (GL_UNSIGNED_INT_2_10_10_10_REV). */
  gboolean needs_gles3;
} GvtGlFormat;

/* The entry for @fourcc, or NULL when gvt-view can't show it. Static;
 * any thread. */
const GvtGlFormat *gvt_gl_format_lookup (guint32 fourcc);

/* Every entry (for the tests that hold it against the common table); sets
 * @n_formats. Static; any thread. */
const GvtGlFormat *gvt_gl_format_get_all (gsize *n_formats);

G_END_DECLS
