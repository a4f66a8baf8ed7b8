// TCP bind/listen over Asio: the bind runs on the home loop (names resolve there,
// asynchronously) and reports through a callback; accepting is net/accept_loop.hpp's.
#include "net/tcp_listener.hpp"

#include "net/accept_loop.hpp"
#include "net/cloexec.hpp"
#include "net/tcp_interfaces.hpp"
#include "runtime/core/log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>

#include <optional>

namespace cafmq::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

class tcp_listener final : public accept_loop<tcp> {
public:
  explicit tcp_listener(io_loop& home) : accept_loop(home) {}

  // Opens, binds and listens on `addr`; empty on success, else why not.
  std::optional<bind_failure> open(const endpoint& ep, const tcp::endpoint& addr) {
    boost::system::error_code ec;
    auto fail = [&](const char* step) {
      bool in_use = ec == asio::error::address_in_use;
      return bind_failure{
        in_use ? errc::address_in_use : errc::address_unavailable,
        in_use ? event_reason::address_in_use : event_reason::unreachable,
        "cannot bind " + ep.to_string() + ": " + step + " failed: " + ec.message()};
    };
    acceptor_.open(addr.protocol(), ec);
    if (ec)
      return fail("open");
    keep_from_children(acceptor_.native_handle());
    if (addr.address().is_v6())
      acceptor_.set_option(asio::ip::v6_only(false), ec);
    acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    acceptor_.bind(addr, ec);
    if (ec)
      return fail("bind");
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return fail("listen");
    // What is really bound: tcp://[::]:P for a dual-stack "*", tcp://0.0.0.0:P for IPv4 only.
    auto local = acceptor_.local_endpoint(ec);
    auto host = local.address().to_string();
    bound_ = "tcp://" + (local.address().is_v6() ? "[" + host + "]" : host) + ":"
             + std::to_string(local.port());
    return std::nullopt;
  }

private:
  void prepare(tcp::socket& s) override {
    boost::system::error_code ec;
    s.set_option(tcp::no_delay(true), ec);
  }
};

// Binds `addr` and reports; on the home loop.
void bind_resolved(io_loop& home, const endpoint& ep, const tcp::endpoint& addr,
                   const bind_fn& done) {
  auto l = std::make_shared<tcp_listener>(home);
  if (auto failure = l->open(ep, addr))
    return done(nullptr, *failure);
  done(l, {});
}

// "*": [::] dual-stack when ipv6 is on and the host has IPv6, else 0.0.0.0.
void bind_any(io_loop& home, const endpoint& ep, const bind_fn& done) {
  if (ep.ipv6) {
    auto l = std::make_shared<tcp_listener>(home);
    auto failure = l->open(ep, {tcp::v6(), ep.port});
    if (!failure)
      return done(l, {});
    if (failure->code == errc::address_in_use)
      return done(nullptr, *failure);
    log::write(log::level::info, "tcp",
               ep.to_string() + ": no IPv6 here (" + failure->detail + "), binding IPv4 only");
  }
  bind_resolved(home, ep, {tcp::v4(), ep.port}, done);
}

bind_failure unusable(const endpoint& ep, const std::string& why) {
  return {errc::address_unavailable, event_reason::unreachable,
          "cannot bind " + ep.to_string() + ": " + why};
}

bind_failure internal_failure(const endpoint& ep, const connection_end& end) {
  return {errc::internal, event_reason::internal,
          "cannot bind " + ep.to_string() + ": " + end.detail};
}

// A name that is neither "*", an interface nor an address: resolved on the home loop.
void bind_name(io_loop& home, const endpoint& ep, const bind_fn& done) {
  auto resolver = std::make_shared<tcp::resolver>(context_of(home));
  auto on_resolved = [&home, ep, done, resolver](boost::system::error_code rec,
                                                 const tcp::resolver::results_type& results) {
    guarded(
      "a bind",
      [&] {
        if (rec || results.empty())
          return done(nullptr,
                      unusable(ep, "'" + ep.host + "' is neither a network interface (there are: "
                                     + interface_names() + ") nor a name that resolves"
                                     + (rec ? " (" + rec.message() + ")" : std::string())));
        bind_resolved(home, ep, results.begin()->endpoint(), done);
      },
      [&](const connection_end& end) { done(nullptr, internal_failure(ep, end)); });
  };
  auto port = std::to_string(ep.port);
  if (ep.ipv6)
    resolver->async_resolve(ep.host, port, std::move(on_resolved));
  else
    resolver->async_resolve(tcp::v4(), ep.host, port, std::move(on_resolved));
}

// Interface names win over host names (as in libzmq), then addresses, then names.
void bind_host(io_loop& home, const endpoint& ep, const bind_fn& done) {
  if (ep.host == "*")
    return bind_any(home, ep, done);
  if (auto nic = interface_address(ep.host, ep.ipv6))
    return bind_resolved(home, ep, {*nic, ep.port}, done);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(ep.host, ec);
  if (ec)
    return bind_name(home, ep, done);
  if (addr.is_v6() && !ep.ipv6)
    return done(nullptr, unusable(ep, "an IPv6 address with the ipv6 option off"));
  bind_resolved(home, ep, {addr, ep.port}, done);
}

} // namespace

void bind_tcp(io_loop& home, const endpoint& ep, bind_fn done) {
  asio::post(context_of(home), [&home, ep, done = std::move(done)] {
    guarded(
      "a bind", [&] { bind_host(home, ep, done); },
      [&](const connection_end& end) { done(nullptr, internal_failure(ep, end)); });
  });
}

} // namespace cafmq::net
