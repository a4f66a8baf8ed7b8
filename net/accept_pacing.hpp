// How an accept loop meets failures (sans-I/O, the clock passed in): it pauses with a bounded
// back-off when the process or the system is out of descriptors or memory, goes on at once after
// any other failure, and reports failures coalesced, so no failure rate floods the listener actor
// or the log.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <system_error>

namespace cafmq::net {

/// One listener's failure bookkeeping. An episode runs from a failed accept until an accept
/// works again. Each episode is reported once (accept_failed), at most one report a second;
/// an episode left unreported by that spacing adds its failures to the next report.
class accept_pacing {
public:
  using clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds first_pause{10};
  static constexpr std::chrono::milliseconds longest_pause{1000};
  static constexpr std::chrono::milliseconds report_spacing{1000};

  /// What to do after a failure.
  struct decision {
    std::chrono::milliseconds pause{0};  ///< before the next accept; zero: accept again at once
    bool report = false;                 ///< tell the listener now
    uint64_t unreported = 0;             ///< when reporting: earlier failures never reported
  };
  /// How an episode went.
  struct episode {
    uint64_t failures = 0;  ///< zero: there was no episode
    clock::duration lasted{};
  };

  /// True for the errors that pause accepting: EMFILE, ENFILE, ENOBUFS, ENOMEM.
  static bool exhausted(const std::error_code& ec) noexcept;

  /// An accept failed with `ec` at `now`.
  decision failed(const std::error_code& ec, clock::time_point now);
  /// An accept worked at `now`: the episode, if one was running, ends.
  episode succeeded(clock::time_point now);
  /// True from a failure until the next accept that works.
  bool in_episode() const noexcept { return failures_ > 0; }

private:
  uint64_t failures_ = 0;  // in this episode
  clock::time_point began_{};
  bool reported_ = false;  // this episode
  uint64_t unreported_ = 0;
  std::optional<clock::time_point> last_report_;
  std::chrono::milliseconds next_pause_ = first_pause;
};

} // namespace cafmq::net
