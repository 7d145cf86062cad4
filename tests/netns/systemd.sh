#!/usr/bin/env bash
# What up and down tell systemd, which nsvpn speaks without libsystemd: with
# stderr the journal's stream (JOURNAL_STREAM), each message goes to the
# journal's socket as one native-protocol entry with its fields; READY=1 and
# STATUS= go to $NOTIFY_SOCKET (a path or an abstract name). Without them,
# messages go to stderr and nothing is sent.
source "$(dirname "$0")/lib.sh"
private_machine
provider
vpn_config "[Namespace]" "Implementation = userspace" # the same messages with kernel WireGuard

# collect SOCKET OUT READY: receives datagrams on the unix socket SOCKET ("@name":
# abstract), appends each to OUT as one line of JSON (the datagram as a string)
collect() {
    background "collect-$(basename "$2")" python3 -c '
import json, os, socket, sys
path, out, ready = sys.argv[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + path[1:] if path.startswith("@") else path)
open(ready, "w").close()
while True:
    d = s.recv(1 << 16)
    with open(out, "a") as f:
        f.write(json.dumps(d.decode()) + "\n")
' "$1" "$2" "$3"
}
mkdir -p /run/systemd/journal
collect /run/systemd/journal/socket "$WORK/journal" "$WORK/journal.ready"
journal_pid=${PIDS[-1]}
collect "$WORK/notify.sock" "$WORK/notify" "$WORK/notify.ready"
collect @nsvpn-test-notify "$WORK/notify-abstract" "$WORK/notify-abstract.ready"
wait_for 10 test -e "$WORK/journal.ready" -a -e "$WORK/notify.ready" -a -e "$WORK/notify-abstract.ready"
touch "$WORK/journal" "$WORK/notify" "$WORK/notify-abstract"

# the stderr of each command is a file, named by JOURNAL_STREAM as systemd names the journal's stream
as_unit() { # LOG NOTIFY_SOCKET COMMAND...
    local log=$1 notify=$2
    shift 2
    : >"$log"
    JOURNAL_STREAM=$(stat -c '%d:%i' "$log") NOTIFY_SOCKET=$notify "$@" 2>>"$log"
}
# entries WHAT FILE: the datagrams received, one line each, "\n" between fields
entries() { python3 -c '
import json, sys
for line in open(sys.argv[1]):
    print(json.loads(line).replace("\n", "|"))
' "$1"; }

check "up as a unit" as_unit "$WORK/up.log" "$WORK/notify.sock" "$NSVPN" up vpn
# the userspace daemon, which up names as the unit's main process (MAINPID=)
daemon=$(sed -n 's/^pid=//p' /run/nsvpn/vpn/state)
check "down as a unit" as_unit "$WORK/down.log" @nsvpn-test-notify "$NSVPN" down vpn
wait_for 5 bash -c "[ \$(wc -l <'$WORK/journal') -ge 2 ]"
wait_for 5 test -s "$WORK/notify"
equal "each message is one journal entry with its fields" \
    "MESSAGE=wg0 up in namespace vpn, address 10.9.0.2/32 fd09::2/128|PRIORITY=6|NSVPN_NAMESPACE=vpn|SYSLOG_IDENTIFIER=nsvpn|
MESSAGE=down|PRIORITY=6|NSVPN_NAMESPACE=vpn|SYSLOG_IDENTIFIER=nsvpn|" \
    "$(entries "$WORK/journal")"
equal "nothing of up and down on stderr" "" "$(grep -h '^nsvpn vpn' "$WORK/up.log" "$WORK/down.log")"
equal "up tells systemd it is ready, and its daemon's PID, on a socket path" \
    "READY=1|STATUS=wg0 up in namespace vpn, address 10.9.0.2/32 fd09::2/128|MAINPID=$daemon" \
    "$(entries "$WORK/notify")"
equal "down tells systemd nothing" "" "$(entries "$WORK/notify-abstract")"

# an abstract NOTIFY_SOCKET, and a journal stream that is not our stderr
check "up with an abstract notify socket" as_unit "$WORK/up2.log" @nsvpn-test-notify "$NSVPN" up vpn
daemon=$(sed -n 's/^pid=//p' /run/nsvpn/vpn/state)
wait_for 5 test -s "$WORK/notify-abstract"
equal "READY=1 on the abstract socket" \
    "READY=1|STATUS=wg0 up in namespace vpn, address 10.9.0.2/32 fd09::2/128|MAINPID=$daemon" \
    "$(entries "$WORK/notify-abstract")"
wait_for 5 bash -c "[ \$(wc -l <'$WORK/journal') -ge 3 ]"
: >"$WORK/journal"
JOURNAL_STREAM=1:1 "$NSVPN" down vpn 2>"$WORK/down2.log"
check "with JOURNAL_STREAM not naming stderr, messages go to stderr" \
    grep -qx "nsvpn vpn: down" "$WORK/down2.log"
equal "and not to the journal" "" "$(entries "$WORK/journal")"

# the journal's socket gone: the message still reaches stderr (the journal stream)
kill "$journal_pid" && wait "$journal_pid" 2>/dev/null || true
rm -f /run/systemd/journal/socket
check "up without the journal's socket" as_unit "$WORK/up3.log" "" "$NSVPN" up vpn
check "then the message goes to stderr" grep -q "^nsvpn vpn: wg0 up in namespace vpn" "$WORK/up3.log"
check "down" "$NSVPN" down vpn
finish
