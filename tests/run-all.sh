#!/bin/bash
# Builds gvt-view and runs every test suite; ends with "N passed, N failed".
# In CI (CI=true) warnings are errors and a skipped test counts as failed:
# CI provides everything the suites need, so a skip there is a bug.
set -uo pipefail

cd "$(dirname "$0")/.."
builddir=${BUILDDIR:-build}

werror=false
[ "${CI:-}" = true ] && werror=true

if [ -d "$builddir" ]; then
  meson setup --reconfigure -Dwerror=$werror "$builddir" >/dev/null || exit 1
else
  meson setup -Dwerror=$werror "$builddir" >/dev/null || exit 1
fi
meson compile -C "$builddir" || { echo "0 passed, 1 failed"; exit 1; }

meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@"
status=$?

python3 - "$builddir/meson-logs/testlog.json" "${CI:-}" <<'PY'
import json, sys
passed = failed = skipped = 0
with open(sys.argv[1]) as f:
    for line in f:
        t = json.loads(line)
        r = t["result"]
        # subtests a TAP test skipped
        skips = sum(1 for l in t.get("stdout", "").splitlines()
                    if l.startswith("ok ") and "# SKIP" in l)
        if r in ("OK", "EXPECTEDFAIL") and skips == 0:
            passed += 1
        elif r == "SKIP" or (r == "OK" and skips):
            skipped += 1
            print(f"skipped: {t['name']} ({skips or 'all'} subtests)")
        else:
            failed += 1
if sys.argv[2] == "true":
    failed += skipped
    skipped = 0
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed else 0)
PY
summary=$?
[ $status -eq 0 ] && exit $summary
exit $status
