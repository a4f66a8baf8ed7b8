// REQ/REP round trips over TCP for the latency benchmarks: echo servers (libzmq, cafmq) and the
// clients that time them. Each function runs in its own process (bench::fork_and_measure).
#pragma once

#include <cstddef>
#include <string>

namespace bench {

/// Round trips a client makes before it starts the clock.
constexpr size_t round_trip_warm_up = 1000;

/// A libzmq REP bound to `endpoint` echoing `count` + warm-up requests of up to `size` bytes.
/// Returns 1 (fork_and_measure's "ok"); throws on failure.
double zmq_echo(const std::string& endpoint, size_t size, size_t count);
/// The same with a cafmq REP (the blocking face).
double cafmq_echo(const std::string& endpoint, size_t count);

/// Microseconds per round trip of a libzmq REQ connected to `endpoint` (after the warm-up).
double zmq_round_trips(const std::string& endpoint, size_t size, size_t count);
/// The same with a cafmq REQ and the blocking face (send, then recv).
double cafmq_round_trips(const std::string& endpoint, size_t size, size_t count);

} // namespace bench
