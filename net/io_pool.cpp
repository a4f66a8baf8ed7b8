// Loop selection: least connections, ties broken round-robin.
#include "net/io_pool.hpp"

#include "runtime/core/error.hpp"
#include "runtime/core/log_limit.hpp"

namespace cafmq::net {

io_pool::io_pool(int threads) {
  if (threads < min_io_threads || threads > max_io_threads)
    throw error{errc::invalid_argument, "io_threads must be from " + std::to_string(min_io_threads)
                                          + " to " + std::to_string(max_io_threads) + ", not "
                                          + std::to_string(threads)};
  loops_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i)
    loops_.push_back(std::make_unique<io_loop>("cafmq/io/" + std::to_string(i), this));
  flusher_ = std::make_unique<log_flusher>(home());
}

io_pool::~io_pool() {
  stop();
}

io_loop& io_pool::pick() noexcept {
  size_t n = loops_.size();
  size_t start = next_.fetch_add(1, std::memory_order_relaxed) % n;
  size_t best = start;
  for (size_t i = 1; i < n; ++i) {
    size_t k = (start + i) % n;
    if (loops_[k]->connections() < loops_[best]->connections())
      best = k;
  }
  return *loops_[best];
}

void io_pool::stop() {
  flusher_.reset();
  for (auto& l : loops_)
    l->stop();
  log::process_limiter().flush_all();
}

} // namespace cafmq::net
