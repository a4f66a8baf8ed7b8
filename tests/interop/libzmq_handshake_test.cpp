// Handshake-level interop with libzmq 4.3: incompatible socket types are refused by cafmq and
// nothing is delivered (RFC 23 §The Socket-Type Property); heartbeats (ZMTP 3.1 PING) either way
// are answered with PONG, so a quiet connection with a heartbeat timeout or TTL stays up.
#include "interop/zmq_peer.hpp"
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
namespace zmq = test::zmq;

constexpr int handshake_end = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                              | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_DISCONNECTED;

TEST(LibzmqSocketTypeCheck, PubConnectingToACafmqPullIsRefused) {
  zmq::context zctx;
  context cctx;
  socket pull{cctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  zmq::socket pub{zctx, ZMQ_PUB};
  zmq::monitor mon{zctx, pub, ZMQ_EVENT_ALL};
  pub.connect(pull.last_endpoint());
  std::vector<zmq::event> seen;
  auto e = mon.wait_for(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_DISCONNECTED
                          | ZMQ_EVENT_HANDSHAKE_SUCCEEDED,
                        5000ms, &seen);
  ASSERT_TRUE(e.has_value()) << "no handshake outcome within 5 s; events: " << zmq::describe(seen);
  EXPECT_NE(e->id, ZMQ_EVENT_HANDSHAKE_SUCCEEDED) << "a PUB/PULL handshake succeeded";
  pub.send({"published"});
  EXPECT_FALSE(pull.recv(200ms).has_value()) << "the PULL delivered something from a PUB";
}

TEST(LibzmqSocketTypeCheck, DealerConnectingToACafmqPullDeliversNothing) {
  zmq::context zctx;
  context cctx;
  socket pull{cctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  zmq::socket dealer{zctx, ZMQ_DEALER};
  zmq::monitor mon{zctx, dealer, ZMQ_EVENT_ALL};
  dealer.set(ZMQ_SNDTIMEO, 0);
  dealer.connect(pull.last_endpoint());
  dealer.send({"from a dealer"});  // queued in libzmq until a handshake that must not succeed
  std::vector<zmq::event> seen;
  auto e = mon.wait_for(handshake_end, 5000ms, &seen);
  ASSERT_TRUE(e.has_value()) << "no handshake outcome within 5 s; events: " << zmq::describe(seen);
  EXPECT_NE(e->id, ZMQ_EVENT_HANDSHAKE_SUCCEEDED) << "a DEALER/PULL handshake succeeded";
  EXPECT_FALSE(pull.recv(300ms).has_value()) << "the PULL delivered a DEALER's message";
}

TEST(LibzmqSocketTypeCheck, CafmqPushConnectingToALibzmqPubIsRefused) {
  zmq::context zctx;
  context cctx;
  zmq::socket pub{zctx, ZMQ_PUB};
  zmq::monitor mon{zctx, pub, ZMQ_EVENT_ALL};
  pub.bind("tcp://127.0.0.1:*");
  socket push{cctx, socket_type::push, test::no_linger()};
  push.connect(pub.last_endpoint());
  std::vector<zmq::event> seen;
  auto e = mon.wait_for(handshake_end, 5000ms, &seen);
  ASSERT_TRUE(e.has_value()) << "no handshake outcome within 5 s; events: " << zmq::describe(seen);
  EXPECT_NE(e->id, ZMQ_EVENT_HANDSHAKE_SUCCEEDED) << "libzmq PUB accepted a cafmq PUSH";
}

TEST(LibzmqHandshake, CafmqPullBoundAndLibzmqPushCompleteTheHandshake) {
  zmq::context zctx;
  context cctx;
  socket pull{cctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  zmq::socket push{zctx, ZMQ_PUSH};
  zmq::monitor mon{zctx, push, ZMQ_EVENT_ALL};
  push.connect(pull.last_endpoint());
  std::vector<zmq::event> seen;
  auto e = mon.wait_for(handshake_end, 5000ms, &seen);
  ASSERT_TRUE(e.has_value()) << "events: " << zmq::describe(seen);
  EXPECT_EQ(e->id, ZMQ_EVENT_HANDSHAKE_SUCCEEDED) << "events: " << zmq::describe(seen);
}

struct heartbeat_shape {
  bool cafmq_sends;  // cafmq PUSH -> libzmq PULL, else libzmq PUSH -> cafmq PULL
  bool cafmq_pings;  // cafmq sends PINGs (TTL 300 ms) and libzmq none, else the other way
};

class LibzmqHeartbeat : public ::testing::TestWithParam<heartbeat_shape> {};

TEST_P(LibzmqHeartbeat, PingsAreAnsweredSoTheConnectionSurvivesBusyAndQuietPeriods) {
  bool cafmq_sends = GetParam().cafmq_sends;
  zmq::context zctx;
  context cctx;
  zmq::socket peer{zctx, cafmq_sends ? ZMQ_PULL : ZMQ_PUSH};
  auto opts = test::no_linger();
  if (GetParam().cafmq_pings) {
    // cafmq sends PING every 50 ms asking libzmq to drop it after 300 ms of silence (TTL), and
    // drops libzmq if a PING goes unanswered for 200 ms: only PINGs and PONGs both ways keep
    // the quiet connection up.
    opts.heartbeat_ivl_ms = 50;
    opts.heartbeat_timeout_ms = 200;
    opts.heartbeat_ttl_ms = 300;
  } else {
    // libzmq sends PING every 50 ms and drops the connection if nothing comes back in 300 ms.
    peer.set(ZMQ_HEARTBEAT_IVL, 50);
    peer.set(ZMQ_HEARTBEAT_TIMEOUT, 300);
  }
  peer.set(ZMQ_SNDTIMEO, 2000);
  zmq::monitor mon{zctx, peer, ZMQ_EVENT_ALL};
  socket ours{cctx, cafmq_sends ? socket_type::push : socket_type::pull, opts};
  if (cafmq_sends) {
    peer.bind("tcp://127.0.0.1:*");
    ours.connect(peer.last_endpoint());
  } else {
    ours.bind("tcp://127.0.0.1:*");
    peer.connect(ours.last_endpoint());
  }
  std::vector<zmq::event> seen;
  auto up = mon.wait_for(handshake_end, 5000ms, &seen);
  ASSERT_TRUE(up.has_value()) << "events: " << zmq::describe(seen);
  ASSERT_EQ(up->id, ZMQ_EVENT_HANDSHAKE_SUCCEEDED) << "events: " << zmq::describe(seen);

  int sent = 0;
  int received = 0;
  auto exchange = [&] {
    std::string body = "tick " + std::to_string(sent);
    bool ok = cafmq_sends ? ours.send(message{body}, 2000ms) : peer.send({body});
    ASSERT_TRUE(ok) << "send " << sent << " failed";
    ++sent;
    if (cafmq_sends) {
      auto m = peer.recv(2000ms);
      ASSERT_TRUE(m.has_value()) << "message " << received << " lost";
      EXPECT_EQ((*m)[0], body);
    } else {
      auto m = ours.recv(2000ms);
      ASSERT_TRUE(m.has_value()) << "message " << received << " lost";
      EXPECT_EQ((*m)[0].to_string(), body);
    }
    ++received;
  };

  constexpr int drop = ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_CLOSED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
  // Busy second: a message about every 50 ms, paced by waiting on the monitor (a disconnect
  // would end the wait early and fail).
  test::deadline busy{1000ms};
  while (!busy.expired()) {
    exchange();
    if (HasFatalFailure())
      return;
    auto e = mon.wait_for(drop, 50ms, &seen);
    ASSERT_FALSE(e.has_value()) << "libzmq reported " << zmq::event_name(e->id)
                                << " during the busy phase; events: " << zmq::describe(seen);
  }
  // Quiet second: only PING/PONG keep the connection alive now (timeout 300 ms).
  auto e = mon.wait_for(drop, 1000ms, &seen);
  ASSERT_FALSE(e.has_value()) << "libzmq reported " << zmq::event_name(e->id)
                              << " in the quiet phase (PONG missing?); events: "
                              << zmq::describe(seen);
  exchange();
  EXPECT_GE(sent, 10);
  EXPECT_EQ(received, sent);
}

// Control for the test above: a peer that never answers PING is dropped by libzmq with these
// settings, so the survival of the cafmq connection really is down to its PONGs.
TEST(LibzmqHeartbeatControl, RawPeerThatNeverAnswersPingsIsDisconnectedByLibzmq) {
  zmq::context zctx;
  zmq::socket pull{zctx, ZMQ_PULL};
  pull.set(ZMQ_HEARTBEAT_IVL, 50);
  pull.set(ZMQ_HEARTBEAT_TIMEOUT, 300);
  zmq::monitor mon{zctx, pull, ZMQ_EVENT_ALL};
  pull.bind("tcp://127.0.0.1:*");
  auto c = test::zmtp::handshake_as(pull.last_endpoint(), "PUSH", 5000ms);
  std::vector<zmq::event> seen;
  auto e = mon.wait_for(ZMQ_EVENT_DISCONNECTED, 2000ms, &seen);
  EXPECT_TRUE(e.has_value()) << "libzmq kept a peer that never sent PONG; events: "
                             << zmq::describe(seen);
  EXPECT_TRUE(c.wait_closed(2000ms));
}

INSTANTIATE_TEST_SUITE_P(BothDirections, LibzmqHeartbeat,
                         ::testing::Values(heartbeat_shape{true, false},
                                           heartbeat_shape{false, false},
                                           heartbeat_shape{true, true},
                                           heartbeat_shape{false, true}),
                         [](const auto& info) -> std::string {
                           const auto& p = info.param;
                           if (p.cafmq_pings)
                             return p.cafmq_sends ? "CafmqPushPingsLibzmqPull"
                                                  : "CafmqPullPingsLibzmqPush";
                           return p.cafmq_sends ? "LibzmqPullPingsCafmqPush"
                                                : "LibzmqPushPingsCafmqPull";
                         });

// Control for the Cafmq...Pings variants: libzmq honours the TTL of a PING shaped like cafmq's
// (TTL 300 ms, 4-byte counter), dropping a peer that goes silent after it; so there the quiet
// connection survives only because cafmq keeps sending PINGs.
TEST(LibzmqHeartbeatControl, LibzmqHonoursTheTtlOfAPingLikeCafmqSends) {
  zmq::context zctx;
  zmq::socket pull{zctx, ZMQ_PULL};
  zmq::monitor mon{zctx, pull, ZMQ_EVENT_ALL};
  pull.bind("tcp://127.0.0.1:*");
  auto c = test::zmtp::handshake_as(pull.last_endpoint(), "PUSH", 5000ms);
  ASSERT_TRUE(c.send_all(test::zmtp::command("PING", {0, 3, 0, 0, 0, 1})));  // as cafmq's
  std::vector<zmq::event> seen;
  auto e = mon.wait_for(ZMQ_EVENT_DISCONNECTED, 3000ms, &seen);
  EXPECT_TRUE(e.has_value()) << "libzmq ignored the PING's TTL; events: " << zmq::describe(seen);
}

} // namespace
} // namespace cafmq
