// What socket::stats() reports: per-socket message totals and drop counters, and the state of
// each peer's queues. Counted on the user thread (plain integers, nothing shared per message);
// queue depths are snapshots of the rings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cafmq {

/// One peer (pipe) of a socket.
struct peer_stats {
  uint64_t pipe_id = 0;        ///< unique in the process (also in the logs)
  std::string routing_id;      ///< the peer's routing id (ROUTER, STREAM: generated ids too), or ""
  bool connected = true;       ///< a connection to the peer is up: false for a connector's peer
                               ///< not connected yet (or reconnecting), and once the peer is
                               ///< gone and its queue is only drained
  size_t queued_in = 0;        ///< messages received and not yet read by the application
  size_t queued_out = 0;       ///< messages queued for the peer and not yet taken by the I/O
                               ///< thread, the pattern's own included (SUB's subscriptions,
                               ///< XPUB's welcome), which linger never waits for unless
                               ///< connected and close() never counts as discarded
  size_t queued_in_bytes = 0;  ///< their bytes
  size_t queued_out_bytes = 0;
  uint64_t dropped = 0;        ///< messages for this peer dropped because its queue was full
};

/// An endpoint its socket's supervisor gave up on: a listener that died more often than
/// restart_intensity allows, or a connector that escalated.
struct endpoint_failure {
  std::string endpoint;
  std::string reason;  ///< why (the monitor event's reason text)
};

/// A socket's counters since it opened.
struct socket_stats {
  uint64_t sent = 0;                ///< messages send() accepted (queued or, by policy, dropped)
  uint64_t received = 0;            ///< messages recv() returned
  uint64_t dropped_hwm = 0;         ///< dropped at a full queue (HWM or byte limit): per
                                    ///< subscriber for PUB/XPUB, per message for drop_newest,
                                    ///< per discarded older message for drop_oldest
  uint64_t dropped_budget = 0;      ///< dropped because the socket's send budget was used up
                                    ///< (drop_oldest: the older messages discarded for it)
  uint64_t dropped_unroutable = 0;  ///< dropped for want of a peer (unknown ROUTER id, REP reply
                                    ///< to a gone requester)
  uint64_t refused_subscriptions = 0;  ///< PUB/XPUB: subscriptions the authorization rules
                                       ///< refused (the subscriber gets nothing for them)
  uint64_t pending_handshakes = 0;  ///< accepted connections whose handshake is not done yet
                                    ///< (at most 16 x max_pending_handshakes per bound endpoint)
  uint64_t evicted_handshakes = 0;  ///< pending handshakes closed by max_pending_handshakes:
                                    ///< idle above it, the least progressed above 16 x it
  uint64_t discarded_on_close = 0;  ///< the user's messages still queued when close() gave up
                                    ///< (linger); control traffic is not counted
  size_t send_budget_used = 0;      ///< bytes queued for sending across all peers
  size_t recv_budget_used = 0;      ///< bytes received and not yet read, across all peers
  uint64_t supervisor_restarts = 0;  ///< listeners and connectors the socket actor restarted
                                     ///< after they died (docs/reliability.md)
  std::string last_failure;         ///< the latest failure the socket's supervisors handled
                                    ///< ("<endpoint>: <why>"), or ""
  std::vector<endpoint_failure> failed_endpoints;  ///< endpoints given up on, oldest first
  std::vector<peer_stats> peers;    ///< the peers the socket holds now
};

} // namespace cafmq
