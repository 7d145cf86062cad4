#!/usr/bin/env bash
# Installs what the tests need, builds, and runs every test tier:
#   unit, generator          (release build)
#   netns, vm, system        (release build, root): namespaces, Debian's kernel, a booted systemd
#   unit, generator          again under AddressSanitizer and UndefinedBehaviorSanitizer
#   fuzz                     libFuzzer on the parser for NSVPN_FUZZ_SECONDS (default 60)
#   bench                    the generator benchmark, as a smoke run (no timing asserted)
# Run as root on Debian 12: sudo scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --test

jobs=$(nproc)
run_tier() { # BUILD_DIR LABELS
    ctest --test-dir "$1" -L "$2" --output-on-failure -j "$jobs"
}

cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON
ninja -C build-release
run_tier build-release 'unit|generator'
run_tier build-release netns # root: namespaces, wireguard-go
run_tier build-release vm # root: Debian's kernel under qemu, for kernel WireGuard
run_tier build-release system # root: a booted systemd (systemd-nspawn), the units end to end

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DNSVPN_SANITIZE=ON
ninja -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run_tier build-asan 'unit|generator'

CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DNSVPN_FUZZ=ON \
    -DNSVPN_FUZZ_SECONDS="${NSVPN_FUZZ_SECONDS:-60}"
ninja -C build-fuzz parse-fuzz
run_tier build-fuzz fuzz

ctest --test-dir build-release -L bench --output-on-failure -V | grep -E "ratio|runs|nsvpn-generator|fstab|tests passed"
