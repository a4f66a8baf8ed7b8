// Two network namespaces joined by a veth pair, for fault tests that cut the network between
// processes (tc qdiscs drop every packet; heal() removes them). Needs root and iproute2:
// setup() says why not otherwise, for GTEST_SKIP.
#pragma once

#include "support/child_process.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace cafmq::test {

inline std::string find_binary(const std::string& name) {
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
  /// `prefix` (a short word) tells apart the pairs of different tests in the names.
  explicit netns_pair(const std::string& prefix = "hb") : ip_(find_binary("ip")), tc_(find_binary("tc")) {
    auto tag = std::to_string(::getpid());
    a = "cafmq_" + prefix + "_a" + tag;
    b = "cafmq_" + prefix + "_b" + tag;
    va_ = "cf" + prefix.substr(0, 2) + "a" + tag;
    vb_ = "cf" + prefix.substr(0, 2) + "b" + tag;
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
    auto r = run_process(std::move(argv), std::chrono::milliseconds{10000});
    if (r.exit_code == 0)
      return {};
    return r.err.empty() ? r.describe() : r.err.substr(0, r.err.find('\n'));
  }

  std::string ip_, tc_, va_, vb_;
  bool created_a_ = false, created_b_ = false;
};

} // namespace cafmq::test
