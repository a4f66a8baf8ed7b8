// The Majordomo broker's worker bookkeeping (RFC 7): heartbeats both ways, expiry of a silent
// worker, DISCONNECT for a READY twice and for malformed worker messages, malformed client
// messages dropped, and describe() showing one actor per service and per worker.
#include "integration/mdp_broker_peers.hpp"

namespace cafmq {
namespace {

using namespace test::mdp_peers;

uint64_t workers(const mdp::broker_stats& s) { return s.workers; }

TEST(MdpBrokerLiveness, HeartbeatsFlowBothWays) {
  constexpr auto beat = 250ms;  // expiry 750 ms: a stalled thread (TSan, load) is no silence
  bound_broker b{quick(beat)};
  raw_worker w{b.ctx, b.endpoint, "W", "echo"};
  ASSERT_TRUE(stat_reaches(b.broker, workers, 1));
  // The worker heartbeats at the broker's interval too, and counts the broker's.
  test::deadline d{10000ms};
  while (w.heartbeats < 5 && !d.expired()) {
    w.signal(mdpc::command::heartbeat);
    EXPECT_FALSE(w.next(beat)) << "only heartbeats were expected";
  }
  EXPECT_GE(w.heartbeats, 5);
  EXPECT_GE(b.broker.stats().heartbeats_received, 4u);
  EXPECT_GE(b.broker.stats().heartbeats_sent, 5u);
  EXPECT_EQ(b.broker.stats().workers, 1u) << "a heartbeating worker was expired";
  EXPECT_EQ(b.broker.stats().workers_expired, 0u);
}

TEST(MdpBrokerLiveness, SilentWorkerExpires) {
  bound_broker b{quick(30ms)};
  raw_worker w{b.ctx, b.endpoint, "W", "echo"};
  ASSERT_TRUE(stat_reaches(b.broker, workers, 1));
  ASSERT_TRUE(stat_reaches(b.broker, [](const mdp::broker_stats& s) { return s.workers_expired; }, 1));
  EXPECT_TRUE(test::eventually([&] { return b.broker.stats().workers == 0; }, 3000ms));
  raw_client client{b.ctx, b.endpoint};
  client.request("mmi.service", "echo");
  EXPECT_EQ(client.reply(), std::make_pair(std::string("mmi.service"), std::string("404")));
  // A request now waits; the expired worker gets nothing (the broker forgot it).
  client.request("echo", "x");
  EXPECT_FALSE(w.next(200ms));
}

TEST(MdpBrokerLiveness, ReadyTwiceIsDisconnected) {
  bound_broker b;
  raw_worker w{b.ctx, b.endpoint, "W", "echo"};
  ASSERT_TRUE(stat_reaches(b.broker, workers, 1));
  EXPECT_TRUE(w.sock.send(mdpc::worker_ready("echo"), 2000ms));
  auto m = w.next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->cmd, mdpc::command::disconnect);
  EXPECT_TRUE(test::eventually([&] { return b.broker.stats().workers == 0; }, 3000ms));
  EXPECT_GE(b.broker.stats().disconnects_sent, 1u);
}

TEST(MdpBrokerLiveness, OutOfOrderWorkerCommandsAreDisconnected) {
  bound_broker b;
  raw_worker w{b.ctx, b.endpoint, "W", "echo", false};
  w.signal(mdpc::command::heartbeat);  // before READY
  auto m = w.next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->cmd, mdpc::command::disconnect);
  // A REPLY to no request from a registered worker.
  raw_worker r{b.ctx, b.endpoint, "R", "echo"};
  ASSERT_TRUE(stat_reaches(b.broker, workers, 1));
  EXPECT_TRUE(r.sock.send(mdpc::worker_reply(message{"nobody"}, message{"x"}), 2000ms));
  auto d = r.next();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->cmd, mdpc::command::disconnect);
  EXPECT_TRUE(test::eventually([&] { return b.broker.stats().workers == 0; }, 3000ms));
}

