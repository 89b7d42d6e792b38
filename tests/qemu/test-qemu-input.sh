#!/bin/bash
# Keyboard and mouse from the viewer window to a real QEMU (TCG) over QMP
# input-send-event, checked in what QEMU itself received: its trace points
# input_event_* (`input_event_key_qcode con -1, key qcode a, down 1`,
# `input_event_btn ... button left, down 1`, `input_event_abs ... axis x,
# value 0x4000`). The VM has a usb-tablet (absolute pointer) and a usb-kbd
# beside the ramfb SeaBIOS draws on. The window is on a private Xvfb with
# openbox; keys, buttons and motion come from xdotool through XTEST (the
# path a real keyboard takes, with the X server's auto-repeat; `xdotool key
# --window` would send synthetic events instead). Keys given as numbers are
# X keycodes (Linux KEY_* + 8), the rest keysyms of Xvfb's keymap.
#
#  1. keys: the right qcodes, down then up, in order; the viewer's own
#     shortcuts are not sent.
#  2. buttons 1/2/3/8/9 and the wheel (4/5/6/7): QEMU's button names.
#  3. pointer: each abs value is what the stats file's view transform gives
#     by QEMU's rule (device px = logical x * scale factor; guest x =
#     (px - view_offset_x) / view_scale_x, floored, clamped to the image;
#     abs = gx * 0x7FFF / guest width): fit with a letterbox left/right and
#     (resized) top/bottom, integer 2x at GDK_SCALE=2; outside the image
#     nothing is sent, unless a button is held (clamped).
#  4. focus lost with a key held: the key goes up in the guest.
#  5. host auto-repeat: one down and one up.
#  6. --view-only: nothing at all.
#  7. Ctrl+Alt+G grabs (title, stats), a window-manager key (openbox's
#     Alt+Tab) then reaches the guest; again releases; no g sent.
#
# "Nothing sent" is read after the viewer has visibly moved on (later
# events it did send, or two more stats-file writes and screendumps over
# the same QMP connection): bounded waits, never timed assertions.
#
# Usage: test-qemu-input.sh GVT_VIEW UI_CHECK   (TAP on stdout)
set -u
GVT_VIEW=$(realpath "$1") UI_CHECK=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../ui/ui-lib.sh"
require Xvfb xprop xdotool xset xmessage openbox qemu-system-x86_64 python3
. "$here/qemu-lib.sh"
. "$here/input-lib.sh"

qemu_test_dirs
XMSG_PID=
at_exit '[ -n "$XMSG_PID" ] && kill -KILL "$XMSG_PID"'


# A private X server big enough for integer 2x of 1024x768 at GDK_SCALE=2
# (a 2100x1600 device-pixel window), with openbox (focus, activation, its
# Alt+Tab binding: /etc/xdg/openbox/rc.xml).
qemu_x_display 2400x1800
xset r on
xdotool mousemove 0 0

not_wm_key () { none '^key tab ' || { wm_state; return 1; }; }


# pointer_to DX DY [HELD]: the pointer to that point (device px from the
# image's top-left, expressions of iw, ih, ox, oy, W, H) of the transform
# sampled in $TMP/sample-view.json; QEMU's pointer gets the abs values the
# rule gives (10 s). HELD=1: a button is down (outside: clamped).
pointer_to () {
  local sx sy want got deadline=$((SECONDS + 10))
  read -r sx sy < <(py point "$TMP/sample-view.json" "$1" "$2")
  want=$(py expect "$TMP/sample-view.json" "$sx" "$sy" "${3:-0}" 2>"$TMP/why")
  cat "$TMP/why"
  [ "$want" = none ] && { echo "nothing to expect: use pointer_outside"; return 1; }
  xdotool mousemove "$sx" "$sy"
  while got=$(py pointer "$QEMU_LOG"); [ "$got" != "$want" ]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "QEMU's pointer is at abs ($got), want ($want)"
      local k
      for k in x y width height input_commands view_offset_x view_offset_y; do
        echo "  $k: sampled $(sampled view "$k"), now $("$UI_CHECK" get "$VIEWER_STATS" "$k")"
      done
      echo "  X pointer: $(xdotool getmouselocation)"
      return 1
    fi
    sleep 0.1
  done
  echo "QEMU's pointer: abs ($got)"
}
# pointer_outside DX DY, then DX2 DY2 inside: moving to the first (outside
# the image, no button) sends nothing: once the viewer moved on, the move
# to the second is the only abs QEMU got.
pointer_outside () {
  local sx sy want
  read -r sx sy < <(py point "$TMP/sample-view.json" "$1" "$2")
  want=$(py expect "$TMP/sample-view.json" "$sx" "$sy" 0 2>&1 >/dev/null)
  echo "$want"
  case $want in *"-> nothing") ;; *) echo "that point is not outside the image"; return 1 ;; esac
  qemu_mark
  xdotool mousemove "$sx" "$sy"
  viewer_turns || return 1
  none '^abs ' || return 1
  pointer_to "$3" "$4" || return 1
  # ... and nothing came late: QEMU got only the inside point's values.
  tr_events | grep '^abs ' | sort -u >"$TMP/abs"
  if [ "$(grep -c . "$TMP/abs")" -gt 2 ]; then
    echo "QEMU got more than the one position since the outside move:"; sed 's/^/  /' "$TMP/abs"; return 1
  fi
}

