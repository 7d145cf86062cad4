// Named network namespaces, made and removed the way iproute2 does: a namespace
// file /run/netns/NAME bind-mounted from /proc/self/ns/net, /run/netns itself a
// shared mount point, so that `ip netns` sees ours and we see its.
#pragma once

#include "fd.hpp"

#include <string>

namespace nsvpn {

// The directory of named namespaces (/run/netns).
std::string netns_dir();
std::string netns_file(const std::string& name); // /run/netns/NAME

// Creates the namespace NAME. An existing one is left as it is (success). Safe
// when several run at once. Throws StepError.
void netns_add(const std::string& name);

// Removes the namespace file NAME (the namespace itself goes when nothing uses
// it any more). A missing one is success. Throws StepError.
void netns_delete(const std::string& name);

// Whether /run/netns/NAME is a mounted namespace file.
bool netns_exists(const std::string& name);

// An fd of the namespace NAME (O_RDONLY|O_CLOEXEC). Throws StepError.
Fd open_netns(const std::string& name);

// While alive, the calling thread is in another network namespace; on
// destruction it returns to the one it was in. Throws StepError.
class InNetns {
  public:
    explicit InNetns(int netns_fd);
    ~InNetns();
    InNetns(const InNetns&) = delete;
    InNetns& operator=(const InNetns&) = delete;

  private:
    Fd original_;
};

} // namespace nsvpn
