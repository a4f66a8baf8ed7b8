// ZMTP framing on bytes (RFC 23 §Framing, RFC 37): header forms, the incremental decoder fed
// whole, byte by byte and at every split, size limits enforced before allocating, libzmq leniency.
#include "net/frame_codec.hpp"
#include "hex.hpp"

#include "runtime/core/zmtp_command.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace cafmq;
using namespace cafmq::net;
using result = frame_decoder::result;

using cafmq::test::from_hex;

namespace {


struct decoded {
  uint8_t flags;
  std::string body;
  friend bool operator==(const decoded& a, const decoded& b) {
    return a.flags == b.flags && a.body == b.body;
  }
};

struct outcome {
  std::vector<decoded> frames;
  result last = result::need_more;
  size_t consumed = 0;  // input bytes the decoder took
};

// Feeds `in` to `d` in chunks of `chunk` bytes, draining every frame after each chunk.
outcome feed(frame_decoder& d, const bytes& in, size_t chunk) {
  outcome o;
  const uint8_t* p = in.data();
  const uint8_t* end = in.data() + in.size();
  while (p < end && o.last != result::error) {
    const uint8_t* chunk_end = std::min(end, p + chunk);
    for (;;) {
      uint8_t flags = 0xEE;
      frame body;
      o.last = d.next(p, chunk_end, flags, body);
      if (o.last != result::frame)
        break;
      o.frames.push_back({flags, body.to_string()});
    }
    if (o.last == result::need_more) {
      EXPECT_EQ(p, chunk_end) << "need_more must consume its input";
    }
  }
  o.consumed = static_cast<size_t>(p - in.data());
  return o;
}

outcome decode(const bytes& in, size_t chunk, uint64_t max = uint64_t{1} << 32) {
  frame_decoder d{max};
  return feed(d, in, chunk);
}

bytes encode(uint8_t flags, const std::string& body) {
  bytes out(max_frame_header);
  out.resize(write_frame_header(out.data(), flags, body.size()));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::string text(const bytes& b, size_t from = 0) {
  return std::string(b.begin() + static_cast<std::ptrdiff_t>(from), b.end());
}

bool lives_inside(const frame& f) {
  auto* self = reinterpret_cast<const uint8_t*>(&f);
  return f.data() >= self && f.data() < self + sizeof(frame);
}

// The protocol-reference vectors as frame-codec inputs, with what each decodes to.
struct vector_case {
  const char* name;
  const char* hex;
  uint8_t flags;
};
const vector_case wire_vectors[] = {
  {"dealer READY",
   "04 29 05 52 45 41 44 59 0b 53 6f 63 6b 65 74 2d 54 79 70 65 00 00 00 06 44 45 41 4c 45 52 08"
   " 49 64 65 6e 74 69 74 79 00 00 00 00", flag::command},
  {"router READY",
   "04 1c 05 52 45 41 44 59 0b 53 6f 63 6b 65 74 2d 54 79 70 65 00 00 00 06 52 4f 55 54 45 52",
   flag::command},
  {"ERROR 400", "04 0a 05 45 52 52 4f 52 03 34 30 30", flag::command},
  {"SUBSCRIBE A", "04 0b 09 53 55 42 53 43 52 49 42 45 41", flag::command},
  {"CANCEL A", "04 08 06 43 41 4e 43 45 4c 41", flag::command},
  {"3.0 subscribe A", "00 02 01 41", 0},
  {"PING ttl 0 LOL", "04 0a 04 50 49 4e 47 00 00 4c 4f 4c", flag::command},
  {"PONG LOL", "04 08 04 50 4f 4e 47 4c 4f 4c", flag::command},
};

// All vectors back to back, then a multipart message, an empty frame and two long frames.
std::pair<bytes, std::vector<decoded>> mixed_stream() {
  bytes wire;
  std::vector<decoded> expected;
  for (auto& v : wire_vectors) {
    auto b = from_hex(v.hex);
    wire.insert(wire.end(), b.begin(), b.end());
    expected.push_back({v.flags, text(b, 2)});
  }
  for (auto [flags, body] : {std::pair<uint8_t, std::string>{flag::more, "hello"},
                             {0, "world"}, {0, ""}, {flag::more, std::string(256, 'L')},
                             {0, std::string(70000, 'M')}}) {
    auto b = encode(flags, body);
    wire.insert(wire.end(), b.begin(), b.end());
    expected.push_back({flags, body});
  }
  return {wire, expected};
}

} // namespace

TEST(FrameHeader, ShortFormUpTo255Bytes) {
  uint8_t h[max_frame_header];
  EXPECT_EQ(write_frame_header(h, 0, 0), 2u);
  EXPECT_EQ(bytes(h, h + 2), (bytes{0x00, 0x00}));
  EXPECT_EQ(write_frame_header(h, flag::more, 255), 2u);
  EXPECT_EQ(bytes(h, h + 2), (bytes{0x01, 0xff}));
  EXPECT_EQ(write_frame_header(h, flag::command, 10), 2u);
  EXPECT_EQ(bytes(h, h + 2), (bytes{0x04, 0x0a}));
}

TEST(FrameHeader, LongFormAbove255BytesIsEightOctetsNetworkOrder) {
  uint8_t h[max_frame_header];
  EXPECT_EQ(write_frame_header(h, 0, 256), 9u);
  EXPECT_EQ(bytes(h, h + 9), from_hex("02 00 00 00 00 00 00 01 00"));
  EXPECT_EQ(write_frame_header(h, flag::more, 70000), 9u);
  EXPECT_EQ(bytes(h, h + 9), from_hex("03 00 00 00 00 00 01 11 70"));
  EXPECT_EQ(write_frame_header(h, flag::command, 0x0102030405060708), 9u);
  EXPECT_EQ(bytes(h, h + 9), from_hex("06 01 02 03 04 05 06 07 08"));
}

TEST(FrameHeader, SubscribeWithTopicOf246BytesSetsLong) {
  // libzmq #4564: bodies of 256..265 bytes must use the long form.
  for (size_t topic : {245u, 246u, 255u, 256u}) {
    uint8_t h[max_frame_header];
    size_t body = 10 + topic;  // 09 'SUBSCRIBE' topic
    EXPECT_EQ(write_frame_header(h, flag::command, body), body > 255 ? 9u : 2u) << topic;
    EXPECT_EQ(h[0], body > 255 ? 0x06 : 0x04) << topic;
  }
}

TEST(FrameDecoder, DecodesEveryReferenceVectorWholeAndByteByByte) {
  for (auto& v : wire_vectors) {
    auto wire = from_hex(v.hex);
    for (size_t chunk : {wire.size(), size_t{1}}) {
      auto o = decode(wire, chunk);
      ASSERT_EQ(o.frames.size(), 1u) << v.name;
      EXPECT_EQ(o.frames[0], (decoded{v.flags, text(wire, 2)})) << v.name;
      EXPECT_EQ(o.last, result::need_more) << v.name;
    }
  }
}

TEST(FrameDecoder, SubscribeFrameBodyIsACommand) {
  auto wire = from_hex(wire_vectors[3].hex);
  auto o = decode(wire, wire.size());
  ASSERT_EQ(o.frames.size(), 1u);
  auto& body = o.frames[0].body;
  auto cmd = parse_command(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->name, "SUBSCRIBE");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(cmd->data), cmd->size), "A");
}

