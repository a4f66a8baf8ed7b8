// The tcp:// transport's listener and dialer ("tcp://*:port", "tcp://127.0.0.1:*", names that
// resolve). Private to net/: the actors reach them through net/transport.hpp.
#pragma once

#include "net/transport.hpp"

namespace cafmq::net {

/// Resolves and binds `ep` on `home`'s I/O thread, then calls `done` there.
void bind_tcp(io_loop& home, const endpoint& ep, bind_fn done);

/// Resolves and connects `ep` on a loop picked from `home`'s pool; `done` runs on that loop.
cancel_fn dial_tcp(io_loop& home, const endpoint& ep, dial_fn done);

/// Runs `body`; an exception it throws becomes a connection_end with code internal, handed to
/// `fail` (the exception boundary of accept and dial handlers).
template <class Body, class Fail>
void guarded(const char* where, Body&& body, Fail&& fail) {
  std::string what;
  try {
    body();
    return;
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "a non-standard exception";
  }
  fail(transient_end(event_reason::internal, std::string(where) + " threw: " + what));
}

} // namespace cafmq::net
