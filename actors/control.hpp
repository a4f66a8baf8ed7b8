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

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cafmq::net {
class io_pool;
}

namespace cafmq::actors {

/// A socket's accepted connections whose handshake has not finished (summed over its listeners),
/// and how many of them the listeners closed to stay within max_pending_handshakes.
struct handshake_counts {
  std::atomic<uint64_t> pending{0};
  std::atomic<uint64_t> evicted{0};
};

/// What a socket actor needs to know about its socket.
struct socket_args {
  socket_type type = socket_type::pair;
  socket_options options;
  pipe_hub_ptr hub;
  monitor_hub_ptr monitor;  ///< where the socket's actors emit monitor events
  authenticator_ptr authenticator;  ///< server mechanisms: decides clients (null otherwise)
  /// PUB/XPUB: counts subscriptions the authorization rules refused.
  std::shared_ptr<std::atomic<uint64_t>> refused_subscriptions;
  /// Listeners: pending handshakes and evictions (max_pending_handshakes), for stats().
  std::shared_ptr<handshake_counts> handshakes;
  /// Where user authenticators run (never on an I/O or the control thread). Set by control.
  user_executor_ptr auth_executor;
  /// Where user monitor callbacks run. Set by control.
  user_executor_ptr event_executor;
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
  /// Starts `io_threads` I/O threads (1..64, else errc::invalid_argument) and the actor system.
  explicit control(int io_threads = 1);
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
  /// A snapshot of the socket's actors and their states. Throws errc::socket_closed.
  supervision_node describe(uint64_t socket);
  /// A snapshot of every socket's actors, under a context node.
  supervision_node supervision_tree();
  /// Stops the socket actor with its listeners, connectors and sessions.
  void close_socket(uint64_t socket);
  /// The sockets opened and not closed yet (none once shut down). Any thread.
  std::vector<open_socket_info> open_sockets() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::shared_ptr<authenticator_slot> auth_ = std::make_shared<authenticator_slot>();
  std::atomic<bool> terminated_{false};
};

} // namespace cafmq::actors
