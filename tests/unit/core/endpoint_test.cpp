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
  EXPECT_EQ(code_of("ipc://*", false), errc::invalid_endpoint);
  EXPECT_EQ(code_of("udp://host:1", true), errc::unsupported);
}

TEST(Endpoint, ParsesTcpSourceAddressesForConnectOnly) {
  auto ep = parse_endpoint("tcp://127.0.0.2:0;127.0.0.1:5555", false);
  ASSERT_TRUE(ep.source);
  EXPECT_EQ(ep.source->host, "127.0.0.2");
  EXPECT_EQ(ep.source->port, 0);
  EXPECT_EQ(ep.host, "127.0.0.1");
  EXPECT_EQ(ep.port, 5555);
  EXPECT_EQ(ep.to_string(), "tcp://127.0.0.2:0;127.0.0.1:5555");
  auto any = parse_endpoint("tcp://*:*;[::1]:7", false);
  EXPECT_EQ(any.source->host, "*");
  EXPECT_EQ(any.to_string(), "tcp://*:0;[::1]:7");
  EXPECT_EQ(code_of("tcp://127.0.0.2:0;127.0.0.1:5555", true), errc::invalid_endpoint);
  EXPECT_EQ(code_of("tcp://a:1;b:2;c:3", false), errc::invalid_endpoint);
  EXPECT_EQ(code_of("tcp://a;b:2", false), errc::invalid_endpoint);
}

TEST(Endpoint, ParsesIpcPathsAbstractNamesAndTheBindWildcard) {
  EXPECT_EQ(parse_endpoint("ipc:///tmp/feed.sock", false).path, "/tmp/feed.sock");
  EXPECT_EQ(parse_endpoint("ipc://relative.sock", false).path, "relative.sock");
  EXPECT_EQ(parse_endpoint("ipc://@feed", false).path, "@feed");
  EXPECT_EQ(parse_endpoint("ipc://*", true).to_string(), "ipc://*");
  EXPECT_EQ(code_of("ipc://", true), errc::invalid_endpoint);
  EXPECT_EQ(code_of("ipc://@", true), errc::invalid_endpoint);
  EXPECT_EQ(parse_endpoint("ipc://" + std::string(max_ipc_path, 'a'), true).path.size(),
            max_ipc_path);
  try {
    parse_endpoint("ipc://" + std::string(max_ipc_path + 1, 'a'), true);
    ADD_FAILURE() << "a path over the limit parsed";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_endpoint);
    EXPECT_NE(std::string(e.what()).find("at most 107"), std::string::npos) << e.what();
  }
}

TEST(Endpoint, ParsesInprocNamesUpToTheLimit) {
  EXPECT_EQ(parse_endpoint("inproc://workers", false).path, "workers");
  EXPECT_EQ(parse_endpoint("inproc://zeromq.zap.01", true).to_string(), "inproc://zeromq.zap.01");
  EXPECT_EQ(parse_endpoint("inproc://" + std::string(max_inproc_name, 'n'), true).path.size(),
            max_inproc_name);
  EXPECT_EQ(code_of("inproc://" + std::string(max_inproc_name + 1, 'n'), true),
            errc::invalid_endpoint);
  EXPECT_EQ(code_of("inproc://", false), errc::invalid_endpoint);
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
  for (auto text : {"ipc:///tmp/a b", "ipc://@x", "ipc://*", "inproc://a:b;c", "inproc://*",
                    "tcp://1.2.3.4:*;h:5"}) {
    bool for_bind = std::string_view(text).find(';') == std::string_view::npos;
    auto ep = parse_endpoint(text, for_bind);
    EXPECT_EQ(parse_endpoint(ep.to_string(), for_bind).to_string(), ep.to_string()) << text;
  }
}

} // namespace
} // namespace cafmq
