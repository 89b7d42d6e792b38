/* Shared helpers for the test programs. */
#pragma once

#include <glib.h>

/* Re-executes the test under umockdev's preload library unless it is
 * already loaded; call first thing in main(). Don't ask
 * umockdev_in_mock_environment() before: it caches a wrong answer. */
void gvt_test_ensure_umockdev (int argc, char **argv);

/* Number of open file descriptors of this process (entries of /proc/self/fd
 * minus the one opened to read it). */
int gvt_test_count_fds (void);
