// The Majordomo broker's bounds on what peers can make it hold: max_workers, services retired
// once they hold nothing (so max_services bounds live services only), workers removed as soon
// as their connection closes (busy or not), and busy_expiry for a hung busy worker.
#include "integration/mdp_broker_peers.hpp"

#include <future>

namespace cafmq {
namespace {

using namespace test::mdp_peers;

uint64_t workers(const mdp::broker_stats& s) { return s.workers; }
uint64_t retired(const mdp::broker_stats& s) { return s.services_retired; }

// mmi.service's answer for `service`.
std::string lookup(raw_client& client, const std::string& service) {
  client.request("mmi.service", service);
  auto r = client.reply();
  return r ? r->second : std::string("no answer");
}

TEST(MdpBrokerLimits, WorkersAreBoundedByMaxWorkers) {
  auto o = quick();
  o.max_workers = 2;
  bound_broker b{o};
  raw_worker w1{b.ctx, b.endpoint, "W1", "echo"};
  raw_worker w2{b.ctx, b.endpoint, "W2", "echo"};
  ASSERT_TRUE(stat_reaches(b.broker, workers, 2));
  raw_worker extra{b.ctx, b.endpoint, "W3", "echo"};
  auto d = extra.next();
  ASSERT_TRUE(d) << "a READY beyond max_workers got no answer";
  EXPECT_EQ(d->cmd, mdpc::command::disconnect);
  EXPECT_EQ(b.broker.stats().workers_refused, 1u);
  EXPECT_EQ(b.broker.stats().workers, 2u);
  // A place freed by a worker that leaves is taken again.
  w2.signal(mdpc::command::disconnect);
  ASSERT_TRUE(test::eventually([&] { return b.broker.stats().workers == 1; }, 3000ms));
  raw_worker again{b.ctx, b.endpoint, "W4", "echo"};
  ASSERT_TRUE(stat_reaches(b.broker, workers, 2));
  EXPECT_FALSE(again.next(200ms)) << "a READY within max_workers was refused";
  EXPECT_EQ(b.broker.stats().workers_refused, 1u);
}

// Requests for invented services, each left to expire, never use up max_services: a service
// with no worker and no queued request is retired.
TEST(MdpBrokerLimits, ServicesWithNothingLeftAreRetired) {
  auto o = quick(10000ms, 30ms);
  o.max_services = 2;
  bound_broker b{o};
  raw_client client{b.ctx, b.endpoint};
  for (uint64_t i = 0; i < 6; ++i) {
    client.request("invented-" + std::to_string(i), "x");
    ASSERT_TRUE(stat_reaches(b.broker, retired, i + 1)) << "service " << i << " was not retired";
  }
  EXPECT_EQ(b.broker.stats().requests_expired, 6u);
  EXPECT_EQ(b.broker.stats().requests_dropped, 0u) << "a request was refused for max_services";
  EXPECT_EQ(b.broker.stats().services, 0u);
  // The cap has room for a real service: its worker registers and serves.
  raw_worker w{b.ctx, b.endpoint, "W", "real"};
  ASSERT_TRUE(workers_reach(b.ctx, b.endpoint, b.broker, 1));
  client.request("real", "hello");
  auto req = w.next();
  ASSERT_TRUE(req);
  w.reply(*req, "served");
  EXPECT_EQ(client.reply(), std::make_pair(std::string("real"), std::string("served")));
  // Its last worker leaving retires it too; mmi.service then says 404.
  w.signal(mdpc::command::disconnect);
  ASSERT_TRUE(stat_reaches(b.broker, retired, 7));
  EXPECT_EQ(b.broker.stats().services, 0u);
  EXPECT_EQ(lookup(client, "real"), "404");
}

// A service holding a request is not retired when its last worker goes: the request waits for
// the next worker.
TEST(MdpBrokerLimits, AServiceWithAQueuedRequestStays) {
  bound_broker b;
  raw_worker w{b.ctx, b.endpoint, "W", "echo"};
  ASSERT_TRUE(stat_reaches(b.broker, workers, 1));
  w.signal(mdpc::command::disconnect);
  ASSERT_TRUE(stat_reaches(b.broker, retired, 1));
  raw_client client{b.ctx, b.endpoint};
  client.request("echo", "waits");
  ASSERT_TRUE(stat_reaches(b.broker, [](const mdp::broker_stats& s) { return s.requests_received; }, 1));
  raw_worker w2{b.ctx, b.endpoint, "W2", "echo"};
  auto req = w2.next();
  ASSERT_TRUE(req);
  EXPECT_EQ(req->body[0].to_string(), "waits");
  EXPECT_EQ(b.broker.stats().services_retired, 1u);
}

// A worker whose connection closes while it holds a request (killed mid-request) is removed at
// once, with the default expire_busy_workers = false and no busy_expiry: mmi.service says 404,
// and stop(drain) does not wait for it.
TEST(MdpBrokerLimits, ABusyWorkerWhoseConnectionClosesIsRemovedAtOnce) {
  bound_broker b;
  raw_client client{b.ctx, b.endpoint};
  {
    raw_worker w{b.ctx, b.endpoint, "W", "echo"};
    ASSERT_TRUE(stat_reaches(b.broker, workers, 1));
    client.request("echo", "never answered");
    ASSERT_TRUE(w.next());
    w.sock.close();  // linger 0: the connection goes as a killed process's would
  }
  ASSERT_TRUE(stat_reaches(b.broker, [](const mdp::broker_stats& s) { return s.workers_departed; }, 1));
  EXPECT_EQ(b.broker.stats().workers, 0u);
  EXPECT_EQ(b.broker.stats().workers_expired, 0u);
  EXPECT_EQ(lookup(client, "echo"), "404");
  auto start = std::chrono::steady_clock::now();
  auto summary = b.broker.stop(20000ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5000ms) << "stop waited for a dead worker";
  EXPECT_EQ(summary.in_flight, 0u);
  EXPECT_EQ(summary.workers_disconnected, 0u);
}

// An idle worker's closed connection removes it too, and only it: a worker on another
// connection stays.
TEST(MdpBrokerLimits, AnIdleWorkerWhoseConnectionClosesIsRemoved) {
  bound_broker b;
  raw_worker stays{b.ctx, b.endpoint, "S", "echo"};
  ASSERT_TRUE(stat_reaches(b.broker, workers, 1));
  {
    raw_worker leaves{b.ctx, b.endpoint, "L", "echo"};
    ASSERT_TRUE(stat_reaches(b.broker, workers, 2));
    leaves.sock.close();
  }
  ASSERT_TRUE(stat_reaches(b.broker, [](const mdp::broker_stats& s) { return s.workers_departed; }, 1));
  EXPECT_EQ(b.broker.stats().workers, 1u);
  raw_client client{b.ctx, b.endpoint};
  for (int i = 0; i < 2; ++i) {
    client.request("echo", "x");
    auto req = stays.next();
    ASSERT_TRUE(req) << "request " << i << " did not reach the remaining worker";
    stays.reply(*req, "ok");
    EXPECT_EQ(client.reply(), std::make_pair(std::string("echo"), std::string("ok")));
  }
  EXPECT_EQ(b.broker.stats().workers_departed, 1u);
}

// A busy worker that stays connected but silent (hung) is removed after busy_expiry.
TEST(MdpBrokerLimits, BusyExpiryBoundsAHungWorker) {
  auto o = quick(100ms);  // liveness x interval: 300 ms
  o.busy_expiry = 600ms;
  bound_broker b{o};
  raw_client client{b.ctx, b.endpoint};  // connected first: the request follows READY at once
  client.request("mmi.service", "echo");
  ASSERT_TRUE(client.reply());
  // Silence counts from the worker's last message, its READY: sent after this.
  auto before_ready = std::chrono::steady_clock::now();
  raw_worker w{b.ctx, b.endpoint, "W", "echo"};
  ASSERT_TRUE(stat_reaches(b.broker, workers, 1));
  client.request("echo", "hangs");
  ASSERT_TRUE(w.next());
  ASSERT_TRUE(stat_reaches(b.broker, [](const mdp::broker_stats& s) { return s.workers_expired; }, 1));
  EXPECT_GE(std::chrono::steady_clock::now() - before_ready, 600ms) << "expired before busy_expiry";
  EXPECT_TRUE(test::eventually([&] { return b.broker.stats().workers == 0; }, 1000ms));
}

TEST(MdpBrokerLimits, BadLimitsAreRefused) {
  context ctx;
  auto o = quick();
  o.max_workers = 0;
  EXPECT_THROW((mdp::broker{ctx, o}), error);
  o = quick();
  o.busy_expiry = -1ms;
  EXPECT_THROW((mdp::broker{ctx, o}), error);
}

} // namespace
} // namespace cafmq
