// Named network namespaces, the way iproute2's `ip netns add/delete` makes them,
// so that `ip netns list/exec` see ours and we see theirs.
#include "netns.hpp"

#include "error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace nsvpn {

namespace {

// Callers validate names (1 to 32 of A-Za-z0-9_-); this only makes sure that a
// name can never point outside /run/netns.
void check_name(const std::string& name) {
    if (name.empty() || name == "." || name.find('/') != std::string::npos ||
        name.find("..") != std::string::npos || name.find('\0') != std::string::npos)
        throw StepError("namespace name \"" + name + "\"",
                        "not a valid name (no '/', no '..', not empty)");
}

bool valid_name(const std::string& name) {
    try {
        check_name(name);
        return true;
    } catch (const StepError&) {
        return false;
    }
}

bool is_nsfs(const std::string& path) {
    struct statfs fs {};
    return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == NSFS_MAGIC;
}

// mkdir -p DIR; a directory this call makes gets MODE whatever the umask.
void make_directories(const std::string& dir, mode_t mode) {
    for (std::size_t end = 1; end <= dir.size(); ++end) {
        if (end != dir.size() && dir[end] != '/')
            continue;
        std::string part = dir.substr(0, end);
        if (::mkdir(part.c_str(), mode) == 0) {
            if (::chmod(part.c_str(), mode) < 0)
                throw system_error("chmod " + part);
        } else if (errno != EEXIST) {
            throw system_error("create directory " + part);
        }
    }
}

// An exclusive flock on the namespace directory, held while alive. iproute2
// takes the same lock while it turns the directory into a shared mount point
// (Debian bug 949235: racing bind mounts of it pile up), and we hold it for the
// whole add or delete: a lock on the namespace file itself would not do, since
// once the namespace is bound over the file, an open of the path no longer finds
// the file that was locked.
class DirLock {
  public:
    explicit DirLock(const std::string& dir)
        : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
        if (!fd_)
            throw system_error("open " + dir);
        int rc;
        while ((rc = ::flock(fd_.get(), LOCK_EX)) < 0 && errno == EINTR) {
        }
        if (rc < 0)
            throw system_error("lock " + dir);
    }
    // closing the fd releases the lock

  private:
    Fd fd_;
};

// mount --make-shared DIR, first making DIR a mount point (a bind mount onto
// itself) when it is not one, as iproute2 does: then a namespace unmounted in one
// mount namespace is unmounted in all, and can be freed.
void make_shared_mount_point(const std::string& dir) {
    bool bound = false;
    while (::mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) < 0) {
        if (errno != EINVAL || bound)
            throw system_error("mount --make-shared " + dir);
        if (::mount(dir.c_str(), dir.c_str(), "none", MS_BIND | MS_REC, nullptr) < 0)
            throw system_error("mount --bind " + dir + " " + dir);
        bound = true;
    }
}

// A new network namespace, bind-mounted on PATH. The unshare happens in a thread
// of its own, so the caller's threads stay where they are.
void bind_new_namespace(const std::string& name, const std::string& path) {
    enum class Failed { nothing, unshare, mount } failed = Failed::nothing;
    int err = 0;
    try {
        std::thread worker([&] {
            if (::unshare(CLONE_NEWNET) < 0) {
                err = errno;
                failed = Failed::unshare;
            } else if (::mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND,
                               nullptr) < 0) { // /proc/self: the main thread's namespace
                err = errno;
                failed = Failed::mount;
            }
        });
        worker.join();
    } catch (const std::system_error& e) {
        throw StepError("create network namespace " + name, e.what());
    }
    if (failed == Failed::unshare)
        throw system_error("create network namespace " + name, err);
    if (failed == Failed::mount)
        throw system_error("bind-mount network namespace " + name + " on " + path, err);
}

} // namespace

std::string netns_dir() {
    return "/run/netns";
}

std::string netns_file(const std::string& name) {
    return netns_dir() + "/" + name;
}

void netns_add(const std::string& name) {
    check_name(name);
    const std::string dir = netns_dir();
    const std::string path = netns_file(name);

    make_directories(dir, 0755);
    DirLock lock(dir);
    make_shared_mount_point(dir);

    if (is_nsfs(path))
        return; // there already, or made by another add while we waited for the lock

    // Mode 0 as iproute2: the file is only a mount point. One left by a crash
    // between create and bind (an unmounted regular file) is reused.
    bool created = true;
    Fd file(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0));
    if (!file && errno == EEXIST) {
        created = false;
        file = Fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    }
    if (!file)
        throw system_error("create namespace file " + path);
    struct stat st {};
    if (::fstat(file.get(), &st) < 0)
        throw system_error("stat " + path);
    if (!S_ISREG(st.st_mode))
        throw StepError("create namespace file " + path,
                        "it exists and is neither a namespace nor a regular file");
    file.reset();

    try {
        bind_new_namespace(name, path);
    } catch (...) {
        if (created)
            ::unlink(path.c_str());
        throw;
    }
}

void netns_delete(const std::string& name) {
    check_name(name);
    const std::string dir = netns_dir();
    const std::string path = netns_file(name);

    if (::access(dir.c_str(), F_OK) < 0 && errno == ENOENT)
        return;
    DirLock lock(dir);
    // Normally one mount; more if someone stacked them. Not mounted: EINVAL.
    for (int i = 0; i < 64; ++i) {
        if (::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
            continue;
        if (errno == EINVAL || errno == ENOENT)
            break;
        throw system_error("unmount namespace " + path);
    }
    if (::unlink(path.c_str()) < 0 && errno != ENOENT)
        throw system_error("remove namespace file " + path);
}

bool netns_exists(const std::string& name) {
    return valid_name(name) && is_nsfs(netns_file(name));
}

Fd open_netns(const std::string& name) {
    check_name(name);
    const std::string step = "open namespace " + name;
    Fd fd(::open(netns_file(name).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        throw system_error(step);
    struct statfs fs {};
    if (::fstatfs(fd.get(), &fs) < 0)
        throw system_error(step);
    if (fs.f_type != NSFS_MAGIC)
        throw StepError(step, "not a mounted namespace file (left by an interrupted "
                              "`nsvpn netns add`?)");
    int type = ::ioctl(fd.get(), NS_GET_NSTYPE);
    if (type < 0 && errno != ENOTTY) // ENOTTY: a kernel older than 4.11
        throw system_error(step);
    if (type >= 0 && type != CLONE_NEWNET)
        throw StepError(step, "not a network namespace");
    return fd;
}

InNetns::InNetns(int netns_fd)
    : original_(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) {
    if (!original_)
        throw system_error("open the current network namespace");
    if (::setns(netns_fd, CLONE_NEWNET) < 0)
        throw system_error("enter network namespace");
}

InNetns::~InNetns() {
    // Going on in the wrong namespace would apply the host's changes to the
    // VPN's, or the other way round: stop instead.
    if (::setns(original_.get(), CLONE_NEWNET) < 0) {
        std::fprintf(stderr, "nsvpn: return to the original network namespace: %s\n",
                     std::strerror(errno));
        std::abort();
    }
}

} // namespace nsvpn
