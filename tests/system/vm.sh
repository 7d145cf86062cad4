#!/usr/bin/env bash
# The system tier in a VM: the same Debian root as tests/system/run.sh, booted
# with systemd as PID 1 on Debian's own kernel under qemu, so that nsvpn's
# Implementation=auto takes the kernel's WireGuard (this machine's kernel, which
# the nspawn container shares, has none).
#
#   tests/system/vm.sh BUILD_DIR [SCENARIO...]   (default: 10-provider 30-stop 35-daemon-dies)
#
# The root (rootfs.sh's tarball, BUILD_DIR installed, the test's parts, and the
# scenarios with lib.sh) becomes an ext4 image (mke2fs -d); the kernel is the vm
# tier's (tests/vm/debian-kernel.sh, cached in /var/cache/nsvpn-vm); a small initramfs
# (static busybox) loads virtio, ext4, wireguard, veth and tun and switches to
# the image's /sbin/init. nsvpn-test-run.service runs the scenarios inside once
# the boot is done, prints NSVPN-VM-EXIT=N on the console and powers off. This
# script exits with N, 1 when that line never came, 77 when not root.
#
# Environment: NSVPN_SYSTEM_CACHE, NSVPN_VM_CACHE (as run.sh, tests/vm/run.sh),
#   NSVPN_VM_TIMEOUT   seconds qemu may run (default 400)
#   NSVPN_VM_ACCEL     qemu's accelerator (default tcg)
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [SCENARIO...]" >&2
    exit 2
fi
if [ "$(id -u)" != 0 ]; then
    echo "system-vm: skipped: needs root"
    exit 77
fi
BUILD_DIR=$(realpath "$1")
shift
HERE=$(cd "$(dirname "$0")" && pwd)
SOURCE_DIR=$(cd "$HERE/../.." && pwd)
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(10-provider 30-stop 35-daemon-dies)
for scenario in "${SCENARIOS[@]}"; do
    if [ ! -f "$HERE/scenarios/$scenario.sh" ]; then
        echo "system-vm: no scenario $scenario in $HERE/scenarios" >&2
        exit 2
    fi
done
for tool in qemu-system-x86_64 busybox mke2fs cpio modprobe depmod cmake tar chroot xz; do
    if ! command -v "$tool" >/dev/null; then
        echo "system-vm: $tool is missing: run scripts/deps.sh --test" >&2
        exit 1
    fi
done
TIMEOUT=${NSVPN_VM_TIMEOUT:-400}
MARKER=NSVPN-VM-EXIT

# shellcheck source=tests/assert.sh
source "$HERE/../assert.sh"
# shellcheck source=tests/system/lib.sh
source "$HERE/lib.sh"
CACHE=${NSVPN_VM_CACHE:-/var/cache/nsvpn-vm}
# shellcheck source=tests/vm/debian-kernel.sh
source "$HERE/../vm/debian-kernel.sh"

TARBALL=$("$HERE/rootfs.sh")
KERNEL=$(kernel_dir)
KVER=$(ls "$KERNEL/lib/modules")
BOOT=$KERNEL/boot/vmlinux-$KVER
[ -e "$BOOT" ] || BOOT=$KERNEL/boot/vmlinuz-$KVER

WORK=$(mktemp -d /var/tmp/nsvpn-system-vm.XXXXXX)
ROOT=$WORK/root
QEMU_PID=
TAIL_PID=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    set +e
    stop_vm
    rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# --- the root, as an ext4 image ------------------------------------------------
prepare_root
started=$SECONDS
lib=$ROOT/usr/local/lib/nsvpn-test
install -d "$lib/system/scenarios"
install -m 0644 "$HERE/lib.sh" "$lib/system/"
install -m 0644 "$HERE"/scenarios/*.sh "$lib/system/scenarios/"
install -m 0755 "$HERE/guest/vm/run-scenarios.sh" "$lib/"
sed "s|@SCENARIOS@|${SCENARIOS[*]}|" "$HERE/guest/vm/nsvpn-test-run.service" \
    >"$ROOT/etc/systemd/system/nsvpn-test-run.service"
ln -s ../nsvpn-test-run.service "$ROOT/etc/systemd/system/multi-user.target.wants/"
echo "/dev/vda / ext4 rw,noatime 0 1" >"$ROOT/etc/fstab"
ln -sf /dev/null "$ROOT/etc/systemd/system/serial-getty@ttyS0.service"
size=$(($(du -sm "$ROOT" | cut -f1) + 256))
mke2fs -q -t ext4 -L nsvpn-root -d "$ROOT" -E root_owner=0:0 "$WORK/root.ext4" "${size}M" \
    >"$WORK/mke2fs.log" 2>&1 || { cat "$WORK/mke2fs.log" >&2; exit 1; }

# --- the initramfs: busybox, the modules, /init ------------------------------------
INITRD=$WORK/initrd
mkdir -p "$INITRD"/{bin,dev,proc,sys,newroot}
cp "$(command -v busybox)" "$INITRD/bin/busybox"
for module in virtio_pci virtio_blk ext4 wireguard veth tun; do
    modprobe -d "$KERNEL" -S "$KVER" --show-depends "$module"
done | awk -v prefix="$KERNEL" '$1 == "insmod" && !seen[$2]++ { print substr($2, length(prefix) + 1) }' \
    >"$INITRD/modules"
while read -r module; do
    mkdir -p "$(dirname "$INITRD$module")"
    cp "$KERNEL$module" "$INITRD$module"
done <"$INITRD/modules"
cat >"$INITRD/init" <<'EOF'
#!/bin/busybox sh
# PID 1 until the root is mounted (written by tests/system/vm.sh)
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r module; do insmod "$module" || echo "initramfs: insmod $module failed"; done </modules
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mount -t ext4 -o rw /dev/vda /newroot || { echo "initramfs: cannot mount /dev/vda"; poweroff -f; }
umount /proc /sys /dev
exec switch_root /newroot /sbin/init
EOF
chmod 755 "$INITRD/init"
(cd "$INITRD" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) \
    >"$WORK/initrd.cpio"
echo "system-vm: image $size MB, initramfs $(du -k "$WORK/initrd.cpio" | cut -f1) KiB, in $((SECONDS - started)) s"

# --- boot ------------------------------------------------------------------------------
accel=${NSVPN_VM_ACCEL:-tcg}
started=$SECONDS
echo "system-vm: $(basename "$BOOT"), accel $accel, scenarios ${SCENARIOS[*]}, timeout ${TIMEOUT}s"
timeout --kill-after=10 "$TIMEOUT" qemu-system-x86_64 -nographic -no-reboot -nic none \
    -accel "$accel" -cpu max -m 1536 -smp 2 \
    -kernel "$BOOT" -initrd "$WORK/initrd.cpio" \
    -drive "file=$WORK/root.ext4,if=virtio,format=raw" \
    -append "console=ttyS0 panic=-1 quiet rdinit=/init systemd.show_status=error" \
    </dev/null >"$WORK/console" 2>&1 &
QEMU_PID=$!
follow_vm system-vm
code=$VM_CODE
if [ -z "$code" ]; then
    echo "system-vm: no $MARKER line: the VM died before the scenarios finished ($((SECONDS - started)) s)" >&2
    exit 1
fi
echo "system-vm: scenarios exited with $code after $((SECONDS - started)) s in the VM"
exit "$code"
