#!/bin/sh
# Fetches Mesa 25 from bookworm-backports into a private prefix, without
# installing it (TESTING.md section 2), so the render tests can run the
# dma-buf import path under llvmpipe. Idempotent: a second run with the
# prefix in place does nothing.
#
# Usage: fetch-mesa25.sh [CACHE_DIR]   (default: $GVT_CACHE or ./mesa25)
# Prints the library directory to put on LD_LIBRARY_PATH.
set -eu

cache=${1:-${GVT_CACHE:-$PWD/mesa25}}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)   # apt resolves relative paths against /etc/apt
prefix=$cache/root
libdir=$prefix/usr/lib/x86_64-linux-gnu
stamp=$prefix/.complete

if [ -f "$stamp" ] && [ -e "$libdir/libEGL_mesa.so.0" ]; then
  echo "$libdir"
  exit 0
fi

packages="libegl-mesa0 libgl1-mesa-dri mesa-libgallium libgbm1 libglx-mesa0
libdrm2 libdrm-amdgpu1 libdrm-intel1"

# The machine's own Debian mirror, as its apt sources name it.
mirror=
for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
  [ -r "$f" ] || continue
  mirror=$(sed -n -e 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)\/*$/\1/p' \
                  -e 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\/debian\)\/*[[:space:]].*/\2/p' \
                  "$f" | head -n 1)
  [ -n "$mirror" ] && break
done
mirror=${mirror:-http://deb.debian.org/debian}

apt_dir=$cache/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$cache/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cat > "$apt_dir/sources.list" <<SOURCES
deb [signed-by=$keyring] $mirror bookworm main
deb [signed-by=$keyring] $mirror bookworm-backports main
SOURCES

apt_private() {
  apt-get -q \
    -o Dir::Etc::SourceList="$apt_dir/sources.list" \
    -o Dir::Etc::SourceParts=/nonexistent \
    -o Dir::State::Lists="$apt_dir/lists" \
    -o Dir::Cache="$apt_dir/cache" \
    -o APT::Sandbox::User=root \
    "$@"
}

apt_private update >"$apt_dir/update.log" 2>&1 || {
  cat "$apt_dir/update.log" >&2
  echo "fetch-mesa25: apt-get update against $mirror failed" >&2
  exit 1
}

targets=
for p in $packages; do
  targets="$targets $p/bookworm-backports"
done
(cd "$cache/debs" && rm -f ./*.deb && apt_private download $targets) >"$apt_dir/download.log" 2>&1 || {
  cat "$apt_dir/download.log" >&2
  echo "fetch-mesa25: downloading Mesa from bookworm-backports failed" >&2
  exit 1
}

rm -rf "$prefix"
mkdir -p "$prefix"
for deb in "$cache"/debs/*.deb; do
  dpkg -x "$deb" "$prefix"
done
[ -e "$libdir/libEGL_mesa.so.0" ] || {
  echo "fetch-mesa25: libEGL_mesa.so.0 missing from the extracted packages" >&2
  exit 1
}
touch "$stamp"
echo "$libdir"
