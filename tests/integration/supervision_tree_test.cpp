// Introspection of the supervision tree: context -> sockets -> listeners and connectors ->
// sessions, with the state of each (listening, dialing, waiting with its next interval, stopped,
// handshaking, ready).
#include "support/deadline.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"
#include "support/raw_tcp.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

const supervision_node* child_at(const supervision_node& n, node_role role, const std::string& ep) {
  for (auto& c : n.children)
    if (c.role == role && c.endpoint == ep)
      return &c;
  return nullptr;
}
// The result points into `n`: a temporary tree would leave it dangling.
const supervision_node* child_at(supervision_node&&, node_role, const std::string&) = delete;

TEST(SupervisionTree, ListsListenersConnectorsAndSessionsWithTheirStates) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  auto o = test::no_linger();
  o.reconnect_ivl_ms = 60000;  // stays waiting for the whole test
  socket push{ctx, socket_type::push, o};
  auto events = push.monitor();
  auto nowhere = test::local_endpoint(test::free_tcp_port());
  push.connect(nowhere);
  push.connect(pull.last_endpoint());
  bool ready = false;
  bool retried = false;
  test::deadline d{5000ms};
  while (!(ready && retried) && !d.expired())  // the two connectors race: either comes first
    if (auto e = events.next(d.remaining())) {
      ready = ready || e->kind == event_kind::handshake_succeeded;
      retried = retried || e->kind == event_kind::connect_retried;
    }
  ASSERT_TRUE(ready && retried);

  auto tree = push.describe();
  EXPECT_EQ(tree.role, node_role::socket);
  EXPECT_EQ(tree.endpoint, "PUSH");
  ASSERT_EQ(tree.children.size(), 2u) << to_text(tree);
  auto waiting = child_at(tree, node_role::connector, nowhere);
  ASSERT_NE(waiting, nullptr) << to_text(tree);
  EXPECT_EQ(waiting->state, node_state::waiting) << to_text(tree);
  EXPECT_EQ(waiting->next_retry, 60000ms);
  EXPECT_EQ(waiting->retries, 1u);
  EXPECT_TRUE(waiting->children.empty());
  auto live = child_at(tree, node_role::connector, pull.last_endpoint());
  ASSERT_NE(live, nullptr) << to_text(tree);
  EXPECT_EQ(live->state, node_state::connected);
  ASSERT_EQ(live->children.size(), 1u) << to_text(tree);
  EXPECT_EQ(live->children[0].role, node_role::session);
  EXPECT_EQ(live->children[0].state, node_state::ready);
  EXPECT_EQ(live->children[0].peer, pull.last_endpoint());

  auto server = pull.describe();
  auto listener = child_at(server, node_role::listener, pull.last_endpoint());
  ASSERT_NE(listener, nullptr) << to_text(server);
  EXPECT_EQ(listener->state, node_state::listening);
  ASSERT_TRUE(test::eventually([&] {  // the accepting side's session reaches ready on its own time
    auto sessions = pull.describe().children.at(0).children;
    return sessions.size() == 1 && sessions[0].state == node_state::ready;
  }, 5000ms));
  auto session = pull.describe().children.at(0).children.at(0);
  EXPECT_EQ(session.state, node_state::ready);
  EXPECT_NE(session.connection_id, 0u);

  auto all = ctx.supervision_tree();
  EXPECT_EQ(all.role, node_role::context);
  EXPECT_EQ(all.children.size(), 2u) << to_text(all);
  auto text = to_text(all);
  EXPECT_NE(text.find("connector " + nowhere + " [waiting, retry in 60000 ms, 1 retries]"),
            std::string::npos)
    << text;
}

TEST(SupervisionTree, ASessionStillInItsHandshakeAndAStoppedConnectorShowAsSuch) {
  test::raw_listener silent;  // accepts but never answers the greeting
  context ctx;
  auto o = test::no_linger();
  o.reconnect_stop = reconnect_stop_conn_refused;
  socket push{ctx, socket_type::push, o};
  auto events = push.monitor();
  push.connect(silent.endpoint());
  auto peer = silent.accept(5000ms);
  auto refused = test::local_endpoint(test::free_tcp_port());
  push.connect(refused);
  ASSERT_TRUE(test::next_event(events, event_kind::closed, 5000ms));
  ASSERT_TRUE(test::eventually(
    [&] {
      auto tree = push.describe();  // child_at points into it: keep it alive
      auto c = child_at(tree, node_role::connector, silent.endpoint());
      return c != nullptr && c->children.size() == 1;
    },
    5000ms));
  auto tree = push.describe();
  auto hanging = child_at(tree, node_role::connector, silent.endpoint());
  EXPECT_EQ(hanging->state, node_state::connected);
  EXPECT_EQ(hanging->children.at(0).state, node_state::handshaking) << to_text(tree);
  auto stopped = child_at(tree, node_role::connector, refused);
  ASSERT_NE(stopped, nullptr) << to_text(tree);
  EXPECT_EQ(stopped->state, node_state::stopped);
  EXPECT_NE(stopped->detail.find("reconnect_stop_conn_refused"), std::string::npos)
    << stopped->detail;
}

TEST(SupervisionTree, AClosedSocketLeavesTheTreeAndCannotBeDescribed) {
  context ctx;
  socket s{ctx, socket_type::pull, test::no_linger()};
  EXPECT_EQ(ctx.supervision_tree().children.size(), 1u);
  s.close();
  EXPECT_THROW(s.describe(), error);
  // The socket actor ends asynchronously after close().
  EXPECT_TRUE(test::eventually([&] { return ctx.supervision_tree().children.empty(); }, 5000ms));
}

} // namespace
} // namespace cafmq