TEST(FrameDecoder, MixedStreamSurvivesEveryChunkSize) {
  auto [wire, expected] = mixed_stream();
  for (size_t chunk : {wire.size(), size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{9},
                       size_t{64}, size_t{255}, size_t{4096}}) {
    auto o = decode(wire, chunk);
    EXPECT_EQ(o.last, result::need_more) << chunk;
    EXPECT_EQ(o.consumed, wire.size()) << chunk;
    ASSERT_EQ(o.frames.size(), expected.size()) << chunk;
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_EQ(o.frames[i], expected[i]) << "chunk " << chunk << " frame " << i;
  }
}

TEST(FrameDecoder, EverySplitPointOfTwoReadsGivesTheSameFrames) {
  auto a = from_hex(wire_vectors[0].hex);
  auto b = encode(flag::more, std::string(300, 'q'));
  bytes wire = a;
  wire.insert(wire.end(), b.begin(), b.end());
  for (size_t cut = 0; cut <= wire.size(); ++cut) {
    frame_decoder d{1 << 20};
    auto first = feed(d, bytes(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(cut)),
                      wire.size());
    auto second = feed(d, bytes(wire.begin() + static_cast<std::ptrdiff_t>(cut), wire.end()),
                       wire.size());
    auto frames = first.frames;
    frames.insert(frames.end(), second.frames.begin(), second.frames.end());
    ASSERT_EQ(frames.size(), 2u) << cut;
    EXPECT_EQ(frames[0].body, text(a, 2)) << cut;
    EXPECT_EQ(frames[1], (decoded{flag::more, std::string(300, 'q')})) << cut;
  }
}

