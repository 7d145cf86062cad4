#!/usr/bin/env bash
# Prints the path of a Debian root (a tarball) for the system tier, made with
# mmdebstrap when the cache has none for this package list:
#
#   tests/system/rootfs.sh
#
# The tarball is $NSVPN_SYSTEM_CACHE/rootfs-HASH.tar (default cache
# /var/cache/nsvpn-system), HASH being that of the recipe below (suite, variant,
# packages), so a changed list makes a new root and a rerun takes none of the
# time. The mirror is this machine's own: the Debian entries of its apt sources
# (sources.list and deb822 sources.list.d/*.sources) go to mmdebstrap on stdin.
# A flock on CACHE/lock keeps parallel runs from building twice; only the root
# of the current recipe is kept.
set -euo pipefail

CACHE=${NSVPN_SYSTEM_CACHE:-/var/cache/nsvpn-system}
# shellcheck source=/dev/null
SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
if [ -z "$SUITE" ]; then
    echo "system: /etc/os-release names no VERSION_CODENAME" >&2
    exit 1
fi

# What the container needs: systemd as PID 1 and D-Bus for systemctl; what nsvpn
# runs and links (check with ldd: inside, run.sh fails on a missing library);
# what the tests' provider runs (wireguard-go and wg for its peer, python3 for
# examples/demo-provider.py) and what the probes use (curl, getent from libc-bin).
PACKAGES=(
    systemd systemd-sysv dbus
    iproute2 nftables wireguard-go wireguard-tools
    libnl-route-3-200 libnl-genl-3-200 libnftnl11 libmnl0 libinih1
    libboost-program-options1.74.0 libsystemd0 libstdc++6
    python3 curl procps
)
RECIPE="suite=$SUITE variant=minbase packages=${PACKAGES[*]}"
HASH=$(printf '%s\n' "$RECIPE" | sha256sum | cut -c1-16)
TARBALL=$CACHE/rootfs-$HASH.tar

# apt_sources: this machine's Debian sources for SUITE in one-line format
# ("deb [signed-by=KEYRING] URI SUITE COMPONENTS"), from sources.list and the
# deb822 files in sources.list.d; other suites and disabled entries are left out
apt_sources() {
    local file
    {
        if [ -f /etc/apt/sources.list ]; then
            sed -e 's/#.*//' /etc/apt/sources.list | awk '$1 == "deb"'
        fi
        for file in /etc/apt/sources.list.d/*.list; do
            [ -f "$file" ] && sed -e 's/#.*//' "$file" | awk '$1 == "deb"'
        done
        for file in /etc/apt/sources.list.d/*.sources; do
            [ -f "$file" ] || continue
            # one stanza per paragraph: Types, URIs, Suites, Components, Signed-By, Enabled
            sed -e '/^[[:space:]]*#/d' "$file" | awk '
                function flush(   t, u, s, opt, i, j, k, nt, nu, ns, ts, us, ss) {
                    if (types != "" && enabled != "no") {
                        opt = (signed != "" && signed !~ /\n/) ? "[signed-by=" signed "] " : ""
                        nt = split(types, ts, " "); nu = split(uris, us, " "); ns = split(suites, ss, " ")
                        for (i = 1; i <= nt; i++) for (j = 1; j <= nu; j++) for (k = 1; k <= ns; k++)
                            print ts[i], opt us[j], ss[k], components
                    }
                    types = uris = suites = components = signed = ""; enabled = ""
                }
                /^[[:space:]]*$/ { flush(); next }
                /^[[:space:]]/ { next }  # continuation lines (an inline key): not used here
                {
                    key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ +/, ""); value = $0
                    if (key == "types") types = value
                    else if (key == "uris") uris = value
                    else if (key == "suites") suites = value
                    else if (key == "components") components = value
                    else if (key == "signed-by") signed = value
                    else if (key == "enabled") enabled = tolower(value)
                }
                END { flush() }'
        done
    } | awk -v suite="$SUITE" '
        # "deb [opts] URI SUITE COMPONENTS...": the suite is the field after the URI
        { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } }
        $1 == "deb" && ($(i + 1) == suite || index($(i + 1), suite "-") == 1) && !seen[$0]++'
}

mkdir -p "$CACHE"
exec 9>"$CACHE/lock"
flock 9
if [ ! -s "$TARBALL" ]; then
    if ! command -v mmdebstrap >/dev/null; then
        echo "system: mmdebstrap is missing: run scripts/deps.sh --test" >&2
        exit 1
    fi
    sources=$(apt_sources)
    if [ -z "$sources" ]; then
        echo "system: no apt source for $SUITE in /etc/apt/sources.list{,.d}" >&2
        exit 1
    fi
    echo "system: building the root for $RECIPE" >&2
    started=$SECONDS
    rm -f "$CACHE"/rootfs-*.tar.tmp
    # --skip=cleanup/apt: nothing in the container runs apt; the lists go anyway
    if ! printf '%s\n' "$sources" | mmdebstrap --mode=root --variant=minbase --format=tar \
        --include="$(
            IFS=,
            echo "${PACKAGES[*]}"
        )" \
        --dpkgopt='path-exclude=/usr/share/{doc,man,locale,info}/*' \
        --dpkgopt='path-include=/usr/share/locale/locale.alias' \
        --aptopt='Acquire::Retries "3"' \
        --customize-hook='rm -rf "$1"/var/lib/apt/lists/*' \
        "$SUITE" "$TARBALL.tmp" - >&2; then
        rm -f "$TARBALL.tmp"
        echo "system: mmdebstrap failed" >&2
        exit 1
    fi
    mv "$TARBALL.tmp" "$TARBALL"
    find "$CACHE" -maxdepth 1 -name 'rootfs-*.tar' ! -path "$TARBALL" -delete
    echo "system: root built in $((SECONDS - started)) s: $TARBALL ($(du -m "$TARBALL" | cut -f1) MB)" >&2
fi
echo "$TARBALL"
