// One ZMTP connection on the I/O thread: greeting, mechanism handshake, then the data pump between
// the TCP stream and a pipe. Decodes a whole read at once into the inbound ring and writes the
// outbound ring in large gathered batches; no actor message per ZMTP message.
#pragma once

#include "net/heartbeat.hpp"
#include "net/io_loop.hpp"
#include "net/stream.hpp"
#include "runtime/core/authenticator.hpp"
#include "runtime/core/authorization.hpp"
#include "runtime/core/mechanism.hpp"
#include "runtime/core/pipe.hpp"
#include "runtime/core/socket_descriptor.hpp"
#include "runtime/core/user_executor.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace cafmq::net {

/// How an engine carries subscriptions. Inside cafmq a subscription is a one-frame message whose
/// first byte is 1 (subscribe) or 0 (cancel), followed by the prefix. A subscriber's outgoing
/// subscription messages go as SUBSCRIBE/CANCEL commands to ZMTP 3.1 peers (as they are to 3.0
/// peers); a publisher's incoming SUBSCRIBE/CANCEL commands become subscription messages.
using cafmq::subscription_role;

/// Limits and roles of an engine.
struct engine_settings {
  subscription_role subscriptions = subscription_role::none;
  /// maxmsgsize once the handshake is done: the limit of one frame (checked before allocating)
  /// and of a whole multipart message (checked as its frames arrive).
  uint64_t max_frame_size = (uint64_t{1} << 63) - 1;
  uint64_t handshake_frame_limit = 64 * 1024;       ///< cap on frames before the handshake ends
  int handshake_ivl_ms = 30000;                     ///< 0: no handshake timeout
  heartbeat_settings heartbeat;                     ///< PINGs to ZMTP 3.1 peers (RFC 37)
  authenticator_ptr authenticator;  ///< decides the clients of server mechanisms (PLAIN, CURVE)
  user_executor_ptr auth_executor;  ///< where `authenticator` runs (never the I/O thread)
  /// Publishers: which subscriptions each authenticated identity may make (null: any).
  std::shared_ptr<const authorization> subscription_rules;
  /// Publishers: counts the subscriptions subscription_rules refused (may be null).
  std::shared_ptr<std::atomic<uint64_t>> refused_subscriptions;
};

/// What the handshake established about the peer.
struct peer_info {
  metadata properties;     ///< what the peer said about itself (Socket-Type, Identity...)
  std::string user_id;     ///< the authenticated identity (see mechanism::user_id)
  std::string public_key;  ///< CURVE: the peer's permanent public key (32 bytes)
  std::string address;     ///< the peer's IP address
  uint8_t zmtp_minor = 1;  ///< ZMTP 3.x minor version
};

/// Why a connection ended, beyond the reason text: lets the actors tell causes apart that
/// monitor events report separately.
enum class close_cause : uint8_t {
  other,              ///< closed by either side, I/O error, handshake or protocol failure...
  heartbeat_timeout,  ///< no traffic within heartbeat_timeout after a PING, or the peer's TTL
};

/// Lifecycle events of an engine, delivered on the I/O thread (the actors forward them).
class engine_observer {
public:
  virtual ~engine_observer() = default;
  /// The handshake finished; data flows through the pipe from now on.
  virtual void on_ready(const peer_info& peer) = 0;
  /// The connection ended (once). `may_reconnect` is false after ERROR or a protocol violation;
  /// `cause` singles out heartbeat timeouts (may_reconnect is true for them).
  virtual void on_closed(const std::string& reason, bool may_reconnect, close_cause cause) = 0;
};

/// A running connection. Created on any thread; all work happens on the I/O thread.
class zmtp_engine {
public:
  /// Starts greeting and handshake on `s`; data goes through `p` once ready.
  static std::shared_ptr<zmtp_engine> start(io_loop& loop, stream_ptr s, mechanism_ptr mech,
                                            pipe_ptr p, const engine_settings& settings,
                                            std::shared_ptr<engine_observer> observer);
  virtual ~zmtp_engine() = default;
  /// Closes the connection (any thread); the observer hears on_closed.
  virtual void close(const std::string& reason) = 0;
};

} // namespace cafmq::net
