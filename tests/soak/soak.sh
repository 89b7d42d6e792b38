#!/bin/bash
# The soak benchmark: the live window demo (X11, Xvfb) and `probe --watch`
# side by side for SECONDS, RSS and open fds of each sampled every
# INTERVAL seconds. Prints the samples and, for each, whether RSS or fds
# grew after the warm-up (the first WARMUP seconds). A benchmark, not a
# test: it reports, it doesn't judge.
#
# Usage: soak.sh GVT_VIEW [SECONDS] [INTERVAL] [WARMUP]
set -u
GVT_VIEW=$(realpath "$1") secs=${2:-600} interval=${3:-10} warmup=${4:-120}

if [ -z "${GVT_SOAK_IN_XVFB:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" \
    env GVT_SOAK_IN_XVFB=1 "$0" "$@"
fi
TMP=$(mktemp -d)
trap 'kill $viewer $prober $wm 2>/dev/null; rm -rf "$TMP"' EXIT
export GDK_BACKEND=x11 NO_AT_BRIDGE=1 DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent
openbox --sm-disable >/dev/null 2>&1 &
wm=$!
sleep 1

# The demo as a user runs it: firmware, then the desktop with page flips
# and a mode change every 20 s.
"$GVT_VIEW" demo 2>"$TMP/viewer.err" &
viewer=$!
"$GVT_VIEW" probe sim --watch "$((secs + 30))" >"$TMP/probe.out" 2>"$TMP/probe.err" &
prober=$!

rss () { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
fds () { ls "/proc/$1/fd" 2>/dev/null | wc -l; }

echo "# t(s)  window RSS(kB) fds   probe RSS(kB) fds"
for t in $(seq 0 "$interval" "$secs"); do
  [ "$t" -gt 0 ] && sleep "$interval"
  kill -0 "$viewer" 2>/dev/null || { echo "the window exited early"; cat "$TMP/viewer.err"; exit 1; }
  kill -0 "$prober" 2>/dev/null || { echo "probe --watch exited early"; cat "$TMP/probe.err"; exit 1; }
  printf "%6d  %10s %5s   %10s %5s\n" "$t" "$(rss $viewer)" "$(fds $viewer)" "$(rss $prober)" "$(fds $prober)" \
    | tee -a "$TMP/samples"
done

# Where the window's memory is, at the end: the biggest mappings by RSS.
echo "# the window's largest mappings (kB of RSS):"
awk '/^[0-9a-f]+-[0-9a-f]+ / {name = $6 ? $6 : "[anon]"} /^Rss:/ {rss[name] += $2}
     END {for (n in rss) print rss[n], n}' "/proc/$viewer/smaps" | sort -rn | head -8 | sed 's/^/#   /'

# The demo changes mode every 20 s (a 60 s cycle), so RSS swings with the
# mode: compare the peaks of whole 60 s windows after the warm-up.
awk -v warm="$warmup" '
  $1 ~ /^[0-9]+$/ && $1 + 0 >= warm {
    w = int(($1 - warm) / 60)
    if ($2 > wpeak[w]) wpeak[w] = $2
    if ($4 > ppeak[w]) ppeak[w] = $4
    if (!(w in wfd0)) { wfd0[w] = $3; pfd0[w] = $5 }
    last = w; wfd = $3; pfd = $5
  }
  END {
    if (last < 1) { print "too short to compare two 60 s windows after the warm-up"; exit }
    printf "window: peak RSS per 60 s window after the %d s warm-up:", warm
    for (i = 0; i <= last; i++) printf " %d", wpeak[i]; printf " kB (first -> last %+.1f %%); fds %d -> %d\n", 100 * (wpeak[last] - wpeak[0]) / wpeak[0], wfd0[0], wfd
    printf "probe --watch: peak RSS per window:"
    for (i = 0; i <= last; i++) printf " %d", ppeak[i]; printf " kB (%+.1f %%); fds %d -> %d\n", 100 * (ppeak[last] - ppeak[0]) / ppeak[0], pfd0[0], pfd
  }' "$TMP/samples"
