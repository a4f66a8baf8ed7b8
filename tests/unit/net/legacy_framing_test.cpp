// ZMTP 2.0 (RFC 15) and 1.0 (RFC 13) framing on bytes: the decoder's legacy modes fed whole and
// at every split, the refusals (reserved flag bits, a 1.0 length of 0, sizes over the limit), the
// 1.0 header writer and message encoding.
#include "net/frame_codec.hpp"
#include "net/legacy_framing.hpp"
#include "hex.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace cafmq;
using namespace cafmq::net;
using cafmq::test::from_hex;
using result = frame_decoder::result;

namespace {

struct decoded {
  std::vector<std::pair<uint8_t, std::string>> frames;
  result last = result::need_more;
  std::string error;
};

// Feeds `in` in pieces of `chunk` bytes to a decoder in framing `f`.
decoded decode(framing f, const bytes& in, size_t chunk, uint64_t max = 1 << 24) {
  frame_decoder d{max};
  d.set_framing(f);
  decoded out;
  const uint8_t* p = in.data();
  const uint8_t* end = in.data() + in.size();
  while (p < end && out.last != result::error) {
    const uint8_t* stop = std::min(end, p + chunk);
    for (;;) {
      uint8_t flags = 0;
      frame body;
      out.last = d.next(p, stop, flags, body);
      if (out.last != result::frame)
        break;
      out.frames.emplace_back(flags, body.to_string());
    }
  }
  out.error = d.error_text();
  return out;
}

bytes zmtp1(const std::string& body, uint8_t flags = 0) {
  bytes out(max_zmtp1_header);
  out.resize(write_zmtp1_header(out.data(), flags, body.size()));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

bytes concat(std::initializer_list<bytes> parts) {
  bytes out;
  for (auto& p : parts)
    out.insert(out.end(), p.begin(), p.end());
  return out;
}

} // namespace

TEST(LegacyFraming, Zmtp1HeaderCountsTheFlagsByte) {
  EXPECT_EQ(zmtp1(""), from_hex("01 00"));
  EXPECT_EQ(zmtp1("ab", flag::more), from_hex("03 01 61 62"));
  auto at253 = zmtp1(std::string(253, 'x'));
  EXPECT_EQ(at253[0], 254);
  auto at254 = zmtp1(std::string(254, 'x'));  // length 255 is the escape: the long form
  EXPECT_EQ(bytes(at254.begin(), at254.begin() + 10), from_hex("ff 00 00 00 00 00 00 00 ff 00"));
  uint8_t h[max_zmtp1_header];
  EXPECT_EQ(write_zmtp1_header(h, 0xFE, 0), 2u);
  EXPECT_EQ(h[1], 0) << "only MORE is written";
}

TEST(LegacyFraming, Zmtp1DecodesAtEverySplit) {
  auto wire = concat({zmtp1("hello", flag::more), zmtp1(""), zmtp1(std::string(300, 'z'))});
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, wire.size()}) {
    auto d = decode(framing::zmtp1, wire, chunk);
    ASSERT_EQ(d.frames.size(), 3u) << "chunk " << chunk << ": " << d.error;
    EXPECT_EQ(d.frames[0], std::make_pair(flag::more, std::string("hello")));
    EXPECT_EQ(d.frames[1], std::make_pair(uint8_t{0}, std::string()));
    EXPECT_EQ(d.frames[2].second, std::string(300, 'z'));
    EXPECT_EQ(d.last, result::need_more);
  }
}

TEST(LegacyFraming, Zmtp1RefusesReservedFlagsLengthZeroAndOversize) {
  auto reserved = decode(framing::zmtp1, from_hex("02 02 41"), 1);
  EXPECT_EQ(reserved.last, result::error);
  EXPECT_NE(reserved.error.find("reserved flag bits"), std::string::npos) << reserved.error;
  auto zero = decode(framing::zmtp1, from_hex("00 00"), 2);
  EXPECT_EQ(zero.last, result::error);
  EXPECT_NE(zero.error.find("length 0"), std::string::npos) << zero.error;
  auto big = decode(framing::zmtp1, zmtp1(std::string(256, 'x')), 1, 255);
  EXPECT_EQ(big.last, result::error);
  EXPECT_NE(big.error.find("exceeds the limit of 255"), std::string::npos) << big.error;
  auto huge = decode(framing::zmtp1, from_hex("ff 80 00 00 00 00 00 00 00 00"), 10);
  EXPECT_EQ(huge.last, result::error) << "bit 63 of the length";
}

TEST(LegacyFraming, Zmtp2IsThreeXWithoutCommandsAndStrictFlags) {
  auto ok = decode(framing::zmtp2, from_hex("01 01 61 02 00 00 00 00 00 00 00 01 62"), 1);
  ASSERT_EQ(ok.frames.size(), 2u) << ok.error;
  EXPECT_EQ(ok.frames[0], std::make_pair(flag::more, std::string("a")));
  EXPECT_EQ(ok.frames[1], std::make_pair(uint8_t{0}, std::string("b")));
  for (const char* bad : {"04 00", "08 01 61", "80 00"}) {
    auto d = decode(framing::zmtp2, from_hex(bad), 64);
    EXPECT_EQ(d.last, result::error) << bad;
    EXPECT_NE(d.error.find("reserved flag bits"), std::string::npos) << d.error;
  }
  auto big = decode(framing::zmtp2, from_hex("00 ff"), 2, 100);
  EXPECT_EQ(big.last, result::error) << "maxmsgsize as on 3.x";
  auto lenient = decode(framing::zmtp3, from_hex("08 01 61"), 3);
  EXPECT_EQ(lenient.frames.size(), 1u) << "3.x stays lenient on reserved bits, as libzmq";
}

TEST(LegacyFraming, Zmtp1MessageEncoding) {
  message m;
  m.add(frame{"ab", 2});
  m.add(frame{});
  m.add(frame{std::string(10000, 'q').data(), 10000});
  write_batch out;
  add_zmtp1_message(out, m);
  bytes wire;
  out.for_each_piece([&](const uint8_t* p, size_t n) { wire.insert(wire.end(), p, p + n); });
  auto d = decode(framing::zmtp1, wire, wire.size());
  ASSERT_EQ(d.frames.size(), 3u) << d.error;
  EXPECT_EQ(d.frames[0], std::make_pair(flag::more, std::string("ab")));
  EXPECT_EQ(d.frames[1], std::make_pair(flag::more, std::string()));
  EXPECT_EQ(d.frames[2], std::make_pair(uint8_t{0}, std::string(10000, 'q')));
}
