/* Fake sysfs trees on a umockdev testbed (testbed.h's Fixture), laid out as
 * the kernel lays them out. Paths are the host's ("/sys/..."); the files
 * go into the testbed, where umockdev's preload redirects /sys and /dev. */
#pragma once

#include <glib.h>
#include "testbed.h"

G_BEGIN_DECLS

/* Where a /sys path really lives inside the testbed. */
char *tb_path (Fixture *f, const char *sys_path);
void tb_mkdir (Fixture *f, const char *sys_path);
void tb_symlink (Fixture *f, const char *target, const char *sys_path);
/* @len -1: @data is a string. */
void tb_write (Fixture *f, const char *sys_path, const char *data, gssize len);
/* A device from a umockdev record ("P: /devices/...\nE: ...\nA: ...\n"). */
void tb_add (Fixture *f, const char *record);
/* "../../" climbing from the directory @sys_path up to /sys. */
char *up_to_sys (const char *sys_path);

/* A parent device from a umockdev record, registered with the mdev bus;
 * returns its /sys path. */
char *add_parent (Fixture *f, const char *record);
/* A type directory of @parent; NULL attributes are left out. */
void add_type (Fixture *f, const char *parent, const char *id, const char *name,
               const char *description, const char *device_api, const char *available);
/* An instance below @parent, linked like the mdev core does: type, IOMMU
 * group (< 0: none), driver (NULL: unbound), /sys/bus/mdev/devices. */
void add_instance (Fixture *f, const char *parent, const char *uuid, const char *type,
                   int group, const char *driver);
/* A PCI GPU (i915-bound, Intel vendor id) at @slot with device id
 * @device_id (hex, "3e92"), DRM minors card@card and, unless @render < 0,
 * renderD@render: what libdrm reads of it is the char devices' numbers
 * (/dev, /sys/dev/char), their device and subsystem links, and the PCI
 * device's uevent (PCI_SLOT_NAME) and ID attributes. */
void add_gpu (Fixture *f, const char *slot, const char *device_id, int card, int render);

G_END_DECLS
