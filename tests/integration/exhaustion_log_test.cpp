// Log volume under a flood of failed handshakes (issue #23): 300 peers whose greeting asks for
// the wrong mechanism each end in a handshake_failed monitor event, and the log gets one line
// per rate-limit window for them; the rest are counted, and the window's summary comes by itself
// once it ends, with no further line (runtime/core/log_limit.hpp, net/log_flusher.hpp).
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/raw_tcp.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"
#include "runtime/core/log.hpp"
#include "runtime/core/log_limit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

// The log lines of the failed handshakes: each one written, and the count in each summary.
struct handshake_log {
  std::mutex mtx;
  std::vector<std::string> lines;

  void add(std::string line) {
    std::lock_guard<std::mutex> guard{mtx};
    lines.push_back(std::move(line));
  }
  // Lines written for a connection ("<peer>: disconnected: ...").
  long written() {
    std::lock_guard<std::mutex> guard{mtx};
    long n = 0;
    for (const auto& l : lines)
      if (l.rfind("session: ", 0) == 0 && l.find(": disconnected: ") != std::string::npos)
        ++n;
    return n;
  }
  // Summaries ("handshake failed on <endpoint>: ... and N more in the last T s"), and their N.
  std::pair<long, long> summaries() {
    std::lock_guard<std::mutex> guard{mtx};
    long n = 0;
    long counted = 0;
    const std::string marker = ": ... and ";
    for (const auto& l : lines) {
      auto at = l.find(marker);
      if (l.rfind("session: handshake failed on ", 0) != 0 || at == std::string::npos)
        continue;
      ++n;
      counted += std::stol(l.substr(at + marker.size()));
    }
    return {n, counted};
  }
  std::string dump() {
    std::lock_guard<std::mutex> guard{mtx};
    std::string all;
    for (size_t i = 0; i < std::min<size_t>(lines.size(), 20); ++i)
      all += lines[i] + "\n";
    return all;
  }
};

TEST(ExhaustionLog, AFloodOfFailedHandshakesIsEveryEventOneLineAWindowAndItsSummary) {
  constexpr int peers = 300;
  constexpr auto window = 2000ms;
  handshake_log log_lines;
  auto before = log::current_level();
  log::set_level(log::level::warn);
  log::set_sink([&](log::level, std::string_view component, std::string_view text) {
    log_lines.add(std::string(component) + ": " + std::string(text));
  });
  log::process_limiter().set_window(window);
  std::atomic<int> failed{0};
  long summaries_before_close = 0;
  auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration elapsed{};
  {
    context ctx;
    socket pull{ctx, socket_type::pull, test::no_linger()};
    pull.add_event_callback([&](const monitor_event& e) {
      if (e.kind == event_kind::handshake_failed
          && e.reason_code == event_reason::mechanism_mismatch)
        ++failed;
    });
    pull.bind("tcp://127.0.0.1:*");
    start = std::chrono::steady_clock::now();
    for (int i = 0; i < peers; ++i) {
      auto c = test::raw_client::connect(pull.last_endpoint(), 5000ms);
      c.send_all(test::zmtp::greeting("CURVE"));
      ASSERT_TRUE(c.wait_closed(5000ms)) << "peer " << i << " was not closed";
    }
    EXPECT_TRUE(test::eventually([&] { return failed.load() == peers; }, 10000ms))
      << failed.load() << " handshake_failed events";
    elapsed = std::chrono::steady_clock::now() - start;
    // No further line comes: the last window's summary is written when the window ends.
    EXPECT_TRUE(test::eventually(
      [&] { return log_lines.written() + log_lines.summaries().second == peers; }, window + 5000ms))
      << log_lines.written() << " lines and " << log_lines.summaries().second
      << " counted in summaries before close:\n"
      << log_lines.dump();
    summaries_before_close = log_lines.summaries().first;
    ctx.close();
  }
  log::set_sink(nullptr);
  log::set_level(before);
  log::process_limiter().set_window(10s);
  auto windows = 1 + elapsed / window;
  auto written = log_lines.written();
  EXPECT_GE(written, 1);
  EXPECT_LE(written, windows) << "in " << elapsed / 1ms << " ms:\n" << log_lines.dump();
  EXPECT_GE(summaries_before_close, 1) << log_lines.dump();
  EXPECT_EQ(written + log_lines.summaries().second, peers) << log_lines.dump();
}

} // namespace
} // namespace cafmq
