// Paranoid Pirate (RFC 6) through cafmq alone: requests served by queue + workers, dead workers
// detected and never given requests, a restarted queue rejoined with READY, bad arguments.
#include "support/ports.hpp"
#include "support/ppp.hpp"

#include <gtest/gtest.h>

#include <set>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::eventually;

const test::milliseconds silence = test::ppp_interval * test::ppp_liveness;

TEST(PppQueue, RequestsAreServedByTheWorkers) {
  context ctx;
  ppp::queue q{ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", test::fast_queue()};
  q.start();
  ppp::worker a{ctx, q.backend_endpoint(), test::fast_worker()};
  ppp::worker b{ctx, q.backend_endpoint(), test::fast_worker()};
  a.start(test::echo);
  b.start(test::echo);
  ASSERT_TRUE(eventually([&] { return q.stats().workers_idle == 2; }, 5000ms));

  socket client{ctx, socket_type::req, test::no_linger()};
  client.connect(q.frontend_endpoint());
  constexpr int n = 20;
  for (int i = 0; i < n; ++i) {
    auto reply = client.request(message{"r" + std::to_string(i)}, 5000ms);
    ASSERT_TRUE(reply) << "request " << i;
    EXPECT_EQ((*reply)[0].to_string(), "echo:r" + std::to_string(i));
  }
  EXPECT_EQ(q.stats().requests_forwarded, uint64_t{n});
  EXPECT_EQ(q.stats().replies_forwarded, uint64_t{n});
  // Least recently used first: the two workers share the load.
  EXPECT_GT(a.stats().requests, 0u);
  EXPECT_GT(b.stats().requests, 0u);
  EXPECT_EQ(a.stats().requests + b.stats().requests, uint64_t{n});
  a.stop();
  b.stop();
  q.stop();
}

TEST(PppQueue, RequestsWaitForAWorker) {
  context ctx;
  ppp::queue q{ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", test::fast_queue()};
  q.start();
  socket client{ctx, socket_type::req, test::no_linger()};
  client.connect(q.frontend_endpoint());
  ASSERT_TRUE(client.send(message{"early"}, 2000ms));
  EXPECT_FALSE(client.recv(3 * test::ppp_interval));  // no worker yet: the request waits
  ppp::worker w{ctx, q.backend_endpoint(), test::fast_worker()};
  w.start(test::echo);
  auto reply = client.recv(5000ms);
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)[0].to_string(), "echo:early");
}

