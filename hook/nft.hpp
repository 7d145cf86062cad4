// nftables through libnftnl and libmnl: a table of firewall.hpp applied as one
// atomic batch, in the calling thread's network namespace.
#pragma once

#include "firewall.hpp"

#include <string>

namespace nsvpn {

// Makes table (family inet) exactly as given: one batch that adds it, deletes it
// with whatever it held, and adds it again with its chains and rules, so that
// applying it twice leaves one copy. Throws StepError naming the failing part.
void nft_replace(const NftTable& table);

// Deletes the table (family inet) with everything in it; a missing one is no error.
void nft_delete(const std::string& table);

} // namespace nsvpn
