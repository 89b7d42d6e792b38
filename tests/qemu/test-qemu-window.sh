#!/bin/bash
# The viewer window linked to a real QEMU (TCG) by QMP, no DEVICE: it shows
# the VM's ramfb (SeaBIOS), and the VM's lifecycle gives screens. On a
# private Xvfb (its own display number, -displayfd) with openbox, like
# tests/ui/test-x11.sh: screenshots from the X server against QEMU's own
# screendumps of fb0, pixel for pixel; paused, and after QEMU exits, the
# last frame dimmed (x 0.4, +-1) outside the message box in the centre;
# cont, system_reset, quit, a new QEMU on the same socket path, QEMU
# killed, and --quit-with-vm (shown, and minimised).
#
# The running SeaBIOS screen blinks its cursor: it is one of two pictures,
# both dumped (qemu_frames), and the window must show one of them exactly.
#
# Usage: test-qemu-window.sh GVT_VIEW UI_CHECK   (TAP on stdout)
set -u
GVT_VIEW=$(realpath "$1") UI_CHECK=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../ui/ui-lib.sh"
require Xvfb import xprop xdotool openbox qemu-system-x86_64 python3
. "$here/qemu-lib.sh"

qemu_test_dirs
qemu_x_display 1600x1000

shot () { import -window root "$TMP/$1.png"; }

# shows_frame NAME: within 5 s, a screenshot of the window's picture
# (1024x768 at the stats file's x, y) is exactly one of FRAMES.
shows_frame () {
  local name=$1 x y f _
  for _ in $(seq 15); do
    x=$(stat x) y=$(stat y)
    shot "$name"
    for f in "${FRAMES[@]}"; do
      if "$UI_CHECK" compare "$TMP/$name.png" "$x" "$y" 1024 768 "$f" 0 >"$TMP/cmp.out" 2>&1; then
        echo "equals $(basename "$f"): $(cat "$TMP/cmp.out")"
        return 0
      fi
    done
    sleep 0.3
  done
  cat "$TMP/cmp.out"
  return 1
}

# shows_dimmed NAME: a screenshot of the window's picture is one of FRAMES
# x 0.4 (+-1) outside the centre box, and the box is not black (SeaBIOS's
# picture is black there: what is lit is the message).
shows_dimmed () {
  local name=$1 x y f
  x=$(stat x) y=$(stat y)
  shot "$name"
  for f in "${FRAMES[@]}"; do
    if "$UI_CHECK" dimmed "$TMP/$name.png" "$x" "$y" 1024 768 "$f" 0.4 1 >"$TMP/cmp.out" 2>&1; then
      echo "$(basename "$f") dimmed: $(cat "$TMP/cmp.out")"
      "$UI_CHECK" region "$TMP/$name.png" "$((x + 205))" "$((y + 269))" 614 230 nonblack \
        || { echo "no message in the centre box"; return 1; }
      return 0
    fi
    cat "$TMP/cmp.out"
  done
  return 1
}

# dumps_move: the viewer keeps asking QEMU for screendumps (QEMU's trace of
# its QMP commands): at least 2 more within 5 s (it fetches every 0.25 to
# 2 s, by what a dump costs), and it shows them (ramfb_fetches grows: the
# cursor blinks about once a second).
dumps_move () {
  local d0 d1 f0 f1 t0=$SECONDS
  d0=$(viewer_dumps) f0=$(stat ramfb_fetches)
  while [ "$(viewer_dumps)" -lt $((d0 + 2)) ] && [ $((SECONDS - t0)) -lt 5 ]; do sleep 0.1; done
  "$UI_CHECK" wait "$VIEWER_STATS" 5 "ramfb_fetches>=$((f0 + 1))" >/dev/null 2>&1
  d1=$(viewer_dumps) f1=$(stat ramfb_fetches)
  echo "screendumps asked $d0, then $d1 ($((SECONDS - t0)) s); ramfb_fetches $f0, then $f1"
  [ "$d1" -ge $((d0 + 2)) ] && [ "$f1" -gt "$f0" ]
}
# dumps_hold: no screendump asked or shown for 2 s.
dumps_hold () {
  local d0 d1 f0 f1
  sample hold-a; d0=$(viewer_dumps) f0=$(sampled hold-a ramfb_fetches)
  sleep 2
  sample hold-b; d1=$(viewer_dumps) f1=$(sampled hold-b ramfb_fetches)
  echo "screendumps asked $d0, then $d1 2 s later; ramfb_fetches $f0, then $f1"
  [ "$d0" = "$d1" ] && [ "$f0" = "$f1" ]
}

# private_dir: the directory of the viewer's last screendump request is in
# $XDG_RUNTIME_DIR, the viewer's, mode 0700.
private_dir () {
  local dir
  dir=$(viewer_dump_requests | tail -n 1 | sed 's/.*"filename": "\([^"]*\)".*/\1/' | xargs -r dirname)
  [ -n "$dir" ] && [ -d "$dir" ] || { echo "no directory for the viewer's screendumps: '$dir'"; return 1; }
  echo "$dir: mode $(command stat -c %a "$dir")"
  [ "$(dirname "$dir")" = "$XDG_RUNTIME_DIR" ] && [ "$(command stat -c %a "$dir")" = 700 ] \
    && [ "$(command stat -c %u "$dir")" = "$(id -u)" ]
}

