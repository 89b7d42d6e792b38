# shellcheck shell=bash
# Shared by the QEMU system tests: a real QEMU (TCG) booting SeaBIOS onto
# a standalone ramfb, its QMP sockets, screendumps as PNG, and cleanup.
# Sourced after tests/ui/ui-lib.sh (TAP helpers); expects UI_CHECK set.
#
# Each QEMU runs in QEMU_DIR (a private temp dir made here) with two QMP
# sockets, since a QMP socket serves one client at a time:
#   $QEMU_DIR/qmp.sock  the viewer's
#   $QEMU_DIR/ctl.sock  the test's own commands (qmp CMD [JSON-ARGS])
# A QEMU started again (qemu_start after it exited) reuses the same paths.
# Whatever happens, every QEMU started here is killed when the test exits:
# by the EXIT trap, and by a watcher if the test itself is SIGKILLed.

QEMU_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
QMP_TOOL=$QEMU_LIB/qmp.py
QEMU_DIR=$(mktemp -d /tmp/gvt-qemu.XXXXXX)
QEMU_PID=
QEMU_N=0
QEMU_PIDS=()
EXIT_HOOKS=()

# at_exit CMD: run CMD (eval'd) when the test exits, before QEMU is killed.
at_exit () { EXIT_HOOKS+=("$1"); }

