/* What every command shares: opening the DEVICE it names, and failing. */
#include "cmd.h"
#include "../gvt-error.h"

GvtVgpu *
gvt_cmd_open_device (const char *device, int fd, GError **error)
{
  if (device != NULL && fd >= 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "give either DEVICE or --fd, not both");
      return NULL;
    }
  if (fd >= 0)
    return gvt_vgpu_open_fd (fd, error);
  if (device == NULL)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "no DEVICE given: name one (/dev/vfio/N, an mdev UUID, sim) or pass "
                   "--fd N; `gvt-view list` shows the vGPUs on this host");
      return NULL;
    }
  return gvt_vgpu_open (device, error);
}

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
