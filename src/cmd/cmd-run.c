/* gvt-view run -- qemu-system-x86_64 ...: QEMU as gvt-view's child, its
 * vGPU shown in the window from a copy of QEMU's own device fd.
 *
 * The order: rewrite the command line (the vGPU's display off, -display
 * none, a private QMP socket), start QEMU, wait until it has opened the
 * vGPU (during machine init), take a copy of that fd (pidfd_getfd: as
 * QEMU's parent gvt-view may, whatever kernel.yama.ptrace_scope says up to
 * 1), check the memory-lock limit, then the window — the same as
 * `gvt-view --qmp` with the device. Closing the window leaves the VM
 * running (unless --quit-vm); Ctrl+C stops it (QMP quit, then SIGTERM).
 * gvt-view exits with QEMU's status once QEMU has exited. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "cmd-run.h"
#include "common/gvt-error.h"
#include "common/private-dir.h"
#include "qemu/qemu-child.h"
#include "qemu/qemu-cmdline.h"
#include "qemu/qemu-process.h"
#include "qemu/qmp.h"
#include "ui/app.h"
#include "vgpu/vgpu-process.h"

/* QEMU opens the vGPU during machine init: 1-3 s after it starts, 8 s on a
 * cold TCG start (VFIO-NOTES.md); a slow machine gets far more. */
#define DEVICE_WAIT_MS 60000
/* After QMP quit, before SIGTERM; after SIGTERM, before SIGKILL. */
#define QUIT_WAIT_MS 10000

typedef struct {
  GvtQemuChild *child;
  gboolean stop_asked;       /* Ctrl+C (or SIGTERM, SIGHUP) */
  guint signals_seen;
  const char *qmp_path;       /* QEMU's QMP socket (the launch's) */
} Run;

/* --- stopping QEMU --- */

typedef struct {
  gboolean done;
  GError *error;
} Quit;

static void
on_quit_reply (GvtQmp *qmp, JsonNode *result, const GError *error, gpointer data)
{
  Quit *q = data;

  if (error != NULL && q->error == NULL)
    q->error = g_error_copy (error);
  q->done = TRUE;
}

static void
on_quit_ready (GvtQmp *qmp, const GError *error, gpointer data)
{
  Quit *q = data;

  if (error != NULL)
    {
      q->error = g_error_copy (error);
      q->done = TRUE;
      return;
    }
  gvt_qmp_execute (qmp, "quit", NULL, 0, on_quit_reply, q);
}

/* QMP quit on a connection of our own (the window's is gone with it, and
 * a QMP socket serves one client at a time: this one waits its turn).
 * SIGTERM when that fails. */
static void
ask_quit (Run *run)
{
  const GvtQmpCallbacks callbacks = { .ready = on_quit_ready };
  Quit q = { 0 };
  GvtQmp *qmp = gvt_qmp_connect (run->qmp_path, 3000, &callbacks, &q);
  gint64 deadline = g_get_monotonic_time () + 4 * G_USEC_PER_SEC;

  while (!q.done && !gvt_qemu_child_has_exited (run->child) && g_get_monotonic_time () < deadline)
    gvt_qemu_child_wait (run->child, 100);
  gvt_qmp_close (qmp);
  /* QEMU may close the socket before it answers quit: that is success. */
  if (gvt_qemu_child_has_exited (run->child)
      || (q.done && (q.error == NULL
                     || g_error_matches (q.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))))
    {
      g_clear_error (&q.error);
      return;
    }
  g_message ("QMP quit failed (%s): sending SIGTERM", q.error ? q.error->message : "no answer");
  g_clear_error (&q.error);
  gvt_qemu_child_signal (run->child, SIGTERM);
}

/* The VM stops in steps: quit, SIGTERM, SIGKILL, each after a wait. */
static void
stop_qemu (Run *run)
{
  if (gvt_qemu_child_has_exited (run->child))
    return;
  g_printerr ("gvt-view: stopping the VM (QMP quit)\n");
  ask_quit (run);
  if (gvt_qemu_child_wait (run->child, QUIT_WAIT_MS))
    return;
  g_printerr ("gvt-view: QEMU is still running %d s later: SIGTERM\n", QUIT_WAIT_MS / 1000);
  gvt_qemu_child_signal (run->child, SIGTERM);
  if (gvt_qemu_child_wait (run->child, QUIT_WAIT_MS))
    return;
  g_printerr ("gvt-view: QEMU ignored SIGTERM: SIGKILL\n");
  gvt_qemu_child_signal (run->child, SIGKILL);
  gvt_qemu_child_wait (run->child, QUIT_WAIT_MS);
}

