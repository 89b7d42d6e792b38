#!/usr/bin/env python3
"""What a QMP `screendump` (format ppm) costs, to pick the rate at which the
viewer fetches ramfb: a benchmark, not a test.

    python3 tests/qemu/measure-screendump.py [--qemu qemu-system-x86_64]
        [--requests 50] [--cpu-requests 200] [--no-viewer]

For each console it starts a TCG QEMU (no guest OS) and measures
  (a) the QMP round trip of screendump into a tmpfs file (/dev/shm):
      median and p90 of --requests requests, 50 ms apart;
  (b) QEMU's CPU time per screendump: utime+stime (/proc/PID/stat, 10 ms
      ticks) and on-CPU ns of all threads (/proc/PID/task/*/schedstat) over
      --cpu-requests back-to-back requests, minus the same wall time idle;
and, unless --no-viewer, (c) the viewer's side on those files: open +
fstat + mmap + gvt_ppm_parse_header (src/qemu/ppm.c, compiled here with
cc) + munmap; the same plus a memcpy of the pixel bytes out of the
mapping; a memcpy of as many bytes between resident buffers (reference).

Consoles: `-device ramfb,id=fb0` with -S (QEMU's 640x480 placeholder),
booted by SeaBIOS to 1024x768 (running, then paused with `stop`), and
`-device VGA,id=vga0` with -S, put in a 1024x768 and a 1920x1080x32 mode
by writing its Bochs VBE registers (ports 0x1ce/0x1cf) and the attribute
controller's palette-source bit (0x3c0) through HMP `o`: a real graphic
console of that size without a guest. The cost is per pixel (QEMU
converts the surface to 24-bit RGB and writes it), so it carries over to
ramfb of the same size.

Prints a table and the suggested fetch interval: the longest of 250 ms,
20 x the round trip and 20 x the CPU time (screendumps then cost QEMU at
most ~5% of one CPU). Numbers are noisy on a loaded machine: run it alone.
"""
import argparse
import ctypes
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", "..", "src"))
CLK_TCK = os.sysconf("SC_CLK_TCK")


class QmpError(Exception):
    pass


class Qmp:
    """A blocking QMP client: greeting, capabilities, then one command at a
    time; events on the way are dropped."""

    def __init__(self, path, timeout=20.0):
        deadline = time.monotonic() + timeout
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        self.sock.settimeout(timeout)
        self.buf = b""
        greeting = self._read()
        if "QMP" not in greeting:
            raise QmpError(f"not a QMP greeting: {greeting}")
        self.cmd("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise QmpError("QEMU closed the QMP socket")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read()
            if "event" in reply:
                continue
            if "error" in reply:
                raise QmpError(f"{name}: {reply['error'].get('desc')}")
            return reply["return"]

    def hmp(self, line):
        return self.cmd("human-monitor-command", **{"command-line": line})

    def close(self):
        self.sock.close()


def die_with_parent():
    # PR_SET_PDEATHSIG: QEMU goes if this script dies, whatever the reason.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)


class Qemu:
    count = 0

    def __init__(self, qemu, device_args, paused, workdir):
        Qemu.count += 1
        self.sock_path = os.path.join(workdir, f"qmp-{Qemu.count}.sock")
        argv = [qemu, "-accel", "tcg", "-m", "64", "-nic", "none", "-display", "none",
                "-vga", "none", *device_args, "-qmp",
                f"unix:{self.sock_path},server=on,wait=off"]
        if paused:
            argv.append("-S")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     preexec_fn=die_with_parent)
        try:
            self.qmp = Qmp(self.sock_path)
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


def cpu_ns(pid):
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass  # a thread that just ended: its time is in the process' stat
    return total


def read_header(path):
    with open(path, "rb") as f:
        head = f.read(32).split(b"\n")
    w, h = head[1].split()
    return int(w), int(h)


def screendump(q, device, path):
    q.qmp.cmd("screendump", filename=path, device=device, format="ppm")


def measure(q, device, path, n_rt, n_cpu):
    for _ in range(3):
        screendump(q, device, path)
    rts = []
    for _ in range(n_rt):
        t = time.perf_counter()
        screendump(q, device, path)
        rts.append((time.perf_counter() - t) * 1000)
        time.sleep(0.05)

    t0, c0, n0 = time.perf_counter(), cpu_ticks(q.pid), cpu_ns(q.pid)
    for _ in range(n_cpu):
        screendump(q, device, path)
    wall = time.perf_counter() - t0
    busy_ticks, busy_ns = cpu_ticks(q.pid) - c0, cpu_ns(q.pid) - n0

    c0, n0 = cpu_ticks(q.pid), cpu_ns(q.pid)
    time.sleep(wall)
    idle_ticks, idle_ns = cpu_ticks(q.pid) - c0, cpu_ns(q.pid) - n0

    return {
        "rt_median": statistics.median(rts),
        "rt_p90": statistics.quantiles(rts, n=10, method="inclusive")[8],
        "cpu_stat_ms": (busy_ticks - idle_ticks) * 1000 / CLK_TCK / n_cpu,
        "cpu_sched_ms": (busy_ns - idle_ns) / 1e6 / n_cpu,
        "idle_pct": idle_ns / 1e9 / wall * 100,
        "b2b_ms": wall * 1000 / n_cpu,
    }


