// Many operations pending on one socket complete in the order they were started, per direction
// (REQ and REP: across both directions); an async_send to a full peer waits (its message in the
// operation, not queued) and completes once the peer reads; the waiting sends are bounded.
#include "support/asio_run.hpp"
#include "support/messages.hpp"

#include "runtime/asio.hpp"
#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using boost::system::error_code;

constexpr uint64_t many = 200;

TEST(AsioOrder, PendingReceivesCompleteInTheOrderTheyStarted) {
  boost::asio::io_context io;
  context ctx;
  asio::async_socket pull{io, ctx, socket_type::pull, test::no_linger()};
  pull.native().bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(pull.native().last_endpoint());
  std::vector<std::pair<uint64_t, uint64_t>> got;  // (operation, sequence)
  for (uint64_t i = 0; i < many; ++i)
    asio::async_receive(pull, [&got, i](error_code ec, message m) {
      EXPECT_FALSE(ec);
      got.emplace_back(i, test::sequence_of(m));
    });
  for (uint64_t i = 0; i < many; ++i)
    ASSERT_TRUE(push.send(test::sequenced(i), 5000ms));
  ASSERT_TRUE(test::run_until(io, [&] { return got.size() == many; }, 10000ms));
  for (uint64_t i = 0; i < many; ++i) {
    EXPECT_EQ(got[i].first, i) << "operations completed out of order";
    EXPECT_EQ(got[i].second, i) << "operation " << i << " got another message";
  }
}

TEST(AsioOrder, PendingSendsCompleteInOrderAndArriveInOrder) {
  boost::asio::io_context io;
  context ctx;
  asio::async_socket push{io, ctx, socket_type::push, test::no_linger()};
  push.set_max_pending_sends(many);
  std::vector<uint64_t> completed;
  for (uint64_t i = 0; i < many; ++i)
    asio::async_send(push, test::sequenced(i), [&completed, i](error_code ec) {
      EXPECT_FALSE(ec);
      completed.push_back(i);
    });
  io.run_for(20ms);
  EXPECT_TRUE(completed.empty()) << "a send completed with no peer to queue for";
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  push.native().connect(pull.last_endpoint());
  ASSERT_TRUE(test::run_until(io, [&] { return completed.size() == many; }, 10000ms));
  for (uint64_t i = 0; i < many; ++i) {
    EXPECT_EQ(completed[i], i);
    auto m = pull.recv(5000ms);
    ASSERT_TRUE(m) << "message " << i << " lost";
    EXPECT_EQ(test::sequence_of(*m), i);
  }
}

TEST(AsioOrder, SendToAFullPeerWaitsUntilThePeerReads) {
  boost::asio::io_context io;
  context ctx;
  socket_options small = test::no_linger();
  small.sndhwm = 4;
  small.rcvhwm = 4;
  socket pull{ctx, socket_type::pull, small};
  pull.bind("tcp://127.0.0.1:*");
  asio::async_socket push{io, ctx, socket_type::push, small};
  push.native().connect(pull.last_endpoint());
  constexpr size_t big = 256 * 1024;  // a few fill the TCP buffers too
  // Sends one after another until one stays pending for a while: the peer is full.
  uint64_t next = 0, completed = 0;
  std::optional<error_code> last;
  bool waiting = false;
  for (int round = 0; round < 10000 && !waiting; ++round) {
    last.reset();
    asio::async_send(push, test::sequenced(next++, big), [&](error_code ec) {
      last = ec;
      ++completed;
    });
    if (!test::run_until(io, [&] { return last.has_value(); }, 300ms))
      waiting = true;
    else
      ASSERT_FALSE(*last) << last->message();
  }
  ASSERT_TRUE(waiting) << "the peer never filled up";
  io.run_for(200ms);
  EXPECT_FALSE(last.has_value()) << "the send completed while the peer was still full";
  EXPECT_EQ(completed, next - 1);
  // The peer reads: the waiting send completes, and everything arrives in order.
  test::deadline d{20000ms};
  for (uint64_t i = 0; i < next; ++i) {
    std::optional<message> m;
    while (!m && !d.expired()) {
      io.poll();  // the waiting send goes on as room comes
      m = pull.recv(20ms);
    }
    ASSERT_TRUE(m) << "message " << i << " of " << next << " lost";
    ASSERT_EQ(test::sequence_of(*m), i);
    ASSERT_TRUE(test::pattern_intact(*m));
  }
  ASSERT_TRUE(test::run_until(io, [&] { return last.has_value(); }, 5000ms));
  EXPECT_FALSE(*last);
  EXPECT_EQ(completed, next);
}

