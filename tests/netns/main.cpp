// main() of the netns test binary. ctest runs it inside `unshare --net --mount`
// (see tests/CMakeLists.txt), so it has a network namespace of its own; here it
// also gets a private /run, so that /run/netns, /run/nsvpn and /run/wireguard are
// its own and nothing of the machine is touched.
#include <cstdio>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (geteuid() != 0) {
        std::fprintf(stderr, "the netns tests need root (run by `scripts/test.sh` as root)\n");
        return 1;
    }
    // Mounts made here must not reach the machine's mount namespace.
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0 ||
        mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
        std::perror("private /run (is this running under unshare --net --mount?)");
        return 1;
    }
    for (const char* d : {"/run/netns", "/run/nsvpn", "/run/wireguard"})
        mkdir(d, 0755);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
