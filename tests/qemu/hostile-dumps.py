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
"""
import json
import os
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


def dump(mode, path):
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


def main():
    mode, path = sys.argv[1], sys.argv[2]
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(4)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(mode, conn), daemon=True).start()


main()
