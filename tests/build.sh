#!/bin/bash
# Configures gvt-view in BUILDDIR (default build) — or reconfigures it when
# it already is a build tree — and compiles it. In CI (CI=true) warnings are
# errors. SANITIZE=address,undefined configures a sanitized build
# (-Db_sanitize; tests/run-all.sh's sanitize stage). Safe to run again and
# again.
set -euo pipefail

cd "$(dirname "$0")/.."
builddir=${BUILDDIR:-build}

werror=false
[ "${CI:-}" = true ] && werror=true
options=(-Dwerror=$werror)
[ -n "${SANITIZE:-}" ] && options+=(-Db_sanitize="$SANITIZE")

if [ -f "$builddir/meson-private/coredata.dat" ]; then
  meson setup --reconfigure "${options[@]}" "$builddir" >/dev/null
else
  meson setup "${options[@]}" "$builddir" >/dev/null
fi
meson compile -C "$builddir"
