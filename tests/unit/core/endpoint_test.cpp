// Endpoint strings: what parses, what its canonical form is, and what is refused with a
// cafmq::error naming the problem. Includes inputs found by fuzz/fuzz_endpoint.cpp.
#include "runtime/core/endpoint.hpp"
#include "runtime/core/error.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

errc code_of(std::string_view text, bool for_bind) {
  try {
    parse_endpoint(text, for_bind);
  } catch (const error& e) {
    return e.code();
  }
  ADD_FAILURE() << "'" << text << "' parsed";
  return errc::internal;
}

TEST(Endpoint, ParsesTcpHostsAndPortsToTheirCanonicalForm) {
  auto v4 = parse_endpoint("tcp://127.0.0.1:5555", false);
  EXPECT_EQ(v4.host, "127.0.0.1");
  EXPECT_EQ(v4.port, 5555);
  EXPECT_EQ(v4.to_string(), "tcp://127.0.0.1:5555");
  auto v6 = parse_endpoint("tcp://[::1]:5555", false);
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.to_string(), "tcp://[::1]:5555");
  auto any = parse_endpoint("tcp://*:0", true);
  EXPECT_TRUE(any.any_port);
  EXPECT_EQ(any.to_string(), "tcp://*:*");
}

TEST(Endpoint, WildcardsOnlyForBind) {
  EXPECT_EQ(code_of("tcp://*:5555", false), errc::invalid_endpoint);
  EXPECT_EQ(code_of("tcp://host:*", false), errc::invalid_endpoint);
  EXPECT_EQ(code_of("tcp://host:0", false), errc::invalid_endpoint);
  EXPECT_EQ(code_of("ipc:///tmp/x", true), errc::unsupported);
}

// Found by fuzz_endpoint: "[[]]" lost one pair of brackets and became the host "[]", whose
// canonical form "tcp://[]:*" no longer parsed. Brackets inside a host are now refused.
TEST(EndpointFuzzRegression, BracketsInsideTheHostAreRefused) {
  for (auto text : {"tcp://[[]]:0", "tcp://[[::1]]:5555", "tcp://[a]b]:1", "tcp://a[b:1",
                    "tcp://]:1"}) {
    EXPECT_EQ(code_of(text, true), errc::invalid_endpoint) << text;
    EXPECT_EQ(code_of(text, false), errc::invalid_endpoint) << text;
  }
}

TEST(EndpointFuzzRegression, EveryCanonicalFormParsesBackToTheSameEndpoint) {
  for (auto text : {"tcp://127.0.0.1:1", "tcp://[::1]:2", "tcp://a:b:3", "tcp://*:*",
                    "tcp://x://y:4", "tcp://[fe80::1%eth0]:0"}) {
    auto ep = parse_endpoint(text, true);
    auto again = parse_endpoint(ep.to_string(), true);
    EXPECT_EQ(again.host, ep.host) << text;
    EXPECT_EQ(again.port, ep.port) << text;
    EXPECT_EQ(again.any_port, ep.any_port) << text;
    EXPECT_EQ(again.to_string(), ep.to_string()) << text;
  }
}

} // namespace
} // namespace cafmq
