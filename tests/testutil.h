/* Shared helpers for the test programs. */
#pragma once

#include <glib.h>

/* Re-executes the test under umockdev's preload library unless it is
 * already loaded; call first thing in main(). Don't ask
 * umockdev_in_mock_environment() before: it caches a wrong answer. In an
 * ASan build it adds verify_asan_link_order=0 to ASAN_OPTIONS (umockdev's
 * preload comes before ASan's runtime). */
void gvt_test_ensure_umockdev (int argc, char **argv);

/* Number of open file descriptors of this process (entries of /proc/self/fd
 * minus the one opened to read it). */
int gvt_test_count_fds (void);

/* The same, leaving out what umockdev creates and closes on its own
 * threads at times of its choosing — eventfds, sockets, pipes, /dev/null —
 * none of which gvt-view's device code makes: fake-kernel tests count the
 * rest, and ask the fake for the emulated nodes (which are sockets). */
int gvt_test_count_device_fds (void);

/* Lists this process' open fds and what they point at (as test messages),
 * to say which one leaked when a count is off. */
void gvt_test_dump_fds (void);

#ifdef GVT_VIEW_BIN
/* The command line "GVT_VIEW_BIN ARGS..." (@args NULL-terminated) as a
 * NULL-terminated argv for g_spawn_*: the strings are borrowed. */
GPtrArray *gvt_test_view_argv (const char *const *args);
#endif
