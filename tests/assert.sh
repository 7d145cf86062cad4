# shellcheck shell=bash
# Assertions of the shell tests (tests/netns, tests/vm): each counts, prints
# "ok: ..." or "FAIL: ...", and finish prints "N passed, N failed" and fails
# when anything did.
PASSES=0
FAILURES=0

pass() { PASSES=$((PASSES + 1)); echo "ok: $1"; }
fail() { FAILURES=$((FAILURES + 1)); echo "FAIL: $1" >&2; }

# check DESCRIPTION COMMAND...: passes when the command succeeds
check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

# refute DESCRIPTION COMMAND...: passes when the command fails
refute() {
    local what=$1
    shift
    if "$@"; then fail "$what"; else pass "$what"; fi
}

# equal DESCRIPTION EXPECTED ACTUAL
equal() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

finish() {
    echo "$PASSES passed, $FAILURES failed"
    [ "$FAILURES" -eq 0 ]
}

# wait_for SECONDS COMMAND...: polls a condition, at most SECONDS long
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}
