// The Asio face completes through any completion token: a callback, use_future (the io_context
// on another thread) and use_awaitable in a C++20 coroutine; the peer's properties come with
// async_receive_with_peer; the socket's refusals complete with cafmq's error codes, never inside
// the initiating function.
#include "support/asio_run.hpp"
#include "support/messages.hpp"

#include "runtime/asio.hpp"
#include "runtime/cafmq.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <optional>
#include <system_error>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using boost::system::error_code;

struct pair_of {
  boost::asio::io_context io;
  context ctx;
  asio::async_socket a;
  asio::async_socket b;
  pair_of(socket_type ta, socket_type tb)
    : a(io, ctx, ta, test::no_linger()), b(io, ctx, tb, test::no_linger()) {
    a.native().bind("tcp://127.0.0.1:*");
    b.native().connect(a.native().last_endpoint());
  }
};

TEST(AsioCompletion, CallbacksCompleteOnTheIoContextNeverInsideTheCall) {
  pair_of s{socket_type::pull, socket_type::push};
  std::optional<error_code> sent;
  std::optional<message> got;
  asio::async_receive(s.a, [&](error_code ec, message m) {
    EXPECT_FALSE(ec) << ec.message();
    got = std::move(m);
  });
  asio::async_send(s.b, test::sequenced(7), [&](error_code ec) { sent = ec; });
  EXPECT_FALSE(sent) << "completed inside async_send";
  ASSERT_TRUE(test::run_until(s.io, [&] { return sent && got; }, 10000ms));
  EXPECT_FALSE(*sent);
  EXPECT_EQ(test::sequence_of(*got), 7u);
  EXPECT_TRUE(test::pattern_intact(*got));
}

TEST(AsioCompletion, AReadyMessageStillCompletesLater) {
  pair_of s{socket_type::pull, socket_type::push};
  ASSERT_TRUE(s.b.native().send(test::sequenced(1), 5000ms));
  ASSERT_TRUE(test::eventually([&] { return (s.a.native().events() & poll_in) != 0; }, 5000ms));
  bool done = false;
  asio::async_receive(s.a, [&](error_code ec, message m) {
    EXPECT_FALSE(ec);
    EXPECT_EQ(test::sequence_of(m), 1u);
    done = true;
  });
  EXPECT_FALSE(done) << "the handler ran inside async_receive";
  ASSERT_TRUE(test::run_until(s.io, [&] { return done; }, 5000ms));
}

