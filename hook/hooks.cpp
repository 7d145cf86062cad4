#include "hooks.hpp"

#include "error.hpp"

#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace nsvpn {

std::string substitute_interface(const std::string& command, const std::string& ifname) {
    std::string out;
    for (std::size_t i = 0; i < command.size(); ++i) {
        if (command[i] == '%' && i + 1 < command.size() && command[i + 1] == 'i') {
            out += ifname;
            ++i;
        } else {
            out += command[i];
        }
    }
    return out;
}

void run_hooks(const std::string& kind, const std::vector<std::string>& commands) {
    for (const auto& command : commands) {
        const std::string step = kind + " `" + command + "`";
        const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
        pid_t pid;
        if (int err =
                posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ))
            throw system_error(step, err);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0)
            if (errno != EINTR)
                throw system_error(step);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            continue;
        throw StepError(step, WIFEXITED(status)
                                  ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                  : "killed by signal " + std::to_string(WTERMSIG(status)));
    }
}

} // namespace nsvpn
