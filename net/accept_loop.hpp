// The accept loop every stream transport's listener runs (tcp, ipc): accept, hand each
// connection to the loop io_loop::pick_for_connection chooses, and meet failures as
// net/accept_pacing.hpp says (pause with a back-off when descriptors or memory run out, resume
// early when a connection closes, report coalesced). A transport derives from it and keeps only
// what differs: how it opens and binds, what it does to an accepted socket, its cleanup. Private
// to net/.
#pragma once

#include "net/accept_pacing.hpp"
#include "net/descriptor_watch.hpp"
#include "net/tcp_stream.hpp"
#include "net/transport.hpp"
#include "runtime/core/log_limit.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <exception>
#include <memory>
#include <new>
#include <string>

#include <unistd.h>

namespace cafmq::net {

/// The io_context of `loop`.
boost::asio::io_context& context_of(io_loop& loop) noexcept;

/// A connection counted on `loop` while it lives: from the pick until the stream counts itself,
/// so the next accept, which may come before the stream exists, sees it.
class connection_reservation {
public:
  explicit connection_reservation(io_loop& l) : loop_(l) { loop_.count_connection(true); }
  ~connection_reservation() { loop_.count_connection(false, false); }  // it held no descriptor
  connection_reservation(const connection_reservation&) = delete;
  connection_reservation& operator=(const connection_reservation&) = delete;

private:
  io_loop& loop_;
};

/// The failure handed to the listener for a reported accept failure of `where`.
connection_end accept_failure(const std::string& where, const boost::system::error_code& ec,
                              const accept_pacing::decision& d);
/// Logs (rate-limited, info) that accepting on `where` works again after episode `e`.
void log_accept_resumed(const std::string& where, const accept_pacing::episode& e);

/// A listener over `Protocol` (asio::ip::tcp, asio::local::stream_protocol). Everything runs on
/// the home loop's thread, except close() and close_then() (any thread, posted).
template <class Protocol>
class accept_loop : public listener, public std::enable_shared_from_this<accept_loop<Protocol>> {
public:
  using acceptor_type = typename Protocol::acceptor;
  using socket_type = typename Protocol::socket;

  const std::string& bound_endpoint() const noexcept override { return bound_; }

  void start(accept_fn on_accept) override {
    auto self = this->shared_from_this();
    boost::asio::post(acceptor_.get_executor(), [self, fn = std::move(on_accept)]() mutable {
      self->on_accept_ = std::move(fn);
      self->accept_next();
    });
  }

  void close() override { close_then(nullptr); }

  void close_then(std::function<void()> closed) override {
    auto self = this->shared_from_this();
    boost::asio::post(acceptor_.get_executor(), [self, closed = std::move(closed)] {
      boost::system::error_code ec;
      self->acceptor_.close(ec);
      self->pause_.cancel();
      self->stop_watching();
      self->on_accept_ = nullptr;
      self->release();
      if (closed)
        closed();
    });
  }

protected:
  explicit accept_loop(io_loop& home)
    : home_(home), acceptor_(context_of(home)), pause_(context_of(home)) {}
  ~accept_loop() override { stop_watching(); }
  accept_loop(const accept_loop&) = delete;
  accept_loop& operator=(const accept_loop&) = delete;

  /// What the transport does to an accepted socket before its stream is made (tcp: no delay).
  virtual void prepare(socket_type& /*s*/) {}
  /// The transport's cleanup once the acceptor is closed (ipc: the socket file). Idempotent.
  virtual void release() {}

  io_loop& home_;
  acceptor_type acceptor_;
  std::string bound_;        ///< "tcp://127.0.0.1:37015", "ipc:///tmp/x"
  std::string stream_name_;  ///< what each stream reports as its name (ipc: bound_; tcp: none)

private:
  bool accepting() const { return acceptor_.is_open() && on_accept_; }

  void accept_next() {
    auto self = this->shared_from_this();
    generation_ = descriptor_watch::generation();  // a descriptor freed from now on wakes a pause
    acceptor_.async_accept([self](boost::system::error_code ec, socket_type s) {
      if (ec == boost::asio::error::operation_aborted || !self->accepting())
        return;
      self->on_accepted(ec, std::move(s));
    });
  }

  // Every exception stops here: the loop is always re-armed, paused if something threw.
  void on_accepted(const boost::system::error_code& ec, socket_type s) noexcept {
    std::chrono::milliseconds pause{0};
    try {
      if (ec)
        pause = failed(ec);
      else
        deliver(std::move(s));
    } catch (...) {
      pause = threw(std::current_exception());
    }
    rearm(pause);
  }

  // Accepts again now, or after `pause`; if even that throws (out of memory), after the longest
  // pause, and if that throws too, the listener stops accepting, saying so.
  void rearm(std::chrono::milliseconds pause) noexcept {
    try {
      if (pause.count() == 0)
        accept_next();
      else
        pause_for(pause);
      return;
    } catch (...) {
      // Out of memory: a pause is tried once more, below.
    }
    try {
      pause_for(accept_pacing::longest_pause);
    } catch (...) {
      log::write(log::level::error, "listener", "accepting stopped: out of memory");
    }
  }

