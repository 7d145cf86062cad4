// The WireGuard UAPI client against a real wireguard-go, in the test binary's own
// network namespace and /run. `wg` (wireguard-tools) is the independent reader.
#include "error.hpp"
#include "fd.hpp"
#include "values.hpp"
#include "wg_uapi.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <net/if.h>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <set>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace nsvpn {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto ready_timeout = 10s;
constexpr auto exit_timeout = 10s;

// Reads fd until EOF, waiting at most timeout in all. Fails the test on timeout.
std::string read_until_eof(int fd, std::chrono::milliseconds timeout) {
    std::string out;
    auto deadline = Clock::now() + timeout;
    char buf[4096];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 0)));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            ADD_FAILURE() << "no EOF within " << timeout.count() << " ms";
            return out;
        }
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return out;
        out.append(buf, static_cast<std::size_t>(n));
    }
}

// Waits (bounded, on a pidfd) for our child pid to exit and reaps it. Returns its
// wait status, or nothing if it was still running at the deadline.
std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
    // (glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++)
    Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd) {
        ADD_FAILURE() << "pidfd_open " << pid << ": " << std::strerror(errno);
        return std::nullopt;
    }
    auto deadline = Clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd p{pidfd.get(), POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 0)));
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return std::nullopt;
        break;
    }
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) {
        ADD_FAILURE() << "waitpid " << pid << ": " << std::strerror(errno);
        return std::nullopt;
    }
    return status;
}

// A process we started: terminated (TERM, then KILL) and reaped unless the test
// reaped it already.
class Child {
  public:
    explicit Child(pid_t pid) : pid_(pid) {}
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() {
        if (pid_ <= 0)
            return;
        ::kill(pid_, SIGTERM);
        if (!wait_exit(pid_, 5s)) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    pid_t pid() const { return pid_; }
    // Waits for it to exit by itself and reaps it.
    std::optional<int> wait(std::chrono::milliseconds timeout) {
        auto status = wait_exit(pid_, timeout);
        if (status)
            pid_ = -1;
        return status;
    }

  private:
    pid_t pid_;
};

struct RunResult {
    int status = -1;
    std::string out;
};

// Runs argv (no shell) with input on its stdin and returns its status and stdout.
// Keys go through the pipe, never through argv.
RunResult run(const std::vector<std::string>& args, const std::string& input = "") {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) < 0 || ::pipe2(out, O_CLOEXEC) < 0)
        throw system_error("pipe");
    Fd in_r(in[0]), in_w(in[1]), out_r(out[0]), out_w(out[1]);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in_r.get(), 0);
    posix_spawn_file_actions_adddup2(&fa, out_w.get(), 1);
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        throw system_error("spawn " + args[0], rc);
    Child child(pid);
    in_r.reset();
    out_w.reset();
    // inputs here are far smaller than a pipe's buffer
    if (::write(in_w.get(), input.data(), input.size()) != static_cast<ssize_t>(input.size()))
        ADD_FAILURE() << "write to " << args[0] << ": " << std::strerror(errno);
    in_w.reset();
    RunResult r;
    r.out = read_until_eof(out_r.get(), 10s);
    auto status = child.wait(10s);
    r.status = status ? *status : -1;
    return r;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

std::string hex(const KeyBytes& k) {
    static const char d[] = "0123456789abcdef";
    std::string s;
    for (auto b : k) {
        s.push_back(d[b >> 4]);
        s.push_back(d[b & 0xf]);
    }
    return s;
}

// A key pair from `wg genkey | wg pubkey`, in base64 and as values.
struct TestKey {
    std::string private_b64, public_b64;
    SecretKey secret;
    PublicKey pub;
};

TestKey make_key() {
    TestKey k;
    RunResult gen = run({"wg", "genkey"});
    EXPECT_EQ(gen.status, 0);
    k.private_b64 = trim(gen.out);
    RunResult pub = run({"wg", "pubkey"}, k.private_b64 + "\n");
    EXPECT_EQ(pub.status, 0);
    k.public_b64 = trim(pub.out);
    auto sb = parse_key(k.private_b64);
    auto pb = parse_key(k.public_b64);
    EXPECT_TRUE(sb && pb);
    if (sb && pb) {
        k.secret = SecretKey(*sb);
        k.pub.bytes = *pb;
    }
    return k;
}

