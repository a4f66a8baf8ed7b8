// Paranoid Pirate (RFC 6) messages: READY/HEARTBEAT commands, requests and replies with their
// envelopes, and malformed input reported with a reason.
#include "patterns/pipe_peer.hpp"

#include "patterns/ppp_command.hpp"

#include <gtest/gtest.h>

using namespace cafmq;
using namespace cafmq::patterns;
using test::frames;
using test::strings;

namespace {

TEST(PppCommand, BuildsOneByteCommands) {
  EXPECT_EQ(frames(ppp::make_ready()), strings{"\x01"});
  EXPECT_EQ(frames(ppp::make_heartbeat()), strings{"\x02"});
}

TEST(PppCommand, WorkerCommandsAreRecognised) {
  EXPECT_EQ(ppp::classify_from_worker(ppp::make_ready()).what, ppp::kind::ready);
  EXPECT_EQ(ppp::classify_from_worker(ppp::make_heartbeat()).what, ppp::kind::heartbeat);
}

TEST(PppCommand, ReplyBodyStartsAfterTheDelimiter) {
  auto c = ppp::classify_from_worker(test::msg({"client", "", "reply", "more"}));
  EXPECT_EQ(c.what, ppp::kind::reply);
  EXPECT_EQ(c.body_at, 2u);
}

TEST(PppCommand, RequestFromQueueKeepsItsEnvelope) {
  auto c = ppp::classify_from_queue(test::msg({"hop2", "hop1", "", "work"}));
  EXPECT_EQ(c.what, ppp::kind::request);
  EXPECT_EQ(c.body_at, 3u);
}

TEST(PppCommand, UnknownOneFrameCommandIsMalformed) {
  for (auto bad : {"\x03", "\x01\x01", "", "READY"}) {
    auto c = ppp::classify_from_worker(test::msg({bad}));
    EXPECT_EQ(c.what, ppp::kind::malformed) << bad;
    EXPECT_EQ(c.why, ppp::fault::unknown_command) << bad;
  }
}

TEST(PppCommand, QueueNeverSendsReady) {
  auto c = ppp::classify_from_queue(ppp::make_ready());
  EXPECT_EQ(c.what, ppp::kind::malformed);
  EXPECT_EQ(c.why, ppp::fault::unknown_command);
  EXPECT_EQ(ppp::classify_from_queue(ppp::make_heartbeat()).what, ppp::kind::heartbeat);
}

TEST(PppCommand, WrongFrameCountsAreReported) {
  EXPECT_EQ(ppp::classify_from_worker(message{}).why, ppp::fault::empty);
  EXPECT_EQ(ppp::classify_from_queue(message{}).why, ppp::fault::empty);
  // A command byte with a second frame is no command, and no envelope either.
  EXPECT_EQ(ppp::classify_from_worker(test::msg({"\x01", "x"})).why, ppp::fault::no_envelope);
  EXPECT_EQ(ppp::classify_from_queue(test::msg({"\x02", "x"})).why, ppp::fault::no_envelope);
  // An envelope with no body.
  EXPECT_EQ(ppp::classify_from_worker(test::msg({"client", ""})).why, ppp::fault::no_body);
  EXPECT_EQ(ppp::classify_from_queue(test::msg({"client", ""})).why, ppp::fault::no_body);
}

TEST(PppCommand, FaultsHaveNames) {
  EXPECT_STREQ(ppp::to_string(ppp::fault::unknown_command), "unknown_command");
  EXPECT_STREQ(ppp::to_string(ppp::fault::no_envelope), "no_envelope");
  EXPECT_STREQ(ppp::to_string(ppp::kind::ready), "READY");
}

TEST(PppCommand, PrependAndStripRoutingId) {
  auto routed = ppp::prepend(frame{"worker-1"}, test::msg({"client", "", "body"}));
  EXPECT_EQ(frames(routed), (strings{"worker-1", "client", "", "body"}));
  EXPECT_EQ(frames(ppp::without_first(routed)), (strings{"client", "", "body"}));
  EXPECT_TRUE(ppp::without_first(test::msg({"only"})).empty());
}

} // namespace
