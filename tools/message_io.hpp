// Receiving and sending that a stop ends, and printing messages (--format): shared by recv,
// echo and request.
#pragma once

#include "output_format.hpp"
#include "stop_signal.hpp"

#include "runtime/poller.hpp"
#include "runtime/socket.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cafmq::cli {

/// How waiting for a message, or for room to send one, ended.
enum class outcome { received, sent, timed_out, interrupted };

/// A socket's receives and sends that end when a stop is requested. A wait sleeps on the socket
/// and on the stop's descriptor together (one cafmq::poller), so an idle command never wakes up
/// until a message, room to send, the timeout or a signal comes, whatever its number of peers.
/// Make it right after the socket: it must go before the socket is moved or destroyed.
class interruptible {
public:
  interruptible(socket& sock, const stop_signal& stop);
  ~interruptible();
  interruptible(const interruptible&) = delete;
  interruptible& operator=(const interruptible&) = delete;

  /// Waits for the next message into `out`, up to `timeout_ms` (-1: no limit). Takes up to
  /// `ahead` messages from the socket at once (socket::recv_batch: its readiness is looked at
  /// once per batch, not per message) and hands them out one per call, even after a stop; never
  /// more than `ahead`, so a --count is not overrun.
  outcome recv(int timeout_ms, std::optional<message>& out, size_t ahead = 1);
  /// Sends `msg`, waiting up to `timeout_ms` (-1: no limit) for room. `sent` on success.
  outcome send(int timeout_ms, const message& msg);
  /// Sends copies of `msg` until `sent` reaches `count`, in batches (socket::send_batch), each
  /// wait for room up to `timeout_ms`. `sent` once all went out.
  outcome send_copies(int timeout_ms, const message& msg, uint64_t count, uint64_t& sent);

  socket& sock() noexcept { return sock_; }

private:
  template <class TryNow>
  outcome until(poll_flags interest, int timeout_ms, outcome done, TryNow try_now);
  /// Watches the socket for `interest` and the stop's descriptor.
  void watch(poll_flags interest);

  socket& sock_;
  const stop_signal& stop_;
  poller poller_;
  poll_flags interest_ = 0;  // 0 until the first wait adds the socket
  std::vector<poller::event> ready_;
  std::vector<message> taken_;  // recv's batch; taken_[next_taken_] is handed out next
  size_t next_taken_ = 0;
  std::vector<message> copies_;  // send_copies' batch, each a copy of the message
};

/// Prints `msg` on stdout in `format` and flushes; `line` is a reusable buffer. Throws if stdout
/// cannot be written.
void print_message(std::string& line, const message& msg, output_format format);

/// Prints "received N" on stdout (the --quiet summary).
void print_received(unsigned long long n);

} // namespace cafmq::cli