alive () { kill -0 "$VIEWER_PID" 2>/dev/null || { echo "the viewer is gone"; return 1; }; }

runtime_clean () {
  [ -z "$(find "$XDG_RUNTIME_DIR" -mindepth 1 -print -quit)" ] \
    || { echo "left in \$XDG_RUNTIME_DIR:"; find "$XDG_RUNTIME_DIR" -mindepth 1 -ls; return 1; }
}

# 1. The VM, then the viewer: live on the ramfb at 1024x768, natively.
if qemu_start >"$TMP/boot.out" 2>&1 && qemu_wait_drawn >>"$TMP/boot.out" 2>&1; then
  ok "QEMU boots SeaBIOS onto ramfb fb0"
else
  not_ok "QEMU boots SeaBIOS onto ramfb fb0" "$TMP/boot.out"
  echo "Bail out! no VM to test against"
  exit 1
fi
check "the running guest's pictures dumped" qemu_frames "$TMP/frame"

start win --qmp "$SOCK" --stats-interval 0.5
if settle state=live source=ramfb vm=running vm_connects=1 guest_width=1024 guest_height=768; then
  ok "the viewer settles live on the ramfb (vm running, one connection, guest 1024x768)"
  check "on a 1600x1000 screen the window is the guest's size (1024x768 at $(stat x),$(stat y))" \
    test "$(stat width)x$(stat height)" = 1024x768
  check "the window shows the running guest's picture, exactly" shows_frame live
  check "... and keeps fetching it" dumps_move
  check "... each screendump of fb0, as PPM, into \$XDG_RUNTIME_DIR/gvt-view*/" dumps_as_asked fb0
  check "... its directory there is mode 0700 while the window runs" private_dir
  check "the window is not dimmed, and no message" \
    test "$(stat dimmed)" = false
else
  not_ok "the viewer settles live on the ramfb" "$TMP/wait.out"
fi

# 2. stop: "VM paused", the last frame dimmed, no fetching.
forget; qmp stop >/dev/null
if settle state=paused vm=paused dimmed=true "message=VM paused"; then
  ok "QMP stop: state paused, dimmed, \"VM paused\""
  # The viewer dumps once more as the VM stops: the frame beneath is the
  # paused picture itself, not the one fetched before. A stopped guest may
  # show a picture not seen while it ran (seen once in CI: SeaBIOS's
  # cursor cell lit elsewhere): the pictures it showed are the running
  # ones and the paused one.
  all_frames=("${FRAMES[@]}")
  check "QEMU's screendump of the paused VM" qemu_png "$TMP/paused-ref.png"
  FRAMES=("${all_frames[@]}" "$TMP/paused-ref.png")
  check "paused: the last frame x 0.4 around the message" shows_dimmed paused
  FRAMES=("$TMP/paused-ref.png")
  check "paused: exactly the paused picture x 0.4 beneath" shows_dimmed paused-exact
  FRAMES=("${all_frames[@]}" "$TMP/paused-ref.png")
  check "paused: no screendumps" dumps_hold
else not_ok "QMP stop shows \"VM paused\"" "$TMP/wait.out"; fi

# 3. cont: live again.
forget; qmp cont >/dev/null
if settle state=live vm=running dimmed=false source=ramfb; then
  ok "QMP cont: live again, not dimmed"
  check "cont: fetching again" dumps_move
  check "cont: the window shows the guest's picture" shows_frame cont
else not_ok "QMP cont makes the window live again" "$TMP/wait.out"; fi

# 4. system_reset: SeaBIOS starts over and redraws; the window goes on.
sample reset; f0=$(sampled reset ramfb_fetches)
check "QMP system_reset" qmp system_reset
qemu_wait_drawn >"$TMP/reset.out" 2>&1 || not_ok "SeaBIOS redraws after system_reset" "$TMP/reset.out"
if settle state=live vm=running vm_connects=1 "ramfb_fetches>=$((f0 + 4))"; then
  ok "after system_reset: still live, the same connection, fetching (from $f0 to $(stat ramfb_fetches))"
  check "after system_reset: the viewer is running" alive
  check "after system_reset: the window shows the redrawn picture" shows_frame reset
else not_ok "the window stays live through system_reset" "$TMP/wait.out"; fi

# 5. quit: "QEMU exited", the last frame dimmed; the viewer stays.
forget
check "QMP quit: QEMU exits" qemu_quit
if settle state=qemu-exited vm=gone dimmed=true "message=QEMU exited"; then
  ok "QEMU gone: state qemu-exited, dimmed, \"QEMU exited\""
  check "QEMU gone: the last frame x 0.4 around the message" shows_dimmed exited
  check "QEMU gone: the viewer stays up" alive
