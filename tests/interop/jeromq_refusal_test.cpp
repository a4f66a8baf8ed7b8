// CVE-2014-9721: a cafmq socket secured by PLAIN (or CURVE) refuses JeroMQ 0.3.6's ZMTP 2.0
// greeting instead of downgrading past its security, with a handshake_failed event that says so,
// and nothing the peer sent arrives. Both bind sides (a PLAIN server binds, a PLAIN client
// connects). The Java side is tests/interop/java/JeromqPeer.java ("push-refused").
#include "interop/jeromq_peer.hpp"
#include "support/events.hpp"
#include "support/secured_server.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

class JeromqRefused : public ::testing::TestWithParam<bool> {};

TEST_P(JeromqRefused, PlainSocketRefusesTheZmtp20Downgrade) {
  CAFMQ_SKIP_WITHOUT_JEROMQ();
  bool cafmq_binds = GetParam();
  context ctx;
  auto judge = std::make_shared<test::counting_authenticator>();
  auto options = cafmq_binds ? test::server_options(test::secured_by::plain, judge)
                             : test::client_options(test::secured_by::plain);
  socket pull{ctx, socket_type::pull, options};
  auto events = pull.monitor();
  std::unique_ptr<test::jeromq_peer> peer;
  if (cafmq_binds) {
    pull.bind("tcp://127.0.0.1:*");
    peer = std::make_unique<test::jeromq_peer>("push-refused", false, pull.last_endpoint());
  } else {
    auto ep = test::local_endpoint(test::free_tcp_port());
    peer = std::make_unique<test::jeromq_peer>("push-refused", true, ep);
    pull.connect(ep);
  }
  std::vector<monitor_event> seen;
  auto failed = test::next_event(events, event_kind::handshake_failed, 15000ms, &seen);
  ASSERT_TRUE(failed) << "no handshake_failed; events:\n" << test::describe(seen);
  EXPECT_NE(failed->reason.find("downgrade refused"), std::string::npos) << failed->reason;
  EXPECT_NE(failed->reason.find("CVE-2014-9721"), std::string::npos) << failed->reason;
  EXPECT_NE(failed->reason.find("ZMTP 2.0"), std::string::npos) << failed->reason;
  EXPECT_EQ(failed->reason_code, event_reason::protocol);
  EXPECT_EQ(judge->asked.load(), 0) << "refused before any authentication";
  EXPECT_FALSE(pull.recv(100ms).has_value()) << "a message crossed the refused connection";
  peer->expect_ok();
}

INSTANTIATE_TEST_SUITE_P(BindSides, JeromqRefused, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? std::string("CafmqBinds") : std::string("JeromqBinds");
                         });

} // namespace
} // namespace cafmq
