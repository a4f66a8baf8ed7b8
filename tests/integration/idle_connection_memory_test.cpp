// What an idle connection holds: once its engine has read everything the peer sent, it gives its
// read buffer back (net/read_buffer.hpp), so handshaken idle connections hold none, and they take
// one again when data comes. A wave of closes is followed by one allocator trim
// (net/memory_trim.hpp).
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"

#include "net/memory_trim.hpp"
#include "net/read_buffer.hpp"
#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr auto budget = 5000ms;

// `n` PUSH sockets connected to one PULL, each handshaken (its one message arrived).
struct idle_fleet {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  std::vector<std::unique_ptr<socket>> pushes;

  explicit idle_fleet(size_t n) {
    pull.bind("tcp://127.0.0.1:*");
    for (size_t i = 0; i < n; ++i) {
      pushes.push_back(std::make_unique<socket>(ctx, socket_type::push, test::no_linger()));
      pushes.back()->connect(pull.last_endpoint());
      EXPECT_TRUE(pushes.back()->send(message{"hello " + std::to_string(i)}, budget));
    }
    for (size_t i = 0; i < n; ++i)
      EXPECT_TRUE(pull.recv(budget).has_value()) << "message " << i << " of " << n;
  }
};

bool no_read_buffer_held() {
  return test::eventually([] { return net::read_buffer::held() == 0; }, budget);
}

TEST(IdleConnectionMemory, HandshakenIdleConnectionsHoldNoReadBuffer) {
  idle_fleet fleet{20};
  EXPECT_TRUE(no_read_buffer_held()) << net::read_buffer::held() << " bytes still held";
  // held() == 0 would also hold if the connections had died: each must still carry a message.
  for (size_t i = 0; i < fleet.pushes.size(); ++i)
    ASSERT_TRUE(fleet.pushes[i]->send(message{"again " + std::to_string(i)}, budget));
  for (size_t i = 0; i < fleet.pushes.size(); ++i)
    EXPECT_TRUE(fleet.pull.recv(budget).has_value()) << "message " << i << " after the idle check";
}

TEST(IdleConnectionMemory, AConnectionTakesABufferForTrafficAndGivesItBack) {
  idle_fleet fleet{4};
  ASSERT_TRUE(no_read_buffer_held());
  std::string big(200 * 1024, 'x');
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(fleet.pushes[0]->send(message{big}, budget));
    ASSERT_TRUE(fleet.pushes[1]->send(message{"small"}, budget));
  }
  for (int i = 0; i < 6; ++i) {
    auto m = fleet.pull.recv(budget);
    ASSERT_TRUE(m.has_value());
    EXPECT_TRUE((*m)[0].size() == big.size() || (*m)[0].to_string() == "small");
  }
  EXPECT_TRUE(no_read_buffer_held()) << net::read_buffer::held() << " bytes still held";
}

TEST(IdleConnectionMemory, AWaveOfClosesIsFollowedByATrim) {
  idle_fleet fleet{net::trim_after + 8};
  size_t before = net::memory_trims();
  fleet.pushes.clear();  // every PUSH closes: both ends of each connection close
  EXPECT_TRUE(test::eventually([&] { return net::memory_trims() > before; },
                               budget + net::trim_interval));
}

} // namespace
} // namespace cafmq
