/* `gvt-view doctor`'s checks. Each is one function that looks at one thing
 * and adds one result (a few add one per instance); the order of
 * gvt_doctor_run() is the order a user fixes things in: the GPU, the
 * kernel, the vGPUs, access, memory, rendering, QEMU, then the device and
 * the VM named. Everything read is untrusted text: bounded reads, strict
 * numbers, escaped when shown. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <drm_fourcc.h>

#include "doctor.h"
#include "common/format.h"
#include "common/gvt-error.h"
#include "common/size.h"
#include "display/device.h"
#include "display/plane.h"
#include "display/scanout.h"
#include "qemu/qemu-cmdline.h"
#include "qemu/qemu-process.h"
#include "render/egl.h"
#include "vgpu/edid.h"
#include "vgpu/mdev.h"
#include "vgpu/render-node.h"

#define PCI_DEVICES_DIR "/sys/bus/pci/devices"
#define SMALL_FILE_MAX 4096
#define GIB (G_GUINT64_CONSTANT (1) << 30)
/* The guest a memory-lock limit is judged against when no VM is named. */
#define TYPICAL_GUEST_RAM (4 * GIB)

/* Whom the access checks are about: this process (its effective ids). */
typedef struct {
  guint32 uid;
  guint32 gid;
  GArray *groups; /* guint32 */
} Creds;

typedef struct {
  const GvtDoctorHost *host;
  GPtrArray *checks;
  Creds creds;
  GvtMdevListing *mdev;     /* NULL when sysfs could not be read */
  char *intel_gpu;          /* "0000:00:02.0" of the first Intel display GPU, or NULL */
  gboolean intel_gvt_capable;
  gboolean gvt_types;       /* an i915 parent lists mdev types */
  gboolean other_parents;   /* mdev parents that are not i915 (mbochs, mdpy, ...) */
} Doctor;

const char *
gvt_doctor_status_to_string (GvtDoctorStatus status)
{
  switch (status)
    {
    case GVT_DOCTOR_OK: return "ok";
    case GVT_DOCTOR_WARN: return "warn";
    case GVT_DOCTOR_FAIL: return "fail";
    case GVT_DOCTOR_SKIP: return "skip";
    }
  return "fail";
}

static void
check_free (gpointer data)
{
  GvtDoctorCheck *c = data;
  g_free (c->id);
  g_free (c->summary);
  g_free (c->fix);
  g_free (c);
}

G_GNUC_PRINTF (4, 5) static void
add (Doctor *d, const char *id, GvtDoctorStatus status, const char *format, ...)
{
  GvtDoctorCheck *c = g_new0 (GvtDoctorCheck, 1);
  va_list ap;

  va_start (ap, format);
  c->id = g_strdup (id);
  c->status = status;
  c->summary = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_ptr_array_add (d->checks, c);
}

/* The fix of the check added last. */
G_GNUC_PRINTF (2, 3) static void
fix (Doctor *d, const char *format, ...)
{
  GvtDoctorCheck *c = d->checks->pdata[d->checks->len - 1];
  va_list ap;

  va_start (ap, format);
  g_free (c->fix);
  c->fix = g_strdup_vprintf (format, ap);
  va_end (ap);
}

const GvtDoctorCheck *
gvt_doctor_find (GPtrArray *checks, const char *id)
{
  for (guint i = 0; checks != NULL && i < checks->len; i++)
    {
      const GvtDoctorCheck *c = checks->pdata[i];
      if (strcmp (c->id, id) == 0)
        return c;
    }
  return NULL;
}

/* --- reading the host --- */

/* A small text file, trailing whitespace cut; NULL when absent, unreadable,
 * too long or not UTF-8. */
static char *
read_small (const char *path)
{
  g_autofree char *text = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &text, &len, NULL) || len > SMALL_FILE_MAX
      || !g_utf8_validate (text, len, NULL) || strlen (text) != len)
    return NULL;
  return g_strchomp (g_steal_pointer (&text));
}

/* @rel ("cmdline", "PID/exe") under the host's /proc. */
static char *
proc_path (Doctor *d, const char *rel)
{
  return g_build_filename (d->host->proc_root ? d->host->proc_root : "/proc", rel, NULL);
}

static char *
read_proc (Doctor *d, const char *rel)
{
  g_autofree char *path = proc_path (d, rel);
  return read_small (path);
}

/* "0x8086" (sysfs' vendor/device/class form) as a number; -1 otherwise. */
static gint64
read_hex (const char *path)
{
  g_autofree char *text = read_small (path);
  guint64 value;

  if (text == NULL || !g_str_has_prefix (text, "0x") || strlen (text) > 10
      || !g_ascii_string_to_unsigned (text + 2, 16, 0, G_MAXUINT32, &value, NULL))
    return -1;
  return (gint64) value;
}

static gboolean
module_loaded (Doctor *d, const char *name)
{
  g_autofree char *sys = g_build_filename ("/sys/module", name, NULL);
  if (g_file_test (sys, G_FILE_TEST_IS_DIR))
    return TRUE;
  g_autofree char *modules = read_proc (d, "modules");
  g_autofree char *needle = g_strdup_printf ("%s ", name);
  if (modules == NULL)
    return FALSE;
  g_auto (GStrv) lines = g_strsplit (modules, "\n", -1);
  for (char **l = lines; *l; l++)
    if (g_str_has_prefix (*l, needle))
      return TRUE;
  return FALSE;
}

/* This process' effective uid, gid and groups from /proc/self's status
 * (under proc_root: tests give another user's); the syscalls' answer when
 * the file says nothing usable. */
