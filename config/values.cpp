#include "values.hpp"

#include "text.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <sys/socket.h>

namespace nsvpn {

namespace {

constexpr std::string_view b64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(char c) {
    auto pos = b64_alphabet.find(c);
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

const char* unit_suffixes[] = {".service", ".socket", ".target", ".device", ".mount", ".automount",
                               ".swap",    ".timer",  ".path",   ".slice",  ".scope"};

} // namespace

SecretKey::~SecretKey() {
    // explicit_bzero is not optimised away
    explicit_bzero(bytes_.data(), bytes_.size());
}

std::string PublicKey::base64() const {
    std::string out;
    out.reserve(44);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        unsigned v = bytes[i] << 16;
        std::size_t n = bytes.size() - i;
        if (n > 1)
            v |= bytes[i + 1] << 8;
        if (n > 2)
            v |= bytes[i + 2];
        out += b64_alphabet[(v >> 18) & 63];
        out += b64_alphabet[(v >> 12) & 63];
        out += n > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
        out += n > 2 ? b64_alphabet[v & 63] : '=';
    }
    return out;
}

Parsed<KeyBytes> parse_key(std::string_view text) {
    const auto expected =
        std::string("expected a WireGuard key: 44 characters of base64 ending in '='"
                    " (as printed by wg genkey or wg pubkey)");
    if (text.size() != 44 || text[43] != '=')
        return Parsed<KeyBytes>::fail(expected);
    KeyBytes out{};
    unsigned acc = 0;
    int bits = 0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < 43; ++i) {
        int v = b64_value(text[i]);
        if (v < 0)
            return Parsed<KeyBytes>::fail(expected);
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = static_cast<std::uint8_t>(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    // 43 characters carry 258 bits; the last 2 must be zero in a canonical key
    if (n != 32 || acc != 0)
        return Parsed<KeyBytes>::fail(expected);
    return out;
}

std::string IpAddress::text() const {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(family, bytes.data(), buf, sizeof buf);
    return buf;
}

std::string IpPrefix::text() const {
    return address.text() + "/" + std::to_string(length);
}

std::string Endpoint::text() const {
    bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string ExposedPort::text() const {
    std::string s;
    if (host_port != port)
        s = std::to_string(host_port) + ":";
    s += std::to_string(port);
    s += protocol == Protocol::Tcp ? "/tcp" : "/udp";
    return s;
}

Parsed<IpAddress> parse_address(std::string_view text) {
    std::string s(text);
    IpAddress a;
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
        a.family = AF_INET;
        return a;
    }
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
        a.family = AF_INET6;
        return a;
    }
    return Parsed<IpAddress>::fail("\"" + s + "\" is not an IPv4 or IPv6 address");
}

Parsed<IpPrefix> parse_prefix(std::string_view text, bool host_default_length) {
    auto slash = text.find('/');
    auto addr = parse_address(text.substr(0, slash));
    const std::string example = " (expected ADDRESS/PREFIXLEN, e.g. 10.2.0.2/32 or fc00::2/128)";
    if (!addr)
        return Parsed<IpPrefix>::fail(addr.error() + example);
    unsigned max = addr->family == AF_INET ? 32 : 128;
    IpPrefix p{*addr, max};
    if (slash == std::string_view::npos) {
        if (!host_default_length)
            return Parsed<IpPrefix>::fail("\"" + std::string(text) + "\" has no prefix length" +
                                          example);
        return p;
    }
    auto len = text.substr(slash + 1);
    if (!all_digits(len) || len.size() > 3 || std::stoul(std::string(len)) > max)
        return Parsed<IpPrefix>::fail("\"" + std::string(text) +
                                      "\" has a bad prefix length (0 to " + std::to_string(max) +
                                      ")" + example);
    p.length = static_cast<unsigned>(std::stoul(std::string(len)));
    return p;
}

Parsed<std::string> parse_domain(std::string_view text) {
    auto fail = [&] {
        return Parsed<std::string>::fail("\"" + std::string(text) +
                                         "\" is neither an IP address nor a DNS name");
    };
    std::string_view s = text;
    if (!s.empty() && s.back() == '.')
        s.remove_suffix(1);
    if (s.empty() || s.size() > 253)
        return fail();
    std::size_t label = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == '.') {
            if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-')
                return fail();
            label = 0;
        } else if (is_alnum(s[i]) || s[i] == '-' || s[i] == '_') {
            ++label;
        } else {
            return fail();
        }
    }
    // An all-numeric top label is no DNS name but a mistyped address (10.64.0.256)
    if (all_digits(s.substr(s.rfind('.') + 1)))
        return fail();
    return std::string(text);
}

