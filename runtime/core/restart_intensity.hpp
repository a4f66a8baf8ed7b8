// The supervisor's restart intensity (as in Erlang/OTP): at most N restarts within a period T.
// One more means the failure is not transient, and the supervisor escalates instead of
// restarting again. Pure: the caller passes the clock.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>

namespace cafmq {

/// Counts restarts in a sliding window.
class restart_intensity {
public:
  using clock = std::chrono::steady_clock;

  /// `max_restarts` 0 means no limit.
  restart_intensity(size_t max_restarts, std::chrono::milliseconds period)
    : max_(max_restarts), period_(period) {}

  /// Records a restart at `now`; false when it is one too many within the period.
  bool allow(clock::time_point now) {
    if (max_ == 0)
      return true;
    while (!recent_.empty() && now - recent_.front() >= period_)
      recent_.pop_front();
    if (recent_.size() >= max_)
      return false;
    recent_.push_back(now);  // at most max_ entries: bounded
    return true;
  }
  /// Restarts within the period as of the last call.
  size_t recent() const noexcept { return recent_.size(); }

private:
  size_t max_;
  std::chrono::milliseconds period_;
  std::deque<clock::time_point> recent_;
};

} // namespace cafmq
