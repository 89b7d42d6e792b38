/* mdev-guest: plays the VM for the real-kernel tests. It opens a sample mdev
 * (mbochs or mdpy) through its VFIO group the way QEMU does, programs the
 * display like a guest driver would, paints known pixels, and runs gvt-view
 * with the device fd inherited (--fd), because mbochs frees its framebuffer
 * when the last device fd closes.
 *
 * Usage: mdev-guest UUID STEP...   (steps run in order; see usage() below)
 * Exit status: 0 when every step succeeded, else the failing step's status
 * (a run= command's own exit status, or 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <linux/vfio.h>

/* mbochs' Bochs VBE "DISPI" registers live in the MMIO BAR (BAR2) at 0x500,
 * one 16-bit register per index. */
#define VBE_MMIO_BASE 0x500
enum {
  VBE_XRES = 1, VBE_YRES = 2, VBE_BPP = 3, VBE_ENABLE = 4,
  VBE_VIRT_WIDTH = 6, VBE_X_OFFSET = 8, VBE_Y_OFFSET = 9,
};
#define VBE_ENABLED     0x01
#define VBE_LFB_ENABLED 0x40

/* mdpy's framebuffer region is not listed by GET_DEVICE_INFO. */
#define MDPY_FB_REGION 16

typedef enum { KIND_MBOCHS, KIND_MDPY } Kind;

typedef struct {
  char *uuid;
  int group_nr;
  int container;
  int group;
  int device;
  Kind kind;
  /* the framebuffer as the guest sees it */
  guint8 *fb;
  gsize fb_len;
  guint64 mmio_offset;   /* mbochs BAR2 offset on the device fd */
  /* the current mode */
  guint width, height, stride, y_offset;
  GPid child;            /* a spawn= command, or 0 */
  int from_pid;          /* --from-pid: the device is a copy of this process's */
} Guest;

static void
die (const char *fmt, ...) G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN;

static void
die (const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  fputs ("mdev-guest: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  exit (1);
}

static int
read_group_nr (const char *uuid)
{
  g_autofree char *link = g_strdup_printf ("/sys/bus/mdev/devices/%s/iommu_group", uuid);
  g_autoptr (GError) error = NULL;
  g_autofree char *target = g_file_read_link (link, &error);

  if (target == NULL)
    die ("%s", error->message);
  g_autofree char *base = g_path_get_basename (target);
  return atoi (base);
}

static Kind
read_kind (const char *uuid)
{
  g_autofree char *link = g_strdup_printf ("/sys/bus/mdev/devices/%s/mdev_type", uuid);
  g_autoptr (GError) error = NULL;
  g_autofree char *target = g_file_read_link (link, &error);

  if (target == NULL)
    die ("%s", error->message);
  g_autofree char *base = g_path_get_basename (target);
  if (g_str_has_prefix (base, "mbochs"))
    return KIND_MBOCHS;
  if (g_str_has_prefix (base, "mdpy"))
    return KIND_MDPY;
  die ("%s: unknown mdev type %s", uuid, base);
}

static void
region_info (Guest *g, guint32 index, struct vfio_region_info *info)
{
  memset (info, 0, sizeof *info);
  info->argsz = sizeof *info;
  info->index = index;
  if (ioctl (g->device, VFIO_DEVICE_GET_REGION_INFO, info) < 0)
    die ("GET_REGION_INFO %u: %s", index, g_strerror (errno));
}

/* --from-pid: the VFIO device fd PID holds (its only one), copied with
 * pidfd_getfd — what a display next to a running QEMU does, done here
 * independently of gvt-view's own code. */
static int
take_device_fd (int pid)
{
  g_autofree char *dir_path = g_strdup_printf ("/proc/%d/fd", pid);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  int found = -1;

  if (dir == NULL)
    die ("cannot list %s", dir_path);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *link_path = g_build_filename (dir_path, name, NULL);
      g_autofree char *target = g_file_read_link (link_path, NULL);
      if (target != NULL && strcmp (target, "anon_inode:[vfio-device]") == 0)
        {
          if (found >= 0)
            die ("process %d holds more than one VFIO device", pid);
          found = atoi (name);
        }
    }
  if (found < 0)
    die ("process %d holds no VFIO device", pid);
  int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    die ("pidfd_open %d: %s", pid, g_strerror (errno));
  int fd = (int) syscall (SYS_pidfd_getfd, pidfd, found, 0);
  if (fd < 0)
    die ("pidfd_getfd %d/%d: %s", pid, found, g_strerror (errno));
  close (pidfd);
  return fd;
}

