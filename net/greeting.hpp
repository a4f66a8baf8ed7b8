// ZMTP 3.x greeting (RFC 23 §Formal Grammar, RFC 37): 64 bytes. check_greeting judges a 3.x peer
// and refuses ZMTP 1.0/2.0 from the first bytes; the engine's greeting_exchange
// (net/legacy_greeting.hpp) decides when to downgrade instead and when each byte is sent.
#pragma once

#include "runtime/core/monitor_event.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cafmq::net {

/// Size of a ZMTP 3.x greeting.
constexpr size_t greeting_size = 64;

/// Our greeting: version 3.1, `mechanism` NUL-padded to 20 bytes, the as-server flag.
std::array<uint8_t, greeting_size> make_greeting(std::string_view mechanism, bool as_server);

/// The outcome of inspecting the bytes of a peer greeting received so far.
struct greeting_check {
  enum class status { need_more, ok, failed } state = status::need_more;
  uint8_t minor = 0;          ///< 0 = ZMTP 3.0, 1 = 3.1 (newer majors/minors count as 3.1)
  bool as_server = false;     ///< informational only: libzmq always sends 0
  std::string error;          ///< why, when failed (legacy peer, bad signature, mechanism mismatch)
  /// When failed: mechanism_mismatch, else protocol (another protocol, ZMTP 1.0/2.0).
  event_reason code = event_reason::protocol;
};

/// Inspects the first `size` bytes of the peer greeting; fails as early as the bytes allow.
greeting_check check_greeting(const uint8_t* data, size_t size, std::string_view our_mechanism);

} // namespace cafmq::net
