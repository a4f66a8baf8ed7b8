// Endpoint names and socket options of TCP streams.
#include "net/tcp_stream.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace cafmq::net {

std::string address_text(const boost::asio::ip::address& addr) {
  if (addr.is_v6() && addr.to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, addr.to_v6()).to_string();
  return addr.to_string();
}

std::string format_endpoint(const boost::asio::ip::tcp::endpoint& ep) {
  auto host = address_text(ep.address());
  if (host.find(':') != std::string::npos)
    host = "[" + host + "]";
  return "tcp://" + host + ":" + std::to_string(ep.port());
}

io_loop& loop_of(const stream& s) noexcept {
  return s.loop();
}

std::error_code os_error(const boost::system::error_code& ec) {
  if (ec.category() == boost::system::system_category())
    return {ec.value(), std::system_category()};
  if (ec.category() == boost::system::generic_category())
    return {ec.value(), std::generic_category()};
  return static_cast<std::error_code>(ec);  // Boost's own wrapper: reason_of() says io
}

namespace {

// A generic endpoint of the IPv4 or IPv6 family as a tcp endpoint.
std::optional<boost::asio::ip::tcp::endpoint>
tcp_endpoint_of(const boost::asio::generic::stream_protocol::endpoint& ep) {
  boost::asio::ip::tcp::endpoint out;
  if (ep.size() > out.capacity())
    return std::nullopt;
  std::memcpy(out.data(), ep.data(), ep.size());
  out.resize(ep.size());
  return out;
}

template <typename Get>
std::string name_of(const stream& s, Get get) {
  if (!s.ipc_name().empty())
    return s.ipc_name();
  boost::system::error_code ec;
  auto ep = get(ec);
  auto tcp_ep = ec ? std::nullopt : tcp_endpoint_of(ep);
  return tcp_ep ? format_endpoint(*tcp_ep) : std::string("tcp://?");
}

} // namespace

std::string remote_name(const stream& s) {
  return name_of(s, [&](boost::system::error_code& ec) { return s.socket.remote_endpoint(ec); });
}

std::string local_name(const stream& s) {
  return name_of(s, [&](boost::system::error_code& ec) { return s.socket.local_endpoint(ec); });
}

std::optional<process_credentials> stream::read_peer_process(int fd) {
  ucred cred{};
  socklen_t size = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &size) != 0)
    return std::nullopt;
  return process_credentials{cred.uid, cred.gid, cred.pid};
}

std::optional<process_credentials> peer_process(const stream& s) {
  return s.peer();
}

std::string peer_address(const stream& s) {
  if (s.ipc_name().empty()) {
    boost::system::error_code ec;
    auto ep = s.socket.remote_endpoint(ec);
    auto tcp_ep = ec ? std::nullopt : tcp_endpoint_of(ep);
    return tcp_ep ? address_text(tcp_ep->address()) : std::string();
  }
  // As libzmq: getnameinfo(NI_NUMERICHOST) names a local peer "localhost", then SO_PEERCRED.
  std::string out = "localhost";
  if (auto p = peer_process(s))
    out += ":" + std::to_string(p->uid) + ":" + std::to_string(p->gid) + ":"
           + std::to_string(p->pid);
  return out;
}

namespace {

std::string set_int(int fd, int level, int name, int value, const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof value) == 0)
    return {};
  return std::string("setting ") + what + " = " + std::to_string(value)
         + " failed: " + std::strerror(errno);
}

} // namespace

std::string apply_tcp_keepalive(int fd, const tcp_keepalive& ka) {
  // As libzmq: -1 keeps the OS default; the tuning values apply only when keepalive is on.
  if (ka.enable == -1)
    return {};
  if (auto e = set_int(fd, SOL_SOCKET, SO_KEEPALIVE, ka.enable, "SO_KEEPALIVE"); !e.empty())
    return e;
  if (ka.enable != 1)
    return {};
  const struct {
    int value;
    int name;
    const char* what;
  } tuning[] = {{ka.idle, TCP_KEEPIDLE, "TCP_KEEPIDLE"},
                {ka.cnt, TCP_KEEPCNT, "TCP_KEEPCNT"},
                {ka.intvl, TCP_KEEPINTVL, "TCP_KEEPINTVL"}};
  for (auto& t : tuning)
    if (t.value != -1)
      if (auto e = set_int(fd, IPPROTO_TCP, t.name, t.value, t.what); !e.empty())
        return e;
  return {};
}

int native_descriptor(stream& s) noexcept {
  return s.socket.native_handle();
}

size_t unread_bytes(int fd) noexcept {
  int n = 0;
  if (fd < 0 || ::ioctl(fd, FIONREAD, &n) != 0 || n < 0)
    return 0;
  return static_cast<size_t>(n);
}

std::string apply_tcp_keepalive(stream& s, const tcp_keepalive& ka) {
  return apply_tcp_keepalive(s.socket.native_handle(), ka);
}

} // namespace cafmq::net
