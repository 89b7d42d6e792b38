/* Tests for mdev discovery and `gvt-view list`, on fake sysfs trees built
 * with umockdev's testbed and modelled on real hosts: a GVT-g laptop, a
 * machine with the kernel's mbochs and mdpy samples, an empty one, and a
 * broken one. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <umockdev.h>

#include "vgpu/mdev.h"
#include "cmd/cmd.h"
#include "common/gvt-error.h"
#include "testutil.h"
#include "testbed.h"


#include "sysfs-tree.h"

#define GVT_UUID_A "4b0e5a2c-0c8e-4b2e-9a3f-2f1b8c6d7e01"
#define GVT_UUID_B "a1f3c9d2-6b7e-4c1a-8d2f-0e9b8a7c6d02"
#define MBOCHS_UUID "7e5b1c44-2d3a-4f6b-9c8d-1a2b3c4d5e03"
#define MDPY_UUID "c0ffee00-1234-4abc-8def-0123456789ab"

static const char gvt_parent_record[] =
  "P: /devices/pci0000:00/0000:00:02.0\n"
  "E: DRIVER=i915\n"
  "E: PCI_CLASS=30000\n"
  "E: PCI_ID=8086:3E92\n"
  "E: SUBSYSTEM=pci\n"
  "A: class=0x030000\n"
  "A: device=0x3e92\n"
  "A: vendor=0x8086\n"
  "L: driver=../../../bus/pci/drivers/i915\n";

/* An i915 host with GVT-g on (i915.enable_gvt=1, kvmgt loaded): the four
 * Gen9 types and two vGPUs, made in the opposite order of their UUIDs. */
static void
build_gvt_host (Fixture *f)
{
  g_autofree char *parent = add_parent (f, gvt_parent_record);
  add_type (f, parent, "i915-GVTg_V5_4", "GVTg_V5_4",
            "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\nresolution: 1920x1200\nweight: 4\n",
            "vfio-pci", "2\n");
  add_type (f, parent, "i915-GVTg_V5_8", "GVTg_V5_8",
            "low_gm_size: 64MB\nhigh_gm_size: 384MB\nfence: 4\nresolution: 1024x768\nweight: 2\n",
            "vfio-pci", "5\n");
  add_type (f, parent, "i915-GVTg_V5_1", "GVTg_V5_1",
            "low_gm_size: 512MB\nhigh_gm_size: 2048MB\nfence: 4\nresolution: 1920x1200\nweight: 16\n",
            "vfio-pci", "0\n");
  add_type (f, parent, "i915-GVTg_V5_2", "GVTg_V5_2",
            "low_gm_size: 256MB\nhigh_gm_size: 1024MB\nfence: 4\nresolution: 1920x1200\nweight: 8\n",
            "vfio-pci", "1\n");
  add_instance (f, parent, GVT_UUID_B, "i915-GVTg_V5_8", 1, "vfio_mdev");
  add_instance (f, parent, GVT_UUID_A, "i915-GVTg_V5_4", 0, "vfio_mdev");
}

/* The kernel's sample drivers: mbochs with one vGPU, mdpy with one that no
 * VFIO driver has bound. */
static void
build_samples_host (Fixture *f)
{
  g_autofree char *mdpy = add_parent (f, "P: /devices/virtual/mdpy/mdpy\nE: SUBSYSTEM=mdpy\n");
  add_type (f, mdpy, "mdpy-xga", "xga", "virtual display, 1024x768\n", "vfio-pci", "4\n");
  add_type (f, mdpy, "mdpy-hd", "hd", "virtual display, 1920x1080\n", "vfio-pci", "4\n");
  add_type (f, mdpy, "mdpy-vga", "vga", "virtual display, 640x480\n", "vfio-pci", "4\n");

  g_autofree char *mbochs = add_parent (f, "P: /devices/virtual/mbochs/mbochs\nE: SUBSYSTEM=mbochs\n");
  add_type (f, mbochs, "mbochs-small", "small", "virtual display, framebuffer: 16 MB\n",
            "vfio-pci", "28\n");
  add_type (f, mbochs, "mbochs-medium", "medium", "virtual display, framebuffer: 64 MB\n",
            "vfio-pci", "7\n");
  add_type (f, mbochs, "mbochs-large", "large", "virtual display, framebuffer: 256 MB\n",
            "vfio-pci", "1\n");

  add_instance (f, mbochs, MBOCHS_UUID, "mbochs-medium", 3, "vfio_mdev");
  add_instance (f, mdpy, MDPY_UUID, "mdpy-vga", -1, NULL);
}

/* --- helpers --- */

static const GvtMdevType *
find_type (const GvtMdevParent *parent, const char *id)
{
  for (guint i = 0; i < parent->types->len; i++)
    {
      const GvtMdevType *t = parent->types->pdata[i];
      if (strcmp (t->id, id) == 0)
        return t;
    }
  g_assert_not_reached ();
}

static void
assert_gvt_type (const GvtMdevType *t, const char *id, const char *name, int avail,
                 int low, int high, int fence, int w, int h, int weight)
{
  g_assert_cmpstr (t->id, ==, id);
  g_assert_cmpstr (t->name, ==, name);
  g_assert_cmpstr (t->device_api, ==, "vfio-pci");
  g_assert_cmpint (t->available, ==, avail);
  g_assert_cmpint (t->low_gm_mb, ==, low);
  g_assert_cmpint (t->high_gm_mb, ==, high);
  g_assert_cmpint (t->fence, ==, fence);
  g_assert_cmpint (t->max_xres, ==, w);
  g_assert_cmpint (t->max_yres, ==, h);
  g_assert_cmpint (t->weight, ==, weight);
  g_assert_true (g_str_has_prefix (t->description, "low_gm_size: "));
  /* Trailing newline trimmed. */
  g_assert_false (g_str_has_suffix (t->description, "\n"));
}

typedef struct {
  int status;
  char *out;
  char *err;
} ListRun;

static void
list_run_clear (ListRun *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ListRun, list_run_clear)

