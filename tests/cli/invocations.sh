#!/usr/bin/env bash
# Exit codes and messages of nsvpn-generator and `nsvpn validate`, as users see them:
#   invocations.sh GENERATOR HELPER
# 0 ok, 1 runtime failure, 2 usage or configuration error.
set -euo pipefail

generator=$1 helper=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 passes=0

# expect CODE DESCRIPTION -- COMMAND...: runs COMMAND, output in $work/stdout and $work/stderr
expect() {
    local want=$1 what=$2
    shift 3
    local rc=0
    "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
    if [ "$rc" -eq "$want" ]; then
        passes=$((passes + 1))
    else
        failures=$((failures + 1))
        echo "FAIL: $what: exit $rc, expected $want" >&2
        sed 's/^/  | /' "$work/stdout" "$work/stderr" >&2
    fi
}

# check DESCRIPTION FILE PATTERN: FILE (stdout or stderr) must contain the fixed string
check() {
    if grep -qF -- "$3" "$work/$2"; then
        passes=$((passes + 1))
    else
        failures=$((failures + 1))
        echo "FAIL: $1: $2 lacks \"$3\"" >&2
        sed 's/^/  | /' "$work/$2" >&2
    fi
}

refute() {
    if grep -qF -- "$3" "$work/$2"; then
        failures=$((failures + 1))
        echo "FAIL: $1: $2 has \"$3\"" >&2
    else
        passes=$((passes + 1))
    fi
}

private=eJ3ylR2Nm6I2cGWyvjAXlJ1tSyK3n3vZ4mBgB4u0gGo=
public=yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
root=$work/root
mkdir -p "$root/etc/nsvpn" "$root/etc/keys"
cat >"$root/etc/nsvpn/good.conf" <<EOF
[Interface]
PrivateKey = $private
Address = 10.0.0.2/32
[Peer]
PublicKey = $public
AllowedIPs = 0.0.0.0/0
EOF
chmod 600 "$root/etc/nsvpn/good.conf"
export NSVPN_ROOT=$root SYSTEMD_LOG_TARGET=console

# --- generator
expect 2 "generator without arguments" -- "$generator"
check "generator usage" stderr "Usage:"
expect 2 "generator with two arguments" -- "$generator" "$work/a" "$work/b"
mkdir "$work/out"
expect 0 "generator with one directory" -- "$generator" "$work/out"
[ -f "$work/out/wg-good.service" ] && passes=$((passes + 1)) || {
    failures=$((failures + 1))
    echo "FAIL: generator wrote no wg-good.service" >&2
}
mkdir "$work/out3"
expect 0 "generator with three directories" -- "$generator" "$work/out3" "$work/e" "$work/l"
expect 1 "generator into a missing directory" -- "$generator" "$work/missing/dir"
check "generator write failure" stderr "Failed to open $work/missing/dir"

# --- nsvpn
expect 2 "nsvpn without a command" -- "$helper"
expect 0 "nsvpn --help" -- "$helper" --help
check "help lists validate" stdout "validate"
expect 0 "nsvpn --version" -- "$helper" --version
expect 2 "unknown command" -- "$helper" frobnicate
check "unknown command named" stderr "frobnicate"
expect 2 "unknown option" -- "$helper" validate --frobnicate

expect 0 "validate a valid config by name" -- "$helper" validate good
check "valid config reported" stdout "good: /etc/nsvpn/good.conf is valid"
expect 0 "validate everything" -- "$helper" validate
expect 2 "validate an unknown name" -- "$helper" validate nosuch
check "unknown name" stderr "no configuration named nosuch"
expect 1 "validate --fail on a valid config (stale units)" -- "$helper" validate --fail good
check "stale units" stderr "systemctl daemon-reload"

expect 0 "status of a configured VPN that is down" -- "$helper" status good
check "status: down" stdout "good: down"
check "status: the configuration" stdout "config: /etc/nsvpn/good.conf"
expect 0 "status --json" -- "$helper" status --json good
check "status --json: the name" stdout '"name": "good"'
check "status --json: not up" stdout '"up": false'
expect 2 "status of an unknown name" -- "$helper" status nosuch
check "status: unknown name" stderr "no configuration and no state record named nosuch"
expect 2 "status with two names" -- "$helper" status good good
expect 2 "status of an invalid name" -- "$helper" status x/y
expect 2 "status with an unknown option" -- "$helper" status --frobnicate
expect 0 "status --help" -- "$helper" status --help
check "status usage" stdout "nsvpn status [NAME] [--json]"

cat >"$root/etc/nsvpn/bad.conf" <<EOF
[Interface]
PrivateKey = ${private%?}x
Address = 10.0.0.2/33
[Peer]
Endpoint = 10.0.0.1
EOF
expect 2 "validate an invalid config" -- "$helper" validate bad
check "bad key named with its line" stderr "error: /etc/nsvpn/bad.conf:2: PrivateKey:"
check "bad prefix named with its line" stderr "error: /etc/nsvpn/bad.conf:3: Address:"
check "bad endpoint named with its line" stderr "error: /etc/nsvpn/bad.conf:5: Endpoint:"
check "missing public key" stderr "error: /etc/nsvpn/bad.conf:4: [Peer]: this peer has no PublicKey="
refute "no key material in errors" stderr "${private%?}"
expect 2 "validate all with one invalid" -- "$helper" validate
expect 2 "validate --fail on an invalid config" -- "$helper" validate --fail bad
rm "$root/etc/nsvpn/bad.conf"

# an explicit file, with its drop-ins beside it
mkdir -p "$work/files/x.conf.d"
cp "$root/etc/nsvpn/good.conf" "$work/files/x.conf"
printf '[Namespace]\nAutoStart = maybe\n' >"$work/files/x.conf.d/10-a.conf"
expect 2 "validate a file with a bad drop-in" -- "$helper" validate "$work/files/x.conf"
check "drop-in named" stderr "$work/files/x.conf.d/10-a.conf:2: AutoStart:"
expect 1 "validate a directory (runtime failure)" -- "$helper" validate "$work/files/x.conf.d"
expect 1 "validate a missing file (runtime failure)" -- "$helper" validate "$work/nonexistent.conf"

# key files and permissions
printf '%s\n' "$private" >"$root/etc/keys/good.key"
chmod 644 "$root/etc/keys/good.key"
cat >"$root/etc/nsvpn/keyfile.conf" <<EOF
[Interface]
PrivateKeyFile = /etc/keys/good.key
Address = 10.0.0.3/32
[Peer]
PublicKey = $public
AllowedIPs = 0.0.0.0/0
EOF
expect 0 "key file readable by others: a warning" -- "$helper" validate keyfile
check "key file mode warning" stderr "warning: /etc/keys/good.key: this key file is readable by group or others"
refute "no key material in warnings" stderr "$private"
sed -i 's|good.key|missing.key|' "$root/etc/nsvpn/keyfile.conf"
expect 2 "missing key file" -- "$helper" validate keyfile
check "missing key file named" stderr "/etc/nsvpn/keyfile.conf:2: PrivateKeyFile: /etc/keys/missing.key: cannot open"
chmod 644 "$root/etc/nsvpn/good.conf"
expect 0 "config with a key readable by others: a warning" -- "$helper" validate good
check "config mode warning" stderr "warning: /etc/nsvpn/good.conf:2: PrivateKey: the file holding PrivateKey= is readable"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
