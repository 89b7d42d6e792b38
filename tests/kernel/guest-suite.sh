#!/bin/bash
# The tests that run inside the VM (chrooted into the host's root, see
# init.sh): gvt-view against mbochs and mdpy. Each test prints exactly one
# "KTEST PASS name" or "KTEST FAIL name: why" line; its log follows a failure.
# A test also fails when the kernel logged an error while it ran.
#
# Environment (from init.sh): GVT_BUILD, GVT_SRC, GVT_TESTS ("all" or names),
# GVT_MESA25_LIBDIR (Mesa 25 for the dma-buf import path), GVT_VM_DIR (the
# sample modules and a static busybox).
set -u

GV=$GVT_BUILD/src/gvt-view
MG=$GVT_BUILD/tests/kernel/mdev-guest
BB=$GVT_VM_DIR/busybox
PNGCMP="python3 $GVT_SRC/tests/kernel/pngcmp.py"
W=$TMPDIR/kt
mkdir -p "$W"
export GV MG BB PNGCMP W

# Kernel messages that mean the kernel is broken (TESTING.md §4).
BAD_KERNEL='Bad page state|kernel BUG|Oops|BUG:|WARNING:|general protection|Kernel panic|refcount_t:|list_(add|del) corruption'

# ---------------------------------------------------------------- helpers
fail() { echo "FAIL: $*" >&2; exit 1; }

# new_mdev TYPE: creates an instance of TYPE (e.g. mbochs-medium), prints its UUID.
new_mdev() {
  local type=$1 parent=${1%%-*} uuid
  uuid=$(cat /proc/sys/kernel/random/uuid)
  echo "$uuid" > "/sys/class/mdev_bus/$parent/mdev_supported_types/$type/create" \
    || fail "cannot create a $type mdev"
  echo "$uuid"
}
rm_mdev() { [ -e "/sys/bus/mdev/devices/$1" ] && echo 1 > "/sys/bus/mdev/devices/$1/remove"; return 0; }
# The group's number, once /dev/vfio/N is the node of that group. There is
# no udev here: devtmpfs alone may leave a stale /dev/vfio/N (an old group
# of the same number released late deletes the new one's node), so check
# the node against sysfs and make it the way udev would.
group_of() {
  local g want have i
  g=$(basename "$(readlink "/sys/bus/mdev/devices/$1/iommu_group")")
  for i in $(seq 50); do
    want=$(cat "/sys/class/vfio/$g/dev" 2>/dev/null || true)
    [ -n "$want" ] && break
    sleep 0.1
  done
  [ -n "$want" ] || fail "no /sys/class/vfio/$g/dev for the mdev's group"
  if [ -c "/dev/vfio/$g" ]; then
    have=$(printf '%d:%d' "0x$(stat -c %t "/dev/vfio/$g")" "0x$(stat -c %T "/dev/vfio/$g")")
  fi
  if [ "${have:-}" != "$want" ]; then
    echo "group_of: /dev/vfio/$g is ${have:-missing}, want $want: making it" >&2
    rm -f "/dev/vfio/$g"
    mknod "/dev/vfio/$g" c "${want%%:*}" "${want##*:}" || fail "mknod /dev/vfio/$g"
  fi
  echo "$g"
}

# jget FILE PYEXPR: evaluates PYEXPR with j = the JSON in FILE, prints it.
jget() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# jcheck FILE PYEXPR: fails the test when PYEXPR is false.
jcheck() {
  [ "$(jget "$1" "$2")" = True ] || { cat "$1" >&2; fail "$1: expected $2"; }
}

