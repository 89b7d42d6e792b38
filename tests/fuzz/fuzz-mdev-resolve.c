/* Fuzz target: resolving an mdev's sysfs directory to its VFIO group,
 * gvt_mdev_resolve (vgpu/mdev.h), with hostile sysfs links.
 *
 * A fake sysfs device tree in a private temporary directory (the path form
 * of resolve takes any directory, so no /sys and no umockdev are needed):
 * an mdev directory named by a mixed-case UUID with an mdev_type link, one
 * without it, a non-UUID one, and a bus-style symlink to the first. Input:
 * which path to resolve (direct, trailing '/', "/.", through the bus link,
 * through "..", the two non-mdevs), whether the iommu_group and driver
 * links exist, and their targets' bytes (any bytes but NUL, in a few
 * shapes: bare, under a directory, with a trailing '/', over-long).
 * Contract checked (mdev.h, VFIO-NOTES.md):
 * - success exactly when the iommu_group link's last component is a group
 *   number in the kernel's spelling (ASCII digits, no sign, no leading
 *   zero but "0", at most G_MAXINT): "/dev/vfio/N" with that N, and the
 *   device name is the UUID in lower case;
 * - no link: GVT_ERROR_NO_DEVICE; a name that is no number: FAILED (or
 *   NO_DEVICE for names no sysfs link can have: ".", "..", over-long,
 *   invalid UTF-8), its message showing the name escaped; a directory that
 *   is not an mdev: INVALID_ARGS;
 * - every message starts "cannot open PATH: " and is valid UTF-8; outputs
 *   are untouched on failure. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "common/gvt-error.h"
#include "vgpu/mdev.h"
#include "fuzz-common.h"

#define UUID_MIXED "6D0c5a4e-1b2c-4d3e-8f90-aBcDeF012345"
#define UUID_NOTYPE "11111111-2222-4333-8444-555555555555"

static char *root;
static char *dev_dir;    /* the mdev with a type */
static char *notype_dir; /* a UUID directory without mdev_type */

static void
remove_tree (void)
{
  if (root == NULL)
    return;
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
  if (system (cmd) != 0)
    g_printerr ("cannot remove %s\n", root);
}

static void
mkdir_or_die (const char *path)
{
  if (g_mkdir_with_parents (path, 0755) != 0)
    g_error ("mkdir %s: %s", path, g_strerror (errno));
}

static void
symlink_or_die (const char *target, const char *path)
{
  if (symlink (target, path) != 0)
    g_error ("symlink %s: %s", path, g_strerror (errno));
}

void
fuzz_target_init (void)
{
  g_autoptr (GError) error = NULL;
  root = g_dir_make_tmp ("gvt-fuzz-mdev-XXXXXX", &error);
  if (root == NULL)
    g_error ("%s", error->message);
  atexit (remove_tree);

  dev_dir = g_build_filename (root, "devices", "pci0", UUID_MIXED, NULL);
  notype_dir = g_build_filename (root, "devices", "pci0", UUID_NOTYPE, NULL);
  g_autofree char *types = g_build_filename (root, "types", "i915-GVTg_V5_4", NULL);
  g_autofree char *not_uuid = g_build_filename (root, "devices", "pci0", "not-a-uuid", NULL);
  g_autofree char *bus = g_build_filename (root, "bus", NULL);
  mkdir_or_die (dev_dir);
  mkdir_or_die (notype_dir);
  mkdir_or_die (types);
  mkdir_or_die (not_uuid);
  mkdir_or_die (bus);

  g_autofree char *type_link = g_build_filename (dev_dir, "mdev_type", NULL);
  g_autofree char *type_link2 = g_build_filename (not_uuid, "mdev_type", NULL);
  symlink_or_die ("../../../types/i915-GVTg_V5_4", type_link);
  symlink_or_die ("../../../types/i915-GVTg_V5_4", type_link2);
  g_autofree char *bus_link = g_build_filename (bus, UUID_MIXED, NULL);
  symlink_or_die ("../devices/pci0/" UUID_MIXED, bus_link);
}

/* What g_path_get_basename documents: the part after the last '/',
 * ignoring trailing ones; "/" for only slashes; "." for "". */
static char *
ref_basename (const char *s)
{
  gsize len = strlen (s);
  if (len == 0)
    return g_strdup (".");
  while (len > 0 && s[len - 1] == '/')
    len--;
  if (len == 0)
    return g_strdup ("/");
  gsize start = len;
  while (start > 0 && s[start - 1] != '/')
    start--;
  return g_strndup (s + start, len - start);
}

static int
ref_number (const char *s)
{
  gsize len = strlen (s);
  if (len == 0 || (s[0] == '0' && len > 1))
    return -1;
  guint64 v = 0;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return -1;
      v = v * 10 + (guint64) (s[i] - '0');
      if (v > G_MAXINT)
        return -1;
    }
  return (int) v;
}

/* Names a sysfs link can't have; resolve may call them "no group". */
static gboolean
odd_name (const char *name)
{
  return strlen (name) > 255 || strcmp (name, ".") == 0 || strcmp (name, "..") == 0
         || strcmp (name, "/") == 0 || !g_utf8_validate (name, -1, NULL);
}

/* A link target from the input: up to @max bytes, stopping at NUL. */
static char *
take_string (FuzzIn *in, gsize max)
{
  GString *s = g_string_new (NULL);
  for (gsize i = 0; i < max && !fuzz_in_done (in); i++)
    {
      guint8 c = fuzz_u8 (in);
      if (c == 0)
        break;
      g_string_append_c (s, (char) c);
    }
  return g_string_free (s, FALSE);
}

