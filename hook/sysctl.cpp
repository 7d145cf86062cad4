#include "sysctl.hpp"

#include "error.hpp"
#include "fd.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace nsvpn {

std::string read_sysctl(const std::string& path) {
    Fd fd(open(("/proc/sys/" + path).c_str(), O_RDONLY | O_CLOEXEC));
    char buf[32] = {};
    if (!fd || read(fd.get(), buf, sizeof buf - 1) < 0)
        throw system_error("read " + path);
    std::string s(buf);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

void write_sysctl(const std::string& path, const std::string& value) {
    Fd fd(open(("/proc/sys/" + path).c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd || write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
        throw system_error("set " + path + " to " + value);
}

bool sysctl_exists(const std::string& path) {
    return access(("/proc/sys/" + path).c_str(), F_OK) == 0;
}

} // namespace nsvpn
