// `--events`: prints a socket's monitor events on stderr as JSON lines while a command runs, from
// the context's event thread (socket::add_event_callback), so stdout (messages) is never
// disturbed, the command never waits for it, and nothing wakes up while no event comes.
#pragma once

#include "cli_args.hpp"

#include "runtime/socket.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

namespace cafmq::cli {

/// Prints the events of `sock` from construction on, if `args.events`; otherwise does nothing.
/// Declare it right after the socket. Its destructor closes the socket (if the command has not:
/// the socket's own destructor would, a moment later) and waits, at most 1 s, for the `closed`
/// event of every endpoint; then it says how many events were lost if the event thread fell
/// behind or stderr was full (`{"event":"events_lost","dropped":N}`). A line waits at most 100 ms
/// for room on stderr, and none while stderr stays full: the event thread it runs on also serves
/// failure_watch.
class event_printer {
public:
  event_printer(socket& sock, const cli_args& args);
  ~event_printer();
  event_printer(const event_printer&) = delete;
  event_printer& operator=(const event_printer&) = delete;

private:
  /// Shared with the callback, which the event thread may still be running as the printer goes.
  struct state {
    void print(const monitor_event& e);
    std::mutex mtx;
    std::condition_variable closed_cv;
    size_t closed_seen = 0;
    std::atomic<uint64_t> unwritten{0};  // lines stderr had no room for
    bool stalled = false;                // the last line was dropped (event thread only)
  };

  socket& sock_;
  std::shared_ptr<state> state_;  // null without --events
  size_t endpoints_ = 0;
  uint64_t callback_id_ = 0;
};

} // namespace cafmq::cli
