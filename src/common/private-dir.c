/* Private directories (see private-dir.h). */
#include <errno.h>

#include "private-dir.h"
#include "gvt-error.h"

char *
gvt_private_dir_make (const char *parent, const char *what, GError **error)
{
  g_autofree char *path = g_build_filename (parent ? parent : g_get_user_runtime_dir (),
                                            "gvt-view-XXXXXX", NULL);

  if (g_mkdtemp_full (path, 0700) == NULL)
    {
      int e = errno;
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED,
                   "can't make a private directory for %s (%s): %s", what, path, g_strerror (e));
      return NULL;
    }
  return g_steal_pointer (&path);
}
