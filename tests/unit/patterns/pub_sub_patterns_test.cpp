// The PUB/XPUB/SUB/XSUB patterns on in-memory pipes (see pipe_peer.hpp).
#include "patterns/pipe_peer.hpp"
#include "patterns/socket_pattern.hpp"
#include "patterns/subscription_message.hpp"
#include "patterns/subscription_trie.hpp"
#include "runtime/core/error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace cafmq;
using namespace cafmq::patterns;
using namespace cafmq::test;

namespace {

std::string sub_text(std::string_view prefix, bool add = true) {
  return subscription_message(prefix, add)[0].to_string();
}

std::vector<std::string> recv_all(socket_pattern& pat) {
  std::vector<std::string> out;
  message m;
  while (pat.try_recv(m))
    out.push_back(m[0].to_string());
  return out;
}

// The peer sends a subscription and the pattern takes it in at once (subscribers() does), so the
// order across peers is the order of the calls.
void arrives(socket_pattern& pat, const pipe_ptr& p, std::string_view prefix, bool add = true) {
  peer_subscribes(p, prefix, add);
  pat.subscribers();
}

void send(socket_pattern& pat, std::string_view text) {
  message m{text};
  EXPECT_EQ(pat.try_send(m), send_result::sent);
}

// -- PUB --

std::unique_ptr<socket_pattern> pub(socket_options o = {}) { return make_pattern(socket_type::pub, o); }
std::unique_ptr<socket_pattern> xpub(socket_options o = {}) { return make_pattern(socket_type::xpub, o); }
std::unique_ptr<socket_pattern> sub(socket_options o = {}) { return make_pattern(socket_type::sub, o); }
std::unique_ptr<socket_pattern> xsub(socket_options o = {}) { return make_pattern(socket_type::xsub, o); }

TEST(PubPattern, TakesInSubscriptionsOnSendAndFiltersByPrefix) {
  auto p = pub();
  auto a = make_hwm_pipe(), b = make_hwm_pipe();
  p->attach(a);
  p->attach(b);
  peer_subscribes(a, "news");
  peer_subscribes(b, "");
  send(*p, "news: up");
  send(*p, "weather");
  EXPECT_EQ(peer_got(a), std::vector<std::string>{"news: up"});
  EXPECT_EQ(peer_got(b), (std::vector<std::string>{"news: up", "weather"}));
}

TEST(PubPattern, CountedSubscriptionsNeedAsManyCancels) {
  auto p = pub();
  auto a = make_hwm_pipe();
  p->attach(a);
  peer_subscribes(a, "A");
  peer_subscribes(a, "A");
  peer_subscribes(a, "A", false);
  send(*p, "A1");
  peer_subscribes(a, "A", false);
  send(*p, "A2");
  EXPECT_EQ(peer_got(a), std::vector<std::string>{"A1"});
  EXPECT_EQ(p->subscribers(), 0u);
}

TEST(PubPattern, DropsWhatPeersSendAndNeverDeliversIt) {
  auto p = pub();
  auto a = make_hwm_pipe(100, 64);
  p->attach(a);
  for (int i = 0; i < 50; ++i)
    peer_sends(a, message{"data"});
  peer_sends(a, message{"\x01", "multipart is no subscription"});
  EXPECT_EQ(p->subscribers(), 0u);
  EXPECT_EQ(a->inbound().size(), 0u) << "taken in and discarded: nothing piles up";
  message m;
  EXPECT_THROW(p->try_recv(m), error);
}

TEST(PubPattern, SubscribersCountsPeersWithASubscription) {
  auto p = pub();
  auto a = make_hwm_pipe(), b = make_hwm_pipe(), c = make_hwm_pipe();
  p->attach(a);
  p->attach(b);
  p->attach(c);
  EXPECT_EQ(p->subscribers(), 0u);
  peer_subscribes(a, "x");
  peer_subscribes(a, "y");
  peer_subscribes(b, "");
  EXPECT_EQ(p->subscribers(), 2u);
  b->detach();
  EXPECT_EQ(p->subscribers(), 1u);
}

TEST(PubPattern, PrepareWaitRecvArmsTheInboundRings) {
  auto p = pub();
  auto a = make_hwm_pipe();
  p->attach(a);
  EXPECT_TRUE(p->prepare_wait_recv()) << "nothing arrived: may sleep";
  peer_subscribes(a, "x");
  EXPECT_FALSE(p->prepare_wait_recv()) << "a subscription is waiting: do not sleep";
  EXPECT_EQ(p->subscribers(), 1u);
  EXPECT_TRUE(p->prepare_wait_recv());
}

TEST(PubPattern, OverlongSubscriptionFromAPeerIsIgnored) {
  auto p = pub();
  auto a = make_hwm_pipe();
  p->attach(a);
  peer_subscribes(a, std::string(max_subscription_size + 1, 'L'));
  EXPECT_EQ(p->subscribers(), 0u);
  peer_subscribes(a, std::string(max_subscription_size, 'L'));
  EXPECT_EQ(p->subscribers(), 1u);
}

// -- XPUB --

TEST(XpubPattern, DeliversFirstSubscribeAndLastCancelByDefault) {
  auto x = xpub();
  auto a = make_hwm_pipe(), b = make_hwm_pipe();
  x->attach(a);
  x->attach(b);
  arrives(*x, a, "A");
  arrives(*x, b, "A");
  arrives(*x, a, "A", false);
  arrives(*x, b, "A", false);
  arrives(*x, b, "never", false);
  EXPECT_EQ(recv_all(*x), (std::vector<std::string>{sub_text("A"), sub_text("A", false)}));
}

TEST(XpubPattern, VerboseDeliversEverySubscribe) {
  socket_options o;
  o.xpub_verbose = true;
  auto x = xpub(o);
  auto a = make_hwm_pipe(), b = make_hwm_pipe();
  x->attach(a);
  x->attach(b);
  arrives(*x, a, "A");
  arrives(*x, b, "A");
  arrives(*x, a, "A", false);
  arrives(*x, b, "A", false);
  EXPECT_EQ(recv_all(*x), (std::vector<std::string>{sub_text("A"), sub_text("A"), sub_text("A", false)}));
}

TEST(XpubPattern, VerboserDeliversEverySubscribeAndCancel) {
  socket_options o;
  o.xpub_verboser = true;
  auto x = xpub(o);
  auto a = make_hwm_pipe(), b = make_hwm_pipe();
  x->attach(a);
  x->attach(b);
  arrives(*x, a, "A");
  arrives(*x, b, "A");
  arrives(*x, a, "A", false);
  arrives(*x, b, "A", false);
  EXPECT_EQ(recv_all(*x), (std::vector<std::string>{sub_text("A"), sub_text("A"), sub_text("A", false),
                                                    sub_text("A", false)}));
}

TEST(XpubPattern, DepartedPeerYieldsCancelsForWhatOnlyItHeld) {
  auto x = xpub();
  auto a = make_hwm_pipe(), b = make_hwm_pipe();
  x->attach(a);
  x->attach(b);
  peer_subscribes(a, "mine");
  peer_subscribes(a, "ours");
  peer_subscribes(b, "ours");
  EXPECT_EQ(recv_all(*x).size(), 2u);
  a->detach();
  EXPECT_EQ(recv_all(*x), std::vector<std::string>{sub_text("mine", false)});
}

TEST(XpubPattern, PassesOtherPeerMessagesUp) {
  auto x = xpub();
  auto a = make_hwm_pipe();
  x->attach(a);
  peer_sends(a, message{"upstream hello"});
  EXPECT_EQ(recv_all(*x), std::vector<std::string>{"upstream hello"});
}

TEST(XpubPattern, ManualLeavesApplyingToTheUserForTheLastSender) {
  socket_options o;
  o.xpub_manual = true;
  auto x = xpub(o);
  auto a = make_hwm_pipe(), b = make_hwm_pipe();
  x->attach(a);
  x->attach(b);
  EXPECT_THROW(x->subscribe("A", true), error) << "no subscription received yet";
  peer_subscribes(b, "B");
  EXPECT_EQ(recv_all(*x), std::vector<std::string>{sub_text("B")});
  send(*x, "B1");
  EXPECT_TRUE(peer_got(b).empty()) << "manual: not applied by itself";
  x->subscribe("B", true);
  send(*x, "B2");
  EXPECT_EQ(peer_got(b), std::vector<std::string>{"B2"});
  EXPECT_TRUE(peer_got(a).empty());
}

TEST(XpubPattern, WelcomeMessageGoesToEachNewPeer) {
  socket_options o;
  o.xpub_welcome_msg = "WELCOME";
  auto x = xpub(o);
  auto a = make_hwm_pipe(), b = make_hwm_pipe();
  x->attach(a);
  x->attach(b);
  EXPECT_EQ(peer_got(a), std::vector<std::string>{"WELCOME"});
  EXPECT_EQ(peer_got(b), std::vector<std::string>{"WELCOME"});
}

TEST(XpubPattern, NodropReportsWouldBlockAndWaitsForRoom) {
  socket_options o;
  o.xpub_nodrop = true;
  o.sndhwm = 2;
  auto x = xpub(o);
  auto a = make_hwm_pipe(2);
  x->attach(a);
  peer_subscribes(a, "");
  send(*x, "1");
  send(*x, "2");
  message m{"3"};
  EXPECT_EQ(x->try_send(m), send_result::would_block);
  EXPECT_TRUE(x->prepare_wait_send());
  peer_got(a);
  EXPECT_FALSE(x->prepare_wait_send());
  EXPECT_EQ(x->try_send(m), send_result::sent);
  EXPECT_EQ(x->dropped(), 0u);
}

// -- SUB / XSUB --

TEST(SubPattern, SendsFirstSubscribeAndLastCancelUpstream) {
  auto s = sub();
  auto a = make_hwm_pipe();
  s->attach(a);
  s->subscribe("A", true);
  s->subscribe("A", true);
  s->subscribe("A", false);
  s->subscribe("never", false);
  s->subscribe("A", false);
  EXPECT_EQ(peer_got(a), (std::vector<std::string>{sub_text("A"), sub_text("A", false)}));
}

TEST(SubPattern, NewAndReconnectedPipesGetAllSubscriptions) {
  auto s = sub();
  auto a = make_hwm_pipe();
  s->attach(a);
  s->subscribe("x", true);
  s->subscribe("x", true);
  s->subscribe("y", true);
  auto b = make_hwm_pipe();
  s->attach(b);
  auto got = peer_got(b);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{sub_text("x"), sub_text("y")}));
  peer_got(a);
  s->reconnected(a);
  EXPECT_EQ(peer_got(a).size(), 2u);
}

