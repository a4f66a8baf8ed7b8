// Peer addresses as text (net/tcp_stream.hpp): IPv4-mapped IPv6 addresses read as IPv4, so that
// address rules written for IPv4 match the clients of a dual-stack listener.
#include "net/tcp_stream.hpp"

#include <gtest/gtest.h>

namespace cafmq::net {
namespace {

using boost::asio::ip::make_address;
using boost::asio::ip::tcp;

TEST(AddressText, AnIpv4MappedAddressReadsAsIpv4) {
  EXPECT_EQ(address_text(make_address("::ffff:10.1.2.3")), "10.1.2.3");
  EXPECT_EQ(address_text(make_address("::ffff:127.0.0.1")), "127.0.0.1");
}

TEST(AddressText, OtherAddressesAreUnchanged) {
  EXPECT_EQ(address_text(make_address("192.168.0.1")), "192.168.0.1");
  EXPECT_EQ(address_text(make_address("::1")), "::1");
  EXPECT_EQ(address_text(make_address("fe80::1")), "fe80::1");
}

TEST(AddressText, EndpointsBracketOnlyRealIpv6Addresses) {
  EXPECT_EQ(format_endpoint(tcp::endpoint(make_address("::ffff:10.1.2.3"), 5555)),
            "tcp://10.1.2.3:5555");
  EXPECT_EQ(format_endpoint(tcp::endpoint(make_address("::1"), 5555)), "tcp://[::1]:5555");
  EXPECT_EQ(format_endpoint(tcp::endpoint(make_address("10.0.0.1"), 80)), "tcp://10.0.0.1:80");
}

} // namespace
} // namespace cafmq::net
