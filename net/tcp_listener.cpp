// TCP bind/listen/accept and dial over Asio. Bind errors are reported synchronously so that
// socket::bind can throw with the reason.
#include "net/tcp_listener.hpp"

#include "net/tcp_stream.hpp"
#include "runtime/core/error.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>

namespace cafmq::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

asio::io_context& ctx_of(io_loop& loop) {
  return *static_cast<asio::io_context*>(loop.native());
}

tcp::endpoint resolve_bind(asio::io_context& ctx, const endpoint& ep) {
  if (ep.host == "*")
    return {tcp::v6(), ep.port};  // dual-stack: also accepts IPv4
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(ep.host, ec);
  if (!ec)
    return {addr, ep.port};
  tcp::resolver resolver{ctx};
  auto results = resolver.resolve(ep.host, std::to_string(ep.port), ec);
  if (ec || results.empty())
    throw error{errc::address_unavailable,
                "cannot bind " + ep.to_string() + ": cannot resolve '" + ep.host + "'"};
  return results.begin()->endpoint();
}

} // namespace

struct tcp_listener::impl {
  explicit impl(asio::io_context& ctx) : acceptor(ctx) {}
  tcp::acceptor acceptor;
};

tcp_listener::tcp_listener(std::unique_ptr<impl> p) : impl_(std::move(p)) {
}

tcp_listener::~tcp_listener() = default;

std::shared_ptr<tcp_listener> tcp_listener::open(io_loop& loop, const endpoint& ep) {
  auto& ctx = ctx_of(loop);
  auto addr = resolve_bind(ctx, ep);
  auto p = std::make_unique<impl>(ctx);
  boost::system::error_code ec;
  auto fail = [&](const char* step) {
    auto code = ec == asio::error::address_in_use ? errc::address_in_use
                                                  : errc::address_unavailable;
    throw error{code, "cannot bind " + ep.to_string() + ": " + step + " failed: " + ec.message()};
  };
  p->acceptor.open(addr.protocol(), ec);
  if (ec)
    fail("open");
  if (addr.address().is_v6())
    p->acceptor.set_option(asio::ip::v6_only(false), ec);
  p->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  p->acceptor.bind(addr, ec);
  if (ec)
    fail("bind");
  p->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    fail("listen");
  auto result = std::make_shared<tcp_listener>(std::move(p));
  auto local = result->impl_->acceptor.local_endpoint(ec);
  std::string host = ep.host == "*" ? "0.0.0.0" : local.address().to_string();
  if (local.address().is_v6() && ep.host != "*")
    host = "[" + host + "]";
  result->bound_ = "tcp://" + host + ":" + std::to_string(local.port());
  return result;
}

void tcp_listener::start(accept_fn on_accept) {
  auto self = shared_from_this();
  asio::post(impl_->acceptor.get_executor(), [self, fn = std::move(on_accept)]() mutable {
    self->on_accept_ = std::move(fn);
    self->accept_next();
  });
}

void tcp_listener::accept_next() {
  auto self = shared_from_this();
  impl_->acceptor.async_accept([self](boost::system::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || !self->impl_->acceptor.is_open())
      return;
    if (ec) {
      self->on_accept_(nullptr, ec.message());
    } else {
      s.set_option(tcp::no_delay(true), ec);
      self->on_accept_(std::make_shared<stream>(std::move(s)), {});
    }
    self->accept_next();
  });
}

void tcp_listener::close() {
  auto self = shared_from_this();
  asio::post(impl_->acceptor.get_executor(), [self] {
    boost::system::error_code ec;
    self->impl_->acceptor.close(ec);
    self->on_accept_ = nullptr;
  });
}

namespace {

struct dial_state {
  dial_state(asio::io_context& ctx) : resolver(ctx), socket(ctx) {}
  tcp::resolver resolver;
  tcp::socket socket;
  bool cancelled = false;
  std::function<void(stream_ptr, const std::string&)> done;
};

} // namespace

std::function<void()> dial_tcp(io_loop& loop, const endpoint& ep,
                               std::function<void(stream_ptr, const std::string&)> done) {
  auto& ctx = ctx_of(loop);
  auto st = std::make_shared<dial_state>(ctx);
  st->done = std::move(done);
  auto finish = [st](stream_ptr s, const std::string& err) {
    if (st->cancelled)
      return;
    st->cancelled = true;
    auto fn = std::move(st->done);
    fn(std::move(s), err);
  };
  auto name = ep.to_string();
  st->resolver.async_resolve(
    ep.host, std::to_string(ep.port),
    [st, finish, name](boost::system::error_code ec, const tcp::resolver::results_type& results) {
      if (st->cancelled)
        return;
      if (ec)
        return finish(nullptr, "cannot resolve " + name + ": " + ec.message());
      asio::async_connect(st->socket, results,
                          [st, finish, name](boost::system::error_code ec2, const tcp::endpoint&) {
                            if (ec2)
                              return finish(nullptr, "connect to " + name + " failed: "
                                                       + ec2.message());
                            st->socket.set_option(tcp::no_delay(true), ec2);
                            finish(std::make_shared<stream>(std::move(st->socket)), {});
                          });
    });
  return [st, &ctx] {
    asio::post(ctx, [st] {
      st->cancelled = true;
      st->done = nullptr;
      boost::system::error_code ec;
      st->resolver.cancel();
      st->socket.close(ec);
    });
  };
}

} // namespace cafmq::net
