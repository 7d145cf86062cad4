# shellcheck shell=bash
# The system tier's harness functions (sourced by tests/system/run.sh, so the
# scenarios can use them too): a Debian root booted with systemd-nspawn, and
# commands run inside it. tests/system/README.md has the details.
#
# Set by run.sh: HERE (tests/system), ROOT (the container's root directory, on
# the host), WORK (the run's temp dir), MACHINE (the container's name).
# Set here: NSPAWN_PID (systemd-nspawn), LEADER (the container's PID 1).
# In the VM (tests/system/vm.sh) the scenarios run inside, by
# guest/vm/run-scenarios.sh: it sources this file with ROOT empty and
# redefines ct to run commands directly.

NSPAWN_PID=
LEADER=
CGROUP_DIRS=()
BOOTS=0
CT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# --- inside the container -----------------------------------------------------

# ct COMMAND...: runs COMMAND in the container (all its namespaces, a clean
# environment), as root; its status is returned. The process stays in the
# harness's cgroup: what must live in a unit's cgroup is started with systemctl
# or systemd-run.
ct() {
    nsenter --target "$LEADER" --all -- env -i PATH="$CT_PATH" HOME=/root LANG=C.UTF-8 \
        TERM=dumb SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat SYSTEMD_LESS= "$@"
}

# ct_sh SCRIPT: runs a bash script in the container
ct_sh() { ct bash -c "$1"; }

# sc ARGS...: systemctl in the container, at most 60 s
sc() { ct timeout 60 systemctl --no-pager "$@"; }

# state UNIT: ActiveState of UNIT (active, inactive, failed, ...)
state() { sc show -P ActiveState "$1" 2>/dev/null; }

# is_active UNIT: its ActiveState is active (for wait_for)
is_active() { [ "$(state "$1")" = active ]; }

# ct_file PATH: a file of the container's /run (or any path), empty when missing
ct_file() { ct cat "$1" 2>/dev/null || true; }

# ct_exists PATH: the path exists in the container
ct_exists() { ct test -e "$1"; }

# unit_pids UNIT: the PIDs in UNIT's cgroup (the container has cgroup v1 and v2
# hierarchies, hybrid, as this machine; systemd tracks units in the v2 one)
unit_pids() {
    local cgroup
    cgroup=$(sc show -P ControlGroup "$1")
    [ -n "$cgroup" ] || return 0
    ct_sh "cat /sys/fs/cgroup/unified$cgroup/cgroup.procs 2>/dev/null ||
        cat /sys/fs/cgroup$cgroup/cgroup.procs 2>/dev/null" || true
}

# journal ARGS...: the container's journal of this boot (journalctl ARGS)
journal() { ct journalctl --no-pager -b "$@"; }

# --- cgroups ------------------------------------------------------------------
# PID 1 of this machine is not systemd, so nothing gives systemd-nspawn the
# cgroup of its own it wants (with --keep-unit it runs where it is put, and
# makes payload/ and supervisor/ under it). cgroup_dirs prints this process's
# cgroup directory in every mounted hierarchy, v1 and v2 (hybrid here); boot
# makes a child $MACHINE in each and moves systemd-nspawn there.
cgroup_dirs() {
    local cgroups
    cgroups=$(cat /proc/self/cgroup)
    awk -v cgroups="$cgroups" '
        # "ID:CONTROLLERS:PATH"; CONTROLLERS is empty for the v2 hierarchy
        BEGIN {
            n = split(cgroups, lines, "\n")
            for (i = 1; i <= n; i++) {
                split(lines[i], f, ":")
                ctrl[i] = f[2]
                path[i] = substr(lines[i], length(f[1]) + length(f[2]) + 3)
            }
        }
        # mountinfo: ... MOUNTPOINT ... - FSTYPE SOURCE SUPEROPTIONS
        {
            split($0, halves, " - ")
            split(halves[1], a, " ")
            split(halves[2], b, " ")
            for (i = 1; i <= n; i++) {
                if (done[i]) continue
                if (ctrl[i] == "" && b[1] == "cgroup2") found = 1
                else if (ctrl[i] != "" && b[1] == "cgroup") {
                    found = 1
                    m = split(ctrl[i], want, ",")
                    for (j = 1; j <= m; j++)
                        if (index("," b[3] ",", "," want[j] ",") == 0) found = 0
                } else found = 0
                if (found) {
                    done[i] = 1
                    p = path[i] == "/" ? "" : path[i]
                    print a[5] p
                }
            }
        }' /proc/self/mountinfo
}

