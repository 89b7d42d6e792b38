/* Shared helpers for the test programs. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/* Re-executes the test under umockdev's preload library unless it is
 * already loaded; call first thing in main(). Don't ask
 * umockdev_in_mock_environment() before: it caches a wrong answer. In an
 * ASan build it adds verify_asan_link_order=0 to ASAN_OPTIONS (umockdev's
 * preload comes before ASan's runtime). */
void gvt_test_ensure_umockdev (int argc, char **argv);

/* Number of open file descriptors of this process (entries of /proc/self/fd
 * minus the one opened to read it). */
int gvt_test_count_fds (void);

/* The fd count once it is @expected, or after @timeout_ms if it never gets
 * there. GLib's worker thread gives back what it held for a task a moment
 * after the task returned (g_subprocess_wait's private context, its
 * wakeup fd): a leak stays, that doesn't. */
int gvt_test_settled_fds (int expected, guint timeout_ms);

/* The same, leaving out what umockdev creates and closes on its own
 * threads at times of its choosing — eventfds, sockets, pipes, /dev/null —
 * none of which gvt-view's device code makes: fake-kernel tests count the
 * rest, and ask the fake for the emulated nodes (which are sockets). */
int gvt_test_count_device_fds (void);

/* GLib opens fds of its own the first time, and keeps them: the default
 * main context's wakeup, and another at the first GSocketClient
 * connection. A test that counts fds around sockets calls this first. */
void gvt_test_warm_up_glib (void);

/* Lists this process' open fds and what they point at (as test messages),
 * to say which one leaked when a count is off. */
void gvt_test_dump_fds (void);

/* --- a real QEMU for the qemu suite's C tests --- */

/* Spawns @argv (found in PATH) with stdout to /dev/null and stderr into
 * the file @stderr_path (created; NULL: the test's own), unreaped (the
 * caller waits), and killed with the test even when an assertion aborts
 * it (PR_SET_PDEATHSIG). Asserts that it started. */
GPid gvt_test_spawn_qemu (const char *const *argv, const char *stderr_path);

/* Waits (10 s) until the UNIX socket @path takes a connection: QEMU makes
 * a socket's file a moment before it listens (a connect and close is
 * nothing to QMP). FALSE, with @pid's exit said, when QEMU died first. */
gboolean gvt_test_wait_listening (const char *path, GPid pid);

/* The full path of @program, which tests/deps.sh installs (from Debian's
 * @package): missing, the test fails saying so — never skips. g_free(). */
char *gvt_test_require_program (const char *program, const char *package);

/* SIGKILL and reap @pid (0: nothing). */
void gvt_test_kill (GPid pid);

/* A blocking QMP client for QEMU's socket at @path, with 20 s timeouts:
 * connected, greeted ("QMP") and out of capabilities negotiation, or the
 * test fails. */
typedef struct _GvtTestQmp GvtTestQmp;
GvtTestQmp *gvt_test_qmp_connect (const char *path);
void gvt_test_qmp_free (GvtTestQmp *q);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtTestQmp, gvt_test_qmp_free)

/* Runs the command @json (its events on the way skipped) and returns its
 * "return" member (json_node_unref() it); an error reply fails the test. */
JsonNode *gvt_test_qmp_run (GvtTestQmp *q, const char *json);

/* QMP screendump of @device into @path, as PPM. */
void gvt_test_qmp_screendump (GvtTestQmp *q, const char *path, const char *device);

#ifdef GVT_VIEW_BIN
/* The command line "GVT_VIEW_BIN ARGS..." (@args NULL-terminated) as a
 * NULL-terminated argv for g_spawn_*: the strings are borrowed. */
GPtrArray *gvt_test_view_argv (const char *const *args);
#endif

/* Records what G_LOG_DOMAIN logs at message, info and debug level into
 * @messages ("M text" for messages, "D text" for the rest) and passes it on
 * to the default handler; warnings are the tests' to expect
 * (g_test_expect_message sees them before any handler). Returns the
 * handler's id, for g_log_remove_handler. */
guint gvt_test_record_messages (GPtrArray *messages);
