// SIGINT/SIGTERM for every command, in one place. The signals are blocked in every thread and a
// helper thread waits for them with sigwait, so no CAF or Asio thread is ever interrupted by a
// handler. The first signal asks the command to stop: it raises a flag and an eventfd that the
// command's waits watch (message_io.hpp), so an idle command sleeps without periodic wake-ups.
// The second signal ends the lingers of the sockets the command registered (their close returns
// at once, discarding) and the command exits 1; if it has not exited 1 s later, or a third signal
// comes, or no socket was registered, the process ends at once. Nothing here waits for stderr:
// each signal is acted on first, its notice dropped if stderr is full. docs/cli.md "Signals and
// exit codes".
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cafmq {
class socket;
}

namespace cafmq::cli {

/// Construct before the cafmq::context (its threads inherit the signal mask), destroy after it.
class stop_signal {
public:
  stop_signal();
  /// Wakes and joins the waiting thread.
  ~stop_signal();
  stop_signal(const stop_signal&) = delete;
  stop_signal& operator=(const stop_signal&) = delete;

  /// True once SIGINT or SIGTERM arrived.
  bool requested() const noexcept { return signal_.load(std::memory_order_acquire) != 0; }
  /// "SIGINT" or "SIGTERM", the first signal; "" before one came.
  const char* name() const noexcept;
  /// True once a second signal ended the lingers: the command's exit status is then 1.
  bool forced() const noexcept { return forced_.load(std::memory_order_acquire); }
  /// `normal`, or 1 after a second signal.
  int status(int normal) const noexcept { return forced() ? 1 : normal; }

  /// An eventfd that turns readable when a stop is requested (or wake() is called) and stays
  /// so: watch it with a cafmq::poller next to the socket. Never read or close it.
  int fd() const noexcept { return fd_; }
  /// Sleeps until a stop is requested or wake() is called, up to `timeout` (-1: no limit);
  /// true if a stop was requested. No periodic wake-up.
  bool wait(std::chrono::milliseconds timeout = std::chrono::milliseconds(-1)) const;
  /// Wakes wait() and fd() without a signal, for a command whose own work ended (the proxy).
  void wake() noexcept;

  /// While the guard lives, a second signal ends `s`'s linger (socket::abort_linger). Make it
  /// right after the socket, so it goes before the socket does: its destructor closes the socket
  /// (the linger happens there, still guarded), then lets it go.
  class linger_guard {
  public:
    linger_guard(stop_signal& stop, socket& s);
    ~linger_guard();
    linger_guard(const linger_guard&) = delete;
    linger_guard& operator=(const linger_guard&) = delete;

  private:
    stop_signal& stop_;
    socket& sock_;
  };

  /// The stop's summary line on stderr, "cafmq: interrupted by SIGTERM: <what>", after
  /// "cafmq: error: " instead of "cafmq: " when the command fails because of the stop. Always
  /// after the signal's notice; dropped if stderr stays full for 1 s (nobody reads it).
  void print_summary(const std::string& what, bool failed) const;

private:
  void on_first(int sig);
  void on_second();

  std::atomic<int> signal_{0};
  std::atomic<bool> forced_{false};
  std::atomic<bool> shutting_down_{false};
  int fd_ = -1;
  mutable std::mutex notice_mtx_;  // orders the notices before the summary
  std::mutex sockets_mtx_;
  std::vector<socket*> sockets_;  // the linger_guards' sockets
  std::thread waiter_;
};

} // namespace cafmq::cli
