// The engine reads a burst without a trip through the scheduler and publishes what it decoded
// once the kernel has nothing more (net/zmtp_engine_read.cpp, do_read). These tests pin what that
// must never cost: a whole message is delivered while the next one is still on its way, however
// the bytes are cut, and large bodies read straight into their frames arrive whole and in order.
#include "support/messages.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::bytes;
namespace zmtp = test::zmtp;

bytes slice(const bytes& b, size_t from, size_t to) {
  return bytes(b.begin() + static_cast<std::ptrdiff_t>(from), b.begin() + static_cast<std::ptrdiff_t>(to));
}

class WholeMessageFirst : public ::testing::TestWithParam<size_t> {};

// Each write carries the rest of message i and only the first half of message i + 1: message i
// must arrive although the engine then waits for bytes the peer has not sent yet.
TEST_P(WholeMessageFirst, AMessageIsDeliveredWhileTheNextIsStillOnItsWay) {
  const size_t size = GetParam();
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  auto c = zmtp::handshake_as(pull.last_endpoint(), "PUSH", 5000ms);
  constexpr int count = 6;
  std::vector<bytes> wire;
  for (int i = 0; i < count; ++i)
    wire.push_back(zmtp::message_frame(test::patterned(size, static_cast<uint8_t>(i))));
  size_t sent_of_current = 0;
  for (int i = 0; i < count; ++i) {
    bytes out = slice(wire[i], sent_of_current, wire[i].size());
    sent_of_current = 0;
    if (i + 1 < count) {
      sent_of_current = wire[i + 1].size() / 2;
      bytes half = slice(wire[i + 1], 0, sent_of_current);
      out.insert(out.end(), half.begin(), half.end());
    }
    ASSERT_TRUE(c.send_all(out));
    auto m = pull.recv(5000ms);
    ASSERT_TRUE(m.has_value()) << "message " << i << " of " << size
                               << " bytes was held back while the next one was incomplete";
    ASSERT_EQ(m->size(), 1u);
    EXPECT_EQ((*m)[0].to_string(), test::patterned(size, static_cast<uint8_t>(i)))
      << "message " << i;
  }
  EXPECT_FALSE(pull.recv(50ms).has_value());
}

INSTANTIATE_TEST_SUITE_P(ReadBursts, WholeMessageFirst,
                         ::testing::Values(10, 300, 20 * 1024, 64 * 1024, 1024 * 1024));

// Thirty messages of 64 KiB and more, written in pieces of uneven sizes (a few bytes, a few KiB,
// tens of KiB): bodies are read straight into their frames in whatever pieces the kernel hands
// over, remainders under 16 KiB included; each arrives whole, once, in order.
TEST(ReadBursts, LargeBodiesCutAnywhereArriveWholeAndInOrder) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  auto c = zmtp::handshake_as(pull.last_endpoint(), "PUSH", 5000ms);
  constexpr int count = 30;
  bytes stream;
  for (int i = 0; i < count; ++i) {
    auto f = zmtp::message_frame(test::patterned(64 * 1024 + 977 * static_cast<size_t>(i),
                                                 static_cast<uint8_t>(i)));
    stream.insert(stream.end(), f.begin(), f.end());
  }
  const size_t pieces[] = {7, 4096, 13 * 1024, 1, 61 * 1024, 9, 15 * 1024 + 3, 100 * 1024};
  std::thread writer([&] {
    size_t at = 0;
    for (size_t k = 0; at < stream.size(); ++k) {
      size_t n = std::min(pieces[k % std::size(pieces)], stream.size() - at);
      if (!c.send_all(slice(stream, at, at + n)))
        return;
      at += n;
    }
  });
  int got = 0;
  for (; got < count; ++got) {  // EXPECT and break, never ASSERT: the writer must be joined
    auto m = pull.recv(5000ms);
    if (!m.has_value())
      break;
    bool intact = m->size() == 1
                  && (*m)[0].to_string()
                       == test::patterned(64 * 1024 + 977 * static_cast<size_t>(got),
                                          static_cast<uint8_t>(got));
    EXPECT_TRUE(intact) << "message " << got << " arrived damaged or out of order";
    if (!intact)
      break;
  }
  writer.join();  // on a failure, a writer blocked on a full socket gives up within 10 s
  EXPECT_EQ(got, count);
  EXPECT_FALSE(pull.recv(50ms).has_value());
}

} // namespace
} // namespace cafmq