def wait_for_size(q, device, path, size, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        screendump(q, device, path)
        if read_header(path) == size:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{device} is {read_header(path)}, not {size}, after {timeout} s")
        time.sleep(0.5)


def vbe_mode(q, w, h):
    """Bochs VBE: disable, size, 32 bpp, enable with the linear frame
    buffer; then the attribute controller's palette address source bit,
    without which QEMU draws the console blank (vga_update_display)."""
    for index, value in [(4, 0), (1, w), (2, h), (3, 32), (4, 0x41)]:
        q.qmp.hmp(f"o /h 0x1ce {index}")
        q.qmp.hmp(f"o /h 0x1cf {value}")
    q.qmp.hmp("i /b 0x3da")  # resets the 0x3c0 index/data flip-flop
    q.qmp.hmp("o /b 0x3c0 0x20")


# --- the viewer's side, in C ------------------------------------------------

VIEWER_C = r"""
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "qemu/ppm.h"

static double now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double median (double *v, int n)
{
  qsort (v, n, sizeof *v, cmp);
  return v[n / 2];
}

/* One fetch: open, fstat, mmap, parse; with @dst, copy the pixels out. */
static double fetch (const char *path, unsigned char *dst)
{
  double t = now_us ();
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0)
    { perror (path); exit (1); }
  unsigned char *map = mmap (NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED)
    { perror ("mmap"); exit (1); }
  GvtPpmInfo info;
  GError *error = NULL;
  if (!gvt_ppm_parse_header (map, st.st_size, st.st_size, &info, &error))
    { fprintf (stderr, "%s: %s\n", path, error->message); exit (1); }
  if (dst)
    memcpy (dst, map + info.offset, (size_t) info.stride * info.height);
  munmap (map, st.st_size);
  close (fd);
  return now_us () - t;
}

int main (int argc, char **argv)
{
  const char *path = argv[1];
  int n = atoi (argv[2]);
  struct stat st;
  if (stat (path, &st) < 0)
    { perror (path); return 1; }
  size_t size = st.st_size;
  unsigned char *dst = malloc (size), *src = malloc (size);
  memset (dst, 1, size);
  memset (src, 2, size);
  double *parse = calloc (n, sizeof *parse), *copy = calloc (n, sizeof *copy);
  double *ref = calloc (n, sizeof *ref);
  for (int i = 0; i < n; i++)
    {
      parse[i] = fetch (path, NULL);
      copy[i] = fetch (path, dst);
      double t = now_us ();
      memcpy (dst, src, size);
      __asm__ volatile ("" : : "r" (dst) : "memory");
      ref[i] = now_us () - t;
    }
  printf ("%.2f %.2f %.2f\n", median (parse, n), median (copy, n), median (ref, n));
  return 0;
}
"""


def build_viewer(workdir):
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None or shutil.which("pkg-config") is None:
        return None, "no cc or pkg-config"
    src = os.path.join(workdir, "viewer.c")
    exe = os.path.join(workdir, "viewer")
    with open(src, "w") as f:
        f.write(VIEWER_C)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "glib-2.0"],
                           capture_output=True, text=True)
    if flags.returncode != 0:
        return None, "no glib-2.0 for pkg-config"
    r = subprocess.run([cc, "-O2", "-D_GNU_SOURCE", '-DG_LOG_DOMAIN="gvt-view"', "-I", SRC,
                        src, os.path.join(SRC, "qemu", "ppm.c"),
                        os.path.join(SRC, "common", "gvt-error.c"), "-o", exe,
                        *flags.stdout.split()], capture_output=True, text=True)
    if r.returncode != 0:
        return None, "cannot build the viewer side:\n" + r.stderr
    return exe, None


# --- main -------------------------------------------------------------------

