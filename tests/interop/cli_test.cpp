// The `cafmq` CLI against independent ZeroMQ stacks (the acceptance criterion): a pyzmq PUSH
// feeds `cafmq recv`, `cafmq send` feeds a libzmq PULL, with the CLI binding and connecting;
// recv's JSON lines are checked byte for byte; timeouts and usage errors give the exit statuses.
#include "interop/zmq_peer.hpp"
#include "support/child_process.hpp"
#include "support/process_expect.hpp"
#include "support/deadline.hpp"
#include "support/ports.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
namespace zmq = test::zmq;
using test::child_process;

const std::string cli = CAFMQ_CLI_PATH;
const std::string python = CAFMQ_PYTHON;

// A pyzmq PUSH: python3 -c SCRIPT (bind|connect) ENDPOINT COUNT. Sends "m0".."m<COUNT-1>",
// then closes with linger so everything is written before it exits.
const std::string pyzmq_push = R"PY(
import sys, zmq
mode, ep, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = zmq.Context()
s = ctx.socket(zmq.PUSH)
s.setsockopt(zmq.LINGER, 30000)
s.setsockopt(zmq.SNDTIMEO, 30000)
s.bind(ep) if mode == "bind" else s.connect(ep)
for i in range(n):
    s.send(b"m%d" % i)
s.close()
ctx.term()
print("sent", n)
)PY";

constexpr auto process_budget = 60000ms;

using test::expect_success;

TEST(CliRecv, BoundQuietRecvCountsHundredThousandMessagesFromAConnectingPyzmqPush) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  child_process recv{{cli, "recv", "--type", "pull", "--bind", ep, "--count", "100000", "--quiet",
                      "--timeout-ms", "30000"}};
  child_process feeder{{python, "-c", pyzmq_push, "connect", ep, "100000"}};
  auto r = recv.wait(process_budget);
  auto f = feeder.wait(process_budget);
  expect_success(r, "cafmq recv");
  expect_success(f, "pyzmq push");
  EXPECT_EQ(r.out, "received 100000\n");
}

TEST(CliRecv, ConnectingRecvPrintsHundredThousandMessagesInOrderFromABoundPyzmqPush) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  child_process feeder{{python, "-c", pyzmq_push, "bind", ep, "100000"}};
  child_process recv{{cli, "recv", "--type", "pull", "--connect", ep, "--count", "100000",
                      "--timeout-ms", "30000"}};
  auto r = recv.wait(process_budget);
  auto f = feeder.wait(process_budget);
  expect_success(r, "cafmq recv");
  expect_success(f, "pyzmq push");
  std::istringstream lines{r.out};
  std::string line;
  int i = 0;
  for (; std::getline(lines, line); ++i)
    if (line != "[\"m" + std::to_string(i) + "\"]") {
      ADD_FAILURE() << "line " << i << " is " << line;
      break;
    }
  EXPECT_EQ(i, 100000);
}

TEST(CliRecv, JsonLinesEscapeQuotesAndControlsAndGiveNonUtf8FramesAsBase64) {
  zmq::context zctx;
  zmq::socket push{zctx, ZMQ_PUSH};
  push.set(ZMQ_SNDTIMEO, 10000);
  push.bind("tcp://127.0.0.1:*");
  child_process recv{{cli, "recv", "--type", "pull", "--connect", push.last_endpoint(), "--count",
                      "5", "--timeout-ms", "10000"}};
  ASSERT_TRUE(push.send({"a", "b"}));
  ASSERT_TRUE(push.send({"\xff"}));
  ASSERT_TRUE(push.send({"say \"hi\""}));
  ASSERT_TRUE(push.send({"", "back\\slash", "tab\tnew\nline", std::string("nul\0", 4)}));
  ASSERT_TRUE(push.send({"caf\xc3\xa9", "\xc3"}));  // valid UTF-8 passes; a lone lead byte: base64
  auto r = recv.wait(20000ms);
  expect_success(r, "cafmq recv");
  EXPECT_EQ(r.out,
            "[\"a\",\"b\"]\n"
            "[{\"base64\":\"/w==\"}]\n"
            "[\"say \\\"hi\\\"\"]\n"
            "[\"\",\"back\\\\slash\",\"tab\\tnew\\nline\",\"nul\\u0000\"]\n"
            "[\"caf\xc3\xa9\",{\"base64\":\"ww==\"}]\n");
}

