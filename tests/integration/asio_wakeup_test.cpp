// No lost wake-up: a receive started on a fresh async_socket while a peer streams completes,
// whichever way the race between its first look at the socket and the arriving messages goes
// (a message taken ahead by that look leaves nothing armed: the face must see it is ready).
#include "support/asio_run.hpp"
#include "support/messages.hpp"

#include "runtime/asio.hpp"
#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using boost::system::error_code;

constexpr int iterations = 200;
constexpr int receives_each = 20;

TEST(AsioWakeup, ReceivesOnFreshAsyncSocketsWhileThePeerStreamsNeverHang) {
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  push.bind("tcp://127.0.0.1:*");
  std::string endpoint = push.last_endpoint();
  std::atomic<bool> stop{false};
  std::thread streamer([&] {  // sends for as long as the test runs, to whichever PULL is there
    uint64_t seq = 0;
    while (!stop) {
      if (push.send(test::sequenced(seq), 10ms))
        ++seq;
      // About as fast as the receiver: each receive races a message that is just arriving.
      for (auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(20);
           std::chrono::steady_clock::now() < until;) {
      }
    }
  });
  struct stop_at_exit {
    std::atomic<bool>& stop;
    std::thread& t;
    ~stop_at_exit() {
      stop = true;
      t.join();
    }
  } stopper{stop, streamer};

  for (int i = 0; i < iterations; ++i) {
    boost::asio::io_context io;
    socket pull{ctx, socket_type::pull, test::no_linger()};
    pull.connect(endpoint);
    if (i % 2 == 1)  // half of the rounds: messages may be there before the face is
      std::this_thread::sleep_for(std::chrono::microseconds(200 * (i % 7)));
    asio::async_socket face{io, pull};
    int received = 0;
    bool failed = false;
    // Each completion starts the next receive, the first one on a socket never looked at.
    std::function<void()> next = [&] {
      asio::async_receive(face, [&](error_code ec, message) {
        if (ec) {
          failed = true;
          return;
        }
        if (++received < receives_each)
          next();
      });
    };
    next();
    ASSERT_TRUE(test::run_until(io, [&] { return received == receives_each || failed; }, 5000ms))
      << "round " << i << ": " << received << " of " << receives_each
      << " receives completed: a wake-up was lost";
    ASSERT_FALSE(failed) << "round " << i;
  }
}

} // namespace
} // namespace cafmq
