/* Mediated-device discovery: the parents, types and instances the kernel
 * publishes in sysfs, read defensively (bounded reads, strict numbers,
 * missing attributes tolerated). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mdev.h"
#include "common/gvt-error.h"

/* Plain /sys paths on purpose: umockdev's preload redirects them in tests. */
#define MDEV_BUS_DIR     "/sys/class/mdev_bus"
#define MDEV_DEVICES_DIR "/sys/bus/mdev/devices"

/* A sysfs attribute is at most one page. Anything longer was not written by
 * the kernel, so it is dropped rather than shown truncated. */
#define ATTR_MAX 4096
/* Far above any real host, low enough that a strange tree can't make
 * `gvt-view list` run away. */
#define MAX_PARENTS   256
#define MAX_TYPES     256
#define MAX_INSTANCES 4096
/* Link targets name a directory; a longer basename is not a sysfs name. */
#define NAME_MAX_LEN  255

/* --- reading sysfs --- */

/* The one number parser for everything read from sysfs: a decimal in the
 * form the kernel prints with %d/%u — ASCII digits only, no leading zero
 * but for "0" itself, at most 10 digits — from 0 to @max; -1 for anything
 * else (empty, spaces or \v, a sign, "0x", trailing junk, an embedded NUL,
 * overflow). g_ascii_string_to_unsigned is not strict enough: the strtoull
 * under it skips a leading \v and then takes a sign. @len is the length of
 * @s (which needs no terminating NUL). */
static int
parse_decimal (const char *s, gsize len, int max)
{
  if (s == NULL || len == 0 || len > 10 || (s[0] == '0' && len > 1))
    return -1;

  gint64 v = 0;
  for (gsize i = 0; i < len; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return -1;
      /* Ten digits stay far inside gint64: no overflow before the check. */
      v = v * 10 + (s[i] - '0');
    }
  return v <= max ? (int) v : -1;
}

static int
parse_uint (const char *s)
{
  return s != NULL ? parse_decimal (s, strlen (s), G_MAXINT) : -1;
}

/* Up to ATTR_MAX + 1 bytes of the attribute into @buf; FALSE when it is
 * missing or unreadable. */
static gboolean
read_attr_bytes (const char *dir, const char *name, char buf[ATTR_MAX + 1], gsize *len_out)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;

  gsize len = 0;
  while (len < ATTR_MAX + 1)
    {
      ssize_t n = read (fd, buf + len, ATTR_MAX + 1 - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_debug ("mdev: cannot read %s: %s", path, g_strerror (errno));
          close (fd);
          return FALSE;
        }
      if (n == 0)
        break;
      len += (gsize) n;
    }
  close (fd);

  if (len > ATTR_MAX)
    {
      g_debug ("mdev: ignoring %s: longer than %d bytes", path, ATTR_MAX);
      return FALSE;
    }
  *len_out = len;
  return TRUE;
}

/* The attribute's text, valid UTF-8, without surrounding whitespace; NULL
 * when it is missing, unreadable, over-long or empty. */
static char *
read_attr (const char *dir, const char *name)
{
  char buf[ATTR_MAX + 1];
  gsize len = 0;
  if (!read_attr_bytes (dir, name, buf, &len))
    return NULL;

  /* Embedded NULs and invalid bytes become U+FFFD, so the text is safe for
   * JSON and for printing. */
  char *text = g_utf8_make_valid (buf, (gssize) len);
  g_strstrip (text);
  if (*text == '\0')
    {
      g_free (text);
      return NULL;
    }
  return text;
}

/* A number attribute, exactly as the kernel writes one ("%u\n"): the
 * digits and one optional newline, nothing else — no surrounding
 * whitespace is trimmed, unlike text attributes. -1 otherwise. */
static int
read_uint_attr (const char *dir, const char *name)
{
  char buf[ATTR_MAX + 1];
  gsize len = 0;
  if (!read_attr_bytes (dir, name, buf, &len))
    return -1;
  if (len > 0 && buf[len - 1] == '\n')
    len--;
  return parse_decimal (buf, len, G_MAXINT);
}

/* The last component of the link @dir/@name points to ("i915" for a
 * driver link, "7" for an iommu_group link), or NULL. */
