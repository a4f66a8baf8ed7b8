// cafmq against real libzmq 4.3 peers (C API) in the request-reply family, with cafmq binding or
// connecting: libzmq REQ -> cafmq REP, cafmq REQ -> libzmq REP, libzmq DEALER <-> cafmq ROUTER
// and cafmq DEALER <-> libzmq ROUTER, with ZMQ_ROUTING_ID identities seen through the ROUTER in
// both directions and multipart bodies (an empty frame and a 100 KiB one included).
#include "interop/zmq_peer.hpp"
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
namespace zmq = test::zmq;
using test::frames_of;
using strings = std::vector<std::string>;

constexpr auto budget = 10000ms;

const strings body{"multi", "", std::string(100 * 1024, 'z'), "part"};

message to_message(const strings& frames) {
  message m;
  for (auto& f : frames)
    m.add(frame{f});
  return m;
}

strings with_front(std::string first, const strings& rest) {
  strings out{std::move(first)};
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

std::string role(bool cafmq_binds) {
  return cafmq_binds ? "CafmqBinds" : "CafmqConnects";
}

// Joins our socket and theirs; both never linger, and libzmq gives up on a stuck send.
void link(socket& ours, zmq::socket& theirs, bool cafmq_binds) {
  theirs.set(ZMQ_SNDTIMEO, 10000);
  if (cafmq_binds) {
    ours.bind("tcp://127.0.0.1:*");
    theirs.connect(ours.last_endpoint());
  } else {
    theirs.bind("tcp://127.0.0.1:*");
    ours.connect(theirs.last_endpoint());
  }
}

void set_routing_id(zmq::socket& s, const std::string& id) {
  if (zmq_setsockopt(s.get(), ZMQ_ROUTING_ID, id.data(), id.size()) != 0)
    zmq::fail("ZMQ_ROUTING_ID");
}

socket_options opts(std::string routing_id = {}) {
  auto o = test::no_linger();
  o.routing_id = std::move(routing_id);
  return o;
}

class LibzmqReqRep : public ::testing::TestWithParam<bool> {
protected:
  zmq::context zctx;
  context cctx;
};

TEST_P(LibzmqReqRep, LibzmqReqToCafmqRep) {
  socket rep{cctx, socket_type::rep, opts()};
  zmq::socket req{zctx, ZMQ_REQ};
  link(rep, req, GetParam());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(req.send(with_front(std::to_string(i), body)));
    auto q = rep.recv(budget);
    ASSERT_TRUE(q.has_value());
    EXPECT_EQ(frames_of(*q), with_front(std::to_string(i), body));
    ASSERT_TRUE(rep.send(to_message(with_front("re " + std::to_string(i), body)), budget));
    auto a = req.recv(budget);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(*a, with_front("re " + std::to_string(i), body));
  }
}

TEST_P(LibzmqReqRep, CafmqReqToLibzmqRep) {
  socket req{cctx, socket_type::req, opts()};
  zmq::socket rep{zctx, ZMQ_REP};
  link(req, rep, GetParam());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(req.send(to_message(with_front(std::to_string(i), body)), budget));
    auto q = rep.recv(budget);
    ASSERT_TRUE(q.has_value());
    EXPECT_EQ(*q, with_front(std::to_string(i), body));
    ASSERT_TRUE(rep.send(with_front("re " + std::to_string(i), body)));
    auto a = req.recv(budget);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(frames_of(*a), with_front("re " + std::to_string(i), body));
  }
}

TEST_P(LibzmqReqRep, CafmqCorrelatingReqToLibzmqRep) {
  auto o = opts();
  o.req_correlate = true;
  socket req{cctx, socket_type::req, o};
  zmq::socket rep{zctx, ZMQ_REP};
  link(req, rep, GetParam());
  ASSERT_TRUE(req.send(message{"q"}, budget));
  auto q = rep.recv(budget);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(*q, strings{"q"});  // libzmq's REP keeps the request id in the envelope it echoes
  ASSERT_TRUE(rep.send({"a"}));
  auto a = req.recv(budget);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(frames_of(*a), strings{"a"});
}

