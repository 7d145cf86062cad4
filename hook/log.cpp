// The journal's native protocol and the service manager's notification protocol
// are each one datagram on a unix socket; speaking them here rather than through
// libsystemd spares every start of nsvpn the loading of libsystemd and the six
// libraries it pulls in (see bench/README.md).
#include "log.hpp"

#include "fd.hpp"

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

namespace nsvpn {

namespace {

// Sends one datagram to the unix socket at address ("@..." is in the abstract
// namespace, as in $NOTIFY_SOCKET). Returns whether it was sent.
bool send_datagram(std::string_view address, std::string_view data) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (address.size() < 2 || address.size() >= sizeof sa.sun_path ||
        (address[0] != '/' && address[0] != '@'))
        return false;
    std::memcpy(sa.sun_path, address.data(), address.size());
    if (sa.sun_path[0] == '@')
        sa.sun_path[0] = '\0';
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size());
    Fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd)
        return false;
    ssize_t n;
    do
        n = ::sendto(fd.get(), data.data(), data.size(), MSG_NOSIGNAL,
                     reinterpret_cast<const sockaddr*>(&sa), len);
    while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(data.size());
}

void append_journal_field(std::string& out, std::string_view key, std::string_view value) {
    out.append(key);
    if (value.find('\n') == std::string_view::npos) {
        out.push_back('=');
        out.append(value);
    } else {
        // KEY, newline, the value's length as 64-bit little-endian, the value
        out.push_back('\n');
        std::uint64_t size = value.size();
        for (int i = 0; i < 8; ++i)
            out.push_back(static_cast<char>(size >> (8 * i) & 0xff));
        out.append(value);
    }
    out.push_back('\n');
}

} // namespace

std::string journal_entry(int priority, const std::string& vpn, const std::string& message) {
    std::string entry;
    append_journal_field(entry, "MESSAGE", message);
    append_journal_field(entry, "PRIORITY", std::to_string(priority));
    append_journal_field(entry, "NSVPN_NAMESPACE", vpn);
    append_journal_field(entry, "SYSLOG_IDENTIFIER", "nsvpn");
    return entry;
}

bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (!stream)
        return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2)
        return false;
    struct stat st;
    return fstat(2, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

void log_message(int priority, const std::string& vpn, const std::string& message) {
    static const bool journal = stderr_is_journal();
    // Should the journal's socket refuse the entry, the message still reaches the
    // journal through stderr, only without its fields.
    if (journal &&
        send_datagram("/run/systemd/journal/socket", journal_entry(priority, vpn, message)))
        return;
    const char* level = priority <= LOG_ERR       ? "error: "
                        : priority == LOG_WARNING ? "warning: "
                                                  : "";
    std::fprintf(stderr, "nsvpn %s: %s%s\n", vpn.c_str(), level, message.c_str());
}

void notify(const std::string& state) {
    if (const char* socket = std::getenv("NOTIFY_SOCKET"))
        send_datagram(socket, state);
}

} // namespace nsvpn
