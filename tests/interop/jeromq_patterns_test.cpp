// cafmq against JeroMQ 0.3.6 (Debian's libjeromq-java), which speaks ZMTP 2.0 (RFC 15): cafmq's NULL
// sockets downgrade as libzmq 4.3 does. Both directions and both bind sides for PUSH/PULL, PUB/SUB
// with a prefix filter, REQ/REP, DEALER/ROUTER with explicit routing ids; multipart messages with
// empty frames and a 1 MiB frame. The Java side is tests/interop/java/JeromqPeer.java.
#include "interop/jeromq_peer.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using frames = std::vector<std::string>;

constexpr auto recv_budget = 10000ms;

message make(const frames& fs) {
  message m;
  for (auto& f : fs)
    m.add(frame{f});
  return m;
}

// What JeromqPeer.messages() sends and expects, in order.
std::vector<frames> stream() {
  std::vector<frames> all;
  for (int i = 0; i < 5; ++i)
    all.push_back({"m" + std::to_string(i)});
  all.push_back({"multi", "", "part", ""});
  all.push_back({test::jeromq_big_frame()});
  all.push_back({"last"});
  return all;
}

frames recv_frames(socket& s) {
  auto m = s.recv(recv_budget);
  if (!m)
    return {"<nothing within 10 s>"};
  return test::frames_of(*m);
}

// Short frames as text, long ones by size, for assertion messages.
std::string show(const frames& fs) {
  std::string out = "[";
  for (auto& f : fs)
    out += (out.size() > 1 ? "," : "") + (f.size() > 32 ? std::to_string(f.size()) + " bytes" : "'" + f + "'");
  return out + "]";
}

// Which side binds: cafmq (the JVM connects to its last_endpoint) or JeroMQ (on a free port).
class Jeromq : public ::testing::TestWithParam<bool> {
protected:
  bool cafmq_binds() const { return GetParam(); }

  // Binds or connects `ours` and starts the JeroMQ side of `scenario` on the same endpoint.
  std::unique_ptr<test::jeromq_peer> link(socket& ours, const std::string& scenario) {
    if (cafmq_binds()) {
      ours.bind("tcp://127.0.0.1:*");
      return std::make_unique<test::jeromq_peer>(scenario, false, ours.last_endpoint());
    }
    auto ep = test::local_endpoint(test::free_tcp_port());
    auto peer = std::make_unique<test::jeromq_peer>(scenario, true, ep);
    ours.connect(ep);  // retried until the JVM has bound
    return peer;
  }

  context ctx;
};

TEST_P(Jeromq, CafmqPushToJeromqPull) {
  CAFMQ_SKIP_WITHOUT_JEROMQ();
  socket push{ctx, socket_type::push, test::no_linger()};
  auto peer = link(push, "pull");
  for (auto& m : stream())
    ASSERT_TRUE(push.send(make(m), recv_budget));
  peer->expect_ok();
}

TEST_P(Jeromq, JeromqPushToCafmqPull) {
  CAFMQ_SKIP_WITHOUT_JEROMQ();
  socket pull{ctx, socket_type::pull, test::no_linger()};
  auto peer = link(pull, "push");
  for (auto& want : stream()) {
    auto got = recv_frames(pull);
    ASSERT_EQ(got, want) << "received " << show(got) << ", expected " << show(want);
  }
  auto props = pull.last_peer();
  ASSERT_TRUE(props);
  EXPECT_EQ(props->socket_type(), "PUSH") << "from the ZMTP 2.0 greeting's socket-type byte";
  peer->expect_ok();
}

TEST_P(Jeromq, CafmqPubToJeromqSubWithPrefixFilter) {
  CAFMQ_SKIP_WITHOUT_JEROMQ();
  socket pub{ctx, socket_type::pub, test::no_linger()};
  auto peer = link(pub, "sub");
  // A 2.0 subscription is a message ("\x01A."): once it is in, nothing more is lost.
  ASSERT_TRUE(pub.wait_subscribers(1, recv_budget)) << "no subscription from the JeroMQ SUB";
  for (int n = 0; n < 3; ++n) {
    ASSERT_TRUE(pub.send(make({"B.no"})));
    ASSERT_TRUE(pub.send(make({"A." + std::to_string(n), ""})));
  }
  peer->expect_ok();
}

