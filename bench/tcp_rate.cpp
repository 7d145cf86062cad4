// The TCP tool of bench/expose.sh: a server, and a client that measures the
// throughput of one connection or the rate of short connections (connect,
// one byte each way, close). It times itself, so that how it is started
// (ip netns exec or not) is outside the clock.
//
//   tcp_rate serve PORT READY_FILE
//   tcp_rate throughput HOST PORT MEGABYTES   -> prints MB/s
//   tcp_rate connections HOST PORT COUNT      -> prints connections/s
#include <arpa/inet.h>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

[[noreturn]] void die(const char* what) {
    std::perror(what);
    std::exit(1);
}

bool read_all(int fd, void* buf, std::size_t n) {
    auto* p = static_cast<char*>(buf);
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r <= 0)
            return false;
        p += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

bool write_all(int fd, const void* buf, std::size_t n) {
    const auto* p = static_cast<const char*>(buf);
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return false;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

// One connection at a time: 'C' gets 'c' back; 'T' is followed by data until
// the client shuts its side, and gets the byte count back.
int serve(int port, const char* ready) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || listen(s, 128) < 0)
        die("listen");
    int f = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (f < 0)
        die(ready);
    close(f);
    std::vector<char> buf(1 << 20);
    for (;;) {
        int c = accept4(s, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0)
            continue;
        char kind = 0;
        if (read_all(c, &kind, 1)) {
            if (kind == 'C') {
                write_all(c, "c", 1);
            } else if (kind == 'T') {
                std::uint64_t total = 0;
                ssize_t r;
                while ((r = read(c, buf.data(), buf.size())) > 0)
                    total += static_cast<std::uint64_t>(r);
                write_all(c, &total, sizeof total);
            }
        }
        close(c);
    }
}

int connect_to(const char* host, int port) {
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        std::fprintf(stderr, "tcp_rate: %s is not an IPv4 address\n", host);
        std::exit(2);
    }
    if (connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0)
        die("connect");
    return c;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int throughput(const char* host, int port, long megabytes) {
    std::vector<char> buf(1 << 20, 'x');
    auto t0 = std::chrono::steady_clock::now();
    int c = connect_to(host, port);
    if (!write_all(c, "T", 1))
        die("write");
    for (long i = 0; i < megabytes; ++i)
        if (!write_all(c, buf.data(), buf.size()))
            die("write");
    shutdown(c, SHUT_WR);
    std::uint64_t total = 0;
    if (!read_all(c, &total, sizeof total))
        die("read the server's count");
    double s = seconds_since(t0);
    close(c);
    if (total != static_cast<std::uint64_t>(megabytes) << 20) {
        std::fprintf(stderr, "tcp_rate: the server got %llu bytes, not %ld MiB\n",
                     static_cast<unsigned long long>(total), megabytes);
        return 1;
    }
    std::printf("%.1f\n", static_cast<double>(megabytes) / s);
    return 0;
}

int connections(const char* host, int port, long count) {
    auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < count; ++i) {
        int c = connect_to(host, port);
        char answer = 0;
        if (!write_all(c, "C", 1) || !read_all(c, &answer, 1) || answer != 'c')
            die("exchange a byte");
        // RST instead of FIN: no TIME_WAIT piling up on the client's side
        linger l{1, 0};
        setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        close(c);
    }
    std::printf("%.0f\n", static_cast<double>(count) / seconds_since(t0));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "serve" && argc == 4)
        return serve(std::atoi(argv[2]), argv[3]);
    if (mode == "throughput" && argc == 5)
        return throughput(argv[2], std::atoi(argv[3]), std::atol(argv[4]));
    if (mode == "connections" && argc == 5)
        return connections(argv[2], std::atoi(argv[3]), std::atol(argv[4]));
    std::fprintf(stderr, "usage: tcp_rate serve PORT READY | throughput HOST PORT MB | "
                         "connections HOST PORT COUNT\n");
    return 2;
}
