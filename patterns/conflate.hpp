// ZMQ_CONFLATE on the receive side: a receive returns only the newest message that has arrived,
// and the older ones still queued are dropped. cafmq conflates whole messages (a multipart
// message is kept or dropped as one unit), where libzmq says it does not support multipart.
#pragma once

#include "runtime/core/message.hpp"
#include "runtime/core/spsc_ring.hpp"

namespace cafmq::patterns {

/// Drains what `ring` holds now and moves the newest message into `out` (reader side only).
/// False, leaving `out` untouched, when the ring is empty. Bounded: messages published while it
/// runs are left for the next call.
inline bool take_newest(spsc_ring& ring, message& out) {
  size_t queued = ring.size();
  if (queued == 0)
    return ring.try_pop(out);  // refreshes the writer-wake bookkeeping like any empty read
  for (size_t i = 1; i < queued; ++i)
    ring.pop_front();  // older than what follows: dropped unread
  return ring.try_pop(out);
}

} // namespace cafmq::patterns
