// REQ, REP, DEALER and ROUTER state machines on in-memory pipes (the test plays the peers).
#include "patterns/pipe_peer.hpp"

#include "patterns/pattern_factory.hpp"
#include "runtime/core/error.hpp"

#include <gtest/gtest.h>

using namespace cafmq;
using namespace cafmq::patterns;
using test::frames;
using test::make_pipe;
using test::msg;
using test::peer_recv;
using test::peer_send;
using test::strings;

namespace {

errc code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no cafmq::error thrown";
  return errc::internal;
}

socket_options with(bool socket_options::*flag) {
  socket_options o;
  o.*flag = true;
  return o;
}

// -- REQ --

TEST(ReqPattern, RequestGoesBehindEmptyDelimiterAndReplyLosesIt) {
  auto req = make_req({});
  auto p = make_pipe();
  req->attach(p);
  message m = msg({"hello", "world"});
  ASSERT_EQ(req->try_send(m), send_result::sent);
  EXPECT_EQ(*peer_recv(p), (strings{"", "hello", "world"}));
  message out;
  EXPECT_FALSE(req->try_recv(out));
  ASSERT_TRUE(peer_send(p, msg({"", "reply", "2"})));
  ASSERT_TRUE(req->try_recv(out));
  EXPECT_EQ(frames(out), (strings{"reply", "2"}));
}

TEST(ReqPattern, StrictAlternationThrowsWrongState) {
  auto req = make_req({});
  auto p = make_pipe();
  req->attach(p);
  message out;
  EXPECT_EQ(code_of([&] { req->try_recv(out); }), errc::wrong_state);  // recv before a request
  message m{"one"};
  ASSERT_EQ(req->try_send(m), send_result::sent);
  message again{"two"};
  EXPECT_EQ(code_of([&] { req->try_send(again); }), errc::wrong_state);
  EXPECT_EQ(frames(again), strings{"two"});  // the refused message is left to the caller
  ASSERT_TRUE(peer_send(p, msg({"", "r"})));
  ASSERT_TRUE(req->try_recv(out));
  EXPECT_EQ(code_of([&] { req->try_recv(out); }), errc::wrong_state);  // one reply per request
  EXPECT_EQ(req->try_send(again), send_result::sent);
}

TEST(ReqPattern, RoundRobinAndOnlyTheAskedPeerIsHeard) {
  auto req = make_req({});
  auto a = make_pipe(), b = make_pipe();
  req->attach(a);
  req->attach(b);
  message m{"q1"};
  ASSERT_EQ(req->try_send(m), send_result::sent);
  ASSERT_TRUE(peer_recv(a).has_value());
  ASSERT_TRUE(peer_send(b, msg({"", "unasked"})));
  message out;
  EXPECT_FALSE(req->try_recv(out));
  EXPECT_FALSE(b->inbound().readable());  // discarded, not left to fill the ring
  ASSERT_TRUE(peer_send(a, msg({"", "answer"})));
  ASSERT_TRUE(req->try_recv(out));
  EXPECT_EQ(frames(out), strings{"answer"});
  m = msg({"q2"});
  ASSERT_EQ(req->try_send(m), send_result::sent);
  EXPECT_EQ(*peer_recv(b), (strings{"", "q2"}));  // the next request goes to the next peer
}

TEST(ReqPattern, ReplyWithoutDelimiterOrBodyIsDiscarded) {
  auto req = make_req({});
  auto p = make_pipe();
  req->attach(p);
  message m{"q"};
  ASSERT_EQ(req->try_send(m), send_result::sent);
  ASSERT_TRUE(peer_send(p, msg({"no delimiter"})));
  ASSERT_TRUE(peer_send(p, msg({""})));
  message out;
  EXPECT_FALSE(req->try_recv(out));
  ASSERT_TRUE(peer_send(p, msg({"", "good"})));
  ASSERT_TRUE(req->try_recv(out));
  EXPECT_EQ(frames(out), strings{"good"});
}

TEST(ReqPattern, WouldBlockWhenNoPeerHasRoomAndStateIsUnchanged) {
  auto req = make_req({});
  message m{"q"};
  EXPECT_EQ(req->try_send(m), send_result::would_block);
  EXPECT_EQ(frames(m), strings{"q"});
  message out;
  EXPECT_EQ(code_of([&] { req->try_recv(out); }), errc::wrong_state);  // no request went out
}

TEST(ReqPattern, CorrelateTakesOnlyTheReplyWithTheCurrentRequestId) {
  auto req = make_req(with(&socket_options::req_correlate));
  auto p = make_pipe();
  req->attach(p);
  message m{"first"};
  ASSERT_EQ(req->try_send(m), send_result::sent);
  auto first = *peer_recv(p);
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].size(), 4u);
  EXPECT_EQ(first[1], "");
  req->abandon_request();
  m = msg({"second"});
  ASSERT_EQ(req->try_send(m), send_result::sent);
  auto second = *peer_recv(p);
  EXPECT_NE(second[0], first[0]);
  ASSERT_TRUE(peer_send(p, msg({first[0], "", "late reply to first"})));
  message out;
  EXPECT_FALSE(req->try_recv(out));
  ASSERT_TRUE(peer_send(p, msg({second[0], "", "reply to second"})));
  ASSERT_TRUE(req->try_recv(out));
  EXPECT_EQ(frames(out), strings{"reply to second"});
}

