/* Running QEMUs found in /proc and libvirt's run directory, and their
 * locked-memory limit. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "qemu-process.h"
#include "qemu-cmdline.h"
#include "qmp-message.h"
#include "common/gvt-error.h"
#include "common/proc.h"
#include "common/size.h"

/* CAP_IPC_LOCK's bit in CapEff (linux/capability.h). */
#define CAP_IPC_LOCK_BIT 14

#define DEFAULT_PROC "/proc"

static const char *
proc_or_default (const char *proc_root)
{
  return proc_root != NULL ? proc_root : DEFAULT_PROC;
}


/* /proc/PID/cmdline as an argv (empty for a kernel thread or a zombie). */
static gboolean
read_cmdline (const char *proc_root, int pid, GStrv *argv, GError **error)
{
  g_autofree char *path = gvt_proc_path (proc_root, pid, "cmdline");
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!gvt_proc_read (path, &data, &len, error))
    return FALSE;
  g_autoptr (GPtrArray) v = g_ptr_array_new_with_free_func (g_free);
  for (gsize at = 0; at < len;)
    {
      gsize n = strnlen (data + at, len - at);
      g_ptr_array_add (v, g_strndup (data + at, n));
      at += n + 1;
    }
  g_ptr_array_add (v, NULL);
  *argv = (GStrv) g_ptr_array_free (g_steal_pointer (&v), FALSE);
  return TRUE;
}

static gboolean
is_qemu (const char *const *argv)
{
  if (argv == NULL || argv[0] == NULL)
    return FALSE;
  g_autofree char *base = g_path_get_basename (argv[0]);
  return g_str_has_prefix (base, "qemu-system-") || strcmp (base, "qemu-kvm") == 0;
}

/* What a process that is not a QEMU runs, for a message. */
static char *
describe_other (const char *proc_root, int pid, const char *const *argv)
{
  if (argv[0] == NULL)
    {
      g_autofree char *comm = gvt_proc_comm (proc_root, pid);
      if (comm != NULL)
        {
          g_autofree char *q = gvt_qmp_message_quote_str (comm);
          return g_strdup_printf ("it has no command line (%s: a kernel thread or a zombie)", q);
        }
      return g_strdup ("it has no command line (a kernel thread or a zombie)");
    }
  g_autofree char *joined = g_strjoinv (" ", (char **) argv);
  g_autofree char *q = gvt_qmp_message_quote_str (joined);
  return g_strdup_printf ("it runs %s", q);
}

static void
fill (GvtQemuProcess *out, int pid, GStrv argv, const char *found_by)
{
  out->pid = pid;
  out->argv = argv;
  out->found_by = found_by;
}

static gboolean
find_pid (int pid, const char *proc_root, GvtQemuProcess *out, GError **error)
{
  g_auto (GStrv) argv = NULL;
  g_autoptr (GError) local = NULL;

  if (!read_cmdline (proc_root, pid, &argv, &local))
    {
      if (local->code == GVT_ERROR_NO_DEVICE)
        g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE, "no process has pid %d", pid);
      else if (local->code == GVT_ERROR_PERMISSION)
        g_set_error (error, GVT_ERROR, GVT_ERROR_PERMISSION,
                     "cannot read what pid %d runs: %s (another user's process with /proc "
                     "mounted hidepid: run as root)", pid, local->message);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!is_qemu ((const char *const *) argv))
    {
      g_autofree char *what = describe_other (proc_root, pid, (const char *const *) argv);
      g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE, "pid %d is not a QEMU: %s", pid,
                   what);
      return FALSE;
    }
  fill (out, pid, g_steal_pointer (&argv), "pid");
  return TRUE;
}

typedef struct {
  int pid;
  char *name; /* its -name, or NULL */
  GStrv argv;
} Running;

static void
running_free (gpointer data)
{
  Running *r = data;
  g_free (r->name);
  g_strfreev (r->argv);
  g_free (r);
}

static gint
running_cmp (gconstpointer a, gconstpointer b)
{
  const Running *ra = *(const Running *const *) a, *rb = *(const Running *const *) b;
  return (ra->pid > rb->pid) - (ra->pid < rb->pid);
}