make_cgroups() {
    local dir
    CGROUP_DIRS=()
    while read -r dir; do
        mkdir "$dir/$MACHINE"
        CGROUP_DIRS+=("$dir/$MACHINE")
        # cpuset (v1): a new group has no CPUs or memory nodes until given its parent's
        if [ -e "$dir/$MACHINE/cpuset.cpus" ]; then
            cat "$dir/cpuset.cpus" >"$dir/$MACHINE/cpuset.cpus"
            cat "$dir/cpuset.mems" >"$dir/$MACHINE/cpuset.mems"
        fi
    done < <(cgroup_dirs)
}

# cgroup_pids: every process in our cgroups (the container's, all started by us)
cgroup_pids() {
    local dir
    for dir in "${CGROUP_DIRS[@]}"; do
        [ -d "$dir" ] && find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null
    done | sort -un
}

# kill_cgroups: SIGKILL, by PID, to whatever is left in our cgroups (a container
# whose systemd-nspawn died first); 1 when some process would not go
kill_cgroups() {
    local pids round
    for round in $(seq 100); do
        pids=$(cgroup_pids)
        [ -n "$pids" ] || return 0
        [ "$round" = 1 ] && echo "system: killing what is left in our cgroups: ${pids//$'\n'/ }" >&2
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null
        sleep 0.05
    done
    return 1
}

# removes our cgroups, deepest first (systemd in the container made its own below)
remove_cgroups() {
    local dir
    for dir in "${CGROUP_DIRS[@]}"; do
        [ -d "$dir" ] && find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
        [ -d "$dir" ] && echo "system: could not remove cgroup $dir" >&2
    done
    CGROUP_DIRS=()
    return 0
}

# --- the container ------------------------------------------------------------

# alive PID: the process exists and is not a zombie
alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# The container's identity is kept in $WORK/container too, so that a scenario
# (run in a subshell) can reboot it and the harness still knows it afterwards.
save_container() { echo "${NSPAWN_PID:--} ${LEADER:--} $BOOTS" >"$WORK/container"; }
load_container() {
    [ -e "$WORK/container" ] || return 0
    read -r NSPAWN_PID LEADER BOOTS <"$WORK/container"
    [ "$NSPAWN_PID" != - ] || NSPAWN_PID=
    [ "$LEADER" != - ] || LEADER=
}

# running: systemd-nspawn has not exited (its wrapper writes the status then)
running() { [ -n "$NSPAWN_PID" ] && [ ! -e "$WORK/nspawn.status" ] && alive "$NSPAWN_PID"; }

