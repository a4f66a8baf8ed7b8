// cafmq::proxy forwarding the three device shapes: ROUTER<->DEALER (REQ clients, REP workers),
// XSUB<->XPUB (subscriptions upstream, messages downstream), PULL->PUSH; and the capture copy.
#include "integration/proxy_runner.hpp"
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;
using test::no_linger;
using strings = std::vector<std::string>;
constexpr auto budget = 5000ms;

TEST(ProxyForwarding, RouterDealerCarriesRequestsFromReqClientsToRepWorkersAndBack) {
  context ctx;
  socket frontend{ctx, socket_type::router, no_linger()};
  socket backend{ctx, socket_type::dealer, no_linger()};
  frontend.bind("tcp://127.0.0.1:*");
  backend.bind("tcp://127.0.0.1:*");
  test::proxy_runner running{ctx, frontend, backend};

  constexpr int workers = 2, clients = 3, rounds = 5;
  std::vector<std::thread> worker_threads;
  std::atomic<int> served{0};
  for (int w = 0; w < workers; ++w)
    worker_threads.emplace_back([&, w] {
      socket rep{ctx, socket_type::rep, no_linger()};
      rep.connect(backend.last_endpoint());
      test::deadline d{budget * 2};
      while (served.load() < clients * rounds && !d.expired()) {
        auto q = rep.recv(20ms);
        if (!q)
          continue;
        ++served;
        rep.send(message{(*q)[0].view(), "by " + std::to_string(w)}, budget);
      }
    });
  std::vector<socket> reqs;
  for (int c = 0; c < clients; ++c) {
    reqs.emplace_back(ctx, socket_type::req, no_linger());
    reqs.back().connect(frontend.last_endpoint());
  }
  for (int r = 0; r < rounds; ++r)
    for (int c = 0; c < clients; ++c) {
      auto body = "c" + std::to_string(c) + "r" + std::to_string(r);
      ASSERT_TRUE(reqs[c].send(message{body}, budget));
      auto reply = reqs[c].recv(budget);
      ASSERT_TRUE(reply) << body;
      ASSERT_EQ(reply->size(), 2u);
      EXPECT_EQ((*reply)[0].view(), body);  // its own answer, multipart kept whole
    }
  EXPECT_EQ(served.load(), clients * rounds);
  for (auto& t : worker_threads)
    t.join();
  auto stats = running.terminate();
  EXPECT_EQ(stats.end, proxy_end::terminate_command);
  EXPECT_GE(stats.statistics.frontend_messages_in, uint64_t{clients * rounds});
  EXPECT_EQ(stats.statistics.frontend_messages_out, uint64_t{clients * rounds});
  EXPECT_EQ(stats.statistics.backend_messages_in, uint64_t{clients * rounds});
}

TEST(ProxyForwarding, XsubXpubForwardsSubscriptionsUpstreamAndMessagesDownstream) {
  context ctx;
  socket frontend{ctx, socket_type::xsub, no_linger()};
  socket backend{ctx, socket_type::xpub, no_linger()};
  socket publisher{ctx, socket_type::pub, no_linger()};
  publisher.bind("tcp://127.0.0.1:*");
  frontend.connect(publisher.last_endpoint());
  backend.bind("inproc://proxy-xpub");
  test::proxy_runner running{ctx, frontend, backend};

  socket weather{ctx, socket_type::sub, no_linger()};
  weather.connect("inproc://proxy-xpub");
  weather.subscribe("weather");
  // The subscription travels SUB -> XPUB -> proxy -> XSUB -> PUB: the publisher sees a subscriber.
  ASSERT_TRUE(publisher.wait_subscribers(1, budget));
  bool got = false;
  test::deadline d{budget};
  while (!got && !d.expired()) {
    publisher.send(message{"sports", "ignored"}, budget);
    publisher.send(message{"weather", "sunny"}, budget);
    if (auto m = weather.recv(20ms)) {
      EXPECT_EQ(frames_of(*m), (strings{"weather", "sunny"}));
      got = true;
    }
  }
  ASSERT_TRUE(got);
  auto stats = running.statistics();
  ASSERT_TRUE(stats);
  EXPECT_GE(stats->backend_messages_in, 1u);  // the subscription, upstream
  EXPECT_GE(stats->frontend_messages_out, 1u);
}

