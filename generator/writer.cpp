#include "writer.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nsvpn {

namespace {

// mkdir -p of the directories above path (relative to dir).
bool make_parents(const std::string& dir, const std::string& path, std::string& error) {
    for (auto slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
        std::string d = dir + "/" + path.substr(0, slash);
        if (mkdir(d.c_str(), 0755) < 0 && errno != EEXIST) {
            error = "Failed to create " + d + ": " + std::strerror(errno);
            return false;
        }
    }
    return true;
}

bool write_file(const std::string& dir, const OutputFile& f, std::string& error) {
    if (!make_parents(dir, f.path, error))
        return false;
    std::string p = dir + "/" + f.path;
    int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        error = "Failed to create " + p + ": " + std::strerror(errno);
        return false;
    }
    std::size_t done = 0;
    while (done < f.content.size()) {
        ssize_t n = write(fd, f.content.data() + done, f.content.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            error = "Failed to write " + p + ": " + std::strerror(errno);
            close(fd);
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    if (close(fd) < 0) {
        error = "Failed to write " + p + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

bool write_link(const std::string& dir, const OutputLink& l, std::string& error) {
    if (!make_parents(dir, l.path, error))
        return false;
    std::string p = dir + "/" + l.path;
    if (symlink(l.target.c_str(), p.c_str()) < 0) {
        error = "Failed to create symlink " + p + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

} // namespace

bool write_output(const std::string& dir, const Output& out,
                  const std::function<void(const std::string&)>& report) {
    bool ok = true;
    std::string error;
    for (const auto& f : out.files)
        if (!write_file(dir, f, error)) {
            report(error);
            ok = false;
        }
    for (const auto& l : out.links)
        if (!write_link(dir, l, error)) {
            report(error);
            ok = false;
        }
    return ok;
}

} // namespace nsvpn
