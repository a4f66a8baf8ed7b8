// Majordomo (MDP/0.1, RFC 7) client and worker APIs: a client asks a broker's service and
// retries as RFC 7 and the zguide's mdcliapi do; a worker registers a service with a broker,
// heartbeats it and reconnects when it goes silent or sends DISCONNECT. docs/majordomo-api.md.
//
// Both are blocking and single-threaded, like cafmq::socket: use each from one thread at a time.
#pragma once

#include "context.hpp"
#include "core/message.hpp"
#include "core/options.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cafmq {
class socket;
}

namespace cafmq::mdp {

/// How a client asks.
struct client_options {
  /// How long one attempt waits for its reply.
  std::chrono::milliseconds timeout{2500};
  /// Resends after a timed-out attempt, each on a new socket (so 2 makes 3 attempts in all,
  /// as mdcliapi's REQUEST_RETRIES 3).
  int retries = 2;
  /// The socket's options (security, reconnect_ivl, ...); linger is always 0.
  socket_options socket;
};

/// What a client did so far.
struct client_stats {
  uint64_t requests = 0;   ///< request() calls with a valid service
  uint64_t sent = 0;       ///< request messages sent: first attempts and resends
  uint64_t retried = 0;    ///< resends after a timed-out attempt
  uint64_t answered = 0;   ///< requests that got their reply
  uint64_t timed_out = 0;  ///< requests given up: every attempt timed out (nullopt returned)
  uint64_t discarded = 0;  ///< replies dropped: not MDP/0.1, or from another service
};

/// A Majordomo client: a DEALER connected to the broker (RFC 7 allows REQ or DEALER).
///
/// request() sends and waits up to `timeout` for the reply of the same service; past it, the
/// socket is closed (what it received late is gone with it), a new one connects, and the
/// request is sent again, up to `retries` times. So a reply is only ever the answer to the
/// request() that returns it, as long as the broker sends at most one reply per request
/// message it received (RFC 7's broker does). A request may still be executed more than once by
/// workers when an attempt timed out after the worker got it: make services idempotent or
/// dedupe on an id in the body.
class client {
public:
  /// Connects to the broker at `broker_endpoint`. Throws cafmq::error for bad options (timeout
  /// not positive, retries negative) or a bad endpoint.
  client(context& ctx, std::string broker_endpoint, client_options options = {});
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;
  client(client&&) noexcept;
  client& operator=(client&&) noexcept;

  /// Sends `body` to `service` and returns the reply's body, or nullopt when all 1 + retries
  /// attempts timed out. Throws cafmq::error(errc::invalid_argument) for an empty service or a
  /// body of no frames, errc::socket_closed once the context is gone.
  std::optional<message> request(std::string_view service, const message& body);

  /// The counters so far.
  const client_stats& stats() const noexcept;

private:
  struct state;
  std::unique_ptr<state> state_;
};

/// A reply an async_client received: the service that answered and the body.
struct reply {
  std::string service;
  message body;
};

/// The zguide's mdcliapi2: send() and recv() apart, so many requests can be in flight at once,
/// on one DEALER that is never replaced. No retries: a reply does not say which request it
/// answers (put an id in the body), and a late reply to an abandoned request does arrive.
class async_client {
public:
  /// Connects to the broker (`options` with linger 0). Throws cafmq::error for bad socket
  /// options or a bad endpoint.
  async_client(context& ctx, std::string broker_endpoint, socket_options options = {});
  ~async_client();
  async_client(const async_client&) = delete;
  async_client& operator=(const async_client&) = delete;
  async_client(async_client&&) noexcept;
  async_client& operator=(async_client&&) noexcept;

  /// Queues a request for `service`; false if it could not be queued within `timeout` (no
  /// connection yet, or the send queue full). Throws errc::invalid_argument for an empty
  /// service or a body of no frames.
  bool send(std::string_view service, const message& body,
            std::chrono::milliseconds timeout = std::chrono::milliseconds{0});
  /// The next reply, waiting up to `timeout`; nullopt on timeout. Messages that are not a
  /// client reply of MDP/0.1 are dropped and counted in stats().discarded.
  std::optional<reply> recv(std::chrono::milliseconds timeout);

