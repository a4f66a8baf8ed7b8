// Fault injection into the supervision tree (docs/reliability.md): an exception thrown inside a
// session, a listener, a connector and a socket actor. Each test proves that only the faulty
// part is affected, that its supervisor's documented restart or report happens (monitor events,
// describe(), stats()), and that other peers keep exchanging messages, counted exactly.
#include "support/deadline.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"
#include "support/supervision.hpp"

#include "runtime/cafmq.hpp"
#include "runtime/core/fault_injection.hpp"
#include "runtime/core/log.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <string_view>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

class SupervisionFaults : public ::testing::Test {
protected:
  void SetUp() override { fault::reset(); }
  void TearDown() override { fault::reset(); }
};

using test::exchange;
using test::find_node;
using test::next_with_code;

// A session's handler throws: that one connection ends with code internal, its parent carries
// on (the listener forgets it, or the connector redials), and the other peer's traffic is
// untouched.
TEST_F(SupervisionFaults, AnExceptionInASessionEndsThatConnectionOnly) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  auto pull_events = pull.monitor();
  pull.bind("tcp://127.0.0.1:*");
  socket bystander{ctx, socket_type::push, test::no_linger()};
  auto bystander_events = bystander.monitor();
  bystander.connect(pull.last_endpoint());
  exchange(bystander, pull, "before", 10);
  // Messages flow before the session actors handle `ready`: wait until both sides' did, so
  // the armed point can only hit the faulty peer's connection.
  ASSERT_TRUE(test::next_event(bystander_events, event_kind::handshake_succeeded, 5000ms));
  ASSERT_TRUE(test::next_event(pull_events, event_kind::handshake_succeeded, 5000ms));

  fault::arm(fault::point::session);
  auto o = test::no_linger();
  o.reconnect_ivl_ms = 20;
  socket faulty{ctx, socket_type::push, o};
  auto faulty_events = faulty.monitor();
  faulty.connect(pull.last_endpoint());
  ASSERT_TRUE(test::eventually([] { return fault::fired(fault::point::session) == 1; }, 5000ms));

  // Either side's session handled its `ready` first and died: its end is reported as internal.
  std::vector<monitor_event> seen;
  bool reported = false;
  test::deadline d{5000ms};
  while (!reported && !d.expired())
    for (auto* events : {&pull_events, &faulty_events})
      if (auto e = events->next(10ms)) {
        seen.push_back(*e);
        reported = reported || (e->reason_code == event_reason::internal
                                && (e->kind == event_kind::handshake_failed
                                    || e->kind == event_kind::disconnected)
                                && e->reason.find("exception in the session") != std::string::npos);
      }
  ASSERT_TRUE(reported) << test::describe(seen);

  // The faulty peer reconnects: its second connection's handshake. Until then, what it sends may
  // still go down the first connection, which the other side is closing (lost, as in libzmq).
  bool reconnected = false;
  auto second_handshake = [](const monitor_event& e) {
    return e.kind == event_kind::handshake_succeeded && e.connection_id >= 2;
  };
  for (auto& e : seen)
    reconnected = reconnected || second_handshake(e);
  test::deadline r{5000ms};
  while (!reconnected && !r.expired())
    if (auto e = faulty_events.next(10ms)) {
      seen.push_back(*e);
      reconnected = second_handshake(*e);
    }
  ASSERT_TRUE(reconnected) << test::describe(seen);

  // Its messages flow; the bystander never noticed.
  exchange(bystander, pull, "during", 50);
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(faulty.send(message{"faulty " + std::to_string(i)}, 5000ms));
  int from_faulty = 0;
  for (int i = 0; i < 5; ++i) {
    auto m = pull.recv(5000ms);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ((*m)[0].to_string(), "faulty " + std::to_string(from_faulty++));
  }
  exchange(bystander, pull, "after", 10);
  EXPECT_EQ(fault::fired(fault::point::session), 1u);
}

