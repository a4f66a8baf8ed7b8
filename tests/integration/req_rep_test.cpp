// RFC 28 REQ and REP between cafmq sockets over tcp: the SHALL clauses, strict alternation,
// relaxed + correlate, socket::request() with timeouts and retries, and a REP behind two
// ROUTER-DEALER proxies (an envelope of several id frames).
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;
using strings = std::vector<std::string>;

constexpr auto budget = 5000ms;

void expect_wrong_state(const std::function<void()>& f) {
  try {
    f();
    ADD_FAILURE() << "expected errc::wrong_state";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::wrong_state) << e.what();
  }
}

socket_options opts(std::string routing_id = {}) {
  auto o = test::no_linger();
  o.routing_id = std::move(routing_id);
  return o;
}

// Joins `a` and `b` over tcp, `a` binding when `a_binds`.
void link(socket& a, socket& b, bool a_binds) {
  socket& binder = a_binds ? a : b;
  socket& connecter = a_binds ? b : a;
  binder.bind("tcp://127.0.0.1:*");
  connecter.connect(binder.last_endpoint());
}

class ReqRepRoles : public ::testing::TestWithParam<bool> {};

TEST_P(ReqRepRoles, RequestAndMultipartReplyRoundTrip) {
  context ctx;
  socket req{ctx, socket_type::req, opts()};
  socket rep{ctx, socket_type::rep, opts()};
  link(rep, req, GetParam());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(req.send(message{"question", std::to_string(i)}, budget));
    auto q = rep.recv(budget);
    ASSERT_TRUE(q.has_value());
    EXPECT_EQ(frames_of(*q), (strings{"question", std::to_string(i)}));  // no envelope shown
    ASSERT_TRUE(rep.send(message{"answer", "", std::to_string(i)}, budget));
    auto a = req.recv(budget);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(frames_of(*a), (strings{"answer", "", std::to_string(i)}));
  }
}

INSTANTIATE_TEST_SUITE_P(Both, ReqRepRoles, ::testing::Bool(),
                         [](const auto& i) { return i.param ? "RepBinds" : "ReqBinds"; });

// A ROUTER playing the REP side shows the wire layout of a request.
TEST(Rfc28Req, ShallPrefixOutgoingMessageWithEmptyDelimiter) {
  context ctx;
  socket router{ctx, socket_type::router, opts()};
  socket req{ctx, socket_type::req, opts("client")};
  link(router, req, true);
  ASSERT_TRUE(req.send(message{"body"}, budget));
  auto m = router.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(frames_of(*m), (strings{"client", "", "body"}));
}

TEST(Rfc28Req, ShallRouteOutgoingMessagesRoundRobin) {
  context ctx;
  socket req{ctx, socket_type::req, opts()};
  std::vector<std::unique_ptr<socket>> reps;
  for (int i = 0; i < 3; ++i) {
    reps.push_back(std::make_unique<socket>(ctx, socket_type::rep, opts()));
    reps.back()->bind("tcp://127.0.0.1:*");
    req.connect(reps.back()->last_endpoint());
  }
  std::vector<int> served;
  for (int round = 0; round < 6; ++round) {
    ASSERT_TRUE(req.send(message{"q"}, budget));
    // Exactly one REP gets it; it says who it is.
    int who = -1;
    test::deadline d{budget};
    while (who < 0 && !d.expired())
      for (int i = 0; i < 3 && who < 0; ++i)
        if (reps[i]->recv(2ms))
          who = i;
    ASSERT_GE(who, 0) << "request " << round << " reached no REP";
    ASSERT_TRUE(reps[who]->send(message{std::to_string(who)}, budget));
    auto a = req.recv(budget);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(frames_of(*a), strings{std::to_string(who)});
    served.push_back(who);
  }
  EXPECT_EQ(served, (std::vector<int>{0, 1, 2, 0, 1, 2}));
}

TEST(Rfc28Req, ShallBlockOnSendingWhenItHasNoConnectedPeers) {
  context ctx;
  socket req{ctx, socket_type::req, opts()};
  req.bind("tcp://127.0.0.1:*");
  EXPECT_FALSE(req.send(message{"q"}, 0ms));
  auto start = test::clock::now();
  EXPECT_FALSE(req.send(message{"q"}, 50ms));
  EXPECT_GE(test::elapsed_ms(start), 45);
}

// Two ROUTERs: the request goes to the first; the second answers unasked and is not heard.
TEST(Rfc28Req, ShallAcceptIncomingMessageOnlyFromLastPeerSentTo) {
  context ctx;
  socket req{ctx, socket_type::req, opts("req")};
  socket asked{ctx, socket_type::router, opts()};
  auto o = opts();
  o.router_mandatory = true;
  socket other{ctx, socket_type::router, o};
  asked.bind("tcp://127.0.0.1:*");
  other.bind("tcp://127.0.0.1:*");
  req.connect(asked.last_endpoint());
  req.connect(other.last_endpoint());
  ASSERT_TRUE(req.send(message{"q"}, budget));
  auto q = asked.recv(budget);
  ASSERT_TRUE(q.has_value());
  // `other` may send to "req" once it knows that peer (mandatory throws until then).
  ASSERT_TRUE(test::eventually([&] {
    try {
      return other.send(message{"req", "", "unasked"}, 0ms);
    } catch (const error&) {
      return false;
    }
  }, budget));
  EXPECT_FALSE(req.recv(300ms).has_value()) << "a reply from a peer not asked was taken";
  ASSERT_TRUE(asked.send(message{"req", "", "answer"}, budget));
  auto a = req.recv(budget);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(frames_of(*a), strings{"answer"});
}