/* A decimal pid 1..GVT_PID_MAX, digits only. */
static gboolean
parse_pid (const char *text, int *pid)
{
  guint64 v;
  if (text[0] == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  if (!g_ascii_string_to_unsigned (text, 10, 1, GVT_PID_MAX, &v, NULL))
    return FALSE;
  *pid = (int) v;
  return TRUE;
}

/* Every QEMU in @proc_root, by pid, and how many processes could not be
 * read. */
static GPtrArray *
list_qemus (const char *proc_root, guint *denied, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GDir) dir = g_dir_open (proc_or_default (proc_root), 0, &local);
  if (dir == NULL)
    {
      g_set_error (error, GVT_ERROR,
                   g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_ACCES)
                     ? GVT_ERROR_PERMISSION : GVT_ERROR_FAILED,
                   "cannot list the processes: %s", local->message);
      return NULL;
    }
  GPtrArray *found = g_ptr_array_new_with_free_func (running_free);
  const char *entry;
  *denied = 0;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      int pid;
      g_auto (GStrv) argv = NULL;
      g_autoptr (GError) err = NULL;
      if (!parse_pid (entry, &pid))
        continue;
      if (!read_cmdline (proc_root, pid, &argv, &err))
        {
          if (err->code == GVT_ERROR_PERMISSION)
            (*denied)++;
          continue;
        }
      if (!is_qemu ((const char *const *) argv))
        continue;
      Running *r = g_new0 (Running, 1);
      g_auto (GvtQemuCmdline) cmdline = { 0 };
      r->pid = pid;
      if (gvt_qemu_cmdline_parse ((const char *const *) argv, &cmdline, NULL))
        r->name = g_strdup (cmdline.name);
      r->argv = g_steal_pointer (&argv);
      g_ptr_array_add (found, r);
    }
  g_ptr_array_sort (found, running_cmp);
  return found;
}

static gint
name_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* "vm1 (pid 12), win10 (pid file unreadable)": libvirt's domains with pid
 * files, or NULL when there are none; @why says why there is no list. */
static char *
list_libvirt (const char *run_dir, char **why)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GDir) dir = g_dir_open (run_dir, 0, &local);
  *why = NULL;
  if (dir == NULL)
    {
      if (!g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        *why = g_strdup (local->message);
      return NULL;
    }
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;
  while ((entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (entry, ".pid") && strlen (entry) > strlen (".pid"))
      g_ptr_array_add (names, g_strndup (entry, strlen (entry) - strlen (".pid")));
  if (names->len == 0)
    return NULL;
  g_ptr_array_sort (names, name_cmp);
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_strdup_printf ("%s/%s.pid", run_dir, name);
      g_autofree char *data = NULL;
      int pid;
      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, name);
      if (g_file_get_contents (path, &data, NULL, NULL) && parse_pid (g_strstrip (data), &pid))
        g_string_append_printf (s, " (pid %d)", pid);
      else
        g_string_append (s, " (pid file unreadable)");
    }
  return g_string_free (s, FALSE);
}

/* The domain's pid file: TRUE with @out filled, FALSE with @error set, or
 * FALSE without an error when there is no pid file. */