TEST(AsioCompletion, UseFutureWithTheIoContextOnAnotherThread) {
  pair_of s{socket_type::rep, socket_type::req};
  // The sockets are used on the io_context's thread only: the operations start there.
  auto guard = boost::asio::make_work_guard(s.io);
  std::thread runner([&] { s.io.run(); });
  auto on_io = [&](auto fn) {
    std::promise<void> started;
    boost::asio::post(s.io, [&] {
      fn();
      started.set_value();
    });
    started.get_future().get();
  };
  std::future<message> request, reply;
  std::future<void> request_sent, reply_sent;
  on_io([&] {
    request = asio::async_receive(s.a, boost::asio::use_future);
    request_sent = asio::async_send(s.b, message{"ping"}, boost::asio::use_future);
  });
  ASSERT_EQ(request.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(test::frames_of(request.get()), std::vector<std::string>{"ping"});
  request_sent.get();
  on_io([&] {
    reply = asio::async_receive(s.b, boost::asio::use_future);
    reply_sent = asio::async_send(s.a, message{"pong"}, boost::asio::use_future);
  });
  ASSERT_EQ(reply.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(test::frames_of(reply.get()), std::vector<std::string>{"pong"});
  reply_sent.get();
  guard.reset();
  s.io.stop();
  runner.join();
}

TEST(AsioCompletion, UseAwaitableInACoroutine) {
  pair_of s{socket_type::router, socket_type::dealer};
  constexpr int rounds = 100;
  int answered = 0;
  bool server_done = false, client_done = false;
  boost::asio::co_spawn(s.io, [&]() -> boost::asio::awaitable<void> {
    for (int i = 0; i < rounds; ++i) {
      message request = co_await asio::async_receive(s.a, boost::asio::use_awaitable);
      co_await asio::async_send(s.a, std::move(request), boost::asio::use_awaitable);  // echo
    }
    server_done = true;
  }, boost::asio::detached);
  boost::asio::co_spawn(s.io, [&]() -> boost::asio::awaitable<void> {
    for (int i = 0; i < rounds; ++i) {
      co_await asio::async_send(s.b, test::sequenced(static_cast<uint64_t>(i)),
                                boost::asio::use_awaitable);
      message reply = co_await asio::async_receive(s.b, boost::asio::use_awaitable);
      EXPECT_EQ(test::sequence_of(reply), static_cast<uint64_t>(i));
      ++answered;
    }
    client_done = true;
  }, boost::asio::detached);
  ASSERT_TRUE(test::run_until(s.io, [&] { return server_done && client_done; }, 20000ms));
  EXPECT_EQ(answered, rounds);
}

TEST(AsioCompletion, ThreadsOfOneIoContextShareASocketThroughAStrand) {
  boost::asio::io_context io{2};
  context ctx;
  auto strand = boost::asio::make_strand(io);
  // Both sockets on one strand: whichever of the two threads runs a handler, one at a time.
  asio::async_socket rep{strand, ctx, socket_type::rep, test::no_linger()};
  asio::async_socket req{strand, ctx, socket_type::req, test::no_linger()};
  rep.native().bind("tcp://127.0.0.1:*");
  req.native().connect(rep.native().last_endpoint());
  constexpr uint64_t rounds = 200;
  std::atomic<uint64_t> answered{0};
  boost::asio::co_spawn(strand, [&]() -> boost::asio::awaitable<void> {
    for (uint64_t i = 0; i < rounds; ++i) {
      message request = co_await asio::async_receive(rep, boost::asio::use_awaitable);
      co_await asio::async_send(rep, std::move(request), boost::asio::use_awaitable);
    }
  }, boost::asio::detached);
  boost::asio::co_spawn(strand, [&]() -> boost::asio::awaitable<void> {
    for (uint64_t i = 0; i < rounds; ++i) {
      co_await asio::async_send(req, test::sequenced(i), boost::asio::use_awaitable);
      message reply = co_await asio::async_receive(req, boost::asio::use_awaitable);
      if (test::sequence_of(reply) == i)
        ++answered;
    }
  }, boost::asio::detached);
  std::thread second([&] { io.run_for(20s); });
  io.run_for(20s);  // returns when both coroutines are done: nothing is pending then
  second.join();
  EXPECT_EQ(answered.load(), rounds);
}

TEST(AsioCompletion, ReceiveWithPeerGivesTheSendersProperties) {
  pair_of s{socket_type::router, socket_type::dealer};
  std::optional<peer_properties_ptr> peer;
  std::optional<message> got;
  asio::async_receive_with_peer(s.a, [&](error_code ec, message m, peer_properties_ptr p) {
    EXPECT_FALSE(ec);
    got = std::move(m);
    peer = std::move(p);
  });
  asio::async_send(s.b, message{"hello"}, [](error_code ec) { EXPECT_FALSE(ec); });
  ASSERT_TRUE(test::run_until(s.io, [&] { return peer.has_value(); }, 10000ms));
  ASSERT_TRUE(*peer);
  EXPECT_EQ((*peer)->socket_type(), "DEALER");
  ASSERT_EQ(got->size(), 2u);  // the ROUTER's routing id, then the payload
  EXPECT_EQ((*got)[1].to_string(), "hello");
}

TEST(AsioCompletion, SocketRefusalsCompleteWithCafmqErrorCodes) {
  pair_of s{socket_type::rep, socket_type::req};
  std::optional<error_code> early_reply, empty_send;
  asio::async_send(s.a, message{"no request yet"}, [&](error_code ec) { early_reply = ec; });
  asio::async_send(s.b, message{}, [&](error_code ec) { empty_send = ec; });
  ASSERT_TRUE(test::run_until(s.io, [&] { return early_reply && empty_send; }, 5000ms));
  EXPECT_EQ(*early_reply, errc::wrong_state) << early_reply->message();
  EXPECT_EQ(*empty_send, errc::invalid_argument) << empty_send->message();
  EXPECT_EQ(std::string(early_reply->category().name()), "cafmq");
  EXPECT_EQ(early_reply->message(), to_string(errc::wrong_state));
  std::error_code as_std = *early_reply;  // the category converts to std::error_category
  EXPECT_TRUE(as_std);
  EXPECT_EQ(as_std.message(), to_string(errc::wrong_state));
}

TEST(AsioCompletion, AsyncSocketOnASocketWithACallbackIsRefused) {
  boost::asio::io_context io;
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  asio::async_socket first{io, pull};
  try {
    asio::async_socket second{io, pull};
    FAIL() << "a second async_socket on one socket was accepted";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::wrong_state);
  }
}

#ifdef CAFMQ_THREAD_CHECKS
TEST(AsioCompletion, StartingAnOperationWhileAnotherThreadUsesTheSocketThrows) {
  boost::asio::io_context io;
  context ctx;
  asio::async_socket pull{io, ctx, socket_type::pull, test::no_linger()};
  std::atomic<bool> stop{false};
  std::thread intruder([&] {  // breaks the thread rule: holds the socket in a blocking recv
    while (!stop) {
      try {
        pull.native().recv(20ms);
      } catch (const error&) {
        // the main thread held it at that instant
      }
    }
  });
  bool detected = test::eventually([&] {
    try {
      asio::async_receive(pull, [](error_code, message) {});
    } catch (const error& e) {
      return e.code() == errc::concurrent_use;
    }
    pull.cancel();  // so that the next one tries the socket at once again
    return false;
  }, 5000ms);
  stop = true;
  intruder.join();
  EXPECT_TRUE(detected) << "a socket used from two threads at once went unnoticed";
  io.run_for(20ms);  // the cancelled receives
}
#endif

} // namespace
} // namespace cafmq
