// Shared by the Majordomo fault tests: `cafmq broker` and mdp_test_peer workers as processes,
// and the bookkeeping that proves every request answered once, by its own reply.
#pragma once

#include "support/child_process.hpp"
#include "support/deadline.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cafmq::test {

inline constexpr int mdp_heartbeat_ms = 100;

/// argv of `cafmq broker` on `endpoint` with short heartbeats.
inline std::vector<std::string> broker_argv(const std::string& endpoint) {
  return {CAFMQ_CLI_PATH, "broker", "--bind", endpoint, "--heartbeat-ivl-ms",
          std::to_string(mdp_heartbeat_ms), "--request-expiry-ms", "10000"};
}

/// argv of an mdp_test_peer worker of "echo" that works `work_ms` per request.
inline std::vector<std::string> worker_argv(const std::string& endpoint, int work_ms) {
  return {CAFMQ_MDP_TEST_PEER, "worker", endpoint, "echo", std::to_string(mdp_heartbeat_ms),
          std::to_string(work_ms)};
}

/// Starts `argv` and waits for its first line starting with `ready` (stdout or stderr).
inline std::unique_ptr<child_process> start_until(std::vector<std::string> argv,
                                                  const std::string& ready, bool on_stdout) {
  auto p = std::make_unique<child_process>(std::move(argv));
  if (p->wait_for_line(ready, std::chrono::milliseconds{10000}, on_stdout).empty())
    ADD_FAILURE() << "'" << ready << "' never came";
  return p;
}

/// What the client saw, request by request: each reply must be "<id>:<pid>" for its own id.
struct answer_book {
  std::map<std::string, int> answers;  // id -> replies taken for it
  int wrong = 0;                       // replies whose id is not the request's

  void record(const std::string& id, const std::string& reply) {
    if (reply.compare(0, id.size() + 1, id + ":") != 0)
      ++wrong;
    ++answers[id];
  }
  int answered_twice() const {
    int n = 0;
    for (auto& [id, count] : answers)
      n += count > 1 ? 1 : 0;
    return n;
  }
};

/// Prints the fault test's numbers and asserts: nothing lost, nothing answered twice or wrong.
inline void report_and_check(const char* test, uint64_t requests, uint64_t sent, uint64_t answered,
                             uint64_t retried, uint64_t lost, const answer_book& book) {
  std::printf("%s: requests %llu, sent %llu, answered %llu, retried %llu, lost %llu, answered "
              "twice %d, wrong replies %d\n",
              test, (unsigned long long)requests, (unsigned long long)sent,
              (unsigned long long)answered, (unsigned long long)retried,
              (unsigned long long)lost, book.answered_twice(), book.wrong);
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(answered, requests);
  EXPECT_EQ(book.answers.size(), requests);
  EXPECT_EQ(book.answered_twice(), 0);
  EXPECT_EQ(book.wrong, 0);
}

/// Lines of `text` that start with `prefix`.
inline std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    if (end == std::string::npos)
      end = text.size();
    if (text.compare(at, prefix.size(), prefix) == 0)
      out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

} // namespace cafmq::test
