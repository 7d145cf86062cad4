// The WireGuard cross-platform userspace API, spoken on /run/wireguard/IFNAME.sock.
//
// Key material: a request that carries a key is built in a SecretBuffer, whose
// storage is wiped whenever it is freed (also when it grows), and the device's
// answers (a get answer carries the private and preshared keys) are read into
// one as well. No key, in any form, goes into an exception, a log or argv.
#include "wg_uapi.hpp"

#include "error.hpp"
#include "state.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <new>
#include <spawn.h>
#include <string_view>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace nsvpn {

namespace {

// An allocator that wipes what it frees, so that no copy of a secret stays behind
// in freed memory when a buffer grows or goes.
template <typename T> struct WipingAllocator {
    using value_type = T;
    WipingAllocator() = default;
    template <typename U> WipingAllocator(const WipingAllocator<U>&) {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) {
        explicit_bzero(p, n * sizeof(T));
        ::operator delete(p);
    }
    friend bool operator==(const WipingAllocator&, const WipingAllocator&) { return true; }
};

using SecretBuffer = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

// Long enough that the small-string buffer inside the object (which the
// allocator never sees) is not used for anything but the first bytes of a
// request, which are never secret.
constexpr std::size_t initial_capacity = 4096;

// How long one exchange with the device may take before we give up on it.
constexpr int io_timeout_seconds = 15;

constexpr std::string_view socket_dir = "/run/wireguard";

void append_hex(SecretBuffer& out, const KeyBytes& key) {
    static constexpr char digits[] = "0123456789abcdef";
    for (std::uint8_t b : key) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0xf]);
    }
}

void append_line(SecretBuffer& out, std::string_view key, std::string_view value) {
    out.append(key);
    out.push_back('=');
    out.append(value);
    out.push_back('\n');
}

void append_key_line(SecretBuffer& out, std::string_view key, const KeyBytes& bytes) {
    out.append(key);
    out.push_back('=');
    append_hex(out, bytes);
    out.push_back('\n');
}

// Decodes 64 hex digits (either case). Only used for public keys.
std::optional<KeyBytes> parse_hex_key(std::string_view text) {
    if (text.size() != 64)
        return std::nullopt;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    KeyBytes out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
        int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return out;
}

template <typename T> std::optional<T> parse_decimal(std::string_view text) {
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return value;
}

// The prefix with its host bits cleared, as the device stores it.
IpPrefix masked(IpPrefix p) {
    unsigned bits = p.address.family == AF_INET ? 32 : 128;
    unsigned len = std::min(p.length, bits);
    for (unsigned i = len; i < bits; ++i)
        p.address.bytes[i / 8] &= static_cast<std::uint8_t>(~(0x80u >> (i % 8)));
    return p;
}

void check_ifname(const std::string& ifname, const std::string& step) {
    // IFNAMSIZ - 1; no '/' so that the socket path stays in /run/wireguard
    if (ifname.empty() || ifname.size() > 15 || ifname.find('/') != std::string::npos ||
        ifname == "." || ifname == "..")
        throw StepError(step, "\"" + ifname + "\" is not a valid interface name");
}

// A connected socket, or an invalid Fd with errno set.
Fd try_connect(const std::string& path) {
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd)
        return fd;
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.size() >= sizeof sa.sun_path) {
        errno = ENAMETOOLONG;
        return Fd();
    }
    std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
    for (;;) {
        if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0)
            return fd;
        if (errno == EINTR)
            continue;
        if (errno == EISCONN)
            return fd;
        int err = errno;
        fd.reset();
        errno = err;
        return fd;
    }
}