IpPrefix prefix(const std::string& text) {
    auto p = parse_prefix(text, false);
    EXPECT_TRUE(p) << text;
    return p ? *p : IpPrefix{};
}

sockaddr_storage endpoint(const std::string& ip, std::uint16_t port) {
    sockaddr_storage ss{};
    if (ip.find(':') != std::string::npos) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        EXPECT_EQ(inet_pton(AF_INET6, ip.c_str(), &s6->sin6_addr), 1);
    } else {
        auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        EXPECT_EQ(inet_pton(AF_INET, ip.c_str(), &s4->sin_addr), 1);
    }
    return ss;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep))
        out.push_back(cur);
    return out;
}

std::set<std::string> as_set(const std::vector<std::string>& v) {
    return {v.begin(), v.end()};
}

// `wg show IFNAME dump`: the device line and one line per peer (by public key).
struct Dump {
    std::string raw;    // as wg printed it
    std::string sorted; // its lines sorted (wireguard-go lists peers in no fixed order)
    std::vector<std::string> device;
    std::map<std::string, std::vector<std::string>> peers;
};

Dump wg_dump(const std::string& ifname) {
    RunResult r = run({"wg", "show", ifname, "dump"});
    EXPECT_EQ(r.status, 0) << r.out;
    Dump d;
    d.raw = r.out;
    auto lines = split(r.out, '\n');
    if (lines.empty()) {
        ADD_FAILURE() << "empty dump";
        return d;
    }
    auto sorted = lines;
    std::sort(sorted.begin(), sorted.end());
    for (const auto& l : sorted)
        d.sorted += l + "\n";
    d.device = split(lines[0], '\t');
    for (std::size_t i = 1; i < lines.size(); ++i) {
        auto f = split(lines[i], '\t');
        if (!f.empty())
            d.peers[f[0]] = f;
    }
    return d;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

const WgPeerStatus* find_peer(const std::vector<WgPeerStatus>& peers, const PublicKey& key) {
    for (auto& p : peers)
        if (p.public_key == key)
            return &p;
    return nullptr;
}

// A running wireguard-go for ifname, ready to be configured.
class Daemon {
  public:
    explicit Daemon(const std::string& ifname, int log_fd = -1)
        : ifname_(ifname), child_(spawn_userspace("", ifname, log_fd)) {}
    ~Daemon() {
        // as nsvpn down would: the daemon goes with its link
        if (child_.pid() > 0 && ::if_nametoindex(ifname_.c_str()) != 0)
            run({"ip", "link", "del", ifname_});
    }
    pid_t pid() const { return child_.pid(); }
    Child& child() { return child_; }

  private:
    std::string ifname_;
    Child child_;
};

TEST(UapiTest, SetGetAndWgShowAgree) {
    const std::string ifname = "uapitest0";
    Daemon d(ifname);
    ASSERT_TRUE(uapi_wait_ready(ifname, d.pid(), ready_timeout));
    ASSERT_NE(::if_nametoindex(ifname.c_str()), 0u) << "no tun link after ready";

    TestKey dev = make_key(), p1 = make_key(), p2 = make_key(), psk = make_key();
    WgDeviceConfig cfg;
    cfg.private_key = dev.secret;
    cfg.listen_port = 51821;
    WgPeerConfig a;
    a.public_key = p1.pub;
    a.preshared_key = psk.secret;
    a.endpoint = endpoint("192.0.2.7", 51820);
    a.persistent_keepalive = 25;
    a.allowed_ips = {prefix("10.0.0.0/8"), prefix("fd00::/8")};
    WgPeerConfig b;
    b.public_key = p2.pub;
    b.endpoint = endpoint("2001:db8::1", 51820);
    b.allowed_ips = {prefix("192.168.77.5/24")}; // host bits: the device keeps the network
    cfg.peers = {a, b};
    ASSERT_NO_THROW(uapi_set(ifname, cfg));

    auto peers = uapi_get(ifname);
    ASSERT_EQ(peers.size(), 2u);
    const WgPeerStatus* ga = find_peer(peers, p1.pub);
    const WgPeerStatus* gb = find_peer(peers, p2.pub);
    ASSERT_TRUE(ga && gb);
    EXPECT_EQ(ga->endpoint, "192.0.2.7:51820");
    EXPECT_EQ(as_set(ga->allowed_ips), (std::set<std::string>{"10.0.0.0/8", "fd00::/8"}));
    EXPECT_EQ(ga->persistent_keepalive, 25);
    EXPECT_TRUE(ga->has_preshared_key);
    EXPECT_EQ(ga->last_handshake_sec, 0);
    EXPECT_EQ(gb->endpoint, "[2001:db8::1]:51820");
    EXPECT_EQ(gb->allowed_ips, (std::vector<std::string>{"192.168.77.0/24"}));
    EXPECT_EQ(gb->persistent_keepalive, 0);
    EXPECT_FALSE(gb->has_preshared_key);

    // wg as the independent reader
    Dump d1 = wg_dump(ifname);
    ASSERT_EQ(d1.device.size(), 4u) << d1.raw;
    EXPECT_EQ(d1.device[0], dev.private_b64);
    EXPECT_EQ(d1.device[1], dev.public_b64);
    EXPECT_EQ(d1.device[2], "51821");
    EXPECT_EQ(d1.device[3], "off");
    ASSERT_EQ(d1.peers.size(), 2u) << d1.raw;
    ASSERT_TRUE(d1.peers.count(p1.public_b64) && d1.peers.count(p2.public_b64)) << d1.raw;
    const auto& da = d1.peers[p1.public_b64];
    const auto& db = d1.peers[p2.public_b64];
    ASSERT_EQ(da.size(), 8u);
    ASSERT_EQ(db.size(), 8u);
    EXPECT_EQ(da[1], psk.private_b64);
    EXPECT_EQ(da[2], "192.0.2.7:51820");
    EXPECT_EQ(as_set(split(da[3], ',')), (std::set<std::string>{"10.0.0.0/8", "fd00::/8"}));
    EXPECT_EQ(da[7], "25");
    EXPECT_EQ(db[1], "(none)");
    EXPECT_EQ(db[2], "[2001:db8::1]:51820");
    EXPECT_EQ(db[3], "192.168.77.0/24");
    EXPECT_EQ(db[7], "off");

    // the same configuration again: nothing changes
    ASSERT_NO_THROW(uapi_set(ifname, cfg));
    EXPECT_EQ(wg_dump(ifname).sorted, d1.sorted);

    // one peer fewer, the other without preshared key, one allowed IP and no
    // keepalive, port 0 ("any", keeps the port it has)
    WgDeviceConfig smaller;
    smaller.private_key = dev.secret;
    WgPeerConfig a2 = a;
    a2.preshared_key.reset();
    a2.persistent_keepalive = 0;
    a2.allowed_ips = {prefix("10.0.0.0/8")};
    smaller.peers = {a2};
    ASSERT_NO_THROW(uapi_set(ifname, smaller));
    peers = uapi_get(ifname);
    ASSERT_EQ(peers.size(), 1u);
    EXPECT_EQ(peers[0].public_key, p1.pub);
    EXPECT_FALSE(peers[0].has_preshared_key);
    EXPECT_EQ(peers[0].allowed_ips, (std::vector<std::string>{"10.0.0.0/8"}));
    Dump d2 = wg_dump(ifname);
    ASSERT_EQ(d2.peers.size(), 1u) << d2.raw;
    EXPECT_EQ(d2.peers.count(p2.public_b64), 0u);
    ASSERT_EQ(d2.peers[p1.public_b64].size(), 8u);
    EXPECT_EQ(d2.peers[p1.public_b64][1], "(none)");
    EXPECT_EQ(d2.peers[p1.public_b64][3], "10.0.0.0/8");
    EXPECT_EQ(d2.peers[p1.public_b64][7], "off");
    EXPECT_EQ(d2.device[2], "51821");

    // back to the full configuration: both peers again
    ASSERT_NO_THROW(uapi_set(ifname, cfg));
    EXPECT_EQ(wg_dump(ifname).sorted, d1.sorted);
}

TEST(UapiTest, KeysStayOutOfArgvEnvironLogsAndErrors) {
    const std::string ifname = "uapitest1";
    char dir_template[] = "/run/uapi-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    const std::string log_path = std::string(dir_template) + "/daemon.log";
    Fd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    ASSERT_TRUE(log);
    Daemon d(ifname, log.get());
    log.reset();
    ASSERT_TRUE(uapi_wait_ready(ifname, d.pid(), ready_timeout));

    TestKey dev = make_key(), peer = make_key(), psk = make_key();
    const std::vector<std::string> secrets = {dev.private_b64, hex(dev.secret.bytes()),
                                              psk.private_b64, hex(psk.secret.bytes())};
    auto expect_no_secret = [&](const std::string& text, const std::string& where) {
        for (const auto& s : secrets)
            EXPECT_EQ(text.find(s), std::string::npos) << "key material in " << where;
    };
    WgDeviceConfig cfg;
    cfg.private_key = dev.secret;
    WgPeerConfig p;
    p.public_key = peer.pub;
    p.preshared_key = psk.secret;
    p.allowed_ips = {prefix("10.9.0.0/16")};
    cfg.peers = {p};
    ASSERT_NO_THROW(uapi_set(ifname, cfg));
    ASSERT_EQ(wg_dump(ifname).device.at(0), dev.private_b64); // the key did arrive

    const std::string proc = "/proc/" + std::to_string(d.pid());
    std::string cmdline = slurp(proc + "/cmdline"), environ_text = slurp(proc + "/environ");
    EXPECT_EQ(cmdline, std::string("wireguard-go\0uapitest1\0", 23));
    EXPECT_NE(environ_text.find(std::string("\0WG_PROCESS_FOREGROUND=1\0", 25)), std::string::npos);
    expect_no_secret(cmdline, "cmdline");
    expect_no_secret(environ_text, "environ");

    // a device that does not exist: the socket error, naming the interface
    try {
        uapi_set("uapinone0", cfg);
        ADD_FAILURE() << "set on a missing device succeeded";
    } catch (const StepError& e) {
        EXPECT_EQ(e.step(), "configure WireGuard uapinone0");
        EXPECT_NE(std::string(e.what()).find("/run/wireguard/uapinone0.sock"), std::string::npos)
            << e.what();
        expect_no_secret(e.what(), "exception");
    }

    // the device refuses (its port is taken): its errno, no key
    Fd udp(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(udp);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(51999);
    ASSERT_EQ(::bind(udp.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    WgDeviceConfig taken = cfg;
    taken.listen_port = 51999;
    try {
        uapi_set(ifname, taken);
        ADD_FAILURE() << "set to a port in use succeeded";
    } catch (const StepError& e) {
        EXPECT_EQ(e.step(), "configure WireGuard uapitest1");
        EXPECT_NE(e.reason().find("device answered errno="), std::string::npos) << e.what();
        EXPECT_NE(e.reason().find(std::strerror(EADDRINUSE)), std::string::npos) << e.what();
        expect_no_secret(e.what(), "exception");
    }
    // and takes a good configuration after that
    udp.reset();
    ASSERT_NO_THROW(uapi_set(ifname, taken));
    EXPECT_EQ(wg_dump(ifname).device.at(2), "51999");

    // a name that would leave /run/wireguard is refused before any connect
    EXPECT_THROW(uapi_set("../x", cfg), StepError);

    // wireguard-go's own log (stdout and stderr) holds no key either
    EXPECT_NE(::if_nametoindex(ifname.c_str()), 0u);
    run({"ip", "link", "del", ifname});
    ASSERT_TRUE(d.child().wait(exit_timeout));
    std::string log_text = slurp(log_path);
    expect_no_secret(log_text, "daemon log");
    ::unlink(log_path.c_str());
    ::rmdir(dir_template);
}

TEST(UapiTest, WaitReadyIsFalseSoonWhenTheProcessExits) {
    pid_t pid = spawn_userspace("false", "uapiexit0", -1);
    Child child(pid);
    auto start = Clock::now();
    EXPECT_FALSE(uapi_wait_ready("uapiexit0", pid, 20s));
    EXPECT_LT(Clock::now() - start, 5s);
    // not reaped by uapi_wait_ready: its exit status is still ours to collect
    auto status = child.wait(exit_timeout);
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1);

    // a pid that is gone (reaped above): false at once too
    start = Clock::now();
    EXPECT_FALSE(uapi_wait_ready("uapiexit0", pid, 20s));
    EXPECT_LT(Clock::now() - start, 5s);
}

TEST(UapiTest, WaitReadyWaitsForTheDeadlineWhenNothingListens) {
    auto start = Clock::now();
    EXPECT_FALSE(uapi_wait_ready("uapinone1", 0, 300ms));
    auto elapsed = Clock::now() - start;
    EXPECT_GE(elapsed, 300ms);
    EXPECT_LT(elapsed, 3s);

    // a stale socket file (bound, nobody listening) is not ready either
    const std::string path = uapi_socket_path("uapistale0");
    Fd stale(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(stale);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    ::unlink(path.c_str());
    ASSERT_EQ(::bind(stale.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    start = Clock::now();
    EXPECT_FALSE(uapi_wait_ready("uapistale0", 0, 300ms));
    EXPECT_GE(Clock::now() - start, 300ms);

    // while one that listens is ready at once
    ASSERT_EQ(::listen(stale.get(), 4), 0);
    start = Clock::now();
    EXPECT_TRUE(uapi_wait_ready("uapistale0", 0, 10s));
    EXPECT_LT(Clock::now() - start, 2s);
    ::unlink(path.c_str());
}

TEST(UapiTest, DaemonExitsWhenItsLinkIsDeleted) {
    const std::string ifname = "uapitest2";
    Daemon d(ifname);
    ASSERT_TRUE(uapi_wait_ready(ifname, d.pid(), ready_timeout));
    ASSERT_NE(::if_nametoindex(ifname.c_str()), 0u);
    RunResult del = run({"ip", "link", "del", ifname});
    ASSERT_EQ(del.status, 0);
    auto status = d.child().wait(exit_timeout);
    ASSERT_TRUE(status) << "wireguard-go still runs " << exit_timeout.count()
                        << " s after its link went";
    EXPECT_EQ(::if_nametoindex(ifname.c_str()), 0u);
    // nothing answers on its socket any more
    EXPECT_FALSE(uapi_wait_ready(ifname, 0, 100ms));
    EXPECT_THROW(uapi_get(ifname), StepError);
}

// nsvpn up moves the tun into the VPN's namespace and renames it; nsvpn down
// deletes it there. The daemon must live through the first and end with the second.
TEST(UapiTest, DaemonLivesThroughAMoveAndExitsWhenTheLinkGoesThere) {
    const std::string ifname = "uapitest3", ns = "uapins0";
    struct NetnsGuard {
        std::string name;
        ~NetnsGuard() { run({"ip", "netns", "del", name}); }
    };
    Daemon d(ifname);
    ASSERT_TRUE(uapi_wait_ready(ifname, d.pid(), ready_timeout));
    TestKey dev = make_key(), peer = make_key();
    WgDeviceConfig cfg;
    cfg.private_key = dev.secret;
    WgPeerConfig p;
    p.public_key = peer.pub;
    p.allowed_ips = {prefix("0.0.0.0/0")};
    cfg.peers = {p};
    ASSERT_NO_THROW(uapi_set(ifname, cfg));

    ASSERT_EQ(run({"ip", "netns", "add", ns}).status, 0);
    NetnsGuard guard{ns};
    ASSERT_EQ(run({"ip", "link", "set", ifname, "netns", ns}).status, 0);
    ASSERT_EQ(run({"ip", "-n", ns, "link", "set", ifname, "name", "wg0"}).status, 0);
    EXPECT_EQ(::if_nametoindex(ifname.c_str()), 0u);

    // still there, still answering on the socket of its first name
    siginfo_t info{};
    ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(d.pid()), &info, WEXITED | WNOHANG | WNOWAIT), 0);
    EXPECT_EQ(info.si_pid, 0) << "wireguard-go exited when its link moved";
    std::vector<WgPeerStatus> peers;
    ASSERT_NO_THROW(peers = uapi_get(ifname));
    ASSERT_EQ(peers.size(), 1u);
    EXPECT_EQ(peers[0].public_key, peer.pub);
    ASSERT_NO_THROW(uapi_set(ifname, cfg));

    ASSERT_EQ(run({"ip", "-n", ns, "link", "del", "wg0"}).status, 0);
    auto status = d.child().wait(exit_timeout);
    ASSERT_TRUE(status) << "wireguard-go still runs " << exit_timeout.count()
                        << " s after its link went";
}

TEST(UapiTest, SpawnSetsUpTheChildProcess) {
    char dir_template[] = "/run/uapi-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    const std::string script = std::string(dir_template) + "/probe.sh";
    {
        std::ofstream s(script);
        s << "#!/bin/sh\n"
             "echo \"pid=$$\"\n"
             "echo \"args=$*\"\n"
             "echo \"marker=$UAPI_TEST_MARKER\"\n"
             "tr '\\0' '\\n' </proc/$$/environ | grep '^WG_PROCESS_FOREGROUND=' | sed 's/^/env:/'\n"
             "echo \"session=$(cut -d' ' -f6 /proc/$$/stat)\"\n"
             // listed by another process, so that the listing adds no fd of its own
             "find /proc/$$/fd -mindepth 1 -printf 'fd %f %l\\n'\n"
             "echo to-stderr >&2\n";
    }
    ASSERT_EQ(::chmod(script.c_str(), 0755), 0);

    int logp[2], catp[2];
    ASSERT_EQ(::pipe2(logp, O_CLOEXEC), 0);
    Fd log_r(logp[0]), log_w(logp[1]);
    ASSERT_EQ(::pipe2(catp, O_CLOEXEC), 0);
    Fd cat_r(catp[0]), cat_w(catp[1]);
    struct stat log_st {};
    ASSERT_EQ(::fstat(log_r.get(), &log_st), 0);
    const std::string log_pipe = "pipe:[" + std::to_string(log_st.st_ino) + "]";
    // an inheritable fd, a blocked and an ignored signal, an environment to keep
    // and a WG_PROCESS_FOREGROUND to override: none of it may reach the child
    int leak[2];
    ASSERT_EQ(::pipe(leak), 0);
    Fd leak_r(leak[0]), leak_w(leak[1]);
    struct stat leak_st {};
    ASSERT_EQ(::fstat(leak_r.get(), &leak_st), 0);
    const std::string leak_pipe = "pipe:[" + std::to_string(leak_st.st_ino) + "]";
    sigset_t usr1, old_mask;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &usr1, &old_mask), 0);
    struct sigaction ign {
    }, old_usr2{};
    ign.sa_handler = SIG_IGN;
    ASSERT_EQ(::sigaction(SIGUSR2, &ign, &old_usr2), 0);
    ::setenv("UAPI_TEST_MARKER", "kept", 1);
    ::setenv("WG_PROCESS_FOREGROUND", "0", 1);

    pid_t pid = -1, cat_pid = -1;
    std::string spawn_error;
    try {
        pid = spawn_userspace("  " + script + "\tfirst-arg  ", "uapiprobe0", log_w.get());
        // the shell clears its signal mask itself; cat shows what exec left
        cat_pid = spawn_userspace("cat /proc/self/status", "uapiprobe1", cat_w.get());
    } catch (const StepError& e) {
        spawn_error = e.what();
    }
    ::unsetenv("WG_PROCESS_FOREGROUND");
    ::unsetenv("UAPI_TEST_MARKER");
    ::sigaction(SIGUSR2, &old_usr2, nullptr);
    ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    Child child(pid), cat_child(cat_pid);
    ASSERT_GT(pid, 0) << spawn_error;
    ASSERT_GT(cat_pid, 0) << spawn_error;
    log_w.reset();
    cat_w.reset();
    leak_w.reset();

    // cat printed its status, then failed on the file "uapiprobe1"
    std::string cat_out = read_until_eof(cat_r.get(), 10s);
    auto cat_status = cat_child.wait(exit_timeout);
    ASSERT_TRUE(cat_status);
    auto cat_lines = split(cat_out, '\n');
    auto field = [&](const std::string& name) -> std::uint64_t {
        for (const auto& l : cat_lines)
            if (l.rfind(name + ":\t", 0) == 0)
                return std::stoull(l.substr(name.size() + 2), nullptr, 16);
        ADD_FAILURE() << "no " << name << " in " << cat_out;
        return ~0ull;
    };
    EXPECT_EQ(field("SigBlk"), 0u) << cat_out;
    // Nothing ignored but glibc's internal signals 32 and 33 (SIGCANCEL, SIGSETXID),
    // which glibc's posix_spawn sets to SIG_IGN in every child, and which no one sends.
    EXPECT_EQ(field("SigIgn") & ~((1ull << 31) | (1ull << 32)), 0u) << cat_out;

    std::string out = read_until_eof(log_r.get(), 10s);
    auto status = child.wait(exit_timeout);
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << out;

    auto lines = split(out, '\n');
    auto has = [&](const std::string& l) {
        return std::find(lines.begin(), lines.end(), l) != lines.end();
    };
    EXPECT_TRUE(has("pid=" + std::to_string(pid))) << out;
    EXPECT_TRUE(has("args=first-arg uapiprobe0")) << out;
    EXPECT_TRUE(has("marker=kept")) << out;
    EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                            [](const std::string& l) { return l.rfind("env:", 0) == 0; }),
              1)
        << out;
    EXPECT_TRUE(has("env:WG_PROCESS_FOREGROUND=1")) << out;
    EXPECT_TRUE(has("session=" + std::to_string(pid))) << out;
    EXPECT_TRUE(has("fd 0 /dev/null")) << out;
    EXPECT_TRUE(has("fd 1 " + log_pipe)) << out;
    EXPECT_TRUE(has("fd 2 " + log_pipe)) << out;
    EXPECT_TRUE(has("to-stderr")) << out;
    for (const auto& l : lines) {
        if (l.rfind("fd ", 0) != 0)
            continue;
        EXPECT_EQ(l.find(leak_pipe), std::string::npos) << "inherited: " << l;
        // besides 0, 1, 2 only the shell's own descriptor of its script
        auto fields = split(l, ' ');
        if (fields.size() == 3 && fields[1] != "0" && fields[1] != "1" && fields[1] != "2") {
            EXPECT_EQ(fields[2], script) << "unexpected fd: " << l;
        }
    }
    ::unlink(script.c_str());
    ::rmdir(dir_template);
}

TEST(UapiTest, SpawnOfAMissingCommandFails) {
    try {
        pid_t pid = spawn_userspace("/nonexistent/wireguard-impl", "uapimiss0", -1);
        Child child(pid);
        ADD_FAILURE() << "spawned a missing command";
    } catch (const StepError& e) {
        EXPECT_EQ(e.step(), "start userspace WireGuard for uapimiss0");
        EXPECT_NE(e.reason().find("/nonexistent/wireguard-impl"), std::string::npos);
        EXPECT_NE(e.reason().find(std::strerror(ENOENT)), std::string::npos) << e.what();
    }
    // posix_spawn reaped the child whose exec failed: no zombie of ours is left
    siginfo_t info{};
    int rc = ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT);
    EXPECT_TRUE((rc < 0 && errno == ECHILD) || (rc == 0 && info.si_pid == 0));
}

} // namespace
} // namespace nsvpn
