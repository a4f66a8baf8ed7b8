// Command bodies and metadata on bytes (RFC 23 §Commands, §Connection Metadata, §The NULL
// Security Mechanism), against the hex vectors of protocol-reference §1.4.
#include "runtime/core/zmtp_command.hpp"
#include "hex.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>

using namespace cafmq;

using cafmq::test::from_hex;

namespace {


// The frame vectors carry a 2-byte short header; commands work on the body after it.
bytes body_of(std::string_view frame_hex) {
  auto all = from_hex(frame_hex);
  return bytes(all.begin() + 2, all.end());
}

const std::string_view dealer_ready_hex =
  "04 29 05 52 45 41 44 59 0b 53 6f 63 6b 65 74 2d 54 79 70 65 00 00 00 06 44 45 41 4c 45 52 08 49"
  " 64 65 6e 74 69 74 79 00 00 00 00";
const std::string_view router_ready_hex =
  "04 1c 05 52 45 41 44 59 0b 53 6f 63 6b 65 74 2d 54 79 70 65 00 00 00 06 52 4f 55 54 45 52";
const std::string_view error_400_hex = "04 0a 05 45 52 52 4f 52 03 34 30 30";

std::optional<std::string> parse(const bytes& b, metadata& md) {
  return parse_metadata(b.data(), b.size(), md);
}

} // namespace

TEST(Command, DealerReadyMatchesRfc23WorkedExample) {
  metadata md;
  md.add("Socket-Type", "DEALER");
  md.add("Identity", "");
  bytes data;
  encode_metadata(md, data);
  auto body = make_command("READY", data.data(), data.size());
  EXPECT_EQ(from_hex(dealer_ready_hex).size(), 43u);
  EXPECT_EQ(body, body_of(dealer_ready_hex));
}

TEST(Command, RouterReadyWithoutIdentityIs30BytesOnTheWire) {
  metadata md;
  md.add("Socket-Type", "ROUTER");
  bytes data;
  encode_metadata(md, data);
  EXPECT_EQ(make_command("READY", data.data(), data.size()), body_of(router_ready_hex));
  EXPECT_EQ(from_hex(router_ready_hex).size(), 30u);
}

TEST(Command, ParsesDealerReadyIntoNameAndProperties) {
  auto body = body_of(dealer_ready_hex);
  auto cmd = parse_command(body.data(), body.size());
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->name, "READY");
  metadata md;
  ASSERT_EQ(parse_metadata(cmd->data, cmd->size, md), std::nullopt);
  ASSERT_EQ(md.properties.size(), 2u);
  EXPECT_EQ(md.properties[0].first, "Socket-Type");
  EXPECT_EQ(md.properties[0].second, "DEALER");
  EXPECT_EQ(md.properties[1].first, "Identity");
  EXPECT_EQ(md.properties[1].second, "");
}

TEST(Command, XpubAndSubReadyVectors) {
  // 04 1a 05 'READY' 0b 'Socket-Type' 00 00 00 04 'XPUB'  and  04 19 ... 00 00 00 03 'SUB'
  const std::string xpub("\x04\x1a\x05READY\x0bSocket-Type\x00\x00\x00\x04XPUB", 28);
  const std::string sub("\x04\x19\x05READY\x0bSocket-Type\x00\x00\x00\x03SUB", 27);
  for (auto& [type, wire] :
       {std::pair{std::string("XPUB"), xpub}, std::pair{std::string("SUB"), sub}}) {
    metadata md;
    md.add("Socket-Type", type);
    bytes data;
    encode_metadata(md, data);
    auto body = make_command("READY", data.data(), data.size());
    EXPECT_EQ(body, bytes(wire.begin() + 2, wire.end())) << type;
    EXPECT_EQ(body.size(), static_cast<size_t>(wire[1])) << type;
  }
}

TEST(Command, NameIsLengthPrefixedNotNulTerminated) {
  auto body = make_command("PING");
  EXPECT_EQ(body, (bytes{4, 'P', 'I', 'N', 'G'}));
  auto cmd = parse_command(body.data(), body.size());
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->name, "PING");
  EXPECT_EQ(cmd->size, 0u);
}

