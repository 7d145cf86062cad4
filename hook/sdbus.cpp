#include "sdbus.hpp"

#include <dlfcn.h>
#include <sys/stat.h>

namespace nsvpn {

namespace {

template <typename F> bool load(void* handle, F& f, const char* symbol) {
    f = reinterpret_cast<F>(dlsym(handle, symbol));
    return f != nullptr;
}

const SdBusLibrary* open_library() {
    // never closed: the functions stay in use until the process ends
    void* h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return nullptr;
    static SdBusLibrary lib;
    bool ok = load(h, lib.open_system, "sd_bus_open_system") &&
              load(h, lib.set_method_call_timeout, "sd_bus_set_method_call_timeout") &&
              load(h, lib.flush_close_unref, "sd_bus_flush_close_unref") &&
              load(h, lib.message_unref, "sd_bus_message_unref") &&
              load(h, lib.error_free, "sd_bus_error_free") &&
              load(h, lib.error_has_name, "sd_bus_error_has_name") &&
              load(h, lib.call_method, "sd_bus_call_method") &&
              load(h, lib.message_read, "sd_bus_message_read") &&
              load(h, lib.get_property_string, "sd_bus_get_property_string") &&
              load(h, lib.get_property_trivial, "sd_bus_get_property_trivial");
    return ok ? &lib : nullptr;
}

} // namespace

const SdBusLibrary* sd_bus_library() {
    static const SdBusLibrary* lib = open_library();
    return lib;
}

bool systemd_booted() {
    struct stat st;
    return lstat("/run/systemd/system/", &st) == 0 && S_ISDIR(st.st_mode);
}

} // namespace nsvpn
