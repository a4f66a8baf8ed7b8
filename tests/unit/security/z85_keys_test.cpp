// Z85 (RFC 32) with its test vector, round trips and invalid input; CURVE keys with the published
// libzmq test key pairs (protocol-reference §2.3).
#include "hex.hpp"

#include "runtime/core/error.hpp"
#include "security/curve_keys.hpp"
#include "security/z85.hpp"

#include <gtest/gtest.h>

#include <cctype>

namespace cafmq::security {
namespace {

TEST(Z85, EncodesTheRfc32TestVector) {
  const uint8_t hello[] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
  EXPECT_EQ(z85_encode(hello, sizeof hello), "HelloWorld");
}

TEST(Z85, DecodesTheRfc32TestVector) {
  auto bytes = z85_decode("HelloWorld");
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(*bytes, (std::vector<uint8_t>{0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B}));
}

TEST(Z85, RoundTripsEveryByteValue) {
  std::vector<uint8_t> all(256);
  for (size_t i = 0; i < all.size(); ++i)
    all[i] = static_cast<uint8_t>(i);
  auto text = z85_encode(all.data(), all.size());
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->size(), 320u);
  EXPECT_EQ(z85_decode(*text), all);
}

TEST(Z85, EdgeGroups) {
  const uint8_t zeros[4] = {0, 0, 0, 0};
  const uint8_t ones[4] = {0xFF, 0xFF, 0xFF, 0xFF};
  EXPECT_EQ(z85_encode(zeros, 4), "00000");
  EXPECT_EQ(z85_encode(ones, 4), "%nSc0");  // 2^32 - 1
  EXPECT_EQ(z85_decode("%nSc0"), (std::vector<uint8_t>{0xFF, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(z85_decode(""), std::vector<uint8_t>{});
}

TEST(Z85, RejectsLengthsThatAreNotMultiples) {
  const uint8_t three[3] = {1, 2, 3};
  EXPECT_FALSE(z85_encode(three, 3).has_value());
  EXPECT_FALSE(z85_decode("Hello!").has_value());
  EXPECT_FALSE(z85_decode("Hell").has_value());
}

TEST(Z85, RejectsCharactersOutsideTheAlphabet) {
  const std::vector<std::string> bad_inputs = {"Hell ", "Hell\"", "Hell,", "Hell;", "Hell'",
                                               "Hell\\", "Hell_", "Hell`", "Hell|", "Hell~",
                                               std::string("Hell\0", 5), "Hell\x80"};
  for (const auto& bad : bad_inputs)
    EXPECT_FALSE(z85_decode(bad).has_value()) << "last byte " << int(uint8_t(bad.back()));
}

TEST(Z85, RejectsGroupsWorthMoreThan32Bits) {
  EXPECT_FALSE(z85_decode("%nSc1").has_value());  // 2^32
  EXPECT_FALSE(z85_decode("#####").has_value());  // 85^5 - 1
}

struct test_pair {
  const char* name;
  const char* public_hex;
  const char* public_z85;
  const char* secret_hex;
  const char* secret_z85;
};

class PublishedKeys : public ::testing::TestWithParam<test_pair> {};

std::vector<uint8_t> hex_bytes(std::string hex) {
  for (auto& c : hex)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return test::from_hex(hex);
}

std::vector<uint8_t> bytes_of(const curve_key& k) {
  return {k.bytes().begin(), k.bytes().end()};
}

TEST_P(PublishedKeys, Z85MatchesHexAndThePublicKeyFollowsFromTheSecret) {
  auto p = GetParam();
  auto pub = curve_key::from_z85(p.public_z85);
  auto sec = curve_key::from_z85(p.secret_z85);
  EXPECT_EQ(bytes_of(pub), hex_bytes(p.public_hex));
  EXPECT_EQ(bytes_of(sec), hex_bytes(p.secret_hex));
  EXPECT_EQ(pub.z85(), p.public_z85);
  EXPECT_EQ(public_key_of(sec), pub);
}

INSTANTIATE_TEST_SUITE_P(
  LibzmqTestKeys, PublishedKeys,
  ::testing::Values(
    test_pair{"Client", "BB88471D65E2659B30C55A5321CEBB5AAB2B70A398645C26DCA2B2FCB43FC518",
              "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID",
              "7BB864B489AFA3671FBE69101F94B38972F24816DFB01B51656B3FEC8DFD0888",
              "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"},
    test_pair{"Server", "54FCBA24E93249969316FB617C872BB0C1D1FF14800427C594CBFACF1BC2D652",
              "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
              "8E0BDD697628B91D8F245587EE95C5B04D48963F79259877B49CD9063AEAD3B7",
              "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"}),
  [](const auto& info) { return std::string(info.param.name); });

TEST(CurveKeys, GeneratedPairsAreConsistentAndDistinct) {
  auto a = generate_keypair();
  auto b = generate_keypair();
  EXPECT_EQ(public_key_of(a.secret_key), a.public_key);
  EXPECT_FALSE(a.public_key == b.public_key);
  EXPECT_EQ(a.public_key.z85().size(), 40u);
  EXPECT_EQ(curve_key::from_z85(a.secret_key.z85()), a.secret_key);
}

TEST(CurveKeys, BadZ85KeysAreRejectedSayingWhy) {
  try {
    curve_key::from_z85("short");
    FAIL() << "accepted a 5-character key";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("40 characters"), std::string::npos) << e.what();
  }
  EXPECT_THROW(curve_key::from_z85(std::string(39, '0') + " "), error);
}

} // namespace
} // namespace cafmq::security
