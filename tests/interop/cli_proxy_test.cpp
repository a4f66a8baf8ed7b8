// `cafmq proxy` between pyzmq peers (tests/interop/proxy_peers.py): PUB -> XSUB|XPUB -> SUB,
// REQ clients -> ROUTER|DEALER -> REP workers, and a CURVE ROUTER front end before a plain
// DEALER back end. SIGTERM then ends the proxy with exit 0 and its statistics on stdout.
#include "support/child_process.hpp"
#include "support/curve_test_keys.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using strings = std::vector<std::string>;

std::string peers_script() {
  std::string matrix_peer = CAFMQ_PYZMQ_PEER;
  return matrix_peer.substr(0, matrix_peer.rfind('/')) + "/proxy_peers.py";
}

// The endpoint of the next "bound tcp://..." line on the proxy's stderr (wildcard ports).
std::string bound(test::child_process& proxy, size_t& from) {
  auto line = proxy.wait_for_line("bound ", 10s, false, from, &from);  // both may be there already
  return line.empty() ? std::string{} : line.substr(6);
}

// Runs `cafmq proxy` with `args`, then the python peers in `mode` against its two endpoints
// (plus `extra`), then SIGTERM; returns the proxy's stdout.
std::string run(const strings& args, const std::string& mode, const strings& extra = {}) {
  strings argv{CAFMQ_CLI_PATH, "proxy"};
  argv.insert(argv.end(), args.begin(), args.end());
  test::child_process proxy{argv};
  size_t from = 0;
  auto front = bound(proxy, from);
  auto back = bound(proxy, from);
  EXPECT_FALSE(front.empty() || back.empty()) << "the proxy printed no bound endpoints";
  if (front.empty() || back.empty())
    return {};
  strings py{CAFMQ_PYTHON, peers_script(), mode, front, back};
  py.insert(py.end(), extra.begin(), extra.end());
  auto peers = test::run_process(py, 20s);
  EXPECT_EQ(peers.exit_code, 0) << peers.describe();
  EXPECT_NE(peers.out.find("ok "), std::string::npos) << peers.describe();
  ::kill(proxy.pid(), SIGTERM);
  auto r = proxy.wait(10s);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("\"event\":\"proxy-summary\""), std::string::npos) << r.describe();
  return r.out;
}

// The number after "key": in the summary line.
long long stat(const std::string& out, const std::string& key) {
  auto at = out.find("\"" + key + "\":");
  return at == std::string::npos ? -1 : std::stoll(out.substr(at + key.size() + 3));
}

TEST(CliProxy, ForwardsBetweenPyzmqPubAndSub) {
  auto out = run({"--frontend", "xsub,bind:tcp://127.0.0.1:*", "--backend", "xpub,@tcp://127.0.0.1:*"},
                 "pubsub");
  EXPECT_GE(stat(out, "backend_messages_in"), 1) << out;   // the subscription, upstream
  EXPECT_GE(stat(out, "backend_messages_out"), 5) << out;  // the messages, downstream
}

TEST(CliProxy, ForwardsBetweenPyzmqReqClientsAndRepWorkers) {
  auto out = run({"--frontend", "router,bind:tcp://127.0.0.1:*", "--backend", "dealer,bind:tcp://127.0.0.1:*"},
                 "reqrep");
  EXPECT_EQ(stat(out, "frontend_messages_in"), 15) << out;
  EXPECT_EQ(stat(out, "frontend_messages_out"), 15) << out;
}

TEST(CliProxy, CurveFrontendForwardsToAPlainBackend) {
  auto out = run({"--frontend", "router,bind:tcp://127.0.0.1:*", "--frontend-curve-server-secret",
                  test::server_secret, "--backend", "dealer,bind:tcp://127.0.0.1:*"},
                 "reqrep", {test::server_public});
  EXPECT_EQ(stat(out, "backend_messages_in"), 15) << out;
}

TEST(CliProxy, BadArgumentsSayWhatWasWrong) {
  auto r = test::run_process({CAFMQ_CLI_PATH, "proxy", "--frontend", "router,tcp://*:5555",
                              "--backend", "dealer,bind:tcp://127.0.0.1:*"}, 10s);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("needs bind: or connect:"), std::string::npos) << r.describe();
  r = test::run_process({CAFMQ_CLI_PATH, "proxy", "--frontend", "pull,bind:tcp://127.0.0.1:*",
                         "--backend", "pull,bind:tcp://127.0.0.1:*"}, 10s);
  EXPECT_EQ(r.exit_code, 2) << r.describe();  // a bad command line, refused before any bind
  EXPECT_NE(r.err.find("nothing to forward"), std::string::npos) << r.describe();
  r = test::run_process({CAFMQ_CLI_PATH, "proxy", "--frontend", "router,bind:tcp://127.0.0.1:*",
                         "--backend", "dealer,bind:tcp://127.0.0.1:*", "--backend-sndhwm", "x"}, 10s);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("--backend: --sndhwm"), std::string::npos) << r.describe();
}

} // namespace
} // namespace cafmq
