/* The QEMU command line: every spelling QEMU 7.2 takes for what gvt-view
 * reads (vfio devices, -name, -m, QMP sockets, UIs, ramfb), the rewrite for
 * `gvt-view run`, hostile input, and real QEMU taking the rewritten line. */
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <json-glib/json-glib.h>

#include "common/gvt-error.h"
#include "qemu/ppm.h"
#include "qemu/qemu-cmdline.h"
#include "testutil.h"

#define UUID1 "f2b7c6a6-1111-4b4b-9f9f-000000000001"
#define UUID2 "f2b7c6a6-2222-4b4b-9f9f-000000000002"
#define MDEV1 "/sys/bus/mdev/devices/" UUID1
#define MDEV2 "/sys/bus/mdev/devices/" UUID2
#define MIB (G_GUINT64_CONSTANT (1) << 20)
#define GIB (G_GUINT64_CONSTANT (1) << 30)

#define MAX_ARGS 24

typedef struct {
  const char *args[MAX_ARGS]; /* after argv[0], NULL-terminated */
} Args;

/* "qemu-system-x86_64" + @a as a NULL-terminated argv (strings borrowed). */
static const char **
make_argv (const Args *a)
{
  static const char *argv[MAX_ARGS + 1];
  argv[0] = "qemu-system-x86_64";
  for (int i = 0; i < MAX_ARGS; i++)
    {
      argv[i + 1] = a->args[i];
      if (a->args[i] == NULL)
        break;
    }
  argv[MAX_ARGS] = NULL;
  return argv;
}

