// `cafmq broker`'s bounds flags: --max-workers reaches the broker (a READY beyond it gets
// DISCONNECT), and bad values of the bound flags are usage errors naming the flag.
#include "runtime/cafmq.hpp"
#include "support/child_process.hpp"
#include "support/deadline.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

const std::string cli = CAFMQ_CLI_PATH;
constexpr auto budget = 12000ms;

// An MDP/0.1 worker's READY for `service` (RFC 7), on a DEALER named `id`.
socket ready_worker(context& ctx, const std::string& ep, const std::string& id) {
  socket_options o;
  o.linger_ms = 0;
  o.routing_id = id;
  socket s{ctx, socket_type::dealer, o};
  s.connect(ep);
  EXPECT_TRUE(s.send(message{"", "MDPW01", std::string(1, '\x01'), "echo"}, 2000ms));
  return s;
}

TEST(CliBroker, MaxWorkersRefusesTheReadyBeyondIt) {
  test::child_process broker{{cli, "broker", "--bind", "tcp://127.0.0.1:*", "--max-workers", "1",
                              "--max-services", "5", "--busy-expiry-ms", "60000",
                              "--expire-busy-workers"}};
  auto bound = broker.wait_for_line("bound ", budget);
  ASSERT_FALSE(bound.empty()) << "no 'bound EP' line";
  auto ep = bound.substr(6);
  context ctx;
  auto first = ready_worker(ctx, ep, "W1");
  // The first is registered once mmi.service says so; only then can the second be the extra one.
  socket client{ctx, socket_type::dealer, [] {
                  socket_options o;
                  o.linger_ms = 0;
                  return o;
                }()};
  client.connect(ep);
  bool registered = test::eventually([&] {
    if (!client.send(message{"", "MDPC01", "mmi.service", "echo"}, 1000ms))
      return false;
    auto r = client.recv(1000ms);
    return r && r->size() == 4 && (*r)[3].to_string() == "200";
  }, budget);
  ASSERT_TRUE(registered);
  auto second = ready_worker(ctx, ep, "W2");
  auto d = second.recv(5000ms);
  ASSERT_TRUE(d) << "the READY beyond --max-workers 1 got no DISCONNECT";
  ASSERT_EQ(d->size(), 3u);
  EXPECT_EQ((*d)[2].to_string(), std::string(1, '\x05'));
  ASSERT_EQ(::kill(broker.pid(), SIGTERM), 0);
  auto r = broker.wait(budget);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("1 workers disconnected"), std::string::npos) << r.out;
}

TEST(CliBroker, BadBoundsAreUsageErrors) {
  for (const char* flag : {"--max-services", "--max-workers", "--busy-expiry-ms"}) {
    auto r = test::run_process({cli, "broker", "--bind", "tcp://127.0.0.1:*", flag,
                                std::string(flag) == "--busy-expiry-ms" ? "-1" : "0"},
                               budget);
    EXPECT_EQ(r.exit_code, 2) << flag << ": " << r.describe();
    EXPECT_NE(r.err.find(flag), std::string::npos) << r.err;
  }
  auto help = test::run_process({cli, "broker", "--help"}, budget);
  EXPECT_NE(help.out.find("--max-workers N"), std::string::npos) << help.out;
}

} // namespace
} // namespace cafmq
