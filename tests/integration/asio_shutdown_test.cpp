// Shutting down with operations in flight never hangs and never leaks (azmq #99): close(),
// cancel(), the async_socket's destruction and the socket's context's destruction complete the
// pending operations with operation_aborted; the io_context's destruction destroys them (and
// the coroutines waiting in them) without calling them; io_context::stop() leaves them pending.
#include "support/asio_run.hpp"
#include "support/messages.hpp"

#include "runtime/asio.hpp"
#include "runtime/cafmq.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using boost::system::error_code;

constexpr int pending = 5;

// Outcomes of callbacks, filled on the io_context's thread.
struct outcomes {
  std::vector<error_code> codes;
  auto on_receive() {
    return [this](error_code ec, message) { codes.push_back(ec); };
  }
  auto on_send() {
    return [this](error_code ec) { codes.push_back(ec); };
  }
  bool all(size_t n) const { return codes.size() == n; }
  bool all_aborted() const {
    for (auto& ec : codes)
      if (ec != boost::asio::error::operation_aborted)
        return false;
    return true;
  }
};

// A PULL nobody sends to and a PUSH with no peer: their operations stay pending.
struct idle_sockets {
  boost::asio::io_context io;
  std::optional<context> ctx{std::in_place};
  std::optional<asio::async_socket> pull{std::in_place, io, *ctx, socket_type::pull,
                                         test::no_linger()};
  std::optional<asio::async_socket> push{std::in_place, io, *ctx, socket_type::push,
                                         test::no_linger()};
  outcomes seen;

  idle_sockets() { pull->native().bind("tcp://127.0.0.1:*"); }
  void start_pending() {
    for (int i = 0; i < pending; ++i) {
      asio::async_receive(*pull, seen.on_receive());
      asio::async_send(*push, test::sequenced(static_cast<uint64_t>(i)), seen.on_send());
    }
    io.run_for(50ms);
    ASSERT_TRUE(seen.codes.empty()) << "an operation completed with nothing to do";
  }
};

TEST(AsioShutdown, CloseCompletesPendingReceivesAndSendsWithOperationAborted) {
  idle_sockets s;
  s.start_pending();
  s.pull->close();
  s.push->close();
  ASSERT_TRUE(test::run_until(s.io, [&] { return s.seen.all(2 * pending); }, 5000ms));
  EXPECT_TRUE(s.seen.all_aborted());
  std::optional<error_code> later;
  asio::async_receive(*s.pull, [&](error_code ec, message) { later = ec; });
  ASSERT_TRUE(test::run_until(s.io, [&] { return later.has_value(); }, 5000ms));
  EXPECT_EQ(*later, errc::socket_closed);
}

TEST(AsioShutdown, CancelAbortsPendingOperationsAndTheSocketStaysUsable) {
  idle_sockets s;
  s.start_pending();
  s.pull->cancel();
  ASSERT_TRUE(test::run_until(s.io, [&] { return s.seen.all(pending); }, 5000ms));
  EXPECT_TRUE(s.seen.all_aborted());
  std::optional<message> got;
  asio::async_receive(*s.pull, [&](error_code ec, message m) {
    EXPECT_FALSE(ec);
    got = std::move(m);
  });
  s.push->native().connect(s.pull->native().last_endpoint());  // the pending sends can go now
  ASSERT_TRUE(test::run_until(s.io, [&] { return got.has_value(); }, 5000ms));
  EXPECT_EQ(test::sequence_of(*got), 0u);
}

TEST(AsioShutdown, DestroyingTheAsyncSocketAbortsItsPendingOperations) {
  idle_sockets s;
  s.start_pending();
  s.pull.reset();
  s.push.reset();
  ASSERT_TRUE(test::run_until(s.io, [&] { return s.seen.all(2 * pending); }, 5000ms));
  EXPECT_TRUE(s.seen.all_aborted());
}