  // Reports `ec` if pacing says so; returns how long to pause before the next accept.
  std::chrono::milliseconds failed(const boost::system::error_code& ec) {
    auto d = pacing_.failed(os_error(ec), accept_pacing::clock::now());
    if (d.report)
      on_accept_(nullptr, accept_failure(bound_, ec, d));
    return d.pause;
  }

  // A handler threw (the connection is gone with its socket): paced as failures are, so that
  // even a throw per connection cannot flood the listener; out of memory pauses as ENOMEM does.
  // Returns the pause.
  std::chrono::milliseconds threw(const std::exception_ptr& thrown) noexcept {
    try {
      auto code = std::make_error_code(std::errc::io_error);
      std::string what = "a non-standard exception";
      try {
        std::rethrow_exception(thrown);
      } catch (const std::bad_alloc&) {
        code = std::make_error_code(std::errc::not_enough_memory);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
        // what says it already
      }
      auto d = pacing_.failed(code, accept_pacing::clock::now());
      if (d.report)
        on_accept_(nullptr, code == std::errc::not_enough_memory
                              ? os_end(code, "accept on " + bound_ + " failed")
                              : transient_end(event_reason::internal,
                                              "an accept handler threw: " + what));
      return d.pause;
    } catch (...) {
      return accept_pacing::longest_pause;  // out of memory even for that
    }
  }

  // On the home loop: a connection handed to another loop could not be adopted there. Reported
  // as accept failures are (paced); the accept pending meanwhile meets any exhaustion itself.
  void adopt_failed(const boost::system::error_code& ec) noexcept {
    if (!accepting())
      return;
    try {
      static_cast<void>(failed(ec));
    } catch (...) {
      static_cast<void>(threw(std::current_exception()));
    }
  }

  // Accepting resumes when the timer fires or, earlier, when a connection closes somewhere.
  void pause_for(std::chrono::milliseconds pause) {
    paused_ = true;
    auto self = this->shared_from_this();
    pause_.expires_after(pause);
    pause_.async_wait([self](boost::system::error_code ec) {
      if (!ec)
        self->resume();
    });
    if (watch_id_ == 0) {
      std::weak_ptr<accept_loop> weak = self;
      watch_id_ = descriptor_watch::wait([weak] {
        if (auto strong = weak.lock())
          boost::asio::post(strong->acceptor_.get_executor(), [strong] {
            strong->watch_id_ = 0;
            strong->resume();
          });
      });
    }
    // A descriptor freed since the failed attempt began woke no one: try again at once.
    if (descriptor_watch::generation() != generation_)
      boost::asio::post(acceptor_.get_executor(), [self] { self->resume(); });
  }

  void resume() {
    if (!paused_ || !accepting())
      return;
    paused_ = false;
    pause_.cancel();
    accept_next();
  }

  void stop_watching() noexcept {
    if (watch_id_ != 0)
      descriptor_watch::cancel(watch_id_);
    watch_id_ = 0;
  }

  void deliver(socket_type s) {
    log_accept_resumed(bound_, pacing_.succeeded(accept_pacing::clock::now()));
    prepare(s);
    // The loop is picked now, with every earlier connection counted, so connections accepted
    // one after another spread evenly (picking when the accept starts would not see them).
    auto& target = home_.pick_for_connection();
    if (&target == &home_)
      return on_accept_(std::make_shared<stream>(std::move(s), home_, stream_name_), {});
    // The stream is made on its own loop, so everything about it happens there (and the handoff
    // is a post, which ThreadSanitizer sees, unlike CAF's uninstrumented mailboxes).
    auto reserved = std::make_shared<connection_reservation>(target);
    auto protocol = s.local_endpoint().protocol();
    auto held = std::make_shared<owned_fd>();
    held->fd = s.release();  // no operation pending: nothing to cancel; closed if the post throws
    std::weak_ptr<accept_loop> home = this->shared_from_this();
    boost::asio::post(context_of(target), [fn = on_accept_, name = stream_name_, protocol, held,
                                           &target, reserved, home]() mutable {
      boost::system::error_code ec;
      try {
        socket_type moved{context_of(target)};
        moved.assign(protocol, held->fd, ec);
        if (!ec) {
          held->fd = -1;  // the socket owns it
          return fn(std::make_shared<stream>(std::move(moved), target, name), {});
        }
      } catch (const std::bad_alloc&) {
        ec = make_error_code(boost::system::errc::not_enough_memory);
      } catch (...) {
        ec = make_error_code(boost::system::errc::io_error);
      }
      held.reset();  // closes the descriptor before the home loop hears of it
      if (auto strong = home.lock())  // paced there, as the home loop's own failures are
        boost::asio::post(strong->acceptor_.get_executor(),
                          [strong, ec] { strong->adopt_failed(ec); });
    });
  }

  // An accepted descriptor on its way to another loop: closed unless a socket took it.
  struct owned_fd {
    int fd = -1;
    owned_fd() = default;
    owned_fd(const owned_fd&) = delete;
    owned_fd& operator=(const owned_fd&) = delete;
    ~owned_fd() {
      if (fd >= 0)
        ::close(fd);
    }
  };

  accept_fn on_accept_;
  accept_pacing pacing_;
  boost::asio::steady_timer pause_;
  bool paused_ = false;
  uint64_t watch_id_ = 0;
  uint64_t generation_ = 0;  // descriptor_watch::generation() when the current accept began
};

} // namespace cafmq::net
