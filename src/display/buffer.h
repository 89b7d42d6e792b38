/* The memory behind a plane: a dma-buf fd, or a CPU mapping (region planes,
 * ramfb, CPU images). Refcounted; the last unref closes the fd and unmaps. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GvtBuffer GvtBuffer;

/* Takes ownership of @fd, a dma-buf of @size bytes: what the buffer really
 * has (gvt_dmabuf_get_size), never what the guest said, since @size is what
 * gvt_buffer_map maps. */
GvtBuffer *gvt_buffer_new_dmabuf (int fd, gsize size);

/* The bytes dma-buf @fd really has, as its exporter allocated them: the
 * dma-buf ABI's lseek (fd, 0, SEEK_END), then back to 0 (the only other
 * seek a dma-buf takes). FALSE with @error (GVT_ERROR_INVALID_PLANE) when
 * the fd can't say: every dma-buf can since Linux 3.12 (ESPIPE before), so
 * such an fd is not one, and nothing about its size can be trusted. */
gboolean gvt_dmabuf_get_size (int fd, guint64 *size, GError **error);

/* Wraps @size bytes at @data; @destroy(@data, @size) runs at the last unref
 * (munmap for mappings, g_free-like for heap copies). */
typedef void (*GvtBufferDestroy) (void *data, gsize size);
GvtBuffer *gvt_buffer_new_memory (void *data, gsize size, GvtBufferDestroy destroy);

GvtBuffer *gvt_buffer_ref (GvtBuffer *self);
void gvt_buffer_unref (GvtBuffer *self);

/* The dma-buf fd (borrowed), or -1 for memory buffers. */
int gvt_buffer_get_fd (GvtBuffer *self);
gsize gvt_buffer_get_size (GvtBuffer *self);

/* A read-only CPU view of the bytes: memory buffers directly, dma-bufs by a
 * lazy mmap of their size, kept until the last unref. NULL with an error
 * when the dma-buf can't be mapped (GVT-g buffers never can; mbochs only in
 * whole pages), or when it turns out smaller than its size (a mapping past
 * the end would fault on the first read instead). */
const guint8 *gvt_buffer_map (GvtBuffer *self, GError **error);

/* A process-unique number for this buffer, never reused: the key of the
 * renderer's texture cache. */
guint64 gvt_buffer_get_serial (GvtBuffer *self);

/* Release notification: @func (@buffer, @data) runs once, at the last
 * unref, before the fd is closed and the memory unmapped, so that whoever
 * made something of the buffer (an EGLImage holding the guest's pages) can
 * let go of it in the same tick. The buffer is still readable then but
 * must not be referenced again. Notifications run in the order they were
 * added. Returns an id (never 0) for gvt_buffer_remove_release_notify,
 * which a holder that goes first must call; once a notification has run,
 * its id is spent and must not be removed. Not thread-safe: add, remove
 * and the last unref happen on one thread (the main loop's). */
typedef void (*GvtBufferNotify) (GvtBuffer *buffer, gpointer data);
guint gvt_buffer_add_release_notify (GvtBuffer *self, GvtBufferNotify func, gpointer data);
void gvt_buffer_remove_release_notify (GvtBuffer *self, guint id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtBuffer, gvt_buffer_unref)

G_END_DECLS
