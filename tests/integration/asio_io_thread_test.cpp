// cafmq::asio::io_thread: a program without an event loop of its own runs the Asio face on
// cafmq's io_context thread; operations started there complete there, and the io_thread stops
// and joins at destruction even with a receive still pending.
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/asio.hpp"
#include "runtime/cafmq.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

// A REQ coroutine on the io_thread asks the REP (served by this test's thread) and returns
// the reply and the thread it ran on.
boost::asio::awaitable<std::pair<std::string, std::thread::id>> ask(asio::async_socket& req) {
  message ping{"ping"};  // g++ 12 rejects a braced message inside a co_await expression
  co_await asio::async_send(req, std::move(ping), boost::asio::use_awaitable);
  auto reply = co_await asio::async_receive(req, boost::asio::use_awaitable);
  co_return std::make_pair(reply[0].to_string(), std::this_thread::get_id());
}

TEST(AsioIoThread, OperationsRunAndCompleteOnCafmqsThread) {
  context ctx;
  socket rep{ctx, socket_type::rep, test::no_linger()};
  rep.bind("tcp://127.0.0.1:*");
  asio::io_thread loop;
  asio::async_socket req{loop.context(), ctx, socket_type::req, test::no_linger()};
  req.native().connect(rep.last_endpoint());  // before any operation: no other thread yet
  auto answer = boost::asio::co_spawn(loop.get_executor(), ask(req), boost::asio::use_future);
  auto request = rep.recv(5000ms);
  ASSERT_TRUE(request);
  ASSERT_TRUE(rep.send(message{"pong"}));
  ASSERT_EQ(answer.wait_for(5s), std::future_status::ready) << "the coroutine never completed";
  auto [text, where] = answer.get();
  EXPECT_EQ(text, "pong");
  EXPECT_NE(where, std::this_thread::get_id());  // it ran on cafmq's thread, not ours
}

TEST(AsioIoThread, DestructionWithAReceivePendingStopsAndJoins) {
  context ctx;
  auto loop = std::make_unique<asio::io_thread>();
  asio::async_socket pull{loop->context(), ctx, socket_type::pull, test::no_linger()};
  pull.native().bind("tcp://127.0.0.1:*");
  std::promise<void> started;
  bool completed = false;
  boost::asio::post(loop->get_executor(), [&] {
    asio::async_receive(pull, [&](boost::system::error_code, message) { completed = true; });
    started.set_value();
  });
  ASSERT_EQ(started.get_future().wait_for(5s), std::future_status::ready);
  auto t0 = std::chrono::steady_clock::now();
  loop.reset();  // stops and joins with the receive pending: its handler is destroyed, not run
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_FALSE(completed);
  // `pull` outlives its io_context now, and is destroyed on this thread, the only one left.
}

} // namespace
} // namespace cafmq
