#include "log.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace nsvpn {

GeneratorLog::GeneratorLog() {
    const char* target = std::getenv("SYSTEMD_LOG_TARGET");
    bool console =
        target && (std::strcmp(target, "console") == 0 || std::strcmp(target, "stderr") == 0);
    if (!console)
        kmsg_ = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
}

GeneratorLog::~GeneratorLog() {
    if (kmsg_ >= 0)
        close(kmsg_);
}

void GeneratorLog::write(LogLevel level, const std::string& message) {
    if (kmsg_ >= 0) {
        std::string line =
            "<" + std::to_string(static_cast<int>(level)) + ">nsvpn-generator: " + message + "\n";
        if (::write(kmsg_, line.data(), line.size()) == static_cast<ssize_t>(line.size()))
            return;
    }
    std::fprintf(stderr, "nsvpn-generator: %s\n", message.c_str());
}

} // namespace nsvpn
