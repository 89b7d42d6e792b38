/* A QEMU command line read the way QEMU 7.2 reads it (softmmu/vl.c,
 * util/qemu-option.c), for what gvt-view needs to know about a VM it starts
 * or finds: its name, its RAM, its QMP socket, its display options and its
 * vfio devices; and the command line rewritten for `gvt-view run`, where the
 * viewer owns the vGPU's display and EDID.
 *
 * What QEMU's parser does, and so what this one does:
 * - argv[0] is the program. An argument not starting with '-' is a disk
 *   image. "--opt" is "-opt"; "-opt=value" is not an option at all (QEMU:
 *   "invalid option"). An option that takes a value takes the next argument
 *   whatever it looks like ("-name -S" names the VM "-S").
 * - Option values are QemuOpts: "a=1,b=2"; ",," is a literal comma; the
 *   first element may leave its key out (-device DRIVER, -name NAME,
 *   -m SIZE, -chardev BACKEND, -mon CHARDEV); a later bare "key" means
 *   key=on and "nokey" key=off; the last of a repeated key wins; "id=" is
 *   the first one given.
 * - Booleans are on/yes/true/y and off/no/false/n; vfio's display= is
 *   exactly on, off or auto.
 * - A -device value starting with '{' is JSON (QEMU 6.2+), typed strictly:
 *   display is a string, ramfb a JSON boolean.
 * - -name and -m merge: the last guest name and the last size win; -m
 *   without a unit is MiB, with one bytes ("1024b", "4096k", "2G", "1.5G").
 *
 * Everything here is input from a user or from another process's
 * /proc/PID/cmdline, and is checked as such. Pure functions, no state:
 * callable from any thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  GVT_QEMU_DISPLAY_UNSET, /* not given: QEMU 7.2's default is off (hw/vfio/pci.c) */
  GVT_QEMU_DISPLAY_ON,
  GVT_QEMU_DISPLAY_OFF,
  GVT_QEMU_DISPLAY_AUTO,
} GvtQemuDisplayMode;

/* "unset", "on", "off", "auto". */
const char *gvt_qemu_display_mode_to_string (GvtQemuDisplayMode mode);

typedef struct {
  char *driver;   /* "vfio-pci" or "vfio-pci-nohotplug" */
  char *id;       /* id=, or NULL */
  /* sysfsdev= as given; for host=ADDR the path QEMU opens,
   * "/sys/bus/pci/devices/DDDD:BB:SS.F" (the 0000: domain added when
   * absent, hex in lower case); NULL when neither is given. sysfsdev wins
   * over host, as in QEMU. */
  char *sysfsdev;
  char *uuid;     /* the mdev UUID when sysfsdev's last component is one (lower case), else NULL */
  /* What the device gets: its own display=, else the last
   * -global vfio-pci.display= / vfio-pci-nohotplug.display= that applies
   * to its driver, else UNSET. */
  GvtQemuDisplayMode display;
  gboolean ramfb; /* ramfb=on, its own or from a -global */
  gboolean json;  /* the -device value is JSON */
  guint arg_index; /* index in argv of this -device's value */
} GvtQemuVfioDevice;

typedef struct {
  char *name;          /* -name NAME or -name guest=NAME,...: the last given; NULL if none */
  /* -m (2048: MiB; 2G, 512M, 1024b, size=4G,slots=..): the last size given,
   * rounded up to 8 KiB as QEMU does; QEMU's default, 128 MiB, when absent
   * or 0. */
  guint64 ram_bytes;
  /* The first QMP monitor on a UNIX socket QEMU listens on (a server):
   * -qmp / -qmp-pretty unix:PATH,server=on,... (or server,nowait, or
   * mon:unix:...), or -chardev socket,id=C,path=PATH,server=on with
   * -mon chardev=C,mode=control or -qmp chardev:C. Abstract sockets and
   * fd= sockets don't count. NULL if none. */
  char *qmp_socket;
  /* The user chose a UI: -display X, -nographic, -vnc, -spice (and the
   * -curses / -sdl of older QEMUs). */
  gboolean has_display;
  char *display;       /* the last -display value, or NULL */
  /* QEMU reads and writes the terminal it is started on: -nographic; curses
   * as the last UI chosen (-display curses[,...], -curses); or a stdio
   * chardev: stdio or mon:stdio as the value of -serial, -monitor,
   * -parallel, -qmp, -qmp-pretty, -debugcon, -gdb or -qtest, or
   * -chardev stdio[,...]. Only what options say: "stdio" in a path or a
   * name is not it. */
  gboolean uses_terminal;
  gboolean daemonize;  /* -daemonize: QEMU forks, and the fork runs the VM */
  gboolean has_ramfb_device; /* a standalone -device ramfb */
  char *ramfb_id;      /* the first -device ramfb's id, or NULL */
  /* GvtQemuVfioDevice*, in order: every vfio-pci / vfio-pci-nohotplug -device */
  GPtrArray *vfio;
} GvtQemuCmdline;

