// nsvpn status's pure part: JSON string escaping, the JSON document (golden),
// the table, ages and byte counts.
#include "status.hpp"

#include <gtest/gtest.h>

namespace nsvpn {
namespace {

constexpr std::int64_t now = 1700000100;

VpnStatus up_vpn() {
    VpnStatus v;
    v.name = "mullvad";
    v.config = "/etc/nsvpn/mullvad.conf";
    v.config_valid = true;
    v.unit = {"wg-mullvad.service", "loaded", "active", "exited", std::nullopt};
    v.record = Record::Complete;
    v.up = true;
    v.netns_path = "/run/netns/mullvad";
    v.netns_present = true;
    v.implementation = "userspace";
    v.daemon_pid = 4242;
    v.daemon_running = true;
    v.interface = "wg0";
    v.host_interface = "nsv741a56f6";
    v.addresses = {"10.68.1.2/32", "fc00:bbbb:bbbb:bb01::5:102/128"};
    PeerStatus p;
    p.public_key = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
    p.endpoint = "185.213.154.68:51820";
    p.latest_handshake = 1700000058;
    p.rx_bytes = 1234567;
    p.tx_bytes = 89;
    p.allowed_ips = {"0.0.0.0/0", "::/0"};
    v.peers.push_back(p);
    PeerStatus q;
    q.public_key = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";
    v.peers.push_back(q);
    ExposeStatus e;
    e.ports = {{9000, 9000, "tcp"}, {5353, 53, "udp"}};
    e.listen_addresses = {"127.0.0.1", "100.114.224.96"};
    e.veth = "nsx1234abcd";
    e.link = "169.254.18.4/30";
    v.expose = e;
    ServiceStatus inside{
        {"rssbot.service", "loaded", "active", "running", 345}, true, Placement::Inside};
    ServiceStatus outside{
        {"leaky.service", "loaded", "active", "running", 346}, true, Placement::Outside};
    ServiceStatus stopped{
        {"idle.service", "loaded", "inactive", "dead", 0}, false, Placement::NotRunning};
    v.services = {inside, outside, stopped};
    v.warnings = {"leaky.service runs OUTSIDE the VPN's namespace (pid 346)"};
    return v;
}

// Down, without systemd, known only by a configuration that no longer parses.
VpnStatus down_vpn() {
    VpnStatus v;
    v.name = "proton";
    v.config = "/etc/nsvpn/proton.conf";
    v.unit.name = "wg-proton.service";
    v.netns_path = "/run/netns/proton";
    v.interface = "wg0";
    ServiceStatus s;
    s.unit.name = "web.service";
    v.services = {s};
    v.errors = {"/etc/nsvpn/proton.conf: Permission denied \"quoted\"\n"};
    return v;
}

TEST(StatusJson, QuotesAndEscapes) {
    EXPECT_EQ(json_quote(""), "\"\"");
    EXPECT_EQ(json_quote("plain text/path"), "\"plain text/path\"");
    EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(json_quote("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
    EXPECT_EQ(json_quote(std::string("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\\u007f\"");
    EXPECT_EQ(json_quote(std::string("a\0b", 3)), "\"a\\u0000b\"");
}

TEST(StatusJson, KeepsUtf8AndReplacesWhatIsNot) {
    EXPECT_EQ(json_quote("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
              "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    const std::string fffd = "\xef\xbf\xbd";
    EXPECT_EQ(json_quote("\xff"), "\"" + fffd + "\"");
    EXPECT_EQ(json_quote("a\xc3"), "\"a" + fffd + "\"");                     // truncated
    EXPECT_EQ(json_quote("\xc3("), "\"" + fffd + "(\"");                     // bad continuation
    EXPECT_EQ(json_quote("\xc0\xaf"), "\"" + fffd + fffd + "\"");            // overlong '/'
    EXPECT_EQ(json_quote("\xe0\x80\xaf"), "\"" + fffd + fffd + fffd + "\""); // overlong
    EXPECT_EQ(json_quote("\xed\xa0\x80"), "\"" + fffd + fffd + fffd + "\""); // surrogate
    EXPECT_EQ(json_quote("\xf4\x90\x80\x80"),
              "\"" + fffd + fffd + fffd + fffd + "\""); // above U+10FFFF
}

TEST(StatusJson, Golden) {
    const std::string expected = R"json({
  "version": 1,
  "vpns": [
    {
      "name": "mullvad",
      "config": {
        "path": "/etc/nsvpn/mullvad.conf",
        "masked": false,
        "valid": true
      },
      "unit": {
        "name": "wg-mullvad.service",
        "load_state": "loaded",
        "active_state": "active",
        "sub_state": "exited"
      },
      "record": "complete",
      "up": true,
      "namespace": {
        "path": "/run/netns/mullvad",
        "present": true
      },
      "implementation": "userspace",
      "daemon": {
        "pid": 4242,
        "running": true
      },
      "interface": "wg0",
      "host_interface": "nsv741a56f6",
      "addresses": ["10.68.1.2/32", "fc00:bbbb:bbbb:bb01::5:102/128"],
      "peers": [
        {
          "public_key": "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
          "endpoint": "185.213.154.68:51820",
          "latest_handshake": 1700000058,
          "latest_handshake_age": 42,
          "rx_bytes": 1234567,
          "tx_bytes": 89,
          "allowed_ips": ["0.0.0.0/0", "::/0"]
        },
        {
          "public_key": "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=",
          "endpoint": null,
          "latest_handshake": null,
          "latest_handshake_age": null,
          "rx_bytes": 0,
          "tx_bytes": 0,
          "allowed_ips": []
        }
      ],
      "expose": {
        "ports": [
          {
            "host_port": 9000,
            "port": 9000,
            "protocol": "tcp"
          },
          {
            "host_port": 5353,
            "port": 53,
            "protocol": "udp"
          }
        ],
        "listen_addresses": ["127.0.0.1", "100.114.224.96"],
        "veth": "nsx1234abcd",
        "link": "169.254.18.4/30"
      },
      "services": [
        {
          "unit": "rssbot.service",
          "load_state": "loaded",
          "active_state": "active",
          "sub_state": "running",
          "main_pid": 345,
          "running": true,
          "namespace": "inside"
        },
        {
          "unit": "leaky.service",
          "load_state": "loaded",
          "active_state": "active",
          "sub_state": "running",
          "main_pid": 346,
          "running": true,
          "namespace": "outside"
        },
        {
          "unit": "idle.service",
          "load_state": "loaded",
          "active_state": "inactive",
          "sub_state": "dead",
          "main_pid": 0,
          "running": false,
          "namespace": "not-running"
        }
      ],
      "warnings": ["leaky.service runs OUTSIDE the VPN's namespace (pid 346)"],
      "errors": []
    },
    {
      "name": "proton",
      "config": {
        "path": "/etc/nsvpn/proton.conf",
        "masked": false,
        "valid": false
      },
      "unit": {
        "name": "wg-proton.service",
        "load_state": "unknown",
        "active_state": "unknown",
        "sub_state": "unknown"
      },
      "record": "none",
      "up": false,
      "namespace": {
        "path": "/run/netns/proton",
        "present": false
      },
      "implementation": null,
      "daemon": null,
      "interface": "wg0",
      "host_interface": null,
      "addresses": [],
      "peers": [],
      "expose": null,
      "services": [
        {
          "unit": "web.service",
          "load_state": "unknown",
          "active_state": "unknown",
          "sub_state": "unknown",
          "main_pid": null,
          "running": null,
          "namespace": "unknown"
        }
      ],
      "warnings": [],
      "errors": ["/etc/nsvpn/proton.conf: Permission denied \"quoted\"\n"]
    }
  ]
}
)json";
    EXPECT_EQ(format_status_json({up_vpn(), down_vpn()}, now), expected);
}

TEST(StatusJson, NoVpns) {
    EXPECT_EQ(format_status_json({}, now), "{\n  \"version\": 1,\n  \"vpns\": []\n}\n");
}

TEST(StatusJson, OnlyARecordLeft) {
    VpnStatus v = up_vpn();
    v.config.reset();
    v.services.clear();
    std::string json = format_status_json({v}, now);
    EXPECT_NE(json.find("\"config\": null,"), std::string::npos) << json;
    EXPECT_NE(json.find("\"services\": [],"), std::string::npos) << json;
}

TEST(StatusJson, AHandshakeInTheFutureIsZeroSecondsOld) {
    VpnStatus v = up_vpn();
    v.peers[0].latest_handshake = now + 5; // the clock was set back
    EXPECT_NE(format_status_json({v}, now).find("\"latest_handshake_age\": 0,"), std::string::npos);
}

TEST(StatusTable, Up) {
    const std::string expected =
        "mullvad: up\n"
        "              unit: wg-mullvad.service: active (exited)\n"
        "            config: /etc/nsvpn/mullvad.conf\n"
        "         namespace: /run/netns/mullvad\n"
        "         interface: wg0, userspace (pid 4242), host name nsv741a56f6\n"
        "         addresses: 10.68.1.2/32, fc00:bbbb:bbbb:bb01::5:102/128\n"
        "              peer: xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
        "          endpoint: 185.213.154.68:51820\n"
        "  latest handshake: 42s ago\n"
        "          transfer: 1.18 MiB received, 89 B sent\n"
        "       allowed ips: 0.0.0.0/0, ::/0\n"
        "              peer: TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=\n"
        "          endpoint: none\n"
        "  latest handshake: never\n"
        "          transfer: 0 B received, 0 B sent\n"
        "       allowed ips: none\n"
        "           exposed: 9000/tcp, 5353->53/udp on 127.0.0.1, 100.114.224.96\n"
        "              veth: nsx1234abcd, 169.254.18.4/30\n"
        "          services: rssbot.service: active (running), pid 345, inside\n"
        "                    leaky.service: active (running), pid 346, OUTSIDE the VPN\n"
        "                    idle.service: inactive (dead), not running\n"
        "           warning: leaky.service runs OUTSIDE the VPN's namespace (pid 346)\n";
    EXPECT_EQ(format_status_table({up_vpn()}, now), expected);
}

TEST(StatusTable, DownWithoutSystemd) {
    const std::string expected =
        "proton: down\n"
        "              unit: wg-proton.service: unknown\n"
        "            config: /etc/nsvpn/proton.conf (invalid: see nsvpn validate proton)\n"
        "         namespace: /run/netns/proton (absent)\n"
        "         interface: wg0\n"
        "          services: web.service: unknown\n"
        "             error: /etc/nsvpn/proton.conf: Permission denied \"quoted\"\\n\n";
    EXPECT_EQ(format_status_table({down_vpn()}, now), expected);
}

TEST(StatusTable, VpnsAreSeparatedByABlankLine) {
    std::string text = format_status_table({up_vpn(), down_vpn()}, now);
    EXPECT_NE(text.find("(pid 346)\n\nproton: down\n"), std::string::npos) << text;
}

TEST(StatusTable, NoVpns) {
    EXPECT_EQ(format_status_table({}, now), "no VPNs configured\n");
}

TEST(StatusTable, DeadDaemonAndMissingNamespace) {
    VpnStatus v = up_vpn();
    v.up = false;
    v.netns_present = false;
    v.daemon_running = false;
    std::string text = format_status_table({v}, now);
    EXPECT_NE(text.find("mullvad: not up (its namespace is gone)\n"), std::string::npos) << text;
    EXPECT_NE(text.find("(pid 4242, NOT RUNNING)"), std::string::npos) << text;
    EXPECT_NE(text.find("/run/netns/mullvad (absent)"), std::string::npos) << text;
    v.record = Record::Incomplete;
    EXPECT_NE(format_status_table({v}, now).find("mullvad: not up (an up is running"),
              std::string::npos);
}

TEST(StatusTable, MaskedAndRecordOnly) {
    VpnStatus v = down_vpn();
    v.masked = true;
    v.errors.clear();
    EXPECT_NE(format_status_table({v}, now).find("config: /etc/nsvpn/proton.conf (masked)\n"),
              std::string::npos);
    v.config.reset();
    EXPECT_NE(format_status_table({v}, now).find("config: none (only the record"),
              std::string::npos);
}

TEST(StatusFormat, Ages) {
    EXPECT_EQ(format_age(0), "0s");
    EXPECT_EQ(format_age(59), "59s");
    EXPECT_EQ(format_age(60), "1m");
    EXPECT_EQ(format_age(125), "2m 5s");
    EXPECT_EQ(format_age(3600), "1h");
    EXPECT_EQ(format_age(3720), "1h 2m");
    EXPECT_EQ(format_age(86400 * 4 + 3 * 3600 + 59), "4d 3h");
    EXPECT_EQ(format_age(-3), "0s");
}

TEST(StatusFormat, Bytes) {
    EXPECT_EQ(format_bytes(0), "0 B");
    EXPECT_EQ(format_bytes(1023), "1023 B");
    EXPECT_EQ(format_bytes(1024), "1.00 KiB");
    EXPECT_EQ(format_bytes(1536), "1.50 KiB");
    EXPECT_EQ(format_bytes(1024ull * 1024 * 1024 * 3), "3.00 GiB");
    EXPECT_EQ(format_bytes(~0ull), "16.00 EiB");
}

} // namespace
} // namespace nsvpn