TEST(ProxyForwarding, PullPushForwardsOneWayInOrder) {
  context ctx;
  socket frontend{ctx, socket_type::pull, no_linger()};
  socket backend{ctx, socket_type::push, no_linger()};
  frontend.bind("tcp://127.0.0.1:*");
  backend.bind("tcp://127.0.0.1:*");
  socket source{ctx, socket_type::push, no_linger()};
  socket sink{ctx, socket_type::pull, no_linger()};
  source.connect(frontend.last_endpoint());
  sink.connect(backend.last_endpoint());
  test::proxy_runner running{ctx, frontend, backend};
  constexpr uint64_t count = 5000;
  std::thread producer([&] {
    for (uint64_t i = 0; i < count; ++i)
      source.send(test::sequenced(i, 64), budget);
  });
  for (uint64_t i = 0; i < count; ++i) {
    auto m = sink.recv(budget);
    ASSERT_TRUE(m) << "message " << i;
    ASSERT_EQ(test::sequence_of(*m), i);
  }
  producer.join();
  auto stats = running.terminate();
  EXPECT_EQ(stats.statistics.frontend_messages_in, count);
  EXPECT_EQ(stats.statistics.backend_messages_out, count);
  EXPECT_EQ(stats.statistics.backend_bytes_out, count * 64);
  EXPECT_EQ(stats.statistics.backend_messages_in, 0u);
}

TEST(ProxyForwarding, CaptureGetsACopyOfEachMessageSharingItsBuffers) {
  context ctx;
  socket frontend{ctx, socket_type::pull, no_linger()};
  socket backend{ctx, socket_type::push, no_linger()};
  socket capture{ctx, socket_type::push, no_linger()};
  frontend.bind("inproc://cap-front");
  backend.bind("inproc://cap-back");
  capture.bind("inproc://cap-capture");
  socket source{ctx, socket_type::push, no_linger()};
  socket sink{ctx, socket_type::pull, no_linger()};
  socket tap{ctx, socket_type::pull, no_linger()};
  source.connect("inproc://cap-front");
  sink.connect("inproc://cap-back");
  tap.connect("inproc://cap-capture");
  test::proxy_runner running{ctx, frontend, backend, &capture};
  std::string big = test::patterned(4096);
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(source.send(message{"part-" + std::to_string(i), big}, budget));
  for (int i = 0; i < 10; ++i) {
    auto forwarded = sink.recv(budget);
    auto copy = tap.recv(budget);
    ASSERT_TRUE(forwarded && copy);
    EXPECT_EQ(frames_of(*forwarded), frames_of(*copy));
    EXPECT_EQ((*copy)[0].view(), "part-" + std::to_string(i));
    EXPECT_EQ((*copy)[1].size(), big.size());
  }
  EXPECT_EQ(running.terminate().statistics.capture_dropped, 0u);
}

} // namespace
} // namespace cafmq

namespace cafmq {
namespace {

// A worker on the DEALER backend that sends one frame (no client address) must not stop the
// proxy: the message is dropped and counted, and the next request still gets its reply.
TEST(ProxyForwarding, AOneFrameMessageForTheRouterSideIsDroppedAndCountedNotFatal) {
  using namespace std::chrono_literals;
  context ctx;
  socket frontend{ctx, socket_type::router, test::no_linger()};
  socket backend{ctx, socket_type::dealer, test::no_linger()};
  frontend.bind("inproc://one-frame-front");
  backend.bind("inproc://one-frame-back");
  test::proxy_runner running{ctx, frontend, backend};
  socket client{ctx, socket_type::dealer, test::no_linger()};
  socket worker{ctx, socket_type::dealer, test::no_linger()};
  client.connect("inproc://one-frame-front");
  worker.connect("inproc://one-frame-back");

  ASSERT_TRUE(worker.send(message{"no address"}, 5s));  // one frame: nowhere to route it
  ASSERT_TRUE(client.send(message{"request"}, 5s));
  auto request = worker.recv(5s);  // [client id, "request"]
  ASSERT_TRUE(request);
  ASSERT_EQ(request->size(), 2u);
  ASSERT_TRUE(worker.send(message{(*request)[0].view(), "reply"}, 5s));
  auto reply = client.recv(5s);
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)[0].view(), "reply");
  auto stats = running.statistics();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->backend_messages_in, 2u);
  EXPECT_EQ(stats->frontend_messages_out, 1u);
  auto end = running.terminate();
  EXPECT_EQ(end.end, proxy_end::terminate_command);
  EXPECT_EQ(end.statistics.unroutable_dropped, 1u);
}

} // namespace
} // namespace cafmq