static gboolean
on_stop_signal (gpointer data)
{
  Run *run = data;

  /* The window (when open) closes on the same signal (app.c); the VM is
   * stopped once it has. A second Ctrl+C while waiting: SIGTERM now. */
  run->stop_asked = TRUE;
  if (++run->signals_seen > 1 && run->child != NULL)
    gvt_qemu_child_signal (run->child, SIGTERM);
  return G_SOURCE_CONTINUE;
}

/* --- the device --- */

/* A QMP socket of the user's without wait=off holds QEMU at startup until
 * a client connects: one connection (closed at once) lets it go on. */
static void
release_waiting_monitor (const char *path)
{
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_DEFAULT, NULL);

  if (socket != NULL && g_socket_connect (socket, address, NULL, NULL))
    g_debug ("connected to %s once: a monitor waiting for a client goes on", path);
}

/* Waits for QEMU to open the vGPU at @syspath (NULL: any display device)
 * and opens a copy of its fd. */
static GvtVgpu *
take_device (Run *run, const char *syspath, gboolean own_qmp, GError **error)
{
  int pid = gvt_qemu_child_get_pid (run->child);
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + DEVICE_WAIT_MS * (gint64) 1000;
  gboolean poked = own_qmp;

  while (!gvt_qemu_child_has_exited (run->child) && !run->stop_asked)
    {
      g_autoptr (GError) local = NULL;
      GvtVgpu *vgpu = gvt_vgpu_open_from_process (pid, syspath, NULL, &local);
      if (vgpu != NULL)
        return vgpu;
      /* Not there yet, or not a display yet: anything but those is final. */
      if (!g_error_matches (local, GVT_ERROR, GVT_ERROR_NO_DEVICE)
          && !g_error_matches (local, GVT_ERROR, GVT_ERROR_NO_DISPLAY))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      if (!poked && g_get_monotonic_time () > start + G_USEC_PER_SEC
          && g_file_test (run->qmp_path, G_FILE_TEST_EXISTS))
        {
          release_waiting_monitor (run->qmp_path);
          poked = TRUE;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *words = gvt_qemu_child_get_last_words (run->child);
          g_set_error (error, GVT_ERROR, GVT_ERROR_TIMED_OUT,
                       "QEMU (pid %d) did not open the vGPU%s%s within %d s (%s)%s%s", pid,
                       syspath ? " " : "", syspath ? syspath : "", DEVICE_WAIT_MS / 1000,
                       local->message, *words ? "; QEMU's last words:\n" : "", words);
          return NULL;
        }
      gvt_qemu_child_wait (run->child, 100);
    }
  if (run->stop_asked)
    g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED, "stopped before QEMU opened the vGPU");
  else
    g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED,
                 "QEMU exited (status %d) before it opened the vGPU (its own words are above)",
                 gvt_qemu_child_get_status (run->child));
  return NULL;
}

/* RLIMIT_MEMLOCK too low freezes a GVT-g VM at high resolutions: said
 * before the user meets it. */
static void
check_memlock (Run *run, const GvtQemuCmdline *cmdline)
{
  guint64 soft = 0, hard = 0;
  gboolean ipc_lock = FALSE;
  g_autoptr (GError) error = NULL;
  int pid = gvt_qemu_child_get_pid (run->child);

  /* With CAP_IPC_LOCK (QEMU as root) nothing counts against the limit. */
  if (gvt_qemu_process_has_ipc_lock (pid, NULL, &ipc_lock, NULL) && ipc_lock)
    return;
  if (!gvt_qemu_process_memlock (pid, NULL, &soft, &hard, &error))
    {
      g_debug ("memlock of QEMU unknown: %s", error->message);
      return;
    }
  g_autofree char *advice = gvt_qemu_memlock_advice (soft, cmdline->ram_bytes);
  if (advice != NULL)
    g_printerr ("gvt-view: warning: %s\n", advice);
}

/* The window on QEMU's vGPU (@device, taken), until it closes. */
static void
show_vm (Run *run, GvtVgpu *device, const GvtCmdRunConfig *config, const GvtQemuLaunch *launch,
         FILE *err, GError **error)
{
  g_autoptr (GvtVgpu) owned = device;
  int pid = gvt_qemu_child_get_pid (run->child);
  GvtSessionConfig session_config = {
    .fd = -1, .qmp = run->qmp_path, .qemu_pid = pid,
    .ramfb = config->ramfb ? config->ramfb : launch->ramfb_console,
    .edid = config->edid,
  };
  GvtSession *session = NULL;

  /* QEMU makes its socket file a moment before it listens. */
  for (int tries = 0; session == NULL && tries < 50 && !gvt_qemu_child_has_exited (run->child)
                     && !run->stop_asked;
       tries++)
    {
      g_clear_error (error);
      session = gvt_session_new_full (&session_config, error);
      if (session == NULL)
        gvt_qemu_child_wait (run->child, 100);
    }
  /* Ctrl+C while QEMU was starting: no window (the caller stops the VM). */
  if (run->stop_asked)
    {
      g_clear_error (error);
      g_clear_pointer (&session, gvt_session_free);
    }
  if (session == NULL)
    return;
  if (!gvt_session_attach_vgpu (session, g_steal_pointer (&owned), error))
    {
      gvt_session_free (session);
      return;
    }
  GvtUiOptions options = *config->ui;
  options.quit_with_qemu = TRUE;
  gvt_ui_run (session, &options);
  if (!gvt_qemu_child_has_exited (run->child) && !run->stop_asked && !config->quit_vm)
    fprintf (err, "gvt-view: the window is closed; the VM runs on: `gvt-view attach %d` shows "
             "it again, Ctrl+C here stops it\n", pid);
}

