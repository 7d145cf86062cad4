#include "merge.hpp"

#include "text.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <functional>
#include <map>
#include <sys/socket.h>

namespace nsvpn {

namespace {

// Splits a list value at any of seps; empty items are reported by the caller.
std::vector<std::string_view> split(std::string_view s, std::string_view seps) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || seps.find(s[i]) != std::string_view::npos) {
            auto item = trim(s.substr(start, i - start));
            if (!item.empty())
                out.push_back(item);
            start = i + 1;
        }
    }
    return out;
}

// What a handler works on: the model, the peer of a [Peer] section, and where.
struct Ctx {
    Config& config;
    Peer* peer;
    const std::string& file;
    const Assignment& a;
    const std::string& key; // canonical spelling
    Diagnostics& diags;

    SourceLoc loc() const { return {file, a.line}; }
    void bad(const std::string& why) const {
        diags.error(Problem::BadValue, file, a.line, key, why);
    }
    void ignored(const std::string& why) const {
        diags.warning(Problem::Ignored, file, a.line, key, why);
    }
};

using Handler = std::function<void(Ctx&, std::string_view value)>;

struct KeySpec {
    const char* section;
    const char* key;
    const char* slot; // keys sharing a slot replace each other (PrivateKey, PrivateKeyFile)
    Handler handle;   // gets "" for an empty assignment: reset
};

template <typename T> void assign(Ctx& c, Setting<T>& s, Parsed<T> p) {
    if (p)
        s = Located<T>{std::move(*p), c.loc()};
    else
        c.bad(p.error());
}

template <typename T, typename Access, typename Parse> Handler single(Access access, Parse parse) {
    return [access, parse](Ctx& c, std::string_view v) {
        Setting<T>& s = access(c);
        if (v.empty()) {
            s.reset();
            return;
        }
        assign<T>(c, s, parse(v));
    };
}

template <typename T, typename Access, typename Parse>
Handler list(Access access, std::string_view seps, Parse parse) {
    return [access, seps, parse](Ctx& c, std::string_view v) {
        ListSetting<T>& l = access(c);
        if (v.empty()) {
            l.clear();
            return;
        }
        for (auto item : seps.empty() ? std::vector<std::string_view>{v} : split(v, seps)) {
            Parsed<T> p = parse(item);
            if (p)
                l.push_back({std::move(*p), c.loc()});
            else
                c.bad(p.error());
        }
    };
}

Handler secret_key(Setting<SecretKey>& (*access)(Ctx&), Setting<std::string>& (*other)(Ctx&)) {
    return [access, other](Ctx& c, std::string_view v) {
        other(c).reset();
        Setting<SecretKey>& s = access(c);
        if (v.empty()) {
            s.reset();
            return;
        }
        auto k = parse_key(v);
        if (!k) {
            c.bad(k.error());
            return;
        }
        s = Located<SecretKey>{SecretKey(*k), c.loc()};
        explicit_bzero(&*k, sizeof(KeyBytes));
    };
}

Handler key_file(Setting<std::string>& (*access)(Ctx&), Setting<SecretKey>& (*other)(Ctx&)) {
    return [access, other](Ctx& c, std::string_view v) {
        other(c).reset();
        Setting<std::string>& s = access(c);
        if (v.empty()) {
            s.reset();
            return;
        }
        assign(c, s, parse_absolute_path(v));
    };
}

Parsed<std::uint16_t> port_or_zero(std::string_view v) {
    auto n = parse_number(v, 0, 65535);
    if (!n)
        return Parsed<std::uint16_t>::fail(n.error());
    return static_cast<std::uint16_t>(*n);
}

Parsed<std::uint16_t> keepalive(std::string_view v) {
    if (iequals(v, "off"))
        return std::uint16_t{0};
    auto n = parse_number(v, 0, 65535);
    if (!n)
        return Parsed<std::uint16_t>::fail(n.error() + " or off");
    return static_cast<std::uint16_t>(*n);
}