TEST(AsioShutdown, DestroyingTheSocketsContextAbortsPendingOperations) {
  idle_sockets s;
  s.start_pending();
  s.ctx.reset();  // terminates the context under the sockets
  ASSERT_TRUE(test::run_until(s.io, [&] { return s.seen.all(2 * pending); }, 5000ms));
  EXPECT_TRUE(s.seen.all_aborted());
}

TEST(AsioShutdown, ClosingTheSocketItselfAbortsPendingOperations) {
  boost::asio::io_context io;
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  asio::async_socket face{io, pull};
  outcomes seen;
  for (int i = 0; i < pending; ++i)
    asio::async_receive(face, seen.on_receive());
  io.run_for(20ms);
  pull.close();
  ASSERT_TRUE(test::run_until(io, [&] { return seen.all(pending); }, 5000ms));
  EXPECT_TRUE(seen.all_aborted());
}

TEST(AsioShutdown, CoroutinesWaitingInACloseSeeOperationAborted) {
  boost::asio::io_context io;
  context ctx;
  asio::async_socket pull{io, ctx, socket_type::pull, test::no_linger()};
  pull.native().bind("tcp://127.0.0.1:*");
  int aborted = 0;
  for (int i = 0; i < pending; ++i)
    boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> {
      try {
        co_await asio::async_receive(pull, boost::asio::use_awaitable);
      } catch (const boost::system::system_error& e) {
        if (e.code() == boost::asio::error::operation_aborted)
          ++aborted;
      }
    }, boost::asio::detached);
  io.run_for(20ms);
  pull.close();
  ASSERT_TRUE(test::run_until(io, [&] { return aborted == pending; }, 5000ms));
}

TEST(AsioShutdown, DestroyingTheIoContextDestroysWaitingCoroutines) {
  auto sentinel = std::make_shared<int>(0);
  std::weak_ptr<int> alive = sentinel;
  context ctx;
  bool waiting = false, resumed = false;
  {
    boost::asio::io_context io;
    // The coroutine owns the async_socket; only the pending receive refers to the coroutine.
    boost::asio::co_spawn(io, [&, sentinel = std::move(sentinel)]() -> boost::asio::awaitable<void> {
      // (g++ 12 destroys the temporaries of a full-expression with a co_await in it twice:
      // keep co_await out of initialisers that build temporaries.)
      auto executor = co_await boost::asio::this_coro::executor;
      asio::async_socket pull{executor, ctx, socket_type::pull, test::no_linger()};
      pull.native().bind("tcp://127.0.0.1:*");
      waiting = true;
      co_await asio::async_receive(pull, boost::asio::use_awaitable);
      resumed = true;
    }, boost::asio::detached);
    ASSERT_TRUE(test::run_until(io, [&] { return waiting; }, 5000ms))
      << "the coroutine never reached its receive";
    io.run_for(20ms);
    ASSERT_FALSE(alive.expired());
  }
  EXPECT_TRUE(alive.expired()) << "the coroutine's frame leaked";
  EXPECT_FALSE(resumed);
}

TEST(AsioShutdown, AnAsyncSocketMayOutliveItsIoContext) {
  context ctx;
  std::optional<asio::async_socket> pull;
  bool called = false;
  {
    boost::asio::io_context io;
    pull.emplace(io, ctx, socket_type::pull, test::no_linger());
    asio::async_receive(*pull, [&](error_code, message) { called = true; });
    io.run_for(20ms);
  }
  pull.reset();  // nothing to post to any more: the handler was destroyed with the io_context
  EXPECT_FALSE(called);
}

TEST(AsioShutdown, StoppingTheIoContextLeavesOperationsPending) {
  idle_sockets s;
  s.start_pending();
  std::thread runner([&] { s.io.run(); });  // pending operations are work: run() waits
  s.io.stop();
  runner.join();
  EXPECT_TRUE(s.seen.codes.empty());
  s.pull->close();
  s.push->close();
  s.io.restart();
  ASSERT_TRUE(test::run_until(s.io, [&] { return s.seen.all(2 * pending); }, 5000ms));
  EXPECT_TRUE(s.seen.all_aborted());
}

} // namespace
} // namespace cafmq