  /// requests and sent (both: requests queued), answered (replies returned), discarded.
  const client_stats& stats() const noexcept;

private:
  struct state;
  std::unique_ptr<state> state_;
};

/// How a worker keeps in touch with its broker. RFC 7's defaults.
struct worker_options {
  /// A HEARTBEAT goes to the broker this often (while recv() runs).
  std::chrono::milliseconds heartbeat_interval{2500};
  /// The broker is taken for dead after liveness x heartbeat_interval without a message from it.
  int liveness = 3;
  /// The wait between losing the broker and connecting a new socket to it.
  std::chrono::milliseconds reconnect_delay{2500};
  /// The socket's options (security, ...). reconnect_stop is set: a connection that breaks is
  /// never silently redialled, the worker makes a new socket and says READY again.
  socket_options socket;
};

/// What a worker did so far.
struct worker_stats {
  uint64_t requests = 0;             ///< REQUESTs received
  uint64_t replies = 0;              ///< REPLYs sent
  uint64_t stale_replies = 0;        ///< replies dropped: their request came on a replaced socket
  uint64_t heartbeats_sent = 0;      ///< HEARTBEATs sent
  uint64_t heartbeats_received = 0;  ///< HEARTBEATs received
  uint64_t disconnects = 0;          ///< DISCONNECTs received
  uint64_t expiries = 0;             ///< times the broker was silent past liveness x interval
  uint64_t connects = 0;             ///< sockets connected, each with a READY (the first included)
  uint64_t discarded = 0;            ///< messages dropped: not MDP/0.1 for a worker
};

/// A request a worker received: the client's address (as the broker gave it) and the body.
struct request {
  message client;
  message body;
  uint64_t connection = 0;  ///< which of the worker's sockets it came on (reply() checks it)
};

/// A Majordomo worker: a DEALER that says READY for `service` and serves its requests.
///
/// recv() drives the protocol: it sends the heartbeats, notices a silent broker or a
/// DISCONNECT, and reconnects (a new socket after reconnect_delay, READY again). Between recv()
/// calls nothing happens: a handler that keeps the worker longer than the broker's worker
/// expiry (its heartbeat interval x liveness) gets the worker dropped by the broker. Hand long
/// work to another thread and keep calling recv().
class worker {
public:
  /// Connects to `broker_endpoint` and sends READY for `service`. Throws cafmq::error for an
  /// empty service, heartbeat_interval not positive, liveness < 1, reconnect_delay negative, or
  /// a bad endpoint.
  worker(context& ctx, std::string broker_endpoint, std::string service,
         worker_options options = {});
  /// close().
  ~worker();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;
  worker(worker&&) noexcept;
  worker& operator=(worker&&) noexcept;

  /// Waits up to `timeout` (0: only look) for a request, keeping the heartbeats going
  /// meanwhile; nullopt if none came. Throws errc::socket_closed after close() or once the
  /// context is gone.
  std::optional<request> recv(std::chrono::milliseconds timeout);
  /// Sends `body` as the reply to `req`. False, and counted in stale_replies, if the socket
  /// `req` came on has been replaced since (its broker forgot the client: the reply could reach
  /// another client with the same address) or the send queue stayed full for a heartbeat
  /// interval. Throws errc::invalid_argument for a body of no frames.
  bool reply(const request& req, const message& body);
  /// Serves requests with `handler` (its return value is the reply) until `stop` is set; `stop`
  /// is looked at least every 100 ms.
  void run(const std::function<message(const request&)>& handler, const std::atomic<bool>& stop);
  /// Sends DISCONNECT (waiting up to one heartbeat interval for it to leave) and closes.
  /// Idempotent.
  void close();

  /// The service it serves.
  const std::string& service() const noexcept;
  /// The counters so far.
  const worker_stats& stats() const noexcept;

private:
  struct state;
  std::unique_ptr<state> state_;
};

} // namespace cafmq::mdp
