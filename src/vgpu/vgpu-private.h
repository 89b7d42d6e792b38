/* The backend side of GvtVgpu: the ops table each implementation fills. */
#pragma once

#include "vgpu.h"

G_BEGIN_DECLS

/* Every op is called only through the gvt_vgpu_* wrappers, from the thread
 * that owns the handle, and follows their return conventions. An op a
 * backend lacks is NULL and reads as -ENOTTY. */
typedef struct {
  const char *backend;
  int    (*get_device_info) (GvtVgpu *self, struct vfio_device_info *info);
  int    (*get_region_info) (GvtVgpu *self, guint32 index, GvtRegionInfo *info);
  gssize (*region_read)     (GvtVgpu *self, guint32 index, guint64 offset,
                             void *buf, gsize len);
  gssize (*region_write)    (GvtVgpu *self, guint32 index, guint64 offset,
                             const void *buf, gsize len);
  int    (*region_mmap)     (GvtVgpu *self, guint32 index, guint64 offset,
                             gsize len, int prot, void **out);
  int    (*query_plane)     (GvtVgpu *self, struct vfio_device_gfx_plane_info *info);
  /* Must return an fd with FD_CLOEXEC already set. */
  int    (*get_dmabuf)      (GvtVgpu *self, guint32 dmabuf_id);
  /* Releases the backend's own state; the base struct is freed after. */
  void   (*finalize)        (GvtVgpu *self);
} GvtVgpuOps;

/* Backends embed this first in their own struct. */
struct _GvtVgpu {
  const GvtVgpuOps *ops;
  char *name;
};

/* Allocates a zeroed backend struct of @size bytes with the base filled. */
gpointer gvt_vgpu_alloc (gsize size, const GvtVgpuOps *ops, const char *name);

G_END_DECLS
