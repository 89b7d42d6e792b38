/* EGL set-up: pick a display (headless or a window's), create the GLES
 * context, and resolve the capabilities once. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <gbm.h>

#include "egl.h"
#include "common/gvt-error.h"
#include "common/format.h"

/* EGL_EXT_device_drm_render_node, newer than libepoxy 1.5.10's tables. */
#ifndef EGL_DRM_RENDER_NODE_FILE_EXT
#define EGL_DRM_RENDER_NODE_FILE_EXT 0x3377
#endif

#define MAX_EGL_DEVICES 16

typedef struct {
  gboolean offered;      /* listed by eglQueryDmaBufFormatsEXT */
  GArray *modifiers;     /* guint64, not external-only */
  GArray *external_only; /* guint64, usable only as GL_TEXTURE_EXTERNAL_OES */
} FormatModifiers;

struct _GvtEgl {
  EGLDisplay display;
  EGLContext context;
  gboolean owns_display;
  struct gbm_device *gbm;
  int gbm_fd;
  GvtEglCaps caps;
  char *description;
  char *device_name;     /* "device /dev/dri/renderD128", "surfaceless", ... */
  GHashTable *formats;   /* fourcc -> FormatModifiers, filled lazily */
  GHashTable *failures;  /* "fourcc:modifier" -> ImportFailures (runtime, per pair) */
  guint injected_failures; /* test hook: image creations still to fail */
};

/* Runtime import failures of one fourcc/modifier pair since its last
 * success. */
typedef struct {
  GArray *serials;       /* guint64: the distinct buffers that failed */
  char *reason;          /* the last failure's */
  gboolean given_up;     /* GVT_EGL_IMPORT_GIVE_UP reached: refused for good */
} ImportFailures;

static gboolean
has_token (const char *list, const char *name)
{
  if (list == NULL)
    return FALSE;
  gsize len = strlen (name);
  for (const char *p = list; (p = strstr (p, name)) != NULL; p += len)
    if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
      return TRUE;
  return FALSE;
}

static void
format_modifiers_free (gpointer data)
{
  FormatModifiers *fm = data;
  g_array_unref (fm->modifiers);
  g_array_unref (fm->external_only);
  g_free (fm);
}

static void
import_failures_free (gpointer data)
{
  ImportFailures *f = data;
  g_array_unref (f->serials);
  g_free (f->reason);
  g_free (f);
}

static const char *
egl_error_string (EGLint code)
{
  switch (code)
    {
    case EGL_SUCCESS:             return "EGL_SUCCESS";
    case EGL_NOT_INITIALIZED:     return "EGL_NOT_INITIALIZED";
    case EGL_BAD_ACCESS:          return "EGL_BAD_ACCESS";
    case EGL_BAD_ALLOC:           return "EGL_BAD_ALLOC";
    case EGL_BAD_ATTRIBUTE:       return "EGL_BAD_ATTRIBUTE";
    case EGL_BAD_CONTEXT:         return "EGL_BAD_CONTEXT";
    case EGL_BAD_CONFIG:          return "EGL_BAD_CONFIG";
    case EGL_BAD_CURRENT_SURFACE: return "EGL_BAD_CURRENT_SURFACE";
    case EGL_BAD_DISPLAY:         return "EGL_BAD_DISPLAY";
    case EGL_BAD_SURFACE:         return "EGL_BAD_SURFACE";
    case EGL_BAD_MATCH:           return "EGL_BAD_MATCH";
    case EGL_BAD_PARAMETER:       return "EGL_BAD_PARAMETER";
    case EGL_BAD_NATIVE_PIXMAP:   return "EGL_BAD_NATIVE_PIXMAP";
    case EGL_BAD_NATIVE_WINDOW:   return "EGL_BAD_NATIVE_WINDOW";
    case EGL_CONTEXT_LOST:        return "EGL_CONTEXT_LOST";
    default:                      return "unknown EGL error";
    }
}

static void
egl_log (EGLenum error, const char *command, EGLint type, EGLLabelKHR thread,
         EGLLabelKHR object, const char *message)
{
  /* Import probes fail on purpose (unsupported modifiers), so EGL errors are
   * debug output; only what EGL itself calls critical is shown. */
  if (type == EGL_DEBUG_MSG_CRITICAL_KHR)
    g_message ("EGL: %s: %s (%s)", command, message, egl_error_string ((EGLint) error));
  else
    g_debug ("EGL: %s: %s (%s)", command, message, egl_error_string ((EGLint) error));
}

