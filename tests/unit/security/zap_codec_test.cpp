// ZAP (RFC 27) requests and replies as messages; replies validated by libzmq's rules
// (protocol-reference §2.5), with and without the REQ/REP delimiter frame.
#include "runtime/core/error.hpp"
#include "security/zap_codec.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace cafmq::security {
namespace {

std::vector<std::string> frames_of(const message& m) {
  std::vector<std::string> out;
  for (size_t i = 0; i < m.size(); ++i)
    out.push_back(m[i].to_string());
  return out;
}

message message_of(const std::vector<std::string>& parts) {
  message m;
  for (auto& p : parts)
    m.add(frame{p});
  return m;
}

const std::string curve_key_bytes(32, '\x5a');

auth_request curve_request() {
  auth_request r;
  r.domain = "global";
  r.address = "192.168.1.7";
  r.routing_id = "IDENT";
  r.mechanism = "CURVE";
  r.credentials = {curve_key_bytes};
  return r;
}

TEST(Rfc27ZapRequest, ShallCarryDelimiterVersionIdAndTheFixedFieldsThenCredentials) {
  auto m = make_zap_request(curve_request(), "1");
  EXPECT_EQ(frames_of(m), (std::vector<std::string>{"", "1.0", "1", "global", "192.168.1.7",
                                                    "IDENT", "CURVE", curve_key_bytes}));
}

TEST(Rfc27ZapRequest, PlainCarriesUserNameAndPassword) {
  auth_request r;
  r.domain = "d";
  r.address = "::1";
  r.mechanism = "PLAIN";
  r.credentials = {"admin", "secret"};
  auto m = make_zap_request(r, "42", zap_envelope::none);
  EXPECT_EQ(frames_of(m), (std::vector<std::string>{"1.0", "42", "d", "::1", "", "PLAIN",
                                                    "admin", "secret"}));
}

TEST(Rfc27ZapRequest, BuildingRejectsCredentialsThatDoNotFitTheMechanism) {
  auto r = curve_request();
  r.credentials = {std::string(31, 'k')};
  EXPECT_THROW(make_zap_request(r, "1"), error);
  r.mechanism = "PLAIN";
  r.credentials = {"only-user"};
  EXPECT_THROW(make_zap_request(r, "1"), error);
  r.mechanism = "NULL";
  r.credentials = {"x"};
  EXPECT_THROW(make_zap_request(r, "1"), error);
  r.credentials.clear();
  r.routing_id = std::string(256, 'i');
  EXPECT_THROW(make_zap_request(r, "1"), error);
}

TEST(Rfc27ZapRequest, ParsesWhatItBuildsInBothEnvelopes) {
  for (auto env : {zap_envelope::delimiter, zap_envelope::none}) {
    auto parsed = parse_zap_request(make_zap_request(curve_request(), "7", env), env);
    ASSERT_TRUE(parsed) << parsed.error;
    EXPECT_EQ(parsed.value->request_id, "7");
    auto& r = parsed.value->request;
    EXPECT_EQ(r.domain, "global");
    EXPECT_EQ(r.address, "192.168.1.7");
    EXPECT_EQ(r.routing_id, "IDENT");
    EXPECT_EQ(r.mechanism, "CURVE");
    EXPECT_EQ(r.credentials, std::vector<std::string>{curve_key_bytes});
  }
}

TEST(Rfc27ZapRequest, ParsingRejectsBadVersionEnvelopeCountAndCredentials) {
  auto bad = [](const std::vector<std::string>& parts, zap_envelope env, const char* needle) {
    auto r = parse_zap_request(message_of(parts), env);
    EXPECT_FALSE(r) << needle;
    EXPECT_NE(r.error.find(needle), std::string::npos) << r.error;
  };
  bad({"", "2.0", "1", "d", "a", "", "NULL"}, zap_envelope::delimiter, "version");
  bad({"x", "1.0", "1", "d", "a", "", "NULL"}, zap_envelope::delimiter, "delimiter");
  bad({"", "1.0", "1", "d", "a", ""}, zap_envelope::delimiter, "frames");
  bad({"1.0", "1", "d", "a", "", "PLAIN", "user"}, zap_envelope::none, "PLAIN");
  bad({"1.0", "1", "d", "a", "", "CURVE", "short"}, zap_envelope::none, "32-byte");
  bad({"1.0", "1", "d", "a", "", ""}, zap_envelope::none, "mechanism");
  // A request given to a REQ socket has no delimiter: reading it as enveloped fails loudly.
  bad({"1.0", "1", "d", "a", "", "NULL"}, zap_envelope::delimiter, "frames");
}

TEST(Rfc27ZapRequest, OtherMechanismsPassTheirCredentialsThrough) {
  auto r = parse_zap_request(message_of({"1.0", "1", "d", "a", "", "GSSAPI", "p"}),
                             zap_envelope::none);
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.value->request.credentials, std::vector<std::string>{"p"});
}

