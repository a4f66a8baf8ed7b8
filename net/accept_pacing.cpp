// The back-off doubles from first_pause to longest_pause while accepts fail and starts over with
// the next accept that works.
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
  if (!in_episode(now)) {
    failures_ = 0;
    began_ = now;
    d.report = true;
  }
  ++failures_;
  ++in_a_row_;
  last_failure_ = now;
  working_ = false;
  if (exhausted(ec) || in_a_row_ >= persistent_failures) {
    d.pause = next_pause_;
    next_pause_ = std::min(next_pause_ * 2, longest_pause);
  }
  return d;
}

accept_pacing::episode accept_pacing::succeeded(clock::time_point now) {
  in_a_row_ = 0;
  next_pause_ = first_pause;
  episode e;
  if (failures_ == 0 || working_)
    return e;
  working_ = true;
  e.failures = failures_;
  e.lasted = now - began_;
  return e;
}

} // namespace cafmq::net
