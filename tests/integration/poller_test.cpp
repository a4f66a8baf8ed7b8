// cafmq::poller: several sockets ready at once, level-triggered reports, timeouts honoured
// without a busy loop, out interest (the pattern's turn, the HWM), plain descriptors, bad
// arguments refused with a clear error, and a socket closed, moved or with its context
// terminated while registered.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

struct push_pull {
  context& ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  socket pull{ctx, socket_type::pull, test::no_linger()};
  explicit push_pull(context& c) : ctx(c) {
    pull.bind("tcp://127.0.0.1:*");
    push.connect(pull.last_endpoint());
  }
};

// The entries `p` reports within `budget`, waiting until `done` holds for them.
template <class Done>
std::vector<poller::event> wait_until(poller& p, Done done, std::chrono::milliseconds budget) {
  test::deadline d{budget};
  std::vector<poller::event> got;
  do {
    p.wait(got, d.remaining());
    if (done(got))
      return got;
  } while (!d.expired());
  return got;
}

poll_flags reported(const std::vector<poller::event>& got, const socket& s) {
  for (auto& e : got)
    if (e.sock == &s)
      return e.events;
  return 0;
}

poll_flags reported_fd(const std::vector<poller::event>& got, int fd) {
  for (auto& e : got)
    if (e.sock == nullptr && e.fd == fd)
      return e.events;
  return 0;
}

// CPU time this thread has used.
std::chrono::nanoseconds thread_cpu_time() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// The calling thread's kernel id.
long this_thread_id() {
  return ::syscall(SYS_gettid);
}

// True while thread `tid` of this process sleeps in the kernel (state S in its stat line).
bool sleeping(long tid) {
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string line;
  std::getline(in, line);
  auto end_of_name = line.rfind(')');
  return end_of_name != std::string::npos && line.size() > end_of_name + 2
         && line[end_of_name + 2] == 'S';
}

// A pipe closed at the end of the scope.
struct os_pipe {
  std::array<int, 2> fds{-1, -1};
  os_pipe() { EXPECT_EQ(::pipe2(fds.data(), O_NONBLOCK | O_CLOEXEC), 0); }
  ~os_pipe() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
  os_pipe(const os_pipe&) = delete;
  os_pipe& operator=(const os_pipe&) = delete;
  int reader() const { return fds[0]; }
  int writer() const { return fds[1]; }
};

TEST(Poller, ReportsEverySocketThatIsReady) {
  context ctx;
  push_pull a{ctx}, b{ctx}, c{ctx};
  poller p;
  p.add(a.pull, poll_in);
  p.add(b.pull, poll_in);
  p.add(c.pull, poll_in);
  EXPECT_EQ(p.size(), 3u);
  EXPECT_TRUE(p.wait(0ms).empty());
  ASSERT_TRUE(a.push.send(message{"to a"}));
  ASSERT_TRUE(c.push.send(message{"to c"}));
  auto got = wait_until(p, [&](auto& g) { return g.size() == 2; }, 5000ms);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].sock, &a.pull);  // in the order they were added
  EXPECT_EQ(got[1].sock, &c.pull);
  EXPECT_EQ(got[0].events, poll_in);
  EXPECT_EQ(got[0].fd, -1);
  EXPECT_EQ(reported(got, b.pull), 0u);
  // A ready socket's recv(0) returns at once: poll_in is exact.
  EXPECT_EQ(test::frames_of(*a.pull.recv(0ms)), std::vector<std::string>{"to a"});
  EXPECT_EQ(test::frames_of(*c.pull.recv(0ms)), std::vector<std::string>{"to c"});
  EXPECT_TRUE(p.wait(0ms).empty());
}

