/* `gvt-view list [--json]`: the host's vGPU parents, their types and the
 * existing instances, as tables for people or JSON for scripts.
 *
 * JSON output (`gvt-view list --json`), one object, keys always present,
 * null where the host doesn't say:
 *
 *   {
 *     "parents": [                      sorted by name
 *       {
 *         "name": "0000:00:02.0",       directory in /sys/class/mdev_bus
 *         "driver": "i915",             parent's bound driver, or null
 *         "types": [                    sorted by id
 *           {
 *             "id": "i915-GVTg_V5_4",   directory in mdev_supported_types
 *             "name": "GVTg_V5_4",      the type's "name" attribute, or null
 *             "description": "low_gm_size: 128MB\nhigh_gm_size: ...",
 *                                       verbatim (trimmed), or null
 *             "device_api": "vfio-pci", or null
 *             "available_instances": 2, or null if unreadable
 *             "low_gm_mb": 128,         GVT-g fields parsed from the
 *             "high_gm_mb": 512,        description; null for other
 *             "fence": 4,               devices or when absent
 *             "resolution": {"width": 1920, "height": 1200},  or null
 *             "weight": 4
 *           }
 *         ]
 *       }
 *     ],
 *     "instances": [                    sorted by uuid
 *       {
 *         "uuid": "...",                lower case, as in /sys/bus/mdev/devices
 *         "type": "i915-GVTg_V5_4",     type id, or null
 *         "parent": "0000:00:02.0",     parent name, or null
 *         "iommu_group": 0,             or null when not bound to VFIO
 *         "vfio_group_path": "/dev/vfio/0",  what to give gvt-view, or null
 *         "driver": "vfio_mdev"         bound mdev driver, or null
 *       }
 *     ]
 *   }
 *
 * An empty host prints {"parents": [], "instances": []}. Exit status: 0
 * (also when nothing exists), 1 when sysfs can't be read, 2 for bad usage.
 */
#include <string.h>
#include <json-glib/json-glib.h>

#include "cmd.h"
#include "common/gvt-error.h"
#include "vgpu/mdev.h"

/* Cells longer than this are cut with "...": a table must stay readable
 * whatever a sysfs attribute holds. */
#define CELL_MAX_CHARS 48

/* --- text tables --- */

typedef struct {
  guint n_columns;
  GPtrArray *rows; /* char ** (GStrv), the first is the header */
} Table;

static Table *
table_new (const char *const *header)
{
  Table *t = g_new0 (Table, 1);
  t->n_columns = g_strv_length ((char **) header);
  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_ptr_array_add (t->rows, g_strdupv ((char **) header));
  return t;
}

static void
table_free (Table *t)
{
  if (t == NULL)
    return;
  g_ptr_array_unref (t->rows);
  g_free (t);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Table, table_free)

/* One line of printable text: newlines become "; ", other control
 * characters '?', and long values are cut. */
static char *
cell_text (const char *value)
{
  if (value == NULL || *value == '\0')
    return g_strdup ("-");

  GString *s = g_string_new (NULL);
  g_auto (GStrv) lines = g_strsplit (value, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      g_strstrip (*l);
      if (**l == '\0')
        continue;
      if (s->len > 0)
        g_string_append (s, "; ");
      g_string_append (s, *l);
    }
  for (gsize i = 0; i < s->len; i++)
    if ((guchar) s->str[i] < 0x20 || s->str[i] == 0x7f)
      s->str[i] = '?';

  if (g_utf8_strlen (s->str, -1) > CELL_MAX_CHARS)
    {
      const char *cut = g_utf8_offset_to_pointer (s->str, CELL_MAX_CHARS - 3);
      g_string_truncate (s, (gsize) (cut - s->str));
      g_string_append (s, "...");
    }
  if (s->len == 0)
    g_string_append (s, "-");
  return g_string_free (s, FALSE);
}

/* Takes @n_columns values (NULL = unknown). */
static void
table_add (Table *t, ...)
{
  char **row = g_new0 (char *, t->n_columns + 1);
  va_list ap;
  va_start (ap, t);
  for (guint i = 0; i < t->n_columns; i++)
    row[i] = cell_text (va_arg (ap, const char *));
  va_end (ap);
  g_ptr_array_add (t->rows, row);
}

static void
table_print (Table *t, FILE *out)
{
  g_autofree gsize *widths = g_new0 (gsize, t->n_columns);
  for (guint r = 0; r < t->rows->len; r++)
    {
      char **row = t->rows->pdata[r];
      for (guint c = 0; c < t->n_columns; c++)
        widths[c] = MAX (widths[c], (gsize) g_utf8_strlen (row[c], -1));
    }

  for (guint r = 0; r < t->rows->len; r++)
    {
      char **row = t->rows->pdata[r];
      GString *line = g_string_new ("  ");
      for (guint c = 0; c < t->n_columns; c++)
        {
          g_string_append (line, row[c]);
          if (c + 1 < t->n_columns)
            {
              gsize pad = widths[c] - (gsize) g_utf8_strlen (row[c], -1) + 2;
              for (gsize i = 0; i < pad; i++)
                g_string_append_c (line, ' ');
            }
        }
      fprintf (out, "%s\n", line->str);
      g_string_free (line, TRUE);
    }
}

