#include "net/memory_trim.hpp"

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace cafmq::net {

namespace {

std::atomic<size_t> closes_since_trim{0};
std::atomic<bool> trim_scheduled{false};
std::atomic<size_t> trims{0};

void trim() noexcept {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
  trims.fetch_add(1, std::memory_order_relaxed);
}

} // namespace

void note_connection_closed(boost::asio::io_context& ctx) {
  if (closes_since_trim.fetch_add(1, std::memory_order_relaxed) + 1 < trim_after
      || trim_scheduled.exchange(true, std::memory_order_acq_rel))
    return;
  // One trim for the process (the allocator is shared), on the thread that scheduled it. If the
  // loop stops first, the timer is dropped with it and the next wave schedules again.
  // The timer lives in its handler; whenever it goes (run, or dropped unrun), a trim may be
  // scheduled again.
  std::shared_ptr<boost::asio::steady_timer> timer(
    new boost::asio::steady_timer(ctx, trim_interval), [](boost::asio::steady_timer* t) {
      delete t;
      trim_scheduled.store(false, std::memory_order_release);
    });
  timer->async_wait([timer](boost::system::error_code ec) {
    closes_since_trim.store(0, std::memory_order_relaxed);
    if (!ec)
      trim();
  });
}

size_t memory_trims() noexcept {
  return trims.load(std::memory_order_relaxed);
}

} // namespace cafmq::net
