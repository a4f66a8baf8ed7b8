// Names of error codes.
#include "runtime/core/error.hpp"

namespace cafmq {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::invalid_argument: return "invalid_argument";
    case errc::invalid_endpoint: return "invalid_endpoint";
    case errc::address_in_use: return "address_in_use";
    case errc::address_unavailable: return "address_unavailable";
    case errc::unsupported: return "unsupported";
    case errc::socket_closed: return "socket_closed";
    case errc::wrong_state: return "wrong_state";
    case errc::host_unreachable: return "host_unreachable";
    case errc::protocol: return "protocol";
    case errc::queue_full: return "queue_full";
    case errc::internal: return "internal";
    case errc::concurrent_use: return "concurrent_use";
  }
  return "unknown";
}

} // namespace cafmq
