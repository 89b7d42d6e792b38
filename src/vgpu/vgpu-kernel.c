/* placeholder: the kernel backend */
#include "vgpu-kernel.h"
#include "../gvt-error.h"
GvtVgpu *gvt_vgpu_kernel_open_group (const char *p, const char *n, GError **e)
{ g_set_error (e, GVT_ERROR, GVT_ERROR_UNSUPPORTED, "not yet"); return NULL; }
GvtVgpu *gvt_vgpu_kernel_open_cdev (const char *p, GError **e)
{ g_set_error (e, GVT_ERROR, GVT_ERROR_UNSUPPORTED, "not yet"); return NULL; }
GvtVgpu *gvt_vgpu_kernel_open_fd (int fd, GError **e)
{ g_set_error (e, GVT_ERROR, GVT_ERROR_UNSUPPORTED, "not yet"); return NULL; }