/* Runs `gvt-view list ARGS...` in-process. */
static void
run_list (ListRun *r, const char *const *args)
{
  size_t out_len = 0, err_len = 0;
  FILE *out = open_memstream (&r->out, &out_len);
  FILE *err = open_memstream (&r->err, &err_len);
  g_assert_nonnull (out);
  g_assert_nonnull (err);

  g_auto (GStrv) argv = g_strdupv ((char **) args);
  g_auto (GStrv) before = g_strdupv ((char **) args);
  r->status = gvt_cmd_list ((int) g_strv_length (argv), argv, out, err);
  fclose (out);
  fclose (err);

  /* The command must leave its caller's argv alone. */
  g_assert_cmpstrv (argv, before);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static JsonObject *
array_object (JsonObject *o, const char *member, guint i)
{
  JsonArray *a = json_object_get_array_member (o, member);
  g_assert_nonnull (a);
  g_assert_cmpuint (i, <, json_array_get_length (a));
  return json_array_get_object_element (a, i);
}

static void
assert_null_member (JsonObject *o, const char *member)
{
  g_assert_true (json_object_has_member (o, member));
  g_assert_true (json_object_get_null_member (o, member));
}

/* --- tests: parsing --- */

static void
test_is_uuid (void)
{
  g_assert_true (gvt_mdev_is_uuid (GVT_UUID_A));
  g_assert_true (gvt_mdev_is_uuid ("4B0E5A2C-0C8E-4B2E-9A3F-2F1B8C6D7E01"));
  g_assert_false (gvt_mdev_is_uuid (NULL));
  g_assert_false (gvt_mdev_is_uuid (""));
  g_assert_false (gvt_mdev_is_uuid ("4b0e5a2c0c8e4b2e9a3f2f1b8c6d7e01"));
  g_assert_false (gvt_mdev_is_uuid ("4b0e5a2c-0c8e-4b2e-9a3f-2f1b8c6d7e01 "));
  g_assert_false (gvt_mdev_is_uuid ("/dev/vfio/0"));
  g_assert_false (gvt_mdev_is_uuid ("sim"));
}

static void
test_parse_description (void)
{
  GvtMdevType t = { 0 };

  /* What kernels print: one field per line. */
  gvt_mdev_type_parse_description (&t,
      "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\nresolution: 1920x1200\nweight: 4\n");
  g_assert_cmpint (t.low_gm_mb, ==, 128);
  g_assert_cmpint (t.high_gm_mb, ==, 512);
  g_assert_cmpint (t.fence, ==, 4);
  g_assert_cmpint (t.max_xres, ==, 1920);
  g_assert_cmpint (t.max_yres, ==, 1200);
  g_assert_cmpint (t.weight, ==, 4);

  /* One line, comma separated, odd spacing. */
  gvt_mdev_type_parse_description (&t,
      "low_gm_size: 64MB, high_gm_size:384 MB,fence:  2 , resolution: 1024x768, weight: 2");
  g_assert_cmpint (t.low_gm_mb, ==, 64);
  g_assert_cmpint (t.high_gm_mb, ==, 384);
  g_assert_cmpint (t.fence, ==, 2);
  g_assert_cmpint (t.max_xres, ==, 1024);
  g_assert_cmpint (t.max_yres, ==, 768);
  g_assert_cmpint (t.weight, ==, 2);

  /* Fields reset on every call: nothing carries over. */
  gvt_mdev_type_parse_description (&t, "virtual display, framebuffer: 16 MB");
  g_assert_cmpint (t.low_gm_mb, ==, -1);
  g_assert_cmpint (t.high_gm_mb, ==, -1);
  g_assert_cmpint (t.fence, ==, -1);
  g_assert_cmpint (t.max_xres, ==, -1);
  g_assert_cmpint (t.max_yres, ==, -1);
  g_assert_cmpint (t.weight, ==, -1);

  gvt_mdev_type_parse_description (&t, NULL);
  g_assert_cmpint (t.fence, ==, -1);

  /* Strict numbers: each bad field alone stays -1. */
  gvt_mdev_type_parse_description (&t,
      "low_gm_size: lots\nhigh_gm_size: -5MB\nfence: 4x\nresolution: 1920x\n"
      "weight: 99999999999\n");
  g_assert_cmpint (t.low_gm_mb, ==, -1);
  g_assert_cmpint (t.high_gm_mb, ==, -1);
  g_assert_cmpint (t.fence, ==, -1);
  g_assert_cmpint (t.max_xres, ==, -1);
  g_assert_cmpint (t.weight, ==, -1);

  static const char *const bad_resolutions[] = {
    "x768", "1024x", "0x768", "1024x0", "1024*768", "+1024x768", "1024x768x2", "1024 x 768",
    "", "x",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad_resolutions); i++)
    {
      g_autofree char *d = g_strdup_printf ("resolution: %s", bad_resolutions[i]);
      gvt_mdev_type_parse_description (&t, d);
      g_assert_cmpint (t.max_xres, ==, -1);
      g_assert_cmpint (t.max_yres, ==, -1);
    }

  /* Sizes need their MB; plain numbers elsewhere need to be plain. */
  gvt_mdev_type_parse_description (&t,
      "low_gm_size: 128\nhigh_gm_size: MB\nfence: 0x4\nweight: 2147483648\n");
  g_assert_cmpint (t.low_gm_mb, ==, -1);
  g_assert_cmpint (t.high_gm_mb, ==, -1);
  g_assert_cmpint (t.fence, ==, -1);
  g_assert_cmpint (t.weight, ==, -1);

  /* A good line after a garbage one still counts. */
  gvt_mdev_type_parse_description (&t, "\xfe\xff\x01 junk: ::\nweight: 1\n");
  g_assert_cmpint (t.weight, ==, 1);

  /* Garbage: no crash, nothing parsed. */
  gvt_mdev_type_parse_description (&t, ":::\n,,,\n: 4\nfence:\n\n\xff\xfe");
  g_assert_cmpint (t.fence, ==, -1);
  g_assert_cmpint (t.low_gm_mb, ==, -1);
}

/* Spellings of a number the kernel never writes. Each reads as "not a
 * number", wherever sysfs holds a number. */
static const char *const hostile_numbers[] = {
  "\v4", "\v+4", " \v4", "\t4", "4\t", "4\v", "\f4", "\r4", "+4", "-4", "-0", "+0",
  "0x4", "0X4", "04", "00", "", "4x", "4 4", "4.0", "1e3", "2147483648", "99999999999",
  "18446744073709551617", "\xd9\xa4" /* ARABIC-INDIC DIGIT FOUR */,
  "\xef\xbc\x94" /* FULLWIDTH DIGIT FOUR */,
};

static void
assert_one_lost (const char *description, const GvtMdevType *t, int low, int high, int fence,
                 int w, int h, int weight)
{
  g_autofree char *shown = g_strescape (description, NULL);
  if (t->low_gm_mb != low || t->high_gm_mb != high || t->fence != fence || t->max_xres != w
      || t->max_yres != h || t->weight != weight)
    g_error ("'%s' parsed as %d %d %d %dx%d %d, not %d %d %d %dx%d %d", shown, t->low_gm_mb,
             t->high_gm_mb, t->fence, t->max_xres, t->max_yres, t->weight, low, high, fence,
             w, h, weight);
}

/* Each hostile spelling alone in each field: that field is -1, the good
 * fields around it are intact. */
static void
test_parse_description_hostile (void)
{
  GvtMdevType t = { 0 };

  for (gsize i = 0; i < G_N_ELEMENTS (hostile_numbers); i++)
    {
      const char *n = hostile_numbers[i];
      g_autofree char *fence = g_strdup_printf (
          "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: %s\nresolution: 1920x1200\n"
          "weight: 4\n", n);
      gvt_mdev_type_parse_description (&t, fence);
      assert_one_lost (fence, &t, 128, 512, -1, 1920, 1200, 4);

      /* The one-line form, where the value ends at a comma. */
      g_autofree char *weight = g_strdup_printf ("low_gm_size: 64MB, weight: %s, fence: 2", n);
      gvt_mdev_type_parse_description (&t, weight);
      assert_one_lost (weight, &t, 64, -1, 2, -1, -1, -1);

      g_autofree char *low = g_strdup_printf ("low_gm_size: %sMB\nhigh_gm_size: 512MB\n", n);
      gvt_mdev_type_parse_description (&t, low);
      assert_one_lost (low, &t, -1, 512, -1, -1, -1, -1);

      g_autofree char *high = g_strdup_printf ("low_gm_size: 128MB\nhigh_gm_size: %s MB\n", n);
      gvt_mdev_type_parse_description (&t, high);
      assert_one_lost (high, &t, 128, -1, -1, -1, -1, -1);

      g_autofree char *xres = g_strdup_printf ("resolution: %sx768\nfence: 4", n);
      gvt_mdev_type_parse_description (&t, xres);
      assert_one_lost (xres, &t, -1, -1, 4, -1, -1, -1);

      g_autofree char *yres = g_strdup_printf ("resolution: 1024x%s\nfence: 4", n);
      gvt_mdev_type_parse_description (&t, yres);
      assert_one_lost (yres, &t, -1, -1, 4, -1, -1, -1);
    }

  /* The spelling from the bug report, and a sign after spaces. */
  gvt_mdev_type_parse_description (&t, "fence:\v+4\nweight: 4");
  g_assert_cmpint (t.fence, ==, -1);
  g_assert_cmpint (t.weight, ==, 4);
  gvt_mdev_type_parse_description (&t, "fence:  +4");
  g_assert_cmpint (t.fence, ==, -1);

  /* The edges of what is a number. */
  gvt_mdev_type_parse_description (&t,
      "low_gm_size: 0MB\nhigh_gm_size: 2147483647MB\nfence: 0\nresolution: 1x1\n"
      "weight: 2147483647");
  assert_one_lost ("edges", &t, 0, G_MAXINT, 0, 1, 1, G_MAXINT);
  gvt_mdev_type_parse_description (&t, "resolution: 2147483647x2147483647");
  g_assert_cmpint (t.max_xres, ==, G_MAXINT);
  g_assert_cmpint (t.max_yres, ==, G_MAXINT);
}

/* --- tests: scanning --- */

