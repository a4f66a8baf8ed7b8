// What a socket can do without blocking, as a poller and the readiness descriptor report it.
#pragma once

namespace cafmq {

/// A set of readiness flags (libzmq's ZMQ_POLLIN / ZMQ_POLLOUT).
using poll_flags = unsigned;
/// recv() with a zero timeout returns a message.
inline constexpr poll_flags poll_in = 1;
/// send() with a zero timeout queues a message (a send the pattern drops counts as queued).
inline constexpr poll_flags poll_out = 2;

} // namespace cafmq
