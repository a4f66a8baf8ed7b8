// Endpoint names of TCP streams.
#include "net/tcp_stream.hpp"

namespace cafmq::net {

std::string format_endpoint(const boost::asio::ip::tcp::endpoint& ep) {
  auto addr = ep.address();
  auto host = addr.to_string();
  if (addr.is_v6())
    host = "[" + host + "]";
  return "tcp://" + host + ":" + std::to_string(ep.port());
}

std::string remote_name(const stream& s) {
  boost::system::error_code ec;
  auto ep = s.socket.remote_endpoint(ec);
  return ec ? std::string("tcp://?") : format_endpoint(ep);
}

std::string local_name(const stream& s) {
  boost::system::error_code ec;
  auto ep = s.socket.local_endpoint(ec);
  return ec ? std::string("tcp://?") : format_endpoint(ep);
}

} // namespace cafmq::net
