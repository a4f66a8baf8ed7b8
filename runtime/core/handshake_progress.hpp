// One pending handshake's progress, shared by its engine (writer, on the I/O thread) and its
// listener (reader, when it chooses whom to close; see handshake_admission.hpp). No message per
// read: a relaxed store of the time.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

namespace cafmq {

/// What an engine tells its listener about one pending handshake without a message: written on
/// the I/O thread, read by the listener when it chooses whom to close. Relaxed: a hint.
class handshake_progress {
public:
  using clock = std::chrono::steady_clock;
  /// The engine started (`peer_bytes` false) or handshake bytes arrived (true), at `now`.
  void note(bool peer_bytes, clock::time_point now = clock::now()) noexcept {
    if (peer_bytes)
      heard_.store(true, std::memory_order_relaxed);
    last_ns_.store(now.time_since_epoch().count(), std::memory_order_relaxed);
  }
  /// The handshake is done on the I/O thread (the listener hears of it later, by message).
  void finish() noexcept { done_.store(true, std::memory_order_relaxed); }
  bool finished() const noexcept { return done_.load(std::memory_order_relaxed); }
  /// Our authenticator is judging the peer (`true` until its verdict): the peer waits on us, so
  /// the handshake is never idle meanwhile.
  void waiting_on_us(bool waiting) noexcept { waiting_.store(waiting, std::memory_order_relaxed); }
  bool waiting_on_us() const noexcept { return waiting_.load(std::memory_order_relaxed); }
  /// The engine has started reading the connection.
  bool started() const noexcept { return last_ns_.load(std::memory_order_relaxed) != 0; }
  /// Handshake bytes have arrived.
  bool heard() const noexcept { return heard_.load(std::memory_order_relaxed); }
  /// When the engine started or bytes last arrived (meaningless before started()).
  clock::time_point last() const noexcept {
    return clock::time_point{clock::duration{last_ns_.load(std::memory_order_relaxed)}};
  }

private:
  std::atomic<clock::rep> last_ns_{0};  // 0: the engine has not started
  std::atomic<bool> heard_{false};
  std::atomic<bool> done_{false};
  std::atomic<bool> waiting_{false};
};

using handshake_progress_ptr = std::shared_ptr<handshake_progress>;

} // namespace cafmq
