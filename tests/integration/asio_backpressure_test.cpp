// A slow coroutine keeps memory bounded: a peer pushes far more than the RCVHWM while the
// coroutine does not receive; the face takes nothing ahead, so RSS stays within the HWMs' bytes
// plus a constant and the pusher blocks. Then the coroutine receives: everything arrives, in
// order, nothing lost.
#include "support/asio_run.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"
#include "support/rss.hpp"
#include "support/sanitizers.hpp"

#include "runtime/asio.hpp"
#include "runtime/cafmq.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr size_t big = 64 * 1024;

TEST(AsioBackpressure, ASlowCoroutineKeepsMemoryBoundedAndThePusherBlocks) {
  boost::asio::io_context io;
  context ctx;
  asio::async_socket pull{io, ctx, socket_type::pull, test::byte_bounded()};
  pull.native().bind("tcp://127.0.0.1:*");
  auto rss_before = test::resident_bytes();

  // The pusher, on its own thread and context: it offers 2 GiB unless it blocks.
  std::atomic<uint64_t> sent{0};
  std::atomic<bool> blocked{false}, finished{false}, drained{false};
  std::string endpoint = pull.native().last_endpoint();
  std::thread pusher([&] {
    context push_ctx;
    socket push{push_ctx, socket_type::push, test::byte_bounded()};
    push.connect(endpoint);
    int misses = 0;
    test::deadline d{30000ms};
    while (misses < 3 && sent < 32768 && !d.expired()) {
      if (push.send(test::sequenced(sent, big), 100ms)) {
        ++sent;
        misses = 0;
      } else {
        ++misses;
      }
    }
    blocked = misses == 3;
    finished = true;
    // What is queued still goes once the coroutine reads: keep the socket until it has.
    test::eventually([&] { return drained.load(); }, 30000ms, 5ms);
  });

  // The coroutine waits for its go before it receives anything.
  boost::asio::steady_timer go{io, boost::asio::steady_timer::time_point::max()};
  uint64_t received = 0;
  bool in_order = true, done = false;
  boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> {
    boost::system::error_code ignored;
    co_await go.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    while (received < sent.load()) {
      message m = co_await asio::async_receive(pull, boost::asio::use_awaitable);
      in_order = in_order && test::sequence_of(m) == received && test::pattern_intact(m);
      ++received;
    }
    done = true;
  }, boost::asio::detached);

  // The io_context runs meanwhile: the face must not read ahead of the coroutine.
  struct join_at_exit {
    std::thread& t;
    std::atomic<bool>& drained;
    ~join_at_exit() {
      drained = true;
      t.join();
    }
  } joiner{pusher, drained};
  ASSERT_TRUE(test::run_until(io, [&] { return finished.load(); }, 40000ms));
  ASSERT_TRUE(blocked) << "the pusher never blocked (" << sent << " messages of 64 KiB accepted)";
  auto rss_after = test::resident_bytes();
  size_t bound = (2u << 20) / big + test::max_tcp_buffering() / big + 4;
  EXPECT_LE(sent.load(), bound) << "more accepted than the HWMs and TCP buffers hold";
  RecordProperty("rss_growth_kib", static_cast<int>((rss_after - rss_before) >> 10));
  if (test::rss_is_meaningful) {  // sanitizers' shadow memory and quarantine grow it regardless
    EXPECT_LT(rss_after, rss_before + (48u << 20))
      << "RSS grew by " << ((rss_after - rss_before) >> 20) << " MiB";
  }
  EXPECT_EQ(received, 0u);

  go.cancel();
  ASSERT_TRUE(test::run_until(io, [&] { return done; }, 20000ms))
    << received << " of " << sent << " received";
  EXPECT_TRUE(in_order) << "lost, reordered or corrupted";
  EXPECT_EQ(received, sent.load());
}

} // namespace
} // namespace cafmq
