/* The session tests' fixture (session-fixture.h). */
#include <string.h>

#include "session-fixture.h"
#include "testutil.h"
#include "common/format.h"

void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->fake = gvt_fake_kernel_new (data);
  f->fds = gvt_test_count_device_fds ();
  f->messages = g_ptr_array_new_with_free_func (g_free);
  f->handler = gvt_test_record_messages (f->messages);
}

void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->session, gvt_session_free);
  g_log_remove_handler (G_LOG_DOMAIN, f->handler);
  g_assert_cmpint (gvt_fake_settle_fds (f->fds), ==, f->fds);
  g_clear_pointer (&f->fake, gvt_fake_kernel_free);
  g_ptr_array_unref (f->messages);
  /* Nothing of a session outlives it on the main context. */
  g_assert_false (g_main_context_pending (NULL));
}

guint
count_said (Fixture *f, char level, const char *text)
{
  guint n = 0;

  for (guint i = 0; i < f->messages->len; i++)
    {
      const char *line = g_ptr_array_index (f->messages, i);
      if (line[0] == level && strstr (line + 2, text) != NULL)
        n++;
    }
  return n;
}

void
set_primary (Fixture *f, guint32 width, guint32 height, guint32 id)
{
  struct vfio_device_gfx_plane_info plane = gvt_fake_plane (GVT_FORMAT_XRGB8888, width, height, id);
  gvt_fake_kernel_set_primary (f->fake, &plane);
}

GvtSourceChange
poll_at (Fixture *f, gint64 now_us)
{
  f->now = now_us;
  GvtSourceChange change = gvt_session_poll (f->session, now_us);
  if (change & GVT_SOURCE_LOST)
    f->losses++;
  return change;
}
