#!/bin/bash
# The bash completion (data/gvt-view.bash-completion) as bash calls it:
# commands, a command's options (from its own --help-all), option values,
# and the DEVICE forms of what runs now — qemu:PID and qemu:NAME of a real
# QEMU started here, for attach too (the colon split as bash splits it).
#
# Usage: test-completion.sh GVT_VIEW UI_CHECK   (TAP on stdout)
set -u
GVT_VIEW=$(realpath "$1") UI_CHECK=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../ui/ui-lib.sh"
require qemu-system-x86_64 python3
. "$here/qemu-lib.sh"
qemu_test_dirs

# complete WORD...: what _gvt_view offers for the command line
# "gvt-view WORD..." with the cursor at the end of the last word, as bash
# splits it (a word "qemu:x" is qemu, :, x). One a line, sorted.
complete_line () {
  local line="gvt-view $*"
  PATH=$(dirname "$GVT_VIEW"):$PATH bash -c '
    . "$1"; shift
    read -ra COMP_WORDS <<< "$(sed "s/:/ : /g" <<< "$1")"
    [ "${1: -1}" = " " ] && COMP_WORDS+=("")
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    _gvt_view
    printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$here/../../data/gvt-view.bash-completion" "$line"
}
offers () {
  local want=$1; shift
  complete_line "$@" >"$TMP/got"
  grep -qxF -- "$want" "$TMP/got" && return 0
  echo "'$*' offers:"; sed 's/^/  /' "$TMP/got"; return 1
}
offers_not () {
  local unwanted=$1; shift
  complete_line "$@" >"$TMP/got"
  ! grep -qxF -- "$unwanted" "$TMP/got" || { echo "'$*' offers '$unwanted'"; return 1; }
}

check "a command: 'sn' → snapshot" offers snapshot "sn"
check "the commands after gvt-view" offers attach " "
check "snapshot's options, from its --help-all: --wait" offers --wait snapshot --w
check "the viewer's options: --relative-mouse" offers --relative-mouse --rel
check "run's own: --quit-vm" offers --quit-vm run --qu
check "no --quit-vm for snapshot" offers_not --quit-vm snapshot --qu
check "--scale values" offers integer --scale in
check "--edid values" offers off --edid o
check "a DEVICE form: sim" offers sim probe s
check "a command: 'doc' → doctor" offers doctor "doc"
check "doctor's options, from its --help-all: --json" offers --json doctor --j

NAME=gvt-compl-$$
if qemu_start -S -name "$NAME" >"$TMP/boot.out" 2>&1; then
  ok "a QEMU named $NAME"
else
  not_ok "a QEMU named $NAME" "$TMP/boot.out"; echo "Bail out! no QEMU"; exit 1
fi
check "attach: the running QEMU's name" offers "$NAME" attach gvt-compl
check "attach: and its pid" offers "$QEMU_PID" attach "$QEMU_PID"
check "probe qemu: → :NAME (bash split the colon)" offers ":$NAME" probe qemu:
check "probe qemu:gvt-c → the name" offers "$NAME" probe qemu:gvt-c
check "doctor qemu: → :NAME" offers ":$NAME" doctor qemu:
check "the viewer's DEVICE: qemu:PID" offers ":$QEMU_PID" qemu:
check "after run's --, QEMU's words: commands" offers qemu-system-x86_64 run -- qemu-system-x86_
check "QMP quit: QEMU exits" qemu_quit
check "the QEMU gone: not offered any more" offers_not "$NAME" attach gvt-compl
finish
