#!/bin/bash
# `gvt-view attach DOMAIN` against a real libvirt (libvirtd 9.0, the system
# instance, a TCG domain): the recipe of data/gvt-view-libvirt.xml without
# the mdev hostdev (no vGPU exists on this host: the vGPU path is the kernel
# VM suite's), i.e. ramfb, a usb tablet and the second QMP socket through
# <qemu:commandline>, plus QEMU's input trace into the domain's log.
#
#  1. attach finds the domain by name (its pid file), its QMP socket on
#     QEMU's command line, and shows its boot screen: equal to the domain's
#     own screendump (taken through libvirt's monitor); QEMU runs as
#     libvirt-qemu, so the screendumps go to a directory gvt-view gives it;
#  2. input reaches the guest: keys and the tablet, in QEMU's trace;
#  3. virsh suspend / resume / reset / destroy: "VM paused" over the dimmed
#     frame, live again, the boot screen again, "QEMU exited" and a clean
#     exit (status 0) with no copy of anything left.
#
# The daemons are started here when they don't run (no systemd in CI) and
# stopped again. Usage: test-libvirt.sh GVT_VIEW UI_CHECK   (TAP on stdout)
set -u
GVT_VIEW=$(realpath "$1") UI_CHECK=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../ui/ui-lib.sh"
require virsh libvirtd virtlogd Xvfb xdotool openbox qemu-system-x86_64 python3
. "$here/../qemu/qemu-lib.sh"
. "$here/../qemu/input-lib.sh"

qemu_test_dirs
[ "$(id -u)" = 0 ] || { echo "Bail out! the libvirt test drives the system libvirtd: run it as root"; exit 1; }

