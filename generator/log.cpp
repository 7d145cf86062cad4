#include "log.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace nsvpn {

namespace {

// The journal's native socket, connected; -1 when there is none (journald not
// running yet, as at boot, or not at all)
int connect_journal() {
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, "/run/systemd/journal/socket");
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

} // namespace

GeneratorLog::GeneratorLog() {
    const char* target = std::getenv("SYSTEMD_LOG_TARGET");
    bool console =
        target && (std::strcmp(target, "console") == 0 || std::strcmp(target, "stderr") == 0);
    if (console)
        return;
    kmsg_ = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
    // A container has no /dev/kmsg (systemd-nspawn hides it) and PID 1 gives
    // generators /dev/null as stderr: when systemd runs us (it sets SYSTEMD_SCOPE
    // for generators), its journal takes the messages instead.
    if (kmsg_ < 0 && std::getenv("SYSTEMD_SCOPE"))
        journal_ = connect_journal();
}

GeneratorLog::~GeneratorLog() {
    if (kmsg_ >= 0)
        close(kmsg_);
    if (journal_ >= 0)
        close(journal_);
}

void GeneratorLog::write(LogLevel level, const std::string& message) {
    if (kmsg_ >= 0) {
        std::string line =
            "<" + std::to_string(static_cast<int>(level)) + ">nsvpn-generator: " + message + "\n";
        if (::write(kmsg_, line.data(), line.size()) == static_cast<ssize_t>(line.size()))
            return;
    }
    if (journal_ >= 0) {
        // the native protocol: one field a line, so the message keeps to one line
        std::string entry = "PRIORITY=" + std::to_string(static_cast<int>(level)) +
                            "\nSYSLOG_IDENTIFIER=nsvpn-generator\nMESSAGE=";
        for (char c : message)
            entry += c == '\n' ? ' ' : c;
        entry += '\n';
        if (::send(journal_, entry.data(), entry.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(entry.size()))
            return;
    }
    std::fprintf(stderr, "nsvpn-generator: %s\n", message.c_str());
}

} // namespace nsvpn
