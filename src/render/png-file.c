/* PNG output through libpng's png_image API: no setjmp of our own. */
#include <png.h>

#include "png-file.h"
#include "common/gvt-error.h"
#include "common/output-file.h"

GBytes *
gvt_png_encode_rgba (const guint8 *rgba, guint width, guint height, gsize stride,
                     GError **error)
{
  png_image image = {
    .version = PNG_IMAGE_VERSION,
    .width = width,
    .height = height,
    .format = PNG_FORMAT_RGBA,
  };
  /* The worst case, so that one pass suffices; the pages a smaller stream
   * leaves untouched cost nothing, and the block shrinks afterwards. */
  png_alloc_size_t size = PNG_IMAGE_PNG_SIZE_MAX (image);
  g_autofree guint8 *buf = g_malloc (size);

  if (stride > G_MAXINT32
      || !png_image_write_to_memory (&image, buf, &size, 0, rgba, (png_int_32) stride, NULL))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED, "cannot encode a %ux%u PNG: %s", width,
                   height, stride > G_MAXINT32 ? "rows too long" : image.message);
      png_image_free (&image);
      return NULL;
    }
  return g_bytes_new_take (g_realloc (g_steal_pointer (&buf), size), size);
}

gboolean
gvt_png_write_rgba (const char *path, const guint8 *rgba, guint width, guint height,
                    gsize stride, GError **error)
{
  g_autoptr (GvtOutputFile) file = gvt_output_file_new (path, GVT_OUTPUT_FILE_DEFAULT, error);
  if (file == NULL)
    return FALSE;
  g_autoptr (GBytes) png = gvt_png_encode_rgba (rgba, width, height, stride, error);
  if (png == NULL)
    return FALSE;
  gsize len;
  const void *data = g_bytes_get_data (png, &len);
  return gvt_output_file_commit (file, data, len, error);
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