TEST(Poller, IsLevelTriggered) {
  context ctx;
  push_pull s{ctx};
  poller p;
  p.add(s.pull, poll_in);
  ASSERT_TRUE(s.push.send(test::sequenced(1)));
  ASSERT_TRUE(s.push.send(test::sequenced(2)));
  auto got = wait_until(p, [](auto& g) { return !g.empty(); }, 5000ms);
  ASSERT_EQ(got.size(), 1u);
  // Not taken: reported again, at once, on every wait.
  EXPECT_EQ(p.wait(0ms).size(), 1u);
  EXPECT_EQ(p.wait(5000ms).size(), 1u);
  // One message per wake-up is enough: the second one keeps the socket ready.
  EXPECT_EQ(test::sequence_of(*s.pull.recv(0ms)), 1u);
  got = wait_until(p, [](auto& g) { return !g.empty(); }, 5000ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(test::sequence_of(*s.pull.recv(0ms)), 2u);
  EXPECT_TRUE(p.wait(0ms).empty());
}

TEST(Poller, TimeoutIsHonouredWithoutABusyLoop) {
  context ctx;
  push_pull s{ctx};
  poller p;
  p.add(s.pull, poll_in);
  auto cpu_before = thread_cpu_time();
  auto t0 = test::clock::now();
  EXPECT_TRUE(p.wait(300ms).empty());
  auto waited = test::elapsed_ms(t0);
  auto cpu = std::chrono::duration_cast<std::chrono::milliseconds>(thread_cpu_time() - cpu_before);
  EXPECT_GE(waited, 300);
  EXPECT_LT(waited, 3000);
  EXPECT_LT(cpu.count(), 100) << "the wait spun: " << cpu.count() << " ms of CPU in " << waited
                              << " ms";
  t0 = test::clock::now();
  EXPECT_TRUE(p.wait(0ms).empty());
  EXPECT_LT(test::elapsed_ms(t0), 1000);
}

extern "C" void count_signal(int) {}

TEST(Poller, ASignalDoesNotEndTheWaitEarly) {
  context ctx;
  push_pull s{ctx};
  poller p;
  p.add(s.pull, poll_in);
  struct sigaction action {};
  struct sigaction previous {};
  action.sa_handler = count_signal;  // no SA_RESTART: epoll_wait fails with EINTR
  ASSERT_EQ(::sigaction(SIGUSR1, &action, &previous), 0);
  std::atomic<long> waiter{0};
  pthread_t me = ::pthread_self();
  std::atomic<bool> signalled{false};
  std::thread interrupter([&] {
    if (test::eventually([&] { return waiter != 0 && sleeping(waiter); }, 5000ms))
      signalled = ::pthread_kill(me, SIGUSR1) == 0;
  });
  waiter = this_thread_id();
  auto t0 = test::clock::now();
  auto got = p.wait(500ms);
  auto waited = test::elapsed_ms(t0);
  interrupter.join();
  ::sigaction(SIGUSR1, &previous, nullptr);
  EXPECT_TRUE(signalled);
  EXPECT_TRUE(got.empty());
  EXPECT_GE(waited, 500) << "the signal ended the wait early";
  EXPECT_LT(waited, 5000);
}

TEST(Poller, WakesWhenAMessageArrives) {
  context ctx;
  push_pull s{ctx};
  poller p;
  p.add(s.pull, poll_in);
  std::atomic<long> waiter{0};
  std::thread sender([&] {
    // The push socket is this thread's from here on; the main thread only waits. It sends
    // once the main thread sleeps (in the wait: nothing else blocks it).
    ASSERT_TRUE(test::eventually([&] { return waiter != 0 && sleeping(waiter); }, 5000ms));
    ASSERT_TRUE(s.push.send(message{"late"}, 5000ms));
  });
  waiter = this_thread_id();
  auto t0 = test::clock::now();
  auto got = p.wait(10000ms);
  auto waited = test::elapsed_ms(t0);
  sender.join();
  if (got.empty())  // woke, for a message not yet whole: the contract allows a second look
    got = p.wait(5000ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_LT(waited, 8000) << "the wait did not wake for the message";
  EXPECT_EQ(test::frames_of(*s.pull.recv(0ms)), std::vector<std::string>{"late"});
}

TEST(Poller, FilteredMessagesAreNotReported) {
  context ctx;
  socket pub{ctx, socket_type::pub, test::no_linger()};
  socket sub{ctx, socket_type::sub, test::no_linger()};
  pub.bind("tcp://127.0.0.1:*");
  sub.subscribe("A");
  sub.connect(pub.last_endpoint());
  ASSERT_TRUE(pub.wait_subscribers(1, 5000ms));
  poller p;
  p.add(sub, poll_in);
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(pub.send(message{"B-filtered"}));
  auto t0 = test::clock::now();
  EXPECT_TRUE(p.wait(300ms).empty()) << "a filtered message was reported as readiness";
  EXPECT_GE(test::elapsed_ms(t0), 300);
  ASSERT_TRUE(pub.send(message{"A-wanted"}));
  auto got = wait_until(p, [](auto& g) { return !g.empty(); }, 5000ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(test::frames_of(*sub.recv(0ms)), std::vector<std::string>{"A-wanted"});
}

TEST(Poller, OutInterestFollowsTheHwm) {
  socket_options o = test::no_linger();
  o.sndhwm = 5;
  context ctx;
  socket push{ctx, socket_type::push, o};
  push.connect(test::local_endpoint(test::free_tcp_port()));  // nobody there: the queue fills
  poller p;
  p.add(push, poll_out);
  auto got = p.wait(5000ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].events, poll_out);
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(push.send(message{"queued"}, 0ms)) << "send " << i;
  auto t0 = test::clock::now();
  EXPECT_TRUE(p.wait(200ms).empty()) << "poll_out reported with the queue at its HWM";
  EXPECT_GE(test::elapsed_ms(t0), 200);
  EXPECT_FALSE(push.send(message{"sixth"}, 0ms));  // as the poller said
}

TEST(Poller, OutInterestWakesWhenRoomComes) {
  socket_options o = test::no_linger();
  o.sndhwm = 10;
  o.rcvhwm = 10;
  context ctx;
  socket pull{ctx, socket_type::pull, o};
  pull.bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, o};
  push.connect(pull.last_endpoint());
  // Fill the HWMs and the TCP buffers: the PUSH blocks.
  uint64_t sent = 0;
  test::deadline d{20000ms};
  while (!d.expired() && push.send(test::sequenced(sent, 64 * 1024), 200ms))
    ++sent;
  ASSERT_FALSE(d.expired());
  poller p;
  p.add(push, poll_out);
  p.add(pull, poll_in);
  auto got = p.wait(0ms);
  EXPECT_EQ(reported(got, push), 0u) << "poll_out reported for a PUSH that blocks";
  EXPECT_EQ(reported(got, pull), poll_in);
  // Take everything: the queues drain, and the PUSH's descriptor wakes the poller for room.
  uint64_t received = 0;
  while (received < sent && !d.expired()) {
    got = p.wait(d.remaining());
    if (reported(got, pull) == 0)
      continue;
    for (auto m = pull.recv(0ms); m; m = pull.recv(0ms))
      ASSERT_EQ(test::sequence_of(*m), received++);
  }
  ASSERT_EQ(received, sent);
  got = wait_until(p, [&](auto& g) { return reported(g, push) != 0; }, d.remaining());
  EXPECT_EQ(reported(got, push), poll_out);
  EXPECT_TRUE(push.send(test::sequenced(sent), 0ms));
}

TEST(Poller, OutInterestWakesWhenAPeerConnects) {
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  push.bind("tcp://127.0.0.1:*");  // no peer: nowhere to queue
  poller p;
  p.add(push, poll_out);
  EXPECT_TRUE(p.wait(100ms).empty());
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.connect(push.last_endpoint());
  auto got = p.wait(5000ms);
  ASSERT_EQ(got.size(), 1u) << "the new peer did not wake the poller";
  EXPECT_EQ(got[0].events, poll_out);
  EXPECT_TRUE(push.send(message{"first"}, 0ms));
}

TEST(Poller, OutInterestFollowsTheReqTurn) {
  context ctx;
  socket rep{ctx, socket_type::rep, test::no_linger()};
  socket req{ctx, socket_type::req, test::no_linger()};
  rep.bind("tcp://127.0.0.1:*");
  req.connect(rep.last_endpoint());
  poller p;
  p.add(req, poll_in | poll_out);
  p.add(rep, poll_in | poll_out);
  auto got = wait_until(p, [&](auto& g) { return reported(g, req) == poll_out; }, 5000ms);
  ASSERT_EQ(reported(got, req), poll_out);
  EXPECT_EQ(reported(got, rep), 0u);  // no request to answer yet
  ASSERT_TRUE(req.send(message{"ping"}));
  got = wait_until(p, [&](auto& g) { return reported(g, rep) == poll_in; }, 5000ms);
  ASSERT_EQ(reported(got, rep), poll_in);  // its turn is to receive, not to send
  EXPECT_EQ(reported(got, req), 0u);       // awaits the reply
  ASSERT_TRUE(rep.recv(0ms));
  got = p.wait(0ms);
  EXPECT_EQ(reported(got, rep), poll_out);
  ASSERT_TRUE(rep.send(message{"pong"}));
  got = wait_until(p, [&](auto& g) { return reported(g, req) == poll_in; }, 5000ms);
  ASSERT_EQ(reported(got, req), poll_in);
  ASSERT_TRUE(req.recv(0ms));
  EXPECT_EQ(reported(p.wait(0ms), req), poll_out);
}

TEST(Poller, ModifyChangesTheInterest) {
  context ctx;
  push_pull s{ctx};
  poller p;
  p.add(s.push, poll_in | poll_out);  // a PUSH never receives: poll_in never shows
  auto got = wait_until(p, [](auto& g) { return !g.empty(); }, 5000ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].events, poll_out);
  p.modify(s.push, poll_in);
  EXPECT_TRUE(p.wait(100ms).empty());
  p.modify(s.push, poll_out);
  EXPECT_EQ(p.wait(5000ms).size(), 1u);
  p.remove(s.push);
  EXPECT_EQ(p.size(), 0u);
  EXPECT_TRUE(p.wait(0ms).empty());
}