TEST(MdpBrokerLiveness, MalformedMessagesAreSurvived) {
  bound_broker b;
  raw_worker good{b.ctx, b.endpoint, "G", "echo"};
  ASSERT_TRUE(stat_reaches(b.broker, workers, 1));
  raw_client client{b.ctx, b.endpoint};
  // Client garbage: no delimiter, wrong protocol, empty service; all dropped.
  EXPECT_TRUE(client.sock.send(message{"junk"}, 2000ms));
  EXPECT_TRUE(client.sock.send(message{"", "MDPX01", "svc", "x"}, 2000ms));
  EXPECT_TRUE(client.sock.send(message{"", "MDPC01", "", "x"}, 2000ms));
  // A worker's unknown command: DISCONNECT.
  raw_worker bad{b.ctx, b.endpoint, "B", "echo", false};
  EXPECT_TRUE(bad.sock.send(message{"", "MDPW01", "\x09"}, 2000ms));
  auto d = bad.next();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->cmd, mdpc::command::disconnect);
  ASSERT_TRUE(stat_reaches(b.broker, [](const mdp::broker_stats& s) { return s.malformed; }, 4));
  // The broker still works.
  client.request("echo", "after");
  auto req = good.next();
  ASSERT_TRUE(req);
  good.reply(*req, "fine");
  EXPECT_EQ(client.reply(), std::make_pair(std::string("echo"), std::string("fine")));
  EXPECT_EQ(b.broker.stats().malformed, 4u);
}

// Counts the nodes of `role` in the tree.
size_t count(const supervision_node& n, node_role role) {
  size_t c = n.role == role ? 1 : 0;
  for (auto& child : n.children)
    c += count(child, role);
  return c;
}

TEST(MdpBrokerLiveness, DescribeShowsOneActorPerServiceAndWorker) {
  bound_broker b;
  raw_worker w1{b.ctx, b.endpoint, "W1", "echo"};
  raw_worker w2{b.ctx, b.endpoint, "W2", "echo"};
  raw_worker w3{b.ctx, b.endpoint, "W3", "time"};
  ASSERT_TRUE(stat_reaches(b.broker, workers, 3));
  auto tree = b.broker.describe();
  EXPECT_EQ(tree.role, node_role::broker);
  EXPECT_EQ(count(tree, node_role::service), 2u) << to_text(tree);
  EXPECT_EQ(count(tree, node_role::worker), 3u) << to_text(tree);
  EXPECT_EQ(count(tree, node_role::socket), 1u) << to_text(tree);
  for (auto& s : tree.children) {
    if (s.role != node_role::service)
      continue;
    EXPECT_EQ(s.children.size(), s.endpoint == "echo" ? 2u : 1u) << to_text(tree);
  }
  w3.signal(mdpc::command::disconnect);
  ASSERT_TRUE(test::eventually([&] { return b.broker.stats().workers == 2; }, 3000ms));
  EXPECT_EQ(count(b.broker.describe(), node_role::worker), 2u);
}

} // namespace
} // namespace cafmq

namespace cafmq {
namespace {

using namespace test::mdp_peers;

// A worker gone silent while it holds a request: kept by default (a long request), removed with
// expire_busy_workers (a worker killed mid-request).
TEST(MdpBrokerLiveness, BusyWorkerExpiresOnlyWhenAskedTo) {
  for (bool expire_busy : {false, true}) {
    auto o = quick(250ms);  // expiry 750 ms: the request reaches the worker well before
    o.expire_busy_workers = expire_busy;
    bound_broker b{o};
    raw_client client{b.ctx, b.endpoint};  // connected first: the request follows READY at once
    client.request("mmi.service", "echo");
    ASSERT_TRUE(client.reply());
    raw_worker w{b.ctx, b.endpoint, "W", "echo"};
    ASSERT_TRUE(test::eventually([&] { return b.broker.stats().workers == 1; }, 3000ms));
    client.request("echo", "slow");
    ASSERT_TRUE(w.next());  // busy from now on, and silent
    // Twice the expiry and more: long enough to see it expire, or to see that it does not.
    bool expired = test::eventually([&] { return b.broker.stats().workers_expired == 1; }, 2500ms);
    EXPECT_EQ(expired, expire_busy);
    uint64_t left = expire_busy ? 0 : 1;
    EXPECT_TRUE(test::eventually([&] { return b.broker.stats().workers == left; }, 1000ms));
  }
}

} // namespace
} // namespace cafmq
