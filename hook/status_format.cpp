// nsvpn status: the table and the JSON document (pure: no I/O, no clock).
#include "status.hpp"

#include <cstdio>
#include <string_view>

namespace nsvpn {

namespace {

// Appends the UTF-8 sequence starting at s[i] when it is well formed (no
// overlong forms, surrogates or code points above U+10FFFF), and returns its
// length; 0 when it is not.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char b = byte(i);
    std::size_t n;
    std::uint32_t cp;
    if (b >= 0xc2 && b <= 0xdf) {
        n = 2;
        cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
        n = 3;
        cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        n = 4;
        cp = b & 0x07;
    } else {
        return 0;
    }
    if (i + n > s.size())
        return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (byte(i + k) & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

// A pretty-printing JSON writer: two spaces per level, arrays of strings on one line.
class JsonWriter {
  public:
    std::string take() {
        out_ += '\n';
        return std::move(out_);
    }

    JsonWriter& begin_object() {
        before_value();
        out_ += '{';
        stack_.push_back(true);
        return *this;
    }
    JsonWriter& end_object() { return close('}'); }
    JsonWriter& begin_array() {
        before_value();
        out_ += '[';
        stack_.push_back(true);
        return *this;
    }
    JsonWriter& end_array() { return close(']'); }

    JsonWriter& key(std::string_view k) {
        before_value();
        out_ += json_quote(std::string(k));
        out_ += ": ";
        after_key_ = true;
        return *this;
    }

    JsonWriter& string(const std::string& v) { return raw(json_quote(v)); }
    JsonWriter& string(const char* v) { return string(std::string(v)); }
    JsonWriter& number(std::int64_t v) { return raw(std::to_string(v)); }
    JsonWriter& unsigned_number(std::uint64_t v) { return raw(std::to_string(v)); }
    JsonWriter& boolean(bool v) { return raw(v ? "true" : "false"); }
    JsonWriter& null() { return raw("null"); }

    JsonWriter& string(const std::optional<std::string>& v) { return v ? string(*v) : null(); }
    JsonWriter& unsigned_number(const std::optional<std::uint32_t>& v) {
        return v ? unsigned_number(*v) : null();
    }
    JsonWriter& boolean(const std::optional<bool>& v) { return v ? boolean(*v) : null(); }

    // ["a", "b"] on one line
    JsonWriter& strings(const std::vector<std::string>& list) {
        std::string s = "[";
        for (std::size_t n = 0; n < list.size(); ++n)
            s += (n ? ", " : "") + json_quote(list[n]);
        return raw(s + "]");
    }

  private:
    void before_value() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (stack_.empty())
            return;
        if (!stack_.back())
            out_ += ',';
        stack_.back() = false;
        newline(stack_.size());
    }
    JsonWriter& raw(const std::string& text) {
        before_value();
        out_ += text;
        return *this;
    }
    JsonWriter& close(char c) {
        bool empty = stack_.back();
        stack_.pop_back();
        if (!empty)
            newline(stack_.size());
        out_ += c;
        return *this;
    }
    void newline(std::size_t depth) {
        out_ += '\n';
        out_.append(2 * depth, ' ');
    }

    std::string out_;
    std::vector<bool> stack_; // per open container: nothing written in it yet
    bool after_key_ = false;
};

const char* placement_json(Placement p) {
    switch (p) {
    case Placement::NotRunning:
        return "not-running";
    case Placement::Inside:
        return "inside";
    case Placement::Outside:
        return "outside";
    case Placement::Unknown:
        break;
    }
    return "unknown";
}

const char* placement_text(Placement p) {
    switch (p) {
    case Placement::NotRunning:
        return "not running";
    case Placement::Inside:
        return "inside";
    case Placement::Outside:
        return "OUTSIDE the VPN";
    case Placement::Unknown:
        break;
    }
    return "namespace unknown";
}

const char* record_json(Record r) {
    switch (r) {
    case Record::Incomplete:
        return "incomplete";
    case Record::Complete:
        return "complete";
    case Record::None:
        break;
    }
    return "none";
}

std::optional<std::int64_t> age_of(const PeerStatus& p, std::int64_t now) {
    if (!p.latest_handshake)
        return std::nullopt;
    return now > *p.latest_handshake ? now - *p.latest_handshake : 0;
}

void write_unit(JsonWriter& j, const UnitStatus& u) {
    auto state = [&](const std::optional<std::string>& s) { j.string(s.value_or("unknown")); };
    j.key("load_state");
    state(u.load_state);
    j.key("active_state");
    state(u.active_state);
    j.key("sub_state");
    state(u.sub_state);
}

void write_vpn(JsonWriter& j, const VpnStatus& v, std::int64_t now) {
    j.begin_object();
    j.key("name").string(v.name);
    j.key("config");
    if (v.config) {
        j.begin_object();
        j.key("path").string(*v.config);
        j.key("masked").boolean(v.masked);
        j.key("valid").boolean(v.config_valid);
        j.end_object();
    } else {
        j.null();
    }
    j.key("unit").begin_object();
    j.key("name").string(v.unit.name);
    write_unit(j, v.unit);
    j.end_object();
    j.key("record").string(record_json(v.record));
    j.key("up").boolean(v.up);
    j.key("namespace").begin_object();
    j.key("path").string(v.netns_path);
    j.key("present").boolean(v.netns_present);
    j.end_object();
    j.key("implementation").string(v.implementation);
    j.key("daemon");
    if (v.daemon_pid) {
        j.begin_object();
        j.key("pid").unsigned_number(*v.daemon_pid);
        j.key("running").boolean(v.daemon_running);
        j.end_object();
    } else {
        j.null();
    }
    j.key("interface").string(v.interface);
    j.key("host_interface").string(v.host_interface);
    j.key("addresses").strings(v.addresses);
    j.key("peers").begin_array();
    for (const auto& p : v.peers) {
        j.begin_object();
        j.key("public_key").string(p.public_key);
        j.key("endpoint").string(p.endpoint);
        j.key("latest_handshake");
        if (p.latest_handshake)
            j.number(*p.latest_handshake);
        else
            j.null();
        j.key("latest_handshake_age");
        if (auto age = age_of(p, now))
            j.number(*age);
        else
            j.null();
        j.key("rx_bytes").unsigned_number(p.rx_bytes);
        j.key("tx_bytes").unsigned_number(p.tx_bytes);
        j.key("allowed_ips").strings(p.allowed_ips);
        j.end_object();
    }
    j.end_array();
    j.key("expose");
    if (v.expose) {
        const auto& e = *v.expose;
        j.begin_object();
        j.key("ports").begin_array();
        for (const auto& p : e.ports) {
            j.begin_object();
            j.key("host_port").unsigned_number(p.host_port);
            j.key("port").unsigned_number(p.port);
            j.key("protocol").string(p.protocol);
            j.end_object();
        }
        j.end_array();
        j.key("listen_addresses").strings(e.listen_addresses);
        j.key("veth").string(e.veth);
        j.key("link").string(e.link);
        j.end_object();
    } else {
        j.null();
    }
    j.key("services").begin_array();
    for (const auto& s : v.services) {
        j.begin_object();
        j.key("unit").string(s.unit.name);
        write_unit(j, s.unit);
        j.key("main_pid").unsigned_number(s.unit.main_pid);
        j.key("running").boolean(s.running);
        j.key("namespace").string(placement_json(s.placement));
        j.end_object();
    }
    j.end_array();
    j.key("warnings").strings(v.warnings);
    j.key("errors").strings(v.errors);
    j.end_object();
}

// "active (running)", "unknown (no systemd)"
std::string unit_text(const UnitStatus& u) {
    if (!u.active_state)
        return "unknown";
    std::string s = *u.active_state;
    if (u.sub_state && *u.sub_state != *u.active_state)
        s += " (" + *u.sub_state + ")";
    if (u.load_state && *u.load_state != "loaded")
        s += ", " + *u.load_state;
    return s;
}

std::string join(const std::vector<std::string>& list, const char* sep = ", ") {
    std::string s;
    for (std::size_t n = 0; n < list.size(); ++n)
        s += (n ? sep : "") + list[n];
    return s;
}

std::string port_text(const ExposedPortStatus& p) {
    std::string s = p.host_port == p.port ? "" : std::to_string(p.host_port) + "->";
    return s + std::to_string(p.port) + "/" + p.protocol;
}

// Control characters as C escapes, so that no value can move the terminal's cursor.
std::string printable(const std::string& s) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += "\\t";
        else if (c < 0x20 || c == 0x7f)
            out += std::string("\\x") + hex[c >> 4] + hex[c & 0xf];
        else
            out += static_cast<char>(c);
    }
    return out;
}

