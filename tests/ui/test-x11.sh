#!/bin/bash
# The viewer window on X11 (Xvfb + openbox, GDK_BACKEND=x11): screenshots
# taken from the X server (`import -window root`) against headless snapshots
# of the same frame, pixel-exact (same llvmpipe rasteriser; TOLERANCE=N in
# the environment to loosen), the state screens, keys (xdotool), fullscreen,
# resize, device loss and reopen, "unsupported format", minimising (polling
# stops), HiDPI (GDK_SCALE=2), the guest's resolution following the window
# (EDID, without a resize loop), the live demo's frame counts, and the
# headless fallback.
#
# Usage: test-x11.sh GVT_VIEW UI_CHECK   (TAP on stdout)
set -u
GVT_VIEW=$(realpath "$1") UI_CHECK=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/ui-lib.sh"

require xvfb-run Xvfb xauth import xdotool xprop openbox

# Re-run inside a private X server with a window manager (fullscreen and
# focus are the window manager's business).
if [ -z "${GVT_UI_IN_XVFB:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1600x1000x24 -nolisten tcp" \
    env GVT_UI_IN_XVFB=1 "$0" "$@"
fi

TMP=$(mktemp -d)
trap 'stop >/dev/null 2>&1; kill $wm_pid 2>/dev/null; rm -rf "$TMP"' EXIT
export GDK_BACKEND=x11 NO_AT_BRIDGE=1 DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent
# No config file but the one a test writes (not the user's).
export XDG_CONFIG_HOME=$TMP/config
openbox --sm-disable >/dev/null 2>&1 &
wm_pid=$!
# Openbox is ready when it owns the WM selection.
for _ in $(seq 100); do xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q window && break; sleep 0.1; done

shot () { import -window root "$TMP/$1.png"; }

# overlay_drawn SHOT SNAPSHOT_ARGS...: the picture's top-left 120x30 is not
# what the snapshot has there.
overlay_drawn () {
  local shot=$1; shift
  "$GVT_VIEW" "$@" --size "$(stat width)x$(stat height)" >/dev/null || return 1
  convert "$TMP/ref.png" -crop 120x30+0+0 +repage "$TMP/ref-corner.png"
  ! "$UI_CHECK" compare "$shot" "$(stat x)" "$(stat y)" 120 30 "$TMP/ref-corner.png"
}

# 1. The demo frozen at 5 s: the window is the guest's size and shows
# exactly the headless snapshot of that instant.
start demo demo --at 5
if settle state=live width=1280 height=720; then
  shot demo
  check "demo window equals its snapshot (1280x720, exact)" \
    picture_matches demo "$TMP/demo.png" demo --at 5 --snapshot "$TMP/ref.png"
  check "title names mode, format and device" \
    grep -q '"title" : "gvt-view — 1280×720 XR24 (LINEAR) — demo"' "$VIEWER_STATS"
else not_ok "demo window settles live at 1280x720" "$TMP/wait.out"; fi
check "demo window closes cleanly on SIGTERM" stop
check "no warnings from the demo window" no_warnings "$VIEWER_ERR"

# 2. A device (the simulated vGPU's test pattern), each scaling mode in an
# 800x600 window against the snapshot in that mode and size.
for mode in fit fill integer native; do
  # Scaling by 8/3 filters linearly (fit, fill): llvmpipe rounds a few
  # texels one level apart on a window surface and on an FBO, so those
  # modes allow 1 level per channel; integer and native are exact.
  case $mode in fit|fill) TOLERANCE=1 ;; *) TOLERANCE=0 ;; esac
  start "sim-$mode" sim:300x200 --size 800x600 --scale "$mode"
  if settle state=live "scale=$mode" width=800 height=600; then
    shot "sim-$mode"
    check "device window, --scale $mode, equals the snapshot" \
      picture_matches "sim-$mode" "$TMP/sim-$mode.png" snapshot sim:300x200 --scale "$mode" -o "$TMP/ref.png"
  else not_ok "device window settles with --scale $mode" "$TMP/wait.out"; fi
  stop
done
TOLERANCE=0

