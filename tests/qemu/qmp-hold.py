#!/usr/bin/env python3
"""A QMP proxy that holds screendump answers, for the QEMU system tests.

  qmp-hold.py LISTEN.sock QEMU.sock LOG RELEASE

Listens on LISTEN.sock; each client is connected to QEMU.sock and the two
are passed through line by line, except that the answer to a `screendump`
is held back until the file RELEASE exists (at most 20 s). Each
screendump's filename is appended to LOG (one a line) as soon as QEMU has
answered, so that while the answer is held the file QEMU wrote is there to
look at, where the client put it.
"""
import json
import os
import socket
import sys
import threading
import time


def pump(src, dst, on_line):
    buf = b""
    try:
        while True:
            chunk = src.recv(65536)
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                on_line(line)
                dst.sendall(line + b"\n")
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(client, qemu_path, log, release):
    qemu = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        qemu.connect(qemu_path)
    except OSError:
        client.close()
        return
    pending = []  # filenames of screendumps sent, not answered yet

    def from_client(line):
        try:
            m = json.loads(line)
        except ValueError:
            return
        if isinstance(m, dict) and m.get("execute") == "screendump":
            pending.append(m.get("arguments", {}).get("filename", ""))

    def from_qemu(line):
        try:
            m = json.loads(line)
        except ValueError:
            return
        if pending and isinstance(m, dict) and ("return" in m or "error" in m):
            with open(log, "a") as f:
                f.write(pending.pop(0) + "\n")
            deadline = time.monotonic() + 20
            while not os.path.exists(release) and time.monotonic() < deadline:
                time.sleep(0.02)

    threading.Thread(target=pump, args=(client, qemu, from_client), daemon=True).start()
    pump(qemu, client, from_qemu)


def main():
    listen, qemu_path, log, release = sys.argv[1:5]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(listen)
    s.listen(4)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c, qemu_path, log, release), daemon=True).start()


if __name__ == "__main__":
    main()
