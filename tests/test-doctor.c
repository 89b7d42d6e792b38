/* `gvt-view doctor` on fake hosts: sysfs and /dev on a umockdev testbed, the
 * /proc files in a directory of their own, QEMU a script that says its
 * version. A GVT-g host set up right passes every check; the same host with
 * one thing missing fails (or warns) exactly the check about that thing,
 * and names it; a sample-driver host and an empty machine get what applies
 * to them; the JSON form holds the same. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cmd/doctor.h"
#include "testutil.h"
#include "testbed.h"
#include "sysfs-tree.h"

#define GVT_UUID "4b0e5a2c-0c8e-4b2e-9a3f-2f1b8c6d7e01"
#define MBOCHS_UUID "7e5b1c44-2d3a-4f6b-9c8d-1a2b3c4d5e03"
#define GPU_SYS "/sys/devices/pci0000:00/0000:00:02.0"
#define USER_UID 1000
#define KVM_GID 4242
#define RENDER_GID 4243

typedef struct {
  Fixture tb;
  char *proc;    /* the fake /proc */
  char *qemu;    /* a fake qemu-system-x86_64 */
  GvtDoctorHost host;
} Host;

/* --- building hosts --- */

static void
proc_write (Host *h, const char *rel, const char *text)
{
  g_autofree char *path = g_build_filename (h->proc, rel, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* This process as the user the doctor checks: uid 1000 in group kvm, with
 * @memlock bytes of memory-lock limit, no capabilities. */
static void
proc_user (Host *h, const char *memlock, const char *groups)
{
  g_autofree char *status = g_strdup_printf (
    "Name:\ttest-doctor\nUid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\nGroups:\t%s\n"
    "CapEff:\t0000000000000000\n", USER_UID, USER_UID, USER_UID, USER_UID, USER_UID, USER_UID,
    USER_UID, USER_UID, groups);
  g_autofree char *limits = g_strdup_printf (
    "Limit                     Soft Limit           Hard Limit           Units     \n"
    "Max open files            1024                 524288               files     \n"
    "Max locked memory         %s           %s           bytes     \n", memlock, memlock);
  g_autofree char *status_rel = g_strdup_printf ("%d/status", (int) getpid ());
  g_autofree char *limits_rel = g_strdup_printf ("%d/limits", (int) getpid ());
  proc_write (h, status_rel, status);
  proc_write (h, limits_rel, limits);
}

/* A device node in the testbed's /dev with @mode and @gid. */
static void
dev_node (Host *h, const char *dev_path, mode_t mode, gid_t gid)
{
  g_autofree char *path = g_build_filename (h->tb.root, dev_path, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    g_assert_true (g_file_set_contents (path, "", 0, NULL));
  g_assert_cmpint (chmod (path, mode), ==, 0);
  g_assert_cmpint (chown (path, 0, gid), ==, 0);
}

static void
host_setup (Host *h, gconstpointer data)
{
  fixture_setup (&h->tb, data);
  h->proc = g_dir_make_tmp ("gvt-doctor-proc-XXXXXX", NULL);
  g_assert_nonnull (h->proc);
  h->qemu = g_build_filename (h->proc, "qemu-system-x86_64", NULL);
  g_assert_true (g_file_set_contents (h->qemu,
    "#!/bin/sh\necho 'QEMU emulator version 7.2.11 (Debian 1:7.2+dfsg-7+deb12u12)'\n"
    "echo 'Copyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers'\n", -1,
    NULL));
  g_assert_cmpint (chmod (h->qemu, 0755), ==, 0);
  h->host = (GvtDoctorHost) { .proc_root = h->proc, .qemu_binary = h->qemu };
  proc_write (h, "sys/kernel/yama/ptrace_scope", "0\n");
  proc_write (h, "cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet\n");
  proc_write (h, "modules", "");
  proc_write (h, "cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
                            "model\t\t: 158\nmodel name\t: Intel(R) Core(TM) i7-7700HQ CPU @ "
                            "2.80GHz\nstepping\t: 9\n\nprocessor\t: 1\n");
}

static void
host_teardown (Host *h, gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", h->proc);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (h->proc);
  g_free (h->qemu);
  fixture_teardown (&h->tb, data);
}

static void
loaded (Host *h, const char *module)
{
  g_autofree char *dir = g_build_filename ("/sys/module", module, NULL);
  tb_mkdir (&h->tb, dir);
}

/* A Kaby Lake laptop with GVT-g on, kvmgt loaded, the IOMMU on, one vGPU
 * in group 7 open to group kvm, the render node to group render, and an
 * 8 GiB memory-lock limit. */
static void
build_gvt_host (Host *h)
{
  add_gpu (&h->tb, "0000:00:02.0", "5912", 0, 128);
  umockdev_testbed_set_attribute (h->tb.tb, GPU_SYS, "boot_vga", "1\n");
  tb_symlink (&h->tb, "../../devices/pci0000:00/0000:00:02.0",
              "/sys/class/mdev_bus/0000:00:02.0");
  add_type (&h->tb, GPU_SYS, "i915-GVTg_V5_4", "GVTg_V5_4",
            "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\nresolution: 1920x1200\n"
            "weight: 4\n", "vfio-pci", "1\n");
  add_instance (&h->tb, GPU_SYS, GVT_UUID, "i915-GVTg_V5_4", 7, "vfio_mdev");
  tb_mkdir (&h->tb, "/sys/module/i915/parameters");
  tb_write (&h->tb, "/sys/module/i915/parameters/enable_gvt", "Y\n", -1);
  loaded (h, "kvmgt");
  loaded (h, "mdev");
  loaded (h, "vfio_iommu_type1");
  tb_mkdir (&h->tb, "/sys/class/iommu/dmar0");
  dev_node (h, "dev/vfio/vfio", 0666, 0);
  dev_node (h, "dev/vfio/7", 0660, KVM_GID);
  dev_node (h, "dev/dri/renderD128", 0660, RENDER_GID);
  proc_user (h, "8589934592", "4242 4243");
}

/* The kernel's samples: mbochs with one vGPU in group 9, no Intel GPU, no
 * IOMMU, no kvmgt. */
static void
build_sample_host (Host *h)
{
  g_autofree char *mbochs = add_parent (&h->tb, "P: /devices/virtual/mbochs/mbochs\n"
                                                "E: SUBSYSTEM=mbochs\n");
  add_type (&h->tb, mbochs, "mbochs-small", "mbochs-small", "virtual display, 1920x1080\n",
            "vfio-pci", "1\n");
  add_instance (&h->tb, mbochs, MBOCHS_UUID, "mbochs-small", 9, "vfio_mdev");
  loaded (h, "mdev");
  loaded (h, "vfio_iommu_type1");
  dev_node (h, "dev/vfio/vfio", 0666, 0);
  dev_node (h, "dev/vfio/9", 0660, KVM_GID);
  proc_user (h, "8589934592", "4242");
}

/* --- checking --- */

static GPtrArray *
run (Host *h, const char *target)
{
  return gvt_doctor_run (&h->host, target);
}

static char *
describe (GPtrArray *checks)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < checks->len; i++)
    {
      const GvtDoctorCheck *c = checks->pdata[i];
      g_string_append_printf (s, "  %s %s: %s\n", gvt_doctor_status_to_string (c->status),
                              c->id, c->summary);
    }
  return g_string_free (s, FALSE);
}

/* The check @id has @status and its summary contains @needle. */
static const GvtDoctorCheck *
expect (GPtrArray *checks, const char *id, GvtDoctorStatus status, const char *needle)
{
  const GvtDoctorCheck *c = gvt_doctor_find (checks, id);
  g_autofree char *all = describe (checks);
  if (c == NULL)
    g_error ("no check %s in:\n%s", id, all);
  if (c->status != status || (needle && !strstr (c->summary, needle)))
    g_error ("%s: expected %s with \"%s\", got %s: %s\nall:\n%s", id,
             gvt_doctor_status_to_string (status), needle ? needle : "",
             gvt_doctor_status_to_string (c->status), c->summary, all);
  return c;
}

/* Every check but @id (NULL: all) is ok. */
static void
expect_only (GPtrArray *checks, const char *id)
{
  g_autofree char *all = describe (checks);
  for (guint i = 0; i < checks->len; i++)
    {
      const GvtDoctorCheck *c = checks->pdata[i];
      if (c->status != GVT_DOCTOR_OK && g_strcmp0 (c->id, id) != 0)
        g_error ("only %s should be amiss, but %s is %s: %s\nall:\n%s", id ? id : "nothing",
                 c->id, gvt_doctor_status_to_string (c->status), c->summary, all);
    }
}

static const char *const gvt_ids[] = {
  "gpu", "gvt-enabled", "module-kvmgt", "module-mdev", "module-vfio-iommu-type1", "iommu",
  "mdev-types", "mdev-instances", "vfio-access", "ptrace", "memlock", "qemu", "render-node",
};

static void
test_gvt_host (Host *h, gconstpointer data)
{
  build_gvt_host (h);
  g_autoptr (GPtrArray) checks = run (h, NULL);

  g_autofree char *all = describe (checks);
  g_assert_cmpuint (checks->len, ==, G_N_ELEMENTS (gvt_ids));
  for (gsize i = 0; i < G_N_ELEMENTS (gvt_ids); i++)
    {
      const GvtDoctorCheck *c = checks->pdata[i];
      g_assert_cmpstr (c->id, ==, gvt_ids[i]);
      g_assert_null (c->fix);
    }
  expect_only (checks, NULL);
  expect (checks, "gpu", GVT_DOCTOR_OK, "0000:00:02.0 (device 5912): Kaby Lake, gen 9.5, has "
          "GVT-g (CPU: Intel(R) Core(TM) i7-7700HQ CPU @ 2.80GHz)");
  expect (checks, "mdev-instances", GVT_DOCTOR_OK, GVT_UUID " (i915-GVTg_V5_4) in /dev/vfio/7");
  expect (checks, "render-node", GVT_DOCTOR_OK, "/dev/dri/renderD128");
  expect (checks, "qemu", GVT_DOCTOR_OK, "QEMU 7.2.11");
  expect (checks, "memlock", GVT_DOCTOR_OK, "(8 GiB) covers a guest of 4 GiB");
}

/* One thing missing from the GVT-g host: what to change, the check that must
 * say so, its status, words of its summary and of its fix. */
typedef struct {
  const char *name;
  void (*breakit) (Host *h);
  const char *id;
  GvtDoctorStatus status;
  const char *summary;
  const char *fix;
} Missing;

static void gvt_off (Host *h) { tb_write (&h->tb, "/sys/module/i915/parameters/enable_gvt", "N\n", -1); }
static void
no_gvt_param (Host *h)
{
  g_autofree char *p = tb_path (&h->tb, "/sys/module/i915/parameters/enable_gvt");
  g_assert_cmpint (g_unlink (p), ==, 0);
}
static void
unload (Host *h, const char *module)
{
  g_autofree char *rel = g_build_filename ("/sys/module", module, NULL);
  g_autofree char *p = tb_path (&h->tb, rel);
  g_assert_cmpint (g_rmdir (p), ==, 0);
}
static void no_kvmgt (Host *h) { unload (h, "kvmgt"); }
static void no_mdev (Host *h) { unload (h, "mdev"); }
static void no_type1 (Host *h) { unload (h, "vfio_iommu_type1"); }
static void
no_iommu (Host *h)
{
  g_autofree char *p = tb_path (&h->tb, "/sys/class/iommu/dmar0");
  g_assert_cmpint (g_rmdir (p), ==, 0);
}
static void
no_room (Host *h)
{
  umockdev_testbed_set_attribute (h->tb.tb, GPU_SYS "/mdev_supported_types/i915-GVTg_V5_4",
                                  "available_instances", "0\n");
}
static void group_closed (Host *h) { dev_node (h, "dev/vfio/7", 0600, 0); }
static void container_closed (Host *h) { dev_node (h, "dev/vfio/vfio", 0600, 0); }
static void not_in_render (Host *h) { proc_user (h, "8589934592", "4242"); }
static void low_memlock (Host *h) { proc_user (h, "65536", "4242 4243"); }
static void
ptrace_1 (Host *h)
{
  proc_write (h, "sys/kernel/yama/ptrace_scope", "1\n");
}
static void
ptrace_3 (Host *h)
{
  proc_write (h, "sys/kernel/yama/ptrace_scope", "3\n");
}
static void
no_qemu (Host *h)
{
  g_assert_cmpint (g_unlink (h->qemu), ==, 0);
}
static void
old_qemu (Host *h)
{
  g_assert_true (g_file_set_contents (h->qemu,
    "#!/bin/sh\necho 'QEMU emulator version 3.1.0 (Debian 1:3.1+dfsg-8)'\n", -1, NULL));
  g_assert_cmpint (chmod (h->qemu, 0755), ==, 0);
}
static void
tiger_lake (Host *h)
{
  umockdev_testbed_set_attribute (h->tb.tb, GPU_SYS, "device", "0x9a49\n");
}
static void
haswell (Host *h)
{
  umockdev_testbed_set_attribute (h->tb.tb, GPU_SYS, "device", "0x0416\n");
}
static void
nvidia_primary (Host *h)
{
  tb_add (&h->tb, "P: /devices/pci0000:00/0000:01:00.0\n"
                  "E: SUBSYSTEM=pci\n"
                  "A: class=0x030000\n"
                  "A: vendor=0x10de\n"
                  "A: device=0x1c82\n"
                  "A: boot_vga=1\n");
  umockdev_testbed_set_attribute (h->tb.tb, GPU_SYS, "boot_vga", "0\n");
}

static const Missing missing[] = {
  { "gvt-off", gvt_off, "gvt-enabled", GVT_DOCTOR_FAIL, "i915.enable_gvt is off ('N')",
    "options i915 enable_gvt=1" },
  { "no-gvt-in-kernel", no_gvt_param, "gvt-enabled", GVT_DOCTOR_FAIL, "CONFIG_DRM_I915_GVT",
    NULL },
  { "no-kvmgt", no_kvmgt, "module-kvmgt", GVT_DOCTOR_FAIL, "kvmgt is not loaded",
    "sudo modprobe kvmgt" },
  { "no-mdev", no_mdev, "module-mdev", GVT_DOCTOR_FAIL, "mdev is not loaded",
    "sudo modprobe mdev" },
  { "no-type1", no_type1, "module-vfio-iommu-type1", GVT_DOCTOR_FAIL,
    "vfio_iommu_type1 is not loaded", "sudo modprobe vfio_iommu_type1" },
  { "no-iommu", no_iommu, "iommu", GVT_DOCTOR_WARN, "no IOMMU is on", "intel_iommu=on" },
  { "no-room", no_room, "mdev-types", GVT_DOCTOR_WARN,
    "0000:00:02.0 i915-GVTg_V5_4 (0 free) — none has room", "mdevctl" },
  { "group-closed", group_closed, "vfio-access", GVT_DOCTOR_FAIL,
    "this user (uid 1000) cannot open /dev/vfio/7", "90-gvt-view-vfio.rules" },
  { "container-closed", container_closed, "vfio-access", GVT_DOCTOR_FAIL,
    "/dev/vfio/vfio: no read-write access for this user", "chmod 0666 /dev/vfio/vfio" },
  { "not-in-render", not_in_render, "render-node", GVT_DOCTOR_FAIL,
    "/dev/dri/renderD128 (the Intel GPU's render node): no read-write access",
    "usermod -aG render" },
  { "low-memlock", low_memlock, "memlock", GVT_DOCTOR_WARN,
    "the memory-lock limit of this user is 64 KiB: a guest of 4 GiB with a vGPU needs 5 GiB", "limits.d" },
  { "ptrace-1", ptrace_1, "ptrace", GVT_DOCTOR_WARN, "ptrace_scope is 1",
    "kernel.yama.ptrace_scope=0" },
  { "ptrace-3", ptrace_3, "ptrace", GVT_DOCTOR_FAIL, "ptrace_scope is '3'", NULL },
  { "no-qemu", no_qemu, "qemu", GVT_DOCTOR_WARN, "--version does not say its version", NULL },
  { "old-qemu", old_qemu, "qemu", GVT_DOCTOR_FAIL, "QEMU 3.1.0: a vGPU display with ramfb needs "
    "QEMU 4.0", "apt-get install qemu-system-x86" },
  { "tiger-lake", tiger_lake, "gpu", GVT_DOCTOR_FAIL, "Tiger Lake, gen 12, has no GVT-g", NULL },
  { "haswell", haswell, "gpu", GVT_DOCTOR_FAIL, "Haswell, gen 7.5, is older than GVT-g", NULL },
  { "nvidia-primary", nvidia_primary, "primary-gpu", GVT_DOCTOR_WARN,
    "the boot display GPU is 0000:01:00.0 (vendor 10de)", "Intel GPU" },
};

static void
test_missing (Host *h, gconstpointer data)
{
  const Missing *m = data;

  build_gvt_host (h);
  m->breakit (h);
  g_autoptr (GPtrArray) checks = run (h, NULL);
  expect_only (checks, m->id);
  const GvtDoctorCheck *c = expect (checks, m->id, m->status, m->summary);
  if (m->fix != NULL && (c->fix == NULL || strstr (c->fix, m->fix) == NULL))
    g_error ("%s: fix \"%s\" lacks \"%s\"", m->id, c->fix ? c->fix : "(none)", m->fix);
}

/* No vGPU yet: the command that makes one names the parent and the type. */
static void
test_no_instance (Host *h, gconstpointer data)
{
  build_gvt_host (h);
  g_autofree char *p = tb_path (&h->tb, "/sys/bus/mdev/devices/" GVT_UUID);
  g_assert_cmpint (g_unlink (p), ==, 0);
  g_autoptr (GPtrArray) checks = run (h, NULL);

  const GvtDoctorCheck *c = expect (checks, "mdev-instances", GVT_DOCTOR_FAIL, "no vGPU");
  g_assert_nonnull (strstr (c->fix, "sudo mdevctl start -u $u -p 0000:00:02.0 -t i915-GVTg_V5_4"));
  g_assert_nonnull (strstr (c->fix, "sudo mdevctl define -u $u --auto"));
  expect_only (checks, "mdev-instances");
}

static void
test_sample_host (Host *h, gconstpointer data)
{
  build_sample_host (h);
  g_autoptr (GPtrArray) checks = run (h, NULL);

  expect (checks, "gpu", GVT_DOCTOR_SKIP, "no Intel GPU, so no GVT-g");
  expect (checks, "gvt-enabled", GVT_DOCTOR_SKIP, "no Intel GPU");
  expect (checks, "module-kvmgt", GVT_DOCTOR_SKIP, "not needed here");
  expect (checks, "module-mdev", GVT_DOCTOR_OK, "mdev is loaded");
  expect (checks, "iommu", GVT_DOCTOR_SKIP, "need none");
  expect (checks, "mdev-types", GVT_DOCTOR_OK, "mbochs mbochs-small (1 free)");
  expect (checks, "mdev-instances", GVT_DOCTOR_OK, MBOCHS_UUID " (mbochs-small) in /dev/vfio/9");
  expect (checks, "vfio-access", GVT_DOCTOR_OK, "1 vGPU group open");
  expect (checks, "render-node", GVT_DOCTOR_SKIP, "render on any GPU");
  for (guint i = 0; i < checks->len; i++)
    g_assert_cmpint (((GvtDoctorCheck *) checks->pdata[i])->status, !=, GVT_DOCTOR_FAIL);
}

static void
test_empty_host (Host *h, gconstpointer data)
{
  proc_user (h, "8589934592", "");
  g_autoptr (GPtrArray) checks = run (h, NULL);

  expect (checks, "gpu", GVT_DOCTOR_FAIL, "no Intel GPU");
  expect (checks, "mdev-types", GVT_DOCTOR_FAIL, "no device offers mediated device types");
  expect (checks, "mdev-instances", GVT_DOCTOR_SKIP, "no type to make one of");
  expect (checks, "vfio-access", GVT_DOCTOR_FAIL, "/dev/vfio/vfio does not exist");
  expect (checks, "module-mdev", GVT_DOCTOR_SKIP, "not needed here");
  expect (checks, "render-node", GVT_DOCTOR_SKIP, NULL);
}

/* The command: text for people, JSON for scripts, and the exit status. */
static int
doctor (Host *h, gboolean json, char **out_text)
{
  char *argv[] = { (char *) "doctor", json ? (char *) "--json" : NULL, NULL };
  size_t n;
  char *err_text = NULL;
  FILE *out = open_memstream (out_text, &n);
  FILE *err = open_memstream (&err_text, &n);
  int status = gvt_cmd_doctor_host (json ? 2 : 1, argv, out, err, &h->host);
  fclose (out);
  fclose (err);
  g_assert_cmpstr (err_text, ==, "");
  free (err_text);
  return status;
}

static void
assert_json (const char *text, gboolean all_ok)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  JsonNode *root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  JsonArray *a = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (a), >=, G_N_ELEMENTS (gvt_ids));
  gboolean failed = FALSE;
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *o = json_array_get_object_element (a, i);
      g_assert_cmpuint (json_object_get_size (o), ==, 4);
      const char *status = json_object_get_string_member (o, "status");
      g_assert_true (g_strv_contains ((const char *const[]) { "ok", "warn", "fail", "skip", NULL },
                                      status));
      g_assert_nonnull (json_object_get_string_member (o, "id"));
      g_assert_nonnull (json_object_get_string_member (o, "summary"));
      JsonNode *fix = json_object_get_member (o, "fix");
      g_assert_true (JSON_NODE_HOLDS_NULL (fix) || json_node_get_value_type (fix) == G_TYPE_STRING);
      failed |= strcmp (status, "fail") == 0;
      if (i < G_N_ELEMENTS (gvt_ids))
        g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, gvt_ids[i]);
    }
  g_assert_cmpint (failed, ==, !all_ok);
}