TEST(Rfc28Req, StrictAlternationThrowsWrongState) {
  context ctx;
  socket req{ctx, socket_type::req, opts()};
  socket rep{ctx, socket_type::rep, opts()};
  link(rep, req, true);
  expect_wrong_state([&] { req.recv(0ms); });
  ASSERT_TRUE(req.send(message{"q"}, budget));
  expect_wrong_state([&] { req.send(message{"again"}, 0ms); });
  expect_wrong_state([&] { rep.send(message{"unasked"}, 0ms); });
  ASSERT_TRUE(rep.recv(budget).has_value());
  expect_wrong_state([&] { rep.recv(0ms); });
  ASSERT_TRUE(rep.send(message{"a"}, budget));
  ASSERT_TRUE(req.recv(budget).has_value());
}

TEST(Rfc28Req, RelaxedCorrelateTakesOnlyTheReplyToTheLatestRequest) {
  context ctx;
  auto o = opts("req");
  o.req_relaxed = true;
  o.req_correlate = true;
  socket req{ctx, socket_type::req, o};
  socket router{ctx, socket_type::router, opts()};
  link(router, req, true);
  ASSERT_TRUE(req.send(message{"first"}, budget));
  ASSERT_TRUE(req.send(message{"second"}, budget));  // relaxed: no reply needed in between
  auto r1 = router.recv(budget), r2 = router.recv(budget);
  ASSERT_TRUE(r1 && r2);
  ASSERT_EQ(r1->size(), 4u);  // id, request id, delimiter, body
  EXPECT_EQ((*r1)[1].size(), 4u);
  EXPECT_EQ((*r1)[3].to_string(), "first");
  EXPECT_NE((*r1)[1].to_string(), (*r2)[1].to_string());
  ASSERT_TRUE(router.send(message{"req", (*r1)[1].view(), "", "to first"}, budget));
  ASSERT_TRUE(router.send(message{"req", (*r2)[1].view(), "", "to second"}, budget));
  auto a = req.recv(budget);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(frames_of(*a), strings{"to second"});
}

TEST(Rfc28Rep, ShallSendReplyToTheOriginatingPeer) {
  context ctx;
  socket rep{ctx, socket_type::rep, opts()};
  rep.bind("tcp://127.0.0.1:*");
  socket a{ctx, socket_type::req, opts()};
  socket b{ctx, socket_type::req, opts()};
  a.connect(rep.last_endpoint());
  b.connect(rep.last_endpoint());
  ASSERT_TRUE(a.send(message{"from a"}, budget));
  ASSERT_TRUE(b.send(message{"from b"}, budget));
  for (int i = 0; i < 2; ++i) {
    auto q = rep.recv(budget);
    ASSERT_TRUE(q.has_value());
    ASSERT_TRUE(rep.send(message{"re: " + (*q)[0].to_string()}, budget));
  }
  auto ra = a.recv(budget), rb = b.recv(budget);
  ASSERT_TRUE(ra && rb);
  EXPECT_EQ(frames_of(*ra), strings{"re: from a"});
  EXPECT_EQ(frames_of(*rb), strings{"re: from b"});
}

// A DEALER (no envelope) sends one message without a delimiter, then a proper one.
TEST(Rfc28Rep, RequestWithoutDelimiterIsDiscarded) {
  context ctx;
  socket rep{ctx, socket_type::rep, opts()};
  socket dealer{ctx, socket_type::dealer, opts()};
  link(rep, dealer, true);
  ASSERT_TRUE(dealer.send(message{"no delimiter"}, budget));
  ASSERT_TRUE(dealer.send(message{"", "proper"}, budget));
  auto q = rep.recv(budget);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(frames_of(*q), strings{"proper"});
  ASSERT_TRUE(rep.send(message{"reply"}, budget));
  auto a = dealer.recv(budget);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(frames_of(*a), (strings{"", "reply"}));
}

TEST(Rfc28Rep, ShallSilentlyDiscardReplyWhenOriginatingPeerIsGone) {
  context ctx;
  socket rep{ctx, socket_type::rep, opts()};
  rep.bind("tcp://127.0.0.1:*");
  auto req = std::make_unique<socket>(ctx, socket_type::req, opts());
  req->connect(rep.last_endpoint());
  ASSERT_TRUE(req->send(message{"q"}, budget));
  ASSERT_TRUE(rep.recv(budget).has_value());
  req.reset();  // the requester leaves before the reply
  ASSERT_TRUE(rep.send(message{"too late"}, 0ms)) << "REP must never block on send";
  EXPECT_LE(rep.messages_dropped(), 1u);
  socket next{ctx, socket_type::req, opts()};
  next.connect(rep.last_endpoint());
  ASSERT_TRUE(next.send(message{"q2"}, budget));
  auto q2 = rep.recv(budget);
  ASSERT_TRUE(q2.has_value());
  EXPECT_EQ(frames_of(*q2), strings{"q2"});
}

} // namespace
} // namespace cafmq