static void
parse_ok (const Args *a, GvtQemuCmdline *c)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = gvt_qemu_cmdline_parse (make_argv (a), c, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

/* Fails with GVT_ERROR_INVALID_ARGS and a message containing @part. */
static void
parse_fails (const Args *a, const char *part)
{
  g_autoptr (GError) error = NULL;
  g_auto (GvtQemuCmdline) c = { 0 };
  g_assert_false (gvt_qemu_cmdline_parse (make_argv (a), &c, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_test_message ("refused as it should be: %s", error->message);
  if (part != NULL && strstr (error->message, part) == NULL)
    g_error ("message '%s' lacks '%s'", error->message, part);
  /* Cleared on failure. */
  g_assert_null (c.vfio);
  g_assert_null (c.name);
}

static const GvtQemuVfioDevice *
vfio (const GvtQemuCmdline *c, guint i)
{
  g_assert_nonnull (c->vfio);
  g_assert_cmpuint (i, <, c->vfio->len);
  return g_ptr_array_index (c->vfio, i);
}

/* ------------------------------------------------------------------ */

static void
test_vfio_sysfsdev (void)
{
  g_auto (GvtQemuCmdline) c = { 0 };
  /* The UUID in capitals: sysfsdev is kept, the UUID lower-cased. */
  Args a = { { "-enable-kvm", "-device",
               "vfio-pci,sysfsdev=/sys/bus/mdev/devices/F2B7C6A6-1111-4B4B-9F9F-000000000001,"
               "display=on,id=hostdev0", "-S", NULL } };
  parse_ok (&a, &c);
  g_assert_cmpuint (c.vfio->len, ==, 1);
  const GvtQemuVfioDevice *d = vfio (&c, 0);
  g_assert_cmpstr (d->driver, ==, "vfio-pci");
  g_assert_cmpstr (d->id, ==, "hostdev0");
  g_assert_cmpstr (d->sysfsdev, ==, "/sys/bus/mdev/devices/F2B7C6A6-1111-4B4B-9F9F-000000000001");
  g_assert_cmpstr (d->uuid, ==, UUID1);
  g_assert_cmpint (d->display, ==, GVT_QEMU_DISPLAY_ON);
  g_assert_false (d->ramfb);
  g_assert_false (d->json);
  g_assert_cmpuint (d->arg_index, ==, 3);

  /* A path that is not under /sys/bus/mdev but ends in the UUID (the
   * parent device's directory) still has it; a trailing slash too. */
  g_auto (GvtQemuCmdline) c2 = { 0 };
  Args b = { { "-device", "vfio-pci,sysfsdev=/sys/devices/pci0000:00/0000:00:02.0/" UUID2 "/",
               "-device", "vfio-pci,sysfsdev=/sys/bus/pci/devices/0000:03:00.0", NULL } };
  parse_ok (&b, &c2);
  g_assert_cmpstr (vfio (&c2, 0)->uuid, ==, UUID2);
  g_assert_null (vfio (&c2, 0)->id);
  g_assert_cmpint (vfio (&c2, 0)->display, ==, GVT_QEMU_DISPLAY_UNSET);
  g_assert_null (vfio (&c2, 1)->uuid);
  g_assert_cmpuint (vfio (&c2, 1)->arg_index, ==, 4);

  Args empty = { { "-device", "vfio-pci,sysfsdev=", NULL } };
  parse_fails (&empty, "sysfsdev= is empty");
}

static void
test_vfio_host (void)
{
  static const struct {
    const char *host, *path;
  } good[] = {
    { "00:02.0", "/sys/bus/pci/devices/0000:00:02.0" },
    { "0000:00:02.0", "/sys/bus/pci/devices/0000:00:02.0" },
    { "1:0A:1f.7", "/sys/bus/pci/devices/0001:0a:1f.7" },
    { "ffff:ff:1f.7", "/sys/bus/pci/devices/ffff:ff:1f.7" },
    { "3:0.1", "/sys/bus/pci/devices/0000:03:00.1" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_auto (GvtQemuCmdline) c = { 0 };
      g_autofree char *dev = g_strdup_printf ("vfio-pci,host=%s", good[i].host);
      Args a = { { "-device", dev, NULL } };
      parse_ok (&a, &c);
      g_assert_cmpstr (vfio (&c, 0)->sysfsdev, ==, good[i].path);
      g_assert_null (vfio (&c, 0)->uuid);
    }
  static const char *const bad[] = {
    "00:02", "02.0", "00:20.0", "00:02.8", "0:0:0:0.0", "", "00:02.0x", "1ffff:00:02.0",
    "100:02.0", "00:02.a", "-1:02.0", " 00:02.0", "00::02.0",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *dev = g_strdup_printf ("vfio-pci,host=%s", bad[i]);
      Args a = { { "-device", dev, NULL } };
      parse_fails (&a, "is not a PCI address");
    }
  /* sysfsdev wins over host, as in QEMU. */
  g_auto (GvtQemuCmdline) c = { 0 };
  Args both = { { "-device", "vfio-pci,host=00:02.0,sysfsdev=" MDEV1, NULL } };
  parse_ok (&both, &c);
  g_assert_cmpstr (vfio (&c, 0)->sysfsdev, ==, MDEV1);
  g_assert_cmpstr (vfio (&c, 0)->uuid, ==, UUID1);
  /* Neither: no device. */
  g_auto (GvtQemuCmdline) c2 = { 0 };
  Args none = { { "-device", "vfio-pci,id=x", NULL } };
  parse_ok (&none, &c2);
  g_assert_null (vfio (&c2, 0)->sysfsdev);
}

static void
test_vfio_nohotplug_ramfb (void)
{
  static const struct {
    const char *props;
    gboolean ramfb;
  } cases[] = {
    { "ramfb=on", TRUE },    { "ramfb=yes", TRUE },  { "ramfb=true", TRUE },
    { "ramfb=y", TRUE },     { "ramfb", TRUE },      { "ramfb=off", FALSE },
    { "ramfb=no", FALSE },   { "ramfb=false", FALSE }, { "ramfb=n", FALSE },
    { "noramfb", FALSE },    { "ramfb=on,ramfb=off", FALSE }, { "ramfb=off,ramfb", TRUE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (GvtQemuCmdline) c = { 0 };
      g_autofree char *dev =
        g_strdup_printf ("vfio-pci-nohotplug,sysfsdev=" MDEV1 ",%s", cases[i].props);
      Args a = { { "-device", dev, NULL } };
      parse_ok (&a, &c);
      g_assert_cmpstr (vfio (&c, 0)->driver, ==, "vfio-pci-nohotplug");
      if (vfio (&c, 0)->ramfb != cases[i].ramfb)
        g_error ("%s: ramfb %d", cases[i].props, vfio (&c, 0)->ramfb);
    }
  static const char *const bad[] = { "ramfb=ON", "ramfb=maybe", "ramfb=", "ramfb=1" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *dev = g_strdup_printf ("vfio-pci-nohotplug,sysfsdev=" MDEV1 ",%s", bad[i]);
      Args a = { { "-device", dev, NULL } };
      parse_fails (&a, "QEMU takes on or off");
    }
  static const struct {
    const char *props;
    GvtQemuDisplayMode mode;
  } modes[] = {
    { "display=on", GVT_QEMU_DISPLAY_ON },
    { "display=off", GVT_QEMU_DISPLAY_OFF },
    { "display=auto", GVT_QEMU_DISPLAY_AUTO },
    { "display=on,display=auto", GVT_QEMU_DISPLAY_AUTO },
    { "x-vga=on", GVT_QEMU_DISPLAY_UNSET },
    /* QEMU 7.2 still takes the short form (with a warning) */
    { "display", GVT_QEMU_DISPLAY_ON },
    { "nodisplay", GVT_QEMU_DISPLAY_OFF },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_auto (GvtQemuCmdline) c = { 0 };
      g_autofree char *dev = g_strdup_printf ("vfio-pci,sysfsdev=" MDEV1 ",%s", modes[i].props);
      Args a = { { "-device", dev, NULL } };
      parse_ok (&a, &c);
      g_assert_cmpint (vfio (&c, 0)->display, ==, modes[i].mode);
    }
  /* The OnOffAuto enum is exact (QEMU: "doesn't take value"). */
  static const char *const bad_modes[] = { "display=ON", "display=yes", "display=" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad_modes); i++)
    {
      g_autofree char *dev = g_strdup_printf ("vfio-pci,sysfsdev=" MDEV1 ",%s", bad_modes[i]);
      Args a = { { "-device", dev, NULL } };
      parse_fails (&a, "QEMU takes on, off or auto");
    }
}

static void
test_vfio_option_spellings (void)
{
  /* --device is -device (vl.c lookup_opt); driver= may be spelt out. */
  g_auto (GvtQemuCmdline) c = { 0 };
  Args a = { { "--device", "vfio-pci,sysfsdev=" MDEV1, "-device",
               "driver=vfio-pci-nohotplug,sysfsdev=" MDEV2 ",id=two", NULL } };
  parse_ok (&a, &c);
  g_assert_cmpuint (c.vfio->len, ==, 2);
  g_assert_cmpstr (vfio (&c, 0)->uuid, ==, UUID1);
  g_assert_cmpstr (vfio (&c, 1)->driver, ==, "vfio-pci-nohotplug");
  g_assert_cmpstr (vfio (&c, 1)->id, ==, "two");

  /* QEMU has no -opt=value: "invalid option". */
  Args eq = { { "-device=vfio-pci,sysfsdev=" MDEV1, NULL } };
  parse_fails (&eq, "QEMU takes no '=' after an option");
  Args eq2 = { { "--m=2G", NULL } };
  parse_fails (&eq2, "write -m and its value");
  /* Three dashes, or an unknown option: not -device, and not a value-taker. */
  g_auto (GvtQemuCmdline) c2 = { 0 };
  Args dashes = { { "---device", "vfio-pci,sysfsdev=" MDEV1, "-x-unknown", "-device",
                    "vfio-pci,sysfsdev=" MDEV2, NULL } };
  parse_ok (&dashes, &c2);
  g_assert_cmpuint (c2.vfio->len, ==, 1);
  g_assert_cmpstr (vfio (&c2, 0)->uuid, ==, UUID2);
}

static void
test_vfio_escapes (void)
{
  g_auto (GvtQemuCmdline) c = { 0 };
  /* ",," is a comma in a value; the first id= is the id (opts_parse_id),
   * the last of anything else wins. */
  Args a = { { "-device", "vfio-pci,sysfsdev=/sys/devices/a,,b/" UUID1
               ",id=first,id=second,display=on,display=off", NULL } };
  parse_ok (&a, &c);
  g_assert_cmpstr (vfio (&c, 0)->sysfsdev, ==, "/sys/devices/a,b/" UUID1);
  g_assert_cmpstr (vfio (&c, 0)->uuid, ==, UUID1);
  g_assert_cmpstr (vfio (&c, 0)->id, ==, "first");
  g_assert_cmpint (vfio (&c, 0)->display, ==, GVT_QEMU_DISPLAY_OFF);

  /* ",," in the implied driver makes it another driver. */
  g_auto (GvtQemuCmdline) c2 = { 0 };
  Args b = { { "-device", "vfio-pci,,sysfsdev=" MDEV1, "-device",
               "e1000,netdev=n0,,vfio-pci", NULL } };
  parse_ok (&b, &c2);
  g_assert_cmpuint (c2.vfio->len, ==, 0);

  /* Values are not options: -name takes "-device" as the name, the
   * -append text is not parsed, a disk image is skipped. */
  g_auto (GvtQemuCmdline) c3 = { 0 };
  Args d = { { "-name", "-device", "vfio-pci,sysfsdev=" MDEV1, "-append",
               "-device vfio-pci,sysfsdev=" MDEV2, "disk.img", "-device",
               "vfio-pci,sysfsdev=" MDEV2, NULL } };
  parse_ok (&d, &c3);
  g_assert_cmpstr (c3.name, ==, "-device");
  g_assert_cmpuint (c3.vfio->len, ==, 1);
  g_assert_cmpstr (vfio (&c3, 0)->uuid, ==, UUID2);
  g_assert_cmpuint (vfio (&c3, 0)->arg_index, ==, 8);

  /* Help requests are not devices. */
  g_auto (GvtQemuCmdline) c4 = { 0 };
  Args h = { { "-device", "vfio-pci,help", "-device", "help", "-device", "vfio-pci,?",
               "-device", "e1000,sysfsdev=" MDEV1, NULL } };
  parse_ok (&h, &c4);
  g_assert_cmpuint (c4.vfio->len, ==, 0);
}

static void
test_vfio_json (void)
{
  g_auto (GvtQemuCmdline) c = { 0 };
  Args a = { { "-device",
               "{\"driver\":\"vfio-pci-nohotplug\",\"sysfsdev\":\"" MDEV1 "\",\"display\":\"on\","
               "\"ramfb\":true,\"id\":\"hostdev0\"}",
               "-device", "{ 'driver' : 'vfio-pci', 'host': '00:02.0', 'display': 'auto' }",
               "-device", "{\"driver\":\"vfio-pci\",\"sysfsdev\":\"" MDEV2 "\",\"id\":5,"
               "\"nested\":{\"a\":[1,2,{\"b\":null}]},\"x\":-1.5e3}",
               NULL } };
  parse_ok (&a, &c);
  g_assert_cmpuint (c.vfio->len, ==, 3);
  const GvtQemuVfioDevice *d = vfio (&c, 0);
  g_assert_true (d->json);
  g_assert_cmpstr (d->driver, ==, "vfio-pci-nohotplug");
  g_assert_cmpstr (d->id, ==, "hostdev0");
  g_assert_cmpstr (d->uuid, ==, UUID1);
  g_assert_cmpint (d->display, ==, GVT_QEMU_DISPLAY_ON);
  g_assert_true (d->ramfb);
  /* QEMU's JSON takes 'single quotes'. */
  g_assert_cmpstr (vfio (&c, 1)->sysfsdev, ==, "/sys/bus/pci/devices/0000:00:02.0");
  g_assert_cmpint (vfio (&c, 1)->display, ==, GVT_QEMU_DISPLAY_AUTO);
  /* A non-string id is ignored, as QEMU does. */
  g_assert_null (vfio (&c, 2)->id);
  g_assert_cmpstr (vfio (&c, 2)->uuid, ==, UUID2);

  /* JSON only when the value starts with '{': with a space first it is
   * QemuOpts with an odd driver name. */
  g_auto (GvtQemuCmdline) c2 = { 0 };
  Args sp = { { "-device", " {\"driver\":\"vfio-pci\",\"sysfsdev\":\"" MDEV1 "\"}", NULL } };
  parse_ok (&sp, &c2);
  g_assert_cmpuint (c2.vfio->len, ==, 0);

  static const struct {
    const char *json, *part;
  } bad[] = {
    { "{\"driver\":\"vfio-pci\",\"display\":true}", "\"display\" must be" },
    { "{\"driver\":\"vfio-pci\",\"display\":\"ON\"}", "\"display\" must be" },
    { "{\"driver\":\"vfio-pci\",\"ramfb\":\"on\"}", "JSON boolean" },
    { "{\"driver\":\"vfio-pci\",\"sysfsdev\":7}", "must be a JSON string" },
    { "{\"driver\":\"vfio-pci\",\"sysfsdev\":\"\"}", "is empty" },
    { "{\"driver\":\"vfio-pci\",\"host\":\"xyz\"}", "not a PCI address" },
    { "{\"driver\":\"vfio-pci\"} {\"x\":1}", "text after the JSON object" },
    { "{\"driver\":\"vfio-pci\"}/*c*/", "text after the JSON object" },
    { "{\"driver\":\"vfio-pci\",/*c*/\"a\":1}", "not JSON" },
    { "{\"driver\":\"vfio-pci\",\"driver\":\"e1000\"}", "is there twice" },
    { "{\"a\":{\"b\":1,\"b\":2}}", "is there twice" },
    { "{\"driver\":\"vfio-pci\"", "cut short" },
    { "{\"driver\":\"vfio-pci\"]", "unbalanced" },
    { "{\"driver\":\"vfio-pci\",}", "not the JSON QEMU takes" },
    { "{\"driver\":vfio-pci}", "not JSON" },
    { "{\"a\":\"\\u0000\"}", "\\u0000" },
    { "{\"a\":\"\\ud800\"}", "lone surrogate" },
    { "{\"a\":\"\\x41\"}", "bad escape" },
    { "{\"a\":18446744073709551617}", "beyond 64 bits" },
    { "{\"a\":01}", "leading zero" },
    { "{\"a\":1.}", "malformed number" },
    { "{\"a\":\"x\ny\"}", "control character" },
    { "{\"a\":\"\xff\"}", "not UTF-8" },
    { "{", "cut short" },
    { "{}}", "text after" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      Args b = { { "-device", bad[i].json, NULL } };
      parse_fails (&b, bad[i].part);
    }
  /* Nesting: 32 levels are taken, 33 refused before json-glib recurses. */
  for (int depth = 31; depth <= 33; depth++)
    {
      GString *s = g_string_new ("{\"driver\":\"vfio-pci\",\"a\":");
      for (int i = 1; i < depth; i++)
        g_string_append_c (s, '[');
      for (int i = 1; i < depth; i++)
        g_string_append_c (s, ']');
      g_string_append_c (s, '}');
      g_autofree char *text = g_string_free (s, FALSE);
      Args b = { { "-device", text, NULL } };
      if (depth <= 32)
        {
          g_auto (GvtQemuCmdline) cd = { 0 };
          parse_ok (&b, &cd);
          g_assert_cmpuint (cd.vfio->len, ==, 1);
        }
      else
        parse_fails (&b, "nested too deep");
    }
}

static void
test_vfio_globals (void)
{
  /* -global DRIVER.PROP=VALUE and driver=,property=,value=; vfio-pci's
   * apply to vfio-pci-nohotplug (its subclass); a device's own wins. */
  g_auto (GvtQemuCmdline) c = { 0 };
  Args a = { { "-global", "vfio-pci.display=on", "-global",
               "driver=vfio-pci-nohotplug,property=ramfb,value=on", "-device",
               "vfio-pci,sysfsdev=" MDEV1, "-device", "vfio-pci-nohotplug,sysfsdev=" MDEV2,
               "-device", "vfio-pci,host=03:00.0,display=off", "-global", "e1000.display=auto",
               NULL } };
  parse_ok (&a, &c);
  g_assert_cmpint (vfio (&c, 0)->display, ==, GVT_QEMU_DISPLAY_ON);
  g_assert_false (vfio (&c, 0)->ramfb);
  g_assert_cmpint (vfio (&c, 1)->display, ==, GVT_QEMU_DISPLAY_ON);
  g_assert_true (vfio (&c, 1)->ramfb);
  g_assert_cmpint (vfio (&c, 2)->display, ==, GVT_QEMU_DISPLAY_OFF);

  Args bad = { { "-global", "vfio-pci.display=yes", "-device", "vfio-pci,sysfsdev=" MDEV1,
                 NULL } };
  parse_fails (&bad, "-global vfio-pci.display='yes'");
}

static void
test_name (void)
{
  static const struct {
    Args args;
    const char *name;
  } cases[] = {
    { { { NULL } }, NULL },
    { { { "-name", "vm1", NULL } }, "vm1" },
    { { { "--name", "vm1", NULL } }, "vm1" },
    /* libvirt's spelling */
    { { { "-name", "guest=win10,debug-threads=on", NULL } }, "win10" },
    { { { "-name", "vm,,with,,commas,process=qemu-vm", NULL } }, "vm,with,commas" },
    { { { "-name", "process=only", NULL } }, NULL },
    /* -name merges: the last guest name wins, process= alone keeps it. */
    { { { "-name", "a", "-name", "b", NULL } }, "b" },
    { { { "-name", "a", "-name", "process=p", NULL } }, "a" },
    { { { "-name", "guest=a,guest=b", NULL } }, "b" },
    { { { "-name", "", NULL } }, NULL },
    { { { "-name", "with spaces", NULL } }, "with spaces" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (GvtQemuCmdline) c = { 0 };
      parse_ok (&cases[i].args, &c);
      g_assert_cmpstr (c.name, ==, cases[i].name);
    }
  Args end = { { "-name", NULL } };
  parse_fails (&end, "-name at the end");
}

static void
test_ram (void)
{
  /* Each checked against QEMU 7.2 (query-memory-size-summary base-memory). */
  static const struct {
    const char *args[6];
    guint64 bytes;
  } cases[] = {
    { { NULL }, 128 * MIB },
    { { "-m", "2048" }, 2 * GIB },
    { { "-m", "2G" }, 2 * GIB },
    { { "-m", "2g" }, 2 * GIB },
    { { "-m", "512M" }, 512 * MIB },
    { { "-m", "size=4G,slots=2,maxmem=8G" }, 4 * GIB },
    { { "-m", "1.5G" }, 1536 * MIB },
    { { "-m", "1.5g" }, 1536 * MIB },
    { { "-m", "3000" }, 3000 * MIB },
    { { "-m", "0x800" }, 2 * GIB },
    { { "-m", "0x800M" }, 2 * GIB },
    { { "-m", "0x40000000b" }, G_GUINT64_CONSTANT (17179877376) },
    { { "-m", "4096k" }, 4 * MIB },
    { { "-m", "1024b" }, 8192 },
    { { "-m", "1k" }, 8192 },
    { { "-m", "12.345M" }, 12951552 },
    { { "-m", "1.0" }, 1 * MIB },
    { { "-m", "64." }, 8192 },
    { { "-m", " 64" }, 64 * MIB },
    { { "-m", "0" }, 128 * MIB },
    { { "-m", "" }, 128 * MIB },
    { { "-m", "size=1G,size=2G" }, 2 * GIB },
    { { "-m", "1G", "-m", "2G" }, 2 * GIB },
    { { "-m", "1G", "--m", "slots=2" }, 1 * GIB },
    { { "-m", "1E" }, G_GUINT64_CONSTANT (1) << 60 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (GvtQemuCmdline) c = { 0 };
      Args a = { { NULL } };
      for (int k = 0; k < 6 && cases[i].args[k]; k++)
        a.args[k] = cases[i].args[k];
      parse_ok (&a, &c);
      if (c.ram_bytes != cases[i].bytes)
        g_error ("-m %s: %" G_GUINT64_FORMAT " bytes, %" G_GUINT64_FORMAT " expected",
                 cases[i].args[1], c.ram_bytes, cases[i].bytes);
    }
  /* QEMU 7.2 refuses these ("Parameter 'size' expects a non-negative
   * number below 2^64" for the fractions without a unit). */
  static const char *const bad[] = {
    "1536.5", "1.5", "-5", "2X", "1e3", "1.5e3", "99999999999999999999", "0x", "16E",
    "64 ", "0x1.8", "G", "1GB",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      Args a = { { "-m", bad[i], NULL } };
      parse_fails (&a, "-m");
    }
  Args end = { { "-S", "-m", NULL } };
  parse_fails (&end, "needs a value");
}

static void
test_qmp (void)
{
  static const struct {
    const char *args[8];
    const char *socket;
  } cases[] = {
    { { "-qmp", "unix:/run/q.sock,server=on,wait=off" }, "/run/q.sock" },
    { { "-qmp", "unix:/run/q.sock,server,nowait" }, "/run/q.sock" },
    { { "--qmp", "unix:path=/run/q.sock,server=on" }, "/run/q.sock" },
    { { "-qmp-pretty", "unix:/run/q.sock,server=yes,wait=no" }, "/run/q.sock" },
    { { "-qmp", "mon:unix:/run/q.sock,server=true" }, "/run/q.sock" },
    { { "-qmp", "unix:/run/a,,b.sock,server=on" }, "/run/a,b.sock" },
    /* Not servers, or not files: no socket to connect to. */
    { { "-qmp", "unix:/run/q.sock" }, NULL },
    { { "-qmp", "unix:/run/q.sock,server=on,server=off" }, NULL },
    { { "-qmp", "unix:/run/q.sock,server=on,noserver" }, NULL },
    { { "-qmp", "unix:/run/q.sock,server=on,abstract=on" }, NULL },
    { { "-qmp", "tcp:localhost:4444,server=on,wait=off" }, NULL },
    { { "-qmp", "stdio" }, NULL },
    { { "-monitor", "unix:/run/hmp.sock,server=on,wait=off" }, NULL },
    /* -chardev + -mon, in either order, implied chardev= too */
    { { "-chardev", "socket,id=c,path=/run/c.sock,server=on,wait=off", "-mon",
        "chardev=c,mode=control" }, "/run/c.sock" },
    { { "-mon", "c,mode=control,pretty=on", "-chardev",
        "socket,path=/run/c.sock,server=on,wait=off,id=c" }, "/run/c.sock" },
    { { "-chardev", "socket,id=c,path=/run/c.sock,server=on", "-qmp", "chardev:c" },
      "/run/c.sock" },
    { { "-chardev", "socket,id=c,path=/run/c.sock,server=on", "-mon", "chardev=c" }, NULL },
    { { "-chardev", "socket,id=c,path=/run/c.sock", "-mon", "chardev=c,mode=control" }, NULL },
    { { "-chardev", "socket,id=c,host=localhost,port=4444,server=on", "-mon",
        "chardev=c,mode=control" }, NULL },
    { { "-chardev", "file,id=c,path=/run/c.log", "-mon", "chardev=c,mode=control" }, NULL },
    { { "-mon", "chardev=nowhere,mode=control" }, NULL },
    /* libvirt's own monitor is an inherited fd */
    { { "-chardev", "socket,id=charmonitor,fd=22,server=on,wait=off", "-mon",
        "chardev=charmonitor,id=monitor,mode=control" }, NULL },
    /* The first server wins; a client before it does not count. */
    { { "-qmp", "unix:/run/a.sock,server=on", "-qmp", "unix:/run/b.sock,server=on" },
      "/run/a.sock" },
    { { "-qmp", "unix:/run/client.sock", "-qmp", "unix:/run/b.sock,server=on" }, "/run/b.sock" },
    { { "-chardev", "socket,id=c,path=/run/c.sock,server=on", "-mon", "chardev=c,mode=control",
        "-qmp", "unix:/run/q.sock,server=on" }, "/run/c.sock" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (GvtQemuCmdline) c = { 0 };
      Args a = { { NULL } };
      for (int k = 0; k < 8 && cases[i].args[k]; k++)
        a.args[k] = cases[i].args[k];
      parse_ok (&a, &c);
      if (g_strcmp0 (c.qmp_socket, cases[i].socket) != 0)
        g_error ("case %" G_GSIZE_FORMAT " (%s %s): socket %s, %s expected", i, cases[i].args[0],
                 cases[i].args[1], c.qmp_socket, cases[i].socket);
    }
  Args bad = { { "-qmp", "unix:/run/q.sock,server=maybe", NULL } };
  parse_fails (&bad, "server='maybe' is not a boolean");
  Args bad2 = { { "-chardev", "socket,id=c,path=/p,server=2", NULL } };
  parse_fails (&bad2, "is not a boolean");
}

static void
test_display (void)
{
  static const struct {
    const char *args[4];
    gboolean has;
    const char *display;
  } cases[] = {
    { { NULL }, FALSE, NULL },
    { { "-display", "none" }, TRUE, "none" },
    { { "--display", "gtk,gl=on" }, TRUE, "gtk,gl=on" },
    { { "-display", "gtk", "-display", "none" }, TRUE, "none" },
    { { "-nographic" }, TRUE, NULL },
    { { "-vnc", ":0" }, TRUE, NULL },
    { { "-spice", "port=5900,disable-ticketing=on" }, TRUE, NULL },
    { { "-curses" }, TRUE, NULL },
    { { "-sdl" }, TRUE, NULL },
    { { "-vga", "none" }, FALSE, NULL },
    { { "-full-screen" }, FALSE, NULL },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (GvtQemuCmdline) c = { 0 };
      Args a = { { NULL } };
      for (int k = 0; k < 4 && cases[i].args[k]; k++)
        a.args[k] = cases[i].args[k];
      parse_ok (&a, &c);
      g_assert_cmpint (c.has_display, ==, cases[i].has);
      g_assert_cmpstr (c.display, ==, cases[i].display);
    }
}

static void
test_uses_terminal (void)
{
  /* The options whose values make QEMU the terminal's, and "stdio" where
   * it is only a name. */
  static const struct {
    const char *args[6];
    gboolean uses;
  } cases[] = {
    { { NULL }, FALSE },
    { { "-display", "curses" }, TRUE },
    { { "-display", "curses,charset=CP850" }, TRUE },
    { { "--display", "type=curses" }, TRUE },
    { { "-curses" }, TRUE },
    { { "--curses" }, TRUE },
    { { "-nographic" }, TRUE },
    { { "--nographic" }, TRUE },
    { { "-serial", "stdio" }, TRUE },
    { { "-serial", "mon:stdio" }, TRUE },
    { { "--serial", "mon:stdio" }, TRUE },
    { { "-monitor", "stdio" }, TRUE },
    { { "-parallel", "stdio" }, TRUE },
    { { "-qmp", "stdio" }, TRUE },
    { { "-qmp-pretty", "mon:stdio" }, TRUE },
    { { "-debugcon", "stdio" }, TRUE },
    { { "-gdb", "stdio" }, TRUE },
    { { "-chardev", "stdio,id=x" }, TRUE },
    { { "-chardev", "backend=stdio,id=x,signal=off" }, TRUE },
    { { "-chardev", "stdio,id=x", "-serial", "chardev:x" }, TRUE },
    /* The last UI chosen is the one. */
    { { "-display", "curses", "-display", "gtk" }, FALSE },
    { { "-curses", "-display", "none" }, FALSE },
    { { "-display", "none", "-curses" }, TRUE },
    /* stdio only as a name or a path */
    { { "-drive", "file=/srv/stdio.qcow2,if=virtio" }, FALSE },
    { { "/srv/stdio.img" }, FALSE },
    { { "-name", "stdio-test" }, FALSE },
    { { "-name", "-nographic" }, FALSE },
    { { "-serial", "file:/tmp/stdio.log" }, FALSE },
    { { "-serial", "stdio-like" }, FALSE },
    { { "-monitor", "unix:/run/stdio.sock,server=on,wait=off" }, FALSE },
    { { "-chardev", "file,id=stdio,path=/tmp/stdio" }, FALSE },
    { { "-display", "gtk", "-vnc", ":0" }, FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (GvtQemuCmdline) c = { 0 };
      Args a = { { NULL } };
      for (int k = 0; k < 6 && cases[i].args[k]; k++)
        a.args[k] = cases[i].args[k];
      g_autofree char *shown = g_strjoinv (" ", (char **) a.args);
      g_test_message ("%s", shown);
      parse_ok (&a, &c);
      g_assert_cmpint (c.uses_terminal, ==, cases[i].uses);
    }
}

static void
test_ramfb_device (void)
{
  g_auto (GvtQemuCmdline) c = { 0 };
  Args a = { { "-device", "ramfb", NULL } };
  parse_ok (&a, &c);
  g_assert_true (c.has_ramfb_device);
  g_assert_null (c.ramfb_id);

  g_auto (GvtQemuCmdline) c2 = { 0 };
  Args b = { { "-device", "ramfb,id=fb0", "-device", "ramfb,id=fb1", NULL } };
  parse_ok (&b, &c2);
  g_assert_cmpstr (c2.ramfb_id, ==, "fb0");

  g_auto (GvtQemuCmdline) c3 = { 0 };
  Args j = { { "-device", "{\"driver\":\"ramfb\",\"id\":\"video0\"}", NULL } };
  parse_ok (&j, &c3);
  g_assert_true (c3.has_ramfb_device);
  g_assert_cmpstr (c3.ramfb_id, ==, "video0");

  g_auto (GvtQemuCmdline) c4 = { 0 };
  Args none = { { "-device", "VGA", NULL } };
  parse_ok (&none, &c4);
  g_assert_false (c4.has_ramfb_device);
}

static void
test_hostile (void)
{
  g_autoptr (GError) error = NULL;
  g_auto (GvtQemuCmdline) c = { 0 };

  g_assert_false (gvt_qemu_cmdline_parse (NULL, &c, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  const char *empty[] = { NULL };
  g_assert_false (gvt_qemu_cmdline_parse (empty, &c, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_assert_nonnull (strstr (error->message, "empty"));
  g_clear_error (&error);

  /* The program alone is a command line. */
  const char *alone[] = { "qemu-system-x86_64", NULL };
  g_assert_true (gvt_qemu_cmdline_parse (alone, &c, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c.vfio->len, ==, 0);
  g_assert_cmpuint (c.ram_bytes, ==, 128 * MIB);
  gvt_qemu_cmdline_clear (&c);

  static const char *const needs_value[] = { "-device", "-m", "-qmp", "-chardev", "-mon",
                                             "-display", "-global", "--device", "-vnc" };
  for (gsize i = 0; i < G_N_ELEMENTS (needs_value); i++)
    {
      Args a = { { "-S", needs_value[i], NULL } };
      parse_fails (&a, "needs a value");
    }

  /* Over Linux's MAX_ARG_STRLEN: refused; just under: read. */
  g_autofree char *huge = g_strnfill (GVT_QEMU_CMDLINE_MAX_ARG + 1, 'a');
  Args h = { { "-name", huge, NULL } };
  parse_fails (&h, "more than Linux passes");
  GString *big = g_string_new ("vfio-pci,sysfsdev=/");
  while (big->len < GVT_QEMU_CMDLINE_MAX_ARG - 40)
    g_string_append (big, "a,,");
  g_string_append (big, "/" UUID1);
  g_autofree char *bigs = g_string_free (big, FALSE);
  Args hb = { { "-device", bigs, NULL } };
  parse_ok (&hb, &c);
  g_assert_cmpstr (vfio (&c, 0)->uuid, ==, UUID1);
  gvt_qemu_cmdline_clear (&c);
  GString *deep = g_string_new ("{\"a\":");
  for (int i = 0; i < 50000; i++)
    g_string_append_c (deep, '[');
  g_autofree char *deeps = g_string_free (deep, FALSE);
  Args d = { { "-device", deeps, NULL } };
  parse_fails (&d, "nested too deep");

  /* Random command lines from QEMU's vocabulary: each parses or is
   * refused with INVALID_ARGS, and never crashes or leaks. */
  static const char *const words[] = {
    "-device", "--device", "-m", "-name", "-qmp", "-qmp-pretty", "-chardev", "-mon",
    "-global", "-display", "-nographic", "-S", "vfio-pci", "vfio-pci,sysfsdev=" MDEV1,
    "vfio-pci-nohotplug,ramfb=on,display=on,sysfsdev=" MDEV2, "{", "{\"driver\":\"vfio-pci\"}",
    "{\"driver\":\"vfio-pci\",\"display\":", ",,", ",", "=", "id=", "display=on", "2G",
    "unix:/tmp/x,server", "socket,id=c,path=/p,server=on", "chardev=c,mode=control", "",
    "vfio-pci.display=on", "ramfb", "host=00:02.0", "\xff\xfe", "-", "--", "noramfb",
  };
  GRand *rand = g_rand_new_with_seed (20240601);
  for (int round = 0; round < 3000; round++)
    {
      const char *argv[12] = { "qemu-system-x86_64" };
      int n = g_rand_int_range (rand, 0, 10);
      for (int k = 0; k < n; k++)
        argv[k + 1] = words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))];
      argv[n + 1] = NULL;
      g_autoptr (GError) err = NULL;
      g_auto (GvtQemuCmdline) rc = { 0 };
      if (!gvt_qemu_cmdline_parse (argv, &rc, &err))
        g_assert_error (err, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
      else
        g_assert_nonnull (rc.vfio);
      g_auto (GvtQemuLaunch) l = { 0 };
      GvtQemuLaunchOptions o = { NULL, "/tmp/gvt.sock" };
      g_autoptr (GError) lerr = NULL;
      if (gvt_qemu_launch_prepare (argv, &o, &l, &lerr))
        g_assert_nonnull (l.argv);
      else
        g_assert_error (lerr, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
    }
  g_rand_free (rand);
}

/* ------------------------------------------------------------------ */
/* The rewrite */

static void
prepare_ok (const Args *a, const char *vgpu, const char *qmp, GvtQemuLaunch *l)
{
  g_autoptr (GError) error = NULL;
  GvtQemuLaunchOptions o = { vgpu, qmp };
  gboolean ok = gvt_qemu_launch_prepare (make_argv (a), &o, l, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  for (guint i = 0; i < l->notes->len; i++)
    g_test_message ("note: %s", (const char *) g_ptr_array_index (l->notes, i));
}

static void
prepare_fails (const Args *a, const char *vgpu, const char *part)
{
  g_autoptr (GError) error = NULL;
  g_auto (GvtQemuLaunch) l = { 0 };
  GvtQemuLaunchOptions o = { vgpu, "/tmp/q.sock" };
  g_assert_false (gvt_qemu_launch_prepare (make_argv (a), &o, &l, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_test_message ("refused: %s", error->message);
  if (strstr (error->message, part) == NULL)
    g_error ("message '%s' lacks '%s'", error->message, part);
  g_assert_null (l.argv);
  g_assert_null (l.notes);
}

/* @l's argv is exactly "qemu-system-x86_64" + @want. */
static void
assert_argv (const GvtQemuLaunch *l, const char *const *want)
{
  g_assert_cmpstr (l->argv[0], ==, "qemu-system-x86_64");
  guint i = 0;
  for (; want[i] != NULL; i++)
    {
      if (l->argv[i + 1] == NULL)
        g_error ("argv ends at %u, '%s' expected", i + 1, want[i]);
      g_assert_cmpstr (l->argv[i + 1], ==, want[i]);
    }
  g_assert_null (l->argv[i + 1]);
}

static gboolean
has_note (const GvtQemuLaunch *l, const char *part)
{
  for (guint i = 0; i < l->notes->len; i++)
    if (strstr (g_ptr_array_index (l->notes, i), part) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_launch_typical (void)
{
  g_auto (GvtQemuLaunch) l = { 0 };
  Args a = { { "-enable-kvm", "-m", "4G", "-name", "vm1", "-device",
               "vfio-pci,sysfsdev=" MDEV1 ",display=on,id=hostdev0,x-igd-opregion=on",
               "-drive", "file=disk.img,if=virtio", "disk2.img", NULL } };
  prepare_ok (&a, NULL, "/run/user/0/gvt-view/vm1.qmp", &l);
  const char *want[] = {
    "-enable-kvm", "-m", "4G", "-name", "vm1", "-device",
    "vfio-pci,sysfsdev=" MDEV1 ",display=off,id=hostdev0,x-igd-opregion=on",
    "-drive", "file=disk.img,if=virtio", "disk2.img",
    "-display", "none", "-qmp", "unix:path=/run/user/0/gvt-view/vm1.qmp,server=on,wait=off",
    NULL,
  };
  assert_argv (&l, want);
  g_assert_cmpuint (l.notes->len, ==, 3);
  g_assert_true (has_note (&l, "display=on on vfio-pci (id hostdev0) changed to display=off: "
                               "gvt-view shows the display; QEMU refuses display=on with "
                               "-display none"));
  g_assert_true (has_note (&l, "-display none added"));
  g_assert_true (has_note (&l, "-qmp unix:path=/run/user/0/gvt-view/vm1.qmp,server=on,wait=off "
                               "added"));
  g_assert_true (l.qmp_added);
  g_assert_null (l.ramfb_console);
  g_assert_cmpuint (l.vgpu_index, ==, 0);
  /* The parsed result is the rewritten line's. */
  g_assert_cmpstr (l.cmdline.qmp_socket, ==, "/run/user/0/gvt-view/vm1.qmp");
  g_assert_cmpint (vfio (&l.cmdline, 0)->display, ==, GVT_QEMU_DISPLAY_OFF);
  g_assert_cmpstr (l.cmdline.display, ==, "none");
  g_assert_cmpstr (l.cmdline.name, ==, "vm1");
  g_assert_cmpuint (l.cmdline.ram_bytes, ==, 4 * GIB);
}

static void
test_launch_display_modes (void)
{
  /* Absent: QEMU 7.2's default is off (vfio-pci,help: display default
   * "off"), so nothing changes on the device. */
  g_auto (GvtQemuLaunch) l = { 0 };
  Args a = { { "-device", "vfio-pci,sysfsdev=" MDEV1, NULL } };
  prepare_ok (&a, NULL, "/q", &l);
  g_assert_cmpstr (l.argv[2], ==, "vfio-pci,sysfsdev=" MDEV1);
  g_assert_false (has_note (&l, "display=off"));
  g_assert_cmpuint (l.notes->len, ==, 2);

  /* off stays; the user's UI stays and gets no -display none. */
  g_auto (GvtQemuLaunch) l2 = { 0 };
  Args b = { { "-display", "gtk", "-device", "vfio-pci,display=off,sysfsdev=" MDEV1, NULL } };
  prepare_ok (&b, NULL, "/q", &l2);
  const char *want2[] = { "-display", "gtk", "-device", "vfio-pci,display=off,sysfsdev=" MDEV1,
                          "-qmp", "unix:path=/q,server=on,wait=off", NULL };
  assert_argv (&l2, want2);
  g_assert_cmpuint (l2.notes->len, ==, 1);

  /* auto, repeated: every display= becomes off; with a UI the reason is
   * the double export. */
  g_auto (GvtQemuLaunch) l3 = { 0 };
  Args c = { { "-nographic", "-device", "vfio-pci,display=on,sysfsdev=" MDEV1 ",display=auto",
               NULL } };
  prepare_ok (&c, NULL, "/q", &l3);
  g_assert_cmpstr (l3.argv[3], ==, "vfio-pci,display=off,sysfsdev=" MDEV1 ",display=off");
  g_assert_true (has_note (&l3, "display=auto on vfio-pci (mdev " UUID1 ") changed to "
                                "display=off: gvt-view shows the display, and two displays of "
                                "one vGPU would both export its buffers"));

  /* A -global turning it on: display=off added to the device. */
  g_auto (GvtQemuLaunch) l4 = { 0 };
  Args d = { { "-global", "vfio-pci.display=on", "-device", "vfio-pci,sysfsdev=" MDEV1, NULL } };
  prepare_ok (&d, NULL, "/q", &l4);
  g_assert_cmpstr (l4.argv[4], ==, "vfio-pci,sysfsdev=" MDEV1 ",display=off");
  g_assert_true (has_note (&l4, "which a -global set to display=on"));
  g_assert_cmpint (vfio (&l4.cmdline, 0)->display, ==, GVT_QEMU_DISPLAY_OFF);

  /* xres/yres need display=on in QEMU: dropped. */
  g_auto (GvtQemuLaunch) l5 = { 0 };
  Args e = { { "-device", "vfio-pci,xres=1920,sysfsdev=" MDEV1 ",yres=1080,display=on", NULL } };
  prepare_ok (&e, NULL, "/q", &l5);
  g_assert_cmpstr (l5.argv[2], ==, "vfio-pci,sysfsdev=" MDEV1 ",display=off");
  g_assert_true (has_note (&l5, "xres/yres dropped"));

  /* A bare key moved to the front is spelt out, else it would become the
   * implied driver. */
  g_auto (GvtQemuLaunch) l6 = { 0 };
  Args f = { { "-device", "xres=1024,nox-vga,driver=vfio-pci,sysfsdev=" MDEV1, NULL } };
  prepare_ok (&f, NULL, "/q", &l6);
  g_assert_cmpstr (l6.argv[2], ==, "x-vga=off,driver=vfio-pci,sysfsdev=" MDEV1);
  g_assert_cmpstr (vfio (&l6.cmdline, 0)->driver, ==, "vfio-pci");
}

static void
test_launch_qmp (void)
{
  /* An existing QMP server is used, not doubled. */
  g_auto (GvtQemuLaunch) l = { 0 };
  Args a = { { "-device", "vfio-pci,sysfsdev=" MDEV1, "-display", "none", "-chardev",
               "socket,id=mon0,path=/run/vm.qmp,server=on,wait=off", "-mon",
               "chardev=mon0,mode=control", NULL } };
  prepare_ok (&a, NULL, "/unused", &l);
  g_assert_false (l.qmp_added);
  g_assert_cmpstr (l.cmdline.qmp_socket, ==, "/run/vm.qmp");
  g_assert_cmpuint (l.notes->len, ==, 0);
  const char *want[] = { "-device", "vfio-pci,sysfsdev=" MDEV1, "-display", "none", "-chardev",
                         "socket,id=mon0,path=/run/vm.qmp,server=on,wait=off", "-mon",
                         "chardev=mon0,mode=control", NULL };
  assert_argv (&l, want);
  /* Without a path to add none: FAILED. */
  g_autoptr (GError) error = NULL;
  g_auto (GvtQemuLaunch) l2 = { 0 };
  Args b = { { "-device", "vfio-pci,sysfsdev=" MDEV1, NULL } };
  GvtQemuLaunchOptions o = { NULL, NULL };
  g_assert_false (gvt_qemu_launch_prepare (make_argv (&b), &o, &l2, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_FAILED);
  g_clear_error (&error);
  /* A client -qmp is not one: ours is added; a comma in the path doubled. */
  g_auto (GvtQemuLaunch) l3 = { 0 };
  Args c = { { "-qmp", "unix:/run/client.sock", "-device", "vfio-pci,sysfsdev=" MDEV1, NULL } };
  prepare_ok (&c, NULL, "/tmp/a,b.sock", &l3);
  g_assert_true (l3.qmp_added);
  g_assert_cmpstr (l3.argv[8], ==, "unix:path=/tmp/a,,b.sock,server=on,wait=off");
  g_assert_cmpstr (l3.cmdline.qmp_socket, ==, "/tmp/a,b.sock");
}

static void
test_launch_choose (void)
{
  Args none = { { "-m", "2G", NULL } };
  prepare_fails (&none, NULL,
                 "add -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID,display=off");
  /* A passed-through NIC is no vGPU. */
  Args nic = { { "-device", "vfio-pci,host=03:00.0,id=nic0", NULL } };
  prepare_fails (&nic, NULL, "has no vGPU");
  /* A daemon is out of run's reach (its fork opens the vGPU). */
  Args daemon = { { "-daemonize", "-device", "vfio-pci,sysfsdev=" MDEV1, NULL } };
  prepare_fails (&daemon, NULL, "-daemonize: QEMU would fork away from gvt-view run");
  Args daemon2 = { { "--daemonize", "-device", "vfio-pci,sysfsdev=" MDEV1, NULL } };
  prepare_fails (&daemon2, NULL, "drop -daemonize, or start QEMU yourself");

  g_auto (GvtQemuLaunch) l = { 0 };
  Args one = { { "-device", "vfio-pci,host=03:00.0,id=nic0", "-device",
                 "vfio-pci,sysfsdev=" MDEV1 ",id=gpu", NULL } };
  prepare_ok (&one, NULL, "/q", &l);
  g_assert_cmpuint (l.vgpu_index, ==, 1);

  /* Two vGPUs: which? */
  Args two = { { "-device", "vfio-pci,sysfsdev=" MDEV1 ",id=gpu1", "-device",
                 "vfio-pci-nohotplug,sysfsdev=" MDEV2 ",display=on", NULL } };
  prepare_fails (&two, NULL, "has 2 vGPUs: " UUID1 " (vfio-pci, id gpu1), " UUID2
                             " (vfio-pci-nohotplug); say which to show with --vgpu UUID|ID");
  g_auto (GvtQemuLaunch) l2 = { 0 };
  prepare_ok (&two, "F2B7C6A6-2222-4B4B-9F9F-000000000002", "/q", &l2);
  g_assert_cmpuint (l2.vgpu_index, ==, 1);
  g_assert_cmpstr (l2.argv[4], ==, "vfio-pci-nohotplug,sysfsdev=" MDEV2 ",display=off");
  /* The other one is left as it is. */
  g_assert_cmpstr (l2.argv[2], ==, "vfio-pci,sysfsdev=" MDEV1 ",id=gpu1");
  g_auto (GvtQemuLaunch) l3 = { 0 };
  prepare_ok (&two, "gpu1", "/q", &l3);
  g_assert_cmpuint (l3.vgpu_index, ==, 0);
  prepare_fails (&two, "gpu3", "--vgpu 'gpu3' names no vGPU of the QEMU command line; it has: "
                               UUID1);
  prepare_fails (&two, "nic0", "names no vGPU");

  /* display= given makes a vGPU of a device without an mdev path. */
  g_auto (GvtQemuLaunch) l4 = { 0 };
  Args disp = { { "-device", "vfio-pci,host=00:02.0,display=auto", NULL } };
  prepare_ok (&disp, NULL, "/q", &l4);
  g_assert_cmpstr (l4.argv[2], ==, "vfio-pci,host=00:02.0,display=off");
  /* ... but one without any device cannot run. */
  Args nodev = { { "-device", "vfio-pci,display=on", NULL } };
  prepare_fails (&nodev, NULL, "names no device");
}

static void
test_launch_ramfb (void)
{
  /* ramfb=on needs display=on in QEMU (hw/vfio/pci.c: "ramfb=on requires
   * display=on"): a ramfb of its own right after the vGPU instead. */
  g_auto (GvtQemuLaunch) l = { 0 };
  Args a = { { "-device", "vfio-pci-nohotplug,sysfsdev=" MDEV1 ",display=on,ramfb=on,id=hostdev0",
               "-S", NULL } };
  prepare_ok (&a, NULL, "/q", &l);
  const char *want[] = { "-device", "vfio-pci-nohotplug,sysfsdev=" MDEV1 ",display=off,id=hostdev0",
                         "-device", "ramfb,id=gvt-ramfb", "-S", "-display", "none", "-qmp",
                         "unix:path=/q,server=on,wait=off", NULL };
  assert_argv (&l, want);
  g_assert_cmpstr (l.ramfb_console, ==, "gvt-ramfb");
  g_assert_true (has_note (&l, "ramfb=on on vfio-pci-nohotplug (id hostdev0) replaced by "
                               "-device ramfb,id=gvt-ramfb"));
  g_assert_false (vfio (&l.cmdline, 0)->ramfb);

  /* A -device ramfb there already: kept and named; the vGPU's dropped. */
  g_auto (GvtQemuLaunch) l2 = { 0 };
  Args b = { { "-device", "ramfb", "-device", "vfio-pci-nohotplug,ramfb,sysfsdev=" MDEV1, NULL } };
  prepare_ok (&b, NULL, "/q", &l2);
  const char *want2[] = { "-device", "ramfb,id=gvt-ramfb", "-device",
                          "vfio-pci-nohotplug,sysfsdev=" MDEV1, "-display", "none", "-qmp",
                          "unix:path=/q,server=on,wait=off", NULL };
  assert_argv (&l2, want2);
  g_assert_cmpstr (l2.ramfb_console, ==, "gvt-ramfb");
  g_assert_true (has_note (&l2, "the command line has a -device ramfb already"));
  g_assert_true (has_note (&l2, "id=gvt-ramfb added to -device ramfb"));

  /* Its own id is kept; no ramfb on the vGPU: nothing to say about it. */
  g_auto (GvtQemuLaunch) l3 = { 0 };
  Args c = { { "-device", "ramfb,id=fb0", "-device", "vfio-pci,sysfsdev=" MDEV1, NULL } };
  prepare_ok (&c, NULL, "/q", &l3);
  g_assert_cmpstr (l3.argv[2], ==, "ramfb,id=fb0");
  g_assert_cmpstr (l3.ramfb_console, ==, "fb0");
  g_assert_false (has_note (&l3, "ramfb"));

  /* ramfb=on from a -global: ramfb=off on the device. */
  g_auto (GvtQemuLaunch) l4 = { 0 };
  Args d = { { "-global", "vfio-pci-nohotplug.ramfb=on", "-device",
               "vfio-pci-nohotplug,sysfsdev=" MDEV1, NULL } };
  prepare_ok (&d, NULL, "/q", &l4);
  g_assert_cmpstr (l4.argv[4], ==, "vfio-pci-nohotplug,sysfsdev=" MDEV1 ",ramfb=off");
  g_assert_cmpstr (l4.argv[5], ==, "-device");
  g_assert_cmpstr (l4.argv[6], ==, "ramfb,id=gvt-ramfb");
  g_assert_true (has_note (&l4, "(from a -global)"));
}

static void
test_launch_over_globals (void)
{
  /* A -global xres= would apply once the device's own xres= is gone, and
   * QEMU refuses xres without display=on: xres=0,yres=0 written instead. */
  g_auto (GvtQemuLaunch) l = { 0 };
  Args a = { { "-global", "vfio-pci.xres=1920", "-device",
               "vfio-pci,sysfsdev=" MDEV1 ",display=on,xres=800,yres=600", NULL } };
  prepare_ok (&a, NULL, "/q", &l);
  const char *want[] = { "-global", "vfio-pci.xres=1920", "-device",
                         "vfio-pci,sysfsdev=" MDEV1 ",display=off,xres=0,yres=0", "-display",
                         "none", "-qmp", "unix:path=/q,server=on,wait=off", NULL };
  assert_argv (&l, want);
  g_assert_true (has_note (&l, "xres/yres dropped"));
  g_assert_cmpint (vfio (&l.cmdline, 0)->display, ==, GVT_QEMU_DISPLAY_OFF);
  /* The rewritten line needs no rewrite of its xres again: its xres=0 are
   * the device's own, over the -global. */
  g_auto (GvtQemuLaunch) again = { 0 };
  GvtQemuLaunchOptions o = { NULL, "/q" };
  g_autoptr (GError) error = NULL;
  g_assert_true (gvt_qemu_launch_prepare ((const char *const *) l.argv, &o, &again, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (again.argv[4], ==, "vfio-pci,sysfsdev=" MDEV1 ",display=off,xres=0,yres=0");
  g_assert_false (again.qmp_added);

  /* The same for ramfb: the device's own ramfb=on goes, ramfb=off comes
   * at the end, over the -global's. */
  g_auto (GvtQemuLaunch) l2 = { 0 };
  Args b = { { "-global", "vfio-pci.ramfb=on", "-device",
               "vfio-pci,sysfsdev=" MDEV1 ",display=on,ramfb=on", NULL } };
  prepare_ok (&b, NULL, "/q", &l2);
  const char *want2[] = { "-global", "vfio-pci.ramfb=on", "-device",
                          "vfio-pci,sysfsdev=" MDEV1 ",display=off,ramfb=off", "-device",
                          "ramfb,id=gvt-ramfb", "-display", "none", "-qmp",
                          "unix:path=/q,server=on,wait=off", NULL };
  assert_argv (&l2, want2);
  g_assert_cmpint (vfio (&l2.cmdline, 0)->display, ==, GVT_QEMU_DISPLAY_OFF);
  g_assert_false (vfio (&l2.cmdline, 0)->ramfb);
  g_assert_cmpstr (l2.ramfb_console, ==, "gvt-ramfb");

  /* Both, repeated, on the subclass and in another order: one ramfb=off,
   * one xres=0, one yres=0. */
  g_auto (GvtQemuLaunch) l3 = { 0 };
  Args c = { { "-global", "vfio-pci-nohotplug.ramfb=on", "-global", "vfio-pci.yres=1080",
               "-device",
               "vfio-pci-nohotplug,ramfb=on,yres=600,sysfsdev=" MDEV1 ",ramfb,display=auto,"
               "yres=700,xres=800",
               NULL } };
  prepare_ok (&c, NULL, "/q", &l3);
  g_assert_cmpstr (l3.argv[6], ==, "vfio-pci-nohotplug,sysfsdev=" MDEV1 ",display=off,xres=0,"
                                   "yres=0,ramfb=off");
  g_assert_cmpint (vfio (&l3.cmdline, 0)->display, ==, GVT_QEMU_DISPLAY_OFF);
  g_assert_false (vfio (&l3.cmdline, 0)->ramfb);

  /* JSON: the members set again after their removal. */
  g_auto (GvtQemuLaunch) l4 = { 0 };
  Args d = { { "-global", "vfio-pci.xres=1920", "-global", "vfio-pci.ramfb=on", "-device",
               "{\"driver\":\"vfio-pci\",\"sysfsdev\":\"" MDEV1 "\",\"display\":\"on\","
               "\"xres\":800,\"ramfb\":true}",
               NULL } };
  prepare_ok (&d, NULL, "/q", &l4);
  g_assert_cmpstr (l4.argv[6], ==,
                   "{\"driver\":\"vfio-pci\",\"sysfsdev\":\"" MDEV1 "\",\"display\":\"off\","
                   "\"xres\":0,\"yres\":0,\"ramfb\":false}");
  g_assert_false (vfio (&l4.cmdline, 0)->ramfb);
}

static void
test_launch_json (void)
{
  g_auto (GvtQemuLaunch) l = { 0 };
  Args a = { { "-device",
               "{\"driver\":\"vfio-pci-nohotplug\",\"sysfsdev\":\"" MDEV1 "\",\"display\":\"on\","
               "\"ramfb\":true,\"id\":\"hostdev0\",\"xres\":1920}",
               "-device", "{'driver':'ramfb'}", NULL } };
  prepare_ok (&a, NULL, "/q", &l);
  /* JSON stays JSON, the members in their order. */
  g_assert_cmpstr (l.argv[2], ==,
                   "{\"driver\":\"vfio-pci-nohotplug\",\"sysfsdev\":\"" MDEV1 "\","
                   "\"display\":\"off\",\"id\":\"hostdev0\"}");
  g_assert_cmpstr (l.argv[4], ==, "{\"driver\":\"ramfb\",\"id\":\"gvt-ramfb\"}");
  g_assert_cmpstr (l.ramfb_console, ==, "gvt-ramfb");
  g_assert_true (vfio (&l.cmdline, 0)->json);
  g_assert_cmpint (vfio (&l.cmdline, 0)->display, ==, GVT_QEMU_DISPLAY_OFF);
  g_assert_false (vfio (&l.cmdline, 0)->ramfb);

  /* A -global's display=on: "display":"off" added. */
  g_auto (GvtQemuLaunch) l2 = { 0 };
  Args b = { { "-global", "driver=vfio-pci,property=display,value=on", "-device",
               "{\"driver\":\"vfio-pci\",\"sysfsdev\":\"" MDEV1 "\"}", NULL } };
  prepare_ok (&b, NULL, "/q", &l2);
  g_assert_cmpstr (l2.argv[4], ==,
                   "{\"driver\":\"vfio-pci\",\"sysfsdev\":\"" MDEV1 "\",\"display\":\"off\"}");
}

static void
test_launch_keeps_others (void)
{
  /* A libvirt-like line: nothing but the vGPU's value changes, nothing
   * moves; the additions come after everything. */
  Args a = { { "-name", "guest=win10,debug-threads=on", "-S", "-object",
               "{\"qom-type\":\"memory-backend-ram\",\"id\":\"pc.ram\",\"size\":4294967296}",
               "-machine", "pc-q35-7.2,usb=off,memory-backend=pc.ram", "-m", "4096",
               "-device", "{\"driver\":\"vfio-pci\",\"id\":\"hostdev0\",\"sysfsdev\":\"" MDEV1
               "\",\"display\":\"on\",\"bus\":\"pci.0\",\"addr\":\"0x2\"}",
               "-device", "{\"driver\":\"ramfb\",\"id\":\"video0\"}",
               "-msg", "timestamp=on", "-vnc", "127.0.0.1:0", NULL } };
  g_auto (GvtQemuLaunch) l = { 0 };
  prepare_ok (&a, NULL, "/q", &l);
  const char **in = make_argv (&a);
  guint n = g_strv_length ((char **) in);
  for (guint i = 0; i < n; i++)
    if (i != 11)
      g_assert_cmpstr (l.argv[i], ==, in[i]);
  g_assert_cmpstr (l.argv[11], ==,
                   "{\"driver\":\"vfio-pci\",\"id\":\"hostdev0\",\"sysfsdev\":\"" MDEV1
                   "\",\"display\":\"off\",\"bus\":\"pci.0\",\"addr\":\"0x2\"}");
  /* -vnc is a UI: no -display none; only the QMP socket is added. */
  g_assert_cmpstr (l.argv[n], ==, "-qmp");
  g_assert_cmpstr (l.argv[n + 1], ==, "unix:path=/q,server=on,wait=off");
  g_assert_null (l.argv[n + 2]);
  g_assert_cmpstr (l.ramfb_console, ==, "video0");
  g_assert_cmpstr (l.cmdline.name, ==, "win10");
}

/* ------------------------------------------------------------------ */
/* Real QEMU */

/* What `run` gives QEMU, without the vfio device (there is no vGPU here):
 * QEMU must take the rest — -display none, the QMP socket, the ramfb that
 * replaced ramfb=on — and the parse must agree with what QEMU reports. */
static void
test_qemu_takes_rewrite (void)
{
  g_autofree char *qemu = gvt_test_require_program ("qemu-system-x86_64", "qemu-system-x86");
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gvt-test-cmdline-XXXXXX", &error);
  g_assert_no_error (error);
  /* A comma and an = in the path: doubled, and not taken for a key. */
  g_autofree char *sock = g_build_filename (dir, "q,m=p.sock", NULL);
  g_autofree char *ppm = g_build_filename (dir, "boot.ppm", NULL);
  g_autofree char *name = g_strdup_printf ("gvt-test-%d", (int) getpid ());
  const char *argv[] = {
    qemu, "-accel", "tcg", "-m", "size=256M", "-nic", "none", "-vga", "none", "-name", name,
    "-device", "vfio-pci-nohotplug,sysfsdev=" MDEV1 ",display=on,ramfb=on,id=hostdev0", "-S",
    NULL,
  };
  g_auto (GvtQemuLaunch) l = { 0 };
  GvtQemuLaunchOptions o = { NULL, sock };
  g_assert_true (gvt_qemu_launch_prepare (argv, &o, &l, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (l.cmdline.qmp_socket, ==, sock);

  /* The rewritten line without the vfio -device and its value. */
  guint vf = vfio (&l.cmdline, l.vgpu_index)->arg_index;
  g_autoptr (GPtrArray) run = g_ptr_array_new ();
  for (guint i = 0; l.argv[i] != NULL; i++)
    if (i != vf - 1 && i != vf)
      g_ptr_array_add (run, l.argv[i]);
  g_ptr_array_add (run, NULL);
  g_autofree char *shown = g_strjoinv (" ", (char **) run->pdata);
  g_test_message ("running %s", shown);

  GPid pid = gvt_test_spawn_qemu ((const char *const *) run->pdata, NULL);
  g_assert_true (gvt_test_wait_listening (l.cmdline.qmp_socket, pid));
  g_autoptr (GvtTestQmp) q = gvt_test_qmp_connect (l.cmdline.qmp_socket);

  g_autoptr (JsonNode) disp = gvt_test_qmp_run (q, "{\"execute\":\"query-display-options\"}");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (disp), "type"), ==,
                   "none");
  g_autoptr (JsonNode) qname = gvt_test_qmp_run (q, "{\"execute\":\"query-name\"}");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (qname), "name"), ==,
                   l.cmdline.name);
  g_autoptr (JsonNode) mem = gvt_test_qmp_run (q, "{\"execute\":\"query-memory-size-summary\"}");
  g_assert_cmpuint ((guint64) json_object_get_int_member (json_node_get_object (mem),
                                                          "base-memory"), ==,
                    l.cmdline.ram_bytes);
  g_assert_cmpuint (l.cmdline.ram_bytes, ==, 256 * MIB);
  /* The console `run` shows before the guest driver: the added ramfb. */
  gvt_test_qmp_screendump (q, ppm, l.ramfb_console);
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (ppm, &data, &len, &error));
  GvtPpmInfo info;
  g_assert_true (gvt_ppm_parse_header ((const guint8 *) data, len, len, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.width, ==, 640);
  g_assert_cmpuint (info.height, ==, 480);

  json_node_unref (gvt_test_qmp_run (q, "{\"execute\":\"quit\"}"));
  int status = 0;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_spawn_close_pid (pid);
  g_unlink (ppm);
  g_rmdir (dir);
}

/* QEMU's stderr for @argv, which must fail at once. */
static char *
qemu_fails (const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  char *err = NULL;
  int status = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_test_message ("QEMU said: %s", err);
  return err;
}

/* With the vfio device in: QEMU takes every property of the rewritten
 * -device (opts and JSON) and gets as far as opening the (absent) mdev;
 * the line as the user wrote it fails on a property before that. */
static void
test_qemu_takes_vfio_rewrite (void)
{
  g_autofree char *qemu = gvt_test_require_program ("qemu-system-x86_64", "qemu-system-x86");
  static const struct {
    const char *global; /* a -global before the device, or NULL */
    const char *device;
  } cases[] = {
    /* vfio-pci has no ramfb in 7.2 (only -nohotplug has), and xres needs display=on */
    { NULL, "vfio-pci,sysfsdev=" MDEV1 ",display=on,ramfb=on,xres=1920,yres=1080,id=hostdev0" },
    { NULL, "{\"driver\":\"vfio-pci-nohotplug\",\"sysfsdev\":\"" MDEV1 "\",\"display\":\"auto\","
            "\"ramfb\":true,\"id\":\"hostdev0\"}" },
    /* The xres=0,yres=0 written over a -global's (QEMU checks xres against
     * display only once it has the device, so this shows it takes them). */
    { "vfio-pci.xres=1920", "vfio-pci,sysfsdev=" MDEV1 ",display=on,xres=800,yres=600" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *argv[16] = { qemu, "-accel", "tcg", "-machine", "q35", "-nodefaults",
                               "-display", "none", NULL };
      guint n = 8;
      if (cases[i].global != NULL)
        {
          argv[n++] = "-global";
          argv[n++] = cases[i].global;
        }
      argv[n++] = "-device";
      argv[n++] = cases[i].device;
      argv[n++] = "-S";
      g_autoptr (GError) error = NULL;
      g_auto (GvtQemuLaunch) l = { 0 };
      GvtQemuLaunchOptions o = { NULL, "/nonexistent/dir/q.sock" };
      g_assert_true (gvt_qemu_launch_prepare (argv, &o, &l, &error));
      g_assert_no_error (error);
      if (cases[i].global != NULL)
        g_assert_cmpstr (l.argv[n - 2], ==,
                         "vfio-pci,sysfsdev=" MDEV1 ",display=off,xres=0,yres=0");
      /* Our QMP socket can't be made there; drop it so that QEMU's first
       * complaint is about the device. */
      n = g_strv_length (l.argv);
      g_assert_cmpstr (l.argv[n - 2], ==, "-qmp");
      g_free (l.argv[n - 2]);
      g_free (l.argv[n - 1]);
      l.argv[n - 2] = NULL;
      l.argv[n - 1] = NULL;

      g_autofree char *after = qemu_fails ((const char *const *) l.argv);
      g_assert_nonnull (strstr (after, "vfio " MDEV1 ": no such host device"));
      g_autofree char *before = qemu_fails (argv);
      if (i == 0)
        g_assert_nonnull (strstr (before, "Property 'vfio-pci.ramfb' not found"));
      else
        g_assert_nonnull (strstr (before, "no such host device"));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/qemu/cmdline/vfio/sysfsdev", test_vfio_sysfsdev);
  g_test_add_func ("/qemu/cmdline/vfio/host", test_vfio_host);
  g_test_add_func ("/qemu/cmdline/vfio/nohotplug-ramfb-display", test_vfio_nohotplug_ramfb);
  g_test_add_func ("/qemu/cmdline/vfio/option-spellings", test_vfio_option_spellings);
  g_test_add_func ("/qemu/cmdline/vfio/escapes-and-values", test_vfio_escapes);
  g_test_add_func ("/qemu/cmdline/vfio/json", test_vfio_json);
  g_test_add_func ("/qemu/cmdline/vfio/globals", test_vfio_globals);
  g_test_add_func ("/qemu/cmdline/name", test_name);
  g_test_add_func ("/qemu/cmdline/ram", test_ram);
  g_test_add_func ("/qemu/cmdline/qmp", test_qmp);
  g_test_add_func ("/qemu/cmdline/display", test_display);
  g_test_add_func ("/qemu/cmdline/uses-terminal", test_uses_terminal);
  g_test_add_func ("/qemu/cmdline/ramfb-device", test_ramfb_device);
  g_test_add_func ("/qemu/cmdline/hostile", test_hostile);
  g_test_add_func ("/qemu/launch/typical", test_launch_typical);
  g_test_add_func ("/qemu/launch/display-modes", test_launch_display_modes);
  g_test_add_func ("/qemu/launch/qmp", test_launch_qmp);
  g_test_add_func ("/qemu/launch/choose-vgpu", test_launch_choose);
  g_test_add_func ("/qemu/launch/ramfb", test_launch_ramfb);
  g_test_add_func ("/qemu/launch/over-globals", test_launch_over_globals);
  g_test_add_func ("/qemu/launch/json", test_launch_json);
  g_test_add_func ("/qemu/launch/keeps-others", test_launch_keeps_others);
  g_test_add_func ("/qemu/launch/qemu-takes-rewrite", test_qemu_takes_rewrite);
  g_test_add_func ("/qemu/launch/qemu-takes-vfio-rewrite", test_qemu_takes_vfio_rewrite);
  return g_test_run ();
}
