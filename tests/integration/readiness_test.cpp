// The readiness seam: events() is exact for poll_in (SUB's filtered messages and REQ's turn do
// not count), the readiness descriptor is level-triggered (readable while a message waits, not
// after the last is taken, readable again when the next arrives), recv_batch drains and
// re-evaluates, a second readiness callback is refused, and a socket called from two threads
// at once throws concurrent_use.
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

// True if `fd` becomes readable within `budget`.
bool readable_within(int fd, std::chrono::milliseconds budget) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(budget.count())) == 1 && (p.revents & POLLIN) != 0;
}

struct push_pull {
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  socket pull{ctx, socket_type::pull, test::no_linger()};
  push_pull() {
    pull.bind("tcp://127.0.0.1:*");
    push.connect(pull.last_endpoint());
  }
};

TEST(Readiness, DescriptorIsLevelTriggered) {
  push_pull s;
  int fd = s.pull.readiness_fd();
  EXPECT_FALSE(readable_within(fd, 0ms));
  EXPECT_EQ(s.pull.events() & poll_in, 0u);
  ASSERT_TRUE(s.push.send(test::sequenced(1)));
  ASSERT_TRUE(s.push.send(test::sequenced(2)));
  ASSERT_TRUE(readable_within(fd, 5000ms));
  ASSERT_TRUE(test::eventually([&] { return (s.pull.events() & poll_in) != 0; }, 5000ms));
  EXPECT_TRUE(readable_within(fd, 0ms));  // still readable: level, not edge
  std::vector<message> got;
  ASSERT_TRUE(test::eventually([&] {
    s.pull.recv_batch(got, 10);
    return got.size() == 2;
  }, 5000ms));
  EXPECT_FALSE(readable_within(fd, 0ms));  // drained: no longer readable
  ASSERT_TRUE(s.push.send(test::sequenced(3)));
  EXPECT_TRUE(readable_within(fd, 5000ms));  // the next message raises it again
  auto third = s.pull.recv(0ms);
  ASSERT_TRUE(third);
  EXPECT_FALSE(readable_within(fd, 0ms));
  EXPECT_EQ(s.pull.readiness_fd(), fd);  // the same descriptor
}

TEST(Readiness, PollInIsExactForFilteredSubscriptions) {
  context ctx;
  socket pub{ctx, socket_type::pub, test::no_linger()};
  socket sub{ctx, socket_type::sub, test::no_linger()};
  pub.bind("tcp://127.0.0.1:*");
  sub.subscribe("A");
  sub.connect(pub.last_endpoint());
  ASSERT_TRUE(pub.wait_subscribers(1, 5000ms));
  int fd = sub.readiness_fd();
  pub.send(message{"B-filtered"});
  pub.send(message{"A-wanted"});
  ASSERT_TRUE(readable_within(fd, 5000ms));
  ASSERT_TRUE(test::eventually([&] { return (sub.events() & poll_in) != 0; }, 5000ms));
  auto m = sub.recv(0ms);  // poll_in promised a message at once
  ASSERT_TRUE(m);
  EXPECT_EQ(test::frames_of(*m), std::vector<std::string>{"A-wanted"});
  EXPECT_EQ(sub.events() & poll_in, 0u);
  EXPECT_FALSE(readable_within(fd, 0ms));
}

TEST(Readiness, ReqTurnShowsInPollOut) {
  context ctx;
  socket rep{ctx, socket_type::rep, test::no_linger()};
  socket req{ctx, socket_type::req, test::no_linger()};
  rep.bind("tcp://127.0.0.1:*");
  req.connect(rep.last_endpoint());
  ASSERT_TRUE(test::eventually([&] { return (req.events() & poll_out) != 0; }, 5000ms));
  EXPECT_EQ(rep.events() & poll_out, 0u);  // REP has no request to answer
  ASSERT_TRUE(req.send(message{"ping"}));
  EXPECT_EQ(req.events() & poll_out, 0u);  // REQ awaits its reply
  ASSERT_TRUE(test::eventually([&] { return (rep.events() & poll_in) != 0; }, 5000ms));
  EXPECT_THROW(rep.send(message{"early"}), error);  // its turn is to receive
  ASSERT_TRUE(rep.recv(0ms));
  EXPECT_NE(rep.events() & poll_out, 0u);
  ASSERT_TRUE(rep.send(message{"pong"}));
  ASSERT_TRUE(test::eventually([&] { return (req.events() & poll_in) != 0; }, 5000ms));
  auto reply = req.recv(0ms);
  ASSERT_TRUE(reply);
  EXPECT_EQ(test::frames_of(*reply), std::vector<std::string>{"pong"});
  EXPECT_NE(req.events() & poll_out, 0u);
}