static void
read_creds (Doctor *d)
{
  Creds *c = &d->creds;
  g_autofree char *rel = g_strdup_printf ("%d/status", (int) getpid ());
  g_autofree char *status = read_proc (d, rel);

  c->uid = geteuid ();
  c->gid = getegid ();
  c->groups = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_auto (GStrv) lines = status ? g_strsplit (status, "\n", -1) : g_new0 (char *, 1);
  for (char **l = lines; *l; l++)
    {
      gboolean uid = g_str_has_prefix (*l, "Uid:"), gid = g_str_has_prefix (*l, "Gid:");
      gboolean groups = g_str_has_prefix (*l, "Groups:");
      if (!uid && !gid && !groups)
        continue;
      g_auto (GStrv) fields = g_strsplit_set (strchr (*l, ':') + 1, " \t", -1);
      int n = 0;
      for (char **f = fields; *f; f++)
        {
          guint64 v;
          if (**f == '\0' || !g_ascii_string_to_unsigned (*f, 10, 0, G_MAXUINT32, &v, NULL))
            continue;
          guint32 id = (guint32) v;
          /* Uid:/Gid: real, effective, saved, fs: the effective is the second. */
          if (groups)
            g_array_append_val (c->groups, id);
          else if (++n == 2)
            *(uid ? &c->uid : &c->gid) = id;
        }
    }
}

static gboolean
creds_in_group (const Creds *c, guint32 gid)
{
  if (c->gid == gid)
    return TRUE;
  for (guint i = 0; i < c->groups->len; i++)
    if (g_array_index (c->groups, guint32, i) == gid)
      return TRUE;
  return FALSE;
}

/* Whether @c may open @path read-write, from its mode bits (no ACLs); errno
 * of stat() in @err when it can't be looked at. */
static gboolean
may_open_rw (const Creds *c, const char *path, struct stat *st, int *err)
{
  *err = 0;
  if (stat (path, st) != 0)
    {
      *err = errno;
      return FALSE;
    }
  if (c->uid == 0)
    return TRUE;
  mode_t m = st->st_mode;
  if (st->st_uid == c->uid)
    return (m & (S_IRUSR | S_IWUSR)) == (S_IRUSR | S_IWUSR);
  if (creds_in_group (c, st->st_gid))
    return (m & (S_IRGRP | S_IWGRP)) == (S_IRGRP | S_IWGRP);
  return (m & (S_IROTH | S_IWOTH)) == (S_IROTH | S_IWOTH);
}

/* --- the GPU --- */

/* Intel graphics by PCI device id: from the id lists of the kernel's
 * include/drm/intel/pciids.h (i915_pciids.h before 6.11), grouped by the
 * id's high byte where a platform owns it. GVT-g exists for Broadwell,
 * Skylake, Kaby Lake, Broxton, Coffee Lake and Comet Lake (i915's
 * intel_gvt.c, is_supported_device). */
typedef struct {
  guint16 mask, value;
  const char *platform;
  const char *gen;
  gboolean gvt;
} IntelPlatform;

static const IntelPlatform intel_platforms[] = {
  /* Exact ids first: they sit in other platforms' high bytes. */
  { 0xffff, 0x0a84, "Broxton", "9", TRUE },
  { 0xfffe, 0x1a84, "Broxton", "9", TRUE },
  { 0xfffe, 0x5a84, "Apollo Lake", "9", TRUE },
  { 0xfffe, 0x3184, "Gemini Lake", "9", FALSE },
  { 0xffff, 0x87c0, "Amber Lake", "9.5", TRUE },
  { 0xffff, 0x87ca, "Amber Lake", "9.5", TRUE },
  { 0xff00, 0x0100, "Sandy Bridge or Ivy Bridge", "6-7", FALSE },
  { 0xff00, 0x0400, "Haswell", "7.5", FALSE },
  { 0xff00, 0x0a00, "Haswell", "7.5", FALSE },
  { 0xff00, 0x0c00, "Haswell", "7.5", FALSE },
  { 0xff00, 0x0d00, "Haswell", "7.5", FALSE },
  { 0xff00, 0x0f00, "Valleyview", "7", FALSE },
  { 0xff00, 0x1600, "Broadwell", "8", TRUE },
  { 0xff00, 0x2200, "Cherryview", "8", FALSE },
  { 0xff00, 0x1900, "Skylake", "9", TRUE },
  { 0xff00, 0x5900, "Kaby Lake", "9.5", TRUE },
  { 0xff00, 0x3e00, "Coffee Lake", "9.5", TRUE },
  { 0xff00, 0x9b00, "Comet Lake", "9.5", TRUE },
  { 0xff00, 0x8a00, "Ice Lake", "11", FALSE },
  { 0xff00, 0x4500, "Elkhart Lake", "11", FALSE },
  { 0xff00, 0x4e00, "Jasper Lake", "11", FALSE },
  { 0xff00, 0x9a00, "Tiger Lake", "12", FALSE },
  { 0xff00, 0x4c00, "Rocket Lake", "12", FALSE },
  { 0xff00, 0x4600, "Alder Lake", "12", FALSE },
  { 0xff00, 0xa700, "Raptor Lake", "12", FALSE },
  { 0xff00, 0x4900, "DG1", "12", FALSE },
  { 0xff00, 0x5600, "Arc (DG2)", "12.5", FALSE },
  { 0xff00, 0x7d00, "Meteor Lake or Arrow Lake", "12.7", FALSE },
  { 0xff00, 0x6400, "Lunar Lake", "20", FALSE },
  { 0xff00, 0xe200, "Battlemage", "20", FALSE },
  { 0xff00, 0xb000, "Panther Lake", "30", FALSE },
};

static const IntelPlatform *
intel_platform (guint16 device)
{
  for (gsize i = 0; i < G_N_ELEMENTS (intel_platforms); i++)
    if ((device & intel_platforms[i].mask) == intel_platforms[i].value)
      return &intel_platforms[i];
  return NULL;
}

/* The first "model name" of /proc/cpuinfo, escaped, or NULL. */
static char *
cpu_model (Doctor *d)
{
  g_autofree char *path = proc_path (d, "cpuinfo");
  g_autofree char *text = NULL;

  /* cpuinfo is one block per CPU: the first one's lines are enough. */
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  g_auto (GStrv) lines = g_strsplit (text, "\n", 64);
  for (char **l = lines; *l; l++)
    if (g_str_has_prefix (*l, "model name") && strchr (*l, ':'))
      {
        g_autofree char *model = g_strstrip (g_strdup (strchr (*l, ':') + 1));
        if (*model == '\0' || strlen (model) > 96 || !g_utf8_validate (model, -1, NULL))
          return NULL;
        return g_strescape (model, NULL);
      }
  return NULL;
}

