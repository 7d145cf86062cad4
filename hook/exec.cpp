// nsvpn exec: `ip netns exec NAME sudo -u USER CMD` in one step, with the VPN's
// DNS in place of the host's.
#include "exec.hpp"

#include "../config/text.hpp"
#include "error.hpp"
#include "fd.hpp"
#include "netns.hpp"
#include "state.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace nsvpn {

namespace {

// Sockets through which a lookup would reach a resolver of the host (and so go
// around the tunnel); hidden under /dev/null when present.
constexpr const char* host_resolver_sockets[] = {
    "/run/nscd/socket",
    "/run/systemd/resolve/io.systemd.Resolve",
};

struct User {
    std::string name, home, shell;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
};

// getpwnam_r, or getpwuid_r for a number that names nobody; the user, the
// home and shell copied out of the buffer.
User lookup_user(const std::string& spec) {
    const std::string step = "look up user " + spec;
    long hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buf(hint > 0 ? static_cast<std::size_t>(hint) : 16384);
    struct passwd pw {};
    struct passwd* found = nullptr;
    auto lookup = [&](auto&& call) {
        for (;;) {
            int rc = call();
            if (rc == ERANGE && buf.size() < (1u << 20)) {
                buf.resize(buf.size() * 2);
                continue;
            }
            // "not found" comes as 0 with no result, or, from some modules, one of these
            if (rc != 0 && rc != ENOENT && rc != ESRCH && rc != EBADF && rc != EPERM)
                throw system_error(step, rc);
            if (rc != 0)
                found = nullptr;
            return;
        }
    };
    lookup([&] { return ::getpwnam_r(spec.c_str(), &pw, buf.data(), buf.size(), &found); });
    if (!found && all_digits(spec) && spec.size() <= 10) {
        unsigned long long n = std::strtoull(spec.c_str(), nullptr, 10);
        auto uid = static_cast<uid_t>(n);
        if (n == uid && uid != static_cast<uid_t>(-1))
            lookup([&] { return ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found); });
    }
    if (!found)
        throw StepError(step, "no such user");

    User user;
    user.name = pw.pw_name;
    user.uid = pw.pw_uid;
    user.gid = pw.pw_gid;
    user.home = pw.pw_dir && *pw.pw_dir ? pw.pw_dir : "/";
    user.shell = pw.pw_shell && *pw.pw_shell ? pw.pw_shell : "/bin/sh";

    int count = 32;
    for (int attempt = 0; attempt < 8; ++attempt) {
        user.groups.resize(static_cast<std::size_t>(count));
        int wanted = count;
        if (::getgrouplist(user.name.c_str(), user.gid, user.groups.data(), &wanted) >= 0) {
            user.groups.resize(static_cast<std::size_t>(wanted));
            return user;
        }
        count = wanted > count ? wanted : count * 2;
    }
    throw StepError("look up the groups of " + user.name, "too many groups");
}

// The DNS file FILE of the VPN, /run/nsvpn/NAME/FILE, which `up` writes; its absence means the VPN
// is not up, and then the command must not run (it would use the host's DNS).
std::string dns_file(const std::string& name, const char* file) {
    std::string path = runtime_dir_of(name) + "/" + file;
    struct stat st {};
    if (::stat(path.c_str(), &st) < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            throw StepError("use the DNS of VPN " + name,
                            path + " is missing: the VPN is not up (start wg-" + name +
                                ".service)");
        throw system_error("stat " + path);
    }
    if (!S_ISREG(st.st_mode))
        throw StepError("use the DNS of VPN " + name, path + " is not a regular file");
    return path;
}

// A sysfs of the namespace in place of the host's, as `ip netns exec` does, so
// that /sys/class/net lists the namespace's links. (Mounts below /sys, such as
// /sys/fs/cgroup, go with the old one, as with ip.)
void remount_sys() {
    unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    struct statvfs fs {};
    if (::statvfs("/sys", &fs) == 0 && (fs.f_flag & ST_RDONLY))
        flags |= MS_RDONLY; // a read-only /sys stays read-only
    // Not mounted is fine; busy or not allowed: the new one goes over it.
    ::umount2("/sys", MNT_DETACH);
    if (::mount("sysfs", "/sys", "sysfs", flags, nullptr) < 0)
        throw system_error("mount a sysfs of the namespace on /sys");
}

void bind_read_only(const std::string& source, const std::string& target) {
    if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) < 0)
        throw system_error("bind-mount " + source + " over " + target);
    if (::mount(nullptr, target.c_str(), nullptr,
                MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) < 0)
        throw system_error("make " + target + " read-only");
}

