// nsvpn: the helper that the generated units run, and that people run. See nsvpn(8).
#include "../config/values.hpp"
#include "error.hpp"
#include "exec.hpp"
#include "netns.hpp"
#include "status.hpp"
#include "up.hpp"
#include "validate.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>

namespace po = boost::program_options;

namespace {

constexpr const char* usage = R"(Usage: nsvpn [--help] [--version] COMMAND [ARGS...]

Commands:
  up NAME                            bring the VPN NAME up in its namespace
  down NAME                          take it down again (from what up recorded)
  netns add|delete NAME              make or remove the network namespace NAME
  exec NAME [--user USER] -- CMD...  run CMD in the namespace, with the VPN's DNS
  validate [--fail] [NAME|FILE...]   check configurations without applying them
  status [NAME] [--json]             show the VPNs: unit, tunnel, peers, ports, services

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

int cmd_status(const std::vector<std::string>& args) {
    bool json = false;
    std::vector<std::string> names;
    po::options_description desc("status options");
    desc.add_options()("help,h", "show help")("json", po::bool_switch(&json), "print JSON")(
        "name", po::value<std::vector<std::string>>(&names), "VPN name");
    po::positional_options_description pos;
    pos.add("name", -1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::printf("Usage: nsvpn status [NAME] [--json]\n");
        return 0;
    }
    if (names.size() > 1)
        throw po::error("usage: nsvpn status [NAME] [--json]");
    if (!names.empty() && !nsvpn::valid_config_name(names[0]))
        throw po::error("\"" + names[0] + "\" is not a VPN name (1 to 32 of A-Z a-z 0-9 _ -)");
    return nsvpn::run_status(names.empty() ? std::nullopt : std::optional(names[0]), json);
}

// One positional NAME, validated.
std::string one_name(const std::vector<std::string>& args, const char* usage_line) {
    if (args.size() != 1 || args[0].empty() || args[0][0] == '-')
        throw po::error(std::string("usage: ") + usage_line);
    if (!nsvpn::valid_config_name(args[0]))
        throw po::error("\"" + args[0] + "\" is not a VPN name (1 to 32 of A-Z a-z 0-9 _ -)");
    return args[0];
}

int cmd_netns(const std::vector<std::string>& args) {
    const char* line = "nsvpn netns add|delete NAME";
    if (args.empty() || (args[0] != "add" && args[0] != "delete"))
        throw po::error(std::string("usage: ") + line);
    std::string name = one_name({args.begin() + 1, args.end()}, line);
    try {
        if (args[0] == "add")
            nsvpn::netns_add(name);
        else
            nsvpn::netns_delete(name);
        return 0;
    } catch (const nsvpn::StepError& e) {
        std::fprintf(stderr, "nsvpn netns %s %s: %s\n", args[0].c_str(), name.c_str(), e.what());
        return 1;
    }
}

int cmd_exec(const std::vector<std::string>& args) {
    nsvpn::ExecOptions options;
    auto dashes = std::find(args.begin(), args.end(), "--");
    std::vector<std::string> before(args.begin(), dashes);
    if (dashes != args.end())
        options.command.assign(dashes + 1, args.end());
    po::options_description desc("exec options");
    std::string user;
    desc.add_options()("user,u", po::value<std::string>(&user),
                       "run as USER")("name", po::value<std::string>(&options.name), "VPN name");
    po::positional_options_description pos;
    pos.add("name", 1);
    po::variables_map vm;
    po::store(po::command_line_parser(before).options(desc).positional(pos).run(), vm);
    po::notify(vm);
    if (options.name.empty() || options.command.empty())
        throw po::error("usage: nsvpn exec NAME [--user USER] -- COMMAND [ARGS...]");
    if (!nsvpn::valid_config_name(options.name))
        throw po::error("\"" + options.name + "\" is not a VPN name (1 to 32 of A-Z a-z 0-9 _ -)");
    if (vm.count("user"))
        options.user = user;
    return nsvpn::run_exec(options);
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
        if (command == "up")
            return nsvpn::run_up(one_name(rest, "nsvpn up NAME"));
        if (command == "down")
            return nsvpn::run_down(one_name(rest, "nsvpn down NAME"));
        if (command == "netns")
            return cmd_netns(rest);
        if (command == "exec")
            return cmd_exec(rest);
        if (command == "status")
            return cmd_status(rest);
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
