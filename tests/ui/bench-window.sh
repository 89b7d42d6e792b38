#!/bin/bash
# The window benchmark: the demo guest in one 1920x1080 mode, fullscreen on
# a 1920x1080 display, for FRAMES frame-clock ticks (one frame each). GUEST is how the guest
# draws: "flips" (animating at 60 fps, page flips between two buffers),
# "in-place" (animating at 60 fps in one buffer: the same dmabuf id, no
# signal) or "frozen" (a still picture). The viewer presents once per
# frame-clock tick in all three. Reports presented fps, plane updates,
# imports and bytes copied per frame, CPU time per presented frame, and
# where it went: gvt-view's own code (the plane poll), the present
# (renderer + GL calls on the main thread), the GL driver's threads
# (llvmpipe), GTK and the main loop, and the simulated guest's painting
# (not the viewer's cost).
#
# Usage: bench-window.sh x11|wayland GVT_VIEW [flips|in-place|frozen] [FRAMES]
set -u
backend=$1 GVT_VIEW=$(realpath "$2") guest=${3:-flips} frames=${4:-600}
case $guest in
  flips) guest_args=() ;;
  in-place) guest_args=(--in-place) ;;
  frozen) guest_args=(--at 5) ;;
  *) echo "usage: $0 x11|wayland GVT_VIEW [flips|in-place|frozen] [FRAMES]"; exit 2 ;;
esac
TMP=$(mktemp -d)
trap 'kill ${weston_pid:-} 2>/dev/null; rm -rf "$TMP"' EXIT
export NO_AT_BRIDGE=1 DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent
run () {
  "$GVT_VIEW" demo --guest-size 1920x1080 "${guest_args[@]}" -f --exit-after-ticks "$frames" \
    --stats-file "$TMP/stats.json" 2>"$TMP/err"
}
case $backend in
  x11)
    export GDK_BACKEND=x11
    if [ -z "${GVT_UI_IN_XVFB:-}" ]; then
      exec xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" env GVT_UI_IN_XVFB=1 "$0" "$@"
    fi
    openbox --sm-disable >/dev/null 2>&1 &
    wm=$!
    sleep 1
    run; rc=$?
    kill $wm ;;
  wayland)
    export XDG_RUNTIME_DIR=$TMP/runtime GDK_BACKEND=wayland
    mkdir -m 700 "$XDG_RUNTIME_DIR"
    weston --backend=headless-backend.so --use-pixman --width=1920 --height=1080 \
      --socket=gvt-bench --idle-time=0 --shell=desktop-shell.so >"$TMP/weston.log" 2>&1 &
    weston_pid=$!
    for _ in $(seq 100); do [ -S "$XDG_RUNTIME_DIR/gvt-bench" ] && break; sleep 0.1; done
    WAYLAND_DISPLAY=gvt-bench run; rc=$? ;;
  *) echo "usage: $0 x11|wayland GVT_VIEW [flips|in-place|frozen] [FRAMES]"; exit 2 ;;
esac
if [ "$rc" != 0 ]; then cat "$TMP/err"; exit 1; fi
get () { sed -n "s/^ *\"$1\" : \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$TMP/stats.json"; }
awk -v n="$(get cpu_frames)" -v wall="$(get cpu_wall_us)" -v proc="$(get cpu_process_us)" \
    -v main="$(get cpu_main_us)" -v guest="$(get cpu_guest_us)" -v poll="$(get cpu_poll_us)" \
    -v present="$(get cpu_present_us)" -v path="$(get path)" -v surface="$(get surface)" \
    -v w="$(get width)" -v h="$(get height)" -v mode="$guest" -v ticks="$(get live_ticks)" \
    -v updates="$(get primary_updates)" -v presented="$(get frames_presented)" \
    -v imports="$(get imports)" -v bytes="$(get bytes_uploaded)" -v uploads="$(get uploads)" 'BEGIN {
  threads = proc - main; rest = main - guest - poll - present; viewer = proc - guest;
  printf "window benchmark: demo 1920x1080, guest %s, %s, %dx%d, %s path\n", mode, surface, w, h, path;
  printf "  presented: %d frames in %.2f s = %.1f fps (%d frames over %d live ticks; %d primary plane changes)\n", n, wall / 1e6, n / (wall / 1e6), presented, ticks, updates;
  printf "  per presented frame: %.2f imports, %.2f uploads, %.0f bytes copied\n", imports / presented, uploads / presented, bytes / presented;
  printf "  CPU per presented frame (all threads): %.2f ms, of which the simulated guest %.2f ms\n", proc / n / 1e3, guest / n / 1e3;
  printf "  the viewer (without the guest): %.2f ms per frame:\n", viewer / n / 1e3;
  printf "    gvt-view own code (plane poll)      %7.3f ms  %5.1f%%\n", poll / n / 1e3, 100 * poll / viewer;
  printf "    present (renderer + GL calls)       %7.3f ms  %5.1f%%\n", present / n / 1e3, 100 * present / viewer;
  printf "    GL driver threads (llvmpipe)        %7.3f ms  %5.1f%%\n", threads / n / 1e3, 100 * threads / viewer;
  printf "    GTK, main loop, rest                %7.3f ms  %5.1f%%\n", rest / n / 1e3, 100 * rest / viewer;
}'
