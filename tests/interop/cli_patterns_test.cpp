// The CLI's pattern commands and options against cafmq, libzmq and pyzmq peers: echo and request
// (REQ/REP, ROUTER keeping the envelope, DEALER), recv --subscribe with send --wait-subscribers
// (prefix filtering, nothing received without a subscription), --interval-ms, --routing-id seen
// through a ROUTER, and the usage errors of types that cannot play a command's role.
#include "interop/zmq_peer.hpp"
#include "support/child_process.hpp"
#include "support/process_expect.hpp"
#include "support/deadline.hpp"
#include "support/ports.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
namespace zmq = test::zmq;
using test::child_process;
using frames = std::vector<std::string>;

const std::string cli = CAFMQ_CLI_PATH;
const std::string python = CAFMQ_PYTHON;
constexpr auto process_budget = 30000ms;

using test::expect_success;

TEST(CliEchoRequest, RequestPrintsEachReplyFromACafmqRepEcho) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  child_process echo{{cli, "echo", "--type", "rep", "--bind", ep, "--count", "3"}};
  auto r = test::run_process({cli, "request", "--type", "req", "--connect", ep, "--count", "3",
                              "--timeout-ms", "10000", "hello", "world"},
                             process_budget);
  expect_success(r, "cafmq request");
  EXPECT_EQ(r.out, "[\"hello\",\"world\"]\n[\"hello\",\"world\"]\n[\"hello\",\"world\"]\n");
  auto e = echo.wait(process_budget);
  expect_success(e, "cafmq echo");
  EXPECT_EQ(e.out, "") << "echo prints nothing on stdout";
}

TEST(CliEchoRequest, RouterEchoSendsEachMessageBackToItsLibzmqDealer) {
  child_process echo{{cli, "echo", "--type", "router", "--bind", "tcp://127.0.0.1:*", "--count",
                      "2"}};
  auto bound = echo.wait_for_line("bound ", 10000ms);
  ASSERT_FALSE(bound.empty()) << echo.wait(1000ms).describe();
  zmq::context zctx;
  zmq::socket one{zctx, ZMQ_DEALER};
  zmq::socket two{zctx, ZMQ_DEALER};
  one.connect(bound.substr(6));
  two.connect(bound.substr(6));
  ASSERT_TRUE(one.send({"from", "one"}));
  ASSERT_TRUE(two.send({"from", "two"}));
  EXPECT_EQ(one.recv(10000ms), (frames{"from", "one"})) << "the envelope routed it back";
  EXPECT_EQ(two.recv(10000ms), (frames{"from", "two"}));
  expect_success(echo.wait(process_budget), "cafmq echo");
}

TEST(CliEchoRequest, DealerRequestToAPyzmqRepNeedsTheDelimiterAndPrintsIt) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  const std::string rep_echo = R"PY(
import sys, zmq
s = zmq.Context().socket(zmq.REP)
s.bind(sys.argv[1])
s.rcvtimeo = 20000
s.send_multipart(s.recv_multipart())
s.close(linger=5000)
)PY";
  child_process rep{{python, "-c", rep_echo, ep}};
  auto r = test::run_process({cli, "request", "--type", "dealer", "--connect", ep,
                              "--timeout-ms", "10000", "", "ping"},
                             process_budget);
  expect_success(r, "cafmq request");
  EXPECT_EQ(r.out, "[\"\",\"ping\"]\n");
  expect_success(rep.wait(process_budget), "pyzmq rep");
}

TEST(CliEchoRequest, PyzmqReqGetsItsRequestBackFromCafmqEcho) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  child_process echo{{cli, "echo", "--type", "rep", "--bind", ep, "--count", "1"}};
  const std::string req = R"PY(
import sys, zmq
s = zmq.Context().socket(zmq.REQ)
s.rcvtimeo = 20000
s.connect(sys.argv[1])
s.send_multipart([b"a", b"\xff"])
print(s.recv_multipart())
s.close()
)PY";
  auto r = test::run_process({python, "-c", req, ep}, process_budget);
  expect_success(r, "pyzmq req");
  EXPECT_EQ(r.out, "[b'a', b'\\xff']\n");
  expect_success(echo.wait(process_budget), "cafmq echo");
}

TEST(CliEchoRequest, RequestWithoutAPeerTimesOutWithExitOne) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  auto r = test::run_process({cli, "request", "--type", "req", "--connect", ep, "--timeout-ms",
                              "300", "anyone"},
                             process_budget);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("timed out"), std::string::npos) << r.describe();
  EXPECT_EQ(r.out, "");
}

TEST(CliRoutingId, ALibzmqRouterSeesTheRequestsRoutingId) {
  zmq::context zctx;
  zmq::socket router{zctx, ZMQ_ROUTER};
  router.bind("tcp://127.0.0.1:*");
  child_process req{{cli, "request", "--type", "req", "--connect", router.last_endpoint(),
                     "--routing-id", "client-7", "--timeout-ms", "10000", "q"}};
  auto m = router.recv(10000ms);
  ASSERT_TRUE(m.has_value()) << req.wait(1000ms).describe();
  EXPECT_EQ(*m, (frames{"client-7", "", "q"}));
  ASSERT_TRUE(router.send({"client-7", "", "a"}));
  auto r = req.wait(process_budget);
  expect_success(r, "cafmq request");
  EXPECT_EQ(r.out, "[\"a\"]\n");
}

