// TCP bind/listen/accept over Asio. The bind runs on the home loop (names resolve there,
// asynchronously) and reports through a callback; each accepted connection moves to the loop
// io_loop::pick_for_connection chooses.
#include "net/tcp_listener.hpp"

#include "net/cloexec.hpp"
#include "net/tcp_interfaces.hpp"
#include "net/tcp_stream.hpp"
#include "runtime/core/log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>

#include <optional>

#include <unistd.h>

namespace cafmq::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

asio::io_context& ctx_of(io_loop& loop) {
  return *static_cast<asio::io_context*>(loop.native());
}

class tcp_listener final : public listener, public std::enable_shared_from_this<tcp_listener> {
public:
  explicit tcp_listener(io_loop& home) : home_(home), acceptor_(ctx_of(home)) {}

  const std::string& bound_endpoint() const noexcept override { return bound_; }

  void start(accept_fn on_accept) override {
    auto self = shared_from_this();
    asio::post(acceptor_.get_executor(), [self, fn = std::move(on_accept)]() mutable {
      self->on_accept_ = std::move(fn);
      self->accept_next();
    });
  }

  void close() override {
    close_then(nullptr);
  }

  void close_then(std::function<void()> closed) override {
    auto self = shared_from_this();
    asio::post(acceptor_.get_executor(), [self, closed = std::move(closed)] {
      boost::system::error_code ec;
      self->acceptor_.close(ec);
      self->on_accept_ = nullptr;
      if (closed)
        closed();
    });
  }

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
  void accept_next() {
    auto self = shared_from_this();
    acceptor_.async_accept([self](boost::system::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !self->acceptor_.is_open() || !self->on_accept_)
        return;
      guarded(
        "an accept handler", [&] { self->deliver(ec, std::move(s)); },
        [&](const connection_end& end) { self->on_accept_(nullptr, end); });
      self->accept_next();
    });
  }

  void deliver(boost::system::error_code ec, tcp::socket s) {
    if (ec)
      return on_accept_(nullptr, os_end(os_error(ec), "accept on " + bound_ + " failed"));
    s.set_option(tcp::no_delay(true), ec);
    // The loop is picked now, with every earlier connection counted, so connections accepted
    // one after another spread evenly (picking when the accept starts would not see them).
    auto& target = home_.pick_for_connection();
    if (&target == &home_)
      return on_accept_(std::make_shared<stream>(std::move(s), home_), {});
    // The connection's stream is made on its own loop, so everything about it happens there
    // (and the handoff is a post, which ThreadSanitizer sees, unlike CAF's uninstrumented
    // mailboxes).
    // Until the stream exists (and counts itself) the target counts the connection as reserved,
    // so the next accept, which may come before the post runs, sees it.
    auto reserved = std::make_shared<connection_reservation>(target);
    auto protocol = s.local_endpoint().protocol();
    auto fd = s.release();  // no operation pending: nothing to cancel
    asio::post(ctx_of(target), [fn = on_accept_, where = bound_, protocol, fd, &target, reserved] {
      guarded(
        "an accept handler", [&] { adopt(fn, where, protocol, fd, target); },
        [&](const connection_end& end) { fn(nullptr, end); });
    });
  }

  // A connection counted on `loop` while it lives: from the pick until the stream counts itself.
  struct connection_reservation {
    explicit connection_reservation(io_loop& l) : loop(l) { loop.count_connection(true); }
    ~connection_reservation() { loop.count_connection(false); }
    connection_reservation(const connection_reservation&) = delete;
    connection_reservation& operator=(const connection_reservation&) = delete;
    io_loop& loop;
  };

  // On `target`'s thread: wraps the accepted descriptor and hands the stream over.
  static void adopt(const accept_fn& fn, const std::string& where, tcp protocol,
                    tcp::socket::native_handle_type fd, io_loop& target) {
    tcp::socket moved{ctx_of(target)};
    boost::system::error_code ec;
    moved.assign(protocol, fd, ec);
    if (ec) {
      ::close(fd);
      return fn(nullptr, os_end(os_error(ec), "accept on " + where + " failed"));
    }
    fn(std::make_shared<stream>(std::move(moved), target), {});
  }

  io_loop& home_;
  tcp::acceptor acceptor_;
  std::string bound_;
  accept_fn on_accept_;
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
  auto resolver = std::make_shared<tcp::resolver>(ctx_of(home));
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
  asio::post(ctx_of(home), [&home, ep, done = std::move(done)] {
    guarded(
      "a bind", [&] { bind_host(home, ep, done); },
      [&](const connection_end& end) { done(nullptr, internal_failure(ep, end)); });
  });
}

} // namespace cafmq::net
