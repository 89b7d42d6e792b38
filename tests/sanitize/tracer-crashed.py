#!/usr/bin/env python3
# tracer-crashed.py TESTLOG.json: the names of the failed tests whose output
# shows LeakSanitizer's own tracer crashing ("Tracer caught signal", then
# "LeakSanitizer has encountered a fatal error"), one per line, if every
# failed test failed so; else "-" (a real failure is not run again).
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
        crashed.append(t["name"])
    else:
        other.append(t["name"])
print("\n".join(crashed) if crashed and not other else "-")
