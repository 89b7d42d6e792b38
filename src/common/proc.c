/* Another process's /proc files (proc.h). */
#include <string.h>

#include "proc.h"
#include "gvt-error.h"

char *
gvt_proc_path (const char *proc_root, int pid, const char *file)
{
  return g_strdup_printf ("%s/%d/%s", proc_root != NULL ? proc_root : "/proc", pid, file);
}

gboolean
gvt_proc_read (const char *path, char **contents, gsize *len, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (g_file_get_contents (path, contents, len, &local))
    return TRUE;
  int code = GVT_ERROR_FAILED;
  if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT)
      || g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOTDIR)
      || g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_FAILED))
    code = GVT_ERROR_NO_DEVICE;
  else if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_ACCES)
           || g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_PERM))
    code = GVT_ERROR_PERMISSION;
  g_set_error_literal (error, GVT_ERROR, code, local->message);
  return FALSE;
}

char *
gvt_proc_line (const char *proc_root, int pid, const char *file, const char *prefix,
               GError **error)
{
  g_autofree char *path = gvt_proc_path (proc_root, pid, file);
  g_autofree char *data = NULL;
  g_autoptr (GError) local = NULL;

  if (pid <= 0 || pid > GVT_PID_MAX)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS, "%d is not a pid", pid);
      return NULL;
    }
  if (!gvt_proc_read (path, &data, NULL, &local))
    {
      if (local->code == GVT_ERROR_NO_DEVICE)
        g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE, "no process has pid %d", pid);
      else
        g_set_error (error, GVT_ERROR, local->code, "cannot read %s: %s", path,
                     local->message);
      return NULL;
    }
  g_auto (GStrv) lines = g_strsplit (data, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    if (g_str_has_prefix (*l, prefix))
      return g_strdup (*l + strlen (prefix));
  g_set_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL, "%s has no \"%s\" line", path, prefix);
  return NULL;
}

char *
gvt_proc_comm (const char *proc_root, int pid)
{
  g_autofree char *path = gvt_proc_path (proc_root, pid, "comm");
  g_autofree char *comm = NULL;

  if (!g_file_get_contents (path, &comm, NULL, NULL))
    return NULL;
  g_strstrip (comm);
  return *comm != '\0' ? g_steal_pointer (&comm) : NULL;
}