static void
install_debug_log (void)
{
  typedef EGLint (*DebugMessageControl) (EGLDEBUGPROCKHR callback, const EGLAttrib *attribs);
  DebugMessageControl control =
    (DebugMessageControl) eglGetProcAddress ("eglDebugMessageControlKHR");
  const EGLAttrib attribs[] = {
    EGL_DEBUG_MSG_CRITICAL_KHR, EGL_TRUE,
    EGL_DEBUG_MSG_ERROR_KHR, EGL_TRUE,
    EGL_DEBUG_MSG_WARN_KHR, EGL_TRUE,
    EGL_DEBUG_MSG_INFO_KHR, EGL_TRUE,
    EGL_NONE,
  };
  if (control != NULL)
    control (egl_log, attribs);
}

static void
resolve_client_caps (GvtEglCaps *caps)
{
  const char *client = eglQueryString (EGL_NO_DISPLAY, EGL_EXTENSIONS);
  caps->platform_device = has_token (client, "EGL_EXT_platform_device")
                          && has_token (client, "EGL_EXT_device_enumeration");
  caps->platform_surfaceless = has_token (client, "EGL_MESA_platform_surfaceless");
  caps->platform_gbm = has_token (client, "EGL_KHR_platform_gbm")
                       || has_token (client, "EGL_MESA_platform_gbm");
  caps->khr_debug = has_token (client, "EGL_KHR_debug");
}

void
gvt_egl_free (GvtEgl *self)
{
  if (self == NULL)
    return;
  if (self->display != EGL_NO_DISPLAY)
    {
      if (eglGetCurrentContext () == self->context)
        eglMakeCurrent (self->display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
      if (self->context != EGL_NO_CONTEXT)
        eglDestroyContext (self->display, self->context);
      if (self->owns_display)
        eglTerminate (self->display);
    }
  if (self->gbm != NULL)
    gbm_device_destroy (self->gbm);
  if (self->gbm_fd >= 0)
    close (self->gbm_fd);
  g_clear_pointer (&self->formats, g_hash_table_unref);
  g_clear_pointer (&self->failures, g_hash_table_unref);
  g_free (self->description);
  g_free (self->device_name);
  g_free (self);
}

static GvtEgl *
egl_alloc (void)
{
  GvtEgl *self = g_new0 (GvtEgl, 1);
  self->display = EGL_NO_DISPLAY;
  self->context = EGL_NO_CONTEXT;
  self->gbm_fd = -1;
  self->formats = g_hash_table_new_full (NULL, NULL, NULL, format_modifiers_free);
  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, import_failures_free);
  return self;
}

/* Two DRM nodes (card or render) are the same GPU when their sysfs device
 * directories are the same. */
static char *
drm_node_device (const char *node)
{
  struct stat st;
  if (node == NULL || stat (node, &st) != 0 || !S_ISCHR (st.st_mode))
    return NULL;
  g_autofree char *link = g_strdup_printf ("/sys/dev/char/%u:%u/device",
                                           major (st.st_rdev), minor (st.st_rdev));
  return realpath (link, NULL);
}

static const char *
device_node (EGLDeviceEXT device, gboolean *is_software)
{
  PFNEGLQUERYDEVICESTRINGEXTPROC query_string =
    (PFNEGLQUERYDEVICESTRINGEXTPROC) eglGetProcAddress ("eglQueryDeviceStringEXT");
  const char *exts = query_string ? query_string (device, EGL_EXTENSIONS) : NULL;
  *is_software = has_token (exts, "EGL_MESA_device_software");
  if (has_token (exts, "EGL_EXT_device_drm_render_node"))
    {
      const char *node = query_string (device, EGL_DRM_RENDER_NODE_FILE_EXT);
      if (node != NULL)
        return node;
    }
  if (has_token (exts, "EGL_EXT_device_drm"))
    return query_string (device, EGL_DRM_DEVICE_FILE_EXT);
  return NULL;
}

