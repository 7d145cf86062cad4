// Splitting one file into sections and Key = Value assignments, with line numbers.
//
// inih does the splitting; a line reader of ours feeds it one normalised line at a
// time, so we count lines, see every section header (also a repeated [Peer]), strip
// wg-quick's '#' comments and never let inih cut, continue or truncate a line.
#pragma once

#include "diagnostic.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace nsvpn {

struct Assignment {
    std::string key; // as written
    std::string value;
    unsigned line = 0;
};

struct Section {
    std::string name; // canonical (Interface, Peer, Namespace, Expose) when known
    bool known = false;
    unsigned line = 0;
    std::vector<Assignment> assignments;
};

struct ParsedFile {
    std::vector<Section> sections;
    ParsedFile() = default;
    ParsedFile(ParsedFile&&) = default;
    ParsedFile& operator=(ParsedFile&&) = default;
    ~ParsedFile(); // wipes the values: some are keys
};

// Lines may be this long at most; longer ones are refused with an error.
inline constexpr std::size_t max_line_length = 65536;

ParsedFile parse_ini(std::string_view text, const std::string& file, Diagnostics& diags);

} // namespace nsvpn
