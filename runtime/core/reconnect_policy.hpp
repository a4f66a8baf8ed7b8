// When a connector dials again (libzmq ZMQ_RECONNECT_IVL, _IVL_MAX, ZMQ_RECONNECT_STOP) and when
// it gives up. Pure arithmetic: the connector actor owns the timers.
#pragma once

#include "options.hpp"

#include <chrono>
#include <cstdint>
#include <random>

namespace cafmq {

/// The wait before each redial of one connect endpoint, and the attempt count.
///
/// The n-th consecutive retry (n from 0) waits reconnect_ivl * 2^n, capped at reconnect_ivl_max
/// (no doubling when reconnect_ivl_max is 0), minus a jitter drawn uniformly from
/// [0, wait * reconnect_jitter_pct / 100]: so a wait is never longer than the nominal one, and
/// never shorter than (100 - jitter) % of it. A successful handshake resets the count.
class reconnect_policy {
public:
  /// `seed` makes the jitter reproducible (tests); connectors seed from std::random_device.
  reconnect_policy(const socket_options& opts, uint64_t seed);
  /// False when the options say never to reconnect (reconnect_ivl = -1).
  bool enabled() const noexcept { return ivl_ms_ >= 0; }
  /// True when another retry is allowed (reconnect_max_attempts not reached).
  bool may_retry() const noexcept { return max_attempts_ == 0 || retries_ < max_attempts_; }
  /// The nominal wait (without jitter) of the next retry.
  std::chrono::milliseconds nominal_next() const noexcept;
  /// Counts a retry and returns its wait, with jitter.
  std::chrono::milliseconds next();
  /// A handshake succeeded: the next retry waits reconnect_ivl again and the count restarts.
  void reset() noexcept { retries_ = 0; }
  /// Retries since the last reset.
  uint32_t retries() const noexcept { return retries_; }

private:
  int64_t ivl_ms_;
  int64_t ivl_max_ms_;
  uint32_t jitter_pct_;
  uint32_t max_attempts_;
  uint32_t retries_ = 0;
  std::minstd_rand rng_;
};

} // namespace cafmq
