// Secrets kept off the command line (docs/cli.md, "Secrets"): CURVE keys from the zcert files
// `cafmq keygen --cert` writes, PLAIN passwords from a file or an environment variable; a
// missing source is an error that names the option.
#include "support/child_process.hpp"
#include "support/ports.hpp"
#include "support/process_expect.hpp"
#include "unit/security/temp_dir.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::child_process;
using test::expect_success;

const std::string cli = CAFMQ_CLI_PATH;
constexpr auto budget = 30000ms;

void keygen(const std::string& cert) {
  expect_success(test::run_process({cli, "keygen", "--cert", cert}, budget), "cafmq keygen");
}

TEST(CliSecrets, CurveServerAndClientTakeTheirKeysFromZcertFiles) {
  test::temp_dir dir;
  auto server = dir.file("server");
  auto client = dir.file("client");
  keygen(server);
  keygen(client);
  auto ep = test::local_endpoint(test::free_tcp_port());
  child_process recv{{cli, "recv", "--type", "pull", "--bind", ep, "--count", "1",
                      "--timeout-ms", "20000", "--curve-server", "--curve-cert",
                      server + "_secret", "--curve-allow-cert", client}};
  auto s = test::run_process({cli, "send", "--type", "push", "--connect", ep,
                              "--curve-server-cert", server, "--curve-cert", client + "_secret",
                              "--linger-ms", "20000", "sealed"},
                             budget);
  expect_success(s, "cafmq send");
  auto r = recv.wait(budget);
  expect_success(r, "cafmq recv");
  EXPECT_EQ(r.out, "[\"sealed\"]\n");
}

TEST(CliSecrets, AClientCertThatIsNotAllowedIsRefused) {
  test::temp_dir dir;
  keygen(dir.file("server"));
  keygen(dir.file("allowed"));
  keygen(dir.file("other"));
  auto ep = test::local_endpoint(test::free_tcp_port());
  child_process recv{{cli, "recv", "--type", "pull", "--bind", ep, "--count", "1",
                      "--timeout-ms", "3000", "--curve-server", "--curve-cert",
                      dir.file("server_secret"), "--curve-allow-cert", dir.file("allowed")}};
  auto s = test::run_process({cli, "send", "--type", "push", "--connect", ep,
                              "--curve-server-cert", dir.file("server"), "--curve-cert",
                              dir.file("other_secret"), "--linger-ms", "1000", "x"},
                             budget);
  EXPECT_EQ(s.exit_code, 1) << s.describe();
  auto r = recv.wait(budget);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_EQ(r.out, "");
}

TEST(CliSecrets, PlainPasswordFromAFileOrAnEnvironmentVariable) {
  test::temp_dir dir;
  auto passwords = dir.write("passwords", "admin=s3cret\n");
  auto password_file = dir.write("pw", "s3cret\n");  // one trailing newline is not part of it
  auto ep = test::local_endpoint(test::free_tcp_port());
  child_process recv{{cli, "recv", "--type", "pull", "--bind", ep, "--count", "2",
                      "--timeout-ms", "20000", "--plain-server", "--plain-passwords", passwords}};
  auto from_file = test::run_process({cli, "send", "--type", "push", "--connect", ep,
                                      "--plain-user", "admin", "--plain-password-file",
                                      password_file, "--linger-ms", "20000", "file"},
                                     budget);
  expect_success(from_file, "cafmq send --plain-password-file");
  auto from_env = test::run_process({"/usr/bin/env", "CAFMQ_TEST_PW=s3cret", cli, "send",
                                     "--type", "push", "--connect", ep, "--plain-user", "admin",
                                     "--plain-password-env", "CAFMQ_TEST_PW", "--linger-ms",
                                     "20000", "env"},
                                    budget);
  expect_success(from_env, "cafmq send --plain-password-env");
  auto r = recv.wait(budget);
  expect_success(r, "cafmq recv");
  EXPECT_EQ(r.out, "[\"file\"]\n[\"env\"]\n");
}