TEST(PppQueue, SilentAndClosedWorkersAreRemovedAndGetNoRequests) {
  context ctx;
  ppp::queue q{ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", test::fast_queue()};
  q.start();
  ppp::worker live{ctx, q.backend_endpoint(), test::fast_worker()};
  live.start(test::echo);
  // Two workers that die: one goes silent (its socket stays open, so a request sent to it
  // would be seen), one is closed without a word.
  socket silent{ctx, socket_type::dealer, test::no_linger()};
  silent.connect(q.backend_endpoint());
  ASSERT_TRUE(silent.send(message{std::string(1, '\x01')}, 2000ms));
  {
    socket closed{ctx, socket_type::dealer, test::no_linger()};
    closed.connect(q.backend_endpoint());
    ASSERT_TRUE(closed.send(message{std::string(1, '\x01')}, 2000ms));
    ASSERT_TRUE(eventually([&] { return q.stats().workers_alive == 3; }, 5000ms));
  }
  auto registered = test::clock::now();
  ASSERT_TRUE(eventually([&] { return q.stats().workers_expired == 2; }, 5000ms));
  auto detected_after = test::elapsed_ms(registered);
  EXPECT_LE(detected_after, (silence + 1500ms).count()) << "liveness x interval is " << silence.count();
  // The counters are separate relaxed atomics, published by the queue's thread: the live count
  // may reach this thread a moment after the expiries.
  EXPECT_TRUE(eventually([&] { return q.stats().workers_alive == 1; }, 1000ms))
      << "workers alive: " << q.stats().workers_alive;

  while (silent.recv(0ms)) {
  }  // the heartbeats it got while it counted as alive
  for (int i = 0; i < 10; ++i) {
    auto reply = test::call(ctx, q.frontend_endpoint(), "r" + std::to_string(i), 5000ms);
    ASSERT_EQ(reply, "echo:r" + std::to_string(i));
  }
  EXPECT_EQ(live.stats().requests, 10u);
  EXPECT_FALSE(silent.recv(2 * test::ppp_interval)) << "a dead worker got a message";
}

TEST(PppQueue, WorkerRejoinsARestartedQueueWithReady) {
  context ctx;
  // A port below the ephemeral range: a reconnecting peer can never connect to itself on it.
  std::string backend = test::local_endpoint(test::free_tcp_port());
  auto first = std::make_unique<ppp::queue>(ctx, "tcp://127.0.0.1:*", backend, test::fast_queue());
  first->start();
  ppp::worker w{ctx, backend, test::fast_worker()};
  w.start(test::echo);
  EXPECT_EQ(test::call(ctx, first->frontend_endpoint(), "before", 5000ms), "echo:before");
  EXPECT_EQ(w.stats().readies_sent, 1u);

  first.reset();  // the queue is gone
  ASSERT_TRUE(eventually([&] { return w.stats().reconnects >= 1; }, 5000ms))
    << "the worker did not notice its queue was gone";
  auto second = test::bind_again([&] {
    return std::make_unique<ppp::queue>(ctx, "tcp://127.0.0.1:*", backend, test::fast_queue());
  });
  second->start();
  ASSERT_TRUE(eventually([&] { return second->stats().workers_ready >= 1; }, 5000ms))
    << "no READY reached the new queue";
  EXPECT_GE(w.stats().readies_sent, 2u);
  EXPECT_EQ(test::call(ctx, second->frontend_endpoint(), "after", 5000ms), "echo:after");
}

TEST(PppQueue, MalformedWorkerMessagesAreCountedAndDropped) {
  context ctx;
  ppp::queue q{ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", test::fast_queue()};
  q.start();
  socket bad{ctx, socket_type::dealer, test::no_linger()};
  bad.connect(q.backend_endpoint());
  ASSERT_TRUE(bad.send(message{"\x07"}, 2000ms));             // unknown command
  ASSERT_TRUE(bad.send(message{"no", "envelope"}, 2000ms));   // no delimiter
  ASSERT_TRUE(bad.send(message{"client", ""}, 2000ms));       // no body
  ASSERT_TRUE(bad.send(message{std::string(1, '\x02')}, 2000ms));  // HEARTBEAT before READY
  ASSERT_TRUE(eventually([&] { return q.stats().malformed == 3; }, 5000ms));
  ASSERT_TRUE(eventually([&] { return q.stats().unknown_worker == 1; }, 5000ms));
  EXPECT_EQ(q.stats().workers_alive, 0u);
  // Still serving.
  ppp::worker w{ctx, q.backend_endpoint(), test::fast_worker()};
  w.start(test::echo);
  EXPECT_EQ(test::call(ctx, q.frontend_endpoint(), "ok", 5000ms), "echo:ok");
}

TEST(PppQueue, BadArgumentsSayWhatIsWrong) {
  context ctx;
  auto o = test::fast_queue();
  o.liveness = 0;
  try {
    ppp::queue q{ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", o};
    FAIL() << "liveness 0 accepted";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("liveness"), std::string::npos) << e.what();
  }
  try {
    ppp::queue q{ctx, "tcp://127.0.0.1:*", "nonsense", test::fast_queue()};
    FAIL() << "a bad endpoint accepted";
  } catch (const error& e) {
    EXPECT_NE(std::string(e.what()).find("backend"), std::string::npos) << e.what();
  }
  auto w = test::fast_worker();
  w.reconnect_max = 1ms;
  try {
    ppp::worker bad{ctx, "tcp://127.0.0.1:5555", w};
    FAIL() << "reconnect_max below reconnect_initial accepted";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("reconnect"), std::string::npos) << e.what();
  }
  ppp::queue q{ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", test::fast_queue()};
  q.start();
  EXPECT_THROW(q.start(), error);
  EXPECT_THROW(q.run(), error);
  q.stop();
  q.stop();  // idempotent
  EXPECT_THROW(q.start(), error);  // a stopped queue does not run again
}

TEST(PppQueue, RunOnTheCallersThreadEndsOnStop) {
  context ctx;
  ppp::queue q{ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", test::fast_queue()};
  std::atomic<bool> returned{false};
  std::thread runner{[&] {
    q.run();
    returned = true;
  }};
  ppp::worker w{ctx, q.backend_endpoint(), test::fast_worker()};
  w.start(test::echo);
  EXPECT_EQ(test::call(ctx, q.frontend_endpoint(), "ran", 5000ms), "echo:ran");
  q.stop();
  runner.join();
  EXPECT_TRUE(returned);
}

} // namespace
} // namespace cafmq