// A listener's accept handler throws: the listener dies, reported as `closed` with code
// internal (never "socket closed"); the socket actor rebinds the same port after a backoff;
// the faulty peer gets in again; the other endpoint's peer exchanged every message. The old
// acceptor closes asynchronously on the I/O thread, so a rebind may first find the port still
// taken and count another restart: at least one restart, and it ends listening on the port.
TEST_F(SupervisionFaults, AListenerThatDiesIsReportedAndReboundOnTheSamePort) {
  context ctx;
  auto po = test::no_linger();
  po.restart_intensity = 5;
  po.restart_period_ms = 60000;
  socket pull{ctx, socket_type::pull, po};
  auto events = pull.monitor();
  pull.bind("tcp://127.0.0.1:*");
  auto faulty_ep = pull.last_endpoint();
  pull.bind("tcp://127.0.0.1:*");
  auto other_ep = pull.last_endpoint();
  socket bystander{ctx, socket_type::push, test::no_linger()};
  bystander.connect(other_ep);
  exchange(bystander, pull, "before", 10);

  fault::arm(fault::point::listener);
  auto o = test::no_linger();
  o.reconnect_ivl_ms = 20;
  socket faulty{ctx, socket_type::push, o};
  faulty.connect(faulty_ep);

  std::vector<monitor_event> seen;
  auto died = next_with_code(events, event_kind::closed, event_reason::internal, seen);
  ASSERT_TRUE(died.has_value()) << test::describe(seen);
  EXPECT_EQ(died->endpoint, faulty_ep);
  EXPECT_NE(died->reason.find("exception in the listener"), std::string::npos) << died->reason;
  EXPECT_EQ(died->reason.find("socket closed"), std::string::npos) << died->reason;
  auto again = test::next_event(events, event_kind::listening, 5000ms, &seen);
  ASSERT_TRUE(again.has_value()) << test::describe(seen);
  EXPECT_EQ(again->endpoint, faulty_ep) << "rebound on the same port";

  exchange(bystander, pull, "during", 50);
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(faulty.send(message{"faulty " + std::to_string(i)}, 5000ms));
  for (int i = 0; i < 5; ++i) {
    auto m = pull.recv(5000ms);
    ASSERT_TRUE(m.has_value()) << "the faulty peer got in again after the rebind";
    EXPECT_EQ((*m)[0].to_string(), "faulty " + std::to_string(i));
  }

  auto tree = pull.describe();
  auto l = find_node(tree, node_role::listener, faulty_ep);
  ASSERT_NE(l, nullptr) << to_text(tree);
  EXPECT_EQ(l->state, node_state::listening);
  EXPECT_GE(l->restarts, 1u) << to_text(tree);
  EXPECT_GE(tree.restarts, 1u) << to_text(tree);
  auto st = pull.stats();
  EXPECT_GE(st.supervisor_restarts, 1u);
  EXPECT_EQ(st.supervisor_restarts, tree.restarts);
  EXPECT_NE(st.last_failure.find(faulty_ep), std::string::npos) << st.last_failure;
  EXPECT_TRUE(st.failed_endpoints.empty());
  exchange(bystander, pull, "after", 10);
}

