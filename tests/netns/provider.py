#!/usr/bin/env python3
"""A small "VPN provider" service for the netns tests: an HTTP server that answers
GET /ip with the client's address, and a DNS server that answers every A query
with 10.9.0.1 and every AAAA query with fd09::1, logging each query name to a file.

    provider.py http ADDRESS PORT READY_FILE
    provider.py dns ADDRESS PORT LOG_FILE READY_FILE

READY_FILE is created once the socket listens (the tests wait for it)."""
import http.server
import socket
import socketserver
import struct
import sys


def ready(path):
    with open(path, "w") as f:
        f.write("ready\n")


class V6Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (self.client_address[0] + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve_http(address, port, ready_file):
    V6Server.address_family = socket.AF_INET6 if ":" in address else socket.AF_INET
    server = V6Server((address, int(port)), Handler)
    ready(ready_file)
    server.serve_forever()


def serve_dns(address, port, log_file, ready_file):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind((address, int(port)))
    ready(ready_file)
    while True:
        data, peer = sock.recvfrom(512)
        if len(data) < 12:
            continue
        ident, flags, qd = struct.unpack("!HHH", data[:6])
        pos, labels = 12, []
        while pos < len(data) and data[pos] != 0:
            n = data[pos]
            labels.append(data[pos + 1:pos + 1 + n].decode(errors="replace"))
            pos += n + 1
        qtype = struct.unpack("!H", data[pos + 1:pos + 3])[0]
        question = data[12:pos + 5]
        name = ".".join(labels)
        with open(log_file, "a") as f:
            f.write("%s %d %s\n" % (name, qtype, peer[0]))
        answers = b""
        count = 0
        if qtype == 1:
            answers = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_pton(socket.AF_INET, "10.9.0.1")
            count = 1
        elif qtype == 28:
            answers = b"\xc0\x0c" + struct.pack("!HHIH", 28, 1, 60, 16) + socket.inet_pton(socket.AF_INET6, "fd09::1")
            count = 1
        header = struct.pack("!HHHHHH", ident, 0x8180, 1, count, 0, 0)
        sock.sendto(header + question + answers, peer)


if __name__ == "__main__":
    if sys.argv[1] == "http":
        serve_http(*sys.argv[2:5])
    else:
        serve_dns(*sys.argv[2:6])
