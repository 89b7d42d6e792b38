#!/bin/bash
# The viewer window on Wayland: weston's headless backend (pixman, desktop
# shell), GTK on Wayland (GtkGLArea, OpenGL ES). Screenshots come from
# weston (weston-screenshooter, weston --debug) and are compared with
# headless snapshots of the same frame. Fullscreen windows (-f) give a
# known placement; a second weston with an output of scale 2 checks HiDPI.
# Under with-mesa25.sh (GVT_TEST_EXPECT_IMPORT=1) the
# picture must come through the zero-copy import path.
#
# Weston's headless backend has no seat, so keys can't be injected here:
# the key tests run on X11 (test-x11.sh); the scaling modes are set with
# --scale instead.
#
# Usage: test-wayland.sh GVT_VIEW UI_CHECK   (TAP on stdout)
set -u
GVT_VIEW=$(realpath "$1") UI_CHECK=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/ui-lib.sh"

require weston weston-screenshooter convert

TMP=$(mktemp -d)
export XDG_RUNTIME_DIR=$TMP/runtime
mkdir -m 700 "$XDG_RUNTIME_DIR"
trap 'stop >/dev/null 2>&1; kill $weston_pids 2>/dev/null; rm -rf "$TMP"' EXIT
# No fades or zooms: a screenshot must show the window as drawn.
cat >"$TMP/weston.ini" <<'INI'
[shell]
animation=none
close-animation=none
startup-animation=none
focus-animation=none
panel-position=none
INI
weston_pids=
# start_weston SOCKET ARGS...: a headless weston on SOCKET, 1600x1000 device
# pixels (--width and --height are logical: ARGS with --scale=2 halve them).
start_weston () {
  local socket=$1; shift
  weston --config="$TMP/weston.ini" --backend=headless-backend.so --use-pixman \
    --socket="$socket" --idle-time=0 --shell=desktop-shell.so --debug "$@" \
    >"$TMP/weston-$socket.log" 2>&1 &
  weston_pids="$weston_pids $!"
  for _ in $(seq 100); do [ -S "$XDG_RUNTIME_DIR/$socket" ] && break; sleep 0.1; done
  if [ ! -S "$XDG_RUNTIME_DIR/$socket" ]; then
    echo "Bail out! weston did not start: $(tail -n 3 "$TMP/weston-$socket.log" | tr '\n' ' ')"
    exit 1
  fi
}
start_weston gvt-test --width=1600 --height=1000
export WAYLAND_DISPLAY=gvt-test GDK_BACKEND=wayland NO_AT_BRIDGE=1
export DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent
unset DISPLAY
expect_import=${GVT_TEST_EXPECT_IMPORT:-0}
want_path=upload
[ "$expect_import" = 1 ] && want_path=import

# shot NAME: weston's own capture of its output.
shot () {
  rm -f "$TMP"/wayland-screenshot-*.png
  (cd "$TMP" && weston-screenshooter >/dev/null 2>&1)
  mv "$TMP"/wayland-screenshot-*.png "$TMP/$1.png"
}

# 1. The demo frozen at 5 s, fullscreen: exactly its snapshot at 1600x1000.
start demo demo --at 5 -f
if settle state=live fullscreen=true width=1600 height=1000; then
  shot demo
  check "wayland: demo fullscreen equals its snapshot (1600x1000)" \
    picture_matches demo "$TMP/demo.png" demo --at 5 --snapshot "$TMP/ref.png"
  check "wayland: the picture came by the $want_path path" test "$(stat path)" = "$want_path"
  check "wayland: surface is GtkGLArea" test "$(stat surface)" = wayland-glarea
else not_ok "wayland: demo window settles live and fullscreen" "$TMP/wait.out"; fi
check "wayland: closes cleanly on SIGTERM" stop
check "wayland: no warnings (the seat-less keyboard critical is filtered)" no_warnings "$VIEWER_ERR"

# 2. Each scaling mode on a device (linear filtering: 1 level, see test-x11.sh).
for mode in fit fill integer native; do
  case $mode in fit|fill) TOLERANCE=1 ;; *) TOLERANCE=0 ;; esac
  start "sim-$mode" sim:300x200 -f --scale "$mode"
  if settle state=live "scale=$mode" fullscreen=true; then
    shot "sim-$mode"
    check "wayland: --scale $mode equals the snapshot" \
      picture_matches "sim-$mode" "$TMP/sim-$mode.png" snapshot sim:300x200 --scale "$mode" -o "$TMP/ref.png"
  else not_ok "wayland: device window settles with --scale $mode" "$TMP/wait.out"; fi
  stop
done
TOLERANCE=0

# 3. The state screens.
start nosignal demo --at 1 -f
if settle state=no-signal fullscreen=true; then
  shot nosignal
  check "wayland: no signal: text in the middle, black around" message_shown "$TMP/nosignal.png"
else not_ok "wayland: the firmware phase shows 'no signal'" "$TMP/wait.out"; fi
stop

start lost demo --at 5 -f --lose-after-ticks 3
if settle state=lost fullscreen=true; then
  shot lost
  check "wayland: device lost: text in the middle, black around" message_shown "$TMP/lost.png"
  check "wayland: device lost: no texture or EGLImage held any more" \
    test "$(stat live_textures)/$(stat live_images)" = 0/0
else not_ok "wayland: an unplugged device shows 'device lost'" "$TMP/wait.out"; fi
stop

