// The sigwait thread behind stop_signal.
#include "stop_signal.hpp"

#include <cstdio>
#include <cstdlib>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

namespace cafmq::cli {

namespace {

sigset_t stop_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

/// Ends the process (exit 1) without destructors or atexit handlers, keeping what stdout holds.
[[noreturn]] void exit_at_once() {
  // _Exit does not flush stdio. Flush unless another thread is writing stdout right now: it may
  // be blocked on a full pipe, and the exit must not wait for that.
  if (ftrylockfile(stdout) == 0) {
    std::fflush(stdout);  // the lock is recursive: this thread holds it already
    funlockfile(stdout);
  }
  // write(2), not stderr: no stdio lock that a blocked --events printer could hold.
  static constexpr char note[] = "cafmq: second signal: exiting at once\n";
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, note, sizeof note - 1);
  std::_Exit(1);
}

} // namespace

stop_signal::stop_signal() {
  sigset_t set = stop_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  waiter_ = std::thread([this, set] {
    for (;;) {
      int sig = 0;
      sigwait(&set, &sig);
      // The destructor wakes us with SIGTERM too; that is not a user's request to stop.
      if (shutting_down_.load())
        return;
      if (!requested_.exchange(true))
        continue;
      // A second signal: the user will not wait (e.g. for a close that lingers). Exit now,
      // skipping destructors that would wait for the same close.
      exit_at_once();
    }
  });
}

stop_signal::~stop_signal() {
  shutting_down_.store(true);
  // SIGTERM is blocked and sigwait()ed by that thread: it wakes it, it kills nothing.
  // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread)
  pthread_kill(waiter_.native_handle(), SIGTERM);  // harmless if it already returned
  waiter_.join();
}

} // namespace cafmq::cli