static void
test_output (Host *h, gconstpointer data)
{
  g_autofree char *text = NULL, *json = NULL, *text2 = NULL, *json2 = NULL;

  build_gvt_host (h);
  g_assert_cmpint (doctor (h, FALSE, &text), ==, 0);
  g_assert_nonnull (strstr (text, "ok    gvt-enabled              i915.enable_gvt is on\n"));
  g_assert_true (g_str_has_suffix (text, "13 ok, 0 warn, 0 fail, 0 skip\n"));
  g_assert_cmpint (doctor (h, TRUE, &json), ==, 0);
  assert_json (json, TRUE);

  gvt_off (h);
  g_assert_cmpint (doctor (h, FALSE, &text2), ==, 1);
  g_assert_nonnull (strstr (text2,
    "fail  gvt-enabled              i915.enable_gvt is off ('N')\n"
    "                               fix: echo 'options i915 enable_gvt=1' | sudo tee "
    "/etc/modprobe.d/i915-gvt.conf\n"
    "                                    sudo update-initramfs -u && sudo reboot\n"));
  g_assert_true (g_str_has_suffix (text2, "12 ok, 0 warn, 1 fail, 0 skip\n"));
  g_assert_cmpint (doctor (h, TRUE, &json2), ==, 1);
  assert_json (json2, FALSE);
}

