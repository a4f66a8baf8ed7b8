// The sigwait thread behind stop_signal, its eventfd and the second signal's end of lingers.
#include "stop_signal.hpp"

#include "runtime/core/error.hpp"
#include "runtime/socket.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace cafmq::cli {

namespace {

/// How long the command may take, after a second signal ended its lingers, to print its summary
/// and exit by itself before the process is ended at once.
constexpr time_t exit_grace_s = 1;

sigset_t stop_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

/// Written with write(2), not stderr: no stdio lock that a blocked --events printer could hold.
void note(const std::string& line) {
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
}

/// Ends the process (exit 1) without destructors or atexit handlers, keeping what stdout holds.
[[noreturn]] void exit_at_once() {
  // _Exit does not flush stdio. Flush unless another thread is writing stdout right now: it may
  // be blocked on a full pipe, and the exit must not wait for that.
  if (ftrylockfile(stdout) == 0) {
    std::fflush(stdout);  // the lock is recursive: this thread holds it already
    funlockfile(stdout);
  }
  std::_Exit(1);
}

} // namespace

stop_signal::stop_signal() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (fd_ < 0)
    throw error{errc::internal, std::string("eventfd: ") + std::strerror(errno)};
  sigset_t set = stop_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  waiter_ = std::thread([this, set] {
    int sig = 0;
    sigwait(&set, &sig);
    // The destructor wakes us with SIGTERM too; that is not a user's request to stop.
    if (shutting_down_.load())
      return;
    on_first(sig);
    sigwait(&set, &sig);
    if (shutting_down_.load())
      return;
    on_second();
    // The command now closes without lingering and exits; give it a moment, no more.
    timespec grace{exit_grace_s, 0};
    siginfo_t info{};
    if (sigtimedwait(&set, &info, &grace) > 0 && shutting_down_.load())
      return;
    exit_at_once();  // a third signal, or the command did not get out in time
  });
}

stop_signal::~stop_signal() {
  shutting_down_.store(true);
  // SIGTERM is blocked and sigwait()ed by that thread: it wakes it, it kills nothing.
  // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread)
  pthread_kill(waiter_.native_handle(), SIGTERM);  // harmless if it already returned
  waiter_.join();
  ::close(fd_);
}

void stop_signal::on_first(int sig) {
  // The notice first: the command's summary line, which the wake-up leads to, comes after it.
  note(std::string("cafmq: ") + (sig == SIGINT ? "SIGINT" : "SIGTERM")
       + ": stopping (a second signal ends it at once)\n");
  signal_.store(sig, std::memory_order_release);
  wake();
}

void stop_signal::on_second() {
  note("cafmq: second signal: exiting at once\n");
  forced_.store(true, std::memory_order_release);
  std::lock_guard<std::mutex> lock{sockets_mtx_};
  if (sockets_.empty())
    exit_at_once();  // nothing lingers that the command could end by itself
  for (auto* s : sockets_)
    s->abort_linger();  // thread-safe: the guard keeps the socket alive while it is listed
}

const char* stop_signal::name() const noexcept {
  switch (signal_.load(std::memory_order_acquire)) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "";
  }
}

bool stop_signal::wait(std::chrono::milliseconds timeout) const {
  pollfd p{fd_, POLLIN, 0};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int left = -1;
    if (timeout.count() >= 0) {
      auto ms = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      left = static_cast<int>(std::max<long long>(ms.count(), 0));
    }
    int n = ::poll(&p, 1, left);
    if (n > 0 || (n == 0 && left >= 0) || (n < 0 && errno != EINTR))
      return requested();
  }
}

void stop_signal::wake() noexcept {
  uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(fd_, &one, sizeof one);  // never read: stays readable
}

stop_signal::linger_guard::linger_guard(stop_signal& stop, socket& s) : stop_(stop), sock_(s) {
  std::lock_guard<std::mutex> lock{stop_.sockets_mtx_};
  stop_.sockets_.push_back(&sock_);
  if (stop_.forced())
    sock_.abort_linger();  // a second signal came before this socket was made
}

stop_signal::linger_guard::~linger_guard() {
  std::lock_guard<std::mutex> lock{stop_.sockets_mtx_};
  auto& v = stop_.sockets_;
  v.erase(std::remove(v.begin(), v.end(), &sock_), v.end());
}

void stop_signal::print_summary(const std::string& what, bool failed) const {
  std::fprintf(stderr, "cafmq: %sinterrupted by %s: %s\n", failed ? "error: " : "", name(),
               what.c_str());
  std::fflush(stderr);
}

} // namespace cafmq::cli
