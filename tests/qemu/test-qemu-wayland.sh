#!/bin/bash
# --relative-mouse and the keyboard on Wayland, checked in what a real QEMU
# (TCG, no tablet: the PS/2 mouse) received (its input_event_* trace).
# The compositor is sway (headless, pixman): it has the pointer-constraints
# and relative-pointer protocols the viewer locks the pointer with, and
# takes input from a client (wl-input: wlroots' virtual pointer and
# keyboard protocols) through the same path as a mouse's: pointer lock,
# relative motion, focus. Weston's headless backend has no seat.
#
#  1. the viewer finds both protocols (relative_pointer "locked");
#  2. a click grabs the pointer and the compositor locks it (the click is
#     not sent);
#  3. ten moves of 100 px right arrive as 1000 px (summed: one command per
#     main-loop turn): the window is 640 px wide and the pointer starts 300
#     px from its left edge, so without the lock it would leave after the
#     fourth and the rest would go elsewhere; then a move up and left;
#  4. keys reach the guest (Wayland's keyboard, the us keymap), and while
#     grabbed so does a shortcut of the compositor's (keyboard shortcuts
#     inhibited), which sway then doesn't act on;
#  5. Ctrl+Alt+G gives the pointer back: unlocked, no more motion sent, no g;
#     the compositor's shortcut is its own again;
#  6. a new window takes the focus: the compositor ends the lock, the grab
#     ends with it (said), nothing is sent after;
#  7. SIGTERM: exit 0, and nothing but those messages on stderr.
#
# sway refuses to run as root: as root the test runs it as nobody (the
# viewer connects to its socket by path).
#
# Usage: test-qemu-wayland.sh GVT_VIEW UI_CHECK WL_INPUT   (TAP on stdout)
set -u
GVT_VIEW=$(realpath "$1") UI_CHECK=$(realpath "$2") WL_INPUT=$(realpath "$3")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../ui/ui-lib.sh"
require sway swaymsg setpriv weston-simple-shm qemu-system-x86_64 python3
. "$here/qemu-lib.sh"
. "$here/input-lib.sh"

qemu_test_dirs

# --- sway and the input devices ---

SWAY_DIR=$(mktemp -d /tmp/gvt-sway.XXXXXX)
at_exit "rm -rf '$SWAY_DIR'"
# The viewer's window floats at a known place. sway 1.7 honours pointer
# constraints only for a seat that has a configuration (sway_cursor_constrain
# returns early without one): it is said here, and that windows may ask
# for the compositor's shortcuts. One shortcut, Ctrl+Alt+T, writes a line
# into $SWAY_DIR/bindings each time it fires; every other key goes to the
# focused window.
cat >"$SWAY_DIR/config" <<EOF
output HEADLESS-1 resolution 1280x800 position 0 0
seat * pointer_constraint enable
seat * shortcuts_inhibitor enable
bindsym Ctrl+Mod1+t exec echo fired >>$SWAY_DIR/bindings
for_window [app_id="^io\\.github\\.gvt_view\\.Viewer\$"] floating enable, move position 100 100
default_border none
EOF
as_sway=()
if [ "$(id -u)" = 0 ]; then
  chown 65534:65534 "$SWAY_DIR"
  as_sway=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
XDG_RUNTIME_DIR=$SWAY_DIR WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
  "${as_sway[@]}" sway -c "$SWAY_DIR/config" </dev/null >"$TMP/sway.log" 2>&1 &
SWAY_PID=$!
at_exit "kill $SWAY_PID"
for _ in $(seq 100); do
  [ -S "$SWAY_DIR/wayland-1" ] && ls "$SWAY_DIR"/sway-ipc.*.sock >/dev/null 2>&1 && break
  sleep 0.1
done
if ! [ -S "$SWAY_DIR/wayland-1" ]; then
  echo "Bail out! sway did not start: $(grep -E 'ERROR' "$TMP/sway.log" | tail -n 3 | tr '\n' ' ')"
  exit 1
