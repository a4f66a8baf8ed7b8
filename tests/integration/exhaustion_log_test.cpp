// Log volume under a flood of failed handshakes (issue #23): 300 peers whose greeting asks for
// the wrong mechanism each end in a handshake_failed monitor event, and the log gets one line
// for them (the rest are counted for the summary, runtime/core/log_limit.hpp).
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/raw_tcp.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"
#include "runtime/core/log.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

TEST(ExhaustionLog, AFloodOfFailedHandshakesIsEveryEventAndOneLogLine) {
  constexpr int peers = 300;
  std::mutex mtx;
  std::vector<std::string> lines;
  auto before = log::current_level();
  log::set_level(log::level::warn);
  log::set_sink([&](log::level, std::string_view component, std::string_view text) {
    std::lock_guard<std::mutex> guard{mtx};
    lines.push_back(std::string(component) + ": " + std::string(text));
  });
  std::atomic<int> failed{0};
  {
    context ctx;
    socket pull{ctx, socket_type::pull, test::no_linger()};
    pull.add_event_callback([&](const monitor_event& e) {
      if (e.kind == event_kind::handshake_failed
          && e.reason_code == event_reason::mechanism_mismatch)
        ++failed;
    });
    pull.bind("tcp://127.0.0.1:*");
    for (int i = 0; i < peers; ++i) {
      auto c = test::raw_client::connect(pull.last_endpoint(), 5000ms);
      c.send_all(test::zmtp::greeting("CURVE"));
      ASSERT_TRUE(c.wait_closed(5000ms)) << "peer " << i << " was not closed";
    }
    EXPECT_TRUE(test::eventually([&] { return failed.load() == peers; }, 10000ms))
      << failed.load() << " handshake_failed events";
    ctx.close();
  }
  log::set_sink(nullptr);
  log::set_level(before);
  auto handshake_lines = std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
    return l.rfind("session: ", 0) == 0 && l.find("disconnected") != std::string::npos;
  });
  EXPECT_EQ(handshake_lines, 1) << "lines:\n" << [&] {
    std::string all;
    for (size_t i = 0; i < std::min<size_t>(lines.size(), 20); ++i)
      all += lines[i] + "\n";
    return all;
  }();
}

} // namespace
} // namespace cafmq