static gboolean
find_libvirt (const char *name, const char *proc_root, const char *run_dir,
              GvtQemuProcess *out, GError **error)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.pid", run_dir, name);
  g_autofree char *data = NULL;
  g_autoptr (GError) local = NULL;
  int pid;

  if (!gvt_proc_read (path, &data, NULL, &local))
    {
      if (local->code == GVT_ERROR_NO_DEVICE)
        return FALSE;
      g_set_error (error, GVT_ERROR, local->code,
                   "cannot read libvirt's pid file %s: %s (libvirt's run directory is root's: "
                   "run as root, or give the QEMU's pid)", path, local->message);
      return FALSE;
    }
  if (!parse_pid (g_strstrip (data), &pid))
    {
      g_autofree char *q = gvt_qmp_message_quote_str (data);
      g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
                   "libvirt's pid file %s holds %s, not a pid", path, q);
      return FALSE;
    }
  g_auto (GStrv) argv = NULL;
  g_clear_error (&local);
  if (!read_cmdline (proc_root, pid, &argv, &local))
    {
      if (local->code == GVT_ERROR_NO_DEVICE)
        g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
                     "libvirt's pid file %s names pid %d, which is not running: the pid file "
                     "is stale (the domain is not running; `virsh start %s`)", path, pid, name);
      else
        g_set_error (error, GVT_ERROR, local->code, "cannot read what pid %d (from %s) runs: %s",
                     pid, path, local->message);
      return FALSE;
    }
  if (!is_qemu ((const char *const *) argv))
    {
      g_autofree char *what = describe_other (proc_root, pid, (const char *const *) argv);
      g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE,
                   "libvirt's pid file %s names pid %d, which is no QEMU: %s; the pid file is "
                   "stale", path, pid, what);
      return FALSE;
    }
  fill (out, pid, g_steal_pointer (&argv), "libvirt pid file");
  return TRUE;
}

/* A name QEMU, libvirt and a pid file path can all carry. */
static gboolean
check_name (const char *what, GError **error)
{
  g_autofree char *q = gvt_qmp_message_quote_str (what);
  if (strcmp (what, ".") == 0 || strcmp (what, "..") == 0 || strchr (what, '/') != NULL)
    goto bad;
  for (const char *p = what; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      goto bad;
  return TRUE;
bad:
  g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
               "%s is neither a pid nor a VM name (a name has no '/' or control characters)", q);
  return FALSE;
}

static gboolean
find_name (const char *name, const char *proc_root, const char *run_dir, GvtQemuProcess *out,
           GError **error)
{
  /* A domain's pid file first: it is root's (libvirt's), where any user's
   * process can call itself -name NAME. A stale one gives way to -name. */
  g_autoptr (GError) libvirt_error = NULL;
  if (find_libvirt (name, proc_root, run_dir, out, &libvirt_error))
    return TRUE;

  guint denied = 0;
  g_autoptr (GPtrArray) qemus = list_qemus (proc_root, &denied, error);
  if (qemus == NULL)
    return FALSE;

  g_autoptr (GPtrArray) matches = g_ptr_array_new ();
  for (guint i = 0; i < qemus->len; i++)
    {
      Running *r = g_ptr_array_index (qemus, i);
      if (g_strcmp0 (r->name, name) == 0)
        g_ptr_array_add (matches, r);
    }
  g_autofree char *q = gvt_qmp_message_quote_str (name);
  if (matches->len == 1)
    {
      Running *r = g_ptr_array_index (matches, 0);
      fill (out, r->pid, g_steal_pointer (&r->argv), "-name");
      return TRUE;
    }
  if (matches->len > 1)
    {
      GString *s = g_string_new (NULL);
      for (guint i = 0; i < matches->len; i++)
        g_string_append_printf (s, "%s%d", i ? ", " : "",
                                ((Running *) g_ptr_array_index (matches, i))->pid);
      g_autofree char *pids = g_string_free (s, FALSE);
      g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                   "%u QEMUs are named %s (pids %s): give the pid instead", matches->len, q,
                   pids);
      return FALSE;
    }

  if (libvirt_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&libvirt_error));
      return FALSE;
    }

  GString *msg = g_string_new (NULL);
  g_string_append_printf (msg, "no QEMU is named %s", q);
  if (qemus->len == 0)
    g_string_append (msg, "; no QEMU is running");
  else
    {
      g_string_append (msg, "; running QEMUs:");
      for (guint i = 0; i < qemus->len; i++)
        {
          Running *r = g_ptr_array_index (qemus, i);
          g_autofree char *rq = r->name ? gvt_qmp_message_quote_str (r->name) : NULL;
          g_string_append_printf (msg, "%s %d (%s)", i ? "," : "", r->pid,
                                  rq ? rq : "no -name");
        }
    }
  g_autofree char *why = NULL;
  g_autofree char *domains = list_libvirt (run_dir, &why);
  if (domains != NULL)
    g_string_append_printf (msg, "; libvirt domains with pid files in %s: %s", run_dir, domains);
  else if (why != NULL)
    g_string_append_printf (msg, "; libvirt's %s: %s", run_dir, why);
  else
    g_string_append_printf (msg, "; no libvirt domain has a pid file in %s", run_dir);
  if (denied > 0)
    g_string_append_printf (msg, "; %u processes could not be read (run as root to see them)",
                            denied);
  g_autofree char *text = g_string_free (msg, FALSE);
  g_set_error_literal (error, GVT_ERROR, GVT_ERROR_NO_DEVICE, text);
  return FALSE;
}

