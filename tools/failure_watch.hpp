// The root cause of a final error: watches a socket's monitor events and keeps the latest
// connection failure (refused, handshake failed, gave up...), forgotten when a handshake succeeds.
// "send timed out" or "N messages discarded" then says why.
#pragma once

#include "cli_args.hpp"

#include "runtime/socket.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace cafmq::cli {

/// Construct right after the socket, before attaching endpoints; destroy before the socket.
class failure_watch {
public:
  /// Watches `sock`, made from `args`: a CURVE client's silent close mid-handshake is then a
  /// server that does not have the key we encrypted for; each of args.endpoints says `closed`.
  failure_watch(socket& sock, const cli_args& args);
  ~failure_watch();
  failure_watch(const failure_watch&) = delete;
  failure_watch& operator=(const failure_watch&) = delete;

  /// The latest failure that no successful handshake followed, as text for an error message
  /// ("connection refused (tcp://127.0.0.1:5555)"); empty if none.
  std::string root_cause() const;
  /// root_cause(), once every endpoint's `closed` event has arrived (or `wait` has passed):
  /// after close() the events of the endpoints that just stopped may still be on their way.
  std::string root_cause_after_close(std::chrono::milliseconds wait) const;
  /// with_cause(root_cause(), what).
  std::string explain(const std::string& what) const;

private:
  /// Shared with the callback, which the socket may still be running as the watch goes away.
  struct state {
    void on_event(const monitor_event& e);
    bool curve_client = false;
    size_t endpoints = 0;
    std::mutex mtx;
    std::condition_variable closed_cv;
    size_t closed_seen = 0;  ///< `closed` events so far (one per endpoint)
    std::string cause;
    bool from_connection = false;  ///< `cause` came from a connection's own event
  };

  socket& sock_;
  std::shared_ptr<state> state_;
  uint64_t callback_id_ = 0;
};

/// A final error line: the root cause first, then what it caused ("connection refused (EP): 1 of
/// 1 message(s) discarded ..."); just `what` if the cause is empty.
std::string with_cause(const std::string& cause, const std::string& what);

/// A failure event as a short sentence; empty for events that are not failures.
std::string describe_failure(const monitor_event& e, bool curve_client);

} // namespace cafmq::cli
