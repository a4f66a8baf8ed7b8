// The control plane as seen from the public API: a CAF-free facade over the actor system, the root
// supervisor and the socket actors. Only rare control calls come through here (open, bind,
// connect, close); messages never do.
#pragma once

#include "runtime/core/monitor_hub.hpp"
#include "runtime/core/options.hpp"
#include "runtime/core/pipe_hub.hpp"
#include "runtime/core/socket_type.hpp"
#include "runtime/core/supervision.hpp"
#include "runtime/core/user_executor.hpp"
#include "runtime/socket_stats.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace caf {
class actor_system;
}

namespace cafmq::net {
class io_pool;
}

namespace cafmq::actors {

struct control_reply;

/// A socket's accepted connections whose handshake has not finished (summed over its listeners),
/// and how many of them the listeners closed under max_pending_handshakes. Shared with
/// the user thread: listeners write `pending`, sessions `evicted` (once their engine closed the
/// connection for it), stats() reads (relaxed; a snapshot, never a decision).
struct handshake_counts {
  std::atomic<uint64_t> pending{0};
  std::atomic<uint64_t> evicted{0};
};

/// What a socket's supervisors recorded, shared with the user thread: socket::stats() reads it,
/// and control calls fail with `socket_failure` once the socket actor died. Written only when
/// something fails or restarts (the root supervisor, the socket actor), under `mtx`; never on the
/// data path.
struct supervision_record {
  mutable std::mutex mtx;
  std::atomic<bool> failed{false};  ///< the socket actor died: user calls read socket_failure
  std::string socket_failure;  ///< why the socket actor died (set by the root), else empty
  uint64_t restarts = 0;       ///< listeners and connectors the socket actor restarted
  std::string last_failure;    ///< the latest failure its supervisors handled ("endpoint: why")
  std::vector<endpoint_failure> failed_endpoints;  ///< endpoints given up on, latest last

  /// Copies the fields under the lock.
  void fill(socket_stats& s) const {
    std::lock_guard<std::mutex> guard{mtx};
    s.supervisor_restarts = restarts;
    s.last_failure = last_failure;
    s.failed_endpoints = failed_endpoints;
  }
  /// Why the socket actor died, or "" while it lives.
  std::string socket_failed() const {
    std::lock_guard<std::mutex> guard{mtx};
    return socket_failure;
  }
};

/// Counts the library's live actors, so that a context on a user's actor system can wait for
/// its own actors alone (it must never await_all_actors_done on a system it does not own).
struct actor_census {
  std::mutex mtx;
  std::condition_variable cv;
  size_t alive = 0;
  void enter() {
    std::lock_guard<std::mutex> guard{mtx};
    ++alive;
  }
  void leave() {
    std::lock_guard<std::mutex> guard{mtx};
    if (--alive == 0)
      cv.notify_all();
  }
  /// Waits until no actor is left, at most `timeout`; false on timeout.
  bool wait_empty(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock{mtx};
    return cv.wait_for(lock, timeout, [this] { return alive == 0; });
  }
};

/// What a socket actor needs to know about its socket. The atomics below are the only state
/// its actors share with the user thread besides the data plane's pipes: plain counters the
/// actors and engines increment and stats() reads (relaxed).
struct socket_args {
  socket_type type = socket_type::pair;
  socket_options options;
  pipe_hub_ptr hub;
  monitor_hub_ptr monitor;  ///< where the socket's actors emit monitor events
  authenticator_ptr authenticator;  ///< server mechanisms: decides clients (null otherwise)
  /// PUB/XPUB: counts subscriptions the authorization rules refused. Shared with the user
  /// thread: the engines increment it on the I/O thread, stats() reads it (relaxed).
  std::shared_ptr<std::atomic<uint64_t>> refused_subscriptions;
  /// Listeners: pending handshakes and evictions (max_pending_handshakes), for stats().
  std::shared_ptr<handshake_counts> handshakes;
  /// Where user authenticators run (never on an I/O or the control thread). Set by control.
  user_executor_ptr auth_executor;
  /// Where user monitor callbacks run. Set by control.
  user_executor_ptr event_executor;
  /// Failures and restarts its supervisors handled (see supervision_record).
  std::shared_ptr<supervision_record> supervision = std::make_shared<supervision_record>();
  /// The context's actor count (set by control).
  std::shared_ptr<actor_census> census;
};

/// A socket still open, as the context sees it when it lingers for it.
struct open_socket_info {
  uint64_t id = 0;
  socket_type type = socket_type::pair;
  pipe_hub_ptr hub;
};

/// Owns the CAF actor system and the I/O thread; one per cafmq::context, shared with its sockets
/// so that a socket outliving its context stays safe to use and destroy.
class control {
public:
  /// Starts `io_threads` I/O threads (1..64, else errc::invalid_argument) and owns an actor
  /// system (sharing scheduler, one thread: control events stay ordered).
  explicit control(int io_threads = 1);
  /// Runs the actors on `system`, which the caller owns and which must outlive this control.
  /// shutdown() stops this control's actors only and waits for them (never for the system's
  /// other actors), at most 30 s: if some still run then, the control's internal state is
  /// deliberately leaked (logged as an error) rather than freed under them.
  control(caf::actor_system& system, int io_threads);
  /// Calls shutdown().
  ~control();
  /// Stops every actor, then the I/O thread; never hangs. Idempotent. Afterwards open_socket,
  /// bind and connect throw errc::socket_closed and close_socket does nothing.
  void shutdown();
  /// The context's authenticator (context::set_authenticator), shared with server sockets.
  const std::shared_ptr<authenticator_slot>& authenticators() const noexcept { return auth_; }
  /// The I/O threads (tests look at which loop serves which connection).
  net::io_pool& io_pool() noexcept;
  /// Where user monitor callbacks run (socket::add_event_callback).
  const user_executor_ptr& event_executor() const noexcept;
  /// True once shutdown() has begun. Any thread, lock-free.
  bool terminated() const noexcept { return terminated_.load(std::memory_order_acquire); }
  control(const control&) = delete;
  control& operator=(const control&) = delete;

