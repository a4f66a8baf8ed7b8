// ipc:// connect over Asio's local stream sockets, on the loop the connection will live on. A
// path nobody listens on fails as the OS says (ENOENT, ECONNREFUSED), and the connector retries
// per the reconnect policy, as libzmq.
#include "net/cloexec.hpp"
#include "net/ipc_path.hpp"
#include "net/ipc_transport.hpp"
#include "net/tcp_listener.hpp"
#include "net/tcp_stream.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>

namespace cafmq::net {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

namespace {

struct ipc_dial_state {
  // A dial in progress counts as a connection of its loop, so dials started together spread.
  ipc_dial_state(io_loop& l, std::string n, dial_fn fn)
    : loop(l), socket(ctx()), name(std::move(n)), done(std::move(fn)) {
    loop.count_connection(true);
  }
  ~ipc_dial_state() {
    boost::system::error_code ignored;
    socket.close(ignored);  // before the count wakes a listener waiting for a descriptor
    loop.count_connection(false);
  }
  ipc_dial_state(const ipc_dial_state&) = delete;
  ipc_dial_state& operator=(const ipc_dial_state&) = delete;
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
  local::socket socket;
  std::string name;
  dial_fn done; // null once reported or cancelled
};

using ipc_dial_state_ptr = std::shared_ptr<ipc_dial_state>;

void on_connected(const ipc_dial_state_ptr& st, boost::system::error_code ec) {
  if (!st->done)
    return;
  if (ec)
    return st->finish(nullptr, os_end(os_error(ec), "connect to " + st->name + " failed"));
  st->finish(std::make_shared<stream>(std::move(st->socket), st->loop, st->name), {});
}

} // namespace

cancel_fn dial_ipc(io_loop& home, const endpoint& ep, dial_fn done) {
  auto st = std::make_shared<ipc_dial_state>(home.pick_for_connection(), ep.to_string(),
                                             std::move(done));
  asio::post(st->ctx(), [st, path = sun_path_of(ep.path)] {
    guarded(
      "a dial",
      [&] {
        if (!st->done)
          return;
        boost::system::error_code ec;  // a failed open fails the connect below, with its reason
        st->socket.open(local(), ec);
        if (!ec)
          keep_from_children(st->socket.native_handle());
        st->socket.async_connect(local::endpoint(path), [st](boost::system::error_code ec) {
          guarded(
            "a dial handler", [&] { on_connected(st, ec); },
            [&](const connection_end& end) { st->finish(nullptr, end); });
        });
      },
      [&](const connection_end& end) { st->finish(nullptr, end); });
  });
  return [st] {
    asio::post(st->ctx(), [st] {
      st->done = nullptr;
      boost::system::error_code ec;
      st->socket.close(ec);
    });
  };
}

} // namespace cafmq::net
