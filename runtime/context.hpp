// cafmq::context: owns the actor system (control plane) and the I/O threads (data plane). Create
// one per process, before its sockets. Destroying it while sockets are still open first lingers
// for them (each socket's own linger, as close() does), then stops every actor and connection;
// the sockets then report errc::socket_closed.
#pragma once

#include "core/authenticator.hpp"
#include "core/supervision.hpp"

#include <chrono>
#include <cstddef>
#include <memory>

namespace cafmq {

namespace actors {
class control;
}

} // namespace cafmq

namespace caf {
class actor_system;
}

namespace cafmq {

/// How a context runs; fixed when it is made.
struct context_options {
  /// I/O threads (libzmq's ZMQ_IO_THREADS), 1 to 64. Each connection is served by one of them,
  /// the least busy when it is made; listeners live on the first. docs/threading-and-networking.md.
  int io_threads = 1;
};

/// The runtime every socket lives in.
class context {
public:
  /// One I/O thread.
  context();
  /// A context whose actors run on `system`, an actor system the caller already has (no second
  /// scheduler). Requirements: `system` outlives this context; control events are handled in
  /// order whatever its scheduler (each actor's mailbox is FIFO), but a busy system delays
  /// bind/connect and connection events, never messages (the data plane does not use it). The
  /// context stops its own actors on close() and destruction and waits for them alone: it
  /// never calls await_all_actors_done on `system`, which the caller still shuts down. Calls
  /// from a thread release that thread's CAF 0.17 logger reference (see actors/control.cpp);
  /// Debian's CAF has logging compiled out, so nothing is lost. Needs <caf/all.hpp> at the
  /// call site only.
  ///
  /// Never call cafmq's blocking API (socket construction, bind, connect, describe, close,
  /// ~socket, ~context, send/recv with a timeout) from inside an actor of `system`: each such
  /// call waits on a scoped_actor and parks that scheduler worker, and with the context's
  /// actors needing a worker to answer, few workers (or one) deadlock until the 30 s control
  /// timeout; a context destroyed that way gives up waiting for its actors after 30 s and leaks
  /// its internal state (logged as an error) rather than free it under them. CAF 0.17 offers
  /// no way to tell a scheduler worker from another thread, so this is not detected: call
  /// cafmq from your own threads, or from a blocking actor spawned `detached`.
  explicit context(caf::actor_system& system, const context_options& options = {});
  /// With `options`; throws cafmq::error(errc::invalid_argument) for io_threads outside 1..64.
  explicit context(const context_options& options);
  /// close().
  ~context();
  context(const context&) = delete;
  context& operator=(const context&) = delete;

  /// Lingers for the sockets still open, each up to its linger (-1: until what it queued is
  /// written or its peers are gone; 0: not at all), all at once, so never longer than the
  /// longest linger; then stops every actor and the I/O threads. Returns how many queued
  /// messages were discarded (each socket's count is also logged, and its close() returns it
  /// later). Idempotent (0 the second time); sockets closed before are not waited for again.
  size_t close();
  /// close() with every linger capped at `max_linger` (0: stop at once, discarding).
  size_t close(std::chrono::milliseconds max_linger);
  /// Ends the linger of every socket open now (socket::abort_linger() on each): close() calls
  /// lingering on other threads, and this context's own close(), return within a few
  /// milliseconds, discarding what is queued. Thread-safe (takes a mutex: not for a signal
  /// handler, where socket::abort_linger() is the call).
  void abort_linger();

  /// A snapshot of the supervision tree: this context, its sockets, their listeners and
  /// connectors and their sessions, with each actor's state (docs/reliability.md). Empty (a
  /// context node without children) once the context is shutting down.
  supervision_node supervision_tree() const;

  /// Sets the authenticator that decides the clients of every PLAIN and CURVE server socket of
  /// this context without one of its own (libzmq: the process's ZAP handler); nullptr removes
  /// it. Takes effect for handshakes from now on. docs/security.md.
  void set_authenticator(authenticator_ptr a);

  /// Internal: the control plane, shared with the sockets.
  const std::shared_ptr<actors::control>& control() const noexcept { return control_; }

private:
  size_t close_within(long long cap_ms);

  std::shared_ptr<actors::control> control_;
};

} // namespace cafmq
