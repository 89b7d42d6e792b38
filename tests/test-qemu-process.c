/* Finding QEMUs: fake /proc trees and libvirt run directories for every
 * answer (found, not a QEMU, gone, ambiguous, stale, denied), the memlock
 * and capability readers and the advice; then a real QEMU found by pid and
 * by -name in the real /proc, with its real limits. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

#include "common/gvt-error.h"
#include "qemu/qemu-process.h"
#include "testutil.h"

#define MIB (G_GUINT64_CONSTANT (1) << 20)
#define GIB (G_GUINT64_CONSTANT (1) << 30)

typedef struct {
  char *dir;  /* the temp dir */
  char *proc; /* dir/proc */
  char *run;  /* dir/run (a libvirt run dir) */
} Fake;

static void
write_file (const char *path, const char *data, gsize len, int mode)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *parent = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, data, (gssize) len, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

#define LIMITS_8M                                                                          \
  "Limit                     Soft Limit           Hard Limit           Units     \n"       \
  "Max cpu time              unlimited            unlimited            seconds   \n"       \
  "Max locked memory         8388608              8388608              bytes     \n"       \
  "Max address space         unlimited            unlimited            bytes     \n"

/* A process in the fake tree: @cmdline with NULs (@len bytes). */
static void
fake_process (Fake *f, int pid, const char *cmdline, gsize len, const char *comm)
{
  g_autofree char *c = g_strdup_printf ("%s/%d/cmdline", f->proc, pid);
  write_file (c, cmdline, len, 0644);
  g_autofree char *l = g_strdup_printf ("%s/%d/limits", f->proc, pid);
  write_file (l, LIMITS_8M, strlen (LIMITS_8M), 0644);
  g_autofree char *s = g_strdup_printf ("%s/%d/status", f->proc, pid);
  const char *status = "Name:\tx\nCapInh:\t0000000000000000\nCapEff:\t0000000000000000\n";
  write_file (s, status, strlen (status), 0644);
  g_autofree char *cm = g_strdup_printf ("%s/%d/comm", f->proc, pid);
  write_file (cm, comm, strlen (comm), 0644);
}

#define CMD(s) s, sizeof (s) - 1

static void
fake_pidfile (Fake *f, const char *name, const char *content)
{
  g_autofree char *p = g_strdup_printf ("%s/%s.pid", f->run, name);
  write_file (p, content, strlen (content), 0644);
}

static void
fake_setup (Fake *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  f->dir = g_dir_make_tmp ("gvt-test-process-XXXXXX", &error);
  g_assert_no_error (error);
  /* Readable by the unprivileged user of the permission test. */
  g_assert_cmpint (g_chmod (f->dir, 0755), ==, 0);
  f->proc = g_build_filename (f->dir, "proc", NULL);
  f->run = g_build_filename (f->dir, "run", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->proc, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (f->run, 0755), ==, 0);

  fake_process (f, 1, CMD ("/sbin/init\0splash\0"), "systemd");
  fake_process (f, 2, CMD (""), "kthreadd\n");
  fake_process (f, 100, CMD ("/usr/bin/qemu-system-x86_64\0-name\0guest=vm1,debug-threads=on\0"
                             "-m\0002G\0"), "qemu-system-x86");
  fake_process (f, 101, CMD ("qemu-system-aarch64\0-M\0virt\0"), "qemu-system-aar");
  fake_process (f, 102, CMD ("/usr/libexec/qemu-kvm\0-name\0vm2\0"), "qemu-kvm");
  fake_process (f, 200, CMD ("/bin/bash\0-l\0"), "bash");
  /* Not QEMUs, whatever their arguments say. */
  fake_process (f, 201, CMD ("/usr/bin/python3\0-name\0vm3\0"), "python3");
  fake_process (f, 202, CMD ("/usr/bin/qemu-img\0info\0-name\0vm3\0"), "qemu-img");
  /* Two QEMUs of one name. */
  fake_process (f, 300, CMD ("qemu-system-x86_64\0-name\0twin\0"), "qemu-system-x86");
  fake_process (f, 301, CMD ("qemu-system-x86_64\0--name\0guest=twin\0"), "qemu-system-x86");
  /* A QEMU whose command line does not parse still counts (without a name). */
  fake_process (f, 302, CMD ("qemu-system-x86_64\0-device\0"), "qemu-system-x86");
  /* A cmdline without its last NUL (a process that rewrote it). */
  fake_process (f, 303, CMD ("qemu-system-x86_64\0-name\0trunc"), "qemu-system-x86");
  /* libvirt's QEMU under another -name than its domain's */
  fake_process (f, 500, CMD ("/usr/bin/qemu-system-x86_64\0-name\0guest=other,debug-threads=on\0"),
                "qemu-system-x86");
  /* Entries that are not processes. */
  g_autofree char *self = g_build_filename (f->proc, "self", "cmdline", NULL);
  write_file (self, CMD ("x\0"), 0644);
  g_autofree char *meminfo = g_build_filename (f->proc, "meminfo", NULL);
  write_file (meminfo, CMD ("MemTotal: 1 kB\n"), 0644);

  fake_pidfile (f, "dom1", "500\n");
  fake_pidfile (f, "stale", "777");
  fake_pidfile (f, "reused", "200\n");
  fake_pidfile (f, "garbage", "abc\n");
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fake_teardown (Fake *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->proc);
  g_free (f->run);
}

