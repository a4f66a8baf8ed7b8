// The socket actor's sends: at once or would_block, or waiting for room up to a timeout in a
// bounded queue (max_waiting), in order: only the oldest waiting send is tried.
#include "actors/socket_face.hpp"

#include <algorithm>
#include <chrono>

namespace cafmq::actors::face {

caf::result<caf::ok_atom> send_now(pointer self, message& msg) {
  auto& st = self->state;
  // A send may not overtake the ones already waiting: it would block behind them.
  if (st.sends.empty() && st.sock->send(std::move(msg), std::chrono::milliseconds(0)))
    return caf::ok_atom::value;
  return make_error(actor_errc::would_block, "the socket cannot queue the message now");
}

caf::result<caf::ok_atom> send_waiting(pointer self, message& msg, caf::timespan timeout) {
  auto& st = self->state;
  if (st.sends.empty() && st.sock->send(msg, std::chrono::milliseconds(0)))
    return caf::ok_atom::value;
  if (timeout <= caf::timespan::zero())
    return make_error(actor_errc::would_block, "the socket cannot queue the message now");
  if (st.sends.size() >= st.face.max_waiting)
    return make_error(actor_errc::too_many_waiting,
                      std::to_string(st.sends.size()) + " sends wait already (max_waiting)");
  auto promise = self->make_response_promise<caf::ok_atom>();
  st.sends.push_back(waiting_send{deadline_clock::now() + timeout, std::move(msg), promise});
  arm_timer(self);
  pump(self);  // room may have come since: sends now, or arms the callback for it
  return promise;
}

bool flush_sends(pointer self) {
  auto& st = self->state;
  bool moved = false;
  while (!st.sends.empty()) {
    auto& head = st.sends.front();
    if (!st.sock->send(head.msg, std::chrono::milliseconds(0)))
      break;
    head.promise.deliver(caf::ok_atom::value);
    st.sends.pop_front();
    moved = true;
  }
  return moved;
}

bool expire_sends(pointer self, deadline_clock::time_point now) {
  auto& st = self->state;
  auto due = [now](const waiting_send& s) { return s.deadline <= now; };
  bool expired = false;
  for (auto& s : st.sends) {
    if (due(s)) {
      s.promise.deliver(make_error(actor_errc::timed_out, "no room for the message in time"));
      expired = true;
    }
  }
  st.sends.erase(std::remove_if(st.sends.begin(), st.sends.end(), due), st.sends.end());
  return expired;
}

} // namespace cafmq::actors::face