TEST(Poller, WatchesPlainDescriptorsBesideSockets) {
  context ctx;
  push_pull s{ctx};
  os_pipe pp;
  poller p;
  p.add(s.pull, poll_in);
  p.add_fd(pp.reader(), poll_in);
  EXPECT_TRUE(p.wait(50ms).empty());
  ASSERT_EQ(::write(pp.writer(), "x", 1), 1);
  auto got = p.wait(5000ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].sock, nullptr);
  EXPECT_EQ(got[0].fd, pp.reader());
  EXPECT_EQ(got[0].events, poll_in);
  EXPECT_EQ(p.wait(0ms).size(), 1u);  // level-triggered: the byte is still there
  ASSERT_TRUE(s.push.send(message{"both"}));
  got = wait_until(p, [](auto& g) { return g.size() == 2; }, 5000ms);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].sock, &s.pull);
  EXPECT_EQ(reported_fd(got, pp.reader()), poll_in);
  char byte = 0;
  ASSERT_EQ(::read(pp.reader(), &byte, 1), 1);
  ASSERT_TRUE(s.pull.recv(0ms));
  EXPECT_TRUE(p.wait(0ms).empty());
  // Out interest on the writing end; modify_fd and remove_fd.
  p.add_fd(pp.writer(), poll_out);
  EXPECT_EQ(reported_fd(p.wait(0ms), pp.writer()), poll_out);
  p.modify_fd(pp.writer(), poll_in);
  EXPECT_TRUE(p.wait(0ms).empty());
  p.remove_fd(pp.writer());
  p.remove_fd(pp.reader());
  EXPECT_EQ(p.size(), 1u);
}

