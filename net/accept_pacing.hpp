// How an accept loop meets failures (sans-I/O, the clock passed in): it pauses with a bounded
// back-off when the process or the system is out of descriptors or memory, or when accepts keep
// failing whatever the error; goes on at once after an occasional other failure; and reports
// failures coalesced, so no failure rate floods the listener actor or the log.
#pragma once

#include <chrono>
#include <cstdint>
#include <system_error>

namespace cafmq::net {

/// One listener's failure bookkeeping. An episode runs from a failed accept until a whole
/// quiet_period passes with no failure after an accept works again, so accepts that fail and
/// work by turns at the descriptor limit stay one episode. Each episode is reported once, at its
/// first failure (episodes are at least quiet_period apart: never more than one report a second).
class accept_pacing {
public:
  using clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds first_pause{10};
  static constexpr std::chrono::milliseconds longest_pause{1000};
  static constexpr std::chrono::milliseconds quiet_period{1000};
  /// Failures in a row, of any kind, after which accepting pauses too (EPERM from a seccomp
  /// filter, say, fails every accept at once).
  static constexpr uint64_t persistent_failures = 8;

  /// What to do after a failure.
  struct decision {
    std::chrono::milliseconds pause{0};  ///< before the next accept; zero: accept again at once
    bool report = false;                 ///< tell the listener now
  };
  /// How an episode went, up to the accept that worked.
  struct episode {
    uint64_t failures = 0;  ///< zero: there was no episode, or it was said already
    clock::duration lasted{};
  };

  /// True for the errors that pause accepting: EMFILE, ENFILE, ENOBUFS, ENOMEM.
  static bool exhausted(const std::error_code& ec) noexcept;

  /// An accept failed with `ec` at `now`.
  decision failed(const std::error_code& ec, clock::time_point now);
  /// An accept worked at `now`: the back-off starts over. The first one after failures returns
  /// the episode's figures so far (the episode goes on until quiet_period passes).
  episode succeeded(clock::time_point now);
  /// True from a failure until quiet_period after the next accept that works.
  bool in_episode(clock::time_point now) const noexcept {
    return failures_ > 0 && !(working_ && now - last_failure_ >= quiet_period);
  }

private:
  uint64_t failures_ = 0;  // in this episode
  uint64_t in_a_row_ = 0;  // failures since the last accept that worked
  clock::time_point began_{};
  clock::time_point last_failure_{};
  bool working_ = false;  // an accept has worked since the last failure
  std::chrono::milliseconds next_pause_ = first_pause;
};

} // namespace cafmq::net
