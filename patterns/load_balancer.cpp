// Round-robin with skipping of full pipes; detached peers are forgotten (their queue goes with them).
#include "patterns/load_balancer.hpp"

#include "patterns/drop_oldest.hpp"

#include <algorithm>

namespace cafmq::patterns {

void load_balancer::drop_detached() {
  auto gone = [](const pipe_ptr& p) { return p->detached(); };
  if (std::none_of(pipes_.begin(), pipes_.end(), gone))
    return;
  pipes_.erase(std::remove_if(pipes_.begin(), pipes_.end(), gone), pipes_.end());
  next_ = 0;
}

send_result load_balancer::try_send(message& m) {
  for (size_t tried = 0; tried < pipes_.size(); ++tried) {
    if (next_ >= pipes_.size())
      next_ = 0;
    auto& p = pipes_[next_];
    if (!p->detached() && p->outbound().try_push(m)) {
      p->outbound().flush();
      last_ = next_++;
      return send_result::sent;
    }
    ++next_;
  }
  drop_detached();
  if (drop_oldest_ && !pipes_.empty()) {  // every queue is full: the next in turn makes room
    if (next_ >= pipes_.size())
      next_ = 0;
    dropped_ += push_dropping_oldest(*pipes_[next_], m);
    last_ = next_++;
    return send_result::sent;
  }
  return send_result::would_block;
}

bool load_balancer::prepare_wait() {
  bool room = false;
  for (auto& p : pipes_)
    if (!p->detached() && !p->outbound().writer_sleep())
      room = true;
  return !room;
}

} // namespace cafmq::patterns
