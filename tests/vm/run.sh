#!/usr/bin/env bash
# Runs a test script inside a VM: Debian's own kernel (so kernel WireGuard is
# there, whatever the host has) under qemu, with an initramfs built here.
#
#   tests/vm/run.sh BUILD_DIR SCRIPT [ARGS...]
#
# Fetches the kernel package (apt-get download, never installed) into a cache,
# builds an initramfs of busybox, bash, ip, ss, wg, getent, BUILD_DIR's nsvpn and
# nsvpn-generator with their libraries, the WireGuard and veth modules, SCRIPT and
# tests/vm/lib.sh, boots it, and prints the console. Inside, /init mounts the
# usual filesystems, loads the modules, runs `bash SCRIPT ARGS` and prints
# NSVPN-VM-EXIT=N. This script exits with N, or 1 when that line never came
# (kernel panic, timeout). tests/vm/README.md has the details.
#
# Environment:
#   NSVPN_VM_CACHE     where the kernel is kept (default /var/cache/nsvpn-vm)
#   NSVPN_VM_TIMEOUT   seconds qemu may run (default 300)
#   NSVPN_VM_MODULES   more kernel modules to load (with their dependencies);
#                      SCRIPT can name its own in a line "# vm-modules: nf_tables ..."
#   NSVPN_VM_BINARIES  more host executables to copy, with their libraries;
#                      SCRIPT can name its own in a line "# vm-binaries: nft ..."
#   NSVPN_VM_ACCEL     qemu's accelerator (default tcg; kvm where it works)
#   NSVPN_VM_APPEND    more kernel command line
#   NSVPN_VM_KERNEL_PACKAGE  the kernel package (default: what linux-image-amd64 depends on)
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 BUILD_DIR SCRIPT [ARGS...]" >&2
    exit 2
fi
BUILD_DIR=$(realpath "$1")
SCRIPT=$(realpath "$2")
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${NSVPN_VM_CACHE:-/var/cache/nsvpn-vm}
TIMEOUT=${NSVPN_VM_TIMEOUT:-300}
# what SCRIPT asks for in its own lines "# vm-modules: ..." and "# vm-binaries: ..."
declared() { sed -n "s/^# vm-$1:[[:space:]]*//p" "$SCRIPT" | tr '\n' ' '; }
read -r -a MODULES <<<"wireguard veth $(declared modules) ${NSVPN_VM_MODULES:-}"
read -r -a EXTRA_BINARIES <<<"$(declared binaries) ${NSVPN_VM_BINARIES:-}"
MARKER=NSVPN-VM-EXIT

for tool in qemu-system-x86_64 busybox depmod modprobe cpio objcopy xz; do
    if ! command -v "$tool" >/dev/null; then
        echo "vm: $tool is missing: run scripts/deps.sh --test" >&2
        exit 1
    fi
done
for file in "$BUILD_DIR/nsvpn" "$BUILD_DIR/nsvpn-generator" "$SCRIPT"; do
    if [ ! -f "$file" ]; then
        echo "vm: $file is missing" >&2
        exit 1
    fi
done

# shellcheck source=tests/vm/debian-kernel.sh
source "$HERE/debian-kernel.sh"

WORK=$(mktemp -d /tmp/nsvpn-vm.XXXXXX)
QEMU_PID=
TAIL_PID=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    set +e
    stop_vm
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# --- the kernel -------------------------------------------------------------
KERNEL=$(kernel_dir)
KVER=$(ls "$KERNEL/lib/modules")
BOOT=$KERNEL/boot/vmlinux-$KVER
[ -e "$BOOT" ] || BOOT=$KERNEL/boot/vmlinuz-$KVER

# --- the initramfs ----------------------------------------------------------
ROOT=$WORK/root
mkdir -p "$ROOT"/{usr/bin,usr/sbin,usr/lib,usr/lib64,dev,proc,sys,run,tmp,root,etc/nsvpn-vm,tests/vm}
mkdir -p "$ROOT"/var/tmp
for link in bin sbin lib lib64; do ln -s "usr/$link" "$ROOT/$link"; done # merged /usr, as Debian 12

# copy_file PATH: the file (symlinks followed) at the same path inside
copy_file() {
    if [ ! -e "$ROOT$1" ]; then
        mkdir -p "$(dirname "$ROOT$1")"
        cp -L "$1" "$ROOT$1"
    fi
}