static gboolean
open_device_display (GvtEgl *self, const char *render_node, GError **error)
{
  PFNEGLQUERYDEVICESEXTPROC query_devices =
    (PFNEGLQUERYDEVICESEXTPROC) eglGetProcAddress ("eglQueryDevicesEXT");
  PFNEGLGETPLATFORMDISPLAYEXTPROC get_display =
    (PFNEGLGETPLATFORMDISPLAYEXTPROC) eglGetProcAddress ("eglGetPlatformDisplayEXT");
  EGLDeviceEXT devices[MAX_EGL_DEVICES];
  EGLint n = 0;

  if (!self->caps.platform_device || query_devices == NULL || get_display == NULL)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "EGL_EXT_platform_device is not available");
      return FALSE;
    }
  if (!query_devices (MAX_EGL_DEVICES, devices, &n) || n <= 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED, "EGL lists no devices");
      return FALSE;
    }

  g_autofree char *wanted = render_node ? drm_node_device (render_node) : NULL;
  if (render_node != NULL && wanted == NULL)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
                   "%s is not a DRM device node", render_node);
      return FALSE;
    }

  for (EGLint i = 0; i < n; i++)
    {
      gboolean software = FALSE;
      const char *node = device_node (devices[i], &software);
      if (wanted != NULL)
        {
          g_autofree char *dev = drm_node_device (node);
          if (dev == NULL || strcmp (dev, wanted) != 0)
            continue;
        }
      EGLDisplay display = get_display (EGL_PLATFORM_DEVICE_EXT, devices[i], NULL);
      EGLint major, minor;
      if (display == EGL_NO_DISPLAY)
        continue;
      /* A device listed may still not open (a render node the user has
       * no access to): the next one, and in the end the other platforms. */
      if (!eglInitialize (display, &major, &minor))
        {
          g_debug ("EGL device %s does not initialise (0x%04x): trying the next",
                   node ? node : "(no node)", eglGetError ());
          continue;
        }
      self->display = display;
      self->device_name = g_strdup_printf ("EGL device %s", node ? node : software ? "(software)" : "(no node)");
      return TRUE;
    }
  g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
               "no EGL device renders on %s", render_node ? render_node : "any node");
  return FALSE;
}

static gboolean
open_surfaceless_display (GvtEgl *self, GError **error)
{
  PFNEGLGETPLATFORMDISPLAYEXTPROC get_display =
    (PFNEGLGETPLATFORMDISPLAYEXTPROC) eglGetProcAddress ("eglGetPlatformDisplayEXT");
  if (!self->caps.platform_surfaceless || get_display == NULL)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "EGL_MESA_platform_surfaceless is not available");
      return FALSE;
    }
  self->display = get_display (EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
  if (self->display == EGL_NO_DISPLAY)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "the surfaceless EGL platform gave no display");
      return FALSE;
    }
  self->device_name = g_strdup ("surfaceless");
  return TRUE;
}

static gboolean
open_gbm_display (GvtEgl *self, const char *render_node, GError **error)
{
  PFNEGLGETPLATFORMDISPLAYEXTPROC get_display =
    (PFNEGLGETPLATFORMDISPLAYEXTPROC) eglGetProcAddress ("eglGetPlatformDisplayEXT");
  if (render_node == NULL)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "the GBM platform needs a render node");
      return FALSE;
    }
  if (!self->caps.platform_gbm || get_display == NULL)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "EGL_KHR_platform_gbm is not available");
      return FALSE;
    }
  self->gbm_fd = open (render_node, O_RDWR | O_CLOEXEC);
  if (self->gbm_fd < 0)
    {
      int saved = errno;
      g_set_error (error, GVT_ERROR,
                   saved == EACCES || saved == EPERM ? GVT_ERROR_PERMISSION : GVT_ERROR_NO_DEVICE,
                   "cannot open %s: %s%s", render_node, g_strerror (saved),
                   saved == EACCES ? " (add yourself to the 'render' group)" : "");
      return FALSE;
    }
  self->gbm = gbm_create_device (self->gbm_fd);
  if (self->gbm == NULL)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "GBM does not support %s", render_node);
      return FALSE;
    }
  self->display = get_display (EGL_PLATFORM_GBM_KHR, self->gbm, NULL);
  if (self->display == EGL_NO_DISPLAY)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "EGL gave no display for GBM on %s", render_node);
      return FALSE;
    }
  self->device_name = g_strdup_printf ("GBM %s", render_node);
  return TRUE;
}

