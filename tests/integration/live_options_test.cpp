// socket::set / socket::get on an open socket (zmq_setsockopt's rules): immediate options change
// behaviour at once (measured), later_endpoints ones apply to the next connects, creation_only
// ones are refused with errc::wrong_state naming the option, invalid values change nothing.
#include "support/deadline.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

TEST(LiveOptions, RcvtimeoChangesHowLongRecvWaits) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  EXPECT_EQ(pull.get(opt::rcvtimeo), -1);
  pull.set(opt::rcvtimeo, 80);
  EXPECT_EQ(pull.get(opt::rcvtimeo), 80);
  auto start = test::clock::now();
  EXPECT_FALSE(pull.recv().has_value());
  auto waited = test::elapsed_ms(start);
  EXPECT_GE(waited, 75);
  EXPECT_LT(waited, 2000) << "recv() did not use the new rcvtimeo";
  pull.set(opt::rcvtimeo, 0);
  start = test::clock::now();
  EXPECT_FALSE(pull.recv().has_value());
  EXPECT_LT(test::elapsed_ms(start), 50);
}

TEST(LiveOptions, SndtimeoChangesHowLongSendWaits) {
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};  // no peer: a send blocks
  push.set(opt::sndtimeo, 80);
  auto start = test::clock::now();
  EXPECT_FALSE(push.send(message{"x"}));
  auto waited = test::elapsed_ms(start);
  EXPECT_GE(waited, 75);
  EXPECT_LT(waited, 2000) << "send() did not use the new sndtimeo";
}

TEST(LiveOptions, LingerChangesHowLongCloseWaits) {
  auto ep = test::local_endpoint(test::free_tcp_port());  // nobody listens: nothing drains
  context ctx;
  socket dealer{ctx, socket_type::dealer};  // linger -1: close would wait forever
  dealer.connect(ep);
  ASSERT_TRUE(dealer.send(message{"stuck"}, 0ms));
  dealer.set(opt::linger, 150);
  auto start = test::clock::now();
  EXPECT_EQ(dealer.close(), 1u);
  auto waited = test::elapsed_ms(start);
  EXPECT_GE(waited, 140);
  EXPECT_LT(waited, 3000) << "close() did not use the new linger";
}

TEST(LiveOptions, RouterMandatoryTurnsSilentDropsIntoErrors) {
  context ctx;
  socket router{ctx, socket_type::router, test::no_linger()};
  message to_nobody{"nobody", "hello"};
  EXPECT_TRUE(router.send(to_nobody, 0ms));  // dropped, as libzmq without ROUTER_MANDATORY
  router.set(opt::router_mandatory, true);
  try {
    router.send(to_nobody, 0ms);
    FAIL() << "router_mandatory set on the open socket had no effect";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::host_unreachable) << e.what();
  }
}

TEST(LiveOptions, ReqRelaxedLetsTheNextRequestGoBeforeTheReply) {
  context ctx;
  socket req{ctx, socket_type::req, test::no_linger()};
  req.connect(test::local_endpoint(test::free_tcp_port()));  // queues; nobody answers
  ASSERT_TRUE(req.send(message{"first"}, 0ms));
  EXPECT_THROW(req.send(message{"second"}, 0ms), error);  // strict REQ: the reply comes first
  req.set(opt::req_relaxed, true);
  EXPECT_TRUE(req.send(message{"second"}, 0ms)) << "req_relaxed set on the open socket had no effect";
}

TEST(LiveOptions, SndhwmAppliesToLaterConnects) {
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  push.set(opt::sndhwm, 5);
  EXPECT_EQ(push.get(opt::sndhwm), 5u);
  push.connect(test::local_endpoint(test::free_tcp_port()));  // nobody listens: nothing drains
  size_t queued = 0;
  while (queued < 100 && push.send(test::sequenced(queued), 0ms))
    ++queued;
  EXPECT_EQ(queued, 5u) << "the connection made after set() did not get the new sndhwm";
}

TEST(LiveOptions, ReconnectIvlAppliesToLaterConnects) {
  context ctx;
  socket dealer{ctx, socket_type::dealer, test::no_linger()};
  auto events = dealer.monitor();
  std::vector<monitor_event> seen;
  dealer.connect(test::local_endpoint(test::free_tcp_port()));
  auto before = test::next_event(events, event_kind::connect_retried, 5000ms, &seen);
  ASSERT_TRUE(before) << test::describe(seen);
  EXPECT_EQ(before->retry_ivl, 100ms);  // the default
  dealer.set(opt::reconnect_ivl, 350);
  auto ep = test::local_endpoint(test::free_tcp_port());
  dealer.connect(ep);
  for (;;) {
    auto e = test::next_event(events, event_kind::connect_retried, 5000ms, &seen);
    ASSERT_TRUE(e) << test::describe(seen);
    if (e->endpoint == ep) {
      EXPECT_EQ(e->retry_ivl, 350ms) << "the connect after set() did not use the new reconnect_ivl";
      break;
    }
  }
}

TEST(LiveOptions, CreationOnlyOptionsAreRefusedNamingTheOption) {
  context ctx;
  socket s{ctx, socket_type::pull, test::no_linger()};
  try {
    s.set(opt::conflate, true);
    FAIL() << "conflate was changed on an open socket";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::wrong_state);
    std::string what = e.what();
    EXPECT_NE(what.find("conflate"), std::string::npos) << what;
    EXPECT_NE(what.find("created"), std::string::npos) << what;
  }
  EXPECT_FALSE(s.get(opt::conflate));
  EXPECT_THROW(s.set(opt::curve_server, true), error);
  EXPECT_THROW(s.set(opt::full_policy, full_policy::drop_oldest), error);
}

TEST(LiveOptions, AnInvalidValueIsRefusedAndChangesNothing) {
  context ctx;
  socket s{ctx, socket_type::dealer, test::no_linger()};
  s.set(opt::sndtimeo, 25);
  try {
    s.set(opt::sndtimeo, -5);
    FAIL() << "sndtimeo -5 was accepted";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("sndtimeo"), std::string::npos) << e.what();
  }
  EXPECT_EQ(s.get(opt::sndtimeo), 25);
  EXPECT_THROW(s.set(opt::reconnect_ivl_max, 10), error);  // below reconnect_ivl (100)
  EXPECT_EQ(s.get(opt::reconnect_ivl_max), 0);
  s.close();
  try {
    s.set(opt::rcvtimeo, 10);
    FAIL() << "set on a closed socket succeeded";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::socket_closed);
  }
}

} // namespace
} // namespace cafmq