static void
test_scan_gvt (Fixture *f, gconstpointer data)
{
  build_gvt_host (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtMdevListing) listing = gvt_mdev_scan (&error);
  g_assert_no_error (error);

  g_assert_cmpuint (listing->parents->len, ==, 1);
  const GvtMdevParent *p = listing->parents->pdata[0];
  g_assert_cmpstr (p->name, ==, "0000:00:02.0");
  g_assert_cmpstr (p->driver, ==, "i915");
  g_assert_cmpuint (p->types->len, ==, 4);
  /* Sorted by id, whatever order the directory gives. */
  assert_gvt_type (p->types->pdata[0], "i915-GVTg_V5_1", "GVTg_V5_1", 0,
                   512, 2048, 4, 1920, 1200, 16);
  assert_gvt_type (p->types->pdata[1], "i915-GVTg_V5_2", "GVTg_V5_2", 1,
                   256, 1024, 4, 1920, 1200, 8);
  assert_gvt_type (p->types->pdata[2], "i915-GVTg_V5_4", "GVTg_V5_4", 2,
                   128, 512, 4, 1920, 1200, 4);
  assert_gvt_type (p->types->pdata[3], "i915-GVTg_V5_8", "GVTg_V5_8", 5,
                   64, 384, 4, 1024, 768, 2);
  g_assert_cmpstr (((GvtMdevType *) p->types->pdata[2])->description, ==,
                   "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\nresolution: 1920x1200\nweight: 4");

  g_assert_cmpuint (listing->instances->len, ==, 2);
  const GvtMdevInstance *a = listing->instances->pdata[0];
  const GvtMdevInstance *b = listing->instances->pdata[1];
  g_assert_cmpstr (a->uuid, ==, GVT_UUID_A);
  g_assert_cmpstr (a->type, ==, "i915-GVTg_V5_4");
  g_assert_cmpstr (a->parent, ==, "0000:00:02.0");
  g_assert_cmpint (a->iommu_group, ==, 0);
  g_assert_cmpstr (a->driver, ==, "vfio_mdev");
  g_assert_cmpstr (b->uuid, ==, GVT_UUID_B);
  g_assert_cmpstr (b->type, ==, "i915-GVTg_V5_8");
  g_assert_cmpstr (b->parent, ==, "0000:00:02.0");
  g_assert_cmpint (b->iommu_group, ==, 1);
  g_assert_cmpstr (b->driver, ==, "vfio_mdev");

  g_autofree char *hint = gvt_mdev_listing_create_hint (listing);
  /* V5_1 has no room left: the hint names the first type that has. */
  g_assert_cmpstr (hint, ==, "echo $(uuidgen) > /sys/class/mdev_bus/0000:00:02.0/"
                             "mdev_supported_types/i915-GVTg_V5_2/create");
}

static void
test_scan_samples (Fixture *f, gconstpointer data)
{
  build_samples_host (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtMdevListing) listing = gvt_mdev_scan (&error);
  g_assert_no_error (error);

  g_assert_cmpuint (listing->parents->len, ==, 2);
  const GvtMdevParent *mbochs = listing->parents->pdata[0];
  const GvtMdevParent *mdpy = listing->parents->pdata[1];
  g_assert_cmpstr (mbochs->name, ==, "mbochs");
  g_assert_null (mbochs->driver);
  g_assert_cmpstr (mdpy->name, ==, "mdpy");
  g_assert_null (mdpy->driver);

  g_assert_cmpuint (mbochs->types->len, ==, 3);
  g_assert_cmpstr (((GvtMdevType *) mbochs->types->pdata[0])->id, ==, "mbochs-large");
  g_assert_cmpstr (((GvtMdevType *) mbochs->types->pdata[1])->id, ==, "mbochs-medium");
  g_assert_cmpstr (((GvtMdevType *) mbochs->types->pdata[2])->id, ==, "mbochs-small");
  const GvtMdevType *medium = find_type (mbochs, "mbochs-medium");
  g_assert_cmpstr (medium->name, ==, "medium");
  g_assert_cmpstr (medium->description, ==, "virtual display, framebuffer: 64 MB");
  g_assert_cmpstr (medium->device_api, ==, "vfio-pci");
  g_assert_cmpint (medium->available, ==, 7);
  g_assert_cmpint (medium->low_gm_mb, ==, -1);
  g_assert_cmpint (medium->max_xres, ==, -1);
  g_assert_cmpint (medium->weight, ==, -1);

  g_assert_cmpuint (mdpy->types->len, ==, 3);
  g_assert_cmpstr (((GvtMdevType *) mdpy->types->pdata[0])->id, ==, "mdpy-hd");
  g_assert_cmpstr (((GvtMdevType *) mdpy->types->pdata[2])->id, ==, "mdpy-xga");
  const GvtMdevType *vga = find_type (mdpy, "mdpy-vga");
  g_assert_cmpstr (vga->description, ==, "virtual display, 640x480");
  /* "640x480" without a "resolution:" key is not a GVT field. */
  g_assert_cmpint (vga->max_xres, ==, -1);

  g_assert_cmpuint (listing->instances->len, ==, 2);
  const GvtMdevInstance *mb = listing->instances->pdata[0];
  const GvtMdevInstance *md = listing->instances->pdata[1];
  g_assert_cmpstr (mb->uuid, ==, MBOCHS_UUID);
  g_assert_cmpstr (mb->parent, ==, "mbochs");
  g_assert_cmpstr (mb->type, ==, "mbochs-medium");
  g_assert_cmpint (mb->iommu_group, ==, 3);
  g_assert_cmpstr (md->uuid, ==, MDPY_UUID);
  g_assert_cmpstr (md->parent, ==, "mdpy");
  g_assert_cmpstr (md->type, ==, "mdpy-vga");
  g_assert_cmpint (md->iommu_group, ==, -1);
  g_assert_null (md->driver);
}

static void
test_scan_empty (Fixture *f, gconstpointer data)
{
  /* No mdev subsystem at all. */
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtMdevListing) listing = gvt_mdev_scan (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (listing->parents->len, ==, 0);
  g_assert_cmpuint (listing->instances->len, ==, 0);
  g_autofree char *hint = gvt_mdev_listing_create_hint (listing);
  g_assert_cmpstr (hint, ==, "echo $(uuidgen) > /sys/class/mdev_bus/PARENT/"
                             "mdev_supported_types/TYPE/create");
  g_autofree char *none = gvt_mdev_listing_create_hint (NULL);
  g_assert_cmpstr (none, ==, hint);

  /* The subsystem is loaded but nothing registered with it. */
  tb_mkdir (f, "/sys/class/mdev_bus");
  tb_mkdir (f, "/sys/bus/mdev/devices");
  g_autoptr (GvtMdevListing) again = gvt_mdev_scan (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->parents->len, ==, 0);
  g_assert_cmpuint (again->instances->len, ==, 0);

  g_autofree char *described = gvt_mdev_describe_instances ();
  g_assert_cmpstr (described, ==, "");
}

/* A parent whose attributes are missing, garbage, binary or too long,
 * and instances with broken links. */
