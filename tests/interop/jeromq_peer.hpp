// Runs tests/interop/java/JeromqPeer.java (JeroMQ 0.3.6, ZMTP 2.0) for one scenario in a JVM of its
// own, bounded by a deadline, and the file by which the test tells it that it may end.
// CAFMQ_JAVA and CAFMQ_JEROMQ_CLASSPATH come from tests/CMakeLists.txt (empty without a JDK).
#pragma once

#include "support/child_process.hpp"
#include "support/ports.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

namespace cafmq::test {

/// True when a JVM and JeroMQ were found at build time.
inline bool jeromq_available() {
  return std::string(CAFMQ_JAVA).size() > 0 && ::access(CAFMQ_JAVA, X_OK) == 0;
}

/// One JeroMQ peer process playing `scenario` (see JeromqPeer.java).
class jeromq_peer {
public:
  static constexpr std::chrono::milliseconds budget{20000};

  jeromq_peer(const std::string& scenario, bool binds, const std::string& endpoint)
    : flag_("/tmp/cafmq-jeromq-flag-" + std::to_string(::getpid()) + "-" + std::to_string(++n_)) {
    std::remove(flag_.c_str());
    java_ = std::make_unique<child_process>(std::vector<std::string>{
      CAFMQ_JAVA, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", CAFMQ_JEROMQ_CLASSPATH,
      "JeromqPeer", scenario, binds ? "bind" : "connect", endpoint, flag_});
  }
  ~jeromq_peer() { std::remove(flag_.c_str()); }
  jeromq_peer(const jeromq_peer&) = delete;
  jeromq_peer& operator=(const jeromq_peer&) = delete;

  /// Tells the peer it may end (its loops that wait for the test stop).
  void release() { std::ofstream{flag_}; }
  /// True while the JVM runs.
  bool running() { return java_->running(); }
  /// Releases the peer, waits for it and expects its "OK".
  void expect_ok() {
    release();
    auto r = java_->wait(budget);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "OK\n") << r.describe();
  }

private:
  static inline int n_ = 0;
  std::string flag_;
  std::unique_ptr<child_process> java_;
};

/// 1 MiB whose bytes are i % 251, as JeromqPeer.big(): a misplaced byte shows.
inline std::string jeromq_big_frame() {
  std::string b(size_t{1} << 20, '\0');
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = static_cast<char>(i % 251);
  return b;
}

} // namespace cafmq::test

#define CAFMQ_SKIP_WITHOUT_JEROMQ()                                                              \
  do {                                                                                           \
    if (!cafmq::test::jeromq_available())                                                        \
      GTEST_SKIP() << "java or jeromq.jar was not found at build time (install default-jdk-"     \
                      "headless and libjeromq-java: scripts/install-deps.sh)";                    \
  } while (0)
