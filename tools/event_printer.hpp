// `--events`: prints a socket's monitor events on stderr as JSON lines while a command runs, on a
// thread of its own, so stdout (messages) is never disturbed and the command never waits for it.
#pragma once

#include "cli_args.hpp"

#include "runtime/socket.hpp"

#include <atomic>
#include <optional>
#include <thread>

namespace cafmq::cli {

/// Prints the events of `sock` from construction on, if `args.events`; otherwise does nothing.
/// Declare it right after the socket. Its destructor closes the socket (if the command has not:
/// the socket's own destructor would, a moment later) and prints the last events, up to the
/// `closed` of every endpoint, waiting at most 1 s for them.
class event_printer {
public:
  event_printer(socket& sock, const cli_args& args);
  ~event_printer();
  event_printer(const event_printer&) = delete;
  event_printer& operator=(const event_printer&) = delete;

private:
  void run();
  void print(const monitor_event& e);

  socket& sock_;
  std::optional<event_stream> stream_;
  size_t endpoints_ = 0;
  size_t closed_seen_ = 0;
  uint64_t overflow_reported_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

} // namespace cafmq::cli
