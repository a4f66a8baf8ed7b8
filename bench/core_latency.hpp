// The platform's core-to-core latency, printed beside the figures: on a VM it can change at run
// time (docs/benchmarks.md, "the two modes"), and a small message's cost moves with it.
#pragma once

namespace bench {

/// Nanoseconds for a cache line to go from CPU 0 to CPU 1 and back (two pinned threads bouncing
/// one atomic; the best of three short rounds), or a negative value if the two cannot be pinned.
double core_round_trip_ns();

} // namespace bench