static char *
read_link_name (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *target = g_file_read_link (path, NULL);
  if (target == NULL)
    return NULL;

  char *base = g_path_get_basename (target);
  gsize len = strlen (base);
  if (len == 0 || len > NAME_MAX_LEN || strcmp (base, ".") == 0
      || strcmp (base, "..") == 0 || strcmp (base, "/") == 0
      || !g_utf8_validate (base, -1, NULL))
    {
      g_free (base);
      return NULL;
    }
  return base;
}

/* --- the GVT-g description --- */

/* Spaces (only ' ') around a key or a value are layout ("fence: 4",
 * "fence:  2 , weight: 2"); a tab, \v or any other byte is part of the
 * value, so that a number with one is not a number. Strips in place. */
static char *
strip_spaces (char *s)
{
  while (*s == ' ')
    s++;
  gsize len = strlen (s);
  while (len > 0 && s[len - 1] == ' ')
    s[--len] = '\0';
  return s;
}

/* "128MB" or "128 MB" (any case of MB); -1 for anything else. */
static int
parse_megabytes (const char *s)
{
  gsize len = strlen (s);
  if (len < 3 || g_ascii_strcasecmp (s + len - 2, "MB") != 0)
    return -1;
  len -= 2;
  while (len > 0 && s[len - 1] == ' ')
    len--;
  return parse_decimal (s, len, G_MAXINT);
}

/* "1920x1200", both sides positive. */
static gboolean
parse_resolution (const char *s, int *width, int *height)
{
  const char *x = strchr (s, 'x');
  if (x == NULL)
    return FALSE;
  int w = parse_decimal (s, (gsize) (x - s), G_MAXINT);
  int h = parse_uint (x + 1);
  if (w <= 0 || h <= 0)
    return FALSE;
  *width = w;
  *height = h;
  return TRUE;
}

void
gvt_mdev_type_parse_description (GvtMdevType *type, const char *description)
{
  type->low_gm_mb = type->high_gm_mb = type->fence = type->weight = -1;
  type->max_xres = type->max_yres = -1;
  if (description == NULL)
    return;

  /* Real kernels separate the fields with newlines; accept ", " too, as
   * older documentation and tools print them on one line. */
  g_autofree char *copy = g_strdup (description);
  g_strdelimit (copy, ",", '\n');
  g_auto (GStrv) lines = g_strsplit (copy, "\n", -1);

  for (char **l = lines; *l != NULL; l++)
    {
      char *colon = strchr (*l, ':');
      if (colon == NULL)
        continue;
      *colon = '\0';
      const char *key = strip_spaces (*l);
      const char *value = strip_spaces (colon + 1);

      if (strcmp (key, "low_gm_size") == 0)
        type->low_gm_mb = parse_megabytes (value);
      else if (strcmp (key, "high_gm_size") == 0)
        type->high_gm_mb = parse_megabytes (value);
      else if (strcmp (key, "fence") == 0)
        type->fence = parse_uint (value);
      else if (strcmp (key, "weight") == 0)
        type->weight = parse_uint (value);
      else if (strcmp (key, "resolution") == 0)
        {
          if (!parse_resolution (value, &type->max_xres, &type->max_yres))
            type->max_xres = type->max_yres = -1;
        }
    }
}

gboolean
gvt_mdev_is_uuid (const char *s)
{
  return s != NULL && g_uuid_string_is_valid (s);
}

/* --- the listing --- */

static void
type_free (GvtMdevType *self)
{
  if (self == NULL)
    return;
  g_free (self->id);
  g_free (self->name);
  g_free (self->description);
  g_free (self->device_api);
  g_free (self);
}

static void
parent_free (GvtMdevParent *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->driver);
  g_clear_pointer (&self->types, g_ptr_array_unref);
  g_free (self);
}

static void
instance_free (GvtMdevInstance *self)
{
  if (self == NULL)
    return;
  g_free (self->uuid);
  g_free (self->type);
  g_free (self->parent);
  g_free (self->driver);
  g_free (self->bad_iommu_group);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtMdevType, type_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtMdevParent, parent_free)

void
gvt_mdev_listing_free (GvtMdevListing *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->parents, g_ptr_array_unref);
  g_clear_pointer (&self->instances, g_ptr_array_unref);
  g_free (self);
}

