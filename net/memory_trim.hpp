// Private to net/: gives memory back to the system after a wave of disconnects. The allocator
// keeps what closed connections freed (their rings, buffers, engines) for reuse, and so the
// process keeps its peak size; a trim (glibc's malloc_trim) returns the free pages. Trims run on
// an I/O thread, at most once per trim_interval, and only after trim_after connections have
// closed since the last one: a steady trickle of closes costs nothing, a wave is followed by
// one trim about trim_interval after its first close (and another for the rest of a long wave).
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>

namespace cafmq::net {

/// Closes counted before a trim is scheduled.
constexpr size_t trim_after = 32;
/// From the close that completes trim_after to the trim.
constexpr std::chrono::milliseconds trim_interval{1000};

/// A connection on `ctx`'s I/O thread closed (that thread).
void note_connection_closed(boost::asio::io_context& ctx);

/// Trims done by this process so far (for tests).
size_t memory_trims() noexcept;

} // namespace cafmq::net
