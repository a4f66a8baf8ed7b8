// Where sessions (actor side) hand pipes to a socket's user thread. Attach is a rare control event,
// so a mutex is fine; the user thread checks an atomic flag before touching it.
#pragma once

#include "pipe.hpp"
#include "signaler.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <memory>
#include <mutex>
#include <vector>

namespace cafmq {

/// The hand-over point between a socket's sessions and its user thread.
class pipe_hub {
public:
  pipe_hub() : user_(std::make_shared<signaler>()) {}
  /// `send_budget_bytes` > 0: the socket's send rings share a memory budget of that many bytes;
  /// `recv_budget_bytes` > 0: so do its receive rings.
  explicit pipe_hub(size_t send_budget_bytes, size_t recv_budget_bytes = 0) : pipe_hub() {
    if (send_budget_bytes > 0) {
      send_budget_ = std::make_shared<byte_budget>();
      send_budget_->limit = send_budget_bytes;
    }
    if (recv_budget_bytes > 0)
      recv_budget_ = std::make_shared<recv_budget>(recv_budget_bytes);
  }

  /// The send budget the socket's pipes charge, or null.
  const std::shared_ptr<byte_budget>& send_budget() const noexcept { return send_budget_; }
  /// The receive budget the socket's pipes charge, or null.
  const std::shared_ptr<recv_budget>& receive_budget() const noexcept { return recv_budget_; }

  /// The socket's linger (ms, -1 forever), kept here for the context, which lingers for sockets
  /// still open when it is destroyed. Written by the socket, read by any thread.
  std::atomic<int> linger_ms{-1};

  /// The user thread's waker, shared by all pipes of the socket.
  const std::shared_ptr<signaler>& user_waker() const noexcept { return user_; }

  /// Any thread: offers a ready pipe to the socket and wakes the user thread.
  void attach(pipe_ptr p) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      remember(p);
      fresh_.push_back(std::move(p));
      has_fresh_.store(true, std::memory_order_release);
    }
    user_->wake();
  }
  /// Any thread: an attached pipe that outlives connections (a connector's) has a new connection,
  /// so per-connection state (SUB's subscriptions) must be sent again.
  void reconnected(pipe_ptr p) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      reconnected_.push_back(std::move(p));
      has_fresh_.store(true, std::memory_order_release);
    }
    user_->wake();
  }
  /// Any thread: a pipe was detached; wakes the user thread so it drops it.
  void poke() { user_->wake(); }

  /// User thread: true when take_fresh has something to take.
  bool has_fresh() const noexcept { return has_fresh_.load(std::memory_order_acquire); }
  /// User thread: moves newly attached pipes into `attached` and reconnected ones into
  /// `reconnected`; cheap when there are none.
  bool take_fresh(std::vector<pipe_ptr>& attached, std::vector<pipe_ptr>& reconnected) {
    if (!has_fresh_.load(std::memory_order_acquire))
      return false;
    std::lock_guard<std::mutex> guard{mtx_};
    for (auto& p : fresh_)
      attached.push_back(std::move(p));
    for (auto& p : reconnected_)
      reconnected.push_back(std::move(p));
    fresh_.clear();
    reconnected_.clear();
    has_fresh_.store(false, std::memory_order_relaxed);
    return true;
  }

  /// Any thread: the messages a lingering close waits for, summed over the socket's pipes (see
  /// pipe::lingering()). The same count as socket::close() lingers on.
  size_t pending_sends() {
    std::lock_guard<std::mutex> guard{mtx_};
    size_t n = 0;
    if (linger_aborted())
      return 0;
    for (auto& w : all_)
      if (auto p = w.lock())
        n += p->lingering();
    return n;
  }
  /// Any thread: the user's messages still queued in the send rings of every pipe the socket
  /// may hold (control traffic left out, see pipe::queued_user_messages()).
  size_t queued_sends() {
    std::lock_guard<std::mutex> guard{mtx_};
    size_t n = 0;
    for (auto& w : all_)
      if (auto p = w.lock())
        n += p->queued_user_messages();
    return n;
  }

  /// Any thread, async-signal-safe: the socket's close() (and a context close lingering for
  /// it) stops lingering now; see socket::abort_linger().
  void abort_linger() noexcept {
    int saved_errno = errno;  // a signal handler must leave errno as it found it
    linger_aborted_.store(true, std::memory_order_release);
    user_->wake();
    errno = saved_errno;
  }
  /// See abort_linger().
  bool linger_aborted() const noexcept { return linger_aborted_.load(std::memory_order_acquire); }

  /// Next unique pipe id.
  uint64_t next_pipe_id() noexcept { return ++last_id_; }

private:
  // Under mtx_: every pipe handed over, weakly (the socket owns them); the dead are pruned here.
  void remember(const pipe_ptr& p) {
    all_.erase(std::remove_if(all_.begin(), all_.end(), [](auto& w) { return w.expired(); }),
               all_.end());
    all_.push_back(p);
  }

  std::shared_ptr<signaler> user_;
  std::shared_ptr<byte_budget> send_budget_;  // written by the user thread only (see byte_budget)
  std::shared_ptr<recv_budget> recv_budget_;  // counted by the I/O thread (see recv_budget)
  std::vector<std::weak_ptr<pipe>> all_;
  std::mutex mtx_;
  std::vector<pipe_ptr> fresh_;
  std::vector<pipe_ptr> reconnected_;
  std::atomic<bool> has_fresh_{false};
  std::atomic<bool> linger_aborted_{false};
  std::atomic<uint64_t> last_id_{0};
};

using pipe_hub_ptr = std::shared_ptr<pipe_hub>;

} // namespace cafmq