static void
find_ok (Fake *f, const char *what, int pid, const char *found_by, GvtQemuProcess *p)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = gvt_qemu_process_find (what, f->proc, f->run, p, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpint (p->pid, ==, pid);
  g_assert_cmpstr (p->found_by, ==, found_by);
  g_assert_nonnull (p->argv);
}

static void
find_fails (Fake *f, const char *what, int code, const char *part)
{
  g_autoptr (GError) error = NULL;
  g_auto (GvtQemuProcess) p = { 0 };
  g_assert_false (gvt_qemu_process_find (what, f->proc, f->run, &p, &error));
  g_assert_error (error, GVT_ERROR, code);
  g_test_message ("%s: %s", what ? what : "(null)", error->message);
  if (part != NULL && strstr (error->message, part) == NULL)
    g_error ("message '%s' lacks '%s'", error->message, part);
  g_assert_null (p.argv);
  g_assert_cmpint (p.pid, ==, 0);
}

static void
test_by_pid (Fake *f, gconstpointer data)
{
  g_auto (GvtQemuProcess) p = { 0 };
  find_ok (f, "100", 100, "pid", &p);
  g_assert_cmpuint (g_strv_length (p.argv), ==, 5);
  g_assert_cmpstr (p.argv[0], ==, "/usr/bin/qemu-system-x86_64");
  g_assert_cmpstr (p.argv[2], ==, "guest=vm1,debug-threads=on");
  g_assert_cmpstr (p.argv[4], ==, "2G");
  gvt_qemu_process_clear (&p);
  find_ok (f, "0102", 102, "pid", &p);
  gvt_qemu_process_clear (&p);
  find_ok (f, "303", 303, "pid", &p);
  g_assert_cmpstr (p.argv[2], ==, "trunc");
}

static void
test_pid_not_qemu (Fake *f, gconstpointer data)
{
  find_fails (f, "200", GVT_ERROR_NO_DEVICE, "pid 200 is not a QEMU: it runs '/bin/bash -l'");
  find_fails (f, "2", GVT_ERROR_NO_DEVICE,
              "pid 2 is not a QEMU: it has no command line ('kthreadd': a kernel thread or a "
              "zombie)");
  find_fails (f, "202", GVT_ERROR_NO_DEVICE, "it runs '/usr/bin/qemu-img info -name vm3'");
  find_fails (f, "999", GVT_ERROR_NO_DEVICE, "no process has pid 999");
  find_fails (f, "4194304", GVT_ERROR_NO_DEVICE, "no process has pid 4194304");
}