Parsed<std::uint32_t> fwmark(std::string_view v) {
    if (iequals(v, "off"))
        return std::uint32_t{0};
    auto n = parse_number(v, 0, 0xffffffffu);
    if (!n)
        return Parsed<std::uint32_t>::fail(n.error() + " or off");
    return static_cast<std::uint32_t>(*n);
}

Parsed<std::uint32_t> mtu(std::string_view v) {
    auto n = parse_number(v, 576, 65535);
    if (!n)
        return Parsed<std::uint32_t>::fail(n.error());
    return static_cast<std::uint32_t>(*n);
}

Parsed<Implementation> implementation(std::string_view v) {
    if (iequals(v, "auto"))
        return Implementation::Auto;
    if (iequals(v, "kernel"))
        return Implementation::Kernel;
    if (iequals(v, "userspace"))
        return Implementation::Userspace;
    return Parsed<Implementation>::fail(
        "\"" + std::string(v) + "\" is not an implementation (expected auto, kernel or userspace)");
}

Parsed<std::string> command(std::string_view v) {
    return std::string(v);
}

Parsed<IpAddress> listen_address(std::string_view v) {
    auto a = parse_address(v);
    if (!a)
        return Parsed<IpAddress>::fail(
            a.error() + " (expected a host address, e.g. 127.0.0.1 or 100.114.224.96)");
    if (std::all_of(a->bytes.begin(), a->bytes.end(), [](std::uint8_t b) { return b == 0; }))
        return Parsed<IpAddress>::fail(
            "\"" + std::string(v) +
            "\" would mean every address of the host; list the addresses "
            "the ports may answer on (e.g. 127.0.0.1)");
    return a;
}

Parsed<IpPrefix> link_subnet(std::string_view v) {
    auto p = parse_prefix(v, false);
    const std::string expected = " (expected an IPv4 network of /30 or larger, e.g. 10.251.0.0/30)";
    if (!p)
        return p;
    if (p->address.family != AF_INET || p->length > 30 || p->length < 8)
        return Parsed<IpPrefix>::fail("\"" + std::string(v) +
                                      "\" is not an IPv4 network from /8 to /30" + expected);
    std::uint32_t a;
    std::memcpy(&a, p->address.bytes.data(), 4);
    std::uint32_t host_mask = p->length == 32 ? 0 : (0xffffffffu >> p->length);
    if ((ntohl(a) & host_mask) != 0)
        return Parsed<IpPrefix>::fail("\"" + std::string(v) + "\" has host bits set" + expected);
    return p;
}

