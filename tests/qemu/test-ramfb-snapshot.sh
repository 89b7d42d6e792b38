#!/bin/bash
# `gvt-view snapshot --qmp` against a real QEMU (TCG) showing SeaBIOS on a
# standalone ramfb: with the VM paused (so both see the same frame), the
# snapshot equals QEMU's own screendump of fb0 pixel for pixel, with
# --ramfb fb0 and with the ramfb found by itself; the bad cases (no socket,
# no such device, a socket that is not QMP) fail with their exact errors,
# write nothing and leave QEMU working; the viewer's private screendump
# directory in $XDG_RUNTIME_DIR is 0700 while it runs and gone afterwards.
#
# Usage: test-ramfb-snapshot.sh GVT_VIEW UI_CHECK   (TAP on stdout)
set -u
GVT_VIEW=$(realpath "$1") UI_CHECK=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../ui/ui-lib.sh"
require qemu-system-x86_64 python3
. "$here/qemu-lib.sh"

qemu_test_dirs

# snap NAME ARGS...: `gvt-view snapshot ARGS -o $TMP/NAME.png`, stderr in
# $TMP/NAME.err, status in rc.
snap () {
  local name=$1; shift
  rm -f "$TMP/$name.png"
  timeout 60 "$GVT_VIEW" snapshot "$@" -o "$TMP/$name.png" >"$TMP/$name.out" 2>"$TMP/$name.err"
  rc=$?
  return $rc
}

# runtime_clean: nothing left in $XDG_RUNTIME_DIR (private: all of it would
# be the viewer's).
runtime_clean () {
  [ -z "$(find "$XDG_RUNTIME_DIR" -mindepth 1 -print -quit)" ] \
    || { echo "left in \$XDG_RUNTIME_DIR:"; find "$XDG_RUNTIME_DIR" -mindepth 1 -ls; return 1; }
}

# failed_cleanly NAME WANT: status 1, WANT (fixed string) in the message,
# no output file, nothing left in the runtime dir.
failed_cleanly () {
  local name=$1 want=$2
  cat "$TMP/$name.err"
  [ "$rc" = 1 ] || { echo "exit status $rc, want 1"; return 1; }
  grep -qF -- "$want" "$TMP/$name.err" || { echo "the message does not say: $want"; return 1; }
  [ ! -e "$TMP/$name.png" ] || { echo "$TMP/$name.png was written"; return 1; }
  runtime_clean
}

# 1. Boot: SeaBIOS draws on fb0 (the rig itself).
if qemu_start >"$TMP/boot.out" 2>&1 && qemu_wait_drawn >>"$TMP/boot.out" 2>&1; then
  ok "QEMU boots SeaBIOS onto ramfb fb0 (1024x768, not black)"
else
  not_ok "QEMU boots SeaBIOS onto ramfb fb0" "$TMP/boot.out"
  echo "Bail out! no VM to test against"
  finish
  exit 1
fi

# 2. Paused: the guest's picture holds still (the cursor blinks otherwise),
# and two screendumps a second apart are the same picture.
check "QMP stop pauses the VM" qmp stop
check "query-status says paused" sh -c "python3 '$QMP_TOOL' '$QEMU_DIR/ctl.sock' query-status | grep -q '\"status\": \"paused\"'"
qemu_png "$TMP/ref.png"
sleep 1
qemu_png "$TMP/ref2.png"
check "the paused VM's screendumps hold still (1 s apart, identical)" \
  "$UI_CHECK" compare "$TMP/ref2.png" 0 0 1024 768 "$TMP/ref.png" 0

# 3. The snapshot equals QEMU's screendump, pixel for pixel (RGB; alpha 255:
# ui-check reads RGBA and compares RGB; the alpha is checked below).
qemu_mark
snap named --qmp "$SOCK" --ramfb fb0
qemu_since "$TMP/named.qemu"
if [ "$rc" = 0 ] && [ -s "$TMP/named.png" ]; then
  ok "snapshot --qmp SOCK --ramfb fb0 writes a PNG (status 0)"
  check "... of the guest's size, identical to QEMU's screendump of fb0" \
    "$UI_CHECK" compare "$TMP/named.png" 0 0 1024 768 "$TMP/ref.png" 0
  check "... opaque (alpha 255 everywhere)" \
    "$UI_CHECK" opaque "$TMP/named.png"
