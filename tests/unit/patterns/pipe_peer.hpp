// Test helpers for patterns on in-memory pipes: the test plays each peer's engine, pushing into a
// pipe's inbound ring and reading its outbound ring.
#pragma once

#include "patterns/subscription_message.hpp"
#include "runtime/core/pipe.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace cafmq::test {

inline pipe_ptr make_pipe(size_t sndhwm = 100, size_t rcvhwm = 100) {
  static uint64_t next_id = 0;
  return std::make_shared<cafmq::pipe>(sndhwm, rcvhwm, nullptr, ++next_id);
}

// The peer sends `m` (its engine pushes into our inbound ring).
inline void peer_sends(const pipe_ptr& p, message m) {
  ASSERT_TRUE(p->inbound().try_push(m));
  p->inbound().flush();
}

inline void peer_subscribes(const pipe_ptr& p, std::string_view prefix, bool add = true) {
  peer_sends(p, patterns::subscription_message(prefix, add));
}

// Everything the peer has been sent, as first-frame strings (multipart frames joined with '|').
inline std::vector<std::string> peer_got(const pipe_ptr& p) {
  std::vector<std::string> out;
  message m;
  while (p->outbound().try_pop(m)) {
    std::string s;
    for (size_t i = 0; i < m.size(); ++i)
      s += (i ? "|" : "") + m[i].to_string();
    out.push_back(s);
  }
  return out;
}

} // namespace cafmq::test
