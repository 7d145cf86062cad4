// libFuzzer harness for the configuration parser: any bytes, as a main file and
// as a drop-in, through the line reader, inih, merging and validation.
#include "diagnostic.hpp"
#include "ini.hpp"
#include "merge.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    nsvpn::Diagnostics diags;
    std::vector<nsvpn::SourceFile> files;
    files.push_back(
        {"/etc/nsvpn/fuzz.conf", nsvpn::parse_ini(text, "/etc/nsvpn/fuzz.conf", diags)});
    // The same text again as a drop-in exercises overriding, appending and peer matching.
    files.push_back({"/etc/nsvpn/fuzz.conf.d/10.conf",
                     nsvpn::parse_ini(text, "/etc/nsvpn/fuzz.conf.d/10.conf", diags)});
    nsvpn::Config config = nsvpn::merge("fuzz", files, diags);
    nsvpn::validate(config, diags);
    for (const auto& d : diags.list())
        if (d.format().empty() || d.file.empty())
            __builtin_trap(); // every diagnostic names its file
    return 0;
}
