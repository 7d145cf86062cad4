#!/usr/bin/env bash
# ExecStart of nsvpn-test-run.service in the system tier's VM (tests/system/vm.sh):
# waits for the boot to finish, runs the scenarios named on its command line
# (tests/system/scenarios/, copied to /usr/local/lib/nsvpn-test/system/) here,
# where the VM is the whole machine, prints NSVPN-VM-EXIT=N on the console and
# powers the VM off.
set -uo pipefail
LIB=/usr/local/lib/nsvpn-test
HERE=$LIB/system
ROOT= # the scenarios' $ROOT: the machine's own /
WORK=/run/nsvpn-test-vm
MACHINE=vm
mkdir -p "$WORK"
export SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat

# shellcheck source=tests/assert.sh
source "$LIB/assert.sh"
# shellcheck source=tests/system/lib.sh
source "$HERE/lib.sh"
# nothing to enter: the scenarios' commands run here
ct() { env -i PATH="$CT_PATH" HOME=/root LANG=C.UTF-8 TERM=dumb SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat "$@"; }

state=$(timeout 300 systemctl is-system-running --wait)
echo "vm: systemd is $state after $(cut -d' ' -f1 /proc/uptime) s; kernel $(uname -r)"
if [ "$state" != running ]; then systemctl --no-pager --failed; fi
if [ "$(state nsvpn-test-provider.service)" != active ]; then
    fail "the test provider is not up"
    systemctl --no-pager status nsvpn-test-provider.service
fi

first=1
results=()
for name in "$@"; do
    [ "$first" = 1 ] || reset
    first=0
    echo
    echo "=== $name"
    rm -f "$WORK/counts"
    (
        set -e
        PASSES=0 FAILURES=0
        # shellcheck source=/dev/null
        source "$HERE/scenarios/$name.sh"
        echo "$PASSES $FAILURES" >"$WORK/counts"
    )
    status=$?
    if [ -s "$WORK/counts" ]; then
        read -r passes failures <"$WORK/counts"
    else
        echo "FAIL: $name ended early (status $status)"
        passes=0 failures=1
    fi
    PASSES=$((PASSES + passes)) FAILURES=$((FAILURES + failures))
    if [ "$failures" = 0 ]; then results+=("ok    $name"); else results+=("FAIL  $name ($failures failed)"); fi
done
echo
printf '%s\n' "${results[@]}"
finish
status=$?
if [ "$status" != 0 ]; then
    echo "----- the journal -----"
    journalctl --no-pager -b -o short-monotonic | tail -n 300
fi
echo "NSVPN-VM-EXIT=$status"
systemctl --no-block poweroff