gboolean
gvt_qemu_process_find (const char *what, const char *proc_root, const char *libvirt_run_dir,
                       GvtQemuProcess *out, GError **error)
{
  int pid;

  memset (out, 0, sizeof *out);
  if (what == NULL || *what == '\0')
    {
      g_set_error_literal (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                           "no VM given: name a QEMU by its pid or its -name (or a libvirt "
                           "domain)");
      return FALSE;
    }
  gboolean digits = TRUE;
  for (const char *p = what; *p != '\0'; p++)
    digits = digits && g_ascii_isdigit (*p);
  if (digits)
    {
      if (!parse_pid (what, &pid))
        {
          g_autofree char *q = gvt_qmp_message_quote_str (what);
          g_set_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS,
                       "%s is not a pid (1 to %d)", q, GVT_PID_MAX);
          return FALSE;
        }
      return find_pid (pid, proc_root, out, error);
    }
  if (!check_name (what, error))
    return FALSE;
  return find_name (what, proc_root, libvirt_run_dir ? libvirt_run_dir : GVT_LIBVIRT_RUN_DIR,
                    out, error);
}

void
gvt_qemu_process_clear (GvtQemuProcess *self)
{
  g_clear_pointer (&self->argv, g_strfreev);
  memset (self, 0, sizeof *self);
}

static gboolean
parse_limit (const char *word, guint64 *out)
{
  if (strcmp (word, "unlimited") == 0)
    {
      *out = G_MAXUINT64;
      return TRUE;
    }
  for (const char *p = word; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return g_ascii_string_to_unsigned (word, 10, 0, G_MAXUINT64, out, NULL);
}

gboolean
gvt_qemu_process_memlock (int pid, const char *proc_root, guint64 *soft, guint64 *hard,
                          GError **error)
{
  /* "Max locked memory         8388608              8388608              bytes" */
  g_autofree char *rest = gvt_proc_line (proc_root, pid, "limits", "Max locked memory", error);
  if (rest == NULL)
    return FALSE;
  g_auto (GStrv) words = g_strsplit_set (g_strstrip (rest), " \t", -1);
  const char *w[3] = { NULL };
  int n = 0;
  for (char **p = words; *p != NULL && n < 3; p++)
    if (**p != '\0')
      w[n++] = *p;
  guint64 s, h;
  if (n < 2 || !parse_limit (w[0], &s) || !parse_limit (w[1], &h)
      || (n == 3 && strcmp (w[2], "bytes") != 0))
    {
      g_autofree char *q = gvt_qmp_message_quote_str (rest);
      g_set_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL,
                   "pid %d's limits: \"Max locked memory\" reads %s, not two sizes in bytes",
                   pid, q);
      return FALSE;
    }
  *soft = s;
  *hard = h;
  return TRUE;
}

gboolean
gvt_qemu_process_has_ipc_lock (int pid, const char *proc_root, gboolean *has, GError **error)
{
  g_autofree char *rest = gvt_proc_line (proc_root, pid, "status", "CapEff:", error);
  guint64 caps;
  if (rest == NULL)
    return FALSE;
  g_strstrip (rest);
  if (!g_ascii_string_to_unsigned (rest, 16, 0, G_MAXUINT64, &caps, NULL))
    {
      g_autofree char *q = gvt_qmp_message_quote_str (rest);
      g_set_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL,
                   "pid %d's status: CapEff reads %s, not a capability mask", pid, q);
      return FALSE;
    }
  *has = (caps >> CAP_IPC_LOCK_BIT) & 1;
  return TRUE;
}