# 2b. The config file's settings reach the window, and the command line
# beats them.
mkdir -p "$TMP/config/gvt-view"
printf '[window]\nscale = integer\nsize = 800x600\n' >"$TMP/config/gvt-view/gvt-view.conf"
start config sim:300x200
if settle state=live scale=integer width=800 height=600; then
  ok "the config file's scale = integer and size = 800x600 reach the window"
else not_ok "the config file's settings reach the window" "$TMP/wait.out"; fi
stop
start config-cli sim:300x200 --scale fit
if settle state=live scale=fit width=800 height=600; then
  ok "the command line's --scale fit beats the config file's scale = integer"
else not_ok "--scale fit beats the config file" "$TMP/wait.out"; fi
stop
rm "$TMP/config/gvt-view/gvt-view.conf"

# 3. Keys: Ctrl+Alt+S cycles the mode, F11 / Ctrl+Alt+F fullscreen (the
# screen's size, the picture follows), resize, Ctrl+Alt+O overlay, Ctrl+Q.
start keys sim:300x200 --size 800x600
if settle state=live scale=fit width=800; then
  forget; xdotool key ctrl+alt+s
  TOLERANCE=1
  if settle scale=fill; then
    shot keys-fill
    check "Ctrl+Alt+S: fit -> fill, picture follows" \
      picture_matches keys "$TMP/keys-fill.png" snapshot sim:300x200 --scale fill -o "$TMP/ref.png"
  else not_ok "Ctrl+Alt+S switches to fill" "$TMP/wait.out"; fi

  forget; xdotool key F11
  if settle fullscreen=true width=1600 height=1000 x=0 y=0; then
    shot keys-fs
    check "F11: fullscreen is the screen's size (1600x1000), picture follows (fill)" \
      picture_matches keys "$TMP/keys-fs.png" snapshot sim:300x200 --scale fill -o "$TMP/ref.png"
  else not_ok "F11 makes the window fullscreen (1280x800)" "$TMP/wait.out"; fi

  forget; xdotool key ctrl+alt+s
  TOLERANCE=0
  if settle fullscreen=true scale=integer; then
    shot keys-fs-int
    check "fullscreen, Ctrl+Alt+S -> integer, picture follows" \
      picture_matches keys "$TMP/keys-fs-int.png" snapshot sim:300x200 --scale integer -o "$TMP/ref.png"
  else not_ok "Ctrl+Alt+S in fullscreen" "$TMP/wait.out"; fi

  forget; xdotool key ctrl+alt+f
  if settle fullscreen=false width=800 height=600; then ok "Ctrl+Alt+F leaves fullscreen (800x600 again)"
  else not_ok "Ctrl+Alt+F leaves fullscreen" "$TMP/wait.out"; fi

  forget; xdotool search --pid "$VIEWER_PID" --onlyvisible --name gvt-view windowsize %@ 640 400
  if settle width=640 height=400; then
    shot keys-resize
    check "resize to 640x400: picture follows (integer)" \
      picture_matches keys "$TMP/keys-resize.png" snapshot sim:300x200 --scale integer -o "$TMP/ref.png"
  else not_ok "the window resizes to 640x400" "$TMP/wait.out"; fi

  forget; xdotool key ctrl+alt+1
  if settle width=300 height=200; then ok "Ctrl+Alt+1: native size (300x200)"
  else not_ok "Ctrl+Alt+1 sizes the window to the guest" "$TMP/wait.out"; fi

  forget; xdotool key ctrl+alt+o
  if settle overlay=true; then
    shot keys-overlay
    check "Ctrl+Alt+O: the overlay is drawn over the picture's top-left" \
      overlay_drawn "$TMP/keys-overlay.png" snapshot sim:300x200 -o "$TMP/ref.png"
  else not_ok "Ctrl+Alt+O shows the overlay" "$TMP/wait.out"; fi

  xdotool key ctrl+q
  wait "$VIEWER_PID"; rc=$?; VIEWER_PID=
  check "Ctrl+Q quits with status 0" test "$rc" = 0
