#!/bin/bash
# Builds gvt-view and runs every test suite; ends with "N passed, N failed".
# In CI (CI=true) warnings are errors (tests/build.sh) and a skipped test
# counts as failed: CI provides everything the suites need, so a skip there
# is a bug.
set -uo pipefail

cd "$(dirname "$0")/.."
builddir=${BUILDDIR:-build}

BUILDDIR=$builddir bash tests/build.sh || { echo "0 passed, 1 failed"; exit 1; }

meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@"
status=$?

# The core once more under valgrind: leaks and invalid accesses fail.
logs=("$builddir/meson-logs/testlog.json")
if [ $# -eq 0 ]; then
  meson test -C "$builddir" --setup valgrind --suite unit --suite fake-kernel \
    --no-suite render --print-errorlogs --num-processes 2 || status=1
  logs+=("$builddir/meson-logs/testlog-valgrind.json")
fi

python3 - "${CI:-}" "${logs[@]}" <<'PY'
# Counts TAP subtests (a test program without TAP output counts as one).
import json, re, sys
passed = failed = skipped = 0
for log in sys.argv[2:]:
  with open(log) as f:
    for line in f:
        t = json.loads(line)
        out = t.get("stdout") or ""
        ok = skip = bad = 0
        for l in out.splitlines():
            if re.match(r"not ok\b", l):
                bad += 1
            elif re.match(r"ok\b", l):
                if re.search(r"#\s*SKIP", l, re.I):
                    skip += 1
                    print(f"skipped: {t['name']}: {l}")
                else:
                    ok += 1
        if t["result"] not in ("OK", "EXPECTEDFAIL", "SKIP") and bad == 0:
            bad = 1   # crashed, bailed out or timed out
            print(f"failed: {t['name']} ({t['result']})")
        if t["result"] == "SKIP" and ok + skip + bad == 0:
            skip = 1
            print(f"skipped: {t['name']}")
        if t["result"] == "OK" and ok + skip + bad == 0:
            ok = 1
        passed += ok
        failed += bad
        skipped += skip
if sys.argv[1] == "true":
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
