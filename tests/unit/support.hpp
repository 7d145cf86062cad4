// Shared helpers of the unit tests: parsing texts as configurations, looking for
// diagnostics, and temporary directory trees below /tmp.
#pragma once

#include "diagnostic.hpp"
#include "ini.hpp"
#include "merge.hpp"
#include "model.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nsvpn::test {

// Canonical WireGuard keys (wg genkey / wg pubkey output); none of them is secret.
inline const std::string private_key = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
inline const std::string public_key = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
inline const std::string other_public_key = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";
inline const std::string preshared_key = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";

// The main file of every text-only test.
inline const std::string main_file = "/etc/nsvpn/test.conf";

struct Result {
    Config config;
    Diagnostics diags;
};

// files: (display path, text), the main file first, then drop-ins in order.
// Parses, merges and (by default) validates, as load() does.
Result parse_files(const std::vector<std::pair<std::string, std::string>>& files,
                   bool run_validate = true);
Result parse_text(const std::string& text, bool run_validate = true);

// A minimal valid configuration.
std::string valid_config();

std::vector<Diagnostic> errors(const Diagnostics& diags);
std::vector<Diagnostic> warnings(const Diagnostics& diags);
// The first diagnostic of this class and severity, if any.
std::optional<Diagnostic> find(const Diagnostics& diags, Problem problem,
                               Severity severity = Severity::Error);
// True when there is an error of exactly this class, file, line and key.
bool has_error(const Diagnostics& diags, Problem problem, const std::string& file, unsigned line,
               const std::string& key);
// Every diagnostic, one per line, for failure messages.
std::string dump(const Diagnostics& diags);
const char* problem_name(Problem p);

// A directory below /tmp (mkdtemp), removed with everything in it on destruction.
class TempTree {
  public:
    TempTree();
    ~TempTree();
    TempTree(const TempTree&) = delete;
    TempTree& operator=(const TempTree&) = delete;

    const std::string& root() const { return root_; }
    // rel is below the root ("etc/nsvpn/x.conf"); parent directories are created.
    void write(const std::string& rel, const std::string& content, unsigned mode = 0600);
    void symlink(const std::string& rel, const std::string& target);
    void mkdir(const std::string& rel);
    std::string path(const std::string& rel) const { return root_ + "/" + rel; }

  private:
    std::string root_;
};

} // namespace nsvpn::test