TEST(FrameDecoder, ReturnsOneFrameAtATimeLeavingTheRestUnread) {
  auto wire = encode(flag::more, "ab");
  auto tail = encode(0, "cd");
  wire.insert(wire.end(), tail.begin(), tail.end());
  frame_decoder d{100};
  const uint8_t* p = wire.data();
  uint8_t flags = 0;
  frame body;
  ASSERT_EQ(d.next(p, wire.data() + wire.size(), flags, body), result::frame);
  EXPECT_EQ(p, wire.data() + 4);
  EXPECT_EQ(body.view(), "ab");
}

TEST(FrameDecoder, ZeroLengthBodyIsAValidFrame) {
  for (auto hex : {"00 00", "01 00", "02 00 00 00 00 00 00 00 00"}) {
    auto wire = from_hex(hex);
    for (size_t chunk : {wire.size(), size_t{1}}) {
      auto o = decode(wire, chunk);
      ASSERT_EQ(o.frames.size(), 1u) << hex;
      EXPECT_EQ(o.frames[0].body, "") << hex;
    }
  }
}

TEST(FrameDecoder, LongFormMayCarryASmallSize) {
  auto o = decode(from_hex("02 00 00 00 00 00 00 00 03 61 62 63"), 1);
  ASSERT_EQ(o.frames.size(), 1u);
  EXPECT_EQ(o.frames[0], (decoded{0, "abc"}));
}

TEST(FrameDecoder, LongFramesOf256And70000BytesRoundTrip) {
  for (size_t n : {size_t{256}, size_t{70000}}) {
    std::string body(n, '\0');
    for (size_t i = 0; i < n; ++i)
      body[i] = static_cast<char>(i * 31);
    auto wire = encode(flag::more, body);
    ASSERT_EQ(wire.size(), n + 9);
    for (size_t chunk : {wire.size(), size_t{1}, size_t{1000}}) {
      auto o = decode(wire, chunk);
      ASSERT_EQ(o.frames.size(), 1u) << n << "/" << chunk;
      EXPECT_EQ(o.frames[0], (decoded{flag::more, body})) << n << "/" << chunk;
    }
  }
}

TEST(FrameDecoder, IgnoresReservedFlagBitsLikeLibzmq) {
  auto o = decode(from_hex("f9 01 78 f8 01 79"), 1);
  ASSERT_EQ(o.frames.size(), 2u);
  EXPECT_EQ(o.frames[0], (decoded{flag::more, "x"}));
  EXPECT_EQ(o.frames[1], (decoded{0, "y"}));
}

TEST(FrameDecoder, ToleratesMoreBitOnCommandFramesButDropsIt) {
  for (size_t chunk : {size_t{1}, size_t{100}}) {
    auto o = decode(from_hex("05 05 04 50 49 4e 47 fd 05 04 50 4f 4e 47"), chunk);
    ASSERT_EQ(o.frames.size(), 2u);
    EXPECT_EQ(o.frames[0].flags, flag::command);
    EXPECT_EQ(o.frames[1].flags, flag::command);
  }
}