Parsed<std::uint64_t> parse_number(std::string_view text, std::uint64_t min, std::uint64_t max) {
    auto range =
        " (expected a number from " + std::to_string(min) + " to " + std::to_string(max) + ")";
    std::uint64_t v = 0;
    bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    std::string_view digits = hex ? text.substr(2) : text;
    if (digits.empty() || digits.size() > 20)
        return Parsed<std::uint64_t>::fail("\"" + std::string(text) + "\" is not a number" + range);
    for (char c : digits) {
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (hex && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (hex && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return Parsed<std::uint64_t>::fail("\"" + std::string(text) + "\" is not a number" +
                                               range);
        std::uint64_t next = v * (hex ? 16 : 10) + static_cast<std::uint64_t>(d);
        if (next / (hex ? 16 : 10) != v)
            return Parsed<std::uint64_t>::fail("\"" + std::string(text) + "\" is out of range" +
                                               range);
        v = next;
    }
    if (v < min || v > max)
        return Parsed<std::uint64_t>::fail("\"" + std::string(text) + "\" is out of range" + range);
    return v;
}

Parsed<Endpoint> parse_endpoint(std::string_view text) {
    const std::string expected = " (expected HOST:PORT, e.g. 198.51.100.7:51820, "
                                 "[2001:db8::7]:51820 or vpn.example.net:51820)";
    auto fail = [&](const std::string& why) { return Parsed<Endpoint>::fail(why + expected); };
    Endpoint e;
    std::string_view host, port;
    if (!text.empty() && text[0] == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return fail("\"" + std::string(text) + "\" has an unterminated [IPv6] host or no port");
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        auto a = parse_address(host);
        if (!a || a->family != AF_INET6)
            return fail("\"" + std::string(host) + "\" in brackets is not an IPv6 address");
        e.host_is_address = true;
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos)
            return fail("\"" + std::string(text) + "\" has no port");
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos)
            return fail("\"" + std::string(text) + "\": an IPv6 host must be written in brackets");
        if (auto a = parse_address(host))
            e.host_is_address = true;
        else if (!parse_domain(host))
            return fail("\"" + std::string(host) + "\" is neither an IPv4 address nor a DNS name");
    }
    auto p = parse_number(port, 1, 65535);
    if (!p)
        return fail("port " + p.error());
    e.host = std::string(host);
    e.port = static_cast<std::uint16_t>(*p);
    return e;
}

Parsed<ExposedPort> parse_exposed_port(std::string_view text) {
    const std::string expected =
        " (expected [HOSTPORT:]PORT[/tcp|/udp], e.g. 9000, 8080:80 or 5353/udp)";
    ExposedPort ep;
    std::string_view s = text;
    if (auto slash = s.find('/'); slash != std::string_view::npos) {
        auto proto = s.substr(slash + 1);
        if (proto == "tcp")
            ep.protocol = Protocol::Tcp;
        else if (proto == "udp")
            ep.protocol = Protocol::Udp;
        else
            return Parsed<ExposedPort>::fail("\"" + std::string(text) +
                                             "\" has an unknown protocol" + expected);
        s = s.substr(0, slash);
    }
    std::string_view host = s, inner = s;
    if (auto colon = s.find(':'); colon != std::string_view::npos) {
        host = s.substr(0, colon);
        inner = s.substr(colon + 1);
    }
    auto h = parse_number(host, 1, 65535);
    auto i = parse_number(inner, 1, 65535);
    if (!h || !i)
        return Parsed<ExposedPort>::fail("\"" + std::string(text) + "\" is not a port" + expected);
    ep.host_port = static_cast<std::uint16_t>(*h);
    ep.port = static_cast<std::uint16_t>(*i);
    return ep;
}

