// A socket's memory budget for what its sends have queued (socket_options::sndbudget_bytes): the
// bytes waiting in all of its send rings. The count is charged by the rings' pushes and credited
// when a ring learns of reads (a relaxed atomic add per message, on a line only the socket's
// writers touch). The receive budget (recv_budget.hpp) shares it between I/O threads.
#pragma once

#include <atomic>
#include <cstddef>

namespace cafmq {

/// Bytes queued in a socket's send (or receive) rings.
struct byte_budget {
  size_t limit = 0;  ///< 0: no budget
  /// Bytes pushed minus bytes the rings have seen read. Only grows between refreshes of the rings'
  /// reader positions, so it may overstate; a socket at the limit recounts it exactly.
  std::atomic<size_t> used{0};

  /// True when a budget is set and reached (by the possibly stale count).
  bool exhausted() const noexcept { return limit != 0 && used.load(std::memory_order_relaxed) >= limit; }
};

} // namespace cafmq
