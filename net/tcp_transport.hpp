// The tcp:// entry of the transport table.
#pragma once

#include "net/transport.hpp"

namespace cafmq::net {

/// tcp://host:port over Asio (net/tcp_listener.hpp).
extern const transport tcp_transport;

} // namespace cafmq::net
