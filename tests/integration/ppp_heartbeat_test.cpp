// Paranoid Pirate (RFC 6) heartbeats, counted by raw peers: the queue heartbeats an idle
// worker (a raw DEALER), the worker heartbeats its queue (a raw ROUTER), and a worker whose
// queue stays silent reconnects and sends READY again after liveness x interval.
#include "support/ppp.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::eventually;

const std::string ready_cmd(1, '\x01');
const std::string heartbeat_cmd(1, '\x02');
const test::milliseconds silence = test::ppp_interval * test::ppp_liveness;

TEST(PppHeartbeat, QueueHeartbeatsAnIdleWorker) {
  context ctx;
  ppp::queue q{ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", test::fast_queue()};
  q.start();
  socket raw{ctx, socket_type::dealer, test::no_linger()};
  raw.connect(q.backend_endpoint());
  ASSERT_TRUE(raw.send(message{ready_cmd}, 2000ms));
  // Answer heartbeats with heartbeats for ten intervals: the worker must stay alive.
  int received = 0;
  test::deadline d{10 * test::ppp_interval};
  while (!d.expired()) {
    auto m = raw.recv(d.remaining());
    if (!m)
      break;
    ASSERT_EQ(test::frames_of(*m), std::vector<std::string>{heartbeat_cmd});
    ++received;
    ASSERT_TRUE(raw.send(message{heartbeat_cmd}, 2000ms));
  }
  EXPECT_GE(received, 5) << "about one HEARTBEAT per interval expected";
  EXPECT_LE(received, 12);
  EXPECT_EQ(q.stats().workers_alive, 1u);
  EXPECT_EQ(q.stats().workers_expired, 0u);
  EXPECT_GE(q.stats().heartbeats_received, uint64_t(received) - 1);
}

TEST(PppHeartbeat, WorkerHeartbeatsItsQueueAndServesItsRequests) {
  context ctx;
  socket raw{ctx, socket_type::router, test::no_linger()};
  raw.bind("tcp://127.0.0.1:*");
  ppp::worker w{ctx, raw.last_endpoint(), test::fast_worker()};
  w.start(test::echo);
  auto first = raw.recv(5000ms);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[1].to_string(), ready_cmd) << "READY comes first";
  frame id = (*first)[0];

  int heartbeats = 0;
  test::deadline d{10 * test::ppp_interval};
  while (!d.expired()) {
    auto m = raw.recv(d.remaining());
    if (!m)
      break;
    ASSERT_EQ(m->size(), 2u);
    ASSERT_EQ((*m)[1].to_string(), heartbeat_cmd);
    ++heartbeats;
    message back{id};
    back.add(frame{heartbeat_cmd});
    ASSERT_TRUE(raw.send(std::move(back), 2000ms));
  }
  EXPECT_GE(heartbeats, 5);
  EXPECT_LE(heartbeats, 12);
  EXPECT_EQ(w.stats().reconnects, 0u) << "the answered worker must keep its connection";
  EXPECT_GE(w.stats().heartbeats_received, uint64_t(heartbeats) - 1);

  // A request with a two-hop envelope comes back with the same envelope.
  message request{id};
  for (auto part : {"hop2", "hop1", "", "work"})
    request.add(frame{std::string_view{part}});
  ASSERT_TRUE(raw.send(std::move(request), 2000ms));
  std::optional<message> reply;
  ASSERT_TRUE(eventually([&] {
    auto m = raw.recv(10ms);
    if (m && m->size() > 2)
      reply = std::move(m);
    return reply.has_value();
  }, 5000ms));
  EXPECT_EQ(test::frames_of(*reply),
            (std::vector<std::string>{id.to_string(), "hop2", "hop1", "", "echo:work"}));
}

TEST(PppHeartbeat, WorkerOfASilentQueueSendsReadyAgainAfterBackoff) {
  context ctx;
  socket raw{ctx, socket_type::router, test::no_linger()};
  raw.bind("tcp://127.0.0.1:*");
  ppp::worker w{ctx, raw.last_endpoint(), test::fast_worker()};
  w.start(test::echo);
  std::vector<test::clock::time_point> readies;
  int malformed_sent = 0;
  test::deadline d{5000ms};
  while (readies.size() < 3 && !d.expired()) {
    auto m = raw.recv(d.remaining());
    if (!m)
      break;
    if (m->size() == 2 && (*m)[1].to_string() == ready_cmd) {
      readies.push_back(test::clock::now());
      if (malformed_sent++ == 0) {  // a queue that speaks nonsense is no sign of life
        message junk{(*m)[0]};
        junk.add(frame{std::string_view{"\x09"}});
        raw.send(std::move(junk), 0ms);
      }
    }
  }
  ASSERT_EQ(readies.size(), 3u) << "the worker did not come back with READY";
  // liveness x interval of silence, then the back-off: one interval, then two.
  auto gap1 = std::chrono::duration_cast<test::milliseconds>(readies[1] - readies[0]);
  auto gap2 = std::chrono::duration_cast<test::milliseconds>(readies[2] - readies[1]);
  EXPECT_GE(gap1, silence) << gap1.count();  // a late first READY only shortens the gap
  EXPECT_GE(gap2, silence + test::ppp_interval) << gap2.count();  // the back-off doubled
  EXPECT_LE(gap1, silence + test::ppp_interval + 2000ms) << gap1.count();
  EXPECT_GE(w.stats().reconnects, 2u);
  EXPECT_EQ(w.stats().malformed, 1u);
}

} // namespace
} // namespace cafmq
