#include "validate.hpp"

#include "../config/loader.hpp"
#include "../config/secrets.hpp"

#include <algorithm>
#include <cstdio>

namespace nsvpn {

namespace {

bool is_file_argument(const std::string& t) {
    return t.find('/') != std::string::npos || t.ends_with(".conf");
}

void print(const Diagnostics& diags) {
    for (const auto& d : diags.list())
        std::fprintf(stderr, "%s: %s\n", d.severity == Severity::Error ? "error" : "warning",
                     d.format().c_str());
}

} // namespace

int run_validate(const ValidateOptions& options) {
    const auto sp = SearchPath::from_environment();
    Diagnostics general;
    bool usage_error = false;

    // Everything on the search path, so that a service attached twice is seen.
    std::vector<Loaded> all;
    for (const auto& files : discover_all(sp, general))
        if (!files.masked)
            all.push_back(load(sp, files));
    check_service_conflicts(all);

    // each with the root its paths (key files included) are below
    std::vector<std::pair<Loaded, SearchPath>> chosen;
    if (options.targets.empty()) {
        for (auto& l : all)
            chosen.emplace_back(std::move(l), sp);
    } else {
        general = Diagnostics{};
        for (const auto& t : options.targets) {
            if (is_file_argument(t)) {
                chosen.emplace_back(load(SearchPath{}, files_for_path(t)), SearchPath{});
                continue;
            }
            auto it = std::find_if(all.begin(), all.end(),
                                   [&](const Loaded& l) { return l.files.name == t; });
            if (it != all.end()) {
                chosen.emplace_back(std::move(*it), sp);
                continue;
            }
            auto files = discover(sp, t);
            if (files && files->masked) {
                std::printf("%s: %s is masked\n", t.c_str(), files->main.c_str());
                continue;
            }
            std::fprintf(stderr, "error: no configuration named %s (looked for %s.conf in",
                         t.c_str(), t.c_str());
            for (const auto& d : sp.dirs)
                std::fprintf(stderr, " %s", sp.real(d).c_str());
            std::fprintf(stderr, ")\n");
            usage_error = true;
        }
    }

    print(general);
    bool errors = general.has_errors() || usage_error;
    bool io = general.has_io_errors();
    for (auto& [l, root] : chosen) {
        check_secrets(root, l.config, l.diags);
        print(l.diags);
        errors = errors || l.diags.has_errors();
        io = io || l.diags.has_io_errors();
        if (!l.diags.has_errors())
            std::printf("%s: %s is valid\n", l.files.name.c_str(), l.files.main.c_str());
    }
    if (io)
        return 1;
    if (errors)
        return 2;
    if (options.fail) {
        std::fprintf(stderr,
                     "error: the configuration is valid now, but its units were generated from "
                     "an invalid version; run systemctl daemon-reload\n");
        return 1;
    }
    return 0;
}

} // namespace nsvpn