start unsupported sim:640x480:YUYV -f
if settle state=unsupported fullscreen=true; then
  shot unsupported
  check "wayland: unsupported format: text in the middle, black around" message_shown "$TMP/unsupported.png"
  check "wayland: unsupported format: the screen says so, naming YUYV" \
    grep -q '"detail" : ".*unsupported format YUYV' "$VIEWER_STATS"
else not_ok "wayland: a YUYV plane shows 'unsupported format'" "$TMP/wait.out"; fi
check "wayland: unsupported format: closes cleanly" stop
check "wayland: unsupported format: the bad plane is logged once, nothing else" \
  only_warning "$VIEWER_ERR" "ignoring the guest's plane: primary plane has unsupported format YUYV"

start reopen sim:640x480 -f --lose-after-ticks 3
if settle state=live reopens=1; then
  shot reopen
  check "wayland: a lost device is reopened and shown again" \
    picture_matches reopen "$TMP/reopen.png" snapshot sim:640x480 -o "$TMP/ref.png"
else not_ok "wayland: the lost sim device is reopened" "$TMP/wait.out"; fi
stop

# 4. HiDPI: a weston output of scale 2 (1600x1000 device pixels), frames
# drawn at the buffer scale. Native: the demo's 1280x720 frame 1:1 in
# device pixels. Integer: each guest pixel of a 300x200 guest an exact 5x5
# block (at logical size the factor would be 2, doubled to 4).
start_weston gvt-test-hidpi --width=800 --height=500 --scale=2
"$GVT_VIEW" demo --at 5 --snapshot "$TMP/hidpi-demo-ref.png" >/dev/null
"$GVT_VIEW" snapshot sim:300x200 -o "$TMP/hidpi-sim-ref.png" >/dev/null
WAYLAND_DISPLAY=gvt-test-hidpi start hidpi-native demo --at 5 -f --scale native
if settle state=live fullscreen=true scale_factor=2 width=1600 height=1000; then
  WAYLAND_DISPLAY=gvt-test-hidpi shot hidpi-native
  check "wayland: scale 2, --scale native: the demo 1:1 in device pixels, exact" \
    zoomed_matches "$TMP/hidpi-native.png" 1 1280 720 "$TMP/hidpi-demo-ref.png"
else not_ok "wayland: scale 2: the native demo settles fullscreen at 1600x1000" "$TMP/wait.out"; fi
check "wayland: scale 2, native: closes cleanly" stop
check "wayland: scale 2, native: no warnings" no_warnings "$VIEWER_ERR"

WAYLAND_DISPLAY=gvt-test-hidpi start hidpi-int sim:300x200 -f --scale integer
if settle state=live fullscreen=true scale_factor=2 width=1600 height=1000; then
  WAYLAND_DISPLAY=gvt-test-hidpi shot hidpi-int
  check "wayland: scale 2, --scale integer: each guest pixel an exact 5x5 block" \
    zoomed_matches "$TMP/hidpi-int.png" 5 300 200 "$TMP/hidpi-sim-ref.png"
else not_ok "wayland: scale 2: the integer window settles fullscreen" "$TMP/wait.out"; fi
stop

# 4b. A frozen guest (no change at all): a frame on every live tick still.
start frozen-rate demo --at 7 -f --stats-interval 0.2
if settle state=live fullscreen=true; then
  sample a; u1=$(sampled a plane_updates) p1=$(sampled a frames_presented) t1=$(sampled a live_ticks)
  sleep 1
  sample b; u2=$(sampled b plane_updates) p2=$(sampled b frames_presented) t2=$(sampled b live_ticks)
  echo "# frozen: $((p2 - p1)) frames over $((t2 - t1)) live ticks, $((u2 - u1)) plane changes"
  check "wayland: a frozen guest changes no plane" test "$u1" = "$u2"
  check "wayland: ... and is presented on every live tick (>= ticks - 2, over >= 10 ticks)" \
    test "$((p2 - p1))" -ge "$((t2 - t1 - 2))" -a "$((t2 - t1))" -ge 10
else not_ok "wayland: the frozen demo settles" "$TMP/wait.out"; fi
check "wayland: the frozen demo closes cleanly" stop

# 5. The live demo: no warnings, frames at the display's rate.
start live demo -f --exit-after-ticks 300 --stats-interval 0.1
if settle state=live; then
  check "wayland: the live demo (page flips) holds no texture or EGLImage the poller let go of" \
    test "$(stat live_textures)" -le "$(stat cached_buffers)" -a "$(stat live_images)" -le "$(stat cached_buffers)"
  [ "$want_path" = import ] && check "wayland: ... and it imports (EGLImages held)" test "$(stat live_images)" -gt 0
else not_ok "wayland: the live demo settles" "$TMP/wait.out"; fi
wait "$VIEWER_PID"; rc=$?; VIEWER_PID=
check "wayland: the live demo exits 0 after 300 ticks" test "$rc" = 0
check "wayland: the live demo logs no warnings" no_warnings "$VIEWER_ERR"
presented=$(stat frames_presented) live_ticks=$(stat live_ticks)
echo "# presented $presented frames over $live_ticks live ticks of $(stat ticks)"
check "wayland: exactly 300 ticks" test "$(stat ticks)" = 300
check "wayland: frames were presented (the desktop came up)" test "$presented" -gt 30
check "wayland: a frame presented on every live tick (>= live ticks - 2)" \
  test "$presented" -ge "$((live_ticks - 2))"
check "wayland: the live demo used the $want_path path" test "$(stat path)" = "$want_path"

finish
