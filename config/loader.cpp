#include "loader.hpp"

#include "merge.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace nsvpn {

namespace {

constexpr std::size_t max_file_size = 1 << 20;

bool ends_with_conf(const std::string& s) {
    return s.size() > 5 && s.ends_with(".conf");
}

// Names of directory entries ending in .conf, sorted; [] when dir does not exist.
std::vector<std::string> conf_entries(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = opendir(dir.c_str());
    if (!d)
        return out;
    while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n[0] != '.' && ends_with_conf(n))
            out.push_back(std::move(n));
    }
    closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

// Empty, or a symlink to /dev/null: masks what it shadows. Directories are not files.
enum class Kind { Missing, File, Masked, Other };

Kind kind_of(const std::string& real) {
    struct stat st;
    if (lstat(real.c_str(), &st) < 0)
        return Kind::Missing;
    if (S_ISLNK(st.st_mode)) {
        char target[64];
        ssize_t n = readlink(real.c_str(), target, sizeof target);
        if (n == 9 && std::memcmp(target, "/dev/null", 9) == 0)
            return Kind::Masked;
        if (stat(real.c_str(), &st) < 0)
            return Kind::File; // dangling: reading it reports the error
    }
    if (!S_ISREG(st.st_mode))
        return Kind::Other; // a directory, FIFO or device is no configuration: never block on one
    return st.st_size == 0 ? Kind::Masked : Kind::File;
}

std::string basename_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Reads a whole file into text; false with an Io diagnostic on failure. The text
// is read in place (no bounce buffer), so the caller can wipe every copy of it.
bool read_file(const std::string& real, const std::string& display, std::string& text,
               Diagnostics& diags) {
    int fd =
        open(real.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK); // a FIFO must not hang us
    if (fd < 0) {
        diags.error(Problem::Io, display, 0, "",
                    std::string("cannot open: ") + std::strerror(errno));
        return false;
    }
    struct stat st;
    std::size_t size =
        fstat(fd, &st) == 0 && st.st_size > 0 ? static_cast<std::size_t>(st.st_size) : 0;
    if (size > max_file_size) {
        close(fd);
        diags.error(Problem::Syntax, display, 0, "",
                    "file is larger than " + std::to_string(max_file_size) +
                        " bytes; this is not a configuration");
        return false;
    }
    // One byte more than its size, so that reaching the end needs no second buffer.
    text.assign(size + 1, '\0');
    std::size_t used = 0;
    for (;;) {
        if (used == text.size()) {
            if (text.size() > max_file_size) {
                close(fd);
                explicit_bzero(text.data(), text.size());
                diags.error(Problem::Syntax, display, 0, "",
                            "file is larger than " + std::to_string(max_file_size) +
                                " bytes; this is not a configuration");
                return false;
            }
            text.resize(text.size() * 2); // the file grew while we read it
        }
        ssize_t n = read(fd, text.data() + used, text.size() - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            close(fd);
            diags.error(Problem::Io, display, 0, "",
                        std::string("cannot read: ") + std::strerror(err));
            return false;
        }
        if (n == 0)
            break;
        used += static_cast<std::size_t>(n);
        if (used < text.size() && S_ISREG(st.st_mode))
            break; // a short read of a regular file is its end: spare the read that returns 0
    }
    close(fd);
    text.resize(used);
    return true;
}

} // namespace

SearchPath SearchPath::standard(std::string root) {
    while (!root.empty() && root.back() == '/')
        root.pop_back();
    return SearchPath{std::move(root),
                      {"/etc/nsvpn", "/run/nsvpn", "/usr/local/lib/nsvpn", "/usr/lib/nsvpn"}};
}

SearchPath SearchPath::from_environment() {
    const char* root = std::getenv("NSVPN_ROOT");
    return standard(root ? root : "");
}

namespace {

std::vector<std::string> find_dropins(const SearchPath& sp, const std::string& name) {
    std::map<std::string, std::string> by_name; // file name -> display path; first dir wins
    for (const auto& dir : sp.dirs) {
        std::string d = dir + "/" + name + ".conf.d";
        for (auto& entry : conf_entries(sp.real(d)))
            by_name.emplace(entry, d + "/" + entry);
    }
    std::vector<std::string> out;
    for (auto& [entry, path] : by_name)
        if (kind_of(sp.real(path)) == Kind::File)
            out.push_back(path);
    return out;
}

} // namespace

std::optional<ConfigFiles> discover(const SearchPath& sp, const std::string& name) {
    for (const auto& dir : sp.dirs) {
        std::string path = dir + "/" + name + ".conf";
        Kind k = kind_of(sp.real(path));
        if (k == Kind::Missing || k == Kind::Other)
            continue;
        ConfigFiles f{name, path, k == Kind::Masked, {}};
        if (!f.masked)
            f.dropins = find_dropins(sp, name);
        return f;
    }
    return std::nullopt;
}

