// One descriptor per socket type (as nng's protocol ops): what the type sends
// and receives, whom it talks to, what its connections carry. Every place that
// depends on the type reads it here instead of switching on socket_type.
#pragma once

#include "runtime/core/socket_type.hpp"

#include <cstdint>
#include <string_view>

namespace cafmq {

/// How a socket's connections carry subscriptions (RFC 29, RFC 37).
enum class subscription_role : uint8_t {
  none,       ///< no subscriptions
  subscriber, ///< SUB/XSUB: sends SUBSCRIBE/CANCEL
  publisher,  ///< PUB/XPUB: receives SUBSCRIBE/CANCEL and filters by them
};

/// Everything about one socket type that is fixed by the type alone.
struct socket_descriptor {
  socket_type type;
  std::string_view zmtp_name;      ///< "PUSH", the Socket-Type property
  std::string_view cli_name;       ///< "push"
  bool sends;                      ///< the user may send
  bool receives;                   ///< the user may receive
  uint16_t peers;                  ///< Socket-Types it talks to (RFC 23), bit 1 << socket_type;
                                   ///< none for STREAM
  bool sends_identity;             ///< announces its routing id as the Identity property
  subscription_role subscriptions; ///< how its connections carry subscriptions
  bool pipe_per_connection;        ///< each connection gets its own pipe once ready,
                                   ///< routed by the peer's identity (ZMQ_IMMEDIATE
                                   ///< adds this for any type)
  bool raw;                        ///< raw TCP, no ZMTP greeting or handshake (STREAM)
  bool drops_when_full;            ///< full_policy automatic drops (else blocks)
  bool send_policy_fixed;          ///< full_policy cannot be chosen: receive-only, or
                                   ///< the RFC fixes what a full peer means (REP)
};

/// The descriptor of `t`.
const socket_descriptor& descriptor_of(socket_type t) noexcept;

/// True if a socket of type `ours` accepts a peer announcing Socket-Type `peer`
/// (exact match).
bool talks_to(socket_type ours, std::string_view peer) noexcept;

} // namespace cafmq
