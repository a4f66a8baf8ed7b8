// Accepting when the process is out of descriptors (issue #23): real EMFILE, made by lowering this
// process's RLIMIT_NOFILE and filling what is left, with the clients' sockets opened beforehand.
// The listener pauses and reports one accept_failed event for the episode, however many accepts
// fail; connections already made keep working; unbind works while paused; once descriptors are
// free the waiting connections are accepted and a new peer is served.
#include "integration/ipc_test_paths.hpp"
#include "support/deadline.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"
#include "runtime/core/log.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

// Lowers this process's descriptor limit to what is open now plus a margin, then opens
// /dev/null until no descriptor is left. Undone (descriptors closed, limit restored) by release()
// or the destructor.
class descriptor_exhaustion {
public:
  descriptor_exhaustion() {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit low = saved_;
    low.rlim_cur = std::min<rlim_t>(saved_.rlim_cur, highest_open() + 64);
    ::setrlimit(RLIMIT_NOFILE, &low);
    for (;;) {
      int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        break;
      held_.push_back(fd);
    }
  }
  ~descriptor_exhaustion() { release(); }
  descriptor_exhaustion(const descriptor_exhaustion&) = delete;
  descriptor_exhaustion& operator=(const descriptor_exhaustion&) = delete;

  void release() {
    for (int fd : held_)
      ::close(fd);
    held_.clear();
    ::setrlimit(RLIMIT_NOFILE, &saved_);
  }
  bool exhausted() const {
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
      ::close(fd);
    return fd < 0 && errno == EMFILE;
  }

private:
  static rlim_t highest_open() {
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);  // the lowest free one: not a bound
    rlim_t high = 0;
    for (int i = 0; i < 65536; ++i)
      if (::fcntl(i, F_GETFD) != -1)
        high = static_cast<rlim_t>(i);
    ::close(fd);
    return high + 1;
  }

  rlimit saved_{};
  std::vector<int> held_;
};

// A client socket opened before the exhaustion and connected during it (connect needs no new
// descriptor; the server's accept does).
class early_client {
public:
  explicit early_client(bool ipc) : fd_(::socket(ipc ? AF_UNIX : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {}
  ~early_client() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  early_client(early_client&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  early_client& operator=(early_client&&) = delete;
  early_client(const early_client&) = delete;
  early_client& operator=(const early_client&) = delete;

  bool connect(const std::string& endpoint) {
    if (endpoint.rfind("ipc://", 0) == 0) {
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      auto path = endpoint.substr(6);
      std::strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
      return ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1))));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  }

private:
  int fd_;
};

// User and system CPU time this process has used, in ms.
long process_cpu_ms() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto ms = [](const timeval& t) { return t.tv_sec * 1000L + t.tv_usec / 1000L; };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

// Captures the "listener" log lines (info and above) while alive.
struct listener_log {
  std::mutex mtx;
  std::vector<std::string> lines;
  log::level before = log::current_level();
  listener_log() {
    log::set_level(log::level::info);
    log::set_sink([this](log::level, std::string_view component, std::string_view text) {
      if (component != "listener")
        return;
      std::lock_guard<std::mutex> guard{mtx};
      lines.emplace_back(text);
    });
  }
  ~listener_log() {
    log::set_sink(nullptr);
    log::set_level(before);
  }
  // N and T of "accept on ... works again after N failed attempts in T ms"; zeros if none.
  std::pair<uint64_t, uint64_t> episode() {
    std::lock_guard<std::mutex> guard{mtx};
    for (auto& l : lines) {
      auto at = l.find("works again after ");
      auto in = l.find(" in ", at);
      if (at != std::string::npos && in != std::string::npos)
        return {std::stoull(l.substr(at + 18)), std::stoull(l.substr(in + 4))};
    }
    return {0, 0};
  }
  size_t count(const std::string& part) {
    std::lock_guard<std::mutex> guard{mtx};
    return static_cast<size_t>(std::count_if(lines.begin(), lines.end(), [&](const std::string& l) {
      return l.find(part) != std::string::npos;
    }));
  }
};

class ExhaustionAccept : public testing::TestWithParam<bool> {
protected:
  bool ipc() const { return GetParam(); }
  std::string bind_endpoint() const { return ipc() ? dir_.endpoint("pull") : "tcp://127.0.0.1:*"; }

  test::ipc_dir dir_;
};