else not_ok "key test window settles" "$TMP/wait.out"; stop; fi
check "no warnings from the key test" no_warnings "$VIEWER_ERR"

# 4. The overlay from the start (--stats): the rest of the picture is the
# snapshot's.
start stats demo --at 5 --stats
if settle state=live overlay=true; then
  shot stats
  x=$(stat x) y=$(stat y)
  "$GVT_VIEW" demo --at 5 --snapshot "$TMP/stats-ref.png" >/dev/null
  convert "$TMP/stats-ref.png" -crop 1280x520+0+200 +repage "$TMP/stats-ref-low.png"
  check "--stats: the picture below the overlay equals the snapshot" \
    "$UI_CHECK" compare "$TMP/stats.png" "$x" "$((y + 200))" 1280 520 "$TMP/stats-ref-low.png"
  check "--stats: the overlay box is drawn" \
    overlay_drawn "$TMP/stats.png" demo --at 5 --snapshot "$TMP/ref.png"
else not_ok "--stats window settles" "$TMP/wait.out"; fi
stop

# 5. The state screens.
start nosignal demo --at 1
if settle state=no-signal; then
  shot nosignal
  check "no signal: text in the middle, black around" message_shown "$TMP/nosignal.png"
  check "no signal: the screen says so" grep -q '"message" : "No signal — waiting for the guest display"' "$VIEWER_STATS"
else not_ok "the firmware phase shows 'no signal'" "$TMP/wait.out"; fi
stop

start lost demo --at 5 --lose-after-ticks 3
if settle state=lost; then
  shot lost
  check "device lost: text in the middle, black around" message_shown "$TMP/lost.png"
  check "device lost: the screen says so" grep -q '"message" : "Device lost"' "$VIEWER_STATS"
  check "device lost: no texture or EGLImage held any more" \
    test "$(stat live_textures)/$(stat live_images)" = 0/0
else not_ok "an unplugged device shows 'device lost'" "$TMP/wait.out"; fi
stop

# A guest plane in a format the viewer can't show (YUYV): the screen says
# so and why, and the window stays up.
start unsupported sim:640x480:YUYV
if settle state=unsupported; then
  shot unsupported
  check "unsupported format: text in the middle, black around" message_shown "$TMP/unsupported.png"
  check "unsupported format: the screen says so" grep -q '"message" : "Unsupported format"' "$VIEWER_STATS"
  check "unsupported format: ... and names the guest's format (YUYV)" \
    grep -q '"detail" : ".*unsupported format YUYV' "$VIEWER_STATS"
  check "unsupported format: the title says so" \
    grep -q '"title" : "gvt-view — unsupported format — sim"' "$VIEWER_STATS"
else not_ok "a YUYV plane shows 'unsupported format'" "$TMP/wait.out"; fi
check "unsupported format: closes cleanly" stop
check "unsupported format: the bad plane is logged once, nothing else" \
  only_warning "$VIEWER_ERR" "ignoring the guest's plane: primary plane has unsupported format YUYV"

# A device opened by name comes back: reopened, live again, same picture.
start reopen sim:640x480 --lose-after-ticks 3
if settle state=live reopens=1; then
  shot reopen
  check "a lost device opened by name is reopened and shown again" \
    picture_matches reopen "$TMP/reopen.png" snapshot sim:640x480 -o "$TMP/ref.png"
else not_ok "the lost sim device is reopened" "$TMP/wait.out"; fi
stop

