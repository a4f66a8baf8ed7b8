// The Majordomo broker's stop(drain): requests in flight are answered within the drain time
// (their replies forwarded), queued ones discarded, new ones dropped, workers get DISCONNECT.
#include "integration/mdp_broker_peers.hpp"

#include <future>

namespace cafmq {
namespace {

using namespace test::mdp_peers;

uint64_t workers(const mdp::broker_stats& s) { return s.workers; }

TEST(MdpBrokerStop, DrainsInFlightDiscardsQueued) {
  bound_broker b;
  raw_worker w{b.ctx, b.endpoint, "W", "echo"};
  ASSERT_TRUE(stat_reaches(b.broker, workers, 1));
  raw_client client{b.ctx, b.endpoint};
  client.request("echo", "in flight");
  auto req = w.next();
  ASSERT_TRUE(req);
  client.request("nobody", "queued");
  ASSERT_TRUE(stat_reaches(b.broker, [](const mdp::broker_stats& s) { return s.requests_received; }, 2));
  auto stopping = std::async(std::launch::async, [&] { return b.broker.stop(5000ms); });
  // The stop waits for the reply in flight: the worker answers while it drains.
  EXPECT_EQ(stopping.wait_for(100ms), std::future_status::timeout);
  w.reply(*req, "just in time");
  auto summary = stopping.get();
  EXPECT_EQ(client.reply(), std::make_pair(std::string("echo"), std::string("just in time")));
  EXPECT_EQ(summary.in_flight, 1u);
  EXPECT_EQ(summary.answered_while_draining, 1u);
  EXPECT_EQ(summary.unanswered, 0u);
  EXPECT_EQ(summary.discarded, 1u);
  EXPECT_EQ(summary.workers_disconnected, 1u);
  auto d = w.next();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->cmd, mdpc::command::disconnect);
  EXPECT_FALSE(b.broker.running());
  EXPECT_EQ(b.broker.stats().replies_answered, 1u);
  EXPECT_EQ(b.broker.stop(0ms).in_flight, 1u) << "a second stop repeats the first";
  EXPECT_THROW(b.broker.bind("tcp://127.0.0.1:*"), error);
}

TEST(MdpBrokerStop, DrainTimeBoundsTheWait) {
  bound_broker b;
  raw_worker w{b.ctx, b.endpoint, "W", "echo"};
  ASSERT_TRUE(stat_reaches(b.broker, workers, 1));
  raw_client client{b.ctx, b.endpoint};
  client.request("echo", "never answered");
  ASSERT_TRUE(w.next());
  auto start = std::chrono::steady_clock::now();
  auto summary = b.broker.stop(200ms);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 3000ms);
  EXPECT_EQ(summary.in_flight, 1u);
  EXPECT_EQ(summary.unanswered, 1u);
  EXPECT_EQ(summary.answered_while_draining, 0u);
}

TEST(MdpBrokerStop, BadArgumentsAreRefused) {
  context ctx;
  auto o = quick();
  o.heartbeat_interval = 0ms;
  EXPECT_THROW((mdp::broker{ctx, o}), error);
  o = quick();
  o.heartbeat_liveness = 0;
  EXPECT_THROW((mdp::broker{ctx, o}), error);
  o = quick();
  o.request_expiry = 0ms;
  EXPECT_THROW((mdp::broker{ctx, o}), error);
  mdp::broker ok{ctx, quick()};
  EXPECT_THROW(ok.bind("nonsense://x"), error);
  EXPECT_THROW(ok.stop(-1ms), error);
  EXPECT_TRUE(ok.running());
}

} // namespace
} // namespace cafmq
