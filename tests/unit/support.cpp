#include "support.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <stdexcept>
#include <sys/stat.h>

namespace nsvpn::test {

Result parse_files(const std::vector<std::pair<std::string, std::string>>& files,
                   bool run_validate) {
    Result r;
    std::vector<SourceFile> sources;
    for (const auto& [path, text] : files)
        sources.push_back({path, parse_ini(text, path, r.diags)});
    r.config = merge("test", sources, r.diags);
    if (run_validate)
        validate(r.config, r.diags);
    return r;
}

Result parse_text(const std::string& text, bool run_validate) {
    return parse_files({{main_file, text}}, run_validate);
}

std::string valid_config() {
    return "[Interface]\n"
           "PrivateKey = " +
           private_key +
           "\n"
           "Address = 10.2.0.2/32\n"
           "\n"
           "[Peer]\n"
           "PublicKey = " +
           public_key +
           "\n"
           "AllowedIPs = 0.0.0.0/0\n"
           "Endpoint = 198.51.100.7:51820\n";
}

std::vector<Diagnostic> errors(const Diagnostics& diags) {
    std::vector<Diagnostic> out;
    for (const auto& d : diags.list())
        if (d.severity == Severity::Error)
            out.push_back(d);
    return out;
}

std::vector<Diagnostic> warnings(const Diagnostics& diags) {
    std::vector<Diagnostic> out;
    for (const auto& d : diags.list())
        if (d.severity == Severity::Warning)
            out.push_back(d);
    return out;
}

std::optional<Diagnostic> find(const Diagnostics& diags, Problem problem, Severity severity) {
    for (const auto& d : diags.list())
        if (d.problem == problem && d.severity == severity)
            return d;
    return std::nullopt;
}

bool has_error(const Diagnostics& diags, Problem problem, const std::string& file, unsigned line,
               const std::string& key) {
    for (const auto& d : diags.list())
        if (d.severity == Severity::Error && d.problem == problem && d.file == file &&
            d.line == line && d.key == key)
            return true;
    return false;
}

const char* problem_name(Problem p) {
    switch (p) {
    case Problem::Io:
        return "Io";
    case Problem::Syntax:
        return "Syntax";
    case Problem::LineTooLong:
        return "LineTooLong";
    case Problem::UnknownSection:
        return "UnknownSection";
    case Problem::UnknownKey:
        return "UnknownKey";
    case Problem::OutsideSection:
        return "OutsideSection";
    case Problem::BadValue:
        return "BadValue";
    case Problem::Duplicate:
        return "Duplicate";
    case Problem::Missing:
        return "Missing";
    case Problem::Conflict:
        return "Conflict";
    case Problem::BadName:
        return "BadName";
    case Problem::Ignored:
        return "Ignored";
    case Problem::Insecure:
        return "Insecure";
    }
    return "?";
}

std::string dump(const Diagnostics& diags) {
    std::string s;
    for (const auto& d : diags.list()) {
        std::string text = d.format();
        if (text.size() > 300)
            text = text.substr(0, 300) + "...";
        s += std::string(d.severity == Severity::Error ? "error " : "warning ") +
             problem_name(d.problem) + " [key \"" + d.key.substr(0, 60) + "\"] " + text + "\n";
    }
    return s.empty() ? "(no diagnostics)\n" : s;
}

TempTree::TempTree() {
    char templ[] = "/tmp/nsvpn-unit-XXXXXX";
    if (!mkdtemp(templ))
        throw std::runtime_error("mkdtemp failed");
    root_ = templ;
}

TempTree::~TempTree() {
    std::error_code ec;
    // remove_all does not follow symlinks: a link to /dev/null removes the link only
    if (root_.starts_with("/tmp/nsvpn-unit-"))
        std::filesystem::remove_all(root_, ec);
}

void TempTree::mkdir(const std::string& rel) {
    std::filesystem::create_directories(path(rel));
}

void TempTree::write(const std::string& rel, const std::string& content, unsigned mode) {
    auto p = std::filesystem::path(path(rel));
    std::filesystem::create_directories(p.parent_path());
    {
        std::ofstream f(p, std::ios::binary | std::ios::trunc);
        if (!f)
            throw std::runtime_error("cannot write " + p.string());
        f << content;
    }
    if (chmod(p.c_str(), mode) != 0)
        throw std::runtime_error("cannot chmod " + p.string());
}

void TempTree::symlink(const std::string& rel, const std::string& target) {
    auto p = std::filesystem::path(path(rel));
    std::filesystem::create_directories(p.parent_path());
    std::filesystem::create_symlink(target, p);
}

} // namespace nsvpn::test
