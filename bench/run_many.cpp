// run_many: runs several commands N times each, interleaved (ABAB...), and
// reports the wall-clock and CPU time of every run. Used by bench/generator.sh
// so that both generators are measured by the same spawn/wait loop, without a
// shell in between (posix_spawn, i.e. clone(CLONE_VFORK) + execve, then wait4).
//
//   run_many [-n RUNS] [-w WORKDIR] [-r RAWFILE] [--warmup K]
//            -- LABEL [VAR=VALUE...] PROGRAM [ARG...] [:: LABEL ...]...
//
// An ARG of {} is replaced by a fresh, empty output directory for each run
// (WORKDIR/LABEL.RUN, made before the clock starts). Every run must exit 0 and
// leave the same tree of files (names, types, symlink targets) as the (last)
// untimed warm-up run, whose output is kept in WORKDIR/LABEL.ref; the other outputs are
// removed after each run, outside the timed part. Children get stdin and
// stdout from /dev/null; their stderr is appended to WORKDIR/LABEL.stderr.
//
// Prints one line per command:
//   LABEL runs=N mean_us=.. median_us=.. min_us=.. max_us=.. stddev_us=.. cpu_mean_us=..
//         cpu_median_us=.. user_median_us=.. sys_median_us=.. user_mean_us=.. sys_mean_us=..
// (cpu = user + sys time of the child, from wait4), and exits 1 when a run
// fails or its output differs from the reference. The kernel splits a child's
// CPU time into user and sys by sampling at the timer tick, a few times per
// run this short: single values, and so their medians, are coarse, but their
// means over many runs converge on the real split.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <spawn.h>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct Command {
    std::string label;
    std::vector<std::string> env; // VAR=VALUE overrides
    std::vector<std::string> argv;
    std::vector<double> wall_us;
    std::vector<double> user_us;
    std::vector<double> sys_us;
    std::vector<std::string> reference; // the tree the warm-up run left
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "run_many: %s\n"
                 "Usage: run_many [-n RUNS] [-w WORKDIR] [-r RAWFILE] [--warmup K] -- LABEL "
                 "[VAR=VALUE...] PROGRAM [ARG...] [:: LABEL ...]...\n",
                 why);
    std::exit(2);
}

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "run_many: %s\n", message.c_str());
    std::exit(1);
}

long parse_count(const char* s, long min) {
    char* end = nullptr;
    errno = 0;
    long n = std::strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || n < min)
        usage("bad number");
    return n;
}

bool is_assignment(const std::string& s) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
        return false;
    return std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(eq), [](char c) {
        return c == '_' || std::isalnum(static_cast<unsigned char>(c));
    });
}

// The environment for a command: ours, with its VAR=VALUE overrides applied.
std::vector<std::string> environment_for(const Command& c) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
        env.emplace_back(*e);
    for (const auto& o : c.env) {
        std::string name = o.substr(0, o.find('=') + 1);
        std::erase_if(env, [&](const std::string& s) { return s.starts_with(name); });
        env.push_back(o);
    }
    return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> p;
    for (auto& s : strings)
        p.push_back(s.data());
    p.push_back(nullptr);
    return p;
}

double now_us() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double tv_us(const timeval& tv) {
    return static_cast<double>(tv.tv_sec) * 1e6 + static_cast<double>(tv.tv_usec);
}

// "TYPE PATH[ -> TARGET]" for everything below dir, sorted.
std::vector<std::string> tree(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        std::string rel = fs::relative(e.path(), dir).string();
        if (e.is_symlink())
            out.push_back("l " + rel + " -> " + fs::read_symlink(e.path()).string());
        else if (e.is_directory())
            out.push_back("d " + rel);
        else if (e.is_regular_file())
            out.push_back("f " + rel);
        else
            out.push_back("? " + rel);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string describe_difference(const std::vector<std::string>& want,
                                const std::vector<std::string>& got) {
    std::vector<std::string> missing, extra;
    std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                        std::back_inserter(missing));
    std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                        std::back_inserter(extra));
    std::string s;
    for (const auto& m : missing)
        s += "\n  missing: " + m;
    for (const auto& x : extra)
        s += "\n  extra:   " + x;
    return s;
}

struct Times {
    double wall, user, sys; // microseconds
};

