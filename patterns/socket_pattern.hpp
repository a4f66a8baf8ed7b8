// A socket type's messaging behaviour, composed from routing pieces. The user thread drives it;
// sessions only hand it pipes.
#pragma once

#include "patterns/load_balancer.hpp"
#include "runtime/core/message.hpp"
#include "runtime/core/pipe.hpp"
#include "runtime/core/socket_type.hpp"

#include <memory>
#include <vector>

namespace cafmq::patterns {

/// What every socket type implements.
class socket_pattern {
public:
  virtual ~socket_pattern() = default;
  /// A new peer is ready.
  virtual void attach(pipe_ptr p) = 0;
  /// Sends (moving `m` out) or reports would_block leaving `m` intact. Throws cafmq::error if the
  /// type cannot send.
  virtual send_result try_send(message& m) = 0;
  /// Receives into `out`; false if nothing is there. Throws cafmq::error if the type cannot
  /// receive.
  virtual bool try_recv(message& out) = 0;
  /// Before sleeping in send: false if sending may already succeed.
  virtual bool prepare_wait_send() = 0;
  /// Before sleeping in recv: false if a message may already be there.
  virtual bool prepare_wait_recv() = 0;
  /// Every pipe the pattern holds (for linger and shutdown).
  virtual std::vector<pipe_ptr> pipes() const = 0;
};

/// The pattern for `type`; throws cafmq::error(errc::unsupported) for types not built yet.
std::unique_ptr<socket_pattern> make_pattern(socket_type type);

} // namespace cafmq::patterns
