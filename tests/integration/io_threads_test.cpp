// io_threads: a context's connections spread over its I/O threads, each served by its own loop,
// so one stuck loop holds up only its own connections; a handler that throws on a loop is caught
// there and the loop runs on.
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "actors/control.hpp"
#include "net/io_pool.hpp"
#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <memory>
#include <set>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;

constexpr auto budget = 10000ms;
constexpr int connections = 8;

net::io_pool& pool_of(context& ctx) {
  return ctx.control()->io_pool();
}

// Holds one loop's thread in a task until released (or destroyed: a failed assertion never
// leaves a loop blocked, which would hang the context's close).
class loop_blocker {
public:
  explicit loop_blocker(net::io_loop& loop) {
    auto entered = std::make_shared<std::promise<void>>();
    auto started = entered->get_future();
    loop.post([entered, release = release_.get_future().share()] {
      entered->set_value();
      release.wait();
    });
    started.wait();
  }
  ~loop_blocker() { release(); }
  void release() {
    if (!released_)
      release_.set_value();
    released_ = true;
  }

private:
  std::promise<void> release_;
  bool released_ = false;
};

// `connections` PAIR links, the binders in a context with `io_threads`, the connectors in a
// context of their own; every link has made one round trip.
struct links {
  context servers;
  context clients;
  std::vector<std::unique_ptr<socket>> binders;
  std::vector<std::unique_ptr<socket>> connectors;

  explicit links(int io_threads) : servers(context_options{io_threads}) {
    for (int i = 0; i < connections; ++i) {
      binders.push_back(std::make_unique<socket>(servers, socket_type::pair, test::no_linger()));
      binders.back()->bind("tcp://127.0.0.1:*");
      connectors.push_back(std::make_unique<socket>(clients, socket_type::pair, test::no_linger()));
      connectors.back()->connect(binders.back()->last_endpoint());
    }
    for (int i = 0; i < connections; ++i) {
      EXPECT_TRUE(connectors[i]->send(message{"hello"}, budget));
      auto m = binders[i]->recv(budget);
      EXPECT_TRUE(m.has_value()) << "link " << i << " never connected";
    }
  }
};

TEST(IoThreads, ConnectionsSpreadOverFourThreadsAndEveryMessageArrives) {
  links l{4};
  auto& pool = pool_of(l.servers);
  ASSERT_EQ(pool.size(), 4u);
  std::set<std::thread::id> threads;
  for (size_t i = 0; i < pool.size(); ++i) {
    EXPECT_EQ(pool.at(i).connections(), 2u)
      << "loop " << i << " serves " << pool.at(i).connections() << " connections";
    threads.insert(pool.at(i).thread_id());
  }
  EXPECT_EQ(threads.size(), 4u);
  constexpr int per_link = 500;
  for (int n = 0; n < per_link; ++n)
    for (int i = 0; i < connections; ++i)
      ASSERT_TRUE(l.connectors[i]->send(test::sequenced(static_cast<uint64_t>(n)), budget));
  for (int i = 0; i < connections; ++i)
    for (int n = 0; n < per_link; ++n) {
      auto m = l.binders[i]->recv(budget);
      ASSERT_TRUE(m.has_value()) << "link " << i << " lost message " << n;
      EXPECT_EQ(*m, test::sequenced(static_cast<uint64_t>(n)));
    }
}

// The links (not `got` yet) whose binder has received a message, polling all of them together
// until `expected` have or `within` runs out.
std::vector<int> received(links& l, std::chrono::milliseconds within, size_t expected,
                          std::vector<bool>& got) {
  test::deadline d{within};
  std::vector<int> out;
  for (;;) { // at least one pass, even with no time
    for (int i = 0; i < connections; ++i)
      if (!got[i] && l.binders[i]->recv(0ms)) {
        got[i] = true;
        out.push_back(i);
      }
    if (out.size() >= expected || d.expired())
      break;
    std::this_thread::sleep_for(1ms);
  }
  return out;
}

TEST(IoThreads, AStuckLoopHoldsUpOnlyItsOwnConnections) {
  links l{4};
  auto& pool = pool_of(l.servers);
  auto& stuck_loop = pool.at(1);
  size_t stuck = stuck_loop.connections();
  ASSERT_EQ(stuck, 2u);
  loop_blocker blocker{stuck_loop};
  for (auto& c : l.connectors)
    ASSERT_TRUE(c->send(message{"while stuck"}, budget));
  std::vector<bool> got(connections, false);
  auto first = received(l, budget, connections - stuck, got);
  EXPECT_EQ(first.size(), connections - stuck) << "the links on free loops were held up";
  // Those links keep exchanging while the loop stays stuck: round trips both ways.
  for (int round = 0; round < 50; ++round)
    for (int i : first) {
      ASSERT_TRUE(l.binders[i]->send(message{"ping"}, budget));
      ASSERT_TRUE(l.connectors[i]->recv(budget).has_value()) << "link " << i << " round " << round;
      ASSERT_TRUE(l.connectors[i]->send(message{"pong"}, budget));
      ASSERT_TRUE(l.binders[i]->recv(budget).has_value()) << "link " << i << " round " << round;
    }
  auto late = received(l, 0ms, stuck, got);
  EXPECT_TRUE(late.empty()) << "a message of a stuck connection arrived: its engine ran elsewhere";
  blocker.release();
  auto rest = received(l, budget, stuck, got);
  EXPECT_EQ(rest.size(), stuck) << "the stuck loop's links lost their messages";
}

TEST(IoThreads, AnExceptionEscapingAHandlerIsCaughtByItsLoopWhichRunsOn) {
  links l{2};
  auto& loop = pool_of(l.servers).at(1);
  loop.post([] { throw std::runtime_error("injected into an I/O loop"); });
  EXPECT_TRUE(test::eventually([&] { return loop.escaped_exceptions() == 1; }, budget));
  for (int i = 0; i < connections; ++i) {
    ASSERT_TRUE(l.connectors[i]->send(message{"after"}, budget));
    auto m = l.binders[i]->recv(budget);
    ASSERT_TRUE(m.has_value()) << "link " << i << " stopped after the exception";
    EXPECT_EQ(frames_of(*m), std::vector<std::string>{"after"});
  }
}

TEST(IoThreads, OneThreadIsTheDefault) {
  context ctx;
  EXPECT_EQ(pool_of(ctx).size(), 1u);
}

TEST(IoThreads, AThreadCountOutsideOneToSixtyFourIsRefused) {
  for (int n : {0, 65}) {
    try {
      context ctx{context_options{n}};
      ADD_FAILURE() << "io_threads = " << n << " accepted";
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_argument);
      EXPECT_NE(std::string(e.what()).find("io_threads"), std::string::npos) << e.what();
    }
  }
}

} // namespace
} // namespace cafmq
