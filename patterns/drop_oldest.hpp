// full_policy drop_oldest on one peer's send queue: the oldest messages the I/O thread has not
// taken yet make room for the new one, whole messages only, each counted in pipe::dropped.
#pragma once

#include "runtime/core/message.hpp"
#include "runtime/core/pipe.hpp"

#include <cstdint>

namespace cafmq::patterns {

/// Discards the oldest message queued in `p`'s send ring (waiting while the I/O thread is in the
/// middle of taking some, which ends within one batch). False when nothing is queued.
bool discard_oldest(pipe& p) noexcept;

/// Queues `m` for `p` (moving it out), discarding the oldest queued messages until it fits;
/// returns how many were discarded (also added to p.dropped). A ring that was not made
/// discardable (queue_limits::discard_oldest) drops `m` itself instead, counted the same way.
/// Never blocks longer than the I/O thread takes to finish one batch.
uint64_t push_dropping_oldest(pipe& p, message& m) noexcept;

} // namespace cafmq::patterns
