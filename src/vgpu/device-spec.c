/* DEVICE as the user writes it: /dev/vfio/N, /dev/vfio/devices/vfioX, an
 * mdev UUID or sysfs path, qemu:PID or qemu:NAME, --fd N, or
 * sim[:WxH[:FOURCC]]. */
#include <string.h>

#include "device-spec.h"
#include "mdev.h"
#include "common/format.h"
#include "common/gvt-error.h"
#include "common/size.h"

/* What --fd takes, for every message that refuses a value. */
#define FD_RANGE_HELP "use a file descriptor number, 0 or more"

#define SIM_SPEC_HELP \
  "use sim, sim:WIDTHxHEIGHT or sim:WIDTHxHEIGHT:FOURCC with sizes from 1 to 16384 and a " \
  "DRM fourcc of 4 printable characters (e.g. sim:1920x1080, sim:640x480:YUYV)"

#define QEMU_SPEC_HELP \
  "use qemu:PID, the process id of a running QEMU, or qemu:NAME, the VM's name (QEMU's " \
  "-name, or the libvirt domain) without '/' or control characters"

/* Every form DEVICE takes, for the messages that refuse one. */
#define DEVICE_FORMS \
  "/dev/vfio/N, /dev/vfio/devices/vfioX, an mdev UUID, /sys/bus/mdev/devices/UUID, " \
  "qemu:PID, qemu:NAME, --fd N or sim"

void
gvt_device_spec_clear (GvtDeviceSpec *spec)
{
  g_clear_pointer (&spec->text, g_free);
  g_clear_pointer (&spec->qemu, g_free);
}

/* "qemu:PID" or "qemu:NAME". All digits is a PID (1 and up); anything else
 * is a name, which the qemu layer later looks up (in a pid file path among
 * others, hence no '/'). */
static gboolean
parse_qemu (const char *device, GvtDeviceSpec *spec, GError **error)
{
  if (device[4] != ':')
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "'%s' is not a device: did you mean qemu:PID or qemu:NAME?", device);
      return FALSE;
    }

  const char *what = device + 5;
  gboolean digits = *what != '\0';
  for (const char *p = what; *p; p++)
    digits = digits && g_ascii_isdigit (*p);

  if (digits)
    {
      guint64 pid;
      if (!g_ascii_string_to_unsigned (what, 10, 1, G_MAXINT, &pid, NULL))
        {
          g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                       "'%s' is not a QEMU: %s is no process id (they run from 1 to %d); "
                       QEMU_SPEC_HELP, device, what, G_MAXINT);
          return FALSE;
        }
      spec->pid = (int) pid;
    }
  else
    {
      gboolean ok = *what != '\0' && g_utf8_validate (what, -1, NULL);
      for (const char *p = what; ok && *p; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);
          ok = c != '/' && !g_unichar_iscntrl (c);
        }
      if (!ok)
        {
          g_autofree char *shown = g_strescape (device, NULL);
          g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                       "'%s' is not a QEMU: " QEMU_SPEC_HELP, shown);
          return FALSE;
        }
    }
  spec->qemu = g_strdup (what);
  return TRUE;
}

/* "sim", "sim:WxH" or "sim:WxH:FOURCC". FOURCC is any DRM fourcc, known to
 * gvt-view or not: how the tests get a guest plane the viewer must refuse. */
static gboolean
parse_sim (const char *device, GvtDeviceSpec *spec, GError **error)
{
  spec->width = GVT_SIM_DEFAULT_WIDTH;
  spec->height = GVT_SIM_DEFAULT_HEIGHT;
  spec->fourcc = GVT_FORMAT_XRGB8888;

  if (device[3] == '\0')
    return TRUE;
  if (device[3] != ':')
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "'%s' is not a device: did you mean sim, sim:WIDTHxHEIGHT or "
                   "sim:WIDTHxHEIGHT:FOURCC?", device);
      return FALSE;
    }

  g_autofree char *size = g_strdup (device + 4);
  char *colon = strchr (size, ':');
  if (colon != NULL)
    {
      const char *fcc = colon + 1;
      gsize n = 0;
      *colon = '\0';
      while (n < 4 && g_ascii_isprint (fcc[n]))
        n++;
      if (n != 4 || fcc[4] != '\0')
        {
          g_autofree char *shown = g_strescape (fcc, NULL);
          g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                       "'%s' is not a simulated device: FOURCC '%s' must be exactly 4 "
                       "printable characters, a DRM fourcc such as XR24, AR24 or YUYV",
                       device, shown);
          return FALSE;
        }
      spec->fourcc = GVT_FOURCC (fcc[0], fcc[1], fcc[2], fcc[3]);
    }
  if (!gvt_size_parse (size, &spec->width, &spec->height))
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "'%s' is not a simulated device: " SIM_SPEC_HELP, device);
      return FALSE;
    }
  return TRUE;
}

gboolean
gvt_device_spec_parse (const char *device, int fd, GvtDeviceSpec *spec, GError **error)
{
  *spec = (GvtDeviceSpec) { .fd = -1 };

  /* -1 is "no --fd"; anything below is a value that slipped past a
   * command's option parsing, and must not read as "not given". */
  if (fd < -1)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "--fd %d: " FD_RANGE_HELP, fd);
      return FALSE;
    }
  if (device != NULL && fd >= 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "give either DEVICE or --fd, not both");
      return FALSE;
    }
  if (device == NULL && fd >= 0)
    {
      spec->kind = GVT_DEVICE_FD;
      spec->fd = fd;
      spec->text = g_strdup_printf ("--fd %d", fd);
      return TRUE;
    }
  if (device == NULL || *device == '\0')
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "no DEVICE given: name one (/dev/vfio/N, an mdev UUID, qemu:PID, "
                   "qemu:NAME, sim) or pass --fd N; `gvt-view list` shows the vGPUs on "
                   "this host");
      return FALSE;
    }

  if (g_str_has_prefix (device, "sim"))
    {
      spec->kind = GVT_DEVICE_SIM;
      if (!parse_sim (device, spec, error))
        return FALSE;
    }
  else if (g_str_has_prefix (device, "qemu"))
    {
      spec->kind = GVT_DEVICE_QEMU;
      if (!parse_qemu (device, spec, error))
        return FALSE;
    }
  else if (g_str_has_prefix (device, "/dev/vfio/devices/"))
    spec->kind = GVT_DEVICE_CDEV;
  else if (g_str_has_prefix (device, "/dev/vfio/"))
    spec->kind = GVT_DEVICE_GROUP;
  else if (gvt_mdev_is_uuid (device) || g_str_has_prefix (device, "/sys/"))
    spec->kind = GVT_DEVICE_MDEV;
  else
    {
      g_autofree char *existing = gvt_mdev_describe_instances ();
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "'%s' is not a device gvt-view knows: give " DEVICE_FORMS "%s%s", device,
                   *existing ? "\nvGPUs on this host:\n" : " (`gvt-view list` shows the vGPUs)",
                   existing);
      return FALSE;
    }
  spec->text = g_strdup (device);
  return TRUE;
}
