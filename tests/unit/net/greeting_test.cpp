// The ZMTP 3.x greeting on bytes (RFC 23 §Formal Grammar, §Version Negotiation, §Backwards
// Interoperability; RFC 37): exact output, early refusal of 1.0/2.0 peers, mechanism matching.
#include "net/greeting.hpp"
#include "hex.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

using namespace cafmq::net;
using status = greeting_check::status;

using cafmq::test::from_hex;

namespace {


// libzmq's test fixture zmtp_greeting_null: a NULL 3.0 greeting.
std::vector<uint8_t> libzmq_null_30() {
  auto g = from_hex("ff 00 00 00 00 00 00 00 00 7f 03 00 4e 55 4c 4c");
  g.resize(greeting_size, 0);
  return g;
}

// What libzmq sends for CURVE: 3.1, padding be64(1), as-server always 0.
std::vector<uint8_t> libzmq_curve_31() {
  auto g = from_hex("ff 00 00 00 00 00 00 00 01 7f 03 01 43 55 52 56 45");
  g.resize(greeting_size, 0);
  return g;
}

greeting_check check(const std::vector<uint8_t>& g, size_t n, std::string_view mech = "NULL") {
  return check_greeting(g.data(), n, mech);
}

} // namespace

TEST(Greeting, IsSixtyFourBytesOfSignatureVersion31MechanismAndFiller) {
  auto g = make_greeting("NULL", false);
  auto expected = from_hex("ff 00 00 00 00 00 00 00 01 7f 03 01 4e 55 4c 4c");
  expected.resize(greeting_size, 0);
  EXPECT_EQ(std::vector<uint8_t>(g.begin(), g.end()), expected);
}

TEST(Greeting, CurveGreetingMatchesWhatLibzmqSends) {
  auto g = make_greeting("CURVE", false);
  EXPECT_EQ(std::vector<uint8_t>(g.begin(), g.end()), libzmq_curve_31());
}

TEST(Greeting, AsServerFlagIsByte32) {
  auto g = make_greeting("PLAIN", true);
  EXPECT_EQ(g[32], 1);
  for (size_t i = 33; i < greeting_size; ++i)
    EXPECT_EQ(g[i], 0) << i;
}

TEST(Greeting, MechanismNameMustFitTwentyBytes) {
  EXPECT_NO_THROW(make_greeting(std::string(20, 'A'), false));
  EXPECT_THROW(make_greeting(std::string(21, 'A'), false), std::invalid_argument);
  EXPECT_THROW(make_greeting("", false), std::invalid_argument);
}

TEST(Greeting, AcceptsLibzmqNull30GreetingAsMinor0) {
  auto r = check(libzmq_null_30(), greeting_size);
  EXPECT_EQ(r.state, status::ok) << r.error;
  EXPECT_EQ(r.minor, 0);
  EXPECT_FALSE(r.as_server);
}

TEST(Greeting, AcceptsOwnGreetingAsMinor1) {
  auto g = make_greeting("NULL", false);
  auto r = check_greeting(g.data(), g.size(), "NULL");
  EXPECT_EQ(r.state, status::ok) << r.error;
  EXPECT_EQ(r.minor, 1);
}

TEST(Greeting, NeedsAllSixtyFourBytesBeforeOk) {
  auto g = libzmq_curve_31();
  for (size_t n = 0; n < greeting_size; ++n)
    EXPECT_EQ(check(g, n, "CURVE").state, status::need_more) << n;
  EXPECT_EQ(check(g, greeting_size, "CURVE").state, status::ok);
}

TEST(Greeting, ByteByByteNeverFailsAValidGreeting) {
  auto g = libzmq_null_30();
  for (size_t n = 0; n <= greeting_size; ++n)
    EXPECT_NE(check(g, n).state, status::failed) << n;
}

TEST(Greeting, PaddingIsNotInterpreted) {
  auto g = libzmq_null_30();
  for (size_t i = 1; i <= 8; ++i)
    g[i] = static_cast<uint8_t>(0xA0 + i);
  EXPECT_EQ(check(g, greeting_size).state, status::ok);
}

TEST(Greeting, NewerMinorOrMajorCountsAs31) {
  auto g = libzmq_null_30();
  g[11] = 0x07;
  EXPECT_EQ(check(g, greeting_size).minor, 1);
  g[10] = 0x04;
  g[11] = 0x00;
  auto r = check(g, greeting_size);
  EXPECT_EQ(r.state, status::ok);
  EXPECT_EQ(r.minor, 1);
}

