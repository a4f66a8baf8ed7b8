// A socket's memory budget for what its peers have sent and its user has not read yet
// (socket_options::recv_budget_bytes): the bytes waiting in all of its receive rings. The rings
// of one socket may be written by different I/O threads (one per connection's loop), so the count
// (byte_budget::used) is a relaxed atomic: charged by each push, credited when a ring learns of
// reads, no shared write on the reader's side. A ring whose push would pass the budget pauses its
// engine (as a full ring does: TCP pushes back); the user's reads wake the paused engines.
//
// Staleness: a ring learns of reads lazily, so `used` may overstate. A writer that finds the
// budget used up recounts it exactly over every ring of the socket (the registry below) before
// pausing, so a drained ring never keeps the others paused. A recount reads only what each ring
// publishes (the bytes its reader has read, the bytes credited so far) and credits the difference
// once (a compare-exchange per ring): it never touches another thread's writer state.
#pragma once

#include "byte_budget.hpp"
#include "waker.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace cafmq {

class spsc_ring;

/// Bytes queued in a socket's receive rings, and the engines paused on them.
class recv_budget : public byte_budget {
public:
  explicit recv_budget(size_t limit_bytes) { limit = limit_bytes; }
  recv_budget(const recv_budget&) = delete;
  recv_budget& operator=(const recv_budget&) = delete;

  // -- any thread: a ring joins when its pipe is made, leaves when the pipe goes --
  void add(spsc_ring* ring);
  void remove(spsc_ring* ring);

  // -- any ring's writer (an I/O thread) --
  /// Recounts `used` exactly (credits every ring's published reads); true if still used up.
  bool recount_exhausted() noexcept;
  /// A writer gives up for now: `w` is kicked once the user has read enough from any ring (or
  /// a ring drained). False, registering nothing, if the budget has room after all.
  bool wait(const std::shared_ptr<waker>& w) noexcept;

  // -- reader side (the user thread), from a ring's wake-up path: never per message --
  /// Kicks every paused writer.
  void wake_waiters() noexcept;

private:
  bool recount_locked() noexcept;

  std::mutex mtx_;  // the registry and the waiters: touched on slow paths only
  std::vector<spsc_ring*> rings_;
  std::vector<std::shared_ptr<waker>> waiters_;
  std::atomic<bool> has_waiters_{false};
};

} // namespace cafmq
