// Which Socket-Types may talk to each other (RFC 23 §The Socket-Type Property, RFC 37).
#pragma once

#include "runtime/core/mechanism.hpp"
#include "runtime/core/socket_type.hpp"

#include <string_view>

namespace cafmq::patterns {

/// True if a socket of type `ours` accepts a peer announcing `peer` (exact, case-sensitive).
bool compatible(socket_type ours, std::string_view peer) noexcept;

/// A validator for the handshake: rejects peers with an incompatible Socket-Type, saying which.
/// A missing Socket-Type is tolerated, like libzmq.
peer_validator socket_type_validator(socket_type ours);

} // namespace cafmq::patterns