TEST(FrameDecoder, RejectsOversizeRightAfterTheNineHeaderBytes) {
  // 2^40 declared, limit 1 MiB: must fail on the 9th byte without allocating 1 TiB.
  auto wire = from_hex("02 00 00 01 00 00 00 00 00");
  wire.resize(wire.size() + 100, 'x');
  frame_decoder d{1 << 20};
  const uint8_t* p = wire.data();
  uint8_t flags = 0;
  frame body;
  for (size_t i = 0; i < 8; ++i) {
    const uint8_t* end = p + 1;
    ASSERT_EQ(d.next(p, end, flags, body), result::need_more) << i;
  }
  const uint8_t* end = p + 1;
  ASSERT_EQ(d.next(p, end, flags, body), result::error);
  EXPECT_EQ(p - wire.data(), 9);
  EXPECT_EQ(d.error_text(), "frame of 1099511627776 bytes exceeds the limit of 1048576 bytes");
  EXPECT_EQ(d.error_code(), cafmq::event_reason::protocol);
  EXPECT_EQ(d.direct_target().first, nullptr);

  frame_decoder whole{1 << 20};
  p = wire.data();
  EXPECT_EQ(whole.next(p, wire.data() + wire.size(), flags, body), result::error);
  EXPECT_EQ(p - wire.data(), 9);
}

TEST(FrameDecoder, RejectsShortFrameAboveTheLimit) {
  auto o = decode(encode(0, std::string(11, 'z')), 1, 10);
  EXPECT_EQ(o.last, result::error);
  EXPECT_EQ(o.consumed, 2u);
  auto at_limit = decode(encode(0, std::string(10, 'z')), 1, 10);
  EXPECT_EQ(at_limit.frames.size(), 1u);
}

TEST(FrameDecoder, RejectsSizesWithBit63SetWhateverTheLimit) {
  for (auto flags : {"02", "03", "06"}) {
    for (auto size : {"80 00 00 00 00 00 00 00", "ff ff ff ff ff ff ff ff",
                      "ff ff ff ff ff ff ff f0", "ff ff ff ff ff ff ff da"}) {
      auto wire = from_hex(std::string(flags) + size);
      for (size_t chunk : {size_t{1}, wire.size()}) {
        frame_decoder d{~uint64_t{0}};
        auto o = feed(d, wire, chunk);
        EXPECT_EQ(o.last, result::error) << flags << " " << size;
        EXPECT_EQ(d.error_text(), "frame size exceeds 2^63-1");
        EXPECT_EQ(d.error_code(), cafmq::event_reason::protocol);
      }
    }
  }
  auto largest = decode(from_hex("02 7f ff ff ff ff ff ff ff"), 9, 1000);
  EXPECT_EQ(largest.last, result::error);  // 2^63-1 is in range, but over the limit
}

TEST(FrameDecoder, AnUnallocatableSizeWithinTheLimitIsAnErrorNotACrash) {
  // 2^62 bytes passes an unlimited maxmsgsize but no allocator can provide it.
  auto wire = from_hex("02 40 00 00 00 00 00 00 00");
  for (size_t chunk : {size_t{1}, wire.size()}) {
    frame_decoder d{~uint64_t{0}};
    auto o = feed(d, wire, chunk);
    EXPECT_EQ(o.last, result::error);
    EXPECT_EQ(d.error_text(), "cannot allocate 4611686018427387904 bytes for a frame");
    EXPECT_EQ(d.error_code(), cafmq::event_reason::resource);
  }
}

TEST(FrameDecoder, StaysFailedAfterAnError) {
  frame_decoder d{4};
  auto bad = encode(0, "too long");
  EXPECT_EQ(feed(d, bad, bad.size()).last, result::error);
  auto good = encode(0, "ok");
  const uint8_t* p = good.data();
  uint8_t flags = 0;
  frame body;
  EXPECT_EQ(d.next(p, good.data() + good.size(), flags, body), result::error);
  EXPECT_EQ(d.next(p, p, flags, body), result::error);
}

TEST(FrameDecoder, RaisedLimitAppliesToTheNextFrame) {
  frame_decoder d{8};
  auto big = encode(0, std::string(100, 'b'));
  d.set_max_frame_size(1000);
  auto o = feed(d, big, 3);
  ASSERT_EQ(o.frames.size(), 1u);
}

