// Named namespaces (hook/netns.cpp) and nsvpn exec (hook/exec.cpp), for real, as
// root, in the test binary's own network and mount namespace with a private /run
// (see main.cpp).
#include "error.hpp"
#include "exec.hpp"
#include "fd.hpp"
#include "netns.hpp"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/magic.h>
#include <linux/seccomp.h>
#include <sstream>
#include <string>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using nsvpn::ExecOptions;
using nsvpn::Fd;
using nsvpn::StepError;

ino_t inode_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) < 0)
        return 0;
    return st.st_ino;
}

ino_t own_netns() {
    return inode_of("/proc/thread-self/ns/net");
}

bool is_nsfs(const std::string& path) {
    struct statfs fs {};
    return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == NSFS_MAGIC;
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    ASSERT_TRUE(out.good()) << path;
}

// The mounts on PATH in our mount table.
int mounts_on(const std::string& path) {
    std::istringstream table(read_file("/proc/self/mountinfo"));
    int n = 0;
    for (std::string line; std::getline(table, line);) {
        std::istringstream fields(line);
        std::string id, parent, dev, root, point;
        fields >> id >> parent >> dev >> root >> point;
        n += point == path;
    }
    return n;
}

// A shell command's exit status and output.
struct Ran {
    int status = -1;
    std::string out;
};

Ran shell(const std::string& command) {
    Ran ran;
    FILE* p = ::popen(command.c_str(), "r");
    if (!p)
        return ran;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
        ran.out.append(buf, n);
    int st = ::pclose(p);
    ran.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return ran;
}

std::string contents(int fd) {
    std::string s;
    char buf[4096];
    for (off_t at = 0;;) {
        ssize_t n = ::pread(fd, buf, sizeof buf, at);
        if (n <= 0)
            return s;
        s.append(buf, static_cast<std::size_t>(n));
        at += n;
    }
}

// run_exec in a child (it changes the namespaces of its process), its stdout
// and stderr in memory files; the exit status of the child (the command's, or
// run_exec's return value).
struct Exec {
    int status = -1;
    std::string out, err;
};

Exec exec_in_child(const ExecOptions& options, const std::function<void()>& before = {}) {
    Exec result;
    Fd out(::memfd_create("exec-out", MFD_CLOEXEC));
    Fd err(::memfd_create("exec-err", MFD_CLOEXEC));
    if (!out || !err)
        return result;
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid < 0)
        return result;
    if (pid == 0) {
        ::dup2(out.get(), 1);
        ::dup2(err.get(), 2);
        if (before)
            before();
        ::_exit(nsvpn::run_exec(options));
    }
    int st = 0;
    if (::waitpid(pid, &st, 0) == pid && WIFEXITED(st))
        result.status = WEXITSTATUS(st);
    result.out = contents(out.get());
    result.err = contents(err.get());
    return result;
}

// A listening unix socket at PATH (the directories made), as a resolver has.
Fd listen_at(const std::string& path) {
    std::string dir = path.substr(0, path.rfind('/'));
    shell("mkdir -p " + dir);
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    if (!fd || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
        ::listen(fd.get(), 1) < 0)
        return Fd();
    return fd;
}

