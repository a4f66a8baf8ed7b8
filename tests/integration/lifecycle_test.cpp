// Closing and shutting down (protocol-reference §5.6): close() with linger 0 discards and counts,
// a finite linger bounds the wait, pending messages are flushed to a present peer, and
// destroying a context never hangs, whatever is still open.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"
#include "support/rss.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

TEST(Linger, ZeroDiscardsQueuedMessagesAndReportsTheCount) {
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(test::local_endpoint(test::free_tcp_port()));  // nobody listens there
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(push.send(message{"queued"}, 0ms));
  auto t0 = test::clock::now();
  EXPECT_EQ(push.close(), 5u);
  EXPECT_LT(test::elapsed_ms(t0), 1000) << "linger 0 must not wait";
}

TEST(Linger, FiniteLingerBoundsCloseAndReportsDiscards) {
  context ctx;
  socket_options o;
  o.linger_ms = 200;
  socket push{ctx, socket_type::push, o};
  push.connect(test::local_endpoint(test::free_tcp_port()));
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(push.send(message{"queued"}, 0ms));
  auto t0 = test::clock::now();
  EXPECT_EQ(push.close(), 5u);
  auto waited = test::elapsed_ms(t0);
  EXPECT_GE(waited, 150) << "close returned before the linger period";
  EXPECT_LT(waited, 1000) << "close overran linger = 200 ms";
}

TEST(Linger, SetLingerBeforeCloseTakesEffect) {
  context ctx;
  socket push{ctx, socket_type::push};  // default linger: forever
  push.connect(test::local_endpoint(test::free_tcp_port()));
  ASSERT_TRUE(push.send(message{"queued"}, 0ms));
  push.set_linger(0ms);
  auto t0 = test::clock::now();
  EXPECT_EQ(push.close(), 1u);
  EXPECT_LT(test::elapsed_ms(t0), 1000);
}

TEST(Linger, CloseWithLingerDeliversWhatWasQueuedToAConnectedPeer) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  socket_options o;
  o.linger_ms = 5000;
  socket push{ctx, socket_type::push, o};
  push.connect(pull.last_endpoint());
  constexpr uint64_t n = 200;
  for (uint64_t i = 0; i < n; ++i)
    ASSERT_TRUE(push.send(test::sequenced(i, 1024), 0ms));
  EXPECT_EQ(push.close(), 0u) << "messages were discarded although the peer was there";
  for (uint64_t i = 0; i < n; ++i) {
    auto m = pull.recv(5000ms);
    ASSERT_TRUE(m.has_value()) << "message " << i << " lost by close()";
    ASSERT_EQ(test::sequence_of(*m), i);
  }
}

TEST(Close, ClosedPullReleasesItsPortForANewBind) {
  context ctx;
  auto a = std::make_unique<socket>(ctx, socket_type::pull, test::no_linger());
  a->bind("tcp://127.0.0.1:*");
  auto ep = a->last_endpoint();
  a->close();
  socket b{ctx, socket_type::pull, test::no_linger()};
  bool bound = test::eventually([&] {
    try {
      b.bind(ep);
      return true;
    } catch (const error&) {
      return false;
    }
  }, 5000ms, 10ms);
  EXPECT_TRUE(bound) << "port of a closed socket still taken after 5 s";
}

// Runs `work` on a detached thread; true if it finished within `budget`. On timeout the thread
// is abandoned (with everything it owns) so that a hang fails this test instead of the suite.
bool finishes_within(std::function<void()> work, std::chrono::milliseconds budget) {
  auto done = std::make_shared<std::promise<void>>();
  auto f = done->get_future();
  std::thread([done, work = std::move(work)] {
    work();
    done->set_value();
  }).detach();
  return f.wait_for(budget) == std::future_status::ready;
}

TEST(ContextShutdown, DestroyingAContextAfterClosingBusySocketsNeverHangs) {
  bool ok = finishes_within([] {
    context ctx;
    socket pull{ctx, socket_type::pull, test::no_linger()};
    pull.bind("tcp://127.0.0.1:*");
    socket push{ctx, socket_type::push, test::no_linger()};
    push.connect(pull.last_endpoint());
    socket orphan{ctx, socket_type::push, test::no_linger()};
    orphan.connect(test::local_endpoint(test::free_tcp_port()));  // redialling forever
    for (int i = 0; i < 100; ++i) {
      push.send(message{std::string(1000, 'x')}, 0ms);
      orphan.send(message{"never delivered"}, 0ms);
    }
    pull.close();
    push.close();
    orphan.close();
  }, 10000ms);
  EXPECT_TRUE(ok) << "context destruction hung for 10 s";
}

