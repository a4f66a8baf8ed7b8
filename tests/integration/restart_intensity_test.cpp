// One-for-one supervision with a restart intensity: a connector restarts the session of a peer
// that keeps accepting, completing the handshake and hanging up, until more than
// restart_intensity restarts fall within restart_period_ms; then it escalates to its socket
// actor, which reports it (`closed` with reason restart_intensity, describe(), stats()) while
// the socket keeps serving its other endpoints.
#include "support/deadline.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
namespace zmtp = test::zmtp;

// A peer that completes each NULL handshake as a PULL and closes at once, until stopped.
class flapping_peer {
public:
  flapping_peer() : thread_([this] { run(); }) {}
  ~flapping_peer() {
    stop_ = true;
    thread_.join();
  }
  std::string endpoint() const { return listener_.endpoint(); }
  int handshakes() const { return handshakes_.load(); }

private:
  void run() {
    while (!stop_) {
      try {
        auto c = listener_.accept(200ms);
        c.send_all(zmtp::concat({zmtp::greeting(), zmtp::ready_socket_type("PULL")}));
        if (c.read_exact(64, 2000ms).status == test::read_status::ok
            && zmtp::read_frame(c, 2000ms).has_value())  // its READY: the handshake is done
          ++handshakes_;
      } catch (const std::exception&) {
        // no connection within 200 ms: look at stop_ again
      }
    }
  }
  test::raw_listener listener_;
  std::atomic<bool> stop_{false};
  std::atomic<int> handshakes_{0};
  std::thread thread_;
};

TEST(RestartIntensity, AFlappingPeerMakesTheConnectorEscalateAfterTheLimit) {
  flapping_peer peer;
  context ctx;
  auto o = test::no_linger();
  o.reconnect_ivl_ms = 10;
  o.restart_intensity = 3;
  o.restart_period_ms = 60000;
  socket push{ctx, socket_type::push, o};
  auto events = push.monitor();
  push.connect(peer.endpoint());
  std::vector<monitor_event> seen;
  ASSERT_TRUE(test::next_event(events, event_kind::closed, 10000ms, &seen))
    << test::describe(seen);
  EXPECT_EQ(seen.back().reason_code, event_reason::restart_intensity) << to_json(seen.back());
  int restarts = 0;
  for (auto& e : seen)
    restarts += e.kind == event_kind::handshake_succeeded ? 1 : 0;
  EXPECT_EQ(restarts, 4) << "three restarts allowed, the fourth session's loss escalates";
  // The socket actor acted on the escalation: describe() and stats() keep the reason.
  auto tree = push.describe();
  ASSERT_EQ(tree.children.size(), 1u) << to_text(tree);
  EXPECT_EQ(tree.children[0].role, node_role::connector);
  EXPECT_EQ(tree.children[0].state, node_state::failed) << to_text(tree);
  EXPECT_NE(tree.children[0].last_failure.find("restart intensity exceeded"), std::string::npos)
    << to_text(tree);
  auto st = push.stats();
  ASSERT_EQ(st.failed_endpoints.size(), 1u);
  EXPECT_EQ(st.failed_endpoints[0].endpoint, peer.endpoint());
  EXPECT_NE(st.last_failure.find("restart intensity exceeded"), std::string::npos) << st.last_failure;

  // The socket itself carries on: another endpoint still works.
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  push.connect(pull.last_endpoint());
  ASSERT_TRUE(push.send(message{"still here"}, 5000ms));
  auto m = pull.recv(5000ms);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)[0].to_string(), "still here");
}

TEST(RestartIntensity, WithoutALimitTheConnectorKeepsRestarting) {
  flapping_peer peer;
  context ctx;
  auto o = test::no_linger();
  o.reconnect_ivl_ms = 10;
  socket push{ctx, socket_type::push, o};
  auto events = push.monitor();
  push.connect(peer.endpoint());
  std::vector<monitor_event> seen;
  int handshakes = 0;
  test::deadline d{10000ms};
  while (handshakes < 8 && !d.expired()) {
    auto e = events.next(d.remaining());
    ASSERT_TRUE(e.has_value()) << test::describe(seen);
    seen.push_back(*e);
    EXPECT_NE(e->kind, event_kind::closed) << to_json(*e);
    handshakes += e->kind == event_kind::handshake_succeeded ? 1 : 0;
  }
  EXPECT_EQ(handshakes, 8);
}

TEST(RestartIntensity, InvalidValuesAreRefusedNamingTheOption) {
  context ctx;
  socket_options o;
  o.restart_intensity = -1;
  EXPECT_THROW(socket(ctx, socket_type::push, o), error);
  o.restart_intensity = 2;
  o.restart_period_ms = 0;
  try {
    socket s(ctx, socket_type::push, o);
    FAIL() << "accepted restart_period 0";
  } catch (const error& e) {
    EXPECT_NE(std::string(e.what()).find("restart_period"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace cafmq