bool is_socket(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

// ---------------------------------------------------------------- namespaces

class NetnsTest : public ::testing::Test {
  protected:
    void TearDown() override {
        for (const auto& name : made_)
            nsvpn::netns_delete(name);
    }
    // NAME, deleted after the test
    std::string track(const std::string& name) {
        made_.push_back(name);
        return name;
    }

  private:
    std::vector<std::string> made_;
};

TEST_F(NetnsTest, AddMakesAnNsfsMountOfANewNamespace) {
    const std::string name = track("t-add");
    const ino_t ours = own_netns();
    ASSERT_FALSE(nsvpn::netns_exists(name));

    nsvpn::netns_add(name);

    const std::string path = nsvpn::netns_file(name);
    EXPECT_EQ(path, "/run/netns/t-add");
    EXPECT_TRUE(is_nsfs(path));
    EXPECT_TRUE(nsvpn::netns_exists(name));
    EXPECT_NE(inode_of(path), 0u);
    EXPECT_NE(inode_of(path), ours);
    EXPECT_EQ(own_netns(), ours) << "the caller's namespace changed";
    EXPECT_EQ(mounts_on(path), 1);
    // /run/netns is a shared mount point, as iproute2 makes it
    std::istringstream table(read_file("/proc/self/mountinfo"));
    bool shared = false;
    for (std::string line; std::getline(table, line);)
        if (line.find(" /run/netns ") != std::string::npos &&
            line.find(" shared:") != std::string::npos)
            shared = true;
    EXPECT_TRUE(shared) << read_file("/proc/self/mountinfo");
}

TEST_F(NetnsTest, AddTwiceKeepsTheNamespace) {
    const std::string name = track("t-twice");
    nsvpn::netns_add(name);
    const ino_t first = inode_of(nsvpn::netns_file(name));
    nsvpn::netns_add(name);
    EXPECT_EQ(inode_of(nsvpn::netns_file(name)), first);
    EXPECT_EQ(mounts_on(nsvpn::netns_file(name)), 1);
}

TEST_F(NetnsTest, DeleteTwiceSucceeds) {
    const std::string name = "t-delete";
    nsvpn::netns_add(name);
    ASSERT_TRUE(nsvpn::netns_exists(name));
    nsvpn::netns_delete(name);
    EXPECT_FALSE(nsvpn::netns_exists(name));
    EXPECT_FALSE(exists(nsvpn::netns_file(name)));
    EXPECT_EQ(mounts_on(nsvpn::netns_file(name)), 0);
    EXPECT_NO_THROW(nsvpn::netns_delete(name));
    EXPECT_NO_THROW(nsvpn::netns_delete("t-never-made"));
}

TEST_F(NetnsTest, AddReusesAStaleFileLeftByACrash) {
    const std::string name = track("t-stale");
    const std::string path = nsvpn::netns_file(name);
    Fd stale(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL, 0));
    ASSERT_TRUE(stale);
    stale.reset();
    EXPECT_FALSE(nsvpn::netns_exists(name));
    EXPECT_THROW(nsvpn::open_netns(name), StepError); // not a namespace yet

    nsvpn::netns_add(name);
    EXPECT_TRUE(is_nsfs(path));
    EXPECT_NE(inode_of(path), own_netns());
    EXPECT_NO_THROW(nsvpn::open_netns(name));
}

// Runs FN in a child where unshare() fails with EPERM (a seccomp filter); the
// child's exit status, or -1.
int with_unshare_denied(const std::function<int()>& fn) {
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        sock_filter code[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        sock_fprog prog{sizeof code / sizeof code[0], code};
        if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
            ::_exit(99);
        ::_exit(fn());
    }
    int st = 0;
    if (::waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

TEST_F(NetnsTest, FailedAddRemovesTheFileItMadeOnly) {
    const std::string path = nsvpn::netns_file(track("t-fail"));
    auto add_fails = [] {
        try {
            nsvpn::netns_add("t-fail");
            return 1;
        } catch (const StepError& e) {
            return std::string(e.what()) ==
                           "create network namespace t-fail: Operation not permitted"
                       ? 0
                       : 2;
        }
    };
    EXPECT_EQ(with_unshare_denied(add_fails), 0);
    EXPECT_FALSE(exists(path)) << "the file this add made is left";

    // a stale file from before is not this call's to remove
    Fd stale(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL, 0));
    ASSERT_TRUE(stale);
    stale.reset();
    EXPECT_EQ(with_unshare_denied(add_fails), 0);
    EXPECT_TRUE(exists(path));
    nsvpn::netns_delete("t-fail");
    EXPECT_FALSE(exists(path));
}

TEST_F(NetnsTest, ConcurrentAddsMakeOneNamespace) {
    const std::string name = track("t-race");
    constexpr int children = 8;
    int go[2], seen[2];
    ASSERT_EQ(::pipe(go), 0);
    ASSERT_EQ(::pipe(seen), 0);
    std::fflush(nullptr);
    std::vector<pid_t> pids;
    for (int i = 0; i < children; ++i) {
        pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            ::close(go[1]);
            char c;
            (void)!::read(go[0], &c, 1); // all start when the parent closes go[1]
            int rc = 0;
            try {
                nsvpn::netns_add(name);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "child: %s\n", e.what());
                rc = 1;
            }
            ino_t ino = inode_of(nsvpn::netns_file(name));
            (void)!::write(seen[1], &ino, sizeof ino);
            ::_exit(rc);
        }
        pids.push_back(pid);
    }
    ::close(go[0]);
    ::close(go[1]);
    ::close(seen[1]);
    for (pid_t pid : pids) {
        int st = 0;
        ASSERT_EQ(::waitpid(pid, &st, 0), pid);
        EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    std::vector<ino_t> inodes;
    for (ino_t ino; ::read(seen[0], &ino, sizeof ino) == sizeof ino;)
        inodes.push_back(ino);
    ::close(seen[0]);
    ASSERT_EQ(inodes.size(), static_cast<std::size_t>(children));
    const ino_t now = inode_of(nsvpn::netns_file(name));
    EXPECT_NE(now, own_netns());
    for (ino_t ino : inodes)
        EXPECT_EQ(ino, now);
    EXPECT_EQ(mounts_on(nsvpn::netns_file(name)), 1);
    EXPECT_EQ(mounts_on(nsvpn::netns_dir()), 1);
}

