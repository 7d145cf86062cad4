// nsvpn: the helper that the generated units run, and that people run. See nsvpn(8).
#include "validate.hpp"

#include <boost/program_options.hpp>
#include <cstdio>

namespace po = boost::program_options;

namespace {

constexpr const char* usage = R"(Usage: nsvpn [--help] [--version] COMMAND [ARGS...]

Commands:
  validate [--fail] [NAME|FILE...]   check configurations without applying them

See nsvpn(8) and nsvpn.conf(5).
)";

int cmd_validate(const std::vector<std::string>& args) {
    nsvpn::ValidateOptions options;
    po::options_description desc("validate options");
    desc.add_options()("help,h",
                       "show help")("fail", po::bool_switch(&options.fail),
                                    "never succeed (used by the unit of an invalid configuration)")(
        "target", po::value<std::vector<std::string>>(&options.targets), "NAME or FILE");
    po::positional_options_description pos;
    pos.add("target", -1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::printf("Usage: nsvpn validate [--fail] [NAME|FILE...]\n");
        return 0;
    }
    return nsvpn::run_validate(options);
}

} // namespace

int main(int argc, char** argv) {
    try {
        // Global options come before the command; everything after it is the command's.
        int first = 1;
        while (first < argc && argv[first][0] == '-')
            ++first;
        po::options_description global("options");
        global.add_options()("help,h", "show help")("version", "show the version");
        po::variables_map vm;
        po::store(po::command_line_parser(first, argv).options(global).run(), vm);
        po::notify(vm);
        if (vm.count("version")) {
            std::printf("nsvpn %s\n", NSVPN_VERSION);
            return 0;
        }
        if (first == argc || vm.count("help")) {
            std::fputs(usage, vm.count("help") ? stdout : stderr);
            return vm.count("help") ? 0 : 2;
        }
        std::string command = argv[first];
        std::vector<std::string> rest(argv + first + 1, argv + argc);
        if (command == "validate")
            return cmd_validate(rest);
        std::fprintf(stderr, "nsvpn: unknown command \"%s\"\n%s", command.c_str(), usage);
        return 2;
    } catch (const po::error& e) {
        std::fprintf(stderr, "nsvpn: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nsvpn: %s\n", e.what());
        return 1;
    }
}
