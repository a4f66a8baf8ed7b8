// The socket type table: compatibility is symmetric, names round-trip, roles
// pair up.
#include "runtime/core/socket_descriptor.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

constexpr int type_count = static_cast<int>(socket_type::stream) + 1;

socket_type nth(int i) {
  return static_cast<socket_type>(i);
}

TEST(SocketDescriptor, IndexedByTypeAndNamesRoundTrip) {
  for (int i = 0; i < type_count; ++i) {
    auto& d = descriptor_of(nth(i));
    EXPECT_EQ(d.type, nth(i));
    EXPECT_EQ(parse_socket_type(d.cli_name), nth(i));
    EXPECT_EQ(parse_socket_type(d.zmtp_name), nth(i));
    EXPECT_TRUE(d.sends || d.receives) << d.zmtp_name;
  }
}

TEST(SocketDescriptor, CompatibilityIsSymmetric) {
  for (int a = 0; a < type_count; ++a)
    for (int b = 0; b < type_count; ++b)
      EXPECT_EQ(talks_to(nth(a), zmtp_name(nth(b))), talks_to(nth(b), zmtp_name(nth(a))))
        << zmtp_name(nth(a)) << " / " << zmtp_name(nth(b));
}

TEST(SocketDescriptor, Rfc23Pairs) {
  EXPECT_TRUE(talks_to(socket_type::req, "ROUTER"));
  EXPECT_TRUE(talks_to(socket_type::push, "PULL"));
  EXPECT_FALSE(talks_to(socket_type::push, "PUSH"));
  EXPECT_FALSE(talks_to(socket_type::pub, "pub")); // exact, as libzmq
  for (int i = 0; i < type_count; ++i)
    EXPECT_FALSE(talks_to(socket_type::stream, zmtp_name(nth(i))));
}

TEST(SocketDescriptor, PeersCarrySubscriptionsBothWays) {
  for (int a = 0; a < type_count; ++a)
    for (int b = 0; b < type_count; ++b) {
      if (!talks_to(nth(a), zmtp_name(nth(b))))
        continue;
      auto ra = descriptor_of(nth(a)).subscriptions;
      auto rb = descriptor_of(nth(b)).subscriptions;
      bool paired = (ra == subscription_role::publisher && rb == subscription_role::subscriber)
                    || (ra == subscription_role::subscriber && rb == subscription_role::publisher)
                    || (ra == subscription_role::none && rb == subscription_role::none);
      EXPECT_TRUE(paired) << zmtp_name(nth(a)) << " / " << zmtp_name(nth(b));
    }
}

TEST(SocketDescriptor, PerTypeFacts) {
  EXPECT_TRUE(descriptor_of(socket_type::router).pipe_per_connection);
  EXPECT_TRUE(descriptor_of(socket_type::stream).raw);
  EXPECT_FALSE(descriptor_of(socket_type::dealer).raw);
  EXPECT_TRUE(descriptor_of(socket_type::dealer).sends_identity);
  EXPECT_FALSE(descriptor_of(socket_type::pull).sends);
  EXPECT_FALSE(descriptor_of(socket_type::pub).receives);
}

} // namespace
} // namespace cafmq
