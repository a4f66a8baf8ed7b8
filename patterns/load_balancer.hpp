// Round-robin over the pipes that have room (RFC 30 PUSH, later DEALER/REQ): a message goes to the
// next peer whose send ring is below its HWM; if every ring is full the caller waits, or with
// full_policy drop_oldest the next peer in turn discards its oldest queued messages for it.
#pragma once

#include "runtime/core/message.hpp"
#include "runtime/core/pipe.hpp"

#include <vector>

namespace cafmq::patterns {

/// Outcome of a send attempt.
enum class send_result { sent, would_block };

/// Round-robin sender over a set of pipes.
class load_balancer {
public:
  /// `drop_oldest`: when every ring is full, make room in the next one instead of would_block.
  explicit load_balancer(bool drop_oldest = false) : drop_oldest_(drop_oldest) {}
  /// Adds a peer.
  void attach(pipe_ptr p) { pipes_.push_back(std::move(p)); }
  /// Sends `m` to the next peer with room (moving it out); would_block leaves `m` intact.
  send_result try_send(message& m);
  /// The pipe the last successful try_send used (REQ waits for its reply there); valid until the
  /// next try_send.
  const pipe_ptr& last_target() const noexcept { return pipes_[last_]; }
  /// Announces the writer will sleep; false if some pipe already has room (do not sleep).
  bool prepare_wait();
  /// The only peer, if there is exactly one and it is attached; else nullptr.
  pipe* sole_pipe() const noexcept {
    return pipes_.size() == 1 && !pipes_[0]->detached() ? pipes_[0].get() : nullptr;
  }
  /// The current peers.
  const std::vector<pipe_ptr>& pipes() const noexcept { return pipes_; }
  /// Messages drop_oldest discarded.
  uint64_t dropped() const noexcept { return dropped_; }

private:
  void drop_detached();

  std::vector<pipe_ptr> pipes_;
  size_t next_ = 0;
  size_t last_ = 0;
  uint64_t dropped_ = 0;
  bool drop_oldest_;
};

} // namespace cafmq::patterns
