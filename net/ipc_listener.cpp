// ipc:// bind/listen over Asio's local stream sockets: the bind runs on the home loop; accepting is
// net/accept_loop.hpp's. Closing removes the socket file if it is still ours, and the wildcard's
// directory.
#include "net/accept_loop.hpp"
#include "net/cloexec.hpp"
#include "net/ipc_path.hpp"
#include "net/ipc_transport.hpp"
#include "net/tcp_listener.hpp"  // guarded

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>

#include <optional>

namespace cafmq::net {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

const transport ipc_transport{"ipc", &bind_ipc, &dial_ipc};

namespace {

class ipc_listener final : public accept_loop<local> {
public:
  explicit ipc_listener(io_loop& home) : accept_loop(home) {}
  ~ipc_listener() override { release(); }
  ipc_listener(const ipc_listener&) = delete;
  ipc_listener& operator=(const ipc_listener&) = delete;

  // Makes the path ready, binds and listens; empty on success, else why not.
  std::optional<bind_failure> open(const endpoint& ep) {
    auto fail = [&](bool in_use, const std::string& why) {
      release();
      return bind_failure{in_use ? errc::address_in_use : errc::address_unavailable,
                          in_use ? event_reason::address_in_use : event_reason::unreachable,
                          "cannot bind " + ep.to_string() + ": " + why};
    };
    binding_.path = ep.path;
    if (ep.path == "*") {
      if (auto why = make_private_path(binding_); !why.empty())
        return fail(false, why);
    } else if (ep.path[0] != '@') {
      bool in_use = false;
      if (auto why = clear_path_for_bind(ep.path, in_use); !why.empty())
        return fail(in_use, why);
    }
    boost::system::error_code ec;
    auto step = [&](const char* what) {
      bool in_use = ec == asio::error::address_in_use;
      return fail(in_use, std::string(what) + " failed: " + ec.message());
    };
    acceptor_.open(local(), ec);
    if (ec)
      return step("open");
    keep_from_children(acceptor_.native_handle());
    acceptor_.bind(local::endpoint(sun_path_of(binding_.path)), ec);
    if (ec)
      return step("bind");
    remember_socket_file(binding_);
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return step("listen");
    bound_ = "ipc://" + binding_.path;
    stream_name_ = bound_;  // both sides of an ipc connection report the bound path, as libzmq
    return std::nullopt;
  }

private:
  // Removes the socket file if it is still ours, and the wildcard's directory; once.
  void release() override {
    if (released_)
      return;
    released_ = true;
    release_ipc_path(binding_);
  }

  ipc_binding binding_;
  bool released_ = false;
};

} // namespace

void bind_ipc(io_loop& home, const endpoint& ep, bind_fn done) {
  asio::post(context_of(home), [&home, ep, done = std::move(done)] {
    guarded(
      "a bind",
      [&] {
        auto l = std::make_shared<ipc_listener>(home);
        if (auto failure = l->open(ep))
          return done(nullptr, *failure);
        done(l, {});
      },
      [&](const connection_end& end) {
        done(nullptr, {errc::internal, event_reason::internal,
                       "cannot bind " + ep.to_string() + ": " + end.detail});
      });
  });
}

} // namespace cafmq::net
