#!/bin/bash
# Runs the libFuzzer targets for a stated time and reports what they did.
#
#   tests/fuzz/run-long.sh SECONDS [TARGET...]
#       Builds $BUILDDIR (default build-fuzz) with clang if it isn't one yet,
#       runs each target (default: all) for SECONDS, prints one line per
#       target (runs, exec/s, coverage, findings) and exits 1 on a finding.
#   run-long.sh --one NAME BINARY FUZZDIR MAX_LEN [SECONDS]
#       One target (what `meson test --benchmark --suite fuzz-long` runs;
#       SECONDS defaults to $FUZZ_SECONDS, else 60).
#
# Each target starts from its checked-in corpus (FUZZDIR/corpus/NAME) plus
# what earlier runs found (BUILD/fuzz-work/NAME/corpus, kept between runs);
# the checked-in corpus is never written. Findings go to
# BUILD/fuzz-work/NAME/artifacts/: replay one with
# BUILD/tests/fuzz/fuzz-NAME FILE (or fuzz-NAME-replay FILE), and once it
# is fixed copy it into corpus/NAME/ so every CI run replays it.
set -uo pipefail

# The sanitizers stop at the first error and say where; GLib's slice
# allocator would hide its blocks from ASan.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export G_SLICE=always-malloc

run_one() {
  local name=$1 binary fuzzdir max_len=$4 seconds=$5
  binary=$(realpath "$2") && fuzzdir=$(realpath "$3") || return 1
  local work
  work=$(dirname "$binary")/fuzz-work/$name
  mkdir -p "$work/corpus" "$work/artifacts"
  local log=$work/last.log
  local dict=()
  [ -f "$fuzzdir/$name.dict" ] && dict=(-dict="$fuzzdir/$name.dict")
  local stamp=$work/.started
  touch "$stamp"

  (cd "$work" && "$binary" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
     -print_final_stats=1 -artifact_prefix="$work/artifacts/" "${dict[@]}" \
     "$work/corpus" "$fuzzdir/corpus/$name") > "$log" 2>&1
  local status=$?

  local runs execs cov ft corp findings
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  corp=$(find "$work/corpus" -type f | wc -l)
  findings=$(find "$work/artifacts" -type f -newer "$stamp" | wc -l)
  printf '%-18s %10s runs  %6s s  %8s exec/s  cov %6s  ft %6s  corpus %5s  findings %s\n' \
    "$name" "${runs:-?}" "$seconds" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corp" "$findings"
  if [ "$status" -ne 0 ] || [ "$findings" -gt 0 ]; then
    echo "  $name: libFuzzer exited $status; log $log; findings in $work/artifacts/:"
    find "$work/artifacts" -type f -newer "$stamp" -printf '    %p\n' | head
    grep -m5 -E 'ERROR|contract violated|runtime error|Bail out' "$log" | sed 's/^/    /'
    return 1
  fi
  return 0
}

if [ "${1:-}" = --one ]; then
  [ $# -ge 5 ] || { echo "usage: $0 --one NAME BINARY FUZZDIR MAX_LEN [SECONDS]" >&2; exit 2; }
  run_one "$2" "$3" "$4" "$5" "${6:-${FUZZ_SECONDS:-60}}"
  exit $?
fi

if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ]; then
  echo "usage: $0 SECONDS [TARGET...]   (targets: tests/fuzz/meson.build)" >&2
  exit 2
fi
seconds=$1
shift

cd "$(dirname "$0")/../.."
builddir=${BUILDDIR:-build-fuzz}
if [ ! -f "$builddir/meson-private/coredata.dat" ]; then
  CC=${CC:-clang} meson setup "$builddir" >/dev/null || exit 1
fi
meson compile -C "$builddir" >/dev/null || { meson compile -C "$builddir"; exit 1; }

fuzzdir=$PWD/tests/fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for bin in "$builddir"/tests/fuzz/fuzz-*; do
    case $bin in *-replay|*.p) continue ;; esac
    [ -x "$bin" ] && targets+=("$(basename "$bin" | sed 's/^fuzz-//')")
  done
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "$builddir has no libFuzzer targets: it needs clang with libFuzzer (libclang-rt-dev)" >&2
  exit 1
fi

# Input size limits, from meson.build's table.
max_len_of() {
  python3 - "$fuzzdir/meson.build" "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"'%s':\s*\{[^}]*'max_len':\s*(\d+)" % re.escape(sys.argv[2]), text)
print(m.group(1) if m else 4096)
PY
}

echo "fuzzing ${#targets[@]} targets for $seconds s each ($builddir)"
failed=0
for name in "${targets[@]}"; do
  run_one "$name" "$PWD/$builddir/tests/fuzz/fuzz-$name" "$fuzzdir" "$(max_len_of "$name")" \
    "$seconds" || failed=1
done
exit $failed
