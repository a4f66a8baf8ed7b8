// Which pending handshakes a listener closes, and when (docs/reliability.md, "Pending
// handshakes"). Pure bookkeeping: no I/O, time passed in. A pending handshake is
//   - idle: its engine has run and the peer sent nothing for `idle_after` (silent since the engine
//     started, or stalled after some bytes);
//   - silent: nothing received yet (its bytes may still be waiting to be read);
//   - active: handshake bytes arrived less than `idle_after` ago.
// Above `soft` pending, idle ones are closed, the longest idle first. Above `hard`, one more is
// closed for each new connection: idle first, then silent (the oldest first), then active (the
// longest without progress first). Below `soft`, nothing is closed: handshake_ivl ends the rest.
// One whose peer waits on our authenticator (a verdict pending) is never idle; it still counts
// toward the hard limit. One whose engine finished counts toward neither: evict() forgets it.
// An idle or silent one whose bytes are found waiting to be read (`has_unread`, asked only of
// the ones about to be closed) is active from then on: the engine is behind, not the peer. One
// whose engine has finished the handshake is never closed (the listener is behind).
#pragma once

#include "runtime/core/handshake_progress.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace cafmq {

/// The limits of one listener's pending handshakes.
struct handshake_limits {
  size_t soft = 256;   ///< max_pending_handshakes: above it, idle handshakes are closed
  size_t hard = 4096;  ///< never more pending than this (hard_factor x soft)
  std::chrono::milliseconds idle_after{2000};  ///< no progress for this long: idle
  /// hard = hard_factor x max_pending_handshakes.
  static constexpr size_t hard_factor = 16;
  /// The limits that max_pending_handshakes (`soft`) stands for.
  static handshake_limits of(size_t soft) { return {soft, soft * hard_factor}; }
};

/// The pending handshakes of one listener, by connection id (ids grow with arrival).
class handshake_admission {
public:
  using clock = handshake_progress::clock;
  /// Why a handshake was chosen: idle above the soft limit, or the hard limit reached.
  enum class why { idle, hard_limit };
  struct victim {
    uint64_t id;
    why reason;
  };

  explicit handshake_admission(handshake_limits limits) : limits_(limits) {}

  /// A connection accepted at `now` begins its handshake; `progress` is its engine's record.
  void add(uint64_t id, handshake_progress_ptr progress, clock::time_point now);
  /// It finished, ended or was closed: it is no longer pending. False if it was not.
  bool done(uint64_t id);
  /// Pending handshakes (finished ones included until evict() looks at them).
  size_t size() const noexcept { return pending_.size(); }
  const handshake_limits& limits() const noexcept { return limits_; }

  /// Whether the kernel holds unread bytes of pending handshake `id`.
  using unread_probe = std::function<bool(uint64_t id)>;
  /// The handshakes to close, at `now`, before `arriving` more are added: enough to stay within
  /// the hard limit, then the idle ones above the soft limit. They are no longer pending. One
  /// with unread bytes (`has_unread`) is spared, unless the hard limit needs it after all others.
  /// O(n) per call, plus O(k log n) for k victims; nothing is scanned while below the hard limit
  /// and the oldest was added less than idle_after ago.
  std::vector<victim> evict(clock::time_point now, size_t arriving = 0,
                            const unread_probe& has_unread = {});
  /// The ids evict() forgot because their engine had finished (not closed; the listener hears of
  /// them later), since the last call.
  std::vector<uint64_t> take_finished();
  /// True while above the soft limit: evict() may find more idle ones as time passes.
  bool over_soft() const noexcept { return pending_.size() > limits_.soft; }

private:
  struct entry {
    handshake_progress_ptr progress;
    clock::time_point added;
  };
  // Eviction order: a lower rank goes first; within a rank, the earlier `since`, then the lower id.
  struct standing {
    int rank;  // 0 idle, 1 silent, 2 active
    clock::time_point since;
    uint64_t id;
    bool operator<(const standing& o) const noexcept {
      if (rank != o.rank)
        return rank < o.rank;
      if (since != o.since)
        return since < o.since;
      return id < o.id;
    }
  };
  standing standing_of(uint64_t id, const entry& e, clock::time_point now) const;
  void forget_finished();  // moves the finished ones from pending_ to finished_

  handshake_limits limits_;
  std::map<uint64_t, entry> pending_;
  std::vector<uint64_t> finished_;
};

} // namespace cafmq
