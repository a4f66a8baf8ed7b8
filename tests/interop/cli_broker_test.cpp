// `cafmq broker` with a pyzmq client and worker written from RFC 7: requests go through, and
// SIGTERM makes it stop cleanly (DISCONNECT to the worker, a summary line, exit 0).
#include "interop/mdp_broker_peer_path.hpp"
#include "support/child_process.hpp"
#include "support/deadline.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

const std::string cli = CAFMQ_CLI_PATH;
const std::string python = CAFMQ_PYTHON;
constexpr auto budget = 12000ms;

TEST(CliBroker, ServesPyzmqPeersAndStopsCleanlyOnSigterm) {
  test::child_process broker{{cli, "broker", "--bind", "tcp://127.0.0.1:*", "--heartbeat-ivl-ms",
                              "100", "--request-expiry-ms", "5000", "--events"}};
  auto bound = broker.wait_for_line("bound ", budget);
  ASSERT_FALSE(bound.empty()) << "no 'bound EP' line";
  auto ep = bound.substr(6);
  test::child_process worker{{python, test::mdp_peer_script(), "worker", ep, "echo", "--heartbeat-ms", "100"}};
  // Requests wait for the worker if they come first; once answered, the worker is registered.
  auto client = test::run_process({python, test::mdp_peer_script(), "client", ep, "echo", "50"}, budget);
  EXPECT_EQ(client.exit_code, 0) << client.describe();
  EXPECT_NE(client.out.find("client ok 50"), std::string::npos) << client.out;
  auto lookup = test::run_process({python, test::mdp_peer_script(), "client", ep, "echo", "0", "--mmi"}, budget);
  EXPECT_NE(lookup.out.find("mmi 200"), std::string::npos) << lookup.describe();
  ASSERT_EQ(::kill(broker.pid(), SIGTERM), 0);
  auto r = broker.wait(budget);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("stopped: 0 in flight"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 workers disconnected"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("51 requests received, 50 answered"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("\"event\":\"listening\""), std::string::npos) << "--events: " << r.err;
  auto w = worker.wait(budget);
  EXPECT_NE(w.out.find("disconnected=1"), std::string::npos) << w.describe();
}

TEST(CliBroker, BadArgumentsAreUsageErrors) {
  auto none = test::run_process({cli, "broker"}, budget);
  EXPECT_EQ(none.exit_code, 2) << none.describe();
  EXPECT_NE(none.err.find("give at least one --bind"), std::string::npos) << none.err;
  auto zero = test::run_process({cli, "broker", "--bind", "tcp://127.0.0.1:*", "--heartbeat-ivl-ms", "0"}, budget);
  EXPECT_EQ(zero.exit_code, 2) << zero.describe();
  EXPECT_NE(zero.err.find("--heartbeat-ivl-ms"), std::string::npos) << zero.err;
  auto typed = test::run_process({cli, "broker", "--bind", "tcp://127.0.0.1:*", "--type", "pub"}, budget);
  EXPECT_EQ(typed.exit_code, 2) << typed.describe();
  auto help = test::run_process({cli, "broker", "--help"}, budget);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("MDP HEARTBEAT interval"), std::string::npos) << help.out;
}

} // namespace
} // namespace cafmq
