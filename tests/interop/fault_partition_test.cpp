// Fault injection (issue 4 item 8): a network partition. Two network namespaces joined by a veth
// pair, a `cafmq recv` in one and a `cafmq send` in the other, both with heartbeats; then every
// packet is dropped both ways (`tc qdisc ... netem loss 100%`). TCP sees no error, so only the
// heartbeats can notice: both ends must close the connection within the heartbeat timeout, and
// once the qdisc is removed the sender reconnects and messages flow again.
// Skipped, with the reason printed, where the machine forbids namespaces (not root, no iproute2).
// Kernels without sch_netem (some containers) get the `blackhole` qdisc instead, which drops
// every packet just the same; the test prints which one it used.
#include "support/child_process.hpp"
#include "support/deadline.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <memory>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::child_process;

const std::string cli = CAFMQ_CLI_PATH;
constexpr int ivl_ms = 100;
constexpr int timeout_ms = 500;

std::string find_binary(const std::string& name) {
  for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"}) {
    std::string path = dir + name;
    if (::access(path.c_str(), X_OK) == 0)
      return path;
  }
  return {};
}

// Two namespaces A (10.77.5.1) and B (10.77.5.2) joined by a veth pair; removed on destruction.
class netns_pair {
public:
  netns_pair() : ip_(find_binary("ip")), tc_(find_binary("tc")) {
    auto tag = std::to_string(::getpid());
    a = "cafmq_hb_a" + tag;
    b = "cafmq_hb_b" + tag;
    va_ = "cfa" + tag;
    vb_ = "cfb" + tag;
  }
  ~netns_pair() {
    if (created_a_)
      run({ip_, "netns", "del", a});
    if (created_b_)
      run({ip_, "netns", "del", b});  // deleting a namespace deletes its veth end
  }

  /// Empty when the pair is up; else why the machine cannot run the test.
  std::string setup() {
    if (::geteuid() != 0)
      return "needs root (CAP_NET_ADMIN) to create network namespaces";
    if (ip_.empty() || tc_.empty())
      return "needs the ip and tc binaries (iproute2; see scripts/install-deps.sh)";
    if (auto e = run({ip_, "netns", "add", a}); !e.empty())
      return "cannot create a network namespace: " + e;
    created_a_ = true;
    if (auto e = run({ip_, "netns", "add", b}); !e.empty())
      return "cannot create a network namespace: " + e;
    created_b_ = true;
    const std::vector<std::vector<std::string>> steps = {
      {ip_, "link", "add", va_, "type", "veth", "peer", "name", vb_},
      {ip_, "link", "set", va_, "netns", a},
      {ip_, "link", "set", vb_, "netns", b},
      {ip_, "-n", a, "addr", "add", "10.77.5.1/24", "dev", va_},
      {ip_, "-n", b, "addr", "add", "10.77.5.2/24", "dev", vb_},
      {ip_, "-n", a, "link", "set", va_, "up"},
      {ip_, "-n", b, "link", "set", vb_, "up"},
      {ip_, "-n", a, "link", "set", "lo", "up"},
      {ip_, "-n", b, "link", "set", "lo", "up"},
    };
    for (auto& s : steps)
      if (auto e = run(s); !e.empty())
        return "cannot set up the veth pair: " + e;
    return {};
  }

  /// Drops every packet leaving either end; empty on success, else why not.
  std::string partition() {
    for (auto qdisc : {std::vector<std::string>{"netem", "loss", "100%"},
                       std::vector<std::string>{"blackhole"}}) {
      auto e = drop_on(a, va_, qdisc);
      if (e.empty() && (e = drop_on(b, vb_, qdisc)).empty()) {
        std::printf("partition: tc qdisc %s on both veth ends\n", qdisc[0].c_str());
        return {};
      }
      heal();
      if (e.find("unknown") == std::string::npos)
        return e;  // another failure than a missing qdisc kind
      std::printf("tc qdisc %s is unavailable (%s); trying the next\n", qdisc[0].c_str(),
                  e.c_str());
    }
    return "neither netem nor blackhole qdiscs are available";
  }

  /// Removes the qdiscs (errors ignored: one may not exist).
  void heal() {
    run({ip_, "netns", "exec", a, tc_, "qdisc", "del", "dev", va_, "root"});
    run({ip_, "netns", "exec", b, tc_, "qdisc", "del", "dev", vb_, "root"});
  }

  /// argv that runs `cmd` inside namespace `ns` with info-level logs.
  std::vector<std::string> in(const std::string& ns, std::vector<std::string> cmd) const {
    std::vector<std::string> argv{ip_, "netns", "exec", ns, "/usr/bin/env", "CAFMQ_LOG=info"};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    return argv;
  }

