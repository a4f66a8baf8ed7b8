// Private to net/: gives memory back to the system after a wave of disconnects. The allocator
// keeps what closed connections freed (their rings, buffers, engines) for reuse, and so the
// process keeps its peak size; a trim (glibc's malloc_trim) returns the free pages.
//
// Only a real drop in live connections triggers one: the handshaken connections of the process
// fell to half their peak since the last trim, and by at least trim_after. Connections that
// never finished their handshake count nothing (failed or evicted handshakes cost an attacker
// nothing to repeat), and churn at a steady live count never trims. The trim runs on a short-
// lived background thread, one at a time, at most once per trim_interval: never on an I/O loop.
// A drop that goes on while a trim runs is trimmed again when it ends, so what the end of a
// wave frees is returned too.
#pragma once

#include <chrono>
#include <cstddef>

namespace cafmq::net {

/// The fewest connections a drop must lose to trigger a trim.
constexpr size_t trim_after = 32;
/// The shortest time between two trims.
constexpr std::chrono::milliseconds trim_interval{1000};

/// A connection finished its handshake (any thread).
void note_connection_ready() noexcept;
/// A connection that had finished its handshake closed (any thread); true if that started a trim.
bool note_ready_connection_closed() noexcept;

/// Trims done by this process so far (for tests).
size_t memory_trims() noexcept;

} // namespace cafmq::net