TEST(Readiness, RecvBatchStopsAtRepsTurnToReply) {
  context ctx;
  socket rep{ctx, socket_type::rep, test::no_linger()};
  socket req1{ctx, socket_type::req, test::no_linger()};
  socket req2{ctx, socket_type::req, test::no_linger()};
  rep.bind("tcp://127.0.0.1:*");
  req1.connect(rep.last_endpoint());
  req2.connect(rep.last_endpoint());
  ASSERT_TRUE(req1.send(message{"one"}));
  ASSERT_TRUE(req2.send(message{"two"}));
  std::vector<message> got;
  ASSERT_TRUE(test::eventually([&] { return rep.recv_batch(got, 10) > 0; }, 5000ms));
  EXPECT_EQ(got.size(), 1u);  // one request, then the turn to reply: no throw, no second one
  ASSERT_TRUE(rep.send(message{"reply"}));
  ASSERT_TRUE(test::eventually([&] { return rep.recv_batch(got, 10) > 0; }, 5000ms));
  EXPECT_EQ(got.size(), 2u);
}

TEST(Readiness, ConflateGivesTheNewestEvenAfterEventsTookOneAhead) {
  context ctx;
  socket_options o = test::no_linger();
  o.conflate = true;
  socket pull{ctx, socket_type::pull, o};
  socket push{ctx, socket_type::push, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  push.connect(pull.last_endpoint());
  ASSERT_TRUE(push.send(test::sequenced(1)));
  ASSERT_TRUE(test::eventually([&] { return (pull.events() & poll_in) != 0; }, 5000ms));
  ASSERT_TRUE(push.send(test::sequenced(2)));
  // Once 2 has arrived, recv returns it alone: 1, taken ahead by events(), is not the newest.
  std::optional<message> newest;
  ASSERT_TRUE(test::eventually([&] {
    auto stats = pull.stats();
    size_t queued = 0;
    for (auto& p : stats.peers)
      queued += p.queued_in;
    return queued > 0;
  }, 5000ms));
  newest = pull.recv(0ms);
  ASSERT_TRUE(newest);
  EXPECT_EQ(*newest, test::sequenced(2));
  EXPECT_FALSE(pull.recv(0ms));
}

TEST(Readiness, CallbackFiresOnArrivalAndOnlyOnce) {
  push_pull s;
  std::atomic<int> calls{0};
  s.pull.set_readiness_callback([&] { calls.fetch_add(1); });
  EXPECT_THROW(s.pull.set_readiness_callback([] {}), error);
  EXPECT_EQ(s.pull.events() & poll_in, 0u);  // arms the wake-up
  ASSERT_TRUE(s.push.send(test::sequenced(1)));
  ASSERT_TRUE(test::eventually([&] { return calls.load() > 0; }, 5000ms));
  ASSERT_TRUE(test::eventually([&] { return s.pull.recv(0ms).has_value(); }, 5000ms));
}

TEST(Readiness, BadInterestIsRefused) {
  push_pull s;
  EXPECT_THROW(s.pull.readiness_fd(0), error);
  EXPECT_THROW(s.pull.readiness_fd(8), error);
}

TEST(Readiness, ClosedSocketLeavesDescriptorReadable) {
  push_pull s;
  int fd = s.pull.readiness_fd();
  EXPECT_FALSE(readable_within(fd, 0ms));
  s.pull.close();
  EXPECT_TRUE(readable_within(fd, 1000ms));
  EXPECT_THROW(s.pull.events(), error);
}

#ifdef CAFMQ_THREAD_CHECKS
TEST(ThreadChecks, TwoThreadsInOneSocketAreDetected) {
  push_pull s;
  std::atomic<bool> inside{false};
  std::atomic<bool> got{false};
  std::thread blocked([&] {
    inside = true;
    test::deadline d{5000ms};
    while (!got && !d.expired()) {
      try {
        got = s.pull.recv(d.remaining()).has_value();  // holds the socket while it waits
      } catch (const error&) {
        // the main thread held it at that instant: try again
      }
    }
  });
  ASSERT_TRUE(test::eventually([&] { return inside.load(); }, 5000ms));
  // The other thread is inside recv (or about to be): keep trying until the check fires.
  bool detected = test::eventually([&] {
    try {
      s.pull.recv(0ms);
    } catch (const error& e) {
      return e.code() == errc::concurrent_use;
    }
    return false;
  }, 5000ms);
  s.push.send(test::sequenced(1));  // releases the blocked recv
  blocked.join();
  EXPECT_TRUE(detected);
  EXPECT_TRUE(got);
}
#endif

} // namespace
} // namespace cafmq
