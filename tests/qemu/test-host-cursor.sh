#!/bin/bash
# The guest's cursor as the host pointer, on X11: a simulated vGPU showing
# the demo's cursor (64x64 arrow, hotspot 1,1, soft shadow) at guest
# (200, 150), input absolute through a real QEMU's QMP link (a usb-tablet).
# With the pointer in the letterbox the cursor plane is blended into the
# frame; over the image the host pointer becomes that cursor (the X
# server's own cursor image, read with XFixes: size and hotspot, scaled
# with the view) and the plane is no longer blended. The oracle: the X
# server's cursor image composited over the cursorless frame equals the
# frame gvt-view blended itself, pixel for pixel; at scale 2 the cursor is
# 128x128 with its hotspot at 2,2.
#
# Usage: test-host-cursor.sh GVT_VIEW UI_CHECK   (TAP on stdout)
set -u
GVT_VIEW=$(realpath "$1") UI_CHECK=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../ui/ui-lib.sh"
require Xvfb import xprop openbox xdotool qemu-system-x86_64 python3
. "$here/qemu-lib.sh"

qemu_test_dirs
qemu_x_display 2000x1400
qemu_start -device usb-ehci -device usb-tablet || { echo "Bail out! no QEMU"; exit 1; }

shot () { import -window root "$TMP/$1.png"; }
int () { printf '%.0f' "$(stat "$1")"; }

# run_case NAME SCALE-MODE SIZE K: the viewer on sim:800x600 with the
# cursor; K the view's scale (1 native, 2 integer).
run_case () {
  local name=$1 mode=$2 size=$3 k=$4 x y ox oy cx cy
  start "$name" sim:800x600 --qmp "$SOCK" --sim-cursor --scale "$mode" --size "$size" \
    --stats-interval 0.3
  if ! settle state=live input=absolute; then not_ok "$name: live with absolute input" "$TMP/wait.out"; return; fi
  x=$(stat x) y=$(stat y) ox=$(int view_offset_x) oy=$(int view_offset_y)
  [ "$(int view_scale_x)" = "$k" ] || { not_ok "$name: view scale $k (is $(stat view_scale_x))"; return; }
  # The cursor image's top-left on the screen, and its size there.
  cx=$((x + ox + 200 * k)) cy=$((y + oy + 150 * k))
  local size_px=$((64 * k))

  # In the letterbox (left of the image): the plane is blended, no host cursor.
  xdotool mousemove $((x + ox / 2)) $((y + 20))
  if settle host_cursor=false; then ok "$name: pointer in the letterbox: the plane is drawn"
  else not_ok "$name: pointer in the letterbox: no host cursor" "$TMP/wait.out"; fi
  sleep 0.3; shot "$name-plane"

  # Over the image: the host pointer is the guest's cursor.
  xdotool mousemove $((x + ox + 600 * k)) $((y + oy + 400 * k))
  if settle host_cursor=true; then ok "$name: pointer over the image: the host cursor is the guest's"
  else not_ok "$name: pointer over the image: host cursor on" "$TMP/wait.out"; fi
  sleep 0.3; shot "$name-host"
  "$UI_CHECK" cursor-over "$TMP/$name-host.png" $((cx + k)) $((cy + k)) "$TMP/$name-over.png" \
    >"$TMP/cursor.out" 2>&1
  check "$name: the X cursor is ${size_px}x${size_px}, hotspot $k,$k" \
    grep -qx "cursor $size_px $size_px hot $k $k" "$TMP/cursor.out"
  # The frame under the host pointer has no cursor plane in it ...
  if "$UI_CHECK" compare "$TMP/$name-plane.png" "$cx" "$cy" "$size_px" "$size_px" \
       <(convert "$TMP/$name-host.png" -crop "${size_px}x${size_px}+$cx+$cy" +repage png:-) 0 \
       >"$TMP/cmp.out" 2>&1; then
    not_ok "$name: the plane is not blended under the host cursor" "$TMP/cmp.out"
  else ok "$name: the plane is not blended under the host cursor"; fi
  # ... and the X server's cursor over it is gvt-view's own blend.
  convert "$TMP/$name-over.png" -crop "${size_px}x${size_px}+$cx+$cy" +repage "$TMP/$name-over-crop.png"
  check "$name: the X cursor over the frame equals the blended plane (tolerance 1)" \
    "$UI_CHECK" compare "$TMP/$name-plane.png" "$cx" "$cy" "$size_px" "$size_px" \
    "$TMP/$name-over-crop.png" 1

  # Back out: the plane again.
  xdotool mousemove $((x + ox / 2)) $((y + 20))
  if settle host_cursor=false; then ok "$name: pointer out again: the plane is drawn again"
  else not_ok "$name: pointer out again" "$TMP/wait.out"; fi
  check "$name: closes cleanly" closes_cleanly
  check "$name: no warnings" quiet
}

run_case native native 1000x600 1
run_case integer integer 1800x1300 2

# --view-only: input is off, so the host pointer stays the host's.
start view-only sim:800x600 --qmp "$SOCK" --sim-cursor --view-only --size 1000x600 \
  --stats-interval 0.3
if settle state=live input=off; then
  xdotool mousemove $(($(stat x) + 500)) $(($(stat y) + 300))
  sleep 1
  check "--view-only: no host cursor" settle host_cursor=false input=off
else not_ok "--view-only: live" "$TMP/wait.out"; fi
check "--view-only: closes cleanly" closes_cleanly

echo "1..$n"
[ "$failed" -eq 0 ]
