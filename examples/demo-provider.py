#!/usr/bin/env python3
"""The services of the throwaway "VPN provider" that scripts/demo-vpn.sh builds:

    demo-provider.py http PORT READY_FILE ADDRESS...
        answers every GET with the address the request came from, one line
    demo-provider.py dns PORT A_ANSWER AAAA_ANSWER LOG_FILE READY_FILE ADDRESS...
        answers every A query with A_ANSWER and every AAAA query with
        AAAA_ANSWER, and appends "NAME TYPE FROM" for each query to LOG_FILE

Each listens on PORT of every ADDRESS given (the provider's tunnel addresses) and
creates READY_FILE once all of them listen. Python's standard library only."""
import http.server
import socket
import socketserver
import struct
import sys
import threading


def family_of(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def ready(path):
    with open(path, "w") as f:
        f.write("ready\n")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (self.client_address[0] + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def http_server(address, port):
    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        address_family = family_of(address)
        daemon_threads = True
        allow_reuse_address = True

    return Server((address, port), Handler)


def serve_http(port, ready_file, *addresses):
    servers = [http_server(a, int(port)) for a in addresses]
    ready(ready_file)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def dns_reply(data, answer_a, answer_aaaa):
    """The reply to one query, and (name, type) for the log; None for garbage."""
    if len(data) < 12:
        return None
    ident, _flags, qdcount = struct.unpack("!HHH", data[:6])
    if qdcount != 1:
        return None
    pos, labels = 12, []
    while pos < len(data) and data[pos] != 0:
        n = data[pos]
        if n > 63:
            return None
        labels.append(data[pos + 1:pos + 1 + n].decode(errors="replace"))
        pos += n + 1
    if pos + 5 > len(data):
        return None
    qtype = struct.unpack("!H", data[pos + 1:pos + 3])[0]
    question = data[12:pos + 5]
    answer = b""
    if qtype == 1:
        answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_pton(
            socket.AF_INET, answer_a)
    elif qtype == 28:
        answer = b"\xc0\x0c" + struct.pack("!HHIH", 28, 1, 60, 16) + socket.inet_pton(
            socket.AF_INET6, answer_aaaa)
    header = struct.pack("!HHHHHH", ident, 0x8180, 1, 1 if answer else 0, 0, 0)
    return header + question + answer, ".".join(labels), qtype


def serve_dns(port, answer_a, answer_aaaa, log_file, ready_file, *addresses):
    socks = []
    for a in addresses:
        s = socket.socket(family_of(a), socket.SOCK_DGRAM)
        s.bind((a, int(port)))
        socks.append(s)
    lock = threading.Lock()

    def serve(sock):
        while True:
            data, peer = sock.recvfrom(512)
            reply = dns_reply(data, answer_a, answer_aaaa)
            if reply is None:
                continue
            with lock, open(log_file, "a") as f:
                f.write("%s %d %s\n" % (reply[1], reply[2], peer[0]))
            sock.sendto(reply[0], peer)

    threads = [threading.Thread(target=serve, args=(s,), daemon=True) for s in socks]
    ready(ready_file)
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "http":
        serve_http(*sys.argv[2:])
    elif len(sys.argv) >= 8 and sys.argv[1] == "dns":
        serve_dns(*sys.argv[2:])
    else:
        sys.exit(__doc__)
