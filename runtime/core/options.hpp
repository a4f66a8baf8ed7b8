// Socket options with libzmq's defaults. Durations in milliseconds; -1 means "forever" where
// libzmq says so.
#pragma once

#include "authenticator.hpp"
#include "authorization.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cafmq {

/// The queue bound used for an HWM of 0, which libzmq reads as "no limit". cafmq keeps every
/// queue bounded (a ring's slots, 64 bytes each, are allocated as messages queue: about 8 MiB
/// per direction here when it is full; see spsc_ring.hpp).
constexpr size_t no_limit_hwm = size_t{1} << 17;

/// The largest HWM accepted (about 64 MiB of slots per direction and peer when full).
constexpr size_t max_hwm = size_t{1} << 20;

/// The ring capacity for an HWM option value.
constexpr size_t effective_hwm(size_t hwm) noexcept {
  return hwm == 0 ? no_limit_hwm : hwm;
}

/// What a send does when the queue it needs is full (HWM, byte limit or memory budget reached).
enum class full_policy {
  automatic,    ///< the socket type's libzmq behaviour (block, or drop_newest for PUB/XPUB/ROUTER)
  block,        ///< wait up to the send timeout, then report would-block (send returns false)
  drop_newest,  ///< drop the message being sent (counted in stats()); send returns true
  drop_oldest,  ///< discard the oldest message queued for that peer and not yet taken by the I/O
                ///< thread, to make room (counted in stats()); send returns true
  error,        ///< throw cafmq::error(errc::queue_full) at once
};

/// The queue bounds of one pipe.
struct queue_limits {
  size_t sndhwm = 1000;
  size_t rcvhwm = 1000;
  size_t sndhwm_bytes = 0;  ///< 0: no byte limit
  size_t rcvhwm_bytes = 0;
  bool discard_oldest = false;  ///< full_policy drop_oldest: send rings the writer may discard from
};

/// Conditions that stop a connector from reconnecting (ZMQ_RECONNECT_STOP), as bits.
enum reconnect_stop_flags : unsigned {
  reconnect_stop_conn_refused = 1,      ///< the peer refused the TCP connection
  reconnect_stop_handshake_failed = 2,  ///< a handshake failed, for any reason
  reconnect_stop_after_disconnect = 4,  ///< an established connection ended
};

/// The options a socket carries into its pipes and sessions.
struct socket_options {
  size_t sndhwm = 1000;               ///< ZMQ_SNDHWM: messages queued per peer for sending (0: see
                                      ///< no_limit_hwm)
  size_t rcvhwm = 1000;               ///< ZMQ_RCVHWM: messages queued per peer on receive
  size_t sndhwm_bytes = 0;            ///< bytes queued per peer for sending (0: no byte limit); a
                                      ///< queue is full at either mark
  size_t rcvhwm_bytes = 0;            ///< bytes queued per peer on receive (0: no byte limit)
  size_t send_budget_bytes = 0;       ///< bytes queued for sending across all peers (0: none)
  size_t recv_budget_bytes = 0;       ///< bytes received and not yet read, across all peers (0:
                                      ///< none); reached: reading from every peer pauses
  cafmq::full_policy full_policy = cafmq::full_policy::automatic;  ///< what a full send does
  int sndtimeo_ms = -1;               ///< ZMQ_SNDTIMEO: -1 blocks, 0 never blocks
  int rcvtimeo_ms = -1;               ///< ZMQ_RCVTIMEO
  int linger_ms = -1;                 ///< ZMQ_LINGER: on close, wait this long for queued sends
  int reconnect_ivl_ms = 100;         ///< ZMQ_RECONNECT_IVL: -1 never reconnects
  int reconnect_ivl_max_ms = 0;       ///< ZMQ_RECONNECT_IVL_MAX: 0 keeps reconnect_ivl; else the
                                      ///< wait doubles per failed retry up to this (>= ivl)
  int reconnect_jitter_pct = 0;       ///< cafmq: each wait is shortened by a random 0..N % of it
  int reconnect_max_attempts = 0;     ///< cafmq: retries in a row before giving up; 0 unlimited
  unsigned reconnect_stop = 0;        ///< ZMQ_RECONNECT_STOP: reconnect_stop_flags, or-ed
  int connect_timeout_ms = 0;         ///< ZMQ_CONNECT_TIMEOUT: abandon a dial after this; 0 none
  int restart_intensity = 0;          ///< cafmq: a connector that restarts its session (a working
                                      ///< connection lost) more than this often within
                                      ///< restart_period_ms escalates to its socket actor, which
                                      ///< gives the endpoint up; the socket actor restarts a
                                      ///< listener or connector that died at most this often
                                      ///< within the period; 0 unlimited
  int restart_period_ms = 5000;       ///< cafmq: the window of restart_intensity
  int handshake_ivl_ms = 30000;       ///< ZMQ_HANDSHAKE_IVL: 0 disables the timeout
  int max_pending_handshakes = 256;   ///< cafmq (libzmq has none): pending handshakes per bound
                                      ///< endpoint above which idle ones are closed; never more
                                      ///< than 16 x it (evicted_handshakes in stats())
  int64_t maxmsgsize = -1;            ///< ZMQ_MAXMSGSIZE: -1 unlimited
  std::string routing_id;             ///< ZMQ_ROUTING_ID: sent as the Identity property
  bool immediate = false;             ///< ZMQ_IMMEDIATE: queue only to completed connections

