// A full poller loop keeps memory bounded: a PUSH peer pushes far more than the HWMs hold at a
// PULL whose poller loop stops receiving. The PULL stays ready (level-triggered) but nothing
// grows: RSS stays within the HWMs' bytes plus a constant while the pusher's sends time out.
// When the loop resumes, every message arrives, in order and intact.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"
#include "support/rss.hpp"
#include "support/sanitizers.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr size_t message_bytes = 64 * 1024;
// 190 MiB: fifteen times what the HWMs hold (half under sanitizers, which copy slowly and
// where RSS is not measured: still more than the HWMs and the TCP buffers together).
constexpr uint64_t total = test::sanitized_build ? 1500 : 3000;
constexpr int hwm = 100;
// What the process may hold beyond the HWMs' messages: read buffers, allocator slack.
constexpr size_t rss_slack = 32u << 20;

// A thread told to stop and joined when the test ends, an ASSERT's early return included.
class stoppable_thread {
public:
  stoppable_thread() = default;
  stoppable_thread(const stoppable_thread&) = delete;
  stoppable_thread& operator=(const stoppable_thread&) = delete;
  ~stoppable_thread() { stop(); }
  template <class Body>
  void start(Body body) {
    thread_ = std::thread(std::move(body));
  }
  bool stopping() const { return stop_.load(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable())
      thread_.join();
  }

private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(PollerBackpressure, AStoppedLoopKeepsMemoryBoundedAndLosesNothing) {
  socket_options o = test::no_linger();
  o.sndhwm = hwm;
  o.rcvhwm = hwm;
  context ctx;
  socket pull{ctx, socket_type::pull, o};
  pull.bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, o};
  push.connect(pull.last_endpoint());
  poller p;
  p.add(pull, poll_in);

  // The pusher: its socket is its own from here on. It retries a message whose send timed out
  // (nothing is skipped) and says when three sends in a row timed out: it is blocked.
  std::atomic<uint64_t> accepted{0};
  std::atomic<bool> blocked{false};
  stoppable_thread pusher;
  pusher.start([&] {
    int misses = 0;
    uint64_t seq = 0;
    while (seq < total && !pusher.stopping()) {
      if (push.send(test::sequenced(seq, message_bytes), 100ms)) {
        accepted = ++seq;
        misses = 0;
      } else if (++misses >= 3) {
        blocked = true;
      }
    }
  });
  test::deadline d{20000ms};
  uint64_t next = 0;
  std::vector<poller::event> ready;
  // The loop receives the first messages, one per wake-up (level-triggered), then stops.
  while (next < 2 * hwm && !d.expired()) {
    if (p.wait(ready, d.remaining()) == 0)
      continue;
    auto m = pull.recv(0ms);
    ASSERT_TRUE(m) << "the poller reported a socket with nothing to receive";
    ASSERT_EQ(test::sequence_of(*m), next++);
  }
  auto rss_paused = test::resident_bytes();
  bool pusher_blocked = test::eventually([&] { return blocked.load(); }, d.remaining(), 10ms);
  auto rss_blocked = test::resident_bytes();
  auto backlog = accepted.load() - next;
  ASSERT_TRUE(pusher_blocked) << "the pusher never blocked: " << accepted << " of " << total
                              << " accepted";
  EXPECT_EQ(p.wait(0ms).size(), 1u);  // still ready: the loop just does not take
  // Held back: the two HWMs and what the kernel buffers on the connection, no more.
  auto most = 2 * hwm + test::max_tcp_buffering() / message_bytes + 4;
  EXPECT_LE(backlog, most) << "more accepted than the HWMs and TCP buffers can hold";
  size_t bound = 2 * hwm * message_bytes + rss_slack;
  size_t growth = rss_blocked > rss_paused ? rss_blocked - rss_paused : 0;
  RecordProperty("backlog", static_cast<int>(backlog));
  RecordProperty("most", static_cast<int>(most));
  RecordProperty("rss_growth_kib", static_cast<int>(growth >> 10));
  if (test::rss_is_meaningful) {
    EXPECT_LT(growth, bound) << "RSS grew by " << (growth >> 20) << " MiB with " << backlog
                             << " messages of " << message_bytes << " bytes held back";
  }

  // The loop resumes: every message arrives, in order, intact; the pusher finishes.
  while (next < total && !d.expired()) {
    if (p.wait(ready, d.remaining()) == 0)
      continue;
    for (auto m = pull.recv(0ms); m; m = pull.recv(0ms)) {
      ASSERT_EQ(test::sequence_of(*m), next) << "lost, duplicated or reordered";
      ASSERT_TRUE(test::pattern_intact(*m)) << "message " << next << " corrupted";
      ++next;
    }
  }
  pusher.stop();
  EXPECT_EQ(next, total) << "the loop received " << next << " of " << total;
  EXPECT_EQ(accepted.load(), total);
  EXPECT_TRUE(p.wait(50ms).empty()) << "a message beyond the last one arrived";
}

} // namespace
} // namespace cafmq