# 0. The VM: SeaBIOS on ramfb, an absolute pointer and a keyboard on USB,
# every input event QEMU gets traced.
if qemu_start -device usb-ehci -device usb-tablet -device usb-kbd -trace 'input_event_*' \
     >"$TMP/boot.out" 2>&1 && qemu_wait_drawn >>"$TMP/boot.out" 2>&1; then
  ok "QEMU boots SeaBIOS onto ramfb fb0, with a usb-tablet and a usb-kbd"
else
  not_ok "QEMU boots SeaBIOS onto ramfb fb0, with a usb-tablet and a usb-kbd" "$TMP/boot.out"
  echo "Bail out! no VM to test against"
  exit 1
fi

# A. --scale fit in a 1200x700 window: a 4:3 guest letterboxed left and
# right.
start fit --qmp "$SOCK" --size 1200x700 --stats-interval 0.5
if settle state=live source=ramfb guest_width=1024 guest_height=768 width=1200 height=700 \
   && find_window >"$TMP/win.out" 2>&1 && activate >>"$TMP/win.out" 2>&1; then
  ok "the viewer settles live on the ramfb, 1200x700 (window $WID, focused)"
  check "stats: input absolute, not grabbed, no keys down" settled input=absolute grabbed=false keys_down=0
  sample view
  check "fit: the view transform letterboxes the guest left and right" py checkview "$TMP/sample-view.json" fit

  # 3. Pointer, fit.
  check "fit: the image's top-left pixel" pointer_to 0 0
  check "fit: the image's centre" pointer_to "iw/2" "ih/2"
  check "fit: a quarter across, three quarters down" pointer_to "iw/4+1" "ih*3/4+1"
  check "fit: the image's last pixel" pointer_to "iw-1" "ih-1"
  check "fit: in the left letterbox, no button: nothing sent" pointer_outside "-ox/2" "ih/3" "iw/3" "ih/5"
  qemu_mark
  check "fit: a point inside, then left button down there" pointer_to "iw/2+7" "ih/2+5"
  xdotool mousedown 1
  check "fit: left button held, in the left letterbox: x clamped to 0" pointer_to "-ox/2" "ih/3" 1
  check "... and beyond the window's right edge: x clamped to the last pixel" pointer_to "W-ox+40" "ih/2" 1
  xdotool mouseup 1
  check "fit: the button went down and up around those moves" sent '^btn ' "btn left down" "btn left up"
  check "fit: back inside after the drag" pointer_to "iw/2" "ih/2"

  # 2. Buttons and the wheel, the pointer on the image.
  qemu_mark
  for b in 1 2 3 8 9 4 5 6 7; do xdotool click "$b"; done
  check "buttons 1 2 3 8 9 and wheel 4 5 6 7: QEMU's names, each down then up" sent '^btn ' \
    "btn left down" "btn left up" "btn middle down" "btn middle up" "btn right down" "btn right up" \
    "btn side down" "btn side up" "btn extra down" "btn extra up" \
    "btn wheel-up down" "btn wheel-up up" "btn wheel-down down" "btn wheel-down up" \
    "btn wheel-left down" "btn wheel-left up" "btn wheel-right down" "btn wheel-right up"

  # 1. Keys.
  activate >/dev/null
  qemu_mark
  xdotool key a
  # Shift+A pressed as a hand does (xdotool key shift+a releases shift first).
  xdotool keydown shift keydown a keyup a keyup shift
  # Keycodes: 105 KEY_RIGHTCTRL (xdotool key Control_R would press
  # Control_L with it), 121 KEY_MUTE, 122 KEY_VOLUMEDOWN, 100 KEY_HENKAN
  # (Henkan_Mode), 102 KEY_MUHENKAN, 101 KEY_KATAKANAHIRAGANA (Xvfb's
  # evdev keymap).
  xdotool key Return F1 KP_Enter 105
  xdotool key 121 122 100 102 101
  check "keys a, Shift+A, Return, F1, KP_Enter, Control_R, Mute, VolumeDown, Henkan, Muhenkan, Hiragana_Katakana" \
    sent '^key' \
    "key a down" "key a up" \
    "key shift down" "key a down" "key a up" "key shift up" \
    "key ret down" "key ret up" "key f1 down" "key f1 up" "key kp_enter down" "key kp_enter up" \
    "key ctrl_r down" "key ctrl_r up" \
    "key audiomute down" "key audiomute up" "key volumedown down" "key volumedown up" \
    "key henkan down" "key henkan up" "key muhenkan down" "key muhenkan up" \
    "key katakanahiragana down" "key katakanahiragana up"
  check "... and none left down (stats keys_down 0)" keys_up
  # Keycode 97 (KEY_RO) has no keysym in the US layout: the key still is
  # the guest's (a JP keyboard on a US-configured host).
  qemu_mark
  xdotool key 97
  check "a key with no keysym on the host (keycode 97, KEY_RO): ro" sent '^key' "key ro down" "key ro up"

  # The viewer's own shortcut (Ctrl+Alt+O twice: the overlay on and off)
  # is not sent; its modifiers may be. Then a plain key: o is the guest's.
  qemu_mark
  forget; xdotool key ctrl+alt+o
  SETTLE_S=10 settle overlay=true
  forget; xdotool key ctrl+alt+o
  check "Ctrl+Alt+O toggles the overlay (on, then off)" settled overlay=false
  xdotool key o
  skip_re='^key (ctrl|ctrl_r|alt|alt_r) '
  check "Ctrl+Alt+O is not sent (its modifiers may be); a plain o is" sent '^key ' "key o down" "key o up"
  skip_re=
  check "... and no key left down" keys_up

  # 5. Auto-repeat: the X server repeats a held key (Xvfb's autorepeat is
  # on: xset r on above); the guest gets one down and one up.
  qemu_mark
  xdotool keydown a
  check "a held: down in the guest (keys_down 1)" settled keys_down=1
  # Held across the server's repeat delay and a few repeats: bounded by
  # the viewer's clock (at least two stats writes: >= 1 s).
  viewer_turns >/dev/null; viewer_turns >/dev/null
  xdotool keyup a
  check "X auto-repeat is on" sh -c 'xset q | grep -q "auto repeat:  on"'
  check "a held ~1 s (auto-repeated by X): one down, one up" sent '^key a ' "key a down" "key a up"

  # 4. Focus: shift held in the viewer, then another window is focused:
  # the guest's shift goes up without any key-up from the host.
  qemu_mark
  xdotool keydown shift
  check "shift held: down in the guest" tr_wait 1 '^key shift down$'
  # xmessage sets no _NET_WM_PID: found by its class name.
  xmessage -name gvt-focus-thief -geometry +0+0 "focus thief" >/dev/null 2>&1 &
  XMSG_PID=$!
  msg_win=
  for _ in $(seq 100); do
    msg_win=$(xdotool search --onlyvisible --classname gvt-focus-thief 2>/dev/null | tail -n 1)
    [ -n "$msg_win" ] && break; sleep 0.1
  done
  check "another window (xmessage $msg_win) takes the focus" activate "$msg_win"
  check "focus lost with shift held: shift up in the guest" \
    sent '^key ' "key shift down" "key shift up"
  check "... keys_down 0" keys_up
  xdotool keyup shift
  kill "$XMSG_PID" 2>/dev/null; wait "$XMSG_PID" 2>/dev/null; XMSG_PID=
  for _ in $(seq 100); do
    xdotool search --onlyvisible --classname gvt-focus-thief >/dev/null 2>&1 || break; sleep 0.1
  done
  check "the viewer has the focus again" activate

  # 7. Grab. Openbox binds Alt+Tab (NextWindow): not grabbed, it is
  # openbox's, and the guest gets no tab (then b, to see the viewer moved on).
  qemu_mark
  xdotool keydown alt key Tab keyup alt
  activate >/dev/null
  xdotool key b
  tr_wait 1 '^key b up$' >/dev/null
  check "not grabbed: Alt+Tab is openbox's (no tab in the guest)" not_wm_key
  activate >/dev/null
  qemu_mark; grab_mark=$QEMU_MARK
  forget; xdotool key ctrl+alt+g
  if SETTLE_S=10 settle grabbed=true; then
    ok "Ctrl+Alt+G: grabbed (stats)"
    title=$(stat title)
    check "... the title says so: '$title'" \
      grep -qF "(input grabbed — Ctrl+Alt+G releases)" <<<"$title"
    check "... the X window's _NET_WM_NAME too" \
      sh -c 'xprop -id "$1" _NET_WM_NAME | grep -F "(input grabbed — Ctrl+Alt+G releases)"' _ "$WID"
    # The grab keys' own modifier presses and releases go to the guest:
    # the mark comes after QEMU has them (a busy machine answers late).
    keys_up >/dev/null; viewer_turns >/dev/null
    qemu_mark
    xdotool keydown alt key Tab keyup alt
    check "grabbed: Alt+Tab reaches the guest (alt, tab down and up)" sent '^key (alt|tab) ' \
      "key alt down" "key tab down" "key tab up" "key alt up"
    forget; xdotool key ctrl+alt+g
    check "Ctrl+Alt+G again: released (stats grabbed false)" settled grabbed=false
    check "... the title no longer says grabbed" \
      sh -c '! "$1" get "$2" title | grep -qF "input grabbed"' _ "$UI_CHECK" "$VIEWER_STATS"
  else
    not_ok "Ctrl+Alt+G: grabbed (stats)" "$TMP/wait.out"
  fi
  viewer_turns >/dev/null
  QEMU_MARK=$grab_mark
  check "neither Ctrl+Alt+G press sent g" none '^key g '
  check "no key left down after the grab" keys_up

  # 3. Pointer, fit again after a resize to 1000x900: letterboxed top and
  # bottom now, and the transform follows.
  activate >/dev/null
  forget; xdotool windowsize --sync "$WID" 1000 900
  if settle width=1000 height=900 state=live; then
    ok "resized to 1000x900"
    sample view
    check "fit 1000x900: the transform letterboxes top and bottom" py checkview "$TMP/sample-view.json" fit
    check "fit 1000x900: the image's top-left pixel" pointer_to 0 0
    check "fit 1000x900: a third across, two thirds down" pointer_to "iw/3" "ih*2/3"
    check "fit 1000x900: the image's last pixel" pointer_to "iw-1" "ih-1"
    check "fit 1000x900: in the top letterbox, no button: nothing sent" \
      pointer_outside "iw/2" "-oy/2" "iw/5" "ih/4"
  else not_ok "resized to 1000x900" "$TMP/wait.out"; fi

  check "the viewer sent input-send-event commands (stats input_commands)" \
    test "$(stat input_commands)" -gt 0
  check "the viewer closes cleanly on SIGTERM" closes_cleanly
  check "no warnings from the viewer" quiet