else not_ok "QMP quit shows \"QEMU exited\"" "$TMP/wait.out"; fi

# 6. A new QEMU on the same socket path: the viewer, retrying every second,
# connects again and is live.
sleep 1.5
forget
if qemu_start >"$TMP/boot2.out" 2>&1 && qemu_wait_drawn >>"$TMP/boot2.out" 2>&1; then
  ok "a new QEMU on the same qmp.sock path boots"
  qemu_frames "$TMP/frame2" >/dev/null 2>&1
  booted=$SECONDS
  if settle state=live vm=running vm_connects=2 dimmed=false source=ramfb; then
    ok "the viewer connects to the new QEMU: live, vm_connects 2"
    # It retries every second: connected a few seconds after QEMU's socket
    # came up at the latest (the boot itself took at least as long).
    check "... within 5 s of the new VM's picture ($((SECONDS - booted)) s)" \
      test "$((SECONDS - booted))" -le 5
    check "the window shows the new VM's picture" shows_frame again
  else not_ok "the viewer connects to the new QEMU (vm_connects 2)" "$TMP/wait.out"; fi
else not_ok "a new QEMU on the same path boots" "$TMP/boot2.out"; fi

# 7. QEMU killed (SIGKILL: EOF, no SHUTDOWN event): "QEMU exited" too.
forget
kill -KILL "$QEMU_PID"; qemu_gone >/dev/null
if settle state=qemu-exited vm=gone dimmed=true "message=QEMU exited"; then
  ok "QEMU killed: state qemu-exited, dimmed, \"QEMU exited\""
  check "QEMU killed: the viewer stays up" alive
else not_ok "a killed QEMU shows \"QEMU exited\"" "$TMP/wait.out"; fi

check "the viewer closes cleanly on SIGTERM" closes_cleanly
check "no warnings from the viewer" quiet
check "the viewer left nothing in \$XDG_RUNTIME_DIR" runtime_clean

# quit_exits LABEL: QMP quit, and the viewer exits 0 within 10 s (a
# sanitized build checks for leaks on the way out).
quit_exits () {
  local t0 rc
  qmp quit >/dev/null
  t0=$SECONDS
  for _ in $(seq 100); do kill -0 "$VIEWER_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$VIEWER_PID" 2>/dev/null; then
    not_ok "$1: the viewer exits within 10 s of quit (still running: $(stat state), iconified $(stat iconified))"
    stop >/dev/null
    return 1
  fi
  wait "$VIEWER_PID"; rc=$?; VIEWER_PID=
  ok "$1: the viewer exits within 10 s of quit ($((SECONDS - t0)) s)"
  check "$1: ... with status 0 ($rc)" test "$rc" = 0
}

# 8. --quit-with-vm: the viewer exits 0 a few seconds after QEMU quits.
if qemu_start >"$TMP/boot3.out" 2>&1 && qemu_wait_drawn >>"$TMP/boot3.out" 2>&1; then
  start quitwith --qmp "$SOCK" --quit-with-vm
  if settle state=live source=ramfb vm=running; then
    ok "--quit-with-vm: the viewer settles live"
    quit_exits "--quit-with-vm"
    check "--quit-with-vm: no warnings" quiet
  else not_ok "--quit-with-vm: the viewer settles live" "$TMP/wait.out"; stop >/dev/null; fi
  qemu_gone >/dev/null
else not_ok "a third QEMU boots" "$TMP/boot3.out"; fi

# 9. Minimised, the window polls nothing, yet the VM's end does not wait
# for it to be restored: --quit-with-vm quits while it is minimised (the
# kernel suite checks that a minimised viewer lets go of QEMU's device).
if qemu_start >"$TMP/boot4.out" 2>&1 && qemu_wait_drawn >>"$TMP/boot4.out" 2>&1; then
  start hidden --qmp "$SOCK" --quit-with-vm --stats-interval 0.2
  wid=
  if settle state=live source=ramfb vm=running; then
    wid=$(xdotool search --pid "$VIEWER_PID" --onlyvisible --name gvt-view | head -n 1)
  fi
  if [ -n "$wid" ] && xdotool windowminimize "$wid" && settle iconified=true polling=false; then
    ok "--quit-with-vm, minimised: no ticks, no polls"
    if quit_exits "--quit-with-vm, minimised"; then
      check "--quit-with-vm, minimised: ... still minimised (its last stats)" \
        "$UI_CHECK" wait "$VIEWER_STATS" 1 iconified=true polling=false
      check "--quit-with-vm, minimised: ... and it said why" \
        grep -q "closing (--quit-with-vm)" "$VIEWER_ERR"
    fi
    check "--quit-with-vm, minimised: no warnings" quiet
  else not_ok "the viewer to minimise settles live, then minimised" "$TMP/wait.out"; stop >/dev/null; fi
  qemu_gone >/dev/null
else not_ok "a fourth QEMU boots" "$TMP/boot4.out"; fi
check "nothing left in \$XDG_RUNTIME_DIR at the end" runtime_clean

finish