TEST(AsioOrder, PendingSendsAreBoundedAndOneMoreIsRefusedWithQueueFull) {
  boost::asio::io_context io;
  context ctx;
  asio::async_socket push{io, ctx, socket_type::push, test::no_linger()};
  ASSERT_EQ(push.max_pending_sends(), 64u);
  constexpr uint64_t bound = 8;
  push.set_max_pending_sends(bound);
  std::vector<std::pair<uint64_t, error_code>> completed;
  for (uint64_t i = 0; i < bound + 3; ++i)  // no peer: none can go
    asio::async_send(push, test::sequenced(i),
                     [&completed, i](error_code ec) { completed.emplace_back(i, ec); });
  ASSERT_TRUE(test::run_until(io, [&] { return completed.size() == 3; }, 5000ms));
  for (uint64_t k = 0; k < 3; ++k) {
    EXPECT_EQ(completed[k].first, bound + k);
    EXPECT_EQ(completed[k].second, errc::queue_full) << completed[k].second.message();
  }
  // The waiting ones go once a peer comes, in order; the refused ones were not sent.
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  push.native().connect(pull.last_endpoint());
  ASSERT_TRUE(test::run_until(io, [&] { return completed.size() == bound + 3; }, 10000ms));
  for (uint64_t i = 0; i < bound; ++i) {
    EXPECT_EQ(completed[3 + i].first, i);
    EXPECT_FALSE(completed[3 + i].second) << completed[3 + i].second.message();
    auto m = pull.recv(5000ms);
    ASSERT_TRUE(m) << "message " << i << " lost";
    EXPECT_EQ(test::sequence_of(*m), i);
  }
  EXPECT_FALSE(pull.recv(100ms)) << "a refused send was sent";
}

TEST(AsioOrder, WithNoRoomForWaitingSendsASendThatCannotGoIsRefused) {
  boost::asio::io_context io;
  context ctx;
  asio::async_socket push{io, ctx, socket_type::push, test::no_linger()};
  push.set_max_pending_sends(0);
  std::optional<error_code> refused;
  asio::async_send(push, test::sequenced(0), [&](error_code ec) { refused = ec; });
  ASSERT_TRUE(test::run_until(io, [&] { return refused.has_value(); }, 5000ms));
  EXPECT_EQ(*refused, errc::queue_full);
}

// REQ and REP take turns: a receive started while the request waits for a peer goes after it
// (not refused with wrong_state), and a reply started while the request is awaited goes after it.
TEST(AsioOrder, ReqReceiveStartedWhileItsRequestWaitsCompletesWithTheReply) {
  boost::asio::io_context io;
  context ctx;
  asio::async_socket req{io, ctx, socket_type::req, test::no_linger()};
  asio::async_socket rep{io, ctx, socket_type::rep, test::no_linger()};
  std::vector<std::string> events;
  asio::async_send(req, message{"question"}, [&](error_code ec) {
    EXPECT_FALSE(ec) << ec.message();
    events.emplace_back("request sent");
  });
  std::optional<message> reply;
  asio::async_receive(req, [&](error_code ec, message m) {
    EXPECT_FALSE(ec) << ec.message();
    events.emplace_back("reply received");
    reply = std::move(m);
  });
  io.run_for(50ms);
  EXPECT_TRUE(events.empty()) << "completed with no peer: " << events.front();
  // The REP starts its reply before the request came: it waits for its receive.
  std::optional<message> request;
  asio::async_receive(rep, [&](error_code ec, message m) {
    EXPECT_FALSE(ec) << ec.message();
    request = std::move(m);
  });
  std::optional<error_code> answered;
  asio::async_send(rep, message{"answer"}, [&](error_code ec) { answered = ec; });
  rep.native().bind("tcp://127.0.0.1:*");
  req.native().connect(rep.native().last_endpoint());
  ASSERT_TRUE(test::run_until(io, [&] { return reply && answered; }, 10000ms));
  EXPECT_EQ(events, (std::vector<std::string>{"request sent", "reply received"}));
  ASSERT_TRUE(request);
  EXPECT_EQ(test::frames_of(*request), std::vector<std::string>{"question"});
  EXPECT_FALSE(*answered) << answered->message();
  EXPECT_EQ(test::frames_of(*reply), std::vector<std::string>{"answer"});
}

} // namespace
} // namespace cafmq