const std::vector<KeySpec>& key_table() {
    using S = std::string_view;
    static const std::vector<KeySpec> table = {
        // [Interface]
        {"Interface", "PrivateKey", "PrivateKey",
         secret_key(
             [](Ctx& c) -> Setting<SecretKey>& { return c.config.interface.private_key; },
             [](Ctx& c) -> Setting<std::string>& { return c.config.interface.private_key_file; })},
        {"Interface", "PrivateKeyFile", "PrivateKey",
         key_file(
             [](Ctx& c) -> Setting<std::string>& { return c.config.interface.private_key_file; },
             [](Ctx& c) -> Setting<SecretKey>& { return c.config.interface.private_key; })},
        {"Interface", "Address", "Address",
         list<IpPrefix>(
             [](Ctx & c) -> auto& { return c.config.interface.addresses; }, ", \t",
             [](S v) { return parse_prefix(v, true); })},
        {"Interface", "DNS", "DNS",
         [](Ctx& c, S v) {
             auto& i = c.config.interface;
             if (v.empty()) {
                 i.dns_servers.clear();
                 i.dns_search.clear();
                 return;
             }
             for (auto item : split(v, ", \t")) {
                 if (auto a = parse_address(item))
                     i.dns_servers.push_back({*a, c.loc()});
                 else if (auto d = parse_domain(item))
                     i.dns_search.push_back({*d, c.loc()});
                 else
                     c.bad(d.error() + " (expected name server addresses or search domains)");
             }
         }},
        {"Interface", "MTU", "MTU",
         single<std::uint32_t>(
             [](Ctx & c) -> auto& { return c.config.interface.mtu; }, mtu)},
        {"Interface", "ListenPort", "ListenPort",
         single<std::uint16_t>(
             [](Ctx & c) -> auto& { return c.config.interface.listen_port; }, port_or_zero)},
        {"Interface", "FwMark", "FwMark",
         single<std::uint32_t>(
             [](Ctx & c) -> auto& { return c.config.interface.fwmark; }, fwmark)},
        {"Interface", "PreUp", "PreUp",
         list<std::string>(
             [](Ctx & c) -> auto& { return c.config.interface.pre_up; }, "", command)},
        {"Interface", "PostUp", "PostUp",
         list<std::string>(
             [](Ctx & c) -> auto& { return c.config.interface.post_up; }, "", command)},
        {"Interface", "PreDown", "PreDown",
         list<std::string>(
             [](Ctx & c) -> auto& { return c.config.interface.pre_down; }, "", command)},
        {"Interface", "PostDown", "PostDown",
         list<std::string>(
             [](Ctx & c) -> auto& { return c.config.interface.post_down; }, "", command)},
        {"Interface", "Table", "Table",
         [](Ctx& c, S) {
             c.ignored("ignored: the namespace's routes always go through the tunnel");
         }},
        {"Interface", "SaveConfig", "SaveConfig",
         [](Ctx& c, S v) {
             if (auto b = parse_bool(v); !v.empty() && !b)
                 c.bad(b.error());
             else
                 c.ignored("ignored: nsvpn never writes to its configuration");
         }},
        // [Peer]
        {"Peer", "PublicKey", "PublicKey",
         [](Ctx& c, S v) {
             if (v.empty()) {
                 c.peer->public_key.reset();
                 return;
             }
             auto k = parse_key(v);
             if (!k) {
                 c.bad(k.error());
                 return;
             }
             c.peer->public_key = Located<PublicKey>{PublicKey{*k}, c.loc()};
         }},
        {"Peer", "PresharedKey", "PresharedKey",
         secret_key([](Ctx& c) -> Setting<SecretKey>& { return c.peer->preshared_key; },
                    [](Ctx& c) -> Setting<std::string>& { return c.peer->preshared_key_file; })},
        {"Peer", "PresharedKeyFile", "PresharedKey",
         key_file([](Ctx& c) -> Setting<std::string>& { return c.peer->preshared_key_file; },
                  [](Ctx& c) -> Setting<SecretKey>& { return c.peer->preshared_key; })},
        {"Peer", "Endpoint", "Endpoint",
         single<Endpoint>(
             [](Ctx & c) -> auto& { return c.peer->endpoint; }, parse_endpoint)},
        {"Peer", "AllowedIPs", "AllowedIPs",
         list<IpPrefix>(
             [](Ctx & c) -> auto& { return c.peer->allowed_ips; }, ", \t",
             [](S v) { return parse_prefix(v, true); })},
        {"Peer", "PersistentKeepalive", "PersistentKeepalive",
         single<std::uint16_t>(
             [](Ctx & c) -> auto& { return c.peer->persistent_keepalive; }, keepalive)},
        // [Namespace]
        {"Namespace", "Interface", "Interface",
         single<std::string>(
             [](Ctx & c) -> auto& { return c.config.ns.interface; }, parse_interface_name)},
        {"Namespace", "Services", "Services",
         list<std::string>(
             [](Ctx & c) -> auto& { return c.config.ns.services; }, ", \t", parse_unit_name)},
        {"Namespace", "AutoStart", "AutoStart",
         single<bool>(
             [](Ctx & c) -> auto& { return c.config.ns.autostart; }, parse_bool)},
        {"Namespace", "Implementation", "Implementation",
         single<Implementation>(
             [](Ctx & c) -> auto& { return c.config.ns.implementation; }, implementation)},
        {"Namespace", "UserspaceCommand", "UserspaceCommand",
         single<std::string>(
             [](Ctx & c) -> auto& { return c.config.ns.userspace_command; }, command)},
        // [Expose]
        {"Expose", "Port", "Port",
         list<ExposedPort>(
             [](Ctx & c) -> auto& { return c.config.expose.ports; }, ", \t", parse_exposed_port)},
        {"Expose", "ListenAddress", "ListenAddress",
         list<IpAddress>(
             [](Ctx & c) -> auto& { return c.config.expose.listen_addresses; }, ", \t",
             listen_address)},
        {"Expose", "LinkSubnet", "LinkSubnet",
         single<IpPrefix>(
             [](Ctx & c) -> auto& { return c.config.expose.link_subnet; }, link_subnet)},
    };
    return table;
}

