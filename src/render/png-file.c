/* PNG output through libpng's png_image API: no setjmp of our own. */
#include <errno.h>
#include <stdio.h>
#include <png.h>
#include <glib/gstdio.h>

#include "png-file.h"
#include "common/gvt-error.h"

gboolean
gvt_png_write_rgba (const char *path, const guint8 *rgba, guint width, guint height,
                    gsize stride, GError **error)
{
  png_image image = {
    .version = PNG_IMAGE_VERSION,
    .width = width,
    .height = height,
    .format = PNG_FORMAT_RGBA,
  };
  g_autofree char *tmp = g_strdup_printf ("%s.tmp-%d", path, (int) getpid ());

  if (!png_image_write_to_file (&image, tmp, 0, rgba, (png_int_32) stride, NULL))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED, "cannot write %s: %s", path,
                   image.message);
      g_unlink (tmp);
      return FALSE;
    }
  if (g_rename (tmp, path) != 0)
    {
      int saved = errno;
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED, "cannot write %s: %s", path,
                   g_strerror (saved));
      g_unlink (tmp);
      return FALSE;
    }
  return TRUE;
}

guint8 *
gvt_png_read_rgba (const char *path, guint *width, guint *height, GError **error)
{
  png_image image = { .version = PNG_IMAGE_VERSION };

  if (!png_image_begin_read_from_file (&image, path))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED, "cannot read %s: %s", path,
                   image.message);
      return NULL;
    }
  image.format = PNG_FORMAT_RGBA;
  g_autofree guint8 *pixels = g_malloc (PNG_IMAGE_SIZE (image));
  if (!png_image_finish_read (&image, NULL, pixels, 0, NULL))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED, "cannot read %s: %s", path,
                   image.message);
      png_image_free (&image);
      return NULL;
    }
  *width = image.width;
  *height = image.height;
  return g_steal_pointer (&pixels);
}
