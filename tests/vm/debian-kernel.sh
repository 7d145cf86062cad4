# shellcheck shell=bash
# The Debian kernel of the VM tests, shared by tests/vm/run.sh and
# tests/system/vm.sh: `kernel_dir` prints $CACHE/PACKAGE_VERSION, the unpacked
# package that linux-image-amd64 depends on now (boot/vmlinuz-KVER, the
# uncompressed boot/vmlinux-KVER when it could be extracted, lib/modules/KVER
# with a modules.dep), fetched with apt-get download when missing. The caller
# sets CACHE (default directory /var/cache/nsvpn-vm in both). Also follow_vm and
# stop_vm, for the qemu both start.

# extract_vmlinux VMLINUZ VMLINUX: the uncompressed ELF kernel in Debian's
# bzImage (xz), which qemu boots through its PVH entry point. That skips the
# kernel's own decompression, some 6 s under TCG. Nothing is written when it is
# not found, and then the bzImage boots.
extract_vmlinux() {
    local offset
    while IFS=: read -r offset _; do
        tail -c +$((offset + 1)) "$1" >"$2.xz"
        if xz -dc --single-stream "$2.xz" >"$2" 2>/dev/null &&
            [ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = '177ELF' ]; then
            rm -f "$2.xz"
            return
        fi
    done < <(LC_ALL=C grep -abo $'\xfd7zXZ' "$1")
    rm -f "$2" "$2.xz"
}

# fetch_kernel PACKAGE VERSION DIR: the package's files into DIR (boot/,
# lib/modules/ with a modules.dep made here, boot/vmlinux), .complete when whole
fetch_kernel() {
    local download kver
    echo "vm: fetching $1 $2 into $CACHE" >&2
    rm -rf "$3"
    download=$(mktemp -d "$CACHE/download.XXXXXX")
    # apt fetches as _apt where it can write
    if id _apt >/dev/null 2>&1; then chown _apt "$download"; fi
    if (cd "$download" && apt-get download -q "$1=$2" >&2) &&
        mkdir "$download/root" && dpkg-deb -x "$download"/*.deb "$download/root" &&
        kver=$(ls "$download/root/lib/modules") && depmod -b "$download/root" "$kver" &&
        extract_vmlinux "$download/root/boot/vmlinuz-$kver" "$download/root/boot/vmlinux-$kver" &&
        mv "$download/root" "$3" && touch "$3/.complete"; then
        rm -rf "$download"
        # only the current version is kept
        find "$CACHE" -mindepth 1 -maxdepth 1 -type d -name 'linux-image-*' ! -path "$3" -exec rm -rf {} +
    else
        rm -rf "$download" "$3"
        return 1
    fi
}

# kernel_dir: $CACHE/PACKAGE_VERSION for the kernel that linux-image-amd64 pulls
# in now, fetched when missing; when apt cannot tell or fetch (no lists, no
# network), the newest one already there
kernel_dir() {
    local package version dir cached
    mkdir -p "$CACHE"
    exec 9>"$CACHE/lock"
    flock 9
    # what a run stopped in the middle of a fetch left
    find "$CACHE" -mindepth 1 -maxdepth 1 -name 'download.*' -exec rm -rf {} +
    cached=$(find "$CACHE" -mindepth 2 -maxdepth 2 -name .complete -printf '%h\n' | sort -V | tail -n 1)
    package=${NSVPN_VM_KERNEL_PACKAGE:-$(apt-cache depends linux-image-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')}
    version=
    if [ -n "$package" ]; then
        version=$(apt-cache policy "$package" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
    fi
    dir=
    if [ -n "$version" ] && [ "$version" != "(none)" ]; then
        dir=$CACHE/${package}_${version//:/%3a}
        if [ ! -e "$dir/.complete" ] && ! fetch_kernel "$package" "$version" "$dir"; then
            echo "vm: could not fetch $package $version" >&2
            dir=
        fi
    else
        echo "vm: apt knows no ${package:-kernel package behind linux-image-amd64} (run apt-get update)" >&2
    fi
    if [ -z "$dir" ]; then
        if [ -z "$cached" ]; then
            echo "vm: and $CACHE has no kernel" >&2
            return 1
        fi
        dir=$cached
        echo "vm: using the cached $(basename "$dir")" >&2
    fi
    exec 9>&-
    echo "$dir"
}

# follow_vm LABEL: shows the console of the qemu that runs as QEMU_PID (writing
# $WORK/console) as it comes, less carriage returns and the firmware's terminal
# resets; waits for qemu to end; says so when it timed out (timeout's 124) or
# failed; and sets VM_CODE to N of the console's last "$MARKER=N" line (empty
# when there is none: the VM died before its script finished).
follow_vm() {
    local label=$1 status=0
    tail -n +1 -s 0.2 --pid="$QEMU_PID" -f "$WORK/console" |
        sed -u -e 's/\r//g' -e 's/\x1bc//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' &
    TAIL_PID=$!
    wait "$QEMU_PID" || status=$?
    QEMU_PID=
    wait "$TAIL_PID" || true
    TAIL_PID=
    echo
    VM_CODE=$(tr -d '\r' <"$WORK/console" | { grep -ao "$MARKER=[0-9]*" || true; } | tail -n 1 | cut -d= -f2)
    if [ "$status" = 124 ]; then
        echo "$label: timed out after ${TIMEOUT}s" >&2
    elif [ "$status" != 0 ]; then
        echo "$label: qemu exited with status $status" >&2
    fi
}

# stop_vm: ends the qemu of follow_vm (through its timeout(1), which passes the
# signal on) and the console's tail, when they still run.
stop_vm() {
    if [ -n "${QEMU_PID:-}" ]; then
        kill "$QEMU_PID" 2>/dev/null
        wait "$QEMU_PID" 2>/dev/null
    fi
    if [ -n "${TAIL_PID:-}" ]; then
        kill "$TAIL_PID" 2>/dev/null
        wait "$TAIL_PID" 2>/dev/null
    fi
    QEMU_PID= TAIL_PID=
}
