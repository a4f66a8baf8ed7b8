// async_write_all offers all that is left of a batch to each write (Asio's socket then gathers up
// to 64 pieces into one sendmsg, with no cap on bytes), where asio::async_write offers at most 16
// pieces and 64 KiB; it resumes after partial writes at the right byte and reports errors.
// Checked against a stream that records each call.
#include "net/tcp_stream.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace cafmq::net {
namespace {

namespace asio = boost::asio;

// An AsyncWriteStream that takes up to `cap` bytes per call (and fails call number `fail_at`,
// counting from 1), keeping the bytes it took and recording what each call offered.
struct recording_stream {
  explicit recording_stream(asio::io_context& c) : ctx(c) {}
  asio::io_context& ctx;
  size_t cap = SIZE_MAX;
  size_t fail_at = 0;
  struct call {
    size_t pieces;
    size_t bytes;
  };
  std::vector<call> calls;
  std::vector<uint8_t> taken;
  using executor_type = asio::io_context::executor_type;
  executor_type get_executor() noexcept { return ctx.get_executor(); }
  template <typename Buffers, typename Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    size_t pieces = static_cast<size_t>(std::distance(asio::buffer_sequence_begin(buffers),
                                                      asio::buffer_sequence_end(buffers)));
    calls.push_back({pieces, asio::buffer_size(buffers)});
    boost::system::error_code ec;
    size_t n = 0;
    if (calls.size() == fail_at) {
      ec = asio::error::broken_pipe;
    } else {
      n = std::min(cap, asio::buffer_size(buffers));
      size_t old = taken.size();
      taken.resize(old + n);
      asio::buffer_copy(asio::buffer(taken.data() + old, n), buffers, n);
    }
    asio::post(ctx, [h = std::forward<Handler>(handler), ec, n]() mutable { h(ec, n); });
  }
};

// `count` messages, each a 9-byte header and a body of `body` bytes, with distinct contents.
struct batch {
  std::vector<std::vector<uint8_t>> storage;
  std::vector<asio::const_buffer> pieces;
  std::vector<uint8_t> expected;
  batch(size_t count, size_t body) {
    for (size_t i = 0; i < count; ++i) {
      storage.emplace_back(9, static_cast<uint8_t>(i));
      storage.emplace_back(body, static_cast<uint8_t>(i * 7 + 1));
    }
    for (auto& s : storage) {
      pieces.emplace_back(s.data(), s.size());
      expected.insert(expected.end(), s.begin(), s.end());
    }
  }
};

struct outcome {
  boost::system::error_code ec;
  size_t written = 0;
  bool done = false;
};

outcome run(recording_stream& s, std::vector<asio::const_buffer>& pieces) {
  outcome o;
  async_write_all(s, pieces, [&](boost::system::error_code ec, size_t n) {
    o = {ec, n, true};
  });
  s.ctx.run();
  return o;
}

} // namespace

// The whole batch is offered to one write_some (a real socket then gathers the first 64 pieces
// into one sendmsg, and the rest follow).
TEST(AsyncWriteAll, OffersEveryPieceAndByteToOneWrite) {
  asio::io_context ctx;
  recording_stream s{ctx};
  batch b{50, 20 * 1024};  // 100 pieces, about 1 MiB
  auto o = run(s, b.pieces);
  ASSERT_TRUE(o.done);
  EXPECT_FALSE(o.ec);
  EXPECT_EQ(o.written, b.expected.size());
  EXPECT_EQ(s.taken, b.expected);
  ASSERT_EQ(s.calls.size(), 1u);
  EXPECT_EQ(s.calls[0].pieces, 100u);
  EXPECT_EQ(s.calls[0].bytes, b.expected.size());
}

TEST(AsyncWriteAll, AsioAsyncWriteWouldTakeSixteenPiecesAndSixtyFourKiBAtMost) {
  asio::io_context ctx;  // why async_write_all exists: this is what it replaces
  recording_stream s{ctx};
  batch b{50, 20 * 1024};
  asio::async_write(s, b.pieces, [](boost::system::error_code, size_t) {});
  ctx.run();
  EXPECT_EQ(s.taken, b.expected);
  EXPECT_GT(s.calls.size(), 15u);
  for (auto& c : s.calls) {
    EXPECT_LE(c.pieces, 16u);
    EXPECT_LE(c.bytes, 64u * 1024);
  }
}

TEST(AsyncWriteAll, PartialWritesResumeAtTheRightByte) {
  asio::io_context ctx;
  recording_stream s{ctx};
  s.cap = 1000;  // cuts headers and bodies at every offset pattern
  batch b{7, 3333};
  auto o = run(s, b.pieces);
  ASSERT_TRUE(o.done);
  EXPECT_FALSE(o.ec);
  EXPECT_EQ(o.written, b.expected.size());
  EXPECT_EQ(s.taken, b.expected);
  EXPECT_EQ(s.calls.size(), (b.expected.size() + 999) / 1000);
}

TEST(AsyncWriteAll, AnErrorEndsTheWriteWithWhatWasWritten) {
  asio::io_context ctx;
  recording_stream s{ctx};
  s.cap = 5000;
  s.fail_at = 3;
  batch b{4, 4000};
  auto o = run(s, b.pieces);
  ASSERT_TRUE(o.done);
  EXPECT_EQ(o.ec, asio::error::broken_pipe);
  EXPECT_EQ(o.written, 10000u);
  EXPECT_EQ(s.calls.size(), 3u);
}

TEST(AsyncWriteAll, AnEmptyBatchCompletesAtOnce) {
  asio::io_context ctx;
  recording_stream s{ctx};
  std::vector<asio::const_buffer> none;
  auto o = run(s, none);
  ASSERT_TRUE(o.done);
  EXPECT_FALSE(o.ec);
  EXPECT_EQ(o.written, 0u);
}

} // namespace cafmq::net