# 6. Minimised, the window polls nothing: the frame-clock ticks and the
# device polls stop, and start again when it is restored. --stats-interval
# writes the counters while nothing ticks; two samples taken while
# minimised must be equal, whatever the time between them.
start minimise sim:640x480 --stats-interval 0.1
if settle state=live; then
  wid=$(xdotool search --pid "$VIEWER_PID" --onlyvisible --name gvt-view | head -n 1)
  check "WM_CLASS's class is the application id (the desktop file's name)" \
    sh -c "xprop -id $wid WM_CLASS | grep -q ', \"io.github.gvt_view.Viewer\"\$'"
  xdotool windowminimize "$wid"
  if settle iconified=true polling=false; then
    cp "$VIEWER_STATS" "$TMP/minimised-1.json"
    writes=$("$UI_CHECK" get "$TMP/minimised-1.json" stats_writes)
    # Five more writes: the frame clock would have ticked meanwhile.
    settle "stats_writes>=$((writes + 5))"
    cp "$VIEWER_STATS" "$TMP/minimised-2.json"
    for key in ticks polls; do
      a=$("$UI_CHECK" get "$TMP/minimised-1.json" "$key") b=$("$UI_CHECK" get "$TMP/minimised-2.json" "$key")
      check "minimised: no $key ($a, then $b five stats writes later)" test "$a" = "$b"
    done
    check "minimised: the window manager has it iconic" sh -c "xprop -id $wid WM_STATE | grep -q Iconic"
    ticks=$("$UI_CHECK" get "$TMP/minimised-2.json" ticks) polls=$("$UI_CHECK" get "$TMP/minimised-2.json" polls)
    xdotool windowactivate "$wid"
    if settle iconified=false polling=true "ticks>=$((ticks + 1))" "polls>=$((polls + 1))" state=live; then
      ok "restored: ticks and polls go on (from $ticks and $polls)"
    else not_ok "restoring the window resumes polling" "$TMP/wait.out"; fi
  else not_ok "xdotool windowminimize iconifies the window and stops its polling" "$TMP/wait.out"; fi
else not_ok "the window to minimise settles live" "$TMP/wait.out"; fi
check "minimise: closes cleanly" stop
check "minimise: no warnings" no_warnings "$VIEWER_ERR"

# 7. HiDPI (GDK_SCALE=2): frames are drawn at the buffer scale. Native: the
# demo's 1280x720 frame 1:1 in device pixels, in a window sized 640x360
# logical pixels for it. Integer: each guest pixel an exact K x K block of
# the native snapshot's pixel, for K=2 and K=3 (K=3 tells device pixels
# from logical ones: at logical size the factor would be 1, doubled to 2).
"$GVT_VIEW" demo --at 5 --snapshot "$TMP/hidpi-demo-ref.png" >/dev/null
GDK_SCALE=2 start hidpi-native demo --at 5 --scale native
if settle state=live scale_factor=2 width=1280 height=720; then
  shot hidpi-native
  check "GDK_SCALE=2, --scale native: the demo 1:1 in device pixels, exact" \
    zoomed_matches "$TMP/hidpi-native.png" 1 1280 720 "$TMP/hidpi-demo-ref.png"
else not_ok "GDK_SCALE=2: the native demo window settles at 1280x720 device pixels" "$TMP/wait.out"; fi
check "GDK_SCALE=2, native: closes cleanly" stop
check "GDK_SCALE=2, native: no warnings" no_warnings "$VIEWER_ERR"

"$GVT_VIEW" snapshot sim:200x120 -o "$TMP/hidpi-sim-ref.png" >/dev/null
for k in 2 3; do
  # --size is logical: 100k x 60k is 200k x 120k device pixels.
  GDK_SCALE=2 start "hidpi-int$k" sim:200x120 --size "$((100 * k))x$((60 * k))" --scale integer
  if settle state=live scale_factor=2 "width=$((200 * k))" "height=$((120 * k))"; then
    shot "hidpi-int$k"
    check "GDK_SCALE=2, --scale integer: each guest pixel an exact ${k}x$k block" \
      zoomed_matches "$TMP/hidpi-int$k.png" "$k" 200 120 "$TMP/hidpi-sim-ref.png"
  else not_ok "GDK_SCALE=2: the integer window settles at $((200 * k))x$((120 * k))" "$TMP/wait.out"; fi
  stop
done