namespace {

// One search directory, read once: its NAME.conf files and NAME.conf.d directories.
struct Listing {
    std::string dir;
    std::set<std::string> confs;   // names (without .conf)
    std::set<std::string> dropins; // names whose NAME.conf.d/ exists
};

Listing list_dir(const SearchPath& sp, const std::string& dir) {
    Listing l{dir, {}, {}};
    DIR* d = opendir(sp.real(dir).c_str());
    if (!d)
        return l;
    while (dirent* e = readdir(d)) {
        std::string_view n = e->d_name;
        if (n.empty() || n[0] == '.')
            continue;
        if (n.size() > 5 && n.ends_with(".conf"))
            l.confs.emplace(n.substr(0, n.size() - 5));
        else if (n.size() > 7 && n.ends_with(".conf.d"))
            l.dropins.emplace(n.substr(0, n.size() - 7));
    }
    closedir(d);
    return l;
}

} // namespace

std::vector<ConfigFiles> discover_all(const SearchPath& sp, Diagnostics& diags) {
    std::vector<Listing> listings;
    std::set<std::string> names;
    for (const auto& dir : sp.dirs) {
        listings.push_back(list_dir(sp, dir));
        names.insert(listings.back().confs.begin(), listings.back().confs.end());
    }
    std::vector<ConfigFiles> out;
    for (const auto& name : names) {
        std::optional<ConfigFiles> found;
        for (const auto& l : listings) {
            if (!l.confs.count(name))
                continue;
            std::string path = l.dir + "/" + name + ".conf";
            if (!valid_config_name(name)) {
                diags.error(
                    Problem::BadName, path, 0, "",
                    "ignored: NAME of NAME.conf must be 1 to 32 of A-Z a-z 0-9 _ - (it names "
                    "the namespace and the units)");
                break;
            }
            Kind k = kind_of(sp.real(path));
            if (k == Kind::Missing || k == Kind::Other)
                continue;
            found = ConfigFiles{name, path, k == Kind::Masked, {}};
            break;
        }
        if (!found)
            continue;
        if (!found->masked) {
            std::map<std::string, std::string> by_name; // file name -> display path; first dir wins
            for (const auto& l : listings) {
                if (!l.dropins.count(name))
                    continue;
                std::string d = l.dir + "/" + name + ".conf.d";
                for (auto& entry : conf_entries(sp.real(d)))
                    by_name.emplace(entry, d + "/" + entry);
            }
            for (auto& [entry, path] : by_name)
                if (kind_of(sp.real(path)) == Kind::File)
                    found->dropins.push_back(path);
        }
        out.push_back(std::move(*found));
    }
    return out;
}

ConfigFiles files_for_path(const std::string& path) {
    std::string base = basename_of(path);
    std::string name = ends_with_conf(base) ? base.substr(0, base.size() - 5) : base;
    ConfigFiles f{name, path, false, {}};
    std::string d = path + ".d";
    for (auto& entry : conf_entries(d))
        if (kind_of(d + "/" + entry) == Kind::File)
            f.dropins.push_back(d + "/" + entry);
    return f;
}

Loaded load(const SearchPath& sp, const ConfigFiles& files) {
    Loaded l{files, {}, {}};
    l.config.name = files.name;
    l.config.source = {files.main, 0};
    if (files.masked)
        return l;
    if (!valid_config_name(files.name))
        l.diags.error(
            Problem::BadName, files.main, 0, "",
            "NAME of NAME.conf must be 1 to 32 of A-Z a-z 0-9 _ - (it names the namespace "
            "and the units)");
    std::vector<SourceFile> sources;
    std::vector<std::string> paths{files.main};
    paths.insert(paths.end(), files.dropins.begin(), files.dropins.end());
    for (const auto& path : paths) {
        std::string text;
        if (!read_file(sp.real(path), path, text, l.diags))
            continue;
        sources.push_back({path, parse_ini(text, path, l.diags)});
        explicit_bzero(text.data(), text.size());
    }
    if (sources.empty() || sources.front().path != files.main)
        return l; // the main file could not be read: that is the error
    l.config = merge(files.name, sources, l.diags);
    validate(l.config, l.diags);
    return l;
}

void check_service_conflicts(std::vector<Loaded>& all) {
    // service -> the configurations (index, where) that attach it
    std::map<std::string, std::vector<std::pair<std::size_t, const SourceLoc*>>>
        users; // sorted: stable output
    for (std::size_t i = 0; i < all.size(); ++i)
        for (const auto& s : all[i].config.ns.services)
            users[s.value].emplace_back(i, &s.where);
    for (const auto& [service, list] : users)
        for (const auto& [a, where_a] : list)
            for (const auto& [b, where_b] : list)
                if (a != b)
                    all[a].diags.error(Problem::Conflict, where_a->file, where_a->line, "Services",
                                       service + " is also attached to VPN " + all[b].config.name +
                                           " (" + where_b->file + ":" +
                                           std::to_string(where_b->line) +
                                           "); a service can use only one VPN");
}

} // namespace nsvpn
