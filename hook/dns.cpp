#include "dns.hpp"

#include "error.hpp"
#include "fd.hpp"

#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace nsvpn {

std::string resolv_conf_text(const Config& c) {
    std::string s = "# Written by nsvpn up " + c.name + " from " + c.source.file + "\n";
    for (const auto& ns : c.interface.dns_servers)
        s += "nameserver " + ns.value.text() + "\n";
    if (!c.interface.dns_search.empty()) {
        s += "search";
        for (const auto& d : c.interface.dns_search)
            s += " " + d.value;
        s += "\n";
    }
    return s;
}

std::string nsswitch_text(const std::string& host) {
    const std::string hosts = "hosts: files dns\n";
    if (host.empty())
        return "# Written by nsvpn: only /etc/hosts and the VPN's name servers\n"
               "passwd: files\ngroup: files\nshadow: files\n" +
               hosts;
    std::istringstream in(host);
    std::string line, out = "# The host's nsswitch.conf, with a hosts: line of nsvpn's\n";
    bool replaced = false;
    while (std::getline(in, line)) {
        auto start = line.find_first_not_of(" \t");
        if (start != std::string::npos && line.compare(start, 6, "hosts:") == 0) {
            if (!replaced)
                out += hosts;
            replaced = true;
            continue;
        }
        out += line + "\n";
    }
    if (!replaced)
        out += hosts;
    return out;
}

void write_file_atomically(const std::string& path, const std::string& text) {
    std::string tmp = path + ".tmp";
    Fd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!fd)
        throw system_error("write " + tmp);
    if (fchmod(fd.get(), 0644) < 0 ||
        write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        throw system_error("write " + tmp);
    fd.reset();
    if (rename(tmp.c_str(), path.c_str()) < 0)
        throw system_error("write " + path);
}

} // namespace nsvpn
