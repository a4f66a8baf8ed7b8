// Futex-backed signaler. States: idle, signaled (a wake-up is pending), sleeping (the waiter is in
// or about to enter FUTEX_WAIT). wake() sets signaled and calls FUTEX_WAKE only if it replaced
// sleeping; the waiter moves idle -> sleeping before it waits, so it never misses a wake-up.
#include "runtime/core/signaler.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <climits>

namespace cafmq {

namespace {

void futex_wait(std::atomic<uint32_t>* word, uint32_t expected, std::chrono::nanoseconds timeout) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  timespec ts{static_cast<time_t>(secs.count()), static_cast<long>((timeout - secs).count())};
  // Returns on a wake-up, a timeout, a signal, or when *word != expected: the caller re-checks.
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, &ts, nullptr,
          0);
}

void futex_wake_all(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr,
          nullptr, 0);
}

} // namespace

static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t), "futex word must be 32 bits");

void signaler::wake() noexcept {
  if (state_.exchange(signaled, std::memory_order_acq_rel) == sleeping)
    futex_wake_all(&state_);
  if (auto* h = hook_.load(std::memory_order_acquire))
    h->wake();
}

bool signaler::install_hook(std::unique_ptr<waker> hook) noexcept {
  waker* expected = nullptr;
  if (!hook_.compare_exchange_strong(expected, hook.get(), std::memory_order_acq_rel))
    return false;  // `hook` goes with the unique_ptr
  static_cast<void>(hook.release());  // owned through hook_ from now on
  return true;
}

signaler::~signaler() {
  delete hook_.load(std::memory_order_acquire);
}

bool signaler::wait_until(std::chrono::steady_clock::time_point deadline) noexcept {
  for (;;) {
    uint32_t s = state_.load(std::memory_order_acquire);
    if (s == signaled) {
      // An exchange, not a store: it synchronises with every wake() so far, so whatever those
      // wakers published before waking is visible to the caller's next look.
      if (state_.exchange(idle, std::memory_order_acq_rel) == signaled)
        return true;
      continue;
    }
    if (s == idle && !state_.compare_exchange_weak(s, sleeping, std::memory_order_acq_rel))
      continue;
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero())
      return state_.exchange(idle, std::memory_order_acq_rel) == signaled;
    futex_wait(&state_, sleeping, left);
  }
}

} // namespace cafmq
