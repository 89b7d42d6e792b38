#!/bin/bash
# Builds gvt-view and runs every test suite; ends with "N passed, N failed".
# In CI (CI=true) warnings are errors (tests/build.sh) and a skipped test
# counts as failed: CI provides everything the suites need, so a skip there
# is a bug.
#
# With no arguments, two more stages after the suites: the core under
# valgrind, then the sanitize stage — every suite but the kernel VM built
# with ASan and UBSan in BUILDDIR-sanitize (tests/sanitize/). Outside CI,
# GVT_SKIP_SANITIZE=1 leaves the sanitize stage out (it says so); in CI it
# always runs.
set -uo pipefail

cd "$(dirname "$0")/.."
builddir=${BUILDDIR:-build}

BUILDDIR=$builddir bash tests/build.sh || { echo "0 passed, 1 failed"; exit 1; }

meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@"
status=$?

# The core once more under valgrind: leaks and invalid accesses fail. The
# `pidfd` tests take other processes' fds with syscalls valgrind 3.19 does
# not know (they fail with ENOSYS there): they run in the sanitize stage.
logs=("$builddir/meson-logs/testlog.json")
if [ $# -eq 0 ]; then
  meson test -C "$builddir" --setup valgrind --suite unit --suite fake-kernel \
    --no-suite render --no-suite pidfd --print-errorlogs --num-processes 2 || status=1
  logs+=("$builddir/meson-logs/testlog-valgrind.json")
fi

# Once more built with -Db_sanitize=address,undefined: the `sanitize` test
# setup (meson.build) runs every suite but the kernel VM (which runs the
# normal build) and lint; UBSan aborts on its first error, LSan fails a
# program that leaks (tests/sanitize/lsan.supp: the libraries' own leaks).
# Mesa 25 comes from the normal build's cache (or $GVT_CACHE).
if [ $# -eq 0 ]; then
  sanitize_dir=$builddir-sanitize
  sanitize_log=$sanitize_dir/meson-logs/testlog-sanitize.json
  if [ "${GVT_SKIP_SANITIZE:-}" = 1 ] && [ "${CI:-}" != true ]; then
    echo "sanitize stage skipped (GVT_SKIP_SANITIZE=1)"
  else
    rm -f "$sanitize_log"
    started=$SECONDS
    if BUILDDIR=$sanitize_dir SANITIZE=address,undefined bash tests/build.sh; then
      export GVT_CACHE=${GVT_CACHE:-$(cd "$builddir" && pwd)}
      meson test -C "$sanitize_dir" --setup sanitize --print-errorlogs --num-processes 2
      sanitize_status=$?
      # LeakSanitizer's own stop-the-world tracer sometimes crashes at a
      # program's exit ("Tracer caught signal 11", before any leak is
      # looked for: google/sanitizers#1353). A test that failed only so runs
      # once more, said here; any other failure stands.
      retry_log=$sanitize_dir/meson-logs/retry-sanitize.json
      rm -f "$retry_log"
      mapfile -t crashed < <(python3 tests/sanitize/tracer-crashed.py "$sanitize_log")
      if [ "$sanitize_status" -ne 0 ] && [ "${#crashed[@]}" -gt 0 ] && [ "${crashed[0]}" != - ]; then
        echo "LeakSanitizer's tracer crashed (not a leak) in: ${crashed[*]}; once more"
        meson test -C "$sanitize_dir" --setup sanitize --logbase retry --print-errorlogs \
          "${crashed[@]}"
        sanitize_status=$?
        export GVT_RETRY_LOG=$retry_log
      fi
      [ "$sanitize_status" -eq 0 ] || status=1
    else
      status=1
    fi
    echo "sanitize stage: $((SECONDS - started)) s"
    logs+=("$sanitize_log")
  fi
fi

python3 - "${CI:-}" "${logs[@]}" <<'PY'
# Counts TAP subtests (a test program without TAP output counts as one).
# A test run once more (GVT_RETRY_LOG, the sanitize stage) counts by its
# second run. Each failed subtest is shown with what the test printed
# while it ran and after it (meson's --print-errorlogs shows only stderr).
import json, os, re, sys
def entries(log):
    with open(log) as f:
        return [json.loads(line) for line in f]
retried = {}
if os.environ.get("GVT_RETRY_LOG") and os.path.exists(os.environ["GVT_RETRY_LOG"]):
    retried = {t["name"]: t for t in entries(os.environ["GVT_RETRY_LOG"])}
passed = failed = skipped = 0
for log in sys.argv[2:]:
  if not os.path.exists(log):
    print(f"failed: {log} was not written (the build or meson failed)")
    failed += 1
    continue
  for t in entries(log):
        if log.endswith("-sanitize.json") and t["name"] in retried:
            t = retried[t["name"]]
            print(f"retried: {t['name']} ({t['result']} the second time)")
        out = t.get("stdout") or ""
        ok = skip = bad = 0
        lines = out.splitlines()
        since = 0   # the first line after the previous subtest's result
        for i, l in enumerate(lines):
            if re.match(r"not ok\b", l):
                bad += 1
                print(f"failed: {t['name']}: {l}")
                for d in lines[max(since, i - 40):i]:
                    print(f"    {d}")
                for d in lines[i + 1:i + 41]:
                    if re.match(r"(not )?ok\b", d):
                        break
                    print(f"    {d}")
            elif re.match(r"ok\b", l):
                if re.search(r"#\s*SKIP", l, re.I):
                    skip += 1
                    print(f"skipped: {t['name']}: {l}")
                else:
                    ok += 1
            if re.match(r"(not )?ok\b", l):
                since = i + 1
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