CONFIGS = [
    # name, device args, QMP device id, -S, set-up, expected size
    ("ramfb, -S (placeholder)", ["-device", "ramfb,id=fb0"], "fb0", True, None, (640, 480)),
    ("ramfb, SeaBIOS, running", ["-device", "ramfb,id=fb0"], "fb0", False, "boot",
     (1024, 768)),
    ("ramfb, SeaBIOS, stopped", None, "fb0", None, "stop", (1024, 768)),
    ("VGA (VBE), -S", ["-device", "VGA,id=vga0"], "vga0", True, "vbe", (1024, 768)),
    ("VGA (VBE), -S", ["-device", "VGA,id=vga0"], "vga0", True, "vbe", (1920, 1080)),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--requests", type=int, default=50, help="round trips timed (a)")
    ap.add_argument("--cpu-requests", type=int, default=200,
                    help="back-to-back requests for the CPU time (b)")
    ap.add_argument("--no-viewer", action="store_true", help="skip (c)")
    args = ap.parse_args()
    qemu = shutil.which(args.qemu)
    if qemu is None:
        sys.exit(f"no {args.qemu} in PATH")
    version = subprocess.run([qemu, "--version"], capture_output=True,
                             text=True).stdout.splitlines()[0]
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    rows, files = [], {}
    with tempfile.TemporaryDirectory(prefix="gvt-screendump-", dir=shm) as workdir:
        q = None
        try:
            for name, dev_args, dev, paused, setup, size in CONFIGS:
                if dev_args is not None:
                    if q:
                        q.stop()
                    q = Qemu(qemu, dev_args, paused, workdir)
                path = os.path.join(workdir, f"dump-{size[0]}x{size[1]}.ppm")
                if setup == "boot":
                    wait_for_size(q, dev, path, size)
                    time.sleep(2)  # SeaBIOS settles into its boot retries
                elif setup == "stop":
                    q.qmp.cmd("stop")
                elif setup == "vbe":
                    vbe_mode(q, *size)
                screendump(q, dev, path)
                got = read_header(path)
                if got != size:
                    raise RuntimeError(f"{name}: {got[0]}x{got[1]}, not {size[0]}x{size[1]}")
                print(f"measuring {name} {size[0]}x{size[1]} ...", file=sys.stderr)
                m = measure(q, dev, path, args.requests, args.cpu_requests)
                rows.append((name, size, os.path.getsize(path), m))
                # Keep one file per size for (c): QEMU overwrites the rest.
                keep = os.path.join(workdir, f"keep-{size[0]}x{size[1]}.ppm")
                shutil.copyfile(path, keep)
                files[size] = keep
        finally:
            if q:
                q.stop()

        viewer_rows, viewer_note = [], None
        if not args.no_viewer:
            exe, viewer_note = build_viewer(workdir)
            if exe:
                for size, path in sorted(files.items(), key=lambda kv: kv[0][0] * kv[0][1]):
                    out = subprocess.run([exe, path, "200"], capture_output=True, text=True,
                                         check=True).stdout.split()
                    viewer_rows.append((size, os.path.getsize(path), *map(float, out)))

    print(f"\n{version}, TCG, dumps into {shm or tempfile.gettempdir()}; "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}\n")
    print("(a)(b) QEMU: round trip over QMP, and CPU time per screendump")
    hdr = (f"{'console':<25} {'size':>9} {'MB':>5} {'rt med':>7} {'rt p90':>7} "
           f"{'b2b':>6} {'cpu stat':>8} {'cpu sched':>9} {'idle':>5}  {'interval':>8}")
    print(hdr)
    print(f"{'':<25} {'':>9} {'':>5} {'ms':>7} {'ms':>7} {'ms':>6} {'ms':>8} {'ms':>9} "
          f"{'%cpu':>5}  {'ms':>8}")
    for name, size, nbytes, m in rows:
        interval = max(250, 20 * m["rt_median"], 20 * m["cpu_sched_ms"])
        print(f"{name:<25} {size[0]:>4}x{size[1]:<4} {nbytes / 1e6:>5.2f} "
              f"{m['rt_median']:>7.2f} {m['rt_p90']:>7.2f} {m['b2b_ms']:>6.2f} "
              f"{m['cpu_stat_ms']:>8.2f} {m['cpu_sched_ms']:>9.2f} {m['idle_pct']:>5.1f}  "
              f"{interval:>8.0f}")
    print("  rt: one request every 50 ms; b2b: wall time per back-to-back request;\n"
          "  cpu: (busy - idle) / requests, from /proc/PID/stat ticks and from the\n"
          "  threads' schedstat; idle: QEMU's own CPU use without requests;\n"
          "  interval: max(250 ms, 20 x rt median, 20 x cpu sched): <= 5% of a CPU.")

    if viewer_rows:
        print("\n(c) viewer: median of 200, microseconds")
        print(f"{'size':>9} {'MB':>5} {'mmap+parse':>10} {'+copy out':>10} {'memcpy ref':>10}")
        for size, nbytes, parse, copy, ref in viewer_rows:
            print(f"{size[0]:>4}x{size[1]:<4} {nbytes / 1e6:>5.2f} {parse:>10.1f} "
                  f"{copy:>10.1f} {ref:>10.1f}")
        print("  mmap+parse: open, fstat, mmap, gvt_ppm_parse_header, munmap, close;\n"
              "  +copy out: the same and a memcpy of the pixels out of the mapping;\n"
              "  memcpy ref: as many bytes between two resident buffers.")
    elif viewer_note:
        print(f"\n(c) viewer: skipped: {viewer_note}")

    worst = max(max(250, 20 * m["rt_median"], 20 * m["cpu_sched_ms"]) for *_, m in rows)
    print(f"\nsuggested fetch interval: {worst:.0f} ms (the largest console measured)")


if __name__ == "__main__":
    main()
