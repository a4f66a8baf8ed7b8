// One raw TCP connection for STREAM sockets (libzmq ZMQ_STREAM): no greeting, no handshake, no
// framing. Each read's bytes become a one-frame message in the pipe's inbound ring; each outbound
// one-frame message is written as its bytes, and an empty one closes the connection once what was
// queued before it is written. Runs on the I/O thread like zmtp_engine.
#pragma once

#include "net/io_loop.hpp"
#include "net/stream.hpp"
#include "net/zmtp_engine.hpp"  // engine_observer
#include "runtime/core/pipe.hpp"

#include <memory>
#include <string>

namespace cafmq::net {

/// A running raw connection. Created on any thread; all work happens on the I/O thread.
/// It pushes an empty message into the inbound ring when it starts (the connect notification) and
/// another when it ends, if the ring has room (the disconnect notification, ZMQ_STREAM_NOTIFY).
/// The observer hears only on_closed: permanent (code local) when the socket closed it.
class raw_engine {
public:
  static std::shared_ptr<raw_engine> start(io_loop& loop, stream_ptr s, pipe_ptr p,
                                           std::shared_ptr<engine_observer> observer);
  virtual ~raw_engine() = default;
  /// Closes the connection (any thread); the observer hears on_closed(end).
  virtual void close(connection_end end) = 0;
  /// A local close (the socket or the session ended it): code local, permanent.
  void close(std::string detail) { close(permanent_end(event_reason::local, std::move(detail))); }
};

} // namespace cafmq::net
