/* The memory behind a plane: a dma-buf fd, or a CPU mapping (region planes,
 * ramfb, CPU images). Refcounted; the last unref closes the fd and unmaps. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GvtBuffer GvtBuffer;

/* Takes ownership of @fd (a dma-buf of @size bytes). */
GvtBuffer *gvt_buffer_new_dmabuf (int fd, gsize size);

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
 * lazy mmap kept until the last unref. NULL with an error when the dma-buf
 * can't be mapped (GVT-g buffers never can; mbochs only in whole pages). */
const guint8 *gvt_buffer_map (GvtBuffer *self, GError **error);

/* A process-unique number for this buffer, never reused: the key of the
 * renderer's texture cache. */
guint64 gvt_buffer_get_serial (GvtBuffer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtBuffer, gvt_buffer_unref)

G_END_DECLS