# boot: starts the container on $ROOT and waits until systemd reports running
# (or degraded) or BOOT_TIMEOUT (60) seconds have passed. make_cgroups first.
boot() {
    local started=$SECONDS deadline pid nspid state wrapper
    BOOTS=$((BOOTS + 1))
    rm -f "$WORK/nspawn.status"
    # The wrapper moves itself into our cgroups and runs, in a mount namespace
    # of its own where /run/systemd is an empty tmpfs (nspawn keeps its runtime
    # files there; the host's must not be seen or touched), systemd-nspawn
    # (unshare and sh exec it: one PID); then writes nspawn's exit status.
    (
        for dir in "${CGROUP_DIRS[@]}"; do echo "$BASHPID" >"$dir/cgroup.procs"; done
        run=/run/systemd
        [ -d "$run" ] || run=/run
        status=0
        unshare --mount --propagation private -- /bin/sh -c '
            mount -t tmpfs -o mode=0755 tmpfs "$1" && shift && exec "$@"' sh "$run" \
            systemd-nspawn --quiet --directory="$ROOT" --machine="$MACHINE" --boot \
            --private-network --bind=/dev/net/tun --register=no --keep-unit \
            --link-journal=no --resolv-conf=off --timezone=off --console=read-only ||
            status=$?
        echo "$status" >"$WORK/nspawn.status"
    ) </dev/null >>"$WORK/console.$BOOTS" 2>&1 &
    wrapper=$!
    NSPAWN_PID=
    LEADER=
    save_container
    # nspawn: the wrapper's child; the leader: nspawn's child that is PID 1 of a
    # new PID namespace
    deadline=$((SECONDS + ${BOOT_TIMEOUT:-60}))
    while [ -z "$LEADER" ]; do
        if [ -e "$WORK/nspawn.status" ]; then
            echo "system: systemd-nspawn exited during boot:" >&2
            cat "$WORK/console.$BOOTS" >&2
            return 1
        fi
        [ -n "$NSPAWN_PID" ] ||
            NSPAWN_PID=$(awk '{ print $1 }' "/proc/$wrapper/task/$wrapper/children" 2>/dev/null) || true
        for pid in $(cat "/proc/$NSPAWN_PID/task/$NSPAWN_PID/children" 2>/dev/null); do
            nspid=$(awk '$1 == "NSpid:" { print NF - 1, $NF }' "/proc/$pid/status" 2>/dev/null) || true
            if [ "$nspid" = "2 1" ]; then LEADER=$pid; fi
        done
        [ -n "$LEADER" ] && break
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "system: no container PID 1 after ${BOOT_TIMEOUT:-60}s" >&2
            return 1
        fi
        sleep 0.05
    done
    save_container
    # Readiness: systemctl can talk to PID 1 once it listens on its private
    # socket; is-system-running --wait then returns when the boot is done.
    state=
    until [ "$state" = running ] || [ "$state" = degraded ]; do
        if [ "$SECONDS" -ge "$deadline" ] || ! alive "$LEADER"; then
            echo "system: the container did not finish booting (state: ${state:-none})" >&2
            cat "$WORK/console.$BOOTS" >&2
            return 1
        fi
        state=$(ct timeout 30 systemctl is-system-running --wait 2>/dev/null) || true
        case $state in running | degraded) ;; *) sleep 0.05 ;; esac
    done
    echo "system: container $MACHINE booted (PID 1 is $LEADER here), $state, in $((SECONDS - started)) s"
    if [ "$state" = degraded ]; then sc --failed || true; fi
    # every scenario needs the provider: without it nothing else can be told
    if [ "$(state nsvpn-test-provider.service)" != active ]; then
        echo "system: the test provider did not come up:" >&2
        sc status nsvpn-test-provider.service >&2 || true
        tail -n 20 "$ROOT$PROVIDER_DIR"/*.log >&2 || true
        return 1
    fi
}

# wait_exit SECONDS: waits until systemd-nspawn has exited; 1 when it did not in time
wait_exit() {
    local deadline=$((SECONDS + $1))
    while running; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}

# halt [poweroff|reboot]: shuts the container down cleanly (systemctl poweroff
# inside) and waits for systemd-nspawn to exit; HALT_STATUS is then its exit
# status (133 for a reboot, 0 for a poweroff). After 30 s the container is killed.
HALT_STATUS=
halt() {
    local how=${1:-poweroff}
    HALT_STATUS=
    [ -n "$NSPAWN_PID" ] || return 0
    if [ -z "$LEADER" ] || ! alive "$LEADER" ||
        ! ct systemctl --no-block "$how" >/dev/null 2>&1 || ! wait_exit 30; then
        if running; then
            echo "system: the container did not $how: killing it" >&2
            kill_container
        fi
    fi
    HALT_STATUS=$(cat "$WORK/nspawn.status" 2>/dev/null) || true
    NSPAWN_PID=
    LEADER=
    save_container
}

# kill_container: SIGKILL to the container's PID 1 (which ends its PID
# namespace), then to systemd-nspawn and anything left in our cgroups, by PID
kill_container() {
    if [ -n "$LEADER" ] && alive "$LEADER"; then kill -KILL "$LEADER" 2>/dev/null; fi
    if ! wait_exit 5; then kill -KILL "$NSPAWN_PID" 2>/dev/null; fi
    wait_exit 5 || echo "system: systemd-nspawn $NSPAWN_PID does not end" >&2
    kill_cgroups
}

# reboot_container: systemctl reboot inside, then boots the same root again
# (nspawn leaves restarting to its caller: it exits with 133)
reboot_container() {
    halt reboot
    if [ "$HALT_STATUS" != 133 ]; then
        echo "system: systemd-nspawn exited with $HALT_STATUS on reboot (expected 133)" >&2
        return 1
    fi
    boot
}

# dump_journal: what the container logged (this boot, or every boot when it is down)
dump_journal() {
    echo "----- the container's journal -----"
    if running && [ -n "$LEADER" ]; then
        ct journalctl --no-pager -b -o short-monotonic | tail -n "${JOURNAL_LINES:-400}"
        sc --failed || true
    elif [ -d "$ROOT/var/log/journal" ]; then
        journalctl --no-pager -D "$ROOT/var/log/journal" -o short-monotonic |
            tail -n "${JOURNAL_LINES:-400}"
    fi
    local console
    for console in "$WORK"/console.*; do
        [ -s "$console" ] || continue
        echo "----- $(basename "$console") (last 50 lines) -----"
        tail -n 50 "$console"
    done
    echo "-----"
}

# --- the root ------------------------------------------------------------------

# prepare_root: $ROOT, a fresh copy of $TARBALL with BUILD_DIR installed and the
# test's own parts (guest/) added (run.sh and vm.sh)
prepare_root() {
    local started file helper missing lib target unit
    started=$SECONDS
    mkdir "$ROOT"
    tar -xf "$TARBALL" -C "$ROOT" --numeric-owner
    DESTDIR=$ROOT cmake --install "$BUILD_DIR" >"$WORK/install.log"
    helper=$(sed -n 's/^ExecStart=\([^ ]*\) netns add .*/\1/p' "$ROOT"/usr/lib/systemd/system/netns@.service)
    for file in "$ROOT$helper" "$ROOT/usr/lib/systemd/system-generators/nsvpn-generator"; do
        if [ ! -x "$file" ]; then
            echo "system: cmake --install put no ${file#"$ROOT"} into the root:" >&2
            cat "$WORK/install.log" >&2
            return 1
        fi
        if missing=$(chroot "$ROOT" ldd "${file#"$ROOT"}" | grep 'not found'); then
            echo "system: the root lacks libraries of ${file#"$ROOT"} (add their packages to tests/system/rootfs.sh):" >&2
            echo "$missing" >&2
            return 1
        fi
    done

    # the test's own parts: the provider (a service) and the probe (attached by scenarios)
    lib=$ROOT/usr/local/lib/nsvpn-test
    install -d "$lib"
    install -m 0644 "$HERE/../assert.sh" "$HERE/../provider.sh" "$lib/"
    install -m 0755 "$SOURCE_DIR/examples/demo-provider.py" "$HERE/guest/provider-service.sh" \
        "$HERE/guest/probe.sh" "$lib/"
    install -m 0644 "$HERE"/guest/*.service "$ROOT/etc/systemd/system/"
    for target in network-online.target multi-user.target; do
        install -d "$ROOT/etc/systemd/system/$target.wants"
        ln -s ../nsvpn-test-provider.service "$ROOT/etc/systemd/system/$target.wants/"
    done
    # a machine of its own; its resolver is the provider's "host DNS" (127.0.0.1), which
    # the VPN's services must never ask
    tr -d - </proc/sys/kernel/random/uuid >"$ROOT/etc/machine-id"
    echo nsvpn-system >"$ROOT/etc/hostname"
    rm -f "$ROOT/etc/resolv.conf"
    echo "nameserver 127.0.0.1" >"$ROOT/etc/resolv.conf"
    # timers and a getty have nothing to do here
    for unit in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer \
        fstrim.timer e2scrub_reap.service getty@tty1.service console-getty.service; do
        ln -sf /dev/null "$ROOT/etc/systemd/system/$unit"
    done
    echo "system: root ready in $((SECONDS - started)) s ($(basename "$TARBALL"), $BUILD_DIR installed)"
}

# --- the test setup inside ----------------------------------------------------

PROVIDER_DIR=/var/lib/nsvpn-test/provider

# vpn NAME [EXTRA LINES...]: /etc/nsvpn/NAME.conf for the container's provider
# (tests/provider.sh), with EXTRA LINES appended; then daemon-reload. With
# VPN_CLIENT=2 it is the provider's second client (10.9.0.3/32, fd09::3/128),
# so that two VPNs can be up at once.
vpn() {
    local name=$1
    shift
    mkdir -p "$ROOT/etc/nsvpn"
    (
        WORK=$ROOT$PROVIDER_DIR
        # shellcheck source=tests/provider.sh
        source "$HERE/../provider.sh"
        if [ "${VPN_CLIENT:-1}" = 2 ]; then
            vpn_config_text "$@" | sed -e "s|^PrivateKey = .*|PrivateKey = $(cat "$WORK/client2.key")|" \
                -e 's|^Address = .*|Address = 10.9.0.3/32, fd09::3/128|'
        else
            vpn_config_text "$@"
        fi
    ) >"$ROOT/etc/nsvpn/$name.conf"
    chmod 600 "$ROOT/etc/nsvpn/$name.conf"
    sc daemon-reload
}

# wg_impl NAME: how VPN NAME's wg0 is made: kernel (a WireGuard link) or
# userspace (wireguard-go's tun); Implementation=auto picks the kernel's when the
# kernel has it (the VM), wireguard-go otherwise (this machine's kernel, shared
# by the container)
wg_impl() {
    case $(ct ip -n "$1" -d -o link show wg0 2>/dev/null) in
    *" wireguard "*) echo kernel ;;
    *" tun "*) echo userspace ;;
    *) echo none ;;
    esac
}

# probe_result NAME FILE: what probe@NAME.service recorded in FILE
probe_result() { ct_file "/run/nsvpn-test/$1/$2"; }

# probe_done NAME...: each probe@NAME.service has recorded everything
probe_done() {
    local name
    for name in "$@"; do ct_exists "/run/nsvpn-test/$name/done" || return 1; done
}

# provider_queries vpn|host: the DNS queries the provider's (or the "host's") server got
provider_queries() { cat "$ROOT$PROVIDER_DIR/$1-dns.queries" 2>/dev/null || true; }

# reset: what one scenario leaves, removed before the next (several scenarios
# share one container when run.sh is given more than one)
reset() {
    sc stop 'probe@*.service' 'webui@*.service' 'wg-*.service' 'netns@*.service' \
        >/dev/null 2>&1 || true
    rm -f "$ROOT/etc/systemd/system/webui@.service"
    ct rm -rf /run/nsvpn-test /run/nscd /run/systemd/resolve || true
    rm -f "$ROOT/etc/resolv.conf"
    echo "nameserver 127.0.0.1" >"$ROOT/etc/resolv.conf"
    rm -rf "$ROOT/etc/nsvpn" "$ROOT"/etc/systemd/system/*.wants/probe@*.service
    sc daemon-reload
    sc reset-failed
}