const KeySpec* find_key(const std::string& section, std::string_view key) {
    for (const auto& spec : key_table())
        if (section == spec.section && iequals(key, spec.key))
            return &spec;
    return nullptr;
}

std::string keys_of(const std::string& section) {
    std::string s;
    for (const auto& spec : key_table())
        if (section == spec.section)
            s += (s.empty() ? "" : ", ") + std::string(spec.key);
    return s;
}

bool is_list(const KeySpec& spec) {
    static const char* lists[] = {"Address",  "DNS",        "PreUp",    "PreDown", "PostUp",
                                  "PostDown", "AllowedIPs", "Services", "Port",    "ListenAddress"};
    return std::any_of(std::begin(lists), std::end(lists),
                       [&](const char* l) { return std::strcmp(l, spec.key) == 0; });
}

// The last non-empty PublicKey of a [Peer] section, parsed.
std::optional<PublicKey> section_public_key(const Section& s) {
    std::optional<PublicKey> k;
    for (const auto& a : s.assignments)
        if (iequals(a.key, "PublicKey"))
            if (auto p = parse_key(a.value))
                k = PublicKey{*p};
    return k;
}

} // namespace

Config merge(const std::string& name, const std::vector<SourceFile>& files, Diagnostics& diags) {
    Config config;
    config.name = name;
    if (!files.empty())
        config.source = {files.front().path, 0};
    for (std::size_t f = 0; f < files.size(); ++f) {
        const auto& file = files[f];
        const bool dropin = f > 0;
        if (dropin)
            config.dropins.push_back(file.path);
        // (section instance, slot, line) of single keys, to refuse one set twice in a file
        struct Seen {
            int instance; // a peer's index, or -1, -2, -3 for the sections that occur once
            const char* slot;
            unsigned line;
        };
        std::vector<Seen> seen;
        std::vector<PublicKey> changed; // peers a [Peer] of this drop-in names
        int peer_index = 0;
        for (const auto& section : file.parsed.sections) {
            if (!section.known)
                continue;
            Peer* peer = nullptr;
            int instance = section.name == "Interface" ? -1 : section.name == "Namespace" ? -2 : -3;
            if (section.name == "Interface" && config.interface_section.line == 0)
                config.interface_section = {file.path, section.line};
            if (section.name == "Peer") {
                instance = peer_index++;
                auto key = section_public_key(section);
                if (dropin) {
                    if (!key) {
                        diags.error(
                            Problem::Missing, file.path, section.line, "[Peer]",
                            "a [Peer] section in a drop-in needs PublicKey= to say which peer it "
                            "changes or adds");
                        continue;
                    }
                    if (std::find(changed.begin(), changed.end(), *key) != changed.end()) {
                        diags.error(Problem::Duplicate, file.path, section.line, "[Peer]",
                                    "this file already has a [Peer] with the same PublicKey");
                        continue;
                    }
                    changed.push_back(*key);
                    for (auto& p : config.peers)
                        if (p.public_key && p.public_key->value == *key)
                            peer = &p;
                }
                if (!peer) {
                    config.peers.push_back(Peer{});
                    peer = &config.peers.back();
                    peer->section = {file.path, section.line};
                }
            }
            for (const auto& a : section.assignments) {
                const KeySpec* spec = find_key(section.name, a.key);
                if (!spec) {
                    diags.error(Problem::UnknownKey, file.path, a.line, a.key,
                                "unknown key in [" + section.name + "] (expected one of " +
                                    keys_of(section.name) + ")");
                    continue;
                }
                if (!is_list(*spec) && !a.value.empty()) {
                    auto it = std::find_if(seen.begin(), seen.end(), [&](const Seen& x) {
                        return x.instance == instance && std::strcmp(x.slot, spec->slot) == 0;
                    });
                    if (it == seen.end()) {
                        seen.push_back({instance, spec->slot, a.line});
                    } else {
                        diags.error(
                            Problem::Duplicate, file.path, a.line, spec->key,
                            std::string(spec->slot) + " is already set on line " +
                                std::to_string(it->line) +
                                " of this file; it takes one value (drop-ins may override it)");
                        continue;
                    }
                }
                std::string key = spec->key;
                Ctx ctx{config, peer, file.path, a, key, diags};
                spec->handle(ctx, a.value);
            }
        }
    }
    return config;
}

