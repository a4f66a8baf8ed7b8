// cafmq::mdp::broker: a Majordomo (MDP/0.1, ZeroMQ RFC 7) broker with the MMI service lookup
// (RFC 8), run as a supervised actor tree (docs/majordomo.md): a broker actor owns the ROUTER
// socket, one actor per service holds its queued requests and its waiting workers, one actor per
// worker keeps its heartbeats. CAF-free: the actors run on an actor system the broker owns.
#pragma once

#include "context.hpp"
#include "core/message.hpp"
#include "core/monitor_event.hpp"
#include "core/monitor_hub.hpp"
#include "core/options.hpp"
#include "core/supervision.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace cafmq::mdp {

/// How a broker runs. Checked by the broker's constructor (errc::invalid_argument naming the
/// field that is wrong).
struct broker_options {
  /// The ROUTER socket's options: security (CURVE or PLAIN server with its authenticator), HWMs,
  /// ZMTP heartbeats. Its routing ids are the broker's business: routing_id must stay empty.
  socket_options socket;
  /// MDP heartbeat interval (RFC 7: HEARTBEAT both ways); RFC default 2500 ms. At least 1 ms.
  std::chrono::milliseconds heartbeat_interval{2500};
  /// Heartbeats a worker may miss before it is removed (expiry: liveness x interval). RFC 3.
  int heartbeat_liveness = 3;
  /// How long a request may wait for a worker of its service before it is dropped (counted in
  /// expired). At least 1 ms.
  std::chrono::milliseconds request_expiry{10000};
  /// Requests one service holds waiting for a worker; beyond, new ones are dropped (counted in
  /// dropped). At least 1.
  size_t max_queued_per_service = 10000;
  /// Services the broker keeps at once (each an actor with its queue). A service is retired as
  /// soon as it has neither a worker nor a queued request (its last request expired or was
  /// dispatched with no worker left, its last worker left), so this bounds the live services
  /// only. A request naming a new service beyond it is dropped (counted in dropped, logged) and
  /// a READY for one gets DISCONNECT, so clients naming random services cannot grow the broker
  /// without bound. At least 1.
  size_t max_services = 1000;
  /// Workers the broker keeps at once (each an actor with a heartbeat timer, until it leaves,
  /// its connection closes or it is silent for liveness x interval). A READY beyond it gets
  /// DISCONNECT (counted in workers_refused, logged), so a peer forging READYs under invented
  /// address stacks cannot grow the broker without bound. At least 1.
  size_t max_workers = 10000;
  /// Whether a worker holding a request is expired too when silent for liveness x interval.
  /// Off (the zguide's broker): a zguide worker does not heartbeat while it works, so a long
  /// request is not taken for a dead worker, but a worker killed mid-request stays registered
  /// (busy) until stop. On: for workers that heartbeat while busy (RFC 7 allows HEARTBEAT at any
  /// time after READY), so a worker killed mid-request is removed after liveness x interval.
  /// Either way a worker whose connection to the broker closes (the process died, the peer
  /// closed its socket) is removed at once, busy or not (counted in workers_departed).
  bool expire_busy_workers = false;
  /// With expire_busy_workers off: how long a worker may stay silent while it holds a request
  /// before it is removed anyway (a hung worker on a connection that stays up). 0: never (the
  /// zguide's broker). Ignored with expire_busy_workers on (liveness x interval applies).
  std::chrono::milliseconds busy_expiry{0};
};

/// A broker's counters since it started (a snapshot).
struct broker_stats {
  uint64_t services = 0;             ///< services with an actor now (a worker or a queued request)
  uint64_t services_retired = 0;     ///< services retired: no worker and no queued request left
  uint64_t workers = 0;              ///< workers registered now
  uint64_t workers_refused = 0;      ///< READYs that got DISCONNECT because max_workers was reached
  uint64_t workers_departed = 0;     ///< workers removed because their connection closed
  uint64_t requests_received = 0;    ///< valid client requests (mmi.* included)
  uint64_t requests_dispatched = 0;  ///< requests sent to a worker
  uint64_t replies_answered = 0;     ///< worker replies forwarded to their client
  uint64_t requests_expired = 0;     ///< queued longer than request_expiry: dropped
  uint64_t requests_dropped = 0;     ///< beyond max_queued_per_service, or sent while stopping
  uint64_t mmi_answered = 0;         ///< mmi.* requests answered by the broker itself
  uint64_t malformed = 0;            ///< messages that were not valid MDP (dropped or DISCONNECT)
  uint64_t heartbeats_sent = 0;      ///< HEARTBEATs sent to workers
  uint64_t heartbeats_received = 0;  ///< HEARTBEATs received from workers
  uint64_t disconnects_sent = 0;     ///< DISCONNECTs sent (protocol errors, stop)
  uint64_t workers_expired = 0;      ///< workers removed for silence (liveness x interval, or
                                     ///< busy_expiry while busy)
};

/// What stop() did.
struct stop_summary {
  uint64_t in_flight = 0;              ///< requests with a worker when stop() began
  uint64_t answered_while_draining = 0;  ///< of those, answered before the drain time ran out
  uint64_t unanswered = 0;             ///< of those, not answered in time (abandoned)
  uint64_t discarded = 0;              ///< queued requests discarded (never dispatched)
  uint64_t workers_disconnected = 0;   ///< workers sent DISCONNECT
  broker_stats final_stats;            ///< the counters at the end
};

/// The summary as one line ("stopped: 3 in flight, 3 answered while draining, ...").
std::string to_text(const stop_summary& s);

/// A Majordomo broker on a ROUTER socket of `ctx`. Not thread-safe (one thread at a time, as a
/// socket). Destroy it before its context; the destructor stops it without draining.
class broker {
public:
  /// Opens the ROUTER socket and starts the actors. Throws cafmq::error (invalid_argument) for
  /// bad options or socket options.
  broker(context& ctx, broker_options options = {});
  /// stop(0 ms) if still running.
  ~broker();
  broker(const broker&) = delete;
  broker& operator=(const broker&) = delete;

  /// Binds the ROUTER ("tcp://*:5555", "tcp://127.0.0.1:*", "ipc://...", "inproc://...");
  /// returns the endpoint with its real port. Throws cafmq::error saying why not, and
  /// errc::wrong_state once stopped.
  std::string bind(const std::string& endpoint);
  /// The counters now. Works after stop() too (the final ones).
  broker_stats stats() const;
  /// A snapshot of the actor tree: the broker node, with its socket's tree, one child per
  /// service (detail: "queued N, waiting M") and, under each, one child per worker. Throws
  /// errc::wrong_state once stopped.
  supervision_node describe() const;
  /// A stream of the ROUTER socket's monitor events from now on (as socket::monitor).
  event_stream monitor(size_t capacity = 1024);
  /// Calls `fn` with each of the ROUTER's monitor events (as socket::add_event_callback).
  uint64_t add_event_callback(std::function<void(const monitor_event&)> fn);
  /// Stops: new client requests are dropped (counted), queued ones discarded; requests in
  /// flight get up to `drain` for their replies, which are forwarded; then every worker gets
  /// DISCONNECT, the socket closes (linger at most `drain`) and the actors end. Returns what it
  /// did; a second call returns the first call's summary.
  stop_summary stop(std::chrono::milliseconds drain = std::chrono::milliseconds(0));
  /// True until stop().
  bool running() const noexcept;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace cafmq::mdp
