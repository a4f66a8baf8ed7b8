// A connected byte stream (TCP now; IPC later) handed from a listener or dialer to an engine.
// Opaque outside net/: the actors pass it along without seeing Asio.
#pragma once

#include <memory>
#include <string>

namespace cafmq::net {

class stream;  // defined in net/tcp_stream.hpp, private to net/
using stream_ptr = std::shared_ptr<stream>;

/// "tcp://a.b.c.d:port" of the remote side, for logs and events.
std::string remote_name(const stream& s);
/// "tcp://a.b.c.d:port" of the local side.
std::string local_name(const stream& s);

} // namespace cafmq::net
