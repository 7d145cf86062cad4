// Key files: reading them (in memory only) and checking who else can read them.
#pragma once

#include "diagnostic.hpp"
#include "loader.hpp"
#include "values.hpp"

#include <string>

namespace nsvpn {

// The key in a file of base64 (surrounding whitespace allowed).
Parsed<SecretKey> read_key_file(const std::string& real_path);

// Checks PrivateKeyFile= and PresharedKeyFile= (they must hold a key) and warns
// when a key, in a key file or in the configuration itself, is readable by group
// or others.
void check_secrets(const SearchPath& sp, const Config& config, Diagnostics& diags);

} // namespace nsvpn
