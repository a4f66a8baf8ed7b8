// The machinery behind cafmq/asio.hpp: pending operations (type-erased handlers), the notifier the
// socket's readiness callback posts through, the per-execution-context registry that drops pending
// operations when the io_context is destroyed, and the state of one async_socket. Not API.
#pragma once

// Asio 1.74 looks for clang's coroutines in <experimental/coroutine>, which libstdc++ does not
// have: clang with libstdc++'s <coroutine> (C++20) gets co_await too. Effective only when this
// header comes before Boost.Asio's.
#if defined(__clang__) && !defined(BOOST_ASIO_HAS_CO_AWAIT) && !defined(BOOST_ASIO_DISABLE_CO_AWAIT)
#if __cplusplus >= 202002L && defined(__cpp_impl_coroutine) && __has_include(<coroutine>)
#define BOOST_ASIO_HAS_CO_AWAIT 1
#endif
#endif

#include "../core/thread_check.hpp"
#include "../socket.hpp"
#include "error.hpp"

#include <utility>  // before Boost.Asio: 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace cafmq::asio::detail {

using error_code = boost::system::error_code;
using executor = boost::asio::any_io_executor;

/// How many async_sends may wait on one socket unless set otherwise (as the actor face's).
constexpr size_t default_max_pending_sends = 64;

/// A handler with its arguments, run as a nullary function object. Unlike Asio's own binders it
/// moves the arguments into the handler (a message is never copied); it keeps the handler's
/// associated executor and allocator (specialisations at the end of this file).
template <class Handler, class... Args>
struct bound_handler {
  Handler handler;
  std::tuple<Args...> args;
  void operator()() {
    std::apply([this](Args&... a) { std::move(handler)(std::move(a)...); }, args);
  }
};

/// Runs `handler(args...)` later, on the handler's associated executor (`ex` if it has none):
/// never inside the caller, as Asio's rules want for the initiating function.
template <class Handler, class... Args>
void post_completion(const executor& ex, Handler handler, Args... args) {
  boost::asio::post(ex, bound_handler<Handler, Args...>{std::move(handler), {std::move(args)...}});
}

/// A pending async_receive.
class receive_op {
public:
  virtual ~receive_op() = default;
  virtual void complete(const executor& ex, error_code ec, message m, peer_properties_ptr peer) = 0;
  uint64_t order = 0;  // when it was started, among both directions' operations
};

template <class Handler, bool WithPeer>
class receive_op_for final : public receive_op {
public:
  explicit receive_op_for(Handler h) : handler_(std::move(h)) {}
  void complete(const executor& ex, error_code ec, message m, peer_properties_ptr peer) override {
    if constexpr (WithPeer)
      post_completion(ex, std::move(handler_), ec, std::move(m), std::move(peer));
    else
      post_completion(ex, std::move(handler_), ec, std::move(m));
  }

private:
  Handler handler_;
};

/// A pending async_send: it holds its message until the socket queues it (under the HWM).
class send_op {
public:
  explicit send_op(message m) : msg(std::move(m)) {}
  virtual ~send_op() = default;
  virtual void complete(const executor& ex, error_code ec) = 0;
  message msg;
  uint64_t order = 0;  // when it was started, among both directions' operations
};

template <class Handler>
class send_op_for final : public send_op {
public:
  send_op_for(message m, Handler h) : send_op(std::move(m)), handler_(std::move(h)) {}
  void complete(const executor& ex, error_code ec) override {
    post_completion(ex, std::move(handler_), ec);
  }

private:
  Handler handler_;
};

class socket_impl;

/// What the socket's readiness callback (an I/O thread) calls: posts one wake-up at a time to the
/// executor, and nothing once detached (the async_socket or its execution context is gone). The
/// callback owns it and may outlive both.
class notifier {
public:
  notifier(executor ex, std::weak_ptr<socket_impl> target)
    : ex_(std::move(ex)), target_(std::move(target)) {}
  void wake() noexcept;
  /// The executor's thread, before looking at the socket: the next wake() posts again.
  void rearm() noexcept { posted_.store(false, std::memory_order_release); }
  void detach() noexcept {
    std::lock_guard<std::mutex> lock{mutex_};
    ex_.reset();
  }

private:
  std::mutex mutex_;
  std::optional<executor> ex_;
  std::weak_ptr<socket_impl> target_;
  std::atomic<bool> posted_{false};
};