TEST(Command, NameOf1To255BytesIsAccepted) {
  EXPECT_EQ(make_command("A").size(), 2u);
  std::string longest(255, 'X');
  auto body = make_command(longest);
  EXPECT_EQ(body[0], 255);
  auto cmd = parse_command(body.data(), body.size());
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->name, longest);
}

TEST(Command, EmptyOrOverlongNameIsAProgrammingError) {
  EXPECT_THROW(make_command(""), std::invalid_argument);
  EXPECT_THROW(make_command(std::string(256, 'X')), std::invalid_argument);
}

TEST(Command, ParseRejectsEmptyBodyZeroNameAndNamePastEnd) {
  EXPECT_FALSE(parse_command(nullptr, 0));
  bytes zero_name{0, 'x'};
  EXPECT_FALSE(parse_command(zero_name.data(), zero_name.size()));
  bytes past_end{6, 'R', 'E', 'A', 'D', 'Y'};
  EXPECT_FALSE(parse_command(past_end.data(), past_end.size()));
  bytes name_only{5, 'R', 'E', 'A', 'D', 'Y'};
  EXPECT_TRUE(parse_command(name_only.data(), name_only.size()));
}

TEST(Command, ErrorCarriesReasonAsLibzmqEmitsAfterZap400) {
  EXPECT_EQ(make_error_command("400"), body_of(error_400_hex));
  auto body = body_of(error_400_hex);
  auto cmd = parse_command(body.data(), body.size());
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->name, "ERROR");
  EXPECT_EQ(parse_error_reason(cmd->data, cmd->size), std::optional<std::string>{"400"});
}

TEST(Command, ErrorReasonIsTruncatedTo255Bytes) {
  auto body = make_error_command(std::string(300, 'r'));
  auto cmd = parse_command(body.data(), body.size());
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->size, 256u);
  EXPECT_EQ(parse_error_reason(cmd->data, cmd->size), std::string(255, 'r'));
}

TEST(Command, ErrorReasonMayBeEmpty) {
  auto body = make_error_command("");
  EXPECT_EQ(body, (bytes{5, 'E', 'R', 'R', 'O', 'R', 0}));
  uint8_t data[] = {0};
  EXPECT_EQ(parse_error_reason(data, 1), std::optional<std::string>{""});
}

TEST(Command, ErrorReasonRunningPastDataIsMalformed) {
  uint8_t data[] = {4, '4', '0', '0'};
  EXPECT_EQ(parse_error_reason(data, sizeof data), std::nullopt);
  EXPECT_EQ(parse_error_reason(data, 0), std::nullopt);
}

TEST(Metadata, EmptyMetadataIsValid) {
  metadata md;
  EXPECT_EQ(parse_metadata(nullptr, 0, md), std::nullopt);
  EXPECT_TRUE(md.properties.empty());
}

TEST(Metadata, NamesAreCaseInsensitiveOnLookup) {
  metadata md;
  md.add("Socket-Type", "PUSH");
  EXPECT_EQ(md.find("socket-type"), std::optional<std::string_view>{"PUSH"});
  EXPECT_EQ(md.find("SOCKET-TYPE"), std::optional<std::string_view>{"PUSH"});
  EXPECT_EQ(md.find("Socket-Typ"), std::nullopt);
  EXPECT_EQ(md.find("Identity"), std::nullopt);
}

TEST(Metadata, FindReturnsTheFirstOfDuplicateNames) {
  metadata md;
  md.add("Socket-Type", "PUSH");
  md.add("socket-type", "PULL");
  EXPECT_EQ(md.find("Socket-Type"), std::optional<std::string_view>{"PUSH"});
}

