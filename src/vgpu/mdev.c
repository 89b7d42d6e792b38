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

/* The attribute's text, valid UTF-8, without surrounding whitespace; NULL
 * when it is missing, unreadable, over-long or empty. */
static char *
read_attr (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;

  char buf[ATTR_MAX + 1];
  gsize len = 0;
  while (len < sizeof buf)
    {
      ssize_t n = read (fd, buf + len, sizeof buf - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_debug ("mdev: cannot read %s: %s", path, g_strerror (errno));
          close (fd);
          return NULL;
        }
      if (n == 0)
        break;
      len += (gsize) n;
    }
  close (fd);

  if (len > ATTR_MAX)
    {
      g_debug ("mdev: ignoring %s: longer than %d bytes", path, ATTR_MAX);
      return NULL;
    }

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

/* Decimal digits only, 0..G_MAXINT; -1 otherwise. */
static int
parse_uint (const char *s)
{
  guint64 v;
  if (s == NULL || !g_ascii_string_to_unsigned (s, 10, 0, G_MAXINT, &v, NULL))
    return -1;
  return (int) v;
}

static int
read_uint_attr (const char *dir, const char *name)
{
  g_autofree char *text = read_attr (dir, name);
  return parse_uint (text);
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

/* "128MB" or "128 MB"; -1 for anything else. */
static int
parse_megabytes (const char *s)
{
  gsize len = strlen (s);
  if (len < 3 || g_ascii_strcasecmp (s + len - 2, "MB") != 0)
    return -1;
  g_autofree char *digits = g_strndup (s, len - 2);
  g_strchomp (digits);
  return parse_uint (digits);
}

/* "1920x1200", both sides positive. */
static gboolean
parse_resolution (const char *s, int *width, int *height)
{
  const char *x = strchr (s, 'x');
  if (x == NULL)
    return FALSE;
  g_autofree char *ws = g_strndup (s, (gsize) (x - s));
  int w = parse_uint (ws);
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
      const char *key = g_strstrip (*l);
      const char *value = g_strstrip (colon + 1);

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
      g_autofree char *node = inst->iommu_group >= 0
        ? g_strdup_printf ("/dev/vfio/%d", inst->iommu_group)
        : g_strdup ("(no IOMMU group)");
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

  int group = parse_uint (group_name);
  if (group < 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED,
                   "cannot open %s: its iommu_group link names '%s', not a group number",
                   uuid_or_path, group_name);
      return FALSE;
    }

  *group_path = g_strdup_printf ("/dev/vfio/%d", group);
  *device_name = g_steal_pointer (&uuid);
  return TRUE;
}
