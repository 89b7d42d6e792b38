#!/usr/bin/env python3
# tracer-crashed.py TESTLOG.json: the names of the failed tests whose output
# shows LeakSanitizer's own tracer crashing ("Tracer caught signal", then
# "LeakSanitizer has encountered a fatal error"), one per line, if every
# failed test failed so; else "-" (a real failure is not run again). The
# names are as `meson test NAME` takes them: the log's "PROJECT:SUITE /
# NAME" is the test NAME of PROJECT.
import json, sys

crashed, other = [], []
try:
    with open(sys.argv[1]) as f:
        tests = [json.loads(line) for line in f]
except OSError:
    tests = []
for t in tests:
    if t["result"] in ("OK", "EXPECTEDFAIL", "SKIP"):
        continue
    out = (t.get("stdout") or "") + (t.get("stderr") or "")
    if "Tracer caught signal" in out and "LeakSanitizer has encountered a fatal error" in out:
        project = t["name"].split(":", 1)[0]
        crashed.append(f"{project}:{t['name'].rsplit(' / ', 1)[-1]}")
    else:
        other.append(t["name"])
print("\n".join(crashed) if crashed and not other else "-")