static void
resolve_display_caps (GvtEgl *self)
{
  GvtEglCaps *caps = &self->caps;
  const char *exts = eglQueryString (self->display, EGL_EXTENSIONS);

  caps->image_base = has_token (exts, "EGL_KHR_image_base");
  caps->dmabuf_import = has_token (exts, "EGL_EXT_image_dma_buf_import");
  caps->dmabuf_modifiers = has_token (exts, "EGL_EXT_image_dma_buf_import_modifiers");
  caps->surfaceless_context = has_token (exts, "EGL_KHR_surfaceless_context");
  caps->no_config_context = has_token (exts, "EGL_KHR_no_config_context")
                            || has_token (exts, "EGL_MESA_configless_context");
}

/* After make_current: the GL side, and the procs that need both. */
static void
resolve_gl_caps (GvtEgl *self)
{
  GvtEglCaps *caps = &self->caps;
  int version = epoxy_gl_version ();

  caps->gles3 = !epoxy_is_desktop_gl () && version >= 30;
  caps->oes_egl_image = epoxy_has_gl_extension ("GL_OES_EGL_image");
  caps->unpack_subimage = caps->gles3 || epoxy_has_gl_extension ("GL_EXT_unpack_subimage");
  caps->texture_2101010 = caps->gles3;
  glGetIntegerv (GL_MAX_TEXTURE_SIZE, &caps->max_texture_size);

  if (caps->image_base)
    {
      caps->create_image = (GvtEglCreateImage) eglGetProcAddress ("eglCreateImageKHR");
      caps->destroy_image = (GvtEglDestroyImage) eglGetProcAddress ("eglDestroyImageKHR");
    }
  if (caps->oes_egl_image)
    caps->image_target_texture_2d =
      (GvtGlImageTargetTexture2D) eglGetProcAddress ("glEGLImageTargetTexture2DOES");
  if (caps->dmabuf_modifiers)
    {
      caps->query_dmabuf_formats =
        (GvtEglQueryDmaBufFormats) eglGetProcAddress ("eglQueryDmaBufFormatsEXT");
      caps->query_dmabuf_modifiers =
        (GvtEglQueryDmaBufModifiers) eglGetProcAddress ("eglQueryDmaBufModifiersEXT");
      if (caps->query_dmabuf_formats == NULL || caps->query_dmabuf_modifiers == NULL)
        caps->dmabuf_modifiers = FALSE;
    }
  /* Import is only usable end to end: EGL makes the image, GL samples it. */
  caps->dmabuf_import = caps->dmabuf_import && caps->create_image && caps->destroy_image
                        && caps->image_target_texture_2d;

  self->description = g_strdup_printf ("%s (%s, %s)%s", self->device_name,
                                       (const char *) glGetString (GL_RENDERER),
                                       (const char *) glGetString (GL_VERSION),
                                       caps->dmabuf_import
                                         ? (caps->dmabuf_modifiers ? ", dma-buf import with modifiers"
                                                                   : ", dma-buf import")
                                         : ", no dma-buf import");
}

