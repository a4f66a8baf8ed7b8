// Resident set size and thread count of this process, for bounded-resource assertions.
#pragma once

#include <cstddef>

namespace cafmq::test {

/// Current RSS in bytes, from /proc/self/statm (0 if unreadable).
size_t resident_bytes();

/// Number of threads of this process, from /proc/self/status (0 if unreadable).
size_t thread_count();

} // namespace cafmq::test
