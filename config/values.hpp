// Value types of nsvpn.conf and their parsers. Each parser is a pure function:
// it returns the value, or an explanation of what was expected. Explanations
// never repeat key material.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace nsvpn {

// A parse result: the value or a human-readable reason.
template <typename T> class Parsed {
  public:
    Parsed(T value) : v_(std::move(value)) {}
    static Parsed fail(std::string why) { return Parsed(Error{std::move(why)}); }
    explicit operator bool() const { return v_.index() == 0; }
    T& operator*() { return std::get<0>(v_); }
    const T& operator*() const { return std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }
    const std::string& error() const { return std::get<1>(v_).why; }

  private:
    struct Error {
        std::string why;
    };
    explicit Parsed(Error e) : v_(std::move(e)) {}
    std::variant<T, Error> v_;
};

using KeyBytes = std::array<std::uint8_t, 32>;

// A WireGuard public key. Not secret; printable.
struct PublicKey {
    KeyBytes bytes{};
    std::string base64() const;
    friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

// A private or preshared key: wiped on destruction, never printable.
class SecretKey {
  public:
    SecretKey() = default;
    explicit SecretKey(const KeyBytes& b) : bytes_(b) {}
    SecretKey(const SecretKey&) = default;
    SecretKey& operator=(const SecretKey&) = default;
    ~SecretKey();
    const KeyBytes& bytes() const { return bytes_; }

  private:
    KeyBytes bytes_{};
};

struct IpAddress {
    int family = 0; // AF_INET or AF_INET6
    std::array<std::uint8_t, 16> bytes{};
    std::string text() const;
    friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct IpPrefix {
    IpAddress address;
    unsigned length = 0;
    std::string text() const;
    friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
};

struct Endpoint {
    std::string host; // an IP address (without brackets) or a DNS name
    std::uint16_t port = 0;
    bool host_is_address = false;
    std::string text() const;
};

enum class Protocol { Tcp, Udp };

struct ExposedPort {
    std::uint16_t host_port = 0;
    std::uint16_t port = 0;
    Protocol protocol = Protocol::Tcp;
    std::string text() const;
    friend bool operator==(const ExposedPort&, const ExposedPort&) = default;
};

Parsed<KeyBytes> parse_key(std::string_view text);
Parsed<IpAddress> parse_address(std::string_view text);
// "ADDR/LEN"; with host_default_length, a bare address means /32 or /128.
Parsed<IpPrefix> parse_prefix(std::string_view text, bool host_default_length);
Parsed<Endpoint> parse_endpoint(std::string_view text);
Parsed<ExposedPort> parse_exposed_port(std::string_view text);
Parsed<std::uint64_t> parse_number(std::string_view text, std::uint64_t min, std::uint64_t max);
Parsed<bool> parse_bool(std::string_view text);
Parsed<std::string> parse_interface_name(std::string_view text);
// Returns the unit name as systemctl reads it: without a suffix, ".service" is added.
Parsed<std::string> parse_unit_name(std::string_view text);
Parsed<std::string> parse_domain(std::string_view text);
Parsed<std::string> parse_absolute_path(std::string_view text);

// Whether the networks of a and b share an address (never across families).
bool prefixes_overlap(const IpPrefix& a, const IpPrefix& b);

// NAME of NAME.conf: 1 to 32 of A-Z a-z 0-9 _ -.
bool valid_config_name(std::string_view name);

// netns@*.service or wg-NAME.service: units of nsvpn itself, never attachable.
bool is_nsvpn_unit(std::string_view unit);

} // namespace nsvpn