static gboolean
create_context (GvtEgl *self, EGLConfig config, EGLSurface surface, GError **error)
{
  EGLint major = 0, minor = 0;

  if (!eglInitialize (self->display, &major, &minor))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "eglInitialize failed on %s: %s", self->device_name,
                   egl_error_string (eglGetError ()));
      return FALSE;
    }
  resolve_display_caps (self);

  if (!eglBindAPI (EGL_OPENGL_ES_API))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "%s has no OpenGL ES", self->device_name);
      return FALSE;
    }

  if (config == EGL_NO_CONFIG_KHR && !self->caps.no_config_context)
    {
      const EGLint attribs[] = { EGL_RENDERABLE_TYPE, EGL_OPENGL_ES2_BIT, EGL_NONE };
      EGLint n = 0;
      if (!eglChooseConfig (self->display, attribs, &config, 1, &n) || n < 1)
        {
          g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                       "%s has no OpenGL ES 2 config", self->device_name);
          return FALSE;
        }
    }

  /* GLES 3 for 2101010 uploads and row lengths; 2 still draws everything
   * else. */
  for (EGLint version = 3; version >= 2 && self->context == EGL_NO_CONTEXT; version--)
    {
      const EGLint attribs[] = { EGL_CONTEXT_CLIENT_VERSION, version, EGL_NONE };
      self->context = eglCreateContext (self->display, config, EGL_NO_CONTEXT, attribs);
    }
  if (self->context == EGL_NO_CONTEXT)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "cannot create an OpenGL ES context on %s: %s", self->device_name,
                   egl_error_string (eglGetError ()));
      return FALSE;
    }
  if (surface == EGL_NO_SURFACE && !self->caps.surfaceless_context)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "%s lacks EGL_KHR_surfaceless_context, needed to render headless",
                   self->device_name);
      return FALSE;
    }
  if (!gvt_egl_make_current (self, surface, error))
    return FALSE;
  resolve_gl_caps (self);
  g_debug ("%s", self->description);
  return TRUE;
}

GvtEgl *
gvt_egl_new_headless (const char *render_node, GError **error)
{
  g_autoptr (GvtEgl) self = egl_alloc ();
  const char *forced = g_getenv ("GVT_EGL_PLATFORM");
  g_autoptr (GError) device_error = NULL;
  g_autoptr (GError) other_error = NULL;
  gboolean opened = FALSE;

  self->owns_display = TRUE;
  resolve_client_caps (&self->caps);
  if (self->caps.khr_debug)
    install_debug_log ();

  if (forced != NULL && strcmp (forced, "device") != 0 && strcmp (forced, "surfaceless") != 0
      && strcmp (forced, "gbm") != 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "GVT_EGL_PLATFORM=%s: use device, surfaceless or gbm", forced);
      return NULL;
    }

  if (forced == NULL || strcmp (forced, "device") == 0)
    opened = open_device_display (self, render_node, &device_error);
  if (!opened && (forced == NULL || strcmp (forced, "surfaceless") == 0) && render_node == NULL)
    opened = open_surfaceless_display (self, &other_error);
  if (!opened && (forced == NULL || strcmp (forced, "gbm") == 0) && render_node != NULL)
    opened = open_gbm_display (self, render_node, &other_error);
  if (!opened)
    {
      GError *first = device_error ? device_error : other_error;
      g_set_error (error, GVT_ERROR, first ? first->code : GVT_ERROR_UNSUPPORTED,
                   "no headless EGL display%s%s: %s%s%s", render_node ? " on " : "",
                   render_node ? render_node : "",
                   device_error ? device_error->message : "",
                   device_error && other_error ? "; " : "",
                   other_error ? other_error->message : "");
      return NULL;
    }

  if (!create_context (self, EGL_NO_CONFIG_KHR, EGL_NO_SURFACE, error))
    return NULL;
  return g_steal_pointer (&self);
}