TEST_F(NetnsTest, Iproute2SeesOursAndWeSeeItsOwn) {
    const std::string name = track("t-ip");
    nsvpn::netns_add(name);
    Ran list = shell("ip netns list");
    EXPECT_EQ(list.status, 0);
    EXPECT_NE(list.out.find("t-ip"), std::string::npos) << list.out;
    // ip netns exec runs in our namespace
    Ran inside = shell("ip netns exec t-ip readlink /proc/self/ns/net");
    EXPECT_EQ(inside.status, 0);
    EXPECT_EQ(inside.out, "net:[" + std::to_string(inode_of(nsvpn::netns_file(name))) + "]\n");
    EXPECT_EQ(shell("ip netns exec t-ip true").status, 0);

    // and one made by ip is ours to use and delete
    ASSERT_EQ(shell("ip netns add t-by-ip").status, 0);
    EXPECT_TRUE(nsvpn::netns_exists("t-by-ip"));
    EXPECT_NO_THROW(nsvpn::open_netns("t-by-ip"));
    EXPECT_NO_THROW(nsvpn::netns_add("t-by-ip"));
    nsvpn::netns_delete("t-by-ip");
    EXPECT_EQ(shell("ip netns list").out.find("t-by-ip"), std::string::npos);
    EXPECT_FALSE(exists(nsvpn::netns_file("t-by-ip")));
}

TEST_F(NetnsTest, InNetnsSwitchesTheThreadAndBack) {
    const std::string name = track("t-in");
    nsvpn::netns_add(name);
    const ino_t ours = own_netns();
    const ino_t theirs = inode_of(nsvpn::netns_file(name));
    ASSERT_NE(ours, theirs);
    {
        Fd fd = nsvpn::open_netns(name);
        nsvpn::InNetns in(fd.get());
        EXPECT_EQ(own_netns(), theirs);
    }
    EXPECT_EQ(own_netns(), ours);
}

TEST_F(NetnsTest, InNetnsOfANonNamespaceThrowsAndStays) {
    const ino_t ours = own_netns();
    Fd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(null);
    EXPECT_THROW(nsvpn::InNetns in(null.get()), StepError);
    EXPECT_EQ(own_netns(), ours);
}

TEST_F(NetnsTest, OpenMissingNamespaceNamesIt) {
    try {
        nsvpn::open_netns("t-missing");
        FAIL() << "no exception";
    } catch (const StepError& e) {
        EXPECT_STREQ(e.what(), "open namespace t-missing: No such file or directory");
    }
    EXPECT_FALSE(nsvpn::netns_exists("t-missing"));
}

TEST_F(NetnsTest, OpenGivesTheNamespace) {
    const std::string name = track("t-open");
    nsvpn::netns_add(name);
    Fd fd = nsvpn::open_netns(name);
    ASSERT_TRUE(fd);
    struct stat st {};
    ASSERT_EQ(::fstat(fd.get(), &st), 0);
    EXPECT_EQ(st.st_ino, inode_of(nsvpn::netns_file(name)));
    EXPECT_TRUE(::fcntl(fd.get(), F_GETFD) & FD_CLOEXEC);
}

TEST_F(NetnsTest, NamesThatLeaveTheDirectoryAreRefused) {
    for (const char* bad : {"a/b", "..", ".", "../netns", "x..y", "", "/etc"}) {
        EXPECT_THROW(nsvpn::netns_add(bad), StepError) << bad;
        EXPECT_THROW(nsvpn::netns_delete(bad), StepError) << bad;
        EXPECT_THROW(nsvpn::open_netns(bad), StepError) << bad;
        EXPECT_FALSE(nsvpn::netns_exists(bad)) << bad;
    }
    EXPECT_FALSE(exists("/run/a"));
    EXPECT_FALSE(exists("/run/netns/a"));
}

// ---------------------------------------------------------------- exec