// With the default restart intensity (no limit), consecutive restarts of one child back off:
// 50 ms doubling (the listener's accept handler throws 4 times in a row, each rebind admitting
// the reconnecting peer at once), and the restart log is rate-limited to the 1st, 2nd, 4th...
TEST_F(SupervisionFaults, ConsecutiveRestartsOfAChildBackOffAtTheDefaultIntensity) {
  std::mutex mtx;
  std::vector<std::string> restart_logs;
  log::set_sink([&](log::level, std::string_view component, std::string_view text) {
    if (component == "socket" && text.find("restarting in") != std::string_view::npos) {
      std::lock_guard<std::mutex> guard{mtx};
      restart_logs.emplace_back(text);
    }
  });
  {
    context ctx;
    socket pull{ctx, socket_type::pull, test::no_linger()};
    auto events = pull.monitor();
    pull.bind("tcp://127.0.0.1:*");
    auto ep = pull.last_endpoint();
    ASSERT_TRUE(test::next_event(events, event_kind::listening, 5000ms));  // the bind's own
    fault::arm(fault::point::listener, 4);
    auto o = test::no_linger();
    o.reconnect_ivl_ms = 10;
    socket peer{ctx, socket_type::push, o};
    auto started = std::chrono::steady_clock::now();
    peer.connect(ep);
    std::vector<monitor_event> seen;
    for (int i = 0; i < 4; ++i)
      ASSERT_TRUE(test::next_event(events, event_kind::listening, 10000ms, &seen)) << test::describe(seen);
    // 50 + 100 + 200 + 400 ms of backoff at least (a fixed 50 ms would take about 200 ms).
    EXPECT_GE(std::chrono::steady_clock::now() - started, 700ms);
    EXPECT_EQ(fault::fired(fault::point::listener), 4u);
    exchange(peer, pull, "after", 10);
    EXPECT_EQ(pull.stats().supervisor_restarts, 4u);
  }
  log::set_sink(nullptr);
  ASSERT_EQ(restart_logs.size(), 3u);  // the 1st, 2nd and 4th restart
  EXPECT_NE(restart_logs[0].find("restarting in 50 ms"), std::string::npos) << restart_logs[0];
  EXPECT_NE(restart_logs[1].find("restarting in 100 ms"), std::string::npos) << restart_logs[1];
  EXPECT_NE(restart_logs[2].find("restarting in 400 ms"), std::string::npos) << restart_logs[2];
}

// Beyond restart_intensity the listener is given up: `closed` with code restart_intensity, a
// failed node in describe(), a failed endpoint in stats(); the socket's other endpoint works.
TEST_F(SupervisionFaults, AListenerDyingTooOftenIsGivenUpAndReported) {
  context ctx;
  auto po = test::no_linger();
  po.restart_intensity = 1;
  po.restart_period_ms = 60000;
  socket pull{ctx, socket_type::pull, po};
  auto events = pull.monitor();
  pull.bind("tcp://127.0.0.1:*");
  auto faulty_ep = pull.last_endpoint();
  pull.bind("tcp://127.0.0.1:*");
  auto other_ep = pull.last_endpoint();
  socket bystander{ctx, socket_type::push, test::no_linger()};
  bystander.connect(other_ep);
  exchange(bystander, pull, "before", 10);

  fault::arm(fault::point::listener, 2);
  auto o = test::no_linger();
  o.reconnect_ivl_ms = 20;
  socket faulty{ctx, socket_type::push, o};
  faulty.connect(faulty_ep);

  std::vector<monitor_event> seen;
  auto gone = next_with_code(events, event_kind::closed, event_reason::restart_intensity, seen, 10000ms);
  ASSERT_TRUE(gone.has_value()) << test::describe(seen);
  EXPECT_EQ(gone->endpoint, faulty_ep);
  EXPECT_NE(gone->reason.find("restart_intensity"), std::string::npos) << gone->reason;
  EXPECT_EQ(fault::fired(fault::point::listener), 2u);

  auto tree = pull.describe();
  auto l = find_node(tree, node_role::listener, faulty_ep);
  ASSERT_NE(l, nullptr) << to_text(tree);
  EXPECT_EQ(l->state, node_state::failed) << to_text(tree);
  EXPECT_NE(l->last_failure.find("exception in the listener"), std::string::npos) << to_text(tree);
  auto st = pull.stats();
  ASSERT_EQ(st.failed_endpoints.size(), 1u);
  EXPECT_EQ(st.failed_endpoints[0].endpoint, faulty_ep);
  exchange(bystander, pull, "after", 50);
}

