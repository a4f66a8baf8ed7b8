// Fault injection (issue 4 item 8): the receiving peer is a separate process (`cafmq recv`)
// killed with SIGKILL mid-stream and restarted on the same endpoint, several times. The surviving
// in-process PUSH resumes delivering to each new process, no message reaches any receiver twice
// (sequence numbers strictly increase per receiver and no number is seen by two), and the
// survivor's memory stays flat across the restarts.
#include "support/child_process.hpp"
#include "support/deadline.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"
#include "support/rss.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <memory>
#include <set>
#include <sstream>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

const std::string cli = CAFMQ_CLI_PATH;

std::string line_for(uint64_t seq) {
  return "[\"seq " + std::to_string(seq) + "\"]";
}

// The sequence numbers in `cafmq recv` output (one JSON line per message).
std::vector<uint64_t> sequences_in(const std::string& out) {
  std::vector<uint64_t> seqs;
  std::istringstream in{out};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("[\"seq ", 0) == 0)
      seqs.push_back(std::stoull(line.substr(6)));
  }
  return seqs;
}

TEST(FaultKillRestart, SurvivingPushResumesWithEachRestartedPeerWithoutDuplicatesOrGrowth) {
  constexpr int restarts = 8;
  constexpr uint64_t per_cycle = 200;   // each receiver prints at least these
  constexpr uint64_t in_flight = 100;   // sent just before the kill: may be lost, never doubled
  auto ep = test::local_endpoint(test::free_tcp_port());
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  auto events = push.monitor();
  push.connect(ep);  // before the first receiver exists: the connector keeps dialling

  uint64_t next = 0;
  std::vector<std::vector<uint64_t>> received;
  size_t rss_after_first = 0;
  for (int cycle = 0; cycle < restarts; ++cycle) {
    auto recv = std::make_unique<test::child_process>(
      std::vector<std::string>{cli, "recv", "--type", "pull", "--bind", ep});
    // Until the survivor has noticed the old peer's death and shaken hands with the new one,
    // what it sends may go into the dead connection (and be lost, as ZeroMQ allows): the cycle's
    // messages start once the new connection is up.
    std::vector<monitor_event> seen;
    ASSERT_TRUE(test::next_event(events, event_kind::handshake_succeeded, 15000ms, &seen))
      << "cycle " << cycle << ": no new connection\n" << test::describe(seen);
    uint64_t last = next + per_cycle - 1;
    for (; next <= last; ++next)
      ASSERT_TRUE(push.send(message{"seq " + std::to_string(next)}, 10000ms))
        << "cycle " << cycle << ": send " << next << " blocked for 10 s";
    ASSERT_EQ(recv->wait_for_line(line_for(last), 15000ms, true), line_for(last))
      << "cycle " << cycle << ": the restarted receiver never got message " << last;
    for (uint64_t i = 0; i < in_flight; ++i, ++next)
      ASSERT_TRUE(push.send(message{"seq " + std::to_string(next)}, 10000ms));
    ::kill(recv->pid(), SIGKILL);
    auto r = recv->wait(10000ms);
    EXPECT_EQ(r.term_signal, SIGKILL) << r.describe();
    received.push_back(sequences_in(r.out));
    if (cycle == 0)
      rss_after_first = test::resident_bytes();
  }
  auto rss_end = test::resident_bytes();

  std::set<uint64_t> everyone;
  for (size_t i = 0; i < received.size(); ++i) {
    const auto& seqs = received[i];
    EXPECT_GE(seqs.size(), per_cycle) << "receiver " << i;
    for (size_t k = 1; k < seqs.size(); ++k)
      ASSERT_LT(seqs[k - 1], seqs[k]) << "receiver " << i << " got " << seqs[k] << " after "
                                      << seqs[k - 1] << " (duplicate or reordering)";
    for (auto s : seqs)
      EXPECT_TRUE(everyone.insert(s).second) << "message " << s << " delivered twice";
  }
  RecordProperty("rss_growth_kib", static_cast<int>((rss_end - rss_after_first) >> 10));
  EXPECT_LT(rss_end, rss_after_first + (8u << 20))
    << "the survivor's RSS grew by " << ((rss_end - rss_after_first) >> 10) << " KiB over "
    << restarts - 1 << " restarts";
}

} // namespace
} // namespace cafmq