guint64
gvt_qemu_memlock_required (guint64 ram_bytes)
{
  if (ram_bytes > G_MAXUINT64 - GVT_QEMU_MEMLOCK_MARGIN)
    return G_MAXUINT64;
  return ram_bytes + GVT_QEMU_MEMLOCK_MARGIN;
}

char *
gvt_qemu_memlock_advice (guint64 limit, guint64 ram_bytes)
{
  guint64 need = gvt_qemu_memlock_required (ram_bytes);

  if (limit == G_MAXUINT64 || limit >= need)
    return NULL;
  g_autofree char *have_s = gvt_size_format_bytes (limit);
  g_autofree char *ram_s = gvt_size_format_bytes (ram_bytes);
  g_autofree char *need_s = gvt_size_format_bytes (need);
  guint64 kib = need / 1024 + (need % 1024 != 0);
  return g_strdup_printf (
    "QEMU may lock %s of memory (RLIMIT_MEMLOCK), but a VM with %s of RAM and a vGPU needs "
    "%s: GVT-g pins the guest pages the GPU uses, up to all of guest RAM, and the kernel "
    "charges them to QEMU's limit; past it the guest's graphics fail (the kernel logs "
    "\"RLIMIT_MEMLOCK ... exceeded\"). Raise it to at least %" G_GUINT64_FORMAT " KiB: "
    "`ulimit -l %" G_GUINT64_FORMAT "` (or `ulimit -l unlimited`) in the shell that starts "
    "QEMU; for a user, the line `USER - memlock %" G_GUINT64_FORMAT "` in "
    "/etc/security/limits.d/gvt-view.conf, then log in again; for a libvirt domain, "
    "<memtune><hard_limit unit='KiB'>%" G_GUINT64_FORMAT "</hard_limit></memtune> (libvirt "
    "sets it itself for a <hostdev type='mdev'>); for a systemd service, LimitMEMLOCK=%"
    G_GUINT64_FORMAT "; for a QEMU already running, as root: "
    "`prlimit --pid PID --memlock=%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT "`",
    have_s, ram_s, need_s, kib, kib, kib, kib, need, need, need);
}

char *
gvt_qemu_process_qmp_socket (int pid, const char *proc_root, const char *path, GError **error)
{
  g_autofree char *q = gvt_qmp_message_quote_str (path);
  g_autofree char *dir = gvt_proc_path (proc_root, pid, "");
  g_autofree char *resolved = NULL;
  struct stat proc, sock;

  if (stat (dir, &proc) != 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE, "QEMU (pid %d) is gone", pid);
      return NULL;
    }
  if (g_path_is_absolute (path))
    resolved = g_strdup (path);
  else
    {
      g_autofree char *cwd_link = gvt_proc_path (proc_root, pid, "cwd");
      g_autoptr (GError) local = NULL;
      g_autofree char *cwd = g_file_read_link (cwd_link, &local);
      if (cwd == NULL)
        {
          g_set_error (error, GVT_ERROR, GVT_ERROR_PERMISSION,
                       "QMP socket %s is relative to QEMU's working directory, which can't be "
                       "read: %s", q, local->message);
          return NULL;
        }
      resolved = g_build_filename (cwd, path, NULL);
    }
  if (stat (resolved, &sock) != 0 || !S_ISSOCK (sock.st_mode))
    {
      g_autofree char *rq = gvt_qmp_message_quote_str (resolved);
      g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DEVICE, "QMP socket %s is not there", rq);
      return NULL;
    }
  if (sock.st_uid != proc.st_uid)
    {
      g_autofree char *rq = gvt_qmp_message_quote_str (resolved);
      g_set_error (error, GVT_ERROR, GVT_ERROR_PERMISSION,
                   "QMP socket %s is uid %u's, not QEMU's (uid %u): not connecting to it (its "
                   "owner would get the keyboard)", rq, (guint) sock.st_uid,
                   (guint) proc.st_uid);
      return NULL;
    }
  return g_steal_pointer (&resolved);
}