int
gvt_cmd_run_qemu (const GvtCmdRunConfig *config, FILE *err)
{
  g_autoptr (GError) error = NULL;
  g_auto (GvtQemuLaunch) launch = { 0 };
  Run run = { 0 };

  if (!gvt_ui_check_display (&error))
    {
      fprintf (err, "gvt-view run: %s; without a window, start QEMU yourself and use "
               "`gvt-view snapshot qemu:PID -o FILE.png`\n", error->message);
      return 1;
    }
  g_autofree char *dir = gvt_private_dir_make (NULL, "QEMU's QMP socket", &error);
  if (dir == NULL)
    {
      fprintf (err, "gvt-view run: %s\n", error->message);
      return 1;
    }
  g_autofree char *own_qmp = g_build_filename (dir, "qmp.sock", NULL);
  /* Before QEMU exists: a Ctrl+C from then on stops it, never leaves it
   * running behind a gvt-view that died of the signal. */
  guint sigint = g_unix_signal_add (SIGINT, on_stop_signal, &run);
  guint sigterm = g_unix_signal_add (SIGTERM, on_stop_signal, &run);
  guint sighup = g_unix_signal_add (SIGHUP, on_stop_signal, &run);
  GvtQemuLaunchOptions launch_options = { .vgpu = config->vgpu, .qmp_path = own_qmp };
  if (gvt_qemu_launch_prepare (config->qemu_argv, &launch_options, &launch, &error))
    {
      for (guint i = 0; i < launch.notes->len; i++)
        fprintf (err, "gvt-view: %s\n", (const char *) g_ptr_array_index (launch.notes, i));
      run.qmp_path = launch.cmdline.qmp_socket;
      run.child = gvt_qemu_child_spawn ((const char *const *) launch.argv, &error);
    }
  if (run.child == NULL)
    {
      fprintf (err, "gvt-view run: %s\n", error->message);
      g_source_remove (sigint);
      g_source_remove (sigterm);
      g_source_remove (sighup);
      g_rmdir (dir);
      return 1;
    }

  const GvtQemuVfioDevice *vgpu = g_ptr_array_index (launch.cmdline.vfio, launch.vgpu_index);
  /* Only a mediated device has a display (vfio-pci's PCI devices answer
   * no plane query): when the vGPU is QEMU's only mdev, it is QEMU's only
   * display device, found without its name — which kernels before 6.18
   * don't give when QEMU holds more than one VFIO group. */
  guint mdevs = 0;
  for (guint i = 0; i < launch.cmdline.vfio->len; i++)
    mdevs += ((GvtQemuVfioDevice *) g_ptr_array_index (launch.cmdline.vfio, i))->uuid != NULL;
  const char *want = mdevs == 1 && vgpu->uuid != NULL ? NULL : vgpu->sysfsdev;
  GvtVgpu *device = take_device (&run, want, launch.qmp_added, &error);
  if (device != NULL)
    {
      check_memlock (&run, &launch.cmdline);
      show_vm (&run, device, config, &launch, err, &error);
    }
  if (error != NULL)
    fprintf (err, "gvt-view run: %s\n", error->message);
  /* Our own failure before the window: the VM was never the user's. */
  if (error != NULL || run.stop_asked || config->quit_vm)
    stop_qemu (&run);
  while (!gvt_qemu_child_has_exited (run.child))
    {
      gvt_qemu_child_wait (run.child, 1000);
      if (run.stop_asked)
        stop_qemu (&run);
    }
  int status = error != NULL ? 1 : gvt_qemu_child_get_status (run.child);
  if (error == NULL && gvt_qemu_child_get_signal (run.child) != 0)
    fprintf (err, "gvt-view: QEMU was killed by signal %d\n", gvt_qemu_child_get_signal (run.child));
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_source_remove (sighup);
  g_clear_pointer (&run.child, gvt_qemu_child_free);
  g_unlink (own_qmp);
  g_rmdir (dir);
  return status;
}
