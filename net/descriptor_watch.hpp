// Where accept loops paused for want of descriptors wait for one to be freed: a connection that
// closes (io_loop::count_connection(false)) wakes them, so accepting resumes as soon as it can
// instead of at the end of its back-off. The descriptor limit is the process's, so the watch is too.
#pragma once

#include <cstdint>
#include <functional>

namespace cafmq::net::descriptor_watch {

/// Calls `wake` once, on the thread that frees the next descriptor, unless cancelled first. It
/// must be quick and must not throw (post to the waiter's own loop). Returns an id for cancel.
uint64_t wait(std::function<void()> wake);
/// Forgets the waiter `id` (unknown or woken ids are ignored). Any thread.
void cancel(uint64_t id) noexcept;
/// A connection closed: bumps generation(), then wakes every waiter. Any thread; an atomic
/// increment and one load when none waits.
void freed() noexcept;
/// How many times freed() has been called. A waiter takes it before the attempt that failed and
/// compares it after wait(): a change means a descriptor was freed in between, which wait() would
/// not see (the pair is ordered: either freed() sees the waiter, or the waiter sees the change).
uint64_t generation() noexcept;

} // namespace cafmq::net::descriptor_watch