void hide_host_resolvers() {
    for (const char* socket : host_resolver_sockets) {
        struct stat st {};
        if (::lstat(socket, &st) < 0) {
            if (errno == ENOENT || errno == ENOTDIR)
                continue;
            throw system_error(std::string("stat ") + socket);
        }
        if (::mount("/dev/null", socket, nullptr, MS_BIND, nullptr) < 0)
            throw system_error(std::string("hide host resolver ") + socket);
    }
}

struct Capabilities {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
};

Capabilities get_capabilities() {
    Capabilities caps;
    if (::syscall(SYS_capget, &caps.header, caps.data) < 0)
        throw system_error("read the capabilities");
    return caps;
}

// Groups, gid, uid of USER; then a check that nothing of root is left.
void become(const User& user) {
    const std::string step = "become user " + user.name;
    // The inheritable and ambient sets survive setuid(); empty them so that no
    // capability can come back at the exec.
    Capabilities caps = get_capabilities();
    for (auto& d : caps.data)
        d.inheritable = 0;
    if (::syscall(SYS_capset, &caps.header, caps.data) < 0)
        throw system_error(step + ": clear the inheritable capabilities");
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        throw system_error(step + ": clear the ambient capabilities");

    if (::setgroups(user.groups.size(), user.groups.data()) < 0)
        throw system_error(step + ": setgroups");
    if (::setgid(user.gid) < 0)
        throw system_error(step + ": setgid");
    if (::setuid(user.uid) < 0)
        throw system_error(step + ": setuid");

    if (::getuid() != user.uid || ::geteuid() != user.uid || ::getgid() != user.gid ||
        ::getegid() != user.gid)
        throw StepError(step, "the user and group ids did not change");
    if (user.uid != 0) {
        if (::setuid(0) == 0)
            throw StepError(step, "root could be regained after setuid");
        Capabilities left = get_capabilities();
        for (const auto& d : left.data)
            if (d.effective || d.permitted || d.inheritable)
                throw StepError(step, "capabilities are left after setuid");
    }

    if (::setenv("HOME", user.home.c_str(), 1) < 0 || ::setenv("USER", user.name.c_str(), 1) < 0 ||
        ::setenv("LOGNAME", user.name.c_str(), 1) < 0 ||
        ::setenv("SHELL", user.shell.c_str(), 1) < 0)
        throw system_error(step + ": set the environment");
    // As the user: a home they cannot enter (or none, like nobody's) leaves the
    // working directory as it was.
    if (::chdir(user.home.c_str()) < 0) {
    }
}

// Everything before the exec; throws StepError.
void prepare(const ExecOptions& options) {
    const std::string& name = options.name;
    Fd netns;
    try {
        netns = open_netns(name);
    } catch (const StepError& e) {
        throw StepError(e.step(), e.reason() + " (is wg-" + name + ".service started?)");
    }
    const std::string resolv = dns_file(name, "resolv.conf");
    const std::string nsswitch = dns_file(name, "nsswitch.conf");
    // Before anything changes: the lookup reads the host's nsswitch.conf.
    std::optional<User> user;
    if (options.user)
        user = lookup_user(*options.user);

    if (::unshare(CLONE_NEWNS) < 0)
        throw system_error("create a mount namespace");
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) < 0)
        throw system_error("make / a recursive slave mount");
    if (::setns(netns.get(), CLONE_NEWNET) < 0)
        throw system_error("enter namespace " + name);
    netns.reset();

    remount_sys();
    bind_read_only(resolv, "/etc/resolv.conf");
    bind_read_only(nsswitch, "/etc/nsswitch.conf");
    hide_host_resolvers();

    if (user)
        become(*user);
    if (options.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        throw system_error("set no_new_privs");
}

} // namespace

int run_exec(const ExecOptions& options) {
    if (options.command.empty() || options.command.front().empty()) {
        std::fprintf(stderr, "nsvpn exec: no command given\n");
        return 2;
    }
    try {
        prepare(options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nsvpn exec: %s\n", e.what());
        return 1;
    }

    std::vector<char*> argv;
    argv.reserve(options.command.size() + 1);
    for (const auto& arg : options.command)
        argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    int err = errno;
    std::fprintf(stderr, "nsvpn exec: %s: %s\n", argv[0], std::strerror(err));
    return err == ENOENT || err == ENOTDIR ? 127 : 126;
}

} // namespace nsvpn
