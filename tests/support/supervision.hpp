// Helpers of the supervision tests: exact message exchanges, events by code, tree lookups.
#pragma once

#include "support/deadline.hpp"
#include "support/events.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace cafmq::test {

/// Sends `n` messages "<tag> <i>" from `push` and reads exactly them, in order, from `pull`;
/// then nothing else is queued.
inline void exchange(socket& push, socket& pull, const std::string& tag, int n) {
  for (int i = 0; i < n; ++i)
    ASSERT_TRUE(push.send(message{tag + " " + std::to_string(i)}, milliseconds{5000})) << tag << " " << i;
  for (int i = 0; i < n; ++i) {
    auto m = pull.recv(milliseconds{5000});
    ASSERT_TRUE(m.has_value()) << tag << ": message " << i << " of " << n << " missing";
    EXPECT_EQ((*m)[0].to_string(), tag + " " + std::to_string(i));
  }
  EXPECT_FALSE(pull.recv(milliseconds{0}).has_value()) << tag << ": a message too many";
}

/// Reads events until one of `kind` with `code` arrives; nullopt after `budget`.
inline std::optional<monitor_event> next_with_code(event_stream& events, event_kind kind, event_reason code,
                                                   std::vector<monitor_event>& seen,
                                                   milliseconds budget = milliseconds{5000}) {
  deadline d{budget};
  while (auto e = next_event(events, kind, d.remaining(), &seen))
    if (e->reason_code == code)
      return e;
  return std::nullopt;
}

/// The child of `n` with `role` and `ep`, or null.
inline const supervision_node* find_node(const supervision_node& n, node_role role, const std::string& ep) {
  for (auto& c : n.children)
    if (c.role == role && c.endpoint == ep)
      return &c;
  return nullptr;
}
const supervision_node* find_node(supervision_node&&, node_role, const std::string&) = delete;

} // namespace cafmq::test
