// Waiting for monitor events in tests: the next event of a kind, with a deadline, keeping what
// went by for assertion messages.
#pragma once

#include "support/deadline.hpp"

#include "runtime/core/monitor_hub.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cafmq::test {

/// Reads `events` until an event of `kind` arrives (returned) or `budget` runs out (nullopt).
/// Every event read, the match included, is appended to `seen` if given.
inline std::optional<monitor_event> next_event(event_stream& events, event_kind kind,
                                               milliseconds budget,
                                               std::vector<monitor_event>* seen = nullptr) {
  deadline d{budget};
  while (!d.expired()) {
    auto e = events.next(d.remaining());
    if (!e)
      break;
    if (seen)
      seen->push_back(*e);
    if (e->kind == kind)
      return e;
  }
  return std::nullopt;
}

/// The events as JSON lines, for assertion messages.
inline std::string describe(const std::vector<monitor_event>& events) {
  std::string out;
  for (auto& e : events)
    out += to_json(e) + "\n";
  return out;
}

} // namespace cafmq::test