/// One per execution context: its live sockets, whose pending operations are destroyed (not
/// called, as Asio does with its own) when the context shuts down.
class registry final : public boost::asio::execution_context::service {
public:
  // Asio's key for the service: its constructor does nothing, and cannot throw.
  static inline boost::asio::execution_context::id id;  // NOLINT(cert-err58-cpp)
  explicit registry(boost::asio::execution_context& ctx) : service(ctx) {}
  void add(const std::shared_ptr<socket_impl>& s) {
    std::lock_guard<std::mutex> lock{mutex_};
    live_.emplace(s.get(), s);
  }
  void remove(socket_impl* s) {
    std::lock_guard<std::mutex> lock{mutex_};
    live_.erase(s);
  }

private:
  void shutdown() override;
  std::mutex mutex_;
  std::unordered_map<socket_impl*, std::weak_ptr<socket_impl>> live_;
};

/// The state of one async_socket, shared with the wake-ups in flight (weakly). Used on the
/// executor's thread only; `one_thread_` enforces it under CAFMQ_THREAD_CHECKS.
class socket_impl : public std::enable_shared_from_this<socket_impl> {
public:
  socket_impl(executor ex, cafmq::socket& s, std::unique_ptr<cafmq::socket> owned)
    : ex_(std::move(ex)), socket_(s), owned_(std::move(owned)),
      lockstep_(s.type() == socket_type::req || s.type() == socket_type::rep) {}
  socket_impl(const socket_impl&) = delete;
  socket_impl& operator=(const socket_impl&) = delete;
  ~socket_impl() { detach(); }

  /// After construction (needs shared_from_this): installs the readiness callback (throws
  /// errc::wrong_state if the socket has one: one async_socket per socket) and registers.
  void start() {
    registry_ = &boost::asio::use_service<registry>(
      boost::asio::query(ex_, boost::asio::execution::context));
    notifier_ = std::make_shared<notifier>(ex_, weak_from_this());
    socket_.set_readiness_callback([n = notifier_] { n->wake(); });
    registry_->add(shared_from_this());
  }

  const executor& get_executor() const noexcept { return ex_; }
  cafmq::socket& native() noexcept { return socket_; }
  size_t max_pending_sends() const noexcept { return max_pending_sends_; }
  void set_max_pending_sends(size_t n) {
    thread_check::scope one{one_thread_, "set_max_pending_sends"};
    max_pending_sends_ = n;
  }

  template <class Handler, bool WithPeer>
  void start_receive(Handler handler) {
    thread_check::scope one{one_thread_, "async_receive"};
    if (closed_) {
      complete_receive<Handler, WithPeer>(handler, errc::socket_closed);
      return;
    }
    if (nothing_ahead(receives_)) {  // try at once (FIFO otherwise)
      try {
        if (auto m = socket_.recv(std::chrono::milliseconds(0))) {
          complete_receive<Handler, WithPeer>(handler, {}, std::move(*m));
          return;
        }
      } catch (const error& e) {
        rethrow_misuse(e);
        complete_receive<Handler, WithPeer>(handler, e.code());
        return;
      }
    }
    receives_.push_back(std::make_unique<receive_op_for<Handler, WithPeer>>(std::move(handler)));
    receives_.back()->order = next_order_++;
    update_work();
    wake_if_ready();
  }

  template <class Handler>
  void start_send(message m, Handler handler) {
    thread_check::scope one{one_thread_, "async_send"};
    if (closed_) {
      post_completion(ex_, std::move(handler), error_code{errc::socket_closed});
      return;
    }
    if (nothing_ahead(sends_)) {
      try {
        if (socket_.send(message(m), std::chrono::milliseconds(0))) {
          post_completion(ex_, std::move(handler), error_code{});
          return;
        }
      } catch (const error& e) {
        rethrow_misuse(e);
        post_completion(ex_, std::move(handler), error_code{e.code()});
        return;
      }
    }
    if (sends_.size() >= max_pending_sends_) {  // bounded: no queue of its own past the HWM
      post_completion(ex_, std::move(handler), error_code{errc::queue_full});
      return;
    }
    sends_.push_back(std::make_unique<send_op_for<Handler>>(std::move(m), std::move(handler)));
    sends_.back()->order = next_order_++;
    update_work();
    wake_if_ready();
  }

