#!/usr/bin/env bash
# One golden test of nsvpn-generator:
#   run-case.sh GENERATOR HELPER HELPER_PATH NETNS_UNIT CASE_DIR
# CASE_DIR holds an input tree (etc/, run/, usr/...), expected/ (the output tree;
# absent means "no output") and optionally expected-log (lines that must appear in
# what the generator logs). The generator runs with NSVPN_ROOT=CASE_DIR into a
# fresh directory, whose tree must equal expected/ (diff -ru, symlinks compared
# as links). The units are then checked with systemd-analyze verify in a root
# that has the static units, stubs of the attached services and the helper.
# Set UPDATE=1 to rewrite expected/ from the output (review the diff!).
set -euo pipefail

generator=$1 helper=$2 helper_path=$3 netns_unit=$4 case_dir=$(realpath "$5")
name=$(basename "$case_dir")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
    echo "FAIL $name: $*" >&2
    exit 1
}

out=$work/out
mkdir "$out"
rc=0
NSVPN_ROOT=$case_dir SYSTEMD_LOG_TARGET=console "$generator" "$out" "$work/early" "$work/late" \
    2>"$work/log" || rc=$?
cat "$work/log"
[ "$rc" -eq 0 ] || fail "generator exited $rc (generators must not fail the boot)"

# Expected trees name the helper as /usr/sbin/nsvpn whatever the build prefix.
if [ "$helper_path" != /usr/sbin/nsvpn ]; then
    grep -rlF "$helper_path" "$out" | xargs -r sed -i "s|$helper_path|/usr/sbin/nsvpn|g"
fi

if [ "${UPDATE:-0}" = 1 ]; then
    rm -rf "$case_dir/expected"
    if [ -n "$(ls -A "$out")" ]; then cp -a "$out" "$case_dir/expected"; fi
fi
expected=$case_dir/expected
if [ ! -d "$expected" ]; then
    expected=$work/empty
    mkdir -p "$expected"
fi
diff -ru --no-dereference "$expected" "$out" || fail "output differs from $expected"

if [ -f "$case_dir/expected-log" ]; then
    while IFS= read -r line; do
        grep -qF -- "$line" "$work/log" || fail "log lacks: $line"
    done <"$case_dir/expected-log"
fi

# No private key may appear in any generated file.
while IFS= read -r key; do
    if grep -rqF -- "$key" "$out"; then fail "a private key appears in the output"; fi
done < <(grep -rhiE '^\s*(PrivateKey|PresharedKey)\s*=' "$case_dir" --include='*.conf' |
    sed -E 's/^[^=]*=\s*//; s/\s*\r?$//')

# systemd-analyze verify, in a root of its own.
root=$work/root
units=$root/usr/lib/systemd/system
mkdir -p "$units" "$root/etc/systemd" "$root/usr/bin" "$(dirname "$root$helper_path")" \
    "$root/usr/sbin"
cp /usr/lib/systemd/system/*.target "$units/"
cp "$netns_unit" "$units/"
cp "$helper" "$root$helper_path"
cp "$helper" "$root/usr/sbin/nsvpn"
cp /usr/bin/sleep "$root/usr/bin/sleep"
cp -a "$out" "$root/etc/systemd/system"

to_verify=()
for f in "$out"/*.service; do
    [ -e "$f" ] && to_verify+=("$(basename "$f")")
done
for d in "$out"/*.d; do
    [ -e "$d" ] || continue
    unit=$(basename "$d" .d)
    stub=$unit
    case $unit in
    *@.service | *@.socket) stub=$unit unit=${unit/@./@test.} ;;
    *@*.service | *@*.socket) stub=${unit%%@*}@.${unit##*.} ;;
    esac
    case $unit in
    *.socket)
        printf '[Socket]\nListenStream=/run/%s.sock\n' "${unit%.socket}" >"$units/$stub"
        printf '[Service]\nExecStart=/usr/bin/sleep infinity\n' >"$units/${stub%.socket}.service"
        ;;
    *) printf '[Service]\nExecStart=/usr/bin/sleep infinity\n' >"$units/$stub" ;;
    esac
    to_verify+=("$unit")
done
if [ ${#to_verify[@]} -gt 0 ]; then
    vrc=0
    systemd-analyze verify --root="$root" --man=no --generators=no "${to_verify[@]}" \
        >"$work/verify" 2>&1 || vrc=$?
    if [ "$vrc" -ne 0 ] || [ -s "$work/verify" ]; then
        cat "$work/verify" >&2
        fail "systemd-analyze verify (exit $vrc) on ${to_verify[*]}"
    fi
fi
echo "ok $name (${#to_verify[@]} units verified)"
