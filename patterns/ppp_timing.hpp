// Paranoid Pirate (RFC 6) timing as small state machines driven by the caller's clock: when to
// send the next HEARTBEAT, when a silent peer counts as lost (liveness), and how long a worker
// waits before reconnecting (doubling up to a maximum). Pure: every call takes the time point.
#pragma once

#include <algorithm>
#include <chrono>

namespace cafmq::patterns::ppp {

using clock = std::chrono::steady_clock;
using time_point = clock::time_point;
using std::chrono::milliseconds;

/// How long from `now` until `at`, rounded up to whole milliseconds (a poller's timeout);
/// zero once `at` has passed.
inline milliseconds until(time_point at, time_point now) {
  return at <= now ? milliseconds{0} : std::chrono::ceil<milliseconds>(at - now);
}

/// RFC 6's parameters (its defaults: the zguide's ppqueue/ppworker).
struct timing {
  int liveness = 3;                     ///< heartbeats a peer may miss before it counts as lost
  milliseconds interval{1000};          ///< heartbeat interval
  milliseconds reconnect_initial{1000}; ///< worker: first wait before reconnecting
  milliseconds reconnect_max{32000};    ///< worker: the wait doubles up to this

  /// How long a peer may stay silent: liveness x interval.
  milliseconds silence_limit() const noexcept { return interval * liveness; }
};

/// Why `t` is unusable, or nullptr when it is valid (liveness >= 1, interval >= 1 ms,
/// 1 ms <= reconnect_initial <= reconnect_max).
const char* invalid_reason(const timing& t) noexcept;

/// When the next HEARTBEAT is due. Anything sent to the peer counts as a heartbeat (RFC 6:
/// peers need not send HEARTBEAT while they send other commands), so sent() moves it on.
class heartbeat_clock {
public:
  heartbeat_clock(milliseconds interval, time_point now) noexcept
    : interval_(interval), next_(now + interval) {}
  /// True when a HEARTBEAT is due at `now`; then the next one is due an interval later.
  bool due(time_point now) noexcept {
    if (now < next_)
      return false;
    next_ = now + interval_;
    return true;
  }
  /// Something was sent at `now`: the next HEARTBEAT is due an interval later.
  void sent(time_point now) noexcept { next_ = now + interval_; }
  /// When the next HEARTBEAT is due.
  time_point next() const noexcept { return next_; }

private:
  milliseconds interval_;
  time_point next_;
};

/// A worker's view of its queue: liveness counts down by one for every interval without a
/// message from the queue and is restored by any message; at zero the queue is lost. The
/// reconnect back-off starts at reconnect_initial, doubles after each use up to reconnect_max,
/// and is reset by a message from the queue (the connection works again).
class worker_liveness {
public:
  worker_liveness(const timing& t, time_point now) noexcept
    : timing_(t), liveness_(t.liveness), check_at_(now + t.interval),
      backoff_(t.reconnect_initial) {}

  /// A message came from the queue at `now`.
  void heard(time_point now) noexcept {
    restart(now);
    backoff_ = timing_.reconnect_initial;
  }
  /// The countdown starts again from a full liveness at `now` (after a reconnect, or after a
  /// reply to a request the worker held meanwhile) without touching the back-off.
  void restart(time_point now) noexcept {
    liveness_ = timing_.liveness;
    check_at_ = now + timing_.interval;
  }
  /// Counts the intervals that passed silently up to `now`; true once the queue is lost.
  bool lost(time_point now) noexcept {
    while (liveness_ > 0 && now >= check_at_) {
      --liveness_;
      check_at_ += timing_.interval;
    }
    return liveness_ == 0;
  }
  /// The wait before the next reconnect; each call doubles the next one up to the maximum.
  milliseconds next_backoff() noexcept {
    auto wait = backoff_;
    backoff_ = std::min(backoff_ * 2, timing_.reconnect_max);
    return wait;
  }
  /// Liveness left (RFC 6's counter).
  int liveness() const noexcept { return liveness_; }
  /// When the countdown next decides something.
  time_point next_check() const noexcept { return check_at_; }

private:
  timing timing_;
  int liveness_;
  time_point check_at_;
  milliseconds backoff_;
};

} // namespace cafmq::patterns::ppp