_on_exit () {
  local hook pid
  for hook in "${EXIT_HOOKS[@]}"; do eval "$hook" >/dev/null 2>&1; done
  for pid in "${QEMU_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  for pid in "${QEMU_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$QEMU_DIR"
}
trap _on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# qmp CMD [JSON-ARGS]: the command on ctl.sock; its return value on stdout.
qmp () { python3 "$QMP_TOOL" "$QEMU_DIR/ctl.sock" "$@"; }

# qemu_start [EXTRA-ARGS...]: starts QEMU in the background (QEMU_PID; log
# in QEMU_LOG, $QEMU_DIR/qemu-N.log) and waits until ctl.sock answers
# (10 s). QEMU traces every QMP command it handles into its log (trace
# point handle_qmp_command: "req: {JSON}"): the oracle for what the viewer
# asked (viewer_dumps).
qemu_start () {
  QEMU_N=$((QEMU_N + 1))
  QEMU_LOG=$QEMU_DIR/qemu-$QEMU_N.log
  qemu-system-x86_64 -accel tcg -m 256 -nic none -display none -vga none \
    -device ramfb,id=fb0 \
    -qmp "unix:$QEMU_DIR/qmp.sock,server=on,wait=off" \
    -qmp "unix:$QEMU_DIR/ctl.sock,server=on,wait=off" \
    -trace handle_qmp_command \
    "$@" </dev/null >"$QEMU_LOG" 2>&1 &
  QEMU_PID=$!
  QEMU_PIDS+=("$QEMU_PID")
  # The watcher: QEMU goes when this shell goes, even by SIGKILL (no trap).
  local shell=$$ qemu=$QEMU_PID
  ( trap - EXIT INT TERM
    while kill -0 "$shell" 2>/dev/null && kill -0 "$qemu" 2>/dev/null; do sleep 1; done
    kill -KILL "$qemu" 2>/dev/null ) </dev/null >/dev/null 2>&1 &
  local _
  for _ in $(seq 100); do
    qmp query-status >/dev/null 2>&1 && return 0
    kill -0 "$QEMU_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "QEMU did not answer on $QEMU_DIR/ctl.sock:"; grep -v handle_qmp_command "$QEMU_LOG" | tail -n 20
  return 1
}

# viewer_dumps [LOG]: how many screendumps into $XDG_RUNTIME_DIR (the
# viewer's: the test's own go elsewhere) the QEMU of LOG (QEMU_LOG) was
# asked for; viewer_dump_requests [LOG]: those requests, one a line.
viewer_dump_requests () {
  grep -F '"execute": "screendump"' "${1:-$QEMU_LOG}" | grep -F "\"$XDG_RUNTIME_DIR/"
}
viewer_dumps () { viewer_dump_requests "$@" | wc -l; }

# qemu_mark, then qemu_since FILE: the lines QEMU logged meanwhile.
qemu_mark () { QEMU_MARK=$(wc -l <"$QEMU_LOG"); }
qemu_since () { tail -n "+$((QEMU_MARK + 1))" "$QEMU_LOG" >"$1"; }

# dumps_as_asked DEVICE [LOG]: the viewer's screendumps (at least one) all
# name DEVICE and format ppm, into a gvt-view* directory of its own in
# $XDG_RUNTIME_DIR. Expects TMP.
dumps_as_asked () {
  viewer_dump_requests "${2:-$QEMU_LOG}" >"$TMP/requests" || { echo "no screendumps"; return 1; }
  echo "$(wc -l <"$TMP/requests") screendumps, the first: $(head -n 1 "$TMP/requests" | sed 's/.*req: //')"
  ! grep -v -F "\"device\": \"$1\"" "$TMP/requests" \
    && ! grep -v -F '"format": "ppm"' "$TMP/requests" \
    && ! grep -v -E "\"filename\": \"$XDG_RUNTIME_DIR/gvt-view[^/\"]*/[^/\"]+\"" "$TMP/requests"
}

# qemu_dump FILE.ppm [DEVICE]: QEMU's own screendump of DEVICE (fb0).
qemu_dump () {
  qmp screendump "{\"filename\": \"$1\", \"device\": \"${2:-fb0}\", \"format\": \"ppm\"}" >/dev/null
}

# qemu_png FILE.png [DEVICE]: the same as a PNG (RGBA, alpha 255).
qemu_png () {
  qemu_dump "$QEMU_DIR/dump.ppm" "${2:-}" && "$UI_CHECK" ppm2png "$QEMU_DIR/dump.ppm" "$1" >/dev/null
}

# ppm_size FILE.ppm: "WxH" from a P6 header as QEMU writes it.
ppm_size () { head -c 32 "$1" | tr '\n' ' ' | awk '$1 == "P6" { print $2 "x" $3 }'; }

# ppm_lit FILE.ppm: is any pixel not black?
ppm_lit () { [ "$(tail -c +16 "$1" | tr -d '\000' | head -c 1 | wc -c)" = 1 ]; }

# qemu_wait_drawn [TIMEOUT_S]: until SeaBIOS has drawn on fb0 (1024x768,
# not all black: the placeholder before the firmware sets ramfb up is
# 640x480) and has got to its last line ("No bootable device."): the
# picture stops changing but for the blinking cursor, so two dumps in a
# row are one of at most two pictures.
qemu_wait_drawn () {
  local deadline=$((SECONDS + ${1:-30})) f=$QEMU_DIR/drawn.ppm last=() distinct
  while [ $SECONDS -lt $deadline ]; do
    if qemu_dump "$f" 2>/dev/null && [ "$(ppm_size "$f")" = 1024x768 ] && ppm_lit "$f"; then
      last+=("$(md5sum <"$f" | cut -c1-32)")
      [ ${#last[@]} -gt 6 ] && last=("${last[@]:1}")
      distinct=$(printf '%s\n' "${last[@]}" | sort -u | wc -l)
      [ ${#last[@]} = 6 ] && [ "$distinct" -le 2 ] && return 0
    else
      last=()
    fi
    sleep 0.2
  done
  echo "SeaBIOS never drew a steady 1024x768 picture on fb0 in ${1:-30} s; last dump: $(ppm_size "$f")"
  grep -v handle_qmp_command "$QEMU_LOG" | tail -n 20
  return 1
}

# qemu_frames PREFIX: SeaBIOS's screen blinks its cursor, so the running
# guest shows one of two pictures: dumps them as PREFIX-1.png and
# PREFIX-2.png (within 5 s) and sets FRAMES to their paths.
qemu_frames () {
  local prefix=$1 deadline=$((SECONDS + 5)) f=$QEMU_DIR/frame.ppm sum
  local -A seen=()
  FRAMES=()
  while [ ${#FRAMES[@]} -lt 2 ] && [ $SECONDS -lt $deadline ]; do
    qemu_dump "$f" || return 1
    sum=$(md5sum <"$f" | cut -c1-32)
    if [ -z "${seen[$sum]:-}" ]; then
      seen[$sum]=1
      FRAMES+=("$prefix-$(( ${#FRAMES[@]} + 1 )).png")
      "$UI_CHECK" ppm2png "$f" "${FRAMES[-1]}" >/dev/null || return 1
    fi
    sleep 0.1
  done
  echo "the running guest shows ${#FRAMES[@]} distinct pictures (the cursor blinks)"
  [ ${#FRAMES[@]} -ge 1 ]
}

# qemu_quit: QMP quit, and QEMU gone within 10 s.
qemu_quit () {
  qmp quit >/dev/null || return 1
  qemu_gone
}

# qemu_gone: waits (10 s) for QEMU_PID to exit.
qemu_gone () {
  local _
  for _ in $(seq 100); do
    kill -0 "$QEMU_PID" 2>/dev/null || { wait "$QEMU_PID" 2>/dev/null; QEMU_PID=; return 0; }
    sleep 0.1
  done
  echo "QEMU $QEMU_PID still running 10 s later"
  return 1
}

# qemu_test_dirs: the test's scratch dir $TMP, a private $XDG_RUNTIME_DIR
# (what the viewer leaves there is its own) and the viewer's socket $SOCK.
qemu_test_dirs () {
  TMP=$QEMU_DIR/test
  mkdir "$TMP"
  export XDG_RUNTIME_DIR=$TMP/run
  mkdir -m 0700 "$XDG_RUNTIME_DIR"
  SOCK=$QEMU_DIR/qmp.sock
}

# --- the window tests' X server and viewer (after ui-lib.sh) ---

# "_NET_SUPPORTING_WM_CHECK(WINDOW): window id # 0x...", not "... not found."
# or "... no such atom on any window.": a window manager owns the screen.
wm_running () { xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q 'window id #'; }

# qemu_x_display WxH: a private Xvfb of that screen size (-displayfd: it
# takes a free display number itself, so parallel tests never share one)
# with openbox owning the WM selection (started again if it failed);
# DISPLAY exported, GDK on X11. Bails out when either won't start.
qemu_x_display () {
  Xvfb -displayfd 3 -screen 0 "$1x24" -nolisten tcp 3>"$TMP/display" >"$TMP/xvfb.log" 2>&1 &
  local xvfb_pid=$! _ try
  at_exit "kill $xvfb_pid"
  for _ in $(seq 100); do [ -s "$TMP/display" ] && break; sleep 0.1; done
  if ! [ -s "$TMP/display" ]; then
    echo "Bail out! Xvfb did not start"; cat "$TMP/xvfb.log"; exit 1
  fi
  DISPLAY=:$(head -n 1 "$TMP/display")
  export DISPLAY
  export GDK_BACKEND=x11 NO_AT_BRIDGE=1 DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent
  WM_PID=
  at_exit '[ -n "$WM_PID" ] && kill "$WM_PID"'
  for try in 1 2 3; do
    openbox --sm-disable >"$TMP/openbox.log" 2>&1 &
    WM_PID=$!
    for _ in $(seq 100); do
      wm_running && break
      kill -0 "$WM_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$WM_PID" 2>/dev/null && wm_running && break
    echo "# openbox did not start on $DISPLAY (try $try); its log:"; sed 's/^/#   /' "$TMP/openbox.log"
    kill "$WM_PID" 2>/dev/null; wait "$WM_PID" 2>/dev/null; WM_PID=
    sleep 1
  done
  [ -n "$WM_PID" ] || { echo "Bail out! no window manager"; exit 1; }
  at_exit '[ -n "$VIEWER_PID" ] && kill -KILL "$VIEWER_PID"'
  echo "# X display $DISPLAY"
}

# stop: ui-lib's (SIGTERM, the exit status must be 0), bounded: a viewer
# still running 30 s later is killed and fails.
stop () {
  [ -z "$VIEWER_PID" ] && return 0
  kill -TERM "$VIEWER_PID" 2>/dev/null
  local _ rc
  for _ in $(seq 300); do kill -0 "$VIEWER_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$VIEWER_PID" 2>/dev/null; then
    echo "the viewer was still running 30 s after SIGTERM: killed"
    kill -KILL "$VIEWER_PID"; wait "$VIEWER_PID" 2>/dev/null; VIEWER_PID=
    return 1
  fi
  wait "$VIEWER_PID"; rc=$?; VIEWER_PID=
  exit_said "$rc"
}

# settle CONDITIONS... (ui-lib's, but it gives up at once when the viewer
# has exited, with the start of its stderr; SETTLE_S seconds, default 30).
settle () {
  local deadline=$((SECONDS + ${SETTLE_S:-30}))
  while ! "$UI_CHECK" wait "$VIEWER_STATS" 1 "$@" >"$TMP/wait.out" 2>&1; do
    if [ -z "$VIEWER_PID" ] || ! kill -0 "$VIEWER_PID" 2>/dev/null; then
      { echo "the viewer is not running; its stderr begins:"; head -n 3 "$VIEWER_ERR"; } >>"$TMP/wait.out"
      return 1
    fi
    [ $SECONDS -lt $deadline ] || return 1
  done
}

# closes_cleanly: SIGTERM, status 0; else the end of the viewer's stderr.
closes_cleanly () {
  stop && return 0
  echo "the viewer's stderr ends:"; tail -n 40 "$VIEWER_ERR"; return 1
}
# quiet: no warnings in the viewer's stderr; else its first 60 lines.
quiet () {
  no_warnings "$VIEWER_ERR" >/dev/null && return 0
  head -n 60 "$VIEWER_ERR"; return 1
}
