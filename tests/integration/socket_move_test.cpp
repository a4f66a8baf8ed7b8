// Movable sockets: the moved-to socket keeps the connections, queues, readiness descriptor and
// thread check; the moved-from one throws socket_closed on use and destroys as a no-op; a move
// assignment closes the socket it replaces; sockets live in a growing std::vector.
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <poll.h>

#include <functional>
#include <type_traits>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

static_assert(std::is_nothrow_move_constructible_v<socket>);
static_assert(std::is_nothrow_move_assignable_v<socket>);

bool readable_within(int fd, std::chrono::milliseconds budget) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(budget.count())) == 1 && (p.revents & POLLIN) != 0;
}

// True once a new socket can bind `endpoint` (its old owner closed it), within `budget`.
bool port_frees_within(context& ctx, const std::string& endpoint, std::chrono::milliseconds budget) {
  return test::eventually(
    [&] {
      try {
        socket probe{ctx, socket_type::pull, test::no_linger()};
        probe.bind(endpoint);
        return true;
      } catch (const error&) {
        return false;
      }
    },
    budget, 10ms);
}

errc code_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const error& e) {
    EXPECT_NE(std::string(e.what()).find("moved from"), std::string::npos) << e.what();
    return e.code();
  }
  ADD_FAILURE() << "no error";
  return errc::internal;
}

TEST(SocketMove, TheNewSocketKeepsConnectionsAndQueuedMessages) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(pull.last_endpoint());
  ASSERT_TRUE(push.send(test::sequenced(1)));
  int fd = pull.readiness_fd();
  ASSERT_TRUE(readable_within(fd, 5000ms));  // message 1 waits in the old object's queue
  std::string endpoint = pull.last_endpoint();
  socket taken{std::move(pull)};
  EXPECT_EQ(taken.last_endpoint(), endpoint);
  EXPECT_EQ(taken.type(), socket_type::pull);
  EXPECT_EQ(taken.readiness_fd(), fd);  // the descriptor went along
  socket sender{std::move(push)};
  ASSERT_TRUE(sender.send(test::sequenced(2)));
  for (uint64_t i = 1; i <= 2; ++i) {
    auto m = taken.recv(5000ms);
    ASSERT_TRUE(m);
    EXPECT_EQ(test::sequence_of(*m), i);
  }
}

TEST(SocketMove, TheMovedFromSocketRefusesEveryCall) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  socket taken{std::move(pull)};
  // NOLINTBEGIN(bugprone-use-after-move): what a moved-from socket does is the point
  EXPECT_EQ(code_of([&] { pull.bind("tcp://127.0.0.1:*"); }), errc::socket_closed);
  EXPECT_EQ(code_of([&] { pull.connect("tcp://127.0.0.1:1"); }), errc::socket_closed);
  EXPECT_EQ(code_of([&] { pull.recv(0ms); }), errc::socket_closed);
  EXPECT_EQ(code_of([&] { pull.send(message{"x"}, 0ms); }), errc::socket_closed);
  EXPECT_EQ(code_of([&] { pull.events(); }), errc::socket_closed);
  EXPECT_EQ(code_of([&] { pull.readiness_fd(); }), errc::socket_closed);
  EXPECT_EQ(code_of([&] { pull.stats(); }), errc::socket_closed);
  EXPECT_EQ(code_of([&] { pull.monitor(); }), errc::socket_closed);
  EXPECT_EQ(code_of([&] { pull.describe(); }), errc::socket_closed);
  EXPECT_EQ(code_of([&] { pull.last_peer(); }), errc::socket_closed);
  EXPECT_EQ(code_of([&] { pull.messages_dropped(); }), errc::socket_closed);
  EXPECT_EQ(code_of([&] { pull.close(); }), errc::socket_closed);
  pull.abort_linger();  // noexcept: does nothing
  // NOLINTEND(bugprone-use-after-move)
  taken.bind("tcp://127.0.0.1:*");  // the socket itself is fine
  EXPECT_EQ(taken.events(), 0u);
}

TEST(SocketMove, AssignmentClosesTheReplacedSocket) {
  context ctx;
  socket first{ctx, socket_type::pull, test::no_linger()};
  first.bind("tcp://127.0.0.1:*");
  std::string first_endpoint = first.last_endpoint();
  socket second{ctx, socket_type::pull, test::no_linger()};
  second.bind("tcp://127.0.0.1:*");
  std::string second_endpoint = second.last_endpoint();
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(second_endpoint);
  first = std::move(second);
  // The replaced socket is closed: its port is free again. (Its readiness descriptor is closed
  // with it, and its number may already belong to another descriptor: polling it proves nothing.)
  EXPECT_TRUE(port_frees_within(ctx, first_endpoint, 5000ms)) << "the replaced socket was not closed";
  EXPECT_EQ(first.last_endpoint(), second_endpoint);
  ASSERT_TRUE(push.send(message{"to the second"}));
  auto m = first.recv(5000ms);
  ASSERT_TRUE(m);
  EXPECT_EQ(test::frames_of(*m), std::vector<std::string>{"to the second"});
  auto& self = first;
  first = std::move(self);  // self-assignment changes nothing
  EXPECT_EQ(first.events(), 0u);
}

TEST(SocketMove, SocketsLiveInAGrowingVector) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  std::vector<socket> pushes;
  for (int i = 0; i < 8; ++i) {  // reallocations move the sockets already in it
    pushes.emplace_back(ctx, socket_type::push, test::no_linger());
    pushes.back().connect(pull.last_endpoint());
  }
  for (size_t i = 0; i < pushes.size(); ++i)
    ASSERT_TRUE(pushes[i].send(test::sequenced(i), 5000ms));
  std::vector<bool> seen(pushes.size(), false);
  for (size_t i = 0; i < pushes.size(); ++i) {
    auto m = pull.recv(5000ms);
    ASSERT_TRUE(m);
    auto seq = test::sequence_of(*m);
    ASSERT_LT(seq, seen.size());
    EXPECT_FALSE(seen[seq]);
    seen[seq] = true;
  }
}

} // namespace
} // namespace cafmq
