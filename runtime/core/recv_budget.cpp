// The slow paths of the receive budget. No lost wake-up: a pausing writer arms every ring that
// holds bytes (seq_cst flag store) and only then recounts (seq_cst loads of the bytes the readers
// published as read), while a reader checks a ring's flag behind a full fence when it finds the ring
// empty (spsc_ring.cpp); so either the recount sees the reads or the reader sees the flag and
// kicks the waiters.
#include "runtime/core/recv_budget.hpp"

#include "runtime/core/spsc_ring.hpp"

#include <algorithm>

namespace cafmq {

void recv_budget::add(spsc_ring* ring) {
  std::lock_guard<std::mutex> guard{mtx_};
  rings_.push_back(ring);
}

void recv_budget::remove(spsc_ring* ring) {
  std::lock_guard<std::mutex> guard{mtx_};
  rings_.erase(std::remove(rings_.begin(), rings_.end(), ring), rings_.end());
}

bool recv_budget::recount_locked() noexcept {
  // Only what the readers published: the rings may belong to other I/O threads, whose writer
  // state (and segments) this thread must not touch.
  for (auto* r : rings_)
    r->credit_published_reads();
  return exhausted();
}

bool recv_budget::recount_exhausted() noexcept {
  std::lock_guard<std::mutex> guard{mtx_};
  return recount_locked();
}

bool recv_budget::wait(const std::shared_ptr<waker>& w) noexcept {
  std::lock_guard<std::mutex> guard{mtx_};
  if (!recount_locked())
    return false;
  waiters_.push_back(w);
  has_waiters_.store(true, std::memory_order_seq_cst);
  for (auto* r : rings_)
    r->arm_budget_wake();
  if (recount_locked())
    return true;
  waiters_.pop_back();  // reads came in meanwhile: go on instead of pausing
  has_waiters_.store(!waiters_.empty(), std::memory_order_relaxed);
  return false;
}

void recv_budget::wake_waiters() noexcept {
  if (!has_waiters_.load(std::memory_order_acquire))
    return;
  std::vector<std::shared_ptr<waker>> woken;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    woken.swap(waiters_);
    has_waiters_.store(false, std::memory_order_relaxed);
  }
  for (auto& w : woken)
    if (w)
      w->wake();
}

} // namespace cafmq