TEST(FrameDecoder, SmallBodiesLiveInsideTheFrame) {
  auto whole = encode(0, std::string(frame::inline_capacity, 's'));
  for (size_t chunk : {whole.size(), size_t{1}}) {
    frame_decoder d{100};
    const uint8_t* p = whole.data();
    uint8_t flags = 0;
    frame body;
    result r = result::need_more;
    while (r == result::need_more && p < whole.data() + whole.size()) {
      const uint8_t* end = std::min<const uint8_t*>(whole.data() + whole.size(), p + chunk);
      r = d.next(p, end, flags, body);
    }
    ASSERT_EQ(r, result::frame);
    EXPECT_TRUE(lives_inside(body)) << chunk;
  }
  frame_decoder d{1000};
  auto big = encode(0, std::string(frame::inline_capacity + 1, 'B'));
  const uint8_t* p = big.data();
  uint8_t flags = 0;
  frame body;
  ASSERT_EQ(d.next(p, big.data() + big.size(), flags, body), result::frame);
  EXPECT_FALSE(lives_inside(body));
}

TEST(FrameDecoder, DirectTargetLetsTheCallerReadStraightIntoTheBody) {
  std::string payload(70000, '\0');
  for (size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<char>(i % 251);
  auto wire = encode(flag::more, payload);
  frame_decoder d{1 << 20};
  EXPECT_EQ(d.direct_target(), (std::pair<uint8_t*, size_t>{nullptr, 0}));
  const uint8_t* p = wire.data();
  uint8_t flags = 0;
  frame body;
  ASSERT_EQ(d.next(p, wire.data() + 109, flags, body), result::need_more);  // header + 100
  auto [dst, room] = d.direct_target();
  ASSERT_NE(dst, nullptr);
  ASSERT_EQ(room, payload.size() - 100);
  std::copy(wire.begin() + 109, wire.begin() + 20109, dst);  // a partial "read"
  d.direct_filled(20000);
  EXPECT_EQ(d.direct_target().second, payload.size() - 20100);
  std::copy(wire.begin() + 20109, wire.end(), d.direct_target().first);
  d.direct_filled(payload.size() - 20100);
  const uint8_t* none = wire.data() + wire.size();
  ASSERT_EQ(d.next(none, none, flags, body), result::frame);
  EXPECT_EQ(flags, flag::more);
  EXPECT_EQ(body.view(), payload);
  EXPECT_EQ(d.direct_target().first, nullptr);
}

TEST(FrameDecoder, DirectTargetWorksForSplitInlineBodies) {
  auto wire = encode(0, std::string(20, 'i'));
  frame_decoder d{100};
  const uint8_t* p = wire.data();
  uint8_t flags = 0;
  frame body;
  ASSERT_EQ(d.next(p, wire.data() + 7, flags, body), result::need_more);
  auto [dst, room] = d.direct_target();
  ASSERT_EQ(room, 15u);
  std::copy(wire.begin() + 7, wire.end(), dst);
  d.direct_filled(room);
  ASSERT_EQ(d.next(p, p, flags, body), result::frame);
  EXPECT_EQ(body.view(), std::string(20, 'i'));
  EXPECT_TRUE(lives_inside(body));
}

TEST(FrameDecoder, ARunOfSmallFramesOfEverySizeDecodesTheSameInAnyChunking) {
  // Every small body size, in one buffer and split at every chunk size.
  bytes wire;
  std::vector<decoded> expected;
  for (int i = 0; i < 40; ++i) {
    std::string body(static_cast<size_t>(i % 31), static_cast<char>('a' + i % 26));
    uint8_t flags = i % 5 == 0 ? flag::more : 0;
    auto f = encode(flags, body);
    wire.insert(wire.end(), f.begin(), f.end());
    expected.push_back({flags, body});
  }
  for (size_t chunk : {wire.size(), size_t{1}, size_t{7}, size_t{33}}) {
    auto o = decode(wire, chunk);
    EXPECT_EQ(o.frames, expected) << "chunk " << chunk;
    EXPECT_EQ(o.consumed, wire.size());
  }
}
