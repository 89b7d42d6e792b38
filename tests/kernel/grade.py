#!/usr/bin/env python3
"""grade.py CONSOLE_LOG QEMU_STATUS: grades a run of the VM suite from its
serial console: each "KTEST PASS|FAIL name" line, the end marker (missing =
hang or panic), and kernel errors anywhere on the console. Prints TAP (a line
per test) and a summary; exits 0 only when nothing failed."""
import re
import sys

BAD = re.compile(r"Bad page state|kernel BUG|Oops|BUG:|WARNING:|general protection"
                 r"|Kernel panic|\bpanic\b|refcount_t:|list_(add|del) corruption")

log_path, qemu_status = sys.argv[1], int(sys.argv[2])
lines = open(log_path, errors="replace").read().splitlines()

results = []
for line in lines:
    m = re.match(r"^KTEST (PASS|FAIL) ([\w-]+)(?::\s*(.*))?$", line)
    if m:
        results.append((m.group(2), m.group(1) == "PASS", m.group(3) or ""))
ended = any(line.strip() == "KTEST-END" for line in lines)
kernel_errors = [line for line in lines
                 if BAD.search(line) and not line.startswith(("KTEST ", "    |"))]

if not ended:
    why = "timed out (hang?)" if qemu_status in (124, 137) else f"qemu exit {qemu_status}"
    results.append(("vm-end-marker", False, f"no end marker: {why}; see {log_path}"))
results.append(("vm-kernel-log", not kernel_errors,
                f"{len(kernel_errors)} kernel error line(s), first: {kernel_errors[0].strip()}"
                if kernel_errors else ""))

# TAP, so that meson and the closing line count each named test.
print(f"1..{len(results)}")
for i, (name, ok, why) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} {name}{'' if ok else ' # ' + why}")
passed = sum(1 for r in results if r[1])
failed = len(results) - passed
print(f"# kernel VM suite: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
