// The CLI's heartbeat options: --heartbeat-ivl-ms / --heartbeat-ttl-ms reach the socket (a raw
// ZMTP peer reads the PINGs), --heartbeat-timeout-ms drops a silent peer, bad values exit 2.
#include "support/child_process.hpp"
#include "support/deadline.hpp"
#include "support/ports.hpp"
#include "support/zmtp_wire.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
namespace zmtp = test::zmtp;

const std::string cli = CAFMQ_CLI_PATH;

TEST(CliHeartbeat, RecvSendsPingsWithTheTtlAndDropsAPeerThatNeverAnswers) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  test::child_process recv{{cli, "recv", "--type", "pull", "--bind", ep, "--heartbeat-ivl-ms",
                            "50", "--heartbeat-timeout-ms", "200", "--heartbeat-ttl-ms", "700"}};
  std::optional<test::raw_client> c;
  ASSERT_TRUE(test::eventually(
    [&] {
      try {
        c.emplace(zmtp::handshake_as(ep, "PUSH", 1000ms));
        return true;
      } catch (const std::exception&) {
        return false;  // not listening yet
      }
    },
    10000ms, 20ms));
  auto ping = zmtp::read_frame(*c, 2000ms);
  ASSERT_TRUE(ping.has_value());
  EXPECT_EQ(ping->command_name(), "PING");
  auto data = ping->command_data();
  ASSERT_GE(data.size(), 2u);
  EXPECT_EQ(data[1], 7) << "700 ms = 7 deciseconds";
  auto start = test::clock::now();
  EXPECT_TRUE(c->wait_closed(3000ms)) << "a peer that never answered was kept";
  EXPECT_GE(test::elapsed_ms(start), 150);
}

TEST(CliHeartbeat, InvalidValuesAreUsageErrors) {
  for (auto bad : {std::vector<std::string>{"--heartbeat-ivl-ms", "-5"},
                   std::vector<std::string>{"--heartbeat-timeout-ms", "-2"},
                   std::vector<std::string>{"--heartbeat-ttl-ms", "6553600"}}) {
    auto r = test::run_process({cli, "recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*",
                                bad[0], bad[1]},
                               10000ms);
    EXPECT_EQ(r.exit_code, 2) << bad[0] << " " << bad[1] << ": " << r.describe();
    EXPECT_NE(r.err.find(bad[0]), std::string::npos) << r.err;
  }
}

} // namespace
} // namespace cafmq
