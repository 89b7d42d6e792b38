/* A fresh umockdev testbed per test: the fixture the fake-sysfs tests
 * share (mdev discovery, the render node through libdrm). */
#pragma once

#include <umockdev.h>

typedef struct {
  UMockdevTestbed *tb;
  char *root;  /* the testbed's directory, where /sys and /dev are redirected */
} Fixture;

static inline void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->tb = umockdev_testbed_new ();
  f->root = umockdev_testbed_get_root_dir (f->tb);
}

static inline void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->tb);
  g_free (f->root);
}
