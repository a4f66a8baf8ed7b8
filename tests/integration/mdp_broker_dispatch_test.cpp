// The Majordomo broker's dispatch (RFC 7): least recently used worker first, requests queued
// until a worker comes, expired after request_expiry, bounded per service; mmi.service (RFC 8).
#include "integration/mdp_broker_peers.hpp"

namespace cafmq {
namespace {

using namespace test::mdp_peers;

uint64_t workers(const mdp::broker_stats& s) { return s.workers; }
uint64_t answered(const mdp::broker_stats& s) { return s.replies_answered; }
uint64_t received(const mdp::broker_stats& s) { return s.requests_received; }

// The worker that gets the next request, among `ws` (its index), answering it.
int who_takes(std::vector<raw_worker*>& ws, std::chrono::milliseconds timeout = 3000ms) {
  test::deadline d{timeout};
  while (!d.expired()) {
    for (size_t i = 0; i < ws.size(); ++i) {
      auto m = ws[i]->sock.recv(1ms);
      if (!m)
        continue;
      mdpc::worker_message w;
      EXPECT_EQ(mdpc::parse_worker_inbound(*m, w), mdpc::fault::none);
      if (w.cmd != mdpc::command::request)
        continue;
      ws[i]->reply(w, "from-" + std::to_string(i));
      return static_cast<int>(i);
    }
  }
  return -1;
}

TEST(MdpBrokerDispatch, LeastRecentlyUsedWorkerFirst) {
  bound_broker b;
  raw_worker a{b.ctx, b.endpoint, "A", "echo"};
  ASSERT_TRUE(workers_reach(b.ctx, b.endpoint, b.broker, 1));
  raw_worker w1{b.ctx, b.endpoint, "B", "echo"};
  ASSERT_TRUE(workers_reach(b.ctx, b.endpoint, b.broker, 2));
  raw_worker w2{b.ctx, b.endpoint, "C", "echo"};
  ASSERT_TRUE(workers_reach(b.ctx, b.endpoint, b.broker, 3));
  std::vector<raw_worker*> ws{&a, &w1, &w2};
  raw_client client{b.ctx, b.endpoint};
  // Registered A, B, C: served in that order.
  std::vector<int> order;
  for (int i = 0; i < 3; ++i) {
    client.request("echo", "r" + std::to_string(i));
    order.push_back(who_takes(ws));
    ASSERT_TRUE(stat_reaches(b.broker, answered, static_cast<uint64_t>(i + 1)));
    auto r = client.reply();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first, "echo");
    EXPECT_EQ(r->second, "from-" + std::to_string(order.back()));
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  // All three busy at once, replying C, A, B: that is the order of their last use, so the
  // next requests go to C, then A, then B.
  std::vector<mdpc::worker_message> held(3);
  for (int i = 0; i < 3; ++i)
    client.request("echo", "s" + std::to_string(i));
  for (int i = 0; i < 3; ++i) {
    auto m = ws[static_cast<size_t>(i)]->next();
    // On failure, the tree says where the request is: queued at the service, or with a worker.
    ASSERT_TRUE(m) << "worker " << i << " got no request; stats: received "
                   << b.broker.stats().requests_received << ", dispatched "
                   << b.broker.stats().requests_dispatched << "; the broker:\n"
                   << to_text(b.broker.describe());
    held[static_cast<size_t>(i)] = *m;
  }
  uint64_t done = 3;
  for (int i : {2, 0, 1}) {
    ws[static_cast<size_t>(i)]->reply(held[static_cast<size_t>(i)], "late");
    ASSERT_TRUE(stat_reaches(b.broker, answered, ++done));
  }
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(client.reply());
  order.clear();
  for (int i = 0; i < 3; ++i) {
    client.request("echo", "t" + std::to_string(i));
    order.push_back(who_takes(ws));
    ASSERT_TRUE(client.reply());
  }
  EXPECT_EQ(order, (std::vector<int>{2, 0, 1}));
  EXPECT_EQ(b.broker.stats().requests_dispatched, 9u);
}

TEST(MdpBrokerDispatch, AWorkerServesOneRequestAtATime) {
  bound_broker b;
  raw_worker w{b.ctx, b.endpoint, "W", "echo"};
  ASSERT_TRUE(stat_reaches(b.broker, workers, 1));
  raw_client client{b.ctx, b.endpoint};
  client.request("echo", "one");
  client.request("echo", "two");
  auto first = w.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body[0].to_string(), "one");
  EXPECT_FALSE(w.sock.recv(200ms)) << "a second request reached a busy worker";
  w.reply(*first, "1");
  auto second = w.next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body[0].to_string(), "two");
  w.reply(*second, "2");
  EXPECT_EQ(client.reply()->second, "1");
  EXPECT_EQ(client.reply()->second, "2");
}