GvtEgl *
gvt_egl_new_for_display (EGLDisplay display, EGLConfig config, EGLSurface surface,
                         GError **error)
{
  g_autoptr (GvtEgl) self = egl_alloc ();

  g_return_val_if_fail (display != EGL_NO_DISPLAY, NULL);
  resolve_client_caps (&self->caps);
  if (self->caps.khr_debug)
    install_debug_log ();
  self->display = display;
  self->device_name = g_strdup ("window display");
  if (!create_context (self, config, surface, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
gvt_egl_make_current (GvtEgl *self, EGLSurface surface, GError **error)
{
  if (!eglMakeCurrent (self->display, surface, surface, self->context))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED, "eglMakeCurrent failed: %s",
                   egl_error_string (eglGetError ()));
      return FALSE;
    }
  return TRUE;
}

EGLDisplay gvt_egl_get_display (GvtEgl *self) { return self->display; }
EGLContext gvt_egl_get_context (GvtEgl *self) { return self->context; }
const GvtEglCaps *gvt_egl_get_caps (GvtEgl *self) { return &self->caps; }
const char *gvt_egl_describe (GvtEgl *self) { return self->description; }

static FormatModifiers *
query_format (GvtEgl *self, guint32 fourcc)
{
  FormatModifiers *fm = g_hash_table_lookup (self->formats, GUINT_TO_POINTER (fourcc));
  if (fm != NULL)
    return fm;

  fm = g_new0 (FormatModifiers, 1);
  fm->modifiers = g_array_new (FALSE, FALSE, sizeof (guint64));
  fm->external_only = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_hash_table_insert (self->formats, GUINT_TO_POINTER (fourcc), fm);

  EGLint n = 0;
  if (!self->caps.query_dmabuf_formats (self->display, 0, NULL, &n) || n <= 0)
    return fm;
  g_autofree EGLint *formats = g_new (EGLint, n);
  if (!self->caps.query_dmabuf_formats (self->display, n, formats, &n))
    return fm;
  for (EGLint i = 0; i < n; i++)
    fm->offered |= (guint32) formats[i] == fourcc;
  if (!fm->offered)
    return fm;

  EGLint m = 0;
  if (!self->caps.query_dmabuf_modifiers (self->display, (EGLint) fourcc, 0, NULL, NULL, &m)
      || m <= 0)
    return fm;
  /* Zeroed: a driver may leave external_only unwritten (valgrind caught
   * Mesa 25's llvmpipe doing so), which then reads as "not external". */
  g_autofree EGLuint64KHR *mods = g_new0 (EGLuint64KHR, m);
  g_autofree EGLBoolean *external = g_new0 (EGLBoolean, m);
  if (!self->caps.query_dmabuf_modifiers (self->display, (EGLint) fourcc, m, mods, external, &m))
    return fm;
  for (EGLint i = 0; i < m; i++)
    {
      guint64 mod = mods[i];
      g_array_append_val (external[i] ? fm->external_only : fm->modifiers, mod);
    }
  return fm;
}

static gboolean
array_has (GArray *array, guint64 value)
{
  for (guint i = 0; i < array->len; i++)
    if (g_array_index (array, guint64, i) == value)
      return TRUE;
  return FALSE;
}

static char *
failure_key (guint32 fourcc, guint64 modifier)
{
  return g_strdup_printf ("%08x:%016" G_GINT64_MODIFIER "x", fourcc, modifier);
}

gboolean
gvt_egl_check_importable (GvtEgl *self, guint32 fourcc, guint64 modifier, GError **error)
{
  char fcc[5], mod[GVT_MODIFIER_NAME_MAX];
  const GvtEglCaps *caps = &self->caps;

  gvt_fourcc_to_string (fourcc, fcc);
  gvt_modifier_to_string (modifier, mod);

  if (!caps->dmabuf_import)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "%s %s dma-bufs are not importable on this EGL device (%s): "
                   "EGL_EXT_image_dma_buf_import or GL_OES_EGL_image is missing",
                   mod, fcc, self->description);
      return FALSE;
    }

  g_autofree char *key = failure_key (fourcc, modifier);
  ImportFailures *failures = g_hash_table_lookup (self->failures, key);
  if (failures != NULL && failures->given_up)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "%s %s dma-bufs are not importable on this EGL device: import failed on "
                   "%u buffers in a row (last: %s)", mod, fcc, failures->serials->len,
                   failures->reason);
      return FALSE;
    }

  if (!caps->dmabuf_modifiers)
    {
      /* Without the modifiers extension EGL can only be told "the layout
       * the driver picks", which for the buffers we see is linear. */
      if (modifier == GVT_MOD_LINEAR || modifier == GVT_MOD_INVALID)
        return TRUE;
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "%s %s dma-bufs are not importable on this EGL device (%s): "
                   "it lacks EGL_EXT_image_dma_buf_import_modifiers", mod, fcc,
                   self->description);
      return FALSE;
    }

  FormatModifiers *fm = query_format (self, fourcc);
  if (!fm->offered)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
                   "%s dma-bufs are not importable on this EGL device (%s): "
                   "it does not offer the format", fcc, self->description);
      return FALSE;
    }
  if (modifier == GVT_MOD_INVALID || array_has (fm->modifiers, modifier))
    return TRUE;
  /* Mesa flags every llvmpipe modifier external-only, yet binds them to
   * GL_TEXTURE_2D fine: try, and let the first-use check decide. */
  if (array_has (fm->external_only, modifier))
    return TRUE;
  /* An empty list means "implicit layouts only": linear is what those are
   * for a buffer a vGPU exports without a modifier. */
  if (fm->modifiers->len == 0 && fm->external_only->len == 0 && modifier == GVT_MOD_LINEAR)
    return TRUE;

  g_autoptr (GString) offered = g_string_new (NULL);
  GArray *lists[] = { fm->modifiers, fm->external_only };
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        char buf[GVT_MODIFIER_NAME_MAX];
        g_string_append_printf (offered, "%s%s", offered->len ? ", " : "",
                                gvt_modifier_to_string (g_array_index (lists[l], guint64, i),
                                                        buf));
      }
  g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED,
               "%s %s dma-bufs are not importable on this EGL device (%s): it offers %s",
               mod, fcc, self->description,
               offered->len ? offered->str : "no explicit modifiers");
  return FALSE;
}