static gboolean
parent_is_i915 (const GvtMdevParent *p)
{
  return p->driver != NULL && strcmp (p->driver, "i915") == 0;
}

static void
check_gpu (Doctor *d)
{
  g_autoptr (GDir) dir = g_dir_open (PCI_DEVICES_DIR, 0, NULL);
  g_autofree char *boot_vga_other = NULL;
  const char *name;
  gint64 intel_id = -1;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *base = g_build_filename (PCI_DEVICES_DIR, name, NULL);
      g_autofree char *class_path = g_build_filename (base, "class", NULL);
      g_autofree char *vendor_path = g_build_filename (base, "vendor", NULL);
      g_autofree char *device_path = g_build_filename (base, "device", NULL);
      g_autofree char *boot_path = g_build_filename (base, "boot_vga", NULL);
      gint64 klass = read_hex (class_path), vendor = read_hex (vendor_path);
      if (klass < 0 || (klass >> 16) != 0x03 || vendor < 0)
        continue;
      g_autofree char *boot_vga = read_small (boot_path);
      if (vendor == 0x8086 && d->intel_gpu == NULL)
        {
          d->intel_gpu = g_strdup (name);
          intel_id = read_hex (device_path);
        }
      else if (vendor != 0x8086 && g_strcmp0 (boot_vga, "1") == 0)
        boot_vga_other = g_strdup_printf ("%s (vendor %04x)", name, (guint) vendor);
    }

  if (d->intel_gpu == NULL)
    {
      if (d->other_parents)
        add (d, "gpu", GVT_DOCTOR_SKIP,
             "no Intel GPU, so no GVT-g; this host has other mediated display devices "
             "(the kernel's samples or another driver's), and the checks below are for them");
      else
        {
          add (d, "gpu", GVT_DOCTOR_FAIL,
               "no Intel GPU: GVT-g needs an Intel GPU of 5th to 10th generation Core "
               "processors (Broadwell to Comet Lake)");
          fix (d, "# without one, the kernel's sample display devices show what gvt-view does:\n"
                  "sudo modprobe mbochs && echo $(uuidgen) | sudo tee "
                  "/sys/class/mdev_bus/mbochs/mdev_supported_types/mbochs-small/create");
        }
      return;
    }

  const IntelPlatform *p = intel_id >= 0 ? intel_platform ((guint16) intel_id) : NULL;
  if (p == NULL)
    add (d, "gpu", GVT_DOCTOR_WARN,
         "Intel GPU %s (device %04x) is not one gvt-view knows; GVT-g works if i915 lists "
         "mdev types for it (below)", d->intel_gpu, (guint) MAX (intel_id, 0));
  else if (p->gvt)
    {
      d->intel_gvt_capable = TRUE;
      add (d, "gpu", GVT_DOCTOR_OK, "Intel GPU %s (device %04x): %s, gen %s, has GVT-g",
           d->intel_gpu, (guint) intel_id, p->platform, p->gen);
    }
  else if (g_ascii_strtod (p->gen, NULL) >= 11)
    add (d, "gpu", GVT_DOCTOR_FAIL,
         "Intel GPU %s (device %04x): %s, gen %s, has no GVT-g (it ends with gen 9.5, Comet "
         "Lake); gen 12 and later GPUs share themselves by SR-IOV virtual functions instead, "
         "which are PCI devices for vfio-pci, not mediated devices", d->intel_gpu,
         (guint) intel_id, p->platform, p->gen);
  else
    add (d, "gpu", GVT_DOCTOR_FAIL,
         "Intel GPU %s (device %04x): %s, gen %s, is older than GVT-g (which starts with "
         "gen 8, Broadwell)", d->intel_gpu, (guint) intel_id, p->platform, p->gen);

  g_autofree char *cpu = cpu_model (d);
  GvtDoctorCheck *gpu = d->checks->pdata[d->checks->len - 1];
  if (cpu != NULL)
    {
      char *summary = g_strdup_printf ("%s (CPU: %s)", gpu->summary, cpu);
      g_free (gpu->summary);
      gpu->summary = summary;
    }

  if (boot_vga_other != NULL)
    {
      add (d, "primary-gpu", GVT_DOCTOR_WARN,
           "the boot display GPU is %s, not the Intel one: a vGPU's buffers import only on "
           "the Intel GPU, so a window on a desktop another GPU draws costs a copy or fails",
           boot_vga_other);
      fix (d, "# run the desktop on the Intel GPU (a monitor on its outputs, or the firmware's "
              "primary display set to the iGPU), or use `gvt-view snapshot`");
    }
}

/* --- the kernel --- */

static void
check_gvt_enabled (Doctor *d)
{
  if (d->intel_gpu == NULL)
    {
      add (d, "gvt-enabled", GVT_DOCTOR_SKIP, "no Intel GPU");
      return;
    }
  if (!g_file_test ("/sys/module/i915", G_FILE_TEST_IS_DIR))
    {
      add (d, "gvt-enabled", GVT_DOCTOR_FAIL, "i915 is not loaded: the Intel GPU has no driver");
      fix (d, "sudo modprobe i915");
      return;
    }
  g_autofree char *value = read_small ("/sys/module/i915/parameters/enable_gvt");
  if (value == NULL)
    add (d, "gvt-enabled", GVT_DOCTOR_FAIL,
         "i915 has no enable_gvt parameter: this kernel was built without GVT-g "
         "(CONFIG_DRM_I915_GVT, CONFIG_DRM_I915_GVT_KVMGT)");
  else if (strcmp (value, "Y") == 0 || strcmp (value, "1") == 0)
    add (d, "gvt-enabled", GVT_DOCTOR_OK, "i915.enable_gvt is on");
  else
    {
      g_autofree char *shown = g_strescape (value, NULL);
      add (d, "gvt-enabled", GVT_DOCTOR_FAIL, "i915.enable_gvt is off ('%s')", shown);
      fix (d, "echo 'options i915 enable_gvt=1' | sudo tee /etc/modprobe.d/i915-gvt.conf\n"
              "sudo update-initramfs -u && sudo reboot");
    }
}