TEST_P(Jeromq, JeromqPubToCafmqSubWithPrefixFilter) {
  CAFMQ_SKIP_WITHOUT_JEROMQ();
  socket sub{ctx, socket_type::sub, test::no_linger()};
  sub.subscribe("A.");
  auto peer = link(sub, "pub");
  for (int i = 0; i < 3; ++i) {
    auto got = recv_frames(sub);
    ASSERT_EQ(got.size(), 1u) << show(got);
    EXPECT_EQ(got[0].substr(0, 2), "A.") << "the prefix filter let through " << show(got);
  }
  peer->expect_ok();
}

TEST_P(Jeromq, CafmqReqToJeromqRep) {
  CAFMQ_SKIP_WITHOUT_JEROMQ();
  socket req{ctx, socket_type::req, test::no_linger()};
  auto peer = link(req, "rep");
  for (int i = 0; i < 3; ++i) {
    frames ask = {"q" + std::to_string(i), "", i == 2 ? test::jeromq_big_frame() : "tail"};
    ASSERT_TRUE(req.send(make(ask), recv_budget));
    auto got = recv_frames(req);
    frames want = ask;
    want[0] = "re:" + ask[0];
    ASSERT_EQ(got, want) << "received " << show(got);
  }
  peer->expect_ok();
}

TEST_P(Jeromq, JeromqReqToCafmqRep) {
  CAFMQ_SKIP_WITHOUT_JEROMQ();
  socket rep{ctx, socket_type::rep, test::no_linger()};
  auto peer = link(rep, "req");
  for (int i = 0; i < 3; ++i) {
    auto got = recv_frames(rep);
    frames want = {"q" + std::to_string(i), "", "tail"};
    ASSERT_EQ(got, want) << "received " << show(got);
    ASSERT_TRUE(rep.send(make({"re:" + want[0], "", "tail"}), recv_budget));
  }
  peer->expect_ok();
}

TEST_P(Jeromq, CafmqDealerToJeromqRouterWithExplicitRoutingId) {
  CAFMQ_SKIP_WITHOUT_JEROMQ();
  auto o = test::no_linger();
  o.routing_id = "cafmq-dealer";  // sent in our ZMTP 2.0 identity frame
  socket dealer{ctx, socket_type::dealer, o};
  auto peer = link(dealer, "router");
  ASSERT_TRUE(dealer.send(make({"hello", ""}), recv_budget));
  auto got = recv_frames(dealer);
  frames want = {"back", "", test::jeromq_big_frame()};
  EXPECT_EQ(got, want) << "received " << show(got);
  peer->expect_ok();
}

TEST_P(Jeromq, JeromqDealerToCafmqRouterWithExplicitRoutingId) {
  CAFMQ_SKIP_WITHOUT_JEROMQ();
  socket router{ctx, socket_type::router, test::no_linger()};
  auto peer = link(router, "dealer");
  auto got = recv_frames(router);
  frames want = {"jeromq-dealer", "hello", "", test::jeromq_big_frame()};
  ASSERT_EQ(got, want) << "received " << show(got);
  auto props = router.last_peer();
  ASSERT_TRUE(props);
  EXPECT_EQ(props->identity(), "jeromq-dealer");
  EXPECT_EQ(props->socket_type(), "DEALER");
  ASSERT_TRUE(router.send(make({"jeromq-dealer", "back", ""}), recv_budget));
  peer->expect_ok();
}

INSTANTIATE_TEST_SUITE_P(BindSides, Jeromq, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? std::string("CafmqBinds") : std::string("JeromqBinds");
                         });

} // namespace
} // namespace cafmq