static void
build_bad_host (Fixture *f)
{
  g_autofree char *parent = add_parent (f, "P: /devices/virtual/bad/bad\nE: SUBSYSTEM=bad\n");

  add_type (f, parent, "t-garbage", "na\x1bme\tx",
            "low_gm_size: lots\nhigh_gm_size: -5MB\nfence: 4x\nresolution: 1920x\n"
            "weight: 99999999999\n",
            "vfio-pci", "abc");
  add_type (f, parent, "t-missing", NULL, NULL, NULL, NULL);
  add_type (f, parent, "t-empty", "", "\n\n", "  ", "");
  add_type (f, parent, "t-negative", "neg", "fence: -4", "vfio-pci", "-3");

  /* Longer than any sysfs attribute can be: ignored whole. */
  add_type (f, parent, "t-long", NULL, NULL, "vfio-pci", NULL);
  g_autofree char *long_text = g_strnfill (70000, 'A');
  g_autofree char *long_name = g_build_filename (parent, "mdev_supported_types/t-long/name", NULL);
  g_autofree char *long_desc = g_build_filename (parent, "mdev_supported_types/t-long/description", NULL);
  g_autofree char *long_avail = g_build_filename (parent, "mdev_supported_types/t-long/available_instances", NULL);
  tb_write (f, long_name, long_text, -1);
  tb_write (f, long_desc, long_text, 4097);
  g_autofree char *many_digits = g_strnfill (5000, '7');
  tb_write (f, long_avail, many_digits, -1);

  /* Exactly one page is still an attribute. */
  add_type (f, parent, "t-page", NULL, NULL, NULL, NULL);
  g_autofree char *page_desc = g_build_filename (parent, "mdev_supported_types/t-page/description", NULL);
  tb_write (f, page_desc, long_text, 4096);

  /* Invalid UTF-8 and NULs. */
  add_type (f, parent, "t-binary", NULL, NULL, "vfio-pci", "2");
  g_autofree char *bin_name = g_build_filename (parent, "mdev_supported_types/t-binary/name", NULL);
  g_autofree char *bin_desc = g_build_filename (parent, "mdev_supported_types/t-binary/description", NULL);
  tb_write (f, bin_name, "bi\xffn\0ary", 8);
  tb_write (f, bin_desc, "\xfe\xff\0virtual\0display\n", 19);

  /* Not a type directory. */
  g_autofree char *junk = g_build_filename (parent, "mdev_supported_types/junk", NULL);
  tb_write (f, junk, "junk", -1);

  /* A parent that is only a dangling link. */
  tb_symlink (f, "../../devices/virtual/gone/gone", "/sys/class/mdev_bus/gone");

  /* An instance with no type, group or driver links, one whose group link
   * is not a number, and a bus entry that is no UUID. */
  add_instance (f, parent, "11111111-2222-4333-8444-555555555555", NULL, -1, NULL);
  add_instance (f, parent, "22222222-2222-4333-8444-555555555555", "t-garbage", -1, "vfio_mdev");
  g_autofree char *odd = g_build_filename (parent, "22222222-2222-4333-8444-555555555555", NULL);
  umockdev_testbed_set_attribute_link (f->tb, odd, "iommu_group",
                                       "../../../../kernel/iommu_groups/notanumber");
  tb_symlink (f, "../../../devices/virtual/bad/bad", "/sys/bus/mdev/devices/not-a-uuid");
}

static void
test_scan_bad_input (Fixture *f, gconstpointer data)
{
  build_bad_host (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtMdevListing) listing = gvt_mdev_scan (&error);
  g_assert_no_error (error);

  g_assert_cmpuint (listing->parents->len, ==, 2);
  const GvtMdevParent *bad = listing->parents->pdata[0];
  const GvtMdevParent *gone = listing->parents->pdata[1];
  g_assert_cmpstr (bad->name, ==, "bad");
  g_assert_cmpstr (gone->name, ==, "gone");
  g_assert_null (gone->driver);
  g_assert_cmpuint (gone->types->len, ==, 0);

  /* The junk file is not a type. */
  g_assert_cmpuint (bad->types->len, ==, 7);

  const GvtMdevType *garbage = find_type (bad, "t-garbage");
  g_assert_cmpstr (garbage->name, ==, "na\x1bme\tx");
  g_assert_cmpint (garbage->available, ==, -1);
  g_assert_cmpint (garbage->low_gm_mb, ==, -1);
  g_assert_cmpint (garbage->high_gm_mb, ==, -1);
  g_assert_cmpint (garbage->fence, ==, -1);
  g_assert_cmpint (garbage->max_xres, ==, -1);
  g_assert_cmpint (garbage->weight, ==, -1);

  const GvtMdevType *missing = find_type (bad, "t-missing");
  g_assert_null (missing->name);
  g_assert_null (missing->description);
  g_assert_null (missing->device_api);
  g_assert_cmpint (missing->available, ==, -1);
  g_assert_cmpint (missing->fence, ==, -1);

  const GvtMdevType *empty = find_type (bad, "t-empty");
  g_assert_null (empty->name);
  g_assert_null (empty->description);
  g_assert_null (empty->device_api);
  g_assert_cmpint (empty->available, ==, -1);

  const GvtMdevType *neg = find_type (bad, "t-negative");
  g_assert_cmpint (neg->available, ==, -1);
  g_assert_cmpint (neg->fence, ==, -1);

  const GvtMdevType *lng = find_type (bad, "t-long");
  g_assert_null (lng->name);
  g_assert_null (lng->description);
  g_assert_cmpint (lng->available, ==, -1);
  g_assert_cmpstr (lng->device_api, ==, "vfio-pci");

  const GvtMdevType *page = find_type (bad, "t-page");
  g_assert_nonnull (page->description);
  g_assert_cmpuint (strlen (page->description), ==, 4096);

  const GvtMdevType *bin = find_type (bad, "t-binary");
  g_assert_nonnull (bin->name);
  g_assert_true (g_utf8_validate (bin->name, -1, NULL));
  g_assert_true (g_str_has_prefix (bin->name, "bi"));
  g_assert_true (g_str_has_suffix (bin->name, "ary"));
  g_assert_true (g_utf8_validate (bin->description, -1, NULL));
  g_assert_true (g_str_has_suffix (bin->description, "virtual\xef\xbf\xbd" "display"));
  g_assert_cmpint (bin->available, ==, 2);

  /* Only the two UUID entries are instances. */
  g_assert_cmpuint (listing->instances->len, ==, 2);
  const GvtMdevInstance *bare = listing->instances->pdata[0];
  g_assert_cmpstr (bare->uuid, ==, "11111111-2222-4333-8444-555555555555");
  g_assert_null (bare->type);
  g_assert_null (bare->driver);
  g_assert_cmpint (bare->iommu_group, ==, -1);
  g_assert_cmpstr (bare->parent, ==, "bad");
  const GvtMdevInstance *odd = listing->instances->pdata[1];
  g_assert_cmpstr (odd->type, ==, "t-garbage");
  g_assert_cmpint (odd->iommu_group, ==, -1);
  g_assert_cmpstr (odd->driver, ==, "vfio_mdev");

  g_autoptr (GError) resolve_error = NULL;
  g_autofree char *group = NULL, *name = NULL;
  g_assert_false (gvt_mdev_resolve ("22222222-2222-4333-8444-555555555555", &group, &name,
                                    &resolve_error));
  g_assert_error (resolve_error, GVT_ERROR, GVT_ERROR_FAILED);
  g_assert_cmpstr (resolve_error->message, ==,
                   "cannot open 22222222-2222-4333-8444-555555555555: its iommu_group link "
                   "names 'notanumber', not a group number (the kernel names IOMMU groups in "
                   "plain digits), so it has no /dev/vfio node — look at `ls -l "
                   "/sys/bus/mdev/devices/22222222-2222-4333-8444-555555555555/iommu_group`");
  g_assert_null (group);
}

/* --- tests: resolving --- */