static void
check_module (Doctor *d, const char *id, const char *const *names, const char *what,
              gboolean needed)
{
  for (const char *const *n = names; *n; n++)
    if (module_loaded (d, *n))
      {
        add (d, id, GVT_DOCTOR_OK, "%s is loaded (%s)", names[0], what);
        return;
      }
  if (!needed)
    {
      add (d, id, GVT_DOCTOR_SKIP, "%s is not loaded, and not needed here (%s)", names[0], what);
      return;
    }
  add (d, id, GVT_DOCTOR_FAIL, "%s is not loaded (%s)", names[0], what);
  fix (d, "sudo modprobe %s\necho %s | sudo tee /etc/modules-load.d/%s.conf", names[0],
       names[0], names[0]);
}

static void
check_modules (Doctor *d)
{
  static const char *const kvmgt[] = { "kvmgt", NULL };
  /* Linux >= 5.16: "mdev"; before: "mdev" with "vfio_mdev" on top. */
  static const char *const mdev[] = { "mdev", "vfio_mdev", NULL };
  static const char *const type1[] = { "vfio_iommu_type1", NULL };
  check_module (d, "module-kvmgt", kvmgt, "GVT-g's link to KVM and VFIO",
                d->intel_gvt_capable || d->gvt_types);
  gboolean vgpus = d->intel_gpu != NULL || d->other_parents || d->gvt_types;

  check_module (d, "module-mdev", mdev, "the mediated device bus", vgpus);
  check_module (d, "module-vfio-iommu-type1", type1, "the VFIO container QEMU and gvt-view use",
                vgpus);
}

static void
check_iommu (Doctor *d)
{
  g_autoptr (GDir) dir = g_dir_open ("/sys/class/iommu", 0, NULL);
  const char *first = dir ? g_dir_read_name (dir) : NULL;
  g_autofree char *cmdline = read_proc (d, "cmdline");

  if (first != NULL)
    add (d, "iommu", GVT_DOCTOR_OK, "the IOMMU is on (%s)", first);
  else if (d->intel_gpu == NULL)
    add (d, "iommu", GVT_DOCTOR_SKIP, "no IOMMU; mediated devices of other drivers need none");
  else
    {
      add (d, "iommu", GVT_DOCTOR_WARN,
           "no IOMMU is on%s: VFIO on an Intel host usually runs with intel_iommu=on",
           cmdline && strstr (cmdline, "intel_iommu=off") ? " (intel_iommu=off on the kernel "
                                                            "command line)" : "");
      fix (d, "# add intel_iommu=on to GRUB_CMDLINE_LINUX in /etc/default/grub, then:\n"
              "sudo update-grub && sudo reboot");
    }
}

/* --- the vGPUs --- */

/* The fix that makes a vGPU of @type on @parent, now and at every boot. */
static void
fix_create (Doctor *d, const char *parent, const char *type)
{
  fix (d, "u=$(uuidgen)\n"
          "sudo mdevctl start -u $u -p %s -t %s\n"
          "sudo mdevctl define -u $u --auto    # and at every boot\n"
          "# (mdevctl: sudo apt-get install mdevctl)", parent, type);
}

static void
check_types (Doctor *d)
{
  if (d->mdev == NULL)
    {
      add (d, "mdev-types", GVT_DOCTOR_FAIL, "cannot read /sys/class/mdev_bus");
      return;
    }
  guint n_types = 0;
  const GvtMdevParent *room_parent = NULL;
  const GvtMdevType *room_type = NULL;
  GString *seen = g_string_new (NULL);
  for (guint i = 0; i < d->mdev->parents->len; i++)
    {
      const GvtMdevParent *p = d->mdev->parents->pdata[i];
      for (guint j = 0; j < p->types->len; j++, n_types++)
        {
          const GvtMdevType *t = p->types->pdata[j];
          if (t->available > 0 && room_type == NULL)
            room_parent = p, room_type = t;
          g_string_append_printf (seen, "%s%s %s (%d free)", seen->len ? ", " : "", p->name,
                                  t->id, t->available);
        }
    }
  if (n_types == 0)
    {
      add (d, "mdev-types", GVT_DOCTOR_FAIL, "no device offers mediated device types%s",
           d->intel_gpu ? ": i915 lists them only with GVT-g enabled and kvmgt loaded" : "");
      g_string_free (seen, TRUE);
      return;
    }
  if (room_type != NULL)
    {
      add (d, "mdev-types", GVT_DOCTOR_OK, "mdev types: %s", seen->str);
      if (d->mdev->instances->len == 0)
        fix_create (d, room_parent->name, room_type->id);
    }
  else
    {
      add (d, "mdev-types", GVT_DOCTOR_WARN,
           "mdev types: %s — none has room for another instance (remove one, or pick a "
           "smaller type)", seen->str);
      fix (d, "mdevctl list    # then: sudo mdevctl stop -u UUID");
    }
  g_string_free (seen, TRUE);
}

static void
check_instances (Doctor *d)
{
  if (d->mdev == NULL)
    return;
  if (d->mdev->instances->len == 0)
    {
      const GvtMdevParent *p = d->mdev->parents->len ? d->mdev->parents->pdata[0] : NULL;
      const GvtMdevType *t = p && p->types->len ? p->types->pdata[0] : NULL;
      if (t == NULL)
        {
          add (d, "mdev-instances", GVT_DOCTOR_SKIP, "no vGPU, and no type to make one of");
          return;
        }
      add (d, "mdev-instances", GVT_DOCTOR_FAIL, "no vGPU (mdev instance) exists");
      fix_create (d, p->name, t->id);
      return;
    }
  GString *seen = g_string_new (NULL);
  gboolean unbound = FALSE;
  for (guint i = 0; i < d->mdev->instances->len; i++)
    {
      const GvtMdevInstance *m = d->mdev->instances->pdata[i];
      if (m->iommu_group >= 0)
        g_string_append_printf (seen, "%s%s (%s) in /dev/vfio/%d", seen->len ? ", " : "",
                                m->uuid, m->type ? m->type : "?", m->iommu_group);
      else
        {
          unbound = TRUE;
          g_string_append_printf (seen, "%s%s (%s) with no IOMMU group", seen->len ? ", " : "",
                                  m->uuid, m->type ? m->type : "?");
        }
    }
  if (unbound)
    {
      add (d, "mdev-instances", GVT_DOCTOR_WARN,
           "vGPUs: %s — one without a group is not bound to VFIO", seen->str);
      fix (d, "sudo modprobe kvmgt vfio_iommu_type1 mdev");
    }
  else
    add (d, "mdev-instances", GVT_DOCTOR_OK, "vGPUs: %s", seen->str);
  g_string_free (seen, TRUE);
}