/* --- text output --- */

static char *
int_text (int v)
{
  return v >= 0 ? g_strdup_printf ("%d", v) : NULL;
}

static char *
mb_text (int v)
{
  return v >= 0 ? g_strdup_printf ("%dMB", v) : NULL;
}

static gboolean
type_has_gvt_fields (const GvtMdevType *type)
{
  return type->low_gm_mb >= 0 || type->high_gm_mb >= 0 || type->fence >= 0
      || type->weight >= 0 || type->max_xres >= 0;
}

static void
print_parent (FILE *out, const GvtMdevParent *parent)
{
  g_autofree char *name = cell_text (parent->name);
  g_autofree char *driver = parent->driver ? cell_text (parent->driver) : NULL;
  fprintf (out, "Parent %s (%s%s)\n", name, driver ? "driver " : "no driver",
           driver ? driver : "");
  if (parent->types->len == 0)
    {
      fprintf (out, "  no types\n");
      return;
    }

  /* GVT-g types are told apart by their resources, others by their
   * description: show whichever this parent has. */
  gboolean gvt = FALSE;
  for (guint i = 0; i < parent->types->len; i++)
    gvt = gvt || type_has_gvt_fields (parent->types->pdata[i]);

  static const char *const gvt_header[] = {
    "TYPE", "NAME", "AVAIL", "API", "LOW_GM", "HIGH_GM", "FENCE", "RESOLUTION",
    "WEIGHT", NULL,
  };
  static const char *const plain_header[] = {
    "TYPE", "NAME", "AVAIL", "API", "DESCRIPTION", NULL,
  };
  g_autoptr (Table) table = table_new (gvt ? gvt_header : plain_header);

  for (guint i = 0; i < parent->types->len; i++)
    {
      const GvtMdevType *type = parent->types->pdata[i];
      g_autofree char *avail = int_text (type->available);
      if (gvt)
        {
          g_autofree char *low = mb_text (type->low_gm_mb);
          g_autofree char *high = mb_text (type->high_gm_mb);
          g_autofree char *fence = int_text (type->fence);
          g_autofree char *weight = int_text (type->weight);
          g_autofree char *res = type->max_xres > 0 && type->max_yres > 0
            ? g_strdup_printf ("%dx%d", type->max_xres, type->max_yres) : NULL;
          table_add (table, type->id, type->name, avail, type->device_api, low, high,
                     fence, res, weight);
        }
      else
        table_add (table, type->id, type->name, avail, type->device_api,
                   type->description);
    }
  table_print (table, out);
}

static void
print_instances (FILE *out, GvtMdevListing *listing)
{
  fprintf (out, "Instances\n");
  if (listing->instances->len == 0)
    {
      g_autofree char *hint = gvt_mdev_listing_create_hint (listing);
      fprintf (out, "  none; create one with: %s\n", hint);
      return;
    }

  static const char *const header[] = {
    "UUID", "TYPE", "PARENT", "DEVICE", "DRIVER", NULL,
  };
  g_autoptr (Table) table = table_new (header);
  for (guint i = 0; i < listing->instances->len; i++)
    {
      const GvtMdevInstance *inst = listing->instances->pdata[i];
      g_autofree char *node = inst->iommu_group >= 0
        ? g_strdup_printf ("/dev/vfio/%d", inst->iommu_group) : NULL;
      table_add (table, inst->uuid, inst->type, inst->parent, node, inst->driver);
    }
  table_print (table, out);

  /* Say why a listed vGPU can't be opened, where the table only shows "-". */
  for (guint i = 0; i < listing->instances->len; i++)
    {
      const GvtMdevInstance *inst = listing->instances->pdata[i];
      if (inst->iommu_group < 0 && inst->bad_iommu_group != NULL)
        {
          g_autofree char *shown = g_strescape (inst->bad_iommu_group, NULL);
          fprintf (out, "  note: %s's iommu_group link names '%s', not a group number, "
                   "so it can't be opened\n", inst->uuid, shown);
        }
      else if (inst->iommu_group < 0)
        fprintf (out, "  note: %s has no IOMMU group: no VFIO driver is bound to it, "
                 "so it can't be opened\n", inst->uuid);
    }
}