TEST(Poller, HangUpOnADescriptorReportsItsInterest) {
  poller p;
  std::array<int, 2> fds{};
  ASSERT_EQ(::pipe2(fds.data(), O_CLOEXEC), 0);
  p.add_fd(fds[0], poll_in);
  ::close(fds[1]);  // the reader sees end of file
  auto got = p.wait(5000ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].events, poll_in);
  p.remove_fd(fds[0]);
  ::close(fds[0]);
}

TEST(Poller, BadArgumentsAreRefusedClearly) {
  context ctx;
  push_pull s{ctx};
  socket stranger{ctx, socket_type::pull, test::no_linger()};
  poller p;
  auto code_of = [](auto&& call) {
    try {
      call();
    } catch (const error& e) {
      EXPECT_NE(std::string(e.what()).find("poller::"), std::string::npos) << e.what();
      return e.code();
    }
    ADD_FAILURE() << "no error";
    return errc::internal;
  };
  EXPECT_EQ(code_of([&] { p.wait(-1ms); }), errc::invalid_argument);  // empty, for ever
  p.add(s.pull, poll_in);
  EXPECT_EQ(code_of([&] { p.add(s.pull, poll_in); }), errc::invalid_argument);
  EXPECT_EQ(code_of([&] { p.add(s.push, 0); }), errc::invalid_argument);
  EXPECT_EQ(code_of([&] { p.add(s.push, 4); }), errc::invalid_argument);
  EXPECT_EQ(code_of([&] { p.modify(stranger, poll_in); }), errc::invalid_argument);
  EXPECT_EQ(code_of([&] { p.modify(s.pull, 0); }), errc::invalid_argument);
  EXPECT_EQ(code_of([&] { p.remove(stranger); }), errc::invalid_argument);
  EXPECT_EQ(code_of([&] { p.wait(-2ms); }), errc::invalid_argument);
  EXPECT_EQ(code_of([&] { p.add_fd(-1, poll_in); }), errc::invalid_argument);
  EXPECT_EQ(code_of([&] { p.add_fd(1 << 20, poll_in); }), errc::invalid_argument);  // not open
  int readiness = s.pull.readiness_fd(poll_in);
  EXPECT_EQ(code_of([&] { p.add_fd(readiness, poll_in); }), errc::invalid_argument);
  EXPECT_EQ(code_of([&] { p.modify_fd(12345, poll_in); }), errc::invalid_argument);
  EXPECT_EQ(code_of([&] { p.remove_fd(12345); }), errc::invalid_argument);
  EXPECT_EQ(code_of([&] { p.remove_fd(readiness); }), errc::invalid_argument);  // a socket's
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(code_of([&] { p.add_fd(::fileno(file), poll_in); }), errc::invalid_argument);
  std::fclose(file);
  os_pipe pp;
  p.add_fd(pp.reader(), poll_in);
  EXPECT_EQ(code_of([&] { p.add_fd(pp.reader(), poll_in); }), errc::invalid_argument);
  EXPECT_EQ(p.size(), 2u);  // the refused calls changed nothing
  poller moved{std::move(p)};
  EXPECT_EQ(moved.size(), 2u);
  EXPECT_EQ(code_of([&] { (void)p.size(); }), errc::wrong_state);  // NOLINT(bugprone-use-after-move)
  moved.remove_fd(pp.reader());
}

