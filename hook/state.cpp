#include "state.hpp"

#include "error.hpp"
#include "fd.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace nsvpn {

std::string runtime_dir_of(const std::string& name) {
    return "/run/nsvpn/" + name;
}
std::string state_file_of(const std::string& name) {
    return runtime_dir_of(name) + "/state";
}

std::string format_state(const UpState& s) {
    std::ostringstream o;
    o << "name=" << s.name << "\n"
      << "complete=" << (s.complete ? 1 : 0) << "\n"
      << "created_netns=" << (s.created_netns ? 1 : 0) << "\n"
      << "kernel=" << (s.kernel ? 1 : 0) << "\n"
      << "host_ifname=" << s.host_ifname << "\n"
      << "ns_ifname=" << s.ns_ifname << "\n"
      << "pid=" << s.pid << "\n"
      << "pid_start=" << s.pid_start << "\n";
    for (const auto& f : s.files)
        o << "file=" << f << "\n";
    for (const auto& c : s.pre_down)
        o << "pre_down=" << c << "\n";
    for (const auto& c : s.post_down)
        o << "post_down=" << c << "\n";
    if (!s.veth.empty())
        o << "veth=" << s.veth << "\n";
    if (!s.link.empty())
        o << "link=" << s.link << "\n";
    if (s.host_table)
        o << "host_table=1\n";
    if (s.ns_table)
        o << "ns_table=1\n";
    for (const auto& f : s.forwarding)
        o << "forwarding=" << f << "\n";
    return o.str();
}

std::optional<UpState> parse_state(const std::string& text) {
    UpState s;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq == std::string::npos)
            return std::nullopt;
        std::string k = line.substr(0, eq), v = line.substr(eq + 1);
        try {
            if (k == "name")
                s.name = v;
            else if (k == "complete")
                s.complete = v == "1";
            else if (k == "kernel")
                s.kernel = v == "1";
            else if (k == "created_netns")
                s.created_netns = v == "1";
            else if (k == "host_ifname")
                s.host_ifname = v;
            else if (k == "ns_ifname")
                s.ns_ifname = v;
            else if (k == "pid")
                s.pid = static_cast<pid_t>(std::stol(v));
            else if (k == "pid_start")
                s.pid_start = std::stoull(v);
            else if (k == "file")
                s.files.push_back(v);
            else if (k == "pre_down")
                s.pre_down.push_back(v);
            else if (k == "post_down")
                s.post_down.push_back(v);
            else if (k == "veth")
                s.veth = v;
            else if (k == "link")
                s.link = v;
            else if (k == "host_table")
                s.host_table = v == "1";
            else if (k == "ns_table")
                s.ns_table = v == "1";
            else if (k == "forwarding")
                s.forwarding.push_back(v);
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    return s;
}

std::optional<UpState> load_state(const std::string& name) {
    const std::string path = state_file_of(name);
    Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT || errno == ENOTDIR)
            return std::nullopt;
        throw system_error("read " + path);
    }
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd.get(), buf, sizeof buf)) > 0)
        text.append(buf, static_cast<std::size_t>(n));
    if (n < 0)
        throw system_error("read " + path);
    auto s = parse_state(text);
    if (!s)
        throw StepError("read " + path, "it is malformed");
    s->name = name;
    return s;
}

std::optional<UpState> read_state(const std::string& name) {
    try {
        return load_state(name);
    } catch (const StepError&) {
        return std::nullopt;
    }
}

void write_state(const UpState& s) {
    std::string dir = runtime_dir_of(s.name);
    if (mkdir("/run/nsvpn", 0755) < 0 && errno != EEXIST)
        throw system_error("create /run/nsvpn");
    if (mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST)
        throw system_error("create " + dir);
    std::string tmp = state_file_of(s.name) + ".tmp";
    Fd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd)
        throw system_error("record state in " + tmp);
    std::string text = format_state(s);
    if (write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
        fsync(fd.get()) < 0)
        throw system_error("record state in " + tmp);
    fd.reset();
    if (rename(tmp.c_str(), state_file_of(s.name).c_str()) < 0)
        throw system_error("record state in " + state_file_of(s.name));
}

void remove_state(const std::string& name) {
    unlink(state_file_of(name).c_str());
    unlink((state_file_of(name) + ".tmp").c_str());
}

unsigned long long process_start_time(pid_t pid) {
    if (pid <= 0)
        return 0;
    FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "re");
    if (!f)
        return 0;
    char buf[1024];
    std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    // the command may hold spaces and parentheses: count fields after the last ')'
    std::string s(buf);
    auto close = s.rfind(')');
    if (close == std::string::npos)
        return 0;
    std::istringstream in(s.substr(close + 2));
    std::string field;
    for (int i = 3; i <= 22 && in >> field; ++i) {
        if (i == 3 && (field == "Z" || field == "X"))
            return 0; // exited, not yet reaped (by whoever its parent is): gone for us
        if (i == 22)
            return std::stoull(field);
    }
    return 0;
}

} // namespace nsvpn
