#!/bin/bash
# `gvt-view attach` and `qemu:` forms against real QEMUs (TCG, no vGPU:
# that path is the kernel VM suite's), without a window:
#  - as an unprivileged user against a root QEMU: refused, with the reason
#    (ptrace rights) and the fix, and nothing left behind;
#  - names: a QEMU's -name found, an unknown name listing the running
#    QEMUs, a pid that is no QEMU;
#  - a QEMU without a vGPU and without QMP: said so, status 1;
#  - doctor qemu:NAME: the VM's checks (memory lock, QMP, boot display,
#    QEMU's version) for a root QEMU and a user's.
#
# Usage: test-attach.sh GVT_VIEW UI_CHECK   (TAP on stdout)
set -u
GVT_VIEW=$(realpath "$1") UI_CHECK=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../ui/ui-lib.sh"
require setpriv qemu-system-x86_64 python3
. "$here/qemu-lib.sh"

qemu_test_dirs
[ "$(id -u)" = 0 ] || { echo "Bail out! the refusal test runs QEMU as root and gvt-view as nobody: run it as root"; exit 1; }
NAME=gvt-attach-test-$$
if qemu_start -S -name "$NAME" >"$TMP/boot.out" 2>&1; then
  ok "a root QEMU named $NAME"
else
  not_ok "a root QEMU named $NAME" "$TMP/boot.out"; echo "Bail out! no QEMU"; exit 1
fi

# attach_as_nobody WHAT: gvt-view probe qemu:WHAT as uid 65534 (probe: no
# window needed; attach goes the same way before its window).
as_nobody () {
  (cd / && setpriv --reuid=65534 --regid=65534 --clear-groups env -u XDG_RUNTIME_DIR \
     "$GVT_VIEW" "$@") >"$TMP/out" 2>"$TMP/err"
}
refused () {
  local rc=0
  as_nobody probe "qemu:$1" || rc=$?
  cat "$TMP/err"
  [ "$rc" = 1 ] || { echo "exit status $rc, want 1"; return 1; }
  grep -q "^gvt-view: cannot open qemu:$1: " "$TMP/err" || { echo "no 'cannot open qemu:$1:' start"; return 1; }
  grep -qi "ptrace" "$TMP/err" || { echo "the reason (ptrace rights) is missing"; return 1; }
  grep -q "ptrace_scope" "$TMP/err" || { echo "the ptrace_scope setting is not named"; return 1; }
  grep -qE "root|sudo" "$TMP/err" || { echo "the fix (root) is missing"; return 1; }
}
check "as nobody, qemu:PID of a root QEMU is refused: ptrace rights, ptrace_scope, root" refused "$QEMU_PID"
check "as nobody, qemu:NAME the same" refused "$NAME"
check "... and the QEMU is untouched" kill -0 "$QEMU_PID"

