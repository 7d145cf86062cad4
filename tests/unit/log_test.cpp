// The journal entries the helper sends (the journal's native protocol).
#include "../../hook/log.hpp" // (generator/ has a log.hpp too)

#include <gtest/gtest.h>
#include <string>

namespace nsvpn {
namespace {

using namespace std::string_literals;

TEST(Journal, OneLinePerField) {
    EXPECT_EQ(journal_entry(LOG_ERR, "mullvad", "open namespace mullvad: No such file"),
              "MESSAGE=open namespace mullvad: No such file\n"
              "PRIORITY=3\n"
              "NSVPN_NAMESPACE=mullvad\n"
              "SYSLOG_IDENTIFIER=nsvpn\n");
}

TEST(Journal, AValueWithNewlinesIsSentWithItsLength) {
    // "KEY\n", the length as 64-bit little-endian, the value, "\n"
    EXPECT_EQ(journal_entry(LOG_INFO, "vpn", "two\nlines"),
              "MESSAGE\n\x09\0\0\0\0\0\0\0two\nlines\n"s
              "PRIORITY=6\n"
              "NSVPN_NAMESPACE=vpn\n"
              "SYSLOG_IDENTIFIER=nsvpn\n");
}

TEST(Journal, ALongValueWithNewlinesHasEveryByteOfItsLength) {
    std::string message(0x1234, 'x');
    message[7] = '\n';
    std::string entry = journal_entry(LOG_WARNING, "vpn", message);
    ASSERT_GT(entry.size(), 16u);
    EXPECT_EQ(entry.substr(0, 16), "MESSAGE\n\x34\x12\0\0\0\0\0\0"s);
    EXPECT_EQ(entry.substr(16, message.size()), message);
    EXPECT_EQ(entry.substr(16 + message.size(), 12), "\nPRIORITY=4\n");
}

} // namespace
} // namespace nsvpn
