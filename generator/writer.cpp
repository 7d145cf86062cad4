#include "writer.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace nsvpn {

namespace {

// The output directory, open once; everything below it is made relative to it.
class OutputDir {
  public:
    explicit OutputDir(const std::string& path) : path_(path) {
        fd_ = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    ~OutputDir() {
        if (fd_ >= 0)
            close(fd_);
    }
    OutputDir(const OutputDir&) = delete;
    OutputDir& operator=(const OutputDir&) = delete;

    bool ok(std::string& error) const {
        if (fd_ < 0)
            error = "Failed to open " + path_ + ": " + std::strerror(errno);
        return fd_ >= 0;
    }

    // mkdir -p of the directories above rel, each at most once per run.
    bool make_parents(const std::string& rel, std::string& error) {
        for (auto slash = rel.find('/'); slash != std::string::npos;
             slash = rel.find('/', slash + 1)) {
            std::string d = rel.substr(0, slash);
            if (made_.count(d))
                continue;
            if (mkdirat(fd_, d.c_str(), 0755) < 0 && errno != EEXIST) {
                error = "Failed to create " + path_ + "/" + d + ": " + std::strerror(errno);
                return false;
            }
            made_.insert(std::move(d));
        }
        return true;
    }

    bool write_file(const OutputFile& f, std::string& error) {
        if (!make_parents(f.path, error))
            return false;
        int fd =
            openat(fd_, f.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) {
            error = "Failed to create " + path_ + "/" + f.path + ": " + std::strerror(errno);
            return false;
        }
        std::size_t done = 0;
        while (done < f.content.size()) {
            ssize_t n = write(fd, f.content.data() + done, f.content.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                error = "Failed to write " + path_ + "/" + f.path + ": " + std::strerror(errno);
                close(fd);
                return false;
            }
            done += static_cast<std::size_t>(n);
        }
        if (close(fd) < 0) {
            error = "Failed to write " + path_ + "/" + f.path + ": " + std::strerror(errno);
            return false;
        }
        return true;
    }

    bool write_link(const OutputLink& l, std::string& error) {
        if (!make_parents(l.path, error))
            return false;
        if (symlinkat(l.target.c_str(), fd_, l.path.c_str()) < 0) {
            error =
                "Failed to create symlink " + path_ + "/" + l.path + ": " + std::strerror(errno);
            return false;
        }
        return true;
    }

  private:
    std::string path_;
    int fd_ = -1;
    std::set<std::string> made_;
};

} // namespace

bool write_output(const std::string& dir, const Output& out,
                  const std::function<void(const std::string&)>& report) {
    std::string error;
    OutputDir output(dir);
    if (!output.ok(error)) {
        report(error);
        return false;
    }
    bool ok = true;
    for (const auto& f : out.files)
        if (!output.write_file(f, error)) {
            report(error);
            ok = false;
        }
    for (const auto& l : out.links)
        if (!output.write_link(l, error)) {
            report(error);
            ok = false;
        }
    return ok;
}

} // namespace nsvpn
