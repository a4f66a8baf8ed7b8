// Descriptors for tests that open many connections in one process (both ends of each live here).
#pragma once

#include <cstddef>

namespace cafmq::test {

/// Raises RLIMIT_NOFILE to its hard limit, then says how many connections this process can hold
/// next to the server's side of each: `wanted`, or fewer under a low limit.
size_t affordable_connections(size_t wanted);

} // namespace cafmq::test
