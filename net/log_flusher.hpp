// Writes the rate-limited log's summaries when their window ends, with no further line needed:
// registered with the process's limiter (runtime/core/log_limit.hpp), it runs a timer on an I/O
// loop for each window that has lines counted. Each context's I/O pool owns one; the most recent
// one registered serves the process.
#pragma once

#include <cstdint>

namespace cafmq::net {

class io_loop;

class log_flusher {
public:
  /// Registers with the process's limiter; the timers run on `loop`, which must outlive this.
  explicit log_flusher(io_loop& loop);
  /// Unregisters (the loop's pending timers never fire once it stops).
  ~log_flusher();
  log_flusher(const log_flusher&) = delete;
  log_flusher& operator=(const log_flusher&) = delete;

private:
  uint64_t id_;
};

} // namespace cafmq::net