fi
export WAYLAND_DISPLAY=$SWAY_DIR/wayland-1 GDK_BACKEND=wayland NO_AT_BRIDGE=1
export DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent
SWAYSOCK=$(ls "$SWAY_DIR"/sway-ipc.*.sock)
export SWAYSOCK
echo "# sway $(sway --version | awk '{print $3}') on $WAYLAND_DISPLAY"

# The virtual pointer and keyboard, alive for the whole test (fd 7).
mkfifo "$TMP/wl-input"
"$WL_INPUT" <"$TMP/wl-input" >"$TMP/wl-input.out" 2>&1 &
WL_INPUT_PID=$!
exec 7>"$TMP/wl-input"
at_exit "exec 7>&-; kill $WL_INPUT_PID"
# wl LINE...: commands to wl-input; wl_sync: until it has sent them all.
wl () { printf '%s\n' "$@" >&7; }
wl_sync () {
  local n deadline=$((SECONDS + 10))
  n=$(grep -c '^ok$' "$TMP/wl-input.out")
  wl sync
  while [ "$(grep -c '^ok$' "$TMP/wl-input.out")" -le "$n" ]; do
    if [ $SECONDS -ge $deadline ] || ! kill -0 "$WL_INPUT_PID" 2>/dev/null; then
      echo "wl-input did not answer; it said: $(tail -n 3 "$TMP/wl-input.out")"
      return 1
    fi
    sleep 0.05
  done
}
# pointer_at X Y: the pointer to that point of sway's layout (its own warp,
# which tells the window under it at once).
pointer_at () { swaymsg -q seat seat0 cursor set "$1" "$2"; }
# click: BTN_LEFT down and up where the pointer is.
click () { wl "button 272 press" "button 272 release"; wl_sync; }
# keys CODE...: each Linux KEY_ code down and up.
keys () { local k; for k in "$@"; do wl "key $k press" "key $k release"; done; wl_sync; }
# bindings: how often sway's Ctrl+Alt+T fired.
bindings () { [ -f "$SWAY_DIR/bindings" ] && wc -l <"$SWAY_DIR/bindings" || echo 0; }
# bindings_are N: sway's shortcut fired N times so far (after the viewer moved on).
bindings_are () {
  local deadline=$((SECONDS + 5))
  while [ "$(bindings)" != "$1" ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  echo "sway's Ctrl+Alt+T fired $(bindings) times"
  [ "$(bindings)" = "$1" ]
}
ctrl_alt_t () { wl "key 29 press" "key 56 press" "key 20 press" "key 20 release" \
                   "key 56 release" "key 29 release"; wl_sync; }
# rel_sum AXIS: the sum of the relative moves on AXIS since the mark.
rel_sum () { tr_events | awk -v a="$1" '$1 == "rel" && $2 == a { s += $3 } END { print s + 0 }'; }
# moved DX DY: the moves since the mark add up to (DX, DY) (10 s).
moved () {
  local deadline=$((SECONDS + 10))
  while [ "$(rel_sum x) $(rel_sum y)" != "$1 $2" ]; do
    [ $SECONDS -lt $deadline ] || break
    sleep 0.1
  done
  viewer_turns >/dev/null
  echo "QEMU moved by ($(rel_sum x), $(rel_sum y)) in $(tr_events | grep -c '^rel x') commands"
  [ "$(rel_sum x) $(rel_sum y)" = "$1 $2" ]
}

# The window's top-left in sway's layout (its floating rule: 100, 100).
window_rect () {
  swaymsg -t get_tree | python3 -c '
import json, sys
def walk(n):
    if n.get("app_id") == "io.github.gvt_view.Viewer":
        r = n["rect"]; print(r["x"], r["y"], r["width"], r["height"]); sys.exit(0)
    for c in n.get("nodes", []) + n.get("floating_nodes", []):
        walk(c)
walk(json.load(sys.stdin)); sys.exit(1)'
}

# --- the VM and the viewer ---

if qemu_start -trace 'input_event_*' >"$TMP/boot.out" 2>&1; then
  ok "QEMU with the PS/2 mouse (no tablet), input traced"
else
  not_ok "QEMU with the PS/2 mouse (no tablet), input traced" "$TMP/boot.out"
  echo "Bail out! no VM to test against"
  exit 1
fi

start relative --qmp "$SOCK" --relative-mouse --size 640x480 --stats-interval 0.3
if settle state=live input=relative relative_pointer=locked grabbed=false pointer_locked=false \
   && window_rect >"$TMP/rect" 2>&1; then
  ok "--relative-mouse on sway: live, the pointer lock is there (relative_pointer locked); app_id io.github.gvt_view.Viewer"
else
  not_ok "--relative-mouse on sway: live, the pointer lock is there" "$TMP/wait.out"
  sed 's/^/# /' "$TMP/rect"; tail -n 5 "$VIEWER_ERR" | sed 's/^/# /'
  echo "Bail out! no viewer window"
  exit 1
fi
read -r wx wy ww wh <"$TMP/rect"
echo "# the window: ${ww}x$wh at ($wx, $wy) of 1280x800"
check "the window is 640 px wide (the moves below need it)" test "$ww" = 640

# 2. The click that grabs.
qemu_mark
pointer_at $((wx + 300)) $((wy + 200))
click
check "a click grabs the pointer and sway locks it; its shortcuts go to the window" \
  settled grabbed=true pointer_locked=true shortcuts_inhibited=true
check "... and the click is not sent" none '^btn '

# 3. Motion through the lock.
qemu_mark
for _ in $(seq 10); do wl "move 100 0"; done
wl_sync
check "ten moves of 100 px right: 1000 px, past the window's edge" moved 1000 0
qemu_mark
wl "move -35 -20" "move -5 -4"
wl_sync
check "two moves up and left: (-40, -24)" moved -40 -24
check "the pointer is still locked" settled grabbed=true pointer_locked=true

# 4. Keys.
qemu_mark
keys 30 48 57 28     # a b space Return
check "keys on Wayland: the right qcodes, in order" sent '^key ' \
  "key a down" "key a up" "key b down" "key b up" "key spc down" "key spc up" \
  "key ret down" "key ret up"
qemu_mark
ctrl_alt_t
check "grabbed, the compositor's shortcut Ctrl+Alt+T goes to the guest" sent '^key ' \
  "key ctrl down" "key alt down" "key t down" "key t up" "key alt up" "key ctrl up"
check "... and sway's binding did not fire" bindings_are 0

# 5. Ctrl+Alt+G releases.
qemu_mark
wl "key 29 press" "key 56 press" "key 34 press" "key 34 release" "key 56 release" "key 29 release"
wl_sync
check "Ctrl+Alt+G gives the pointer back (unlocked, shortcuts back to sway)" \
  settled grabbed=false pointer_locked=false shortcuts_inhibited=false
check "... and g is not sent" sent '^key ' "key ctrl down" "key alt down" "key alt up" "key ctrl up"
qemu_mark
wl "move 10 10"
wl_sync
viewer_turns >/dev/null
check "no grab, no moves sent" none '^rel '
qemu_mark
ctrl_alt_t
check "not grabbed, Ctrl+Alt+T is sway's: its binding fires" bindings_are 1
check "... and the guest gets no t" sent '^key ' "key ctrl down" "key alt down" "key alt up" \
  "key ctrl up"

# 6. Another window takes the focus: the lock ends, and the grab with it.
pointer_at $((wx + 300)) $((wy + 200))
click
if settled grabbed=true pointer_locked=true >"$TMP/regrab.out" 2>&1; then
  ok "grabbed again"
  weston-simple-shm >"$TMP/shm.log" 2>&1 &
  SHM_PID=$!
  at_exit "kill $SHM_PID"
  check "a new window takes the focus: the lock and the grab end" \
    settled grabbed=false pointer_locked=false
  check "... and the viewer says why" grep -q "the compositor ended the pointer lock" "$VIEWER_ERR"
  kill "$SHM_PID" 2>/dev/null; wait "$SHM_PID" 2>/dev/null
  qemu_mark
  wl "move 10 10"
  wl_sync
  viewer_turns >/dev/null
  check "... and nothing is sent after" none '^rel '
else
  not_ok "grabbed again" "$TMP/regrab.out"
fi

check "--relative-mouse on sway: closes cleanly" closes_cleanly
check "no warnings" quiet
check "QMP quit: QEMU exits" qemu_quit
finish
