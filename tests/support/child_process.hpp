// Runs a program (the cafmq CLI, a python3 peer) as a child with stdout/stderr captured, and a
// deadline after which the child is killed: a hung child fails the test instead of hanging it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace cafmq::test {

/// How a child ended.
struct process_result {
  bool timed_out = false;  ///< killed by us at the deadline
  int exit_code = -1;      ///< exit status, or -1 if it died by a signal
  int term_signal = 0;     ///< the signal that ended it, if any
  std::string out;         ///< everything written to stdout
  std::string err;         ///< everything written to stderr

  /// One line for assertion messages.
  std::string describe() const;
};

/// A running child. Output is drained continuously (a chatty child never blocks on a full pipe).
class child_process {
public:
  /// Starts argv[0] (a path) with argv; stdin is /dev/null. Throws std::runtime_error on failure.
  explicit child_process(std::vector<std::string> argv);
  /// Kills the child if it still runs, and reaps it.
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Waits up to `timeout` for the child to exit; past it, kills it (SIGKILL) and reports
  /// timed_out. Call once.
  process_result wait(std::chrono::milliseconds timeout);
  /// True until the child has exited and its output is fully read.
  bool running();
  /// Waits until a complete line starting with `prefix` has appeared on stderr (or stdout when
  /// `on_stdout`) and returns it without the newline; empty if the child ended or `timeout`
  /// passed first. Only lines from byte `from` on count (see output_size). With `next`, the
  /// byte after the line found goes there: the `from` that waits for the line after it.
  std::string wait_for_line(const std::string& prefix, std::chrono::milliseconds timeout,
                            bool on_stdout = false, size_t from = 0, size_t* next = nullptr);
  /// Bytes of stderr (or stdout) captured so far: a `from` for wait_for_line that skips every
  /// line already seen.
  size_t output_size(bool on_stdout = false);
  /// Its process id.
  pid_t pid() const noexcept { return pid_; }

private:
  void pump(int out_fd, int err_fd);

  pid_t pid_ = -1;
  std::thread reader_;
  std::mutex mtx_;
  std::condition_variable cv_;
  bool done_ = false;
  bool waited_ = false;
  process_result result_;
};

/// Runs a child to completion (or kills it at `timeout`).
process_result run_process(std::vector<std::string> argv, std::chrono::milliseconds timeout);

} // namespace cafmq::test
