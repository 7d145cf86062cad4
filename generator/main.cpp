// nsvpn-generator NORMAL [EARLY LATE]: turns /etc/nsvpn/*.conf into units.
// See nsvpn-generator(8).
#include "../config/loader.hpp"
#include "log.hpp"
#include "render.hpp"
#include "writer.hpp"

#include <algorithm>
#include <cstdio>

#ifndef NSVPN_HELPER_PATH
#error "NSVPN_HELPER_PATH must name the installed nsvpn binary"
#endif

namespace {

nsvpn::VpnUnits units_for(const nsvpn::Loaded& l) {
    nsvpn::VpnUnits v;
    v.name = l.config.name;
    v.source = l.files.main;
    v.valid = l.valid();
    v.autostart = l.config.autostart();
    for (const auto& s : l.config.ns.services)
        if (std::find(v.services.begin(), v.services.end(), s.value) == v.services.end() &&
            !nsvpn::is_nsvpn_unit(s.value))
            v.services.push_back(s.value);
    for (const auto& d : l.diags.list())
        if (d.severity == nsvpn::Severity::Error)
            v.errors.push_back(d.format());
    return v;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2 && argc != 4) {
        std::fprintf(stderr, "Usage: %s NORMAL-DIR [EARLY-DIR LATE-DIR]\n", argv[0]);
        return 2;
    }
    nsvpn::GeneratorLog log;
    const auto sp = nsvpn::SearchPath::from_environment();

    nsvpn::Diagnostics found;
    std::vector<nsvpn::Loaded> loaded;
    for (const auto& files : nsvpn::discover_all(sp, found))
        if (!files.masked)
            loaded.push_back(nsvpn::load(sp, files));
    nsvpn::check_service_conflicts(loaded);

    for (const auto& d : found.list())
        log.write(nsvpn::LogLevel::Error, d.format());
    std::vector<nsvpn::VpnUnits> vpns;
    for (const auto& l : loaded) {
        for (const auto& d : l.diags.list())
            log.write(d.severity == nsvpn::Severity::Error ? nsvpn::LogLevel::Error
                                                           : nsvpn::LogLevel::Warning,
                      d.format());
        if (!l.valid())
            log.write(nsvpn::LogLevel::Error,
                      "VPN " + l.config.name + " is not set up: wg-" + l.config.name +
                          ".service will fail and its services will not start");
        vpns.push_back(units_for(l));
    }

    bool ok =
        nsvpn::write_output(argv[1], nsvpn::render(vpns, NSVPN_HELPER_PATH),
                            [&](const std::string& e) { log.write(nsvpn::LogLevel::Error, e); });
    return ok ? 0 : 1;
}