else not_ok "snapshot --qmp SOCK --ramfb fb0 (status $rc)" "$TMP/named.err"; fi
check "... asked QEMU for screendumps of fb0 as PPM into its own directory" \
  dumps_as_asked fb0 "$TMP/named.qemu"
check "... and leaves nothing in \$XDG_RUNTIME_DIR" runtime_clean

qemu_mark
snap found --qmp "$SOCK"
qemu_since "$TMP/found.qemu"
if [ "$rc" = 0 ] && [ -s "$TMP/found.png" ]; then
  check "snapshot --qmp SOCK without --ramfb finds fb0: identical to its screendump" \
    "$UI_CHECK" compare "$TMP/found.png" 0 0 1024 768 "$TMP/ref.png" 0
else not_ok "snapshot --qmp SOCK without --ramfb (status $rc)" "$TMP/found.err"; fi
check "... and its screendumps name fb0 (as PPM, into its own directory)" \
  dumps_as_asked fb0 "$TMP/found.qemu"
check "... and leaves nothing in \$XDG_RUNTIME_DIR" runtime_clean

# --size and --scale apply as to a device: 512x384 fit is the frame halved,
# not the 1024x768 one (a size check: scaling filters are render tests').
snap sized --qmp "$SOCK" --ramfb fb0 --size 512x384 --scale fit
if [ "$rc" = 0 ] && [ -s "$TMP/sized.png" ]; then
  check "snapshot --qmp --size 512x384 is 512x384" \
    sh -c "test \"\$(identify -format '%wx%h' '$TMP/sized.png')\" = 512x384"
else not_ok "snapshot --qmp --size 512x384 --scale fit (status $rc)" "$TMP/sized.err"; fi

# The private screendump directory while the viewer runs: through a proxy
# that holds back QEMU's answer to the screendump (tests/qemu/qmp-hold.py)
# the file QEMU wrote is there to look at, where the viewer asked for it.
python3 "$here/qmp-hold.py" "$QEMU_DIR/hold.sock" "$SOCK" "$TMP/hold.log" "$TMP/release" \
  >"$TMP/hold.out" 2>&1 &
hold_pid=$!
at_exit "kill $hold_pid"
for _ in $(seq 50); do [ -S "$QEMU_DIR/hold.sock" ] && break; sleep 0.1; done
rm -f "$TMP/release" "$TMP/hold.log"
snap held --qmp "$QEMU_DIR/hold.sock" --ramfb fb0 &
held_pid=$!
for _ in $(seq 200); do
  [ -s "$TMP/hold.log" ] && break
  kill -0 "$held_pid" 2>/dev/null || break
  sleep 0.05
done
dump=$(head -n 1 "$TMP/hold.log" 2>/dev/null)
echo "# the viewer's screendump file: ${dump:-(none seen)}"
# held_dir: the file is in a directory of its own in $XDG_RUNTIME_DIR,
# named gvt-view*, mode 0700, and QEMU wrote the frame there.
held_dir () {
  [ -n "$dump" ] || { echo "no screendump reached QEMU within 10 s"; cat "$TMP/hold.out"; return 1; }
  local dir
  dir=$(dirname "$dump")
  case $dir in "$XDG_RUNTIME_DIR"/gvt-view*) ;; *) echo "$dump is not in \$XDG_RUNTIME_DIR/gvt-view*"; return 1 ;; esac
  [ "$(dirname "$dir")" = "$XDG_RUNTIME_DIR" ] || { echo "$dir is not directly in \$XDG_RUNTIME_DIR"; return 1; }
  [ "$(command stat -c %a "$dir")" = 700 ] || { echo "$dir has mode $(command stat -c %a "$dir")"; return 1; }
  [ "$(command stat -c %u "$dir")" = "$(id -u)" ] || { echo "$dir is not ours"; return 1; }
  [ -s "$dump" ] || { echo "$dump is not there or empty"; ls -la "$dir"; return 1; }
  echo "$dir: mode 700, $(command stat -c %s "$dump") bytes in $(basename "$dump")"
}
check "while it runs, the viewer's screendumps go to its own 0700 directory in \$XDG_RUNTIME_DIR" held_dir
touch "$TMP/release"
wait "$held_pid"; rc=$?
if [ "$rc" = 0 ]; then
  check "... the held snapshot completes, identical to the screendump" \
    "$UI_CHECK" compare "$TMP/held.png" 0 0 1024 768 "$TMP/ref.png" 0
