#!/bin/busybox sh
# /init of the test VM's initramfs (busybox only): loads 9p and VFIO, the
# pristine sample mdev drivers, mounts the host's root read-only over virtio
# 9p, and runs the guest suite chrooted into it. Then flushes the per-cpu
# page lists (CPU1 offline/online) so page refcount bugs surface, and prints
# the end marker the host grades on. Parameters come from the kernel command
# line: gvt.suite= gvt.build= gvt.src= gvt.tests= gvt.mesa25=
/bin/busybox mkdir -p /bin /proc /sys /dev /host
/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

say() { echo "gvt-init: $*" > /dev/console; }
stop() {
  echo 1 > /proc/sys/kernel/sysrq 2>/dev/null
  sync
  poweroff -f
  sleep 5
  echo o > /proc/sysrq-trigger
}
fatal() {
  say "FATAL: $*"
  echo "KTEST FAIL vm-setup: $*"
  echo "KTEST-END"
  stop
}

suite= build= src= tests=all mesa25=
for arg in $(cat /proc/cmdline); do
  case $arg in
    gvt.suite=*)  suite=${arg#gvt.suite=} ;;
    gvt.build=*)  build=${arg#gvt.build=} ;;
    gvt.src=*)    src=${arg#gvt.src=} ;;
    gvt.tests=*)  tests=${arg#gvt.tests=} ;;
    gvt.mesa25=*) mesa25=${arg#gvt.mesa25=} ;;
  esac
done

for m in $(cat /lib/modules/load-order); do
  insmod /lib/modules/$m || fatal "insmod $m failed"
done
insmod /lib/modules/samples/pristine/mbochs.ko || fatal "insmod mbochs failed"
insmod /lib/modules/samples/pristine/mdpy.ko || fatal "insmod mdpy failed"
say "modules loaded: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"

# The host root is read-only and will not change under us: cache=loose.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /host \
  || fatal "mounting the host root over 9p failed"
mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mount -t devtmpfs devtmpfs /host/dev
mkdir -p /host/dev/shm /host/dev/pts
mount -t tmpfs tmpfs /host/dev/shm
mount -t devpts devpts /host/dev/pts
# Scratch space and HOME live on /run, never mounted over /tmp or /root: the
# checkout being tested may sit under either, and must stay visible.
mount -t tmpfs tmpfs /host/run
mkdir -p /host/run/gvt-tmp
mkdir -p /host/run/gvt-home
# What the suite needs from here: the module files and a static busybox.
mkdir -p /host/run/gvt-vm
cp -r /lib/modules/samples /host/run/gvt-vm/modules
cp /bin/busybox /host/run/gvt-vm/busybox

[ -x "/host$suite" ] || fatal "guest suite $suite not found on the host root"
say "running $suite"
# Pinned to CPU1: taking it offline afterwards drains the per-cpu page lists
# the tests freed pages into, so a page refcount bug surfaces before the end.
chroot /host /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/run/gvt-home TMPDIR=/run/gvt-tmp LANG=C.UTF-8 \
  GVT_BUILD="$build" GVT_SRC="$src" GVT_TESTS="$tests" GVT_MESA25_LIBDIR="$mesa25" \
  GVT_VM_DIR=/run/gvt-vm \
  taskset -c 1 /bin/bash "$suite" < /dev/console > /dev/console 2>&1
say "suite exited with $?"

echo 0 > /sys/devices/system/cpu/cpu1/online || say "could not offline CPU1"
sleep 1
echo 1 > /sys/devices/system/cpu/cpu1/online || say "could not online CPU1"
# Shake out what the tests left: drop caches, compact, drain again.
echo 3 > /proc/sys/vm/drop_caches
sleep 1
echo "gvt-init: kernel warnings and errors:"
dmesg -r | sed -n 's/^<[0-4]>/  dmesg: /p'
echo "KTEST-END"
stop