  // -- liveness: ZMTP 3.1 heartbeats (RFC 37) and TCP keepalive (libzmq's names and defaults) --
  int heartbeat_ivl_ms = 0;           ///< ZMQ_HEARTBEAT_IVL: send a PING this often; 0 = off
  int heartbeat_ttl_ms = 0;           ///< ZMQ_HEARTBEAT_TTL: asks the peer to drop us after this
                                      ///< much silence (sent in deciseconds; < 100 = no TTL)
  int heartbeat_timeout_ms = -1;      ///< ZMQ_HEARTBEAT_TIMEOUT: drop the peer this long after an
                                      ///< unanswered PING; -1 = heartbeat_ivl_ms
  int tcp_keepalive = -1;             ///< ZMQ_TCP_KEEPALIVE: -1 OS default, 0 off, 1 on
  int tcp_keepalive_idle = -1;        ///< ZMQ_TCP_KEEPALIVE_IDLE: seconds (TCP_KEEPIDLE); -1 OS
  int tcp_keepalive_cnt = -1;         ///< ZMQ_TCP_KEEPALIVE_CNT: probes (TCP_KEEPCNT); -1 OS
  int tcp_keepalive_intvl = -1;       ///< ZMQ_TCP_KEEPALIVE_INTVL: seconds (TCP_KEEPINTVL); -1 OS

  // -- pattern options (libzmq's names; each is ignored by the types it does not apply to) --
  bool conflate = false;              ///< ZMQ_CONFLATE: keep only the newest message
  bool router_mandatory = false;      ///< ZMQ_ROUTER_MANDATORY: unroutable sends fail
  bool router_handover = false;       ///< ZMQ_ROUTER_HANDOVER: a new peer takes over its id
  bool probe_router = false;          ///< ZMQ_PROBE_ROUTER: send an empty message on connect
  bool req_relaxed = false;           ///< ZMQ_REQ_RELAXED: a REQ may send again before a reply
  bool req_correlate = false;         ///< ZMQ_REQ_CORRELATE: match replies by request id
  bool xpub_verbose = false;          ///< ZMQ_XPUB_VERBOSE: pass every subscribe up
  bool xpub_verboser = false;         ///< ZMQ_XPUB_VERBOSER: pass every subscribe and cancel up
  bool xpub_manual = false;           ///< ZMQ_XPUB_MANUAL: the user applies subscriptions
  bool xpub_nodrop = false;           ///< ZMQ_XPUB_NODROP: block (would_block) instead of dropping
  std::optional<std::string> xpub_welcome_msg;  ///< ZMQ_XPUB_WELCOME_MSG: sent to each new peer