TEST(Poller, ClosedSocketFailsTheWaitUntilRemoved) {
  context ctx;
  push_pull s{ctx};
  socket other{ctx, socket_type::pull, test::no_linger()};
  poller p;
  p.add(other, poll_in);
  p.add(s.pull, poll_in);
  s.pull.close();
  try {
    p.wait(5000ms);
    FAIL() << "wait ignored a closed socket";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::socket_closed);
    EXPECT_NE(std::string(e.what()).find("entry 1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("PULL"), std::string::npos) << e.what();
  }
  p.remove(s.pull);
  EXPECT_TRUE(p.wait(0ms).empty());
  socket closed{ctx, socket_type::pull, test::no_linger()};
  closed.close();
  EXPECT_THROW(p.add(closed, poll_in), error);
}

TEST(Poller, TerminatedContextEndsAWaitInProgress) {
  auto ctx = std::make_unique<context>();
  socket pull{*ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  poller p;
  p.add(pull, poll_in);
  std::atomic<long> waiter{0};
  std::thread closer([&] {
    // Closes once the main thread sleeps in the wait.
    ASSERT_TRUE(test::eventually([&] { return waiter != 0 && sleeping(waiter); }, 5000ms));
    ctx->close();
  });
  waiter = this_thread_id();
  auto t0 = test::clock::now();
  errc code = errc::internal;
  try {
    p.wait(20000ms);
  } catch (const error& e) {
    code = e.code();
  }
  closer.join();
  EXPECT_EQ(code, errc::socket_closed);
  EXPECT_LT(test::elapsed_ms(t0), 10000) << "the terminated context did not end the wait";
  p.remove(pull);
}

TEST(Poller, MovedSocketFailsTheWaitAndItsNewSelfCanBeAdded) {
  context ctx;
  push_pull s{ctx};
  poller p;
  p.add(s.pull, poll_in);
  socket moved{std::move(s.pull)};
  try {
    p.wait(0ms);
    FAIL() << "wait polled a moved-from socket";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::socket_closed);
    EXPECT_NE(std::string(e.what()).find("moved from"), std::string::npos) << e.what();
  }
  p.remove(s.pull);  // NOLINT(bugprone-use-after-move): removing the stale entry
  p.add(moved, poll_in);
  ASSERT_TRUE(s.push.send(message{"after the move"}));
  auto got = wait_until(p, [](auto& g) { return !g.empty(); }, 5000ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].sock, &moved);
  EXPECT_EQ(test::frames_of(*moved.recv(0ms)), std::vector<std::string>{"after the move"});
}

} // namespace
} // namespace cafmq
