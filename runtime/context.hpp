// cafmq::context: owns the actor system (control plane) and the I/O thread (data plane). Create
// one per process, before its sockets. Destroying it before its sockets is safe: it stops every
// actor and connection, and the sockets then report errc::socket_closed.
#pragma once

#include "runtime/core/authenticator.hpp"
#include "runtime/core/supervision.hpp"

#include <memory>

namespace cafmq {

namespace actors {
class control;
}

/// The runtime every socket lives in.
class context {
public:
  context();
  /// Stops every actor and the I/O thread; never hangs. Close sockets first to send what they
  /// queued (linger); sockets still open are cut off and then report errc::socket_closed.
  ~context();
  context(const context&) = delete;
  context& operator=(const context&) = delete;

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
  std::shared_ptr<actors::control> control_;
};

} // namespace cafmq