else
  not_ok "the viewer settles live on the ramfb, 1200x700" "$TMP/wait.out"
  [ -f "$TMP/win.out" ] && sed 's/^/# /' "$TMP/win.out"
  stop >/dev/null
fi

# B. --scale integer at GDK_SCALE=2: a 1050x800 window is 2100x1600 device
# pixels, the guest 2x in it, centred; events come in logical pixels (halves
# of device pixels), the transform is in device pixels.
xdotool mousemove 0 0
GDK_SCALE=2 start integer --qmp "$SOCK" --size 1050x800 --scale integer --stats-interval 0.5
if settle state=live guest_width=1024 scale_factor=2 width=2100 height=1600; then
  ok "GDK_SCALE=2, --scale integer, 1050x800: live, 2100x1600 device pixels"
  check "integer: input absolute" settled input=absolute
  sample view
  check "integer: the transform is 2x, centred" py checkview "$TMP/sample-view.json" integer
  check "integer: the image's top-left pixel" pointer_to 0 0
  check "integer: the second device pixel of guest pixel (511, 383)" pointer_to 1023 767
  check "integer: the first device pixel of guest pixel (512, 384)" pointer_to 1024 768
  check "integer: an odd device pixel near the bottom-right" pointer_to 2045 1533
  check "integer: the image's last pixel" pointer_to "iw-1" "ih-1"
  check "integer: in the margin left of the image, no button: nothing sent" \
    pointer_outside "-ox/2" "ih/2" "iw/3" "ih/3"
  check "the 2x viewer closes cleanly" closes_cleanly
  check "no warnings from the 2x viewer" quiet
