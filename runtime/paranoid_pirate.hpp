// Paranoid Pirate (RFC 6, the zguide's ppqueue/ppworker): a queue between clients and workers
// that knows which workers are alive, and a worker that notices when its queue is gone.
// docs/paranoid-pirate.md.
//
//   clients (REQ, lazy pirate) -> [frontend ROUTER | ppp::queue | backend ROUTER] <- ppp::worker (DEALER)
//
// Both sides heartbeat (HEARTBEAT, one frame 0x02) every interval; a peer silent for
// liveness x interval is dead. A worker announces itself with READY (one frame 0x01); the
// queue hands each request to the least recently used idle live worker. A worker that loses its
// queue closes its socket, waits (reconnect_initial, doubling up to reconnect_max), connects a
// new socket and sends READY again.
#pragma once

#include "context.hpp"
#include "core/message.hpp"
#include "core/options.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace cafmq::ppp {

/// The queue's settings. Defaults are RFC 6's (the zguide's).
struct queue_options {
  int liveness = 3;                            ///< heartbeats a worker may miss (>= 1)
  std::chrono::milliseconds heartbeat_interval{1000};  ///< >= 1 ms
  socket_options frontend;                     ///< the clients' ROUTER (security, HWM, ...)
  socket_options backend;                      ///< the workers' ROUTER
};

/// What a queue did so far. Readable from any thread while it runs.
struct queue_stats {
  size_t workers_alive = 0;         ///< known workers (idle or busy)
  size_t workers_idle = 0;          ///< of those, waiting for a request
  uint64_t workers_ready = 0;       ///< READY commands received
  uint64_t workers_expired = 0;     ///< workers removed for being silent too long
  uint64_t requests_forwarded = 0;  ///< client requests handed to a worker
  uint64_t replies_forwarded = 0;   ///< worker replies handed to a client
  uint64_t heartbeats_sent = 0;     ///< HEARTBEATs sent to idle workers
  uint64_t heartbeats_received = 0; ///< HEARTBEATs received from workers
  uint64_t malformed = 0;           ///< messages dropped as malformed (either side)
  uint64_t unknown_worker = 0;      ///< HEARTBEATs/replies from workers that sent no READY
};

/// The Paranoid Pirate queue: binds a frontend ROUTER (clients) and a backend ROUTER (workers).
/// Requests wait in the frontend while no live worker is idle. A worker joins with READY,
/// stays alive with HEARTBEATs or replies, and is removed when silent for liveness x interval;
/// a worker that sends HEARTBEAT or a reply without READY is not taken (its reply still goes to
/// its client) and, hearing nothing, reconnects and sends READY.
class queue {
public:
  /// Binds both sides now (last_endpoint() resolves wildcard ports). Throws cafmq::error:
  /// errc::invalid_argument naming the bad option, or the bind's error naming the side.
  queue(context& ctx, const std::string& frontend, const std::string& backend,
        const queue_options& options = {});
  /// Stops (see stop()) and closes both sockets.
  ~queue();
  queue(const queue&) = delete;
  queue& operator=(const queue&) = delete;

  /// The endpoints as bound ("tcp://127.0.0.1:41234").
  const std::string& frontend_endpoint() const noexcept;
  const std::string& backend_endpoint() const noexcept;

  /// Runs the queue on a thread it owns until stop(). errc::wrong_state if it runs already.
  void start();
  /// Runs the queue on the calling thread until stop() (called from another thread).
  /// errc::wrong_state if it runs already.
  void run();
  /// Ends run() or the owned thread (thread-safe; returns once it has ended). Rethrows, once,
  /// what ended the owned thread's loop early (a terminated context: errc::socket_closed).
  void stop();
  /// A snapshot of the counters (thread-safe).
  queue_stats stats() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The worker's settings. Defaults are RFC 6's (the zguide's).
struct worker_options {
  int liveness = 3;                                    ///< heartbeats the queue may miss (>= 1)
  std::chrono::milliseconds heartbeat_interval{1000};  ///< >= 1 ms
  std::chrono::milliseconds reconnect_initial{1000};   ///< first wait after losing the queue
  std::chrono::milliseconds reconnect_max{32000};      ///< the wait doubles up to this
  socket_options socket;  ///< the DEALER's options (linger is forced to 0: a lost queue's
                          ///< pending messages are dropped on reconnect)
};

/// What a worker did so far. Readable from any thread.
struct worker_stats {
  uint64_t requests = 0;            ///< requests received
  uint64_t replies = 0;             ///< replies sent
  uint64_t heartbeats_sent = 0;
  uint64_t heartbeats_received = 0;
  uint64_t readies_sent = 0;        ///< READY commands (1 + reconnects)
  uint64_t reconnects = 0;          ///< times the queue was lost and a new socket connected
  uint64_t malformed = 0;           ///< messages from the queue dropped as malformed
  uint64_t replies_dropped = 0;     ///< replies given while no socket was connected
};

/// A request as the worker receives it: the reply envelope (routing frames up to and including
/// the empty delimiter) and the body. reply() sends the envelope back in front of the answer.
struct request {
  message envelope;
  message body;
};

/// The Paranoid Pirate worker: a DEALER connected to the queue's backend. It heartbeats only
/// while the caller is inside recv() (or run()): a handler that takes longer than
/// liveness x interval gets its worker declared dead by the queue (its reply still reaches
/// the client). One thread uses it (recv/reply/run); stop() and stats() are thread-safe.
class worker {
public:
  /// Answers a request body with a reply body.
  using handler = std::function<message(const message& body)>;

  /// Connects to `queue_endpoint` and sends READY. Throws cafmq::error: errc::invalid_argument
  /// naming the bad option, errc::invalid_endpoint for a bad endpoint.
  worker(context& ctx, const std::string& queue_endpoint, const worker_options& options = {});
  /// Stops (see stop()) and closes the socket.
  ~worker();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  /// Waits up to `timeout` for a request, heartbeating and reconnecting meanwhile. nullopt on
  /// timeout, or once stop() was called.
  std::optional<request> recv(std::chrono::milliseconds timeout);
  /// Sends `body` as the reply to `to` (its envelope in front). Never blocks: with no socket
  /// connected (the queue lost) the reply is dropped and counted.
  void reply(const request& to, const message& body);
  /// Serves requests with `fn` on the calling thread until stop().
  void run(const handler& fn);
  /// Serves requests with `fn` on a thread the worker owns until stop(). errc::wrong_state if
  /// it runs already.
  void start(handler fn);
  /// Ends recv(), run() or the owned thread (thread-safe; returns once the owned thread ended).
  /// Rethrows, once, what ended the owned thread early (the handler's exception included).
  void stop();
  /// A snapshot of the counters (thread-safe).
  worker_stats stats() const;

private:
  void serve(const handler& fn);
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace cafmq::ppp