// Lines "  LABEL: VALUE", labels right-aligned as in systemctl status.
class Table {
  public:
    void row(std::string_view label, const std::string& value) {
        std::string pad = label.size() < width ? std::string(width - label.size(), ' ') : "";
        out_ += pad + std::string(label) + (label.empty() ? "  " : ": ") + printable(value) + "\n";
    }
    void text(const std::string& line) { out_ += line + "\n"; }
    std::string take() { return std::move(out_); }

  private:
    static constexpr std::size_t width = 18;
    std::string out_;
};

void write_table(Table& t, const VpnStatus& v, std::int64_t now) {
    std::string headline = v.name + ": ";
    if (v.up)
        headline += "up";
    else if (v.record == Record::Incomplete)
        headline += "not up (an up is running, or one was interrupted)";
    else if (v.record == Record::Complete)
        headline += "not up (its namespace is gone)";
    else
        headline += "down";
    t.text(headline);

    t.row("unit", v.unit.name + ": " + unit_text(v.unit));
    if (!v.config)
        t.row("config", "none (only the record of an earlier up is left)");
    else
        t.row("config",
              *v.config + (v.masked         ? " (masked)"
                           : v.config_valid ? ""
                                            : " (invalid: see nsvpn validate " + v.name + ")"));
    t.row("namespace", v.netns_path + (v.netns_present ? "" : " (absent)"));
    if (v.interface) {
        std::string s = *v.interface;
        if (v.implementation) {
            s += ", " + *v.implementation;
            if (v.daemon_pid)
                s += " (pid " + std::to_string(*v.daemon_pid) +
                     (v.daemon_running.value_or(true) ? "" : ", NOT RUNNING") + ")";
        }
        if (v.host_interface && v.implementation == "userspace")
            s += ", host name " + *v.host_interface;
        t.row("interface", s);
    }
    if (v.record != Record::None)
        t.row("addresses", v.addresses.empty() ? "none" : join(v.addresses));
    for (const auto& p : v.peers) {
        t.row("peer", p.public_key);
        t.row("endpoint", p.endpoint.value_or("none"));
        auto age = age_of(p, now);
        t.row("latest handshake", age ? format_age(*age) + " ago" : "never");
        t.row("transfer",
              format_bytes(p.rx_bytes) + " received, " + format_bytes(p.tx_bytes) + " sent");
        t.row("allowed ips", p.allowed_ips.empty() ? "none" : join(p.allowed_ips));
    }
    if (v.expose) {
        const auto& e = *v.expose;
        if (!e.ports.empty()) {
            std::vector<std::string> ports;
            for (const auto& p : e.ports)
                ports.push_back(port_text(p));
            t.row("exposed", join(ports) + " on " + join(e.listen_addresses));
        }
        if (e.veth || e.link)
            t.row("veth", e.veth.value_or("?") + ", " + e.link.value_or("?"));
    }
    bool first = true;
    for (const auto& s : v.services) {
        std::string text = s.unit.name + ": " + unit_text(s.unit);
        if (s.unit.main_pid && *s.unit.main_pid)
            text += ", pid " + std::to_string(*s.unit.main_pid);
        if (s.unit.active_state)
            text += std::string(", ") + placement_text(s.placement);
        t.row(first ? "services" : "", text);
        first = false;
    }
    for (const auto& w : v.warnings)
        t.row("warning", w);
    for (const auto& e : v.errors)
        t.row("error", e);
}

} // namespace

