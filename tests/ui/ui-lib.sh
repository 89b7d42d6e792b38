# Shared by the window tests (test-x11.sh, test-wayland.sh): TAP output,
# starting the viewer with --stats-file, waiting for it to settle, and
# comparing the display server's screenshots with headless snapshots.
# Sourced; expects GVT_VIEW, UI_CHECK and TMP set.

n=0
failed=0
VIEWER_PID=
VIEWER_STATS=
VIEWER_ERR=

ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () {
  n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
  [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/# /' "$2"
  return 0
}
# check NAME COMMAND...: one TAP line from a command's status, its output as
# diagnostics.
check () {
  local name=$1; shift
  if "$@" >"$TMP/check.out" 2>&1; then ok "$name"; sed 's/^/# /' "$TMP/check.out"
  else not_ok "$name" "$TMP/check.out"; fi
}

# Missing tools: a visible skip locally, a failure in CI (CI=true).
require () {
  local missing=
  for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"; done
  [ -z "$missing" ] && return 0
  if [ "${CI:-}" = true ]; then echo "Bail out! missing:$missing (tests/deps.sh installs them)"; exit 1; fi
  echo "1..0 # SKIP missing:$missing (tests/deps.sh installs them)"
  exit 0
}

# start NAME ARGS...: runs the viewer in the background.
start () {
  local name=$1; shift
  VIEWER_STATS=$TMP/$name.json
  VIEWER_ERR=$TMP/$name.err
  rm -f "$VIEWER_STATS"
  "$GVT_VIEW" "$@" --stats-file "$VIEWER_STATS" 2>"$VIEWER_ERR" &
  VIEWER_PID=$!
}

# settle CONDITIONS...: waits for the viewer to settle in that state.
settle () {
  "$UI_CHECK" wait "$VIEWER_STATS" 30 "$@" >"$TMP/wait.out" 2>&1
}

# expect: rm the stats file before an action, so that the next settle is
# the action's.
forget () { rm -f "$VIEWER_STATS"; }

stat () { "$UI_CHECK" get "$VIEWER_STATS" "$1"; }

# sample NAME: a copy of the stats file as it is now, so that counters read
# together come from one write (with --stats-interval the file is rewritten
# while a test reads it); sampled NAME KEY reads it.
sample () { cp "$VIEWER_STATS" "$TMP/sample-$1.json"; }
sampled () { "$UI_CHECK" get "$TMP/sample-$1.json" "$2"; }

# stop: SIGTERM (closes the window cleanly, writes the stats file); the
# exit status must be 0.
stop () {
  [ -z "$VIEWER_PID" ] && return 0
  kill -TERM "$VIEWER_PID" 2>/dev/null
  wait "$VIEWER_PID"
  local rc=$?
  VIEWER_PID=
  exit_said "$rc"
}

# exit_said STATUS: STATUS, saying why when it isn't 0 — the end of the
# viewer's stderr, where a sanitizer's report is (and the sanitize stage
# looks for LeakSanitizer's own tracer crash, to run the test once more).
exit_said () {
  [ "$1" -eq 0 ] && return 0
  # (As TAP comments: a bare `stop` writes into the TAP stream.)
  echo "# the viewer exited with status $1; its stderr ends:"
  tail -n 30 "${VIEWER_ERR:-/dev/null}" | sed 's/^/# /'
  return "$1"
}

# picture_matches NAME SHOT SNAPSHOT_ARGS...: the picture area of the
# window (from the stats file) in SHOT against `gvt-view SNAPSHOT_ARGS
# --size WxH -o ref`.
picture_matches () {
  local name=$1 shot=$2; shift 2
  local x y w h
  x=$(stat x) y=$(stat y) w=$(stat width) h=$(stat height)
  "$GVT_VIEW" "$@" --size "${w}x${h}" >"$TMP/snap.out" 2>&1 || { cat "$TMP/snap.out"; return 1; }
  "$UI_CHECK" compare "$shot" "$x" "$y" "$w" "$h" "$TMP/ref.png" "${TOLERANCE:-0}"
}

# zoomed_matches SHOT K GUEST_W GUEST_H REF: the guest image, centred in the
# picture area (the odd pixel right/bottom), is REF with every pixel an
# exact K x K block: integer and native scaling at the buffer scale.
zoomed_matches () {
  local shot=$1 k=$2 gw=$3 gh=$4 ref=$5 x y w h
  x=$(stat x) y=$(stat y) w=$(stat width) h=$(stat height)
  "$UI_CHECK" zoomed "$shot" "$((x + (w - k * gw) / 2))" "$((y + (h - k * gh) / 2))" "$k" "$ref"
}

# only_warning FILE PATTERN: PATTERN is logged exactly once (a guest's bad
# plane is said once, not every tick) and nothing else is a warning.
only_warning () {
  local n
  n=$(grep -c -- "$2" "$1")
  [ "$n" = 1 ] || { echo "'$2' logged $n times, want once"; return 1; }
  grep -v -- "$2" "$1" >"$1.rest"
  no_warnings "$1.rest"
}

# The message screens: the text in the middle is drawn, the corners of the
# picture area stay black.
message_shown () {
  local shot=$1 x y w h
  x=$(stat x) y=$(stat y) w=$(stat width) h=$(stat height)
  "$UI_CHECK" region "$shot" "$((x + w / 4))" "$((y + h * 2 / 5))" "$((w / 2))" "$((h / 5))" nonblack \
    && "$UI_CHECK" region "$shot" "$x" "$y" "$((w / 4))" "$((h / 4))" black \
    && "$UI_CHECK" region "$shot" "$((x + w * 3 / 4))" "$((y + h * 3 / 4))" "$((w / 4))" "$((h / 4))" black
}

# no_warnings FILE: nothing GLib would call a warning or worse.
no_warnings () {
  if grep -E "WARNING|CRITICAL|ERROR|Gtk-|Gdk-" "$1"; then return 1; fi
  return 0
}

finish () {
  stop || true
  echo "1..$n"
  [ "$failed" = 0 ]
}
