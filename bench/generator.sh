#!/bin/bash
# Benchmark: nsvpn-generator with 100 configurations, in two workloads (typical:
# one service each; heavy: 384 services, drop-ins, vendor files), against the
# machine's own systemd-fstab-generator with a typical fstab. See
# bench/README.md.
#
#   bench/generator.sh [--runs N] [--no-callgrind] [--keep] BUILD_DIR
#
# nsvpn-generator on each workload and systemd-fstab-generator next to each are
# run N times each, alternated (typical, fstab, heavy, fstab, typical, ...), by
# BUILD_DIR/bench/run_many, each run into a fresh empty output directory; each
# workload's ratio is against the fstab runs that directly follow its own.
# Exits non-zero only when a run fails or nsvpn-generator's output is not the
# expected set of units for either workload; the timings are reported, never
# asserted.
set -euo pipefail

usage() {
    echo "Usage: $0 [--runs N] [--no-callgrind] [--keep] BUILD_DIR" >&2
    exit 2
}

runs=200
callgrind=yes
keep=no
build=
while (($#)); do
    case $1 in
    --runs)
        (($# >= 2)) || usage
        runs=$2
        shift 2
        ;;
    --no-callgrind)
        callgrind=no
        shift
        ;;
    --keep) # leave the configurations and outputs behind, to look at them
        keep=yes
        shift
        ;;
    -*) usage ;;
    *)
        [[ -z $build ]] || usage
        build=$1
        shift
        ;;
    esac
done
[[ -n $build && $runs =~ ^[1-9][0-9]*$ ]] || usage

build=$(cd "$build" && pwd)
nsvpn_gen=$build/nsvpn-generator
run_many=$build/bench/run_many
fstab_gen=/usr/lib/systemd/system-generators/systemd-fstab-generator
for f in "$nsvpn_gen" "$run_many"; do
    [[ -x $f ]] || {
        echo "$0: $f is missing: build it first (ninja -C $build)" >&2
        exit 1
    }
done
if [[ ! -x $fstab_gen ]]; then
    echo "$0: $fstab_gen is missing: this benchmark needs systemd; skipped" >&2
    exit 77
fi

# systemd gives generators directories under /run, a tmpfs: put the outputs
# (and, for simplicity, everything else) on one too, when there is one.
# NSVPN_BENCH_TMPDIR overrides the choice.
tmpbase=${NSVPN_BENCH_TMPDIR:-}
if [[ -z $tmpbase ]]; then
    tmpbase=${TMPDIR:-/tmp}
    for d in "${XDG_RUNTIME_DIR:-}" /dev/shm; do
        if [[ -n $d && -d $d && -w $d && $(stat -f -c %T "$d") == tmpfs ]]; then
            tmpbase=$d
            break
        fi
    done
fi
tmp=$(mktemp -d "$tmpbase/nsvpn-bench.XXXXXX")
if [[ $keep == yes ]]; then
    trap 'echo "kept $tmp (typical/root/, heavy/root/: the configurations, work/: the outputs)"' EXIT
else
    trap 'rm -rf "$tmp"' EXIT
fi
work=$tmp/work
mkdir -p "$work"

export SYSTEMD_LOG_TARGET=console
export LC_ALL=C
# Generators get the service manager's environment, whose PATH is systemd's
# default (this one is Debian's), not the caller's: systemd-fstab-generator
# looks up a dozen helper programs in PATH, and a long interactive PATH would
# slow it down. Both generators get this one.
gen_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# --- what both workloads share -------------------------------------------------

keys=()
for ((k = 0; k < 24; k++)); do
    keys+=("$(printf 'nsvpn-bench-key-%016d' "$k" | base64)")
done
key() { echo "${keys[$(($1 % ${#keys[@]}))]}"; }

providers=(mullvad proton ivpn azire ovpn airvpn windscribe nordlynx home office)
countries=(se nl ch de us jp ca gb fr no)
apps=(rssbot transmission-daemon qbittorrent-nox sonarr radarr prowlarr jackett
    miniflux nzbget lidarr bazarr deluged)

# Each workload gets its own root, $tmp/NAME/root (given to nsvpn-generator as
# NSVPN_ROOT), and its expected output, $tmp/NAME/expected, one line per entry
# as find(1) prints it below. new_workload NAME sets root, expected, configs
# and services for the code that writes it; end_workload NAME records the
# counts in n_configs[NAME] and n_services[NAME].
declare -A n_configs n_services
new_workload() {
    root=$tmp/$1/root
    expected=$tmp/$1/expected
    mkdir -p "$root"/{etc/nsvpn,run/nsvpn,usr/local/lib/nsvpn,usr/lib/nsvpn}
    : >"$expected"
    configs=0
    services=0
}
end_workload() {
    echo 'd multi-user.target.wants' >>"$expected"
    sort -o "$expected" "$expected"
    n_configs[$1]=$configs
    n_services[$1]=$services
}