/* The longest argument taken: Linux's MAX_ARG_STRLEN, so nothing longer can
 * reach exec anyway. */
#define GVT_QEMU_CMDLINE_MAX_ARG (128 * 1024)
/* JSON nested deeper than this is refused (json-glib recurses once a level). */
#define GVT_QEMU_CMDLINE_MAX_DEPTH 32

/* Parses @argv (NULL-terminated; argv[0] the program) into @out (zeroed,
 * or cleared since its last use). FALSE with GVT_ERROR_INVALID_ARGS, a
 * message naming the option and quoting at most 40 bytes of the value,
 * where QEMU would refuse what matters here: an empty argv, an option that
 * needs a value without one, "-device=...", a -device JSON value that is
 * not one strict JSON object (trailing text, comments, a duplicate key,
 * \u0000, integers beyond 64 bits, nesting over GVT_QEMU_CMDLINE_MAX_DEPTH),
 * a vfio device's display= / ramfb= / host= / sysfsdev= of the wrong form
 * or type, a bad -m size or boolean in a QMP option, an argument over
 * GVT_QEMU_CMDLINE_MAX_ARG bytes. @out is cleared on failure. Options
 * unknown to QEMU 7.2 are taken as taking no value. */
gboolean gvt_qemu_cmdline_parse (const char *const *argv, GvtQemuCmdline *out, GError **error);

/* Frees the members; @self can be parsed into again. */
void gvt_qemu_cmdline_clear (GvtQemuCmdline *self);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GvtQemuCmdline, gvt_qemu_cmdline_clear)

/* The id a ramfb gvt-view adds, or names, gets. */
#define GVT_QEMU_RAMFB_ID "gvt-ramfb"

typedef struct {
  const char *vgpu;     /* a UUID or -device id= choosing among several vGPUs, or NULL */
  const char *qmp_path; /* the socket to add when the command line has no QMP socket */
} GvtQemuLaunchOptions;

typedef struct {
  GStrv argv;             /* the command to exec, rewritten */
  GvtQemuCmdline cmdline; /* parsed from the rewritten argv */
  guint vgpu_index;       /* into cmdline.vfio: the vGPU to show */
  /* The QEMU console to show before the guest driver loads (QMP
   * screendump device=): the standalone ramfb's id, or NULL. */
  char *ramfb_console;
  gboolean qmp_added;
  GPtrArray *notes;       /* char*: one sentence per change made, to tell the user */
} GvtQemuLaunch;

/* Rewrites @argv for `gvt-view run -- qemu-system-x86_64 ...`:
 * - The vGPU is the vfio device whose sysfsdev is an mdev (a UUID
 *   basename, or a path under /sys/bus/mdev/) or that has display= given;
 *   plain PCI passthrough (a NIC) is not one. None: GVT_ERROR_INVALID_ARGS
 *   saying what to add. Several: the same, listing them, unless
 *   @opts->vgpu names one (by UUID, case-insensitive, or by id); a name
 *   that matches none is the same error.
 * - Its display=on/auto becomes display=off (QEMU refuses display=on with
 *   -display none: "opengl not available"; and two displays of one vGPU
 *   would both export its buffers); absent stays absent (QEMU's default
 *   is off) unless a -global turns it on. xres=/yres= go with it (QEMU
 *   takes them only with display=on); when a -global sets them, xres=0,yres=0
 *   is written on the device instead, so that the -global does not apply.
 * - Its ramfb=on goes too (QEMU: "ramfb=on requires display=on"), as
 *   ramfb=off on the device when a -global sets ramfb=on; replaced
 *   by `-device ramfb,id=gvt-ramfb` right after it unless the command line
 *   has a -device ramfb already. A -device ramfb without an id gets
 *   id=gvt-ramfb. ramfb_console is the standalone ramfb's id.
 * - `-display none` is added at the end when the user chose no UI.
 * - `-qmp unix:QMP_PATH,server=on,wait=off` is added at the end when no
 *   QMP socket QEMU listens on is there (qmp_added); else that one is
 *   cmdline.qmp_socket. No socket and no @opts->qmp_path: GVT_ERROR_FAILED.
 * - Nothing else changes: no argument is dropped or moved; a JSON -device
 *   stays JSON.
 * Fills @out (zeroed, or cleared) or clears it and fails. */
gboolean gvt_qemu_launch_prepare (const char *const *argv, const GvtQemuLaunchOptions *opts,
                                  GvtQemuLaunch *out, GError **error);

void gvt_qemu_launch_clear (GvtQemuLaunch *self);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GvtQemuLaunch, gvt_qemu_launch_clear)

G_END_DECLS