std::string json_quote(const std::string& text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size();) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            if (std::size_t n = utf8_sequence(text, i)) {
                out.append(text, i, n);
                i += n;
            } else {
                out += "\xef\xbf\xbd"; // U+FFFD for a byte that is not UTF-8
                ++i;
            }
            continue;
        }
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xf];
            } else {
                out += static_cast<char>(c);
            }
        }
        ++i;
    }
    return out + "\"";
}

std::string format_status_json(const std::vector<VpnStatus>& vpns, std::int64_t now) {
    JsonWriter j;
    j.begin_object();
    j.key("version").number(1);
    j.key("vpns").begin_array();
    for (const auto& v : vpns)
        write_vpn(j, v, now);
    j.end_array();
    j.end_object();
    return j.take();
}

std::string format_status_table(const std::vector<VpnStatus>& vpns, std::int64_t now) {
    if (vpns.empty())
        return "no VPNs configured\n";
    Table t;
    for (std::size_t n = 0; n < vpns.size(); ++n) {
        if (n)
            t.text("");
        write_table(t, vpns[n], now);
    }
    return t.take();
}

std::string format_age(std::int64_t s) {
    if (s < 0)
        s = 0;
    auto part = [](std::int64_t n, const char* unit) { return std::to_string(n) + unit; };
    if (s < 60)
        return part(s, "s");
    if (s < 3600)
        return part(s / 60, "m") + (s % 60 ? " " + part(s % 60, "s") : "");
    if (s < 86400)
        return part(s / 3600, "h") + (s % 3600 / 60 ? " " + part(s % 3600 / 60, "m") : "");
    return part(s / 86400, "d") + (s % 86400 / 3600 ? " " + part(s % 86400 / 3600, "h") : "");
}

std::string format_bytes(std::uint64_t bytes) {
    static constexpr const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024)
        return std::to_string(bytes) + " B";
    double v = static_cast<double>(bytes) / 1024;
    std::size_t u = 0;
    while (v >= 1024 && u + 1 < std::size(units)) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f %s", v, units[u]);
    return buf;
}

} // namespace nsvpn
