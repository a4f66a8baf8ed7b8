// ZMQ_PROBE_ROUTER: an empty one-frame message sent to a new peer first, so a ROUTER on the other
// side learns our routing id before we say anything.
#pragma once

#include "runtime/core/pipe.hpp"

namespace cafmq::patterns {

/// Queues the probe on `p` (skipped if its ring is full: the peer then hears from us anyway).
inline void send_probe(pipe& p) {
  message probe{frame{}};
  if (p.outbound().try_push(probe))
    p.outbound().flush();
}

} // namespace cafmq::patterns
