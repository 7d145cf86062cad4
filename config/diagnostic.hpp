// Errors and warnings about configuration, each naming file, line and key.
#pragma once

#include <string>
#include <vector>

namespace nsvpn {

enum class Severity { Warning, Error };

// What went wrong, for callers (and tests) that act on the class of a problem.
enum class Problem {
    Io,             // a file could not be read (a runtime failure, not a config error)
    Syntax,         // a line that is neither a section header nor Key = Value
    LineTooLong,    // longer than nsvpn reads
    UnknownSection, // [Something] nsvpn does not know
    UnknownKey,     // a key its section does not have
    OutsideSection, // Key = Value before any section header
    BadValue,       // a value of the wrong form
    Duplicate,      // a single-valued key set twice in one file, or a repeated peer
    Missing,        // a required key or section is absent
    Conflict,       // keys or files that contradict each other
    BadName,        // NAME of NAME.conf is not a valid name
    Ignored,        // accepted but without effect (warnings)
    Insecure,       // secrets readable by others (warnings)
};

struct Diagnostic {
    Severity severity = Severity::Error;
    Problem problem = Problem::BadValue;
    std::string file;
    unsigned line = 0; // 0: the file as a whole
    std::string key;   // "Address", "[Peer]", or empty
    std::string message;

    // "FILE:LINE: KEY: message", leaving out what is unknown.
    std::string format() const;
};

class Diagnostics {
  public:
    void add(Diagnostic d) { list_.push_back(std::move(d)); }
    void error(Problem p, std::string file, unsigned line, std::string key, std::string message) {
        add({Severity::Error, p, std::move(file), line, std::move(key), std::move(message)});
    }
    void warning(Problem p, std::string file, unsigned line, std::string key, std::string message) {
        add({Severity::Warning, p, std::move(file), line, std::move(key), std::move(message)});
    }
    void append(const Diagnostics& other) {
        list_.insert(list_.end(), other.list_.begin(), other.list_.end());
    }
    bool has_errors() const;
    bool has_io_errors() const;
    const std::vector<Diagnostic>& list() const { return list_; }

  private:
    std::vector<Diagnostic> list_;
};

} // namespace nsvpn
