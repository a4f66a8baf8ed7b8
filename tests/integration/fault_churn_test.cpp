// Fault injection (issue 4 item 8): connection churn. 10 000 raw ZMTP peers connect to a bound
// cafmq socket, complete the handshake and go (half close cleanly, half reset the connection);
// the process's RSS and file-descriptor count stay flat, and the socket still works afterwards.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/raw_tcp.hpp"
#include "support/rss.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/socket.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

size_t open_fds() {
  size_t n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (dirent* e = ::readdir(d))
      n += e->d_name[0] != '.';
    ::closedir(d);
  }
  return n;
}

// One peer's life: handshake as PUSH, send one message, leave (reset when `abort`).
void churn_once(const std::string& ep, bool abort) {
  auto c = test::zmtp::handshake_as(ep, "PUSH", 5000ms);
  ASSERT_TRUE(c.send_all(test::zmtp::message_frame("x")));
  if (abort) {
    linger l{1, 0};  // close sends RST: no TIME_WAIT, and cafmq sees a reset
    ::setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }
}

void run_cycles(const std::string& ep, socket& pull, int from, int to) {
  for (int i = from; i < to; ++i) {
    churn_once(ep, i % 2 == 0);
    if (::testing::Test::HasFatalFailure())
      return;
    // Draining keeps the fair queue from holding messages; it is not required for the bound.
    while (pull.recv(0ms))
      ;
  }
}

TEST(FaultChurn, TenThousandConnectDisconnectCyclesKeepRssAndDescriptorsFlat) {
  constexpr int warmup = 1000;
  constexpr int cycles = 10000;
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  auto ep = pull.last_endpoint();
  auto fds_before = open_fds();

  auto start = test::clock::now();
  run_cycles(ep, pull, 0, warmup);
  ASSERT_FALSE(HasFatalFailure());
  // Sessions end asynchronously after their peer left: wait for their descriptors to close.
  ASSERT_TRUE(test::eventually([&] { return open_fds() <= fds_before; }, 10000ms))
    << open_fds() - fds_before << " descriptors still open after " << warmup << " cycles";
  auto rss_warm = test::resident_bytes();

  run_cycles(ep, pull, warmup, cycles);
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_TRUE(test::eventually([&] { return open_fds() <= fds_before; }, 10000ms))
    << open_fds() - fds_before << " descriptors leaked over " << cycles << " cycles";
  auto rss_end = test::resident_bytes();
  RecordProperty("cycles_ms", static_cast<int>(test::elapsed_ms(start)));
  RecordProperty("rss_growth_kib", static_cast<int>((rss_end - rss_warm) >> 10));
  EXPECT_LT(rss_end, rss_warm + (8u << 20))
    << "RSS grew by " << ((rss_end - rss_warm) >> 10) << " KiB over " << cycles - warmup
    << " cycles";

  // The socket still serves a real peer.
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(ep);
  ASSERT_TRUE(push.send(message{"after the churn"}, 5000ms));
  auto m = pull.recv(5000ms);
  ASSERT_TRUE(m.has_value());
  while (m && (*m)[0].to_string() == "x")  // a churn message still queued
    m = pull.recv(5000ms);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)[0].to_string(), "after the churn");
}

} // namespace
} // namespace cafmq
