// The CLI's endpoints: every scheme reaches the library as given (ipc://, inproc://, tcp source
// and interface forms are not refused or rewritten by the CLI), "bound ..." reports an address
// the bind picked, --no-ipv6 keeps "*" to IPv4, and a pyzmq peer round-trips over ipc.
#include "support/child_process.hpp"
#include "support/process_expect.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <unistd.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::child_process;

const std::string cli = CAFMQ_CLI_PATH;
const std::string python = CAFMQ_PYTHON;
constexpr auto process_budget = 30000ms;

TEST(CliEndpoints, WildcardBindReportsWhatIsReallyBound) {
  child_process recv{{cli, "recv", "--type", "pull", "--bind", "tcp://*:*", "--timeout-ms", "50"}};
  auto r = recv.wait(process_budget);
  EXPECT_EQ(r.exit_code, 1) << r.describe();  // timed out: nothing was sent
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(bound tcp://(\[::\]|0\.0\.0\.0):[0-9]+\n)")))
    << r.err;
}

TEST(CliEndpoints, NoIpv6BindsTheWildcardToIpv4Only) {
  child_process recv{{cli, "recv", "--type", "pull", "--no-ipv6", "--bind", "tcp://*:*",
                      "--timeout-ms", "50"}};
  auto r = recv.wait(process_budget);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(bound tcp://0\.0\.0\.0:[0-9]+\n)"))) << r.err;
}

TEST(CliEndpoints, InterfaceNamesAndSourceAddressesPassThrough) {
  child_process recv{{cli, "recv", "--type", "pull", "--bind", "tcp://lo:*", "--timeout-ms", "50"}};
  auto r = recv.wait(process_budget);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(bound tcp://127\.0\.0\.1:[0-9]+\n)"))) << r.err;
  // A source address: the connect is accepted as given; it just finds nobody (port 9: discard,
  // not served here) and the error names the endpoint unchanged.
  child_process send{{cli, "send", "--type", "push", "--connect", "tcp://127.0.0.1:*;127.0.0.1:9",
                      "--linger-ms", "100", "--timeout-ms", "50", "x"}};
  auto s = send.wait(process_budget);
  EXPECT_EQ(s.exit_code, 1) << s.describe();
  EXPECT_NE(s.err.find("connection refused (tcp://127.0.0.1:*;127.0.0.1:9)"), std::string::npos)
    << s.err;
}

TEST(CliEndpoints, InprocIsAcceptedWithinOneProcess) {
  child_process recv{{cli, "recv", "--type", "pull", "--bind", "inproc://cli-endpoints",
                      "--timeout-ms", "50"}};
  auto r = recv.wait(process_budget);
  EXPECT_EQ(r.exit_code, 1) << r.describe();  // bound, then timed out waiting
  EXPECT_NE(r.err.find("no message"), std::string::npos) << r.err;
}

// A pyzmq PUSH connecting over ipc sends one message to `cafmq recv --bind ipc://...`.
TEST(CliEndpoints, IpcBindReceivesFromAPyzmqPush) {
  auto path = "/tmp/cafmq-cli-endpoints-" + std::to_string(::getpid()) + ".sock";
  auto ep = "ipc://" + path;
  child_process recv{{cli, "recv", "--type", "pull", "--bind", ep, "--count", "1",
                      "--timeout-ms", "20000"}};
  const std::string push = R"PY(
import sys, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.PUSH)
s.setsockopt(zmq.LINGER, 20000)
s.connect(sys.argv[1])
s.send(b"over ipc")
s.close()
ctx.term()
)PY";
  child_process feeder{{python, "-c", push, ep}};
  auto r = recv.wait(process_budget);
  auto f = feeder.wait(process_budget);
  test::expect_success(r, "cafmq recv");
  test::expect_success(f, "pyzmq push");
  EXPECT_EQ(r.out, "[\"over ipc\"]\n");
  ::unlink(path.c_str());
}

} // namespace
} // namespace cafmq