/* --- access --- */

static void
check_access (Doctor *d)
{
  struct stat st;
  int err;

  if (!may_open_rw (&d->creds, "/dev/vfio/vfio", &st, &err))
    {
      if (err == ENOENT)
        {
          add (d, "vfio-access", GVT_DOCTOR_FAIL, "/dev/vfio/vfio does not exist: vfio is "
               "not loaded");
          fix (d, "sudo modprobe vfio");
        }
      else
        {
          add (d, "vfio-access", GVT_DOCTOR_FAIL,
               "/dev/vfio/vfio: %s (mode %03o, group %u)",
               err ? g_strerror (err) : "no read-write access for this user",
               (guint) (st.st_mode & 0777), (guint) st.st_gid);
          fix (d, "sudo chmod 0666 /dev/vfio/vfio    # Debian's default");
        }
      return;
    }
  GString *denied = g_string_new (NULL);
  guint groups = 0;
  for (guint i = 0; d->mdev != NULL && i < d->mdev->instances->len; i++)
    {
      const GvtMdevInstance *m = d->mdev->instances->pdata[i];
      if (m->iommu_group < 0)
        continue;
      g_autofree char *node = g_strdup_printf ("/dev/vfio/%d", m->iommu_group);
      groups++;
      if (!may_open_rw (&d->creds, node, &st, &err))
        g_string_append_printf (denied, "%s%s (%s)", denied->len ? ", " : "", node,
                                err ? g_strerror (err)
                                    : "owner and group root, no access for this user");
    }
  if (denied->len > 0)
    {
      add (d, "vfio-access", GVT_DOCTOR_FAIL, "this user (uid %u) cannot open %s",
           d->creds.uid, denied->str);
      fix (d, "sudo cp /usr/share/doc/gvt-view/examples/90-gvt-view-vfio.rules /etc/udev/rules.d/\n"
              "sudo udevadm control --reload && sudo udevadm trigger --subsystem-match=vfio\n"
              "sudo usermod -aG kvm $USER    # then log in again");
    }
  else
    add (d, "vfio-access", GVT_DOCTOR_OK, "/dev/vfio/vfio and %u vGPU group%s open read-write "
         "for this user", groups, groups == 1 ? "" : "s");
  g_string_free (denied, TRUE);
}

static void
check_ptrace (Doctor *d)
{
  g_autofree char *scope = read_proc (d, "sys/kernel/yama/ptrace_scope");
  gboolean root = d->creds.uid == 0;
  const char *persist = "echo kernel.yama.ptrace_scope=0 | sudo tee /etc/sysctl.d/10-gvt-view.conf"
                        " && sudo sysctl --system";

  if (scope == NULL)
    add (d, "ptrace", GVT_DOCTOR_OK,
         "no Yama: `gvt-view attach` may take the device of a QEMU of the same user");
  else if (strcmp (scope, "0") == 0)
    add (d, "ptrace", GVT_DOCTOR_OK,
         "kernel.yama.ptrace_scope is 0: `gvt-view attach` may take the device of a QEMU of the "
         "same user");
  else if ((strcmp (scope, "1") == 0 || strcmp (scope, "2") == 0) && root)
    add (d, "ptrace", GVT_DOCTOR_OK, "kernel.yama.ptrace_scope is %s; as root `gvt-view attach` "
         "works", scope);
  else if (strcmp (scope, "1") == 0)
    {
      add (d, "ptrace", GVT_DOCTOR_WARN,
           "kernel.yama.ptrace_scope is 1: `gvt-view attach` works only as root; `gvt-view run` "
           "(QEMU as its child) works");
      fix (d, "%s", persist);
    }
  else if (strcmp (scope, "2") == 0)
    {
      add (d, "ptrace", GVT_DOCTOR_WARN,
           "kernel.yama.ptrace_scope is 2: `gvt-view attach` and `run` work only as root");
      fix (d, "%s", persist);
    }
  else
    {
      g_autofree char *shown = g_strescape (scope, NULL);
      add (d, "ptrace", GVT_DOCTOR_FAIL,
           "kernel.yama.ptrace_scope is '%s': no process may take another's device fd, so "
           "`gvt-view attach` and `run` can't work until a reboot with a lower scope", shown);
    }
}

/* --- memory --- */

static void
check_memlock (Doctor *d, int pid, guint64 ram_bytes, const char *whose)
{
  guint64 soft = 0, hard = 0;
  gboolean ipc_lock = FALSE;
  g_autoptr (GError) error = NULL;

  if (!gvt_qemu_process_memlock (pid, d->host->proc_root, &soft, &hard, &error))
    {
      add (d, "memlock", GVT_DOCTOR_WARN, "cannot read the memory-lock limit of %s: %s", whose,
           error->message);
      return;
    }
  if (gvt_qemu_process_has_ipc_lock (pid, d->host->proc_root, &ipc_lock, NULL) && ipc_lock)
    {
      add (d, "memlock", GVT_DOCTOR_OK, "%s has CAP_IPC_LOCK: no memory-lock limit applies",
           whose);
      return;
    }
  g_autofree char *advice = gvt_qemu_memlock_advice (soft, ram_bytes);
  g_autofree char *limit = soft == G_MAXUINT64 ? g_strdup ("unlimited")
                                               : gvt_size_format_bytes (soft);
  g_autofree char *ram = gvt_size_format_bytes (ram_bytes);
  g_autofree char *needed = gvt_size_format_bytes (gvt_qemu_memlock_required (ram_bytes));
  if (advice == NULL)
    add (d, "memlock", GVT_DOCTOR_OK,
         "the memory-lock limit of %s (%s) covers a guest of %s with a vGPU", whose, limit, ram);
  else
    {
      add (d, "memlock", GVT_DOCTOR_WARN,
           "the memory-lock limit of %s is %s: a guest of %s with a vGPU needs %s; below it the VM "
           "freezes at high resolutions (\"RLIMIT_MEMLOCK exceeded\")", whose, limit, ram,
           needed);
      fix (d, "%s", advice);
    }
}

