// membarrier(2) registration and the process-wide barrier.
#include "runtime/core/fence.hpp"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mutex>

namespace cafmq::fence {

namespace detail {
std::atomic<bool> asymmetric{false};
} // namespace detail

namespace {

long membarrier(int cmd) noexcept {
  return syscall(SYS_membarrier, cmd, 0, 0);
}

bool register_membarrier() noexcept {
  long supported = membarrier(MEMBARRIER_CMD_QUERY);
  if (supported < 0 || (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0)
    return false;
  return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

} // namespace

void init() noexcept {
  static std::once_flag once;
  std::call_once(once, [] {
    detail::asymmetric.store(register_membarrier(), std::memory_order_seq_cst);
  });
}

void heavy() noexcept {
  if (is_asymmetric())
    membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);  // cannot fail once registered
  else
    std::atomic_thread_fence(std::memory_order_seq_cst);  // light() is a full fence too then
}

} // namespace cafmq::fence
