// Where a generator's messages go: the kernel log (and so the journal) when it
// can be written; else, when systemd runs the generator (SYSTEMD_SCOPE is set),
// the journal's socket if journald is running (a container has no /dev/kmsg);
// stderr otherwise, or when SYSTEMD_LOG_TARGET=console|stderr.
#pragma once

#include <string>

namespace nsvpn {

enum class LogLevel { Error = 3, Warning = 4, Info = 6 };

class GeneratorLog {
  public:
    GeneratorLog();
    ~GeneratorLog();
    GeneratorLog(const GeneratorLog&) = delete;
    GeneratorLog& operator=(const GeneratorLog&) = delete;
    void write(LogLevel level, const std::string& message);

  private:
    int kmsg_ = -1;
    int journal_ = -1;
};

} // namespace nsvpn
