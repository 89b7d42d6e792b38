#!/bin/bash
# The files for desktops and software centres, and the install: the desktop
# file passes desktop-file-validate, the AppStream metainfo passes
# appstreamcli validate (and names the desktop file and the binary), and
# `meson install` into a scratch DESTDIR puts the binary, the man page, the
# desktop file, the metainfo, the bash completion and the examples (udev
# rules, libvirt domain) where they belong.
#
# Usage: check-data.sh SOURCE_ROOT BUILD_ROOT   (TAP on stdout)
set -u
src=$1 build=$2
n=0 failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$2"; }
check () {
  local what=$1; shift
  if "$@" >"$tmp/out" 2>&1; then ok "$what"; else not_ok "$what" "$tmp/out"; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for tool in desktop-file-validate appstreamcli; do
  command -v "$tool" >/dev/null || { echo "Bail out! $tool is missing: tests/deps.sh installs it"; exit 1; }
done

id=io.github.gvt_view.Viewer
desktop=$src/data/$id.desktop
metainfo=$src/data/$id.metainfo.xml
check "desktop-file-validate $id.desktop" desktop-file-validate "$desktop"
check "appstreamcli validate $id.metainfo.xml" appstreamcli validate --no-net "$metainfo"
check "the metainfo launches $id.desktop" grep -qF "<launchable type=\"desktop-id\">$id.desktop</launchable>" "$metainfo"
check "the metainfo provides the binary gvt-view" grep -qF "<binary>gvt-view</binary>" "$metainfo"
check "the desktop file's Exec is gvt-view" grep -qE '^Exec=gvt-view( |$)' "$desktop"

installed () {
  DESTDIR=$tmp/root meson install -C "$build" --no-rebuild --quiet >"$tmp/install.log" 2>&1 \
    || { cat "$tmp/install.log"; return 1; }
  local prefix missing=0 f
  prefix=$(meson introspect "$build" --buildoptions | python3 -c '
import json, sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
  for f in bin/gvt-view share/man/man1/gvt-view.1 share/applications/$id.desktop \
           share/metainfo/$id.metainfo.xml share/bash-completion/completions/gvt-view \
           share/doc/gvt-view/examples/90-gvt-view-vfio.rules \
           share/doc/gvt-view/examples/gvt-view-libvirt.xml; do
    if [ -e "$tmp/root$prefix/$f" ]; then echo "installed: $prefix/$f"; else echo "missing: $prefix/$f"; missing=1; fi
  done
  [ $missing = 0 ] && "$tmp/root$prefix/bin/gvt-view" --version
}
check "meson install: binary, man page, desktop file, metainfo, bash completion, the examples (udev rules, libvirt domain); the installed binary runs" installed
echo "1..$n"
[ $failed = 0 ]
