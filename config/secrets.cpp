#include "secrets.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nsvpn {

namespace {

std::string mode_text(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

void warn_if_shared(const SearchPath& sp, const std::string& file, unsigned line,
                    const std::string& key, const std::string& what, Diagnostics& diags) {
    struct stat st;
    if (stat(sp.real(file).c_str(), &st) == 0 && (st.st_mode & 077))
        diags.warning(Problem::Insecure, file, line, key,
                      what + " is readable by group or others (mode " + mode_text(st.st_mode) +
                          "); run chmod 600 on it");
}

void check_key_file(const SearchPath& sp, const Located<std::string>& setting,
                    const std::string& key, Diagnostics& diags) {
    const auto& path = setting.value;
    auto k = read_key_file(sp.real(path));
    if (!k) {
        diags.error(Problem::BadValue, setting.where.file, setting.where.line, key,
                    path + ": " + k.error());
        return;
    }
    warn_if_shared(sp, path, 0, "", "this key file", diags);
}

} // namespace

Parsed<SecretKey> read_key_file(const std::string& real_path) {
    int fd = open(real_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return Parsed<SecretKey>::fail(std::string("cannot open: ") + std::strerror(errno));
    // A key file holds one key and perhaps a newline; anything longer is not one.
    char buf[4096];
    std::size_t used = 0;
    for (;;) {
        ssize_t n = read(fd, buf + used, sizeof buf - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            close(fd);
            explicit_bzero(buf, sizeof buf);
            return Parsed<SecretKey>::fail(std::string("cannot read: ") + std::strerror(err));
        }
        used += static_cast<std::size_t>(n);
        if (n == 0 || used == sizeof buf)
            break;
    }
    close(fd);
    std::string_view text(buf, used);
    while (!text.empty() && std::strchr(" \t\r\n", text.back()))
        text.remove_suffix(1);
    while (!text.empty() && std::strchr(" \t\r\n", text.front()))
        text.remove_prefix(1);
    auto key = parse_key(text);
    explicit_bzero(buf, used);
    if (!key)
        return Parsed<SecretKey>::fail("does not hold a key: " + key.error());
    SecretKey secret(*key);
    explicit_bzero(&*key, sizeof(KeyBytes));
    return secret;
}

void check_secrets(const SearchPath& sp, const Config& c, Diagnostics& diags) {
    const auto& i = c.interface;
    if (i.private_key)
        warn_if_shared(sp, i.private_key->where.file, i.private_key->where.line, "PrivateKey",
                       "the file holding PrivateKey=", diags);
    if (i.private_key_file)
        check_key_file(sp, *i.private_key_file, "PrivateKeyFile", diags);
    for (const auto& p : c.peers) {
        if (p.preshared_key)
            warn_if_shared(sp, p.preshared_key->where.file, p.preshared_key->where.line,
                           "PresharedKey", "the file holding PresharedKey=", diags);
        if (p.preshared_key_file)
            check_key_file(sp, *p.preshared_key_file, "PresharedKeyFile", diags);
    }
}

} // namespace nsvpn