else not_ok "GDK_SCALE=2, --scale integer, 1050x800: live, 2100x1600 device pixels" "$TMP/wait.out"; stop >/dev/null; fi

# 6. --view-only: keys, clicks, the wheel and motion reach nothing.
xdotool mousemove 0 0
start viewonly --qmp "$SOCK" --view-only --size 1200x700 --stats-interval 0.5
if settle state=live guest_width=1024 && find_window >"$TMP/win.out" 2>&1 \
   && activate >>"$TMP/win.out" 2>&1; then
  ok "--view-only: live"
  check "--view-only: stats input off" settled input=off
  sample view
  qemu_mark
  read -r sx sy < <(py point "$TMP/sample-view.json" "iw/2" "ih/2")
  xdotool mousemove "$sx" "$sy" mousemove_relative 13 9
  xdotool key a shift+b Return 121
  for b in 1 3 4 5; do xdotool click "$b"; done
  xdotool mousedown 1 mousemove 10 "$sy" mouseup 1
  check "--view-only: the viewer moved on" viewer_turns
  check "--view-only: QEMU got no input at all" none '.'
  qemu_since "$TMP/viewonly.log"
  check "--view-only: no input-send-event asked" \
    sh -c '! grep -F "\"execute\": \"input-send-event\"" "$1"' _ "$TMP/viewonly.log"
  check "--view-only: stats input_commands 0" test "$(stat input_commands)" = 0
  check "--view-only: closes cleanly" closes_cleanly
  check "--view-only: no warnings" quiet
