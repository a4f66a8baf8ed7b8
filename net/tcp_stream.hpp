// Private to net/: the Asio socket behind a stream.
#pragma once

#include "net/stream.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace cafmq::net {

class stream {
public:
  explicit stream(boost::asio::ip::tcp::socket s) : socket(std::move(s)) {}
  boost::asio::ip::tcp::socket socket;
};

/// Completion condition for asio::async_write: everything, in as few system calls as the
/// kernel allows. asio::transfer_all caps each write at 64 KiB (default_max_transfer_size), so a
/// 256 KiB batch of large messages cost at least four sendmsg calls, and a tail of a few bytes
/// split off at each 64 KiB boundary cost one more.
struct transfer_all_at_once {
  size_t operator()(const boost::system::error_code& ec, size_t /*transferred*/) const noexcept {
    return ec ? 0 : max_write;
  }
  static constexpr size_t max_write = size_t{1} << 30;
};

/// Formats an Asio endpoint as "tcp://host:port".
std::string format_endpoint(const boost::asio::ip::tcp::endpoint& ep);

} // namespace cafmq::net
