/* The one error domain of gvt-view and its codes. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GVT_ERROR (gvt_error_quark ())
GQuark gvt_error_quark (void);

typedef enum {
  GVT_ERROR_FAILED,        /* anything without a better code */
  GVT_ERROR_INVALID_ARGS,  /* the user's words are off (bad DEVICE spec, option) */
  GVT_ERROR_NO_DEVICE,     /* no such group / device / UUID */
  GVT_ERROR_PERMISSION,    /* EACCES/EPERM opening the device */
  GVT_ERROR_BUSY,          /* another process (QEMU) holds the vGPU */
  GVT_ERROR_NEEDS_VM,      /* GVT-g: ESRCH, the vGPU has no KVM association */
  GVT_ERROR_NOT_VIABLE,    /* the IOMMU group is not viable */
  GVT_ERROR_NO_DISPLAY,    /* the device has no display (ENOTTY on the probe) */
  GVT_ERROR_UNSUPPORTED,   /* a feature is absent: drives fallbacks and skips */
  GVT_ERROR_INVALID_PLANE, /* the guest described a plane we refuse to use */
  GVT_ERROR_LOST,          /* ENODEV/EIO: the device went away */
  GVT_ERROR_PROTOCOL,      /* a peer (QMP, a screendump file) broke its format */
  GVT_ERROR_TIMED_OUT,     /* a peer did not answer in time */
  GVT_ERROR_QMP,           /* QEMU answered a command with an error */
} GvtErrorCode;

G_END_DECLS
