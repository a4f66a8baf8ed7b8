// A socket's memory budget for what its peers have sent and its user has not read yet
// (socket_options::recv_budget_bytes): the bytes waiting in all of its receive rings. Every
// receive ring of a context has the same writer, the I/O thread, so the count itself is a plain
// integer (byte_budget): charged by the rings' pushes, credited when a ring learns of reads, no
// atomic per message. A ring whose push would pass the budget pauses its engine (as a full ring
// does: TCP pushes back); the user's reads wake the paused engines.
//
// Staleness: a ring learns of reads lazily, so `used` may overstate. A writer that finds the
// budget used up recounts it exactly over every ring of the socket (the registry below) before
// pausing, so a drained ring never keeps the others paused.
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

  // -- the I/O thread (the writer of every ring) --
  /// Recounts `used` exactly (every ring catches up with its reader); true if still used up.
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
