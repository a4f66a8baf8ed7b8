// Rate limiting for log lines that can repeat without bound (accept failures, failed handshakes,
// refused connections, evictions): the first line of a kind in a window is written, the rest of
// the window's lines of that kind are counted, and a summary line follows, once the window is
// over: "<kind>: ... and 9999 more in the last 10 s".
#pragma once

#include "runtime/core/log.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cafmq::log {

/// Counts lines by kind over windows of a fixed length. Any thread (one mutex).
class limiter {
public:
  using clock = std::chrono::steady_clock;
  using now_fn = std::function<clock::time_point()>;

  /// Windows of `window`, timed by `now` (injectable for tests).
  explicit limiter(std::chrono::milliseconds window = std::chrono::seconds(10),
                   now_fn now = &clock::now);

  /// Writes `text` as log::write does if it is the first line of `kind` in its window, else
  /// counts it. Before that, writes the summaries of every window that has ended with lines
  /// counted (this kind's and the others').
  void write(level lvl, std::string_view component, std::string_view kind, std::string_view text);
  /// Writes the summaries of the windows that have ended with lines counted.
  void flush();
  /// Lines of `kind` counted (not written) in its current window.
  uint64_t suppressed(std::string_view kind) const;

private:
  struct window_state {
    clock::time_point started;
    uint64_t suppressed = 0;
    level lvl = level::warn;
    std::string component;
  };
  struct summary {
    level lvl;
    std::string component;
    std::string text;
  };
  // Moves the summaries of ended windows into `out` and forgets idle kinds; under mtx_.
  void take_due(clock::time_point now, std::vector<summary>& out);

  std::chrono::milliseconds window_;
  now_fn now_;
  mutable std::mutex mtx_;
  std::map<std::string, window_state, std::less<>> kinds_;
};

/// The process's limiter (10 s windows): limiter::write on it. Any thread.
void write_limited(level lvl, std::string_view component, std::string_view kind,
                   std::string_view text);
/// The process's limiter: limiter::flush on it. Any thread.
void flush_limited();

} // namespace cafmq::log
