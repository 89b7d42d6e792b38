#!/usr/bin/env python3
"""One QMP command from the shell, for the QEMU system tests.

  qmp.py [--timeout S] SOCK CMD [JSON-ARGS]

Connects to the QMP UNIX socket SOCK, reads the greeting, negotiates
capabilities, runs CMD with the arguments JSON-ARGS (an object), and prints
the return value as JSON on stdout (events QEMU sends meanwhile are
skipped). QEMU's error: "CLASS: DESC" on stderr, exit status 1. No socket,
no QMP greeting or a timeout: the reason on stderr, exit status 2.

`quit` succeeds when QEMU returns {} or closes the socket after it (QEMU
may hang up before its answer arrives).
"""
import json
import socket
import sys


def main(argv):
    timeout = 10.0
    if len(argv) > 1 and argv[1] == "--timeout":
        timeout = float(argv[2])
        argv = argv[:1] + argv[3:]
    if len(argv) not in (3, 4):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, cmd = argv[1], argv[2]
    args = json.loads(argv[3]) if len(argv) == 4 else None
    if args is not None and not isinstance(args, dict):
        print("qmp.py: JSON-ARGS must be an object", file=sys.stderr)
        return 2

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(path)
    except OSError as e:
        print(f"qmp.py: {path}: {e.strerror}", file=sys.stderr)
        return 2
    buf = b""

    def message():
        """The next JSON object from QEMU, or None at EOF."""
        nonlocal buf
        while b"\n" not in buf:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return None
            buf += chunk
        line, buf = buf.split(b"\n", 1)
        return json.loads(line)

    def reply():
        while True:
            m = message()
            if m is None or "event" not in m:
                return m

    try:
        greeting = message()
        if not isinstance(greeting, dict) or "QMP" not in greeting:
            print(f"qmp.py: {path}: no QMP greeting", file=sys.stderr)
            return 2
        sock.sendall(b'{"execute": "qmp_capabilities"}\n')
        r = reply()
        if r is None or "return" not in r:
            print(f"qmp.py: qmp_capabilities: {r}", file=sys.stderr)
            return 2
        req = {"execute": cmd}
        if args is not None:
            req["arguments"] = args
        sock.sendall(json.dumps(req).encode() + b"\n")
        r = reply()
    except socket.timeout:
        print(f"qmp.py: {path}: no answer within {timeout} s", file=sys.stderr)
        return 2
    except BrokenPipeError:
        r = None
    finally:
        sock.close()

    if r is None:
        if cmd == "quit":
            print("{}")
            return 0
        print(f"qmp.py: {path}: QEMU closed the socket", file=sys.stderr)
        return 2
    if "error" in r:
        e = r["error"]
        print(f"{e.get('class')}: {e.get('desc')}", file=sys.stderr)
        return 1
    print(json.dumps(r.get("return")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
