// The sigwait thread behind stop_signal, its eventfd and the second signal's end of lingers.
#include "stop_signal.hpp"

#include "stderr_line.hpp"

#include "runtime/core/error.hpp"
#include "runtime/socket.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
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
constexpr std::chrono::seconds exit_grace{1};

/// How long the summary line may wait for room on stderr before it is dropped.
constexpr std::chrono::milliseconds summary_wait{1000};

sigset_t stop_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

/// The signal thread's notices: dropped rather than waited for when stderr is full, so a
/// supervisor that never reads stderr cannot keep the thread from the next signal.
void note(const std::string& line) {
  write_stderr_line(line, std::chrono::milliseconds(0));
}

/// Ends the process (exit 1) without destructors or atexit handlers. Nothing is flushed (a flush
/// could block on a full pipe): every line printed on stdout was flushed as it was printed.
[[noreturn]] void exit_at_once() {
  std::_Exit(1);
}

/// sigtimedwait for up to `grace`, again with the time left when SIGSTOP/SIGCONT interrupts it;
/// true if a signal of `set` came.
bool signal_within(const sigset_t& set, std::chrono::seconds grace) {
  auto deadline = std::chrono::steady_clock::now() + grace;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    auto s = std::chrono::duration_cast<std::chrono::seconds>(left);
    timespec wait{static_cast<time_t>(s.count()), static_cast<long>((left - s).count())};
    siginfo_t info{};
    if (sigtimedwait(&set, &info, &wait) > 0)
      return true;
    if (errno != EINTR)
      return false;
  }
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
    if (signal_within(set, exit_grace) && shutting_down_.load())
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

// The stop is acted on first, the notice written after: a full stderr delays nothing. The
// command's summary line still comes after the notice, as it first takes the notices' lock.
void stop_signal::on_first(int sig) {
  std::lock_guard<std::mutex> lock{notice_mtx_};
  signal_.store(sig, std::memory_order_release);
  wake();
  note(std::string("cafmq: ") + (sig == SIGINT ? "SIGINT" : "SIGTERM")
       + ": stopping (a second signal ends it at once)\n");
}

void stop_signal::on_second() {
  forced_.store(true, std::memory_order_release);
  bool lingers = false;
  {
    std::lock_guard<std::mutex> lock{sockets_mtx_};
    lingers = !sockets_.empty();
    for (auto* s : sockets_)
      s->abort_linger();  // thread-safe: the guard keeps the socket alive while it is listed
  }
  {
    std::lock_guard<std::mutex> lock{notice_mtx_};
    note("cafmq: second signal: exiting at once\n");
  }
  if (!lingers)
    exit_at_once();  // nothing lingers that the command could end by itself
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
  try {
    sock_.close();  // lingers here, while a second signal can still end it
  } catch (...) {
    // Only a terminated context makes close fail, and then nothing lingers.
  }
  std::lock_guard<std::mutex> lock{stop_.sockets_mtx_};
  auto& v = stop_.sockets_;
  v.erase(std::remove(v.begin(), v.end(), &sock_), v.end());
}

void stop_signal::print_summary(const std::string& what, bool failed) const {
  std::lock_guard<std::mutex> lock{notice_mtx_};  // after the notice
  write_stderr_line(std::string("cafmq: ") + (failed ? "error: " : "") + "interrupted by " + name()
                      + ": " + what + "\n",
                    summary_wait);
}

} // namespace cafmq::cli
