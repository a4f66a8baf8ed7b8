// asio::async_write with transfer_all_at_once hands the whole batch to one write_some, where
// asio::transfer_all splits it at every 64 KiB; checked against a stream that records each call.
#include "net/tcp_stream.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <vector>

namespace cafmq::net {
namespace {

namespace asio = boost::asio;

// An AsyncWriteStream that accepts every byte offered and records how many each call offered.
struct recording_stream {
  asio::io_context& ctx;
  std::vector<size_t> offered;
  using executor_type = asio::io_context::executor_type;
  executor_type get_executor() noexcept { return ctx.get_executor(); }
  template <typename Buffers, typename Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    size_t n = asio::buffer_size(buffers);
    offered.push_back(n);
    asio::post(ctx, [h = std::forward<Handler>(handler), n]() mutable {
      h(boost::system::error_code{}, n);
    });
  }
};

// Eight 64 KiB messages, each a 9-byte header and its body: a 512 KiB batch of 16 pieces.
struct batch {
  std::vector<uint8_t> header = std::vector<uint8_t>(9);
  std::vector<uint8_t> body = std::vector<uint8_t>(64 * 1024);
  std::vector<asio::const_buffer> pieces;
  batch() {
    for (int i = 0; i < 8; ++i) {
      pieces.emplace_back(header.data(), header.size());
      pieces.emplace_back(body.data(), body.size());
    }
  }
  size_t bytes() const { return asio::buffer_size(pieces); }
};

template <typename Condition>
std::vector<size_t> write_with(Condition condition, const batch& b, size_t& written) {
  asio::io_context ctx;
  recording_stream s{ctx, {}};
  asio::async_write(s, b.pieces, condition,
                    [&](boost::system::error_code, size_t n) { written = n; });
  ctx.run();
  return s.offered;
}

} // namespace

TEST(TransferAllAtOnce, OffersTheWholeBatchInOneWrite) {
  batch b;
  size_t written = 0;
  auto calls = write_with(transfer_all_at_once{}, b, written);
  EXPECT_EQ(written, b.bytes());
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], b.bytes());
}

TEST(TransferAllAtOnce, AsioTransferAllWouldSplitItAt64KiB) {
  batch b;  // why the condition exists: this is what it replaces
  size_t written = 0;
  auto calls = write_with(asio::transfer_all(), b, written);
  EXPECT_EQ(written, b.bytes());
  EXPECT_GT(calls.size(), 8u);
  for (size_t n : calls)
    EXPECT_LE(n, 64u * 1024);
}

TEST(TransferAllAtOnce, StopsOnAnError) {
  EXPECT_EQ(transfer_all_at_once{}(asio::error::broken_pipe, 0), 0u);
  EXPECT_GT(transfer_all_at_once{}(boost::system::error_code{}, 0), 64u * 1024);
}

} // namespace cafmq::net