TEST_P(LibzmqReqRep, LibzmqDealerIdentitySeenByCafmqRouter) {
  socket router{cctx, socket_type::router, opts()};
  zmq::socket dealer{zctx, ZMQ_DEALER};
  set_routing_id(dealer, "libzmq-dealer");
  link(router, dealer, GetParam());
  ASSERT_TRUE(dealer.send(body));
  auto m = router.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(frames_of(*m), with_front("libzmq-dealer", body));
  ASSERT_TRUE(router.send(to_message(with_front("libzmq-dealer", body)), budget));
  auto r = dealer.recv(budget);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, body);
}

TEST_P(LibzmqReqRep, CafmqDealerIdentitySeenByLibzmqRouter) {
  socket dealer{cctx, socket_type::dealer, opts("cafmq-dealer")};
  zmq::socket router{zctx, ZMQ_ROUTER};
  link(dealer, router, GetParam());
  ASSERT_TRUE(dealer.send(to_message(body), budget));
  auto m = router.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(*m, with_front("cafmq-dealer", body));
  ASSERT_TRUE(router.send(with_front("cafmq-dealer", strings{"reply", ""})));
  auto r = dealer.recv(budget);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(frames_of(*r), (strings{"reply", ""}));
}

TEST_P(LibzmqReqRep, CafmqReqIdentitySeenByLibzmqRouter) {
  socket req{cctx, socket_type::req, opts("cafmq-req")};
  zmq::socket router{zctx, ZMQ_ROUTER};
  link(req, router, GetParam());
  ASSERT_TRUE(req.send(message{"q"}, budget));
  auto m = router.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(*m, (strings{"cafmq-req", "", "q"}));
  ASSERT_TRUE(router.send({"cafmq-req", "", "a"}));
  auto a = req.recv(budget);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(frames_of(*a), strings{"a"});
}

TEST_P(LibzmqReqRep, LibzmqReqIdentitySeenByCafmqRouter) {
  socket router{cctx, socket_type::router, opts()};
  zmq::socket req{zctx, ZMQ_REQ};
  set_routing_id(req, "libzmq-req");
  link(router, req, GetParam());
  ASSERT_TRUE(req.send({"q"}));
  auto m = router.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(frames_of(*m), (strings{"libzmq-req", "", "q"}));
  ASSERT_TRUE(router.send(message{"libzmq-req", "", "a"}, budget));
  auto a = req.recv(budget);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(*a, strings{"a"});
}

INSTANTIATE_TEST_SUITE_P(Both, LibzmqReqRep, ::testing::Bool(),
                         [](const auto& i) { return role(i.param); });

// A cafmq ROUTER connecting with a connect routing id names a libzmq ROUTER peer.
TEST(LibzmqRouter, CafmqConnectRoutingIdNamesALibzmqRouter) {
  zmq::context zctx;
  context cctx;
  zmq::socket server{zctx, ZMQ_ROUTER};
  set_routing_id(server, "server-id-ignored");
  server.set(ZMQ_SNDTIMEO, 10000);
  server.bind("tcp://127.0.0.1:*");
  auto o = opts("cafmq-router");
  o.router_mandatory = true;
  socket client{cctx, socket_type::router, o};
  client.set_connect_routing_id("the-server");
  client.connect(server.last_endpoint());
  // host_unreachable until the handshake is done and the ROUTER has taken its peer in.
  ASSERT_TRUE(test::eventually([&] {
    try {
      return client.send(message{"the-server", "hello"}, 0ms);
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::host_unreachable);
      return false;
    }
  }, budget));
  auto m = server.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(*m, (strings{"cafmq-router", "hello"}));
}

} // namespace
} // namespace cafmq
