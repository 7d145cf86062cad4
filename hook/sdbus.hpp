// libsystemd's sd-bus, loaded the first time it is needed: only `nsvpn status`
// asks systemd anything, and the helper starts four times for each start and
// stop of a VPN without libsystemd and the libraries it pulls in (see
// CMakeLists.txt). The header gives the types and declarations only.
#pragma once

#include <systemd/sd-bus.h>

namespace nsvpn {

struct SdBusLibrary {
    decltype(&::sd_bus_open_system) open_system;
    decltype(&::sd_bus_set_method_call_timeout) set_method_call_timeout;
    decltype(&::sd_bus_flush_close_unref) flush_close_unref;
    decltype(&::sd_bus_message_unref) message_unref;
    decltype(&::sd_bus_error_free) error_free;
    decltype(&::sd_bus_error_has_name) error_has_name;
    decltype(&::sd_bus_call_method) call_method;
    decltype(&::sd_bus_message_read) message_read;
    decltype(&::sd_bus_get_property_string) get_property_string;
    decltype(&::sd_bus_get_property_trivial) get_property_trivial;
};

// libsystemd.so.0's functions, or nullptr when it cannot be loaded (then there
// is no systemd to ask either).
const SdBusLibrary* sd_bus_library();

// Whether systemd is the init system (what sd_booted() checks: /run/systemd/system/).
bool systemd_booted();

} // namespace nsvpn