void validate(const Config& c, Diagnostics& diags) {
    const std::string& main = c.source.file;
    const auto& i = c.interface;
    // A key whose value was refused is already reported; "missing" would only repeat it.
    auto reported = [&](const std::string& key) {
        return std::any_of(diags.list().begin(), diags.list().end(), [&](const Diagnostic& d) {
            return d.severity == Severity::Error && d.key == key;
        });
    };
    const SourceLoc& iface = c.interface_section;
    if (iface.line == 0)
        diags.error(Problem::Missing, main, 0, "[Interface]",
                    "no [Interface] section (expected one with PrivateKey= and Address=)");
    if (!i.private_key && !i.private_key_file && iface.line != 0 && !reported("PrivateKey") &&
        !reported("PrivateKeyFile"))
        diags.error(Problem::Missing, iface.file, iface.line, "PrivateKey",
                    "[Interface] needs PrivateKey= or PrivateKeyFile=");
    if (i.addresses.empty() && iface.line != 0 && !reported("Address"))
        diags.error(
            Problem::Missing, iface.file, iface.line, "Address",
            "[Interface] needs at least one Address= (the tunnel address your provider gave you)");
    bool has_v6 = std::any_of(i.addresses.begin(), i.addresses.end(),
                              [](const auto& a) { return a.value.address.family == AF_INET6; });
    if (i.mtu && has_v6 && i.mtu->value < 1280)
        diags.error(Problem::Conflict, i.mtu->where.file, i.mtu->where.line, "MTU",
                    "IPv6 needs an MTU of at least 1280");

    if (c.peers.empty())
        diags.warning(Problem::Missing, main, 0, "[Peer]",
                      "no [Peer] section: nothing can leave the namespace");
    for (std::size_t p = 0; p < c.peers.size(); ++p) {
        const Peer& peer = c.peers[p];
        if (!peer.public_key) {
            if (!reported("PublicKey"))
                diags.error(Problem::Missing, peer.section.file, peer.section.line, "[Peer]",
                            "this peer has no PublicKey=");
            continue;
        }
        for (std::size_t q = 0; q < p; ++q)
            if (c.peers[q].public_key && c.peers[q].public_key->value == peer.public_key->value)
                diags.error(Problem::Duplicate, peer.public_key->where.file,
                            peer.public_key->where.line, "PublicKey",
                            "the same peer is already defined at " + c.peers[q].section.file + ":" +
                                std::to_string(c.peers[q].section.line));
        if (peer.allowed_ips.empty())
            diags.warning(Problem::Missing, peer.section.file, peer.section.line, "[Peer]",
                          "this peer has no AllowedIPs=, so no traffic goes to it");
    }

    const auto& ns = c.ns;
    if (ns.interface && ns.interface->value == "lo")
        diags.error(Problem::Conflict, ns.interface->where.file, ns.interface->where.line,
                    "Interface",
                    "\"lo\" is the namespace's loopback (expected another name, e.g. wg0)");
    if (ns.userspace_command && c.implementation() == Implementation::Kernel)
        diags.error(Problem::Conflict, ns.userspace_command->where.file,
                    ns.userspace_command->where.line, "UserspaceCommand",
                    "set, but Implementation=kernel never runs it");
    for (std::size_t s = 0; s < ns.services.size(); ++s) {
        const auto& svc = ns.services[s];
        if (is_nsvpn_unit(svc.value))
            diags.error(Problem::Conflict, svc.where.file, svc.where.line, "Services",
                        svc.value + " is a unit of nsvpn itself and cannot be attached");
        for (std::size_t t = 0; t < s; ++t)
            if (ns.services[t].value == svc.value)
                diags.warning(Problem::Duplicate, svc.where.file, svc.where.line, "Services",
                              svc.value + " is listed twice");
    }

    const auto& ex = c.expose;
    for (std::size_t p = 0; p < ex.ports.size(); ++p)
        for (std::size_t q = 0; q < p; ++q)
            if (ex.ports[q].value.host_port == ex.ports[p].value.host_port &&
                ex.ports[q].value.protocol == ex.ports[p].value.protocol)
                diags.error(
                    Problem::Duplicate, ex.ports[p].where.file, ex.ports[p].where.line, "Port",
                    "host port " + ex.ports[p].value.text() + " is already exposed at " +
                        ex.ports[q].where.file + ":" + std::to_string(ex.ports[q].where.line));
    if (ex.link_subnet)
        for (const auto& a : i.addresses)
            if (prefixes_overlap(ex.link_subnet->value, a.value))
                diags.error(Problem::Conflict, ex.link_subnet->where.file,
                            ex.link_subnet->where.line, "LinkSubnet",
                            ex.link_subnet->value.text() + " overlaps the tunnel address " +
                                a.value.text() + " (" + a.where.file + ":" +
                                std::to_string(a.where.line) + "); choose another subnet");
    for (const auto& l : ex.listen_addresses)
        if (l.value.family == AF_INET6)
            diags.error(Problem::BadValue, l.where.file, l.where.line, "ListenAddress",
                        l.value.text() +
                            " is IPv6, and exposed ports answer on IPv4 addresses only: IPv6 "
                            "has no route_localnet, so ::1 cannot be passed to the namespace, "
                            "and connections from elsewhere over IPv6 would need IPv6 "
                            "forwarding switched on for the whole host "
                            "(net.ipv6.conf.all.forwarding), which nsvpn never does; list an "
                            "IPv4 address (e.g. 127.0.0.1)");
    if (!ex.ports.empty() && ns.interface && ns.interface->value == "host0")
        diags.error(Problem::Conflict, ns.interface->where.file, ns.interface->where.line,
                    "Interface",
                    "\"host0\" is the name of the veth to the host when ports are exposed "
                    "(expected another name, e.g. wg0)");
    if (ex.ports.empty() && (!ex.listen_addresses.empty() || ex.link_subnet)) {
        const SourceLoc& w =
            ex.link_subnet ? ex.link_subnet->where : ex.listen_addresses.front().where;
        diags.warning(Problem::Ignored, w.file, w.line,
                      ex.link_subnet ? "LinkSubnet" : "ListenAddress",
                      "no Port= is exposed, so this has no effect");
    }
}

} // namespace nsvpn
