// Asymmetric fences for the rings' sleep/wake handshake (a Dekker pattern: one side publishes and
// then checks the other's "sleeping" flag; the other sets its flag and then re-checks).
//
// The publishing side runs per message, the sleeping side only before a thread blocks. So the hot
// side orders its store before its load with a compiler barrier alone, and the cold side makes
// every thread of the process pass a full barrier with membarrier(2) (Linux 4.14+). Where
// membarrier is unavailable (old kernels, seccomp filters), both sides use full fences.
#pragma once

#include <atomic>

namespace cafmq::fence {

namespace detail {
extern std::atomic<bool> asymmetric;
} // namespace detail

/// Registers the process for membarrier once; called before the first ring exists.
void init() noexcept;

/// True when light() is a compiler barrier (membarrier is registered).
inline bool is_asymmetric() noexcept {
  return detail::asymmetric.load(std::memory_order_relaxed);
}

/// The hot side: orders earlier stores before later loads, given that the other side uses heavy().
inline void light() noexcept {
  if (is_asymmetric())
    std::atomic_signal_fence(std::memory_order_seq_cst);
  else
    std::atomic_thread_fence(std::memory_order_seq_cst);
}

/// The cold side: a full barrier on every thread of the process.
void heavy() noexcept;

} // namespace cafmq::fence