/* The way QEMU opens it: the group, a container with the type1 IOMMU, the
 * device by its UUID. */
static void
open_group_device (Guest *g, gboolean group_only)
{
  g_autofree char *path = g_strdup_printf ("/dev/vfio/%d", g->group_nr);
  g->group = open (path, O_RDWR | O_CLOEXEC);
  if (g->group < 0)
    die ("open %s: %s", path, g_strerror (errno));
  if (group_only)
    return;

  struct vfio_group_status status = { .argsz = sizeof status };
  if (ioctl (g->group, VFIO_GROUP_GET_STATUS, &status) < 0)
    die ("GROUP_GET_STATUS: %s", g_strerror (errno));
  if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
    die ("group %d is not viable", g->group_nr);

  g->container = open ("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
  if (g->container < 0)
    die ("open /dev/vfio/vfio: %s", g_strerror (errno));
  if (ioctl (g->group, VFIO_GROUP_SET_CONTAINER, &g->container) < 0)
    die ("GROUP_SET_CONTAINER: %s", g_strerror (errno));
  if (ioctl (g->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0)
    die ("SET_IOMMU(TYPE1v2): %s", g_strerror (errno));
  g->device = ioctl (g->group, VFIO_GROUP_GET_DEVICE_FD, g->uuid);
  if (g->device < 0)
    die ("GROUP_GET_DEVICE_FD %s: %s", g->uuid, g_strerror (errno));
}

static void
guest_open (Guest *g, gboolean group_only)
{
  g->group_nr = read_group_nr (g->uuid);
  g->kind = read_kind (g->uuid);

  if (g->from_pid > 0)
    g->device = take_device_fd (g->from_pid);
  else
    open_group_device (g, group_only);
  if (group_only)
    return;

  /* The kernel returns it O_CLOEXEC; run= commands must inherit it. */
  if (fcntl (g->device, F_SETFD, 0) < 0)
    die ("clearing FD_CLOEXEC: %s", g_strerror (errno));

  struct vfio_region_info info;
  if (g->kind == KIND_MBOCHS)
    {
      region_info (g, VFIO_PCI_BAR2_REGION_INDEX, &info);
      g->mmio_offset = info.offset;
      region_info (g, VFIO_PCI_BAR0_REGION_INDEX, &info);
    }
  else
    region_info (g, MDPY_FB_REGION, &info);
  if (!(info.flags & VFIO_REGION_INFO_FLAG_MMAP))
    die ("framebuffer region can't be mmapped");
  g->fb_len = info.size;
  g->fb = mmap (NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, g->device, info.offset);
  if (g->fb == MAP_FAILED)
    die ("mmap framebuffer (%" G_GUINT64_FORMAT " bytes): %s", (guint64) info.size,
         g_strerror (errno));

  if (g->kind == KIND_MDPY)
    {
      /* mdpy's mode is fixed by its type; its plane says what it is. */
      struct vfio_device_gfx_plane_info plane = { .argsz = sizeof plane,
                                                  .flags = VFIO_GFX_PLANE_TYPE_REGION,
                                                  .drm_plane_type = 1 };
      if (ioctl (g->device, VFIO_DEVICE_QUERY_GFX_PLANE, &plane) < 0)
        die ("QUERY_GFX_PLANE (mdpy): %s", g_strerror (errno));
      g->width = plane.width;
      g->height = plane.height;
      g->stride = plane.stride;
    }
}

/* edid=FILE: the EDID the display gave the guest, read as a guest driver
 * would (mbochs' EDID region, index VFIO_PCI_NUM_REGIONS): the blob into
 * FILE, and on stdout "link up|down, WxH max MAXWxMAXH, N bytes". */
#define MBOCHS_EDID_REGION VFIO_PCI_NUM_REGIONS
static guint32
edid_reg (Guest *g, guint64 base, gsize field)
{
  guint32 v;
  if (pread (g->device, &v, sizeof v, base + field) != sizeof v)
    die ("EDID register at %zu: %s", field, g_strerror (errno));
  return v;
}

static void
write_edid (Guest *g, const char *file)
{
  struct vfio_region_info info;

  if (g->kind != KIND_MBOCHS)
    die ("edid= reads mbochs' EDID region");
  region_info (g, MBOCHS_EDID_REGION, &info);
  guint32 offset = edid_reg (g, info.offset, offsetof (struct vfio_region_gfx_edid, edid_offset));
  guint32 size = edid_reg (g, info.offset, offsetof (struct vfio_region_gfx_edid, edid_size));
  guint32 max_size = edid_reg (g, info.offset, offsetof (struct vfio_region_gfx_edid, edid_max_size));
  guint32 link = edid_reg (g, info.offset, offsetof (struct vfio_region_gfx_edid, link_state));
  guint32 max_x = edid_reg (g, info.offset, offsetof (struct vfio_region_gfx_edid, max_xres));
  guint32 max_y = edid_reg (g, info.offset, offsetof (struct vfio_region_gfx_edid, max_yres));
  if (size == 0 || size > max_size || size > 4096)
    die ("EDID size %u (max %u)", size, max_size);
  g_autofree guint8 *blob = g_malloc (size);
  if (pread (g->device, blob, size, info.offset + offset) != (ssize_t) size)
    die ("EDID blob: %s", g_strerror (errno));
  if (!g_file_set_contents (file, (const char *) blob, size, NULL))
    die ("cannot write %s", file);
  printf ("link %s, max %ux%u, %u bytes\n",
          link == VFIO_DEVICE_GFX_LINK_STATE_UP ? "up" : "down", max_x, max_y, size);
  fflush (stdout);
}

static void
vbe_write (Guest *g, int index, guint16 value)
{
  if (g->kind != KIND_MBOCHS)
    die ("VBE registers exist on mbochs only");
  if (pwrite (g->device, &value, sizeof value, g->mmio_offset + VBE_MMIO_BASE + 2 * index)
      != sizeof value)
    die ("VBE register %d write: %s", index, g_strerror (errno));
}

static void
set_mode (Guest *g, const char *spec)
{
  guint w, h, vw = 0;

  if (sscanf (spec, "%ux%u,%u", &w, &h, &vw) < 2)
    die ("bad mode '%s' (want WxH or WxH,VIRT_WIDTH)", spec);
  if (vw < w)
    vw = w;
  vbe_write (g, VBE_ENABLE, 0);
  vbe_write (g, VBE_XRES, w);
  vbe_write (g, VBE_YRES, h);
  vbe_write (g, VBE_BPP, 32);
  vbe_write (g, VBE_VIRT_WIDTH, vw);
  vbe_write (g, VBE_X_OFFSET, 0);
  vbe_write (g, VBE_Y_OFFSET, 0);
  vbe_write (g, VBE_ENABLE, VBE_ENABLED | VBE_LFB_ENABLED);
  g->width = w;
  g->height = h;
  g->stride = vw * 4;
  g->y_offset = 0;
}

static void
set_y_offset (Guest *g, guint y)
{
  if ((guint64) y * g->stride % 4096 != 0)
    die ("Y offset %u is not page aligned (stride %u)", y, g->stride);
  vbe_write (g, VBE_Y_OFFSET, y);
  g->y_offset = y;
}

/* The test pattern: every pixel differs from its neighbours and from the
 * same pixel under another seed, and XRGB's X byte is left 0 on purpose
 * (a viewer must ignore it). */
static guint32
pattern (guint x, guint y, guint seed)
{
  guint32 v = (x * 7 + y * 131 + seed * 0x9e3779b9u) ^ (x << 9) ^ (y << 17) ^ (seed << 5);

  return v & 0x00ffffff;
}

static guint8 *
visible (Guest *g)
{
  guint64 start = (guint64) g->y_offset * g->stride;

  if (g->width == 0 || start + (guint64) g->stride * g->height > g->fb_len)
    die ("no mode set, or the picture lies outside the framebuffer");
  return g->fb + start;
}

static void
fill (Guest *g, guint seed)
{
  guint8 *base = visible (g);

  for (guint y = 0; y < g->height; y++)
    {
      guint32 *row = (guint32 *) (base + (gsize) y * g->stride);
      for (guint x = 0; x < g->width; x++)
        row[x] = pattern (x, y, seed);
    }
}

/* What the guest shows now, as a binary PPM, for comparing a snapshot. */
static void
write_expected (Guest *g, const char *file)
{
  guint8 *base = visible (g);
  g_autoptr (GString) out = g_string_sized_new ((gsize) g->width * g->height * 3 + 32);

  g_string_append_printf (out, "P6\n%u %u\n255\n", g->width, g->height);
  for (guint y = 0; y < g->height; y++)
    {
      const guint32 *row = (const guint32 *) (base + (gsize) y * g->stride);
      for (guint x = 0; x < g->width; x++)
        {
          guint8 rgb[3] = { row[x] >> 16, row[x] >> 8, row[x] };
          g_string_append_len (out, (const char *) rgb, 3);
        }
    }
  g_autoptr (GError) error = NULL;
  if (!g_file_set_contents (file, out->str, out->len, &error))
    die ("%s", error->message);
}

/* One raw primary-plane query (no GET), checking the outcome: "ok" or an
 * errno name such as "ENOMEM". Proves a driver quirk is really there. */
static void
query_expect (Guest *g, const char *expect)
{
  struct vfio_device_gfx_plane_info plane = {
    .argsz = sizeof plane,
    .flags = g->kind == KIND_MBOCHS ? VFIO_GFX_PLANE_TYPE_DMABUF : VFIO_GFX_PLANE_TYPE_REGION,
    .drm_plane_type = 1,
  };
  int ret = ioctl (g->device, VFIO_DEVICE_QUERY_GFX_PLANE, &plane);
  const char *got = ret == 0 ? "ok" : errno == ENOMEM ? "ENOMEM" : errno == EINVAL ? "EINVAL"
                    : errno == ENODEV ? "ENODEV" : g_strerror (errno);

  if (strcmp (got, expect) != 0)
    die ("QUERY_GFX_PLANE: expected %s, got %s", expect, got);
  fprintf (stderr, "mdev-guest: QUERY_GFX_PLANE gave %s as expected\n", got);
}

static char **
command_env (Guest *g)
{
  char **env = g_get_environ ();
  g_autofree char *fd = g_strdup_printf ("%d", g->device);
  g_autofree char *group = g_strdup_printf ("%d", g->group_nr);
  g_autofree char *w = g_strdup_printf ("%u", g->width);
  g_autofree char *h = g_strdup_printf ("%u", g->height);
  g_autofree char *s = g_strdup_printf ("%u", g->stride);

  env = g_environ_setenv (env, "GVT_FD", fd, TRUE);
  env = g_environ_setenv (env, "GVT_GROUP", group, TRUE);
  env = g_environ_setenv (env, "GVT_WIDTH", w, TRUE);
  env = g_environ_setenv (env, "GVT_HEIGHT", h, TRUE);
  env = g_environ_setenv (env, "GVT_STRIDE", s, TRUE);
  return env;
}

/* Runs CMD with /bin/sh, the device fd inherited; returns its exit status. */
static GPid
start_command (Guest *g, const char *cmd)
{
  g_auto (GStrv) env = command_env (g);
  pid_t pid;

  fflush (NULL);
  pid = fork ();
  if (pid < 0)
    die ("fork: %s", g_strerror (errno));
  if (pid == 0)
    {
      execle ("/bin/sh", "sh", "-c", cmd, (char *) NULL, env);
      _exit (127);
    }
  return pid;
}

static int
wait_command (GPid pid)
{
  int status;

  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      die ("waitpid: %s", g_strerror (errno));
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return 128 + WTERMSIG (status);
}

static volatile sig_atomic_t stop_holding;

static void
on_term (int sig)
{
  stop_holding = 1;
}

/* Keeps everything open until SIGTERM/SIGINT, after creating FILE. */
static void
hold (const char *file)
{
  struct sigaction sa = { .sa_handler = on_term };

  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  if (!g_file_set_contents (file, "held\n", -1, NULL))
    die ("cannot create %s", file);
  while (!stop_holding)
    pause ();
}

/* Closes the device like a VM exiting. Before waiting for a child: a child
 * blocked in an mdev remove waits for exactly this. */
static void
guest_close (Guest *g)
{
  if (g->fb)
    munmap (g->fb, g->fb_len);
  g->fb = NULL;
  if (g->device >= 0)
    close (g->device);
  if (g->group >= 0)
    close (g->group);
  if (g->container >= 0)
    close (g->container);
  g->device = g->group = g->container = -1;
}

static void
usage (void)
{
  fputs ("Usage: mdev-guest [--group-only | --from-pid PID] UUID STEP...\n"
         "Opens the mdev through its VFIO group (container, TYPE1v2, device by UUID)\n"
         "and runs the steps in order:\n"
         "  mode=WxH[,VW]  mbochs: set a 32 bpp mode (VIRT_WIDTH VW) and enable it\n"
         "  yoff=Y         mbochs: page flip to line Y (must be page aligned)\n"
         "  off            mbochs: disable the display\n"
         "  fill=SEED      paint the visible picture with test pattern SEED\n"
         "  expect=FILE    write the visible picture as a binary PPM\n"
         "  query=WHAT     one raw primary query must give WHAT: ok or ENOMEM, EINVAL...\n"
         "  edid=FILE      mbochs: the EDID the guest sees into FILE; its link state on stdout\n"
         "  run=CMD        run /bin/sh -c CMD with the device fd inherited: $GVT_FD\n"
         "                 (also $GVT_GROUP, $GVT_WIDTH, $GVT_HEIGHT, $GVT_STRIDE);\n"
         "                 stop with its status when it fails\n"
         "  spawn=CMD      the same, in the background (one at a time)\n"
         "  wait           wait for the spawn= command; fail when it failed\n"
         "  sleep=MS       sleep\n"
         "  hold=FILE      create FILE, then keep the group open until SIGTERM\n"
         "--group-only opens /dev/vfio/N and nothing else (only hold= and sleep=).\n"
         "--from-pid PID takes a copy of the VFIO device fd process PID (QEMU) holds.\n",
         stderr);
  exit (2);
}

int
main (int argc, char **argv)
{
  Guest g = { .container = -1, .group = -1, .device = -1 };
  gboolean group_only = FALSE;
  int first = 1;

  if (argc > 1 && strcmp (argv[1], "--group-only") == 0)
    {
      group_only = TRUE;
      first++;
    }
  else if (argc > 2 && strcmp (argv[1], "--from-pid") == 0)
    {
      g.from_pid = atoi (argv[2]);
      first += 2;
    }
  if (argc <= first)
    usage ();
  g.uuid = argv[first];
  /* A failing command must not kill us before we close the device. */
  signal (SIGPIPE, SIG_IGN);
  guest_open (&g, group_only);

  for (int i = first + 1; i < argc; i++)
    {
      const char *step = argv[i];
      const char *eq = strchr (step, '=');
      const char *arg = eq ? eq + 1 : "";
      g_autofree char *name = eq ? g_strndup (step, eq - step) : g_strdup (step);
      int status = 0;

      if (group_only && strcmp (name, "hold") != 0 && strcmp (name, "sleep") != 0)
        die ("--group-only: step %s needs the device", name);

      if (strcmp (name, "mode") == 0)
        set_mode (&g, arg);
      else if (strcmp (name, "yoff") == 0)
        set_y_offset (&g, (guint) atoi (arg));
      else if (strcmp (name, "off") == 0)
        vbe_write (&g, VBE_ENABLE, 0);
      else if (strcmp (name, "fill") == 0)
        fill (&g, (guint) atoi (arg));
      else if (strcmp (name, "expect") == 0)
        write_expected (&g, arg);
      else if (strcmp (name, "query") == 0)
        query_expect (&g, arg);
      else if (strcmp (name, "edid") == 0)
        write_edid (&g, arg);
      else if (strcmp (name, "run") == 0)
        status = wait_command (start_command (&g, arg));
      else if (strcmp (name, "spawn") == 0)
        {
          if (g.child)
            die ("spawn: a spawned command is still running");
          g.child = start_command (&g, arg);
        }
      else if (strcmp (name, "wait") == 0)
        {
          if (!g.child)
            die ("wait: nothing spawned");
          status = wait_command (g.child);
          g.child = 0;
        }
      else if (strcmp (name, "sleep") == 0)
        g_usleep ((gulong) atoi (arg) * 1000);
      else if (strcmp (name, "hold") == 0)
        hold (arg);
      else
        usage ();

      if (status != 0)
        {
          fprintf (stderr, "mdev-guest: step '%s' failed with status %d\n", step, status);
          guest_close (&g);
          if (g.child)
            {
              kill (g.child, SIGTERM);
              wait_command (g.child);
            }
          return status;
        }
    }

  guest_close (&g);
  if (g.child)
    {
      fprintf (stderr, "mdev-guest: a spawn= command was never waited for\n");
      kill (g.child, SIGTERM);
      wait_command (g.child);
      return 1;
    }
  return 0;
}