static int
compare_types (gconstpointer a, gconstpointer b)
{
  const GvtMdevType *ta = *(GvtMdevType * const *) a;
  const GvtMdevType *tb = *(GvtMdevType * const *) b;
  return strcmp (ta->id, tb->id);
}

static int
compare_parents (gconstpointer a, gconstpointer b)
{
  const GvtMdevParent *pa = *(GvtMdevParent * const *) a;
  const GvtMdevParent *pb = *(GvtMdevParent * const *) b;
  return strcmp (pa->name, pb->name);
}

static int
compare_instances (gconstpointer a, gconstpointer b)
{
  const GvtMdevInstance *ia = *(GvtMdevInstance * const *) a;
  const GvtMdevInstance *ib = *(GvtMdevInstance * const *) b;
  return strcmp (ia->uuid, ib->uuid);
}

/* Directory entries as valid UTF-8 names, at most @max of them: names end
 * up in JSON and on the terminal. */
static GPtrArray *
list_dir (const char *path, guint max, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GDir) dir = g_dir_open (path, 0, &local_error);
  if (dir == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (!g_utf8_validate (name, -1, NULL) || strlen (name) > NAME_MAX_LEN)
        continue;
      if (names->len >= max)
        {
          g_debug ("mdev: %s has more than %u entries; ignoring the rest", path, max);
          break;
        }
      g_ptr_array_add (names, g_strdup (name));
    }
  return names;
}

static GvtMdevType *
read_type (const char *types_dir, const char *id)
{
  g_autofree char *dir = g_build_filename (types_dir, id, NULL);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return NULL;

  g_autoptr (GvtMdevType) type = g_new0 (GvtMdevType, 1);
  type->id = g_strdup (id);
  type->name = read_attr (dir, "name");
  type->description = read_attr (dir, "description");
  type->device_api = read_attr (dir, "device_api");
  type->available = read_uint_attr (dir, "available_instances");
  gvt_mdev_type_parse_description (type, type->description);
  return g_steal_pointer (&type);
}

static GvtMdevParent *
read_parent (const char *name)
{
  g_autofree char *dir = g_build_filename (MDEV_BUS_DIR, name, NULL);
  g_autofree char *types_dir = g_build_filename (dir, "mdev_supported_types", NULL);

  g_autoptr (GvtMdevParent) parent = g_new0 (GvtMdevParent, 1);
  parent->name = g_strdup (name);
  parent->driver = read_link_name (dir, "driver");
  parent->types = g_ptr_array_new_with_free_func ((GDestroyNotify) type_free);

  /* A parent without mdev_supported_types is listed with no types: the
   * user should still see that the parent exists. */
  g_autoptr (GPtrArray) ids = list_dir (types_dir, MAX_TYPES, NULL);
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    {
      GvtMdevType *type = read_type (types_dir, ids->pdata[i]);
      if (type != NULL)
        g_ptr_array_add (parent->types, type);
    }
  g_ptr_array_sort (parent->types, compare_types);
  return g_steal_pointer (&parent);
}

static GvtMdevInstance *
read_instance (const char *uuid)
{
  g_autofree char *dir = g_build_filename (MDEV_DEVICES_DIR, uuid, NULL);

  GvtMdevInstance *instance = g_new0 (GvtMdevInstance, 1);
  instance->uuid = g_strdup (uuid);
  instance->type = read_link_name (dir, "mdev_type");
  instance->driver = read_link_name (dir, "driver");

  g_autofree char *group = read_link_name (dir, "iommu_group");
  instance->iommu_group = parse_uint (group);
  if (group != NULL && instance->iommu_group < 0)
    {
      g_debug ("mdev: %s: the iommu_group link names '%s', not a group number", dir, group);
      instance->bad_iommu_group = g_steal_pointer (&group);
    }

  /* The parent is the device the instance's real directory sits in. */
  g_autofree char *real = realpath (dir, NULL);
  if (real != NULL)
    {
      g_autofree char *up = g_path_get_dirname (real);
      g_autofree char *base = g_path_get_basename (up);
      if (strcmp (base, "/") != 0 && strcmp (base, ".") != 0
          && g_utf8_validate (base, -1, NULL))
        instance->parent = g_steal_pointer (&base);
    }
  return instance;
}

