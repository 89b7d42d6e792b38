#!/bin/bash
# The Debian package: built from a clean copy of the source tree
# (`dpkg-buildpackage -us -uc -b`, nocheck), lintian-clean (no E:), holding
# what `meson install` puts in place plus the examples; installed with apt,
# the installed gvt-view runs: its version, a demo snapshot pixel for pixel
# equal to the build tree's, `doctor --json` in its documented shape, the
# man page, desktop file and metainfo valid where they landed; purged, it
# is gone.
#
# Installs and purges the package on this machine, so it needs root (CI
# runs as root); otherwise it bails out after the build and lintian.
#
# Usage: test-deb.sh SOURCE_ROOT GVT_VIEW   (TAP on stdout; GVT_VIEW is the
# build tree's binary, the reference for the snapshot)
set -uo pipefail
src=$(realpath "$1") build_bin=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
n=0 failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -z "${2:-}" ] || sed 's/^/# /' "$2"; }
# check WHAT CMD...: ok when CMD succeeds; its output is shown when it fails.
check () {
  local what=$1; shift
  if "$@" >"$tmp/out" 2>&1; then ok "$what"; else not_ok "$what" "$tmp/out"; fi
}
bail () { echo "1..$n"; echo "Bail out! $1"; exit 1; }

tmp=$(mktemp -d)
we_installed=
cleanup () {
  # Interrupted between install and purge: leave the machine as it was.
  [ -n "$we_installed" ] && apt-get purge -y -q gvt-view >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

for tool in dpkg-buildpackage dh lintian python3 desktop-file-validate appstreamcli man; do
  command -v "$tool" >/dev/null || bail "$tool is missing: tests/deps.sh installs it"
done
started=$SECONDS
version=$(meson introspect --projectinfo "$src/meson.build" \
          | python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])') \
  || bail "cannot read the project version from $src/meson.build"
echo "# gvt-view $version from $src"