# As root: found, but it has no vGPU.
no_vgpu () {
  local rc=0
  "$GVT_VIEW" probe "qemu:$1" >"$TMP/out" 2>"$TMP/err" || rc=$?
  cat "$TMP/err"
  [ "$rc" = 1 ] && grep -q "holds no VFIO device" "$TMP/err"
}
check "as root, qemu:$NAME is found and has no vGPU: said so" no_vgpu "$NAME"
unknown () {
  local rc=0
  "$GVT_VIEW" probe qemu:no-such-vm-$$ >"$TMP/out" 2>"$TMP/err" || rc=$?
  cat "$TMP/err"
  [ "$rc" = 1 ] && grep -q "no QEMU is named 'no-such-vm-$$'" "$TMP/err" \
    && grep -q "$QEMU_PID ('$NAME')" "$TMP/err"
}
check "an unknown name: the running QEMUs are listed (pid and name)" unknown
not_qemu () {
  local rc=0
  "$GVT_VIEW" probe "qemu:$$" >"$TMP/out" 2>"$TMP/err" || rc=$?
  cat "$TMP/err"
  [ "$rc" = 1 ] && grep -q "cannot open qemu:$$: " "$TMP/err"
}
check "a pid that is no QEMU (this shell): refused" not_qemu
bad_form () {
  local rc=0
  "$GVT_VIEW" probe "qemu:" >"$TMP/out" 2>"$TMP/err" || rc=$?
  cat "$TMP/err"
  [ "$rc" = 2 ]
}
check "qemu: with nothing after it: a usage error" bad_form
# doctor qemu:X: the VM's checks against the real QEMUs.
# dget FILE ID FIELD: that member of the check ID in doctor's JSON.
dget () {
  python3 -c 'import json,sys
c=[c for c in json.load(open(sys.argv[1])) if c["id"]==sys.argv[2]]
print(c[0][sys.argv[3]] if c else "(no check %s)" % sys.argv[2])' "$@"
}
# expect FILE ID STATUS TEXT: the check's status, and TEXT in its summary.
expect () {
  local st sum
  st=$(dget "$1" "$2" status) sum=$(dget "$1" "$2" summary)
  echo "$2: $st: $sum"
  [ "$st" = "$3" ] && [[ "$sum" == *"$4"* ]]
}
doctor_root () {
  local rc=0
  "$GVT_VIEW" doctor --json "qemu:$NAME" >"$TMP/doctor.json" 2>"$TMP/err" || rc=$?
  cat "$TMP/err"
  [ "$rc" = 1 ] || { echo "exit status $rc, want 1 (no vGPU: device-open fails)"; return 1; }
  expect "$TMP/doctor.json" vm ok "QEMU pid $QEMU_PID, $NAME (found by -name), 0 vfio devices" \
    && expect "$TMP/doctor.json" memlock ok "QEMU (pid $QEMU_PID) has CAP_IPC_LOCK" \
    && expect "$TMP/doctor.json" qemu ok "$(readlink -f "$(command -v qemu-system-x86_64)") is QEMU $(qemu-system-x86_64 --version | sed -n 's/.*version \([0-9.]*\).*/\1/p')" \
    && expect "$TMP/doctor.json" vm-qmp ok "QMP socket $QEMU_DIR/qmp.sock" \
    && expect "$TMP/doctor.json" vm-boot-display ok "ramfb: the boot screen shows" \
    && expect "$TMP/doctor.json" device-open fail "holds no VFIO device"
}
check "doctor qemu:NAME (root QEMU, ramfb, QMP, no vGPU): its checks, status 1" doctor_root
doctor_nobody () {
  local rc=0
  (cd / && setpriv --reuid=65534 --regid=65534 --clear-groups "$GVT_VIEW" doctor --json \
     "qemu:$NAME") >"$TMP/doctor.json" 2>"$TMP/err" || rc=$?
  [ "$rc" = 1 ] && expect "$TMP/doctor.json" device-open fail "ptrace"
}
check "... as nobody: its vGPU can't be taken (ptrace rights), status 1" doctor_nobody

# A user's QEMU with UEFI firmware (a pflash drive, blank: -S never runs it),
# no ramfb, no QMP and a 64 KiB memory-lock limit.
FLASH_DIR=$(mktemp -d /tmp/gvt-doctor-flash.XXXXXX)
at_exit "rm -rf '$FLASH_DIR'"
chmod 0755 "$FLASH_DIR"
FLASH=$FLASH_DIR/flash.img
truncate -s 1M "$FLASH"
chmod 0644 "$FLASH"
NAME2=gvt-doctor-test-$$
setpriv --reuid=65534 --regid=65534 --clear-groups prlimit --memlock=65536 \
  qemu-system-x86_64 -S -accel tcg -m 512 -nic none -display none -vga none -name "$NAME2" \
  -drive "if=pflash,format=raw,readonly=on,file=$FLASH" </dev/null >"$TMP/qemu2.log" 2>&1 &
QEMU2=$!
at_exit "kill $QEMU2"
for _ in $(seq 100); do
  grep -qs "qemu-system" "/proc/$QEMU2/cmdline" && [ -e "/proc/$QEMU2/exe" ] \
    && tr '\0' ' ' <"/proc/$QEMU2/cmdline" | grep -q "$NAME2" && break
  sleep 0.1
done
tr '\0' ' ' <"/proc/$QEMU2/cmdline" | grep -q "$NAME2" || { cat "$TMP/qemu2.log"; echo "Bail out! the user's QEMU did not start"; exit 1; }
doctor_user_qemu () {
  "$GVT_VIEW" doctor --json "qemu:$NAME2" >"$TMP/doctor2.json" 2>"$TMP/err"
  cat "$TMP/err"
  expect "$TMP/doctor2.json" memlock warn "the memory-lock limit of QEMU (pid $QEMU2) is 64 KiB: a guest of 512 MiB with a vGPU needs 1.5 GiB" \
    && [[ "$(dget "$TMP/doctor2.json" memlock fix)" == *prlimit* ]] \
    && expect "$TMP/doctor2.json" vm-qmp warn "no QMP socket" \
    && expect "$TMP/doctor2.json" vm-boot-display warn "UEFI (OVMF) and no ramfb"
}
check "doctor qemu:NAME of a user's UEFI QEMU: low memory lock, no QMP, no boot display" doctor_user_qemu
kill "$QEMU2" 2>/dev/null; wait "$QEMU2" 2>/dev/null

check "QMP quit: QEMU exits" qemu_quit
finish
