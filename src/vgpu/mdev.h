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
  int iommu_group;    /* -1 when it has none or its name is no number */
  char *driver;       /* "vfio_mdev" / "vfio-mdev", or NULL when unbound */
  /* The iommu_group link's name when it is not a group number (a broken
   * or hostile sysfs: "+7", " 7", "07"); then iommu_group is -1. NULL
   * otherwise. Not sanitised beyond valid UTF-8: escape it to show it. */
  char *bad_iommu_group;
} GvtMdevInstance;

typedef struct {
  GPtrArray *parents;    /* GvtMdevParent*, sorted by name */
  GPtrArray *instances;  /* GvtMdevInstance*, sorted by uuid */
} GvtMdevListing;

/* Reads /sys/class/mdev_bus and /sys/bus/mdev/devices. An absent mdev
 * subsystem gives an empty listing, not an error; an unreadable one is a
 * GVT_ERROR (PERMISSION or FAILED). Attributes that are missing, over-long
 * (> 4096 bytes) or empty read as NULL / -1; text is valid UTF-8. Every
 * number (available_instances, the GVT-g fields, the IOMMU group) is read
 * only in the kernel's spelling: ASCII digits, no sign, no leading zero
 * (but "0"), at most G_MAXINT; a number attribute may end in one newline,
 * nothing else. Anything else reads as -1, and only that field is lost.
 * Entries of /sys/bus/mdev/devices that are not UUIDs are skipped.
 * Returns a new listing, owned by the caller. Any thread. */
GvtMdevListing *gvt_mdev_scan (GError **error);
/* Frees the listing with everything in it. Accepts NULL. */
void gvt_mdev_listing_free (GvtMdevListing *self);

/* The shell command that creates an instance, naming the first type that
 * still has room (else the first type; PARENT/TYPE placeholders when
 * @self is NULL or has no types): "echo $(uuidgen) >
 * /sys/class/mdev_bus/P/mdev_supported_types/T/create". Caller frees. */
char *gvt_mdev_listing_create_hint (GvtMdevListing *self);

/* Parses a GVT-g type description ("low_gm_size: 128MB\nhigh_gm_size:
 * 512MB\nfence: 4\nresolution: 1920x1200\nweight: 4\n", fields separated
 * by newlines or ", ") into @type's low_gm_mb, high_gm_mb, fence, weight,
 * max_xres and max_yres. Sets all six to -1 first: fields that are absent
 * or not strictly numeric (the sysfs number rule of gvt_mdev_scan; spaces
 * around keys and values are layout, a tab or \v is not) stay -1.
 * @description may be NULL. */
void gvt_mdev_type_parse_description (GvtMdevType *type, const char *description);

/* TRUE if @s is a canonical 36-character UUID. */
gboolean gvt_mdev_is_uuid (const char *s);

/* Resolves an mdev UUID (any case) or "/sys/bus/mdev/devices/UUID" (or any
 * sysfs path of the device directory) to its group node "/dev/vfio/N" and
 * the device name (the lower-case UUID) to ask the group for; both are new
 * strings for the caller. Resolving is the first step of opening the
 * device, so every error message starts "cannot open @uuid_or_path: " with
 * @uuid_or_path exactly as given. Errors: GVT_ERROR_NO_DEVICE for an
 * unknown UUID or path (the message says how to list and create vGPUs) and
 * for an mdev with no iommu_group (not bound to a VFIO driver); FAILED
 * for an iommu_group link whose name is not a group number (the message
 * shows it escaped); INVALID_ARGS for a sysfs path that is not an mdev.
 * Does not check that /dev/vfio/N exists. */
gboolean gvt_mdev_resolve (const char *uuid_or_path, char **group_path,
                           char **device_name, GError **error);

/* One line per existing instance, "  /dev/vfio/N  (UUID, TYPE)" (or
 * "  (no IOMMU group)  (UUID, TYPE)", or "  (IOMMU group 'NAME' is not a
 * number)  (UUID, TYPE)" with NAME escaped), joined by newlines without a final
 * one, for error messages that should say what exists; "" when nothing
 * does. Caller frees. */
char *gvt_mdev_describe_instances (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtMdevListing, gvt_mdev_listing_free)

G_END_DECLS