TEST(MdpBrokerDispatch, RequestsWaitForAWorker) {
  bound_broker b;
  raw_client client{b.ctx, b.endpoint};
  client.request("late", "early bird");
  ASSERT_TRUE(stat_reaches(b.broker, received, 1));
  EXPECT_EQ(b.broker.stats().requests_dispatched, 0u);
  raw_worker w{b.ctx, b.endpoint, "W", "late"};
  auto req = w.next();
  ASSERT_TRUE(req);
  EXPECT_EQ(req->cmd, mdpc::command::request);
  EXPECT_EQ(req->body[0].to_string(), "early bird");
  w.reply(*req, "served");
  auto r = client.reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, "late");
  EXPECT_EQ(r->second, "served");
}

TEST(MdpBrokerDispatch, QueuedRequestsExpire) {
  bound_broker b{quick(10000ms, 100ms)};
  raw_client client{b.ctx, b.endpoint};
  client.request("nobody", "stale");
  ASSERT_TRUE(stat_reaches(b.broker, [](const mdp::broker_stats& s) { return s.requests_expired; }, 1));
  raw_worker w{b.ctx, b.endpoint, "W", "nobody"};
  ASSERT_TRUE(stat_reaches(b.broker, workers, 1));
  EXPECT_FALSE(w.next(300ms)) << "an expired request was dispatched";
  EXPECT_EQ(b.broker.stats().requests_dispatched, 0u);
}

TEST(MdpBrokerDispatch, QueueIsBoundedPerService) {
  auto o = quick();
  o.max_queued_per_service = 2;
  bound_broker b{o};
  raw_client client{b.ctx, b.endpoint};
  for (int i = 0; i < 3; ++i)
    client.request("full", std::to_string(i));
  ASSERT_TRUE(stat_reaches(b.broker, [](const mdp::broker_stats& s) { return s.requests_dropped; }, 1));
  raw_worker w{b.ctx, b.endpoint, "W", "full"};
  for (int i = 0; i < 2; ++i) {
    auto req = w.next();
    ASSERT_TRUE(req);
    EXPECT_EQ(req->body[0].to_string(), std::to_string(i));
    w.reply(*req, "ok");
  }
  EXPECT_FALSE(w.next(200ms));
  EXPECT_EQ(b.broker.stats().requests_dropped, 1u);
}

// Clients naming ever new services cannot grow the broker: beyond max_services a request for
// a new service is dropped (counted); the services it has keep working.
TEST(MdpBrokerDispatch, ServicesAreBoundedByMaxServices) {
  auto o = quick();
  o.max_services = 2;
  bound_broker b{o};
  raw_client client{b.ctx, b.endpoint};
  client.request("one", "1");
  client.request("two", "2");
  client.request("three", "3");
  ASSERT_TRUE(stat_reaches(b.broker, [](const mdp::broker_stats& s) { return s.requests_dropped; }, 1));
  EXPECT_EQ(b.broker.stats().services, 2u);
  raw_worker w{b.ctx, b.endpoint, "W", "two"};
  auto req = w.next();
  ASSERT_TRUE(req);
  EXPECT_EQ(req->body[0].to_string(), "2");
  w.reply(*req, "ok");
  EXPECT_EQ(client.reply(), std::make_pair(std::string("two"), std::string("ok")));
  EXPECT_EQ(b.broker.stats().services, 2u);
}

TEST(MdpBrokerDispatch, MmiServiceLookup) {
  bound_broker b;
  raw_worker w{b.ctx, b.endpoint, "W", "echo"};
  ASSERT_TRUE(stat_reaches(b.broker, workers, 1));
  raw_client client{b.ctx, b.endpoint};
  client.request("mmi.service", "echo");
  EXPECT_EQ(client.reply(), std::make_pair(std::string("mmi.service"), std::string("200")));
  client.request("mmi.service", "nosuch");
  EXPECT_EQ(client.reply(), std::make_pair(std::string("mmi.service"), std::string("404")));
  client.request("mmi.other", "x");
  EXPECT_EQ(client.reply(), std::make_pair(std::string("mmi.other"), std::string("501")));
  EXPECT_EQ(b.broker.stats().mmi_answered, 3u);
  // A service known only from a queued request has no worker: 404.
  client.request("queued-only", "x");
  ASSERT_TRUE(stat_reaches(b.broker, received, 4));
  client.request("mmi.service", "queued-only");
  EXPECT_EQ(client.reply(), std::make_pair(std::string("mmi.service"), std::string("404")));
}

} // namespace
} // namespace cafmq
