// The I/O threads of a context (libzmq's io_threads): N loops, each its own thread named
// cafmq/io/<i>. Listeners live on loop 0; every connection is bound to one loop, the least busy
// when it is made, so one busy or stuck connection holds up only the connections of its loop.
#pragma once

#include "net/io_loop.hpp"
#include "net/log_flusher.hpp"

#include <atomic>
#include <memory>
#include <vector>

namespace cafmq::net {

/// The range io_threads may take.
constexpr int min_io_threads = 1;
constexpr int max_io_threads = 64;

class io_pool {
public:
  /// Starts `threads` loops; throws cafmq::error(errc::invalid_argument) outside 1..64.
  explicit io_pool(int threads);
  /// stop().
  ~io_pool();
  io_pool(const io_pool&) = delete;
  io_pool& operator=(const io_pool&) = delete;

  /// Loop 0: where listeners and binds run.
  io_loop& home() noexcept { return *loops_.front(); }
  /// Loop `i` (0 <= i < size()).
  io_loop& at(size_t i) noexcept { return *loops_[i]; }
  /// How many loops.
  size_t size() const noexcept { return loops_.size(); }
  /// The loop with the fewest connections; ties go round-robin, so connections made at the
  /// same moment (dials still in progress count nothing yet) spread too. Any thread.
  io_loop& pick() noexcept;
  /// Stops every loop (their connections close), then writes the rate-limited log's pending
  /// summaries (runtime/core/log_limit.hpp); idempotent.
  void stop();

private:
  std::vector<std::unique_ptr<io_loop>> loops_;
  std::atomic<size_t> next_{0};
  std::unique_ptr<log_flusher> flusher_;  // on the home loop; reset before the loops stop
};

} // namespace cafmq::net