TEST_P(ExhaustionAccept, OneEventPerEpisodeExistingConnectionsWorkAndAcceptingResumes) {
  constexpr int waiting = 8;
  listener_log logged;
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  auto events = pull.monitor();
  pull.bind(bind_endpoint());
  auto ep = pull.last_endpoint();
  socket early{ctx, socket_type::push, test::no_linger()};
  early.connect(ep);
  ASSERT_TRUE(early.send(message{"before"}, 5000ms));
  ASSERT_TRUE(pull.recv(5000ms).has_value());
  std::vector<early_client> clients;
  for (int i = 0; i < waiting; ++i)
    clients.emplace_back(ipc());
  std::vector<monitor_event> seen;
  auto failed_at = test::clock::now();
  {
    descriptor_exhaustion out;
    ASSERT_TRUE(out.exhausted());
    for (auto& c : clients)
      ASSERT_TRUE(c.connect(ep));
    auto failed = test::next_event(events, event_kind::accept_failed, 5000ms, &seen);
    ASSERT_TRUE(failed.has_value()) << test::describe(seen);
    failed_at = test::clock::now();
    EXPECT_EQ(failed->reason_code, event_reason::resource) << failed->reason;
    EXPECT_NE(failed->reason.find("accepting paused"), std::string::npos) << failed->reason;
    // The connection made before goes on working.
    ASSERT_TRUE(early.send(message{"during"}, 5000ms));
    auto during = pull.recv(5000ms);
    ASSERT_TRUE(during.has_value());
    EXPECT_EQ(test::frames_of(*during), std::vector<std::string>{"during"});
    // The accept keeps failing while the back-off runs (10 + 20 + ... + 640 ms: seven attempts
    // in 1.3 s), and no second event comes. The process is idle meanwhile: a loop retrying at
    // once would keep a core busy.
    auto cpu_before = process_cpu_ms();
    EXPECT_FALSE(test::next_event(events, event_kind::accept_failed, 1300ms, &seen))
      << test::describe(seen);
    EXPECT_LT(process_cpu_ms() - cpu_before, 400) << "CPU ms used in 1300 ms while paused";
  }
  // Descriptors are free, and a connection closes: that wakes the paused listener, early in its
  // 1 s pause, long before its next attempt (2270 ms after the first failure: 10 + 20 + ... +
  // 640 + 1000 ms). The waiting connections are accepted, and the episode's failures are logged
  // once, with their count.
  auto disconnect_ms = test::elapsed_ms(failed_at);
  early.disconnect(ep);
  for (int i = 0; i < waiting; ++i)
    ASSERT_TRUE(test::next_event(events, event_kind::accepted, 5000ms, &seen))
      << i << "\n" << test::describe(seen);
  EXPECT_EQ(std::count_if(seen.begin(), seen.end(),
                          [](const monitor_event& e) { return e.kind == event_kind::accept_failed; }),
            1)
    << test::describe(seen);
  EXPECT_EQ(logged.count("accept failed"), 1U);
  EXPECT_TRUE(test::eventually([&] { return logged.count("works again after") == 1; }, 5000ms));
  auto [attempts, lasted_ms] = logged.episode();
  EXPECT_GE(attempts, 5U) << "the back-off retried less than expected";
  EXPECT_LE(attempts, 15U) << "the back-off retried more than expected";
  // Halfway between the wake-up (about disconnect_ms) and the timer (2270 ms).
  auto resumed_by = std::min<uint64_t>(static_cast<uint64_t>(disconnect_ms) + 450, 2200);
  EXPECT_LT(lasted_ms, resumed_by) << "accepting resumed at the end of the back-off, not when the "
                                      "connection closed (at "
                                   << disconnect_ms << " ms)";
  // A new peer is served.
  socket late{ctx, socket_type::push, test::no_linger()};
  late.connect(ep);
  ASSERT_TRUE(late.send(message{"after"}, 5000ms));
  auto after = pull.recv(5000ms);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(test::frames_of(*after), std::vector<std::string>{"after"});
}

TEST_P(ExhaustionAccept, UnbindWorksWhileAcceptingIsPaused) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  auto events = pull.monitor();
  pull.bind(bind_endpoint());
  auto ep = pull.last_endpoint();
  early_client client{ipc()};
  descriptor_exhaustion out;
  ASSERT_TRUE(client.connect(ep));
  ASSERT_TRUE(test::next_event(events, event_kind::accept_failed, 5000ms));
  auto start = test::clock::now();
  pull.unbind(ep);
  EXPECT_LT(test::elapsed_ms(start), 1000);
  out.release();
  // Nothing is accepted on the closed endpoint.
  EXPECT_FALSE(test::next_event(events, event_kind::accepted, 200ms));
  // The endpoint was released: it can be bound again, and serves.
  ASSERT_NO_THROW(pull.bind(ep));
  socket late{ctx, socket_type::push, test::no_linger()};
  late.connect(ep);
  ASSERT_TRUE(late.send(message{"rebound"}, 5000ms));
  auto got = pull.recv(5000ms);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(test::frames_of(*got), std::vector<std::string>{"rebound"});
}

TEST_P(ExhaustionAccept, TheContextClosesWhileAcceptingIsPaused) {
  context ctx;
  std::optional<socket> pull;
  pull.emplace(ctx, socket_type::pull, test::no_linger());
  auto events = pull->monitor();
  pull->bind(bind_endpoint());
  early_client client{ipc()};
  descriptor_exhaustion out;
  ASSERT_TRUE(client.connect(pull->last_endpoint()));
  ASSERT_TRUE(test::next_event(events, event_kind::accept_failed, 5000ms));
  auto start = test::clock::now();
  pull.reset();
  ctx.close();
  EXPECT_LT(test::elapsed_ms(start), 1000);
}

INSTANTIATE_TEST_SUITE_P(Transports, ExhaustionAccept, testing::Values(false, true),
                         [](const testing::TestParamInfo<bool>& p) { return p.param ? "Ipc" : "Tcp"; });

} // namespace
} // namespace cafmq