  /// Spawns a socket actor under the root supervisor; returns its id.
  uint64_t open_socket(socket_args args);
  /// Binds; returns the bound endpoint (real port). Throws cafmq::error saying why not.
  std::string bind(uint64_t socket, const std::string& endpoint);
  /// Starts connecting (and reconnecting); a non-empty `routing_id` names the peer on a ROUTER.
  /// Throws cafmq::error for a bad endpoint.
  void connect(uint64_t socket, const std::string& endpoint, const std::string& routing_id = {});
  /// Stops the listener of `endpoint` (as bind() returned it, or as given to bind() without a
  /// wildcard port) and closes its connections; returns once the port is free. Throws
  /// errc::invalid_endpoint naming it if the socket is not bound there.
  void unbind(uint64_t socket, const std::string& endpoint);
  /// Stops the connectors of `endpoint` and closes their connections, discarding what was
  /// queued for them; returns once they are closed. Throws errc::invalid_endpoint naming it if
  /// the socket is not connected there.
  void disconnect(uint64_t socket, const std::string& endpoint);
  /// Replaces the options the socket's later binds and connects use (already validated).
  void set_options(uint64_t socket, const socket_options& options);
  /// A snapshot of the socket's actors and their states. Throws errc::socket_closed.
  supervision_node describe(uint64_t socket);
  /// A snapshot of every socket's actors, under a context node.
  supervision_node supervision_tree();
  /// Stops the socket actor with its listeners, connectors and sessions.
  void close_socket(uint64_t socket);
  /// The sockets opened and not closed yet (none once shut down). Any thread.
  std::vector<open_socket_info> open_sockets() const;
  /// True while a socket of this context has bound inproc://`name`. Any thread.
  bool inproc_bound(const std::string& name) const;
  /// The context's client of the ZAP handler bound at inproc://zeromq.zap.01
  /// (runtime/zap_client.hpp): the one made before, else the one `make` returns, kept until
  /// shutdown(); null once shutdown() began. `make` runs under a lock, so two servers asking at
  /// once make one client, and shutdown() never misses one made while it runs. Any thread.
  authenticator_ptr inproc_zap(const std::function<authenticator_ptr()>& make);

private:
  void throw_if_error(const control_reply& r) const;
  struct impl;
  std::unique_ptr<impl> impl_;
  std::shared_ptr<authenticator_slot> auth_ = std::make_shared<authenticator_slot>();
  std::mutex inproc_zap_mtx_;
  authenticator_ptr inproc_zap_;  // guarded by inproc_zap_mtx_
  std::atomic<bool> terminated_{false};
  bool leaked_ = false;  // shutdown() gave up waiting for actors on a user's system: keep impl_
};

} // namespace cafmq::actors
