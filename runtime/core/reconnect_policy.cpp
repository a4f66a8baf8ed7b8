// Exponential backoff with a bounded downward jitter.
#include "runtime/core/reconnect_policy.hpp"

#include <algorithm>

namespace cafmq {

reconnect_policy::reconnect_policy(const socket_options& opts, uint64_t seed)
  : ivl_ms_(opts.reconnect_ivl_ms),
    ivl_max_ms_(opts.reconnect_ivl_max_ms),
    jitter_pct_(static_cast<uint32_t>(opts.reconnect_jitter_pct)),
    max_attempts_(static_cast<uint32_t>(opts.reconnect_max_attempts)),
    rng_(static_cast<std::minstd_rand::result_type>(seed % 2147483646u + 1)) {
}

std::chrono::milliseconds reconnect_policy::nominal_next() const noexcept {
  if (ivl_ms_ <= 0)
    return std::chrono::milliseconds{std::max<int64_t>(ivl_ms_, 0)};
  if (ivl_max_ms_ <= 0)
    return std::chrono::milliseconds{ivl_ms_};
  int64_t wait = ivl_ms_;
  for (uint32_t i = 0; i < retries_ && wait < ivl_max_ms_; ++i)  // doubles without overflowing
    wait *= 2;
  return std::chrono::milliseconds{std::min(wait, ivl_max_ms_)};
}

std::chrono::milliseconds reconnect_policy::next() {
  auto wait = nominal_next().count();
  ++retries_;
  if (jitter_pct_ == 0 || wait == 0)
    return std::chrono::milliseconds{wait};
  int64_t span = wait * jitter_pct_ / 100;
  std::uniform_int_distribution<int64_t> cut{0, span};
  return std::chrono::milliseconds{wait - cut(rng_)};
}

} // namespace cafmq
