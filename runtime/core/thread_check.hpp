// Detects a socket used from two threads at once (docs/threading-and-networking.md, "Which
// calls are safe from which threads"). Compiled in with CAFMQ_THREAD_CHECKS (Debug, test and
// sanitizer builds); otherwise an empty object the optimiser removes.
#pragma once

#include "error.hpp"

#include <atomic>
#include <cstdint>
#include <string>

namespace cafmq {

/// One per socket. Each of the socket's calls holds a scope for its duration; a second thread
/// entering while another holds one gets errc::concurrent_use. The acquire/release pair also
/// tells ThreadSanitizer that calls made in turn from different threads (an actor's socket
/// served by different scheduler threads) are ordered.
class thread_check {
public:
  class scope {
  public:
#ifdef CAFMQ_THREAD_CHECKS
    scope(thread_check& check, const char* call) : check_(check), owner_(check.enter(call)) {}
    ~scope() {
      if (owner_)
        check_.owner_.store(0, std::memory_order_release);
    }
#else
    scope(thread_check&, const char*) noexcept {}
#endif
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;

#ifdef CAFMQ_THREAD_CHECKS
  private:
    thread_check& check_;
    bool owner_;  // false for a call nested in another on the same thread
#endif
  };

private:
#ifdef CAFMQ_THREAD_CHECKS
  // The calling thread's token (the address of a thread_local: never 0, unique while it runs).
  static uintptr_t token() noexcept {
    thread_local char tag;
    return reinterpret_cast<uintptr_t>(&tag);
  }
  bool enter(const char* call) {
    uintptr_t me = token();
    uintptr_t expected = 0;
    if (owner_.compare_exchange_strong(expected, me, std::memory_order_acquire))
      return true;
    if (expected == me)
      return false;
    throw error{errc::concurrent_use,
                std::string("socket::") + call + " was called while another thread was inside a "
                  "call on the same socket: a socket is used by one thread at a time (see "
                  "docs/threading-and-networking.md)"};
  }
  std::atomic<uintptr_t> owner_{0};
#endif
};

} // namespace cafmq