// Sends request on the device's socket and returns its answer, everything up to
// and including the empty line that ends it. Throws StepError.
SecretBuffer exchange(const std::string& ifname, const std::string& step,
                      const SecretBuffer& request) {
    const std::string path = uapi_socket_path(ifname);
    Fd fd = try_connect(path);
    if (!fd)
        throw StepError(step, "connect to " + path + ": " + std::strerror(errno));
    timeval tv{io_timeout_seconds, 0};
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
        ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
        throw StepError(step, "set a timeout on " + path + ": " + std::strerror(errno));

    auto timed_out = [&] {
        return StepError(step, "the device did not answer within " +
                                   std::to_string(io_timeout_seconds) + " s");
    };
    for (std::size_t sent = 0; sent < request.size();) {
        ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                throw timed_out();
            throw StepError(step, "send to " + path + ": " + std::strerror(errno));
        }
        sent += static_cast<std::size_t>(n);
    }

    // The answer ends with an empty line: "\n\n", or "\n" first of all.
    constexpr std::size_t max_answer = 16 << 20;
    SecretBuffer answer;
    answer.reserve(initial_capacity);
    std::size_t scanned = 0; // the terminator cannot start before this
    auto complete = [&] {
        if (!answer.empty() && answer[0] == '\n')
            return true;
        bool found = answer.find("\n\n", scanned) != answer.npos;
        scanned = answer.empty() ? 0 : answer.size() - 1;
        return found;
    };
    while (!complete()) {
        if (answer.size() >= max_answer)
            throw StepError(step, "the device's answer is too long");
        std::size_t used = answer.size();
        answer.resize(std::max(answer.capacity(), used + 4096));
        ssize_t n = ::recv(fd.get(), answer.data() + used, answer.size() - used, 0);
        int err = errno;
        answer.resize(used + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
        if (n < 0) {
            if (err == EINTR)
                continue;
            if (err == EAGAIN || err == EWOULDBLOCK)
                throw timed_out();
            throw StepError(step, "receive from " + path + ": " + std::strerror(err));
        }
        if (n == 0)
            throw StepError(step, "the device closed the connection without an answer");
    }
    return answer;
}

// Splits the answer into lines, up to the empty one. Calls f(key, value) for each.
template <typename F> void for_each_line(const SecretBuffer& answer, F f) {
    std::string_view rest(answer.data(), answer.size());
    while (!rest.empty()) {
        auto nl = rest.find('\n');
        if (nl == rest.npos)
            return;
        std::string_view line = rest.substr(0, nl);
        rest.remove_prefix(nl + 1);
        if (line.empty())
            return;
        auto eq = line.find('=');
        if (eq == line.npos)
            f(line, std::string_view());
        else
            f(line.substr(0, eq), line.substr(eq + 1));
    }
}

// Throws the StepError for "errno=N" with N not 0, or for an answer without it.
void check_errno(std::optional<std::string_view> value, const std::string& step) {
    if (!value)
        throw StepError(step, "the device's answer has no errno line");
    auto n = parse_decimal<long>(*value);
    if (!n)
        throw StepError(step, "the device answered a malformed errno line");
    if (*n != 0) {
        // wireguard-go answers negated numbers (-22 for EINVAL); accept either sign
        long code = *n < 0 ? -*n : *n;
        throw StepError(step, "device answered errno=" + std::to_string(*n) + " (" +
                                  std::strerror(static_cast<int>(code)) + ")");
    }
}

std::vector<WgPeerStatus> get_peers(const std::string& ifname, const std::string& step) {
    check_ifname(ifname, step);
    SecretBuffer request;
    request.reserve(initial_capacity);
    request.append("get=1\n\n");
    SecretBuffer answer = exchange(ifname, step, request);

    std::vector<WgPeerStatus> peers;
    std::optional<std::string_view> errno_value;
    bool malformed = false;
    for_each_line(answer, [&](std::string_view key, std::string_view value) {
        if (key == "errno") {
            errno_value = value;
        } else if (key == "public_key") {
            auto bytes = parse_hex_key(value);
            if (!bytes) {
                malformed = true;
                return;
            }
            peers.emplace_back();
            peers.back().public_key.bytes = *bytes;
        } else if (peers.empty()) {
            // device lines (private_key, listen_port, fwmark): not reported;
            // the private key is only ever in the (wiped) answer buffer
        } else if (key == "preshared_key") {
            // 64 zeros when none; the key itself is never copied out
            peers.back().has_preshared_key = value.find_first_not_of('0') != value.npos;
        } else if (key == "endpoint") {
            peers.back().endpoint = std::string(value);
        } else if (key == "last_handshake_time_sec") {
            peers.back().last_handshake_sec = parse_decimal<std::int64_t>(value).value_or(0);
        } else if (key == "rx_bytes") {
            peers.back().rx_bytes = parse_decimal<std::uint64_t>(value).value_or(0);
        } else if (key == "tx_bytes") {
            peers.back().tx_bytes = parse_decimal<std::uint64_t>(value).value_or(0);
        } else if (key == "persistent_keepalive_interval") {
            peers.back().persistent_keepalive = parse_decimal<std::uint16_t>(value).value_or(0);
        } else if (key == "allowed_ip") {
            peers.back().allowed_ips.emplace_back(value);
        }
    });
    check_errno(errno_value, step);
    if (malformed)
        throw StepError(step, "the device reported a malformed public key");
    return peers;
}