/* Hostile sysfs and /proc text: shown escaped, never trusted as numbers. */
static void
test_hostile (Host *h, gconstpointer data)
{
  build_gvt_host (h);
  tb_write (&h->tb, "/sys/module/i915/parameters/enable_gvt", "\033[2J\n", -1);
  umockdev_testbed_set_attribute (h->tb.tb, GPU_SYS, "device", "0x5912zz\n");
  proc_write (h, "sys/kernel/yama/ptrace_scope", "1\n\n\033]0;x\007");
  proc_write (h, "cpuinfo", "model name\t: Evil\033[2J CPU\n");
  g_autoptr (GPtrArray) checks = run (h, NULL);

  expect (checks, "gvt-enabled", GVT_DOCTOR_FAIL, "off ('\\033[2J')");
  const GvtDoctorCheck *gpu = expect (checks, "gpu", GVT_DOCTOR_WARN, "is not one gvt-view knows");
  g_assert_nonnull (strstr (gpu->summary, "(CPU: Evil\\033[2J CPU)"));
  const GvtDoctorCheck *c = expect (checks, "ptrace", GVT_DOCTOR_FAIL, "ptrace_scope is '");
  g_assert_null (strchr (c->summary, '\033'));
}

/* qemu:NAME of a libvirt domain without the recipe's QMP socket, with UEFI
 * and no ramfb: the XML that fixes each (a fake /proc holds its QEMU: a pid
 * no real process has). */