// A connector's dial handler throws: the connector dies (`closed`, internal) and the socket
// actor restarts it on the same endpoint and the same pipe: what the user queued before the
// fault arrives; another connector of the same socket kept exchanging.
TEST_F(SupervisionFaults, AConnectorThatDiesIsRestartedOnItsPipe) {
  context ctx;
  socket pull_a{ctx, socket_type::pull, test::no_linger()};
  pull_a.bind("tcp://127.0.0.1:*");
  socket pull_b{ctx, socket_type::pull, test::no_linger()};
  pull_b.bind("tcp://127.0.0.1:*");
  socket bystander{ctx, socket_type::push, test::no_linger()};
  bystander.connect(pull_b.last_endpoint());
  exchange(bystander, pull_b, "before", 10);

  auto o = test::no_linger();
  o.restart_intensity = 2;
  o.restart_period_ms = 60000;
  socket push{ctx, socket_type::push, o};
  auto events = push.monitor();
  fault::arm(fault::point::connector);
  push.connect(pull_a.last_endpoint());
  for (int i = 0; i < 5; ++i)  // queued on the endpoint's pipe before any connection
    ASSERT_TRUE(push.send(message{"queued " + std::to_string(i)}, 5000ms));

  std::vector<monitor_event> seen;
  auto died = next_with_code(events, event_kind::closed, event_reason::internal, seen);
  ASSERT_TRUE(died.has_value()) << test::describe(seen);
  EXPECT_NE(died->reason.find("exception in the connector"), std::string::npos) << died->reason;
  ASSERT_TRUE(test::next_event(events, event_kind::handshake_succeeded, 5000ms, &seen))
    << test::describe(seen);

  for (int i = 0; i < 5; ++i) {
    auto m = pull_a.recv(5000ms);
    ASSERT_TRUE(m.has_value()) << "queued message " << i << " lost with the connector";
    EXPECT_EQ((*m)[0].to_string(), "queued " + std::to_string(i));
  }
  exchange(push, pull_a, "restarted", 20);
  exchange(bystander, pull_b, "after", 50);

  auto tree = push.describe();
  auto c = find_node(tree, node_role::connector, pull_a.last_endpoint());
  ASSERT_NE(c, nullptr) << to_text(tree);
  EXPECT_EQ(c->state, node_state::connected) << to_text(tree);
  EXPECT_EQ(c->restarts, 1u) << to_text(tree);
  EXPECT_NE(c->last_failure.find("exception in the connector"), std::string::npos) << to_text(tree);
  EXPECT_EQ(push.stats().supervisor_restarts, 1u);
  EXPECT_EQ(fault::fired(fault::point::connector), 1u);
}

// A socket actor's handler throws: the root supervisor does not restart it; that socket's calls
// fail with errc::internal naming the fault, never hang; every other socket carries on; the
// context's tree shows the failed socket.
TEST_F(SupervisionFaults, ASocketActorThatDiesMakesItsCallsFailAndSparesTheOthers) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  socket bystander{ctx, socket_type::push, test::no_linger()};
  bystander.connect(pull.last_endpoint());
  exchange(bystander, pull, "before", 10);

  socket doomed{ctx, socket_type::pull, test::no_linger()};
  fault::arm(fault::point::socket_actor);
  auto expect_internal = [](auto&& call, const char* what) {
    try {
      call();
      ADD_FAILURE() << what << " succeeded on a failed socket";
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::internal) << what << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find("exception in the socket actor"), std::string::npos)
        << what << ": " << e.what();
    }
  };
  expect_internal([&] { doomed.bind("tcp://127.0.0.1:*"); }, "bind");
  expect_internal([&] { doomed.connect(pull.last_endpoint()); }, "connect");
  expect_internal([&] { doomed.describe(); }, "describe");
  expect_internal([&] { doomed.recv(1000ms); }, "recv");

  exchange(bystander, pull, "after", 50);
  // The root supervisor records the death when CAF reports it (asynchronously).
  supervision_node tree;
  EXPECT_TRUE(test::eventually([&] {
    tree = ctx.supervision_tree();
    return tree.restarts == 1;
  }, 5000ms)) << to_text(tree);
  EXPECT_NE(tree.last_failure.find("exception in the socket actor"), std::string::npos) << to_text(tree);
  bool shown = false;
  for (auto& n : tree.children)
    shown = shown || (n.role == node_role::socket && n.state == node_state::failed);
  EXPECT_TRUE(shown) << to_text(tree);
  EXPECT_EQ(fault::fired(fault::point::socket_actor), 1u);
}

} // namespace
} // namespace cafmq
