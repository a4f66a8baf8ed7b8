// The socket actor's requests, onto CAF's request(...).then(...): REQ takes them one at a time
// (the head is active, the rest wait their turn); DEALER sends them all at once, each behind an
// envelope [4-byte request id, empty delimiter] that the server echoes, as REP does (ROUTER
// servers echo the frames up to the delimiter), and matches replies by that id. Each attempt has
// a deadline; a timed-out attempt is sent again while attempts remain (REQ: relaxed and
// correlated, so a late reply to an earlier attempt is dropped by the socket).
#include "actors/socket_face.hpp"
#include "runtime/core/tsan_handoff.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace cafmq::actors::face {

namespace {

constexpr std::chrono::milliseconds no_wait{0};

message with_envelope(uint32_t id, const message& body) {
  message m;
  m.add(frame{&id, sizeof id});
  m.add(frame{});
  for (size_t i = 0; i < body.size(); ++i)
    m.add(body[i]);
  return m;
}

void start_attempt(pointer self, pending_request& r) {
  auto& st = self->state;
  --r.attempts_left;
  r.started = true;
  r.deadline = deadline_clock::now() + r.timeout;
  r.sent = st.sock->send(r.msg, no_wait);
  arm_timer(self);
}

// REQ: the next request's turn, once the head is done.
void start_next(pointer self) {
  auto& st = self->state;
  if (st.type == socket_type::req && !st.requests.empty() && !st.requests.front().started)
    start_attempt(self, st.requests.front());
}

} // namespace

caf::result<message> start_request(pointer self, message& msg, caf::timespan timeout,
                                   int attempts) {
  auto& st = self->state;
  if (st.type != socket_type::req && st.type != socket_type::dealer)
    return make_error(actor_errc::socket_error, "request_atom needs a REQ or DEALER socket, not "
                                                  + std::string(zmtp_name(st.type)));
  if (attempts < 1)
    return make_error(actor_errc::socket_error,
                      "request attempts must be at least 1, not " + std::to_string(attempts));
  if (timeout <= caf::timespan::zero())
    return make_error(actor_errc::socket_error, "a request timeout must be positive");
  if (st.requests.size() >= st.face.max_waiting)
    return make_error(actor_errc::too_many_waiting,
                      std::to_string(st.requests.size()) + " requests wait already (max_waiting)");
  pending_request r;
  r.id = ++st.next_request;
  r.msg = st.type == socket_type::dealer ? with_envelope(r.id, msg) : std::move(msg);
  r.timeout = timeout;
  r.attempts_left = attempts;
  r.promise = self->make_response_promise<message>();
  auto promise = r.promise;
  st.requests.push_back(std::move(r));
  if (st.type == socket_type::dealer || st.requests.size() == 1)
    start_attempt(self, st.requests.back());
  pump(self);  // arms the callback for the reply, or for room to send
  return promise;
}

bool flush_requests(pointer self) {
  auto& st = self->state;
  bool moved = false;
  for (auto& r : st.requests) {
    if (!r.started || r.sent)
      continue;
    r.sent = st.sock->send(r.msg, no_wait);
    if (!r.sent)
      break;  // in order: the later ones wait behind it
    moved = true;
  }
  return moved;
}

bool expire_requests(pointer self, deadline_clock::time_point now) {
  auto& st = self->state;
  // What came in time is taken first: a retry would make the socket drop that reply.
  take_reply(self);
  if (st.type == socket_type::dealer && !st.requests.empty())
    read_for_replies(self);
  bool expired = false;
  for (auto i = st.requests.begin(); i != st.requests.end();) {
    if (!i->started || i->deadline > now) {
      ++i;
      continue;
    }
    expired = true;
    if (i->attempts_left > 0) {
      start_attempt(self, *i);
      ++i;
      continue;
    }
    std::string why = "no reply in time";
    if (st.type == socket_type::dealer && st.stash.size() >= st.face.batch_max)
      why += " (" + std::to_string(st.stash.size())
             + " other messages wait for credit, and the reply may be behind them: grant credit)";
    i->promise.deliver(make_error(actor_errc::timed_out, why));
    i = st.requests.erase(i);
  }
  start_next(self);
  return expired;
}

bool answer_request(pointer self, message& m) {
  auto& st = self->state;
  if (m.size() < 2 || m[0].size() != sizeof(uint32_t) || !m[1].empty())
    return false;
  uint32_t id = 0;
  std::memcpy(&id, m[0].data(), sizeof id);
  auto i = std::find_if(st.requests.begin(), st.requests.end(),
                        [id](const pending_request& r) { return r.id == id && r.started; });
  if (i == st.requests.end())
    return false;
  message body;
  for (size_t k = 2; k < m.size(); ++k)
    body.add(m[k]);
  tsan::release(&tsan::actor_face_handoff);
  i->promise.deliver(std::move(body));
  st.requests.erase(i);
  return true;
}

bool take_reply(pointer self) {
  auto& st = self->state;
  if (st.type != socket_type::req || !awaiting_reply(st))
    return false;
  auto reply = st.sock->recv(no_wait);
  if (!reply)
    return false;
  tsan::release(&tsan::actor_face_handoff);
  st.requests.front().promise.deliver(std::move(*reply));
  st.requests.pop_front();
  start_next(self);
  return true;
}

bool awaiting_reply(const state& st) {
  if (st.type == socket_type::req)
    return !st.requests.empty() && st.requests.front().sent;
  return st.stash.size() < st.face.batch_max
         && std::any_of(st.requests.begin(), st.requests.end(),
                        [](const pending_request& r) { return r.sent; });
}

bool unsent_request(const state& st) {
  return std::any_of(st.requests.begin(), st.requests.end(),
                     [](const pending_request& r) { return r.started && !r.sent; });
}

} // namespace cafmq::actors::face
