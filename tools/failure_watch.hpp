// The root cause of a final error: watches a socket's monitor events and keeps the latest
// connection failure (refused, handshake failed, gave up...), forgotten when a handshake succeeds.
// "send timed out" or "N messages discarded" then says why.
#pragma once

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
  /// `curve_client`: the socket is a CURVE client (a silent close mid-handshake is then a
  /// server that does not have the key we encrypted for).
  failure_watch(socket& sock, bool curve_client);
  ~failure_watch();
  failure_watch(const failure_watch&) = delete;
  failure_watch& operator=(const failure_watch&) = delete;

  /// The latest failure that no successful handshake followed, as text for an error message
  /// ("connection refused (tcp://127.0.0.1:5555)"); empty if none.
  std::string root_cause() const;
  /// root_cause(), once an endpoint's `closed` event has arrived (or `wait` has passed): after
  /// close() the events of the endpoints that just stopped may still be on their way.
  std::string root_cause_after_close(std::chrono::milliseconds wait) const;
  /// `what` followed by ": " and the root cause, if there is one.
  std::string explain(const std::string& what) const;

private:
  /// Shared with the callback, which the socket may still be running as the watch goes away.
  struct state {
    void on_event(const monitor_event& e);
    bool curve_client = false;
    std::mutex mtx;
    std::condition_variable closed_cv;
    bool closed_seen = false;  ///< an endpoint said `closed`
    std::string cause;
    bool from_connection = false;  ///< `cause` came from a connection's own event
  };

  socket& sock_;
  std::shared_ptr<state> state_;
  uint64_t callback_id_ = 0;
};

/// A failure event as a short sentence; empty for events that are not failures.
std::string describe_failure(const monitor_event& e, bool curve_client);

} // namespace cafmq::cli
