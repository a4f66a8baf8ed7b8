// The CAF face of monitoring, for programs that are actors themselves: observer actors receive a
// socket's monitor events as `cafmq::monitor_event` messages. Opt-in: include this header (which
// includes CAF 0.17) and link CAF::core; cafmq.hpp stays free of CAF for everyone else.
#pragma once

#include "socket.hpp"

#include <caf/all.hpp>

// Local messages only (the event is never serialized between processes).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cafmq::monitor_event)

namespace cafmq {

/// Sends every monitor event of `s` from now on to `observer` as a `monitor_event` message
/// (handler: `[](const cafmq::monitor_event& e) {...}`). The actor may belong to any actor
/// system. It is held weakly: an observer that terminates just stops receiving, and never stays
/// alive because of the socket. Returns an id for socket::remove_event_callback.
inline uint64_t add_observer(socket& s, const caf::actor& observer) {
  caf::actor_addr weak = observer.address();
  return s.add_event_callback([weak](const monitor_event& e) {
    if (auto strong = caf::actor_cast<caf::actor>(weak))
      caf::anon_send(strong, e);
  });
}

} // namespace cafmq
