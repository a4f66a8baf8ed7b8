// The receive budget over TCP (docs/reliability.md "Backpressure"): several peers flooding a
// socket whose user does not read fill it up to recv_budget_bytes (plus one message) and no
// further, whatever the per-peer limits allow; once the user reads, the paused peers resume and
// nothing is lost.
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr size_t size = 8 * 1024;
constexpr size_t budget = 256 * 1024;
constexpr int peers = 3;

uint64_t tagged(int peer, uint64_t seq) {
  return (static_cast<uint64_t>(peer) << 48) | seq;
}

TEST(RecvBudget, PeersFloodingAnUnreadSocketStopAtItsBudgetAndLoseNothing) {
  context ctx;
  socket_options o = test::no_linger();
  o.rcvhwm = 100'000;  // the per-peer limits alone would take in 800 MB per peer
  o.recv_budget_bytes = budget;
  socket pull{ctx, socket_type::pull, o};
  pull.bind("tcp://127.0.0.1:*");
  std::array<std::unique_ptr<socket>, peers> push;
  for (auto& p : push) {
    p = std::make_unique<socket>(ctx, socket_type::push, test::no_linger());
    p->connect(pull.last_endpoint());
  }

  // Each peer sends until it has been blocked three times in a row (100 ms each): by then the
  // receiving engines are paused and TCP has pushed back all the way.
  std::array<uint64_t, peers> sent{};
  std::array<int, peers> misses{};
  test::deadline d{60000ms};
  for (bool busy = true; busy && !d.expired();) {
    busy = false;
    for (int k = 0; k < peers; ++k) {
      if (misses[k] >= 3)
        continue;
      busy = true;
      if (push[k]->send(test::sequenced(tagged(k, sent[k]), size), 100ms)) {
        ++sent[k];
        misses[k] = 0;
      } else {
        ++misses[k];
      }
    }
  }
  ASSERT_FALSE(d.expired()) << "the senders were never blocked: the budget did not hold";
  auto s = pull.stats();
  ASSERT_EQ(s.peers.size(), static_cast<size_t>(peers));
  size_t queued = 0;
  for (auto& p : s.peers)
    queued += p.queued_in_bytes;
  EXPECT_EQ(s.recv_budget_used, queued);
  RecordProperty("queued_in_bytes", static_cast<int>(queued));
  EXPECT_GE(queued, budget) << "reading paused before the budget was used up";
  EXPECT_LE(queued, budget + size) << "the budget was passed by more than one message";

  // The user reads: everything each peer sent arrives, in order per peer, whole.
  std::array<uint64_t, peers> got{};
  uint64_t total = sent[0] + sent[1] + sent[2];
  for (uint64_t n = 0; n < total; ++n) {
    auto m = pull.recv(d.remaining());
    ASSERT_TRUE(m.has_value()) << "lost after " << n << " of " << total
                               << ": a paused peer was never resumed";
    auto seq = test::sequence_of(*m);
    auto k = static_cast<int>(seq >> 48);
    ASSERT_LT(k, peers);
    ASSERT_EQ(seq & ((uint64_t{1} << 48) - 1), got[k]) << "peer " << k << " out of order";
    ASSERT_TRUE(test::pattern_intact(*m));
    ++got[k];
  }
  EXPECT_FALSE(pull.recv(100ms).has_value()) << "more arrived than was sent";
  EXPECT_EQ(pull.stats().recv_budget_used, 0u);
  // Reading resumed the flow: the peers can send again.
  for (auto& p : push)
    EXPECT_TRUE(p->send(message{"again"}, 5000ms));
  for (int k = 0; k < peers; ++k)
    EXPECT_TRUE(pull.recv(5000ms).has_value());
}

TEST(RecvBudget, IsValidatedWithAMessageNamingTheOption) {
  context ctx;
  socket_options o;
  o.recv_budget_bytes = size_t{1} << 60;
  try {
    socket s{ctx, socket_type::pull, o};
    ADD_FAILURE() << "an absurd budget was accepted";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("recv_budget_bytes"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace cafmq