TEST(Rfc27ZapReply, ShallHaveSevenFramesWithTheStatusUserIdAndMetadata) {
  auth_reply rep{200, "OK", "alice"};
  metadata md;
  md.add("Hello", "World");
  auto m = make_zap_reply("1", rep, md);
  auto f = frames_of(m);
  ASSERT_EQ(f.size(), 7u);
  EXPECT_EQ(f[0], "");
  EXPECT_EQ(f[1], "1.0");
  EXPECT_EQ(f[2], "1");
  EXPECT_EQ(f[3], "200");
  EXPECT_EQ(f[4], "OK");
  EXPECT_EQ(f[5], "alice");
  EXPECT_EQ(f[6], std::string("\x05" "Hello\0\0\0\x05" "World", 15));
}

TEST(Rfc27ZapReply, RoundTripsEachStatusCodeInBothEnvelopes) {
  for (auto env : {zap_envelope::delimiter, zap_envelope::none})
    for (int code : {200, 300, 400, 500}) {
      metadata md;
      md.add("X-Role", "ops");
      auto parsed = parse_zap_reply(make_zap_reply("9", {code, "why", "u"}, md, env), "9", env);
      ASSERT_TRUE(parsed) << parsed.error;
      EXPECT_EQ(parsed.value->reply.status_code, code);
      EXPECT_EQ(parsed.value->reply.status_text, "why");
      EXPECT_EQ(parsed.value->reply.user_id, "u");
      EXPECT_EQ(parsed.value->properties.find("x-role"), "ops");
    }
}

TEST(Rfc27ZapReply, BuildingRejectsStatusCodesOutsideTheFour) {
  EXPECT_THROW(make_zap_reply("1", {201, "", ""}), error);
  EXPECT_THROW(make_zap_reply("1", {0, "", ""}), error);
  metadata bad;
  bad.add("", "empty name");
  EXPECT_THROW(make_zap_reply("1", {200, "", ""}, bad), error);
}

// Each libzmq reply check, in libzmq's order; the error names what was wrong.
struct bad_reply {
  std::vector<std::string> frames;
  const char* needle;
};

TEST(LibzmqZapReplyRules, EachMalformedReplyIsRejectedSayingWhy) {
  const std::string md("\x01" "a\0\0\0\x01" "b", 7);
  const std::vector<bad_reply> cases{
    {{"", "1.0", "1", "200", "OK", ""}, "6 frames, not 7"},
    {{"", "1.0", "1", "200", "OK", "", "", ""}, "8 frames, not 7"},
    {{"x", "1.0", "1", "200", "OK", "", ""}, "delimiter"},
    {{"", "1.1", "1", "200", "OK", "", ""}, "bad version"},
    {{"", "1.0", "2", "200", "OK", "", ""}, "bad request id"},
    {{"", "1.0", "1", "20", "OK", "", ""}, "invalid status code"},
    {{"", "1.0", "1", "2000", "OK", "", ""}, "invalid status code"},
    {{"", "1.0", "1", "201", "OK", "", ""}, "invalid status code"},
    {{"", "1.0", "1", "100", "OK", "", ""}, "invalid status code"},
    {{"", "1.0", "1", "600", "OK", "", ""}, "invalid status code"},
    {{"", "1.0", "1", "200", "OK", "", md.substr(0, 5)}, "invalid metadata"},
  };
  for (auto& c : cases) {
    auto r = parse_zap_reply(message_of(c.frames), "1");
    EXPECT_FALSE(r) << c.needle;
    EXPECT_NE(r.error.find(c.needle), std::string::npos) << r.error;
  }
  auto ok = parse_zap_reply(message_of({"", "1.0", "1", "200", "OK", "", md}), "1");
  ASSERT_TRUE(ok) << ok.error;
  EXPECT_EQ(ok.value->properties.find("a"), "b");
}

TEST(LibzmqZapReplyRules, WithoutTheDelimiterSixFramesAreExpected) {
  auto r = parse_zap_reply(message_of({"1.0", "1", "400", "no", ""}), "1", zap_envelope::none);
  EXPECT_FALSE(r);
  EXPECT_NE(r.error.find("5 frames, not 6"), std::string::npos) << r.error;
  // A delimited reply read as delimiter-less has 7 frames: rejected, never misread.
  auto delimited = make_zap_reply("1", {400, "no", ""});
  EXPECT_FALSE(parse_zap_reply(delimited, "1", zap_envelope::none));
  auto plain = parse_zap_reply(message_of({"1.0", "1", "400", "no", "", ""}), "1",
                               zap_envelope::none);
  ASSERT_TRUE(plain) << plain.error;
  EXPECT_EQ(plain.value->reply.status_code, 400);
}

TEST(LibzmqZapReplyRules, HostileBytesInFramesArePrintedSafely) {
  auto r = parse_zap_reply(message_of({"", std::string("\x01\xff", 2), "1", "200", "", "", ""}),
                           "1");
  EXPECT_FALSE(r);
  EXPECT_EQ(r.error.find('\x01'), std::string::npos) << r.error;
}

} // namespace
} // namespace cafmq::security
