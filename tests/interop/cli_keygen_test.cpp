// `cafmq keygen`: the printed pair belongs together, --cert writes a zcert pair (secret file
// mode 0600) that cafmq's reader and pyzmq's zmq.auth.load_certificate both read back with the
// same keys, existing files are never overwritten, and bad arguments are usage errors.
#include "support/child_process.hpp"
#include "unit/security/temp_dir.hpp"

#include "runtime/core/error.hpp"
#include "security/curve_keys.hpp"
#include "security/zcert.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::child_process;

const std::string cli = CAFMQ_CLI_PATH;
const std::string python = CAFMQ_PYTHON;
constexpr auto process_budget = 30000ms;

test::process_result run(std::vector<std::string> argv) {
  child_process p{std::move(argv)};
  return p.wait(process_budget);
}

/// The value after "NAME: " on the line starting with it, or "".
std::string field(const std::string& out, const std::string& name) {
  std::istringstream lines{out};
  std::string line;
  while (std::getline(lines, line))
    if (line.rfind(name + ": ", 0) == 0)
      return line.substr(name.size() + 2);
  return {};
}

std::string slurp(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(CliKeygen, PrintsAZ85PairWhoseSecretKeyYieldsItsPublicKey) {
  auto r = run({cli, "keygen"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto pub = field(r.out, "public");
  auto sec = field(r.out, "secret");
  ASSERT_EQ(pub.size(), 40u) << r.out;
  ASSERT_EQ(sec.size(), 40u) << r.out;
  EXPECT_EQ(r.out, "public: " + pub + "\nsecret: " + sec + "\n");
  EXPECT_EQ(security::public_key_of(security::curve_key::from_z85(sec)).z85(), pub);
  auto again = run({cli, "keygen"});
  EXPECT_NE(field(again.out, "public"), pub) << "two runs gave the same key";
}

TEST(CliKeygen, CertWritesAZcertPairReadableByCafmqWithTheSecretAtMode0600) {
  test::temp_dir dir;
  auto path = dir.file("server.cert");
  auto r = run({cli, "keygen", "--cert", path});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto printed = field(r.out, "public");
  EXPECT_EQ(r.out, "public: " + printed + "\n");  // the secret is not printed

  auto pub = security::load_zcert(path);
  EXPECT_EQ(pub.public_key.z85(), printed);
  EXPECT_FALSE(pub.secret_key.has_value());
  auto sec = security::load_zcert(path + "_secret");
  ASSERT_TRUE(sec.secret_key.has_value());
  EXPECT_EQ(sec.public_key.z85(), printed);
  EXPECT_EQ(security::public_key_of(*sec.secret_key).z85(), printed);

  struct stat st {};
  ASSERT_EQ(::stat((path + "_secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(slurp(path).find("secret-key"), std::string::npos);
}

TEST(CliKeygen, PyzmqLoadsTheCertificatesWithTheSameKeys) {
  test::temp_dir dir;
  auto path = dir.file("client.cert");
  auto r = run({cli, "keygen", "--cert=" + path});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const std::string script = R"PY(
import sys, zmq.auth
pub, sec = zmq.auth.load_certificate(sys.argv[1])
print("public:", pub.decode())
pub2, sec2 = zmq.auth.load_certificate(sys.argv[1] + "_secret")
print("secret-file-public:", pub2.decode())
print("matches:", zmq.curve_public(sec2) == pub2)
print("public-file-secret:", sec)
)PY";
  auto py = run({python, "-c", script, path});
  ASSERT_EQ(py.exit_code, 0) << py.describe();
  auto printed = field(r.out, "public");
  EXPECT_EQ(field(py.out, "public"), printed);
  EXPECT_EQ(field(py.out, "secret-file-public"), printed);
  EXPECT_EQ(field(py.out, "matches"), "True");
  EXPECT_EQ(field(py.out, "public-file-secret"), "None");
}

TEST(CliKeygen, NeverOverwritesAnExistingCertificate) {
  test::temp_dir dir;
  auto path = dir.file("a.cert");
  ASSERT_EQ(run({cli, "keygen", "--cert", path}).exit_code, 0);
  auto before = slurp(path + "_secret");
  auto again = run({cli, "keygen", "--cert", path});
  EXPECT_EQ(again.exit_code, 1) << again.describe();
  EXPECT_NE(again.err.find("exists"), std::string::npos) << again.err;
  EXPECT_EQ(slurp(path + "_secret"), before);

  auto only_secret = dir.file("b.cert");
  dir.write("b.cert_secret", "keep me");
  EXPECT_EQ(run({cli, "keygen", "--cert", only_secret}).exit_code, 1);
  EXPECT_EQ(slurp(only_secret + "_secret"), "keep me");
}

TEST(CliKeygen, BadArgumentsAreUsageErrorsAndHelpSucceeds) {
  for (auto argv : {std::vector<std::string>{cli, "keygen", "--bogus"},
                    std::vector<std::string>{cli, "keygen", "--cert"},
                    std::vector<std::string>{cli, "keygen", "--cert="},
                    std::vector<std::string>{cli, "keygen", "--cert", "a", "--cert", "b"}}) {
    auto r = run(argv);
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_NE(r.err.find("keygen --help"), std::string::npos) << r.err;
  }
  auto help = run({cli, "keygen", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: cafmq keygen"), std::string::npos) << help.out;
}

} // namespace
} // namespace cafmq
