#!/bin/bash
# The real-kernel suite: boots Debian's 6.12 kernel under QEMU (TCG) with the
# kernel's sample mdev display drivers (mbochs: dma-buf planes, mdpy: region
# planes) and runs gvt-view against them from inside the VM, where the host's
# root file system is mounted read-only over virtio 9p.
#
# Everything comes from Debian packages, fetched with `apt-get download` and
# unpacked with `dpkg -x` into a cache (never installed). See TESTING.md §4.
#
# Usage: run-vm.sh [--prepare-only] BUILDDIR
#   BUILDDIR   the meson build dir holding gvt-view and tests/kernel/mdev-guest
#   $GVT_CACHE download/build cache (default BUILDDIR/kernel-cache)
#   $GVT_KERNEL_TIMEOUT  seconds the VM may run (default 780)
#   $GVT_KERNEL_TESTS    space-separated test names to run (default: all)
#
# Prints TAP, one line per test, and a summary; exits 0 only
# when every test passed, the guest printed its end marker, and the console
# has no kernel error. Any missing prerequisite is a loud failure: in CI this
# suite must run, never skip.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
prepare_only=false
if [ "${1:-}" = --prepare-only ]; then
  prepare_only=true
  shift
fi
[ $# -eq 1 ] || { echo "usage: $0 [--prepare-only] BUILDDIR" >&2; exit 2; }
builddir=$(cd "$1" && pwd)
cache=${GVT_CACHE:-$builddir/kernel-cache}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
timeout_s=${GVT_KERNEL_TIMEOUT:-780}

log() { printf 'run-vm: %s\n' "$*" >&2; }
die() { printf 'run-vm: FATAL: %s\n' "$*" >&2; echo "Bail out! $*"; exit 1; }

need_tool() {
  command -v "$1" >/dev/null 2>&1 || die "$1 not found: install $2 (tests/deps.sh does)"
}
need_tool apt-get apt
need_tool dpkg-deb dpkg
need_tool qemu-system-x86_64 qemu-system-x86
need_tool make make
need_tool gcc-12 gcc-12
need_tool xz xz-utils
need_tool patch patch
need_tool depmod kmod
need_tool modinfo kmod
# grep reads all its input here: with pipefail, `grep -q` exiting early would
# fail the pipeline on the writer's SIGPIPE, at random.
[ -x /bin/busybox ] && /bin/busybox --list | grep -x cpio > /dev/null \
  || die "/bin/busybox with cpio not found: install busybox-static"
{ ldd /bin/busybox 2>&1 || true; } | grep 'not a dynamic' > /dev/null \
  || die "/bin/busybox is not static: install busybox-static"

# ---------------------------------------------------------------- packages
# The ABI follows the 6.12 metapackage (bookworm-security), so a kernel
# security update moves the whole suite to the new ABI at once.
resolve_abi() {
  local dep
  # A fresh machine may have no package lists yet: refresh once, as root.
  if ! apt-cache show linux-image-6.12-amd64 >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    log "no package lists know linux-image-6.12-amd64: apt-get update"
    apt-get update -q >&2 || die "apt-get update failed"
  fi
  # No `| head` under pipefail: a writer killed by SIGPIPE fails the script.
  dep=$(apt-cache depends linux-image-6.12-amd64 2>/dev/null \
          | sed -n 's/^ *Depends: linux-image-\(6\.12\.[^ ]*-amd64\)$/\1/p')
  dep=${dep%%$'\n'*}
  [ -n "$dep" ] || die "apt-cache knows no linux-image-6.12-amd64 (bookworm-security missing from the apt sources, or no apt-get update?)"
  echo "${dep%-amd64}"
}
abi=$(resolve_abi)                       # e.g. 6.12.117+deb12
kver=$abi-amd64
pkgver=$(apt-cache policy "linux-image-$kver" | sed -n 's/^ *Candidate: //p')
[ -n "$pkgver" ] && [ "$pkgver" != "(none)" ] || die "no candidate for linux-image-$kver"
log "kernel $kver (package $pkgver)"

debs=$cache/debs/$pkgver
root=$cache/root-$kver                   # image + headers + kbuild unpacked
fetch_packages() {
  [ -f "$root/.complete" ] && return 0
  mkdir -p "$debs"
  local pkgs=(
    "linux-image-$kver=$pkgver"
    "linux-headers-$kver=$pkgver"
    "linux-headers-$abi-common=$pkgver"
    "linux-kbuild-$abi=$pkgver"
    "linux-source-6.12=$pkgver"
  )
  log "downloading ${pkgs[*]}"
  (cd "$debs" && apt-get download -q -o APT::Sandbox::User=root "${pkgs[@]}") >&2 \
    || die "apt-get download failed (network? apt-get update?)"
  rm -rf "$root.tmp"
  mkdir -p "$root.tmp"
  local d
  for d in "$debs"/linux-image-*.deb "$debs"/linux-headers-*.deb "$debs"/linux-kbuild-*.deb; do
    dpkg -x "$d" "$root.tmp"
  done
  # The package leaves modules.dep to the installer's depmod.
  depmod -b "$root.tmp" "$kver" || die "depmod on the unpacked image failed"
  touch "$root.tmp/.complete"
  rm -rf "$root"
  mv "$root.tmp" "$root"
}

# Only samples/vfio-mdev/ is needed out of the 150 MB source tarball; the
# extraction is the slow step, so it is cached by package version.
samples=$cache/samples-$pkgver
extract_samples() {
  [ -f "$samples/.complete" ] && return 0
  local deb
  local sources=("$debs"/linux-source-6.12_*.deb)
  deb=${sources[0]}
  [ -e "$deb" ] || deb=
  [ -n "$deb" ] || die "linux-source-6.12 package missing from $debs"
  log "extracting samples/vfio-mdev from $(basename "$deb")"
  rm -rf "$samples.tmp"
  mkdir -p "$samples.tmp"
  dpkg-deb --fsys-tarfile "$deb" \
    | tar -xO --wildcards '*usr/src/linux-source-6.12.tar.*' \
    | tar -xJ -C "$samples.tmp" --strip-components=3 \
        linux-source-6.12/samples/vfio-mdev/mbochs.c \
        linux-source-6.12/samples/vfio-mdev/mdpy.c \
        linux-source-6.12/samples/vfio-mdev/mdpy-defs.h
  for f in mbochs.c mdpy.c mdpy-defs.h; do
    [ -s "$samples.tmp/$f" ] || die "samples/vfio-mdev/$f not found in $(basename "$deb")"
  done
  touch "$samples.tmp/.complete"
  rm -rf "$samples"
  mv "$samples.tmp" "$samples"
}

# ---------------------------------------------------------------- modules
headers=$root/usr/src/linux-headers-$kver
modules=$cache/modules-$pkgver
# Debian's headers dir has a stub Makefile that includes the common headers
# by absolute path (/usr/src/...); point it at our unpacked copy instead.
fix_headers() {
  local mk=$headers/Makefile common=$root/usr/src/linux-headers-$abi-common
  [ -f "$common/Makefile" ] || die "$common/Makefile missing (package layout changed?)"
  grep -qx "include /usr/src/linux-headers-$abi-common/Makefile" "$mk" \
    || grep -qx "include $common/Makefile" "$mk" \
    || die "unexpected $mk (package layout changed?): $(cat "$mk")"
  echo "include $common/Makefile" > "$mk"
}

build_one() {   # DIR: a dir with the sources and a Kbuild
  make -s -C "$headers" M="$1" CC=gcc-12 CONFIG_DEBUG_INFO_BTF_MODULES= modules >&2 \
    || die "building the sample modules in $1 failed"
}

build_modules() {
  local stamp=$modules/.complete
  if [ -f "$stamp" ] && [ "$stamp" -nt "$here/mbochs-test-fixes.patch" ]; then
    return 0
  fi
  fix_headers
  rm -rf "$modules"
  mkdir -p "$modules/pristine" "$modules/fixed"
  cp "$samples"/mbochs.c "$samples"/mdpy.c "$samples"/mdpy-defs.h "$modules/pristine/"
  printf 'obj-m += mbochs.o mdpy.o\n' > "$modules/pristine/Kbuild"
  cp "$samples"/mbochs.c "$modules/fixed/"
  printf 'obj-m += mbochs.o\n' > "$modules/fixed/Kbuild"
  patch -s -d "$modules/fixed" -p1 < "$here/mbochs-test-fixes.patch" \
    || die "mbochs-test-fixes.patch does not apply to $pkgver's mbochs.c"
  log "building mbochs, mdpy and the test-only fixed mbochs"
  build_one "$modules/pristine"
  build_one "$modules/fixed"
  touch "$stamp"
}

# ---------------------------------------------------------------- initramfs
modroot=$root/lib/modules/$kver
# Prints the module files (relative to $modroot) needed for NAME, deps first.
declare -A seen=()
mod_closure() {
  local name=$1 line path deps d
  line=$(grep -E "(^|/)${name//_/[_-]}\.ko(\.[a-z]+)?:" "$modroot/modules.dep" | head -n 1 || true)
  if [ -z "$line" ]; then
    grep -qE "(^|/)${name//_/[_-]}\.ko$" "$modroot/modules.builtin" && return 0
    log "module $name is neither in modules.dep nor built in"
    return 1
  fi
  path=${line%%:*}
  deps=${line#*:}
  [ -n "${seen[$path]:-}" ] && return 0
  seen[$path]=1
  for d in $deps; do
    d=$(basename "$d"); d=${d%%.ko*}
    mod_closure "$d" || return 1
  done
  echo "$path"
}

initrd=$cache/initrd-$pkgver.cpio.gz
build_initrd() {
  local stamp=$initrd
  if [ -f "$stamp" ] && [ "$stamp" -nt "$here/init.sh" ] && [ "$stamp" -nt "$modules/.complete" ]; then
    return 0
  fi
  log "building the initramfs"
  local ir=$cache/initrd.tmp m f
  rm -rf "$ir"
  mkdir -p "$ir"/{bin,dev,proc,sys,host,lib/modules/samples/pristine,lib/modules/samples/fixed}
  cp /bin/busybox "$ir/bin/busybox"
  cp "$here/init.sh" "$ir/init"
  chmod 755 "$ir/init"
  # 9p over virtio-pci for the host root, then VFIO and mdev for the samples.
  # 9p over virtio-pci for the host root, then what the samples need.
  local need=(virtio_pci 9pnet_virtio 9p vfio vfio_iommu_type1 mdev) list=() d
  for f in "$modules"/pristine/{mbochs,mdpy}.ko "$modules"/fixed/mbochs.ko; do
    for d in $(modinfo -F depends "$f" | tr ',' ' '); do need+=("$d"); done
  done
  [ -f "$modroot/modules.dep" ] || depmod -b "$root" "$kver" || die "depmod failed"
  mapfile -t list < <(for m in "${need[@]}"; do mod_closure "$m" || echo FAIL; done)
  printf '%s\n' "${list[@]}" | grep -x FAIL > /dev/null && die "module dependencies could not be resolved"
  : > "$ir/lib/modules/load-order"
  for f in "${list[@]}"; do
    local out
    out=$ir/lib/modules/$(basename "${f%%.ko*}").ko
    case $f in
      *.ko.xz) xz -dc "$modroot/$f" > "$out" ;;
      *.ko.zst) zstd -qdc "$modroot/$f" > "$out" ;;
      *.ko) cp "$modroot/$f" "$out" ;;
      *) die "unexpected module file $f" ;;
    esac
    basename "$out" >> "$ir/lib/modules/load-order"
  done
  cp "$modules"/pristine/{mbochs,mdpy}.ko "$ir/lib/modules/samples/pristine/"
  cp "$modules"/fixed/mbochs.ko "$ir/lib/modules/samples/fixed/"
  (cd "$ir" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$initrd.tmp"
  mv "$initrd.tmp" "$initrd"
  rm -rf "$ir"
}