/* An absent directory means "nothing of that kind", not a failure. */
static gboolean
is_absent (const GError *error)
{
  return g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
      || g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);
}

GvtMdevListing *
gvt_mdev_scan (GError **error)
{
  g_autoptr (GvtMdevListing) self = g_new0 (GvtMdevListing, 1);
  self->parents = g_ptr_array_new_with_free_func ((GDestroyNotify) parent_free);
  self->instances = g_ptr_array_new_with_free_func ((GDestroyNotify) instance_free);

  g_autoptr (GError) local_error = NULL;
  g_autoptr (GPtrArray) names = list_dir (MDEV_BUS_DIR, MAX_PARENTS, &local_error);
  if (names == NULL && !is_absent (local_error))
    {
      g_set_error (error, GVT_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ACCES)
                     ? GVT_ERROR_PERMISSION : GVT_ERROR_FAILED,
                   "cannot list the vGPU parents in %s: %s", MDEV_BUS_DIR,
                   local_error->message);
      return NULL;
    }
  for (guint i = 0; names != NULL && i < names->len; i++)
    g_ptr_array_add (self->parents, read_parent (names->pdata[i]));
  g_ptr_array_sort (self->parents, compare_parents);

  g_clear_error (&local_error);
  g_autoptr (GPtrArray) uuids = list_dir (MDEV_DEVICES_DIR, MAX_INSTANCES, &local_error);
  if (uuids == NULL && !is_absent (local_error))
    {
      g_set_error (error, GVT_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ACCES)
                     ? GVT_ERROR_PERMISSION : GVT_ERROR_FAILED,
                   "cannot list the vGPUs in %s: %s", MDEV_DEVICES_DIR,
                   local_error->message);
      return NULL;
    }
  for (guint i = 0; uuids != NULL && i < uuids->len; i++)
    {
      /* The mdev core names every instance by its UUID; anything else here
       * is not something gvt-view could open by name. */
      if (!gvt_mdev_is_uuid (uuids->pdata[i]))
        {
          g_debug ("mdev: ignoring %s/%s: not a UUID", MDEV_DEVICES_DIR,
                   (const char *) uuids->pdata[i]);
          continue;
        }
      g_ptr_array_add (self->instances, read_instance (uuids->pdata[i]));
    }
  g_ptr_array_sort (self->instances, compare_instances);

  return g_steal_pointer (&self);
}

char *
gvt_mdev_listing_create_hint (GvtMdevListing *self)
{
  const char *parent_name = "PARENT", *type_id = "TYPE";
  gboolean found = FALSE;

  /* Prefer a type that still has room; otherwise any type, so the command
   * at least names real directories. */
  for (int pass = 0; pass < 2 && !found && self != NULL; pass++)
    for (guint i = 0; i < self->parents->len && !found; i++)
      {
        GvtMdevParent *parent = self->parents->pdata[i];
        for (guint j = 0; j < parent->types->len && !found; j++)
          {
            GvtMdevType *type = parent->types->pdata[j];
            if (pass == 0 && type->available <= 0)
              continue;
            parent_name = parent->name;
            type_id = type->id;
            found = TRUE;
          }
      }

  return g_strdup_printf ("echo $(uuidgen) > " MDEV_BUS_DIR "/%s/mdev_supported_types/%s/create",
                          parent_name, type_id);
}

static char *
describe_listing (GvtMdevListing *listing)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; listing != NULL && i < listing->instances->len; i++)
    {
      GvtMdevInstance *inst = listing->instances->pdata[i];
      g_autofree char *node = NULL;
      if (inst->iommu_group >= 0)
        node = g_strdup_printf ("/dev/vfio/%d", inst->iommu_group);
      else if (inst->bad_iommu_group != NULL)
        {
          g_autofree char *shown = g_strescape (inst->bad_iommu_group, NULL);
          node = g_strdup_printf ("(IOMMU group '%s' is not a number)", shown);
        }
      else
        node = g_strdup ("(no IOMMU group)");
      if (s->len > 0)
        g_string_append_c (s, '\n');
      g_string_append_printf (s, "  %s  (%s, %s)", node, inst->uuid,
                              inst->type ? inst->type : "unknown type");
    }
  return g_string_free (s, FALSE);
}