# --- the daemons ---
VIRSH=(virsh -q -c qemu:///system)
started_daemons=()
if ! pgrep -x virtlogd >/dev/null; then
  virtlogd -d && started_daemons+=(virtlogd)
fi
if ! pgrep -x libvirtd >/dev/null; then
  libvirtd -d && started_daemons+=(libvirtd)
fi
at_exit 'for d in "${started_daemons[@]}"; do pkill -x "$d"; done'
for _ in $(seq 100); do "${VIRSH[@]}" version >/dev/null 2>&1 && break; sleep 0.2; done
if ! "${VIRSH[@]}" version >/dev/null 2>&1; then
  echo "Bail out! libvirtd does not answer on qemu:///system"; exit 1
fi

# --- the domain ---
DOM=gvt-view-test-$$
QMP=/var/lib/libvirt/qemu/$DOM.qmp
DOMLOG=/var/log/libvirt/qemu/$DOM.log
cat >"$TMP/domain.xml" <<EOF
<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>$DOM</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <video><model type='ramfb'/></video>
    <input type='tablet' bus='usb'/>
    <controller type='usb' model='ich9-ehci1'/>
    <memballoon model='none'/>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-qmp'/>
    <qemu:arg value='unix:$QMP,server=on,wait=off'/>
    <qemu:arg value='-trace'/>
    <qemu:arg value='input_event_*'/>
    <qemu:arg value='-trace'/>
    <qemu:arg value='handle_qmp_command'/>
    <qemu:arg value='-nic'/>
    <qemu:arg value='none'/>
  </qemu:commandline>
</domain>
EOF
at_exit '"${VIRSH[@]}" destroy "$DOM"; "${VIRSH[@]}" undefine "$DOM"; rm -f "$QMP"'
# The first define probes QEMU's capabilities (~30 s).
if timeout 300 "${VIRSH[@]}" define "$TMP/domain.xml" >"$TMP/define.out" 2>&1 \
   && "${VIRSH[@]}" start "$DOM" >>"$TMP/define.out" 2>&1; then
  ok "libvirt defines and starts a TCG domain (ramfb, usb tablet, a second QMP socket)"
else
  not_ok "libvirt defines and starts a TCG domain" "$TMP/define.out"
  echo "Bail out! no domain"; exit 1
fi
QEMU_LOG=$DOMLOG
# The viewer's screendumps (input-lib's viewer_turns counts them): QEMU runs
# as libvirt-qemu, so they go to a directory under /tmp gvt-view gives it.
viewer_dump_requests () {
  grep -F '"execute": "screendump"' "${1:-$QEMU_LOG}" | grep -F '"/tmp/gvt-view-'
}

# vdump FILE.png: the domain's own screendump of its ramfb (video0), taken
# through libvirt's monitor, into a directory QEMU's user can write.
DUMPS=$(mktemp -d /tmp/gvt-libvirt-dumps.XXXXXX)
chmod 0777 "$DUMPS"
at_exit "rm -rf '$DUMPS'"
vdump () {
  rm -f "$DUMPS/d.ppm"
  "${VIRSH[@]}" qemu-monitor-command "$DOM" \
    "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"$DUMPS/d.ppm\", \"device\": \"video0\", \"format\": \"ppm\"}}" \
    >/dev/null && "$UI_CHECK" ppm2png "$DUMPS/d.ppm" "$1" >/dev/null
}
# The firmware's screen: 1024x768 and still but for the blinking cursor.
booted () {
  local deadline=$((SECONDS + 60)) a b
  while [ $SECONDS -lt $deadline ]; do
    if vdump "$TMP/b1.png" && [ "$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print(*struct.unpack(">II", d[16:24]))' "$TMP/b1.png")" = "1024 768" ]; then
      return 0
    fi
    sleep 0.5
  done
  echo "the domain never showed a 1024x768 boot screen"; return 1
}
check "the domain boots SeaBIOS onto its ramfb" booted

# doctor qemu:DOMAIN: the domain found as one, and what attach needs of it.
doctor_domain () {
  "$GVT_VIEW" doctor --json "qemu:$DOM" >"$TMP/doctor.json" 2>"$TMP/doctor.err"
  python3 - "$TMP/doctor.json" "$DOM" <<'PY'
import json, sys
c = {x["id"]: x for x in json.load(open(sys.argv[1]))}
def want(i, status, text):
    print(f"{i}: {c[i]['status']}: {c[i]['summary']}")
    assert c[i]["status"] == status and text in c[i]["summary"], (i, status, text)
want("vm", "ok", f"{sys.argv[2]} (found by libvirt pid file)")
want("vm-qmp", "ok", f"QMP socket /var/lib/libvirt/qemu/{sys.argv[2]}.qmp")
want("vm-boot-display", "ok", "ramfb")
want("qemu", "ok", "QEMU 7.2")
PY
}
check "doctor qemu:$DOM: a libvirt domain, the recipe's QMP socket, its ramfb" doctor_domain

qemu_x_display 1280x900
start attach attach "$DOM" --scale native --size 1024x768 --stats-interval 0.3
if settle state=live source=ramfb vm=running; then
  ok "attach $DOM: live, its ramfb over the recipe's QMP socket"
else
  not_ok "attach $DOM: live" "$TMP/wait.out"; sed 's/^/# /' "$VIEWER_ERR" | head -n 20
  echo "Bail out! no viewer"; exit 1
fi
check "attach said it shows the console (the domain has no vGPU)" \
  grep -q "showing the VM's console through QMP" "$VIEWER_ERR"
check "QEMU runs as libvirt-qemu" sh -c "ps -o user= -p \$(cat /run/libvirt/qemu/$DOM.pid) | grep -q libvirt"

# 1. The window shows what the domain's own screendump shows (the cursor
# blinks: one of its two pictures).
window_is_dump () {
  local i
  for i in 1 2 3 4 5 6; do
    vdump "$TMP/ref.png" || return 1
    import -window root "$TMP/shot.png"
    "$UI_CHECK" compare "$TMP/shot.png" "$(stat x)" "$(stat y)" "$(stat width)" "$(stat height)" \
      "$TMP/ref.png" 0 >"$TMP/cmp.out" 2>&1 && return 0
    sleep 0.3
  done
  cat "$TMP/cmp.out"; return 1
}
check "the window equals the domain's screendump, pixel for pixel" window_is_dump

# 2. Input, read back from QEMU's trace in the domain's log.
find_window >"$TMP/win.out" 2>&1 && activate >>"$TMP/win.out" 2>&1
qemu_mark
xdotool key a
check "a key reaches the domain (QEMU's trace)" sent '^key ' "key a down" "key a up"
qemu_mark
xdotool mousemove $(( $(stat x) + 512 )) $(( $(stat y) + 384 ))
check "the pointer reaches the tablet: the middle of the screen" sent '^abs ' "abs x 16383" "abs y 16383"

# 3. The domain's lifecycle through virsh.
"${VIRSH[@]}" suspend "$DOM" >/dev/null
check "virsh suspend: VM paused, the frame dimmed" settled vm=paused dimmed=true
"${VIRSH[@]}" resume "$DOM" >/dev/null
check "virsh resume: live again" settled vm=running dimmed=false state=live
"${VIRSH[@]}" reset "$DOM" >/dev/null
check "virsh reset: the boot screen again" window_is_dump
"${VIRSH[@]}" destroy "$DOM" >/dev/null
attach_exits () {
  local _ rc
  for _ in $(seq 100); do kill -0 "$VIEWER_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$VIEWER_PID" 2>/dev/null; then echo "attach still runs 10 s after destroy"; return 1; fi
  wait "$VIEWER_PID"; rc=$?; VIEWER_PID=
  [ "$rc" = 0 ] || { echo "attach exited $rc"; tail -n 5 "$VIEWER_ERR"; return 1; }
}
check "virsh destroy: attach exits, status 0" attach_exits
check "... saying QEMU is gone" grep -qE "QEMU closed the QMP connection|QEMU \\(pid [0-9]+\\) exited" "$VIEWER_ERR"
check "... and no warnings" quiet
finish
