// The Asio face (docs/async.md): async_send and async_receive on a cafmq socket, completing
// through any Asio completion token (a callback, use_future, use_awaitable in C++20 coroutines).
// Opt-in: this header includes Boost.Asio (header-only); cafmq.hpp does not.
//
// Contract, in short:
// - async_receive completes with the next message; async_send completes once the socket queued
//   its message under the HWM (a full peer makes it wait; the message waits in the operation,
//   one per send, never in an extra queue).
// - Many operations may be pending on one socket; each direction completes in the order its
//   operations were started (FIFO); REQ and REP complete them in the order they were started
//   across both directions (their lockstep: a REQ's receive waits for the send before it).
// - At most max_pending_sends() sends wait (64 by default); one more completes with
//   errc::queue_full. Receives hold no message.
// - close(), cancel() and the async_socket's destruction complete the pending operations with
//   boost::asio::error::operation_aborted, as does the socket's close or its context's
//   destruction; errors of the socket (errc::wrong_state, ...) complete an operation with
//   make_error_code(errc). Destroying the io_context destroys pending handlers without calling
//   them, as Asio does with its own operations.
// - Thread rule: an async_socket and its socket are used on its executor's thread(s) only (a
//   single-threaded io_context, or a strand). Under CAFMQ_THREAD_CHECKS a call from another
//   thread while one is in progress throws errc::concurrent_use.
#pragma once

#include "asio/detail.hpp"
#include "asio/error.hpp"
#include "asio/io_thread.hpp"
#include "context.hpp"
#include "socket.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <utility>

namespace cafmq::asio {

/// A cafmq socket bound to an Asio executor, for async_send and async_receive. Movable, not
/// copyable. One async_socket per socket, ever (it installs the socket's readiness callback).
class async_socket {
public:
  using executor_type = boost::asio::any_io_executor;

  /// Wraps `s`, which must outlive this object. Throws errc::wrong_state if `s` has a readiness
  /// callback already (another async_socket or face took it).
  async_socket(const executor_type& ex, socket& s) : impl_(make(ex, s, nullptr)) {}
  async_socket(boost::asio::io_context& io, socket& s) : async_socket(io.get_executor(), s) {}
  /// Creates a socket of `type` in `ctx` and owns it.
  async_socket(const executor_type& ex, context& ctx, socket_type type,
               socket_options options = {})
    : impl_(make_owning(ex, ctx, type, std::move(options))) {}
  async_socket(boost::asio::io_context& io, context& ctx, socket_type type,
               socket_options options = {})
    : async_socket(io.get_executor(), ctx, type, std::move(options)) {}

  /// Completes the pending operations with operation_aborted; closes the socket if it owns it
  /// (with its linger: set linger_ms to keep the executor's thread from waiting).
  ~async_socket() = default;
  async_socket(async_socket&&) noexcept = default;
  async_socket& operator=(async_socket&&) noexcept = default;
  async_socket(const async_socket&) = delete;
  async_socket& operator=(const async_socket&) = delete;

  /// The executor the operations run on and complete through (unless a handler has its own).
  const executor_type& get_executor() const noexcept { return impl_->get_executor(); }
  /// The socket, for bind, connect, options and stats: on the executor's thread only.
  socket& native() noexcept { return impl_->native(); }

  /// How many async_sends may wait for room at once (default 64). One more completes at once
  /// with errc::queue_full, its message not sent: the face never holds more than this many
  /// messages beside the socket's HWM. 0: a send that cannot go at once is refused.
  size_t max_pending_sends() const noexcept { return impl_->max_pending_sends(); }
  void set_max_pending_sends(size_t n) { impl_->set_max_pending_sends(n); }

  /// Completes every pending operation with operation_aborted; the socket stays open.
  void cancel() { impl_->cancel(); }
  /// Completes every pending operation with operation_aborted, then closes the socket (waiting
  /// up to its linger) and returns what close() discarded. Later operations complete with
  /// errc::socket_closed.
  size_t close() { return impl_->close(); }

  /// The state async_send and async_receive work on (not API).
  detail::socket_impl& impl() noexcept { return *impl_; }

private:
  static std::shared_ptr<detail::socket_impl> make(const executor_type& ex, socket& s,
                                                   std::unique_ptr<socket> owned) {
    std::shared_ptr<detail::socket_impl> impl{new detail::socket_impl(ex, s, std::move(owned))};
    impl->start();
    return impl;
  }
  static std::shared_ptr<detail::socket_impl> make_owning(const executor_type& ex, context& ctx,
                                                          socket_type type,
                                                          socket_options options) {
    auto owned = std::make_unique<socket>(ctx, type, std::move(options));
    auto& s = *owned;
    return make(ex, s, std::move(owned));
  }

  std::shared_ptr<detail::socket_impl> impl_;
};

namespace detail {

template <bool WithPeer>
struct initiate_receive {
  template <class Handler>
  void operator()(Handler&& handler, socket_impl* impl) const {
    impl->start_receive<std::decay_t<Handler>, WithPeer>(std::forward<Handler>(handler));
  }
};

struct initiate_send {
  template <class Handler>
  void operator()(Handler&& handler, socket_impl* impl, message m) const {
    impl->start_send(std::move(m), std::forward<Handler>(handler));
  }
};

} // namespace detail

/// Sends `m`: completes with `void(boost::system::error_code)` once the socket queued it (at once
/// when there is room under the HWM, else when the peer made room), after the sends started
/// before it.
template <class CompletionToken>
auto async_send(async_socket& s, message m, CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
    detail::initiate_send{}, token, &s.impl(), std::move(m));
}

/// Receives the next message: completes with `void(boost::system::error_code, cafmq::message)`,
/// after the receives started before it.
template <class CompletionToken>
auto async_receive(async_socket& s, CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken,
                                     void(boost::system::error_code, message)>(
    detail::initiate_receive<false>{}, token, &s.impl());
}

/// async_receive that also gives the sender's properties (socket::last_peer() for that message):
/// `void(boost::system::error_code, cafmq::message, cafmq::peer_properties_ptr)`.
template <class CompletionToken>
auto async_receive_with_peer(async_socket& s, CompletionToken&& token) {
  return boost::asio::async_initiate<
    CompletionToken, void(boost::system::error_code, message, peer_properties_ptr)>(
    detail::initiate_receive<true>{}, token, &s.impl());
}

} // namespace cafmq::asio