TEST(CliRecv, TimeoutWithoutMessagesExitsOneWithAnErrorOnStderr) {
  auto t0 = test::clock::now();
  auto r = test::run_process({cli, "recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*",
                              "--count", "1", "--timeout-ms", "200"},
                             10000ms);
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("timed out"), std::string::npos) << r.describe();
  EXPECT_EQ(r.out, "") << "nothing was received, nothing may be printed";
  EXPECT_GE(test::elapsed_ms(t0), 150);
}

// Receives up to `count` messages from a libzmq PULL, each of which must equal `expected`; returns
// how many arrived before a gap of 10 s, a wrong message or the process budget.
int receive_all_equal(zmq::socket& pull, const std::vector<std::string>& expected, int count) {
  int got = 0;
  test::deadline d{process_budget};
  for (; got < count && !d.expired(); ++got) {
    auto m = pull.recv(10000ms);
    if (!m)
      break;
    if (*m != expected) {
      ADD_FAILURE() << "message " << got << " malformed (" << m->size() << " frames)";
      break;
    }
  }
  return got;
}

TEST(CliSend, ConnectingSendDeliversHundredThousandMessagesToALibzmqPull) {
  zmq::context zctx;
  zmq::socket pull{zctx, ZMQ_PULL};
  pull.bind("tcp://127.0.0.1:*");
  child_process send{{cli, "send", "--type", "push", "--connect", pull.last_endpoint(), "--count",
                      "100000", "msg"}};
  int got = receive_all_equal(pull, {"msg"}, 100000);
  auto r = send.wait(process_budget);
  expect_success(r, "cafmq send");
  EXPECT_EQ(got, 100000);
  EXPECT_FALSE(pull.recv(20ms).has_value()) << "more than --count messages";
}

TEST(CliSend, BoundSendDeliversHundredThousandMultipartMessagesToAConnectingLibzmqPull) {
  child_process send{{cli, "send", "--type", "push", "--bind", "tcp://127.0.0.1:*", "--count",
                      "100000", "head", "", "tail"}};
  // The CLI reports the port it was given on stderr ("bound tcp://127.0.0.1:PORT").
  auto bound = send.wait_for_line("bound ", 10000ms);
  ASSERT_FALSE(bound.empty()) << "no 'bound' line: " << send.wait(1000ms).describe();
  zmq::context zctx;
  zmq::socket pull{zctx, ZMQ_PULL};
  pull.connect(bound.substr(6));
  int got = receive_all_equal(pull, {"head", "", "tail"}, 100000);
  auto r = send.wait(process_budget);
  expect_success(r, "cafmq send");
  EXPECT_EQ(got, 100000);
}

TEST(CliSend, BoundSendOnAFixedPortReachesALibzmqPullThatConnectedFirst) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  zmq::context zctx;
  zmq::socket pull{zctx, ZMQ_PULL};
  pull.connect(ep);  // libzmq retries until the CLI listens
  child_process send{{cli, "send", "--type", "push", "--bind", ep, "--count", "3", "x", "y"}};
  for (int i = 0; i < 3; ++i) {
    auto m = pull.recv(10000ms);
    ASSERT_TRUE(m.has_value()) << "message " << i << " missing; cli: "
                               << send.wait(1000ms).describe();
    EXPECT_EQ(*m, (std::vector<std::string>{"x", "y"}));
  }
  expect_success(send.wait(10000ms), "cafmq send");
}

TEST(CliUsage, MissingTypeIsAUsageErrorWithExitTwo) {
  auto r = test::run_process({cli, "recv", "--bind", "tcp://127.0.0.1:*"}, 10000ms);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("--type"), std::string::npos) << r.describe();
}

TEST(CliUsage, InvalidEndpointIsARuntimeErrorNamingIt) {
  auto r = test::run_process({cli, "send", "--type", "push", "--connect", "udp://x:1", "m"},
                             10000ms);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("udp://x:1"), std::string::npos) << r.describe();
}

} // namespace
} // namespace cafmq
