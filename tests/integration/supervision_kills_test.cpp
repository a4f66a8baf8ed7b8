// Actors of the supervision tree killed (caf::exit_reason::kill: a death that says nothing), by
// the kill points of test builds (fault::arm_kill: the actor's next describe request kills it).
// A socket actor killed: its socket's calls, a blocked one included, fail fast with a clear
// error; the other sockets carry on. A connector killed: restarted on its pipe, every message
// still flows. A listener killed: reported with its real reason (internal, never "socket
// closed") and rebound on the same port.
#include "support/deadline.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"
#include "support/supervision.hpp"

#include "runtime/cafmq.hpp"
#include "runtime/core/fault_injection.hpp"

#include <gtest/gtest.h>

#include <future>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::exchange;
using test::find_node;
using test::next_with_code;

constexpr auto fast = 2000ms;  // a call on a dead socket returns within this

class SupervisionKills : public ::testing::Test {
protected:
  void SetUp() override { fault::reset(); }
  void TearDown() override { fault::reset(); }
};

// Runs `call`, which must throw errc::internal naming the kill, within `fast`.
template <class Call>
void expect_fast_internal(Call&& call, const char* what) {
  auto started = std::chrono::steady_clock::now();
  try {
    call();
    ADD_FAILURE() << what << " succeeded on a socket whose actor was killed";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::internal) << what << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find("killed"), std::string::npos) << what << ": " << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, fast) << what << " did not fail fast";
}

TEST_F(SupervisionKills, ASocketActorKilledMakesItsCallsFailFastAndSparesTheOthers) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  socket bystander{ctx, socket_type::push, test::no_linger()};
  bystander.connect(pull.last_endpoint());
  exchange(bystander, pull, "before", 10);

  socket doomed{ctx, socket_type::pull, test::no_linger()};
  doomed.bind("tcp://127.0.0.1:*");
  // A user thread blocked in recv when the actor dies is woken with the error.
  auto blocked = std::async(std::launch::async, [&] {
    try {
      doomed.recv(10000ms);
      return std::string("returned without an error");
    } catch (const error& e) {
      return std::string(e.what());
    }
  });
  fault::arm_kill(fault::point::socket_actor);
  try {
    doomed.describe();  // its actor handles this request by dying
  } catch (const error&) {
  }
  ASSERT_EQ(fault::killed(fault::point::socket_actor), 1u);
  auto killed_at = std::chrono::steady_clock::now();
  ASSERT_EQ(blocked.wait_for(fast), std::future_status::ready) << "a blocked recv hangs";
  EXPECT_LT(std::chrono::steady_clock::now() - killed_at, fast);
  EXPECT_NE(blocked.get().find("killed"), std::string::npos);

  expect_fast_internal([&] { doomed.bind("tcp://127.0.0.1:*"); }, "bind");
  expect_fast_internal([&] { doomed.connect(pull.last_endpoint()); }, "connect");
  expect_fast_internal([&] { doomed.describe(); }, "describe");
  expect_fast_internal([&] { doomed.recv(10000ms); }, "recv");

  exchange(bystander, pull, "after", 50);
  supervision_node tree;
  EXPECT_TRUE(test::eventually([&] {
    tree = ctx.supervision_tree();
    return tree.restarts == 1;
  }, 5000ms)) << to_text(tree);
  EXPECT_NE(tree.last_failure.find("killed (exit_reason::kill)"), std::string::npos) << to_text(tree);
}

