// The handshake's Socket-Type check, over the descriptor table (RFC 23 §The Socket-Type Property).
// Peer names compare exactly, as in libzmq; STREAM never speaks ZMTP to a peer.
#include "patterns/socket_compat.hpp"

#include "runtime/core/socket_descriptor.hpp"

#include <string>

namespace cafmq::patterns {

bool compatible(socket_type ours, std::string_view peer) noexcept {
  return talks_to(ours, peer);
}

peer_validator socket_type_validator(socket_type ours) {
  return [ours](const metadata& peer) -> std::optional<connection_end> {
    auto type = peer.find("Socket-Type");
    if (!type || compatible(ours, *type))
      return std::nullopt;
    return permanent_end(event_reason::incompatible_socket_type,
                         "incompatible Socket-Type: " + std::string(zmtp_name(ours))
                           + " socket cannot talk to a " + peer_text(*type) + " peer");
  };
}

} // namespace cafmq::patterns
