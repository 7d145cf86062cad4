#include "ini.hpp"

#include "text.hpp"

#include <algorithm>
#include <cstring>
#include <ini.h>

namespace nsvpn {

namespace {

// Markers that stand in for characters inih would otherwise interpret. Control
// characters are refused in input, so they cannot clash.
constexpr char semicolon_marker = '\x1f';
constexpr char long_value_marker = '\x1e';
// Section and key names longer than this are unknown; it keeps them within inih's buffer.
constexpr std::size_t max_name_length = 40;

const char* const known_sections[] = {"Interface", "Peer", "Namespace", "Expose"};

// The key of a line that looks like "Key = ...", to name it in errors about the whole
// line; "" otherwise (never longer than a key can be, so never key material).
std::string key_of(std::string_view line) {
    line = trim(line);
    std::size_t n = 0;
    while (n < line.size() && n <= max_name_length &&
           ((line[n] >= 'a' && line[n] <= 'z') || (line[n] >= 'A' && line[n] <= 'Z') ||
            (line[n] >= '0' && line[n] <= '9')))
        ++n;
    if (n == 0 || n > max_name_length || !trim(line.substr(n)).starts_with('='))
        return "";
    return std::string(line.substr(0, n));
}

// One line as inih should see it: nothing, a [header], or key=value.
struct Normal {
    enum Kind { Nothing, Header, Pair } kind = Nothing;
    std::string_view first;  // header name or key
    std::string_view second; // value
};

struct Feeder {
    std::string_view text;
    std::size_t pos = 0;
    unsigned lineno = 0;
    const std::string& file;
    Diagnostics& diags;
    ParsedFile& out;
    std::vector<std::string> long_values;

    ~Feeder() {
        for (auto& v : long_values)
            explicit_bzero(v.data(), v.size());
    }

    // Turn one physical line into what inih should see.
    Normal normalise(std::string_view line) {
        if (lineno == 1 && line.starts_with("\xef\xbb\xbf"))
            line.remove_prefix(3);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.size() > max_line_length) {
            diags.error(Problem::LineTooLong, file, lineno, key_of(line),
                        "line is " + std::to_string(line.size()) +
                            " bytes long; nsvpn reads lines of at most " +
                            std::to_string(max_line_length) + " bytes");
            return {};
        }
        for (unsigned char c : line) {
            if ((c < ' ' && c != '\t') || c == 0x7f) {
                diags.error(Problem::Syntax, file, lineno, key_of(line),
                            "line contains a control character (expected printable text)");
                return {};
            }
        }
        // wg-quick: '#' starts a comment anywhere; ';' only at the start of a line
        if (auto hash = line.find('#'); hash != std::string_view::npos)
            line = line.substr(0, hash);
        line = trim(line);
        if (line.empty() || line.front() == ';')
            return {};
        if (line.front() == '[') {
            if (line.back() != ']' || line.size() < 3) {
                // not quoted: it may hold a key (e.g. "[Interface] PrivateKey = ...")
                diags.error(Problem::Syntax, file, lineno, "",
                            "line starts like a section header but is none (expected e.g. "
                            "[Peer] alone on its line)");
                return {};
            }
            auto name = trim(line.substr(1, line.size() - 2));
            if (name.size() > max_name_length) {
                diags.error(
                    Problem::UnknownSection, file, lineno, "",
                    "unknown section (expected [Interface], [Peer], [Namespace] or [Expose])");
                out.sections.push_back(Section{"?", false, lineno, {}});
                return {Normal::Header, "?", {}};
            }
            Section s{std::string(name), false, lineno, {}};
            for (const char* known : known_sections)
                if (iequals(name, known)) {
                    s.name = known;
                    s.known = true;
                }
            if (!s.known)
                diags.error(
                    Problem::UnknownSection, file, lineno, "[" + s.name + "]",
                    "unknown section (expected [Interface], [Peer], [Namespace] or [Expose])");
            out.sections.push_back(std::move(s));
            return {Normal::Header, name, {}};
        }
        auto eq = line.find('=');
        auto key = trim(line.substr(0, eq == std::string_view::npos ? line.size() : eq));
        bool key_ok = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        });
        if (eq == std::string_view::npos || !key_ok) {
            // The line is not quoted: it may hold a key (e.g. "PrivateKey: ...").
            diags.error(Problem::Syntax, file, lineno, "",
                        "line is neither Key = Value nor a [Section] header");
            return {};
        }
        if (key.size() > max_name_length) {
            // not named: a line of a bare base64 key looks like "Key=" (and is no key)
            diags.error(Problem::UnknownKey, file, lineno, "",
                        "unknown key (no key of nsvpn.conf is longer than " +
                            std::to_string(max_name_length) + " characters)");
            return {};
        }
        if (out.sections.empty()) {
            diags.error(Problem::OutsideSection, file, lineno, std::string(key),
                        "key before any section (expected a header such as [Interface] first)");
            return {};
        }
        return {Normal::Pair, key, trim(line.substr(eq + 1))};
    }
};

char* read_line(char* buf, int num, void* stream) {
    auto* f = static_cast<Feeder*>(stream);
    if (f->pos >= f->text.size())
        return nullptr;
    auto end = f->text.find('\n', f->pos);
    if (end == std::string_view::npos)
        end = f->text.size();
    auto line = f->text.substr(f->pos, end - f->pos);
    f->pos = end + 1;
    ++f->lineno;
    // Compose the line in inih's buffer. normalise() keeps headers and keys short
    // (max_name_length), so they always fit; a value that does not is handed over
    // as a reference to a copy of it.
    const auto room = static_cast<std::size_t>(num) - 1;
    Normal n = f->normalise(line);
    char* p = buf;
    auto put = [&](std::string_view s) {
        p = static_cast<char*>(std::memcpy(p, s.data(), s.size())) + s.size();
    };
    switch (n.kind) {
    case Normal::Nothing:
        break;
    case Normal::Header:
        put("[");
        put(n.first);
        put("]");
        break;
    case Normal::Pair:
        put(n.first);
        put("=");
        if (n.first.size() + 1 + n.second.size() <= room) {
            for (char c : n.second)
                *p++ = c == ';' ? semicolon_marker : c;
        } else {
            f->long_values.emplace_back(n.second);
            std::string ref = long_value_marker + std::to_string(f->long_values.size() - 1);
            put(ref);
        }
        break;
    }
    *p = '\0';
    return buf;
}

int on_value(void* user, const char*, const char* name, const char* value) {
    auto* f = static_cast<Feeder*>(user);
    std::string v;
    if (value[0] == long_value_marker) {
        v = f->long_values.at(std::stoul(value + 1));
    } else {
        v = value;
        std::replace(v.begin(), v.end(), semicolon_marker, ';');
    }
    f->out.sections.back().assignments.push_back({name, std::move(v), f->lineno});
    return 1;
}

} // namespace

ParsedFile::~ParsedFile() {
    for (auto& s : sections)
        for (auto& a : s.assignments)
            explicit_bzero(a.value.data(), a.value.size());
}

ParsedFile parse_ini(std::string_view text, const std::string& file, Diagnostics& diags) {
    ParsedFile out;
    Feeder feeder{text, 0, 0, file, diags, out, {}};
    // Our reader already reported every problem; inih's own return value adds nothing.
    ini_parse_stream(read_line, &feeder, on_value, &feeder);
    return out;
}

} // namespace nsvpn
