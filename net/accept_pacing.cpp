// The back-off doubles from first_pause to longest_pause within an episode and starts over with
// the next one.
#include "net/accept_pacing.hpp"

#include <algorithm>
#include <cerrno>

namespace cafmq::net {

bool accept_pacing::exhausted(const std::error_code& ec) noexcept {
  if (ec.category() != std::system_category() && ec.category() != std::generic_category())
    return false;
  switch (ec.value()) {
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM: return true;
    default: return false;
  }
}

accept_pacing::decision accept_pacing::failed(const std::error_code& ec, clock::time_point now) {
  decision d;
  if (failures_++ == 0) {
    began_ = now;
    reported_ = false;
  }
  if (exhausted(ec)) {
    d.pause = next_pause_;
    next_pause_ = std::min(next_pause_ * 2, longest_pause);
  }
  if (!reported_ && (!last_report_ || now - *last_report_ >= report_spacing)) {
    d.report = true;
    d.unreported = unreported_;
    unreported_ = 0;
    reported_ = true;
    last_report_ = now;
  }
  return d;
}

accept_pacing::episode accept_pacing::succeeded(clock::time_point now) {
  episode e;
  if (failures_ == 0)
    return e;
  e.failures = failures_;
  e.lasted = now - began_;
  if (!reported_)
    unreported_ += failures_;
  failures_ = 0;
  next_pause_ = first_pause;
  return e;
}

} // namespace cafmq::net