static void
print_text (FILE *out, GvtMdevListing *listing)
{
  if (listing->parents->len == 0 && listing->instances->len == 0)
    {
      fprintf (out,
               "No mediated devices (vGPUs) on this host: /sys/class/mdev_bus is empty or missing.\n"
               "  Intel GVT-g: boot with i915.enable_gvt=1 and load kvmgt (modprobe kvmgt).\n"
               "  Kernel samples: modprobe mbochs or modprobe mdpy.\n");
      return;
    }

  for (guint i = 0; i < listing->parents->len; i++)
    {
      print_parent (out, listing->parents->pdata[i]);
      fprintf (out, "\n");
    }
  print_instances (out, listing);
}

/* --- JSON output --- */

static void
add_string (JsonBuilder *b, const char *key, const char *value)
{
  json_builder_set_member_name (b, key);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/* -1 means unknown. */
static void
add_int (JsonBuilder *b, const char *key, int value)
{
  json_builder_set_member_name (b, key);
  if (value >= 0)
    json_builder_add_int_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_type_json (JsonBuilder *b, const GvtMdevType *type)
{
  json_builder_begin_object (b);
  add_string (b, "id", type->id);
  add_string (b, "name", type->name);
  add_string (b, "description", type->description);
  add_string (b, "device_api", type->device_api);
  add_int (b, "available_instances", type->available);
  add_int (b, "low_gm_mb", type->low_gm_mb);
  add_int (b, "high_gm_mb", type->high_gm_mb);
  add_int (b, "fence", type->fence);
  json_builder_set_member_name (b, "resolution");
  if (type->max_xres > 0 && type->max_yres > 0)
    {
      json_builder_begin_object (b);
      add_int (b, "width", type->max_xres);
      add_int (b, "height", type->max_yres);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);
  add_int (b, "weight", type->weight);
  json_builder_end_object (b);
}

static void
print_json (FILE *out, GvtMdevListing *listing)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);

  json_builder_set_member_name (b, "parents");
  json_builder_begin_array (b);
  for (guint i = 0; i < listing->parents->len; i++)
    {
      const GvtMdevParent *parent = listing->parents->pdata[i];
      json_builder_begin_object (b);
      add_string (b, "name", parent->name);
      add_string (b, "driver", parent->driver);
      json_builder_set_member_name (b, "types");
      json_builder_begin_array (b);
      for (guint j = 0; j < parent->types->len; j++)
        add_type_json (b, parent->types->pdata[j]);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "instances");
  json_builder_begin_array (b);
  for (guint i = 0; i < listing->instances->len; i++)
    {
      const GvtMdevInstance *inst = listing->instances->pdata[i];
      g_autofree char *node = inst->iommu_group >= 0
        ? g_strdup_printf ("/dev/vfio/%d", inst->iommu_group) : NULL;
      json_builder_begin_object (b);
      add_string (b, "uuid", inst->uuid);
      add_string (b, "type", inst->type);
      add_string (b, "parent", inst->parent);
      add_int (b, "iommu_group", inst->iommu_group);
      add_string (b, "vfio_group_path", node);
      add_string (b, "driver", inst->driver);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_end_object (b);

  gvt_cmd_print_json (out, b, TRUE);
}

/* --- the command --- */

/* GOption's usage line names the program, not the command: replace it. */
static void
print_help (FILE *out, GOptionContext *context)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
  const char *body = strstr (help, "\n\n");
  fprintf (out, "Usage:\n  gvt-view list [OPTION…]%s", body ? body : "\n");
}

int
gvt_cmd_list (int argc, char **argv, FILE *out, FILE *err)
{
  gboolean json = FALSE;
  gboolean help = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      "Print JSON (keys documented in the README)", NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, "Show this help", NULL },
    { NULL },
  };

  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
      "Lists the host's vGPU parents (Intel GVT-g, mbochs, mdpy...), the\n"
      "types each offers and the existing instances with their /dev/vfio/N.");
  /* GOption's own --help prints to stdout and exits the process. */
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_add_main_entries (context, entries, NULL);

  /* Parse a copy: GOption rearranges the vector it is given. */
  g_auto (GStrv) args = g_new0 (char *, (gsize) MAX (argc, 0) + 1);
  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);

  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse_strv (context, &args, &error))
    {
      g_autoptr (GError) usage = g_error_new (GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                                              "list: %s (see gvt-view list --help)",
                                              error->message);
      return gvt_cmd_fail (err, usage);
    }
  if (help)
    {
      print_help (out, context);
      return 0;
    }
  if (args[0] != NULL && args[1] != NULL)
    {
      g_autoptr (GError) usage = g_error_new (GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                                              "list takes no arguments, got '%s' "
                                              "(see gvt-view list --help)", args[1]);
      return gvt_cmd_fail (err, usage);
    }

  g_autoptr (GvtMdevListing) listing = gvt_mdev_scan (&error);
  if (listing == NULL)
    return gvt_cmd_fail (err, error);

  if (json)
    print_json (out, listing);
  else
    print_text (out, listing);
  return 0;
}