/* --- rendering --- */

/* The render node of the vGPUs' parent GPU; NULL (and the check said so)
 * when there is none to use. */
static char *
check_render_node (Doctor *d)
{
  if (!d->intel_gvt_capable && !d->gvt_types)
    {
      add (d, "render-node", GVT_DOCTOR_SKIP,
           "no GVT-g: the planes of other mediated devices render on any GPU");
      return NULL;
    }
  g_autofree char *node = NULL;
  for (guint i = 0; d->mdev != NULL && i < d->mdev->instances->len && node == NULL; i++)
    {
      const GvtMdevInstance *m = d->mdev->instances->pdata[i];
      node = gvt_render_node_for_device ("/", m->uuid);
    }
  if (node == NULL && d->intel_gpu != NULL)
    {
      /* No instance yet: the GPU itself. */
      GvtPciAddress a;
      drmDevicePtr devices[64];
      int n = gvt_pci_address_parse (d->intel_gpu, &a) ? drmGetDevices2 (0, devices, 64) : 0;
      if (n > 0)
        {
          node = gvt_render_node_match (devices, n, &a);
          drmFreeDevices (devices, n);
        }
    }
  if (node == NULL)
    {
      const char *gpu = d->intel_gpu;
      for (guint i = 0; gpu == NULL && d->mdev != NULL && i < d->mdev->parents->len; i++)
        if (parent_is_i915 (d->mdev->parents->pdata[i]))
          gpu = ((GvtMdevParent *) d->mdev->parents->pdata[i])->name;
      add (d, "render-node", GVT_DOCTOR_FAIL,
           "the Intel GPU %s has no DRM render node: i915 is not driving it", gpu);
      fix (d, "sudo modprobe i915");
      return NULL;
    }
  struct stat st;
  int err;
  if (!may_open_rw (&d->creds, node, &st, &err))
    {
      add (d, "render-node", GVT_DOCTOR_FAIL, "%s (the Intel GPU's render node): %s", node,
           err ? g_strerror (err) : "no read-write access for this user");
      fix (d, "sudo usermod -aG render $USER    # then log in again");
      return NULL;
    }
  add (d, "render-node", GVT_DOCTOR_OK, "%s, the Intel GPU's render node, opens read-write",
       node);
  return g_steal_pointer (&node);
}

static void
check_egl (Doctor *d, const char *node)
{
  gboolean gvt = node != NULL;
  g_autoptr (GError) error = NULL;

  if (!d->host->egl)
    return;
  if (!gvt && !d->other_parents)
    {
      add (d, "egl-import", GVT_DOCTOR_SKIP, "no vGPU to render (no render node to try)");
      return;
    }
  g_autoptr (GvtEgl) egl = gvt_egl_new_headless (node, &error);
  if (egl == NULL)
    {
      add (d, "egl-import", GVT_DOCTOR_FAIL, "no EGL on %s: %s", node ? node : "any device",
           error->message);
      fix (d, "sudo apt-get install libegl-mesa0 libgl1-mesa-dri");
      return;
    }
  const GvtEglCaps *caps = gvt_egl_get_caps (egl);
  if (!caps->dmabuf_import && gvt)
    {
      add (d, "egl-import", GVT_DOCTOR_FAIL, "%s: no dma-buf import "
           "(EGL_EXT_image_dma_buf_import), and GVT-g's buffers can't be copied instead",
           gvt_egl_describe (egl));
      fix (d, "sudo apt-get install libegl-mesa0 libgl1-mesa-dri    # Mesa's iris/i965");
      return;
    }
  if (!caps->dmabuf_import)
    {
      add (d, "egl-import", GVT_DOCTOR_WARN, "%s: no dma-buf import "
           "(EGL_EXT_image_dma_buf_import): gvt-view copies each frame of these devices "
           "(their buffers can be mapped)", gvt_egl_describe (egl));
      return;
    }
  /* What GVT-g scans out: linear, X- and Y-tiled XRGB8888. The samples: linear. */
  static const guint64 modifiers[] = { DRM_FORMAT_MOD_LINEAR, I915_FORMAT_MOD_X_TILED,
                                       I915_FORMAT_MOD_Y_TILED };
  GString *missing = g_string_new (NULL);
  for (guint i = 0; i < (gvt ? G_N_ELEMENTS (modifiers) : 1); i++)
    {
      g_autoptr (GError) local = NULL;
      if (!gvt_egl_check_importable (egl, DRM_FORMAT_XRGB8888, modifiers[i], &local))
        g_string_append_printf (missing, "%s%s", missing->len ? "; " : "", local->message);
    }
  if (missing->len == 0)
    add (d, "egl-import", GVT_DOCTOR_OK, "%s imports XRGB8888 dma-bufs%s", gvt_egl_describe (egl),
         gvt ? " linear, X- and Y-tiled" : " (linear, what these devices use)");
  else
    add (d, "egl-import", GVT_DOCTOR_FAIL, "%s", missing->str);
  g_string_free (missing, TRUE);
}

/* --- QEMU --- */

/* "7.2.11" from `QEMU emulator version 7.2.11 (Debian ...)`. */
static gboolean
parse_qemu_version (const char *text, guint *major, guint *minor, char **version)
{
  const char *p = text ? strstr (text, "version ") : NULL;
  if (p == NULL)
    return FALSE;
  p += strlen ("version ");
  gsize n = strspn (p, "0123456789.");
  if (n == 0 || n > 16)
    return FALSE;
  *version = g_strndup (p, n);
  *major = (guint) g_ascii_strtoull (p, NULL, 10);
  const char *dot = strchr (*version, '.');
  *minor = dot ? (guint) g_ascii_strtoull (dot + 1, NULL, 10) : 0;
  return TRUE;
}

