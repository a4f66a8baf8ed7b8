// Local TCP ports for tests that need a port number before anything listens on it (connect
// before bind, reconnect, CLI --bind). Ports come from below the kernel's ephemeral range, so an
// outgoing connection can never be given the same port and connect to itself.
#pragma once

#include <cstdint>
#include <string>

namespace cafmq::test {

/// A port on 127.0.0.1 that nothing listens on right now (checked by binding it once), chosen
/// at random below the ephemeral range. Throws std::runtime_error if none is found.
uint16_t free_tcp_port();

/// "tcp://127.0.0.1:<port>".
std::string local_endpoint(uint16_t port);

/// The port of an endpoint string such as "tcp://127.0.0.1:41234" (0 if none).
uint16_t port_of(const std::string& endpoint);

/// Upper bound in bytes of what the kernel may buffer on one loopback TCP connection (the
/// maxima of tcp_wmem plus tcp_rmem), for bounds on how much a blocked sender can hand off.
size_t max_tcp_buffering();

} // namespace cafmq::test
