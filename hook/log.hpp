// Messages of the helper: to the journal with NSVPN_NAMESPACE=NAME when systemd
// runs it (its stderr is the journal stream), to stderr otherwise.
#pragma once

#include <string>
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

// Tells systemd (when it waits for us) our state: READY=1, STATUS=... No-op otherwise.
void notify(const std::string& state);

} // namespace nsvpn
