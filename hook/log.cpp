#include "log.hpp"

#include <cstdio>
#include <cstdlib>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

namespace nsvpn {

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
    if (journal) {
        sd_journal_send("MESSAGE=%s", message.c_str(), "PRIORITY=%i", priority,
                        "NSVPN_NAMESPACE=%s", vpn.c_str(), "SYSLOG_IDENTIFIER=nsvpn", nullptr);
        return;
    }
    const char* level = priority <= LOG_ERR       ? "error: "
                        : priority == LOG_WARNING ? "warning: "
                                                  : "";
    std::fprintf(stderr, "nsvpn %s: %s%s\n", vpn.c_str(), level, message.c_str());
}

void notify(const std::string& state) {
    sd_notify(0, state.c_str());
}

} // namespace nsvpn