// Runs c once into a fresh out.
Times run_once(Command& c, const fs::path& out, const fs::path& stderr_path,
               const std::string& what) {
    std::error_code ec;
    fs::remove_all(out, ec);
    fs::create_directory(out);
    std::vector<std::string> args = c.argv;
    for (auto& a : args)
        if (a == "{}")
            a = out.string();
    std::vector<std::string> env = environment_for(c);
    auto argp = pointers(args);
    auto envp = pointers(env);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);

    double start = now_us();
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, args[0].c_str(), &actions, nullptr, argp.data(), envp.data());
    if (rc != 0)
        die("cannot run " + args[0] + ": " + std::strerror(rc));
    int status = 0;
    rusage ru{};
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR)
            die(std::string("wait4: ") + std::strerror(errno));
    double wall = now_us() - start;
    posix_spawn_file_actions_destroy(&actions);

    if (WIFSIGNALED(status))
        die(c.label + " " + what + " was killed by signal " + std::to_string(WTERMSIG(status)) +
            " (its stderr is in " + stderr_path.string() + ")");
    if (WEXITSTATUS(status) != 0)
        die(c.label + " " + what + " exited with status " + std::to_string(WEXITSTATUS(status)) +
            " (its stderr is in " + stderr_path.string() + ")");
    return {wall, tv_us(ru.ru_utime), tv_us(ru.ru_stime)};
}

double mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v)
        s += x;
    return v.empty() ? 0 : s / static_cast<double>(v.size());
}

double median(std::vector<double> v) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double stddev(const std::vector<double>& v) {
    if (v.size() < 2)
        return 0;
    double m = mean(v), s = 0;
    for (double x : v)
        s += (x - m) * (x - m);
    return std::sqrt(s / static_cast<double>(v.size() - 1));
}

} // namespace

int main(int argc, char** argv) {
    long runs = 100, warmup = 1;
    fs::path workdir = ".";
    std::string rawfile;
    int i = 1;
    for (; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--")
            break;
        if (i + 1 >= argc)
            usage(("missing value for " + a).c_str());
        if (a == "-n")
            runs = parse_count(argv[++i], 1);
        else if (a == "--warmup")
            warmup = parse_count(argv[++i], 1);
        else if (a == "-w")
            workdir = argv[++i];
        else if (a == "-r")
            rawfile = argv[++i];
        else
            usage(("unknown option " + a).c_str());
    }
    if (i >= argc)
        usage("no commands");

    std::vector<Command> commands;
    for (++i; i < argc;) {
        Command c;
        c.label = argv[i++];
        while (i < argc && is_assignment(argv[i]))
            c.env.emplace_back(argv[i++]);
        while (i < argc && std::strcmp(argv[i], "::") != 0)
            c.argv.emplace_back(argv[i++]);
        if (i < argc)
            ++i; // the "::"
        if (c.label.empty() || c.label.find('/') != std::string::npos || c.argv.empty())
            usage("each command needs a LABEL (no '/') and a PROGRAM");
        commands.push_back(std::move(c));
    }

    for (auto& c : commands) {
        fs::path err = workdir / (c.label + ".stderr");
        fs::remove(err);
        for (long w = 0; w < warmup; ++w)
            run_once(c, workdir / (c.label + ".ref"), err, "warm-up run");
        c.reference = tree(workdir / (c.label + ".ref"));
    }

    for (long r = 0; r < runs; ++r)
        for (auto& c : commands) {
            fs::path out = workdir / (c.label + "." + std::to_string(r));
            Times t = run_once(c, out, workdir / (c.label + ".stderr"), "run " + std::to_string(r));
            c.wall_us.push_back(t.wall);
            c.user_us.push_back(t.user);
            c.sys_us.push_back(t.sys);
            auto got = tree(out);
            if (got != c.reference)
                die(c.label + " run " + std::to_string(r) +
                    " left different files from its warm-up run:" +
                    describe_difference(c.reference, got));
            fs::remove_all(out);
        }

    if (!rawfile.empty()) {
        std::ofstream raw(rawfile);
        raw << "# label run wall_us user_us sys_us\n";
        for (const auto& c : commands)
            for (std::size_t r = 0; r < c.wall_us.size(); ++r)
                raw << c.label << ' ' << r << ' ' << c.wall_us[r] << ' ' << c.user_us[r] << ' '
                    << c.sys_us[r] << '\n';
        if (!raw)
            die("cannot write " + rawfile);
    }
    for (const auto& c : commands) {
        auto [lo, hi] = std::minmax_element(c.wall_us.begin(), c.wall_us.end());
        std::vector<double> cpu;
        for (std::size_t r = 0; r < c.wall_us.size(); ++r)
            cpu.push_back(c.user_us[r] + c.sys_us[r]);
        std::printf("%s runs=%zu mean_us=%.1f median_us=%.1f min_us=%.1f max_us=%.1f "
                    "stddev_us=%.1f cpu_mean_us=%.1f cpu_median_us=%.1f user_median_us=%.1f "
                    "sys_median_us=%.1f user_mean_us=%.1f sys_mean_us=%.1f\n",
                    c.label.c_str(), c.wall_us.size(), mean(c.wall_us), median(c.wall_us), *lo, *hi,
                    stddev(c.wall_us), mean(cpu), median(cpu), median(c.user_us), median(c.sys_us),
                    mean(c.user_us), mean(c.sys_us));
    }
    return 0;
}