  std::string a, b;

private:
  std::string drop_on(const std::string& ns, const std::string& dev,
                      const std::vector<std::string>& qdisc) {
    std::vector<std::string> argv{ip_, "netns", "exec", ns, tc_, "qdisc", "add", "dev", dev,
                                  "root"};
    argv.insert(argv.end(), qdisc.begin(), qdisc.end());
    return run(argv);
  }
  static std::string run(std::vector<std::string> argv) {
    auto r = test::run_process(std::move(argv), 10000ms);
    if (r.exit_code == 0)
      return {};
    return r.err.empty() ? r.describe() : r.err.substr(0, r.err.find('\n'));
  }

  std::string ip_, tc_, va_, vb_;
  bool created_a_ = false, created_b_ = false;
};

TEST(FaultPartition, HeartbeatsDetectALossyPartitionWithinTheTimeoutAndTheStreamHealsAfter) {
  netns_pair net;
  if (auto why = net.setup(); !why.empty()) {
    std::printf("skipping the partition test: %s\n", why.c_str());
    GTEST_SKIP() << why;
  }
  const std::string ep = "tcp://10.77.5.1:5555";
  const std::vector<std::string> hb{"--heartbeat-ivl-ms", std::to_string(ivl_ms),
                                    "--heartbeat-timeout-ms", std::to_string(timeout_ms)};
  auto recv_cmd = std::vector<std::string>{cli, "recv", "--type", "pull", "--bind", ep};
  recv_cmd.insert(recv_cmd.end(), hb.begin(), hb.end());
  child_process recv{net.in(net.a, recv_cmd)};
  ASSERT_NE(recv.wait_for_line("cafmq info socket: listening on", 10000ms), "") << "recv did not bind";
  auto send_cmd = std::vector<std::string>{cli, "send", "--type", "push", "--connect", ep,
                                           "--count", "100000000", "--interval-ms", "20"};
  send_cmd.insert(send_cmd.end(), hb.begin(), hb.end());
  send_cmd.push_back("tick");
  child_process send{net.in(net.b, send_cmd)};
  ASSERT_EQ(recv.wait_for_line("[\"tick\"]", 10000ms, true), "[\"tick\"]") << "no message flows";

  size_t recv_err = recv.output_size();
  size_t send_err = send.output_size();
  auto cut = test::clock::now();
  if (auto why = net.partition(); !why.empty()) {
    std::printf("skipping the partition test: %s\n", why.c_str());
    GTEST_SKIP() << why;
  }
  // The first close each side logs after the cut; both must be heartbeat timeouts, in time.
  auto recv_closed = recv.wait_for_line("cafmq info engine: tcp://10.77.5.2:", 5000ms, false,
                                        recv_err);
  auto recv_ms = test::elapsed_ms(cut);
  auto send_closed = send.wait_for_line("cafmq info engine: " + ep + ": closed", 5000ms, false,
                                        send_err);
  auto send_ms = test::elapsed_ms(cut);
  std::printf("after %lld ms: %s\nafter %lld ms: %s\n", recv_ms, recv_closed.c_str(), send_ms,
              send_closed.c_str());
  EXPECT_NE(recv_closed.find("closed: heartbeat timeout"), std::string::npos)
    << "recv side: '" << recv_closed << "' after " << recv_ms << " ms";
  EXPECT_NE(send_closed.find("closed: heartbeat timeout"), std::string::npos)
    << "send side: '" << send_closed << "' after " << send_ms << " ms";
  // A PING goes out at most one interval after the cut and times out `timeout_ms` later; one
  // more second covers scheduling and log latency. It cannot come before timeout - interval.
  EXPECT_GE(recv_ms, timeout_ms - ivl_ms);
  EXPECT_LE(recv_ms, ivl_ms + timeout_ms + 1000);
  EXPECT_LE(send_ms, ivl_ms + timeout_ms + 1000);

  size_t recv_out = recv.output_size(true);
  net.heal();
  // The redial's SYN may sit in TCP's backoff (1 s, 3 s, 7 s...): allow for a few rounds.
  auto healed = test::clock::now();
  EXPECT_EQ(recv.wait_for_line("[\"tick\"]", 30000ms, true, recv_out), "[\"tick\"]")
    << "no message after the partition healed";
  std::printf("messages flow again %lld ms after the qdiscs were removed\n",
              test::elapsed_ms(healed));
}

} // namespace
} // namespace cafmq