class ExecTest : public ::testing::Test {
  protected:
    static constexpr const char* name = "t-exec";
    std::string state = std::string("/run/nsvpn/") + name;

    void SetUp() override {
        nsvpn::netns_add(name);
        ASSERT_EQ(::mkdir(state.c_str(), 0755), 0);
        write_file(state + "/resolv.conf", "nameserver 192.0.2.53\n");
        write_file(state + "/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n");
        host_resolv_ = read_file("/etc/resolv.conf");
        host_nsswitch_ = read_file("/etc/nsswitch.conf");
        host_mounts_ = read_file("/proc/self/mountinfo");
        host_netns_ = own_netns();
    }
    void TearDown() override {
        // nothing of the child's reached the test process
        EXPECT_EQ(read_file("/etc/resolv.conf"), host_resolv_);
        EXPECT_EQ(read_file("/etc/nsswitch.conf"), host_nsswitch_);
        EXPECT_EQ(read_file("/proc/self/mountinfo"), host_mounts_);
        EXPECT_EQ(own_netns(), host_netns_);
        shell("rm -rf " + state);
        nsvpn::netns_delete(name);
    }

    ExecOptions options(std::vector<std::string> command) const {
        ExecOptions o;
        o.name = name;
        o.command = std::move(command);
        return o;
    }

  private:
    std::string host_resolv_, host_nsswitch_, host_mounts_;
    ino_t host_netns_ = 0;
};

TEST_F(ExecTest, CommandSeesTheVpnsDns) {
    ASSERT_EQ(read_file("/etc/resolv.conf").find("192.0.2.53"), std::string::npos)
        << "the host's resolv.conf already names the test's server";
    Exec r = exec_in_child(options({"cat", "/etc/resolv.conf", "/etc/nsswitch.conf"}));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "nameserver 192.0.2.53\npasswd: files\ngroup: files\nhosts: files dns\n");
}

TEST_F(ExecTest, DnsFilesAreReadOnly) {
    Exec r = exec_in_child(
        options({"sh", "-c", "echo nameserver 198.51.100.1 > /etc/resolv.conf || echo refused"}));
    EXPECT_EQ(r.out, "refused\n") << r.err;
    EXPECT_EQ(read_file(state + "/resolv.conf"), "nameserver 192.0.2.53\n");
}

TEST_F(ExecTest, CommandRunsInTheNamespace) {
    Exec r = exec_in_child(options({"readlink", "/proc/self/ns/net"}));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "net:[" + std::to_string(inode_of(nsvpn::netns_file(name))) + "]\n");
}

TEST_F(ExecTest, SysShowsTheNamespacesLinks) {
    // a veth pair whose inner end is in the namespace (no dummy module here)
    ASSERT_EQ(shell("ip link add t-exec-out type veth peer name t-exec-in netns t-exec").status, 0);
    Exec r = exec_in_child(options({"ls", "/sys/class/net"}));
    shell("ip link del t-exec-out");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "lo\nt-exec-in\n");
}

TEST_F(ExecTest, UserDropsEverything) {
    for (const char* who : {"nobody", "65534"}) {
        ExecOptions o = options({"sh", "-c",
                                 "grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapAmb):' "
                                 "/proc/self/status; echo $HOME $USER $LOGNAME"});
        o.user = who;
        Exec r = exec_in_child(o);
        EXPECT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(r.out, "Uid:\t65534\t65534\t65534\t65534\n"
                         "Gid:\t65534\t65534\t65534\t65534\n"
                         "Groups:\t65534 \n"
                         "CapInh:\t0000000000000000\n"
                         "CapPrm:\t0000000000000000\n"
                         "CapEff:\t0000000000000000\n"
                         "CapAmb:\t0000000000000000\n"
                         "/nonexistent nobody nobody\n")
            << who;
    }
}

TEST_F(ExecTest, UserGetsNoInheritableCapabilities) {
    ExecOptions o = options({"grep", "^CapInh:", "/proc/self/status"});
    o.user = "nobody";
    // the caller has CAP_NET_RAW inheritable, which setuid() alone would keep
    auto raise = [] {
        __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
        __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
        if (::syscall(SYS_capget, &header, data) < 0)
            ::_exit(90);
        data[0].inheritable |= 1u << CAP_NET_RAW;
        if (::syscall(SYS_capset, &header, data) < 0)
            ::_exit(91);
    };
    Exec r = exec_in_child(o, raise);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "CapInh:\t0000000000000000\n");
    o.user.reset(); // and the raise did take effect
    EXPECT_EQ(exec_in_child(o, raise).out, "CapInh:\t0000000000002000\n");
}