TEST(SubPattern, FiltersLocallyAndCannotSend) {
  auto s = sub();
  auto a = make_hwm_pipe();
  s->attach(a);
  s->subscribe("yes", true);
  peer_sends(a, message{"no thanks"});
  peer_sends(a, message{"yes please", "part 2"});
  message m;
  ASSERT_TRUE(s->try_recv(m));
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].to_string(), "yes please");
  EXPECT_FALSE(s->try_recv(m));
  message out{"x"};
  try {
    s->try_send(out);
    FAIL() << "SUB sent";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::unsupported);
  }
  EXPECT_THROW(s->subscribe(std::string(max_subscription_size + 1, 'x'), true), error);
}

TEST(SubPattern, SubscriptionsWaitForRoomInsteadOfBeingLost) {
  auto s = sub();
  auto a = make_hwm_pipe(2);
  s->attach(a);
  for (int i = 0; i < 5; ++i)
    s->subscribe("t" + std::to_string(i), true);
  EXPECT_EQ(peer_got(a).size(), 2u);
  EXPECT_FALSE(s->prepare_wait_recv()) << "room again: retry instead of sleeping";
  message m;
  s->try_recv(m);  // any call retries
  EXPECT_EQ(peer_got(a).size(), 2u);
  s->try_recv(m);
  EXPECT_EQ(peer_got(a), std::vector<std::string>{sub_text("t4")});
}

