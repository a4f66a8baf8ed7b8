// Deadlines for tests: every wait in the suites is bounded by one of these, and conditions are
// polled (never a fixed sleep standing in for synchronisation).
#pragma once

#include <algorithm>
#include <chrono>
#include <thread>

namespace cafmq::test {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// A point in time that a wait must not pass.
class deadline {
public:
  explicit deadline(milliseconds budget) : end_(clock::now() + budget) {}
  /// True once the deadline has passed.
  bool expired() const noexcept { return clock::now() >= end_; }
  /// Time left (zero once expired).
  milliseconds remaining() const noexcept {
    auto left = std::chrono::duration_cast<milliseconds>(end_ - clock::now());
    return left.count() > 0 ? left : milliseconds{0};
  }
  /// The absolute end.
  clock::time_point at() const noexcept { return end_; }

private:
  clock::time_point end_;
};

/// Polls `condition` every `period` until it holds (true) or `budget` runs out (false). The
/// condition is checked once more at the deadline, so a late success still counts.
template <class Condition>
bool eventually(Condition&& condition, milliseconds budget, milliseconds period = milliseconds{2}) {
  deadline d{budget};
  for (;;) {
    if (condition())
      return true;
    if (d.expired())
      return condition();
    std::this_thread::sleep_for(std::min(period, d.remaining()));
  }
}

/// Milliseconds elapsed since `start`.
inline long long elapsed_ms(clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(clock::now() - start).count();
}

} // namespace cafmq::test
