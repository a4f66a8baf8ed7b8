// A socket's memory budget for what its sends have queued (socket_options::sndbudget_bytes): the
// bytes waiting in all of its send rings. Every send ring of a socket has the same writer (the
// user thread), so the count is a plain integer: no atomic, no lock, nothing shared per message.
#pragma once

#include <cstddef>

namespace cafmq {

/// Bytes queued in a socket's send rings (user thread only).
struct byte_budget {
  size_t limit = 0;  ///< 0: no budget
  /// Bytes pushed minus bytes the rings have seen read. Only grows between refreshes of the rings'
  /// reader positions, so it may overstate; a socket at the limit recounts it exactly (recount()).
  size_t used = 0;

  /// True when a budget is set and reached (by the possibly stale count).
  bool exhausted() const noexcept { return limit != 0 && used >= limit; }
};

} // namespace cafmq
