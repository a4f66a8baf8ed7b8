// Binary data through the CLI (docs/cli.md, "Frames" and "Output formats"): frames from stdin
// and files reach a pyzmq PULL byte for byte; what a pyzmq or libzmq PUSH sends prints exactly
// in every --format, and the JSON default is lossless.
#include "interop/zmq_peer.hpp"
#include "support/child_process.hpp"
#include "support/ports.hpp"
#include "support/process_expect.hpp"
#include "unit/security/temp_dir.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
namespace zmq = test::zmq;
using test::child_process;
using test::expect_success;

const std::string cli = CAFMQ_CLI_PATH;
const std::string python = CAFMQ_PYTHON;
constexpr auto budget = 30000ms;

// A pyzmq PULL: python3 -c SCRIPT ENDPOINT. Binds, says "ready", receives one message within
// 20 s and prints its frames as hex, joined by ",".
const std::string pyzmq_pull_hex = R"PY(
import sys, zmq
s = zmq.Context().socket(zmq.PULL)
s.rcvtimeo = 20000
s.bind(sys.argv[1])
print("ready", flush=True)
print(",".join(f.hex() for f in s.recv_multipart()), flush=True)
)PY";

// A pyzmq PUSH: python3 -c SCRIPT ENDPOINT MESSAGE...: each MESSAGE is its frames in hex,
// joined by "," (an empty MESSAGE is one empty frame). Binds and sends them, lingering.
const std::string pyzmq_push_hex = R"PY(
import sys, zmq
s = zmq.Context().socket(zmq.PUSH)
s.linger = 20000
s.sndtimeo = 20000
s.bind(sys.argv[1])
for m in sys.argv[2:]:
    s.send_multipart([bytes.fromhex(f) for f in m.split(",")])
s.close()
)PY";

/// Runs `cafmq send ... FRAMES` (after `sh_prefix |` if given) against a pyzmq PULL and returns
/// what the PULL printed: the received frames as comma-separated hex.
std::string frames_seen_by_pyzmq(const std::string& sh_prefix, const std::string& send_tail) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  child_process pull{{python, "-c", pyzmq_pull_hex, ep}};
  EXPECT_EQ(pull.wait_for_line("ready", 20000ms, true), "ready");
  std::string command = cli + " send --type push --connect " + ep + " " + send_tail;
  if (!sh_prefix.empty())
    command = sh_prefix + " | " + command;
  auto s = test::run_process({"/bin/sh", "-c", command}, budget);
  expect_success(s, "cafmq send");
  auto r = pull.wait(budget);
  expect_success(r, "pyzmq pull");
  return r.out.substr(r.out.find('\n') + 1);  // after "ready"
}

TEST(CliFrames, DashSendsAllOfStdinAsOneFrameByteForByte) {
  // The acceptance case: printf '\xff\x00' | cafmq send ... -  (octal: /bin/sh is dash)
  EXPECT_EQ(frames_seen_by_pyzmq("printf '\\377\\000'", "-"), "ff00\n");
}

TEST(CliFrames, FileFramesMixWithTextAndStdinInArgumentOrder) {
  test::temp_dir dir;
  auto path = dir.write("blob", std::string("\x00\x01\xfe\n", 4));
  EXPECT_EQ(frames_seen_by_pyzmq("printf 'in'", "a @" + path + " - ''"),
            "61,0001fe0a,696e,\n");
}

TEST(CliFrames, FrameOptionIsAlwaysLiteral) {
  EXPECT_EQ(frames_seen_by_pyzmq("", "--frame - --frame @nofile -- --x"), "2d,406e6f66696c65,2d2d78\n");
}

TEST(CliFrames, MissingFileAndStdinTwiceAreErrors) {
  auto missing = test::run_process({cli, "send", "--type", "push", "--connect",
                                    "tcp://127.0.0.1:9", "--linger-ms", "0", "@/nonexistent/x"},
                                   budget);
  EXPECT_EQ(missing.exit_code, 1) << missing.describe();
  EXPECT_NE(missing.err.find("/nonexistent/x"), std::string::npos) << missing.err;
  auto twice = test::run_process(
    {cli, "send", "--type", "push", "--connect", "tcp://127.0.0.1:9", "-", "-"}, budget);
  EXPECT_EQ(twice.exit_code, 2) << twice.describe();
  EXPECT_NE(twice.err.find("stdin"), std::string::npos) << twice.err;
}

/// `cafmq recv --format FORMAT` of the messages a pyzmq PUSH sends (hex MESSAGE arguments).
test::process_result recv_from_pyzmq(const std::string& format,
                                     const std::vector<std::string>& messages) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  std::vector<std::string> argv{python, "-c", pyzmq_push_hex, ep};
  argv.insert(argv.end(), messages.begin(), messages.end());
  child_process push{argv};
  auto r = test::run_process({cli, "recv", "--type", "pull", "--connect", ep, "--count",
                              std::to_string(messages.size()), "--timeout-ms", "20000",
                              "--format", format},
                             budget);
  expect_success(push.wait(budget), "pyzmq push");
  expect_success(r, "cafmq recv");
  return r;
}

TEST(CliFormat, HexPrintsExactlyTheBytesOfEachFrame) {
  // The acceptance case: ff 00 prints as ff00.
  auto r = recv_from_pyzmq("hex", {"ff00", "c3bf,ff", ",6162,"});
  EXPECT_EQ(r.out, "ff00\nc3bf ff\n 6162 \n");
}

TEST(CliFormat, Base64PrintsEachFramePaddedSeparatedBySpaces) {
  auto r = recv_from_pyzmq("base64", {"ff00", "c3bf,ff,"});
  EXPECT_EQ(r.out, "/wA=\nw78= /w== \n");
}

TEST(CliFormat, RawPrintsTheBytesAndNothingElse) {
  auto r = recv_from_pyzmq("raw", {"ff000a41"});
  EXPECT_EQ(r.out, std::string("\xff\x00\nA", 4));
}

TEST(CliFormat, JsonTellsUtf8FromOtherBytes) {
  // c3 bf is "ÿ" in UTF-8, ff alone is not UTF-8: they must not print alike.
  auto r = recv_from_pyzmq("json", {"c3bf,ff", "00"});
  EXPECT_EQ(r.out, "[\"\xc3\xbf\",{\"base64\":\"/w==\"}]\n[\"\\u0000\"]\n");
}

TEST(CliFormat, RequestPrintsTheReplyInTheFormatAsked) {
  zmq::context zctx;
  zmq::socket rep{zctx, ZMQ_REP};
  rep.bind("tcp://127.0.0.1:*");
  child_process req{{cli, "request", "--type", "req", "--connect", rep.last_endpoint(),
                     "--timeout-ms", "20000", "--format", "hex", "q"}};
  auto m = rep.recv(20000ms);
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, std::vector<std::string>{"q"});
  ASSERT_TRUE(rep.send({std::string("\xff\x00", 2), "a"}));
  auto r = req.wait(budget);
  expect_success(r, "cafmq request");
  EXPECT_EQ(r.out, "ff00 61\n");
}

TEST(CliFormat, UnknownFormatIsAUsageError) {
  auto r = test::run_process({cli, "recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*",
                              "--format", "yaml"},
                             budget);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("--format"), std::string::npos) << r.err;
}

} // namespace
} // namespace cafmq
