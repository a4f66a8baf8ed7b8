// Fair-queued receive over a set of pipes (RFC 30 PULL, later DEALER/ROUTER/SUB): one message per
// peer in turn, so a busy peer cannot starve a quiet one.
#pragma once

#include "runtime/core/message.hpp"
#include "runtime/core/pipe.hpp"

#include <vector>

namespace cafmq::patterns {

/// Round-robin receiver over a set of pipes.
class fair_queue {
public:
  /// Adds a peer.
  void attach(pipe_ptr p) { pipes_.push_back(std::move(p)); }
  /// Takes the next message in fair order; false when every pipe is empty.
  bool try_recv(message& out);
  /// ZMQ_CONFLATE: drains every pipe and keeps only the newest message (the last one read, as
  /// there is no order across peers); false when every pipe is empty.
  bool try_recv_newest(message& out);
  /// The pipe the last successful try_recv read from (REP replies there); valid until the next
  /// try_recv.
  const pipe_ptr& last_source() const noexcept { return pipes_[last_]; }
  /// The pipe the last successful try_recv or try_recv_newest took from (for its peer's
  /// properties); valid until the next call.
  const pipe* last_from() const noexcept { return last_from_; }
  /// Announces the reader will sleep; false if a message is already there (do not sleep).
  bool prepare_wait();
  /// The current peers.
  const std::vector<pipe_ptr>& pipes() const noexcept { return pipes_; }
  /// The only peer, if there is exactly one; else nullptr.
  pipe* sole_pipe() const noexcept { return pipes_.size() == 1 ? pipes_[0].get() : nullptr; }

private:
  void drop_finished();

  std::vector<pipe_ptr> pipes_;
  size_t next_ = 0;
  size_t last_ = 0;
  const pipe* last_from_ = nullptr;
};

} // namespace cafmq::patterns
