// Final errors that name their root cause (docs/cli.md, "Errors and exit statuses"): a wrong
// CURVE server key, a refused connection, giving up after --reconnect-max-attempts, a peer that
// does not speak ZMTP; numbers out of range are usage errors naming the flag.
#include "support/child_process.hpp"
#include "support/curve_test_keys.hpp"
#include "support/deadline.hpp"
#include "support/ports.hpp"
#include "support/process_expect.hpp"
#include "support/sanitizers.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::child_process;

const std::string cli = CAFMQ_CLI_PATH;
const std::string python = CAFMQ_PYTHON;
constexpr auto budget = 30000ms;

/// Expects exit status 1 with `cause` in the one error line.
void expect_failure_naming(const test::process_result& r, const std::string& cause) {
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("cafmq: error: " + cause), std::string::npos) << r.err;
}

TEST(CliRootCause, WrongCurveServerKeyIsAnAuthenticationFailure) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  child_process server{{cli, "recv", "--type", "pull", "--bind", ep, "--count", "1",
                        "--timeout-ms", "3000", "--curve-server-secret", test::server_secret}};
  // Encrypted for the client's public key, which is not the server's.
  auto r = test::run_process({cli, "send", "--type", "push", "--connect", ep, "--linger-ms",
                              "1000", "--curve-server-key", test::client_public, "x"},
                             budget);
  // The cause comes first; the linger that expired is only the consequence.
  expect_failure_naming(r, "authentication failed (CURVE: server key does not match");
  server.wait(budget);
}

TEST(CliRootCause, NobodyListeningIsConnectionRefused) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  auto r = test::run_process(
    {cli, "send", "--type", "push", "--connect", ep, "--linger-ms", "300", "x"}, budget);
  expect_failure_naming(r, "connection refused (" + ep + ")");
  auto t = test::run_process(
    {cli, "recv", "--type", "pull", "--connect", ep, "--timeout-ms", "300"}, budget);
  EXPECT_EQ(t.exit_code, 1) << t.describe();
  EXPECT_NE(t.err.find("cafmq: error: connection refused (" + ep
                       + "): timed out: no message within 300 ms (received 0)"),
            std::string::npos)
    << t.err;
}

TEST(CliRootCause, GivingUpSaysHowManyAttemptsAndWhy) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  // Default linger (-1): the close ends because nothing is left to write to, not by a timer.
  auto r = test::run_process({cli, "send", "--type", "push", "--connect", ep,
                              "--reconnect-max-attempts", "2", "x"},
                             budget);
  expect_failure_naming(r, "gave up after 2 attempts");
  EXPECT_NE(r.err.find("connection refused"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("linger of -1 ms"), std::string::npos) << r.err;
}

TEST(CliRootCause, TheCauseIsFoundAmongSeveralEndpoints) {
  // The listener's `closed` is no reason to stop waiting for the connector's last word.
  auto nobody = test::local_endpoint(test::free_tcp_port());
  auto r = test::run_process({cli, "send", "--type", "push", "--bind", "tcp://127.0.0.1:*",
                              "--connect", nobody, "--reconnect-max-attempts", "2", "x"},
                             budget);
  expect_failure_naming(r, "gave up after 2 attempts to reconnect (--reconnect-max-attempts) to "
                             + nobody + "; the last attempt: connection refused (" + nobody
                             + "): 1 of 1 message(s) discarded");
}

// A TCP server that answers like HTTP: python3 -c SCRIPT PORT. Says "ready" once listening.
const std::string http_server = R"PY(
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
s.settimeout(20)
print("ready", flush=True)
while True:
    try:
        c, _ = s.accept()
    except socket.timeout:
        break
    c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    c.close()
)PY";

TEST(CliRootCause, AnHttpServerDoesNotSpeakZmtp) {
  auto port = test::free_tcp_port();
  child_process http{{python, "-c", http_server, std::to_string(port)}};
  ASSERT_EQ(http.wait_for_line("ready", 20000ms, true), "ready");
  auto r = test::run_process({cli, "send", "--type", "push", "--connect",
                              test::local_endpoint(port), "--linger-ms", "1000", "x"},
                             budget);
  expect_failure_naming(r, "peer does not speak ZMTP (no 0xFF signature)");
}

TEST(CliRootCause, OutOfRangeNumbersNameTheFlagAndExitTwo) {
  const std::vector<std::pair<std::string, std::string>> cases = {
    {"--sndhwm", "2000000"},           {"--rcvhwm", "-1"},
    {"--linger-ms", "-2"},             {"--timeout-ms", "99999999999"},
    {"--heartbeat-ttl-ms", "7000000"}, {"--count", "0"},
    {"--maxmsgsize", "-5"},            {"--reconnect-ivl-ms", "x"},
  };
  for (auto& [flag, value] : cases) {
    auto r = test::run_process({cli, "recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*",
                                flag, value},
                               budget);
    EXPECT_EQ(r.exit_code, 2) << flag << " " << value << ": " << r.describe();
    EXPECT_NE(r.err.find("cafmq: error: " + flag + ": expected an integer"), std::string::npos)
      << r.err;
  }
  auto attempts = test::run_process({cli, "request", "--type", "req", "--connect",
                                     "tcp://127.0.0.1:9", "--attempts", "0", "x"},
                                    budget);
  EXPECT_EQ(attempts.exit_code, 2) << attempts.describe();
  EXPECT_NE(attempts.err.find("--attempts"), std::string::npos) << attempts.err;
}

TEST(CliTimeout, SubConnectedToNobodyTimesOutWithinASecond) {
  auto nobody = test::local_endpoint(test::free_tcp_port());
  auto t0 = test::clock::now();
  auto r = test::run_process({cli, "recv", "--type", "sub", "--connect", nobody, "--subscribe",
                              "x", "--timeout-ms", "500"},
                             budget);
  auto ms = test::elapsed_ms(t0);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("timed out"), std::string::npos) << r.err;
  // The acceptance bound: 1 s from start to exit. A sanitizer build starts the process several
  // times slower; a close lingering on the subscription would hang far beyond either bound.
  EXPECT_LT(ms, test::sanitized_build ? 3000 : 1000)
    << "the close lingered on the subscription nobody could take";
}

TEST(CliSignals, ASecondSignalAbortsALingeringClose) {
  auto nobody = test::local_endpoint(test::free_tcp_port());
  // A DEALER queues the request for the peer it will connect to; the close would linger 60 s.
  child_process req{{cli, "request", "--type", "dealer", "--connect", nobody, "--linger-ms",
                     "60000", "--events", "hello"}};
  ASSERT_FALSE(req.wait_for_line("{\"event\":\"connect_retried\"", 20000ms).empty());
  ::kill(req.pid(), SIGINT);
  auto error = req.wait_for_line("cafmq: error: ", 20000ms);
  ASSERT_NE(error.find("interrupted"), std::string::npos)
    << "the first signal ends the request, and the error is printed before the close: " << error;
  auto t0 = test::clock::now();
  ::kill(req.pid(), SIGTERM);
  auto r = req.wait(budget);
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("cafmq: second signal: exiting at once"), std::string::npos) << r.err;
  EXPECT_LT(test::elapsed_ms(t0), 10000);
}

} // namespace
} // namespace cafmq
