# shellcheck shell=bash
# Shared by the QEMU input tests (X11 and Wayland): what QEMU received, read
# from its input trace (input-trace.py), and waits on it. Sourced after
# qemu-lib.sh; expects TMP, QEMU_LOG, QEMU_MARK (qemu_mark) and a viewer
# started with ui-lib's start (and --stats-interval).

INPUT_TRACE=$QEMU_LIB/input-trace.py
py () { python3 "$INPUT_TRACE" "$@"; }

# The trace since qemu_mark, and waits on it. Events matching $skip_re
# (when set) are left out.
skip_re=
tr_events () {
  py events "$QEMU_LOG" "$QEMU_MARK" | { if [ -n "$skip_re" ]; then grep -vE -- "$skip_re"; else cat; fi; }
}
# tr_wait N REGEX: until N events since the mark match REGEX (10 s).
tr_wait () {
  local deadline=$((SECONDS + 10))
  while [ "$(tr_events | grep -cE -- "$2")" -lt "$1" ]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "no $1 events matching '$2' in QEMU's trace within 10 s; since the mark it has:"
      tr_events | tail -n 40 | sed 's/^/  /'
      return 1
    fi
    sleep 0.1
  done
}
# viewer_turns: the viewer has written its stats file twice more and asked
# QEMU for two more screendumps (10 s): whatever it was going to send
# for what happened before is in QEMU's trace by now.
viewer_turns () {
  local w0 d0 deadline=$((SECONDS + 10))
  w0=$(stat stats_writes) d0=$(viewer_dumps)
  while [ "$(stat stats_writes)" -lt $((w0 + 2)) ] || [ "$(viewer_dumps)" -lt $((d0 + 2)) ]; do
    [ $SECONDS -lt $deadline ] || { echo "the viewer did not move on in 10 s"; return 1; }
    sleep 0.1
  done
}
# sent FILTER EXPECTED...: the events since the mark that match FILTER
# (grep -E) are EXPECTED, in this order, no more and no fewer.
sent () {
  local filter=$1; shift
  printf '%s\n' "$@" >"$TMP/want"
  tr_wait $# "$filter" >"$TMP/trwait" 2>&1
  viewer_turns >/dev/null
  tr_events | grep -E -- "$filter" >"$TMP/got"
  if cmp -s "$TMP/want" "$TMP/got"; then
    echo "QEMU got: $(paste -sd, "$TMP/got")"
    return 0
  fi
  echo "want: $(paste -sd, "$TMP/want")"
  echo "got:  $(paste -sd, "$TMP/got")"
  cat "$TMP/trwait"
  return 1
}
# none REGEX: no event since the mark matches REGEX.
none () {
  if tr_events | grep -qE -- "$1"; then
    echo "unexpected in QEMU's trace:"; tr_events | grep -E -- "$1" | sed 's/^/  /'
    return 1
  fi
  echo "nothing matching '$1' since the mark ($(tr_events | wc -l) events)"
}
# settled CONDITIONS...: settle within 10 s (the viewer is up: a state
# change it makes at once), for check.
settled () { SETTLE_S=10 settle "$@" || { cat "$TMP/wait.out"; return 1; }; }
keys_up () { settled keys_down=0; }

# --- the viewer's window on X11 (qemu_x_display) ---

# The viewer's window (visible, by its pid), activated: keys go there.
WID=
find_window () {
  local _
  WID=
  for _ in $(seq 100); do
    WID=$(xdotool search --onlyvisible --pid "$VIEWER_PID" --name gvt-view 2>/dev/null | tail -n 1)
    [ -n "$WID" ] && return 0
    sleep 0.1
  done
  echo "no visible gvt-view window of pid $VIEWER_PID"; return 1
}
# activate [WIN]: focuses WIN (the viewer's window), 10 s.
activate () {
  local win=${1:-$WID} i
  for i in $(seq 50); do
    if [ $((i % 2)) = 1 ]; then
      timeout 5 xdotool windowactivate --sync "$win" >"$TMP/activate.err" 2>&1
    else
      # Openbox may not have managed the window yet: focus it directly.
      timeout 5 xdotool windowfocus --sync "$win" >"$TMP/activate.err" 2>&1
    fi
    [ "$(xdotool getwindowfocus 2>/dev/null)" = "$win" ] && return 0
    sleep 0.2
  done
  echo "could not focus window $win; focus: $(xdotool getwindowfocus 2>&1 | head -n 1)"
  echo "xdotool said: $(head -n 3 "$TMP/activate.err")"
  wm_state
  return 1
}
wm_state () {
  if kill -0 "$WM_PID" 2>/dev/null; then echo "openbox (pid $WM_PID) running"
  else wait "$WM_PID"; echo "openbox (pid $WM_PID) gone, status $?; its log ends:"; tail -n 5 "$TMP/openbox.log"; fi
  xprop -root _NET_ACTIVE_WINDOW _NET_SUPPORTING_WM_CHECK 2>&1
  [ -n "$WID" ] && xwininfo -id "$WID" 2>&1 | grep -E "Map State|geometry"
}
