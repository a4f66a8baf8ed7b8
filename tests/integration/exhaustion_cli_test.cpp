// `cafmq recv` out of descriptors (issue #23): run under `ulimit -n 64` (then 256), flooded with
// 80 (then 1000) plain TCP connections that send nothing. Its memory and CPU stay bounded, it
// logs a bounded number of lines, it serves a legitimate peer once the flood leaves, and SIGTERM
// ends it within 1 s. The flood comes from this process, whose own limit is normal.
#include "support/child_process.hpp"
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/raw_tcp.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::child_process;

const std::string cli = CAFMQ_CLI_PATH;

// What /proc says of a process: resident bytes (VmRSS) and CPU seconds (utime + stime).
struct usage {
  size_t rss = 0;
  double cpu = 0;
};

usage usage_of(pid_t pid) {
  usage u;
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0)
      u.rss = std::stoull(line.substr(6)) * 1024;
  std::ifstream stat{"/proc/" + std::to_string(pid) + "/stat"};
  std::string all{std::istreambuf_iterator<char>(stat), {}};
  if (all.rfind(')') == std::string::npos)  // the process is gone
    return u;
  std::istringstream fields{all.substr(all.rfind(')') + 2)};  // after "pid (comm) "
  std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
  if (f.size() > 12)  // utime and stime are fields 14 and 15 of the line, 12 and 13 here
    u.cpu = static_cast<double>(std::stoull(f[11]) + std::stoull(f[12]))
            / static_cast<double>(::sysconf(_SC_CLK_TCK));
  return u;
}

constexpr double mib = 1024.0 * 1024.0;

// Under AddressSanitizer or ThreadSanitizer (scripts/sanitize.sh runs the suite so), memory is
// the sanitizer's (shadow, quarantine): the RSS figures are printed, not bounded.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif

// The flood's 1000 client sockets live in this process: its soft limit goes up to the hard one.
void raise_descriptor_limit() {
  rlimit l{};
  ::getrlimit(RLIMIT_NOFILE, &l);
  l.rlim_cur = l.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &l);
}

size_t lines_in(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The figures of one run, printed for the report.
struct figures {
  double rss_growth_mib = 0;      // from before the flood to the end of the window
  double rss_window_mib = 0;      // during the 2 s window (accepting paused, flood settled)
  double cpu_share = 0;           // of one core, during the window
  long long served_ms = 0;        // from the flood leaving to the legitimate message printed
  long long exit_ms = 0;          // from SIGTERM to exit
  size_t stderr_lines = 0;
};

figures flood(int limit, int connects) {
  raise_descriptor_limit();
  figures fig;
  child_process recv{{"/bin/bash", "-c", "ulimit -n " + std::to_string(limit) + " && exec \"$0\" \"$@\"",
                      cli, "recv", "--type", "pull", "--bind", "tcp://127.0.0.1:*"}};
  auto bound = recv.wait_for_line("bound ", 10000ms);
  EXPECT_FALSE(bound.empty()) << recv.wait(1000ms).describe();
  if (bound.empty())
    return fig;
  auto ep = bound.substr(6);
  auto before = usage_of(recv.pid());

  std::vector<test::raw_client> peers;
  for (int i = 0; i < connects; ++i)
    peers.push_back(test::raw_client::connect(ep, 5000ms));
  // Out of descriptors: said once.
  auto failed = recv.wait_for_line("cafmq warn listener: ", 10000ms);
  EXPECT_NE(failed.find("Too many open files"), std::string::npos) << failed;
  // A second for the connections accepted before that to settle (their sessions start), then a
  // 2 s window with accepting paused. No error line may appear meanwhile.
  EXPECT_TRUE(recv.wait_for_line("cafmq error", 1000ms).empty());
  auto start = usage_of(recv.pid());
  auto t0 = test::clock::now();
  EXPECT_TRUE(recv.wait_for_line("cafmq error", 2000ms).empty());
  auto end = usage_of(recv.pid());
  auto window = static_cast<double>(test::elapsed_ms(t0)) / 1000.0;
  fig.rss_growth_mib = (static_cast<double>(end.rss) - static_cast<double>(before.rss)) / mib;
  fig.rss_window_mib = (static_cast<double>(end.rss) - static_cast<double>(start.rss)) / mib;
  fig.cpu_share = (end.cpu - start.cpu) / window;

  // The flood leaves; a legitimate peer gets its message through.
  peers.clear();
  auto served = test::clock::now();
  {
    context ctx;
    socket push{ctx, socket_type::push, test::no_linger()};
    push.connect(ep);
    EXPECT_TRUE(push.send(message{"legit"}, 15000ms));
    auto got = recv.wait_for_line("[\"legit\"]", 15000ms, true);
    EXPECT_FALSE(got.empty()) << "the legitimate peer was not served";
    fig.served_ms = test::elapsed_ms(served);
  }

  auto term = test::clock::now();
  ::kill(recv.pid(), SIGTERM);
  auto r = recv.wait(5000ms);
  fig.exit_ms = test::elapsed_ms(term);
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.term_signal, 0) << "it did not exit by itself: " << r.describe();
  fig.stderr_lines = lines_in(r.err);
  std::printf("ulimit -n %d, %d connects: RSS +%.1f MiB (+%.2f MiB in the 2 s window), CPU %.1f %% "
              "of a core, legitimate peer served in %lld ms, SIGTERM exit in %lld ms, %zu stderr "
              "lines\n",
              limit, connects, fig.rss_growth_mib, fig.rss_window_mib, 100 * fig.cpu_share,
              fig.served_ms, fig.exit_ms, fig.stderr_lines);
  if (fig.stderr_lines > 10)
    ADD_FAILURE() << "stderr:\n" << r.err.substr(0, 4000);
  return fig;
}

// The bounds common to both sizes. The window's growth and CPU are what a meltdown shows first
// (it grew 100 MB and burnt 1.5 cores per second).
// `served_within_ms`: the backlog the flood left (closed connections, accepted and closed one
// by one before the legitimate one) takes its time to drain: ~1 s for 770 of them on 2 idle cores.
void expect_bounded(const figures& f, long long served_within_ms) {
  if (!sanitized) {
    EXPECT_LT(f.rss_window_mib, 4.0);
  }
  EXPECT_LT(f.cpu_share, 0.25);
  EXPECT_LT(f.served_ms, served_within_ms);
  EXPECT_LT(f.exit_ms, 1000);
  EXPECT_LE(f.stderr_lines, 10U);
}

TEST(ExhaustionCli, EightyConnectsAtUlimit64) {
  auto f = flood(64, 80);
  ASSERT_FALSE(HasFailure());
  if (!sanitized) {
    EXPECT_LT(f.rss_growth_mib, 50.0);
  }
  expect_bounded(f, 5000);
}

// About 230 connections are accepted before descriptors run out; each costs what a connection
// costs (issue #23 item 3: ~210 KiB until rings and read buffers are allocated at handshake), so
// the growth is ~49 MiB here, flat once accepting pauses; the bound has that much room.
TEST(ExhaustionCli, AThousandConnectsAtUlimit256) {
  auto f = flood(256, 1000);
  ASSERT_FALSE(HasFailure());
  if (!sanitized) {
    EXPECT_LT(f.rss_growth_mib, 64.0);
  }
  expect_bounded(f, 10000);
}

} // namespace
} // namespace cafmq
