#include "patterns/ppp_timing.hpp"

namespace cafmq::patterns::ppp {

const char* invalid_reason(const timing& t) noexcept {
  if (t.liveness < 1)
    return "liveness must be at least 1";
  if (t.interval < milliseconds{1})
    return "heartbeat interval must be at least 1 ms";
  if (t.reconnect_initial < milliseconds{1})
    return "initial reconnect interval must be at least 1 ms";
  if (t.reconnect_max < t.reconnect_initial)
    return "maximum reconnect interval must not be below the initial one";
  if (t.interval.count() > (milliseconds::max().count() / 1024) / t.liveness)
    return "heartbeat interval x liveness is too large";
  return nullptr;
}

} // namespace cafmq::patterns::ppp
