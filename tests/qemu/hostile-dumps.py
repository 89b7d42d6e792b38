#!/usr/bin/env python3
"""A QMP peer that answers screendump the way a hostile QEMU could.

  hostile-dumps.py MODE SOCKET

Listens on SOCKET, speaks just enough QMP for a viewer (greeting,
qmp_capabilities, query-status: running, qom-list: nothing), and answers
each screendump after writing the file it names: a 64x32 PPM of a fixed
pattern (pixel x, y = (4x, 8y, 0x5a) in R, G, B), then
  trailing  64 MiB of bytes after the pixels (a PPM may have trailing
            bytes; they must cost the viewer nothing)
  cut       the file kept open, and cut to 0 bytes 0.2 s after the answer
            (a viewer that mapped it would die of SIGBUS on its next look)
  swap      at the first dump, the directory it is asked to write into
            renamed away and a symlink to SECRET (argv[3]) put in its
            place, nothing written (what QEMU's user can do to the
            directory a root viewer gives it)
  hardlink  the file a hard link to a PPM of its own, kept
"""
import ctypes
import json
import os
import signal
import socket
import sys
import threading
import time

W, H = 64, 32


def ppm():
    pixels = bytearray()
    for y in range(H):
        for x in range(W):
            pixels += bytes((4 * x, 8 * y, 0x5A))
    return b"P6\n%d %d\n255\n" % (W, H) + bytes(pixels)


swapped = False


def dump(mode, path):
    global swapped
    if mode == "swap":
        if not swapped:
            d = os.path.dirname(path)
            os.rename(d, d + ".moved")
            os.symlink(sys.argv[3], d)
            swapped = True
        return
    if mode == "hardlink":
        own = os.path.join(os.path.dirname(sys.argv[2]), "own.ppm")
        with open(own, "wb") as f:
            f.write(ppm())
        os.link(own, path)
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, ppm())
    if mode == "trailing":
        os.write(fd, b"\xa5" * (64 << 20))
    if mode == "cut":
        def cut():
            time.sleep(0.2)
            os.ftruncate(fd, 0)
            os.close(fd)
        threading.Thread(target=cut, daemon=True).start()
    else:
        os.close(fd)


def serve(mode, conn):
    try:
        converse(mode, conn)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the viewer went


def converse(mode, conn):
    send = lambda obj: conn.sendall(json.dumps(obj).encode() + b"\r\n")
    send({"QMP": {"version": {"qemu": {"major": 7, "minor": 2, "micro": 0}, "package": ""},
                  "capabilities": []}})
    buf = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            return
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if not line.strip():
                continue
            msg = json.loads(line)
            cmd, ident = msg.get("execute"), msg.get("id")
            ret = {}
            if cmd == "query-status":
                ret = {"running": True, "singlestep": False, "status": "running"}
            elif cmd == "qom-list":
                ret = []
            elif cmd == "screendump":
                dump(mode, msg["arguments"]["filename"])
            reply = {"return": ret}
            if ident is not None:
                reply["id"] = ident
            send(reply)


def die_with_parent():
    # A parent-death signal set before setpriv changed the uid is gone:
    # set it again here, then see whether the parent went already.
    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        sys.exit(1)


def main():
    die_with_parent()
    mode, path = sys.argv[1], sys.argv[2]
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(4)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(mode, conn), daemon=True).start()


main()