TEST(Greeting, RejectsZmtp10PeerFromFirstByte) {
  // A ZMTP 1.0 peer opens with its identity frame: 01 00 (anonymous).
  const uint8_t legacy[] = {0x01};
  auto r = check_greeting(legacy, 1, "NULL");
  EXPECT_EQ(r.state, status::failed);
  EXPECT_EQ(r.error.rfind("peer does not speak ZMTP (no 0xFF signature)", 0), 0u) << r.error;
  EXPECT_NE(r.error.find("ZMTP 1.0"), std::string::npos) << r.error;
}

TEST(Greeting, RejectsUnversionedSignatureAtByte9) {
  auto g = from_hex("ff 00 00 00 00 00 00 00 01 7e");
  for (size_t n = 1; n < 10; ++n)
    EXPECT_EQ(check(g, n).state, status::need_more) << n;
  auto r = check(g, 10);
  EXPECT_EQ(r.state, status::failed);
  EXPECT_NE(r.error.find("ZMTP 1.0"), std::string::npos) << r.error;
  EXPECT_EQ(r.code, cafmq::event_reason::protocol);
}

TEST(Greeting, RejectsZmtp20PeerByRevisionByte) {
  // CVE-2014-9721 downgrade header: 2.0 DEALER, refused after 11 bytes.
  auto g = from_hex("ff 00 00 00 00 00 00 00 01 7f 01 05 00 00");
  EXPECT_EQ(check(g, 10).state, status::need_more);
  auto r = check(g, 11);
  EXPECT_EQ(r.state, status::failed);
  EXPECT_NE(r.error.find("ZMTP 2.0"), std::string::npos) << r.error;
  EXPECT_EQ(r.code, cafmq::event_reason::protocol);
}

TEST(Greeting, RejectsVersionedZmtp10ByRevision0) {
  auto g = from_hex("ff 00 00 00 00 00 00 00 01 7f 00");
  auto r = check(g, 11);
  EXPECT_EQ(r.state, status::failed);
  EXPECT_NE(r.error.find("ZMTP 1.0"), std::string::npos) << r.error;
}

TEST(Greeting, RejectsRevision2BelowMajor3) {
  auto g = from_hex("ff 00 00 00 00 00 00 00 01 7f 02");
  auto r = check(g, 11);
  EXPECT_EQ(r.state, status::failed);
  EXPECT_NE(r.error.find("ZMTP 2.0"), std::string::npos) << r.error;
}

TEST(Greeting, MechanismMismatchClosesNamingBoth) {
  auto g = libzmq_null_30();
  const char plain[] = "PLAIN";
  std::fill(g.begin() + 12, g.begin() + 32, 0);
  std::copy(plain, plain + 5, g.begin() + 12);
  auto r = check(g, greeting_size, "NULL");
  EXPECT_EQ(r.state, status::failed);
  EXPECT_EQ(r.error, "mechanism mismatch: peer uses \"PLAIN\", this socket uses NULL");
  EXPECT_EQ(r.code, cafmq::event_reason::mechanism_mismatch);
}

TEST(Greeting, MechanismComparesAllTwentyBytesExactly) {
  auto lower = libzmq_null_30();
  std::copy_n("null", 4, lower.begin() + 12);
  EXPECT_EQ(check(lower, greeting_size).state, status::failed);

  auto suffix = libzmq_null_30();
  suffix[16] = 'X';  // "NULLX"
  EXPECT_EQ(check(suffix, greeting_size).state, status::failed);

  auto junk_after_nul = libzmq_null_30();
  junk_after_nul[31] = 'Z';  // "NULL" then NULs then a byte in the padding
  auto r = check(junk_after_nul, greeting_size);
  EXPECT_EQ(r.state, status::failed);
  EXPECT_NE(r.error.find("\\x00"), std::string::npos) << r.error;

  EXPECT_EQ(check(libzmq_curve_31(), greeting_size, "NULL").state, status::failed);
  EXPECT_EQ(check(libzmq_null_30(), greeting_size, "CURVE").state, status::failed);
}

TEST(Greeting, NeverRejectsBecauseOfAsServerByte) {
  auto g = libzmq_null_30();
  g[32] = 0x01;
  auto r = check(g, greeting_size);
  EXPECT_EQ(r.state, status::ok);
  EXPECT_TRUE(r.as_server);
  g[32] = 0x00;
  EXPECT_FALSE(check(g, greeting_size).as_server);
}

TEST(Greeting, IgnoresBytesAfterTheGreeting) {
  auto g = libzmq_null_30();
  g.push_back(0x04);  // the peer's READY may follow in the same read
  EXPECT_EQ(check(g, g.size()).state, status::ok);
}
