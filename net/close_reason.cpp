// Reason texts -> codes. Order matters: the most specific cause first ("handshake failed: peer
// sent ERROR" is a peer_error, not a protocol error).
#include "net/close_reason.hpp"

namespace cafmq::net {

namespace {

bool has(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

} // namespace

event_reason classify_close(const std::string& reason, bool may_reconnect) {
  if (has(reason, "mechanism mismatch"))
    return event_reason::mechanism_mismatch;
  if (has(reason, "incompatible Socket-Type"))
    return event_reason::incompatible_socket_type;
  // A server refusing our credentials says so with the ZAP status code (RFC 27, as libzmq).
  if (has(reason, "peer sent ERROR: 400") || has(reason, "peer sent ERROR: 500")
      || has(reason, "peer sent ERROR: 300"))
    return event_reason::auth;
  if (has(reason, "peer sent ERROR") || has(reason, "peer sent a malformed ERROR"))
    return event_reason::peer_error;
  // Credentials that do not check out: a refused password or key, a box that does not open
  // (the wrong server key, a forged vouch), an identity the socket does not authorize.
  if (has(reason, "authentication") || has(reason, "ZAP") || has(reason, "does not open")
      || has(reason, "vouch") || has(reason, "key refused") || has(reason, "not authorized")
      || has(reason, "no authenticator"))
    return event_reason::auth;
  if (has(reason, "handshake_ivl") || has(reason, "heartbeat") || has(reason, "timed out"))
    return event_reason::timeout;
  if (has(reason, "closed by the socket") || has(reason, "session stopped"))
    return event_reason::local;
  if (has(reason, "cannot allocate") || has(reason, "max_pending_handshakes"))
    return event_reason::resource;
  if (has(reason, "connection closed by peer") || has(reason, "read failed")
      || has(reason, "write failed"))
    return event_reason::io;
  // Everything else a peer can cause is a protocol violation (malformed frames and commands,
  // ZMTP 1.0/2.0 greetings, limits); a transient cause we do not know is an I/O failure.
  return may_reconnect ? event_reason::io : event_reason::protocol;
}

} // namespace cafmq::net
