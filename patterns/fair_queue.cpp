// Fair queueing; a detached peer is forgotten only after what it delivered has been read.
#include "patterns/fair_queue.hpp"

#include "patterns/conflate.hpp"

#include <algorithm>

namespace cafmq::patterns {

void fair_queue::drop_finished() {
  auto finished = [](const pipe_ptr& p) { return p->detached() && !p->inbound().readable(); };
  if (std::none_of(pipes_.begin(), pipes_.end(), finished))
    return;
  pipes_.erase(std::remove_if(pipes_.begin(), pipes_.end(), finished), pipes_.end());
  next_ = 0;
}

bool fair_queue::try_recv(message& out) {
  for (size_t tried = 0; tried < pipes_.size(); ++tried) {
    if (next_ >= pipes_.size())
      next_ = 0;
    auto& p = pipes_[next_];
    if (p->inbound().try_pop(out)) {
      last_from_ = p.get();
      last_ = next_++;
      return true;
    }
    ++next_;
  }
  drop_finished();
  return false;
}

bool fair_queue::try_recv_newest(message& out) {
  bool got = false;
  for (auto& p : pipes_)
    if (take_newest(p->inbound(), out)) {
      got = true;
      last_from_ = p.get();
    }
  if (!got)
    drop_finished();
  return got;
}

bool fair_queue::prepare_wait() {
  bool ready = false;
  for (auto& p : pipes_)
    if (!p->inbound().reader_sleep())
      ready = true;
  return !ready;
}

} // namespace cafmq::patterns
