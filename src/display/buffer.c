/* GvtBuffer: one owner-counted handle on a plane's memory. */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "buffer.h"
#include "common/gvt-error.h"

struct _GvtBuffer {
  gatomicrefcount ref;
  int fd;                  /* dma-buf, or -1 */
  gsize size;
  void *data;              /* memory buffer, or the lazy dma-buf mapping */
  GvtBufferDestroy destroy;
  gboolean map_failed;     /* don't retry a failed mmap every frame */
  guint64 serial;
  GArray *notifies;        /* ReleaseNotify, or NULL while there are none */
  guint last_notify_id;
};

typedef struct {
  guint id;
  GvtBufferNotify func;
  gpointer data;
} ReleaseNotify;

static guint64
next_serial (void)
{
  static guint64 counter;
  /* Serials only need to be unique; 64 bits never wrap in practice. */
  return __atomic_add_fetch (&counter, 1, __ATOMIC_RELAXED);
}

GvtBuffer *
gvt_buffer_new_dmabuf (int fd, gsize size)
{
  g_return_val_if_fail (fd >= 0, NULL);
  GvtBuffer *self = g_new0 (GvtBuffer, 1);
  g_atomic_ref_count_init (&self->ref);
  self->fd = fd;
  self->size = size;
  self->serial = next_serial ();
  return self;
}

GvtBuffer *
gvt_buffer_new_memory (void *data, gsize size, GvtBufferDestroy destroy)
{
  g_return_val_if_fail (data != NULL, NULL);
  GvtBuffer *self = g_new0 (GvtBuffer, 1);
  g_atomic_ref_count_init (&self->ref);
  self->fd = -1;
  self->size = size;
  self->data = data;
  self->destroy = destroy;
  self->serial = next_serial ();
  return self;
}

GvtBuffer *
gvt_buffer_ref (GvtBuffer *self)
{
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
gvt_buffer_unref (GvtBuffer *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  /* One at a time off the front, so that a notification may still remove
   * one that has not run yet. */
  while (self->notifies != NULL && self->notifies->len > 0)
    {
      ReleaseNotify n = g_array_index (self->notifies, ReleaseNotify, 0);
      g_array_remove_index (self->notifies, 0);
      n.func (self, n.data);
    }
  g_clear_pointer (&self->notifies, g_array_unref);
  if (self->fd >= 0)
    {
      if (self->data != NULL)
        munmap (self->data, self->size);
      close (self->fd);
    }
  else if (self->destroy != NULL)
    self->destroy (self->data, self->size);
  g_free (self);
}

int
gvt_buffer_get_fd (GvtBuffer *self)
{
  return self->fd;
}

gsize
gvt_buffer_get_size (GvtBuffer *self)
{
  return self->size;
}

guint64
gvt_buffer_get_serial (GvtBuffer *self)
{
  return self->serial;
}

guint
gvt_buffer_add_release_notify (GvtBuffer *self, GvtBufferNotify func, gpointer data)
{
  g_return_val_if_fail (func != NULL, 0);
  if (self->notifies == NULL)
    self->notifies = g_array_new (FALSE, FALSE, sizeof (ReleaseNotify));
  ReleaseNotify n = { .id = ++self->last_notify_id, .func = func, .data = data };
  g_array_append_val (self->notifies, n);
  return n.id;
}

void
gvt_buffer_remove_release_notify (GvtBuffer *self, guint id)
{
  for (guint i = 0; self->notifies != NULL && i < self->notifies->len; i++)
    if (g_array_index (self->notifies, ReleaseNotify, i).id == id)
      {
        g_array_remove_index (self->notifies, i);
        return;
      }
  g_critical ("%s: buffer %" G_GUINT64_FORMAT " has no release notification %u",
              G_STRFUNC, self->serial, id);
}

gboolean
gvt_dmabuf_get_size (int fd, guint64 *size, GError **error)
{
  off_t end = lseek (fd, 0, SEEK_END);
  if (end < 0)
    {
      int saved = errno;
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_PLANE,
                   "its dma-buf can't tell its size (lseek: %s), which every dma-buf "
                   "can: it is not one", g_strerror (saved));
      return FALSE;
    }
  /* Where the next reader expects it; a dma-buf refuses only other seeks. */
  (void) lseek (fd, 0, SEEK_SET);
  *size = (guint64) end;
  return TRUE;
}

const guint8 *
gvt_buffer_map (GvtBuffer *self, GError **error)
{
  if (self->data != NULL)
    return self->data;

  if (self->fd < 0 || self->map_failed || self->size == 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "this buffer has no CPU mapping");
      return NULL;
    }

  /* mmap past the end of a file succeeds and faults (SIGBUS) on the first
   * read there: a buffer recorded bigger than it is must not get that far.
   * A file that can't seek can't be mapped either; mmap says why. */
  guint64 real = 0;
  if (gvt_dmabuf_get_size (self->fd, &real, NULL) && real < self->size)
    {
      self->map_failed = TRUE;
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_PLANE,
                   "the dma-buf has %" G_GUINT64_FORMAT " bytes, not the %" G_GSIZE_FORMAT
                   " expected: not mapping past its end", real, self->size);
      return NULL;
    }

  void *data = mmap (NULL, self->size, PROT_READ, MAP_SHARED, self->fd, 0);
  if (data == MAP_FAILED)
    {
      int saved = errno;
      self->map_failed = TRUE;
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "the dma-buf can't be mapped by the CPU (%s)%s", g_strerror (saved),
                   (self->size & 4095) != 0
                     ? ": its size is not a whole number of pages"
                     : ": the exporter (GVT-g, pristine mbochs) forbids CPU access");
      return NULL;
    }
  self->data = data;
  return self->data;
}