TEST_F(ExecTest, MountsDoNotPropagateBackFromASharedRoot) {
    // As on a systemd host, where / is shared: without the slave step, the
    // child's binds would appear in the caller's mount table.
    ASSERT_EQ(::mount(nullptr, "/", nullptr, MS_SHARED, nullptr), 0);
    Exec r = exec_in_child(options({"cat", "/etc/resolv.conf"}));
    const int resolv_mounts = mounts_on("/etc/resolv.conf");
    const int nsswitch_mounts = mounts_on("/etc/nsswitch.conf");
    ASSERT_EQ(::mount(nullptr, "/", nullptr, MS_PRIVATE, nullptr), 0);
    for (const char* leaked : {"/etc/resolv.conf", "/etc/nsswitch.conf"})
        while (mounts_on(leaked) > 0 && ::umount2(leaked, MNT_DETACH) == 0) {
        }
    EXPECT_EQ(r.out, "nameserver 192.0.2.53\n") << r.err;
    EXPECT_EQ(resolv_mounts, 0);
    EXPECT_EQ(nsswitch_mounts, 0);
    // the mount table is compared with the one before in TearDown
}

TEST_F(ExecTest, WithoutUserStaysRoot) {
    Exec r = exec_in_child(options({"id", "-u"}));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "0\n");
}

TEST_F(ExecTest, NoNewPrivsOnlyWhenAsked) {
    ExecOptions o = options({"grep", "^NoNewPrivs:", "/proc/self/status"});
    o.user = "nobody";
    EXPECT_EQ(exec_in_child(o).out, "NoNewPrivs:\t0\n");
    o.no_new_privs = true;
    EXPECT_EQ(exec_in_child(o).out, "NoNewPrivs:\t1\n");
}

TEST_F(ExecTest, HostResolverSocketsAreHidden) {
    Fd nscd = listen_at("/run/nscd/socket");
    Fd resolved = listen_at("/run/systemd/resolve/io.systemd.Resolve");
    ASSERT_TRUE(nscd && resolved);
    Exec r = exec_in_child(
        options({"sh", "-c",
                 "test -c /run/nscd/socket && test -c /run/systemd/resolve/io.systemd.Resolve && "
                 "echo hidden"}));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "hidden\n");
    EXPECT_TRUE(is_socket("/run/nscd/socket"));
    EXPECT_TRUE(is_socket("/run/systemd/resolve/io.systemd.Resolve"));
    shell("rm -rf /run/nscd /run/systemd");
}

TEST_F(ExecTest, MissingResolvConfFailsWithoutRunningTheCommand) {
    for (const char* file : {"resolv.conf", "nsswitch.conf"}) {
        const std::string path = state + "/" + file;
        const std::string saved = read_file(path);
        ASSERT_EQ(::unlink(path.c_str()), 0);
        Exec r = exec_in_child(options({"echo", "ran"}));
        EXPECT_EQ(r.status, 1) << file;
        EXPECT_EQ(r.out, "") << file;
        EXPECT_NE(r.err.find(path + " is missing: the VPN is not up"), std::string::npos) << r.err;
        write_file(path, saved);
    }
}

TEST_F(ExecTest, MissingNamespaceFails) {
    ExecOptions o = options({"echo", "ran"});
    o.name = "t-exec-missing";
    Exec r = exec_in_child(o);
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("open namespace t-exec-missing: No such file or directory"),
              std::string::npos)
        << r.err;
}

TEST_F(ExecTest, UnknownUserFails) {
    ExecOptions o = options({"echo", "ran"});
    o.user = "nsvpn-no-such-user";
    Exec r = exec_in_child(o);
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "nsvpn exec: look up user nsvpn-no-such-user: no such user\n");
}

TEST_F(ExecTest, CommandNotFoundIs127) {
    Exec r = exec_in_child(options({"nsvpn-no-such-command"}));
    EXPECT_EQ(r.status, 127);
    EXPECT_EQ(r.err, "nsvpn exec: nsvpn-no-such-command: No such file or directory\n");
}

TEST_F(ExecTest, NoCommandIsAUsageError) {
    Exec r = exec_in_child(options({}));
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.out, "");
}

TEST_F(ExecTest, ExitStatusIsTheCommands) {
    Exec r = exec_in_child(options({"sh", "-c", "exit 7"}));
    EXPECT_EQ(r.status, 7);
}

} // namespace