# 7b. A resize shows black, never white, until the next frame is drawn: the
# window grows while the viewer is stopped (SIGSTOP), so what the X server
# shows in the new area is the windows' background; after SIGCONT the
# picture fills the new size.
start grow sim:300x200 --size 400x300
if settle state=live width=400 height=300; then
  gx=$(stat x) gy=$(stat y)
  wid=$(xdotool search --sync --pid "$VIEWER_PID" --name 'gvt-view' | tail -1)
  kill -STOP "$VIEWER_PID"
  xdotool windowsize --sync "$wid" 720 540
  sleep 0.3
  shot grow-stopped
  # Before it runs again: the settle after the resize must find its file.
  forget
  kill -CONT "$VIEWER_PID"
  check "a window growing by 320x240 shows black right of the old picture (no white flash)" \
    "$UI_CHECK" region "$TMP/grow-stopped.png" "$((gx + 402))" "$((gy + 2))" 316 536 black
  check "... and below it" \
    "$UI_CHECK" region "$TMP/grow-stopped.png" "$((gx + 2))" "$((gy + 302))" 396 236 black
  if settle state=live width=720 height=540; then
    shot grow-after
    TOLERANCE=1
    check "after the resize the picture fills the new size (the fit snapshot at 720x540)" \
      picture_matches grow "$TMP/grow-after.png" snapshot sim:300x200 -o "$TMP/ref.png"
    TOLERANCE=0
  else not_ok "the grown window settles at 720x540" "$TMP/wait.out"; fi
else not_ok "the 400x300 window settles" "$TMP/wait.out"; fi
check "the grown window closes cleanly" stop

# 7c. The guest's resolution follows the window (EDID). The sim's first
# mode resizes the window (1024x768 -> 640x480): that is the size policy's
# doing, no EDID. The user's size is: after the pause (1 s), even.
# Fullscreen: the monitor's size.
start edid sim:640x480 --stats-interval 0.2
if settle state=live width=640 height=480; then
  sleep 1.5
  check "the guest's first mode resized the window: no EDID request, no write" \
    test "$(stat edid_requests)/$(stat edid_writes)/$(stat guest_preferred)" = 0/0/none
  wid=$(xdotool search --pid "$VIEWER_PID" --onlyvisible --name gvt-view | head -n 1)
  forget; xdotool windowsize --sync "$wid" 1001 701
  if settle width=1001 height=701 edid_pending=true edid_writes=0; then
    ok "the user's resize is a request, waiting for the pause (no EDID yet)"
  else not_ok "the user's resize is a pending EDID request" "$TMP/wait.out"; fi
  if settle guest_preferred=1000x700 edid_writes=1 edid_pending=false; then
    ok "after the pause the guest's preferred mode is the window's, rounded to even (1000x700)"
  else not_ok "the EDID follows the window after the pause" "$TMP/wait.out"; fi
  forget; xdotool key F11
  if settle fullscreen=true guest_preferred=1600x1000 edid_writes=2; then
    ok "fullscreen: the guest is offered the monitor's size (1600x1000)"
  else not_ok "fullscreen: the EDID follows the monitor" "$TMP/wait.out"; fi
else not_ok "the EDID window settles live at 640x480" "$TMP/wait.out"; fi
check "the EDID window closes cleanly" stop
check "the EDID window logs no warnings" no_warnings "$VIEWER_ERR"

# No loop: a guest that takes the EDID's mode (demo --follow-edid). A
# 500x400 window is below the smallest mode: the guest gets 640x480, and
# the size policy's resize to it is no new request.
start edid-loop demo --follow-edid --guest-size 1024x600 --no-cursor --stats-interval 0.2
if settle state=live width=1024 height=600; then
  wid=$(xdotool search --pid "$VIEWER_PID" --onlyvisible --name gvt-view | head -n 1)
  forget; xdotool windowsize --sync "$wid" 500 400
  # The user's requests, counted while the pause runs.
  settle width=500 height=400 edid_pending=true edid_writes=0; requests=$(stat edid_requests)
  if settle guest_width=640 guest_height=480 width=640 height=480 guest_preferred=640x480; then
    sleep 2
    sample loop
    check "the guest's new mode resized the window (500x400 -> 640x480): no request, one EDID" \
      test "$(sampled loop edid_requests)/$(sampled loop edid_writes)/$(sampled loop width)x$(sampled loop height)" \
        = "$requests/1/640x480"
    forget; xdotool windowsize --sync "$wid" 1201 801
    settle width=1201 height=801 edid_pending=true edid_writes=1; requests=$(stat edid_requests)
    if settle guest_width=1200 guest_height=800 width=1200 height=800 edid_writes=2; then
      sleep 2
      check "an odd window (1201x801): the guest takes 1200x800, the window follows, nothing more" \
        test "$(stat edid_requests)/$(stat edid_writes)/$(stat guest_preferred)" = "$requests/2/1200x800"
    else not_ok "the guest follows a 1201x801 window with 1200x800" "$TMP/wait.out"; fi
  else not_ok "a 500x400 window gives the guest 640x480 and the window follows" "$TMP/wait.out"; fi
