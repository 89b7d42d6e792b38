/* The picture options the rendering commands share: --size, --scale and
 * --filter, parsed and checked in one place so that every command accepts
 * and refuses the same words with the same message. */
#include "cmd-render.h"
#include "common/gvt-error.h"
#include "common/size.h"

gboolean
gvt_cmd_parse_picture (const char *size, const char *scale, const char *filter,
                       GvtCmdPicture *picture, GError **error)
{
  *picture = (GvtCmdPicture) { .mode = GVT_SCALE_FIT, .filter = GVT_FILTER_AUTO };

  if (size != NULL && !gvt_size_parse_arg ("--size", size, &picture->width, &picture->height,
                                           error))
    return FALSE;
  if (scale != NULL && !gvt_scale_mode_parse (scale, &picture->mode))
    g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                 "--scale %s: use fit, fill, integer or native", scale);
  else if (filter != NULL && !gvt_filter_parse (filter, &picture->filter))
    g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                 "--filter %s: use auto, linear or nearest", filter);
  else
    return TRUE;
  return FALSE;
}
