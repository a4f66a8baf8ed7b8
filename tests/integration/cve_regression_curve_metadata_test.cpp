// CVE-2019-13132 class: libzmq copied an unauthenticated INITIATE box into stack arrays sized for
// 256 bytes of metadata. cafmq refuses oversized garbage boxes by their MAC
// (security_bad_input_test: InitiateWithAnOversizedGarbageBoxFailsAsAuth) and any frame over the
// 64 KiB pre-handshake cap from its header. This file checks the other half of the fix: a
// legitimate CURVE client with large metadata still handshakes and its properties arrive intact,
// up to just under the cap, while an honest INITIATE over the cap is dropped before allocating.
#include "support/raw_curve.hpp"
#include "support/secured_server.hpp"
#include "support/zmtp_wire.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::bytes;
using test::raw_curve_client;
using test::secured_by;
using test::secured_pull;

constexpr auto budget = secured_pull::budget;

using properties = std::vector<std::pair<std::string, std::string>>;

// RFC 23 metadata: name length (1 octet), name, value length (4 octets, network order), value.
bytes encode(const properties& props) {
  bytes out;
  for (auto& [name, value] : props) {
    out.push_back(static_cast<uint8_t>(name.size()));
    out.insert(out.end(), name.begin(), name.end());
    auto n = static_cast<uint32_t>(value.size());
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<uint8_t>(n >> shift));
    out.insert(out.end(), value.begin(), value.end());
  }
  return out;
}

// Socket-Type PUSH, a 255-byte Identity, and `extra` application properties of `size` bytes.
properties large_metadata(size_t extra, size_t size) {
  properties p{{"Socket-Type", "PUSH"}, {"Identity", std::string(255, 'I')}};
  for (size_t i = 0; i < extra; ++i)
    p.emplace_back("X-App-" + std::to_string(i), std::string(size, static_cast<char>('a' + i)));
  return p;
}

// The WELCOME the server answers a legitimate HELLO with, opened.
test::welcome_contents welcome_of(raw_curve_client& raw) {
  EXPECT_TRUE(raw.send_command(raw.hello()));
  auto w = raw.read_command(budget);
  if (!w)
    throw std::runtime_error("no WELCOME");
  auto opened = raw.open_welcome(*w);
  if (!opened)
    throw std::runtime_error("WELCOME does not open");
  return *opened;
}

TEST(Cve2019_13132, CurveClientWithAMaximalIdentityHandshakesAndIsRoutedByIt) {
  context ctx;
  auto so = test::server_options(secured_by::curve,
                                 std::make_shared<test::counting_authenticator>());
  socket router{ctx, socket_type::router, so};
  router.bind("tcp://127.0.0.1:*");
  auto co = test::client_options(secured_by::curve);
  co.routing_id = std::string(255, 'R');  // the longest Identity RFC 23 allows
  socket dealer{ctx, socket_type::dealer, co};
  dealer.connect(router.last_endpoint());
  ASSERT_TRUE(dealer.send(message{"hello"}, budget));
  auto m = router.recv(budget);
  ASSERT_TRUE(m.has_value()) << "the CURVE client with a 255-byte identity never got through";
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0].to_string(), co.routing_id);
  ASSERT_TRUE(router.send(message{co.routing_id, "back"}, budget));
  auto r = dealer.recv(budget);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(test::frames_of(*r), std::vector<std::string>{"back"});
}

// Metadata of about 1 KiB, 8 KiB and 60 KiB (the last just under the pre-handshake cap).
class Cve2019_13132Metadata : public ::testing::TestWithParam<std::pair<size_t, size_t>> {};
INSTANTIATE_TEST_SUITE_P(Sizes, Cve2019_13132Metadata,
                         ::testing::Values(std::make_pair(size_t{4}, size_t{200}),
                                           std::make_pair(size_t{8}, size_t{1000}),
                                           std::make_pair(size_t{6}, size_t{10000})),
                         [](const auto& i) {
                           return std::to_string(i.param.first) + "PropertiesOf"
                                  + std::to_string(i.param.second) + "Bytes";
                         });

TEST_P(Cve2019_13132Metadata, LegitimateInitiateWithLargeMetadataHandshakesAndKeepsEveryProperty) {
  auto [extra, size] = GetParam();
  secured_pull s{secured_by::curve};
  s.expect_flow("before the large client");
  auto props = large_metadata(extra, size);
  ASSERT_LT(encode(props).size(), size_t{64 * 1024 - 400}) << "the case must fit under the cap";
  metadata md;
  for (auto& [name, value] : props)
    md.add(name, value);
  auto raw = raw_curve_client::connect_with(s.endpoint(), budget, md);
  ASSERT_NO_THROW(raw.handshake(budget)) << "a CURVE client with large metadata was refused";
  ASSERT_TRUE(raw.send_data(raw.message("from the large client")));
  auto m = s.server.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(test::frames_of(*m), std::vector<std::string>{"from the large client"});
  auto peer = s.server.last_peer();
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->identity(), props[1].second);
  for (size_t i = 2; i < props.size(); ++i) {
    auto v = peer->get(props[i].first);
    ASSERT_TRUE(v.has_value()) << props[i].first << " lost";
    EXPECT_EQ(*v, props[i].second) << props[i].first << " garbled";
  }
  s.expect_flow("after the large client");
}

TEST(Cve2019_13132, HonestInitiateOverThePreHandshakeCapIsDroppedBeforeAllocating) {
  secured_pull s{secured_by::curve};
  s.expect_flow("before the oversized client");
  auto raw = raw_curve_client::connect(s.endpoint(), budget);
  auto remote = test::local_endpoint_of(raw.wire());
  auto metadata = encode(large_metadata(7, 10000));  // ~70 KB: a real box, but over 64 KiB
  raw.send_command(raw.honest_initiate(welcome_of(raw), 2, &metadata));  // may fail part-way
  test::expect_closed_by_server(raw.wire());
  s.expect_failed(remote, event_kind::handshake_failed, event_reason::protocol, "exceeds the limit");
  EXPECT_EQ(s.judge->asked.load(), 1) << "the authenticator was asked about the oversized client";
}

} // namespace
} // namespace cafmq
