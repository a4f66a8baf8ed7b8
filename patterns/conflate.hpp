// ZMQ_CONFLATE on the receive side: a receive returns only the newest message that has arrived,
// and the older ones still queued are dropped. cafmq conflates whole messages (a multipart
// message is kept or dropped as one unit), where libzmq says it does not support multipart.
#pragma once

#include "runtime/core/message.hpp"
#include "runtime/core/spsc_ring.hpp"

#include <algorithm>

namespace cafmq::patterns {

/// Drains what `ring` holds now and moves the newest message into `out` (reader side only).
/// False, leaving `out` untouched, when the ring is empty. Bounded: messages published while it
/// runs are left for the next call.
inline bool take_newest(spsc_ring& ring, message& out) {
  // size() is a snapshot that can be short (the reader may take a message as soon as its slot is
  // published, before the writer moves tail_). So it only bounds the loop, clamped to the HWM
  // as a second guard, and each pop checks for a message itself.
  size_t queued = std::min(ring.size(), ring.hwm());
  if (!ring.try_pop(out))
    return false;  // also refreshes the writer-wake bookkeeping like any empty read
  for (size_t i = 1; i < queued && ring.try_pop(out); ++i) {
  }
  return true;
}

} // namespace cafmq::patterns
