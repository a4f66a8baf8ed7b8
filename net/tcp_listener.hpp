// Accepts TCP connections on a bound endpoint ("tcp://*:port", "tcp://127.0.0.1:*").
#pragma once

#include "net/io_loop.hpp"
#include "net/stream.hpp"
#include "runtime/core/endpoint.hpp"

#include <functional>
#include <memory>
#include <string>

namespace cafmq::net {

/// A bound, listening TCP socket. Handlers run on the I/O thread.
class tcp_listener : public std::enable_shared_from_this<tcp_listener> {
public:
  /// A new connection, or an accept error (with a message) after which accepting goes on.
  using accept_fn = std::function<void(stream_ptr s, const std::string& error)>;

  /// Binds and listens synchronously; throws cafmq::error saying why on failure (address in
  /// use, cannot resolve, not a local address).
  static std::shared_ptr<tcp_listener> open(io_loop& loop, const endpoint& ep);
  ~tcp_listener();

  /// The bound address with the real port ("tcp://127.0.0.1:37015").
  const std::string& bound_endpoint() const noexcept { return bound_; }
  /// Starts accepting; `on_accept` runs on the I/O thread for every connection.
  void start(accept_fn on_accept);
  /// Stops accepting and closes the socket (any thread).
  void close();

  struct impl;
  explicit tcp_listener(std::unique_ptr<impl> p);

private:
  void accept_next();

  std::unique_ptr<impl> impl_;
  std::string bound_;
  accept_fn on_accept_;
};

/// Dials `ep` (resolving DNS names) on the I/O thread; `done` gets the stream or an error
/// message. The returned handle cancels the attempt when called (any thread).
std::function<void()> dial_tcp(io_loop& loop, const endpoint& ep,
                               std::function<void(stream_ptr s, const std::string& error)> done);

} // namespace cafmq::net