static void
set_link (const char *dir, const char *name, const char *target)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  if (unlink (path) != 0 && errno != ENOENT)
    g_error ("unlink %s: %s", path, g_strerror (errno));
  if (target != NULL && symlink (target, path) != 0)
    g_error ("symlink %s -> %s: %s", path, target, g_strerror (errno));
}

void
fuzz_target_run (const guint8 *data, gsize size)
{
  FuzzIn in;
  fuzz_in_init (&in, data, size);

  guint8 variant = fuzz_u8 (&in);
  guint8 links = fuzz_u8 (&in);
  guint8 len = fuzz_u8 (&in);
  g_autofree char *raw = take_string (&in, len);
  g_autofree char *driver_raw = take_string (&in, 64);

  /* The iommu_group link's target, in the shapes sysfs and a hostile tree
   * give it. An empty target is no link (symlink(2) refuses it). */
  g_autofree char *group_target = NULL;
  if ((links & 1) && raw[0] != '\0')
    switch ((links >> 2) % 5)
      {
      case 0: group_target = g_strdup (raw); break;
      case 1: group_target = g_strconcat ("../../../../kernel/iommu_groups/", raw, NULL); break;
      case 2: group_target = g_strconcat (raw, "/", NULL); break;
      case 3: group_target = g_strconcat ("/", raw, NULL); break;
      default:
        {
          /* Longer than a name may be. */
          GString *s = g_string_new ("../");
          while (s->len < 300)
            g_string_append (s, raw);
          group_target = g_string_free (s, FALSE);
        }
      }
  const char *driver_target = (links & 2) && driver_raw[0] ? driver_raw : NULL;
  set_link (dev_dir, "iommu_group", group_target);
  set_link (dev_dir, "driver", driver_target);
  set_link (notype_dir, "iommu_group", group_target);

  g_autofree char *path = NULL;
  gboolean is_mdev = TRUE;
  switch (variant % 7)
    {
    case 0: path = g_strdup (dev_dir); break;
    case 1: path = g_strconcat (dev_dir, "/", NULL); break;
    case 2: path = g_strconcat (dev_dir, "/.", NULL); break;
    case 3: path = g_build_filename (root, "bus", UUID_MIXED, NULL); break;
    case 4: path = g_build_filename (notype_dir, "..", UUID_MIXED, NULL); break;
    case 5: path = g_strdup (notype_dir); is_mdev = FALSE; break;
    default:
      path = g_build_filename (root, "devices", "pci0", "not-a-uuid", NULL);
      is_mdev = FALSE;
      break;
    }

  /* Sentinels: a failure must leave both as they were. */
  static char untouched[] = "untouched";
  char *group_path = untouched, *device_name = untouched;
  g_autoptr (GError) error = NULL;
  gboolean ok = gvt_mdev_resolve (path, &group_path, &device_name, &error);

  g_autofree char *name = group_target ? ref_basename (group_target) : NULL;
  int number = name ? ref_number (name) : -1;

  if (ok)
    {
      g_autofree char *want = g_strdup_printf ("/dev/vfio/%d", number);
      FUZZ_CHECK (is_mdev && number >= 0, "resolved %s to %s although its iommu_group "
                  "link names '%s'", path, group_path, name ? g_strescape (name, NULL) : "");
      FUZZ_CHECK (strcmp (group_path, want) == 0, "group %s, not %s", group_path, want);
      FUZZ_CHECK (strcmp (device_name, "6d0c5a4e-1b2c-4d3e-8f90-abcdef012345") == 0,
                  "device name %s", device_name);
      fuzz_count ("resolved");
      g_free (group_path);
      g_free (device_name);
      return;
    }

  FUZZ_CHECK (group_path == untouched && device_name == untouched,
              "a failed resolve set its outputs");
  FUZZ_CHECK (error != NULL && error->domain == GVT_ERROR, "a failure without a GVT_ERROR");
  g_autofree char *prefix = g_strdup_printf ("cannot open %s: ", path);
  FUZZ_CHECK (g_str_has_prefix (error->message, prefix) && g_utf8_validate (error->message, -1,
                                                                            NULL),
              "message \"%s\"", g_strescape (error->message, NULL));
  if (!is_mdev)
    {
      FUZZ_CHECK (error->code == GVT_ERROR_INVALID_ARGS, "a non-mdev gave code %d: %s",
                  error->code, error->message);
      fuzz_count ("not an mdev");
      return;
    }
  FUZZ_CHECK (number < 0, "a group number '%s' and yet: %s", name, error->message);
  if (name == NULL)
    {
      FUZZ_CHECK (error->code == GVT_ERROR_NO_DEVICE, "no link gave code %d", error->code);
      fuzz_count ("no group link");
    }
  else if (odd_name (name))
    {
      FUZZ_CHECK (error->code == GVT_ERROR_NO_DEVICE || error->code == GVT_ERROR_FAILED,
                  "an odd link name gave code %d", error->code);
      fuzz_count ("odd link name");
    }
  else
    {
      g_autofree char *shown = g_strescape (name, NULL);
      FUZZ_CHECK (error->code == GVT_ERROR_FAILED && strstr (error->message, shown) != NULL,
                  "the non-number group '%s' gave code %d: %s", shown, error->code,
                  error->message);
      fuzz_count ("not a number");
    }
}
