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
  if (st.sends.empty())
    st.sock->events();  // arm the callback: the room this send did not find may come
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
  auto id = ++st.next_timer;
  auto promise = self->make_response_promise<caf::ok_atom>();
  st.sends.push_back(waiting_send{id, std::move(msg), promise});
  self->delayed_send(self, timeout, expire_atom::value, id);
  st.sock->events();  // arm the callback for room
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

bool expire_send(pointer self, uint64_t id) {
  auto& st = self->state;
  auto i = std::find_if(st.sends.begin(), st.sends.end(),
                        [id](const waiting_send& s) { return s.id == id; });
  if (i == st.sends.end())
    return false;  // sent already
  i->promise.deliver(make_error(actor_errc::timed_out, "no room for the message in time"));
  st.sends.erase(i);
  return true;
}

} // namespace cafmq::actors::face
