/* The buffer type: its release notifications (what importers use to let
 * go of a buffer the moment its last holder does). */
#include <fcntl.h>
#include <sys/mman.h>
#include <string.h>
#include <unistd.h>

#include "display/buffer.h"

/* A memfd "dma-buf" of @size bytes. */
static GvtBuffer *
memfd_buffer (gsize size)
{
  int fd = memfd_create ("gvt-test-buffer", MFD_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) size), ==, 0);
  return gvt_buffer_new_dmabuf (fd, size);
}

typedef struct {
  GString *log;        /* one letter per notification, in order */
  int fd;              /* the buffer's fd, checked open when notified */
  gboolean destroyed;  /* the memory buffer's destroy ran */
  GvtBuffer *buffer;
  guint remove_id;     /* removed by notification 'a' when not 0 */
} NotifyLog;

static void
notify_a (GvtBuffer *buffer, gpointer data)
{
  NotifyLog *log = data;
  g_assert_true (buffer == log->buffer);
  /* Before the fd closes and the memory goes: an importer can still let
   * go of what it made of them. */
  if (log->fd >= 0)
    g_assert_cmpint (fcntl (log->fd, F_GETFD), !=, -1);
  g_assert_false (log->destroyed);
  g_string_append_c (log->log, 'a');
  if (log->remove_id != 0)
    gvt_buffer_remove_release_notify (buffer, log->remove_id);
}

static void
notify_b (GvtBuffer *buffer, gpointer data)
{
  NotifyLog *log = data;
  g_string_append_c (log->log, 'b');
}

static void
note_destroyed (void *data, gsize size)
{
  NotifyLog *log = *(NotifyLog **) data;
  log->destroyed = TRUE;
  g_free (data);
}

static void
test_notify_last_unref (void)
{
  NotifyLog log = { .log = g_string_new (NULL), .fd = -1 };
  NotifyLog **cell = g_new (NotifyLog *, 1);
  *cell = &log;
  log.buffer = gvt_buffer_new_memory (cell, sizeof *cell, note_destroyed);

  guint a = gvt_buffer_add_release_notify (log.buffer, notify_a, &log);
  guint b = gvt_buffer_add_release_notify (log.buffer, notify_b, &log);
  g_assert_cmpuint (a, !=, 0);
  g_assert_cmpuint (b, !=, 0);
  g_assert_cmpuint (a, !=, b);

  gvt_buffer_ref (log.buffer);
  gvt_buffer_unref (log.buffer);
  g_assert_cmpstr (log.log->str, ==, "");
  gvt_buffer_unref (log.buffer);
  /* Each once, in the order added, then the memory went. */
  g_assert_cmpstr (log.log->str, ==, "ab");
  g_assert_true (log.destroyed);
  g_string_free (log.log, TRUE);
}

static void
test_notify_removed (void)
{
  NotifyLog log = { .log = g_string_new (NULL), .fd = -1 };
  log.buffer = memfd_buffer (4096);
  log.fd = gvt_buffer_get_fd (log.buffer);

  guint a = gvt_buffer_add_release_notify (log.buffer, notify_a, &log);
  guint b = gvt_buffer_add_release_notify (log.buffer, notify_b, &log);
  guint b2 = gvt_buffer_add_release_notify (log.buffer, notify_b, &log);
  gvt_buffer_remove_release_notify (log.buffer, b);
  /* One still to run may be removed by another as it runs. */
  log.remove_id = b2;
  gvt_buffer_unref (log.buffer);
  g_assert_cmpstr (log.log->str, ==, "a");
  g_assert_cmpint (fcntl (log.fd, F_GETFD), ==, -1);

  /* Added and removed again: never runs. */
  g_string_truncate (log.log, 0);
  log.buffer = memfd_buffer (4096);
  log.fd = gvt_buffer_get_fd (log.buffer);
  log.remove_id = 0;
  a = gvt_buffer_add_release_notify (log.buffer, notify_a, &log);
  gvt_buffer_remove_release_notify (log.buffer, a);
  gvt_buffer_unref (log.buffer);
  g_assert_cmpstr (log.log->str, ==, "");
  g_string_free (log.log, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/display/buffer/notify-at-last-unref", test_notify_last_unref);
  g_test_add_func ("/display/buffer/notify-removed", test_notify_removed);
  return g_test_run ();
}