std::vector<std::string> split_blanks(const std::string& s) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < s.size()) {
        i = s.find_first_not_of(" \t", i);
        if (i == s.npos)
            break;
        std::size_t end = s.find_first_of(" \t", i);
        if (end == s.npos)
            end = s.size();
        words.push_back(s.substr(i, end - i));
        i = end;
    }
    return words;
}

// Whether pid is gone (exited or no such process). A child that exited stays a
// zombie for its parent to reap (WNOWAIT).
bool process_gone(pid_t pid) {
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0)
        return info.si_pid == pid;
    if (errno != ECHILD)
        return false;
    // not our child: gone, or a zombie of another parent (no start time either way)
    return process_start_time(pid) == 0;
}

class SpawnActions {
  public:
    SpawnActions() { posix_spawn_file_actions_init(&a_); }
    ~SpawnActions() { posix_spawn_file_actions_destroy(&a_); }
    SpawnActions(const SpawnActions&) = delete;
    SpawnActions& operator=(const SpawnActions&) = delete;
    posix_spawn_file_actions_t* get() { return &a_; }

  private:
    posix_spawn_file_actions_t a_;
};

class SpawnAttr {
  public:
    SpawnAttr() { posix_spawnattr_init(&a_); }
    ~SpawnAttr() { posix_spawnattr_destroy(&a_); }
    SpawnAttr(const SpawnAttr&) = delete;
    SpawnAttr& operator=(const SpawnAttr&) = delete;
    posix_spawnattr_t* get() { return &a_; }

  private:
    posix_spawnattr_t a_;
};

} // namespace

std::string uapi_socket_path(const std::string& ifname) {
    return std::string(socket_dir) + "/" + ifname + ".sock";
}

std::string endpoint_text(const sockaddr_storage& ss, const std::string& step) {
    socklen_t len = 0;
    if (ss.ss_family == AF_INET)
        len = sizeof(sockaddr_in);
    else if (ss.ss_family == AF_INET6)
        len = sizeof(sockaddr_in6);
    else
        throw StepError(step, "a peer's endpoint is neither IPv4 nor IPv6");
    char host[NI_MAXHOST], port[NI_MAXSERV];
    int rc = getnameinfo(reinterpret_cast<const sockaddr*>(&ss), len, host, sizeof host, port,
                         sizeof port, NI_NUMERICHOST | NI_NUMERICSERV | NI_DGRAM);
    if (rc != 0)
        throw StepError(step, std::string("cannot format a peer's endpoint: ") + gai_strerror(rc));
    if (ss.ss_family == AF_INET6)
        return "[" + std::string(host) + "]:" + port;
    return std::string(host) + ":" + port;
}

void uapi_set(const std::string& ifname, const WgDeviceConfig& config) {
    const std::string step = "configure WireGuard " + ifname;
    check_ifname(ifname, step);

    // The peers the device has now, to remove those the configuration no longer
    // names. (replace_peers=true would give the same end state but would also
    // drop the sessions, counters and handshakes of the peers that stay.)
    std::vector<WgPeerStatus> current = get_peers(ifname, step);

    SecretBuffer req;
    req.reserve(initial_capacity);
    req.append("set=1\n");
    append_key_line(req, "private_key", config.private_key.bytes());
    // Setting listen_port rebinds; with 0 ("any") that would pick a new port on
    // every set, so 0 leaves the device's port as it is.
    if (config.listen_port != 0)
        append_line(req, "listen_port", std::to_string(config.listen_port));
    append_line(req, "fwmark", std::to_string(config.fwmark)); // 0 clears it

    for (const WgPeerStatus& have : current) {
        bool wanted =
            std::any_of(config.peers.begin(), config.peers.end(),
                        [&](const WgPeerConfig& p) { return p.public_key == have.public_key; });
        if (!wanted) {
            append_key_line(req, "public_key", have.public_key.bytes);
            append_line(req, "remove", "true");
        }
    }
    static const KeyBytes zero_key{};
    for (const WgPeerConfig& peer : config.peers) {
        append_key_line(req, "public_key", peer.public_key.bytes);
        append_key_line(req, "preshared_key",
                        peer.preshared_key ? peer.preshared_key->bytes() : zero_key);
        if (peer.endpoint)
            append_line(req, "endpoint", endpoint_text(*peer.endpoint, step));
        append_line(req, "persistent_keepalive_interval",
                    std::to_string(peer.persistent_keepalive));
        append_line(req, "replace_allowed_ips", "true");
        for (const IpPrefix& p : peer.allowed_ips) {
            if (p.address.family != AF_INET && p.address.family != AF_INET6)
                throw StepError(step, "an allowed IP is neither IPv4 nor IPv6");
            append_line(req, "allowed_ip", masked(p).text());
        }
    }
    req.push_back('\n');

    SecretBuffer answer = exchange(ifname, step, req);
    std::optional<std::string_view> errno_value;
    for_each_line(answer, [&](std::string_view key, std::string_view value) {
        if (key == "errno")
            errno_value = value;
    });
    check_errno(errno_value, step);
}