static void
test_bad_words (Fake *f, gconstpointer data)
{
  static const char *const bad[] = {
    "", "0", "000", "4194305", "99999999999999999999999", "a/b", "/run/x", ".", "..", "x\ty",
    "\x1b[2J",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    find_fails (f, bad[i], GVT_ERROR_INVALID_ARGS, NULL);
  find_fails (f, NULL, GVT_ERROR_INVALID_ARGS, "no VM given");
  find_fails (f, "0", GVT_ERROR_INVALID_ARGS, "is not a pid (1 to 4194304)");
  find_fails (f, "a/b", GVT_ERROR_INVALID_ARGS, "neither a pid nor a VM name");
}

static void
test_by_name (Fake *f, gconstpointer data)
{
  g_auto (GvtQemuProcess) p = { 0 };
  /* libvirt's -name guest=NAME,debug-threads=on */
  find_ok (f, "vm1", 100, "-name", &p);
  g_assert_cmpstr (p.argv[0], ==, "/usr/bin/qemu-system-x86_64");
  gvt_qemu_process_clear (&p);
  find_ok (f, "vm2", 102, "-name", &p);
  gvt_qemu_process_clear (&p);
  find_ok (f, "trunc", 303, "-name", &p);
  gvt_qemu_process_clear (&p);
  /* A name can look like an option or have spaces; it is still a name. */
  find_fails (f, "-5", GVT_ERROR_NO_DEVICE, "no QEMU is named '-5'");
  /* vm3 is only in the arguments of programs that are not QEMU. */
  find_fails (f, "vm3", GVT_ERROR_NO_DEVICE, "no QEMU is named 'vm3'");
  find_fails (f, "twin", GVT_ERROR_INVALID_ARGS,
              "2 QEMUs are named 'twin' (pids 300, 301): give the pid instead");
}

static void
test_name_unknown (Fake *f, gconstpointer data)
{
  find_fails (f, "nosuchvm", GVT_ERROR_NO_DEVICE,
              "no QEMU is named 'nosuchvm'; running QEMUs: 100 ('vm1'), 101 (no -name), "
              "102 ('vm2'), 300 ('twin'), 301 ('twin'), 302 (no -name), 303 ('trunc'), "
              "500 ('other'); libvirt domains with pid files in ");
  find_fails (f, "nosuchvm", GVT_ERROR_NO_DEVICE,
              "/run: dom1 (pid 500), garbage (pid file unreadable), reused (pid 200), stale "
              "(pid 777)");

  /* Nothing running, no run dir. */
  g_autofree char *empty = g_build_filename (f->dir, "empty", NULL);
  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
  g_autofree char *norun = g_build_filename (f->dir, "norun", NULL);
  g_autoptr (GError) error = NULL;
  g_auto (GvtQemuProcess) p = { 0 };
  g_assert_false (gvt_qemu_process_find ("vm", empty, norun, &p, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_autofree char *want = g_strdup_printf ("no QEMU is named 'vm'; no QEMU is running; no "
                                           "libvirt domain has a pid file in %s", norun);
  g_assert_cmpstr (error->message, ==, want);
}

static void
test_libvirt (Fake *f, gconstpointer data)
{
  g_auto (GvtQemuProcess) p = { 0 };
  find_ok (f, "dom1", 500, "libvirt pid file", &p);
  g_assert_cmpstr (p.argv[2], ==, "guest=other,debug-threads=on");
  /* "other" is the -name of that same QEMU, and no domain's. */
  gvt_qemu_process_clear (&p);
  find_ok (f, "other", 500, "-name", &p);

  find_fails (f, "stale", GVT_ERROR_NO_DEVICE,
              "stale.pid names pid 777, which is not running: the pid file is stale (the domain "
              "is not running; `virsh start stale`)");
  find_fails (f, "reused", GVT_ERROR_NO_DEVICE,
              "reused.pid names pid 200, which is no QEMU: it runs '/bin/bash -l'; the pid file "
              "is stale");
  find_fails (f, "garbage", GVT_ERROR_NO_DEVICE, "garbage.pid holds 'abc', not a pid");
  /* A process calling itself what a domain is called: the domain's pid
   * file is believed. */
  fake_process (f, 501, CMD ("qemu-system-x86_64\0-name\0dom1\0"), "qemu-system-x86");
  gvt_qemu_process_clear (&p);
  find_ok (f, "dom1", 500, "libvirt pid file", &p);
  /* A stale pid file gives way to a running QEMU of that -name. */
  fake_process (f, 502, CMD ("qemu-system-x86_64\0-name\0renamed\0"), "qemu-system-x86");
  fake_pidfile (f, "renamed", "778\n");
  gvt_qemu_process_clear (&p);
  find_ok (f, "renamed", 502, "-name", &p);

  /* The default run dir is libvirt's. */
  g_assert_cmpstr (GVT_LIBVIRT_RUN_DIR, ==, "/run/libvirt/qemu");
}

/* Runs @check as an unprivileged user (nobody when we are root), so that
 * mode 000 means something; it returns 0 or the number of the failed
 * step. */
static void
run_unprivileged (Fake *f, int (*check) (Fake *f))
{
  pid_t child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      if (geteuid () == 0 && (setgid (65534) != 0 || setuid (65534) != 0))
        _exit (100);
      _exit (check (f));
    }
  int status = 0;
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (WIFEXITED (status));
  if (WEXITSTATUS (status) != 0)
    g_error ("unprivileged check failed at step %d", WEXITSTATUS (status));
}

static int
expect_code (GError **error, int code, const char *part)
{
  GError *e = *error;
  int ok = e != NULL && e->domain == GVT_ERROR && e->code == code
           && (part == NULL || strstr (e->message, part) != NULL);
  if (!ok)
    g_printerr ("# unexpected: %s\n", e ? e->message : "(success)");
  g_clear_error (error);
  return ok;
}

static int
check_denied (Fake *f)
{
  GError *error = NULL;
  GvtQemuProcess p = { 0 };
  guint64 soft, hard;
  gboolean has;

  gvt_qemu_process_find ("600", f->proc, f->run, &p, &error);
  if (!expect_code (&error, GVT_ERROR_PERMISSION, "cannot read what pid 600 runs"))
    return 1;
  gvt_qemu_process_find ("nosuchvm", f->proc, f->run, &p, &error);
  if (!expect_code (&error, GVT_ERROR_NO_DEVICE, "1 processes could not be read (run as root"))
    return 2;
  gvt_qemu_process_memlock (600, f->proc, &soft, &hard, &error);
  if (!expect_code (&error, GVT_ERROR_PERMISSION, "limits"))
    return 3;
  gvt_qemu_process_has_ipc_lock (600, f->proc, &has, &error);
  if (!expect_code (&error, GVT_ERROR_PERMISSION, "status"))
    return 4;
  gvt_qemu_process_find ("secret", f->proc, f->run, &p, &error);
  if (!expect_code (&error, GVT_ERROR_PERMISSION, "cannot read libvirt's pid file"))
    return 5;
  /* What is readable still is. */
  if (!gvt_qemu_process_find ("vm1", f->proc, f->run, &p, &error) || p.pid != 100)
    return 6;
  gvt_qemu_process_clear (&p);
  return 0;
}

static void
test_permission (Fake *f, gconstpointer data)
{
  fake_process (f, 600, CMD ("qemu-system-x86_64\0-name\0hidden\0"), "qemu-system-x86");
  g_autofree char *c = g_strdup_printf ("%s/600/cmdline", f->proc);
  g_autofree char *l = g_strdup_printf ("%s/600/limits", f->proc);
  g_autofree char *s = g_strdup_printf ("%s/600/status", f->proc);
  g_assert_cmpint (g_chmod (c, 0), ==, 0);
  g_assert_cmpint (g_chmod (l, 0), ==, 0);
  g_assert_cmpint (g_chmod (s, 0), ==, 0);
  fake_pidfile (f, "secret", "600\n");
  g_autofree char *pf = g_strdup_printf ("%s/secret.pid", f->run);
  g_assert_cmpint (g_chmod (pf, 0), ==, 0);
  run_unprivileged (f, check_denied);
}

static void
test_memlock (Fake *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint64 soft = 0, hard = 0;

  g_assert_true (gvt_qemu_process_memlock (100, f->proc, &soft, &hard, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (soft, ==, 8 * MIB);
  g_assert_cmpuint (hard, ==, 8 * MIB);

  static const struct {
    const char *line;
    guint64 soft, hard;
  } good[] = {
    { "Max locked memory         unlimited            unlimited            bytes     \n",
      G_MAXUINT64, G_MAXUINT64 },
    { "Max locked memory         65536                unlimited            bytes     \n", 65536,
      G_MAXUINT64 },
    { "Max locked memory 0 18446744073709551614 bytes", 0,
      G_GUINT64_CONSTANT (18446744073709551614) },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/700/limits", f->proc);
      write_file (path, good[i].line, strlen (good[i].line), 0644);
      g_assert_true (gvt_qemu_process_memlock (700, f->proc, &soft, &hard, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (soft, ==, good[i].soft);
      g_assert_cmpuint (hard, ==, good[i].hard);
    }
  static const char *const bad[] = {
    "Max locked memory         lots                 unlimited            bytes\n",
    "Max locked memory         8388608\n",
    "Max locked memory         -1                   -1                   bytes\n",
    "Max locked memory         8388608              8388608              pages\n",
    "Max locked memory         99999999999999999999 1                    bytes\n",
    "Max open files            1024                 4096                 files\n",
    "",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/701/limits", f->proc);
      write_file (path, bad[i], strlen (bad[i]), 0644);
      soft = hard = 7;
      g_assert_false (gvt_qemu_process_memlock (701, f->proc, &soft, &hard, &error));
      g_assert_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL);
      g_test_message ("%s", error->message);
      g_clear_error (&error);
      g_assert_cmpuint (soft, ==, 7);
    }
  g_assert_false (gvt_qemu_process_memlock (999, f->proc, &soft, &hard, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_clear_error (&error);
  g_assert_false (gvt_qemu_process_memlock (0, f->proc, &soft, &hard, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
}

static void
test_ipc_lock (Fake *f, gconstpointer data)
{
  static const struct {
    const char *caps;
    gboolean has;
  } cases[] = {
    { "000001ffffffffff", TRUE },  /* root */
    { "0000000000000000", FALSE },
    { "0000000000004000", TRUE },  /* CAP_IPC_LOCK alone */
    { "0000000000003fff", FALSE },
    { "00000000a80425fb", FALSE }, /* a container's default set */
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/800/status", f->proc);
      g_autofree char *status = g_strdup_printf ("Name:\tqemu\nCapPrm:\t%s\nCapEff:\t%s\n",
                                                 cases[i].caps, cases[i].caps);
      write_file (path, status, strlen (status), 0644);
      g_autoptr (GError) error = NULL;
      gboolean has = !cases[i].has;
      g_assert_true (gvt_qemu_process_has_ipc_lock (800, f->proc, &has, &error));
      g_assert_no_error (error);
      g_assert_cmpint (has, ==, cases[i].has);
    }
  g_autofree char *path = g_strdup_printf ("%s/801/status", f->proc);
  write_file (path, CMD ("Name:\tx\nCapEff:\tzz\n"), 0644);
  g_autoptr (GError) error = NULL;
  gboolean has;
  g_assert_false (gvt_qemu_process_has_ipc_lock (801, f->proc, &has, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL);
}

static void
test_advice (void)
{
  /* The rule: guest RAM + 1 GiB. */
  g_assert_cmpuint (gvt_qemu_memlock_required (4 * GIB), ==, 5 * GIB);
  g_assert_cmpuint (gvt_qemu_memlock_required (G_MAXUINT64 - 5), ==, G_MAXUINT64);
  g_assert_null (gvt_qemu_memlock_advice (G_MAXUINT64, 64 * GIB));
  g_assert_null (gvt_qemu_memlock_advice (5 * GIB, 4 * GIB));
  g_assert_null (gvt_qemu_memlock_advice (6 * GIB, 4 * GIB));
  g_assert_null (gvt_qemu_memlock_advice (G_MAXUINT64, G_MAXUINT64));

  g_autofree char *msg = gvt_qemu_memlock_advice (8 * MIB, 4 * GIB);
  g_assert_nonnull (msg);
  g_test_message ("%s", msg);
  static const char *const parts[] = {
    "QEMU may lock 8 MiB of memory (RLIMIT_MEMLOCK), but a VM with 4 GiB of RAM and a "
    "vGPU needs 5 GiB",
    "`ulimit -l 5242880`",
    "`USER - memlock 5242880` in /etc/security/limits.d/gvt-view.conf",
    "<memtune><hard_limit unit='KiB'>5242880</hard_limit></memtune>",
    "LimitMEMLOCK=5368709120",
    "`prlimit --pid PID --memlock=5368709120:5368709120`",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (parts); i++)
    if (strstr (msg, parts[i]) == NULL)
      g_error ("advice lacks '%s'", parts[i]);
  /* One byte short is short; sizes that are no whole KiB round up. */
  g_autofree char *edge = gvt_qemu_memlock_advice (5 * GIB - 1, 4 * GIB);
  g_assert_nonnull (edge);
  g_autofree char *odd = gvt_qemu_memlock_advice (0, 1);
  g_assert_nonnull (strstr (odd, "at least 1048577 KiB"));
  g_assert_nonnull (strstr (odd, "QEMU may lock 0 bytes of memory (RLIMIT_MEMLOCK), but a VM "
                                 "with 1 bytes of RAM and a vGPU needs 1.0 GiB"));
  g_autofree char *frac = gvt_qemu_memlock_advice (64 * 1024, 1536 * MIB);
  g_assert_nonnull (strstr (frac, "QEMU may lock 64 KiB of memory (RLIMIT_MEMLOCK), but a VM "
                                  "with 1.5 GiB of RAM and a vGPU needs 2.5 GiB"));
}

/* ------------------------------------------------------------------ */
/* Real QEMU, real /proc */

/* CAP_IPC_LOCK in @pid's effective set, asked from the kernel. */
static gboolean
kernel_says_ipc_lock (int pid)
{
  struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, pid };
  struct __user_cap_data_struct d[2] = { { 0 } };
  g_assert_cmpint (syscall (SYS_capget, &h, d), ==, 0);
  return (d[0].effective >> CAP_IPC_LOCK) & 1;
}

static void
test_real_qemu (void)
{
  g_autofree char *qemu = gvt_test_require_program ("qemu-system-x86_64", "qemu-system-x86");
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gvt-test-process-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *sock = g_build_filename (dir, "qmp.sock", NULL);
  g_autofree char *qmp = g_strdup_printf ("unix:%s,server=on,wait=off", sock);
  g_autofree char *name = g_strdup_printf ("gvt-test-%d", (int) getpid ());
  const char *argv[] = { qemu, "-S", "-name", name, "-accel", "tcg", "-m", "64", "-nic", "none",
                         "-display", "none", "-vga", "none", "-qmp", qmp, NULL };
  GPid pid = gvt_test_spawn_qemu (argv, NULL);
  /* Listening: it has exec'd, so /proc shows QEMU's argv. */
  g_assert_true (gvt_test_wait_listening (sock, pid));

  g_auto (GvtQemuProcess) p = { 0 };
  g_autofree char *pid_text = g_strdup_printf ("%d", (int) pid);
  g_assert_true (gvt_qemu_process_find (pid_text, NULL, NULL, &p, &error));
  g_assert_no_error (error);
  g_assert_cmpint (p.pid, ==, pid);
  g_assert_cmpstr (p.found_by, ==, "pid");
  g_assert_cmpstr (p.argv[0], ==, qemu);
  g_assert_cmpuint (g_strv_length (p.argv), ==, G_N_ELEMENTS (argv) - 1);
  for (gsize i = 0; argv[i] != NULL; i++)
    g_assert_cmpstr (p.argv[i], ==, argv[i]);
  gvt_qemu_process_clear (&p);

  g_assert_true (gvt_qemu_process_find (name, NULL, NULL, &p, &error));
  g_assert_no_error (error);
  g_assert_cmpint (p.pid, ==, pid);
  g_assert_cmpstr (p.found_by, ==, "-name");
  gvt_qemu_process_clear (&p);

  /* An unknown name lists it among the running QEMUs. */
  g_autofree char *missing = g_strdup_printf ("%s-missing", name);
  g_assert_false (gvt_qemu_process_find (missing, NULL, dir, &p, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_autofree char *listed = g_strdup_printf ("%d ('%s')", (int) pid, name);
  g_assert_nonnull (strstr (error->message, listed));
  g_clear_error (&error);

  /* A libvirt-style pid file in a run dir of ours. */
  g_autofree char *pidfile = g_build_filename (dir, "dom.pid", NULL);
  g_autofree char *pid_line = g_strdup_printf ("%d\n", (int) pid);
  g_assert_true (g_file_set_contents (pidfile, pid_line, -1, &error));
  g_assert_true (gvt_qemu_process_find ("dom", NULL, dir, &p, &error));
  g_assert_no_error (error);
  g_assert_cmpint (p.pid, ==, pid);
  g_assert_cmpstr (p.found_by, ==, "libvirt pid file");
  gvt_qemu_process_clear (&p);

  /* Its memlock as the kernel keeps it: set a limit of our choosing
   * (lowering a child's is allowed to anyone) and read it back. */
  struct rlimit old, set;
  g_assert_cmpint (prlimit (pid, RLIMIT_MEMLOCK, NULL, &old), ==, 0);
  set.rlim_cur = 3 * MIB + 4096;
  set.rlim_max = old.rlim_max == RLIM_INFINITY || old.rlim_max > 5 * MIB ? 5 * MIB : old.rlim_max;
  if (set.rlim_cur > set.rlim_max)
    set.rlim_cur = set.rlim_max;
  g_assert_cmpint (prlimit (pid, RLIMIT_MEMLOCK, &set, NULL), ==, 0);
  guint64 soft = 0, hard = 0;
  g_assert_true (gvt_qemu_process_memlock (pid, NULL, &soft, &hard, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (soft, ==, set.rlim_cur);
  g_assert_cmpuint (hard, ==, set.rlim_max);
  g_autofree char *advice = gvt_qemu_memlock_advice (soft, 64 * MIB);
  g_assert_nonnull (advice);
  /* Unlimited reads as G_MAXUINT64: raising it back needs CAP_SYS_RESOURCE,
   * which even root may lack in a container (the fake tree covers it). */
  struct rlimit inf = { RLIM_INFINITY, RLIM_INFINITY };
  if (prlimit (pid, RLIMIT_MEMLOCK, &inf, NULL) == 0)
    {
      g_assert_true (gvt_qemu_process_memlock (pid, NULL, &soft, &hard, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (soft, ==, G_MAXUINT64);
      g_assert_cmpuint (hard, ==, G_MAXUINT64);
    }
  else
    g_test_message ("cannot raise QEMU's RLIMIT_MEMLOCK back: %s", g_strerror (errno));
  gboolean has = FALSE;
  g_assert_true (gvt_qemu_process_has_ipc_lock (pid, NULL, &has, &error));
  g_assert_no_error (error);
  g_assert_cmpint (has, ==, kernel_says_ipc_lock (pid));
  g_test_message ("QEMU has CAP_IPC_LOCK: %d", has);

  /* Gone: the pid is no process, the pid file stale. */
  gvt_test_kill (pid);
  g_assert_false (gvt_qemu_process_find (pid_text, NULL, NULL, &p, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_clear_error (&error);
  g_assert_false (gvt_qemu_process_find ("dom", NULL, dir, &p, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "stale"));
  g_clear_error (&error);

  /* Our own process is no QEMU. */
  g_autofree char *self = g_strdup_printf ("%d", (int) getpid ());
  g_assert_false (gvt_qemu_process_find (self, NULL, NULL, &p, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_assert_nonnull (strstr (error->message, "is not a QEMU: it runs"));

  g_unlink (pidfile);
  g_unlink (sock);
  g_rmdir (dir);
}

/* The QMP socket a QEMU's command line names: resolved against QEMU's
 * working directory, and taken only when QEMU's user owns it. */
static void
test_qmp_socket (Fake *f, gconstpointer data)
{
  g_autofree char *work = g_build_filename (f->dir, "work", NULL);
  g_autofree char *sock_path = g_build_filename (work, "vm.qmp", NULL);
  g_autofree char *plain = g_build_filename (work, "plain", NULL);
  g_autofree char *cwd = g_build_filename (f->proc, "100", "cwd", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir (work, 0755), ==, 0);
  g_assert_cmpint (symlink (work, cwd), ==, 0);
  g_autoptr (GSocket) sock = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, &error);
  g_autoptr (GSocketAddress) addr = g_unix_socket_address_new (sock_path);
  g_assert_true (g_socket_bind (sock, addr, FALSE, &error));
  g_assert_no_error (error);
  write_file (plain, "", 0, 0644);

  g_autofree char *abs = gvt_qemu_process_qmp_socket (100, f->proc, sock_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (abs, ==, sock_path);
  g_autofree char *rel = gvt_qemu_process_qmp_socket (100, f->proc, "vm.qmp", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rel, ==, sock_path);

  g_assert_null (gvt_qemu_process_qmp_socket (100, f->proc, "plain", &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_assert_nonnull (strstr (error->message, "is not there"));
  g_clear_error (&error);
  g_assert_null (gvt_qemu_process_qmp_socket (999, f->proc, sock_path, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE);
  g_clear_error (&error);
  /* pid 102 has no cwd link (another user's, unreadable): a relative path is refused. */
  g_assert_null (gvt_qemu_process_qmp_socket (102, f->proc, "vm.qmp", &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_PERMISSION);
  g_clear_error (&error);

  /* Another user's socket at the path QEMU named: not taken. */
  g_assert_cmpint (geteuid (), ==, 0);
  g_assert_cmpint (chown (sock_path, 65534, 65534), ==, 0);
  g_assert_null (gvt_qemu_process_qmp_socket (100, f->proc, sock_path, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_PERMISSION);
  g_assert_nonnull (strstr (error->message, "is uid 65534's, not QEMU's (uid 0)"));
  g_clear_error (&error);
  /* ... and QEMU's own again, once QEMU (pid 100) is that user's. */
  g_autofree char *pid_dir = g_build_filename (f->proc, "100", NULL);
  g_assert_cmpint (lchown (pid_dir, 65534, 65534), ==, 0);
  g_autofree char *again = gvt_qemu_process_qmp_socket (100, f->proc, sock_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, sock_path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define FAKE(path, fn)                                                                   \
  g_test_add ("/qemu/process/fake/" path, Fake, NULL, fake_setup, fn, fake_teardown)
  FAKE ("by-pid", test_by_pid);
  FAKE ("pid-not-qemu", test_pid_not_qemu);
  FAKE ("bad-words", test_bad_words);
  FAKE ("by-name", test_by_name);
  FAKE ("name-unknown", test_name_unknown);
  FAKE ("libvirt-pid-file", test_libvirt);
  FAKE ("permission", test_permission);
  FAKE ("memlock", test_memlock);
  FAKE ("ipc-lock", test_ipc_lock);
  FAKE ("qmp-socket", test_qmp_socket);
#undef FAKE
  g_test_add_func ("/qemu/process/memlock-advice", test_advice);
  g_test_add_func ("/qemu/process/real-qemu", test_real_qemu);
  return g_test_run ();
}
