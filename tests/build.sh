#!/bin/bash
# Configures gvt-view in BUILDDIR (default build) — or reconfigures it when
# it already is a build tree — and compiles it. In CI (CI=true) warnings are
# errors. Safe to run again and again.
set -euo pipefail

cd "$(dirname "$0")/.."
builddir=${BUILDDIR:-build}

werror=false
[ "${CI:-}" = true ] && werror=true

if [ -f "$builddir/meson-private/coredata.dat" ]; then
  meson setup --reconfigure -Dwerror=$werror "$builddir" >/dev/null
else
  meson setup -Dwerror=$werror "$builddir" >/dev/null
fi
meson compile -C "$builddir"
