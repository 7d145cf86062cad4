#!/usr/bin/env python3
"""Small network tools for the exposure scenario (tests/netns/expose.sh).

  probe.py serve PORT READY         TCP and UDP on 0.0.0.0:PORT; each answers
                                    with the client's address, then closes
  probe.py record PORT LOG READY    TCP and UDP on [::]:PORT (IPv4 too); each
                                    connection or datagram adds a line to LOG
  probe.py ask HOST PORT [udp] [mark=N] [dev=IF] [timeout=S]
                                    prints the answer of serve (exit 0), or
                                    exits 1 when nothing came back
"""
import os
import select
import socket
import sys

SO_MARK = 36
SO_BINDTODEVICE = 25


def serve(port, ready):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("0.0.0.0", port))
    t.listen(16)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("0.0.0.0", port))
    open(ready, "w").close()
    while True:
        r, _, _ = select.select([t, u], [], [])
        if t in r:
            c, peer = t.accept()
            c.sendall((peer[0] + "\n").encode())
            c.close()
        if u in r:
            _, peer = u.recvfrom(2048)
            u.sendto((peer[0] + "\n").encode(), peer)


def record(port, log, ready):
    socks = []
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET6, kind)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::", port))
        if kind == socket.SOCK_STREAM:
            s.listen(16)
        socks.append(s)
    open(ready, "w").close()
    while True:
        r, _, _ = select.select(socks, [], [])
        for s in r:
            if s.type == socket.SOCK_STREAM:
                c, peer = s.accept()
                what = "tcp"
                c.sendall(b"recorded\n")
                c.close()
            else:
                _, peer = s.recvfrom(2048)
                what = "udp"
                s.sendto(b"recorded\n", peer)
            with open(log, "a") as f:
                f.write("%s %s\n" % (what, peer[0]))


def ask(host, port, opts):
    udp = "udp" in opts
    mark = dev = None
    timeout = 3.0
    for o in opts:
        if o.startswith("mark="):
            mark = int(o[5:], 0)
        elif o.startswith("dev="):
            dev = o[4:]
        elif o.startswith("timeout="):
            timeout = float(o[8:])
    info = socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)[0]
    s = socket.socket(info[0], info[1])
    if mark is not None:
        s.setsockopt(socket.SOL_SOCKET, SO_MARK, mark & 0xFFFFFFFF if mark >= 0 else mark)
    if dev:
        s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, dev.encode() + b"\0")
    s.settimeout(timeout)
    try:
        if udp:
            s.sendto(b"hello\n", info[4])
            data, _ = s.recvfrom(2048)
        else:
            s.connect(info[4])
            data = s.recv(2048)
    except OSError as e:
        print("no answer: %s" % e, file=sys.stderr)
        return 1
    sys.stdout.write(data.decode())
    return 0


def main():
    mode = sys.argv[1]
    if mode == "serve":
        serve(int(sys.argv[2]), sys.argv[3])
    elif mode == "record":
        record(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif mode == "ask":
        sys.exit(ask(sys.argv[2], int(sys.argv[3]), sys.argv[4:]))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