TEST(Metadata, RoundTripsBinaryAndLargeValues) {
  metadata md;
  md.add("X-Blob", std::string("\0\xff\x01", 3));
  md.add("X-Big", std::string(70000, 'b'));
  md.add(std::string(255, 'n'), "v");
  bytes wire;
  encode_metadata(md, wire);
  metadata back;
  ASSERT_EQ(parse(wire, back), std::nullopt);
  EXPECT_EQ(back.properties, md.properties);
  // 70000 = 00 01 11 70: the value length is four bytes, big-endian
  bytes len70000{0x00, 0x01, 0x11, 0x70};
  EXPECT_NE(std::search(wire.begin(), wire.end(), len70000.begin(), len70000.end()), wire.end());
}

TEST(Metadata, AcceptsEveryNameCharOfTheGrammar) {
  metadata md;
  md.add("AZaz09-_.+", "x");
  bytes wire;
  encode_metadata(md, wire);
  metadata back;
  EXPECT_EQ(parse(wire, back), std::nullopt);
}

TEST(Metadata, RejectsZeroLengthName) {
  bytes wire{0, 0, 0, 0, 0};
  metadata md;
  auto why = parse(wire, md);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("zero-length"), std::string::npos);
}

TEST(Metadata, RejectsNameRunningPastTheEnd) {
  bytes wire{11, 'S', 'o', 'c', 'k'};
  metadata md;
  EXPECT_TRUE(parse(wire, md));
}

TEST(Metadata, RejectsNameCharsOutsideTheGrammar) {
  for (uint8_t bad : {uint8_t{' '}, uint8_t{':'}, uint8_t{0}, uint8_t{0x80}, uint8_t{'/'}}) {
    bytes wire{3, 'a', bad, 'c', 0, 0, 0, 0};
    metadata md;
    EXPECT_TRUE(parse(wire, md)) << int(bad);
  }
}

TEST(Metadata, RejectsTruncatedValueLength) {
  for (size_t cut = 0; cut < 4; ++cut) {
    bytes wire{1, 'a'};
    wire.insert(wire.end(), cut, 0);
    metadata md;
    EXPECT_TRUE(parse(wire, md)) << cut;
  }
}

TEST(Metadata, RejectsValueLengthGreaterThanRemaining) {
  bytes wire{1, 'a', 0, 0, 0, 3, 'x', 'y'};
  metadata md;
  EXPECT_TRUE(parse(wire, md));
  bytes huge{1, 'a', 0xff, 0xff, 0xff, 0xff, 'x'};
  EXPECT_TRUE(parse(huge, md));
  bytes over_2_31{1, 'a', 0x80, 0, 0, 0};
  EXPECT_TRUE(parse(over_2_31, md));
}

TEST(Metadata, RejectsOneTrailingByte) {
  auto body = body_of(router_ready_hex);
  bytes wire(body.begin() + 6, body.end());
  metadata ok;
  ASSERT_EQ(parse(wire, ok), std::nullopt);
  wire.push_back(0x01);
  metadata md;
  EXPECT_TRUE(parse(wire, md));
}

TEST(Metadata, EveryTruncationOfDealerReadyIsRejected) {
  auto body = body_of(dealer_ready_hex);
  bytes wire(body.begin() + 6, body.end());
  for (size_t n = 1; n < wire.size(); ++n) {
    metadata md;
    auto why = parse_metadata(wire.data(), n, md);
    // The only valid prefix ends right after the Socket-Type property (offset 22).
    EXPECT_EQ(why.has_value(), n != 22) << n;
  }
}

TEST(Metadata, EncodingAnInvalidNameIsAProgrammingError) {
  metadata empty_name;
  empty_name.add("", "x");
  bytes out;
  EXPECT_THROW(encode_metadata(empty_name, out), std::invalid_argument);
  metadata long_name;
  long_name.add(std::string(256, 'n'), "x");
  EXPECT_THROW(encode_metadata(long_name, out), std::invalid_argument);
}

TEST(Printable, EscapesControlBytesAndTruncates) {
  EXPECT_EQ(printable("READY"), "READY");
  EXPECT_EQ(printable(std::string("a\0\n", 3)), "a\\x00\\x0a");
  EXPECT_EQ(printable(std::string(10, 'z'), 4), "zzzz...");
}