TEST(ContextShutdown, DestroyingAContextWithOpenSocketsNeverHangsPastTheirLingers) {
  // The sockets are deliberately left open (connected, with queued messages, one redialling)
  // when the context goes; they are destroyed after it. The context lingers for them: the push
  // (linger -1) until its peer has everything, the orphan for its 200 ms.
  bool ok = finishes_within([] {
    auto ctx = std::make_unique<context>();
    socket pull{*ctx, socket_type::pull, test::no_linger()};
    pull.bind("tcp://127.0.0.1:*");
    socket push{*ctx, socket_type::push};  // default linger: forever
    push.connect(pull.last_endpoint());
    socket_options short_linger;
    short_linger.linger_ms = 200;
    socket orphan{*ctx, socket_type::push, short_linger};
    orphan.connect(test::local_endpoint(test::free_tcp_port()));
    push.send(message{"in flight"}, 2000ms);
    EXPECT_TRUE(pull.recv(5000ms).has_value());
    for (int i = 0; i < 50; ++i) {
      push.send(message{std::string(1000, 'x')}, 0ms);
      orphan.send(message{"queued"}, 0ms);
    }
    ctx.reset();
    // Every call now says why it cannot work; close() and the destructors return at once.
    EXPECT_THROW(push.send(message{"late"}, 0ms), error);
    try {
      pull.recv(0ms);
      ADD_FAILURE() << "recv on a socket of a destroyed context did not throw";
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::socket_closed);
      EXPECT_NE(std::string(e.what()).find("context"), std::string::npos) << e.what();
    }
    EXPECT_THROW(orphan.connect("tcp://127.0.0.1:1"), error);
  }, 10000ms);
  EXPECT_TRUE(ok) << "context destruction with open sockets hung for 10 s";
}

TEST(ContextShutdown, ARecvBlockedForeverEndsWhenTheContextIsDestroyed) {
  auto ctx = std::make_unique<context>();
  auto pull = std::make_unique<socket>(*ctx, socket_type::pull, test::no_linger());
  pull->bind("tcp://127.0.0.1:*");
  auto outcome = std::async(std::launch::async, [&] {
    try {
      pull->recv();  // rcvtimeo -1: waits forever
      return std::string("returned");
    } catch (const error& e) {
      return std::string(to_string(e.code()));
    }
  });
  // The recv may or may not have started sleeping yet: both must end the same way.
  ctx.reset();
  ASSERT_EQ(outcome.wait_for(10s), std::future_status::ready) << "blocked recv never woke up";
  EXPECT_EQ(outcome.get(), to_string(errc::socket_closed));
}

// CAF 0.17 keeps the system's logger referenced from every thread that created the system or
// made a blocking request; the context must release those references, or ~actor_system waits
// forever when another thread destroys it.
TEST(ContextShutdown, ContextCreatedOnOneThreadCanBeDestroyedOnAnother) {
  auto ctx = std::make_shared<std::unique_ptr<context>>(std::make_unique<context>());
  bool ok = finishes_within([ctx] { ctx->reset(); }, 10000ms);
  EXPECT_TRUE(ok) << "destroying an idle context on another thread hung for 10 s";
}

TEST(ContextShutdown, ContextUsedOnAnotherThreadCanBeDestroyedHere) {
  bool ok = finishes_within([] {
    auto ctx = std::make_unique<context>();
    std::string endpoint;
    std::thread user([&] {  // binds, connects and exchanges from its own thread, then lives on
      socket pull{*ctx, socket_type::pull, test::no_linger()};
      pull.bind("tcp://127.0.0.1:*");
      endpoint = pull.last_endpoint();
      socket push{*ctx, socket_type::push, test::no_linger()};
      push.connect(endpoint);
      push.send(message{"x"}, 1000ms);
      EXPECT_TRUE(pull.recv(1000ms).has_value());
    });
    user.join();
    ctx.reset();
  }, 10000ms);
  EXPECT_TRUE(ok) << "destroying a context used from another thread hung for 10 s";
}

TEST(ContextShutdown, ManyContextsCreatedAndDestroyedInARowDoNotLeakThreadsOrHang) {
  { context warm_up; }  // a process's first threads may start helpers of their own (TSan's)
  auto threads_before = test::thread_count();
  bool ok = finishes_within([] {
    for (int i = 0; i < 20; ++i) {
      context ctx;
      socket pull{ctx, socket_type::pull, test::no_linger()};
      pull.bind("tcp://127.0.0.1:*");
      socket push{ctx, socket_type::push, test::no_linger()};
      push.connect(pull.last_endpoint());
      push.send(message{"x"}, 1000ms);
      pull.recv(1000ms);
    }
  }, 20000ms);
  ASSERT_TRUE(ok) << "20 context lifetimes did not finish within 20 s";
  // The worker thread itself may still be exiting: poll for the count to settle.
  EXPECT_TRUE(test::eventually([&] { return test::thread_count() <= threads_before; }, 5000ms))
    << "threads before: " << threads_before << ", after: " << test::thread_count();
}

} // namespace
} // namespace cafmq
