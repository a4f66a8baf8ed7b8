// The socket actor of runtime/actor_socket.hpp: spawning it, its handlers, and the pump that
// moves what the socket allows each time the readiness callback or a message wakes it.
#include "actors/socket_face.hpp"
#include "runtime/core/tsan_handoff.hpp"

#include "runtime/core/log.hpp"

#include <string>
#include <utility>

namespace cafmq {

std::string actor_error_text(const caf::error& e) {
  if (!e)
    return "none";  // CAF 0.17: an empty error has no category to ask for
  if (e.category() != caf::atom("cafmq"))
    return caf::to_string(e);
  static const char* const names[] = {"none", "would_block", "timed_out", "too_many_waiting",
                                      "closed", "socket_error"};
  std::string text = e.code() < std::size(names) ? names[e.code()] : "unknown";
  if (e.context().match_elements<std::string>() && !e.context().get_as<std::string>(0).empty())
    text += ": " + e.context().get_as<std::string>(0);
  return text;
}

namespace actors::face {

caf::error to_caf_error(const error& e) {
  return make_error(actor_errc::socket_error, std::string(to_string(e.code())) + ": " + e.what());
}

state::~state() {
  fail_all(*this, make_error(actor_errc::closed, "the socket actor ended"));
}

void fail_all(state& st, const caf::error& why) {
  for (auto& s : st.sends)
    s.promise.deliver(why);
  st.sends.clear();
  for (auto& r : st.requests)
    r.promise.deliver(why);
  st.requests.clear();
}

void wake(pointer self) {
  if (!self->state.wake_pending->exchange(true, std::memory_order_acq_rel))
    self->send(self, wake_atom::value);
}

void pump(pointer self) {
  auto& st = self->state;
  if (!st.sock)
    return;
  constexpr int rounds = 4;  // then yield to the mailbox (credit, sends) and come back
  for (int round = 0; round < rounds; ++round) {
    bool moved = flush_sends(self);
    moved = flush_requests(self) || moved;
    moved = take_reply(self) || moved;
    moved = deliver(self) || moved;
    if (!moved)
      break;
  }
  // Acts on what events() finds: a socket that is ready arms nothing, so no callback would
  // come for it; one that is not arms the callback.
  poll_flags ready = st.sock->events();
  bool req_busy = st.type == socket_type::req && !st.requests.empty();  // replies are its own
  bool more_in = (ready & poll_in) != 0 && ((st.credit > 0 && !req_busy) || awaiting_reply(st));
  bool more_out = (ready & poll_out) != 0 && (!st.sends.empty() || unsent_request(st));
  if (more_in || more_out)
    wake(self);
}

namespace {

// Ends the actor after the messages already in its mailbox: they are answered with `refusal`
// (a quit now would bounce them with CAF's request_receiver_down). What waits fails now.
void end_after_mailbox(pointer self, const caf::error& refusal, const caf::error& reason) {
  auto& st = self->state;
  fail_all(st, refusal);
  if (st.ending)
    return;
  st.ending = true;
  st.refusal = refusal;
  self->send(self, end_atom::value, reason);
}

// The socket is gone (its context destroyed, or it failed): everything waiting fails, the actor
// ends with `closed`.
caf::error on_failure(pointer self, const error& e) {
  if (e.code() != errc::socket_closed && e.code() != errc::internal)
    return to_caf_error(e);  // the call was refused; the socket goes on
  auto why = make_error(actor_errc::closed, e.what());
  end_after_mailbox(self, why, why);
  return why;
}

template <class T, class F>
caf::result<T> guarded(pointer self, F&& fn) {
  if (self->state.ending)
    return self->state.refusal;
  if (!self->state.sock)
    return make_error(actor_errc::closed, "the socket did not open");
  try {
    return fn();
  } catch (const error& e) {
    return on_failure(self, e);
  }
}

template <class F>
void guarded_void(pointer self, F&& fn) {
  if (self->state.ending || !self->state.sock)
    return;
  try {
    fn();
  } catch (const error& e) {
    on_failure(self, e);
  }
}

// Owner gone or close_atom: waiting calls fail, the socket closes with its linger on this
// actor's own thread (never a scheduler thread), and the actor ends normally.
caf::result<uint64_t> close_and_end(pointer self, const char* why) {
  auto& st = self->state;
  if (st.ending)
    return st.refusal;
  auto refusal = make_error(actor_errc::closed, why);
  fail_all(st, refusal);
  uint64_t discarded = 0;
  if (st.sock) {
    try {
      discarded = st.sock->close();
    } catch (const error&) {
      // Closing only fails once the context is gone: nothing is left to linger for.
    }
  }
  end_after_mailbox(self, refusal, caf::error{});
  return discarded;
}

void open_socket(pointer self, const std::shared_ptr<control>& plane, socket_options options) {
  auto& st = self->state;
  try {
    st.sock = std::make_unique<socket>(plane, st.type, std::move(options));
    auto flag = st.wake_pending;
    caf::actor_addr me = self->address();
    // On an I/O thread: one wake_atom in the mailbox at most, to a handle that never keeps
    // the actor alive.
    st.sock->set_readiness_callback([flag, me] {
      if (flag->exchange(true, std::memory_order_acq_rel))
        return;
      if (auto strong = caf::actor_cast<caf::actor>(me))
        caf::anon_send(strong, wake_atom::value);
    });
  } catch (const error& e) {
    st.sock.reset();
    // A context already gone is `closed`, as when it goes later; anything else is the socket's.
    auto why = e.code() == errc::socket_closed ? make_error(actor_errc::closed, e.what())
                                               : to_caf_error(e);
    end_after_mailbox(self, why, why);
  }
}

impl_actor::behavior_type run(pointer self, const std::shared_ptr<control>& plane,
                              socket_type type, socket_options options, actor_socket_options face,
                              const caf::actor& owner) {
  auto& st = self->state;
  st.type = type;
  st.owner = owner.address();
  st.receiver = face.receiver ? face.receiver : owner;
  st.face = std::move(face);
  open_socket(self, plane, std::move(options));
  self->monitor(owner);
  self->set_down_handler([self](caf::down_msg& dm) {
    if (dm.source == self->state.owner)
      close_and_end(self, "the owner terminated");
  });
  return {
    [self](credit_atom, int n) {
      if (n <= 0) {  // a bug of the receiver's: no answer to send it, so it is logged
        log::write(log::level::warn, "actor_socket",
                   "credit_atom grants nothing: the credit must be positive, not "
                     + std::to_string(n) + " (ignored)");
        return;
      }
      self->state.credit += static_cast<uint64_t>(n);
      guarded_void(self, [&] { pump(self); });
    },
    // A message's frames come through CAF's mailbox, which TSan cannot see: acquire what the
    // sender released (tsan_handoff.hpp), since an I/O thread reads large frames in place.
    [self](send_atom, message& msg) {
      tsan::acquire(&tsan::actor_face_handoff);
      return guarded<caf::ok_atom>(self, [&] { return send_now(self, msg); });
    },
    [self](send_atom, message& msg, caf::timespan timeout) {
      tsan::acquire(&tsan::actor_face_handoff);
      return guarded<caf::ok_atom>(self, [&] { return send_waiting(self, msg, timeout); });
    },
    [self](request_atom, message& msg, caf::timespan timeout, int attempts) {
      tsan::acquire(&tsan::actor_face_handoff);
      return guarded<message>(self, [&] { return start_request(self, msg, timeout, attempts); });
    },
    [self](bind_atom, const std::string& endpoint) {
      return guarded<std::string>(self, [&]() -> caf::result<std::string> {
        self->state.sock->bind(endpoint);
        return self->state.sock->last_endpoint();
      });
    },
    [self](caf::connect_atom, const std::string& endpoint) {
      return guarded<caf::ok_atom>(self, [&]() -> caf::result<caf::ok_atom> {
        self->state.sock->connect(endpoint);
        pump(self);  // a SUB's subscriptions, waiting sends: the new peer may take them
        return caf::ok_atom::value;
      });
    },
    [self](caf::subscribe_atom, const std::string& prefix) {
      return guarded<caf::ok_atom>(self, [&]() -> caf::result<caf::ok_atom> {
        self->state.sock->subscribe(prefix);
        return caf::ok_atom::value;
      });
    },
    [self](caf::unsubscribe_atom, const std::string& prefix) {
      return guarded<caf::ok_atom>(self, [&]() -> caf::result<caf::ok_atom> {
        self->state.sock->unsubscribe(prefix);
        return caf::ok_atom::value;
      });
    },
    [self](caf::close_atom) { return close_and_end(self, "closed"); },
    [self](wake_atom) {
      self->state.wake_pending->store(false, std::memory_order_release);
      guarded_void(self, [&] { pump(self); });
    },
    [self](expire_atom, uint64_t id) { guarded_void(self, [&] { on_tick(self, id); }); },
    [self](end_atom, const caf::error& reason) { self->quit(reason); },
  };
}

} // namespace

} // namespace actors::face

socket_actor actor_socket::spawn(caf::local_actor* owner, context& ctx, socket_type type,
                                 socket_options options, actor_socket_options face) {
  if (owner == nullptr)
    throw error{errc::invalid_argument, "actor_socket::spawn: the owner is null"};
  if (face.batch_max == 0)
    throw error{errc::invalid_argument, "actor_socket::spawn: batch_max must be at least 1"};
  if (type == socket_type::req) {
    options.req_relaxed = true;  // a retry sends again before the reply came
    options.req_correlate = true;  // and a late reply to an earlier try is dropped
  }
  options.validate();
  auto handle = owner->system().spawn<caf::detached>(actors::face::run, ctx.control(), type,
                                                      std::move(options), std::move(face),
                                                      caf::actor_cast<caf::actor>(owner));
  return handle;
}

} // namespace cafmq
