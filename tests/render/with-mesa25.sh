#!/bin/sh
# Runs a render test against Mesa 25 from bookworm-backports, fetched
# privately (fetch-mesa25.sh) on first use; the render-mesa25 suite's
# wrapper. Without Mesa 25: a visible TAP skip locally, a failure in CI.
#
# Usage: with-mesa25.sh CACHE_DIR TEST [ARGS...]
# ($GVT_CACHE/mesa25 replaces CACHE_DIR when GVT_CACHE is set.)
set -u
here=$(cd "$(dirname "$0")" && pwd)
cache=${GVT_CACHE:+$GVT_CACHE/mesa25}
cache=${cache:-$1}
shift
mkdir -p "$cache"

# Tests run in parallel: one fetch at a time, the others wait and reuse it.
if lib=$(flock "$cache/.lock" "$here/fetch-mesa25.sh" "$cache" 2>"$cache/fetch.err") \
   && [ -n "$lib" ] && [ -d "$lib" ]; then
  :
else
  reason="Mesa 25 (bookworm-backports) could not be fetched: $(tail -n 2 "$cache/fetch.err" | tr '\n' ' ')"
  if [ "${CI:-}" = true ]; then
    echo "Bail out! $reason"
    exit 1
  fi
  echo "1..0 # SKIP $reason"
  exit 0
fi

LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
GVT_TEST_EXPECT_IMPORT=1
export LD_LIBRARY_PATH GVT_TEST_EXPECT_IMPORT
exec "$@"
