// pipe::lingering(), the rule a lingering close waits by (docs/socket-options.md, "Linger"): the
// user's messages for a live or returning peer; never a control-only pipe's subscriptions, never
// an XPUB welcome to a peer that never connected, nothing once the pipe is detached.
#include "runtime/core/pipe.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace cafmq {
namespace {

pipe_ptr make_pipe() {
  static uint64_t next_id = 0;
  return std::make_shared<pipe>(16, 16, nullptr, ++next_id);
}

void queue(const pipe_ptr& p, std::string_view body) {
  message m{body};
  ASSERT_TRUE(p->outbound().try_push(m));
  p->outbound().flush();
}

void connect(const pipe_ptr& p) {
  p->set_peer(std::make_shared<const peer_properties>(metadata{}, "", "127.0.0.1", ""));
}

TEST(PipeLingering, TheUsersMessagesAreWaitedForConnectedOrNot) {
  auto p = make_pipe();
  queue(p, "a");
  queue(p, "b");
  EXPECT_EQ(p->lingering(), 2U) << "a connector's peer may still come";
  connect(p);
  EXPECT_EQ(p->lingering(), 2U);
}

TEST(PipeLingering, AControlOnlyPipeNeverHoldsAClose) {
  auto p = make_pipe();
  p->mark_control_only();
  queue(p, "\x01topic");
  EXPECT_EQ(p->lingering(), 0U) << "a subscription to nobody";
  connect(p);
  EXPECT_EQ(p->lingering(), 0U) << "a subscription to a stalled publisher: moot once closed";
  EXPECT_EQ(p->queued_user_messages(), 0U);
  EXPECT_EQ(p->outbound().size(), 1U) << "it is still in the queue";
}

TEST(PipeLingering, AWelcomeIsWaitedForOnlyOnceThePeerConnected) {
  auto p = make_pipe();
  p->mark_greeting_queued();
  queue(p, "welcome");
  EXPECT_EQ(p->lingering(), 0U);
  queue(p, "publication");
  EXPECT_EQ(p->lingering(), 1U) << "the user's publication is waited for, the welcome is not";
  connect(p);
  EXPECT_EQ(p->lingering(), 2U);
}

TEST(PipeLingering, ADetachedOrRefusedPipeHoldsNothing) {
  auto detached = make_pipe();
  queue(detached, "a");
  detached->detach();
  EXPECT_EQ(detached->lingering(), 0U);
  auto refused = make_pipe();
  queue(refused, "a");
  refused->close_by_user();
  EXPECT_EQ(refused->lingering(), 0U);
}

} // namespace
} // namespace cafmq