# Swaps the mbochs module: pristine (the kernel's sample) or fixed (test-only).
use_mbochs() {
  local d
  [ "$(cat "$W/mbochs-flavour" 2>/dev/null)" = "$1" ] && return 0
  for d in /sys/bus/mdev/devices/*; do
    [ -e "$d" ] || continue
    case $(basename "$(readlink "$d/mdev_type")") in mbochs-*) echo 1 > "$d/remove" ;; esac
  done
  $BB rmmod mbochs || fail "rmmod mbochs"
  $BB insmod "$GVT_VM_DIR/modules/$1/mbochs.ko" || fail "insmod $1 mbochs"
  echo "$1" > "$W/mbochs-flavour"
}
echo pristine > "$W/mbochs-flavour"

# Empties each per-cpu page list by taking CPU1 offline and back, so pages
# freed with a wrong refcount are checked now (the tests run on CPU1).
flush_pcp() {
  echo 0 > /sys/devices/system/cpu/cpu1/online && echo 1 > /sys/devices/system/cpu/cpu1/online
  taskset -p -c 1 $$ >/dev/null 2>&1
  return 0
}

export -f fail new_mdev rm_mdev group_of jget jcheck use_mbochs flush_pcp
export BAD_KERNEL

# ---------------------------------------------------------------- tests
# Each test_* runs in its own bash under a timeout, set -e, in a fresh $T.

test_mbochs_no_plane() {
  use_mbochs pristine
  local u; u=$(new_mdev mbochs-medium)
  $MG "$u" run='$GV probe --json --fd $GVT_FD > $T/p.json' || fail "probe failed"
  jcheck "$T/p.json" 'j["primary"] is None and j["state"] == "no-signal"'
  jcheck "$T/p.json" 'j["display"]["dmabuf"] is True and j["display"]["region"] is False'
  rm_mdev "$u"
}

test_mbochs_probe_group_path() {
  use_mbochs pristine
  local u g; u=$(new_mdev mbochs-medium); g=$(group_of "$u")
  $GV probe --json "/dev/vfio/$g" > "$T/p.json" || fail "probe /dev/vfio/$g failed"
  jcheck "$T/p.json" 'j["primary"] is None and j["display"]["dmabuf"] is True'
  $GV probe --json "$u" > "$T/u.json" || fail "probe by UUID $u failed"
  jcheck "$T/u.json" 'j["display"]["dmabuf"] is True'
  rm_mdev "$u"
}

# probe_mode MODE W H STRIDE: the plane probe reports after the guest set MODE.
probe_mode() {
  local u; u=$(new_mdev mbochs-medium)
  $MG "$u" mode="$1" fill=1 run='$GV probe --json --fd $GVT_FD > $T/p.json' || fail "probe failed"
  jcheck "$T/p.json" 'j["state"] == "live" and j["reason"] is None'
  jcheck "$T/p.json" "j['primary']['width'] == $2 and j['primary']['height'] == $3"
  jcheck "$T/p.json" "j['primary']['stride'] == $4 and j['primary']['size'] == $4 * $3"
  jcheck "$T/p.json" 'j["primary"]["fourcc"] == "XR24" and j["primary"]["modifier"] == 0'
  jcheck "$T/p.json" 'j["primary"]["dmabuf_id"] > 0 and j["cursor"] is None'
  rm_mdev "$u"
}
test_mbochs_mode() {
  use_mbochs pristine
  probe_mode 1024x768 1024 768 4096
  # a stride wider than the picture (VIRT_WIDTH), stride*height page aligned
  probe_mode 1000x640,1024 1000 640 4096
}

test_mbochs_enomem_once() {
  use_mbochs pristine
  local u; u=$(new_mdev mbochs-medium)
  # The quirk is real: the first query after a mode change fails ENOMEM...
  $MG "$u" mode=1024x600 query=ENOMEM query=ok \
      mode=1280x720 run='$GV probe --json --fd $GVT_FD > $T/p.json 2> $T/err' \
    || fail "probe failed"
  # ...and probe absorbs it: a live plane, and not a word on stderr.
  jcheck "$T/p.json" 'j["state"] == "live" and j["primary"]["width"] == 1280'
  [ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "probe complained on stderr"; }
  rm_mdev "$u"
}

# With the pristine sample a second GET_GFX_DMABUF of an id (what a second
# probe process does) corrupts page refcounts, so the id test that runs probe
# repeatedly uses the fixed module.
test_mbochs_dmabuf_ids() {
  use_mbochs fixed
  local u; u=$(new_mdev mbochs-medium)
  local p='$GV probe --json --fd $GVT_FD >'
  $MG "$u" mode=1024x768 fill=1 run="$p $T/a1.json" run="$p $T/a2.json" \
      yoff=768 run="$p $T/flip.json" yoff=0 run="$p $T/a3.json" \
      mode=1280x720 run="$p $T/b.json" \
      mode=1024x768 run="$p $T/a4.json" || fail "a probe failed"
  local a1 a2 a3 a4 f b
  a1=$(jget "$T/a1.json" 'j["primary"]["dmabuf_id"]')
  a2=$(jget "$T/a2.json" 'j["primary"]["dmabuf_id"]')
  f=$(jget "$T/flip.json" 'j["primary"]["dmabuf_id"]')
  a3=$(jget "$T/a3.json" 'j["primary"]["dmabuf_id"]')
  b=$(jget "$T/b.json" 'j["primary"]["dmabuf_id"]')
  a4=$(jget "$T/a4.json" 'j["primary"]["dmabuf_id"]')
  echo "ids: mode A $a1 $a2, flipped $f, back $a3, mode B $b, A again $a4" >&2
  [ "$a1" = "$a2" ] || fail "id changed while the mode did not ($a1 -> $a2)"
  [ "$f" != "$a1" ] || fail "id unchanged after a page flip"
  [ "$a3" = "$a1" ] || fail "flipping back did not bring id $a1 back (got $a3)"
  [ "$b" != "$a1" ] && [ "$b" != "$f" ] || fail "a new mode reused an id ($b)"
  [ "$a4" = "$a1" ] || fail "the first mode's id $a1 did not come back (got $a4)"
  jcheck "$T/b.json" 'j["primary"]["width"] == 1280 and j["primary"]["stride"] == 5120'
  rm_mdev "$u"
}

# snapshot_check UUID-TYPE MODE-STEPS...: paints, snapshots, compares.
snapshot_check() {
  local how=$1; shift
  "$GV" snapshot --help >/dev/null 2>&1 || fail "gvt-view snapshot does not exist yet"
  local u; u=$(new_mdev "$1"); shift
  $MG "$u" "$@" fill=7 expect="$T/want.ppm" \
      run='$GV snapshot --fd $GVT_FD --wait 5 -o $T/got.png > $T/snap.out' \
    || fail "snapshot failed"
  cat "$T/snap.out" >&2
  grep -q "($how" "$T/snap.out" || fail "snapshot did not go through the $how path"
  $PNGCMP "$T/got.png" "$T/want.ppm" >&2 || fail "the snapshot differs from what the guest drew"
  rm_mdev "$u"
}

test_mbochs_snapshot_egl() {
  use_mbochs fixed
  [ -n "$GVT_MESA25_LIBDIR" ] && [ -d "$GVT_MESA25_LIBDIR" ] \
    || fail "no Mesa 25 (tests/render/fetch-mesa25.sh failed on the host?)"
  export LD_LIBRARY_PATH=$GVT_MESA25_LIBDIR
  snapshot_check imported mbochs-medium mode=1000x640,1024
}

test_mbochs_snapshot_upload() {
  use_mbochs fixed
  unset LD_LIBRARY_PATH
  snapshot_check uploaded mbochs-medium mode=1000x640,1024
}

test_mdpy_probe() {
  local u; u=$(new_mdev mdpy-xga)
  $MG "$u" fill=3 run='$GV probe --json --fd $GVT_FD > $T/p.json' || fail "probe failed"
  jcheck "$T/p.json" 'j["display"]["region"] is True and j["display"]["dmabuf"] is False'
  jcheck "$T/p.json" 'j["state"] == "live" and j["primary"]["region_index"] == 16'
  jcheck "$T/p.json" 'j["primary"]["width"] == 1024 and j["primary"]["height"] == 768'
  jcheck "$T/p.json" 'j["primary"]["stride"] == 4096 and j["primary"]["fourcc"] == "XR24"'
  rm_mdev "$u"
}

test_mdpy_snapshot() {
  unset LD_LIBRARY_PATH
  snapshot_check uploaded mdpy-xga
}

# busy_check UUID: probe on the group fails with the "busy" message.
busy_check() {
  local g; g=$(group_of "$1")
  if $GV probe "/dev/vfio/$g" > "$T/busy.out" 2> "$T/busy.err"; then
    fail "probe /dev/vfio/$g succeeded while the group is held"
  fi
  cat "$T/busy.err" >&2
  grep -qi "busy" "$T/busy.err" || fail "no 'busy' in the error message"
}
after_busy_check() {
  local g; g=$(group_of "$1")
  $GV probe --json "/dev/vfio/$g" > "$T/after.json" \
    || fail "probe /dev/vfio/$g failed after the holder exited"
  jcheck "$T/after.json" 'j["display"]["dmabuf"] is True'
}

test_busy_holder() {
  use_mbochs pristine
  local u pid i; u=$(new_mdev mbochs-medium)
  $MG --group-only "$u" hold="$T/held" & pid=$!
  for i in $(seq 100); do [ -e "$T/held" ] && break; sleep 0.1; done
  [ -e "$T/held" ] || fail "the holder did not open the group"
  busy_check "$u"
  kill "$pid"; wait "$pid" || fail "the holder failed"
  after_busy_check "$u"
  rm_mdev "$u"
}

test_busy_qemu() {
  use_mbochs pristine
  command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 not on the host root"
  local u g pid i; u=$(new_mdev mbochs-medium); g=$(group_of "$u")
  qemu-system-x86_64 -S -accel tcg -m 64 -nodefaults -display none -monitor none \
    -serial none -nic none \
    -device "vfio-pci,sysfsdev=/sys/bus/mdev/devices/$u,display=off" \
    > "$T/qemu.log" 2>&1 & pid=$!
  for i in $(seq 300); do
    ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "/dev/vfio/$g\$" && break
    kill -0 "$pid" 2>/dev/null || { cat "$T/qemu.log" >&2; fail "QEMU exited"; }
    sleep 0.1
  done
  ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "/dev/vfio/$g\$" \
    || { cat "$T/qemu.log" >&2; fail "QEMU did not open /dev/vfio/$g"; }
  busy_check "$u"
  kill "$pid"; wait "$pid" 2>/dev/null
  after_busy_check "$u"
  rm_mdev "$u"
}

# A long poll of the PRISTINE sample through mode changes and page flips:
# gvt-view must GET each id once and keep its fd while the id is cached,
# or the kernel's page refcounts break (caught by the log check).
test_fd_discipline() {
  use_mbochs pristine
  local u; u=$(new_mdev mbochs-medium)
  local steps=(mode=1024x768 fill=1 spawn='$GV probe --watch 25 --fd $GVT_FD > $T/watch.out 2>&1')
  local r
  for r in 1 2 3 4 5 6; do
    steps+=(sleep=300 yoff=768 sleep=300 yoff=0 sleep=300 mode=1280x720 sleep=300 mode=1024x768)
  done
  steps+=(wait)
  $MG "$u" "${steps[@]}" || { cat "$T/watch.out" >&2; fail "probe --watch failed"; }
  tail -5 "$T/watch.out" >&2
  rm_mdev "$u"
  flush_pcp
  sleep 1
}

# echo 1 > remove while gvt-view polls: "device lost", clean exit. The
# remove blocks until every device fd closes, so gvt-view must notice.
test_hot_unplug() {
  use_mbochs pristine
  local u g pid rpid i; u=$(new_mdev mbochs-medium); g=$(group_of "$u")
  $MG "$u" mode=1024x768 || fail "setting a mode failed"
  $GV probe --watch 60 "/dev/vfio/$g" > "$T/watch.out" 2>&1 & pid=$!
  sleep 2
  kill -0 "$pid" 2>/dev/null || { cat "$T/watch.out" >&2; fail "probe --watch exited early"; }
  echo 1 > "/sys/bus/mdev/devices/$u/remove" & rpid=$!
  for i in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"; wait "$rpid"
    cat "$T/watch.out" >&2
    fail "gvt-view still polling 15 s after the device was removed"
  fi
  local status=0; wait "$pid" || status=$?
  wait "$rpid" || fail "the remove failed"
  cat "$T/watch.out" >&2
  [ "$status" -lt 128 ] || fail "gvt-view died of signal $((status - 128))"
  grep -qi "device lost" "$T/watch.out" || fail "no 'device lost' message"
  [ ! -e "/sys/bus/mdev/devices/$u" ] || fail "the mdev is still there"
}

# --- next to a running QEMU: `gvt-view run`, `snapshot qemu:PID` ---

# x_server: a private Xvfb for a window test; DISPLAY exported. The host's
# /tmp is read-only here and Xvfb writes there (its socket, its compiled
# keymap): it gets a /tmp of its own in a mount namespace, and clients reach
# it through its abstract socket, which every namespace sees.
x_server() {
  unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /tmp && exec "$@"' xvfb \
    Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$T/display" >"$T/xvfb.log" 2>&1 &
  XVFB_PID=$!
  local i
  for i in $(seq 100); do [ -s "$T/display" ] && break; sleep 0.1; done
  [ -s "$T/display" ] || { cat "$T/xvfb.log" >&2; fail "Xvfb did not start"; }
  export DISPLAY=:$(head -n 1 "$T/display") GDK_BACKEND=x11 NO_AT_BRIDGE=1
  # llvmpipe samples scaled pictures with AVX2 gathers (vpgatherdd), which
  # fault under this VM's TCG (QEMU 7.2's new AVX2 emulation): Mesa is told
  # the CPU stops at SSE4.1.
  export GALLIUM_OVERRIDE_CPU_CAPS=sse4.1
  export DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent
  export XDG_RUNTIME_DIR=$T/run
  mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
}
# qemu_child_of PID: the QEMU gvt-view run started (10 s).
qemu_child_of() {
  local i q
  for i in $(seq 100); do
    q=$(pgrep -P "$1" qemu-system 2>/dev/null | head -n 1)
    [ -n "$q" ] && { echo "$q"; return 0; }
    sleep 0.1
  done
  return 1
}
# holds_vfio_device PID: PID has a VFIO device fd open (60 s).
holds_vfio_device() {
  local i
  for i in $(seq 600); do
    ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'anon_inode:\[vfio-device\]' && return 0
    kill -0 "$1" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
# ui_wait STATS CONDITIONS...: the window's stats file says so (30 s).
ui_wait() {
  "$GVT_BUILD/tests/ui/ui-check" wait "$@" > "$T/ui-wait.out" 2>&1 && return 0
  head -n 1 "$T/ui-wait.out" >&2
  grep -E '"(state|source|path|title|message|detail|vm|imports|uploads|guest_width|guest_height)"' "$1" >&2
  return 1
}
ui_get() { "$GVT_BUILD/tests/ui/ui-check" get "$1" "$2"; }

# The side display: QEMU (TCG, paused) started by `gvt-view run` with the
# vGPU's display on (run turns it off: QEMU refuses it with -display none);
# a test guest takes a copy of QEMU's device fd the way run does, sets a
# mode and paints; the window and `snapshot qemu:PID` both show that
# picture exactly. Ctrl+C: QMP quit, run exits 0, no copy of the device
# left: the group opens again at once.
test_run_qemu() {
  use_mbochs fixed
  unset LD_LIBRARY_PATH
  local u g rpid= qpid= gpid=; u=$(new_mdev mbochs-medium); g=$(group_of "$u")
  # A failing check leaves nothing running that holds the device.
  trap 'kill -KILL $gpid $qpid $rpid $XVFB_PID 2>/dev/null || true; wait; rm_mdev '"$u" EXIT
  x_server
  "$GV" run --scale native --size 1024x768 --stats-file "$T/stats.json" --stats-interval 0.3 -- \
    qemu-system-x86_64 -S -accel tcg -m 64 -nodefaults -nic none -serial none -monitor none \
    -device "vfio-pci,sysfsdev=/sys/bus/mdev/devices/$u,display=on" \
    > "$T/run.out" 2> "$T/run.err" & rpid=$!
  qpid=$(qemu_child_of "$rpid") || { cat "$T/run.err" >&2; fail "run started no QEMU"; }
  holds_vfio_device "$qpid" || { cat "$T/run.err" >&2; fail "QEMU never opened the vGPU"; }
  grep -q "display=off" "$T/run.err" || { cat "$T/run.err" >&2; fail "run did not say it turned display=on off"; }
  tr '\0' ' ' < "/proc/$qpid/cmdline" >&2; echo >&2
  grep -qa -- "-display" "/proc/$qpid/cmdline" || fail "run added no -display none"
  # The guest, on its own copy of QEMU's device, holds it while the checks
  # run (mbochs keeps the picture while any fd is open).
  $MG --from-pid "$qpid" "$u" mode=1024x768 fill=5 expect="$T/want.ppm" hold="$T/held" \
    > "$T/guest.log" 2>&1 & gpid=$!
  for i in $(seq 100); do [ -e "$T/held" ] && break; sleep 0.1; done
  [ -e "$T/held" ] || { cat "$T/guest.log" >&2; fail "the test guest did not paint"; }
  ui_wait "$T/stats.json" 30 state=live guest_width=1024 guest_height=768 source=vfio \
    || { tail -n 20 "$T/run.err" >&2; fail "the window never showed the guest's 1024x768 plane"; }
  "$GV" snapshot "qemu:$qpid" --wait 5 -o "$T/snap.png" >&2 \
    || fail "snapshot qemu:$qpid failed beside run"
  import -window root "$T/shot.png" || fail "no screenshot of the X server"
  kill "$gpid"; wait "$gpid"
  # Ctrl+C in the terminal: QEMU goes (QMP quit), run exits with its status.
  kill -INT "$rpid"
  local status=0; wait "$rpid" || status=$?
  cat "$T/run.err" >&2
  [ "$status" = 0 ] || fail "run exited $status after Ctrl+C (QEMU quits with 0)"
  kill -0 "$qpid" 2>/dev/null && fail "QEMU still runs after run exited"
  $GV probe --json "/dev/vfio/$g" > "$T/after.json" \
    || fail "the group does not open at once after run exited: a copy of the device was left"
  kill "$XVFB_PID"
  rm_mdev "$u"
}

# run's window closed: the VM runs on. QEMU then killed under run: run says
# so, exits 137, and nothing holds the device any more.
test_run_qemu_killed() {
  use_mbochs pristine
  local u g rpid= qpid=; u=$(new_mdev mbochs-medium); g=$(group_of "$u")
  trap 'kill -KILL $qpid $rpid $XVFB_PID 2>/dev/null || true; wait; rm_mdev '"$u" EXIT
  x_server
  "$GV" run -- qemu-system-x86_64 -S -accel tcg -m 64 -nodefaults -nic none -serial none \
    -monitor none -device "vfio-pci,sysfsdev=/sys/bus/mdev/devices/$u" \
    > "$T/run.out" 2> "$T/run.err" & rpid=$!
  qpid=$(qemu_child_of "$rpid") || { cat "$T/run.err" >&2; fail "run started no QEMU"; }
  holds_vfio_device "$qpid" || { cat "$T/run.err" >&2; fail "QEMU never opened the vGPU"; }
  # run's own copy: two device fds on the group's device now (QEMU's, run's).
  local i
  for i in $(seq 100); do
    ls -l "/proc/$rpid/fd" 2>/dev/null | grep -q 'anon_inode:\[vfio-device\]' && break
    sleep 0.1
  done
  ls -l "/proc/$rpid/fd" | grep -q 'anon_inode:\[vfio-device\]' || fail "run took no copy of the device"
  # Closing the window (Ctrl+Q) leaves the VM running, says how to come
  # back, and lets go of run's copy of the device.
  # No window manager: give the window the focus itself, then the keys.
  xdotool search --sync --onlyvisible --name gvt-view windowfocus --sync key ctrl+q
  for i in $(seq 100); do grep -q "the VM runs on" "$T/run.err" && break; sleep 0.1; done
  grep -q "gvt-view attach $qpid" "$T/run.err" || { cat "$T/run.err" >&2; fail "no word on how to reattach after the window closed"; }
  kill -0 "$rpid" 2>/dev/null || fail "run exited when its window closed"
  kill -0 "$qpid" 2>/dev/null || fail "the VM stopped when the window closed"
  ! ls -l "/proc/$rpid/fd" | grep -q 'anon_inode:\[vfio-device\]' || fail "run kept its copy of the device without a window"
  kill -KILL "$qpid"
  local status=0; wait "$rpid" || status=$?
  cat "$T/run.err" >&2
  [ "$status" = 137 ] || fail "run exited $status when QEMU was killed (want 137)"
  grep -q "signal 9" "$T/run.err" || fail "run did not say QEMU was killed"
  $GV probe --json "/dev/vfio/$g" > "$T/after.json" \
    || fail "the group does not open at once: run kept its copy of the device"
  kill "$XVFB_PID"
  rm_mdev "$u"
}

# A viewer attached to a QEMU (no QMP link: QEMU's pidfd alone), its window
# minimised, which stops its polling: QEMU killed, and the viewer closes
# at once (attach ends with its QEMU), letting go of its copy of QEMU's
# device, which would keep the vGPU open and the guest's memory pinned —
# not once someone restores the window. The group opens again.
test_attach_minimised() {
  use_mbochs pristine
  local u g qpid= vpid= wm= i; u=$(new_mdev mbochs-medium); g=$(group_of "$u")
  trap 'kill -KILL $vpid $qpid $wm $XVFB_PID 2>/dev/null || true; wait; rm_mdev '"$u" EXIT
  x_server
  # Minimising is the window manager's business.
  openbox --sm-disable > "$T/openbox.log" 2>&1 & wm=$!
  for i in $(seq 100); do xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q window && break; sleep 0.1; done
  qemu-system-x86_64 -S -accel tcg -m 64 -nodefaults -display none -monitor none -serial none \
    -nic none -device "vfio-pci,sysfsdev=/sys/bus/mdev/devices/$u,display=off" \
    > "$T/qemu.log" 2>&1 & qpid=$!
  holds_vfio_device "$qpid" || { cat "$T/qemu.log" >&2; fail "QEMU did not open the vGPU"; }
  "$GV" attach "$qpid" --stats-file "$T/stats.json" --stats-interval 0.3 2> "$T/viewer.err" & vpid=$!
  holds_vfio_device "$vpid" || { cat "$T/viewer.err" >&2; fail "attach took no copy of QEMU's device"; }
  ui_wait "$T/stats.json" 30 polling=true iconified=false || fail "the window never polled"
  xdotool search --sync --onlyvisible --pid "$vpid" --name gvt-view windowminimize
  ui_wait "$T/stats.json" 30 iconified=true polling=false || fail "the window did not minimise"
  kill -KILL "$qpid"; wait "$qpid" 2>/dev/null || true
  for i in $(seq 100); do kill -0 "$vpid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$vpid" 2>/dev/null; then
    ls -l "/proc/$vpid/fd" | grep -q 'anon_inode:\[vfio-device\]' \
      && echo "the minimised viewer still holds QEMU's device" >&2
    cat "$T/viewer.err" >&2
    fail "the minimised viewer is still up 10 s after its QEMU died"
  fi
  local status=0; wait "$vpid" || status=$?
  cat "$T/viewer.err" >&2
  echo "minimised, the viewer closed $((i - 1))00 ms after QEMU's death"
  [ "$status" = 0 ] || fail "the viewer exited $status when its QEMU died (want 0)"
  grep -q "QEMU (pid $qpid) exited" "$T/viewer.err" || fail "the viewer did not say QEMU exited"
  ! grep -q "keeping the old poller" "$T/viewer.err" || fail "the device was probed again after QEMU died"
  ui_wait "$T/stats.json" 1 iconified=true polling=false \
    || fail "the viewer's last stats are not those of a minimised window"
  $GV probe --json "/dev/vfio/$g" > "$T/after.json" \
    || fail "the group does not open after QEMU died: a copy of the device was left"
  kill "$wm" "$XVFB_PID"
  rm_mdev "$u"
}

# The guest resolution follows the window, on mbochs' EDID region: the
# window's first size and a resize become the preferred mode of an EDID the
# guest reads (valid for edid-decode), with the link up.
test_edid_mbochs() {
  use_mbochs fixed
  unset LD_LIBRARY_PATH
  command -v edid-decode >/dev/null || fail "edid-decode is not installed (tests/deps.sh)"
  local u; u=$(new_mdev mbochs-medium)
  # (set -e holds in the trap too: nothing in it may fail.)
  trap 'pkill -KILL -x gvt-view || true; kill -KILL $XVFB_PID 2>/dev/null || true; wait; rm_mdev '"$u" EXIT
  x_server
  local UIC="$GVT_BUILD/tests/ui/ui-check"
  $MG "$u" mode=1024x768 fill=2 \
    spawn='$GV --fd $GVT_FD --size 800x600 --stats-file $T/st.json --stats-interval 0.3 2> $T/viewer.err' \
    run="$UIC wait \$T/st.json 30 state=live guest_preferred=800x600 edid_pending=false >&2" \
    edid="$T/first.bin" \
    run="xdotool search --sync --onlyvisible --name gvt-view windowsize --sync 1280 720 >&2 && $UIC wait \$T/st.json 30 guest_preferred=1280x720 edid_pending=false >&2" \
    edid="$T/resized.bin" \
    run='pkill -TERM -x gvt-view' wait > "$T/guest.out" \
    || { cat "$T/viewer.err" >&2; grep -E '"(state|edid[a-z_]*|guest_preferred|width|height)"' "$T/st.json" >&2; fail "the guest's EDID did not follow the window"; }
  cat "$T/guest.out" >&2
  [ "$(grep -c '^link up' "$T/guest.out")" = 2 ] || fail "the link is not up after each EDID"
  edid-decode "$T/first.bin" > "$T/first.txt" 2>&1 || { cat "$T/first.txt" >&2; fail "edid-decode refuses the first EDID"; }
  edid-decode "$T/resized.bin" > "$T/resized.txt" 2>&1 || { cat "$T/resized.txt" >&2; fail "edid-decode refuses the EDID after the resize"; }
  grep -E "DTD 1: +800x600 " "$T/first.txt" >&2 || { cat "$T/first.txt" >&2; fail "the first EDID's preferred mode is not 800x600"; }
  grep -E "DTD 1: +1280x720 " "$T/resized.txt" >&2 || { cat "$T/resized.txt" >&2; fail "after the resize the preferred mode is not 1280x720"; }
  grep -iE "fail" "$T/resized.txt" >&2 && fail "edid-decode reports failures"
  rm_mdev "$u"
}

# doctor on the sample-driver host: the host's checks see mbochs and mdpy
# (no Intel GPU: skipped, not failed), each device's checks its display
# kind and EDID region, and qemu:PID a real QEMU holding the mbochs vGPU.
test_doctor_samples() {
  use_mbochs pristine
  local u m g gm pid; u=$(new_mdev mbochs-medium); m=$(new_mdev mdpy-xga)
  g=$(group_of "$u"); gm=$(group_of "$m")
  $GV doctor --json > "$T/host.json" || { cat "$T/host.json" >&2; fail "doctor failed on this host"; }
  jcheck "$T/host.json" '{c["id"]: c["status"] for c in j}["gpu"] == "skip"'
  jcheck "$T/host.json" '{c["id"]: c["status"] for c in j}["module-kvmgt"] == "skip"'
  jcheck "$T/host.json" '{c["id"]: c["status"] for c in j}["module-mdev"] == "ok"'
  jcheck "$T/host.json" '{c["id"]: c["status"] for c in j}["module-vfio-iommu-type1"] == "ok"'
  jcheck "$T/host.json" '{c["id"]: c["status"] for c in j}["vfio-access"] == "ok"'
  jcheck "$T/host.json" "[c for c in j if c['id'] == 'mdev-types'][0]['status'] == 'ok'"
  jcheck "$T/host.json" "'mbochs mbochs-medium' in [c for c in j if c['id'] == 'mdev-types'][0]['summary']"
  jcheck "$T/host.json" "'mdpy mdpy-xga' in [c for c in j if c['id'] == 'mdev-types'][0]['summary']"
  jcheck "$T/host.json" "'$u (mbochs-medium) in /dev/vfio/$g' in [c for c in j if c['id'] == 'mdev-instances'][0]['summary']"
  jcheck "$T/host.json" "'$m (mdpy-xga) in /dev/vfio/$gm' in [c for c in j if c['id'] == 'mdev-instances'][0]['summary']"
  # EGL import: Mesa 22's llvmpipe has none (frames are copied: a warning),
  # Mesa 25's imports linear dma-bufs (ok).
  jcheck "$T/host.json" "[c for c in j if c['id'] == 'egl-import'][0]['status'] in ('warn', 'ok')"
  if [ -n "${GVT_MESA25_LIBDIR:-}" ] && [ -d "$GVT_MESA25_LIBDIR" ]; then
    LD_LIBRARY_PATH=$GVT_MESA25_LIBDIR $GV doctor --json > "$T/mesa25.json" || true
    jcheck "$T/mesa25.json" "[c for c in j if c['id'] == 'egl-import'][0]['status'] == 'ok'"
    jcheck "$T/mesa25.json" "'imports XRGB8888 dma-bufs (linear' in [c for c in j if c['id'] == 'egl-import'][0]['summary']"
  fi

  $GV doctor --json "/dev/vfio/$g" > "$T/mbochs.json" || true
  jcheck "$T/mbochs.json" "[c for c in j if c['id'] == 'device-display'][0]['summary'].endswith('as dma-bufs')"
  jcheck "$T/mbochs.json" "[c for c in j if c['id'] == 'device-edid'][0]['status'] == 'ok'"
  jcheck "$T/mbochs.json" "[c for c in j if c['id'] == 'device-planes'][0]['status'] == 'warn'"
  $GV doctor --json "$m" > "$T/mdpy.json" || true
  jcheck "$T/mdpy.json" "[c for c in j if c['id'] == 'device-display'][0]['summary'].endswith('as a region')"
  jcheck "$T/mdpy.json" "[c for c in j if c['id'] == 'device-edid'][0]['status'] == 'skip'"

  qemu-system-x86_64 -S -accel tcg -m 64 -nodefaults -display none -monitor none \
    -serial none -nic none -name doctor-vm -qmp "unix:$T/qmp.sock,server=on,wait=off" \
    -device "vfio-pci,sysfsdev=/sys/bus/mdev/devices/$u,display=off" \
    > "$T/qemu.log" 2>&1 & pid=$!
  holds_vfio_device "$pid" || { cat "$T/qemu.log" >&2; fail "QEMU did not open the vGPU"; }
  $GV doctor --json qemu:doctor-vm > "$T/vm.json" || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
  jcheck "$T/vm.json" "[c for c in j if c['id'] == 'vm'][0]['summary'].startswith('QEMU pid $pid, doctor-vm (found by -name), 1 vfio device')"
  jcheck "$T/vm.json" "[c for c in j if c['id'] == 'vm-qmp'][0]['summary'].startswith('QMP socket $T/qmp.sock')"
  jcheck "$T/vm.json" "[c for c in j if c['id'] == 'qemu'][0]['status'] == 'ok'"
  jcheck "$T/vm.json" "[c for c in j if c['id'] == 'device-open'][0]['status'] == 'ok'"
  jcheck "$T/vm.json" "[c for c in j if c['id'] == 'device-edid'][0]['status'] == 'ok'"
  cat "$T/vm.json" | grep -E '"(id|status)"' | paste - - | head -n 30
  rm_mdev "$u"; rm_mdev "$m"
}

all_tests=(
  mbochs_no_plane mbochs_probe_group_path mbochs_mode mbochs_enomem_once
  busy_holder busy_qemu fd_discipline hot_unplug run_qemu run_qemu_killed attach_minimised
  edid_mbochs mdpy_probe mdpy_snapshot doctor_samples
  mbochs_dmabuf_ids mbochs_snapshot_egl mbochs_snapshot_upload
)
export -f snapshot_check probe_mode busy_check after_busy_check x_server qemu_child_of \
  holds_vfio_device ui_wait ui_get

# ---------------------------------------------------------------- runner
passed=0 failed=0
run_test() {
  local name=$1 t=$W/$1 before status=0
  mkdir -p "$t"
  before=$(dmesg | wc -l)
  export -f "test_$name"
  T=$t timeout -k 5 150 bash -e -c "test_$name" > "$t/log" 2>&1 || status=$?
  dmesg | tail -n +"$((before + 1))" > "$t/dmesg"
  local why=
  if [ $status -eq 124 ] || [ $status -eq 137 ]; then
    why="timed out"
  elif [ $status -ne 0 ]; then
    why=$(grep '^FAIL: ' "$t/log" | tail -n 1 | sed 's/^FAIL: //')
    why=${why:-exit status $status}
  fi
  if grep -Eq "$BAD_KERNEL" "$t/dmesg"; then
    why="${why:+$why; }kernel error: $(grep -Em1 "$BAD_KERNEL" "$t/dmesg")"
  fi
  if [ -z "$why" ]; then
    echo "KTEST PASS $name"
    # evidence (ids seen, snapshot path, pixel check), kept short
    tail -n 6 "$t/log" | sed 's/^/    | /'
    passed=$((passed + 1))
  else
    echo "KTEST FAIL $name: $why"
    sed 's/^/    | /' "$t/log" | tail -n 40
    grep -E "$BAD_KERNEL|mbochs|mdpy|vfio" "$t/dmesg" | head -n 20 | sed 's/^/    kernel| /'
    failed=$((failed + 1))
  fi
}

for name in "${all_tests[@]}"; do
  if [ "$GVT_TESTS" = all ] || [[ " ${GVT_TESTS//,/ } " == *" $name "* ]]; then
    run_test "$name"
  fi
done
echo "guest suite: $passed passed, $failed failed"