else
  not_ok "--view-only: live" "$TMP/wait.out"
  [ -f "$TMP/win.out" ] && sed 's/^/# /' "$TMP/win.out"
  stop >/dev/null
fi

qemu_alive () {
  kill -0 "$QEMU_PID" 2>/dev/null && return 0
  echo "QEMU has gone; its log ends:"; grep -v -E "handle_qmp_command|input_event_" "$QEMU_LOG" | tail -n 20
  return 1
}
check "QEMU ran to the end" qemu_alive
check "QMP quit: QEMU exits" qemu_quit

# H. --relative-mouse on a VM without a tablet (the PS/2 mouse): a click
# grabs the pointer (not sent), motion arrives as relative moves (also
# across the warp back to the window's middle), the grab keys give the
# pointer back; a key held while the window is minimised is released.
if qemu_start -trace 'input_event_*' >"$TMP/boot2.out" 2>&1; then
  ok "a second QEMU, without a tablet"
else
  not_ok "a second QEMU, without a tablet" "$TMP/boot2.out"
fi
start relative --qmp "$SOCK" --relative-mouse --size 800x600 --stats-interval 0.5
if settle state=live input=relative grabbed=false && find_window >"$TMP/win.out" 2>&1 \
   && activate >>"$TMP/win.out" 2>&1; then
  ok "--relative-mouse: live, input relative, not grabbed"
  x=$(stat x) y=$(stat y)
  xdotool mousemove $((x + 400)) $((y + 300))
  sleep 0.5
  qemu_mark
  xdotool click 1
  check "--relative-mouse: a click grabs the pointer" settled grabbed=true
  check "... and the click is not sent" none '^btn '
  qemu_mark
  xdotool mousemove_relative 10 5
  check "--relative-mouse: a move of (10, 5) arrives as it is" sent '^rel ' "rel x 10" "rel y 5"
  qemu_mark
  # Far enough to be warped back to the middle afterwards: that warp is
  # no move of the user's, so nothing but this move arrives.
  xdotool mousemove_relative -- -250 0
  check "--relative-mouse: (-250, 0), past the warp point" sent '^rel ' "rel x -250" "rel y 0"
  qemu_mark
  xdotool mousemove_relative 7 -3
  check "--relative-mouse: after the warp, (7, -3) as it is" sent '^rel ' "rel x 7" "rel y -3"
  xdotool key ctrl+alt+g
  check "--relative-mouse: the grab keys give the pointer back" settled grabbed=false
  qemu_mark
  xdotool mousemove_relative 20 20
  viewer_turns >/dev/null
  check "--relative-mouse: no grab, no moves" none '^rel '
  # Minimised with a key down: the key goes up in the guest.
  qemu_mark
  xdotool keydown shift
  check "a key down before minimising" sent '^key shift ' "key shift down"
  xdotool windowminimize "$WID"
  check "minimised: the key goes up in the guest" sent '^key shift ' "key shift down" \
    "key shift up"
  xdotool keyup shift
  check "--relative-mouse: closes cleanly" closes_cleanly
else not_ok "--relative-mouse: live" "$TMP/wait.out"; fi
check "QMP quit: the second QEMU exits" qemu_quit
finish
