#include "loader.hpp"

#include "merge.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <map>
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
    if (S_ISDIR(st.st_mode))
        return Kind::Other;
    if (S_ISREG(st.st_mode) && st.st_size == 0)
        return Kind::Masked;
    return Kind::File;
}

std::string basename_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Reads a whole file into text; false with an Io diagnostic on failure.
bool read_file(const std::string& real, const std::string& display, std::string& text,
               Diagnostics& diags) {
    int fd = open(real.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        diags.error(Problem::Io, display, 0, "",
                    std::string("cannot open: ") + std::strerror(errno));
        return false;
    }
    text.clear();
    char buf[16384];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
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
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > max_file_size) {
            close(fd);
            diags.error(Problem::Syntax, display, 0, "",
                        "file is larger than " + std::to_string(max_file_size) +
                            " bytes; this is not a configuration");
            return false;
        }
    }
    explicit_bzero(buf, sizeof buf);
    close(fd);
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

std::vector<ConfigFiles> discover_all(const SearchPath& sp, Diagnostics& diags) {
    std::map<std::string, std::string> names; // name -> first display path
    for (const auto& dir : sp.dirs)
        for (auto& entry : conf_entries(sp.real(dir)))
            names.emplace(entry.substr(0, entry.size() - 5), dir + "/" + entry);
    std::vector<ConfigFiles> out;
    for (auto& [name, path] : names) {
        if (!valid_config_name(name)) {
            diags.error(
                Problem::BadName, path, 0, "",
                "ignored: NAME of NAME.conf must be 1 to 32 of A-Z a-z 0-9 _ - (it names the "
                "namespace and the units)");
            continue;
        }
        if (auto f = discover(sp, name))
            out.push_back(std::move(*f));
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
    for (std::size_t a = 0; a < all.size(); ++a)
        for (std::size_t b = 0; b < all.size(); ++b) {
            if (a == b)
                continue;
            for (const auto& sa : all[a].config.ns.services)
                for (const auto& sb : all[b].config.ns.services)
                    if (sa.value == sb.value)
                        all[a].diags.error(
                            Problem::Conflict, sa.where.file, sa.where.line, "Services",
                            sa.value + " is also attached to VPN " + all[b].config.name + " (" +
                                sb.where.file + ":" + std::to_string(sb.where.line) +
                                "); a service can use only one VPN");
        }
}

} // namespace nsvpn