Parsed<bool> parse_bool(std::string_view text) {
    std::string s;
    for (char c : text)
        s += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (s == "yes" || s == "true" || s == "on" || s == "1")
        return true;
    if (s == "no" || s == "false" || s == "off" || s == "0")
        return false;
    return Parsed<bool>::fail("\"" + std::string(text) +
                              "\" is not a boolean (expected yes or no)");
}

Parsed<std::string> parse_interface_name(std::string_view text) {
    auto fail = [&](const std::string& why) {
        return Parsed<std::string>::fail(
            "\"" + std::string(text) + "\" " + why +
            " (expected 1 to 15 bytes, no '/', ':' or spaces, e.g. wg0)");
    };
    if (text.empty() || text.size() > 15)
        return fail("is not 1 to 15 bytes long");
    if (text == "." || text == "..")
        return fail("is not an interface name");
    for (unsigned char c : text)
        if (c <= ' ' || c == '/' || c == ':' || c >= 0x7f)
            return fail("contains a character interface names cannot have");
    return std::string(text);
}

Parsed<std::string> parse_unit_name(std::string_view text) {
    auto fail = [&](const std::string& why) {
        return Parsed<std::string>::fail(
            "\"" + std::string(text) + "\" " + why +
            " (expected a unit name such as rssbot or rssbot.service)");
    };
    std::string name(text);
    bool has_suffix = false;
    for (const char* suffix : unit_suffixes) {
        std::string_view sfx(suffix);
        if (name.size() > sfx.size() && name.ends_with(sfx))
            has_suffix = true;
    }
    if (!has_suffix)
        name += ".service";
    if (name.size() > 255)
        return fail("is too long");
    for (char c : name)
        if (!is_alnum(c) && c != ':' && c != '-' && c != '_' && c != '.' && c != '\\' && c != '@')
            return fail("contains a character unit names cannot have");
    auto dot = name.rfind('.');
    std::string prefix = name.substr(0, dot);
    if (prefix.empty() || prefix.front() == '@' || prefix.front() == '.')
        return fail("is not a valid unit name");
    if (std::count(prefix.begin(), prefix.end(), '@') > 1)
        return fail("has more than one '@'");
    std::string_view type = std::string_view(name).substr(dot);
    if (type != ".service" && type != ".socket")
        return fail("is not a service or socket: only those run processes in a namespace");
    return name;
}

Parsed<std::string> parse_absolute_path(std::string_view text) {
    if (text.empty() || text[0] != '/')
        return Parsed<std::string>::fail("\"" + std::string(text) +
                                         "\" is not an absolute path (expected /path/to/file)");
    for (unsigned char c : text)
        if (c < ' ' || c == 0x7f)
            return Parsed<std::string>::fail("the path contains a control character");
    return std::string(text);
}

bool is_nsvpn_unit(std::string_view unit) {
    if (unit.starts_with("netns@"))
        return true;
    constexpr std::string_view prefix = "wg-", suffix = ".service";
    return unit.size() > prefix.size() + suffix.size() && unit.starts_with(prefix) &&
           unit.ends_with(suffix) &&
           valid_config_name(
               unit.substr(prefix.size(), unit.size() - prefix.size() - suffix.size()));
}

bool prefixes_overlap(const IpPrefix& a, const IpPrefix& b) {
    if (a.address.family != b.address.family)
        return false;
    unsigned bits = std::min(a.length, b.length);
    for (unsigned i = 0; i < bits; ++i) {
        unsigned byte = i / 8, mask = 0x80u >> (i % 8);
        if ((a.address.bytes[byte] & mask) != (b.address.bytes[byte] & mask))
            return false;
    }
    return true;
}

bool valid_config_name(std::string_view name) {
    if (name.empty() || name.size() > 32)
        return false;
    for (char c : name)
        if (!is_alnum(c) && c != '_' && c != '-')
            return false;
    return true;
}

} // namespace nsvpn
