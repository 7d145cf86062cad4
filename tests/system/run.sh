#!/usr/bin/env bash
# The system tier: nsvpn under a real systemd as PID 1, in a Debian 12
# container booted with systemd-nspawn.
#
#   tests/system/run.sh BUILD_DIR [SCENARIO...]
#
# Takes the cached Debian root (tests/system/rootfs.sh builds it with
# mmdebstrap when missing), unpacks a fresh copy into a temp dir, installs
# BUILD_DIR into it (DESTDIR=ROOT cmake --install), adds the test provider and
# probe (tests/system/guest/), boots it once, and runs each SCENARIO (a file
# of tests/system/scenarios/, by path or by name such as 10-provider; default:
# all of them, in order) in that one container, sourced by this shell, with
# reset between them. Exits 0 when every check passed, 1 otherwise, 77 (skip)
# when not root. The container's journal is printed when something failed;
# the container, its cgroups and the temp dir are always removed.
#
# Environment:
#   NSVPN_SYSTEM_CACHE  where the root tarball is kept (default /var/cache/nsvpn-system)
#   BOOT_TIMEOUT        seconds a boot may take until systemd is running (default 60)
#   JOURNAL_LINES       how much of the journal a failure prints (default 400)
#   NSVPN_SYSTEM_KEEP   set to 1 to keep the temp dir (the root and console logs)
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [SCENARIO...]" >&2
    exit 2
fi
if [ "$(id -u)" != 0 ]; then
    echo "system: skipped: needs root (systemd-nspawn, cgroups)"
    exit 77
fi
BUILD_DIR=$(realpath "$1")
shift
HERE=$(cd "$(dirname "$0")" && pwd)
SOURCE_DIR=$(cd "$HERE/../.." && pwd)

SCENARIOS=()
if [ $# -eq 0 ]; then
    for scenario in "$HERE"/scenarios/[0-9]*.sh; do SCENARIOS+=("$scenario"); done
fi
for scenario in "$@"; do
    if [ -f "$scenario" ]; then
        SCENARIOS+=("$(realpath "$scenario")")
    elif [ -f "$HERE/scenarios/${scenario%.sh}.sh" ]; then
        SCENARIOS+=("$HERE/scenarios/${scenario%.sh}.sh")
    else
        echo "system: no scenario $scenario in $HERE/scenarios" >&2
        exit 2
    fi
done

for tool in systemd-nspawn unshare nsenter cmake tar chroot; do
    if ! command -v "$tool" >/dev/null; then
        echo "system: $tool is missing: run scripts/deps.sh --test" >&2
        exit 1
    fi
done
if [ ! -f "$BUILD_DIR/cmake_install.cmake" ]; then
    echo "system: $BUILD_DIR is not a configured build directory" >&2
    exit 1
fi

# shellcheck source=tests/assert.sh
source "$HERE/../assert.sh"
# shellcheck source=tests/system/lib.sh
source "$HERE/lib.sh"

TARBALL=$("$HERE/rootfs.sh")
WORK=$(mktemp -d /var/tmp/nsvpn-system.XXXXXX) # on disk: the root is ~250 MB
ROOT=$WORK/root
MACHINE=$(basename "$WORK")

# shellcheck disable=SC2317 # called by the trap
cleanup() {
    local rc=$?
    set +e
    trap - ERR
    load_container
    if [ "$rc" != 0 ] || [ "$FAILURES" != 0 ]; then dump_journal; fi
    if [ -n "$NSPAWN_PID" ]; then halt poweroff; fi
    if ! kill_cgroups; then
        echo "system: processes are left in our cgroups: $(cgroup_pids | xargs); $WORK left in place" >&2
        exit 1
    fi
    remove_cgroups
    if grep -qF " $WORK" /proc/self/mountinfo; then
        echo "system: something is still mounted under $WORK: left in place" >&2
    elif [ "${NSVPN_SYSTEM_KEEP:-0}" = 1 ]; then
        echo "system: kept $WORK"
    else
        rm -rf --one-file-system "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
# A command that fails outside the checks ends the run (or the scenario): say
# which. Only at ERR_LEVEL: deeper subshells (command substitutions) fail
# often and harmlessly.
set -E
ERR_LEVEL=0
report_failure() {
    [ "$BASH_SUBSHELL" = "$ERR_LEVEL" ] || return 0
    echo "system: $4:$2: failed (status $1): $3" >&2
}
trap 'report_failure $? "$LINENO" "$BASH_COMMAND" "${BASH_SOURCE[0]}"' ERR
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# --- the root -----------------------------------------------------------------
prepare_root

# --- the scenarios --------------------------------------------------------------
make_cgroups
boot
# Each scenario runs in a subshell (a failing command ends it, not the run), in
# the one container; reset removes what the one before left, and a container
# that a scenario left down is booted again.
RESULTS=()
FIRST=1
for SCENARIO in "${SCENARIOS[@]}"; do
    SCENARIO_NAME=$(basename "$SCENARIO" .sh)
    load_container
    if ! running; then
        echo "system: the container is down: booting it again"
        halt
        boot
    elif [ "$FIRST" = 0 ]; then
        reset
    fi
    FIRST=0
    echo
    echo "=== $SCENARIO_NAME"
    SCENARIO_STARTED=$SECONDS
    rm -f "$WORK/counts"
    set +e
    ERR_LEVEL=none # its own failure is reported below
    (
        set -e
        ERR_LEVEL=1
        # shellcheck disable=SC2030 # the subshell's counts go to $WORK/counts
        PASSES=0 FAILURES=0
        # shellcheck source=/dev/null
        source "$SCENARIO"
        echo "$PASSES $FAILURES" >"$WORK/counts"
    )
    SCENARIO_STATUS=$?
    ERR_LEVEL=0
    set -e
    load_container
    if [ -s "$WORK/counts" ]; then
        read -r passes failures <"$WORK/counts"
    else
        echo "FAIL: $SCENARIO_NAME ended early (status $SCENARIO_STATUS)" >&2
        passes=0 failures=1
    fi
    # shellcheck disable=SC2031
    PASSES=$((PASSES + passes))
    # shellcheck disable=SC2031
    FAILURES=$((FAILURES + failures))
    if [ "$failures" = 0 ]; then
        RESULTS+=("ok    $SCENARIO_NAME ($((SECONDS - SCENARIO_STARTED)) s)")
    else
        RESULTS+=("FAIL  $SCENARIO_NAME ($failures failed, $((SECONDS - SCENARIO_STARTED)) s)")
    fi
done
echo
printf '%s\n' "${RESULTS[@]}"
finish || exit 1
