// Messages of the helper: to the journal with NSVPN_NAMESPACE=NAME when systemd
// runs it (its stderr is the journal stream), to stderr otherwise.
#pragma once

#include <string>
#include <string_view>
#include <syslog.h>

namespace nsvpn {

void log_message(int priority, const std::string& vpn, const std::string& message);
inline void log_info(const std::string& vpn, const std::string& m) {
    log_message(LOG_INFO, vpn, m);
}
inline void log_warning(const std::string& vpn, const std::string& m) {
    log_message(LOG_WARNING, vpn, m);
}
inline void log_error(const std::string& vpn, const std::string& m) {
    log_message(LOG_ERR, vpn, m);
}

// Whether stderr is the journal (systemd's JOURNAL_STREAM names its device and inode).
bool stderr_is_journal();

// Tells systemd (when it waits for us) our state: READY=1, STATUS=... A datagram to
// $NOTIFY_SOCKET (a path, or "@name" in the abstract namespace); no-op without it.
void notify(const std::string& state);

// One entry of the journal's native protocol: MESSAGE=, PRIORITY=, NSVPN_NAMESPACE=,
// SYSLOG_IDENTIFIER=nsvpn, each "KEY=value\n", or for a value that holds a newline
// "KEY\n", its length as 64-bit little-endian, the value, "\n".
std::string journal_entry(int priority, const std::string& vpn, const std::string& message);

} // namespace nsvpn