std::vector<WgPeerStatus> uapi_get(const std::string& ifname) {
    return get_peers(ifname, "read the state of WireGuard " + ifname);
}

std::optional<pid_t> uapi_owner(const std::string& ifname) {
    Fd fd = try_connect(uapi_socket_path(ifname));
    if (!fd)
        return std::nullopt;
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.pid <= 0)
        return std::nullopt;
    return cred.pid;
}

bool uapi_wait_ready(const std::string& ifname, pid_t pid, std::chrono::milliseconds timeout) {
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + timeout;
    const std::string path = uapi_socket_path(ifname);
    for (int attempt = 0;; ++attempt) {
        if (Fd fd = try_connect(path))
            return true;
        if (pid > 0 && process_gone(pid))
            return false;
        auto now = clock::now();
        if (now >= deadline)
            return false;
        // wireguard-go is ready a few milliseconds after its start: look often at
        // first (this wait is on every up's path), then less often
        auto step = std::chrono::milliseconds(attempt < 50 ? 1 : 10);
        std::this_thread::sleep_for(std::min<clock::duration>(step, deadline - now));
    }
}

pid_t spawn_userspace(const std::string& command, const std::string& ifname, int log_fd) {
    const std::string step = "start userspace WireGuard for " + ifname;
    check_ifname(ifname, step);
    std::vector<std::string> args = split_blanks(command);
    if (args.empty())
        args.push_back("wireguard-go");
    args.push_back(ifname);
    std::vector<char*> argv;
    for (std::string& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    // The caller's environment, WG_PROCESS_FOREGROUND=1 instead of any value of it:
    // the daemon must not fork away from the pid we return (and from our cgroup's view).
    std::vector<std::string> env;
    constexpr std::string_view fg = "WG_PROCESS_FOREGROUND=";
    for (char** e = environ; e && *e; ++e)
        if (std::string_view(*e).substr(0, fg.size()) != fg)
            env.emplace_back(*e);
    env.emplace_back(std::string(fg) + "1");
    std::vector<char*> envp;
    for (std::string& e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    SpawnActions actions;
    int rc = 0;
    if (log_fd >= 0) {
        // dup2 of an fd onto itself clears its close-on-exec flag (glibc)
        rc = posix_spawn_file_actions_adddup2(actions.get(), log_fd, STDOUT_FILENO);
        if (rc == 0)
            rc = posix_spawn_file_actions_adddup2(actions.get(), log_fd, STDERR_FILENO);
    } else {
        rc = posix_spawn_file_actions_addopen(actions.get(), STDOUT_FILENO, "/dev/null", O_WRONLY,
                                              0);
        if (rc == 0)
            rc = posix_spawn_file_actions_adddup2(actions.get(), STDOUT_FILENO, STDERR_FILENO);
    }
    if (rc == 0)
        rc =
            posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_addclosefrom_np(actions.get(), STDERR_FILENO + 1);
    if (rc != 0)
        throw system_error(step + ": prepare", rc);

    // Own session; no signal blocked or ignored because the caller had it so.
    SpawnAttr attr;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    rc = posix_spawnattr_setflags(attr.get(), POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
                                                  POSIX_SPAWN_SETSIGDEF);
    if (rc == 0)
        rc = posix_spawnattr_setsigmask(attr.get(), &none);
    if (rc == 0)
        rc = posix_spawnattr_setsigdefault(attr.get(), &all);
    if (rc != 0)
        throw system_error(step + ": prepare", rc);

    pid_t pid = -1;
    rc = posix_spawnp(&pid, argv[0], actions.get(), attr.get(), argv.data(), envp.data());
    if (rc != 0)
        throw StepError(step, args[0] + ": " + std::strerror(rc));
    return pid;
}

} // namespace nsvpn