#define DOMAIN_PID "4194303"
static void
test_libvirt_domain (Host *h, gconstpointer data)
{
  static const char argv[] =
    "/usr/bin/qemu-system-x86_64\0-name\0guest=win10,debug-threads=on\0-m\0size=4194304k\0"
    "-blockdev\0{\"driver\":\"file\",\"filename\":\"/usr/share/OVMF/OVMF_CODE_4M.fd\"}\0"
    "-device\0{\"driver\":\"vfio-pci\",\"sysfsdev\":\"/sys/bus/mdev/devices/" GVT_UUID "\"}\0";
  g_autofree char *cmdline = g_build_filename (h->proc, DOMAIN_PID, "cmdline", NULL);
  g_autofree char *run_dir = g_build_filename (h->proc, "libvirt", NULL);

  build_gvt_host (h);
  proc_write (h, DOMAIN_PID "/status", "Name:\tqemu-system-x86\nCapEff:\t0000000000000000\n");
  proc_write (h, DOMAIN_PID "/limits",
              "Max locked memory         5368709120           5368709120           bytes\n");
  g_assert_true (g_file_set_contents (cmdline, argv, sizeof argv - 1, NULL));
  proc_write (h, "libvirt/win10.pid", DOMAIN_PID);
  h->host.libvirt_run_dir = run_dir;
  g_autoptr (GPtrArray) checks = run (h, "qemu:win10");

  expect (checks, "vm", GVT_DOCTOR_OK, "QEMU pid " DOMAIN_PID ", win10 (found by libvirt pid "
          "file), 1 vfio device");
  expect (checks, "memlock", GVT_DOCTOR_OK, "(5 GiB) covers a guest of 4 GiB");
  const GvtDoctorCheck *qmp = expect (checks, "vm-qmp", GVT_DOCTOR_WARN, "no QMP socket");
  g_assert_nonnull (strstr (qmp->fix, "virsh edit win10"));
  g_assert_nonnull (strstr (qmp->fix, "<qemu:arg value='-qmp'/>"));
  g_assert_nonnull (strstr (qmp->fix, "gvt-view-libvirt.xml"));
  const GvtDoctorCheck *boot = expect (checks, "vm-boot-display", GVT_DOCTOR_WARN,
                                       "UEFI (OVMF) and no ramfb");
  g_assert_nonnull (strstr (boot->fix, "<video><model type='ramfb'/></video>"));
  /* Its vGPU is no real process's: that check fails, nothing crashes. */
  expect (checks, "device-open", GVT_DOCTOR_FAIL, "qemu:" DOMAIN_PID);
  expect (checks, "qemu", GVT_DOCTOR_SKIP, "QEMU's binary is not known");
}