  // -- security (docs/security.md): NULL, insecure, unless PLAIN or CURVE is configured --
  // Keys are 40 Z85 characters or 32 raw bytes, like libzmq's. The mechanism is PLAIN if
  // plain_server or plain_username is set, CURVE if curve_server or curve_serverkey is set.
  bool plain_server = false;          ///< ZMQ_PLAIN_SERVER: accept PLAIN clients
  std::string plain_username;         ///< ZMQ_PLAIN_USERNAME: be a PLAIN client
  std::string plain_password;         ///< ZMQ_PLAIN_PASSWORD
  bool curve_server = false;          ///< ZMQ_CURVE_SERVER: accept CURVE clients (needs the
                                      ///< curve_secretkey)
  std::string curve_serverkey;        ///< ZMQ_CURVE_SERVERKEY: be a CURVE client of this server
  std::string curve_publickey;        ///< ZMQ_CURVE_PUBLICKEY: our permanent public key
                                      ///< (derived from the secret key if empty)
  std::string curve_secretkey;        ///< ZMQ_CURVE_SECRETKEY: our permanent secret key (a
                                      ///< client without keys uses a fresh pair per connection)
  std::string zap_domain;             ///< ZMQ_ZAP_DOMAIN: passed to the authenticator
  bool zap_enforce_domain = false;    ///< ZMQ_ZAP_ENFORCE_DOMAIN: a CURVE server without an
                                      ///< authenticator refuses clients instead of allowing any
  authenticator_ptr authenticator;    ///< cafmq: decides this server's clients (else the
                                      ///< context's, else the defaults in docs/security.md)
  std::shared_ptr<const cafmq::authorization> authorization;  ///< cafmq: rules by identity

  // -- transports --
  bool ipv6 = true;                   ///< ZMQ_IPV6: tcp may use IPv6 ("*" binds dual-stack,
                                      ///< names resolve to IPv6 too); false: IPv4 only.
                                      ///< libzmq's default is false (docs/transports.md)
  // -- ipc peer-credential filters (libzmq's ZMQ_IPC_FILTER_*; SO_PEERCRED) --
  // A bound ipc endpoint with any of them set accepts only a process whose uid, gid or pid is
  // listed (a gid also admits the members of that group); others are closed at once with an
  // accept_failed event. Empty lists: everyone (the file's permissions still apply).
  std::vector<uint32_t> ipc_filter_uid;  ///< ZMQ_IPC_FILTER_UID: user ids admitted
  std::vector<uint32_t> ipc_filter_gid;  ///< ZMQ_IPC_FILTER_GID: group ids admitted
  std::vector<int32_t> ipc_filter_pid;   ///< ZMQ_IPC_FILTER_PID: process ids admitted

  /// True if this socket authenticates with PLAIN or CURVE.
  bool secured() const noexcept {
    return plain_server || !plain_username.empty() || curve_server || !curve_serverkey.empty();
  }

  /// The queue bounds of each pipe.
  queue_limits limits() const noexcept {
    return {sndhwm, rcvhwm, sndhwm_bytes, rcvhwm_bytes, full_policy == cafmq::full_policy::drop_oldest};
  }

  /// Throws cafmq::error(errc::invalid_argument) naming the first invalid value.
  void validate() const;
  /// heartbeat_timeout_ms with its default (-1) resolved to heartbeat_ivl_ms.
  int effective_heartbeat_timeout_ms() const noexcept {
    return heartbeat_timeout_ms < 0 ? heartbeat_ivl_ms : heartbeat_timeout_ms;
  }
};

} // namespace cafmq
