// A bound PULL with a legitimate cafmq PUSH peer: the bystander that every bad-input test checks
// is unharmed by what a hostile peer sends to the same socket.
#pragma once

#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace cafmq::test {

struct guarded_pull {
  context ctx;
  socket pull;
  socket push{ctx, socket_type::push, no_linger()};
  explicit guarded_pull(socket_options o = no_linger()) : pull(ctx, socket_type::pull, o) {
    pull.bind("tcp://127.0.0.1:*");
    push.connect(pull.last_endpoint());
  }
  const std::string& endpoint() const { return pull.last_endpoint(); }
  /// The legitimate peer's message `tag` arrives (and nothing else is in the way).
  void expect_flow(const std::string& tag) {
    using namespace std::chrono_literals;
    ASSERT_TRUE(push.send(message{tag}, 5000ms));
    auto m = pull.recv(5000ms);
    ASSERT_TRUE(m.has_value()) << "legitimate message '" << tag << "' did not arrive";
    EXPECT_EQ(frames_of(*m), std::vector<std::string>{tag});
  }
};

} // namespace cafmq::test