fetch_packages
extract_samples
build_modules
build_initrd
kernel=$(ls "$root"/boot/vmlinuz-"$kver")
log "ready: $kernel, $initrd"
$prepare_only && exit 0

# ---------------------------------------------------------------- boot
gvt_view=$builddir/src/gvt-view
guest=$builddir/tests/kernel/mdev-guest
[ -x "$gvt_view" ] || die "$gvt_view not built"
[ -x "$guest" ] || die "$guest not built"

# Mesa 25 (bookworm-backports, not installed) for the dma-buf import test;
# its absence fails that test inside the VM, not the whole run.
mesa25=
fetch_mesa=$here/../render/fetch-mesa25.sh
if [ -f "$fetch_mesa" ]; then
  mesa25=$(sh "$fetch_mesa" "${GVT_MESA25_CACHE:-$builddir/mesa25}") \
    || { log "fetching Mesa 25 failed: the EGL import test will fail"; mesa25=; }
else
  log "$fetch_mesa missing: the EGL import test will fail"
fi

console=$builddir/meson-logs/kernel-console.log
mkdir -p "$(dirname "$console")"
# The guest suite runs from the host's own tree (9p), so it sees this build.
append="console=ttyS0 oops=panic panic=-1 quiet mitigations=off"
append+=" gvt.suite=$here/guest-suite.sh gvt.build=$builddir gvt.src=$(cd "$here/../.." && pwd)"
tests_arg=${GVT_KERNEL_TESTS:-all}
append+=" gvt.tests=${tests_arg// /,}"
append+=" gvt.mesa25=$mesa25"

rm -f "$console"
log "booting (timeout ${timeout_s}s), console in $console"
start=$(date +%s)
set +e
timeout --kill-after=10 "$timeout_s" \
  qemu-system-x86_64 -accel tcg,thread=multi -smp 2 -m 2048 -cpu max \
    -nographic -nodefaults -no-reboot -serial stdio \
    -kernel "$kernel" -initrd "$initrd" -append "$append" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    < /dev/null 2>&1 | tee "$console" | sed -u -n 's/^\(KTEST [^\r]*\)\r*$/# \1/p'
qemu_status=${PIPESTATUS[0]}
set -e
log "VM finished after $(( $(date +%s) - start ))s (qemu exit $qemu_status)"

exec python3 "$here/grade.py" "$console" "$qemu_status"
