// The CLI's security flags (issue #5's exact contract) between cafmq processes and with a pyzmq
// peer: CURVE with an allow list, PLAIN with a password file, and the refusals, which --events
// shows as handshake_failed with an auth reason while the allowed peer still gets through.
#include "support/child_process.hpp"
#include "support/process_expect.hpp"
#include "support/curve_test_keys.hpp"
#include "support/ports.hpp"
#include "unit/security/temp_dir.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::child_process;

const std::string cli = CAFMQ_CLI_PATH;
const std::string python = CAFMQ_PYTHON;
constexpr auto budget = 30000ms;

// Another key pair (libzmq's fuzzer keys), not on any allow list here.
const std::string stranger_public = "{{k*81)yMWEF{/BxdMd[5RL^qRFxBgoL<8m.D^KD";
const std::string stranger_secret = "N?Gmik8R[2ACw{b7*[-$S6[4}aO#?DB?#=<OQPc7";

using test::expect_success;

bool has_auth_failure(const std::string& events) {
  return events.find("\"event\":\"handshake_failed\"") != std::string::npos
         && events.find("auth") != std::string::npos;
}

TEST(CliCurve, AllowListAdmitsTheKnownClientAndRefusesAStranger) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  child_process server{{cli, "recv", "--type", "pull", "--bind", ep, "--count", "1",
                        "--timeout-ms", "20000", "--events", "--curve-server-secret",
                        test::server_secret, "--curve-allow", test::client_public}};
  auto stranger = test::run_process(
    {cli, "send", "--type", "push", "--connect", ep, "--linger-ms", "3000", "--events",
     "--curve-server-key", test::server_public, "--curve-public", stranger_public,
     "--curve-secret", stranger_secret, "intrusion"},
    budget);
  EXPECT_EQ(stranger.exit_code, 1) << stranger.describe();
  EXPECT_TRUE(has_auth_failure(stranger.err)) << stranger.err;

  auto client = test::run_process(
    {cli, "send", "--type", "push", "--connect", ep, "--curve-server-key", test::server_public,
     "--curve-public", test::client_public, "--curve-secret", test::client_secret, "secret"},
    budget);
  expect_success(client, "cafmq send");
  auto r = server.wait(budget);
  expect_success(r, "cafmq recv");
  EXPECT_EQ(r.out, "[\"secret\"]\n");
  EXPECT_TRUE(has_auth_failure(r.err)) << r.err;
}

TEST(CliCurve, EchoAndRequestTalkEncrypted) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  child_process server{{cli, "echo", "--type", "rep", "--bind", ep, "--count", "1",
                        "--curve-server-secret", test::server_secret}};
  auto r = test::run_process({cli, "request", "--type", "req", "--connect", ep,
                              "--curve-server-key", test::server_public, "--timeout-ms", "20000",
                              "ping", "two"},
                             budget);
  expect_success(r, "cafmq request");
  EXPECT_EQ(r.out, "[\"ping\",\"two\"]\n");
  expect_success(server.wait(budget), "cafmq echo");
}

TEST(CliCurve, PyzmqClientReachesACafmqServer) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  child_process server{{cli, "recv", "--type", "pull", "--bind", ep, "--count", "2",
                        "--timeout-ms", "20000", "--curve-server-secret", test::server_secret}};
  const std::string script = R"PY(
import sys, zmq
ep, server, pub, sec = sys.argv[1:5]
ctx = zmq.Context()
s = ctx.socket(zmq.PUSH)
s.curve_serverkey, s.curve_publickey, s.curve_secretkey = server.encode(), pub.encode(), sec.encode()
s.setsockopt(zmq.LINGER, 20000)
s.connect(ep)
s.send_multipart([b"from", b"pyzmq"])
s.send(b"done")
s.close()
ctx.term()
)PY";
  auto py = test::run_process({python, "-c", script, ep, test::server_public, test::client_public,
                               test::client_secret},
                              budget);
  expect_success(py, "pyzmq push");
  auto r = server.wait(budget);
  expect_success(r, "cafmq recv");
  EXPECT_EQ(r.out, "[\"from\",\"pyzmq\"]\n[\"done\"]\n");
}

TEST(CliPlain, PasswordFileAdmitsTheUserAndRefusesAWrongPassword) {
  test::temp_dir dir;
  auto passwords = dir.write("passwords", "# users\nadmin=secret\nguest=guest\n");
  auto ep = test::local_endpoint(test::free_tcp_port());
  child_process server{{cli, "recv", "--type", "pull", "--bind", ep, "--count", "1",
                        "--timeout-ms", "20000", "--plain-server", "--plain-passwords", passwords,
                        "--zap-domain", "test"}};
  auto intruder = test::run_process({cli, "send", "--type", "push", "--connect", ep, "--linger-ms",
                                     "3000", "--events", "--plain-user", "admin",
                                     "--plain-password", "guess", "intrusion"},
                                    budget);
  EXPECT_EQ(intruder.exit_code, 1) << intruder.describe();
  EXPECT_TRUE(has_auth_failure(intruder.err)) << intruder.err;
  auto user = test::run_process({cli, "send", "--type", "push", "--connect", ep, "--plain-user",
                                 "admin", "--plain-password", "secret", "hello"},
                                budget);
  expect_success(user, "cafmq send");
  auto r = server.wait(budget);
  expect_success(r, "cafmq recv");
  EXPECT_EQ(r.out, "[\"hello\"]\n");
}

TEST(CliSecurityUsage, InconsistentFlagsAreUsageErrors) {
  for (auto args : std::vector<std::vector<std::string>>{
         {"--plain-server"},                                       // no password file
         {"--curve-allow", test::client_public},                   // not a CURVE server
         {"--curve-server-key", test::server_public, "--curve-public", test::client_public},
         {"--plain-password", "x"}}) {
    std::vector<std::string> argv{cli, "recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = test::run_process(argv, budget);
    EXPECT_EQ(r.exit_code, 2) << r.describe();
  }
  auto bad_key = test::run_process({cli, "recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*",
                                    "--curve-server-secret", "short"},
                                   budget);
  EXPECT_EQ(bad_key.exit_code, 1) << bad_key.describe();
  EXPECT_NE(bad_key.err.find("curve_secretkey"), std::string::npos) << bad_key.err;
}

} // namespace
} // namespace cafmq
