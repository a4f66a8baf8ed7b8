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

/// Formats an Asio endpoint as "tcp://host:port".
std::string format_endpoint(const boost::asio::ip::tcp::endpoint& ep);

} // namespace cafmq::net