TEST(ReqPattern, RelaxedMaySendAgainAndTheNewestRequestWins) {
  socket_options o;
  o.req_relaxed = true;
  o.req_correlate = true;
  auto req = make_req(o);
  auto p = make_pipe();
  req->attach(p);
  message m{"a"};
  ASSERT_EQ(req->try_send(m), send_result::sent);
  m = msg({"b"});
  ASSERT_EQ(req->try_send(m), send_result::sent);
  auto a = *peer_recv(p), b = *peer_recv(p);
  ASSERT_TRUE(peer_send(p, msg({a[0], "", "for a"})));
  ASSERT_TRUE(peer_send(p, msg({b[0], "", "for b"})));
  message out;
  ASSERT_TRUE(req->try_recv(out));
  EXPECT_EQ(frames(out), strings{"for b"});
}

TEST(ReqPattern, AbandonAllowsANewRequestAndDropsWhatTheOldPeerAlreadySent) {
  auto req = make_req({});
  auto p = make_pipe();
  req->attach(p);
  message m{"q1"};
  ASSERT_EQ(req->try_send(m), send_result::sent);
  ASSERT_TRUE(peer_send(p, msg({"", "late answer to q1"})));
  req->abandon_request();
  req->abandon_request();  // idempotent
  m = msg({"q2"});
  ASSERT_EQ(req->try_send(m), send_result::sent);
  message out;
  EXPECT_FALSE(req->try_recv(out));
  ASSERT_TRUE(peer_send(p, msg({"", "answer to q2"})));
  ASSERT_TRUE(req->try_recv(out));
  EXPECT_EQ(frames(out), strings{"answer to q2"});
}

TEST(ReqPattern, ProbeRouterSendsEmptyMessageOnAttach) {
  auto req = make_req(with(&socket_options::probe_router));
  auto p = make_pipe();
  req->attach(p);
  EXPECT_EQ(*peer_recv(p), strings{""});
}

// -- REP --

TEST(RepPattern, KeepsEnvelopeAndRepliesToTheRequester) {
  auto rep = make_rep({});
  auto a = make_pipe(), b = make_pipe();
  rep->attach(a);
  rep->attach(b);
  ASSERT_TRUE(peer_send(b, msg({"hop2", "hop1", "", "question", "part"})));
  message out;
  ASSERT_TRUE(rep->try_recv(out));
  EXPECT_EQ(frames(out), (strings{"question", "part"}));
  message reply{"answer"};
  ASSERT_EQ(rep->try_send(reply), send_result::sent);
  EXPECT_EQ(*peer_recv(b), (strings{"hop2", "hop1", "", "answer"}));
  EXPECT_FALSE(peer_recv(a).has_value());
}

TEST(RepPattern, StrictAlternationThrowsWrongState) {
  auto rep = make_rep({});
  auto p = make_pipe();
  rep->attach(p);
  message reply{"r"};
  EXPECT_EQ(code_of([&] { rep->try_send(reply); }), errc::wrong_state);
  ASSERT_TRUE(peer_send(p, msg({"", "q1"})));
  ASSERT_TRUE(peer_send(p, msg({"", "q2"})));
  message out;
  ASSERT_TRUE(rep->try_recv(out));
  EXPECT_EQ(code_of([&] { rep->try_recv(out); }), errc::wrong_state);
  ASSERT_EQ(rep->try_send(reply), send_result::sent);
  ASSERT_TRUE(rep->try_recv(out));
  EXPECT_EQ(frames(out), strings{"q2"});
}

TEST(RepPattern, RequestWithoutDelimiterIsDiscarded) {
  auto rep = make_rep({});
  auto p = make_pipe();
  rep->attach(p);
  ASSERT_TRUE(peer_send(p, msg({"no", "delimiter"})));
  message out;
  EXPECT_FALSE(rep->try_recv(out));
  message reply{"r"};
  EXPECT_EQ(code_of([&] { rep->try_send(reply); }), errc::wrong_state);
}

TEST(RepPattern, ReplyToVanishedOrFullRequesterIsDiscardedWithoutBlocking) {
  auto rep = make_rep({});
  auto p = make_pipe({}, 1);
  rep->attach(p);
  ASSERT_TRUE(peer_send(p, msg({"", "q"})));
  message out;
  ASSERT_TRUE(rep->try_recv(out));
  p->detach();
  message reply{"r"};
  EXPECT_EQ(rep->try_send(reply), send_result::sent);
  EXPECT_FALSE(peer_recv(p).has_value());
  EXPECT_EQ(rep->dropped(), 1u);

  auto q = make_pipe({}, 1);
  rep->attach(q);
  message filler{"filler"};
  ASSERT_TRUE(q->outbound().try_push(filler));  // the requester does not read: its ring is full
  q->outbound().flush();
  ASSERT_TRUE(peer_send(q, msg({"", "q"})));
  ASSERT_TRUE(rep->try_recv(out));
  reply = message{"r"};
  EXPECT_EQ(rep->try_send(reply), send_result::sent);
  EXPECT_EQ(rep->dropped(), 2u);
}