char *
gvt_mdev_describe_instances (void)
{
  g_autoptr (GvtMdevListing) listing = gvt_mdev_scan (NULL);
  return describe_listing (listing);
}

/* --- resolving a UUID or sysfs path --- */

/* Every error starts "cannot open DEVICE: " with @named exactly as the user
 * gave it: resolving is the first step of opening it. */
static void
set_no_such_uuid (GError **error, const char *named)
{
  g_autoptr (GvtMdevListing) listing = gvt_mdev_scan (NULL);
  g_autofree char *hint = gvt_mdev_listing_create_hint (listing);
  g_autofree char *existing = describe_listing (listing);

  g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
               "cannot open %s: no such mdev — `gvt-view list` shows the existing vGPUs; "
               "create one with %s%s%s",
               named, hint, *existing ? "\nvGPUs on this host:\n" : "", existing);
}

gboolean
gvt_mdev_resolve (const char *uuid_or_path, char **group_path,
                  char **device_name, GError **error)
{
  g_return_val_if_fail (uuid_or_path != NULL, FALSE);
  g_return_val_if_fail (group_path != NULL && device_name != NULL, FALSE);

  g_autofree char *uuid = NULL;
  g_autofree char *dev_dir = NULL;

  if (gvt_mdev_is_uuid (uuid_or_path))
    {
      /* The kernel names mdevs in lower case; users may paste upper case. */
      uuid = g_ascii_strdown (uuid_or_path, -1);
      dev_dir = g_build_filename (MDEV_DEVICES_DIR, uuid, NULL);
      if (!g_file_test (dev_dir, G_FILE_TEST_IS_DIR))
        {
          set_no_such_uuid (error, uuid_or_path);
          return FALSE;
        }
    }
  else
    {
      g_autofree char *real = realpath (uuid_or_path, NULL);
      if (real == NULL)
        {
          int saved = errno;
          g_set_error (error, GVT_ERROR,
                       saved == EACCES ? GVT_ERROR_PERMISSION : GVT_ERROR_NO_DEVICE,
                       "cannot open %s: %s — give an mdev UUID or "
                       MDEV_DEVICES_DIR "/UUID (`gvt-view list` shows the vGPUs)",
                       uuid_or_path, g_strerror (saved));
          return FALSE;
        }
      g_autofree char *base = g_path_get_basename (real);
      g_autofree char *type_link = g_build_filename (real, "mdev_type", NULL);
      if (!gvt_mdev_is_uuid (base) || !g_file_test (type_link, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                       "cannot open %s: not a mediated device — give an mdev UUID or "
                       MDEV_DEVICES_DIR "/UUID (`gvt-view list` shows the vGPUs)",
                       uuid_or_path);
          return FALSE;
        }
      uuid = g_ascii_strdown (base, -1);
      dev_dir = g_steal_pointer (&real);
    }

  g_autofree char *group_name = read_link_name (dev_dir, "iommu_group");
  if (group_name == NULL)
    {
      g_autofree char *driver = read_link_name (dev_dir, "driver");
      g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
                   "cannot open %s: the mdev has no IOMMU group, so no VFIO driver is "
                   "bound to it (driver: %s) — load its VFIO driver (modprobe kvmgt for "
                   "GVT-g, vfio_mdev on older kernels) or bind it with "
                   "echo %s > /sys/bus/mdev/drivers/DRIVER/bind",
                   uuid_or_path, driver ? driver : "none", uuid);
      return FALSE;
    }

  /* The group number becomes a path: only the kernel's own spelling of a
   * number may, never " 7", "+7" or "07". */
  int group = parse_uint (group_name);
  if (group < 0)
    {
      g_autofree char *shown = g_strescape (group_name, NULL);
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED,
                   "cannot open %s: its iommu_group link names '%s', not a group number "
                   "(the kernel names IOMMU groups in plain digits), so it has no /dev/vfio "
                   "node — look at `ls -l %s/iommu_group`",
                   uuid_or_path, shown, dev_dir);
      return FALSE;
    }

  *group_path = g_strdup_printf ("/dev/vfio/%d", group);
  *device_name = g_steal_pointer (&uuid);
  return TRUE;
}