  /// Completes every pending operation with operation_aborted.
  void cancel() {
    thread_check::scope one{one_thread_, "cancel"};
    abort_all();
  }

  /// Aborts the pending operations, then closes the socket (with its linger).
  size_t close() {
    thread_check::scope one{one_thread_, "close"};
    abort_all();
    closed_ = true;
    return socket_.close();
  }

  /// The executor, after the socket's readiness changed.
  void on_wake() {
    notifier_->rearm();
    if (closed_ || gone_)
      return;
    thread_check::scope one{one_thread_, "async_socket wake-up"};
    progress();
    update_work();
    wake_if_ready();
  }

  /// The async_socket goes away: pending operations complete with operation_aborted.
  void detach() noexcept {
    if (gone_)
      return;
    try {
      abort_all();
    } catch (...) {
      // posting failed (out of memory): the handlers are destroyed instead
    }
    forget_context();
  }

  /// The execution context shuts down: pending operations are destroyed, not called.
  void shutdown() noexcept {
    auto receives = std::move(receives_);
    auto sends = std::move(sends_);
    forget_context();
    // `receives` and `sends` are destroyed here, with their handlers.
  }

private:
  // A socket used from two threads at once is a bug of the program, not an outcome: it throws
  // (out of the initiating function, or out of io_context::run for a wake-up).
  static void rethrow_misuse(const error& e) {
    if (e.code() == errc::concurrent_use)
      throw e;
  }

  template <class Handler, bool WithPeer>
  void complete_receive(Handler& handler, error_code ec, message m = {}) {
    if constexpr (WithPeer) {
      auto peer = ec ? peer_properties_ptr{} : socket_.last_peer();
      post_completion(ex_, std::move(handler), ec, std::move(m), std::move(peer));
    } else {
      post_completion(ex_, std::move(handler), ec, std::move(m));
    }
  }

  void forget_context() noexcept {
    gone_ = true;
    if (notifier_)
      notifier_->detach();
    if (registry_ != nullptr)
      registry_->remove(this);
    registry_ = nullptr;
    work_.reset();
  }

  // Whether an operation of this direction may try the socket at once: none of its direction
  // waits, nor (REQ, REP) one of the other direction, whose turn comes first.
  template <class Queue>
  bool nothing_ahead(const Queue& own) const {
    return own.empty() && (!lockstep_ || (sends_.empty() && receives_.empty()));
  }

  // Completes what it can, in order: each direction FIFO; REQ and REP in the order the
  // operations were started across both directions, as their lockstep wants.
  void progress() {
    if (!lockstep_) {
      while (!sends_.empty() && step_send()) {}
      while (!receives_.empty() && step_receive()) {}
      return;
    }
    while (!sends_.empty() || !receives_.empty()) {
      if (!(front_is_send() ? step_send() : step_receive()))
        return;
    }
  }

  bool front_is_send() const {
    return !sends_.empty() && (receives_.empty() || sends_.front()->order < receives_.front()->order);
  }

  // The directions with an operation that may go now: what a wake-up would complete.
  poll_flags wanted() const {
    if (sends_.empty() && receives_.empty())
      return 0;
    if (lockstep_)
      return front_is_send() ? poll_out : poll_in;
    return (sends_.empty() ? 0 : poll_out) | (receives_.empty() ? 0 : poll_in);
  }

  // After queueing or progressing, with operations waiting: the socket armed its wake-up, unless
  // it is ready already (a message taken ahead by the last call, room that came meanwhile), in
  // which case no callback comes: wake up now.
  void wake_if_ready() {
    poll_flags want = wanted();
    if (want == 0 || closed_ || gone_)
      return;
    try {
      if ((socket_.events() & want) != 0)
        notifier_->wake();
    } catch (const error& e) {
      rethrow_misuse(e);
      if (e.code() == errc::socket_closed)
        abort_all();
      // otherwise the next socket call tells the waiting operation
    }
  }