TEST(SubPattern, ConflateReturnsOnlyTheNewest) {
  socket_options o;
  o.conflate = true;
  auto s = sub(o);
  auto a = make_hwm_pipe();
  s->attach(a);
  s->subscribe("", true);
  for (int i = 0; i < 5; ++i)
    peer_sends(a, message{std::to_string(i)});
  EXPECT_EQ(recv_all(*s), std::vector<std::string>{"4"});
}

TEST(XsubPattern, ForwardsSubscriptionsAndDataAndFiltersWithThem) {
  auto s = xsub();
  auto a = make_hwm_pipe(), b = make_hwm_pipe();
  s->attach(a);
  s->attach(b);
  send(*s, sub_text("A"));
  send(*s, sub_text("A"));
  send(*s, sub_text("A", false));
  send(*s, sub_text("zz", false));  // never subscribed: nothing to forward
  send(*s, "upstream data");
  auto expected = std::vector<std::string>{sub_text("A"), sub_text("A"), sub_text("A", false), "upstream data"};
  EXPECT_EQ(peer_got(a), expected);
  EXPECT_EQ(peer_got(b), expected);
  peer_sends(a, message{"A!"});
  peer_sends(a, message{"B!"});
  EXPECT_EQ(recv_all(*s), std::vector<std::string>{"A!"});
  auto c = make_hwm_pipe();
  s->attach(c);
  EXPECT_EQ(peer_got(c), std::vector<std::string>{sub_text("A")}) << "one count left to resend";
  message big{sub_text(std::string(max_subscription_size + 1, 'x'))};
  EXPECT_THROW(s->try_send(big), error);
}

} // namespace
