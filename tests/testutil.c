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

int
gvt_test_settled_fds (int expected, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * (gint64) 1000;
  int n;
  while ((n = gvt_test_count_fds ()) != expected && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  return n;
}

static void
on_warm_up (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GSocketConnection) connection =
    g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, NULL);
  *(gboolean *) data = TRUE;
}

void
gvt_test_warm_up_glib (void)
{
  gboolean done = FALSE;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new ("/nonexistent/qmp.sock");
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), NULL, on_warm_up,
                                 &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
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

/* --- a blocking QMP client --- */

struct _GvtTestQmp {
  GSocket *sock;
  GString *in;
};

/* The next line QEMU sends, parsed as an object. */
static JsonObject *
qmp_read (GvtTestQmp *q)
{
  for (;;)
    {
      char *nl = memchr (q->in->str, '\n', q->in->len);
      if (nl != NULL)
        {
          g_autofree char *line = g_strndup (q->in->str, (gsize) (nl - q->in->str));
          g_string_erase (q->in, 0, nl - q->in->str + 1);
          g_autoptr (JsonParser) parser = json_parser_new ();
          g_autoptr (GError) error = NULL;
          if (!json_parser_load_from_data (parser, line, -1, &error))
            g_error ("QEMU sent \"%s\": %s", line, error->message);
          JsonNode *root = json_parser_get_root (parser);
          g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
          return json_object_ref (json_node_get_object (root));
        }
      char buf[4096];
      g_autoptr (GError) error = NULL;
      gssize n = g_socket_receive (q->sock, buf, sizeof buf, NULL, &error);
      g_assert_no_error (error);
      if (n == 0)
        g_error ("QEMU closed the QMP socket");
      g_string_append_len (q->in, buf, n);
    }
}

GvtTestQmp *
gvt_test_qmp_connect (const char *path)
{
  GvtTestQmp *q = g_new0 (GvtTestQmp, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);

  q->in = g_string_new (NULL);
  q->sock = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (q->sock, 20);
  g_assert_true (g_socket_connect (q->sock, address, NULL, &error));
  g_assert_no_error (error);
  g_autoptr (JsonObject) greeting = qmp_read (q);
  g_assert_true (json_object_has_member (greeting, "QMP"));
  json_node_unref (gvt_test_qmp_run (q, "{\"execute\": \"qmp_capabilities\"}"));
  return q;
}

void
gvt_test_qmp_free (GvtTestQmp *q)
{
  if (q == NULL)
    return;
  g_object_unref (q->sock);
  g_string_free (q->in, TRUE);
  g_free (q);
}

JsonNode *
gvt_test_qmp_run (GvtTestQmp *q, const char *json)
{
  g_autofree char *line = g_strconcat (json, "\n", NULL);
  g_autoptr (GError) error = NULL;
  gsize done = 0, len = strlen (line);

  while (done < len)
    {
      gssize n = g_socket_send (q->sock, line + done, len - done, NULL, &error);
      g_assert_no_error (error);
      done += (gsize) n;
    }
  for (;;)
    {
      g_autoptr (JsonObject) reply = qmp_read (q);
      if (json_object_has_member (reply, "event"))
        continue;
      if (!json_object_has_member (reply, "return"))
        {
          g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), reply);
          g_autofree char *text = json_to_string (node, FALSE);
          g_error ("%s failed: %s", json, text);
        }
      return json_node_copy (json_object_get_member (reply, "return"));
    }
}

void
gvt_test_qmp_screendump (GvtTestQmp *q, const char *path, const char *device)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "execute");
  json_builder_add_string_value (b, "screendump");
  json_builder_set_member_name (b, "arguments");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "filename");
  json_builder_add_string_value (b, path);
  json_builder_set_member_name (b, "device");
  json_builder_add_string_value (b, device);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "ppm");
  json_builder_end_object (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) command = json_builder_get_root (b);
  g_autofree char *text = json_to_string (command, FALSE);
  json_node_unref (gvt_test_qmp_run (q, text));
}
