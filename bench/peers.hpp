// The three implementations a throughput benchmark compares, each as a sender and a receiver of
// `count` messages of `size` bytes over TCP on loopback.
#pragma once

#include <cstddef>
#include <string>

namespace bench {

/// Which stack moves the bytes.
enum class impl { cafmq, libzmq, raw_tcp };

/// Name for the report.
const char* name(impl which);

/// From now on, cafmq and libzmq peers speak CURVE (the receiver is the server; libzmq's test
/// keys, no authenticator), so their encryption costs are compared. Raw TCP stays plain.
void use_curve(bool on);

/// Binds `endpoint`, receives `count` messages, returns seconds from the first to the last.
double receive(impl which, const std::string& endpoint, size_t size, size_t count);
/// Connects to `endpoint` and sends `count` messages of `size` bytes, then lingers until sent.
void send(impl which, const std::string& endpoint, size_t size, size_t count);

} // namespace bench