else not_ok "the snapshot through the holding proxy (status $rc)" "$TMP/held.err"; fi
# 4. The bad cases.
snap nosock --qmp "$QEMU_DIR/nosuch.sock"
check "no socket at the path: status 1 and the message names the path" \
  failed_cleanly nosock "$QEMU_DIR/nosuch.sock"
check "... in one line that says it once" \
  sh -c "test \$(wc -l <'$TMP/nosock.err') = 1 && test \$(grep -o 'is QEMU running' '$TMP/nosock.err' | wc -l) = 1"

qemu_mark
snap nodev --qmp "$SOCK" --ramfb nosuch
qemu_since "$TMP/nodev.qemu"
check "--ramfb nosuch: status 1 and QEMU's \"Device 'nosuch' not found\"" \
  failed_cleanly nodev "Device 'nosuch' not found"
check "... having asked QEMU for a screendump of nosuch" dumps_as_asked nosuch "$TMP/nodev.qemu"

# A UNIX socket that answers, but not with QMP's greeting.
python3 - "$QEMU_DIR/hello.sock" <<'PY' >"$TMP/hello.log" 2>&1 &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(4)
s.settimeout(90)
conns = []
while True:
    try:
        c, _ = s.accept()
    except socket.timeout:
        break
    c.sendall(b"hello\n")
    conns.append(c)
PY
hello_pid=$!
at_exit "kill $hello_pid"
for _ in $(seq 50); do [ -S "$QEMU_DIR/hello.sock" ] && break; sleep 0.1; done
snap notqmp --qmp "$QEMU_DIR/hello.sock"
check "a socket that is not QMP: status 1, \"not a QMP socket\"" \
  failed_cleanly notqmp "not a QMP socket"
kill "$hello_pid" 2>/dev/null; wait "$hello_pid" 2>/dev/null

# Nothing broke: QEMU still answers both sockets and shows the same frame.
check "after the bad cases QEMU still answers on its control socket" qmp query-status
snap after --qmp "$SOCK" --ramfb fb0
if [ "$rc" = 0 ]; then
  check "... and the viewer's socket: the snapshot still equals the screendump" \
    "$UI_CHECK" compare "$TMP/after.png" 0 0 1024 768 "$TMP/ref.png" 0
else not_ok "a snapshot after the bad cases (status $rc)" "$TMP/after.err"; fi

# 5. Running again: a snapshot of the live guest is one of its two
# pictures (the cursor blinks).
qmp cont >/dev/null
qemu_frames "$TMP/live" >"$TMP/frames.out" 2>&1
snap live --qmp "$SOCK"
if [ "$rc" = 0 ]; then
  live_matches () {
    local f
    for f in "${FRAMES[@]}"; do "$UI_CHECK" compare "$TMP/live.png" 0 0 1024 768 "$f" 0 && return 0; done
    return 1
  }
  check "snapshot of the running VM is one of the guest's pictures" live_matches
else not_ok "snapshot of the running VM (status $rc)" "$TMP/live.err"; fi

check "QEMU quits on QMP quit" qemu_quit
check "no warnings from the snapshots" sh -c "! grep -h -E 'WARNING|CRITICAL|Gtk-|Gdk-' '$TMP'/*.err"
check "nothing left in \$XDG_RUNTIME_DIR at the end" runtime_clean

finish
