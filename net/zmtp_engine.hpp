// One ZMTP connection on the I/O thread: greeting, mechanism handshake, then the data pump between
// the TCP stream and a pipe. Decodes a whole read at once into the inbound ring and writes the
// outbound ring in large gathered batches; no actor message per ZMTP message.
#pragma once

#include "net/heartbeat.hpp"
#include "net/io_loop.hpp"
#include "net/stream.hpp"
#include "runtime/core/authenticator.hpp"
#include "runtime/core/authorization.hpp"
#include "runtime/core/connection_end.hpp"
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

/// What a ZMTP 2.0/1.0 peer is told and judged by (RFC 15, RFC 13). Such peers are served only
/// with the NULL mechanism and no ZAP domain (they cannot be authenticated); see legacy_greeting.
struct legacy_settings {
  std::string identity;        ///< our routing id, sent in our identity frame
  uint8_t socket_type = 0;     ///< our ZMTP 2.0 socket-type byte (libzmq's ZMQ_* number)
  peer_validator validate;     ///< judges the Socket-Type a peer's greeting announces
  bool zap_domain = false;     ///< a ZAP domain is set: legacy peers are refused
};

/// Limits and roles of an engine.
struct engine_settings {
  subscription_role subscriptions = subscription_role::none;
  /// maxmsgsize once the handshake is done: the limit of one frame (checked before allocating)
  /// and of a whole multipart message (checked as its frames arrive).
  uint64_t max_frame_size = (uint64_t{1} << 63) - 1;
  uint64_t handshake_frame_limit = 64 * 1024;       ///< cap on frames before the handshake ends
  int handshake_ivl_ms = 30000;                     ///< 0: no handshake timeout
  /// How long a server waits for its authenticator's verdict when handshake_ivl_ms is 0.
  int auth_fallback_deadline_ms = 30000;
  heartbeat_settings heartbeat;                     ///< PINGs to ZMTP 3.1 peers (RFC 37)
  authenticator_ptr authenticator;  ///< decides the clients of server mechanisms (PLAIN, CURVE)
  /// Where `authenticator` is called (never the I/O thread); null: called inline (unit tests).
  user_executor_ptr auth_executor;
  /// Publishers: which subscriptions each authenticated identity may make (null: any).
  std::shared_ptr<const authorization> subscription_rules;
  /// Publishers: counts the subscriptions subscription_rules refused (may be null).
  std::shared_ptr<std::atomic<uint64_t>> refused_subscriptions;
  legacy_settings legacy;  ///< ZMTP 2.0/1.0 peers
};

/// What the handshake established about the peer.
struct peer_info {
  metadata properties;     ///< what the peer said about itself (Socket-Type, Identity...)
  std::string user_id;     ///< the authenticated identity (see mechanism::user_id)
  std::string public_key;  ///< CURVE: the peer's permanent public key (32 bytes)
  std::string address;     ///< the peer's IP address
  uint8_t zmtp_minor = 1;  ///< ZMTP 3.x minor version (0 for a ZMTP 2.0/1.0 peer too)
};

/// Lifecycle events of an engine, delivered on the I/O thread (the actors forward them).
class engine_observer {
public:
  virtual ~engine_observer() = default;
  /// The handshake finished; data flows through the pipe from now on.
  virtual void on_ready(const peer_info& peer) = 0;
  /// The connection ended (once), for `end`: its code was set where the failure happened;
  /// permanent after ERROR, a protocol violation or a failed handshake; heartbeat for a heartbeat
  /// timeout.
  virtual void on_closed(const connection_end& end) = 0;
  /// The handshake moved: the engine started (`peer_bytes` false), or handshake bytes arrived
  /// (true, on every such read). Must be cheap and send no message (see handshake_progress).
  virtual void on_handshake_activity(bool /*peer_bytes*/) {}
  /// The authenticator was asked about the peer (`true`) or answered (`false`). Same rules.
  virtual void on_auth_wait(bool /*waiting*/) {}
};

/// A running connection. Created on any thread; all work happens on the I/O thread.
class zmtp_engine {
public:
  /// Starts greeting and handshake on `s`; data goes through `p` once ready.
  static std::shared_ptr<zmtp_engine> start(io_loop& loop, stream_ptr s, mechanism_ptr mech,
                                            pipe_ptr p, const engine_settings& settings,
                                            std::shared_ptr<engine_observer> observer);
  virtual ~zmtp_engine() = default;
  /// Closes the connection (any thread); the observer hears on_closed(end), unless the
  /// connection has ended already.
  virtual void close(connection_end end) = 0;
  /// A local close (the socket or the session ended it): code local, permanent.
  void close(std::string detail) { close(permanent_end(event_reason::local, std::move(detail))); }
  /// Like close(end), but only while the handshake is under way: once the engine is ready (or
  /// becomes ready before the posted close runs), it does nothing.
  virtual void close_if_handshaking(connection_end end) = 0;
};

} // namespace cafmq::net