// -- DEALER --

TEST(DealerPattern, LoadBalancesFairQueuesAndBlocksAtHwm) {
  auto dealer = make_dealer({});
  auto a = make_pipe({}, 1), b = make_pipe({}, 1);
  dealer->attach(a);
  dealer->attach(b);
  message m{"1"};
  ASSERT_EQ(dealer->try_send(m), send_result::sent);
  m = message{"2"};
  ASSERT_EQ(dealer->try_send(m), send_result::sent);
  m = message{"3"};
  EXPECT_EQ(dealer->try_send(m), send_result::would_block);  // never dropped
  EXPECT_EQ(frames(m), strings{"3"});
  EXPECT_EQ(*peer_recv(a), strings{"1"});
  EXPECT_EQ(*peer_recv(b), strings{"2"});
  ASSERT_TRUE(peer_send(a, msg({"x", "y"})));
  message out;
  ASSERT_TRUE(dealer->try_recv(out));
  EXPECT_EQ(frames(out), (strings{"x", "y"}));  // envelopes untouched
}

TEST(DealerPattern, ProbeRouterOnAttachAndOnReconnect) {
  auto dealer = make_dealer(with(&socket_options::probe_router));
  auto p = make_pipe();
  dealer->attach(p);
  EXPECT_EQ(*peer_recv(p), strings{""});
  dealer->reconnected(p);
  EXPECT_EQ(*peer_recv(p), strings{""});
}

// -- ROUTER --

TEST(RouterPattern, SendStripsIdAndRoutesUnknownIsDroppedAndCounted) {
  auto router = make_router({});
  auto a = make_pipe("a"), b = make_pipe("b");
  router->attach(a);
  router->attach(b);
  message m = msg({"b", "", "hello"});
  ASSERT_EQ(router->try_send(m), send_result::sent);
  EXPECT_EQ(*peer_recv(b), (strings{"", "hello"}));
  EXPECT_FALSE(peer_recv(a).has_value());
  m = msg({"nobody", "x"});
  EXPECT_EQ(router->try_send(m), send_result::sent);
  EXPECT_EQ(router->dropped(), 1u);
}

TEST(RouterPattern, MandatoryThrowsHostUnreachableAndWouldBlockWhenFull) {
  auto router = make_router(with(&socket_options::router_mandatory));
  auto a = make_pipe("a", 1);
  router->attach(a);
  message m = msg({"nobody", "x"});
  EXPECT_EQ(code_of([&] { router->try_send(m); }), errc::host_unreachable);
  m = msg({"a", "1"});
  ASSERT_EQ(router->try_send(m), send_result::sent);
  m = msg({"a", "2"});
  EXPECT_EQ(router->try_send(m), send_result::would_block);
  EXPECT_EQ(frames(m), (strings{"a", "2"}));
  EXPECT_TRUE(router->prepare_wait_send());  // sleeps until that peer's ring drains
  EXPECT_EQ(router->dropped(), 0u);
}

TEST(RouterPattern, FullPeerWithoutMandatoryDropsAndCounts) {
  auto router = make_router({});
  auto a = make_pipe("a", 1);
  router->attach(a);
  message m = msg({"a", "1"});
  ASSERT_EQ(router->try_send(m), send_result::sent);
  m = msg({"a", "2"});
  EXPECT_EQ(router->try_send(m), send_result::sent);
  EXPECT_EQ(router->dropped(), 1u);
  EXPECT_EQ(*peer_recv(a), (strings{"1"}));
}

TEST(RouterPattern, RoutingFrameAloneIsInvalidArgument) {
  auto router = make_router({});
  router->attach(make_pipe("a"));
  message m{"a"};
  EXPECT_EQ(code_of([&] { router->try_send(m); }), errc::invalid_argument);
}

TEST(RouterPattern, ReceivePrependsIdAndProbeGoesToNewPeers) {
  auto router = make_router(with(&socket_options::probe_router));
  auto a = make_pipe("a");
  router->attach(a);
  EXPECT_EQ(*peer_recv(a), strings{""});
  ASSERT_TRUE(peer_send(a, msg({"", "req"})));
  message out;
  ASSERT_TRUE(router->try_recv(out));
  EXPECT_EQ(frames(out), (strings{"a", "", "req"}));
}

TEST(RouterPattern, RefusedDuplicateGetsNoProbe) {
  auto router = make_router(with(&socket_options::probe_router));
  router->attach(make_pipe("a"));
  auto dup = make_pipe("a");
  router->attach(dup);
  EXPECT_TRUE(dup->closed_by_user());
  EXPECT_FALSE(peer_recv(dup).has_value());
}

} // namespace
