/* Mediated-device discovery in sysfs: parents, types and instances. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *id;           /* directory name: "i915-GVTg_V5_4", "mbochs-medium" */
  char *name;         /* the "name" attribute, or NULL */
  char *description;  /* the "description" attribute, or NULL */
  char *device_api;   /* "vfio-pci", or NULL */
  int available;      /* available_instances, -1 when unreadable */
  /* Parsed from a GVT-g description; -1 where absent. */
  int low_gm_mb, high_gm_mb, fence, weight;
  int max_xres, max_yres;
} GvtMdevType;

typedef struct {
  char *name;         /* "0000:00:02.0", "mbochs" */
  char *driver;       /* the parent's bound driver, or NULL */
  GPtrArray *types;   /* GvtMdevType*, sorted by id */
} GvtMdevParent;

typedef struct {
  char *uuid;
  char *type;         /* type id, or NULL */
  char *parent;       /* parent name, or NULL */
  int iommu_group;    /* -1 when it has none */
  char *driver;       /* "vfio_mdev" / "vfio-mdev", or NULL when unbound */
} GvtMdevInstance;

typedef struct {
  GPtrArray *parents;    /* GvtMdevParent*, sorted by name */
  GPtrArray *instances;  /* GvtMdevInstance*, sorted by uuid */
} GvtMdevListing;

/* Reads /sys/class/mdev_bus and /sys/bus/mdev/devices. An absent mdev
 * subsystem gives an empty listing, not an error. */
GvtMdevListing *gvt_mdev_scan (GError **error);
void gvt_mdev_listing_free (GvtMdevListing *self);

/* Parses a GVT-g type description ("low_gm_size: 128MB, high_gm_size:
 * 512MB, fence: 4, resolution: 1920x1200, weight: 4") into @type's fields;
 * unknown text leaves them at -1. */
void gvt_mdev_type_parse_description (GvtMdevType *type, const char *description);

/* TRUE if @s is a canonical 36-character UUID. */
gboolean gvt_mdev_is_uuid (const char *s);

/* Resolves an mdev UUID or "/sys/bus/mdev/devices/UUID" (or any sysfs path
 * of the device) to its group node "/dev/vfio/N" and the device name (the
 * UUID) to ask the group for. */
gboolean gvt_mdev_resolve (const char *uuid_or_path, char **group_path,
                           char **device_name, GError **error);

/* One line per existing instance, "  /dev/vfio/N  (UUID, TYPE)", for error
 * messages that should say what exists; "" when nothing does. */
char *gvt_mdev_describe_instances (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtMdevListing, gvt_mdev_listing_free)

G_END_DECLS