TEST_F(SupervisionKills, AConnectorKilledIsRestartedOnItsPipeAndEveryMessageFlows) {
  context ctx;
  socket pull_a{ctx, socket_type::pull, test::no_linger()};
  pull_a.bind("tcp://127.0.0.1:*");
  socket pull_b{ctx, socket_type::pull, test::no_linger()};
  pull_b.bind("tcp://127.0.0.1:*");
  socket bystander{ctx, socket_type::push, test::no_linger()};
  bystander.connect(pull_b.last_endpoint());

  socket push{ctx, socket_type::push, test::no_linger()};  // default restart intensity
  auto events = push.monitor();
  push.connect(pull_a.last_endpoint());
  exchange(push, pull_a, "before", 10);
  exchange(bystander, pull_b, "before", 10);

  fault::arm_kill(fault::point::connector);
  push.describe();  // its only connector handles the request by dying
  ASSERT_EQ(fault::killed(fault::point::connector), 1u);
  std::vector<monitor_event> seen;
  auto died = next_with_code(events, event_kind::closed, event_reason::internal, seen);
  ASSERT_TRUE(died.has_value()) << test::describe(seen);
  EXPECT_NE(died->reason.find("killed (exit_reason::kill)"), std::string::npos) << died->reason;
  for (auto& e : seen)
    EXPECT_NE(e.reason_code, event_reason::local) << "a killed connector said its socket closed: " << e.reason;

  // The restarted connector connects again and serves the endpoint's pipe, which stayed
  // attached (a detached one would make these sends block: no peer to push to).
  ASSERT_TRUE(test::next_event(events, event_kind::handshake_succeeded, 5000ms, &seen))
    << test::describe(seen);
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(push.send(message{"queued " + std::to_string(i)}, 5000ms)) << "the pipe was dropped";
  for (int i = 0; i < 5; ++i) {
    auto m = pull_a.recv(5000ms);
    ASSERT_TRUE(m.has_value()) << "queued message " << i << " lost with the connector";
    EXPECT_EQ((*m)[0].to_string(), "queued " + std::to_string(i));
  }
  exchange(push, pull_a, "restarted", 50);
  exchange(bystander, pull_b, "after", 50);

  supervision_node tree;
  const supervision_node* c = nullptr;
  EXPECT_TRUE(test::eventually([&] {
    tree = push.describe();
    c = find_node(tree, node_role::connector, pull_a.last_endpoint());
    return c && c->state == node_state::connected;
  }, 5000ms)) << to_text(tree);
  ASSERT_NE(c, nullptr) << to_text(tree);
  EXPECT_EQ(c->restarts, 1u) << to_text(tree);
  EXPECT_NE(c->last_failure.find("killed"), std::string::npos) << to_text(tree);
  EXPECT_EQ(push.stats().supervisor_restarts, 1u);
  EXPECT_TRUE(push.stats().failed_endpoints.empty());
}

TEST_F(SupervisionKills, AListenerKilledIsReportedWithItsReasonAndRebound) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  auto events = pull.monitor();
  pull.bind("tcp://127.0.0.1:*");
  auto ep = pull.last_endpoint();
  auto o = test::no_linger();
  o.reconnect_ivl_ms = 20;
  socket peer{ctx, socket_type::push, o};
  peer.connect(ep);
  socket other_pull{ctx, socket_type::pull, test::no_linger()};
  other_pull.bind("tcp://127.0.0.1:*");
  socket bystander{ctx, socket_type::push, test::no_linger()};
  bystander.connect(other_pull.last_endpoint());
  exchange(peer, pull, "before", 10);
  exchange(bystander, other_pull, "before", 10);

  fault::arm_kill(fault::point::listener);
  pull.describe();  // its only listener handles the request by dying
  ASSERT_EQ(fault::killed(fault::point::listener), 1u);
  std::vector<monitor_event> seen;
  auto died = next_with_code(events, event_kind::closed, event_reason::internal, seen);
  ASSERT_TRUE(died.has_value()) << test::describe(seen);
  EXPECT_EQ(died->endpoint, ep);
  EXPECT_NE(died->reason.find("killed (exit_reason::kill)"), std::string::npos) << died->reason;
  EXPECT_EQ(died->reason.find("socket closed"), std::string::npos) << died->reason;
  auto again = test::next_event(events, event_kind::listening, 5000ms, &seen);
  ASSERT_TRUE(again.has_value()) << test::describe(seen);
  EXPECT_EQ(again->endpoint, ep) << "rebound on the same port";

  // The peer lost its connection with the listener's sessions; it reconnects and every message
  // it sends arrives.
  exchange(peer, pull, "after", 20);
  exchange(bystander, other_pull, "after", 50);
  auto tree = pull.describe();
  auto l = find_node(tree, node_role::listener, ep);
  ASSERT_NE(l, nullptr) << to_text(tree);
  EXPECT_EQ(l->state, node_state::listening) << to_text(tree);
  EXPECT_GE(l->restarts, 1u) << to_text(tree);
  EXPECT_GE(pull.stats().supervisor_restarts, 1u);
}

} // namespace
} // namespace cafmq
