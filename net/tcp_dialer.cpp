// TCP dial over Asio: resolve, then connect to each address in turn, on the loop the connection
// will live on. Failures carry their code from where they happen: a name that does not resolve
// is unreachable, an OS error maps by its errno value (refused, unreachable, timeout...).
#include "net/tcp_listener.hpp"
#include "net/tcp_stream.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

namespace cafmq::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

struct dial_state {
  // A dial in progress counts as a connection of its loop, so dials started together spread.
  dial_state(io_loop& l, std::string n, dial_fn fn)
    : loop(l), resolver(ctx()), socket(ctx()), name(std::move(n)), done(std::move(fn)) {
    loop.count_connection(true);
  }
  ~dial_state() { loop.count_connection(false); }
  dial_state(const dial_state&) = delete;
  dial_state& operator=(const dial_state&) = delete;
  asio::io_context& ctx() { return *static_cast<asio::io_context*>(loop.native()); }

  // Reports once; never after a cancel.
  void finish(stream_ptr s, const connection_end& end) {
    if (!done)
      return;
    auto fn = std::move(done);
    done = nullptr;
    fn(std::move(s), end);
  }

  io_loop& loop;
  tcp::resolver resolver;
  tcp::socket socket;
  std::string name;
  dial_fn done; // null once reported or cancelled
};

using dial_state_ptr = std::shared_ptr<dial_state>;

void on_connected(const dial_state_ptr& st, boost::system::error_code ec) {
  if (!st->done)
    return;
  if (ec)
    return st->finish(nullptr, os_end(os_error(ec), "connect to " + st->name + " failed"));
  st->socket.set_option(tcp::no_delay(true), ec);
  st->finish(std::make_shared<stream>(std::move(st->socket), st->loop), {});
}

void on_resolved(const dial_state_ptr& st, boost::system::error_code ec,
                 const tcp::resolver::results_type& results) {
  if (!st->done)
    return;
  if (ec) // a name that does not resolve: nobody to reach there
    return st->finish(nullptr, transient_end(event_reason::unreachable,
                                             "cannot resolve " + st->name + ": " + ec.message()));
  asio::async_connect(st->socket, results,
                      [st](boost::system::error_code ec2, const tcp::endpoint&) {
                        guarded(
                          "a dial handler", [&] { on_connected(st, ec2); },
                          [&](const connection_end& end) { st->finish(nullptr, end); });
                      });
}

} // namespace

cancel_fn dial_tcp(io_loop& home, const endpoint& ep, dial_fn done) {
  auto st =
    std::make_shared<dial_state>(home.pick_for_connection(), ep.to_string(), std::move(done));
  asio::post(st->ctx(), [st, host = ep.host, port = std::to_string(ep.port)] {
    guarded(
      "a dial",
      [&] {
        if (!st->done)
          return;
        st->resolver.async_resolve(
          host, port,
          [st](boost::system::error_code ec, const tcp::resolver::results_type& results) {
            guarded(
              "a dial handler", [&] { on_resolved(st, ec, results); },
              [&](const connection_end& end) { st->finish(nullptr, end); });
          });
      },
      [&](const connection_end& end) { st->finish(nullptr, end); });
  });
  return [st] {
    asio::post(st->ctx(), [st] {
      st->done = nullptr;
      boost::system::error_code ec;
      st->resolver.cancel();
      st->socket.close(ec);
    });
  };
}

} // namespace cafmq::net
