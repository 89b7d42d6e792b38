/* What every command shares: its DEVICE argument, and failing. */
#include "cmd.h"
#include "common/gvt-error.h"

int
gvt_cmd_fail (FILE *err, const GError *error)
{
  fprintf (err, "gvt-view: %s\n", error->message);
  if (error->domain == G_OPTION_ERROR
      || (error->domain == GVT_ERROR && error->code == GVT_ERROR_INVALID_ARGS))
    return 2;
  return 1;
}

gboolean
gvt_cmd_parse_device_args (GOptionContext *ctx, int *argc, char ***argv, GError **error)
{
  g_option_context_set_description (ctx, GVT_CMD_DEVICE_HELP);
  if (!g_option_context_parse (ctx, argc, argv, error))
    return FALSE;
  if (*argc > 2)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "give one DEVICE, not %d arguments", *argc - 1);
      return FALSE;
    }
  return TRUE;
}
