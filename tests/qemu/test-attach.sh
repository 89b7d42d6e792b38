#!/bin/bash
# `gvt-view attach` and `qemu:` forms against real QEMUs (TCG, no vGPU:
# that path is the kernel VM suite's), without a window:
#  - as an unprivileged user against a root QEMU: refused, with the reason
#    (ptrace rights) and the fix, and nothing left behind;
#  - names: a QEMU's -name found, an unknown name listing the running
#    QEMUs, a pid that is no QEMU;
#  - a QEMU without a vGPU and without QMP: said so, status 1.
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
check "QMP quit: QEMU exits" qemu_quit
finish