else not_ok "the EDID-following demo settles at 1024x600" "$TMP/wait.out"; fi
check "the EDID-following demo closes cleanly" stop
check "the EDID-following demo logs no warnings" no_warnings "$VIEWER_ERR"

# --resolution: one EDID at the start, whatever the window does; --edid
# off: none at all.
start edid-fixed sim:640x480 --resolution 1280x720 --stats-interval 0.2
if settle state=live edid=fixed guest_preferred=1280x720 edid_writes=1; then
  wid=$(xdotool search --pid "$VIEWER_PID" --onlyvisible --name gvt-view | head -n 1)
  xdotool windowsize --sync "$wid" 900 700
  sleep 2
  check "--resolution 1280x720: one EDID, the resize changes nothing" \
    test "$(stat width)/$(stat edid_writes)/$(stat guest_preferred)" = 900/1/1280x720
else not_ok "--resolution 1280x720 gives the guest that EDID at once" "$TMP/wait.out"; fi
stop
start edid-off sim:640x480 --edid off --stats-interval 0.2
if settle state=live edid=off; then
  wid=$(xdotool search --pid "$VIEWER_PID" --onlyvisible --name gvt-view | head -n 1)
  xdotool windowsize --sync "$wid" 900 700
  sleep 2
  check "--edid off: no EDID region used, nothing written" \
    test "$(stat width)/$(stat edid_region)/$(stat edid_writes)" = 900/false/0
else not_ok "--edid off settles" "$TMP/wait.out"; fi
stop

# 8a. A frozen guest (nothing changes at all, not even a cursor): still a
# frame on every frame-clock tick while the window shows it.
start frozen-rate demo --at 7 --stats-interval 0.2
if settle state=live; then
  sample a; u1=$(sampled a plane_updates) p1=$(sampled a frames_presented) t1=$(sampled a live_ticks)
  sleep 1
  sample b; u2=$(sampled b plane_updates) p2=$(sampled b frames_presented) t2=$(sampled b live_ticks)
  echo "# frozen: $((p2 - p1)) frames over $((t2 - t1)) live ticks, $((u2 - u1)) plane changes"
  check "a frozen guest changes no plane" test "$u1" = "$u2"
  check "... and is presented on every live tick (>= ticks - 2, over >= 30 ticks)" \
    test "$((p2 - p1))" -ge "$((t2 - t1 - 2))" -a "$((t2 - t1))" -ge 30
else not_ok "the frozen demo settles" "$TMP/wait.out"; fi
check "the frozen demo closes cleanly" stop

# 8. The live demo for a few seconds: no warnings, and a frame presented on
# every frame-clock tick once the desktop is up (the display's rate),
# whether a plane changed or not.
start live demo --exit-after-ticks 300 --stats-interval 0.1
if settle state=live; then
  check "the live demo (page flips) holds no texture the poller let go of" \
    test "$(stat live_textures)" -le "$(stat cached_buffers)"
else not_ok "the live demo settles" "$TMP/wait.out"; fi
wait "$VIEWER_PID"; rc=$?; VIEWER_PID=
check "the live demo exits 0 after 300 ticks (3 s of firmware, then the desktop)" test "$rc" = 0
check "the live demo logs no warnings" no_warnings "$VIEWER_ERR"
presented=$(stat frames_presented) live_ticks=$(stat live_ticks) updates=$(stat plane_updates)
echo "# presented $presented frames over $live_ticks live ticks of $(stat ticks), $updates plane updates"
check "exactly 300 ticks" test "$(stat ticks)" = 300
check "frames were presented (the desktop came up)" test "$presented" -gt 30
check "no more frames than live ticks (+ a few exposes)" test "$presented" -le "$((live_ticks + 3))"
check "a frame presented on every live frame-clock tick (presented >= live ticks - 2)" \
  test "$presented" -ge "$((live_ticks - 2))"