  // Tries the front send: true if it completed (queued, or refused with an error).
  bool step_send() {
    auto& op = *sends_.front();
    error_code ec;
    try {
      if (!socket_.send(message(op.msg), std::chrono::milliseconds(0)))
        return false;  // full: the callback tells when there is room
    } catch (const error& e) {
      rethrow_misuse(e);
      if (e.code() == errc::socket_closed) {
        abort_all();
        return false;
      }
      ec = e.code();
    }
    auto done = std::move(sends_.front());
    sends_.pop_front();
    done->complete(ex_, ec);
    return true;
  }

  // Tries the front receive: true if it completed (a message, or refused with an error).
  bool step_receive() {
    error_code ec;
    message m;
    try {
      auto got = socket_.recv(std::chrono::milliseconds(0));
      if (!got)
        return false;  // nothing yet: the callback tells when a message comes
      m = std::move(*got);
    } catch (const error& e) {
      rethrow_misuse(e);
      if (e.code() == errc::socket_closed) {
        abort_all();
        return false;
      }
      ec = e.code();
    }
    auto done = std::move(receives_.front());
    receives_.pop_front();
    done->complete(ex_, ec, std::move(m), ec ? peer_properties_ptr{} : socket_.last_peer());
    return true;
  }

  void abort_all() {
    auto receives = std::move(receives_);
    auto sends = std::move(sends_);
    receives_.clear();
    sends_.clear();
    update_work();
    error_code aborted = boost::asio::error::operation_aborted;
    for (auto& op : sends)
      op->complete(ex_, aborted);
    for (auto& op : receives)
      op->complete(ex_, aborted, message{}, nullptr);
  }

  // Pending operations are outstanding work: io_context::run() does not return while one waits.
  void update_work() {
    if (receives_.empty() && sends_.empty())
      work_.reset();
    else if (!work_ && !gone_)
      work_.emplace(boost::asio::prefer(ex_, boost::asio::execution::outstanding_work.tracked));
  }

  executor ex_;
  cafmq::socket& socket_;
  std::unique_ptr<cafmq::socket> owned_;  // socket_, when the async_socket made it
  std::shared_ptr<notifier> notifier_;
  registry* registry_ = nullptr;
  std::deque<std::unique_ptr<receive_op>> receives_;
  std::deque<std::unique_ptr<send_op>> sends_;
  std::optional<executor> work_;
  thread_check one_thread_;
  uint64_t next_order_ = 0;
  size_t max_pending_sends_ = default_max_pending_sends;
  bool lockstep_;        // REQ, REP: sends and receives take turns
  bool closed_ = false;  // by close()
  bool gone_ = false;    // detached from the executor: the async_socket or its context is gone
};

inline void notifier::wake() noexcept {
  if (posted_.exchange(true, std::memory_order_acq_rel))
    return;  // a wake-up is on its way already
  std::lock_guard<std::mutex> lock{mutex_};
  if (!ex_)
    return;
  try {
    boost::asio::post(*ex_, [target = target_] {
      if (auto s = target.lock())
        s->on_wake();
    });
  } catch (...) {
    posted_.store(false, std::memory_order_release);  // out of memory: the next wake-up tries
  }
}

inline void registry::shutdown() {
  std::vector<std::shared_ptr<socket_impl>> live;
  {
    std::lock_guard<std::mutex> lock{mutex_};
    for (auto& entry : live_)
      if (auto s = entry.second.lock())
        live.push_back(std::move(s));
    live_.clear();
  }
  for (auto& s : live)
    s->shutdown();
}

} // namespace cafmq::asio::detail

namespace boost::asio {

template <class Handler, class... Args, class Executor>
struct associated_executor<cafmq::asio::detail::bound_handler<Handler, Args...>, Executor> {
  using type = associated_executor_t<Handler, Executor>;
  static type get(const cafmq::asio::detail::bound_handler<Handler, Args...>& h,
                  const Executor& ex = Executor()) noexcept {
    return associated_executor<Handler, Executor>::get(h.handler, ex);
  }
};

template <class Handler, class... Args, class Allocator>
struct associated_allocator<cafmq::asio::detail::bound_handler<Handler, Args...>, Allocator> {
  using type = associated_allocator_t<Handler, Allocator>;
  static type get(const cafmq::asio::detail::bound_handler<Handler, Args...>& h,
                  const Allocator& a = Allocator()) noexcept {
    return associated_allocator<Handler, Allocator>::get(h.handler, a);
  }
};

} // namespace boost::asio
