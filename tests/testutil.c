/* Shared helpers for the test programs. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

void
gvt_test_ensure_umockdev (int argc, char **argv)
{
  const char *preload = g_getenv ("LD_PRELOAD");
  if (preload != NULL && strstr (preload, "libumockdev-preload") != NULL)
    return;

  g_autofree char *new_preload = preload && *preload
    ? g_strconcat ("libumockdev-preload.so.0:", preload, NULL)
    : g_strdup ("libumockdev-preload.so.0");
  g_setenv ("LD_PRELOAD", new_preload, TRUE);
#if defined(__SANITIZE_ADDRESS__)
  /* ASan refuses to start when a preloaded library comes before its
   * runtime, and umockdev's must come first. The order is harmless: ASan
   * still initialises first (from the executable's .preinit_array) and its
   * interceptors still see every call, right after umockdev's. */
  const char *asan = g_getenv ("ASAN_OPTIONS");
  g_autofree char *new_asan = asan && *asan
    ? g_strconcat (asan, ":verify_asan_link_order=0", NULL)
    : g_strdup ("verify_asan_link_order=0");
  g_setenv ("ASAN_OPTIONS", new_asan, TRUE);
#endif
  execv ("/proc/self/exe", argv);
  g_error ("cannot re-execute %s under umockdev's preload: %s", argv[0], g_strerror (errno));
}

static gboolean
is_umockdev_plumbing (const char *name)
{
  g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
  g_autofree char *target = g_file_read_link (path, NULL);
  /* No target: the fd closed while we listed them (umockdev's threads do
   * that all the time), so it isn't one. */
  return target == NULL
         || (g_str_has_prefix (target, "socket:") || g_str_has_prefix (target, "pipe:")
             || strcmp (target, "anon_inode:[eventfd]") == 0
             || strcmp (target, "anon_inode:[eventpoll]") == 0
             || strcmp (target, "/dev/null") == 0);
}

int
gvt_test_count_device_fds (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  g_assert_nonnull (dir);
  int n = 0;
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (!is_umockdev_plumbing (name))
      n++;
  return n - 1;
}

int
gvt_test_count_fds (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  g_assert_nonnull (dir);
  int n = 0;
  struct dirent *entry;
  while ((entry = readdir (dir)) != NULL)
    if (entry->d_name[0] != '.')
      n++;
  closedir (dir);
  return n - 1;
}

void
gvt_test_dump_fds (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);
      g_test_message ("fd %s -> %s", name, target ? target : "?");
    }
}

#ifdef GVT_VIEW_BIN
GPtrArray *
gvt_test_view_argv (const char *const *args)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) GVT_VIEW_BIN);
  for (; *args != NULL; args++)
    g_ptr_array_add (argv, (gpointer) *args);
  g_ptr_array_add (argv, NULL);
  return argv;
}
#endif
