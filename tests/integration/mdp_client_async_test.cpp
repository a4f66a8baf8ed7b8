// mdp::async_client (the zguide's mdcliapi2) against a broker double: several requests in flight
// on one socket, replies taken in the order they come with the service that answered, malformed
// messages dropped and counted.
#include "support/mdp_broker_double.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;
using strings = std::vector<std::string>;

TEST(MdpClientAsync, ManyRequestsInFlightRepliesInArrivalOrderMalformedDropped) {
  context ctx;
  test::mdp_broker_double broker{ctx};
  mdp::async_client c{ctx, broker.endpoint()};
  ASSERT_TRUE(c.send("echo", message{"one"}, 3000ms));
  ASSERT_TRUE(c.send("time", message{"two"}, 3000ms));
  auto first = broker.recv_raw(5000ms);
  auto second = broker.recv_raw(5000ms);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(frames_of(*first).back(), "one");
  auto f = frames_of(*second);
  EXPECT_EQ(strings(f.begin() + 1, f.end()), (strings{"", "MDPC01", "time", "two"}));
  EXPECT_EQ((*first)[0], (*second)[0]) << "one socket for every request";
  message to{(*first)[0]};
  broker.send_raw(to, {"", "MDPW01", "time"});  // a worker's protocol: dropped
  broker.send_reply(to, "time", message{"12:00"});
  broker.send_reply(to, "echo", message{"one"});
  auto a = c.recv(3000ms);
  auto b = c.recv(3000ms);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->service, "time");
  EXPECT_EQ(frames_of(a->body), strings{"12:00"});
  EXPECT_EQ(b->service, "echo");
  EXPECT_EQ(frames_of(b->body), strings{"one"});
  EXPECT_FALSE(c.recv(50ms));
  EXPECT_EQ(c.stats().sent, 2u);
  EXPECT_EQ(c.stats().answered, 2u);
  EXPECT_EQ(c.stats().discarded, 1u);
  try {
    c.send("", message{"x"});
    ADD_FAILURE() << "an empty service was accepted";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("service name is empty"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace cafmq