/* A process of a user calling itself qemu-system-x86_64: doctor (often
 * root) must not run its binary to ask the version. */
static void
test_user_binary (Host *h, gconstpointer data)
{
  static const char argv[] = "qemu-system-x86_64\0-name\0evil\0";
  g_autofree char *dir = g_build_filename (h->proc, DOMAIN_PID, NULL);
  g_autofree char *cmdline = g_build_filename (dir, "cmdline", NULL);
  g_autofree char *exe = g_build_filename (dir, "exe", NULL);
  g_autofree char *marker = g_build_filename (h->proc, "ran", NULL);
  g_autofree char *script = g_strdup_printf ("#!/bin/sh\ntouch '%s'\necho 'QEMU emulator version 9.9.9'\n",
                                             marker);

  build_gvt_host (h);
  proc_write (h, DOMAIN_PID "/status", "Name:\tqemu-system-x86\nCapEff:\t0000000000000000\n");
  proc_write (h, DOMAIN_PID "/limits",
              "Max locked memory         65536                65536                bytes\n");
  g_assert_true (g_file_set_contents (cmdline, argv, sizeof argv - 1, NULL));
  g_assert_true (g_file_set_contents (h->qemu, script, -1, NULL));
  g_assert_cmpint (chmod (h->qemu, 0755), ==, 0);
  g_assert_cmpint (chown (h->qemu, USER_UID, USER_UID), ==, 0);
  g_assert_cmpint (symlink (h->qemu, exe), ==, 0);
  g_autoptr (GPtrArray) checks = run (h, "qemu:evil");

  expect (checks, "vm", GVT_DOCTOR_OK, "QEMU pid " DOMAIN_PID ", evil (found by -name)");
  expect (checks, "qemu", GVT_DOCTOR_SKIP, "is not a system binary");
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  /* Root's, but writable by its group: the same. */
  g_assert_cmpint (chown (h->qemu, 0, 0), ==, 0);
  g_assert_cmpint (chmod (h->qemu, 0775), ==, 0);
  g_autoptr (GPtrArray) again = run (h, "qemu:evil");
  expect (again, "qemu", GVT_DOCTOR_SKIP, "is not a system binary");
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  /* A system binary is asked. */
  g_assert_cmpint (chmod (h->qemu, 0755), ==, 0);
  g_autoptr (GPtrArray) system = run (h, "qemu:evil");
  expect (system, "qemu", GVT_DOCTOR_OK, "is QEMU 9.9.9");
  g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  gvt_test_ensure_umockdev (argc, argv);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn, data) g_test_add (path, Host, data, host_setup, fn, host_teardown)
  ADD ("/doctor/gvt-host", test_gvt_host, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (missing); i++)
    {
      g_autofree char *path = g_strdup_printf ("/doctor/missing/%s", missing[i].name);
      ADD (path, test_missing, &missing[i]);
    }
  ADD ("/doctor/missing/instance", test_no_instance, NULL);
  ADD ("/doctor/sample-host", test_sample_host, NULL);
  ADD ("/doctor/empty-host", test_empty_host, NULL);
  ADD ("/doctor/output", test_output, NULL);
  ADD ("/doctor/hostile", test_hostile, NULL);
  ADD ("/doctor/libvirt-domain", test_libvirt_domain, NULL);
  ADD ("/doctor/user-binary", test_user_binary, NULL);
  return g_test_run ();
}
