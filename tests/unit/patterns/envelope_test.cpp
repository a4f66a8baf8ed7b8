// Reply envelopes: splitting a request at its first empty frame.
#include "patterns/pipe_peer.hpp"

#include "patterns/envelope.hpp"

#include <gtest/gtest.h>

using namespace cafmq;
using namespace cafmq::patterns;
using test::frames;
using test::strings;

namespace {

TEST(Envelope, SplitsAtTheFirstEmptyFrame) {
  message env, body;
  ASSERT_TRUE(split_envelope(test::msg({"id2", "id1", "", "body", "", "more"}), env, body));
  EXPECT_EQ(frames(env), (strings{"id2", "id1", ""}));
  EXPECT_EQ(frames(body), (strings{"body", "", "more"}));  // later empty frames belong to the body
}

TEST(Envelope, BareDelimiterIsAnEnvelopeOfOneFrame) {
  message env, body;
  ASSERT_TRUE(split_envelope(test::msg({"", "hello"}), env, body));
  EXPECT_EQ(frames(env), strings{""});
  EXPECT_EQ(frames(body), strings{"hello"});
}

TEST(Envelope, NoDelimiterOrNoBodyIsNoRequest) {
  message env{"stale"}, body{"stale"};
  EXPECT_FALSE(split_envelope(test::msg({"id", "body"}), env, body));
  EXPECT_TRUE(env.empty());
  EXPECT_TRUE(body.empty());
  EXPECT_FALSE(split_envelope(test::msg({"id", ""}), env, body));
}

TEST(Envelope, FindDelimiter) {
  EXPECT_EQ(find_delimiter(test::msg({"a", "b"})), no_delimiter);
  EXPECT_EQ(find_delimiter(test::msg({"a", "", ""})), 1u);
}

TEST(Envelope, AppendFramesCopiesLargeFramesWithoutTouchingTheSource) {
  std::string big(1000, 'x');
  message src{"skip", big};
  message out{"head"};
  append_frames(out, src, 1);
  EXPECT_EQ(frames(out), (strings{"head", big}));
  EXPECT_EQ(src[1].to_string(), big);
}

} // namespace
