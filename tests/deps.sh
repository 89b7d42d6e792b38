#!/bin/bash
# Installs the Debian 12 packages gvt-view needs to build and to run every
# test suite. Re-runs itself through sudo when not root.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  exec sudo "$0" "$@"
fi

packages=(
  # build
  gcc meson ninja-build pkg-config
  # kernel headers: linux/vfio.h, and input-event-codes.h the key table is checked against
  linux-libc-dev
  libglib2.0-dev libjson-glib-dev
  # the fake kernel for the device-access tests
  umockdev libumockdev-dev
  # the renderer: EGL/GLES through libepoxy, llvmpipe for headless tests
  libepoxy-dev libegl-dev libgles-dev libgbm-dev libpng-dev
  # DRM fourcc/modifier constants and names, render nodes
  libdrm-dev
  libegl-mesa0 libgl1-mesa-dri
  # tests
  valgrind
  # the sanitize stage: ASan (with LSan) and UBSan runtimes; gcc-12 brings
  # them already (libgcc-12-dev depends on them), named here to say so
  libasan8 libubsan1
  # the real-kernel VM suite (tests/kernel/run-vm.sh)
  qemu-system-x86 busybox-static make gcc-12 patch xz-utils kmod python3
  # the viewer window (GTK 3) and its tests on X11 (Xvfb) and Wayland (weston)
  libgtk-3-dev xvfb xauth x11-utils xdotool openbox imagemagick weston
  # the host-cursor test reads the X server's cursor image (XFixes)
  libxfixes-dev
  # --relative-mouse and the grab on Wayland: the pointer-constraints,
  # relative-pointer and shortcuts-inhibit protocols (XML + wayland-scanner);
  # the test compositor that has them and takes input from a client (sway,
  # headless; tests/ui/wl-input.c drives it, with xkbcommon for its keymap)
  libwayland-dev libwayland-bin wayland-protocols sway libxkbcommon-dev
  # xset (the X server's key auto-repeat, for the QEMU input test)
  x11-xserver-utils
  # the QEMU system tests (tests/qemu): SeaBIOS drawing on ramfb (qemu-system-x86
  # depends on it; named for what the tests look at), QMP from python3
  seabios
  # `gvt-view attach DOMAIN` against a real libvirt (tests/libvirt)
  libvirt-daemon-system libvirt-clients libvirt-daemon-driver-qemu
  # the EDID the guest reads, checked in the kernel VM suite
  edid-decode
  # pgrep, pkill and ps for the process tests (attach, run, libvirt)
  procps
  # the desktop file and the AppStream metainfo, validated (tests/check-data.sh)
  desktop-file-utils appstream
  # the Debian package (debian/), built, checked and installed by
  # tests/package/test-deb.sh (Rules-Requires-Root: no, so no fakeroot);
  # man-db for `man -w` on the installed page
  debhelper dpkg-dev lintian man-db
)

export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" > /dev/null || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