static void
check_qemu_binary (Doctor *d, const char *binary)
{
  g_autofree char *found = binary ? g_strdup (binary) : g_find_program_in_path ("qemu-system-x86_64");
  g_autofree char *out = NULL;
  g_autofree char *version = NULL;
  guint major = 0, minor = 0;
  int wait_status = 0;

  if (found == NULL)
    {
      add (d, "qemu", GVT_DOCTOR_WARN, "no qemu-system-x86_64 in $PATH");
      fix (d, "sudo apt-get install qemu-system-x86");
      return;
    }
  const char *argv[] = { found, "--version", NULL };
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                     NULL, &wait_status, NULL)
      || !g_spawn_check_wait_status (wait_status, NULL)
      || !parse_qemu_version (out, &major, &minor, &version))
    {
      add (d, "qemu", GVT_DOCTOR_WARN, "%s --version does not say its version", found);
      return;
    }
  if (major < 4)
    {
      add (d, "qemu", GVT_DOCTOR_FAIL,
           "%s is QEMU %s: a vGPU display with ramfb needs QEMU 4.0 or later", found, version);
      fix (d, "sudo apt-get install qemu-system-x86");
      return;
    }
  add (d, "qemu", GVT_DOCTOR_OK, "%s is QEMU %s: ramfb and vfio display=off%s", found, version,
       major >= 9 ? ", and vfio-pci fd= (iommufd)" : "; vfio-pci fd= (iommufd) needs 9.0");
}

/* The version of the running QEMU @pid, from its binary. The binary is run
 * only when it is a system one (it and its directory owned by root and
 * written by no one else):
 * doctor often runs as root, and a process of any user can call itself
 * qemu-system-x86_64. */
static void
check_vm_binary (Doctor *d, int pid)
{
  g_autofree char *rel = g_strdup_printf ("%d/exe", pid);
  g_autofree char *link = proc_path (d, rel);
  g_autoptr (GError) error = NULL;
  g_autofree char *exe = g_file_read_link (link, &error);
  g_autofree char *dir = exe ? g_path_get_dirname (exe) : NULL;
  struct stat st, dst;

  if (exe == NULL)
    {
      add (d, "qemu", GVT_DOCTOR_SKIP, "QEMU's binary is not known: %s", error->message);
      return;
    }
  if (!g_path_is_absolute (exe) || stat (exe, &st) != 0 || !S_ISREG (st.st_mode)
      || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0
      || stat (dir, &dst) != 0 || dst.st_uid != 0 || (dst.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    {
      g_autofree char *shown = g_strescape (exe, NULL);
      add (d, "qemu", GVT_DOCTOR_SKIP, "QEMU's binary %s is not a system binary (it and its "
           "directory root's, written by no one else): not run to ask its version", shown);
      return;
    }
  check_qemu_binary (d, exe);
}

/* --- the device named --- */

static void
check_device (Doctor *d, const char *target)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtVgpu) vgpu = gvt_device_open (target, -1, &error);

  if (vgpu == NULL)
    {
      add (d, "device-open", GVT_DOCTOR_FAIL, "%s", error->message);
      return;
    }
  add (d, "device-open", GVT_DOCTOR_OK, "%s opens", gvt_vgpu_get_name (vgpu));
  g_autoptr (GvtScanout) scanout = gvt_scanout_new (vgpu, &error);
  if (scanout == NULL)
    {
      add (d, "device-display", GVT_DOCTOR_FAIL, "%s", error->message);
      return;
    }
  add (d, "device-display", GVT_DOCTOR_OK, "its display offers planes as %s",
       gvt_scanout_has_dmabuf (scanout) ? "dma-bufs" : "a region");

  g_autoptr (GError) edid_error = NULL;
  g_autoptr (GvtEdidRegion) edid = gvt_edid_region_find (vgpu, &edid_error);
  if (edid != NULL)
    add (d, "device-edid", GVT_DOCTOR_OK, "EDID region: the guest's resolution can follow the "
         "window, up to %ux%u", gvt_edid_region_get_max_xres (edid),
         gvt_edid_region_get_max_yres (edid));
  else if (g_error_matches (edid_error, GVT_ERROR, GVT_ERROR_UNSUPPORTED))
    add (d, "device-edid", GVT_DOCTOR_SKIP, "no EDID region: the guest picks its own resolution");
  else
    add (d, "device-edid", GVT_DOCTOR_WARN, "the EDID region can't be used (%s): the guest "
         "picks its own resolution", edid_error->message);

  for (int i = 0; i < 5; i++)
    {
      if (i > 0)
        g_usleep (20 * 1000);
      gvt_scanout_poll (scanout);
      if (!gvt_scanout_is_retrying (scanout))
        break;
    }
  GvtPlane *primary = gvt_scanout_get_primary (scanout);
  if (primary == NULL)
    {
      const char *reason = gvt_scanout_get_reason (scanout);
      add (d, "device-planes", GVT_DOCTOR_WARN,
           "no primary plane now%s%s: the guest's driver has not set a mode (a boot screen "
           "shows through ramfb with --qmp)", reason ? ": " : "", reason ? reason : "");
      return;
    }
  char fmt[GVT_FORMAT_NAME_MAX], mod[GVT_MODIFIER_NAME_MAX];
  GvtPlane *cursor = gvt_scanout_get_cursor (scanout);
  add (d, "device-planes", GVT_DOCTOR_OK, "primary plane %ux%u %s %s%s",
       gvt_plane_get_width (primary), gvt_plane_get_height (primary),
       gvt_format_to_string (gvt_plane_get_fourcc (primary), fmt),
       gvt_modifier_to_string (gvt_plane_get_modifier (primary), mod),
       cursor ? ", and a cursor plane" : ", no cursor plane");
}

/* --- the VM named --- */

