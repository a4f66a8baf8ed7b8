// Error vocabulary. Exceptional conditions (bad argument, bind failure, closed socket) throw
// cafmq::error; expected outcomes of a send/recv (would block, timed out) are return values.
#pragma once

#include <stdexcept>
#include <string>

namespace cafmq {

/// What went wrong, for programs that branch on it.
enum class errc {
  invalid_argument,      ///< a bad option value, type name or argument
  invalid_endpoint,      ///< an endpoint string that does not parse
  address_in_use,        ///< bind: the address is taken
  address_unavailable,   ///< bind: not a local address / cannot resolve
  unsupported,           ///< not (yet) supported, e.g. a transport or socket type
  socket_closed,         ///< the socket or its context is closed
  wrong_state,           ///< the pattern forbids this call now (libzmq EFSM: REQ sending twice)
  host_unreachable,      ///< ROUTER_MANDATORY: no peer has this routing id (EHOSTUNREACH)
  protocol,              ///< the peer broke ZMTP
  queue_full,            ///< full_policy error: the send queue (HWM, byte limit, budget) is full
  internal,              ///< a bug in cafmq
  concurrent_use,        ///< a socket was called from two threads at once (CAFMQ_THREAD_CHECKS)
};

/// Human-readable name of a code.
const char* to_string(errc code) noexcept;

/// The exception cafmq throws; what() says what was wrong and with which value.
class error : public std::runtime_error {
public:
  error(errc code, const std::string& what) : std::runtime_error(what), code_(code) {}
  /// The category of the failure.
  errc code() const noexcept { return code_; }

private:
  errc code_;
};

} // namespace cafmq
