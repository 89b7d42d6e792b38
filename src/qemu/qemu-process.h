/* Finding a running QEMU — by pid, by its -name, or by the pid file libvirt
 * keeps for a domain — and reading what limits the memory GVT-g can pin
 * for it. Reads /proc (or a fake tree for tests); no state, callable from
 * any thread. Another process's /proc entries are untrusted input. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int pid;
  GStrv argv;           /* its /proc/PID/cmdline */
  const char *found_by; /* "pid", "-name", "libvirt pid file" (static) */
} GvtQemuProcess;

/* Where libvirt's QEMU driver keeps NAME.pid for each running domain. */
#define GVT_LIBVIRT_RUN_DIR "/run/libvirt/qemu"

/* Finds the QEMU @what names: a PID (decimal, 1 to 4194304), else a NAME —
 * a libvirt domain (@libvirt_run_dir/NAME.pid, root's; NULL:
 * GVT_LIBVIRT_RUN_DIR), else the -name of a running QEMU (libvirt's `-name
 * guest=NAME,...` too; any user's process can call itself so, hence the
 * pid file first). A stale or unreadable pid file gives way to a -name.
 * @proc_root NULL is /proc (tests pass a fake tree). A process is a QEMU
 * when its argv[0]'s basename is qemu-system-* or qemu-kvm. Fills @out
 * (zeroed, or cleared) or fails:
 * - GVT_ERROR_INVALID_ARGS: @what is empty, "0", too big a pid, or a name
 *   no domain can have (a '/', a control character, "." or "..").
 * - GVT_ERROR_NO_DEVICE: no such process; a pid that is not a QEMU (the
 *   message says what it runs); a NAME matching nothing (the message lists
 *   the running QEMUs with their pid and name, and the libvirt domains
 *   with pid files); a libvirt pid file naming a pid that is gone or no
 *   QEMU any more (stale).
 * - GVT_ERROR_INVALID_ARGS too for a NAME two QEMUs have (they are
 *   listed: give the pid).
 * - GVT_ERROR_PERMISSION: /proc or the pid file denies reading. */
gboolean gvt_qemu_process_find (const char *what, const char *proc_root,
                                const char *libvirt_run_dir, GvtQemuProcess *out,
                                GError **error);

void gvt_qemu_process_clear (GvtQemuProcess *self);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GvtQemuProcess, gvt_qemu_process_clear)

/* The QMP socket @path named on QEMU @pid's command line, as this process
 * reaches it: relative to QEMU's working directory (@proc_root/PID/cwd)
 * when relative, and only when it is a socket QEMU's user owns (a process
 * calls itself QEMU and names a socket: another user's socket at that path
 * would get what is typed). GVT_ERROR_NO_DEVICE (QEMU gone, no socket
 * there), GVT_ERROR_PERMISSION (cwd unreadable, another user's socket).
 * g_free() the path. */
char *gvt_qemu_process_qmp_socket (int pid, const char *proc_root, const char *path,
                                   GError **error);

/* RLIMIT_MEMLOCK of @pid from @proc_root/PID/limits ("Max locked memory",
 * in bytes; G_MAXUINT64 = unlimited). The soft limit is the one the kernel
 * checks. GVT_ERROR_NO_DEVICE (no such process), GVT_ERROR_PERMISSION,
 * GVT_ERROR_PROTOCOL (a limits file without that line, or a bad number),
 * GVT_ERROR_INVALID_ARGS (@pid out of 1..4194304). */
gboolean gvt_qemu_process_memlock (int pid, const char *proc_root, guint64 *soft,
                                   guint64 *hard, GError **error);

/* Whether @pid has CAP_IPC_LOCK in its effective set (@proc_root/PID/status
 * "CapEff"): vfio's type1 IOMMU then charges it nothing against the limit
 * (it records capable(CAP_IPC_LOCK) at VFIO_IOMMU_MAP_DMA time), so a QEMU
 * run by root needs no memlock advice. Errors as for memlock. */
gboolean gvt_qemu_process_has_ipc_lock (int pid, const char *proc_root, gboolean *has,
                                        GError **error);

/* What GVT-g makes QEMU lock, and the rule used here:
 * A vGPU is an mdev in a vfio container with no IOMMU domain, so
 * VFIO_IOMMU_MAP_DMA pins nothing up front (vfio_iommu_type1.c: "Don't pin
 * and map if container doesn't contain IOMMU capable domain"). Instead
 * kvmgt.c pins each guest page the GPU is given — every page the guest
 * maps in the vGPU's GGTT (its aperture and hidden graphics memory) and
 * in its PPGTTs — with vfio_pin_pages(), and type1 charges each page once
 * to QEMU's locked_vm against RLIMIT_MEMLOCK (vfio_pin_page_external ->
 * vfio_lock_acct). The aperture BAR itself is host MMIO (reserved pfns are
 * not charged), and its contents are guest pages already counted; a PPGTT
 * can reach any guest page, so the bound is all of guest RAM. Held
 * dma-bufs pin nothing new (their pages are the pinned ones).
 * Rule: the limit must be at least guest RAM + 1 GiB — libvirt's rule for
 * VFIO devices (qemuDomainGetMemLockLimitBytes), the 1 GiB covering the
 * other RAM QEMU maps for DMA (VGA memory, ROMs, firmware) and what QEMU
 * locks itself. */
#define GVT_QEMU_MEMLOCK_MARGIN (G_GUINT64_CONSTANT (1) << 30)

/* The limit a VM of @ram_bytes with a vGPU needs (saturating). */
guint64 gvt_qemu_memlock_required (guint64 ram_bytes);

/* NULL when @limit (RLIMIT_MEMLOCK's soft value, G_MAXUINT64 unlimited)
 * covers a VM of @ram_bytes with a vGPU; else a message that says what is
 * wrong and how to raise it (ulimit -l, an /etc/security/limits.d line,
 * libvirt's <memtune><hard_limit>, systemd's LimitMEMLOCK, prlimit for a
 * running QEMU). g_free() it. */
char *gvt_qemu_memlock_advice (guint64 limit, guint64 ram_bytes);

G_END_DECLS