TEST(CliPubSub, RecvSubscribedToAPrefixGetsOnlyMatchingMessagesFromCafmqSend) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  child_process recv{{cli, "recv", "--type", "sub", "--connect", ep, "--subscribe", "app",
                      "--count", "2", "--timeout-ms", "20000"}};
  // The publisher waits for the subscription, so nothing is lost to the join.
  expect_success(test::run_process({cli, "send", "--type", "pub", "--bind", ep,
                                    "--wait-subscribers", "1", "--timeout-ms", "20000",
                                    "--linger-ms", "5000", "banana"},
                                   process_budget),
                 "cafmq send banana");
  expect_success(test::run_process({cli, "send", "--type", "pub", "--bind", ep,
                                    "--wait-subscribers", "1", "--timeout-ms", "20000",
                                    "--linger-ms", "5000", "--count", "2", "apple", "pie"},
                                   process_budget),
                 "cafmq send apple");
  auto r = recv.wait(process_budget);
  expect_success(r, "cafmq recv");
  EXPECT_EQ(r.out, "[\"apple\",\"pie\"]\n[\"apple\",\"pie\"]\n") << "banana was filtered out";
}

TEST(CliPubSub, XsubRecvSubscribesByMessageToALibzmqPub) {
  zmq::context zctx;
  zmq::socket pub{zctx, ZMQ_XPUB};  // an XPUB, to see the subscription arrive
  pub.bind("tcp://127.0.0.1:*");
  child_process recv{{cli, "recv", "--type", "xsub", "--connect", pub.last_endpoint(),
                      "--subscribe", "k", "--count", "1", "--timeout-ms", "20000"}};
  auto sub = pub.recv(10000ms);
  ASSERT_TRUE(sub.has_value()) << recv.wait(1000ms).describe();
  EXPECT_EQ(*sub, (frames{"\x01k"}));
  ASSERT_TRUE(pub.send({"x-not-mine"}));
  ASSERT_TRUE(pub.send({"key", "value"}));
  auto r = recv.wait(process_budget);
  expect_success(r, "cafmq recv");
  EXPECT_EQ(r.out, "[\"key\",\"value\"]\n");
}

TEST(CliPubSub, SendWaitsForALibzmqSubscriberThenDeliversEveryMessage) {
  child_process send{{cli, "send", "--type", "pub", "--bind", "tcp://127.0.0.1:*",
                      "--wait-subscribers", "1", "--timeout-ms", "20000", "--linger-ms", "5000",
                      "--count", "5", "news"}};
  auto bound = send.wait_for_line("bound ", 10000ms);
  ASSERT_FALSE(bound.empty()) << send.wait(1000ms).describe();
  zmq::context zctx;
  zmq::socket sub{zctx, ZMQ_SUB};
  ASSERT_EQ(zmq_setsockopt(sub.get(), ZMQ_SUBSCRIBE, "", 0), 0);
  sub.connect(bound.substr(6));
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(sub.recv(10000ms), (frames{"news"})) << "message " << i;
  expect_success(send.wait(process_budget), "cafmq send");
}

TEST(CliPubSub, WaitSubscribersTimesOutWithExitOneWhenNobodySubscribes) {
  auto r = test::run_process({cli, "send", "--type", "pub", "--bind", "tcp://127.0.0.1:*",
                              "--wait-subscribers", "1", "--timeout-ms", "300", "x"},
                             process_budget);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("subscriber"), std::string::npos) << r.describe();
}

TEST(CliSend, IntervalSpacesTheSends) {
  zmq::context zctx;
  zmq::socket pull{zctx, ZMQ_PULL};
  pull.bind("tcp://127.0.0.1:*");
  auto t0 = test::clock::now();
  auto r = test::run_process({cli, "send", "--type", "push", "--connect", pull.last_endpoint(),
                              "--count", "3", "--interval-ms", "150", "tick"},
                             process_budget);
  expect_success(r, "cafmq send");
  EXPECT_GE(test::elapsed_ms(t0), 300) << "two pauses of 150 ms";
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(pull.recv(10000ms), (frames{"tick"}));
}

struct usage_case {
  const char* name;
  std::vector<std::string> args;
  const char* says;
};

class CliPatternUsage : public ::testing::TestWithParam<usage_case> {};

TEST_P(CliPatternUsage, IsRefusedWithExitTwoSayingWhy) {
  auto args = GetParam().args;
  args.insert(args.begin(), cli);
  auto r = test::run_process(args, 10000ms);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find(GetParam().says), std::string::npos) << r.describe();
}

INSTANTIATE_TEST_SUITE_P(
  Roles, CliPatternUsage,
  ::testing::Values(
    usage_case{"EchoPub", {"echo", "--type", "pub", "--bind", "tcp://127.0.0.1:*"}, "echo needs"},
    usage_case{"RequestPush", {"request", "--type", "push", "--connect", "tcp://127.0.0.1:1", "x"},
               "request needs"},
    usage_case{"RequestWithoutFrame", {"request", "--type", "req", "--connect", "tcp://127.0.0.1:1"},
               "FRAME"},
    usage_case{"SubscribeOnPull",
               {"recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*", "--subscribe", "a"},
               "--subscribe needs"},
    usage_case{"WaitSubscribersOnPush",
               {"send", "--type", "push", "--bind", "tcp://127.0.0.1:*", "--wait-subscribers", "1",
                "x"},
               "--wait-subscribers needs"},
    usage_case{"EchoTakesNoFrames",
               {"echo", "--type", "rep", "--bind", "tcp://127.0.0.1:*", "stray"},
               "no positional"}),
  [](const auto& info) { return std::string(info.param.name); });

} // namespace
} // namespace cafmq