# 1. The package, built in a copy of the tree: the files git knows (tracked
# and new ones, not ignored: no build directories), or without git all but
# build*/ and .git.
top=$tmp/src/gvt-view-$version
mkdir -p "$top"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  copy_tree () {
    # (files deleted in the work tree are still in git's index: left out)
    git -C "$src" ls-files -z --cached --others --exclude-standard \
      | (cd "$src" && while IFS= read -r -d '' f; do [ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"; done) \
      | (cd "$src" && tar --null --no-recursion -T - -cf -) | tar -C "$top" -xf -
  }
  check "a clean copy of the source tree (git ls-files: tracked and new files)" copy_tree
else
  copy_tree () { tar -C "$src" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$top" -xf -; }
  check "a clean copy of the source tree (not a git checkout: all but build*/ and .git)" copy_tree
fi
[ -x "$top/debian/rules" ] || bail "no debian/rules in the copy of $src"

build_package () {
  (cd "$top" && DEB_BUILD_OPTIONS="nocheck${DEB_BUILD_OPTIONS:+ $DEB_BUILD_OPTIONS}" \
     dpkg-buildpackage -us -uc -b -Pnocheck -Jauto) >"$tmp/build.log" 2>&1
  local rc=$?
  [ $rc = 0 ] || { tail -n 60 "$tmp/build.log"; return $rc; }
}
build_started=$SECONDS
if build_package >"$tmp/out" 2>&1; then
  echo "# dpkg-buildpackage: $((SECONDS - build_started)) s"
fi
debs=("$tmp"/src/gvt-view_"$version"_*.deb)
deb=${debs[0]}
changes=("$tmp"/src/gvt-view_"$version"_*.changes)
if [ -f "$deb" ]; then
  ok "dpkg-buildpackage -us -uc -b builds $(basename "$deb")"
else
  not_ok "dpkg-buildpackage -us -uc -b builds gvt-view_${version}_ARCH.deb" "$tmp/out"
  bail "no package was built"
fi

# 2. lintian on the .changes, which takes the .deb and the .buildinfo with
# it: every error and warning shown, an error fails.
lintian_clean () {
  local target=$deb
  [ -f "${changes[0]}" ] && target=${changes[0]}
  echo "lintian $(basename "$target")"
  lintian --no-tag-display-limit "$target" >"$tmp/lintian.log" 2>&1
  local rc=$?
  grep -E '^[EW]: ' "$tmp/lintian.log"
  # 0: no error tags; 1 with no E: line (or more): lintian itself failed
  [ $rc = 0 ] || { grep -q '^E: ' "$tmp/lintian.log" || tail -n 20 "$tmp/lintian.log"; return 1; }
  ! grep -qE '^E: ' "$tmp/lintian.log"
}
if lintian_clean >"$tmp/out" 2>&1; then
  ok "lintian: no errors ($(grep -c '^W: ' "$tmp/lintian.log") warnings)"
  sed 's/^/# /' "$tmp/out"
else
  not_ok "lintian: no errors" "$tmp/out"
fi

# 3. What the package holds: meson install's files and the examples.
dpkg -c "$deb" | awk '{ print $6 }' >"$tmp/contents"
id=io.github.gvt_view.Viewer
files=(/usr/bin/gvt-view /usr/share/man/man1/gvt-view.1.gz
       "/usr/share/applications/$id.desktop" "/usr/share/metainfo/$id.metainfo.xml"
       /usr/share/bash-completion/completions/gvt-view
       /usr/share/doc/gvt-view/examples/90-gvt-view-vfio.rules
       /usr/share/doc/gvt-view/examples/gvt-view-libvirt.xml)
for f in "${files[@]}"; do
  if grep -qxF ".$f" "$tmp/contents"; then ok "the package holds $f"
  else not_ok "the package holds $f" "$tmp/contents"; fi
done

# 4. Installed with apt (root only: it changes this machine).
[ "$(id -u)" = 0 ] || bail "installing the package needs root (CI runs as root): run this test as root"
if dpkg-query -W -f='${Status}' gvt-view 2>/dev/null | grep -q "install ok installed"; then
  echo "# gvt-view $(dpkg-query -W -f='${Version}' gvt-view) was installed already: reinstalled, purged at the end"
fi
apt_get () { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -q "$@"; }
# apt reads a local package as user _apt when it can.
chmod 755 "$tmp" "$tmp/src"
we_installed=1
check "apt-get install ./$(basename "$deb")" apt_get install --reinstall "$deb"

installed=/usr/bin/gvt-view
# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
check "$installed --version prints gvt-view $version" \
  bash -c '"$1" --version | tee /dev/stderr | grep -qxF "gvt-view $2"' _ "$installed" "$version"

# The installed binary draws what the build tree's does: the demo's frame,
# headless, pixel for pixel (PNGs decoded by tests/kernel/pngcmp.py's reader).
same_snapshot () {
  env -u DISPLAY -u WAYLAND_DISPLAY "$installed" demo --snapshot "$tmp/installed.png" || return 1
  env -u DISPLAY -u WAYLAND_DISPLAY "$build_bin" demo --snapshot "$tmp/build.png" || return 1
  python3 - "$here/../kernel/pngcmp.py" "$tmp/installed.png" "$tmp/build.png" <<'PY'
import ast, sys
# pngcmp.py runs its main() when loaded: take its functions only.
helper, got_path, want_path = sys.argv[1:]
tree = ast.parse(open(helper).read(), helper)
tree.body = [node for node in tree.body if not isinstance(node, ast.Expr)]
pngcmp = {}
exec(compile(tree, helper, "exec"), pngcmp)
w, h, bpp, got = pngcmp["read_png"](got_path)
ww, wh, wbpp, want = pngcmp["read_png"](want_path)
if (w, h, bpp) != (ww, wh, wbpp):
    sys.exit(f"differ: installed {w}x{h} ({bpp} bytes/pixel), build tree {ww}x{wh} ({wbpp})")
bad = [i for i in range(w * h) if got[i * bpp:(i + 1) * bpp] != want[i * bpp:(i + 1) * bpp]]
for i in bad[:5]:
    print(f"pixel {i % w},{i // w}: installed {got[i * bpp:(i + 1) * bpp].hex()}, "
          f"build tree {want[i * bpp:(i + 1) * bpp].hex()}")
if bad:
    sys.exit(f"{len(bad)} of {w * h} pixels differ")
print(f"{w}x{h}: all pixels equal")
PY
}
check "$installed demo --snapshot (no display) equals the build tree's, pixel for pixel" same_snapshot

# doctor --json: 0 (all well) or 1 (something to fix), never a crash or a
# usage error; a JSON array of checks, each {id, status, summary, fix}.
doctor_json () {
  "$installed" doctor --json >"$tmp/doctor.json" 2>"$tmp/doctor.err"
  local rc=$?
  cat "$tmp/doctor.err"
  [ $rc = 0 ] || [ $rc = 1 ] || { echo "exit status $rc, want 0 or 1"; return 1; }
  python3 - "$tmp/doctor.json" <<'PY'
import json, sys
try:
    checks = json.load(open(sys.argv[1]))
except ValueError as e:
    sys.exit(f"not JSON: {e}")
if not isinstance(checks, list) or not checks:
    sys.exit(f"want a non-empty JSON array, got {type(checks).__name__}: {checks!r:.200}")
bad = []
for i, c in enumerate(checks):
    if not isinstance(c, dict):
        bad.append(f"[{i}] is not an object")
        continue
    for key in ("id", "status", "summary"):
        if not isinstance(c.get(key), str):
            bad.append(f"[{i}] {key} is not a string: {c.get(key)!r}")
    if "fix" not in c or not (c["fix"] is None or isinstance(c["fix"], str)):
        bad.append(f"[{i}] fix is neither a string nor null: {c.get('fix', '(missing)')!r}")
    if c.get("status") not in ("ok", "warn", "fail", "skip"):
        bad.append(f"[{i}] status {c.get('status')!r} is not ok, warn, fail or skip")
print("\n".join(bad) or f"{len(checks)} checks: " +
      ", ".join(f"{c['id']} {c['status']}" for c in checks))
sys.exit(1 if bad else 0)
PY
}
check "$installed doctor --json: status 0 or 1, an array of {id, status, summary, fix}" doctor_json

man_page () {
  local page
  page=$(man -w gvt-view) || { ls -l /usr/share/man/man1/gvt-view.1*; return 1; }
  echo "$page"
  [ "$page" = /usr/share/man/man1/gvt-view.1.gz ]
}
check "man -w gvt-view finds /usr/share/man/man1/gvt-view.1.gz" man_page
check "desktop-file-validate on the installed $id.desktop" \
  desktop-file-validate /usr/share/applications/$id.desktop
check "appstreamcli validate on the installed $id.metainfo.xml" \
  appstreamcli validate --no-net /usr/share/metainfo/$id.metainfo.xml

# 5. Purged: gone.
purged () {
  apt_get purge gvt-view || return 1
  we_installed=
  [ ! -e "$installed" ] || { echo "$installed is still there"; return 1; }
  # purged: dpkg knows it no more, or as "not-installed" (no config-files left)
  local status
  status=$(dpkg-query -W -f='${Status}' gvt-view 2>/dev/null)
  case $status in
    "" | *" not-installed") ;;
    *) echo "dpkg still has gvt-view: $status"; return 1 ;;
  esac
}
check "apt-get purge gvt-view removes it: $installed is gone" purged

echo "# $((SECONDS - started)) s"
echo "1..$n"
[ $failed = 0 ]