TEST(CliSecrets, MissingSourcesNameTheOption) {
  auto unset = test::run_process({"/usr/bin/env", "-u", "CAFMQ_TEST_UNSET", cli, "send", "--type",
                                  "push", "--connect", "tcp://127.0.0.1:9", "--plain-user", "u",
                                  "--plain-password-env", "CAFMQ_TEST_UNSET", "x"},
                                 budget);
  EXPECT_EQ(unset.exit_code, 2) << unset.describe();
  EXPECT_NE(unset.err.find("--plain-password-env: environment variable CAFMQ_TEST_UNSET is not set"),
            std::string::npos)
    << unset.err;

  auto no_file = test::run_process({cli, "send", "--type", "push", "--connect",
                                    "tcp://127.0.0.1:9", "--curve-server-key",
                                    "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
                                    "--curve-secret-file", "/nonexistent/key", "x"},
                                   budget);
  EXPECT_EQ(no_file.exit_code, 1) << no_file.describe();
  EXPECT_NE(no_file.err.find("--curve-secret-file: cannot open '/nonexistent/key'"),
            std::string::npos)
    << no_file.err;

  test::temp_dir dir;
  keygen(dir.file("c"));
  auto public_only = test::run_process({cli, "send", "--type", "push", "--connect",
                                        "tcp://127.0.0.1:9", "--curve-server-cert", dir.file("c"),
                                        "--curve-cert", dir.file("c"), "x"},
                                       budget);
  EXPECT_EQ(public_only.exit_code, 1) << public_only.describe();
  EXPECT_NE(public_only.err.find("--curve-cert"), std::string::npos) << public_only.err;
  EXPECT_NE(public_only.err.find("no secret key"), std::string::npos) << public_only.err;
}

TEST(CliSecrets, ACertAndAnotherSourceOfOurKeysAreAUsageError) {
  test::temp_dir dir;
  keygen(dir.file("c"));
  const std::string key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
  const std::vector<std::pair<std::string, std::string>> cases = {
    {"--curve-public", key}, {"--curve-secret", key}, {"--curve-server-secret", key}};
  for (auto& [flag, value] : cases) {
    for (bool cert_first : {true, false}) {
      std::vector<std::string> argv = {cli, "send", "--type", "push", "--connect",
                                       "tcp://127.0.0.1:9", "--curve-server-cert", dir.file("c")};
      std::vector<std::string> cert = {"--curve-cert", dir.file("c_secret")};
      std::vector<std::string> other = {flag, value};
      for (auto& part : cert_first ? std::vector{cert, other} : std::vector{other, cert})
        argv.insert(argv.end(), part.begin(), part.end());
      argv.push_back("x");
      auto r = test::run_process(argv, budget);
      EXPECT_EQ(r.exit_code, 2) << flag << ": " << r.describe();
      EXPECT_NE(r.err.find("--curve-cert and " + flag + " both give our CURVE keys"),
                std::string::npos)
        << r.err;
    }
  }
}

TEST(CliSecrets, CurveAllowWithoutAServerNamesEveryWayToBeOne) {
  auto r = test::run_process({cli, "recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*",
                              "--curve-allow", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"},
                             budget);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("need a CURVE server (--curve-server, or --curve-server-secret, -file or "
                       "-env)"),
            std::string::npos)
    << r.err;
}

TEST(CliSecrets, ASecretFileThatCannotBeReadIsAnError) {
  test::temp_dir dir;
  auto subdir = dir.path().string();  // a directory: it opens, but reading it fails (EISDIR)
  auto r = test::run_process({cli, "send", "--type", "push", "--connect", "tcp://127.0.0.1:9",
                              "--plain-user", "u", "--plain-password-file", subdir, "x"},
                             budget);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("cafmq: error: --plain-password-file: '" + subdir
                       + "': cannot read: Is a directory"),
            std::string::npos)
    << r.err;
  auto big = dir.write("big", std::string(70000, 'k'));
  auto b = test::run_process({cli, "send", "--type", "push", "--connect", "tcp://127.0.0.1:9",
                              "--plain-user", "u", "--plain-password-file", big, "x"},
                             budget);
  EXPECT_EQ(b.exit_code, 1) << b.describe();
  EXPECT_NE(b.err.find("larger than 65536 bytes"), std::string::npos) << b.err;
}

} // namespace
} // namespace cafmq
