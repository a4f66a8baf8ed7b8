// ipc:// bind/listen/accept over Asio's local stream sockets. The bind runs on the home loop;
// each accepted connection moves to the loop io_loop::pick_for_connection chooses, as tcp's.
// Closing removes the socket file if it is still ours, and the wildcard's directory.
#include "net/cloexec.hpp"
#include "net/ipc_path.hpp"
#include "net/ipc_transport.hpp"
#include "net/tcp_listener.hpp"
#include "net/tcp_stream.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>

#include <optional>

#include <unistd.h>

namespace cafmq::net {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

const transport ipc_transport{"ipc", &bind_ipc, &dial_ipc};

namespace {

asio::io_context& ctx_of(io_loop& loop) {
  return *static_cast<asio::io_context*>(loop.native());
}

// Counts a connection on `loop` from the pick until its stream exists and counts itself.
struct connection_reservation {
  explicit connection_reservation(io_loop& l) : loop(l) { loop.count_connection(true); }
  ~connection_reservation() { loop.count_connection(false); }
  connection_reservation(const connection_reservation&) = delete;
  connection_reservation& operator=(const connection_reservation&) = delete;
  io_loop& loop;
};

class ipc_listener final : public listener, public std::enable_shared_from_this<ipc_listener> {
public:
  explicit ipc_listener(io_loop& home) : home_(home), acceptor_(ctx_of(home)) {}
  ~ipc_listener() override { release(); }
  ipc_listener(const ipc_listener&) = delete;
  ipc_listener& operator=(const ipc_listener&) = delete;

  const std::string& bound_endpoint() const noexcept override { return bound_; }

  void start(accept_fn on_accept) override {
    auto self = shared_from_this();
    asio::post(acceptor_.get_executor(), [self, fn = std::move(on_accept)]() mutable {
      self->on_accept_ = std::move(fn);
      self->accept_next();
    });
  }

  void close() override { close_then(nullptr); }

  void close_then(std::function<void()> closed) override {
    auto self = shared_from_this();
    asio::post(acceptor_.get_executor(), [self, closed = std::move(closed)] {
      boost::system::error_code ec;
      self->acceptor_.close(ec);
      self->on_accept_ = nullptr;
      self->release();
      if (closed)
        closed();
    });
  }

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
    return std::nullopt;
  }

private:
  void release() {
    if (released_)
      return;
    released_ = true;
    release_ipc_path(binding_);
  }

  void accept_next() {
    auto self = shared_from_this();
    acceptor_.async_accept([self](boost::system::error_code ec, local::socket s) {
      if (ec == asio::error::operation_aborted || !self->acceptor_.is_open() || !self->on_accept_)
        return;
      guarded(
        "an accept handler", [&] { self->deliver(ec, std::move(s)); },
        [&](const connection_end& end) { self->on_accept_(nullptr, end); });
      self->accept_next();
    });
  }

  void deliver(boost::system::error_code ec, local::socket s) {
    if (ec)
      return on_accept_(nullptr, os_end(os_error(ec), "accept on " + bound_ + " failed"));
    auto& target = home_.pick_for_connection();
    if (&target == &home_)
      return on_accept_(std::make_shared<stream>(std::move(s), home_, bound_), {});
    // Made on its own loop, handed over by a post (see tcp_listener.cpp).
    auto reserved = std::make_shared<connection_reservation>(target);
    auto fd = s.release();
    asio::post(ctx_of(target), [fn = on_accept_, name = bound_, fd, &target, reserved] {
      guarded(
        "an accept handler", [&] { adopt(fn, name, fd, target); },
        [&](const connection_end& end) { fn(nullptr, end); });
    });
  }

  // On `target`'s thread: wraps the accepted descriptor and hands the stream over.
  static void adopt(const accept_fn& fn, const std::string& name, int fd, io_loop& target) {
    local::socket moved{ctx_of(target)};
    boost::system::error_code ec;
    moved.assign(local(), fd, ec);
    if (ec) {
      ::close(fd);
      return fn(nullptr, os_end(os_error(ec), "accept on " + name + " failed"));
    }
    fn(std::make_shared<stream>(std::move(moved), target, name), {});
  }

  io_loop& home_;
  local::acceptor acceptor_;
  ipc_binding binding_;
  bool released_ = false;
  std::string bound_;
  accept_fn on_accept_;
};

} // namespace

void bind_ipc(io_loop& home, const endpoint& ep, bind_fn done) {
  asio::post(ctx_of(home), [&home, ep, done = std::move(done)] {
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