EGLImageKHR
gvt_egl_create_dmabuf_image (GvtEgl *self, const EGLint *attribs, GError **error)
{
  EGLint code;
  EGLImageKHR image = EGL_NO_IMAGE_KHR;

  g_return_val_if_fail (self->caps.dmabuf_import, EGL_NO_IMAGE_KHR);
  if (self->injected_failures > 0)
    {
      self->injected_failures--;
      code = EGL_BAD_ALLOC;
    }
  else
    {
      image = self->caps.create_image (self->display, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT,
                                       NULL, attribs);
      code = image == EGL_NO_IMAGE_KHR ? eglGetError () : EGL_SUCCESS;
    }
  if (image == EGL_NO_IMAGE_KHR)
    g_set_error (error, GVT_ERROR, GVT_ERROR_UNSUPPORTED, "eglCreateImage failed: %s (0x%04x)",
                 egl_error_string (code), (guint) code);
  return image;
}

gboolean
gvt_egl_note_import_failure (GvtEgl *self, guint32 fourcc, guint64 modifier, guint64 serial,
                             const char *reason)
{
  g_autofree char *key = failure_key (fourcc, modifier);
  ImportFailures *f = g_hash_table_lookup (self->failures, key);

  if (f == NULL)
    {
      f = g_new0 (ImportFailures, 1);
      f->serials = g_array_new (FALSE, FALSE, sizeof (guint64));
      g_hash_table_insert (self->failures, g_steal_pointer (&key), f);
    }
  g_free (f->reason);
  f->reason = g_strdup (reason);
  if (f->given_up)
    return FALSE;
  /* The same buffer failing again (another geometry of it) says nothing
   * new about the pair. */
  for (guint i = 0; i < f->serials->len; i++)
    if (g_array_index (f->serials, guint64, i) == serial)
      return FALSE;
  g_array_append_val (f->serials, serial);
  if (f->serials->len < GVT_EGL_IMPORT_GIVE_UP)
    return FALSE;

  char fcc[5], mod[GVT_MODIFIER_NAME_MAX];
  f->given_up = TRUE;
  g_message ("dma-buf import failed for %u different %s %s buffers in a row (last: %s): not "
             "trying that format again until the device is reopened; its buffers are uploaded "
             "from now on where the CPU can map them (GVT-g's can't)",
             f->serials->len, gvt_modifier_to_string (modifier, mod),
             gvt_fourcc_to_string (fourcc, fcc),
             reason);
  return TRUE;
}

gboolean
gvt_egl_is_given_up (GvtEgl *self, guint32 fourcc, guint64 modifier)
{
  g_autofree char *key = failure_key (fourcc, modifier);
  ImportFailures *f = g_hash_table_lookup (self->failures, key);
  return f != NULL && f->given_up;
}

void
gvt_egl_note_import_success (GvtEgl *self, guint32 fourcc, guint64 modifier)
{
  g_autofree char *key = failure_key (fourcc, modifier);
  ImportFailures *f = g_hash_table_lookup (self->failures, key);

  if (f != NULL && !f->given_up)
    g_hash_table_remove (self->failures, key);
}

void
gvt_egl_reset_import_failures (GvtEgl *self)
{
  g_hash_table_remove_all (self->failures);
}

guint
gvt_egl_inject_import_failures (GvtEgl *self, guint n)
{
  self->injected_failures += n;
  return self->injected_failures;
}