static void
check_vm (Doctor *d, const char *what, char **device)
{
  g_auto (GvtQemuProcess) process = { 0 };
  g_auto (GvtQemuCmdline) cmdline = { 0 };
  g_autoptr (GError) error = NULL;

  if (!gvt_qemu_process_find (what, d->host->proc_root, d->host->libvirt_run_dir, &process,
                              &error))
    {
      add (d, "vm", GVT_DOCTOR_FAIL, "%s", error->message);
      return;
    }
  if (!gvt_qemu_cmdline_parse ((const char *const *) process.argv, &cmdline, &error))
    {
      add (d, "vm", GVT_DOCTOR_WARN, "QEMU pid %d (found by %s): its command line: %s",
           process.pid, process.found_by, error->message);
      return;
    }
  /* A libvirt domain: found by its pid file, or named by -name and having one. */
  g_autofree char *pid_file = cmdline.name == NULL || strchr (cmdline.name, '/') ? NULL
    : g_strdup_printf ("%s/%s.pid", d->host->libvirt_run_dir ? d->host->libvirt_run_dir
                                                             : GVT_LIBVIRT_RUN_DIR, cmdline.name);
  gboolean libvirt = strcmp (process.found_by, "libvirt pid file") == 0
                     || (pid_file != NULL && g_file_test (pid_file, G_FILE_TEST_EXISTS));
  add (d, "vm", GVT_DOCTOR_OK, "QEMU pid %d%s%s (found by %s%s), %u vfio device%s", process.pid,
       cmdline.name ? ", " : "", cmdline.name ? cmdline.name : "", process.found_by,
       libvirt && strcmp (process.found_by, "libvirt pid file") != 0 ? "; a libvirt domain" : "",
       cmdline.vfio->len, cmdline.vfio->len == 1 ? "" : "s");
  *device = g_strdup_printf ("qemu:%d", process.pid);

  g_autofree char *whose = g_strdup_printf ("QEMU (pid %d)", process.pid);
  check_memlock (d, process.pid, cmdline.ram_bytes, whose);

  check_vm_binary (d, process.pid);

  g_autoptr (GError) qmp_error = NULL;
  g_autofree char *qmp = cmdline.qmp_socket == NULL ? NULL
    : gvt_qemu_process_qmp_socket (process.pid, d->host->proc_root, cmdline.qmp_socket,
                                   &qmp_error);
  if (qmp != NULL)
    add (d, "vm-qmp", GVT_DOCTOR_OK, "QMP socket %s: input, boot display and VM states", qmp);
  else if (qmp_error != NULL)
    add (d, "vm-qmp", GVT_DOCTOR_WARN, "%s: no input, no boot display, no VM states",
         qmp_error->message);
  else
    {
      add (d, "vm-qmp", GVT_DOCTOR_WARN, "no QMP socket on QEMU's command line: no input, no "
           "boot display, no VM states");
      if (libvirt)
        fix (d, "# in the domain's XML (virsh edit %s), <domain "
                "xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>:\n"
                "<qemu:commandline>\n"
                "  <qemu:arg value='-qmp'/>\n"
                "  <qemu:arg value='unix:/var/lib/libvirt/qemu/%s.qmp,server=on,wait=off'/>\n"
                "</qemu:commandline>\n"
                "# the whole recipe: /usr/share/doc/gvt-view/examples/gvt-view-libvirt.xml",
             cmdline.name ? cmdline.name : what, cmdline.name ? cmdline.name : "vm");
      else
        fix (d, "# start QEMU with: -qmp unix:/run/user/$UID/vm.qmp,server=on,wait=off");
    }

  gboolean ramfb = cmdline.has_ramfb_device;
  for (guint i = 0; i < cmdline.vfio->len; i++)
    {
      GvtQemuVfioDevice *v = cmdline.vfio->pdata[i];
      ramfb |= v->ramfb;
      if (v->display == GVT_QEMU_DISPLAY_ON)
        {
          add (d, "vm-display", GVT_DOCTOR_WARN, "vfio device %s has display=on: QEMU shows it "
               "too (and refuses to start with -display none)", v->id ? v->id : v->sysfsdev);
          fix (d, "# give the vfio-pci device display=off; gvt-view is the display");
        }
    }
  gboolean uefi = FALSE;
  for (char **a = process.argv; *a; a++)
    if (strstr (*a, "OVMF") || strstr (*a, "ovmf") || strstr (*a, "if=pflash"))
      uefi = TRUE;
  if (uefi && !ramfb)
    {
      add (d, "vm-boot-display", GVT_DOCTOR_WARN,
           "UEFI (OVMF) and no ramfb: nothing shows until the guest's GPU driver loads");
      fix (d, libvirt ? "# in the domain's XML (virsh edit): <video><model type='ramfb'/></video>"
                      : "# add: -device ramfb (or ramfb=on on the vfio-pci device)");
    }
  else
    add (d, "vm-boot-display", GVT_DOCTOR_OK, "%s", ramfb ? "ramfb: the boot screen shows"
         : "BIOS boot: its screen is on the VM's VGA, not the vGPU, until the guest driver loads");
}

GPtrArray *
gvt_doctor_run (const GvtDoctorHost *host, const char *target)
{
  Doctor d = { .host = host, .checks = g_ptr_array_new_with_free_func (check_free) };
  g_autoptr (GError) error = NULL;

  d.mdev = gvt_mdev_scan (&error);
  read_creds (&d);
  for (guint i = 0; d.mdev != NULL && i < d.mdev->parents->len; i++)
    {
      const GvtMdevParent *p = d.mdev->parents->pdata[i];
      if (!parent_is_i915 (p))
        d.other_parents = TRUE;
      else if (p->types->len > 0)
        d.gvt_types = TRUE;
    }
  check_gpu (&d);
  check_gvt_enabled (&d);
  check_modules (&d);
  check_iommu (&d);
  check_types (&d);
  check_instances (&d);
  check_access (&d);
  check_ptrace (&d);

  g_autofree char *device = NULL;
  gboolean vm = target != NULL && g_str_has_prefix (target, "qemu:");
  if (vm)
    check_vm (&d, target + strlen ("qemu:"), &device);
  else
    {
      check_memlock (&d, (int) getpid (), TYPICAL_GUEST_RAM, "this user");
      check_qemu_binary (&d, host->qemu_binary);
    }
  g_autofree char *node = check_render_node (&d);
  check_egl (&d, node);
  if (target != NULL && (!vm || device != NULL))
    check_device (&d, vm ? device : target);

  g_free (d.intel_gpu);
  g_array_unref (d.creds.groups);
  gvt_mdev_listing_free (d.mdev);
  return d.checks;
}