# copy_binary PATH [DEST]: an executable and every shared library it needs,
# the dynamic loader included, at the paths the loader will look for
copy_binary() {
    local lib
    mkdir -p "$(dirname "$ROOT${2:-$1}")"
    cp -L "$1" "$ROOT${2:-$1}"
    # a static binary has none ("not a dynamic executable", status 1)
    for lib in $(ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
        copy_file "$lib"
    done
}

copy_binary "$(command -v busybox)" /usr/bin/busybox
for binary in bash ip ss wg getent; do
    copy_binary "$(command -v "$binary")"
done
for binary in "${EXTRA_BINARIES[@]}"; do
    if ! path=$(command -v "$binary"); then
        echo "vm: NSVPN_VM_BINARIES: no $binary here" >&2
        exit 1
    fi
    copy_binary "$path"
done
copy_binary "$BUILD_DIR/nsvpn" /usr/bin/nsvpn
copy_binary "$BUILD_DIR/nsvpn-generator" /usr/bin/nsvpn-generator
# debug information is most of their size; symbols stay
objcopy --strip-debug "$ROOT/usr/bin/nsvpn"
objcopy --strip-debug "$ROOT/usr/bin/nsvpn-generator"
# busybox for everything else, as `busybox --install -s` would, but never in the
# place of a real program of the same name in either bin directory
while read -r applet; do
    name=${applet##*/}
    if [ ! -e "$ROOT/usr/bin/$name" ] && [ ! -e "$ROOT/usr/sbin/$name" ]; then
        ln -s /usr/bin/busybox "$ROOT/$applet"
    fi
done < <(busybox --list-full)

# Kernel modules, in load order, with what each needs (soft dependencies such as
# nf_tables' crc32c too), as modprobe would load them; built-in ones are skipped.
for module in "${MODULES[@]}"; do
    if ! modprobe -d "$KERNEL" -S "$KVER" --show-depends "$module" >>"$WORK/modprobe"; then
        echo "vm: no kernel module $module in $KVER" >&2
        exit 1
    fi
done
awk -v prefix="$KERNEL" '$1 == "insmod" && !seen[$2]++ { print substr($2, length(prefix) + 1) }' \
    "$WORK/modprobe" >"$ROOT/etc/nsvpn-vm/modules"
while read -r module; do
    mkdir -p "$(dirname "$ROOT$module")"
    cp "$KERNEL$module" "$ROOT$module"
done <"$ROOT/etc/nsvpn-vm/modules"
# busybox modprobe can load any of them by name too
cp "$KERNEL/lib/modules/$KVER"/modules.{dep,alias,builtin,order} "$ROOT/lib/modules/$KVER/"

cat >"$ROOT/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$ROOT/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
cat >"$ROOT/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
shadow: files
hosts: files dns
networks: files
protocols: files
services: files
EOF
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$ROOT/etc/hosts"
echo "nameserver 127.0.0.1" >"$ROOT/etc/resolv.conf"
echo nsvpn-vm >"$ROOT/etc/hostname"

cp "$HERE/lib.sh" "$ROOT/tests/vm/lib.sh"
cp "$HERE/../assert.sh" "$ROOT/tests/assert.sh"
cp "$SCRIPT" "$ROOT/tests/vm/$(basename "$SCRIPT")"
{
    echo "cd /tests/vm"
    echo "export NSVPN=/usr/bin/nsvpn NSVPN_GENERATOR=/usr/bin/nsvpn-generator"
    printf 'exec bash %q' "/tests/vm/$(basename "$SCRIPT")"
    if [ $# -gt 0 ]; then printf ' %q' "$@"; fi
    echo
} >"$ROOT/etc/nsvpn-vm/run"

cat >"$ROOT/init" <<EOF
#!/bin/sh
# PID 1 of the test VM (written by tests/vm/run.sh)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin HOME=/root TERM=dumb LANG=C.UTF-8
export WG_COLOR_MODE=never
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
hostname nsvpn-vm
while read -r module; do
    insmod "\$module" || echo "vm: insmod \$module failed"
done </etc/nsvpn-vm/modules
ip link set lo up
echo
echo "vm: kernel \$(uname -r) up after \$(cut -d' ' -f1 /proc/uptime) s; running $(basename "$SCRIPT")"
bash /etc/nsvpn-vm/run
echo "$MARKER=\$?"
sync
poweroff -f
EOF
chmod 755 "$ROOT/init"
mknod -m 600 "$ROOT/dev/console" c 5 1 2>/dev/null || true # else /init reopens it
(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) >"$WORK/initrd"

# --- boot --------------------------------------------------------------------
# tcg: CI has no KVM (and a /dev/kvm there may exist and still not work)
accel=${NSVPN_VM_ACCEL:-tcg}
started=$SECONDS
echo "vm: $(basename "$BOOT"), $(du -k "$WORK/initrd" | cut -f1) KiB initramfs, accel $accel, timeout ${TIMEOUT}s"
timeout --kill-after=10 "$TIMEOUT" qemu-system-x86_64 -nographic -no-reboot -nic none \
    -accel "$accel" -cpu max -m 1024 -smp 2 \
    -kernel "$BOOT" -initrd "$WORK/initrd" \
    -append "console=ttyS0 panic=-1 quiet rdinit=/init ${NSVPN_VM_APPEND:-}" \
    </dev/null >"$WORK/console" 2>&1 &
QEMU_PID=$!
follow_vm vm
code=$VM_CODE
if [ -z "$code" ]; then
    echo "vm: no $MARKER line: the VM died before the script finished ($((SECONDS - started)) s)" >&2
    exit 1
fi
echo "vm: $(basename "$SCRIPT") exited with $code after $((SECONDS - started)) s in the VM"
exit "$code"