check "frames that showed a change <= plane updates (the rest are counted as repeats)" \
  test "$((presented - $(stat repeats)))" -le "$((updates + 1))"

# 8b. A guest that draws in place (demo --in-place: one buffer, the same
# dmabuf id, no signal at all): the window still shows what it draws. Frozen,
# it equals the headless snapshot; live, a frame goes out on every tick, no
# plane changes, and yet two screenshots apart show the animation moving.
start inplace-frozen demo --in-place --at 7
if settle state=live width=1280 height=720; then
  shot inplace-frozen
  check "the in-place demo frozen at 7 s equals the snapshot of that instant" \
    picture_matches inplace-frozen "$TMP/inplace-frozen.png" demo --at 7 --snapshot "$TMP/ref.png"
else not_ok "the frozen in-place demo settles live at 1280x720" "$TMP/wait.out"; fi
stop
start inplace demo --in-place --no-cursor --guest-size 640x400 --stats-interval 0.2
if settle state=live width=640 height=400; then
  sleep 0.5
  px=$(stat x) py=$(stat y)
  sample a; updates1=$(sampled a plane_updates) presented1=$(sampled a frames_presented) ticks1=$(sampled a live_ticks)
  shot inplace-1
  sleep 0.6
  shot inplace-2
  sleep 0.5
  sample b; updates2=$(sampled b plane_updates) presented2=$(sampled b frames_presented) ticks2=$(sampled b live_ticks)
  echo "# in place: $((presented2 - presented1)) frames over $((ticks2 - ticks1)) live ticks, $((updates2 - updates1)) plane changes"
  check "the in-place guest (no cursor) changes no plane at all while it animates" \
    test "$updates1" = "$updates2"
  check "... yet a frame is presented on every live tick" \
    test "$((presented2 - presented1))" -ge "$((ticks2 - ticks1 - 2))"
  convert "$TMP/inplace-1.png" -crop "640x400+$px+$py" +repage "$TMP/inplace-ref.png"
  check "... and the picture on screen moves (two screenshots 0.6 s apart differ)" \
    bash -c '! "$0" compare "$1" "$2" "$3" 640 400 "$4" 0' "$UI_CHECK" "$TMP/inplace-2.png" "$px" "$py" "$TMP/inplace-ref.png"
else not_ok "the in-place demo settles live at 640x400" "$TMP/wait.out"; fi
check "the in-place demo closes cleanly" stop
check "no warnings from the in-place demo" no_warnings "$VIEWER_ERR"

# 8c. The exit hook counts ticks, so it fires with no signal too (a count of
# presented frames never would, and a test using it would hang).
start nosignal-exit demo --at 1 --exit-after-ticks 30
for _ in $(seq 100); do kill -0 "$VIEWER_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$VIEWER_PID" 2>/dev/null; then
  not_ok "a window with no signal closes after 30 ticks (still running after 10 s)"
  stop
else
  wait "$VIEWER_PID"; rc=$?; VIEWER_PID=
  check "a window with no signal closes after 30 ticks, status 0" test "$rc" = 0
  check "... having shown no signal and presented nothing" \
    test "$(stat state)/$(stat frames_presented)/$(stat ticks)" = no-signal/0/30
fi

# 9. No display: `gvt-view` alone writes the demo's frame and says so.
mkdir "$TMP/nodisplay"
( cd "$TMP/nodisplay" && env -u DISPLAY -u WAYLAND_DISPLAY "$GVT_VIEW" >"$TMP/nd.out" 2>"$TMP/nd.err" )
check "without a display, gvt-view writes gvt-view-demo.png" test -s "$TMP/nodisplay/gvt-view-demo.png"
check "... and says why" grep -q "no display to open a window on" "$TMP/nd.err"

finish
