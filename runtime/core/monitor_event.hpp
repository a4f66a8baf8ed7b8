// Monitor events: what happened to a socket's endpoints and connections (libzmq's
// zmq_socket_monitor events, as a typed value). Emitted by the control plane where each thing
// happens; read through socket::monitor() (a blocking stream) or a callback (docs/monitoring.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace cafmq {

/// What happened.
enum class event_kind : uint8_t {
  listening,            ///< a bind succeeded; `endpoint` is the bound address (real port)
  bind_failed,          ///< a bind failed (socket::bind also throws)
  accepted,             ///< a listener accepted a TCP connection
  accept_failed,        ///< accepting failed (the listener goes on)
  connected,            ///< a dial completed (TCP connected; the handshake follows)
  connect_delayed,      ///< a dial started and is pending
  connect_retried,      ///< a dial or connection failed; the next dial follows after `retry_ivl`
  handshake_succeeded,  ///< ZMTP greeting and mechanism handshake done: data flows
  handshake_failed,     ///< the connection ended before its handshake finished
  disconnected,         ///< an established connection ended
  heartbeat_timeout,    ///< the peer stayed silent past heartbeat_timeout (closes the connection)
  messages_dropped,     ///< the pattern dropped messages (HWM, unroutable); `dropped` says how many
  closed,               ///< a listener or connector ended (socket closed, or reconnecting stopped)
};

/// Why a connection or attempt failed: the machine-readable half of `reason`.
enum class event_reason : uint8_t {
  none,                      ///< not a failure
  protocol,                  ///< the peer broke ZMTP (malformed frame or command, bad greeting)
  auth,                      ///< the mechanism refused the peer's credentials
  mechanism_mismatch,        ///< the peer uses another security mechanism
  incompatible_socket_type,  ///< the peer's Socket-Type cannot talk to ours
  timeout,                   ///< handshake_ivl, connect_timeout or heartbeat expired
  peer_error,                ///< the peer sent an ERROR command
  io,                        ///< the connection broke (EOF, reset, read or write error)
  refused,                   ///< the peer refused the TCP connection (nobody listens)
  unreachable,               ///< the address cannot be resolved or reached
  local,                     ///< closed by this side (socket closed, STREAM close)
  resource,                  ///< out of memory for a frame, or a pending handshake closed by
                             ///< the max_pending_handshakes policy
  gave_up,                   ///< reconnect_max_attempts reached
  restart_intensity,         ///< restarts came too often (restart_intensity): escalated
  stop_condition,            ///< a reconnect_stop condition held
  address_in_use,            ///< bind: the address is taken
  bad_endpoint,              ///< bind: the endpoint does not parse or is not supported
  internal,                  ///< a fault inside cafmq (an exception in its code, a failed
                             ///< actor): the connection or actor it hit was closed and reported
};

/// One monitor event. Fields that do not apply to an event are empty or zero.
struct monitor_event {
  event_kind kind = event_kind::closed;
  /// The connection's id, unique within the socket (from 1); 0 for events of an endpoint
  /// (listening, bind_failed, connect_delayed, connect_retried, closed, messages_dropped).
  uint64_t connection_id = 0;
  std::string endpoint;         ///< the endpoint as bound (real port) or connected
  std::string local_endpoint;   ///< this side of the connection ("tcp://127.0.0.1:41234")
  std::string remote_endpoint;  ///< the peer's side of the connection
  std::string routing_id;       ///< the peer's Identity, once the handshake is done
  uint8_t zmtp_minor = 0;       ///< ZMTP 3.x minor version, once the greeting is read (3.0 or 3.1)
  bool zmtp_known = false;      ///< true once zmtp_minor is known
  std::string mechanism;        ///< the security mechanism ("NULL", "PLAIN", "CURVE")
  std::string identity;         ///< the peer's authenticated identity, once the handshake is
                                ///< done: its User-Id, or its CURVE public key in Z85 (a CURVE
                                ///< client sees the server's key); empty for NULL and PLAIN
                                ///< clients
  std::string reason;           ///< human-readable cause of a failure
  event_reason reason_code = event_reason::none;  ///< machine-readable cause
  std::chrono::milliseconds retry_ivl{0};  ///< connect_retried: the wait before the next dial
  uint64_t dropped = 0;                    ///< messages_dropped: messages dropped since the
                                           ///< previous messages_dropped event
};

/// The event's name as in the docs and the CLI ("connect_retried").
const char* to_string(event_kind kind) noexcept;
/// The reason code's name ("incompatible_socket_type").
const char* to_string(event_reason reason) noexcept;

/// One line of JSON without the newline: {"event":"connected","endpoint":"tcp://...",...}.
/// "event" and "endpoint" are always present; other fields only when they are set. Bytes that
/// are not printable ASCII are escaped as \u00XX (so any routing id round-trips as Latin-1).
std::string to_json(const monitor_event& e);

} // namespace cafmq
