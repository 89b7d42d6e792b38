/* Shared helpers for the test programs. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

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

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* The test died before the line above: nobody would kill us later. */
  if (getppid () != GPOINTER_TO_INT (data))
    _exit (1);
}

GPid
gvt_test_spawn_qemu (const char *const *argv, const char *stderr_path)
{
  g_autoptr (GError) error = NULL;
  int err_fd = stderr_path ? open (stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)
                           : -1;
  GPid pid = 0;

  if (stderr_path != NULL)
    g_assert_cmpint (err_fd, >=, 0);
  gboolean spawned = g_spawn_async_with_fds (NULL, (char **) argv, NULL,
                                             G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD
                                               | G_SPAWN_STDOUT_TO_DEV_NULL,
                                             die_with_parent, GINT_TO_POINTER (getpid ()),
                                             &pid, -1, -1, err_fd,
                                             &error);
  if (err_fd >= 0)
    close (err_fd);
  g_assert_no_error (error);
  g_assert_true (spawned);
  return pid;
}

gboolean
gvt_test_wait_listening (const char *path, GPid pid)
{
  for (int i = 0; i < 1000; i++)
    {
      g_autoptr (GSocket) probe = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_DEFAULT, NULL);
      g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);
      if (probe != NULL && g_socket_connect (probe, address, NULL, NULL))
        return TRUE;
      int status;
      if (waitpid (pid, &status, WNOHANG) == pid)
        {
          g_test_message ("QEMU exited before it listened on %s (status 0x%x)", path, status);
          return FALSE;
        }
      g_usleep (10 * 1000);
    }
  g_test_message ("nothing listens on %s after 10 s", path);
  return FALSE;
}

void
gvt_test_kill (GPid pid)
{
  if (pid == 0)
    return;
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
}

char *
gvt_test_require_program (const char *program, const char *package)
{
  char *path = g_find_program_in_path (program);

  if (path == NULL)
    g_error ("%s is not installed: tests/deps.sh installs it (Debian package %s)", program,
             package);
  return path;
}

static void
record_message (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  GPtrArray *messages = data;

  g_ptr_array_add (messages, g_strdup_printf ("%c %s", (level & G_LOG_LEVEL_MESSAGE) ? 'M' : 'D',
                                              message));
  g_log_default_handler (domain, level, message, NULL);
}

guint
gvt_test_record_messages (GPtrArray *messages)
{
  return g_log_set_handler (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG,
                            record_message, messages);
}
