// Rate limiting for log lines that can repeat without bound (accept failures, failed handshakes,
// refused connections, evictions): the first line of a kind (and level) in a window is written,
// the rest of the window's lines of that kind are counted, and a summary line follows once the
// window is over: "<kind>: ... and 9999 more in the last 10 s". The summary needs no further
// line: the first counted line of a window arms a flush at its end on a registered scheduler
// (each context's I/O pool registers one, net/log_flusher.hpp), and a context's close writes
// what is still counted.
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

/// Counts lines by kind and level over windows of a fixed length. Any thread (one mutex).
class limiter {
public:
  using clock = std::chrono::steady_clock;
  using now_fn = std::function<clock::time_point()>;
  /// Arranges for flush() to be called at (or soon after) the given time; must not call into
  /// the limiter itself.
  using arm_fn = std::function<void(clock::time_point)>;

  /// Windows of `window`, timed by `now` (injectable for tests).
  explicit limiter(std::chrono::milliseconds window = std::chrono::seconds(10),
                   now_fn now = &clock::now);

  /// Writes `text` as log::write does if it is the first line of `kind` at `lvl` in its window,
  /// else counts it (and the first one counted arms a flush at the window's end). Before that,
  /// writes the summaries of every window that has ended with lines counted.
  void write(level lvl, std::string_view component, std::string_view kind, std::string_view text);
  /// Writes the summaries of the windows that have ended with lines counted.
  void flush();
  /// Writes the summaries of every window with lines counted, ended or not (at close).
  void flush_all();
  /// Lines of `kind` counted (not written) in its current windows, all levels.
  uint64_t suppressed(std::string_view kind) const;
  /// Changes the window length (tests); windows already open keep their start.
  void set_window(std::chrono::milliseconds window);

  /// Registers `arm` (the most recent registration is used); returns its id for remove_scheduler.
  uint64_t add_scheduler(arm_fn arm);
  /// Unregisters; once it returns, that arm function is not called any more.
  void remove_scheduler(uint64_t id);

private:
  struct window_state {
    clock::time_point started;
    uint64_t suppressed = 0;
    level lvl = level::warn;
    std::string kind;
    std::string component;
  };
  struct summary {
    level lvl;
    std::string component;
    std::string text;
  };
  // Moves the summaries of ended windows (all of them if `all`) into `out` and forgets their
  // kinds; under mtx_.
  void take_due(clock::time_point now, bool all, std::vector<summary>& out);
  void arm(clock::time_point due);

  std::chrono::milliseconds window_;
  now_fn now_;
  mutable std::mutex mtx_;
  std::map<std::string, window_state, std::less<>> kinds_;  // key: kind + level
  std::mutex sched_mtx_;  // held while an arm function runs: remove_scheduler waits for it
  std::map<uint64_t, arm_fn> schedulers_;
  uint64_t last_scheduler_ = 0;
};

/// The process's limiter (10 s windows).
limiter& process_limiter();
/// process_limiter().write. Any thread.
void write_limited(level lvl, std::string_view component, std::string_view kind,
                   std::string_view text);
/// process_limiter().flush. Any thread.
void flush_limited();

} // namespace cafmq::log
