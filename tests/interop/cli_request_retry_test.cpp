// `cafmq request --attempts N` (socket::request's semantics: resend after each timeout) against a
// pyzmq REP that dies with the first request unanswered and comes back on the same port; and the
// pattern flags reaching the socket (--router-mandatory).
#include "support/child_process.hpp"
#include "support/deadline.hpp"
#include "support/ports.hpp"
#include "support/process_expect.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::child_process;
using test::expect_success;

const std::string cli = CAFMQ_CLI_PATH;
const std::string python = CAFMQ_PYTHON;
constexpr auto budget = 30000ms;

// python3 -c SCRIPT ENDPOINT: a REP that takes the first request and dies without replying,
// then a new REP on the same endpoint that answers the next one with "pong". Prints "ready"
// once the first is bound, then what the second REP received.
const std::string flaky_rep = R"PY(
import sys, zmq
first_ctx = zmq.Context()
first = first_ctx.socket(zmq.REP)
first.rcvtimeo = 20000
first.bind(sys.argv[1])
print("ready", flush=True)
first.recv_multipart()
first.close(linger=0)
first_ctx.term()  # returns once the listener is gone: the port is free again
second = zmq.Context().socket(zmq.REP)
second.rcvtimeo = 20000
second.bind(sys.argv[1])
print(second.recv_multipart(), flush=True)
second.send(b"pong")
second.close(linger=5000)
)PY";

TEST(CliRequest, AttemptsResendAfterATimeoutToTheRepThatCameBack) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  child_process rep{{python, "-c", flaky_rep, ep}};
  ASSERT_EQ(rep.wait_for_line("ready", 20000ms, true), "ready");
  auto r = test::run_process({cli, "request", "--type", "req", "--connect", ep, "--timeout-ms",
                              "1000", "--attempts", "5", "ping"},
                             budget);
  expect_success(r, "cafmq request");
  EXPECT_EQ(r.out, "[\"pong\"]\n");
  auto p = rep.wait(budget);
  expect_success(p, "pyzmq rep");
  EXPECT_EQ(p.out, "ready\n[b'ping']\n");
}

TEST(CliRequest, OneAttemptFailsWhereTheRepDied) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  child_process rep{{python, "-c", flaky_rep, ep}};
  ASSERT_EQ(rep.wait_for_line("ready", 20000ms, true), "ready");
  auto r = test::run_process({cli, "request", "--type", "req", "--connect", ep, "--timeout-ms",
                              "1000", "ping"},
                             budget);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("timed out waiting for the reply"), std::string::npos) << r.err;
}

TEST(CliRequest, ASignalEndsAReqAttemptWithoutWaitingForItsTimeout) {
  auto nobody = test::local_endpoint(test::free_tcp_port());
  child_process req{{cli, "request", "--type", "req", "--connect", nobody, "--timeout-ms",
                     "60000", "--attempts", "3", "--events", "hello"}};
  ASSERT_FALSE(req.wait_for_line("{\"event\":\"connect_retried\"", 20000ms).empty());
  auto t0 = test::clock::now();
  ::kill(req.pid(), SIGINT);
  auto r = req.wait(budget);  // an attempt that ignored the signal would take 60 s
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("interrupted by SIGINT (request 1 of 1"), std::string::npos) << r.err;
  EXPECT_LT(test::elapsed_ms(t0), 10000);
}

TEST(CliRequest, ASendThatTimesOutIsNotReportedAsAMissingReply) {
  // --immediate: no connection, so no peer takes the request and every send times out.
  auto nobody = test::local_endpoint(test::free_tcp_port());
  auto r = test::run_process({cli, "request", "--type", "req", "--connect", nobody, "--immediate",
                              "--timeout-ms", "200", "--attempts", "2", "x"},
                             budget);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("send timed out after 200 ms (no peer took the request) after 2 attempts"),
            std::string::npos)
    << r.err;
  EXPECT_EQ(r.err.find("waiting for the reply"), std::string::npos) << r.err;
}

TEST(CliRequest, AttemptsNeedATimeout) {
  auto r = test::run_process({cli, "request", "--type", "req", "--connect", "tcp://127.0.0.1:9",
                              "--attempts", "3", "x"},
                             budget);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("--attempts needs --timeout-ms"), std::string::npos) << r.err;
}

TEST(CliPatternFlags, RouterMandatoryMakesAnUnroutableSendAnError) {
  auto port = test::free_tcp_port();
  auto ep = test::local_endpoint(port);
  // Without the flag the message to nobody is dropped, as libzmq's ROUTER does.
  auto lax = test::run_process({cli, "send", "--type", "router", "--bind", ep, "--timeout-ms",
                                "500", "--linger-ms", "0", "nobody", "x"},
                               budget);
  expect_success(lax, "cafmq send --type router");
  auto strict = test::run_process({cli, "send", "--type", "router", "--bind", ep,
                                   "--router-mandatory", "--timeout-ms", "500", "--linger-ms",
                                   "0", "nobody", "x"},
                                  budget);
  EXPECT_EQ(strict.exit_code, 1) << strict.describe();
  EXPECT_NE(strict.err.find("cafmq: error:"), std::string::npos) << strict.err;
}

TEST(CliPatternFlags, EveryPatternFlagIsAcceptedAndListedInHelp) {
  auto help = test::run_process({cli, "recv", "--help"}, budget);
  expect_success(help, "cafmq recv --help");
  for (const char* flag : {"--conflate", "--immediate", "--router-mandatory", "--router-handover",
                           "--probe-router", "--req-relaxed", "--req-correlate", "--xpub-verbose",
                           "--xpub-verboser", "--xpub-manual", "--xpub-nodrop"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
    auto r = test::run_process({cli, "recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*",
                                "--timeout-ms", "0", flag},
                               budget);
    EXPECT_EQ(r.exit_code, 1) << flag << ": " << r.describe();  // timed out, not a usage error
    EXPECT_NE(r.err.find("timed out"), std::string::npos) << flag << ": " << r.err;
  }
}

} // namespace
} // namespace cafmq