static void
assert_resolves (const char *input, const char *want_group, const char *want_name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *group = NULL, *name = NULL;
  g_assert_true (gvt_mdev_resolve (input, &group, &name, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (group, ==, want_group);
  g_assert_cmpstr (name, ==, want_name);
}

/* available_instances as written: good ones and every hostile spelling
 * (with and without the kernel's newline), one type each. */
static const struct { const char *text; gsize len; int want; } avail_cases[] = {
  { "4", 1, 4 }, { "4\n", 2, 4 }, { "0\n", 2, 0 }, { "2147483647\n", 11, G_MAXINT },
  { " 4\n", 3, -1 }, { "\t4\n", 3, -1 }, { "\v4\n", 3, -1 }, { "\v+4\n", 4, -1 },
  { "+4\n", 3, -1 }, { "-4\n", 3, -1 }, { "0x4\n", 4, -1 }, { "04\n", 3, -1 },
  { "\n", 1, -1 }, { "", 0, -1 }, { "4\n\n", 3, -1 }, { "4 \n", 3, -1 }, { "4\r\n", 3, -1 },
  { "4\v", 2, -1 }, { "4x\n", 3, -1 }, { "2147483648\n", 11, -1 },
  { "99999999999999999999\n", 21, -1 }, { "4\0\n", 3, -1 }, { "\xd9\xa4\n", 3, -1 },
};

/* IOMMU group link names that are no group number. */
static const char *const hostile_groups[] = {
  "+4", " 4", "\v4", "\v+4", "\t4", "4 ", "-1", "-0", "0x4", "04", "4junk", "2147483648",
  "99999999999", "\xd9\xa4",
};

#define HOSTILE_UUID_FMT "%08x-2222-4333-8444-555555555555"

/* The GVT-g host, plus a parent whose numbers are spelt every way the
 * kernel never spells them, and vGPUs whose group links name no number. */
static char *
build_hostile_host (Fixture *f)
{
  build_gvt_host (f);
  g_autofree char *parent = add_parent (f, "P: /devices/virtual/hostile/hostile\n"
                                           "E: SUBSYSTEM=hostile\n");
  add_type (f, parent, "t-fence", "fence",
            "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence:\v+4\nresolution: 1920x1200\n"
            "weight: 4\n", "vfio-pci", "2\n");
  for (gsize i = 0; i < G_N_ELEMENTS (avail_cases); i++)
    {
      g_autofree char *id = g_strdup_printf ("t-avail-%02" G_GSIZE_FORMAT, i);
      add_type (f, parent, id, "avail", "virtual display", "vfio-pci", NULL);
      g_autofree char *path = g_build_filename (parent, "mdev_supported_types", id,
                                                "available_instances", NULL);
      tb_write (f, path, avail_cases[i].text, (gssize) avail_cases[i].len);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (hostile_groups); i++)
    {
      g_autofree char *uuid = g_strdup_printf (HOSTILE_UUID_FMT, (guint) i + 1);
      add_instance (f, parent, uuid, "t-fence", -1, "vfio_mdev");
      g_autofree char *dev = g_build_filename (parent, uuid, NULL);
      g_autofree char *target = g_strconcat ("../../../../kernel/iommu_groups/",
                                             hostile_groups[i], NULL);
      umockdev_testbed_set_attribute_link (f->tb, dev, "iommu_group", target);
    }
  return g_steal_pointer (&parent);
}

static void
test_scan_hostile_numbers (Fixture *f, gconstpointer data)
{
  g_autofree char *parent = build_hostile_host (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (GvtMdevListing) listing = gvt_mdev_scan (&error);
  g_assert_no_error (error);

  /* The GVT-g parent is untouched by its hostile neighbour. */
  g_assert_cmpuint (listing->parents->len, ==, 2);
  const GvtMdevParent *gvt = listing->parents->pdata[0];
  g_assert_cmpstr (gvt->name, ==, "0000:00:02.0");
  g_assert_cmpuint (gvt->types->len, ==, 4);
  assert_gvt_type (gvt->types->pdata[2], "i915-GVTg_V5_4", "GVTg_V5_4", 2,
                   128, 512, 4, 1920, 1200, 4);

  const GvtMdevParent *hostile = listing->parents->pdata[1];
  g_assert_cmpstr (hostile->name, ==, "hostile");
  g_assert_cmpuint (hostile->types->len, ==, G_N_ELEMENTS (avail_cases) + 1);
  /* "fence:\v+4" loses the fence only. */
  assert_gvt_type (find_type (hostile, "t-fence"), "t-fence", "fence", 2,
                   128, 512, -1, 1920, 1200, 4);
  for (gsize i = 0; i < G_N_ELEMENTS (avail_cases); i++)
    {
      g_autofree char *id = g_strdup_printf ("t-avail-%02" G_GSIZE_FORMAT, i);
      const GvtMdevType *t = find_type (hostile, id);
      g_autofree char *shown = g_strescape (avail_cases[i].text, NULL);
      if (t->available != avail_cases[i].want)
        g_error ("available_instances '%s' read as %d, not %d", shown, t->available,
                 avail_cases[i].want);
      g_assert_cmpstr (t->description, ==, "virtual display");
    }

  /* Two good vGPUs and one per hostile group name, each with no group. */
  g_assert_cmpuint (listing->instances->len, ==, 2 + G_N_ELEMENTS (hostile_groups));
  for (guint i = 0; i < listing->instances->len; i++)
    {
      const GvtMdevInstance *inst = listing->instances->pdata[i];
      if (strcmp (inst->uuid, GVT_UUID_A) == 0 || strcmp (inst->uuid, GVT_UUID_B) == 0)
        {
          g_assert_cmpint (inst->iommu_group, ==, strcmp (inst->uuid, GVT_UUID_A) == 0 ? 0 : 1);
          g_assert_null (inst->bad_iommu_group);
          continue;
        }
      guint n = 0;
      g_assert_cmpint (sscanf (inst->uuid, "%08x-", &n), ==, 1);
      g_assert_cmpuint (n, >=, 1);
      g_assert_cmpuint (n, <=, G_N_ELEMENTS (hostile_groups));
      g_assert_cmpint (inst->iommu_group, ==, -1);
      g_assert_cmpstr (inst->bad_iommu_group, ==, hostile_groups[n - 1]);
      g_assert_cmpstr (inst->type, ==, "t-fence");
      g_assert_cmpstr (inst->parent, ==, "hostile");
      g_assert_cmpstr (inst->driver, ==, "vfio_mdev");
    }
}

/* Opening a vGPU whose group link names no number is refused with the
 * name (escaped) and where to look; the good ones still resolve. */
static void
test_resolve_hostile_group (Fixture *f, gconstpointer data)
{
  g_autofree char *parent = build_hostile_host (f);
  assert_resolves (GVT_UUID_A, "/dev/vfio/0", GVT_UUID_A);
  assert_resolves (GVT_UUID_B, "/dev/vfio/1", GVT_UUID_B);

  for (gsize i = 0; i < G_N_ELEMENTS (hostile_groups); i++)
    {
      g_autofree char *uuid = g_strdup_printf (HOSTILE_UUID_FMT, (guint) i + 1);
      g_autofree char *shown = g_strescape (hostile_groups[i], NULL);
      g_autofree char *want = g_strdup_printf (
          "cannot open %s: its iommu_group link names '%s', not a group number (the kernel "
          "names IOMMU groups in plain digits), so it has no /dev/vfio node — look at "
          "`ls -l /sys/bus/mdev/devices/%s/iommu_group`", uuid, shown, uuid);
      g_autoptr (GError) error = NULL;
      g_autofree char *group = NULL, *name = NULL;
      g_assert_false (gvt_mdev_resolve (uuid, &group, &name, &error));
      g_assert_error (error, GVT_ERROR, GVT_ERROR_FAILED);
      g_assert_cmpstr (error->message, ==, want);
      g_assert_null (group);
      g_assert_null (name);
    }

  /* What exists, for other error messages, says which link is wrong. */
  g_autofree char *described = gvt_mdev_describe_instances ();
  g_assert_nonnull (strstr (described, "  /dev/vfio/0  (" GVT_UUID_A ", i915-GVTg_V5_4)\n"));
  g_assert_nonnull (strstr (described, "  (IOMMU group '+4' is not a number)  "
                                       "(00000001-2222-4333-8444-555555555555, t-fence)"));
  g_assert_nonnull (strstr (described, "  (IOMMU group '\\v4' is not a number)  "
                                       "(00000003-2222-4333-8444-555555555555, t-fence)"));
}

static void
test_resolve (Fixture *f, gconstpointer data)
{
  build_gvt_host (f);
  assert_resolves (GVT_UUID_A, "/dev/vfio/0", GVT_UUID_A);
  assert_resolves (GVT_UUID_B, "/dev/vfio/1", GVT_UUID_B);
  /* Pasted in upper case. */
  assert_resolves ("A1F3C9D2-6B7E-4C1A-8D2F-0E9B8A7C6D02", "/dev/vfio/1", GVT_UUID_B);
  /* Any sysfs path of the device directory. */
  assert_resolves ("/sys/bus/mdev/devices/" GVT_UUID_A, "/dev/vfio/0", GVT_UUID_A);
  assert_resolves ("/sys/bus/mdev/devices/" GVT_UUID_A "/", "/dev/vfio/0", GVT_UUID_A);
  assert_resolves ("/sys/devices/pci0000:00/0000:00:02.0/" GVT_UUID_B, "/dev/vfio/1", GVT_UUID_B);
  assert_resolves ("/sys/class/mdev_bus/0000:00:02.0/" GVT_UUID_B, "/dev/vfio/1", GVT_UUID_B);
  assert_resolves ("/sys/devices/pci0000:00/0000:00:02.0/mdev_supported_types/"
                   "i915-GVTg_V5_4/devices/" GVT_UUID_A, "/dev/vfio/0", GVT_UUID_A);
}

static void
test_resolve_unknown (Fixture *f, gconstpointer data)
{
  build_gvt_host (f);
  g_autoptr (GError) error = NULL;
  g_autofree char *group = NULL, *name = NULL;

  g_assert_false (gvt_mdev_resolve ("00000000-0000-4000-8000-000000000000", &group, &name,
                                    &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_assert_null (group);
  g_assert_null (name);
  g_assert_cmpstr (error->message, ==,
      "cannot open 00000000-0000-4000-8000-000000000000: no such mdev — `gvt-view list` shows "
      "the existing vGPUs; create one with echo $(uuidgen) > /sys/class/mdev_bus/0000:00:02.0/"
      "mdev_supported_types/i915-GVTg_V5_2/create\n"
      "vGPUs on this host:\n"
      "  /dev/vfio/0  (" GVT_UUID_A ", i915-GVTg_V5_4)\n"
      "  /dev/vfio/1  (" GVT_UUID_B ", i915-GVTg_V5_8)");
  g_clear_error (&error);

  /* A path that doesn't exist. */
  g_assert_false (gvt_mdev_resolve ("/sys/bus/mdev/devices/00000000-0000-4000-8000-000000000000",
                                    &group, &name, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_assert_true (g_str_has_prefix (error->message, "cannot open /sys/bus/mdev/devices/"
                                   "00000000-0000-4000-8000-000000000000: "));
  g_assert_nonnull (strstr (error->message, "gvt-view list"));
  g_clear_error (&error);

  /* A UUID pasted in upper case is named as pasted. */
  g_assert_false (gvt_mdev_resolve ("0000000A-0000-4000-8000-00000000000B", &group, &name,
                                    &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_assert_true (g_str_has_prefix (error->message,
                                   "cannot open 0000000A-0000-4000-8000-00000000000B: no such mdev"));
  g_clear_error (&error);

  /* A sysfs path that is not an mdev. */
  g_assert_false (gvt_mdev_resolve ("/sys/devices/pci0000:00/0000:00:02.0", &group, &name,
                                    &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_assert_cmpstr (error->message, ==,
                   "cannot open /sys/devices/pci0000:00/0000:00:02.0: not a mediated device — "
                   "give an mdev UUID or /sys/bus/mdev/devices/UUID (`gvt-view list` shows the "
                   "vGPUs)");
  g_clear_error (&error);
  g_assert_false (gvt_mdev_resolve ("/sys/kernel/iommu_groups/0", &group, &name, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_assert_true (g_str_has_prefix (error->message, "cannot open /sys/kernel/iommu_groups/0: "));
  g_assert_null (group);
}

static void
test_resolve_unknown_empty (Fixture *f, gconstpointer data)
{
  /* Nothing exists: the hint keeps its placeholders. */
  g_autoptr (GError) error = NULL;
  g_autofree char *group = NULL, *name = NULL;
  g_assert_false (gvt_mdev_resolve (GVT_UUID_A, &group, &name, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_assert_cmpstr (error->message, ==,
      "cannot open " GVT_UUID_A ": no such mdev — `gvt-view list` shows the existing vGPUs; "
      "create one with echo $(uuidgen) > /sys/class/mdev_bus/PARENT/mdev_supported_types/"
      "TYPE/create");
}

static void
test_resolve_no_group (Fixture *f, gconstpointer data)
{
  build_samples_host (f);
  assert_resolves (MBOCHS_UUID, "/dev/vfio/3", MBOCHS_UUID);

  g_autoptr (GError) error = NULL;
  g_autofree char *group = NULL, *name = NULL;
  g_assert_false (gvt_mdev_resolve (MDPY_UUID, &group, &name, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_assert_cmpstr (error->message, ==,
      "cannot open " MDPY_UUID ": the mdev has no IOMMU group, so no VFIO driver is bound "
      "to it (driver: none) — load its VFIO driver (modprobe kvmgt for GVT-g, vfio_mdev on "
      "older kernels) or bind it with echo " MDPY_UUID
      " > /sys/bus/mdev/drivers/DRIVER/bind");
  g_assert_null (group);
  g_assert_null (name);
}

static void
test_describe_instances (Fixture *f, gconstpointer data)
{
  build_samples_host (f);
  g_autofree char *text = gvt_mdev_describe_instances ();
  g_assert_cmpstr (text, ==,
      "  /dev/vfio/3  (" MBOCHS_UUID ", mbochs-medium)\n"
      "  (no IOMMU group)  (" MDPY_UUID ", mdpy-vga)");
}

/* --- tests: `gvt-view list` --- */

static const char *const list_args[] = { "list", NULL };
static const char *const list_json_args[] = { "list", "--json", NULL };

static void
test_list_text_gvt (Fixture *f, gconstpointer data)
{
  build_gvt_host (f);
  g_auto (ListRun) r = { 0 };
  run_list (&r, list_args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpstr (r.out, ==,
    "Parent 0000:00:02.0 (driver i915)\n"
    "  TYPE            NAME       AVAIL  API       LOW_GM  HIGH_GM  FENCE  RESOLUTION  WEIGHT\n"
    "  i915-GVTg_V5_1  GVTg_V5_1  0      vfio-pci  512MB   2048MB   4      1920x1200   16\n"
    "  i915-GVTg_V5_2  GVTg_V5_2  1      vfio-pci  256MB   1024MB   4      1920x1200   8\n"
    "  i915-GVTg_V5_4  GVTg_V5_4  2      vfio-pci  128MB   512MB    4      1920x1200   4\n"
    "  i915-GVTg_V5_8  GVTg_V5_8  5      vfio-pci  64MB    384MB    4      1024x768    2\n"
    "\n"
    "Instances\n"
    "  UUID                                  TYPE            PARENT        DEVICE       DRIVER\n"
    "  " GVT_UUID_A "  i915-GVTg_V5_4  0000:00:02.0  /dev/vfio/0  vfio_mdev\n"
    "  " GVT_UUID_B "  i915-GVTg_V5_8  0000:00:02.0  /dev/vfio/1  vfio_mdev\n");
}

static void
test_list_text_samples (Fixture *f, gconstpointer data)
{
  build_samples_host (f);
  g_auto (ListRun) r = { 0 };
  run_list (&r, list_args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpstr (r.out, ==,
    "Parent mbochs (no driver)\n"
    "  TYPE           NAME    AVAIL  API       DESCRIPTION\n"
    "  mbochs-large   large   1      vfio-pci  virtual display, framebuffer: 256 MB\n"
    "  mbochs-medium  medium  7      vfio-pci  virtual display, framebuffer: 64 MB\n"
    "  mbochs-small   small   28     vfio-pci  virtual display, framebuffer: 16 MB\n"
    "\n"
    "Parent mdpy (no driver)\n"
    "  TYPE      NAME  AVAIL  API       DESCRIPTION\n"
    "  mdpy-hd   hd    4      vfio-pci  virtual display, 1920x1080\n"
    "  mdpy-vga  vga   4      vfio-pci  virtual display, 640x480\n"
    "  mdpy-xga  xga   4      vfio-pci  virtual display, 1024x768\n"
    "\n"
    "Instances\n"
    "  UUID                                  TYPE           PARENT  DEVICE       DRIVER\n"
    "  " MBOCHS_UUID "  mbochs-medium  mbochs  /dev/vfio/3  vfio_mdev\n"
    "  " MDPY_UUID "  mdpy-vga       mdpy    -            -\n"
    "  note: " MDPY_UUID " has no IOMMU group: no VFIO driver is bound to it, "
    "so it can't be opened\n");
}

static void
test_list_text_empty (Fixture *f, gconstpointer data)
{
  g_auto (ListRun) r = { 0 };
  run_list (&r, list_args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpstr (r.out, ==,
    "No mediated devices (vGPUs) on this host: /sys/class/mdev_bus is empty or missing.\n"
    "  Intel GVT-g: boot with i915.enable_gvt=1 and load kvmgt (modprobe kvmgt).\n"
    "  Kernel samples: modprobe mbochs or modprobe mdpy.\n");
}

static void
test_list_text_no_instances (Fixture *f, gconstpointer data)
{
  g_autofree char *parent = add_parent (f, gvt_parent_record);
  add_type (f, parent, "i915-GVTg_V5_4", "GVTg_V5_4",
            "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\nresolution: 1920x1200\nweight: 4\n",
            "vfio-pci", "4");
  g_auto (ListRun) r = { 0 };
  run_list (&r, list_args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_suffix (r.out,
    "\nInstances\n"
    "  none; create one with: echo $(uuidgen) > /sys/class/mdev_bus/0000:00:02.0/"
    "mdev_supported_types/i915-GVTg_V5_4/create\n"));
}

static void
test_list_text_bad_input (Fixture *f, gconstpointer data)
{
  build_bad_host (f);
  g_auto (ListRun) r = { 0 };
  run_list (&r, list_args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_true (g_utf8_validate (r.out, -1, NULL));

  /* No control characters reach the terminal, no line runs away. */
  g_auto (GStrv) lines = g_strsplit (r.out, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      for (const char *c = *l; *c; c++)
        g_assert_cmpint ((guchar) *c >= 0x20 && *c != 0x7f, ==, TRUE);
      g_assert_cmpuint (g_utf8_strlen (*l, -1), <, 400);
    }
  g_assert_nonnull (strstr (r.out, "Parent bad (no driver)"));
  g_assert_nonnull (strstr (r.out, "Parent gone (no driver)\n  no types\n"));
  g_assert_nonnull (strstr (r.out, "  t-garbage   na?me?x"));
  /* The one-page description is cut in the table. */
  g_assert_nonnull (strstr (r.out, "AAAAAAAAA...\n"));
}

static void
test_list_json_gvt (Fixture *f, gconstpointer data)
{
  build_gvt_host (f);
  g_auto (ListRun) r = { 0 };
  run_list (&r, list_json_args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_true (g_str_has_suffix (r.out, "}\n"));

  g_autoptr (JsonNode) root = parse_json (r.out);
  JsonObject *o = json_node_get_object (root);
  g_assert_cmpuint (json_object_get_size (o), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "parents")), ==, 1);

  JsonObject *p = array_object (o, "parents", 0);
  g_assert_cmpstr (json_object_get_string_member (p, "name"), ==, "0000:00:02.0");
  g_assert_cmpstr (json_object_get_string_member (p, "driver"), ==, "i915");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (p, "types")), ==, 4);

  static const struct { const char *id; int avail, low, high, w, h, weight; } want[] = {
    { "i915-GVTg_V5_1", 0, 512, 2048, 1920, 1200, 16 },
    { "i915-GVTg_V5_2", 1, 256, 1024, 1920, 1200, 8 },
    { "i915-GVTg_V5_4", 2, 128, 512, 1920, 1200, 4 },
    { "i915-GVTg_V5_8", 5, 64, 384, 1024, 768, 2 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      JsonObject *t = array_object (p, "types", i);
      g_assert_cmpuint (json_object_get_size (t), ==, 10);
      g_assert_cmpstr (json_object_get_string_member (t, "id"), ==, want[i].id);
      g_assert_cmpstr (json_object_get_string_member (t, "name"), ==, want[i].id + 5);
      g_assert_cmpstr (json_object_get_string_member (t, "device_api"), ==, "vfio-pci");
      g_assert_true (g_str_has_prefix (json_object_get_string_member (t, "description"),
                                       "low_gm_size: "));
      g_assert_cmpint (json_object_get_int_member (t, "available_instances"), ==, want[i].avail);
      g_assert_cmpint (json_object_get_int_member (t, "low_gm_mb"), ==, want[i].low);
      g_assert_cmpint (json_object_get_int_member (t, "high_gm_mb"), ==, want[i].high);
      g_assert_cmpint (json_object_get_int_member (t, "fence"), ==, 4);
      g_assert_cmpint (json_object_get_int_member (t, "weight"), ==, want[i].weight);
      JsonObject *res = json_object_get_object_member (t, "resolution");
      g_assert_nonnull (res);
      g_assert_cmpint (json_object_get_int_member (res, "width"), ==, want[i].w);
      g_assert_cmpint (json_object_get_int_member (res, "height"), ==, want[i].h);
    }

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "instances")), ==, 2);
  JsonObject *a = array_object (o, "instances", 0);
  g_assert_cmpuint (json_object_get_size (a), ==, 6);
  g_assert_cmpstr (json_object_get_string_member (a, "uuid"), ==, GVT_UUID_A);
  g_assert_cmpstr (json_object_get_string_member (a, "type"), ==, "i915-GVTg_V5_4");
  g_assert_cmpstr (json_object_get_string_member (a, "parent"), ==, "0000:00:02.0");
  g_assert_cmpint (json_object_get_int_member (a, "iommu_group"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (a, "vfio_group_path"), ==, "/dev/vfio/0");
  g_assert_cmpstr (json_object_get_string_member (a, "driver"), ==, "vfio_mdev");
  JsonObject *b = array_object (o, "instances", 1);
  g_assert_cmpstr (json_object_get_string_member (b, "uuid"), ==, GVT_UUID_B);
  g_assert_cmpint (json_object_get_int_member (b, "iommu_group"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (b, "vfio_group_path"), ==, "/dev/vfio/1");
}

static void
test_list_json_samples (Fixture *f, gconstpointer data)
{
  build_samples_host (f);
  g_auto (ListRun) r = { 0 };
  run_list (&r, list_json_args);
  g_assert_cmpint (r.status, ==, 0);

  g_autoptr (JsonNode) root = parse_json (r.out);
  JsonObject *o = json_node_get_object (root);
  JsonObject *mbochs = array_object (o, "parents", 0);
  g_assert_cmpstr (json_object_get_string_member (mbochs, "name"), ==, "mbochs");
  assert_null_member (mbochs, "driver");
  JsonObject *large = array_object (mbochs, "types", 0);
  g_assert_cmpstr (json_object_get_string_member (large, "id"), ==, "mbochs-large");
  g_assert_cmpstr (json_object_get_string_member (large, "name"), ==, "large");
  g_assert_cmpstr (json_object_get_string_member (large, "description"), ==,
                   "virtual display, framebuffer: 256 MB");
  g_assert_cmpint (json_object_get_int_member (large, "available_instances"), ==, 1);
  assert_null_member (large, "low_gm_mb");
  assert_null_member (large, "high_gm_mb");
  assert_null_member (large, "fence");
  assert_null_member (large, "resolution");
  assert_null_member (large, "weight");

  JsonObject *mdpy = array_object (o, "parents", 1);
  g_assert_cmpstr (json_object_get_string_member (mdpy, "name"), ==, "mdpy");
  JsonObject *hd = array_object (mdpy, "types", 0);
  g_assert_cmpstr (json_object_get_string_member (hd, "description"), ==,
                   "virtual display, 1920x1080");

  JsonObject *unbound = array_object (o, "instances", 1);
  g_assert_cmpstr (json_object_get_string_member (unbound, "uuid"), ==, MDPY_UUID);
  g_assert_cmpstr (json_object_get_string_member (unbound, "parent"), ==, "mdpy");
  assert_null_member (unbound, "iommu_group");
  assert_null_member (unbound, "vfio_group_path");
  assert_null_member (unbound, "driver");
}

static void
test_list_json_empty (Fixture *f, gconstpointer data)
{
  g_auto (ListRun) r = { 0 };
  run_list (&r, list_json_args);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (JsonNode) root = parse_json (r.out);
  JsonObject *o = json_node_get_object (root);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "parents")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "instances")), ==, 0);
}

static void
test_list_json_bad_input (Fixture *f, gconstpointer data)
{
  build_bad_host (f);
  g_auto (ListRun) r = { 0 };
  run_list (&r, list_json_args);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (JsonNode) root = parse_json (r.out);
  JsonObject *o = json_node_get_object (root);
  JsonObject *bad = array_object (o, "parents", 0);
  JsonArray *types = json_object_get_array_member (bad, "types");
  g_assert_cmpuint (json_array_get_length (types), ==, 7);
  for (guint i = 0; i < json_array_get_length (types); i++)
    {
      JsonObject *t = json_array_get_object_element (types, i);
      const char *id = json_object_get_string_member (t, "id");
      if (strcmp (id, "t-garbage") == 0)
        {
          /* Control characters survive, escaped by JSON. */
          g_assert_cmpstr (json_object_get_string_member (t, "name"), ==, "na\x1bme\tx");
          assert_null_member (t, "available_instances");
          assert_null_member (t, "fence");
          assert_null_member (t, "resolution");
        }
      else if (strcmp (id, "t-missing") == 0)
        {
          assert_null_member (t, "name");
          assert_null_member (t, "description");
          assert_null_member (t, "device_api");
        }
    }
  JsonObject *gone = array_object (o, "parents", 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (gone, "types")), ==, 0);
  JsonObject *bare = array_object (o, "instances", 0);
  assert_null_member (bare, "type");
  assert_null_member (bare, "iommu_group");
}

static JsonObject *
find_json (JsonObject *o, const char *member, const char *key, const char *value)
{
  JsonArray *a = json_object_get_array_member (o, member);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *e = json_array_get_object_element (a, i);
      if (g_strcmp0 (json_object_get_string_member (e, key), value) == 0)
        return e;
    }
  g_error ("no %s with %s '%s'", member, key, value);
}

/* Every hostile number is null in the JSON, and nothing else is lost. */
static void
test_list_json_hostile_numbers (Fixture *f, gconstpointer data)
{
  g_autofree char *parent = build_hostile_host (f);
  g_auto (ListRun) r = { 0 };
  run_list (&r, list_json_args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_autoptr (JsonNode) root = parse_json (r.out);
  JsonObject *o = json_node_get_object (root);

  JsonObject *gvt = find_json (o, "parents", "name", "0000:00:02.0");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (gvt, "types")), ==, 4);
  JsonObject *v54 = find_json (gvt, "types", "id", "i915-GVTg_V5_4");
  g_assert_cmpint (json_object_get_int_member (v54, "fence"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (v54, "available_instances"), ==, 2);

  JsonObject *hostile = find_json (o, "parents", "name", "hostile");
  JsonObject *fence = find_json (hostile, "types", "id", "t-fence");
  assert_null_member (fence, "fence");
  g_assert_cmpint (json_object_get_int_member (fence, "low_gm_mb"), ==, 128);
  g_assert_cmpint (json_object_get_int_member (fence, "high_gm_mb"), ==, 512);
  g_assert_cmpint (json_object_get_int_member (fence, "weight"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (fence, "available_instances"), ==, 2);
  JsonObject *res = json_object_get_object_member (fence, "resolution");
  g_assert_nonnull (res);
  g_assert_cmpint (json_object_get_int_member (res, "width"), ==, 1920);
  for (gsize i = 0; i < G_N_ELEMENTS (avail_cases); i++)
    {
      g_autofree char *id = g_strdup_printf ("t-avail-%02" G_GSIZE_FORMAT, i);
      JsonObject *t = find_json (hostile, "types", "id", id);
      if (avail_cases[i].want < 0)
        assert_null_member (t, "available_instances");
      else
        g_assert_cmpint (json_object_get_int_member (t, "available_instances"), ==,
                         avail_cases[i].want);
      g_assert_cmpstr (json_object_get_string_member (t, "name"), ==, "avail");
    }

  JsonObject *a = find_json (o, "instances", "uuid", GVT_UUID_A);
  g_assert_cmpint (json_object_get_int_member (a, "iommu_group"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (a, "vfio_group_path"), ==, "/dev/vfio/0");
  JsonObject *b = find_json (o, "instances", "uuid", GVT_UUID_B);
  g_assert_cmpint (json_object_get_int_member (b, "iommu_group"), ==, 1);
  for (gsize i = 0; i < G_N_ELEMENTS (hostile_groups); i++)
    {
      g_autofree char *uuid = g_strdup_printf (HOSTILE_UUID_FMT, (guint) i + 1);
      JsonObject *inst = find_json (o, "instances", "uuid", uuid);
      assert_null_member (inst, "iommu_group");
      assert_null_member (inst, "vfio_group_path");
      g_assert_cmpstr (json_object_get_string_member (inst, "type"), ==, "t-fence");
      g_assert_cmpstr (json_object_get_string_member (inst, "parent"), ==, "hostile");
      g_assert_cmpstr (json_object_get_string_member (inst, "driver"), ==, "vfio_mdev");
    }
}

/* The table too: hostile numbers are "-", the good vGPUs keep their
 * nodes, no control character reaches the terminal. */
static void
test_list_text_hostile_numbers (Fixture *f, gconstpointer data)
{
  g_autofree char *parent = build_hostile_host (f);
  g_auto (ListRun) r = { 0 };
  run_list (&r, list_args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_nonnull (strstr (r.out,
    "  i915-GVTg_V5_4  GVTg_V5_4  2      vfio-pci  128MB   512MB    4      1920x1200   4\n"));
  g_assert_nonnull (strstr (r.out, "  t-fence     fence  2           vfio-pci  128MB   512MB    -  "
                                   "    1920x1200   4\n"));
  g_assert_nonnull (strstr (r.out, "  " GVT_UUID_A "  i915-GVTg_V5_4  0000:00:02.0  /dev/vfio/0  "
                                   "vfio_mdev\n"));
  g_assert_nonnull (strstr (r.out, "  00000001-2222-4333-8444-555555555555  t-fence         "
                                   "hostile       -            vfio_mdev\n"));
  for (const char *c = r.out; *c; c++)
    g_assert_true ((guchar) *c >= 0x20 || *c == '\n');
}

static void
test_list_usage (Fixture *f, gconstpointer data)
{
  {
    static const char *const args[] = { "list", "--help", NULL };
    g_auto (ListRun) r = { 0 };
    run_list (&r, args);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_str_has_prefix (r.out, "Usage:\n  gvt-view list [OPTION…]\n"));
    g_assert_nonnull (strstr (r.out, "--json"));
    g_assert_nonnull (strstr (r.out, "Lists the host's vGPU parents"));
    g_assert_cmpstr (r.err, ==, "");
  }
  {
    static const char *const args[] = { "list", "-h", NULL };
    g_auto (ListRun) r = { 0 };
    run_list (&r, args);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_str_has_prefix (r.out, "Usage:\n  gvt-view list"));
  }
  {
    static const char *const args[] = { "list", "--bogus", NULL };
    g_auto (ListRun) r = { 0 };
    run_list (&r, args);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_cmpstr (r.out, ==, "");
    g_assert_true (g_str_has_prefix (r.err, "gvt-view: list: "));
    g_assert_nonnull (strstr (r.err, "--bogus"));
    g_assert_nonnull (strstr (r.err, "gvt-view list --help"));
  }
  {
    static const char *const args[] = { "list", "extra", NULL };
    g_auto (ListRun) r = { 0 };
    run_list (&r, args);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_cmpstr (r.out, ==, "");
    g_assert_cmpstr (r.err, ==, "gvt-view: list takes no arguments, got 'extra' "
                                "(see gvt-view list --help)\n");
  }
}

int
main (int argc, char **argv)
{
  gvt_test_ensure_umockdev (argc, argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mdev/uuid", test_is_uuid);
  g_test_add_func ("/mdev/parse-description", test_parse_description);
  g_test_add_func ("/mdev/parse-description/hostile-numbers", test_parse_description_hostile);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/mdev/scan/gvt", test_scan_gvt);
  ADD ("/mdev/scan/samples", test_scan_samples);
  ADD ("/mdev/scan/empty", test_scan_empty);
  ADD ("/mdev/scan/bad-input", test_scan_bad_input);
  ADD ("/mdev/scan/hostile-numbers", test_scan_hostile_numbers);
  ADD ("/mdev/resolve/uuid-and-path", test_resolve);
  ADD ("/mdev/resolve/unknown", test_resolve_unknown);
  ADD ("/mdev/resolve/unknown-empty-host", test_resolve_unknown_empty);
  ADD ("/mdev/resolve/no-group", test_resolve_no_group);
  ADD ("/mdev/resolve/hostile-group", test_resolve_hostile_group);
  ADD ("/mdev/describe-instances", test_describe_instances);
  ADD ("/mdev/list/text/gvt", test_list_text_gvt);
  ADD ("/mdev/list/text/samples", test_list_text_samples);
  ADD ("/mdev/list/text/empty", test_list_text_empty);
  ADD ("/mdev/list/text/no-instances", test_list_text_no_instances);
  ADD ("/mdev/list/text/bad-input", test_list_text_bad_input);
  ADD ("/mdev/list/json/gvt", test_list_json_gvt);
  ADD ("/mdev/list/json/samples", test_list_json_samples);
  ADD ("/mdev/list/json/empty", test_list_json_empty);
  ADD ("/mdev/list/json/bad-input", test_list_json_bad_input);
  ADD ("/mdev/list/json/hostile-numbers", test_list_json_hostile_numbers);
  ADD ("/mdev/list/text/hostile-numbers", test_list_text_hostile_numbers);
  ADD ("/mdev/list/usage", test_list_usage);
#undef ADD

  return g_test_run ();
}
