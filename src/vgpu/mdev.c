/* placeholder: mdev discovery */
#include "mdev.h"
#include "../gvt-error.h"
gboolean gvt_mdev_is_uuid (const char *s) { return g_uuid_string_is_valid (s); }
gboolean gvt_mdev_resolve (const char *u, char **g, char **d, GError **e)
{ g_set_error (e, GVT_ERROR, GVT_ERROR_UNSUPPORTED, "not yet"); return FALSE; }
char *gvt_mdev_describe_instances (void) { return g_strdup (""); }