expect_service() { # UNIT NAME
    printf 'd %s.d\nf %s.d/50-nsvpn-%s.conf\n' "$1" "$1" "$2" >>"$expected"
    services=$((services + 1))
}

# --- workload "typical": a real machine's few VPNs, 100 times over -------------
#
# What a provider's configuration generator hands out (an [Interface] with
# PrivateKey, a v4 and a v6 Address and DNS; one [Peer] with PublicKey,
# AllowedIPs for everything and Endpoint), plus a [Namespace] section that
# attaches one service, each a different one; all in /etc/nsvpn. One in ten
# has a drop-in in NAME.conf.d/: half of those override DNS=, half open a port
# with [Expose].

new_workload typical
for ((i = 0; i < 100; i++)); do
    name=${providers[$((i % 10))]}-${countries[$((i / 10 % 10))]}$(printf %02d "$i")
    svc=${apps[$((i % ${#apps[@]}))]}-$i
    {
        echo "# $name: ${providers[$((i % 10))]} server in ${countries[$((i / 10 % 10))]}"
        echo "[Interface]"
        echo "PrivateKey = $(key "$i")"
        echo "Address = 10.$((64 + i % 8)).$((i / 8)).$((2 + i % 200))/32,fc00:bbbb:bbbb:bb01::$((i + 1)):$((100 + i))/128"
        echo "DNS = 10.64.0.1"
        echo
        echo "[Peer]"
        echo "PublicKey = $(key $((i + 7)))"
        echo "AllowedIPs = 0.0.0.0/0,::/0"
        echo "Endpoint = 185.213.$((i % 256)).$((10 + i)):51820"
        echo
        echo "[Namespace]"
        echo "Services = $svc"
    } >"$root/etc/nsvpn/$name.conf"
    chmod 600 "$root/etc/nsvpn/$name.conf"
    configs=$((configs + 1))
    printf 'f wg-%s.service\nl multi-user.target.wants/wg-%s.service -> ../wg-%s.service\n' \
        "$name" "$name" "$name" >>"$expected"
    expect_service "$svc.service" "$name"
    if ((i % 10 == 5)); then
        d=$root/etc/nsvpn/$name.conf.d
        mkdir "$d"
        if ((i % 20 == 5)); then
            printf '[Interface]\nDNS = 10.64.0.%d, 10.64.0.1\n' $((3 + i)) >"$d/10-dns.conf"
        else
            printf '[Expose]\nPort = %d\n' $((20000 + i)) >"$d/10-expose.conf"
        fi
    fi
done
end_workload typical

# --- workload "heavy": 100 configurations, 384 services --------------------------
#
# Every feature a machine might use, at a volume none has: most in /etc/nsvpn,
# some shipped in /usr/lib or /usr/local/lib, a few runtime ones in /run; some
# vendor files shadowed by /etc copies or masked; drop-ins in NAME.conf.d/ (in
# the same or another directory) that add services, override DNS/MTU, add a
# peer or turn off AutoStart; 2 to 5 services each, as plain names, .service,
# templates and sockets, over one or two Services= lines; [Expose] in a
# quarter of them. The expected output is recorded alongside, in $expected.

new_workload heavy

# service I J: the J-th service of config I, as written in the file (sets $svc)
# and as the unit name the generator uses (sets $unit).
service() {
    local i=$1 j=$2 app=${apps[$((($1 * 5 + $2) % ${#apps[@]}))]}
    case $(((i + j) % 5)) in
    0 | 1) svc=$app-$i unit=$svc.service ;;
    2) svc=$app-$i-$j.service unit=$svc ;;
    3) svc=syncthing@vpn$i-$j.service unit=$svc ;;
    4) svc=$app-$i.socket unit=$svc ;;
    esac
}

write_main() { # FILE I NAME: the main NAME.conf of config I; appends expected units
    local file=$1 i=$2 name=$3 j n=$((2 + $2 % 4)) first=() second=()
    for ((j = 0; j < n; j++)); do
        service "$i" "$j"
        if ((j < 2 || i % 2)); then first+=("$svc"); else second+=("$svc"); fi
        expect_service "$unit" "$name"
    done
    {
        echo "# $name: ${providers[$((i % 10))]} server in ${countries[$((i / 10 % 10))]}"
        echo "[Interface]"
        echo "PrivateKey = $(key "$i")"
        if ((i % 3 == 0)); then
            echo "Address = 10.$((64 + i % 8)).$((i / 8)).$((2 + i % 200))/32"
        else
            echo "Address = 10.$((64 + i % 8)).$((i / 8)).$((2 + i % 200))/32,fc00:bbbb:bbbb:bb01::$((i + 1)):$((100 + i))/128"
        fi
        echo "DNS = 10.64.0.1$( ((i % 4 == 2)) && echo ", 10.64.0.2, lan")"
        ((i % 5 == 1)) && echo "MTU = 1420"
        ((i % 6 == 4)) && echo "ListenPort = $((51820 + i))"
        echo
        echo "[Peer]"
        echo "# the provider's server"
        echo "PublicKey = $(key $((i + 7)))"
        ((i % 9 == 2)) && echo "PresharedKey = $(key $((i + 11)))"
        echo "AllowedIPs = 0.0.0.0/0,::0/0"
        echo "Endpoint = 185.213.$((i % 256)).68:51820"
        ((i % 2)) && echo "PersistentKeepalive = 25"
        echo
        echo "[Namespace]"
        echo "Services = ${first[*]}"
        ((${#second[@]})) && echo "Services = ${second[*]}"
        ((i % 8 == 3)) && echo "Interface = wg-$((i % 10))"
        ((i % 10 == 6)) && echo "Implementation = kernel"
        if ((i % 4 == 1)); then
            echo
            echo "[Expose]"
            echo "Port = $((20000 + i * 4)), $((20001 + i * 4)):80, $((20002 + i * 4))/udp"
            ((i % 8 == 1)) && echo "ListenAddress = 127.0.0.1, 100.101.102.103"
            ((i % 12 == 5)) && echo "LinkSubnet = 10.251.$i.0/30"
        fi
    } >"$file"
    chmod 600 "$file"
}

autostart_off=0
for ((i = 0; i < 100; i++)); do
    name=${providers[$((i % 10))]}-${countries[$((i / 10 % 10))]}$(printf %02d "$i")
    case $((i % 10)) in
    7) dir=usr/lib/nsvpn ;;
    8) dir=usr/local/lib/nsvpn ;;
    *) dir=etc/nsvpn ;;
    esac
    ((i % 25 == 3)) && dir=run/nsvpn
    write_main "$root/$dir/$name.conf" "$i" "$name"
    printf 'f wg-%s.service\n' "$name" >>"$expected"
    configs=$((configs + 1))

    if ((i % 20 == 5)); then # an older vendor copy, shadowed by the one in /etc
        sed 's/^Services = .*/Services = shadowed-'"$i"'/' "$root/$dir/$name.conf" \
            >"$root/usr/lib/nsvpn/$name.conf"
    fi

    if ((i % 3 == 0)); then # drop-ins, next to the file or (for vendor files) in /etc
        d=$root/$dir/$name.conf.d
        [[ $dir == usr/* ]] && d=$root/etc/nsvpn/$name.conf.d
        mkdir -p "$d"
        printf '[Interface]\nDNS = 10.64.0.%d\n' $((3 + i % 50)) >"$d/10-dns.conf"
        printf '# added later\n[Namespace]\nServices = extra-%d\n' "$i" >"$d/20-services.conf"
        expect_service "extra-$i.service" "$name"
        if ((i % 2 == 0)); then
            printf '[Interface]\nMTU = 1380\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.99.%d.0/24\nEndpoint = 198.51.100.%d:51820\n' \
                "$(key $((i + 13)))" "$i" $((1 + i % 250)) >"$d/30-second-peer.conf"
        fi
        if ((i % 7 == 0)); then
            printf '[Namespace]\nAutoStart = no\n' >"$d/40-manual.conf"
            autostart_off=$((autostart_off + 1))
        else
            printf 'l multi-user.target.wants/wg-%s.service -> ../wg-%s.service\n' \
                "$name" "$name" >>"$expected"
        fi
        if ((i % 9 == 0)); then # a vendor drop-in that /etc overrides
            mkdir -p "$root/usr/lib/nsvpn/$name.conf.d"
            printf '[Interface]\nDNS = 192.0.2.1\n' >"$root/usr/lib/nsvpn/$name.conf.d/10-dns.conf"
        fi
    else
        printf 'l multi-user.target.wants/wg-%s.service -> ../wg-%s.service\n' \
            "$name" "$name" >>"$expected"
    fi
done
# Two vendor configurations the administrator masked: no units for them.
for name in legacy-pptp old-openvpn; do
    cp "$root/etc/nsvpn/mullvad-se00.conf" "$root/usr/lib/nsvpn/$name.conf"
    ln -s /dev/null "$root/etc/nsvpn/$name.conf"
done
end_workload heavy

# --- a typical fstab -----------------------------------------------------------

fstab=$tmp/fstab
cat >"$fstab" <<'EOF'
# /etc/fstab: static file system information.
# <file system>                           <mount point>   <type>  <options>       <dump>  <pass>
UUID=3f1c9c2e-6b1e-4a57-9d7e-1c1b2f4a8e01 /               ext4    errors=remount-ro 0     1
UUID=7A2B-1C3D                            /boot/efi       vfat    umask=0077      0       1
UUID=5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f /home           ext4    defaults,nodev  0       2
UUID=0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0 none            swap    sw              0       0
/dev/mapper/vg0-var                       /var            xfs     defaults        0       2
LABEL=data                                /srv/data       btrfs   noatime,compress=zstd,subvol=@data 0 0
tmpfs                                     /tmp            tmpfs   mode=1777,nosuid,nodev,size=2G 0 0
nas.example.org:/export/media             /mnt/media      nfs     _netdev,noauto,x-systemd.automount,x-systemd.idle-timeout=600 0 0
//fileserver/share                        /mnt/share      cifs    credentials=/etc/cifs-creds,_netdev,nofail 0 0
/dev/sr0                                  /media/cdrom0   udf,iso9660 user,noauto 0       0
EOF
fstab_entries=$(grep -c '^[^#]' "$fstab")

# Does this systemd's fstab generator read $SYSTEMD_FSTAB? Look for the name in
# the binary, then check that it really generated units from our file.
fstab_env=()
mkdir "$work/probe"
if grep -qa SYSTEMD_FSTAB "$fstab_gen" &&
    SYSTEMD_FSTAB=$fstab "$fstab_gen" "$work/probe" 2>/dev/null &&
    [[ -e $work/probe/srv-data.mount && -e $work/probe/tmp.mount ]]; then
    fstab_env=("SYSTEMD_FSTAB=$fstab")
    fstab_desc="SYSTEMD_FSTAB=<temp fstab with $fstab_entries typical entries>"
else
    fstab_entries=$(grep -c '^[[:space:]]*[^#[:space:]]' /etc/fstab || true)
    fstab_desc="/etc/fstab of this machine ($fstab_entries entries): this systemd-fstab-generator does not honour SYSTEMD_FSTAB"
fi

# --- run ---------------------------------------------------------------------
#
# One run_many for all four commands, so that every round runs each once, in
# this order: nsvpn-generator on the typical workload, systemd-fstab-generator,
# nsvpn-generator on the heavy workload, systemd-fstab-generator again. Each
# workload's ratio is against the fstab runs right after its own (the same
# pairing, ABAB, as with a single workload); both ratios come from the same
# stretch of time.

workloads=(typical heavy)
commands=()
for w in "${workloads[@]}"; do
    ((${#commands[@]} == 0)) || commands+=(::)
    commands+=("nsvpn-$w" "PATH=$gen_path" "NSVPN_ROOT=$tmp/$w/root" "$nsvpn_gen" {} ::
        "fstab-$w" "PATH=$gen_path" "${fstab_env[@]}" "$fstab_gen" {})
done
raw=$tmp/raw
if ! summary=$("$run_many" -n "$runs" -w "$work" -r "$raw" -- "${commands[@]}"); then
    for f in "$work"/*.stderr; do
        [[ -s $f ]] || continue
        echo "$0: last lines of ${f##*/}:" >&2
        tail -n 20 "$f" >&2
    done
    exit 1
fi

# --- check the output (so that the benchmark measures what it claims) ----------

declare -A n_entries
for w in "${workloads[@]}"; do
    ref=$work/nsvpn-$w.ref
    got=$tmp/$w/got
    find "$ref" -mindepth 1 \( -type l -printf 'l %P -> %l\n' \) -o -printf '%y %P\n' | sort >"$got"
    if ! diff -u "$tmp/$w/expected" "$got" >"$tmp/$w/diff"; then
        echo "$0: nsvpn-generator did not write the expected units for the $w workload:" >&2
        head -n 40 "$tmp/$w/diff" >&2
        exit 1
    fi
    invalid=$(grep -l 'invalid configuration' "$ref"/wg-*.service || true)
    if [[ -n $invalid ]]; then
        echo "$0: nsvpn-generator found invalid configurations in the $w workload (the benchmark's are meant to be valid):" >&2
        cat "$work/nsvpn-$w.stderr" >&2
        exit 1
    fi
    n_entries[$w]=$(wc -l <"$got")
done

# --- report ------------------------------------------------------------------

field() { # LABEL KEY
    awk -v l="$1" -v k="$2" '$1 == l { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' <<<"$summary"
}
ms() { awk -v us="$1" 'BEGIN { printf "%.3f ms", us / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
line() { # LABEL DESCRIPTION
    # The user/sys split is tick-sampled (see run_many.cpp): only its means
    # over many runs mean anything, so those are what is shown.
    printf '%s\n    wall: mean %s  median %s  min %s  max %s\n    cpu:  mean %s  median %s (mean user %s, mean sys %s)\n' \
        "$2" "$(ms "$(field "$1" mean_us)")" "$(ms "$(field "$1" median_us)")" \
        "$(ms "$(field "$1" min_us)")" "$(ms "$(field "$1" max_us)")" \
        "$(ms "$(field "$1" cpu_mean_us)")" "$(ms "$(field "$1" cpu_median_us)")" \
        "$(ms "$(field "$1" user_mean_us)")" "$(ms "$(field "$1" sys_mean_us)")"
}
what() { # WORKLOAD: "100 configs, 100 services"
    echo "${n_configs[$1]} configs, ${n_services[$1]} services"
}

echo "nsvpn-generator, two workloads:"
for w in "${workloads[@]}"; do
    printf '  %-8s %s configs, %s attached services (%s output entries)\n' \
        "$w:" "${n_configs[$w]}" "${n_services[$w]}" "${n_entries[$w]}"
done
systemd_version=$(systemctl --version 2>/dev/null | head -n 1 || true)
echo "systemd-fstab-generator (${systemd_version:-systemd}): $fstab_desc ($(find "$work/fstab-typical.ref" -mindepth 1 | wc -l) output entries)"
if command -v systemd-detect-virt >/dev/null && virt=$(systemd-detect-virt --container 2>/dev/null); then
    echo "note: running in a container ($virt): systemd-fstab-generator ignores the swap entry here"
fi
echo "$runs rounds of nsvpn typical, fstab, nsvpn heavy, fstab, each run into a fresh empty directory on $(stat -f -c %T "$work") ($tmpbase); time per run:"
for w in "${workloads[@]}"; do
    line "nsvpn-$w" "nsvpn-generator, $w ($(what "$w"))"
    line "fstab-$w" "systemd-fstab-generator, right after each $w run ($fstab_entries fstab entries)"
done
for w in "${workloads[@]}"; do
    echo "ratio $w (nsvpn-generator $(what "$w") / systemd-fstab-generator): $(ratio "$(field "nsvpn-$w" median_us)" "$(field "fstab-$w" median_us)")"
    echo "    ratio of means: $(ratio "$(field "nsvpn-$w" mean_us)" "$(field "fstab-$w" mean_us)")"
    echo "    ratio of median CPU times: $(ratio "$(field "nsvpn-$w" cpu_median_us)" "$(field "fstab-$w" cpu_median_us)")"
done
for w in "${workloads[@]}"; do
    if [[ -s $work/nsvpn-$w.stderr ]]; then
        echo "note: nsvpn-generator logged on the $w workload (first lines):"
        sort -u "$work/nsvpn-$w.stderr" | head -n 5 | sed 's/^/  /'
    fi
done

# --- instruction counts (optional) ---------------------------------------------

if [[ $callgrind == yes ]] && command -v valgrind >/dev/null; then
    instructions() { # OUTDIR ENV... PROGRAM -- prints the Ir count of one run
        local out=$1
        shift
        mkdir "$out"
        env "$@" "$out" 2>&1 >/dev/null | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
    }
    vg=("$(command -v valgrind)" --tool=callgrind --callgrind-out-file=/dev/null)
    a=$(instructions "$work/cg-typical" "PATH=$gen_path" "NSVPN_ROOT=$tmp/typical/root" "${vg[@]}" "$nsvpn_gen" || true)
    b=$(instructions "$work/cg-heavy" "PATH=$gen_path" "NSVPN_ROOT=$tmp/heavy/root" "${vg[@]}" "$nsvpn_gen" || true)
    c=$(instructions "$work/cg-fstab" "PATH=$gen_path" "${fstab_env[@]}" "${vg[@]}" "$fstab_gen" || true)
    if [[ -n $a && -n $b && -n $c ]]; then
        echo "instructions for one run (callgrind): nsvpn-generator typical $a, heavy $b; systemd-fstab-generator $c"
        echo "    ratios: typical $(ratio "$a" "$c"), heavy $(ratio "$b" "$c")"
    fi
fi
